//! The façade shared by the CLI and library users: each method scans the
//! folder, connects, locks where it changes the database, reads the state,
//! plans and hands the plan to the executor.

mod schema_commands;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::add_only::effective_state;
use crate::backend::{Backend, Create, LockOutcome, connect};
use crate::clock::now;
use crate::drift::{Drift, find_drift};
use crate::duration;
use crate::embed::EmbeddedFile;
use crate::error::{DbError, Error};
use crate::execute::repair::{self, Repair};
use crate::execute::{Executor, Progress, Report, RunSummary};
use crate::history;
use crate::log_table::{HistoryFilter, LogEntry, LogOperation};
use crate::placeholders::Placeholders;
use crate::plan::{
    Command, Options, RunOptions, check_accept, check_mark_state, plan, runs_repeatables,
};
use crate::preflight::{ReadyRepeatable, ReadyStep, preflight_run};
use crate::record::{DbState, Stamp, mark_row, phase_index};
use crate::repeatable::{self, Repeatable};
use crate::scan::{Catalogue, scan};
use crate::settings::{DatabaseUrl, RunLock, TableNames};
use crate::state::{Phase, State};
use crate::status::{Status, status};
use crate::version::{Release, Version};

/// Where to migrate and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database.
    pub url: DatabaseUrl,
    /// The migrations folder (holding `up/` and `down/`).
    pub dir: PathBuf,
    /// The version tables.
    pub tables: TableNames,
    /// How long to wait for another run's lock (`--lock-wait`).
    pub lock_wait: Duration,
    /// How long to keep trying to connect while the server does not accept
    /// connections (`--wait`): a database starting beside the deploy job.
    /// `None` tries once.
    pub connect_wait: Option<Duration>,
    /// `--lock-timeout` for every file without a `lock-timeout=` directive:
    /// how long each statement may wait for a table lock. `None` is the
    /// default of SPEC section 5 (5 s and 3 retries of a transactional file
    /// on PostgreSQL and MySQL; SQLite's busy timeout); zero waits without a
    /// bound.
    pub lock_timeout: Option<Duration>,
    /// The values of `${NAME}` in files marked `placeholders`, under those a
    /// run's [`RunOptions`] give.
    pub placeholders: Placeholders,
    /// How the run lock is taken (`--lock-mode`, `--lock-lease`): the
    /// database's own lock, or a lease row where a pooler sits between.
    pub run_lock: RunLock,
}

/// One operation of a dry run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Planned {
    /// The version; `None` for a repeatable file.
    pub version: Option<Version>,
    /// What would run.
    pub operation: String,
    /// The file, relative to the folder.
    pub file: Option<String>,
    /// The file's text, after any statements a `--resume` skips.
    #[serde(skip)]
    pub sql: Option<String>,
}

/// Migrates one database from one folder: the API for applications that
/// migrate themselves at start-up, and what the `migrate` command runs.
///
/// | the CLI | the library |
/// | --- | --- |
/// | settings | [`Migrator::open`] (the CLI's defaults), or [`Migrator::new`] with a [`Config`] |
/// | `status` | [`Migrator::status`]; [`Migrator::current_version`], [`Migrator::verify`] |
/// | `--dry-run` (the plan) | [`Migrator::preview`] |
/// | `up` | [`Migrator::up`]; any command with [`Migrator::migrate`] |
/// | `log` | [`Migrator::history`], [`Migrator::log_entry`] |
/// | `mark --only N --state S`, `verify --accept` | [`Migrator::mark_state`], [`Migrator::accept`] |
/// | `schema_dump`, `schema_dump --bootstrap`, `load` | [`Migrator::dump_schema`], [`Migrator::bootstrap`], [`Migrator::load`] |
///
/// Every method scans the folder and connects anew, so a `Migrator` is
/// cheap to keep and to clone. Changes take the same database-wide run lock
/// as the CLI, so an application started on several hosts at once applies
/// every version exactly once.
///
/// ```no_run
/// use migrate::Migrator;
///
/// fn main() -> Result<(), migrate::Error> {
///     // Before serving: bring the database to the latest version.
///     let migrator = Migrator::open("sqlite:app.db", "migrations")?;
///     for report in migrator.up()? {
///         println!("{report} in {} ms", report.ms);
///     }
///     let status = migrator.status()?;
///     println!("database at version {}", status.current_version);
///     Ok(())
/// }
/// ```
///
/// `examples/startup.rs` is a complete application doing this.
///
/// The methods' examples run: most on a temporary folder holding one file,
/// `up/1_init.sql` (`CREATE TABLE note (id INTEGER PRIMARY KEY);`), and a
/// SQLite database `app.db` in it, set up in hidden lines (`url`, `dir`).
#[derive(Debug, Clone)]
pub struct Migrator {
    config: Config,
    refresh_schema_file: bool,
    /// The files compiled in, read instead of `config.dir` when set.
    embedded: Option<&'static [EmbeddedFile]>,
    /// The application's own SQLite connection, used instead of the URL.
    #[cfg(feature = "sqlite")]
    sqlite: Option<crate::backend::sqlite::ConnectionSlot>,
    /// The application's own PostgreSQL client, used instead of connecting.
    #[cfg(feature = "postgres")]
    postgres: Option<crate::backend::postgres::ClientSlot>,
}

impl Config {
    /// How a run goes when nothing but this configuration says: its lock
    /// timeout and placeholders (`check` and `squash` on their scratch
    /// database).
    pub(crate) fn run_options(&self) -> RunOptions {
        RunOptions {
            lock_timeout: self.lock_timeout,
            placeholders: self.placeholders.clone(),
            ..RunOptions::default()
        }
    }

    /// The CLI's defaults for the database `url` and the migrations folder
    /// `dir`: tables `db_version` and `db_version_log`, a 60-second wait for
    /// another run's lock, the default lock timeout. Change the fields to taste.
    ///
    /// ```
    /// use std::time::Duration;
    /// use migrate::{Config, DatabaseUrl, Migrator};
    ///
    /// let mut config = Config::new(DatabaseUrl::parse("sqlite:app.db")?, "migrations");
    /// config.lock_wait = Duration::from_secs(5);
    /// assert_eq!(config.tables.versions, "db_version");
    /// let migrator = Migrator::new(config);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(url: DatabaseUrl, dir: impl Into<PathBuf>) -> Config {
        Config {
            url,
            dir: dir.into(),
            tables: TableNames::default(),
            lock_wait: Duration::from_secs(60),
            connect_wait: None,
            lock_timeout: None,
            placeholders: Placeholders::default(),
            run_lock: RunLock::default(),
        }
    }
}

impl Migrator {
    /// A migrator for the database at `url` (`sqlite:PATH`, `postgres://…`,
    /// `mysql://…`) and the migrations folder `dir` (holding `up/` and
    /// `down/`), with the defaults of [`Config::new`]. Only the URL is
    /// checked here (a usage error, exit code 2, when it is not one);
    /// nothing is read or connected until a method runs.
    ///
    /// ```
    /// use migrate::Migrator;
    ///
    /// let migrator = Migrator::open("sqlite:app.db", "migrations")?;
    /// assert_eq!(migrator.config().dir, std::path::Path::new("migrations"));
    /// // Not a database URL: a usage error, before anything is read.
    /// let error = Migrator::open("app.db", "migrations").unwrap_err();
    /// assert_eq!(error.exit_code(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(url: &str, dir: impl Into<PathBuf>) -> Result<Migrator, Error> {
        let url = DatabaseUrl::parse(url).map_err(Error::Usage)?;
        Ok(Migrator::new(Config::new(url, dir)))
    }

    /// Applies every pending version, as `migrate up` does: what an
    /// application runs at start-up. Returns the operations that ran, in
    /// order (none when the database is up to date). The first failure is
    /// the error; the versions applied before it stay applied, and the
    /// failure is in the log ([`Migrator::history`]).
    ///
    /// ```
    /// let temp = tempfile::tempdir()?;
    /// let dir = temp.path();
    /// std::fs::create_dir(dir.join("up"))?;
    /// std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// let applied = migrator.up()?;
    /// assert_eq!(applied.len(), 1);
    /// assert_eq!(applied[0].to_string(), "add 1 up/1_init.sql");
    /// // Up to date: the next start-up has nothing to do.
    /// assert!(migrator.up()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn up(&self) -> Result<Vec<Report>, Error> {
        let outcome = self.migrate(
            Command::Up(None),
            &Options::default(),
            RunOptions::default(),
            &mut |_| {},
        )?;
        match outcome.error {
            Some(error) => Err(error),
            None => Ok(outcome.done),
        }
    }

    /// [`Migrator::up`] for an `async fn`: the run, which blocks on the
    /// database, goes to tokio's blocking pool (`spawn_blocking`), so the
    /// runtime's workers keep serving meanwhile. Needs the `tokio` feature
    /// and a tokio runtime; a panic in the run is resumed here.
    ///
    /// ```no_run
    /// # async fn start() -> Result<(), migrate::Error> {
    /// let migrator = migrate::Migrator::open("postgres://app@db/app", "migrations")?;
    /// let applied = migrator.up_async().await?;
    /// println!("{} operations applied", applied.len());
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn up_async(&self) -> Result<Vec<Report>, Error> {
        let migrator = self.clone();
        match tokio::task::spawn_blocking(move || migrator.up()).await {
            Ok(result) => result,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(Error::Usage(format!(
                "the migration task did not finish: {error} (the runtime shut down)"
            ))),
        }
    }

    /// A migrator for `config`; nothing is read until a method runs.
    ///
    /// ```
    /// use migrate::{Config, DatabaseUrl, Migrator, TableNames};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let mut config = Config::new(DatabaseUrl::parse(&url)?, dir);
    /// config.tables = TableNames::new("schema_version")?;
    /// let migrator = Migrator::new(config);
    /// assert_eq!(migrator.up()?.len(), 1);
    /// assert_eq!(migrator.history(&Default::default())?[0].operation.as_str(), "add");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: Config) -> Migrator {
        Migrator {
            config,
            refresh_schema_file: false,
            embedded: None,
            #[cfg(feature = "sqlite")]
            sqlite: None,
            #[cfg(feature = "postgres")]
            postgres: None,
        }
    }

    /// Runs on the application's own SQLite connection instead of opening
    /// the URL: an in-memory database (`Connection::open_in_memory`) for
    /// tests, or a file the application already has open. Each command
    /// takes the connection for its session and gives it back;
    /// [`Migrator::into_sqlite_connection`] returns it.
    ///
    /// The run lock: on a file, the lock file beside it, as for a URL. A
    /// private in-memory database takes none: no other connection can
    /// reach it, and this migrator's sessions take the connection in turn.
    /// During a command `foreign_keys` is off (restored after) and the busy
    /// timeout is the migrator's.
    ///
    /// ```
    /// use migrate::rusqlite::Connection;
    ///
    /// static FILES: &[migrate::EmbeddedFile] = &[migrate::EmbeddedFile {
    ///     path: "up/1_init.sql",
    ///     bytes: b"CREATE TABLE note (id INTEGER PRIMARY KEY);",
    /// }];
    /// let connection = Connection::open_in_memory().expect("SQLite");
    /// let migrator = migrate::Migrator::embedded("sqlite::memory:", FILES)?
    ///     .with_sqlite_connection(connection);
    /// assert_eq!(migrator.up()?.len(), 1);
    /// let connection = migrator.into_sqlite_connection().expect("the connection");
    /// connection.execute("INSERT INTO note (id) VALUES (1)", []).expect("the table");
    /// # Ok::<(), migrate::Error>(())
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn with_sqlite_connection(mut self, connection: rusqlite::Connection) -> Migrator {
        let path = connection.path().filter(|path| !path.is_empty());
        if let Ok(url) = DatabaseUrl::parse(&format!("sqlite:{}", path.unwrap_or(":memory:"))) {
            self.config.url = url;
        }
        self.sqlite = Some(std::sync::Arc::new(std::sync::Mutex::new(Some(connection))));
        #[cfg(feature = "postgres")]
        {
            self.postgres = None;
        }
        self
    }

    /// The connection given to [`Migrator::with_sqlite_connection`], back;
    /// `None` for a migrator on a URL.
    ///
    /// ```
    /// let migrator = migrate::Migrator::open("sqlite:app.db", "migrations")?;
    /// assert!(migrator.into_sqlite_connection().is_none());
    /// # Ok::<(), migrate::Error>(())
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn into_sqlite_connection(self) -> Option<rusqlite::Connection> {
        let slot = self.sqlite?;
        let mut guard = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.take()
    }

    /// Runs on the application's own PostgreSQL client instead of
    /// connecting: the same server session the application uses, one command
    /// at a time; [`Migrator::into_postgres_client`] returns it. Build the
    /// migrator with the `postgres://` URL the client connected with: it
    /// names the database in messages, and its `search_path=` says where
    /// the version tables live (else the client's `current_schema()`);
    /// nothing connects to it.
    ///
    /// The client's connection task keeps running where the application
    /// spawned it; each command drives the client's requests from a runtime
    /// of its own. So call [`Migrator::up_async`] (or `spawn_blocking`)
    /// from inside a tokio runtime: a blocking call on the thread that
    /// drives the connection (a current-thread runtime's) would wait for
    /// itself.
    ///
    /// The session is left as it was found: an open transaction is rolled
    /// back, the run lock (a session advisory lock, the same one the
    /// command takes) released, and `search_path`, `lock_timeout`,
    /// `idle_in_transaction_session_timeout` and
    /// `client_connection_check_interval`, which a command sets, are set
    /// back to the values it read first. Hand over a client outside a
    /// transaction; a client through a transaction pooler (PgBouncer) is
    /// refused, as its run lock would need a connection of its own.
    ///
    /// ```no_run
    /// use migrate::tokio_postgres::{self, NoTls};
    ///
    /// static FILES: &[migrate::EmbeddedFile] = &[migrate::EmbeddedFile {
    ///     path: "up/1_init.sql",
    ///     bytes: b"CREATE TABLE note (id integer PRIMARY KEY);",
    /// }];
    /// # async fn start() -> Result<(), Box<dyn std::error::Error>> {
    /// let url = "postgres://app@db/app";
    /// let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    /// tokio::spawn(connection);
    /// let migrator = migrate::Migrator::embedded(url, FILES)?.with_postgres_client(client);
    /// migrator.up_async().await?;
    /// let client = migrator.into_postgres_client().expect("the client");
    /// client.execute("INSERT INTO note (id) VALUES (1)", &[]).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "postgres")]
    pub fn with_postgres_client(mut self, client: tokio_postgres::Client) -> Migrator {
        self.postgres = Some(std::sync::Arc::new(std::sync::Mutex::new(Some(client))));
        #[cfg(feature = "sqlite")]
        {
            self.sqlite = None;
        }
        self
    }

    /// The client given to [`Migrator::with_postgres_client`], back; `None`
    /// for a migrator that connects itself.
    ///
    /// ```
    /// let migrator = migrate::Migrator::open("postgres://app@db/app", "migrations")?;
    /// assert!(migrator.into_postgres_client().is_none());
    /// # Ok::<(), migrate::Error>(())
    /// ```
    #[cfg(feature = "postgres")]
    pub fn into_postgres_client(self) -> Option<tokio_postgres::Client> {
        let slot = self.postgres?;
        let mut guard = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.take()
    }

    /// A migrator for the database at `url` and the migration files a
    /// build script compiled in ([`crate::embed::build`],
    /// [`crate::embedded_migrations!`]): read with the folder's rules, so
    /// versions, checksums, drift and plans are those of the folder they
    /// came from. There is no folder, so no `schema/schema.sql` to refresh.
    ///
    /// ```
    /// static FILES: &[migrate::EmbeddedFile] = &[migrate::EmbeddedFile {
    ///     path: "up/1_init.sql",
    ///     bytes: b"CREATE TABLE note (id INTEGER PRIMARY KEY);",
    /// }];
    /// # let temp = tempfile::tempdir()?;
    /// # let url = format!("sqlite:{}", temp.path().join("app.db").display());
    /// let migrator = migrate::Migrator::embedded(&url, FILES)?;
    /// assert_eq!(migrator.up()?[0].to_string(), "add 1 up/1_init.sql");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn embedded(url: &str, files: &'static [EmbeddedFile]) -> Result<Migrator, Error> {
        let url = DatabaseUrl::parse(url).map_err(Error::Usage)?;
        let mut migrator = Migrator::new(Config::new(url, PathBuf::new()));
        migrator.embedded = Some(files);
        migrator.refresh_schema_file = false;
        Ok(migrator)
    }

    /// Whether to rewrite `schema/schema.sql` after a change when the
    /// migrations folder has a `schema/` folder. Off for an application
    /// (it migrates a deployed database, whose schema file is the
    /// repository's business); the `migrate` command turns it on unless
    /// `--no-dump-schema`.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// std::fs::create_dir(dir.join("schema"))?;
    /// let migrator = migrate::Migrator::open(&url, dir)?.refresh_schema_file(true);
    /// migrator.up()?;
    /// let schema = std::fs::read_to_string(dir.join("schema/schema.sql"))?;
    /// assert!(schema.contains("CREATE TABLE note"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_schema_file(mut self, refresh: bool) -> Migrator {
        self.refresh_schema_file = refresh;
        self
    }

    /// Rewrites `schema/schema.sql` after a change, when asked and possible.
    /// A failure is a warning: the change itself has landed.
    fn after_change(&self, backend: &mut dyn Backend) {
        if !self.refresh_schema_file {
            return;
        }
        let refreshed = crate::schema::refresh(backend, &self.config.dir);
        if let Err(error) = refreshed {
            log::warn!("{} was not rewritten: {error}", crate::schema::SCHEMA_FILE);
        }
    }

    /// The configuration.
    ///
    /// ```
    /// let migrator = migrate::Migrator::open("sqlite:app.db", "migrations")?;
    /// assert_eq!(migrator.config().tables.log, "db_version_log");
    /// assert_eq!(migrator.config().lock_wait, std::time::Duration::from_secs(60));
    /// # Ok::<(), migrate::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Reads the migrations folder.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// let catalogue = migrator.scan()?;
    /// assert_eq!(catalogue.highest(), migrate::Version::new(1));
    /// // Scanning connects to nothing: the database file is not made.
    /// assert!(!dir.join("app.db").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scan(&self) -> Result<Catalogue, Error> {
        if let Some(files) = self.embedded {
            return crate::embed::catalogue(files).map_err(Error::Folder);
        }
        scan(&self.config.dir).map_err(Error::Folder)
    }

    /// A session on the database, retried for [`Config::connect_wait`]
    /// while the server does not accept connections. A server that answers
    /// with an error (a wrong password, an unknown database) is not waited
    /// for, except one that says "not yet" (PostgreSQL's "starting up").
    pub(crate) fn session(&self, create: Create) -> Result<Box<dyn Backend>, Error> {
        let config = &self.config;
        #[cfg(feature = "sqlite")]
        if let Some(slot) = &self.sqlite {
            let backend = crate::backend::sqlite::SqliteBackend::handed(slot, &config.tables)?;
            return Ok(Box::new(backend));
        }
        #[cfg(feature = "postgres")]
        if let Some(slot) = &self.postgres {
            let backend = crate::backend::postgres::PostgresBackend::handed(
                slot,
                &config.url,
                &config.tables,
                &config.run_lock,
            )?;
            return Ok(Box::new(backend));
        }
        let Some(wait) = config.connect_wait else {
            return connect(&config.url, create, &config.tables, &config.run_lock);
        };
        let deadline = Instant::now() + wait;
        let mut waited = false;
        loop {
            match connect(&config.url, create, &config.tables, &config.run_lock) {
                Err(Error::Database { context, source })
                    if not_accepting(&source) && Instant::now() < deadline =>
                {
                    if !waited {
                        log::warn!(
                            "{context}: {source}; waiting up to {} for it (--wait)",
                            duration::describe(wait)
                        );
                        waited = true;
                    }
                    crate::interrupt::sleep(Duration::from_millis(250));
                    if let Some(signal) = crate::interrupt::requested() {
                        return Err(Error::Interrupted {
                            signal,
                            stopped: None,
                        });
                    }
                }
                Err(Error::Database { context, source }) if waited => {
                    return Err(Error::Database {
                        context: format!(
                            "{context}, after waiting {} for it (--wait)",
                            duration::describe(wait)
                        ),
                        source,
                    });
                }
                other => return other,
            }
        }
    }

    /// Connects without the run lock and reads the state as the planner sees it.
    fn read_only(&self, catalogue: &Catalogue) -> Result<(Box<dyn Backend>, DbState), Error> {
        let mut backend = self.session(Create::Never)?;
        let db = read_effective_state(backend.as_mut(), catalogue)?;
        Ok((backend, db))
    }

    /// Every version's state and the next step of the deployment.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// let status = migrator.status()?;
    /// assert_eq!(status.current_version, 0);
    /// assert_eq!(status.versions[0].state, "pending");
    /// // Next: `migrate up`.
    /// assert!(matches!(
    ///     &status.next[..],
    ///     [migrate::Next::Run { command, .. }] if command == "migrate up"
    /// ));
    ///
    /// migrator.up()?;
    /// let status = migrator.status()?;
    /// assert_eq!(status.current_version, 1);
    /// assert!(status.next.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> Result<Status, Error> {
        let catalogue = self.scan()?;
        let (mut backend, db) = self.read_only(&catalogue)?;
        let runs = match catalogue.repeatables().is_empty() {
            true => repeatable::Runs::new(),
            false => read_repeatable_runs(backend.as_mut())?,
        };
        Ok(status(&catalogue, &db, &runs))
    }

    /// The current version, if any is applied.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// assert_eq!(migrator.current_version()?, None);
    /// migrator.up()?;
    /// assert_eq!(migrator.current_version()?, Some(migrate::Version::FIRST));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_version(&self) -> Result<Option<Version>, Error> {
        // Reading a swept row as `added` keeps it applied: no folder needed.
        let mut backend = self.session(Create::Never)?;
        let db = read_state(backend.as_mut())?;
        Ok(db.current())
    }

    /// The applied files that changed on disk.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// assert!(migrator.verify()?.is_empty());
    /// // A file edited after it ran has drifted.
    /// std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER, body TEXT);")?;
    /// let drift = migrator.verify()?;
    /// assert_eq!(drift[0].describe(), "up/1_init.sql changed since it ran (version 1)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self) -> Result<Vec<Drift>, Error> {
        let catalogue = self.scan()?;
        let (_, db) = self.read_only(&catalogue)?;
        Ok(find_drift(&catalogue, &db))
    }

    /// The operation history (`db_version_log`), newest first, as `filter`
    /// selects it. Read-only: a database without a log table has an empty
    /// history.
    ///
    /// ```
    /// use migrate::{HistoryFilter, Outcome};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// let entries = migrator.history(&HistoryFilter::default())?;
    /// assert_eq!(entries.len(), 1);
    /// assert_eq!(entries[0].operation.as_str(), "add");
    /// assert_eq!(entries[0].outcome, Outcome::Ok);
    /// // `migrate log --errors`: none failed.
    /// let errors = HistoryFilter { errors: true, ..HistoryFilter::default() };
    /// assert!(migrator.history(&errors)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<LogEntry>, Error> {
        let mut backend = self.session(Create::Never)?;
        history::read(backend.as_mut(), filter)
    }

    /// One log entry in full, or a usage error (exit 2) when there is none with `id`.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// let newest = migrator.history(&migrate::HistoryFilter::default())?.remove(0);
    /// let id = newest.id.ok_or("a stored entry has an id")?;
    /// assert_eq!(migrator.log_entry(id)?.file.as_deref(), Some("up/1_init.sql"));
    /// assert_eq!(migrator.log_entry(id + 1).unwrap_err().exit_code(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn log_entry(&self, id: i64) -> Result<LogEntry, Error> {
        let mut backend = self.session(Create::Never)?;
        history::read_entry(backend.as_mut(), &self.config.tables, id)
    }

    /// What `command` would do, checked as a real run would be, changing
    /// nothing: the plan that `--dry-run` prints.
    ///
    /// ```
    /// use migrate::{Command, Options, RunOptions};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// let plan = migrator.preview(Command::Up(None), &Options::default(), RunOptions::default())?;
    /// assert_eq!(plan.len(), 1);
    /// assert_eq!(plan[0].operation, "add");
    /// assert_eq!(plan[0].file.as_deref(), Some("up/1_init.sql"));
    /// // Nothing ran.
    /// assert_eq!(migrator.current_version()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "plan")]
    pub fn preview(
        &self,
        command: Command,
        options: &Options,
        run: RunOptions,
    ) -> Result<Vec<Planned>, Error> {
        let catalogue = self.scan()?;
        let (mut backend, db) = self.read_only(&catalogue)?;
        let plan = plan(&catalogue, &db, command, options)?;
        let run = self.run_options(run);
        let repeatables = repeatables_to_run(backend.as_mut(), &catalogue, command, options)?;
        let ready = preflight_run(&plan, &repeatables, backend.dialect(), &run)?;
        let steps = ready.steps.iter().map(planned);
        Ok(steps
            .chain(ready.repeatables.iter().map(planned_repeatable))
            .collect())
    }

    /// Runs `command`, calling `on_done` as each operation completes. A
    /// failure part-way is the summary's `error`, after the operations that
    /// completed (`done`); a refusal, or a failure before anything ran (the
    /// folder, the connection, the lock), is the `Err`.
    ///
    /// ```
    /// use migrate::{Command, Options, RunOptions, Version};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// std::fs::write(dir.join("up/2_tag.sql"), "CREATE TABLE tag (id INTEGER PRIMARY KEY);")?;
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// // `migrate up 1`, printing each operation as it completes.
    /// let summary = migrator.migrate(
    ///     Command::Up(Version::new(1)),
    ///     &Options::default(),
    ///     RunOptions::default(),
    ///     &mut |report| println!("{report}"),
    /// )?;
    /// assert!(summary.error.is_none());
    /// assert_eq!(summary.done.len(), 1);
    /// assert_eq!(migrator.current_version()?, Version::new(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn migrate(
        &self,
        command: Command,
        options: &Options,
        run: RunOptions,
        on_done: &mut dyn FnMut(&Report),
    ) -> Result<RunSummary, Error> {
        self.migrate_watched(command, options, run, &mut |progress| {
            if let Progress::Done(report) = progress {
                on_done(report);
            }
        })
    }

    /// Runs `command`, telling `observe` the plan, each operation as it
    /// starts (and each statement of a file run statement by statement) and
    /// as it completes: what a caller needs to show what runs while it runs.
    ///
    /// ```
    /// use migrate::{Command, Options, Progress, RunOptions};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// let mut events = Vec::new();
    /// let (options, run) = (Options::default(), RunOptions::default());
    /// migrator.migrate_watched(Command::Up(None), &options, run, &mut |progress| {
    ///     events.push(match progress {
    ///         Progress::Plan(upcoming) => format!("{} to run", upcoming.len()),
    ///         Progress::Started(upcoming) => format!("running {}", upcoming.operation),
    ///         Progress::Statement { number, count } => format!("statement {number} of {count}"),
    ///         Progress::Done(report) => format!("done: {report}"),
    ///     })
    /// })?;
    /// assert_eq!(events, ["1 to run", "running add", "done: add 1 up/1_init.sql"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn migrate_watched(
        &self,
        command: Command,
        options: &Options,
        run: RunOptions,
        observe: &mut dyn FnMut(Progress<'_>),
    ) -> Result<RunSummary, Error> {
        let catalogue = self.scan()?;
        let run = self.run_options(run);
        let mut backend = self.session(Create::IfMissing)?;
        let canceller = backend.canceller();
        crate::interrupt::cancellable(canceller, || {
            // Versions recorded as applied stay applied, so a plan with
            // nothing to run, read without the lock, is the answer: a no-op
            // `up` waits for no other run and takes no lock (issue 15).
            // Anything else is planned again under the lock.
            if nothing_to_run(backend.as_mut(), &catalogue, command, options, &run) {
                return Ok(RunSummary::default());
            }
            self.locked_on(backend.as_mut(), |backend| {
                match run_locked(backend, &catalogue, command, options, run, observe)? {
                    Some(outcome) => {
                        // Even a run that failed may have changed the database
                        // (the statements a non-atomic file committed, its
                        // failed row).
                        self.after_change(backend);
                        Ok(outcome)
                    }
                    None => Ok(RunSummary::default()),
                }
            })
        })
    }

    /// What `verify --accept` would record, changing nothing (`verify
    /// --accept --dry-run`): the drifted files, or why accepting them would
    /// be refused.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// let edited = "-- notes\nCREATE TABLE note (id INTEGER PRIMARY KEY);";
    /// std::fs::write(dir.join("up/1_init.sql"), edited)?;
    /// let drift = migrator.preview_accept()?;
    /// assert_eq!(drift[0].path, "up/1_init.sql");
    /// // Nothing was recorded: the file still drifts.
    /// assert_eq!(migrator.verify()?, drift);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview_accept(&self) -> Result<Vec<Drift>, Error> {
        let catalogue = self.scan()?;
        let (_, db) = self.read_only(&catalogue)?;
        check_accept(&db)?;
        Ok(find_drift(&catalogue, &db))
    }

    /// Records the checksums of drifted files as they are now (`verify --accept`).
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// // A comment added to a file that ran: record its new checksum.
    /// let edited = "-- notes\nCREATE TABLE note (id INTEGER PRIMARY KEY);";
    /// std::fs::write(dir.join("up/1_init.sql"), edited)?;
    /// assert_eq!(migrator.accept()?.len(), 1);
    /// assert!(migrator.verify()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accept(&self) -> Result<Vec<Drift>, Error> {
        let catalogue = self.scan()?;
        self.locked(|backend| {
            let db = read_effective_state(backend, &catalogue)?;
            check_accept(&db)?;
            let drift = find_drift(&catalogue, &db);
            if drift.is_empty() {
                return Ok(drift);
            }
            // Every phase of a version is accepted into one row before it is saved.
            let mut accepted = db.records.clone();
            for found in &drift {
                let phase = accepted
                    .get_mut(&found.version)
                    .and_then(|record| record.phases[phase_index(found.phase)].as_mut());
                if let Some(phase) = phase {
                    phase.checksum = found.current.clone();
                }
            }
            let at = now();
            let repairs: Vec<Repair> = drift
                .iter()
                .filter_map(|found| {
                    let row = accepted.get(&found.version)?.clone();
                    let mut repair =
                        Repair::new(found.version, Some(row), LogOperation::Accept, &at);
                    repair.entry.file = Some(found.path.clone());
                    repair.entry.checksum = found.current.clone();
                    Some(repair)
                })
                .collect();
            repair::write(backend, &repairs)?;
            self.after_change(backend);
            Ok(drift)
        })
    }

    /// What `mark --only N --state S` would find, changing nothing: the
    /// version's state now, or why the change would be refused.
    ///
    /// ```
    /// use migrate::{Options, State, Version};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// let now = migrator.preview_mark_state(Version::FIRST, State::Pending, &Options::default())?;
    /// assert_eq!(now, Some(State::Added));
    /// // Nothing was recorded.
    /// assert_eq!(migrator.current_version()?, Some(Version::FIRST));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview_mark_state(
        &self,
        version: Version,
        target: State,
        options: &Options,
    ) -> Result<Option<State>, Error> {
        let catalogue = self.scan()?;
        let (_, db) = self.read_only(&catalogue)?;
        check_mark_state(&catalogue, &db, version, target, options)?;
        Ok(db.records.get(&version).map(|record| record.state))
    }

    /// Sets one version's state without running anything (`mark --only N --state S`),
    /// the repair after a failure. Returns the state it was in.
    ///
    /// ```
    /// use migrate::{Options, State, Version};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// // Record version 1 as pending again, running nothing.
    /// let before = migrator.mark_state(Version::FIRST, State::Pending, &Options::default())?;
    /// assert_eq!(before, Some(State::Added));
    /// assert_eq!(migrator.current_version()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mark_state(
        &self,
        version: Version,
        target: State,
        options: &Options,
    ) -> Result<Option<State>, Error> {
        let catalogue = self.scan()?;
        self.locked(|backend| {
            let db = read_effective_state(backend, &catalogue)?;
            check_mark_state(&catalogue, &db, version, target, options)?;
            let files = catalogue.get(version);
            let before = db.records.get(&version);
            let release = options
                .release
                .clone()
                .unwrap_or_else(|| Release::next_after(db.releases()));
            let at = now();
            let stamp = Stamp {
                release: &release,
                at: &at,
                last_seq: db.max_seq(),
            };
            let checksum_of = |phase: Phase| {
                files
                    .and_then(|files| files.file(phase.operation()))
                    .map(|file| file.script.checksum.clone())
            };
            let name = files.and_then(|files| files.name.as_deref());
            let row = mark_row(before, version, name, target, stamp, &checksum_of);
            let mut repair = Repair::new(version, row, LogOperation::MarkState(target), &at);
            repair.entry.release = Some(release.clone());
            repair::write(backend, &[repair])?;
            self.after_change(backend);
            Ok(before.map(|record| record.state))
        })
    }

    /// `run` with the configuration's lock timeout where `run` sets none:
    /// [`Config::lock_timeout`] is what a library user sets, and
    /// [`Migrator::up`] passes default run options.
    fn run_options(&self, run: RunOptions) -> RunOptions {
        let mut placeholders = self.config.placeholders.clone();
        for (name, value) in run.placeholders.values() {
            placeholders.set(name.clone(), value.clone());
        }
        RunOptions {
            lock_timeout: run.lock_timeout.or(self.config.lock_timeout),
            placeholders,
            ..run
        }
    }

    /// Connects, takes the run lock, runs `work`, and releases the lock.
    pub(crate) fn locked<T>(
        &self,
        work: impl FnOnce(&mut dyn Backend) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut backend = self.session(Create::IfMissing)?;
        let canceller = backend.canceller();
        crate::interrupt::cancellable(canceller, || self.locked_on(backend.as_mut(), work))
    }

    fn locked_on<T>(
        &self,
        backend: &mut dyn Backend,
        work: impl FnOnce(&mut dyn Backend) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let wait = self.config.lock_wait;
        let locked = backend.lock(wait);
        if let Some(signal) = crate::interrupt::requested() {
            // Interrupted while waiting: whatever the wait ended with, stop.
            if let Err(error) = backend.unlock() {
                log::warn!("the run lock is released when the connection closes: {error}");
            }
            return Err(Error::Interrupted {
                signal,
                stopped: None,
            });
        }
        match locked.map_err(Error::database("cannot take the run lock"))? {
            LockOutcome::Acquired => {}
            LockOutcome::TimedOut(holder) => {
                return Err(Error::LockTimeout {
                    waited: wait,
                    holder,
                });
            }
            LockOutcome::DatabaseBusy(what) => {
                return Err(Error::DatabaseBusy { waited: wait, what });
            }
        }
        let result = work(backend);
        // What the work did is the outcome, whatever happens to the lock:
        // a connection that died after versions landed must not turn their
        // report into "cannot release the run lock". The database releases
        // a lock whose session or file handle ends, so a failed release
        // only deserves a warning.
        if let Err(error) = backend.unlock() {
            log::warn!("the run lock is released when the connection closes: {error}");
        }
        result
    }
}

/// Plans `command` on a `backend` whose run lock is held and hands the plan
/// to the executor: what every changing command does once locked (`check`
/// runs its steps through it too). `None` when there is nothing to do.
pub(crate) fn run_locked(
    backend: &mut dyn Backend,
    catalogue: &Catalogue,
    command: Command,
    options: &Options,
    run: RunOptions,
    observe: &mut dyn FnMut(Progress<'_>),
) -> Result<Option<RunSummary>, Error> {
    let db = read_effective_state(backend, catalogue)?;
    let plan = plan(catalogue, &db, command, options)?;
    let repeatables = repeatables_to_run(backend, catalogue, command, options)?;
    let ready = preflight_run(&plan, &repeatables, backend.dialect(), &run)?;
    if ready.is_empty() {
        return Ok(None);
    }
    backend
        .ensure_tables()
        .map_err(Error::database("cannot create the version tables"))?;
    let executor = Executor::new(backend, &db, plan.next_seq, run);
    Ok(Some(executor.run(&ready, observe)))
}

/// The repeatable files a run of `command` runs after its steps (SPEC
/// section 12): on `up` and `ff`, every one whose text is not the one its
/// last successful run had. The log is read only when the folder has some.
fn repeatables_to_run<'c>(
    backend: &mut dyn Backend,
    catalogue: &'c Catalogue,
    command: Command,
    options: &Options,
) -> Result<Vec<&'c Repeatable>, Error> {
    if catalogue.repeatables().is_empty() || !runs_repeatables(command, options) {
        return Ok(Vec::new());
    }
    let runs = read_repeatable_runs(backend)?;
    Ok(repeatable::to_run(catalogue.repeatables(), &runs))
}

/// The last successful run of each repeatable file, from the log.
pub(crate) fn read_repeatable_runs(backend: &mut dyn Backend) -> Result<repeatable::Runs, Error> {
    let filter = HistoryFilter {
        repeatable: true,
        ..HistoryFilter::default()
    };
    let entries = backend
        .read_history(&filter)
        .map_err(Error::database("cannot read the log of repeatable files"))?;
    Ok(repeatable::last_runs(&entries))
}

/// Reads the version table as the planner, the executor and `status` see
/// it: the one place where [`effective_state`] reads swept add-only rows
/// as `added`.
fn read_effective_state(
    backend: &mut dyn Backend,
    catalogue: &Catalogue,
) -> Result<DbState, Error> {
    Ok(effective_state(catalogue, read_state(backend)?))
}

/// Whether `command` has nothing to run on the state read now, without the
/// lock; any error or refusal is left for the locked run to report.
fn nothing_to_run(
    backend: &mut dyn Backend,
    catalogue: &Catalogue,
    command: Command,
    options: &Options,
    run: &RunOptions,
) -> bool {
    let Ok(db) = read_effective_state(backend, catalogue) else {
        return false;
    };
    let Ok(repeatables) = repeatables_to_run(backend, catalogue, command, options) else {
        return false;
    };
    plan(catalogue, &db, command, options)
        .ok()
        .and_then(|plan| preflight_run(&plan, &repeatables, backend.dialect(), run).ok())
        .is_some_and(|ready| ready.is_empty())
}

fn planned_repeatable(ready: &ReadyRepeatable<'_>) -> Planned {
    let file = &ready.repeatable.file;
    Planned {
        version: None,
        operation: LogOperation::Repeatable.to_string(),
        file: Some(file.path.clone()),
        sql: Some(match &ready.filled {
            Some(filled) => filled.redact(&filled.text),
            None => file.script.text.clone(),
        }),
    }
}

/// Whether a failed connection means the server is not accepting them yet:
/// no answer with an error code at all, or one that says "not yet".
fn not_accepting(error: &DbError) -> bool {
    error.code.is_none() || error.not_accepting_yet
}

/// Reads the version table as it is written, naming what failed.
pub(crate) fn read_state(backend: &mut dyn Backend) -> Result<DbState, Error> {
    backend
        .read_state()
        .map_err(Error::database("cannot read the version table"))
}

fn planned(prepared: &ReadyStep<'_>) -> Planned {
    let step = &prepared.step;
    let sql = step.file.filter(|_| !step.mark_only).map(|file| {
        let (text, statements) = match &prepared.filled {
            Some(filled) => (&filled.text, &filled.statements),
            None => (&file.script.text, &prepared.statements),
        };
        let sql = if prepared.skip == 0 {
            text.clone()
        } else {
            statements[prepared.skip..]
                .iter()
                .map(|statement| format!("{};", statement.text))
                .collect::<Vec<_>>()
                .join("\n")
        };
        match &prepared.filled {
            Some(filled) => filled.redact(&sql),
            None => sql,
        }
    });
    Planned {
        version: Some(step.version),
        operation: if step.mark_only {
            "mark".to_string()
        } else {
            step.operation.as_str().to_string()
        },
        file: step.file.map(|file| file.path.clone()),
        sql,
    }
}
