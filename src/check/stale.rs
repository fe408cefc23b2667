//! `schema-file-stale`: after the walk, the schema must equal the dump part
//! of `schema/schema.sql`, when the folder has that file (SPEC section 9).
//!
//! The texts are compared first, which is all a current file costs. A file
//! that differs is loaded into a second scratch database made beside the
//! first (`load`, as a user would load it) and dumped, so the finding shows
//! the objects that differ, not a byte diff of two files. The walk takes
//! every version through every phase its files define; a file written from
//! a database where some versions were only added says so in its version
//! rows, and the finding names those versions, since the two schemas then
//! differ for a reason that is not staleness.

use std::path::Path;

use super::diff::diff;
use super::scratch::Scratch;
use super::{Finding, rule};
use crate::backend::{Create, connect};
use crate::dump::{DumpItem, render, split_omitted};
use crate::error::Error;
use crate::migrator::{Config, Migrator};
use crate::record::DbState;
use crate::schema::{SCHEMA_FILE, VERSION_TABLES_HEADING};
use crate::script::normalise;

/// What the walk left, to compare with the file.
pub(super) struct Walked<'a> {
    /// The scratch database's configuration (its URL, the folder, the tables).
    pub config: &'a Config,
    /// The database's name for the dump's header (`SQLite`).
    pub database: &'static str,
    /// The schema after the walk.
    pub schema: &'a [DumpItem],
    /// The version table after the walk.
    pub state: &'a DbState,
}

/// The finding when `schema/schema.sql` exists and differs from the schema.
pub(super) fn compare(walked: &Walked<'_>) -> Result<Option<Finding>, Error> {
    let path = walked.config.dir.join(SCHEMA_FILE);
    let Some(text) = read(&path)? else {
        return Ok(None);
    };
    let written = text
        .split_once(VERSION_TABLES_HEADING)
        .map_or(text.as_str(), |(dump, _)| dump);
    if written == render(walked.database, walked.schema.to_vec()) {
        return Ok(None);
    }
    let message = "the schema after every version differs from the one this file holds; \
                   rewrite it from a database migrated with these files";
    let finding = match loaded(walked.config) {
        Ok((items, recorded)) => Finding {
            diff: Some(diff(&items, walked.schema)),
            ..Finding::error(
                rule::SCHEMA_FILE_STALE,
                None,
                None,
                Some(SCHEMA_FILE),
                format!("{message}{}", states_differ(&recorded, walked.state)),
            )
        },
        Err(error) => Finding::error(
            rule::SCHEMA_FILE_STALE,
            None,
            None,
            Some(SCHEMA_FILE),
            format!("{message} (loading it to show the objects that differ failed: {error})"),
        ),
    };
    Ok(Some(finding))
}

/// The file's text, line ends normalised; `None` when there is no file.
fn read(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(|text| Some(normalise(&text)))
            .map_err(|_| Error::Usage(format!("{SCHEMA_FILE} is not valid UTF-8"))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Error::Usage(format!(
            "cannot read {}: {error}",
            path.display()
        ))),
    }
}

/// The objects and version rows of `schema/schema.sql`, loaded into a
/// scratch database of its own beside `config`'s.
fn loaded(config: &Config) -> Result<(Vec<DumpItem>, DbState), Error> {
    let scratch = Scratch::open(&config.url, None, &config.tables)?;
    let config = Config {
        url: scratch.url.clone(),
        ..config.clone()
    };
    Migrator::new(config.clone())
        .refresh_schema_file(false)
        .load()?;
    let mut backend = connect(&config.url, Create::Never, &config.tables, &config.run_lock)?;
    let items = backend.dump_schema().map_err(Error::database(
        "cannot read the schema of the scratch database",
    ))?;
    let state = crate::migrator::read_state(backend.as_mut())?;
    Ok((split_omitted(items).0, state))
}

/// `; it records version 5 as added, which check took to dropped`, or nothing.
fn states_differ(recorded: &DbState, walked: &DbState) -> String {
    let versions: std::collections::BTreeSet<_> = recorded
        .records
        .keys()
        .chain(walked.records.keys())
        .collect();
    let differ: Vec<String> = versions
        .into_iter()
        .filter(|version| recorded.state_of(**version) != walked.state_of(**version))
        .map(|version| {
            format!(
                "version {version} as {} (check took it to {})",
                recorded.state_of(*version).as_str(),
                walked.state_of(*version).as_str()
            )
        })
        .collect();
    match differ.is_empty() {
        true => String::new(),
        false => format!("; it records {}", differ.join(", ")),
    }
}
