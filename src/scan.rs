//! Reads a migrations folder into a [`Catalogue`]: the file-name grammar and
//! every folder rule of SPEC section 1.
//!
//! The whole tree under `up/` and `down/` is walked once; hidden entries and
//! files not ending in `.sql` are ignored. Every problem found is reported,
//! each naming its file, so a broken folder is fixed in one round.

pub use crate::script::Script;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[cfg(test)]
pub(crate) use self::checkpoint::parse_squashed;
pub use self::checkpoint::{Checkpoint, Squashed};
use self::checkpoint::{check_squashed_files, read_checkpoint};
use crate::repeatable::{self, Repeatable};
use crate::state::Operation;
use crate::version::Version;

/// A problem in the migrations folder, naming its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file, relative to the migrations folder (`up/3.sql`), or the folder itself.
    pub path: String,
    /// 1-based line, or `None` when the file as a whole is at fault.
    pub line: Option<usize>,
    /// What is wrong, lower case, with what to do.
    pub message: String,
}

/// One migration file found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// Path relative to the migrations folder, with `/` separators.
    pub path: String,
    /// The loaded text.
    pub script: Script,
}

/// The files of one version, one slot per operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFiles {
    /// The version.
    pub version: Version,
    /// The description after the underscore, from the first file that has one.
    pub name: Option<String>,
    files: [Option<MigrationFile>; 5],
}

/// Every version the folder defines, in ascending order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    versions: BTreeMap<Version, VersionFiles>,
    checkpoints: BTreeMap<Version, Checkpoint>,
    repeatables: Vec<Repeatable>,
}

/// What a valid file name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// The version number.
    pub version: Version,
    /// The description, if any.
    pub name: Option<String>,
    /// The operation the file carries out.
    pub operation: Operation,
}

impl VersionFiles {
    fn new(version: Version) -> VersionFiles {
        VersionFiles {
            version,
            name: None,
            files: Default::default(),
        }
    }

    /// The file that carries out `operation`, if the folder has one.
    pub fn file(&self, operation: Operation) -> Option<&MigrationFile> {
        self.files[slot(operation)].as_ref()
    }
}

fn slot(operation: Operation) -> usize {
    Operation::ALL
        .iter()
        .position(|candidate| *candidate == operation)
        .unwrap_or_default()
}

impl Catalogue {
    /// The versions in ascending order.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &VersionFiles> {
        self.versions.values()
    }

    /// One version's files.
    pub fn get(&self, version: Version) -> Option<&VersionFiles> {
        self.versions.get(&version)
    }

    /// The highest version in the folder.
    pub fn highest(&self) -> Option<Version> {
        self.versions.keys().next_back().copied()
    }

    /// The checkpoints of the folder, ascending.
    pub fn checkpoints(&self) -> impl DoubleEndedIterator<Item = &Checkpoint> {
        self.checkpoints.values()
    }

    /// The checkpoint that stands for `version`, if one does.
    pub fn squashed_into(&self, version: Version) -> Option<&Checkpoint> {
        self.checkpoints
            .range(version..)
            .map(|(_, checkpoint)| checkpoint)
            .find(|checkpoint| checkpoint.covers(version))
    }

    /// The repeatable files (SPEC section 12), in the order they run.
    pub fn repeatables(&self) -> &[Repeatable] {
        &self.repeatables
    }

    /// The versions alone, without the repeatable files.
    pub(crate) fn without_repeatables(&self) -> Catalogue {
        Catalogue {
            versions: self.versions.clone(),
            checkpoints: self.checkpoints.clone(),
            repeatables: Vec::new(),
        }
    }

    /// The catalogue with the files found under `repeatable/` (paths
    /// relative to the migrations folder), each checked and named.
    pub fn with_repeatables(
        mut self,
        files: impl IntoIterator<Item = MigrationFile>,
    ) -> Result<Catalogue, Vec<FileProblem>> {
        let mut problems = Vec::new();
        for file in files {
            match repeatable::repeatable(file) {
                Ok(found) => self.repeatables.push(found),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            problems.sort_by(|left, right| left.path.cmp(&right.path));
            return Err(problems);
        }
        self.repeatables
            .sort_by(|left, right| left.name.cmp(&right.name));
        Ok(self)
    }

    /// Builds a catalogue from files already parsed, checking the pairing rules.
    pub(crate) fn from_files(
        files: impl IntoIterator<Item = (ParsedName, MigrationFile)>,
    ) -> Result<Catalogue, Vec<FileProblem>> {
        let mut catalogue = Catalogue::default();
        let mut problems = Vec::new();
        for (parsed, file) in files {
            let entry = catalogue
                .versions
                .entry(parsed.version)
                .or_insert_with(|| VersionFiles::new(parsed.version));
            let slot = &mut entry.files[slot(parsed.operation)];
            match slot {
                Some(existing) => problems.push(FileProblem {
                    path: file.path.clone(),
                    line: None,
                    message: format!(
                        "{} and {} are both the {} file of version {}: keep one",
                        existing.path, file.path, parsed.operation, parsed.version
                    ),
                }),
                None => *slot = Some(file),
            }
        }
        for entry in catalogue.versions.values_mut() {
            check_pairs(entry, &mut problems);
            entry.name = Operation::ALL
                .iter()
                .filter_map(|operation| entry.file(*operation))
                .find_map(|file| parse_file_name(file_name_of(&file.path)).ok()?.name);
            match read_checkpoint(entry) {
                Ok(Some(checkpoint)) => {
                    catalogue.checkpoints.insert(entry.version, checkpoint);
                }
                Ok(None) => {}
                Err(problem) => problems.push(problem),
            }
        }
        check_squashed_files(&catalogue, &mut problems);
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            problems.sort_by(|left, right| left.path.cmp(&right.path));
            Err(problems)
        }
    }
}

fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn check_pairs(entry: &VersionFiles, problems: &mut Vec<FileProblem>) {
    let pairs = [
        (Operation::RollbackAdd, Operation::Add),
        (Operation::RollbackSimdrop, Operation::Simdrop),
    ];
    for (rollback, forward) in pairs {
        if let (Some(file), None) = (entry.file(rollback), entry.file(forward)) {
            problems.push(FileProblem {
                path: file.path.clone(),
                line: None,
                message: format!(
                    "{} has no up/{}{}.sql to undo: add it or remove this file",
                    file.path,
                    entry.version,
                    forward.suffix()
                ),
            });
        }
    }
}

/// Parses a file name of `up/` (`forward` true) or `down/`: `N[_desc][.simdrop|.drop].sql`.
pub(crate) fn parse_name_in(file_name: &str, forward: bool) -> Result<ParsedName, String> {
    let parsed = parse_file_name(file_name)?;
    if forward {
        return Ok(parsed);
    }
    let operation = match parsed.operation {
        Operation::Add => Operation::RollbackAdd,
        Operation::Simdrop => Operation::RollbackSimdrop,
        _ => {
            return Err(format!(
                "drop cannot be undone, so there is no down file for it: remove {file_name}"
            ));
        }
    };
    Ok(ParsedName {
        operation,
        ..parsed
    })
}

/// Parses the grammar shared by both folders; the operation is the forward one.
fn parse_file_name(file_name: &str) -> Result<ParsedName, String> {
    // A newline or other control character would split or garble every
    // line of output that names the file or the version's description.
    if let Some(control) = file_name.chars().find(|character| character.is_control()) {
        return Err(format!(
            "{}: the name holds the control character {}: rename the file",
            file_name.escape_debug(),
            control.escape_debug()
        ));
    }
    let stem = file_name
        .strip_suffix(".sql")
        .ok_or_else(|| format!("{file_name} does not end in .sql"))?;
    let (head, operation) = if let Some(head) = stem.strip_suffix(".simdrop") {
        (head, Operation::Simdrop)
    } else if let Some(head) = stem.strip_suffix(".drop") {
        (head, Operation::Drop)
    } else {
        (stem, Operation::Add)
    };
    if let Some((_, phase)) = head.rsplit_once('.') {
        return Err(format!(
            "unknown phase `.{phase}` in {file_name}: phase files end in .simdrop.sql or .drop.sql"
        ));
    }
    let digits_end = head
        .find(|character: char| !character.is_ascii_digit())
        .unwrap_or(head.len());
    let (digits, rest) = head.split_at(digits_end);
    if digits.is_empty() {
        return Err(format!(
            "{file_name} does not start with a version number (e.g. 12_add_email.sql)"
        ));
    }
    let version: Version = digits
        .parse()
        .map_err(|error| format!("{file_name}: {error}"))?;
    let name = match rest {
        "" => None,
        _ => match rest.strip_prefix('_') {
            Some(description) if !description.is_empty() => Some(description.to_string()),
            _ => {
                return Err(format!(
                    "{file_name}: a description follows the version after an underscore \
                     (e.g. {digits}_add_email.sql)"
                ));
            }
        },
    };
    Ok(ParsedName {
        version,
        name,
        operation,
    })
}

/// Walks `<dir>/up` and `<dir>/down` and loads every migration file.
pub(crate) fn scan(dir: &Path) -> Result<Catalogue, Vec<FileProblem>> {
    let up = dir.join("up");
    if !up.is_dir() {
        return Err(vec![FileProblem {
            path: dir.display().to_string(),
            line: None,
            message: format!(
                "no up/ folder in {}: point --dir (or MIGRATE_DIR) at the migrations folder",
                dir.display()
            ),
        }]);
    }
    let mut problems = Vec::new();
    let mut found = Vec::new();
    for (folder, forward) in [("up", true), ("down", false)] {
        let root = dir.join(folder);
        if root.is_dir() {
            walk(dir, &root, &mut problems, &mut |path, file_name| {
                found.push(load(dir, path, file_name, forward)?);
                Ok(())
            });
        }
    }
    let mut repeatables = Vec::new();
    let root = dir.join(repeatable::FOLDER);
    if root.is_dir() {
        walk(dir, &root, &mut problems, &mut |path, _| {
            repeatables.push(load_file(dir, path)?);
            Ok(())
        });
    }
    if !problems.is_empty() {
        problems.sort_by(|left, right| left.path.cmp(&right.path));
        return Err(problems);
    }
    Catalogue::from_files(found)?.with_repeatables(repeatables)
}

/// Hands every `.sql` file under `root` to `take`, which loads it or says
/// what is wrong with it.
fn walk(
    dir: &Path,
    root: &Path,
    problems: &mut Vec<FileProblem>,
    take: &mut dyn FnMut(&Path, &str) -> Result<(), FileProblem>,
) {
    let entries = walkdir::WalkDir::new(root)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error.path().map(Path::to_path_buf).unwrap_or_default();
                problems.push(problem_at(dir, &path, None, error.to_string()));
                continue;
            }
        };
        let file_name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !file_name.ends_with(".sql") {
            continue;
        }
        // The path is stored in the version table and printed: a name that
        // is not UTF-8 would be stored lossily (`up/2_?.sql`, with U+FFFD)
        // and no longer name the file (SPEC section 1).
        if entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_str()
            .is_none()
        {
            problems.push(problem_at(
                dir,
                entry.path(),
                None,
                "the file name is not valid UTF-8: rename the file (or its folder)".to_string(),
            ));
            continue;
        }
        if let Err(problem) = take(entry.path(), &file_name) {
            problems.push(problem);
        }
    }
}

fn load(
    dir: &Path,
    path: &Path,
    file_name: &str,
    forward: bool,
) -> Result<(ParsedName, MigrationFile), FileProblem> {
    let parsed = parse_name_in(file_name, forward)
        .map_err(|message| problem_at(dir, path, None, message))?;
    Ok((parsed, load_file(dir, path)?))
}

fn load_file(dir: &Path, path: &Path) -> Result<MigrationFile, FileProblem> {
    let bytes = std::fs::read(path)
        .map_err(|error| problem_at(dir, path, None, format!("cannot read the file: {error}")))?;
    let script = Script::parse(&bytes)
        .map_err(|problem| problem_at(dir, path, Some(problem.line), problem.message))?;
    Ok(MigrationFile {
        path: relative(dir, path),
        script,
    })
}

fn problem_at(dir: &Path, path: &Path, line: Option<usize>, message: String) -> FileProblem {
    FileProblem {
        // Escaped: a name holding a newline must not split the message.
        path: relative(dir, path).escape_debug().to_string(),
        line: line.filter(|line| *line > 0),
        message,
    }
}

/// A path relative to the migrations folder, with `/` separators.
fn relative(dir: &Path, path: &Path) -> String {
    let inner: PathBuf = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    inner
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[path = "scan_checkpoint.rs"]
mod checkpoint;

#[cfg(all(test, unix))]
#[path = "scan_proptests.rs"]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn version(number: u128) -> Version {
        Version::new(number).unwrap()
    }

    #[test]
    fn valid_names() {
        let cases = [
            ("12.sql", true, 12, None, Operation::Add),
            ("0007.sql", true, 7, None, Operation::Add),
            (
                "12_add_email.sql",
                true,
                12,
                Some("add_email"),
                Operation::Add,
            ),
            (
                "12_add_email.simdrop.sql",
                true,
                12,
                Some("add_email"),
                Operation::Simdrop,
            ),
            ("12.drop.sql", true, 12, None, Operation::Drop),
            ("12.sql", false, 12, None, Operation::RollbackAdd),
            (
                "12_x-y.simdrop.sql",
                false,
                12,
                Some("x-y"),
                Operation::RollbackSimdrop,
            ),
            (
                "20150100000001000000.sql",
                true,
                20150100000001000000,
                None,
                Operation::Add,
            ),
        ];
        for (file_name, forward, number, name, operation) in cases {
            let parsed = parse_name_in(file_name, forward).unwrap();
            assert_eq!(
                parsed,
                ParsedName {
                    version: version(number),
                    name: name.map(str::to_string),
                    operation
                },
                "{file_name}"
            );
        }
    }

    #[test]
    fn invalid_names() {
        let cases = [
            ("12.simdorp.sql", true, "unknown phase `.simdorp`"),
            ("12_a.b.sql", true, "unknown phase `.b`"),
            ("add_email.sql", true, "does not start with a version"),
            ("12-add.sql", true, "after an underscore"),
            ("12_.sql", true, "after an underscore"),
            ("0.sql", true, "version 0 does not exist"),
            ("0_x.sql", true, "version 0 does not exist"),
            (".sql", true, "does not start with a version"),
            ("12.drop.sql", false, "drop cannot be undone"),
            ("12_add\nemail.sql", true, "control character \\n"),
            ("12_add\temail.sql", true, "control character \\t"),
            ("12_add\u{1b}[31m.sql", true, "control character"),
        ];
        for (file_name, forward, message) in cases {
            let error = parse_name_in(file_name, forward).unwrap_err();
            assert!(error.contains(message), "{file_name}: {error}");
        }
        let long = format!("{}.sql", "1".repeat(39));
        assert!(
            parse_name_in(&long, true)
                .unwrap_err()
                .contains("38 digits")
        );
    }

    pub(super) fn file(path: &str) -> (ParsedName, MigrationFile) {
        let (folder, file_name) = path.split_once('/').unwrap();
        let parsed = parse_name_in(file_name, folder == "up").unwrap();
        let script = Script::parse(b"SELECT 1;").unwrap();
        let file = MigrationFile {
            path: path.to_string(),
            script,
        };
        (parsed, file)
    }

    #[test]
    fn pairs_and_duplicates() {
        let catalogue = Catalogue::from_files([
            file("up/1_init.sql"),
            file("up/2.sql"),
            file("down/2.sql"),
            file("up/2.simdrop.sql"),
            file("up/3_cleanup.simdrop.sql"),
            file("up/3.drop.sql"),
        ])
        .unwrap();
        let versions: Vec<_> = catalogue.versions().map(|entry| entry.version).collect();
        assert_eq!(versions, [version(1), version(2), version(3)]);
        assert_eq!(
            catalogue.get(version(1)).unwrap().name.as_deref(),
            Some("init")
        );
        assert_eq!(
            catalogue.get(version(3)).unwrap().name.as_deref(),
            Some("cleanup")
        );
        assert!(
            catalogue
                .get(version(3))
                .unwrap()
                .file(Operation::Add)
                .is_none()
        );

        let problems = Catalogue::from_files([file("up/3.sql"), file("up/03_x.sql")]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("up/3.sql and up/03_x.sql"));

        let problems = Catalogue::from_files([
            file("down/4.sql"),
            file("up/5.sql"),
            file("down/5.simdrop.sql"),
        ])
        .unwrap_err();
        let paths: Vec<_> = problems
            .iter()
            .map(|problem| problem.path.as_str())
            .collect();
        assert_eq!(paths, ["down/4.sql", "down/5.simdrop.sql"]);
        assert!(problems[0].message.contains("no up/4.sql"));
        assert!(problems[1].message.contains("no up/5.simdrop.sql"));
    }
}
