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
    pub fn dump_schema(&self) -> Result<String, Error> {
        self.dump_schema_with(Incomplete::Refuse)
    }

    /// [`Migrator::dump_schema`], saying what to do with objects the dump
    /// cannot carry.
    pub fn dump_schema_with(&self, incomplete: Incomplete) -> Result<String, Error> {
        self.dump_schema_in(&Scope::Default, incomplete)
    }

    /// [`Migrator::dump_schema_with`] of the schemas `scope` names
    /// (`--schema`, `--all-schemas`: PostgreSQL only).
    pub fn dump_schema_in(&self, scope: &Scope, incomplete: Incomplete) -> Result<String, Error> {
        let mut backend = self.session(Create::Never)?;
        dump(backend.as_mut(), scope, incomplete)
    }

    /// What `--bootstrap` would write as `up/1.sql`, after its checks
    /// (no migration file, no version row); changes nothing.
    pub fn preview_bootstrap(&self) -> Result<String, Error> {
        self.preview_bootstrap_with(Incomplete::Refuse)
    }

    /// [`Migrator::preview_bootstrap`], saying what to do with objects the
    /// dump cannot carry.
    pub fn preview_bootstrap_with(&self, incomplete: Incomplete) -> Result<String, Error> {
        self.preview_bootstrap_in(&Scope::Default, incomplete)
    }

    /// [`Migrator::preview_bootstrap_with`] of the schemas `scope` names.
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
    pub fn bootstrap(&self, options: &Options) -> Result<crate::execute::RunSummary, Error> {
        self.bootstrap_with(options, Incomplete::Refuse)
    }

    /// [`Migrator::bootstrap`], saying what to do with objects the dump
    /// cannot carry.
    pub fn bootstrap_with(
        &self,
        options: &Options,
        incomplete: Incomplete,
    ) -> Result<crate::execute::RunSummary, Error> {
        self.bootstrap_in(options, &Scope::Default, incomplete)
    }

    /// [`Migrator::bootstrap_with`] of the schemas `scope` names.
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
