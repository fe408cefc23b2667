//! Migrations compiled into the application (issue 17): a build script
//! scans the folder with the real scanner and writes the files' bytes into
//! the build, and [`crate::embedded_migrations!`] hands them to
//! [`crate::Migrator::embedded`], which reads them with the same name
//! grammar, script rules and pairing checks as a folder on disk. The
//! checksums are of the same bytes, so drift, `verify` and the planner
//! cannot tell the two apart.
//!
//! In the application's `build.rs` (with `migrate` also a
//! `[build-dependencies]` entry; `default-features = false` keeps that
//! build small):
//!
//! ```no_run
//! fn main() -> Result<(), migrate::Error> {
//!     migrate::embed::build("migrations")
//! }
//! ```
//!
//! and in the application:
//!
//! ```ignore
//! let migrator = migrate::Migrator::embedded("sqlite:app.db", migrate::embedded_migrations!())?;
//! migrator.up()?;
//! ```
//!
//! A file the scanner refuses (a bad name, a file that is not UTF-8, an
//! unpaired down file) fails the build with an error naming it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::repeatable;
use crate::scan::{Catalogue, FileProblem, MigrationFile, parse_name_in, scan};
use crate::script::Script;

/// The folders of the migrations folder that are compiled in, and whether
/// each holds forward files. Repeatable files join here once the scanner
/// knows their folder.
const FOLDERS: [(&str, bool); 2] = [("up", true), ("down", false)];

/// One migration file compiled into the application: its path relative to
/// the migrations folder (`up/1_init.sql`) and its bytes, unchanged.
///
/// ```
/// let file = migrate::EmbeddedFile { path: "up/1_init.sql", bytes: b"CREATE TABLE t (id INT);" };
/// assert_eq!(file.path, "up/1_init.sql");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// Relative to the migrations folder, with `/` separators.
    pub path: &'static str,
    /// The file's bytes, as on disk.
    pub bytes: &'static [u8],
}

/// For a build script: scans `dir` (relative to the package, holding `up/`
/// and `down/`) as `migrate` does, asks Cargo to rerun when it changes, and
/// writes `$OUT_DIR/migrate_embedded.rs` for [`crate::embedded_migrations!`].
/// A refused file fails the build: each problem is printed as a Cargo error
/// naming the file and line, and the error is returned.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), migrate::Error> {
///     migrate::embed::build("migrations")
/// }
/// ```
pub fn build(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    println!("cargo::rerun-if-changed={}", dir.display());
    let code = match source(dir) {
        Ok(code) => code,
        Err(error) => {
            if let Error::Folder(problems) = &error {
                for problem in problems {
                    println!(
                        "cargo::error={}: {}",
                        crate::error::location(&problem.path, problem.line),
                        problem.message
                    );
                }
            }
            return Err(error);
        }
    };
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| {
        Error::Usage("OUT_DIR is not set: call migrate::embed::build from build.rs".to_string())
    })?;
    let path = PathBuf::from(out).join("migrate_embedded.rs");
    std::fs::write(&path, code)
        .map_err(|error| Error::Usage(format!("cannot write {}: {error}", path.display())))
}

/// The Rust expression `build` writes: a `&'static [EmbeddedFile]` of
/// every migration file of `dir`, each read with `include_bytes!` from its
/// absolute path (so Cargo tracks it). The folder is scanned first, and a
/// refused file is an [`Error::Folder`] naming it.
///
/// ```no_run
/// let code = migrate::embed::source("migrations".as_ref())?;
/// assert!(code.starts_with("&["));
/// # Ok::<(), migrate::Error>(())
/// ```
pub fn source(dir: &Path) -> Result<String, Error> {
    scan(dir).map_err(Error::Folder)?;
    let absolute = std::fs::canonicalize(dir)
        .map_err(|error| Error::Usage(format!("cannot read {}: {error}", dir.display())))?;
    let mut files = Vec::new();
    let folders = FOLDERS.iter().map(|(folder, _)| *folder);
    for folder in folders.chain([repeatable::FOLDER]) {
        let root = absolute.join(folder);
        if !root.is_dir() {
            continue;
        }
        let entries = walkdir::WalkDir::new(&root)
            .follow_links(true)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
        for entry in entries {
            let entry = entry.map_err(|error| Error::Usage(error.to_string()))?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || !name.ends_with(".sql") {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(&absolute)
                .unwrap_or(entry.path())
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, entry.path().to_path_buf()));
        }
    }
    let mut code = String::from("&[\n");
    for (relative, path) in files {
        let _ = writeln!(
            code,
            "    ::migrate::EmbeddedFile {{ path: {relative:?}, bytes: include_bytes!({:?}) }},",
            path.display().to_string()
        );
    }
    code.push(']');
    Ok(code)
}

/// Reads embedded files into a catalogue with the folder's rules: the name
/// grammar of `up/` and `down/`, the script checks, the pairing checks, and
/// the repeatable files of `repeatable/`.
pub(crate) fn catalogue(files: &[EmbeddedFile]) -> Result<Catalogue, Vec<FileProblem>> {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    let mut repeatables = Vec::new();
    for file in files {
        let problem = |line: Option<usize>, message: String| FileProblem {
            path: file.path.escape_debug().to_string(),
            line: line.filter(|line| *line > 0),
            message,
        };
        let (folder, file_name) = match (file.path.split_once('/'), file.path.rsplit_once('/')) {
            (Some((folder, _)), Some((_, name))) => (folder, name),
            _ => {
                problems.push(problem(
                    None,
                    "not in up/, down/ or repeatable/".to_string(),
                ));
                continue;
            }
        };
        if folder == repeatable::FOLDER {
            match Script::parse(file.bytes) {
                Ok(script) => repeatables.push(MigrationFile {
                    path: file.path.to_string(),
                    script,
                }),
                Err(error) => problems.push(problem(Some(error.line), error.message)),
            }
            continue;
        }
        let Some((_, forward)) = FOLDERS.iter().find(|(name, _)| *name == folder) else {
            problems.push(problem(
                None,
                format!("{folder}/ is not a migrations folder"),
            ));
            continue;
        };
        let parsed = match parse_name_in(file_name, *forward) {
            Ok(parsed) => parsed,
            Err(message) => {
                problems.push(problem(None, message));
                continue;
            }
        };
        match Script::parse(file.bytes) {
            Ok(script) => found.push((
                parsed,
                MigrationFile {
                    path: file.path.to_string(),
                    script,
                },
            )),
            Err(error) => problems.push(problem(Some(error.line), error.message)),
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|left, right| left.path.cmp(&right.path));
        return Err(problems);
    }
    Catalogue::from_files(found)?.with_repeatables(repeatables)
}

/// The migration files a build script compiled in with
/// [`embed::build`](crate::embed::build), as a `&'static [EmbeddedFile]`
/// for [`Migrator::embedded`](crate::Migrator::embedded).
///
/// ```ignore
/// let migrator = migrate::Migrator::embedded("sqlite:app.db", migrate::embedded_migrations!())?;
/// ```
#[macro_export]
macro_rules! embedded_migrations {
    () => {
        include!(concat!(env!("OUT_DIR"), "/migrate_embedded.rs"))
    };
}
