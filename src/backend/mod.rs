//! What differs between databases: the [`Backend`] session trait, each
//! database's module, and [`connect`], which picks a backend by the URL's
//! scheme. (The [`Dialect`] capability questions live in `dialect.rs`, so
//! the pure planning code can ask them without this folder.)
//!
//! Policy stays out of here: what to run, in which order, when to wrap a file
//! in a transaction and how a non-atomic file records its progress are the
//! executor's (`execute.rs`). A backend only knows how its database does each
//! of those things. The bookkeeping tables' columns and rows are not here
//! either: `version_table.rs` and `log_table.rs` own them, and a backend
//! only says, in its `bookkeeping.rs`, how its SQL creates, selects and
//! binds them.

// Each backend's session code comes with its feature (and its driver);
// its dialect, the pure rules lint, the splitter and preflight ask, is
// always built: without the feature, only `dialect.rs` of its folder is.
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(not(feature = "mysql"))]
pub mod mysql {
    //! MySQL's dialect alone: the `mysql` feature is off.
    pub(crate) mod dialect;
    pub use self::dialect::MysqlDialect;
}
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(not(feature = "postgres"))]
pub mod postgres {
    //! PostgreSQL's dialect alone: the `postgres` feature is off.
    pub(crate) mod dialect;
    pub use self::dialect::PostgresDialect;
}
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(not(feature = "sqlite"))]
pub mod sqlite {
    //! SQLite's dialect alone: the `sqlite` feature is off.
    pub(crate) mod dialect;
    pub use self::dialect::SqliteDialect;
}

use std::time::Duration;

pub use crate::dialect::{Dialect, TransactionBoundary};
use crate::dump::{DumpItem, Scope};
use crate::error::{DbError, Error};
use crate::log_table::{HistoryFilter, LogEntry};
use crate::record::DbState;
use crate::record::VersionRecord;
use crate::settings::{DatabaseUrl, Kind, LockMode, RunLock, TableNames};
use crate::split::Statement;
use crate::version::Version;

/// Statements to run together, in the mode the executor chose: a whole
/// file, or one statement of a file run statement by statement.
#[derive(Debug, Clone, Copy)]
pub enum Batch<'a> {
    /// A whole file (an atomic file in its transaction, a file `load` runs,
    /// or a non-atomic file of one statement), as written: `text` is the
    /// file's text, starting at line 1, and `statements` are its statements.
    WholeFile {
        /// The file's text.
        text: &'a str,
        /// The statements of `text`, in order.
        statements: &'a [Statement],
    },
    /// One statement of a non-atomic file, alone.
    Statement(&'a Statement),
}

impl<'a> Batch<'a> {
    /// The text to send, for backends that send a batch in one message.
    pub fn text(&self) -> &'a str {
        match self {
            Batch::WholeFile { text, .. } => text,
            Batch::Statement(statement) => &statement.text,
        }
    }

    /// The line of the file where [`Batch::text`] starts.
    pub fn line(&self) -> usize {
        match self {
            Batch::WholeFile { .. } => 1,
            Batch::Statement(statement) => statement.line,
        }
    }

    /// The statements of the batch, for backends that run them one by one.
    pub fn statements(&self) -> &'a [Statement] {
        match self {
            Batch::WholeFile { statements, .. } => statements,
            Batch::Statement(statement) => std::slice::from_ref(*statement),
        }
    }

    /// The line of the file at a byte offset of [`Batch::text`].
    pub fn line_at(&self, offset: usize) -> usize {
        let text = self.text();
        let before = text.get(..offset).unwrap_or(text);
        self.line() + before.matches('\n').count()
    }
}

/// Why a statement of a batch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFailure {
    /// Index of the failing statement in the batch.
    pub index: usize,
    /// 1-based line in the file, when the database tells where in the statement.
    pub line: Option<usize>,
    /// What the database said.
    pub error: DbError,
}

/// How the run lock attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// This run holds the lock.
    Acquired,
    /// The wait ran out; who holds it, where the database can tell.
    TimedOut(Option<String>),
    /// The wait ran out on a lock that another program (not a migrate run)
    /// holds on the database itself, named in the text (SQLite's write lock).
    DatabaseBusy(String),
}

/// A session with one database: its dialect, lock, transactions and bookkeeping SQL.
///
/// The session's settings are bound once, by [`connect`]: the version and
/// log tables it keeps its bookkeeping in are the ones it was opened with,
/// so no method takes them.
///
/// Methods are called by the executor in the order the SPEC's policy needs;
/// a backend never decides what to run.
pub trait Backend {
    /// The dialect's capabilities.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Takes the database-wide run lock for the session's version table,
    /// waiting up to `wait`.
    fn lock(&mut self, wait: Duration) -> Result<LockOutcome, DbError>;

    /// Releases the run lock.
    fn unlock(&mut self) -> Result<(), DbError>;

    /// Reads the whole version table with one query; an empty state when the
    /// tables do not exist. Never creates anything.
    fn read_state(&mut self) -> Result<DbState, DbError>;

    /// Reads one version's row (`None` when it has none): the recheck before
    /// each file where the run lock can be bypassed, which must not cost a
    /// read of the whole table per file. By default, the whole table.
    fn read_version(&mut self, version: Version) -> Result<Option<VersionRecord>, DbError> {
        Ok(self.read_state()?.records.remove(&version))
    }

    /// Reads the operation log (the session's log table) with one query, newest first
    /// (highest id first), keeping the entries `filter` selects: the filters
    /// are applied in SQL with their values bound, the limit included. Times
    /// come back as RFC 3339 UTC text and the version as decimal text, as in
    /// [`Backend::read_state`]. An empty history when the log table does not
    /// exist; never creates anything.
    fn read_history(&mut self, filter: &HistoryFilter) -> Result<Vec<LogEntry>, DbError>;

    /// Creates the version tables if they do not exist.
    fn ensure_tables(&mut self) -> Result<(), DbError>;

    /// Creates the namespace the session's unqualified names go to when it
    /// does not exist (PostgreSQL: the URL's `search_path` schema), so that
    /// `load` can run a schema file there. Nothing to do by default.
    fn ensure_schema(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    /// Opens a transaction. `lock_timeout` bounds how long opening it and
    /// its statements may wait for locks (`None`: the default): for an
    /// atomic file, this is the one call that gives the file its timeout.
    fn begin(&mut self, lock_timeout: Option<Duration>) -> Result<(), DbError>;

    /// Commits the open transaction.
    fn commit(&mut self) -> Result<(), DbError>;

    /// Rolls back the open transaction.
    fn rollback(&mut self) -> Result<(), DbError>;

    /// Bounds how long each following statement may wait for a lock; `None`
    /// restores the default. For what no [`Backend::begin`] of its own
    /// bounds: each statement of a non-atomic file (outside a transaction,
    /// for the session), and each file of a `--single-transaction` run
    /// (inside the open transaction, until it ends).
    fn set_lock_timeout(&mut self, timeout: Option<Duration>) -> Result<(), DbError>;

    /// Runs a batch of statements in order, stopping at the first failure.
    fn execute(&mut self, batch: &Batch<'_>) -> Result<(), StatementFailure>;

    /// A way to cancel, from another thread, the statement this session is
    /// running (SIGINT and SIGTERM, SPEC section 5); `None` where there is none.
    fn canceller(&mut self) -> Option<crate::interrupt::Canceller> {
        None
    }

    /// Whether the last [`Backend::rollback`] left writes it could not undo:
    /// MySQL tables without transactions (MyISAM, Aria; warning 1196) keep
    /// their rows through a `ROLLBACK`, so such a file was not atomic.
    fn rollback_was_partial(&mut self) -> bool {
        false
    }

    /// Checks what the database did not enforce while a file ran, before
    /// the file's changes are recorded as applied: SQLite runs files with
    /// foreign keys off (SPEC section 5) and checks them here. An error
    /// names the violation; the caller fails the file.
    fn check_deferred_constraints(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    /// Inserts or replaces a version's row.
    fn save_version(&mut self, record: &VersionRecord) -> Result<(), DbError>;

    /// Deletes a version's row (its add was rolled back).
    fn delete_version(&mut self, version: Version) -> Result<(), DbError>;

    /// Appends a log row and returns its id.
    fn insert_log(&mut self, entry: &LogEntry) -> Result<i64, DbError>;

    /// Completes a log row written before a non-atomic file ran.
    fn finish_log(&mut self, entry: &LogEntry) -> Result<(), DbError>;

    /// The SQL that recreates the version tables with `state`'s rows (for
    /// `schema/schema.sql`), loadable into another database of the same kind.
    fn version_table_sql(&self, state: &DbState) -> String;

    /// Reads the live schema from the catalog as dump items, leaving out the
    /// version tables (SPEC section 7). Read-only; an empty database (or a
    /// missing SQLite file) has no items.
    fn dump_schema(&mut self) -> Result<Vec<DumpItem>, DbError>;

    /// The rows of every table of [`Backend::dump_schema`]'s schema that
    /// holds any, each value a literal of the dialect that reads back to
    /// the same value, in a stable order; for a checkpoint's data part
    /// (`squash`, SPEC section 10). Read-only.
    fn dump_data(&mut self) -> Result<crate::squash::data::DataDump, DbError> {
        Err(DbError::new(format!(
            "squash cannot read the rows of a {} database",
            self.dialect().name()
        )))
    }

    /// [`Backend::dump_schema`] of the schemas `scope` names. The default
    /// serves databases without schemas: only [`Scope::Default`].
    fn dump_schemas(&mut self, scope: &Scope) -> Result<Vec<DumpItem>, DbError> {
        match scope {
            Scope::Default => self.dump_schema(),
            _ => Err(DbError::new(format!(
                "--schema and --all-schemas are for PostgreSQL; a {} database is dumped whole",
                self.dialect().name()
            ))),
        }
    }

    /// The bookkeeping of one change, inside the caller's transaction: saves
    /// the version's row (deletes it when `row` is `None`) and inserts the log
    /// row, or completes it when `log.id` is set. A backend whose database is
    /// across a network overrides this to do it in one round trip.
    fn record(
        &mut self,
        version: Version,
        row: Option<&VersionRecord>,
        log: &LogEntry,
    ) -> Result<(), DbError> {
        match row {
            Some(row) => self.save_version(row)?,
            None => self.delete_version(version)?,
        }
        match log.id {
            Some(_) => self.finish_log(log),
            None => self.insert_log(log).map(|_| ()),
        }
    }
}

/// Runs one statement of the tool's own (creating or dropping a scratch
/// database, a probe), outside any file.
pub(crate) fn run_own_statement(backend: &mut dyn Backend, sql: &str) -> Result<(), DbError> {
    let statement = Statement {
        text: sql.to_string(),
        line: 1,
        offset: 0,
    };
    backend
        .execute(&Batch::Statement(&statement))
        .map_err(|failure| failure.error)
}

/// Whether opening a database may create it: only an embedded SQLite file
/// can be missing, and only a command that changes the database makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// A missing SQLite file is created on first use (changing commands).
    IfMissing,
    /// A missing SQLite file reads as an empty database and is never made
    /// (`status`, `log`, `--dry-run`, a refused change).
    Never,
}

/// Where a URL points, as its driver reads it: the server (with, on
/// PostgreSQL, the schema of `search_path`) and the database on it, for
/// telling two URLs of one database apart (`check`'s scratch database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The server, or the SQLite file, in the driver's terms.
    pub server: String,
    /// The database on the server; `None` for SQLite.
    pub database: Option<String>,
}

/// Where `url` points; an error names the part of the URL at fault.
pub(crate) fn place(url: &DatabaseUrl) -> Result<Place, String> {
    match url.kind() {
        #[cfg(feature = "sqlite")]
        Kind::Sqlite(path) => Ok(sqlite::place(path)),
        #[cfg(feature = "postgres")]
        Kind::Postgres => postgres::connect::place(url.expose()),
        #[cfg(feature = "mysql")]
        Kind::Mysql => mysql::connect::place(url.expose()),
        #[allow(unreachable_patterns)]
        kind => Err(missing_feature(kind)),
    }
}

/// The error for a URL whose backend this build left out: it names the
/// Cargo feature that brings it in.
#[allow(dead_code)]
fn missing_feature(kind: &Kind) -> String {
    let (database, feature) = match kind {
        Kind::Sqlite(_) => ("SQLite", "sqlite"),
        Kind::Postgres => ("PostgreSQL", "postgres"),
        Kind::Mysql => ("MySQL", "mysql"),
    };
    format!(
        "this build of migrate has no {database} backend: turn on the `{feature}` Cargo \
         feature of the `migrate` crate"
    )
}

/// Opens a session for `url`; `create` says whether a missing embedded
/// database file may be made. The session keeps its bookkeeping in `tables`
/// for its whole life: every bookkeeping method of [`Backend`] works on them.
///
/// `lock` says how the run lock is taken: a lease row (`--lock-mode
/// table`) is PostgreSQL's alone, and asking another database for it is a
/// usage error.
pub fn connect(
    url: &DatabaseUrl,
    create: Create,
    tables: &TableNames,
    lock: &RunLock,
) -> Result<Box<dyn Backend>, Error> {
    if lock.mode == LockMode::Table && url.kind() != &Kind::Postgres {
        return Err(Error::Usage(
            "--lock-mode table (a lease row for poolers such as PgBouncer) is for PostgreSQL \
             only: use --lock-mode advisory, the database's own lock"
                .to_string(),
        ));
    }
    match url.kind() {
        #[cfg(feature = "sqlite")]
        Kind::Sqlite(path) => Ok(Box::new(sqlite::SqliteBackend::open(path, create, tables)?)),
        #[cfg(feature = "postgres")]
        Kind::Postgres => Ok(Box::new(postgres::PostgresBackend::connect(
            url, tables, lock,
        )?)),
        #[cfg(feature = "mysql")]
        Kind::Mysql => Ok(Box::new(mysql::MysqlBackend::connect(url, tables)?)),
        #[allow(unreachable_patterns)]
        kind => {
            let _ = (create, tables);
            Err(Error::Usage(missing_feature(kind)))
        }
    }
}

#[cfg(test)]
mod feature_tests {
    use super::*;

    /// A URL for a backend the build left out names the feature to turn on.
    #[test]
    fn a_missing_backend_names_its_feature() {
        let message = missing_feature(&Kind::Mysql);
        assert!(message.contains("no MySQL backend"), "{message}");
        assert!(message.contains("`mysql` Cargo feature"), "{message}");
        let message = missing_feature(&Kind::Postgres);
        assert!(message.contains("`postgres` Cargo feature"), "{message}");
    }
}
