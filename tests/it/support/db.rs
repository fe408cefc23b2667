//! The databases the suite runs against, one fresh database per test.
//!
//! Every backend the suite knows is a variant of [`Backend`], and this file
//! is the only place that knows them: test bodies run through
//! [`for_each_backend`] and use only [`TestDb::url`] and the query helpers
//! below, never a backend's own client. SQLite always runs (a file in a
//! private temporary folder). PostgreSQL runs when
//! `MIGRATE_TEST_POSTGRES_URL` is set (each test gets a fresh schema in that
//! URL's database, handed to the product as `search_path=SCHEMA`), and
//! MySQL/MariaDB when `MIGRATE_TEST_MYSQL_URL` is set (each test gets a
//! fresh database on that server), as dbmate's `testEachURL` does. Both are
//! dropped again when the test's [`TestDb`] is dropped. A server whose URL is
//! not set is skipped with one loud warning per run, and is a failure when
//! `CI=true`, so that a CI job cannot pass by testing nothing.
//!
//! Every value a query helper returns is text (`NULL` for null), so that
//! assertions read the same on every backend.
//!
//! PostgreSQL has more than one server target (issue 20), chosen for a
//! whole run by `MIGRATE_TEST_POSTGRES_TARGET` ([`PostgresTarget`]): the
//! server of `MIGRATE_TEST_POSTGRES_URL` (`direct`, the default); the same
//! server through PgBouncer in transaction pooling mode at
//! `MIGRATE_TEST_PGBOUNCER_URL` (`pgbouncer`: each test gets a database
//! of its own, created and dropped on the server directly, and the product
//! talks through the pooler); or another server version at
//! `MIGRATE_TEST_POSTGRES18_URL` (`postgres18`). A run for a target other
//! than `direct` runs the PostgreSQL bodies only: the other backends were
//! covered by the direct run.

mod mysql_server;
mod postgres_server;
mod sqlite_file;
mod url;

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use rusqlite::Connection;
use tempfile::TempDir;

use self::mysql_server::MysqlServer;
use self::postgres_server::PostgresServer;
use self::sqlite_file::SqliteFile;
pub use self::url::{
    url_address, url_with_database, url_with_host, url_with_param, url_with_port, url_with_user,
};

/// A kind of database the suite can run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, through rusqlite: a file in a temporary folder.
    Sqlite,
    /// PostgreSQL, through the `postgres` crate: a schema of its own.
    Postgres,
    /// MySQL or MariaDB, through the `mysql` crate: a database of its own.
    Mysql,
}

impl Backend {
    /// A short lower-case name, for snapshot suffixes and messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// Whether a file of DDL runs in a transaction and so leaves no trace
    /// when it fails (MySQL commits implicitly around each DDL statement).
    pub fn has_transactional_ddl(self) -> bool {
        self != Backend::Mysql
    }

    /// Whether `--single-transaction` is possible (not on MySQL: SPEC 8).
    pub fn supports_single_transaction(self) -> bool {
        self != Backend::Mysql
    }

    /// The environment variable with the server's URL.
    fn url_variable(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("MIGRATE_TEST_POSTGRES_URL"),
            Backend::Mysql => Some("MIGRATE_TEST_MYSQL_URL"),
        }
    }

    /// The database's own name, for messages.
    fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL/MariaDB",
        }
    }
}

/// Which PostgreSQL server the PostgreSQL bodies of this run talk to
/// (`MIGRATE_TEST_POSTGRES_TARGET`, see the module's header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostgresTarget {
    /// `MIGRATE_TEST_POSTGRES_URL` (the default).
    Direct,
    /// `MIGRATE_TEST_PGBOUNCER_URL` in front of `MIGRATE_TEST_POSTGRES_URL`.
    PgBouncer,
    /// `MIGRATE_TEST_POSTGRES18_URL`.
    Postgres18,
}

impl PostgresTarget {
    /// This run's target; an unknown value is a panic that names it.
    pub fn current() -> PostgresTarget {
        match std::env::var("MIGRATE_TEST_POSTGRES_TARGET").as_deref() {
            Err(_) | Ok("") | Ok("direct") => PostgresTarget::Direct,
            Ok("pgbouncer") => PostgresTarget::PgBouncer,
            Ok("postgres18") => PostgresTarget::Postgres18,
            Ok(other) => panic!(
                "MIGRATE_TEST_POSTGRES_TARGET={other} is not direct, pgbouncer or postgres18"
            ),
        }
    }
}

/// The URL in `variable`, which this run needs: a panic naming it when it
/// is not set.
#[track_caller]
fn required_url(variable: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| panic!("{variable} is not set; MIGRATE_TEST_POSTGRES_TARGET needs it"))
}

/// An extra server target's URL (`MIGRATE_TEST_PGBOUNCER_URL`,
/// `MIGRATE_TEST_POSTGRES18_URL`) for the tests written for it, or `None`
/// after a warning once per variable; a panic instead when `CI=true`.
pub fn extra_server_url(variable: &'static str) -> Option<String> {
    static WARNED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    if let Some(url) = std::env::var(variable).ok().filter(|url| !url.is_empty()) {
        return Some(url);
    }
    let message = format!("{variable} is not set: the tests that need it are SKIPPED");
    let in_ci = std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true"));
    assert!(!in_ci, "CI=true and {message}; set it to run them");
    let mut warned = lock(&WARNED);
    if !warned.contains(&variable) {
        warned.push(variable);
        let banner = format!("\n*****\nwarning: {message}\n*****\n\n");
        let _ = std::io::stderr().write_all(banner.as_bytes());
    }
    None
}

/// The server URL of `backend` from the environment, or `None` after a
/// warning printed once per run; a panic instead when `CI=true`.
fn server_url(backend: Backend) -> Option<String> {
    match (backend, PostgresTarget::current()) {
        (_, PostgresTarget::Direct) => {}
        (Backend::Postgres, PostgresTarget::PgBouncer) => {
            return Some(required_url("MIGRATE_TEST_POSTGRES_URL"));
        }
        (Backend::Postgres, PostgresTarget::Postgres18) => {
            return Some(required_url("MIGRATE_TEST_POSTGRES18_URL"));
        }
        // A run for another PostgreSQL target runs PostgreSQL alone.
        (_, _) => return None,
    }
    static POSTGRES_WARNING: Once = Once::new();
    static MYSQL_WARNING: Once = Once::new();
    let variable = backend.url_variable()?;
    if let Some(url) = std::env::var(variable).ok().filter(|url| !url.is_empty()) {
        return Some(url);
    }
    let message = format!(
        "{variable} is not set: {} tests are SKIPPED",
        backend.title()
    );
    let in_ci = std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true"));
    assert!(!in_ci, "CI=true and {message}; set it to run them");
    let once = match backend {
        Backend::Postgres => &POSTGRES_WARNING,
        _ => &MYSQL_WARNING,
    };
    once.call_once(|| {
        // Straight to the file descriptor: the test harness captures eprintln!.
        let banner = format!("\n*****\nwarning: {message}\n*****\n\n");
        let _ = std::io::stderr().write_all(banner.as_bytes());
    });
    None
}

/// The backends to run every test body against: SQLite always, PostgreSQL
/// and MySQL when their URLs are set.
pub fn backends() -> Vec<Backend> {
    let direct = PostgresTarget::current() == PostgresTarget::Direct;
    [Backend::Sqlite, Backend::Postgres, Backend::Mysql]
        .into_iter()
        .filter(|backend| match backend {
            Backend::Sqlite => direct,
            _ => server_url(*backend).is_some(),
        })
        .collect()
}

/// Runs `test` once per backend, each time with a fresh database.
pub fn for_each_backend(test: impl Fn(&TestDb)) {
    for_each_backend_where(|_| true, test);
}

/// Runs `test` once per backend that `applies` accepts, each time with a
/// fresh database: for promises the SPEC makes only for some databases,
/// e.g. `for_each_backend_where(Backend::has_transactional_ddl, ...)`.
///
/// A body that fails says which backend it ran on: the panic is caught,
/// named, and raised again (the database is dropped on the way).
pub fn for_each_backend_where(applies: impl Fn(Backend) -> bool, test: impl Fn(&TestDb)) {
    for backend in backends().into_iter().filter(|backend| applies(*backend)) {
        let db = TestDb::new(backend);
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&db)));
        if let Err(panic) = ran {
            eprintln!("--- the test failed on {}", backend.title());
            std::panic::resume_unwind(panic);
        }
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

/// The test's side of its database.
enum Store {
    /// A file in the test's folder.
    Sqlite(SqliteFile),
    /// A schema of the test's own.
    Postgres(Box<PostgresServer>),
    /// A database of the test's own.
    Mysql(MysqlServer),
}

/// One test's own database.
pub struct TestDb {
    backend: Backend,
    url: String,
    /// The database's (PostgreSQL: the schema's) unique name.
    name: String,
    dir: TempDir,
    store: Store,
}

impl TestDb {
    /// A fresh, empty database of `backend`, which must be enabled.
    pub fn new(backend: Backend) -> TestDb {
        let name = unique_name();
        let dir = tempfile::Builder::new()
            .prefix(&name)
            .tempdir()
            .expect("create a temporary folder");
        let server_url =
            || server_url(backend).unwrap_or_else(|| panic!("{} is not enabled", backend.title()));
        let (url, store) = match backend {
            Backend::Sqlite => {
                let file = SqliteFile::in_folder(dir.path());
                (
                    format!("sqlite:{}", file.path().display()),
                    Store::Sqlite(file),
                )
            }
            Backend::Postgres if PostgresTarget::current() == PostgresTarget::PgBouncer => {
                let server_url = server_url();
                let store = PostgresServer::create_database(&server_url, &name);
                let bouncer = required_url("MIGRATE_TEST_PGBOUNCER_URL");
                (
                    url_with_param(&url_with_database(&bouncer, &name), "search_path", &name),
                    Store::Postgres(Box::new(store)),
                )
            }
            Backend::Postgres => {
                let server_url = server_url();
                (
                    url_with_param(&server_url, "search_path", &name),
                    Store::Postgres(Box::new(PostgresServer::create(&server_url, &name))),
                )
            }
            Backend::Mysql => {
                let server_url = server_url();
                (
                    url_with_database(&server_url, &name),
                    Store::Mysql(MysqlServer::create(&server_url, &name)),
                )
            }
        };
        TestDb {
            backend,
            url,
            name,
            dir,
            store,
        }
    }

    /// A fresh SQLite database, for the tests of SQLite's own behaviour.
    pub fn sqlite() -> TestDb {
        TestDb::new(Backend::Sqlite)
    }

    /// A fresh PostgreSQL schema, or `None` (after the warning) when
    /// `MIGRATE_TEST_POSTGRES_URL` is not set: for PostgreSQL's own promises.
    pub fn postgres() -> Option<TestDb> {
        server_url(Backend::Postgres).map(|_| TestDb::new(Backend::Postgres))
    }

    /// A fresh PostgreSQL schema on the server at `server_url` (an extra
    /// target's, see [`extra_server_url`]), handed to the product as
    /// `product_url` with `search_path=SCHEMA`: a pooler's URL in front of
    /// that server, or the same URL.
    pub fn postgres_at(server_url: &str, product_url: &str) -> TestDb {
        let name = unique_name();
        let dir = tempfile::Builder::new()
            .prefix(&name)
            .tempdir()
            .expect("create a temporary folder");
        let store = PostgresServer::create(server_url, &name);
        TestDb {
            backend: Backend::Postgres,
            url: url_with_param(product_url, "search_path", &name),
            name,
            dir,
            store: Store::Postgres(Box::new(store)),
        }
    }

    /// Whether the server has ICU collations (a build without ICU refuses
    /// `provider = icu`): initdb imports ICU's locales as `*-x-icu`.
    pub fn has_icu(&self) -> bool {
        self.backend == Backend::Postgres
            && self.scalar("SELECT count(*) FROM pg_collation WHERE collname LIKE '%-x-icu'") > 0
    }

    /// Whether the server can compress with lz4 (a build without it
    /// refuses `COMPRESSION lz4`).
    pub fn has_lz4(&self) -> bool {
        self.backend == Backend::Postgres
            && self.scalar(
                "SELECT count(*) FROM pg_settings \
                 WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)",
            ) > 0
    }

    /// The lease holder of `--lock-mode table`, if a run holds one.
    pub fn lease_holder(&self) -> Option<String> {
        match &self.store {
            Store::Postgres(server) => server.lease_holder(),
            _ => None,
        }
    }

    /// A fresh MySQL/MariaDB database, or `None` (after the warning) when
    /// `MIGRATE_TEST_MYSQL_URL` is not set: for MySQL's own promises.
    pub fn mysql() -> Option<TestDb> {
        server_url(Backend::Mysql).map(|_| TestDb::new(Backend::Mysql))
    }

    /// The URL to hand to `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The unique name of the test's database (PostgreSQL: its schema), to
    /// mask in snapshots.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A private folder of the test (SQLite: the one that holds the file).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite file.
    pub fn sqlite_path(&self) -> &Path {
        match &self.store {
            Store::Sqlite(file) => file.path(),
            _ => panic!("only SQLite has a file"),
        }
    }

    /// Whether the product created anything: SQLite, whether the file
    /// exists; a server, whether the test's schema or database holds a table
    /// (it is created empty by the test itself).
    pub fn exists(&self) -> bool {
        match &self.store {
            Store::Sqlite(file) => file.exists(),
            _ => !self.tables().is_empty(),
        }
    }

    /// Runs statements (several may be separated by `;`), for setting up a
    /// scenario outside the tool.
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        match &self.store {
            Store::Sqlite(file) => file.execute(sql),
            Store::Postgres(server) => server.execute(sql),
            Store::Mysql(server) => server.execute(sql),
        }
    }

    /// Every row of a query, every value as text (`NULL` for null).
    #[track_caller]
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.store {
            Store::Sqlite(file) => file.rows(sql),
            Store::Postgres(server) => server.rows(sql),
            Store::Mysql(server) => server.rows(sql),
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
        match &self.store {
            Store::Sqlite(file) => file.table_exists(name),
            Store::Postgres(server) => server.table_exists(name),
            Store::Mysql(server) => server.table_exists(name),
        }
    }

    /// Every table of the database, sorted.
    pub fn tables(&self) -> Vec<String> {
        let mut tables = match &self.store {
            Store::Sqlite(file) => file.tables(),
            Store::Postgres(server) => server.tables(),
            Store::Mysql(server) => server.tables(),
        };
        tables.sort();
        tables
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

    /// Keeps everyone else from writing `table` until the guard is dropped,
    /// as a long transaction of the application would: SQLite takes the
    /// whole database's write lock (`BEGIN IMMEDIATE`), PostgreSQL an
    /// `ACCESS EXCLUSIVE` lock in an open transaction, MySQL `LOCK TABLES
    /// table WRITE`, each on a connection of its own.
    pub fn lock_table(&self, table: &str) -> TableLock {
        match &self.store {
            Store::Sqlite(file) => TableLock::Sqlite(file.lock()),
            Store::Postgres(server) => TableLock::Postgres(server.lock_table(table)),
            Store::Mysql(server) => TableLock::Mysql(server.lock_table(table)),
        }
    }

    /// Everything that identifies the database's content, to prove that a
    /// command changed nothing: for SQLite the file's bytes, or its absence;
    /// for a server every table with all its rows.
    pub fn footprint(&self) -> Footprint {
        let quote = match &self.store {
            Store::Sqlite(file) => return Footprint::File(std::fs::read(file.path()).ok()),
            Store::Postgres(_) => '"',
            Store::Mysql(_) => '`',
        };
        let tables = self
            .tables()
            .into_iter()
            .map(|table| {
                let mut rows = self.rows(&format!("SELECT * FROM {quote}{table}{quote}"));
                rows.sort();
                (table, rows)
            })
            .collect();
        Footprint::Tables(tables)
    }

    /// Who holds the run lock, if anyone: SQLite, whether the lock file
    /// exists (`Some("")`); PostgreSQL, the backend pid of the session
    /// holding the advisory lock; MySQL, the connection id holding the
    /// `GET_LOCK`. The keys are the product's, for the default table.
    pub fn run_lock_holder(&self) -> Option<String> {
        match &self.store {
            Store::Sqlite(file) => file.lock_file().exists().then(String::new),
            Store::Postgres(server) => server.run_lock_holder(),
            Store::Mysql(server) => server.run_lock_holder(),
        }
    }

    /// Waits until a run holds the run lock.
    #[track_caller]
    pub fn wait_for_run_lock(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.run_lock_holder().is_none() {
            assert!(Instant::now() < deadline, "no run took the lock in 20 s");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until no session holds the run lock: on a server, a killed
    /// run's session lives on until the server notices that its client is
    /// gone (at the latest when its statement ends). SQLite's lock goes
    /// with the process.
    #[track_caller]
    pub fn wait_until_run_lock_is_free(&self) {
        if self.backend == Backend::Sqlite {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(holder) = self.run_lock_holder() {
            assert!(
                Instant::now() < deadline,
                "the run lock is still held by {holder} after 20 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A statement that keeps the database busy for a few seconds (about 3 s;
    /// for SQLite in a debug build on one idle core).
    pub fn slow_statement(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) \
                 SELECT count(*) FROM c;"
            }
            Backend::Postgres => "SELECT pg_sleep(3);",
            Backend::Mysql => "SELECT SLEEP(3);",
        }
    }

    /// A statement the database cannot run inside a transaction, on the
    /// table `first_table (id)`, with the word its refusal names: SQLite
    /// `VACUUM`, PostgreSQL `CREATE INDEX CONCURRENTLY`. MySQL has none
    /// (its DDL commits implicitly instead), so `None`.
    pub fn statement_outside_transactions(&self) -> Option<(&'static str, &'static str)> {
        match self.backend {
            Backend::Sqlite => Some(("VACUUM;", "VACUUM")),
            Backend::Postgres => Some((
                "CREATE INDEX CONCURRENTLY first_table_id ON first_table (id);",
                "CONCURRENTLY",
            )),
            Backend::Mysql => None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let outcome = match &self.store {
            Store::Sqlite(_) => return,
            Store::Postgres(server) => server.drop_schema(),
            Store::Mysql(server) => server.drop_database(),
        };
        if let Err(error) = outcome {
            eprintln!("warning: cannot drop {}: {error}", self.name);
        }
    }
}

/// A connection's guard, also after a test panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A lock held by the test on a connection of its own; released when dropped.
pub enum TableLock {
    /// `BEGIN IMMEDIATE`, rolled back.
    Sqlite(Connection),
    /// An open transaction, rolled back.
    Postgres(postgres::Client),
    /// `LOCK TABLES`, unlocked.
    Mysql(mysql::Conn),
}

impl Drop for TableLock {
    fn drop(&mut self) {
        match self {
            TableLock::Sqlite(connection) => {
                let _ = connection.execute_batch("ROLLBACK");
            }
            TableLock::Postgres(client) => {
                let _ = client.batch_execute("ROLLBACK");
            }
            TableLock::Mysql(connection) => {
                let _ = connection.query_drop("UNLOCK TABLES");
            }
        }
    }
}

/// The content of a database at one moment; equal footprints mean nothing changed.
#[derive(PartialEq, Eq)]
pub enum Footprint {
    /// A SQLite file's bytes, or `None` when there is no file.
    File(Option<Vec<u8>>),
    /// A server database's tables, each with its rows, sorted.
    Tables(Vec<(String, Vec<Vec<String>>)>),
}

impl fmt::Debug for Footprint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::hash::{DefaultHasher, Hash, Hasher};
        match self {
            Footprint::File(None) => formatter.write_str("absent"),
            Footprint::File(Some(bytes)) => {
                let mut hasher = DefaultHasher::new();
                bytes.hash(&mut hasher);
                write!(
                    formatter,
                    "{} bytes, hash {:016x}",
                    bytes.len(),
                    hasher.finish()
                )
            }
            Footprint::Tables(tables) => {
                let mut list = formatter.debug_map();
                for (table, rows) in tables {
                    list.entry(table, rows);
                }
                list.finish()
            }
        }
    }
}
