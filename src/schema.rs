//! The schema dump and `schema/schema.sql` (SPEC section 7), on top of each
//! backend's catalog reader; the commands built on them (`schema_dump`,
//! `--bootstrap`, `load`) are `Migrator`'s, in `migrator/schema_commands.rs`.
//!
//! `schema/schema.sql` is the dump followed by the version tables with their
//! rows (not the log), so that the schema's history shows in code review and
//! `load` can build a database at the current version in one step.
//!
//! A dump that silently drops an object makes everything built on it
//! silently wrong (issue 13), so when the catalog reader finds objects it
//! cannot dump ([`crate::dump::Section::Omitted`]), `schema_dump` and `--bootstrap` refuse
//! (exit 1) naming each one, unless the user passes `--allow-incomplete`,
//! which dumps the rest and still warns with counts. The refresh of
//! `schema/schema.sql` after a change cannot refuse (the change has landed):
//! it warns and leaves the file as it was rather than write an incomplete one.
//!
//! On PostgreSQL, `schema_dump --schema A,B` and `--all-schemas` dump more
//! than the connection's schema ([`Scope`]), with every name qualified, so
//! that `load` of such a file recreates each schema whatever the URL's
//! `search_path` (the version tables go to the URL's schema, as always).
//! `schema/schema.sql` is always the single-schema default: its refresh
//! runs after every change, with no flags to remember, and a file that
//! changed form with whoever ran the last command would churn in review.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::dump::{Scope, render, split_omitted};
use crate::error::Error;

/// Where `schema/schema.sql` lives, relative to the migrations folder.
pub const SCHEMA_FILE: &str = "schema/schema.sql";

/// What separates the dump from the version tables in `schema/schema.sql`.
pub(crate) const VERSION_TABLES_HEADING: &str =
    "\n-- The version tables, as migrate recorded them.\n";

/// What to do when the schema holds objects the dump cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Incomplete {
    /// Refuse (exit 1), naming each object: the default.
    #[default]
    Refuse,
    /// Dump the rest and warn on stderr with counts (`--allow-incomplete`).
    Allow,
}

/// The dump of the live schema, as `schema_dump` prints it.
pub fn dump(
    backend: &mut dyn Backend,
    scope: &Scope,
    incomplete: Incomplete,
) -> Result<String, Error> {
    let items = backend
        .dump_schemas(scope)
        .map_err(Error::database("cannot read the schema from the catalog"))?;
    let (items, omitted) = split_omitted(items);
    if !omitted.is_empty() {
        match incomplete {
            Incomplete::Refuse => return Err(incomplete_error(&omitted)),
            Incomplete::Allow => {
                log::warn!("the dump is incomplete: {}", omitted_summary(&omitted))
            }
        }
    }
    Ok(render(backend.dialect().name(), items))
}

/// The refusal of a dump that would leave out `omitted` (exit 1).
fn incomplete_error(omitted: &[String]) -> Error {
    Error::Database {
        context: "cannot dump the schema completely".to_string(),
        source: crate::error::DbError::new(format!(
            "{} cannot be dumped:\n  {}\ndrop or move them, or pass --allow-incomplete to dump \
             the rest without them",
            count(omitted.len()),
            omitted.join("\n  ")
        )),
    }
}

/// `N object(s)`, then how many of each kind (what comes before the `: `
/// of each name, as the catalog readers write them).
fn omitted_summary(omitted: &[String]) -> String {
    let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for name in omitted {
        let kind = name.split(": ").next().unwrap_or_default();
        *kinds.entry(kind).or_default() += 1;
    }
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    format!(
        "{} left out ({}): {}",
        count(omitted.len()),
        kinds.join(", "),
        omitted.join("; ")
    )
}

fn count(n: usize) -> String {
    match n {
        1 => "1 object".to_string(),
        n => format!("{n} objects"),
    }
}

/// The text of `schema/schema.sql`: the dump, then the version tables and
/// rows; refused when the dump would be incomplete.
pub fn schema_file(backend: &mut dyn Backend) -> Result<String, Error> {
    let dumped = dump(backend, &Scope::Default, Incomplete::Refuse)?;
    let state = backend
        .read_state()
        .map_err(Error::database("cannot read the version table"))?;
    Ok(format!(
        "{dumped}{VERSION_TABLES_HEADING}{}",
        backend.version_table_sql(&state)
    ))
}

/// Rewrites `<dir>/schema/schema.sql` when `<dir>/schema/` exists; returns
/// the path written, if any.
pub fn refresh(backend: &mut dyn Backend, dir: &Path) -> Result<Option<PathBuf>, Error> {
    if !dir.join("schema").is_dir() {
        return Ok(None);
    }
    let path = dir.join(SCHEMA_FILE);
    let text = schema_file(backend)?;
    write_whole(&path, &text, Replace::Yes)?;
    Ok(Some(path))
}

/// Whether [`write_whole`] may replace a file that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replace {
    Yes,
    No,
}

/// Writes `text` to a temporary file beside `path`, flushes it to disk and
/// renames it over `path`: a full disk or a crash leaves the old file whole,
/// never a truncated one that `load` would run.
pub(crate) fn write_whole(path: &Path, text: &str, replace: Replace) -> Result<(), Error> {
    let failed =
        |error: std::io::Error| Error::Usage(format!("cannot write {}: {error}", path.display()));
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    temporary.write_all(text.as_bytes()).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    let persisted = match replace {
        Replace::Yes => temporary.persist(path),
        Replace::No => temporary.persist_noclobber(path),
    };
    persisted.map(|_| ()).map_err(|error| failed(error.error))
}
