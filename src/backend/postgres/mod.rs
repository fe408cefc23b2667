//! The PostgreSQL backend.
//!
//! It drives `tokio-postgres` (the engine of the `postgres` crate) on a
//! single-threaded runtime, as the `postgres` crate itself does (but one
//! that also works when called from inside a tokio runtime: `driver`), because it
//! needs two things the blocking client hides: a multi-statement query
//! streamed message by message, so that the failing statement of a file
//! sent in one message is known by counting the statements that completed
//! before the error; and pipelining, so that the bookkeeping of a change is
//! one round trip. A transactional file costs three round trips: `BEGIN`,
//! `SET LOCAL lock_timeout` and the file's text in one simple-query message;
//! the version row and the log row, pipelined; the commit.
//!
//! Behind a transaction pooler (PgBouncer in transaction mode; see
//! [`connect::Target::pooled`]) each transaction may run on another server
//! connection, shared with other clients. So the session then keeps no
//! state on the server between transactions: every statement is unnamed
//! (`query_typed`, the catalog reader included), nothing is `SET` for the
//! session, each transaction the tool opens starts with `SET LOCAL` of the
//! URL's `search_path` and the session bounds, and the run lock is a lease
//! row ([`lease`]) instead of a session advisory lock.

mod bookkeeping;
mod cancel;
mod catalog;
pub mod connect;
pub(crate) mod dialect;
mod driver;
mod lease;
mod lent;
mod rows;
mod values;

use std::time::{Duration, Instant};

use futures_util::{StreamExt, pin_mut};
use sha2::{Digest, Sha256};
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use self::bookkeeping::{Sql, quote};
use self::connect::{Target, TlsMode, client_config};
pub use self::dialect::PostgresDialect;
use self::driver::Driver;
use self::lease::{Lease, LeaseSql};
pub(crate) use self::lent::ClientSlot;
use self::lent::{Lent, SessionClient};
use self::values::{Typed, params, read_row};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::backend::{Backend, Batch, Dialect, LockOutcome, StatementFailure};
use crate::dump::{DumpItem, Scope};
use crate::error::{DbError, Error};
use crate::log_table::{self, HistoryFilter, LogEntry};
use crate::record::{DbState, VersionRecord};
use crate::settings::{DatabaseUrl, LockMode, RunLock, TableNames};
use crate::version::Version;
use crate::version_table::{self, Literal, insert_statements, quoted};

/// How often a waiting run asks for the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);

/// A session with one PostgreSQL database.
pub struct PostgresBackend {
    /// Drives the client; it also works when the library is called from
    /// inside a tokio runtime (see `driver`).
    runtime: Driver,
    client: SessionClient,
    /// The application's client this session borrowed, to give back.
    lent: Option<Lent>,
    /// The TLS of the connection, for a cancel request; `None`: plain.
    cancel_tls: Option<MakeRustlsConnect>,
    schema: String,
    /// The version tables, bound at connect, and their statements (in
    /// `schema`, found at connect).
    tables: TableNames,
    sql: Sql,
    /// The catalog reader's queries, prepared by the first dump.
    catalog_statements: Vec<tokio_postgres::Statement>,
    /// Statements to send in front of the next one: `BEGIN` and `SET LOCAL`
    /// wait for the file's text so that they cost no round trip of their own.
    pending: Vec<String>,
    in_transaction: bool,
    /// The lock timeout in force in the open transaction: the session's,
    /// or the last `SET LOCAL lock_timeout` sent in it.
    transaction_lock_timeout: Option<Duration>,
    /// The session's `lock_timeout` (`None`: the server's default).
    session_lock_timeout: Option<Duration>,
    lock_key: Option<i64>,
    /// Where and how the session connected: the lease's renewal opens a
    /// connection of its own with it.
    target: Target,
    /// Whether a transaction pooler sits between (see the module's header).
    pooled: bool,
    /// How the run lock is taken: `None` a session advisory lock, else a
    /// lease row lasting this long unrenewed.
    lease_length: Option<Duration>,
    /// The lease's statements, in `schema`.
    lease_sql: LeaseSql,
    /// The lease this session holds.
    lease: Option<Lease>,
}

impl PostgresBackend {
    /// Connects to `url`, keeping the bookkeeping in `tables`.
    pub fn connect(
        url: &DatabaseUrl,
        tables: &TableNames,
        lock: &RunLock,
    ) -> Result<PostgresBackend, Error> {
        let target = connect::parse(url.expose()).map_err(Error::Usage)?;
        let table_lock = takes_lease(lock, &target);
        if table_lock && lease::table_name(&tables.versions).len() > 63 {
            return Err(Error::Usage(format!(
                "--table {} is too long for the lock table {} (PostgreSQL names have at \
                 most 63 bytes): use a shorter --table with --lock-mode table",
                tables.versions,
                lease::table_name(&tables.versions)
            )));
        }
        let runtime = new_driver()?;
        let context = format!("cannot connect to {url}");
        let (client, cancel_tls) = open(&runtime, &target).map_err(|error| Error::Database {
            context: context.clone(),
            source: error,
        })?;
        let lease_length = table_lock.then_some(lock.lease);
        let mut backend = PostgresBackend::assemble(runtime, client, cancel_tls, target, tables);
        backend.lease_length = lease_length;
        backend
            .settle(tables)
            .map_err(|source| Error::Database { context, source })?;
        Ok(backend)
    }

    /// A session on `client`, before [`settle`](Self::settle): no schema
    /// found yet, the run lock an advisory lock.
    fn assemble(
        runtime: Driver,
        client: Client,
        cancel_tls: Option<MakeRustlsConnect>,
        target: Target,
        tables: &TableNames,
    ) -> PostgresBackend {
        PostgresBackend {
            runtime,
            client: SessionClient::new(client),
            lent: None,
            cancel_tls,
            schema: String::new(),
            tables: tables.clone(),
            // Built again by `settle`, in the schema it finds.
            sql: Sql::new("", tables),
            catalog_statements: Vec::new(),
            pending: Vec::new(),
            in_transaction: false,
            transaction_lock_timeout: None,
            session_lock_timeout: None,
            lock_key: None,
            pooled: target.pooled,
            lease_length: None,
            lease_sql: LeaseSql::new("", &tables.versions),
            lease: None,
            target,
        }
    }

    /// Sets the session up (`settle_schema`) and builds the statements in
    /// the schema it finds.
    fn settle(&mut self, tables: &TableNames) -> Result<(), DbError> {
        let target = self.target.clone();
        self.settle_schema(&target)?;
        self.sql = Sql::new(&self.schema, tables);
        self.lease_sql = LeaseSql::new(&self.schema, &tables.versions);
        Ok(())
    }

    /// Sets the session's `search_path` and finds the target schema.
    fn settle_schema(&mut self, target: &Target) -> Result<(), DbError> {
        if target.pooled {
            return self.settle_pooled_schema(target);
        }
        let settings = connect::session_settings(&target.config);
        let client = &self.client;
        // Sent together, answered in order: one round trip for them all.
        let path = target.search_path.as_ref().map(|path| {
            let param = [(path as _, Type::TEXT)];
            async move {
                client
                    .query_typed("SELECT set_config('search_path', $1, false)", &param)
                    .await
            }
        });
        let bounds = settings.iter().map(|(name, value)| {
            let params = [(name as _, Type::TEXT), (value as _, Type::TEXT)];
            async move {
                client
                    .query_typed("SELECT set_config($1, $2, false)", &params)
                    .await
            }
        });
        let (path, bounds) = self.runtime.block_on(futures_util::future::join(
            futures_util::future::OptionFuture::from(path),
            futures_util::future::join_all(bounds),
        ));
        path.transpose().map_err(convert)?;
        // Bounds on the server's side of the session (see `connect`); older
        // servers that do not know a setting keep their default.
        for ((name, _), set) in settings.iter().zip(bounds) {
            if let Err(error) = set {
                log::debug!("{name} not set: {error}");
            }
        }
        self.schema = match &target.schema {
            Some(schema) => schema.clone(),
            None => {
                let rows = self.query("SELECT current_schema()::text", &[])?;
                rows.first()
                    .and_then(|row| row.get::<_, Option<String>>(0))
                    .ok_or_else(|| {
                        DbError::new("no schema to keep the version tables in: set search_path=SCHEMA in the URL")
                    })?
            }
        };
        Ok(())
    }

    /// [`settle_schema`](Self::settle_schema) behind a pooler: nothing is
    /// set for the session (it would stay with a server connection that
    /// other clients get next); the target schema is what the URL's
    /// `search_path` makes `current_schema()` inside one transaction.
    fn settle_pooled_schema(&mut self, target: &Target) -> Result<(), DbError> {
        self.schema = match (&target.schema, &target.search_path) {
            (Some(schema), _) => schema.clone(),
            (None, path) => {
                let set = path
                    .as_ref()
                    .map(|path| {
                        format!(
                            "SELECT set_config('search_path', {}, true);\n",
                            literal(path)
                        )
                    })
                    .unwrap_or_default();
                let sql = format!("BEGIN;\n{set}SELECT current_schema()::text;\nCOMMIT");
                let client = &self.client;
                let messages = self
                    .runtime
                    .block_on(client.simple_query(&sql))
                    .map_err(convert)?;
                let schema = messages.iter().rev().find_map(|message| match message {
                    SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                    _ => None,
                });
                schema.ok_or_else(|| {
                    DbError::new(
                        "no schema to keep the version tables in: set search_path=SCHEMA in the URL",
                    )
                })?
            }
        };
        Ok(())
    }

    /// What each transaction opened behind a pooler starts with: the URL's
    /// `search_path` and the session bounds, for that transaction only.
    fn pooled_settings(&self) -> Vec<String> {
        let mut settings = Vec::new();
        if let Some(path) = &self.target.search_path {
            settings.push(format!(
                "SELECT set_config('search_path', {}, true)",
                literal(path)
            ));
        }
        for (name, value) in connect::session_settings(&self.target.config) {
            settings.push(format!("SET LOCAL {name} = {}", literal(value)));
        }
        settings
    }

    /// Runs one query with typed parameters: parse, bind and execute go in
    /// one round trip, as an unnamed statement (none to prepare first, none
    /// left in a pooled server session).
    fn query(
        &mut self,
        sql: &str,
        params: &[Typed<'_>],
    ) -> Result<Vec<tokio_postgres::Row>, DbError> {
        self.flush()?;
        let client = &self.client;
        self.runtime
            .block_on(client.query_typed(sql, params))
            .map_err(convert)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        let client = &self.client;
        self.runtime
            .block_on(client.batch_execute(sql))
            .map_err(convert)
    }

    /// Sends the statements waiting in front of the next one.
    fn flush(&mut self) -> Result<(), DbError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending).join(";\n");
        self.batch(&pending)
    }

    fn lock_key(&self) -> i64 {
        let name = format!("migrate:{}.{}", self.schema, self.tables.versions);
        let digest = Sha256::digest(name.as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(bytes)
    }

    fn lock_holder(&mut self, key: i64) -> Option<String> {
        let bits = key as u64;
        let (class, object) = ((bits >> 32) as u32, bits as u32);
        let rows = self
            .query(
                "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local') \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 \
                 AND l.objid = $2 AND l.objsubid = 1",
                &[(&class, Type::OID), (&object, Type::OID)],
            )
            .ok()?;
        let row = rows.first()?;
        let (pid, application, client): (i32, String, String) =
            (row.get(0), row.get(1), row.get(2));
        Some(format!(
            "held by backend pid {pid}, application_name '{application}', from {client}"
        ))
    }
}

/// Whether the run lock is a lease row: `--lock-mode`, then the URL's
/// `lock_mode=`, then a pooler's lease.
fn takes_lease(lock: &RunLock, target: &Target) -> bool {
    match (lock.mode, target.lock_mode) {
        (LockMode::Table, _) | (LockMode::Auto, Some(LockMode::Table)) => true,
        (LockMode::Advisory, _) | (LockMode::Auto, Some(LockMode::Advisory)) => false,
        (LockMode::Auto, _) => target.pooled,
    }
}

fn new_driver() -> Result<Driver, Error> {
    Driver::new()
        .map_err(|error| Error::Usage(format!("cannot start the PostgreSQL driver: {error}")))
}

/// Connects; also returns the TLS connector, which a cancel request needs
/// to reach the server the same way (`None`: no TLS).
fn open(runtime: &Driver, target: &Target) -> Result<(Client, Option<MakeRustlsConnect>), DbError> {
    if target.tls == TlsMode::Disable {
        let (client, connection) = runtime
            .block_on(target.config.connect(tokio_postgres::NoTls))
            .map_err(convert)?;
        let task = runtime.spawn(connection);
        connect::watch_route(&target.config, tokio_postgres::NoTls, task.abort_handle());
        return Ok((client, None));
    }
    let tls = client_config(target.tls, target.root_cert.as_ref()).map_err(DbError::new)?;
    let connector = MakeRustlsConnect::new(tls);
    let (client, connection) = runtime
        .block_on(target.config.connect(connector.clone()))
        .map_err(convert)?;
    let task = runtime.spawn(connection);
    connect::watch_route(&target.config, connector.clone(), task.abort_handle());
    Ok((client, Some(connector)))
}

impl Backend for PostgresBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &PostgresDialect
    }

    fn lock(&mut self, wait: Duration) -> Result<LockOutcome, DbError> {
        if let Some(length) = self.lease_length {
            return self.take_lease(wait, length);
        }
        let key = self.lock_key();
        // A wait too long for the clock to reach (`--lock-wait` near
        // u64::MAX seconds) has no deadline: it waits until the lock is free.
        let deadline = Instant::now().checked_add(wait);
        loop {
            let rows = self.query("SELECT pg_try_advisory_lock($1)", &[(&key, Type::INT8)])?;
            if rows.first().is_some_and(|row| row.get::<_, bool>(0)) {
                // A run through a pooler may hold the lease instead (see
                // `take_lease`): then this one waits for it too.
                if !self.live_lease()? {
                    self.lock_key = Some(key);
                    return Ok(LockOutcome::Acquired);
                }
                self.query("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)])?;
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline)
                || crate::interrupt::requested().is_some()
            {
                let holder = self.lock_holder(key).or_else(|| self.lease_holder());
                return Ok(LockOutcome::TimedOut(holder));
            }
            std::thread::sleep(LOCK_POLL);
        }
    }

    fn canceller(&mut self) -> Option<crate::interrupt::Canceller> {
        let token = self.client.cancel_token();
        let tls = self.cancel_tls.clone();
        let pooler = self
            .pooled
            .then(|| cancel::pooler_address(&self.target))
            .flatten();
        Some(Box::new(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    log::warn!("cannot cancel the running statement: {error}");
                    return;
                }
            };
            if let Some((host, port)) = &pooler {
                match runtime.block_on(cancel::through_pooler(&token, host, *port)) {
                    Ok(()) => return,
                    Err(error) => log::debug!("cancel through the pooler: {error}"),
                }
            }
            let cancelled = match &tls {
                Some(tls) => runtime.block_on(token.cancel_query(tls.clone())),
                None => runtime.block_on(token.cancel_query(tokio_postgres::NoTls)),
            };
            if let Err(error) = cancelled {
                log::warn!("cannot cancel the running statement: {}", convert(error));
            }
        }))
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if let Some(mut lease) = self.lease.take() {
            lease.stop();
            return self.release_lease(&lease.token);
        }
        match self.lock_key.take() {
            Some(key) => self
                .query("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)])
                .map(|_| ()),
            None => Ok(()),
        }
    }

    fn read_state(&mut self) -> Result<DbState, DbError> {
        let sql = self.sql.clone();
        let exists = self.query(
            "SELECT to_regclass($1) IS NOT NULL",
            &[(&sql.versions, Type::TEXT)],
        )?;
        if !exists.first().is_some_and(|row| row.get::<_, bool>(0)) {
            return Ok(DbState::default());
        }
        let mut state = DbState {
            tables_exist: true,
            ..DbState::default()
        };
        for row in self.query(&sql.select, &[])? {
            let row = read_row(&row, version_table::COLUMNS).map_err(convert)?;
            let record = version_table::from_row(row).map_err(DbError::new)?;
            state.records.insert(record.version, record);
        }
        Ok(state)
    }

    fn read_history(&mut self, filter: &HistoryFilter) -> Result<Vec<LogEntry>, DbError> {
        let sql = self.sql.clone();
        let exists = self.query(
            "SELECT to_regclass($1) IS NOT NULL",
            &[(&sql.log, Type::TEXT)],
        )?;
        if !exists.first().is_some_and(|row| row.get::<_, bool>(0)) {
            return Ok(Vec::new());
        }
        let version = filter.version_text();
        let outcome = filter.outcome();
        let limit = filter.limit_value();
        let rows = self.query(
            &sql.history,
            &[
                (&filter.id, Type::INT8),
                (&version, Type::TEXT),
                (&outcome, Type::TEXT),
                (&limit, Type::INT8),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let row = read_row(row, log_table::COLUMNS).map_err(convert)?;
                LogEntry::from_row(row).map_err(DbError::new)
            })
            .collect()
    }

    fn dump_schema(&mut self) -> Result<Vec<DumpItem>, DbError> {
        self.dump_schemas(&Scope::Default)
    }

    fn dump_schemas(&mut self, scope: &Scope) -> Result<Vec<DumpItem>, DbError> {
        self.flush()?;
        // Behind a pooler, statements prepared by one dump would be gone
        // (or another client's) by the next: each query is unnamed.
        let prepared = match self.pooled {
            true => None,
            false => Some(&mut self.catalog_statements),
        };
        catalog::read(
            &self.runtime,
            &self.client,
            &self.schema,
            &self.tables,
            scope,
            prepared,
        )
    }

    fn dump_data(&mut self) -> Result<crate::squash::data::DataDump, DbError> {
        self.flush()?;
        rows::read(self)
    }

    fn version_table_sql(&self, state: &DbState) -> String {
        let tables = &self.tables;
        // Unqualified: the file loads into whichever schema the URL names.
        let versions = quote(&tables.versions);
        let records: Vec<&VersionRecord> = state.records.values().collect();
        let inserts = insert_statements(&versions, &records, &|value| match value {
            Literal::Null => "NULL".to_string(),
            Literal::Text(text) if text.contains('\\') => {
                format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
            }
            Literal::Text(text) => quoted(text),
            Literal::Version(version) => version.to_string(),
        });
        format!("{}\n{inserts}", Sql::create(&versions, &quote(&tables.log)))
    }

    fn ensure_schema(&mut self) -> Result<(), DbError> {
        let schema = self.schema.clone();
        let found = self.query(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1",
            &[(&schema, Type::TEXT)],
        )?;
        if found.is_empty() {
            self.batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(&schema)))?;
        }
        Ok(())
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        self.ensure_schema()?;
        let create = self.sql.create.clone();
        self.batch(&create)
    }

    fn begin(&mut self, lock_timeout: Option<Duration>) -> Result<(), DbError> {
        self.check_lease()?;
        self.pending.push("BEGIN".to_string());
        if self.pooled {
            let settings = self.pooled_settings();
            self.pending.extend(settings);
        }
        self.in_transaction = true;
        self.transaction_lock_timeout = self.session_lock_timeout;
        self.set_lock_timeout(lock_timeout)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.in_transaction = false;
        if self.pending.first().is_some_and(|first| first == "BEGIN") {
            // Nothing ran since BEGIN: there is nothing to commit.
            self.pending.clear();
            return Ok(());
        }
        self.flush()?;
        self.batch("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        self.in_transaction = false;
        if self.pending.first().is_some_and(|first| first == "BEGIN") {
            self.pending.clear();
            return Ok(());
        }
        self.pending.clear();
        // Sent even when the tool opened no transaction: a `no-transaction`
        // file may have opened its own, and a failure must not be recorded
        // inside it (it would be rolled back with it). Outside a transaction
        // the server only warns.
        self.batch("ROLLBACK")
    }

    fn set_lock_timeout(&mut self, timeout: Option<Duration>) -> Result<(), DbError> {
        let value = match timeout {
            Some(timeout) => format!("'{}ms'", timeout.as_millis()),
            None => "DEFAULT".to_string(),
        };
        if self.in_transaction {
            // Rides in front of the file's text: no round trip of its own.
            if timeout != self.transaction_lock_timeout {
                self.pending
                    .push(format!("SET LOCAL lock_timeout = {value}"));
                self.transaction_lock_timeout = timeout;
            }
            return Ok(());
        }
        if self.pooled {
            // A session `SET` would stay with a server connection that
            // other clients get next, and the statement may run on another
            // one: behind a pooler a statement outside a transaction runs
            // with the role's or server's `lock_timeout` (README).
            if timeout.is_some() {
                log::debug!("behind a pooler, lock_timeout applies to transactional files only");
            }
            return Ok(());
        }
        if timeout != self.session_lock_timeout {
            // Outside a transaction it cannot ride in front of the statement:
            // CREATE INDEX CONCURRENTLY must be alone in its message.
            self.batch(&format!("SET lock_timeout = {value}"))?;
            self.session_lock_timeout = timeout;
        }
        Ok(())
    }

    fn execute(&mut self, batch: &Batch<'_>) -> Result<(), StatementFailure> {
        if !self.in_transaction
            && let Err(error) = self.check_lease()
        {
            return Err(StatementFailure {
                index: 0,
                line: None,
                error,
            });
        }
        let prefix_count = self.pending.len();
        let mut query = std::mem::take(&mut self.pending).join(";\n");
        if !query.is_empty() {
            query.push_str(";\n");
        }
        let prefix_chars = query.chars().count();
        query.push_str(batch.text());
        let client = &self.client;
        let outcome = self.runtime.block_on(async {
            let mut completed = 0usize;
            let stream = client
                .simple_query_raw(&query)
                .await
                .map_err(|error| (0, error))?;
            pin_mut!(stream);
            while let Some(message) = stream.next().await {
                match message {
                    Ok(SimpleQueryMessage::CommandComplete(_)) => completed += 1,
                    Ok(_) => {}
                    Err(error) => return Err((completed, error)),
                }
            }
            Ok(())
        });
        let Err((completed, error)) = outcome else {
            return Ok(());
        };
        let index = completed.saturating_sub(prefix_count);
        let line = error
            .as_db_error()
            .and_then(|db| match db.position() {
                Some(ErrorPosition::Original(position)) => Some(*position as usize),
                _ => None,
            })
            .and_then(|position| position.checked_sub(1 + prefix_chars))
            .and_then(|chars| batch.text().char_indices().nth(chars).map(|(byte, _)| byte))
            .map(|offset| batch.line_at(offset))
            .or_else(|| {
                batch
                    .statements()
                    .get(index)
                    .map(|statement| statement.line)
            });
        Err(StatementFailure {
            index,
            line,
            error: convert(error),
        })
    }

    fn save_version(&mut self, record: &VersionRecord) -> Result<(), DbError> {
        self.record_row(record.version, Some(record), None)
    }

    fn delete_version(&mut self, version: Version) -> Result<(), DbError> {
        self.record_row(version, None, None)
    }

    fn insert_log(&mut self, entry: &LogEntry) -> Result<i64, DbError> {
        self.flush()?;
        let sql = self.sql.insert_log.clone();
        let values = entry.insert_values();
        let client = &self.client;
        let row = self
            .runtime
            .block_on(client.query_typed_one(&sql, &params(&values)))
            .map_err(convert)?;
        Ok(row.get(0))
    }

    fn finish_log(&mut self, entry: &LogEntry) -> Result<(), DbError> {
        self.flush()?;
        let sql = self.sql.finish_log.clone();
        let values = entry.finish_values();
        let client = &self.client;
        self.runtime
            .block_on(client.query_typed(&sql, &params(&values)))
            .map(|_| ())
            .map_err(convert)
    }

    fn record(
        &mut self,
        version: Version,
        row: Option<&VersionRecord>,
        log: &LogEntry,
    ) -> Result<(), DbError> {
        self.record_row(version, row, Some(log))
    }
}

impl PostgresBackend {
    /// Saves or deletes a row and, with `log`, inserts or completes the log
    /// row: pipelined with whatever is pending, one round trip.
    fn record_row(
        &mut self,
        version: Version,
        row: Option<&VersionRecord>,
        log: Option<&LogEntry>,
    ) -> Result<(), DbError> {
        let sql = &self.sql;
        let row_statement = match row {
            Some(_) => &sql.upsert,
            None => &sql.delete,
        };
        let log_statement = match log.map(|log| log.id.is_some()) {
            Some(true) => Some(&sql.finish_log),
            Some(false) => Some(&sql.insert_log),
            None => None,
        };
        let pending = std::mem::take(&mut self.pending).join(";\n");
        let values = row.map(version_table::values);
        let version_text = version.to_string();
        let log_values = log.map(|log| match log.id {
            Some(_) => log.finish_values(),
            None => log.insert_values(),
        });
        let client = &self.client;
        let run = async {
            let flush = async {
                match pending.is_empty() {
                    true => Ok(()),
                    false => client.batch_execute(&pending).await,
                }
            };
            let save = async {
                match &values {
                    Some(values) => client.query_typed(row_statement, &params(values)).await,
                    None => {
                        let version = [(&version_text as _, Type::TEXT)];
                        client.query_typed(row_statement, &version).await
                    }
                }
            };
            let append = async {
                match (&log_statement, &log_values) {
                    (Some(statement), Some(values)) => {
                        client.query_typed(statement, &params(values)).await
                    }
                    _ => Ok(Vec::new()),
                }
            };
            futures_util::future::try_join3(flush, save, append).await
        };
        self.runtime.block_on(run).map(|_| ()).map_err(convert)
    }
}

/// A text literal for a simple query, `E'…'` with quotes and backslashes
/// escaped, whatever `standard_conforming_strings` says.
fn literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// The server's message, detail and hint, with its SQLSTATE.
fn convert(error: tokio_postgres::Error) -> DbError {
    let Some(db) = error.as_db_error() else {
        // tokio-postgres keeps the cause (a TLS or I/O error) out of its message.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        return DbError::new(message);
    };
    let mut message = db.message().to_string();
    if let Some(detail) = db.detail() {
        message.push_str(&format!("; detail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        message.push_str(&format!("; hint: {hint}"));
    }
    DbError {
        message,
        code: Some(format!("SQLSTATE {}", db.code().code())),
        lock_timeout: *db.code() == SqlState::LOCK_NOT_AVAILABLE,
        not_accepting_yet: *db.code() == SqlState::CANNOT_CONNECT_NOW,
    }
}
