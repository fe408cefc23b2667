//! The databases the suite runs against, one fresh database per test.
//!
//! Every backend the suite knows is a variant of [`Backend`], and this file
//! is the only place that knows them: test bodies run through
//! [`for_each_backend`] and use only [`TestDb::url`] and the query helpers
//! below, never a backend's own client. SQLite always runs (a file in a
//! private temporary folder). The PostgreSQL and MySQL/MariaDB backends are
//! added here, and only here, when they exist: a new variant, a branch in
//! [`backends`] that enables it when its server URL is set in the
//! environment (dbmate's `testEachURL`), a branch in [`TestDb::new`] that
//! creates a uniquely named database from [`unique_name`] (dropped again in
//! `Drop`), and a branch in each query helper.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

/// A kind of database the suite can run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, through rusqlite: a file in a temporary folder.
    Sqlite,
}

/// The backends to run every test body against: SQLite always.
pub fn backends() -> Vec<Backend> {
    vec![Backend::Sqlite]
}

/// Runs `test` once per backend, each time with a fresh database.
pub fn for_each_backend(test: impl Fn(&TestDb)) {
    for backend in backends() {
        let db = TestDb::new(backend);
        test(&db);
    }
}

/// A name no other test of this run uses, for databases and files.
pub fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "migrate_it_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// One test's own database.
pub struct TestDb {
    backend: Backend,
    url: String,
    /// The SQLite file (not created until the product creates it).
    path: PathBuf,
    dir: TempDir,
}

impl TestDb {
    /// A fresh, empty database of `backend`.
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix(&unique_name())
                    .tempdir()
                    .expect("create a temporary folder");
                // A fixed file name in a private folder keeps snapshots stable.
                let path = dir.path().join("test.db");
                TestDb {
                    backend,
                    url: format!("sqlite:{}", path.display()),
                    path,
                    dir,
                }
            }
        }
    }

    /// A fresh SQLite database, for the tests of SQLite's own behaviour.
    pub fn sqlite() -> TestDb {
        TestDb::new(Backend::Sqlite)
    }

    /// The URL to hand to `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The folder that holds the database file (to mask in snapshots).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite file.
    pub fn sqlite_path(&self) -> &Path {
        assert_eq!(self.backend, Backend::Sqlite, "only SQLite has a file");
        &self.path
    }

    /// Whether the database exists at all (SQLite: whether the file was created).
    pub fn exists(&self) -> bool {
        match self.backend {
            Backend::Sqlite => self.path.exists(),
        }
    }

    fn connect(&self) -> Connection {
        // Never create the file: a test must be able to see that the product did not.
        Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap_or_else(|error| panic!("open {}: {error}", self.path.display()))
    }

    /// Runs a statement, for setting up a scenario outside the tool.
    pub fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let connection = Connection::open(&self.path).expect("open the database");
                connection
                    .execute_batch(sql)
                    .unwrap_or_else(|error| panic!("{sql}: {error}"));
            }
        }
    }

    /// Every row of a query, every value as text (`NULL` for null).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self.backend {
            Backend::Sqlite => {
                let connection = self.connect();
                let mut statement = connection
                    .prepare(sql)
                    .unwrap_or_else(|error| panic!("{sql}: {error}"));
                let columns = statement.column_count();
                let mut rows = statement.query([]).expect("run the query");
                let mut result = Vec::new();
                while let Some(row) = rows.next().expect("read a row") {
                    let values = (0..columns)
                        .map(|index| text(row.get_ref(index).expect("read a value")))
                        .collect();
                    result.push(values);
                }
                result
            }
        }
    }

    /// The single integer a query returns.
    #[track_caller]
    pub fn scalar(&self, sql: &str) -> i64 {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql} returned {rows:?}");
        rows[0][0]
            .parse()
            .unwrap_or_else(|_| panic!("{sql} returned {rows:?}, not an integer"))
    }

    /// Whether a table (or view) of that name exists.
    pub fn table_exists(&self, name: &str) -> bool {
        if !self.exists() {
            return false;
        }
        match self.backend {
            Backend::Sqlite => {
                let connection = self.connect();
                connection
                    .query_row(
                        "SELECT count(*) FROM sqlite_schema WHERE name = ?1 AND type IN ('table', 'view')",
                        [name],
                        |row| row.get::<_, i64>(0),
                    )
                    .expect("read the catalog")
                    > 0
            }
        }
    }

    /// Every table of the database, sorted.
    pub fn tables(&self) -> Vec<String> {
        if !self.exists() {
            return Vec::new();
        }
        match self.backend {
            Backend::Sqlite => self
                .rows(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .into_iter()
                .map(|mut row| row.remove(0))
                .collect(),
        }
    }

    /// `(version, state)` of every row of `db_version`, ascending; empty when
    /// the table does not exist.
    pub fn versions(&self) -> Vec<(String, String)> {
        if !self.table_exists("db_version") {
            return Vec::new();
        }
        let mut rows: Vec<(String, String)> = self
            .rows("SELECT version, state FROM db_version")
            .into_iter()
            .map(|row| (row[0].clone(), row[1].clone()))
            .collect();
        // Versions are compared as numbers, whatever type the backend stores them in.
        rows.sort_by_key(|(version, _)| version.parse::<u128>().expect("a numeric version"));
        rows
    }

    /// Takes the database's write lock from outside the tool, as a long
    /// transaction of the application would, until the guard is dropped.
    pub fn hold_write_lock(&self) -> WriteLock {
        match self.backend {
            Backend::Sqlite => {
                let connection = self.connect();
                connection
                    .execute_batch("BEGIN IMMEDIATE")
                    .expect("take the write lock");
                WriteLock { connection }
            }
        }
    }

    /// Everything that identifies the database's content, to prove that a
    /// command changed nothing: for SQLite the file's bytes, or its absence.
    pub fn footprint(&self) -> Footprint {
        match self.backend {
            Backend::Sqlite => Footprint(std::fs::read(&self.path).ok()),
        }
    }

    /// Waits until a run holds the run lock (SQLite: its lock file exists).
    #[track_caller]
    pub fn wait_for_run_lock(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        match self.backend {
            Backend::Sqlite => {
                let lock = self.lock_file();
                while !lock.exists() {
                    assert!(Instant::now() < deadline, "no run took the lock in 20 s");
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }

    /// SQLite's run lock file, `<db>.migrate-lock`.
    pub fn lock_file(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".migrate-lock");
        PathBuf::from(name)
    }

    /// A statement that keeps the database busy for a few seconds (about 3 s
    /// in a debug build on one idle core).
    pub fn slow_statement(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) \
                 SELECT count(*) FROM c;"
            }
        }
    }
}

/// A write lock held by the test; released (rolled back) when dropped.
pub struct WriteLock {
    connection: Connection,
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.connection.execute_batch("ROLLBACK");
    }
}

fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(number) => number.to_string(),
        ValueRef::Real(number) => number.to_string(),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes).into(),
    }
}

/// The content of a database at one moment; equal footprints mean nothing changed.
#[derive(PartialEq, Eq)]
pub struct Footprint(Option<Vec<u8>>);

impl fmt::Debug for Footprint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::hash::{DefaultHasher, Hash, Hasher};
        match &self.0 {
            None => formatter.write_str("absent"),
            Some(bytes) => {
                let mut hasher = DefaultHasher::new();
                bytes.hash(&mut hasher);
                write!(
                    formatter,
                    "{} bytes, hash {:016x}",
                    bytes.len(),
                    hasher.finish()
                )
            }
        }
    }
}
