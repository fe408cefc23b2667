//! `squash N` (SPEC section 10): replaces the versions up to N by one
//! checkpoint file, `up/N_checkpoint.sql`.
//!
//! The checkpoint is built from a scratch database (the one `check` uses,
//! `check/scratch.rs`): every phase of every version up to N runs there
//! through the planner and the executor, as a deploy would (`ff N`); then
//! the schema is dumped as `schema_dump` dumps it (`dump.rs`) and the rows
//! of every table that is not empty are read by the backend (`data.rs`,
//! each backend's `rows.rs`). The file is: the `checkpoint` directive, a
//! header listing each version it stands for and the state it ended in
//! (`-- squashed: 7 dropped add_email`, which the scanner reads back), the
//! schema up to the indexes, the rows, then foreign keys, views, triggers
//! and the rest, so the rows go in before any constraint or trigger that
//! would check or react to them. The same folder always gives the same bytes.
//!
//! What a database does with a checkpoint is decided in `coverage.rs` and
//! the planner: it runs as version N's add file where none of its versions
//! ran, and is skipped where all did.

pub(crate) mod coverage;
pub(crate) mod data;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::backend::Backend;
use crate::check::scratch::Scratch;
use crate::dump::{DumpItem, Section, order, split_omitted};
use crate::error::{DbError, Error};
use crate::migrator::{Config, Migrator, read_state, run_locked};
use crate::plan::{Command, Options, Refusal, RunOptions};
use crate::scan::{Catalogue, Squashed, scan};
use crate::settings::DatabaseUrl;
use crate::state::{Operation, State};
use crate::version::Version;

/// What `squash` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquashRequest {
    /// N: the checkpoint stands for every version up to it.
    pub version: Version,
    /// `--archive DIR`: move the squashed files there instead of removing them.
    pub archive: Option<PathBuf>,
    /// `--dry-run`: print the checkpoint and the files, write nothing.
    pub dry_run: bool,
    /// `--final`: the versions with later phases are declared finished.
    pub finished: bool,
    /// `--scratch-url` or `MIGRATE_SCRATCH_URL`; `None` makes one.
    pub scratch_url: Option<DatabaseUrl>,
}

/// What `squash` wrote (or, with `--dry-run`, would write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquashReport {
    /// N.
    pub version: Version,
    /// The checkpoint file, relative to the folder.
    pub checkpoint: String,
    /// Its text.
    pub sql: String,
    /// Every version it stands for, ascending.
    pub squashed: Vec<Version>,
    /// The files removed (or archived), relative to the folder.
    pub removed: Vec<String>,
    /// Where they went, with `--archive`.
    pub archive: Option<PathBuf>,
    /// How many tables the data part fills, and with how many rows.
    pub tables: usize,
    /// How many rows.
    pub rows: usize,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The scratch database, without a password.
    pub scratch: String,
    /// How long it took, in milliseconds.
    pub ms: u64,
}

/// Squashes the folder of `config` up to `request.version`; `config.url`
/// only says where to make the scratch database, and is never changed.
pub fn squash(config: &Config, request: &SquashRequest) -> Result<SquashReport, Error> {
    let started = Instant::now();
    let target = request.version;
    let catalogue = scan(&config.dir).map_err(Error::Folder)?;
    let squashed = squashed_versions(&catalogue, target)?;
    let unfinished: Vec<Version> = catalogue
        .versions()
        .filter(|files| files.version <= target)
        .filter(|files| {
            files.file(Operation::Simdrop).is_some() || files.file(Operation::Drop).is_some()
        })
        .map(|files| files.version)
        .collect();
    if !unfinished.is_empty() && !request.finished {
        return Err(Refusal::UnfinishedPhases {
            target,
            versions: unfinished,
        }
        .into());
    }
    let archive = request
        .archive
        .as_deref()
        .map(|archive| checked_archive(&config.dir, archive))
        .transpose()?;
    let scratch = Scratch::open(&config.url, request.scratch_url.as_ref(), &config.tables)?;
    let scratch_config = Config {
        url: scratch.url.clone(),
        ..config.clone()
    };
    let run = config.run_options();
    let (database, items, data) = Migrator::new(scratch_config)
        .refresh_schema_file(false)
        .locked(|backend| build(backend, &catalogue, target, run, &scratch.description))?;
    let sql = checkpoint_text(target, &squashed, database, items, &data)?;
    let removed: Vec<String> = catalogue
        .versions()
        .filter(|files| files.version <= target)
        .flat_map(|files| {
            Operation::ALL
                .iter()
                .filter_map(|operation| files.file(*operation))
                .map(|file| file.path.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let checkpoint = format!("up/{target}_checkpoint.sql");
    if !request.dry_run {
        write(&config.dir, &checkpoint, &sql, &removed, archive.as_deref())?;
    }
    Ok(SquashReport {
        version: target,
        checkpoint,
        sql,
        squashed: squashed.iter().map(|entry| entry.version).collect(),
        removed,
        archive,
        tables: data.tables.len(),
        rows: data.row_count(),
        dry_run: request.dry_run,
        scratch: scratch.description.clone(),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// Every version the checkpoint stands for, with the state it ends in:
/// the folder's versions up to `target`, and those of a checkpoint among
/// them.
fn squashed_versions(catalogue: &Catalogue, target: Version) -> Result<Vec<Squashed>, Error> {
    if catalogue.get(target).is_none() {
        let below = catalogue
            .versions()
            .rev()
            .find(|files| files.version < target)
            .map(|files| format!(" (the highest below it is {})", files.version))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "squash {target}: there is no version {target} in the folder{below}; the \
             checkpoint takes the number of a version it stands for"
        )));
    }
    if catalogue
        .checkpoints()
        .any(|checkpoint| checkpoint.version == target)
    {
        return Err(Error::Usage(format!(
            "squash {target}: up/{target}_checkpoint.sql already stands for every version up \
             to {target}; squash a higher version to fold it in"
        )));
    }
    let mut squashed: Vec<Squashed> = Vec::new();
    for files in catalogue.versions().filter(|files| files.version <= target) {
        match catalogue
            .checkpoints()
            .find(|checkpoint| checkpoint.version == files.version)
        {
            // A database may have run the earlier checkpoint: its entries
            // remember it, so that such a database is not part-way.
            Some(checkpoint) => squashed.extend(checkpoint.squashed.iter().map(|entry| {
                let mut entry = entry.clone();
                entry.checkpoints.push(checkpoint.version);
                entry
            })),
            None => squashed.push(Squashed {
                version: files.version,
                name: files.name.clone(),
                state: match crate::add_only::is_add_only(catalogue, files.version) {
                    true => State::Added,
                    false => State::Dropped,
                },
                checkpoints: Vec::new(),
            }),
        }
    }
    squashed.sort_by_key(|entry| entry.version);
    squashed.dedup_by_key(|entry| entry.version);
    Ok(squashed)
}

/// On the locked scratch database: checks it is empty, runs every phase of
/// every version up to `target`, and reads the schema and the rows.
fn build(
    backend: &mut dyn Backend,
    catalogue: &Catalogue,
    target: Version,
    run: RunOptions,
    scratch: &str,
) -> Result<(&'static str, Vec<DumpItem>, data::DataDump), Error> {
    // What a new database of the server already holds (PostgreSQL's
    // comment on `public`, the settings a dump opens with) is not content.
    let existing: Vec<String> = backend
        .dump_schema()
        .map_err(Error::database(
            "cannot read the schema of the scratch database",
        ))?
        .into_iter()
        .filter(|item| {
            !matches!(
                item.section,
                Section::Settings | Section::Schemas | Section::Comments
            )
        })
        .map(|item| item.name)
        .collect();
    if !existing.is_empty() || read_state(backend)?.tables_exist {
        return Err(Error::Usage(format!(
            "{scratch} is not empty: squash builds the checkpoint in an empty database; \
             name another with --scratch-url, or none to let squash make one"
        )));
    }
    // The checkpoint holds what the versions build: repeatable files keep
    // running after it, from their own files.
    let versions_only = catalogue.without_repeatables();
    let summary = run_locked(
        backend,
        &versions_only,
        Command::Ff(Some(target)),
        &Options::default(),
        run,
        &mut |_| {},
    )?;
    if let Some(error) = summary.and_then(|summary| summary.error) {
        return Err(error);
    }
    let items = backend.dump_schema().map_err(Error::database(
        "cannot read the schema of the scratch database",
    ))?;
    let rows = backend.dump_data().map_err(Error::database(
        "cannot read the rows of the scratch database",
    ))?;
    Ok((backend.dialect().name(), items, rows))
}

/// The checkpoint's text: directive, header, schema, rows, the rest of the schema.
fn checkpoint_text(
    target: Version,
    squashed: &[Squashed],
    database: &str,
    items: Vec<DumpItem>,
    data: &data::DataDump,
) -> Result<String, Error> {
    let (items, omitted) = split_omitted(items);
    if !omitted.is_empty() {
        return Err(Error::Database {
            context: "cannot squash: the checkpoint would not recreate the whole schema"
                .to_string(),
            source: DbError::new(format!(
                "the dump cannot carry {}: squash a version before they appear",
                omitted.join(", ")
            )),
        });
    }
    let mut text = header(target, squashed, database);
    let (first, rest): (Vec<DumpItem>, Vec<DumpItem>) = order(items)
        .into_iter()
        .partition(|item| item.section <= Section::Indexes);
    for item in &first {
        text.push('\n');
        text.push_str(item.sql.trim_end());
        text.push('\n');
    }
    text.push_str(&data::render(data));
    for item in &rest {
        text.push('\n');
        text.push_str(item.sql.trim_end());
        text.push('\n');
    }
    Ok(text)
}

/// The directive and the list of squashed versions the scanner reads back.
fn header(target: Version, squashed: &[Squashed], database: &str) -> String {
    let first = squashed.first().map_or(target, |entry| entry.version);
    let mut text = format!(
        "-- migrate: checkpoint\n\
         -- Versions {first} to {target}, squashed by `migrate squash {target}` on a {database} \
         database:\n\
         -- the schema, and the rows of every table, after every phase of each ran.\n\
         -- A database with none of them runs this file instead; one that ran them all\n\
         -- to the state listed below skips it. A checkpoint has no down file.\n"
    );
    for entry in squashed {
        let name = entry
            .name
            .as_deref()
            .map(|name| format!(" {name}"))
            .unwrap_or_default();
        let within = match entry.checkpoints.is_empty() {
            true => String::new(),
            false => {
                let list: Vec<String> = entry.checkpoints.iter().map(Version::to_string).collect();
                format!(" in-checkpoint={}", list.join(","))
            }
        };
        text.push_str(&format!(
            "-- squashed: {} {}{name}{within}\n",
            entry.version, entry.state
        ));
    }
    text
}

/// Refuses an archive folder inside `up/` or `down/`, where the scanner
/// would find the squashed files again.
fn checked_archive(dir: &Path, archive: &Path) -> Result<PathBuf, Error> {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let archive_abs = absolute(archive);
    for folder in ["up", "down"] {
        if archive_abs.starts_with(absolute(&dir.join(folder))) {
            return Err(Error::Usage(format!(
                "--archive {}: that is inside the migrations folder's {folder}/, where the \
                 squashed files would be found again; archive them outside it",
                archive.display()
            )));
        }
    }
    Ok(archive.to_path_buf())
}

/// Writes the checkpoint and removes (or archives) the squashed files: the
/// checkpoint goes to a hidden file first (the scanner skips it), so a
/// failure leaves the folder as it was or with every old file still there.
fn write(
    dir: &Path,
    checkpoint: &str,
    sql: &str,
    removed: &[String],
    archive: Option<&Path>,
) -> Result<(), Error> {
    let io = |what: String| move |error: std::io::Error| Error::Usage(format!("{what}: {error}"));
    let final_path = dir.join(checkpoint);
    let file_name = final_path
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    let temporary = dir.join("up").join(format!(".{file_name}.tmp"));
    std::fs::write(&temporary, sql).map_err(io(format!("cannot write {}", temporary.display())))?;
    for path in removed {
        let source = dir.join(path);
        match archive {
            Some(archive) => {
                let destination = archive.join(path);
                if let Some(parent) = destination.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(io(format!("cannot create {}", parent.display())))?;
                }
                move_file(&source, &destination).map_err(io(format!(
                    "cannot move {} to {}",
                    source.display(),
                    destination.display()
                )))?;
            }
            None => std::fs::remove_file(&source)
                .map_err(io(format!("cannot remove {}", source.display())))?,
        }
    }
    std::fs::rename(&temporary, &final_path)
        .map_err(io(format!("cannot write {}", final_path.display())))
}

/// Renames, or copies and removes across file systems.
fn move_file(source: &Path, destination: &Path) -> std::io::Result<()> {
    if std::fs::rename(source, destination).is_ok() {
        return Ok(());
    }
    std::fs::copy(source, destination)?;
    std::fs::remove_file(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::files;

    #[test]
    fn the_header_lists_every_version_and_reads_back() {
        let catalogue = files(&["1", "up/2_init.sql", "3"]);
        let squashed = squashed_versions(&catalogue, Version::new(3).unwrap()).unwrap();
        let text = header(Version::new(3).unwrap(), &squashed, "SQLite");
        assert!(text.starts_with("-- migrate: checkpoint\n-- Versions 1 to 3,"));
        assert!(text.contains(
            "-- squashed: 1 dropped\n-- squashed: 2 added init\n-- squashed: 3 dropped\n"
        ));
        let read = crate::scan::parse_squashed(&text).unwrap();
        assert_eq!(read, squashed);
        let script = crate::script::Script::parse(text.as_bytes()).unwrap();
        assert!(script.directives.checkpoint);
    }

    #[test]
    fn a_version_not_in_the_folder_or_already_a_checkpoint_is_refused() {
        let catalogue = files(&["up/1.sql", "up/3.sql"]);
        let error = squashed_versions(&catalogue, Version::new(2).unwrap()).unwrap_err();
        assert!(
            error.to_string().contains("highest below it is 1"),
            "{error}"
        );
    }

    #[test]
    fn an_archive_inside_up_is_refused() {
        let dir = Path::new("/tmp/project");
        assert!(checked_archive(dir, &dir.join("up/old")).is_err());
        assert!(checked_archive(dir, &dir.join("archive")).is_ok());
    }
}
