//! `migrate new NAME`: creates the files of the next version, each with a
//! comment saying what belongs in it. No database is involved.
//!
//! The next version is one more than the highest in the folder, or with
//! `--timestamp` the UTC time as `YYYYMMDDHHMMSS`. The name must survive the
//! scanner's own file-name grammar ([`crate::scan::parse_name_in`]), so that
//! every file created here is one the scanner reads back as this version and
//! this name. No file is ever overwritten: when one exists, nothing is
//! written at all.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use crate::error::Error;
use crate::scan::{Catalogue, parse_name_in, scan};
use crate::state::Operation;
use crate::version::Version;

/// The longest name accepted, in bytes: with a 38-digit version and
/// `.simdrop.sql`, a file name stays well under the usual 255-byte limit.
pub const MAX_NAME_BYTES: usize = 200;

/// Characters refused in a name although the scanner would read them: they
/// separate paths or are not allowed in file names on some systems, where a
/// checkout of the repository would fail.
const UNPORTABLE: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// What `migrate new` was asked to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// The description after the underscore (`add_email`).
    pub name: String,
    /// Also create `up/N_NAME.simdrop.sql` and `down/N_NAME.simdrop.sql`.
    pub simdrop: bool,
    /// Also create `up/N_NAME.drop.sql`.
    pub drop: bool,
    /// Number the version by the UTC time (`YYYYMMDDHHMMSS`) instead of
    /// one more than the highest version in the folder.
    pub timestamp: bool,
    /// `--template FILE`: the text of the add file, `{{version}}` and
    /// `{{name}}` filled in, instead of the explaining comment.
    pub template: Option<std::path::PathBuf>,
}

/// The largest template read: a template is a few lines.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// The text of a `--template` file, or why it cannot be one.
fn read_template(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let shown = path.display();
    let cannot = |why: String| Error::Usage(format!("cannot use the template {shown}: {why}"));
    let file = fs::File::open(path).map_err(|error| cannot(error.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_TEMPLATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| cannot(error.to_string()))?;
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(cannot("it is larger than 1 MiB".to_string()));
    }
    String::from_utf8(bytes).map_err(|_| cannot("it is not UTF-8 text".to_string()))
}

/// `template` with `{{version}}` and `{{name}}` filled in.
pub fn fill_template(template: &str, version: Version, name: &str) -> String {
    template
        .replace("{{version}}", &version.to_string())
        .replace("{{name}}", name)
}

/// The files `migrate new` created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Created {
    /// The new version.
    pub version: Version,
    /// The files, relative to the migrations folder, with `/` separators.
    pub files: Vec<String>,
}

/// A name typed as words (`migrate new "add user email"`) as one file-name
/// part: runs of spaces become one `_`, and spaces at either end go. Other
/// whitespace (a tab, a line break) is kept, for [`check_name`] to refuse:
/// it is more likely a mistake than words.
pub fn words_joined(name: &str) -> String {
    name.split(' ')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Checks that `name` can be the description part of a file name, or says why not.
pub fn check_name(name: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "`{}` cannot be part of a migration file name: {why}",
            name.escape_debug()
        ))
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.len() > MAX_NAME_BYTES {
        return refuse(&format!("it is longer than {MAX_NAME_BYTES} bytes"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("it holds a space or a control character; use `_` or `-` instead");
    }
    if let Some(found) = name.chars().find(|c| UNPORTABLE.contains(c)) {
        return refuse(&format!(
            "`{found}` is not allowed in file names everywhere"
        ));
    }
    if name.contains('.') {
        return refuse("a `.` would read as a phase (`.simdrop`, `.drop`); use `_` or `-`");
    }
    // Whatever else the scanner's grammar refuses, refuse here too.
    for (suffix, operation) in [
        (".sql", Operation::Add),
        (".simdrop.sql", Operation::Simdrop),
    ] {
        let file_name = format!("1_{name}{suffix}");
        match parse_name_in(&file_name, true) {
            Ok(parsed) if parsed.name.as_deref() == Some(name) && parsed.operation == operation => {
            }
            Ok(_) => return refuse("the scanner would read it back differently"),
            Err(message) => return refuse(&message),
        }
    }
    Ok(())
}

/// The files of `version` that `request` asks for, relative to the folder.
pub fn file_names(version: Version, request: &NewVersion) -> Vec<(String, String)> {
    let stem = format!("{version}_{}", request.name);
    let up = format!("up/{stem}.sql");
    let mut files = vec![
        (
            up.clone(),
            format!(
                "-- Version {version}, add phase (`migrate up`): expand the schema for the new\n\
                 -- code in a way the old code does not notice: new tables, nullable columns,\n\
                 -- indexes, triggers that keep old and new columns in sync.\n\
                 -- It runs in one transaction. For statements that cannot (CREATE INDEX\n\
                 -- CONCURRENTLY), make the first line the directive  -- migrate: no-transaction\n"
            ),
        ),
        (
            format!("down/{stem}.sql"),
            format!(
                "-- Version {version}, rollback_add (`migrate down`): undo {up} exactly.\n\
                 -- Delete this file if the add phase cannot be undone.\n"
            ),
        ),
    ];
    if request.simdrop {
        let simdrop = format!("up/{stem}.simdrop.sql");
        files.push((
            simdrop.clone(),
            format!(
                "-- Version {version}, simdrop phase (`migrate simdrop`): once no old code runs,\n\
                 -- hide, rename or disable what only the old code used, so that it looks\n\
                 -- dropped while nothing is lost.\n"
            ),
        ));
        files.push((
            format!("down/{stem}.simdrop.sql"),
            format!(
                "-- Version {version}, rollback_simdrop (`migrate rollback_simdrop`): undo\n\
                 -- {simdrop}, so that the old code works again.\n"
            ),
        ));
    }
    if request.drop {
        files.push((
            format!("up/{stem}.drop.sql"),
            format!(
                "-- Version {version}, drop phase (`migrate drop`): remove for good what simdrop\n\
                 -- hid, a release later, once nobody missed it. Irreversible: there is no\n\
                 -- down file for a drop.\n"
            ),
        ));
    }
    files
}

/// `YYYYMMDDHHMMSS` of `time` in UTC.
pub fn timestamp_version(time: SystemTime) -> Result<Version, Error> {
    let text = humantime::format_rfc3339_seconds(time).to_string();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|error| Error::Usage(format!("cannot number a version by the time: {error}")))
}

/// Creates the files of the next version in `dir` (and `up/`, `down/` when
/// missing), numbered at `now` with `--timestamp`.
pub fn create(dir: &Path, request: &NewVersion, now: SystemTime) -> Result<Created, Error> {
    check_name(&request.name).map_err(Error::Usage)?;
    let template = request.template.as_deref().map(read_template).transpose()?;
    let catalogue = match dir.join("up").is_dir() {
        true => scan(dir).map_err(Error::Folder)?,
        false => Catalogue::default(),
    };
    let version = if request.timestamp {
        timestamp_version(now)?
    } else {
        match catalogue.highest() {
            None => Version::new(1),
            Some(highest) => highest.get().checked_add(1).and_then(Version::new),
        }
        .ok_or_else(|| Error::Usage("the highest version is the largest there can be".into()))?
    };
    if let Some(existing) = catalogue.get(version) {
        let path = Operation::ALL
            .iter()
            .find_map(|operation| existing.file(*operation))
            .map_or_else(|| version.to_string(), |file| file.path.clone());
        return Err(Error::Usage(format!(
            "version {version} already exists ({path}); nothing was created"
        )));
    }
    let mut files = file_names(version, request);
    if let (Some(template), Some((_, up))) = (&template, files.first_mut()) {
        *up = fill_template(template, version, &request.name);
        // A template whose directives the scanner would refuse makes no file.
        if let Err(problem) = crate::script::Script::parse(up.as_bytes()) {
            return Err(Error::Usage(format!(
                "the template {} cannot make a migration file: line {}: {}; nothing was created",
                request
                    .template
                    .as_deref()
                    .map_or_else(String::new, |path| path.display().to_string()),
                problem.line,
                problem.message
            )));
        }
    }
    if let Some((path, _)) = files.iter().find(|(path, _)| dir.join(path).exists()) {
        return Err(Error::Usage(format!(
            "{} already exists; nothing was created",
            dir.join(path).display()
        )));
    }
    write_all(dir, &files)?;
    Ok(Created {
        version,
        files: files.into_iter().map(|(path, _)| path).collect(),
    })
}

/// Writes every file, each only if it does not exist; on any failure removes
/// the ones this call created, so that nothing is left half done.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), Error> {
    let mut written = Vec::new();
    for (path, text) in files {
        let full = dir.join(path);
        match write_new(&full, text) {
            Ok(()) => written.push(full),
            Err(error) => {
                for done in &written {
                    let _ = fs::remove_file(done);
                }
                let why = match error.kind() {
                    io::ErrorKind::AlreadyExists => "it already exists".to_string(),
                    _ => error.to_string(),
                };
                return Err(Error::Usage(format!(
                    "cannot create {}: {why}; nothing was created",
                    full.display()
                )));
            }
        }
    }
    Ok(())
}

fn write_new(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::script::Script;

    #[test]
    fn names_the_scanner_reads_back() {
        for name in ["add_email", "x", "add-email", "ÄÖ_ü", "V2", "_x"] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn words_become_one_name() {
        assert_eq!(words_joined("add user email"), "add_user_email");
        assert_eq!(words_joined("  add   email "), "add_email");
        assert_eq!(words_joined("add_email"), "add_email");
        assert_eq!(words_joined("add\temail"), "add\temail");
        assert_eq!(words_joined("   "), "");
    }

    #[test]
    fn names_that_cannot_be_part_of_a_file_name() {
        let cases = [
            ("", "empty"),
            ("a b", "space"),
            ("a\tb", "space"),
            ("a\u{7}b", "control"),
            ("a/b", "`/`"),
            ("..", "`.`"),
            ("a.simdrop", "`.`"),
            ("a\\b", "`\\`"),
            ("a:b", "`:`"),
        ];
        for (name, why) in cases {
            let error = check_name(name).unwrap_err();
            assert!(error.contains(why), "{name:?}: {error}");
        }
        assert!(check_name(&"a".repeat(MAX_NAME_BYTES + 1)).is_err());
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        let time = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(timestamp_version(time).unwrap().get(), 20261118110640);
    }

    #[test]
    fn a_timestamp_that_is_already_a_version_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("up")).unwrap();
        fs::write(dir.path().join("up/20261118110640_a.sql"), "SELECT 1;\n").unwrap();
        let request = NewVersion {
            name: "b".into(),
            simdrop: false,
            drop: false,
            timestamp: true,
            template: None,
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let error = create(dir.path(), &request, now).unwrap_err().to_string();
        assert!(
            error.contains("version 20261118110640 already exists"),
            "{error}"
        );
        assert!(error.contains("up/20261118110640_a.sql"), "{error}");
        assert!(!dir.path().join("down").exists());
        let later = now + Duration::from_secs(1);
        let created = create(dir.path(), &request, later).unwrap();
        assert_eq!(
            created.files,
            ["up/20261118110641_b.sql", "down/20261118110641_b.sql"]
        );
    }

    #[test]
    fn a_template_fills_in_the_version_and_name() {
        let version = Version::new(13).unwrap();
        assert_eq!(
            fill_template(
                "-- migrate: lock-timeout=2s\n-- {{version}}: {{name}} ({{other}})\n",
                version,
                "add_email"
            ),
            "-- migrate: lock-timeout=2s\n-- 13: add_email ({{other}})\n"
        );
    }

    #[test]
    fn every_file_parses_as_the_version_and_name() {
        let request = NewVersion {
            name: "add_email".into(),
            simdrop: true,
            drop: true,
            timestamp: false,
            template: None,
        };
        let version = Version::new(13).unwrap();
        let files = file_names(version, &request);
        let operations: Vec<Operation> = files
            .iter()
            .map(|(path, text)| {
                let (folder, file_name) = path.split_once('/').unwrap();
                let parsed = parse_name_in(file_name, folder == "up").unwrap();
                assert_eq!(parsed.version, version);
                assert_eq!(parsed.name.as_deref(), Some("add_email"));
                let script = Script::parse(text.as_bytes()).unwrap();
                assert_eq!(script.directives, Default::default(), "{path}");
                parsed.operation
            })
            .collect();
        assert_eq!(operations, Operation::ALL);
    }
}
