//! The MySQL and MariaDB backend, through the `mysql` crate with rustls.
//!
//! MySQL commits implicitly around every DDL statement, so a file holding
//! one cannot be rolled back. The executor runs such files statement by
//! statement and records each statement's success; this backend therefore
//! runs statements one at a time, as the splitter found them. That is also
//! what makes `DELIMITER` lines work: they are the mysql client's, and the
//! server would reject them. A file of DML only runs in one transaction.
//!
//! The run lock is `GET_LOCK` on the migrating connection; lock timeouts are
//! `lock_wait_timeout` (metadata locks, what DDL waits on) and
//! `innodb_lock_wait_timeout` (row locks), and a retry is allowed only on
//! errors 1205 (lock wait timeout) and 1213 (deadlock).

mod bookkeeping;
mod catalog;
pub mod connect;
pub(crate) mod dialect;
mod route_watch;
mod rows;

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Row, Value};
use sha2::{Digest, Sha256};

use self::bookkeeping::{Sql, bound, read_row};
use self::connect::{SslMode, Target};
pub use self::dialect::MysqlDialect;
use crate::backend::{Backend, Batch, Dialect, LockOutcome, StatementFailure};
use crate::dump::DumpItem;
use crate::error::{DbError, Error};
use crate::log_table::{self, HistoryFilter, LogEntry};
use crate::record::{DbState, VersionRecord};
use crate::settings::{DatabaseUrl, TableNames};
use crate::version::Version;
use crate::version_table::{self, Literal, insert_statements, quoted};

/// The largest `innodb_lock_wait_timeout` MySQL and MariaDB accept, in
/// seconds: the row-lock wait of a lock timeout that is off.
const MAX_INNODB_LOCK_WAIT_TIMEOUT: u64 = 1_073_741_824;

/// The longest lock name MySQL accepts.
const MAX_LOCK_NAME: usize = 64;

/// A session with one MySQL or MariaDB database.
pub struct MysqlBackend {
    connection: Conn,
    /// How to reach the server again, for `KILL QUERY` from a second connection.
    target: Target,
    /// The version tables, bound at connect, and their statements.
    tables: TableNames,
    sql: Sql,
    lock_name: Option<String>,
    session_lock_timeout: Option<Duration>,
    /// Whether the last `ROLLBACK` warned that tables without transactions
    /// kept their changes.
    partial_rollback: bool,
    /// Ends the session when its route goes silent; stops when dropped.
    _route_watch: Option<route_watch::RouteWatch>,
}

/// "Some non-transactional changed tables couldn't be rolled back".
const NON_TRANSACTIONAL_ROLLBACK: u32 = 1196;

impl MysqlBackend {
    /// Connects to `url`, keeping the bookkeeping in `tables`.
    pub fn connect(url: &DatabaseUrl, tables: &TableNames) -> Result<MysqlBackend, Error> {
        let target = connect::parse(url.expose()).map_err(Error::Usage)?;
        let connection = open(&target).map_err(|source| Error::Database {
            context: format!("cannot connect to {url}"),
            source,
        })?;
        let host = target.opts.get_ip_or_hostname();
        // Over a Unix socket there is no route to lose: a socket named in
        // the URL, or the one the driver switches a loopback connection to
        // (`prefer_socket`, on by default).
        let over_socket = target.opts.get_socket().is_some()
            || (target.opts.get_prefer_socket()
                && matches!(host.as_ref(), "localhost" | "127.0.0.1" | "::1"));
        let route_watch = match over_socket {
            true => None,
            false => route_watch::watch(&connection, &host, target.opts.get_tcp_port()),
        };
        Ok(MysqlBackend {
            connection,
            target,
            tables: tables.clone(),
            sql: Sql::new(tables),
            lock_name: None,
            session_lock_timeout: None,
            partial_rollback: false,
            _route_watch: route_watch,
        })
    }

    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        self.connection.query_drop(sql).map_err(convert)
    }

    fn lock_name(&mut self) -> Result<String, DbError> {
        let database: Option<String> = self
            .connection
            .query_first("SELECT DATABASE()")
            .map_err(convert)?
            .flatten();
        let name = format!(
            "migrate:{}.{}",
            database.unwrap_or_default(),
            self.tables.versions
        );
        if name.len() <= MAX_LOCK_NAME {
            return Ok(name);
        }
        let digest = Sha256::digest(name.as_bytes());
        let hex: String = digest[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(format!("migrate:{hex}"))
    }
}

/// Connects with the TLS the mode asks for; `PREFERRED` falls back to a
/// plain connection when the server does not offer TLS. The driver cannot
/// fall back within one connection as the `mysql` client does, so a
/// `PREFERRED` connection to a loopback address, where TLS protects nothing,
/// is plain from the start: one handshake instead of two (issue 15).
fn open(target: &Target) -> Result<Conn, DbError> {
    let loopback = target.opts.get_socket().is_some()
        || matches!(
            target.opts.get_ip_or_hostname().as_ref(),
            "localhost" | "127.0.0.1" | "::1" | "[::1]"
        );
    match target.ssl_mode {
        SslMode::Disabled => Conn::new(target.options(false)).map_err(convert),
        SslMode::Preferred if loopback => Conn::new(target.options(false)).map_err(convert),
        SslMode::Preferred => Conn::new(target.options(true))
            .or_else(|error| match error {
                mysql::Error::DriverError(mysql::DriverError::TlsNotSupported) => {
                    Conn::new(target.options(false))
                }
                other => Err(other),
            })
            .map_err(convert),
        _ => Conn::new(target.options(true)).map_err(convert),
    }
}

impl Backend for MysqlBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &MysqlDialect
    }

    fn lock(&mut self, wait: Duration) -> Result<LockOutcome, DbError> {
        let name = self.lock_name()?;
        // Whole seconds, rounded up; a wait of more than 68 years is
        // "forever" and is capped where the server's integer surely holds it.
        let seconds = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0));
        let seconds = seconds.min(i32::MAX as u64);
        let acquired: Option<Option<i64>> = self
            .connection
            .exec_first("SELECT GET_LOCK(?, ?)", (&name, seconds))
            .map_err(convert)?;
        if acquired.flatten() == Some(1) {
            self.lock_name = Some(name);
            return Ok(LockOutcome::Acquired);
        }
        let holder: Option<Option<u64>> = self
            .connection
            .exec_first("SELECT IS_USED_LOCK(?)", (&name,))
            .map_err(convert)?;
        Ok(LockOutcome::TimedOut(holder.flatten().map(|id| {
            format!("held by connection id {id} (see SHOW PROCESSLIST)")
        })))
    }

    fn canceller(&mut self) -> Option<crate::interrupt::Canceller> {
        let target = self.target.clone();
        let id = self.connection.connection_id();
        Some(Box::new(move || match open(&target) {
            Ok(mut killer) => {
                if let Err(error) = killer.query_drop(format!("KILL QUERY {id}")) {
                    log::warn!("cannot cancel the running statement: {}", convert(error));
                }
            }
            Err(error) => log::warn!("cannot cancel the running statement: {error}"),
        }))
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        match self.lock_name.take() {
            Some(name) => self
                .connection
                .exec_drop("DO RELEASE_LOCK(?)", (&name,))
                .map_err(convert),
            None => Ok(()),
        }
    }

    fn read_state(&mut self) -> Result<DbState, DbError> {
        let (sql, tables) = (&self.sql, &self.tables);
        let exists: Option<i64> = self
            .connection
            .exec_first(&sql.exists, (&tables.versions,))
            .map_err(convert)?;
        if exists.unwrap_or(0) == 0 {
            return Ok(DbState::default());
        }
        let rows: Vec<Row> = self.connection.query(&sql.select).map_err(convert)?;
        let mut state = DbState {
            tables_exist: true,
            ..DbState::default()
        };
        for row in rows {
            let row = read_row(row, version_table::COLUMNS)?;
            let record = version_table::from_row(row).map_err(DbError::new)?;
            state.records.insert(record.version, record);
        }
        Ok(state)
    }

    fn read_history(&mut self, filter: &HistoryFilter) -> Result<Vec<LogEntry>, DbError> {
        let (sql, tables) = (&self.sql, &self.tables);
        let exists: Option<i64> = self
            .connection
            .exec_first(&sql.exists, (&tables.log,))
            .map_err(convert)?;
        if exists.unwrap_or(0) == 0 {
            return Ok(Vec::new());
        }
        let id = Value::from(filter.id);
        let version = Value::from(filter.version_text());
        let outcome = Value::from(filter.outcome());
        let params = vec![
            id.clone(),
            id,
            version.clone(),
            version,
            outcome.clone(),
            outcome,
            Value::from(filter.limit_value()),
        ];
        let rows: Vec<Row> = self
            .connection
            .exec(&sql.history, Params::Positional(params))
            .map_err(convert)?;
        rows.into_iter()
            .map(|row| {
                let row = read_row(row, log_table::COLUMNS)?;
                LogEntry::from_row(row).map_err(DbError::new)
            })
            .collect()
    }

    fn dump_schema(&mut self) -> Result<Vec<DumpItem>, DbError> {
        catalog::read(&mut self.connection, &self.tables)
    }

    fn dump_data(&mut self) -> Result<crate::squash::data::DataDump, DbError> {
        rows::read(&mut self.connection, &self.tables)
    }

    fn version_table_sql(&self, state: &DbState) -> String {
        let (sql, tables) = (&self.sql, &self.tables);
        let records: Vec<&VersionRecord> = state.records.values().collect();
        let table = format!("`{}`", tables.versions);
        let inserts = insert_statements(&table, &records, &|value| match value {
            Literal::Null => "NULL".to_string(),
            // MySQL reads backslashes in strings as escapes.
            Literal::Text(text) => quoted(&text.replace('\\', "\\\\")),
            Literal::Version(version) => version.to_string(),
        });
        format!("{};\n{};\n{inserts}", sql.create[0], sql.create[1])
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        for create in &self.sql.create {
            self.connection.query_drop(create).map_err(convert)?;
        }
        Ok(())
    }

    fn begin(&mut self, lock_timeout: Option<Duration>) -> Result<(), DbError> {
        self.set_lock_timeout(lock_timeout)?;
        self.run("START TRANSACTION")
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.run("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        // Sent even when the tool opened no transaction: a `no-transaction`
        // file may have opened its own, and a failure must not be recorded
        // inside it. Outside a transaction it does nothing.
        self.partial_rollback = false;
        self.run("ROLLBACK")?;
        if self.connection.warnings() > 0 {
            let warnings: Vec<(String, u32, String)> =
                self.connection.query("SHOW WARNINGS").map_err(convert)?;
            self.partial_rollback = warnings
                .iter()
                .any(|(_, code, _)| *code == NON_TRANSACTIONAL_ROLLBACK);
        }
        Ok(())
    }

    fn rollback_was_partial(&mut self) -> bool {
        self.partial_rollback
    }

    fn set_lock_timeout(&mut self, timeout: Option<Duration>) -> Result<(), DbError> {
        if timeout == self.session_lock_timeout {
            return Ok(());
        }
        let sql = match timeout {
            // Zero turns the lock timeout off (SPEC section 5). MySQL has no
            // "no bound", so both wait as long as the server allows.
            Some(timeout) if timeout.is_zero() => format!(
                "SET SESSION lock_wait_timeout = {}, \
                 SESSION innodb_lock_wait_timeout = {MAX_INNODB_LOCK_WAIT_TIMEOUT}",
                dialect::MAX_LOCK_WAIT_TIMEOUT.as_secs()
            ),
            // Both take whole seconds; round up so that 500ms still waits.
            // Preflight refused anything above the maximum; the `min` only
            // keeps a direct caller from having it clamped unseen.
            Some(timeout) => {
                let seconds = timeout
                    .min(dialect::MAX_LOCK_WAIT_TIMEOUT)
                    .as_millis()
                    .div_ceil(1000)
                    .max(1);
                format!(
                    "SET SESSION lock_wait_timeout = {seconds}, \
                     SESSION innodb_lock_wait_timeout = {seconds}"
                )
            }
            None => "SET SESSION lock_wait_timeout = DEFAULT, \
                     SESSION innodb_lock_wait_timeout = DEFAULT"
                .to_string(),
        };
        self.run(&sql)?;
        self.session_lock_timeout = timeout;
        Ok(())
    }

    fn execute(&mut self, batch: &Batch<'_>) -> Result<(), StatementFailure> {
        for (index, statement) in batch.statements().iter().enumerate() {
            if let Err(error) = self.connection.query_drop(&statement.text) {
                let line = syntax_error_line(&error)
                    .map(|line| statement.line + line.saturating_sub(1))
                    .unwrap_or(statement.line);
                return Err(StatementFailure {
                    index,
                    line: Some(line),
                    error: convert(error),
                });
            }
        }
        Ok(())
    }

    fn save_version(&mut self, record: &VersionRecord) -> Result<(), DbError> {
        let sql = &self.sql;
        self.connection
            .exec_drop(&sql.replace, Params::Positional(row_values(record)))
            .map_err(convert)
    }

    fn delete_version(&mut self, version: Version) -> Result<(), DbError> {
        let sql = &self.sql;
        self.connection
            .exec_drop(&sql.delete, (version.to_string(),))
            .map_err(convert)
    }

    fn insert_log(&mut self, entry: &LogEntry) -> Result<i64, DbError> {
        let sql = &self.sql;
        let values = bound(log_table::INSERTED, entry.insert_values());
        self.connection
            .exec_drop(&sql.insert_log, Params::Positional(values))
            .map_err(convert)?;
        Ok(i64::try_from(self.connection.last_insert_id()).unwrap_or(i64::MAX))
    }

    fn finish_log(&mut self, entry: &LogEntry) -> Result<(), DbError> {
        let sql = &self.sql;
        let values = bound(log_table::FINISHED, entry.finish_values());
        self.connection
            .exec_drop(&sql.finish_log, Params::Positional(values))
            .map_err(convert)
    }
}

/// The values that save `record`, in the version table's column order.
fn row_values(record: &VersionRecord) -> Vec<Value> {
    bound(version_table::COLUMNS, version_table::values(record))
}

/// The line MySQL's syntax errors name: "... near 'x' at line 3".
fn syntax_error_line(error: &mysql::Error) -> Option<usize> {
    let mysql::Error::MySqlError(error) = error else {
        return None;
    };
    let (_, tail) = error.message.rsplit_once(" at line ")?;
    tail.trim().parse().ok()
}

/// The server's error number, SQLSTATE and message.
fn convert(error: mysql::Error) -> DbError {
    match error {
        mysql::Error::MySqlError(error) => DbError {
            code: Some(format!(
                "MySQL error {}, SQLSTATE {}",
                error.code, error.state
            )),
            lock_timeout: matches!(error.code, 1205 | 1213),
            not_accepting_yet: false,
            message: error.message,
        },
        other => DbError::new(connect::describe(&other)),
    }
}
