//! Repeatable files (SPEC section 12): `repeatable/NAME.sql`, one view,
//! function or grant each, written as `CREATE OR REPLACE`, run again
//! whenever its text changes.
//!
//! Pure: the folder's repeatable files come from the scanner, what the
//! database last ran from its log ([`Runs`]); this module decides which
//! files are `current`, `changed` or `new`, and so which run, in name
//! order, after the versioned steps of `up` and `ff`.
//!
//! The log is the record: a repeatable file's run is a log row with the
//! operation `repeatable`, the file's path and checksum, and no version
//! (stored as 0, which no version can be). The checksum of its last `ok`
//! row is the one a file is compared with, so a failed run leaves the file
//! `changed` and the next run tries it again.

use std::collections::BTreeMap;

use crate::log_table::{LogEntry, LogOperation, Outcome};
use crate::scan::{FileProblem, MigrationFile};

/// The folder of repeatable files, beside `up/` and `down/`.
pub const FOLDER: &str = "repeatable";

/// One repeatable file of the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeatable {
    /// Its path under `repeatable/` without `.sql` (`views/active_users`):
    /// the files run in the order of these names.
    pub name: String,
    /// The loaded file (its path is relative to the migrations folder).
    pub file: MigrationFile,
}

/// Whether a repeatable file has run as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RepeatableState {
    /// Its last successful run had this text: nothing to do.
    Current,
    /// It ran with another text (or its last run with this one failed):
    /// it runs again.
    Changed,
    /// It never ran successfully: it runs.
    New,
}

impl RepeatableState {
    /// The name `status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            RepeatableState::Current => "current",
            RepeatableState::Changed => "changed",
            RepeatableState::New => "new",
        }
    }
}

/// The last successful run of a repeatable file, from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRun {
    /// The checksum of the text that ran.
    pub checksum: String,
    /// When it finished, RFC 3339 UTC.
    pub at: String,
}

/// What the log holds of repeatable runs: the last successful run of each
/// file, by its path.
pub type Runs = BTreeMap<String, LastRun>;

/// Checks a file found under `repeatable/` and names it; every problem
/// names the file.
pub(crate) fn repeatable(file: MigrationFile) -> Result<Repeatable, FileProblem> {
    let problem = |message: String| FileProblem {
        // A control character would break the `error:` line it starts.
        path: file.path.escape_debug().to_string(),
        line: None,
        message,
    };
    let name = file
        .path
        .strip_prefix(FOLDER)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.strip_suffix(".sql"))
        .unwrap_or_default()
        .to_string();
    if name.is_empty() || name.split('/').any(str::is_empty) {
        return Err(problem(format!(
            "{} has no name: a repeatable file is repeatable/NAME.sql",
            file.path
        )));
    }
    if let Some(control) = name.chars().find(|character| character.is_control()) {
        return Err(problem(format!(
            "the name holds the control character {}: rename the file",
            control.escape_debug()
        )));
    }
    if file.script.directives.checkpoint {
        return Err(problem(
            "a repeatable file cannot be a checkpoint: checkpoints are up/N.sql files \
             written by `squash`"
                .to_string(),
        ));
    }
    Ok(Repeatable { name, file })
}

/// Reads the last successful run of each repeatable file from log entries
/// in any order.
pub fn last_runs(entries: &[LogEntry]) -> Runs {
    let mut ok: Vec<&LogEntry> = entries
        .iter()
        .filter(|entry| {
            entry.operation == LogOperation::Repeatable
                && entry.outcome == Outcome::Ok
                && entry.file.is_some()
        })
        .collect();
    ok.sort_by_key(|entry| entry.id);
    let mut runs = Runs::new();
    for entry in ok {
        if let Some(file) = &entry.file {
            runs.insert(
                file.clone(),
                LastRun {
                    checksum: entry.checksum.clone().unwrap_or_default(),
                    at: entry.finished_at.clone().unwrap_or_default(),
                },
            );
        }
    }
    runs
}

/// The state of one repeatable file against the log's runs.
pub fn state_of(repeatable: &Repeatable, runs: &Runs) -> RepeatableState {
    match runs.get(&repeatable.file.path) {
        None => RepeatableState::New,
        Some(run) if run.checksum == repeatable.file.script.checksum => RepeatableState::Current,
        Some(_) => RepeatableState::Changed,
    }
}

/// The repeatable files to run, in name order: every one not `current`.
pub fn to_run<'a>(repeatables: &'a [Repeatable], runs: &Runs) -> Vec<&'a Repeatable> {
    repeatables
        .iter()
        .filter(|repeatable| state_of(repeatable, runs) != RepeatableState::Current)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Script;

    fn file(path: &str, text: &str) -> MigrationFile {
        MigrationFile {
            path: path.to_string(),
            script: Script::parse(text.as_bytes()).unwrap(),
        }
    }

    fn run(id: i64, path: &str, checksum: &str, outcome: Outcome) -> LogEntry {
        LogEntry {
            id: Some(id),
            file: Some(path.to_string()),
            checksum: Some(checksum.to_string()),
            finished_at: Some(format!("2026-12-04T00:00:0{id}Z")),
            outcome,
            ..LogEntry::repeatable("2026-12-04T00:00:00Z")
        }
    }

    #[test]
    fn names_come_from_the_path_under_the_folder() {
        let found = repeatable(file("repeatable/views/active_users.sql", "SELECT 1;")).unwrap();
        assert_eq!(found.name, "views/active_users");
    }

    #[test]
    fn a_checkpoint_or_a_nameless_file_is_refused_naming_it() {
        let checkpoint = repeatable(file(
            "repeatable/v.sql",
            "-- migrate: checkpoint\nSELECT 1;",
        ))
        .unwrap_err();
        assert_eq!(checkpoint.path, "repeatable/v.sql");
        assert!(checkpoint.message.contains("cannot be a checkpoint"));
        let nameless = repeatable(file("repeatable/.sql", "SELECT 1;")).unwrap_err();
        assert!(nameless.message.contains("has no name"), "{nameless:?}");
    }

    #[test]
    fn the_last_successful_run_is_the_one_compared() {
        let views = file("repeatable/views.sql", "CREATE VIEW v AS SELECT 1;");
        let current = views.script.checksum.clone();
        let entries = [
            run(3, "repeatable/views.sql", "old", Outcome::Failed),
            run(1, "repeatable/views.sql", "older", Outcome::Ok),
            run(2, "repeatable/views.sql", &current, Outcome::Ok),
            run(4, "repeatable/grants.sql", "x", Outcome::Failed),
        ];
        let runs = last_runs(&entries);
        assert_eq!(runs.len(), 1, "a failed run is no successful run: {runs:?}");
        assert_eq!(runs["repeatable/views.sql"].checksum, current);
        assert_eq!(runs["repeatable/views.sql"].at, "2026-12-04T00:00:02Z");
        let views = repeatable(views).unwrap();
        assert_eq!(state_of(&views, &runs), RepeatableState::Current);
    }

    #[test]
    fn changed_and_new_files_run_in_name_order() {
        let all: Vec<Repeatable> = [
            ("repeatable/a.sql", "SELECT 1;"),
            ("repeatable/b.sql", "SELECT 2;"),
            ("repeatable/c.sql", "SELECT 3;"),
        ]
        .into_iter()
        .map(|(path, text)| repeatable(file(path, text)).unwrap())
        .collect();
        let b = all[1].file.script.checksum.clone();
        let entries = [
            run(1, "repeatable/a.sql", "stale", Outcome::Ok),
            run(2, "repeatable/b.sql", &b, Outcome::Ok),
        ];
        let runs = last_runs(&entries);
        let states: Vec<_> = all.iter().map(|one| state_of(one, &runs)).collect();
        assert_eq!(
            states,
            [
                RepeatableState::Changed,
                RepeatableState::Current,
                RepeatableState::New
            ]
        );
        let names: Vec<&str> = to_run(&all, &runs)
            .iter()
            .map(|one| one.name.as_str())
            .collect();
        assert_eq!(names, ["a", "c"]);
    }
}
