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
mod dialect;

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Row, Value};
use sha2::{Digest, Sha256};

use self::bookkeeping::{Sql, to_datetime};
use self::connect::{SslMode, Target};
pub use self::dialect::MysqlDialect;
use crate::backend::rows::{Literal, RawPhase, RawRow, RowValues, insert_statements, quoted};
use crate::backend::{Backend, Batch, Dialect, LockOutcome, LogEntry, StatementFailure};
use crate::dump::DumpItem;
use crate::error::{DbError, Error};
use crate::history::{HistoryFilter, RawLogRow};
use crate::record::{DbState, VersionRecord};
use crate::settings::{DatabaseUrl, TableNames};
use crate::version::Version;

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
    sql: Option<(TableNames, Sql)>,
    lock_name: Option<String>,
    session_lock_timeout: Option<Duration>,
    /// Whether the last `ROLLBACK` warned that tables without transactions
    /// kept their changes.
    partial_rollback: bool,
}

/// "Some non-transactional changed tables couldn't be rolled back".
const NON_TRANSACTIONAL_ROLLBACK: u32 = 1196;

impl MysqlBackend {
    /// Connects to `url`.
    pub fn connect(url: &DatabaseUrl) -> Result<MysqlBackend, Error> {
        let target = connect::parse(url.expose()).map_err(Error::Usage)?;
        let connection = open(&target).map_err(|source| Error::Database {
            context: format!("cannot connect to {url}"),
            source,
        })?;
        Ok(MysqlBackend {
            connection,
            target,
            sql: None,
            lock_name: None,
            session_lock_timeout: None,
            partial_rollback: false,
        })
    }

    fn sql(&mut self, tables: &TableNames) -> Sql {
        match &self.sql {
            Some((known, sql)) if known == tables => sql.clone(),
            _ => {
                let sql = Sql::new(tables);
                self.sql = Some((tables.clone(), sql.clone()));
                sql
            }
        }
    }

    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        self.connection.query_drop(sql).map_err(convert)
    }

    fn lock_name(&mut self, tables: &TableNames) -> Result<String, DbError> {
        let database: Option<String> = self
            .connection
            .query_first("SELECT DATABASE()")
            .map_err(convert)?
            .flatten();
        let name = format!(
            "migrate:{}.{}",
            database.unwrap_or_default(),
            tables.versions
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
/// plain connection when the server does not offer TLS.
fn open(target: &Target) -> Result<Conn, DbError> {
    match target.ssl_mode {
        SslMode::Disabled => Conn::new(target.options(false)).map_err(convert),
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

    fn lock(&mut self, wait: Duration, tables: &TableNames) -> Result<LockOutcome, DbError> {
        let name = self.lock_name(tables)?;
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

    fn read_state(&mut self, tables: &TableNames) -> Result<DbState, DbError> {
        let sql = self.sql(tables);
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
            let record = raw_row(row)?.into_record().map_err(DbError::new)?;
            state.records.insert(record.version, record);
        }
        Ok(state)
    }

    fn read_history(
        &mut self,
        tables: &TableNames,
        filter: &HistoryFilter,
    ) -> Result<Vec<LogEntry>, DbError> {
        let sql = self.sql(tables);
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
            .map(|row| raw_log_row(row)?.into_entry().map_err(DbError::new))
            .collect()
    }

    fn dump_schema(&mut self, tables: &TableNames) -> Result<Vec<DumpItem>, DbError> {
        catalog::read(&mut self.connection, tables)
    }

    fn version_table_sql(&self, tables: &TableNames, state: &DbState) -> String {
        let sql = Sql::new(tables);
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

    fn ensure_tables(&mut self, tables: &TableNames) -> Result<(), DbError> {
        for create in self.sql(tables).create {
            self.run(&create)?;
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
        for (index, statement) in batch.statements.iter().enumerate() {
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

    fn save_version(&mut self, tables: &TableNames, record: &VersionRecord) -> Result<(), DbError> {
        let sql = self.sql(tables);
        self.connection
            .exec_drop(&sql.replace, Params::Positional(row_values(record)))
            .map_err(convert)
    }

    fn delete_version(&mut self, tables: &TableNames, version: Version) -> Result<(), DbError> {
        let sql = self.sql(tables);
        self.connection
            .exec_drop(&sql.delete, (version.to_string(),))
            .map_err(convert)
    }

    fn insert_log(&mut self, tables: &TableNames, entry: &LogEntry) -> Result<i64, DbError> {
        let sql = self.sql(tables);
        let values = vec![
            Value::from(entry.version.to_string()),
            Value::from(&entry.operation),
            Value::from(entry.release.as_ref().map(|release| release.as_str())),
            Value::from(entry.file.as_deref()),
            Value::from(entry.checksum.as_deref()),
            Value::from(to_datetime(&entry.started_at)),
            Value::from(entry.finished_at.as_deref().map(to_datetime)),
            Value::from(&entry.outcome),
            Value::from(entry.error.as_deref()),
            Value::from(entry.statement.map(|index| index as u64)),
            Value::from(entry.line.map(|line| line as u64)),
        ];
        self.connection
            .exec_drop(&sql.insert_log, Params::Positional(values))
            .map_err(convert)?;
        Ok(i64::try_from(self.connection.last_insert_id()).unwrap_or(i64::MAX))
    }

    fn finish_log(&mut self, tables: &TableNames, entry: &LogEntry) -> Result<(), DbError> {
        let sql = self.sql(tables);
        let values = vec![
            Value::from(entry.finished_at.as_deref().map(to_datetime)),
            Value::from(&entry.outcome),
            Value::from(entry.error.as_deref()),
            Value::from(entry.statement.map(|index| index as u64)),
            Value::from(entry.line.map(|line| line as u64)),
            Value::from(entry.id),
        ];
        self.connection
            .exec_drop(&sql.finish_log, Params::Positional(values))
            .map_err(convert)
    }
}

fn row_values(record: &VersionRecord) -> Vec<Value> {
    let values = RowValues::of(record);
    let mut bound = vec![
        Value::from(values.version),
        Value::from(values.name),
        Value::from(values.state),
    ];
    for phase in values.phases {
        bound.extend([
            Value::from(phase.release),
            Value::from(phase.at.as_deref().map(to_datetime)),
            Value::from(phase.seq),
            Value::from(phase.checksum),
        ]);
    }
    bound.extend([
        Value::from(values.failed_operation),
        Value::from(values.failed_release),
        Value::from(values.statements_done),
        Value::from(values.done_checksum),
        Value::from(values.error),
        Value::from(values.error_line),
    ]);
    bound
}

fn raw_row(mut row: Row) -> Result<RawRow, DbError> {
    let mut take_text = |index: usize| -> Result<Option<String>, DbError> {
        row.take_opt::<Option<String>, usize>(index)
            .unwrap_or(Ok(None))
            .map_err(|error| DbError::new(format!("cannot read the version table: {error}")))
    };
    let mut texts = Vec::with_capacity(21);
    for index in 0..21 {
        texts.push(take_text(index)?);
    }
    let number = |text: &Option<String>| text.as_deref().and_then(|text| text.parse::<i64>().ok());
    let phase = |first: usize| RawPhase {
        release: texts[first].clone(),
        at: texts[first + 1].clone(),
        seq: number(&texts[first + 2]),
        checksum: texts[first + 3].clone(),
    };
    Ok(RawRow {
        version: texts[0].clone().unwrap_or_default(),
        name: texts[1].clone(),
        state: texts[2].clone().unwrap_or_default(),
        phases: [phase(3), phase(7), phase(11)],
        failed_operation: texts[15].clone(),
        failed_release: texts[16].clone(),
        statements_done: number(&texts[17]),
        done_checksum: texts[18].clone(),
        error: texts[19].clone(),
        error_line: number(&texts[20]),
    })
}

fn raw_log_row(mut row: Row) -> Result<RawLogRow, DbError> {
    fn take<T: mysql::prelude::FromValue>(row: &mut Row, index: usize) -> Result<T, DbError> {
        row.take_opt::<T, usize>(index)
            .ok_or_else(|| DbError::new(format!("the log table has no column {index}")))?
            .map_err(|error| DbError::new(format!("cannot read the log table: {error}")))
    }
    Ok(RawLogRow {
        id: take(&mut row, 0)?,
        version: take(&mut row, 1)?,
        operation: take(&mut row, 2)?,
        release: take(&mut row, 3)?,
        file: take(&mut row, 4)?,
        checksum: take(&mut row, 5)?,
        started_at: take(&mut row, 6)?,
        finished_at: take(&mut row, 7)?,
        outcome: take(&mut row, 8)?,
        error: take(&mut row, 9)?,
        statement: take(&mut row, 10)?,
        line: take(&mut row, 11)?,
    })
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
            message: error.message,
        },
        other => DbError::new(connect::describe(&other)),
    }
}
