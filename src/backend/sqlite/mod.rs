//! The SQLite backend: the embedded default, through rusqlite's bundled SQLite.
//!
//! The database file is opened only when needed, so a read-only command or a
//! refused change never creates it. Versions are stored as decimal text (an
//! `INTEGER` holds only 64 bits; 20-digit stamps need more). The run lock is
//! an exclusive lock on a file beside the database (see [`lock`]), because
//! SQLite's own write lock cannot outlive the per-file transactions.

mod bookkeeping;
mod catalog;
pub(crate) mod dialect;
pub mod lock;
mod rows;
pub use dialect::SqliteDialect;
mod single_statement;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, InterruptHandle, OpenFlags};

use crate::backend::{Backend, Batch, Create, Dialect, LockOutcome, StatementFailure};
use crate::dump::DumpItem;
use crate::error::{DbError, Error};
use crate::log_table::{HistoryFilter, LogEntry};
use crate::record::{DbState, VersionRecord};
use crate::settings::TableNames;
use crate::split::Statement;
use crate::version::Version;
use crate::version_table::{Literal, insert_statements, quoted};

/// How long a statement waits for another connection's write lock when
/// neither `--lock-timeout` nor the file's directive says.
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) use self::dialect::MAX_BUSY_TIMEOUT;

/// A session with one SQLite database file.
pub struct SqliteBackend {
    path: PathBuf,
    create: Create,
    connection: Option<Connection>,
    /// The connection's interrupt handle once it is open, for the canceller
    /// handed out before (the file is opened only when first needed).
    interrupt: Arc<Mutex<Option<InterruptHandle>>>,
    lock: Option<lock::FileLock>,
    default_timeout: Duration,
    /// The version tables, bound at connect, and their statements.
    tables: TableNames,
    sql: bookkeeping::Sql,
    /// Where the connection goes back to when the application handed it
    /// over ([`SqliteBackend::handed`]), and what to restore on it.
    handed: Option<Handed>,
}

/// A connection an application lent the library: it goes back to `slot`
/// when the session ends, with `foreign_keys` as it was.
struct Handed {
    slot: Arc<Mutex<Option<Connection>>>,
    foreign_keys: bool,
    /// A private in-memory database: no other process can open it, so there
    /// is no file for the run lock; the session holds the only connection.
    in_memory: bool,
}

/// An application's own connection, shared by a [`crate::Migrator`]'s
/// sessions one at a time.
pub(crate) type ConnectionSlot = Arc<Mutex<Option<Connection>>>;

impl SqliteBackend {
    /// Prepares a session keeping its bookkeeping in `tables`; the file is
    /// opened on first use. With
    /// [`Create::Never`], a missing file reads as an empty database and is
    /// never made.
    ///
    /// A folder that does not exist fails every command with exit 1, as an
    /// unreachable server does: read as "no database yet" it would make
    /// `status` report version 0 for a URL that points nowhere.
    pub fn open(path: &Path, create: Create, tables: &TableNames) -> Result<SqliteBackend, Error> {
        if let Some(folder) = path.parent()
            && !folder.as_os_str().is_empty()
            && !folder.is_dir()
        {
            return Err(Error::Database {
                context: format!("cannot open the SQLite database {}", path.display()),
                source: DbError::new(format!(
                    "its folder {} does not exist: create it, or fix the database URL",
                    folder.display()
                )),
            });
        }
        Ok(SqliteBackend {
            path: path.to_path_buf(),
            create,
            connection: None,
            interrupt: Arc::default(),
            lock: None,
            default_timeout: DEFAULT_BUSY_TIMEOUT,
            tables: tables.clone(),
            sql: bookkeeping::Sql::new(tables),
            handed: None,
        })
    }

    /// A session on the application's own connection, taken from `slot`
    /// and put back when the session ends. The session's settings apply to
    /// it meanwhile (`foreign_keys` off, restored after; the busy timeout,
    /// which SQLite cannot report, is left at the session's). A private
    /// in-memory database takes no lock file: nothing else can reach it.
    pub(crate) fn handed(
        slot: &ConnectionSlot,
        tables: &TableNames,
    ) -> Result<SqliteBackend, Error> {
        let in_use = || Error::Usage("the SQLite connection is in use by another session".into());
        let connection = slot
            .lock()
            .map_err(|_| in_use())?
            .take()
            .ok_or_else(in_use)?;
        let path = connection.path().unwrap_or("").to_string();
        let database = |error| Error::Database {
            context: "cannot use the SQLite connection".to_string(),
            source: convert(error),
        };
        let foreign_keys: bool = connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .map_err(database)?;
        let mut backend = SqliteBackend::open(Path::new(&path), Create::IfMissing, tables)?;
        backend.handed = Some(Handed {
            slot: slot.clone(),
            foreign_keys,
            in_memory: path.is_empty(),
        });
        let setup = set_busy_timeout(&connection, backend.default_timeout).and_then(|()| {
            connection
                .execute_batch("PRAGMA foreign_keys = OFF")
                .map_err(convert)
        });
        if let Ok(mut interrupt) = backend.interrupt.lock() {
            *interrupt = Some(connection.get_interrupt_handle());
        }
        backend.connection = Some(connection);
        setup.map_err(|source| Error::Database {
            context: "cannot use the SQLite connection".to_string(),
            source,
        })?;
        Ok(backend)
    }

    /// The connection, opening (and with [`Create::IfMissing`], creating) the file.
    fn connection(&mut self) -> Result<&mut Connection, DbError> {
        if self.connection.is_none() {
            let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if self.create == Create::IfMissing {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            }
            let connection = Connection::open_with_flags(&self.path, flags).map_err(|error| {
                DbError::new(format!("cannot open {}: {error}", self.path.display()))
            })?;
            set_busy_timeout(&connection, self.default_timeout)?;
            // Off for the whole session, as the `sqlite3` shell runs files:
            // the pragma is a no-op inside a transaction, and with it on (the
            // bundled build's default) SQLite's own table-rebuild procedure
            // cascades `DROP TABLE` into child rows. Checked before each
            // commit instead (`check_deferred_constraints`).
            connection
                .execute_batch("PRAGMA foreign_keys = OFF")
                .map_err(convert)?;
            if let Ok(mut interrupt) = self.interrupt.lock() {
                *interrupt = Some(connection.get_interrupt_handle());
            }
            self.connection = Some(connection);
        }
        self.connection
            .as_mut()
            .ok_or_else(|| DbError::new("no connection"))
    }

    /// Waits until no other connection holds the database's write lock, or
    /// until `deadline` (`None`: no deadline) or a signal; whether it is free.
    /// Polled, like the run lock, so a signal ends the wait at once.
    fn wait_for_write_lock(&mut self, deadline: Option<Instant>) -> Result<bool, DbError> {
        let default_timeout = self.default_timeout;
        let connection = self.connection()?;
        // SQLite's own zero: fail at once, so that this loop does the waiting.
        connection.busy_timeout(Duration::ZERO).map_err(convert)?;
        let free = loop {
            match connection.execute_batch("BEGIN IMMEDIATE") {
                Ok(()) => break connection.execute_batch("ROLLBACK").map(|()| true),
                Err(error) if is_busy(&error) => {
                    let expired = deadline.is_some_and(|deadline| Instant::now() >= deadline);
                    if expired || crate::interrupt::requested().is_some() {
                        break Ok(false);
                    }
                    std::thread::sleep(WRITE_LOCK_POLL);
                }
                Err(error) => break Err(error),
            }
        };
        set_busy_timeout(connection, default_timeout)?;
        free.map_err(convert)
    }

    /// The connection (opened as [`SqliteBackend::connection`] does) with
    /// the session's bookkeeping statements.
    fn bookkeeping(&mut self) -> Result<(&Connection, &bookkeeping::Sql), DbError> {
        self.connection()?;
        match &self.connection {
            Some(connection) => Ok((connection, &self.sql)),
            None => Err(DbError::new("no connection")),
        }
    }

    /// Whether there is a database to read: an open connection or an existing file.
    fn exists(&self) -> bool {
        self.connection.is_some() || self.path.exists()
    }
}

impl Drop for SqliteBackend {
    /// Gives a lent connection back, its `foreign_keys` as it was.
    fn drop(&mut self) {
        let (Some(handed), Some(connection)) = (self.handed.take(), self.connection.take()) else {
            return;
        };
        let pragma = match handed.foreign_keys {
            true => "PRAGMA foreign_keys = ON",
            false => "PRAGMA foreign_keys = OFF",
        };
        if let Err(error) = connection.execute_batch(pragma) {
            log::warn!("cannot restore foreign_keys on the SQLite connection: {error}");
        }
        match handed.slot.lock() {
            Ok(mut slot) => *slot = Some(connection),
            Err(poisoned) => *poisoned.into_inner() = Some(connection),
        }
    }
}

impl Backend for SqliteBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &SqliteDialect
    }

    fn lock(&mut self, wait: Duration) -> Result<LockOutcome, DbError> {
        if self.handed.as_ref().is_some_and(|handed| handed.in_memory) {
            return Ok(LockOutcome::Acquired);
        }
        let deadline = Instant::now().checked_add(wait);
        let lock_path = lock::lock_path(&self.path);
        let held = match lock::FileLock::acquire(&lock_path, wait)? {
            Ok(held) => held,
            Err(holder) => return Ok(LockOutcome::TimedOut(holder)),
        };
        // Another program (a `sqlite3` shell in `BEGIN IMMEDIATE`, an
        // application's long write) holding the database's own write lock
        // would stall the first write for the whole busy timeout and end in
        // "database is locked": the run waits for it here, within the same
        // `--lock-wait`, and says what it waited for. A file not created
        // yet has no such lock, and is not created by asking.
        let free = match self.exists() {
            true => self.wait_for_write_lock(deadline),
            false => Ok(true),
        };
        match free {
            Ok(true) => {
                self.lock = Some(held);
                Ok(LockOutcome::Acquired)
            }
            Ok(false) => {
                held.release()?;
                Ok(LockOutcome::DatabaseBusy(format!(
                    "the database file {} is write-locked by another program (an open write \
                     transaction, such as `BEGIN IMMEDIATE` in a sqlite3 shell)",
                    self.path.display()
                )))
            }
            Err(error) => {
                held.release()?;
                Err(error)
            }
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        match self.lock.take() {
            Some(held) => held.release(),
            None => Ok(()),
        }
    }

    fn read_state(&mut self) -> Result<DbState, DbError> {
        if !self.exists() {
            return Ok(DbState::default());
        }
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::read_state(connection, sql)
    }

    fn read_version(&mut self, version: Version) -> Result<Option<VersionRecord>, DbError> {
        if !self.exists() {
            return Ok(None);
        }
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::read_version(connection, sql, version)
    }

    fn read_history(&mut self, filter: &HistoryFilter) -> Result<Vec<LogEntry>, DbError> {
        if !self.exists() {
            return Ok(Vec::new());
        }
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::read_history(connection, sql, filter)
    }

    fn dump_schema(&mut self) -> Result<Vec<DumpItem>, DbError> {
        if !self.exists() {
            return Ok(Vec::new());
        }
        self.connection()?;
        match &self.connection {
            Some(connection) => catalog::read(connection, &self.tables),
            None => Err(DbError::new("no connection")),
        }
    }

    fn dump_data(&mut self) -> Result<crate::squash::data::DataDump, DbError> {
        if !self.exists() {
            return Ok(crate::squash::data::DataDump::default());
        }
        self.connection()?;
        match &self.connection {
            Some(connection) => rows::read(connection, &self.tables),
            None => Err(DbError::new("no connection")),
        }
    }

    fn version_table_sql(&self, state: &DbState) -> String {
        let tables = &self.tables;
        let records: Vec<&VersionRecord> = state.records.values().collect();
        let table = format!("\"{}\"", tables.versions);
        let inserts = insert_statements(&table, &records, &|value| match value {
            Literal::Null => "NULL".to_string(),
            Literal::Text(text) | Literal::Version(text) => quoted(text),
        });
        format!("{}\n{inserts}", self.sql.create())
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        let path = self.path.clone();
        let (connection, sql) = self.bookkeeping()?;
        // SQLite opens a file it may not write read-only without a word, and
        // the first write would then be blamed on a migration's line.
        if connection.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(DbError::new(format!(
                "the database file {} is read-only: give the user running migrate write \
                 access to it (and to its folder, for the journal)",
                path.display()
            )));
        }
        bookkeeping::ensure_tables(connection, sql)
    }

    fn begin(&mut self, lock_timeout: Option<Duration>) -> Result<(), DbError> {
        self.set_lock_timeout(lock_timeout)?;
        // IMMEDIATE takes the write lock now, so the transaction cannot fail
        // later on upgrading a read lock while another writer is active.
        self.connection()?
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(convert)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.connection()?.execute_batch("COMMIT").map_err(convert)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        let connection = self.connection()?;
        if connection.is_autocommit() {
            return Ok(());
        }
        connection.execute_batch("ROLLBACK").map_err(convert)
    }

    fn set_lock_timeout(&mut self, timeout: Option<Duration>) -> Result<(), DbError> {
        let timeout = timeout.unwrap_or(self.default_timeout);
        set_busy_timeout(self.connection()?, timeout)
    }

    fn execute(&mut self, batch: &Batch<'_>) -> Result<(), StatementFailure> {
        let connection = self.connection().map_err(|error| StatementFailure {
            index: 0,
            line: None,
            error,
        })?;
        for (index, statement) in batch.statements().iter().enumerate() {
            single_statement::run_alone(connection, statement)
                .map_err(|failure| StatementFailure { index, ..failure })?;
        }
        Ok(())
    }

    fn canceller(&mut self) -> Option<crate::interrupt::Canceller> {
        let interrupt = Arc::clone(&self.interrupt);
        Some(Box::new(move || {
            if let Ok(handle) = interrupt.lock()
                && let Some(handle) = handle.as_ref()
            {
                handle.interrupt();
            }
        }))
    }

    fn check_deferred_constraints(&mut self) -> Result<(), DbError> {
        let violations = foreign_key_violations(self.connection()?).map_err(convert)?;
        match violations.first() {
            None => Ok(()),
            Some(first) => Err(DbError {
                message: format!(
                    "foreign key violation: {} row(s) break a foreign key, the first in table \
                     {} (rowid {}) referencing {}; PRAGMA foreign_key_check lists them all",
                    violations.len(),
                    first.table,
                    first
                        .rowid
                        .map_or_else(|| "none".to_string(), |rowid| rowid.to_string()),
                    first.parent
                ),
                code: Some("SQLite foreign_key_check".to_string()),
                lock_timeout: false,
                not_accepting_yet: false,
            }),
        }
    }

    fn save_version(&mut self, record: &VersionRecord) -> Result<(), DbError> {
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::save_version(connection, sql, record)
    }

    fn delete_version(&mut self, version: Version) -> Result<(), DbError> {
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::delete_version(connection, sql, version)
    }

    fn insert_log(&mut self, entry: &LogEntry) -> Result<i64, DbError> {
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::insert_log(connection, sql, entry)
    }

    fn finish_log(&mut self, entry: &LogEntry) -> Result<(), DbError> {
        let (connection, sql) = self.bookkeeping()?;
        bookkeeping::finish_log(connection, sql, entry)
    }
}

/// How often a run waiting for another program's write lock tries again.
const WRITE_LOCK_POLL: Duration = Duration::from_millis(50);

/// How often a statement whose lock timeout is off tries again for a lock.
const BUSY_POLL: Duration = Duration::from_millis(20);

/// Sets how long a statement waits for another connection's lock. Zero
/// turns the bound off (SPEC section 5): the statement waits until the lock
/// is free, or a signal stops the run. SQLite's own zero would mean "do not
/// wait at all", so a busy handler that always retries stands in for it. A
/// timeout above SQLite's `int` of milliseconds is capped (preflight has
/// refused it already; this only keeps the driver from panicking).
fn set_busy_timeout(connection: &Connection, timeout: Duration) -> Result<(), DbError> {
    if timeout.is_zero() {
        return connection
            .busy_handler(Some(retry_until_interrupted))
            .map_err(convert);
    }
    connection
        .busy_timeout(timeout.min(MAX_BUSY_TIMEOUT))
        .map_err(convert)
}

/// The busy handler of a lock timeout that is off: retry until a signal.
fn retry_until_interrupted(_attempts: i32) -> bool {
    if crate::interrupt::requested().is_some() {
        return false;
    }
    std::thread::sleep(BUSY_POLL);
    true
}

/// Whether the error is SQLite's "busy" or "locked".
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// One row of `PRAGMA foreign_key_check`.
struct Violation {
    table: String,
    rowid: Option<i64>,
    parent: String,
}

fn foreign_key_violations(connection: &Connection) -> rusqlite::Result<Vec<Violation>> {
    let mut statement = connection.prepare("PRAGMA foreign_key_check")?;
    let rows = statement.query_map([], |row| {
        Ok(Violation {
            table: row.get(0)?,
            rowid: row.get(1)?,
            parent: row.get(2)?,
        })
    })?;
    rows.collect()
}

/// The line of the file where SQLite located a syntax error, when it did.
fn error_line(error: &rusqlite::Error, statement: &Statement) -> Option<usize> {
    match error {
        rusqlite::Error::SqlInputError { offset, .. } => {
            let offset = usize::try_from(*offset).ok()?;
            let before = statement.text.get(..offset)?;
            Some(statement.line + before.matches('\n').count())
        }
        _ => Some(statement.line),
    }
}

/// Turns a rusqlite error into the database's message and code.
pub(crate) fn convert(error: rusqlite::Error) -> DbError {
    let code = error.sqlite_error();
    let lock_timeout = is_busy(&error);
    let message = match &error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    };
    DbError {
        message,
        code: code.map(|code| format!("SQLite error {}", code.extended_code)),
        lock_timeout,
        not_accepting_yet: false,
    }
}

/// Where a SQLite URL points: the file, absolute and, where it exists,
/// canonical, so that two spellings of one file compare equal.
pub(crate) fn place(path: &Path) -> crate::backend::Place {
    crate::backend::Place {
        server: format!("sqlite {}", absolute(path).display()),
        database: None,
    }
}

/// A path made absolute and, where it exists, canonical, so that two
/// spellings of one SQLite file compare equal.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(canonical) = path.canonicalize() {
        return canonical;
    }
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    let parent = parent.map_or_else(|| Path::new(".").canonicalize(), Path::canonicalize);
    match (parent, path.file_name()) {
        (Ok(parent), Some(file)) => parent.join(file),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second connection holds the write lock for a while, then lets go.
    fn hold_write_lock(path: &Path, for_how_long: Duration) -> std::thread::JoinHandle<()> {
        let holder = Connection::open(path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(for_how_long);
            holder.execute_batch("ROLLBACK").unwrap();
        })
    }

    fn backend_on_a_file() -> (tempfile::TempDir, SqliteBackend) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x int)")
            .unwrap();
        let backend = SqliteBackend::open(&path, Create::Never, &TableNames::default()).unwrap();
        (dir, backend)
    }

    #[test]
    fn a_lock_timeout_of_zero_waits_for_the_lock_without_a_bound() {
        let (dir, mut backend) = backend_on_a_file();
        let holder = hold_write_lock(&dir.path().join("app.db"), Duration::from_millis(1500));
        let started = Instant::now();
        // SQLite's own zero would fail at once with "database is locked".
        backend.begin(Some(Duration::ZERO)).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(1400));
        backend.rollback().unwrap();
        holder.join().unwrap();
    }

    #[test]
    fn a_lock_timeout_beyond_sqlites_int_is_capped_not_a_panic() {
        let (_dir, mut backend) = backend_on_a_file();
        backend
            .set_lock_timeout(Some(Duration::from_secs(35_792 * 60)))
            .unwrap();
        backend.set_lock_timeout(Some(Duration::MAX)).unwrap();
    }

    #[test]
    fn the_run_lock_waits_for_another_programs_write_lock_within_the_lock_wait() {
        let (dir, mut backend) = backend_on_a_file();
        let holder = hold_write_lock(&dir.path().join("app.db"), Duration::from_secs(3));
        let started = Instant::now();
        let outcome = backend.lock(Duration::from_millis(300)).unwrap();
        assert!(
            matches!(outcome, LockOutcome::DatabaseBusy(ref what) if what.contains("write-locked"))
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        // The run lock was given back with the refusal.
        assert!(!lock::lock_path(&dir.path().join("app.db")).exists());
        holder.join().unwrap();
        assert_eq!(
            backend.lock(Duration::from_millis(300)).unwrap(),
            LockOutcome::Acquired
        );
        backend.unlock().unwrap();
    }
}
