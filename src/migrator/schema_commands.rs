//! The schema commands of [`Migrator`]: `schema_dump`, `--bootstrap` and
//! `load` (SPEC section 7), over what `schema.rs` dumps and writes.

use std::path::Path;

use super::{Migrator, read_state};
use crate::backend::Create;
use crate::dump::Scope;
use crate::error::Error;
use crate::plan::{Command, Options, Refusal};
use crate::schema::{Incomplete, Replace, SCHEMA_FILE, dump, write_whole};
use crate::script::normalise;

impl Migrator {
    /// The live schema as SQL that recreates it on an empty database;
    /// refused when the schema holds objects the dump cannot carry.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// let sql = migrator.dump_schema()?;
    /// assert!(sql.contains("CREATE TABLE note"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dump_schema(&self) -> Result<String, Error> {
        self.dump_schema_with(Incomplete::Refuse)
    }

    /// [`Migrator::dump_schema`], saying what to do with objects the dump
    /// cannot carry.
    ///
    /// ```
    /// use migrate::Incomplete;
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    ///
    /// let migrator = migrate::Migrator::open(&url, dir)?;
    /// migrator.up()?;
    /// // `schema_dump --allow-incomplete`: what cannot be carried is left out, with a warning.
    /// let sql = migrator.dump_schema_with(Incomplete::Allow)?;
    /// assert!(sql.contains("CREATE TABLE note"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dump_schema_with(&self, incomplete: Incomplete) -> Result<String, Error> {
        self.dump_schema_in(&Scope::Default, incomplete)
    }

    /// [`Migrator::dump_schema_with`] of the schemas `scope` names
    /// (`--schema`, `--all-schemas`: PostgreSQL only).
    ///
    /// ```no_run
    /// use migrate::{Incomplete, Migrator, Scope};
    ///
    /// let migrator = Migrator::open("postgres://app@db/app", "migrations")?;
    /// // `schema_dump --schema billing,audit`: every name qualified by its schema.
    /// let scope = Scope::Named(vec!["billing".to_string(), "audit".to_string()]);
    /// print!("{}", migrator.dump_schema_in(&scope, Incomplete::Refuse)?);
    /// # Ok::<(), migrate::Error>(())
    /// ```
    pub fn dump_schema_in(&self, scope: &Scope, incomplete: Incomplete) -> Result<String, Error> {
        let mut backend = self.session(Create::Never)?;
        dump(backend.as_mut(), scope, incomplete)
    }

    /// What `--bootstrap` would write as `up/1.sql`, after its checks
    /// (no migration file, no version row); changes nothing.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # let path = dir.join("app.db");
    /// // A database made before migrate, and a migrations folder without files.
    /// migrate::rusqlite::Connection::open(&path)?
    ///     .execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// let migrator = migrate::Migrator::open(&format!("sqlite:{}", path.display()), dir)?;
    /// let sql = migrator.preview_bootstrap()?;
    /// assert!(sql.contains("CREATE TABLE note"));
    /// assert!(!dir.join("up").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview_bootstrap(&self) -> Result<String, Error> {
        self.preview_bootstrap_with(Incomplete::Refuse)
    }

    /// [`Migrator::preview_bootstrap`], saying what to do with objects the
    /// dump cannot carry.
    ///
    /// ```
    /// use migrate::Incomplete;
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # let path = dir.join("app.db");
    /// // A database made before migrate, and a migrations folder without files.
    /// migrate::rusqlite::Connection::open(&path)?
    ///     .execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// let migrator = migrate::Migrator::open(&format!("sqlite:{}", path.display()), dir)?;
    /// let sql = migrator.preview_bootstrap_with(Incomplete::Allow)?;
    /// assert!(sql.contains("CREATE TABLE note"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview_bootstrap_with(&self, incomplete: Incomplete) -> Result<String, Error> {
        self.preview_bootstrap_in(&Scope::Default, incomplete)
    }

    /// [`Migrator::preview_bootstrap_with`] of the schemas `scope` names.
    ///
    /// ```no_run
    /// use migrate::{Incomplete, Migrator, Scope};
    ///
    /// let migrator = Migrator::open("postgres://app@db/app", "migrations")?;
    /// // `schema_dump --bootstrap --all-schemas --dry-run`
    /// print!("{}", migrator.preview_bootstrap_in(&Scope::All, Incomplete::Refuse)?);
    /// # Ok::<(), migrate::Error>(())
    /// ```
    pub fn preview_bootstrap_in(
        &self,
        scope: &Scope,
        incomplete: Incomplete,
    ) -> Result<String, Error> {
        if let Some(existing) = first_migration_file(&self.config().dir) {
            return Err(Refusal::FilesExist(existing).into());
        }
        let mut backend = self.session(Create::Never)?;
        let state = read_state(backend.as_mut())?;
        if let Some(version) = state.records.keys().next() {
            return Err(
                Refusal::NotEmpty(vec![format!("version {version} in the version table")]).into(),
            );
        }
        dump(backend.as_mut(), scope, incomplete)
    }

    /// Adopts an existing database: writes its dump as `up/1.sql` (refusing
    /// when any migration file exists) and records version 1 as added
    /// without running it. Returns what the mark did.
    ///
    /// ```
    /// use migrate::{Options, Version};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # let path = dir.join("app.db");
    /// // A database made before migrate, and a migrations folder without files.
    /// migrate::rusqlite::Connection::open(&path)?
    ///     .execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// let migrator = migrate::Migrator::open(&format!("sqlite:{}", path.display()), dir)?;
    /// let summary = migrator.bootstrap(&Options::default())?;
    /// assert_eq!(summary.done[0].to_string(), "mark 1 up/1.sql");
    /// assert!(dir.join("up/1.sql").exists());
    /// assert_eq!(migrator.current_version()?, Some(Version::FIRST));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bootstrap(&self, options: &Options) -> Result<crate::execute::RunSummary, Error> {
        self.bootstrap_with(options, Incomplete::Refuse)
    }

    /// [`Migrator::bootstrap`], saying what to do with objects the dump
    /// cannot carry.
    ///
    /// ```
    /// use migrate::{Incomplete, Options};
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # let path = dir.join("app.db");
    /// // A database made before migrate, and a migrations folder without files.
    /// migrate::rusqlite::Connection::open(&path)?
    ///     .execute_batch("CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// let migrator = migrate::Migrator::open(&format!("sqlite:{}", path.display()), dir)?;
    /// let summary = migrator.bootstrap_with(&Options::default(), Incomplete::Allow)?;
    /// assert_eq!(summary.done.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bootstrap_with(
        &self,
        options: &Options,
        incomplete: Incomplete,
    ) -> Result<crate::execute::RunSummary, Error> {
        self.bootstrap_in(options, &Scope::Default, incomplete)
    }

    /// [`Migrator::bootstrap_with`] of the schemas `scope` names.
    ///
    /// ```no_run
    /// use migrate::{Incomplete, Migrator, Options, Scope};
    ///
    /// let migrator = Migrator::open("postgres://app@db/app", "migrations")?;
    /// // `schema_dump --bootstrap --schema app`
    /// let scope = Scope::Named(vec!["app".to_string()]);
    /// migrator.bootstrap_in(&Options::default(), &scope, Incomplete::Refuse)?;
    /// # Ok::<(), migrate::Error>(())
    /// ```
    pub fn bootstrap_in(
        &self,
        options: &Options,
        scope: &Scope,
        incomplete: Incomplete,
    ) -> Result<crate::execute::RunSummary, Error> {
        let dir = &self.config().dir;
        let dumped = self.preview_bootstrap_in(scope, incomplete)?;
        let up = dir.join("up");
        std::fs::create_dir_all(&up)
            .map_err(|error| Error::Usage(format!("cannot create {}: {error}", up.display())))?;
        write_whole(&up.join("1.sql"), &dumped, Replace::No)?;
        let outcome = self.migrate(
            Command::Mark(crate::version::Version::FIRST),
            options,
            crate::plan::RunOptions::default(),
            &mut |_| {},
        )?;
        match outcome.error {
            Some(error) => Err(error),
            None => Ok(outcome),
        }
    }

    /// Runs `schema/schema.sql` on an empty database, creating the schema and
    /// the version tables with their rows. Returns the number of statements.
    ///
    /// ```
    /// # let temp = tempfile::tempdir()?;
    /// # let dir = temp.path();
    /// # std::fs::create_dir(dir.join("up"))?;
    /// # std::fs::write(dir.join("up/1_init.sql"), "CREATE TABLE note (id INTEGER PRIMARY KEY);")?;
    /// # let url = format!("sqlite:{}", dir.join("app.db").display());
    /// // A development database whose schema file migrate keeps (a `schema/` folder).
    /// std::fs::create_dir(dir.join("schema"))?;
    /// let dev = migrate::Migrator::open(&url, dir)?.refresh_schema_file(true);
    /// dev.up()?;
    /// // A new database from schema/schema.sql, without replaying the versions.
    /// let test_url = format!("sqlite:{}", dir.join("test.db").display());
    /// let test = migrate::Migrator::open(&test_url, dir)?;
    /// assert!(test.load()? > 0);
    /// assert_eq!(test.current_version()?, Some(migrate::Version::FIRST));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(&self) -> Result<usize, Error> {
        let path = self.config().dir.join(SCHEMA_FILE);
        let bytes = std::fs::read(&path).map_err(|error| {
            Error::Usage(format!(
                "cannot read {}: {error} (write it with `migrate schema_dump --output {SCHEMA_FILE}` \
                 or keep a schema/ folder)",
                path.display()
            ))
        })?;
        let text = String::from_utf8(bytes)
            .map(|text| normalise(&text))
            .map_err(|_| Error::Usage(format!("{SCHEMA_FILE} is not valid UTF-8")))?;
        let tables = &self.config().tables;
        self.locked(|backend| {
            let present = backend
                .dump_schema()
                .map_err(Error::database("cannot read the schema from the catalog"))?;
            let state = read_state(backend)?;
            if !present.is_empty() || state.tables_exist {
                let mut objects: Vec<String> = present.into_iter().map(|item| item.name).collect();
                if state.tables_exist {
                    objects.insert(0, tables.versions.clone());
                }
                return Err(Refusal::NotEmpty(objects).into());
            }
            crate::execute::load::load(backend, SCHEMA_FILE, &text)
        })
    }
}

/// The first `.sql` file under `up/` or `down/`, if any.
fn first_migration_file(dir: &Path) -> Option<String> {
    ["up", "down"].into_iter().find_map(|folder| {
        walkdir::WalkDir::new(dir.join(folder))
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .find(|entry| {
                entry.file_type().is_file() && entry.file_name().to_string_lossy().ends_with(".sql")
            })
            .map(|entry| {
                entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .display()
                    .to_string()
            })
    })
}
