//! The status report: every version known to the files or the database, and
//! the next step of the deployment. Pure: built from the catalogue and the
//! version table, rendered by `output.rs`.
//!
//! The next step is not derived here: it is what `plan` returns for the
//! deployment's commands (`up`, `simdrop`, `drop`), so `status` never
//! advises a command that would refuse; when the planner refuses, the
//! refusal is the blocking problem, and its fixes are planned too.

use std::collections::BTreeSet;

use crate::drift::find_drift;
use crate::error::Exit;
use crate::plan::{
    Command, Options, Refusal, UnknownStatement, check_accept, check_mark_state, out_of_order, plan,
};
use crate::record::{DbState, Failure, VersionRecord};
use crate::repeatable::{RepeatableState, Runs, state_of};
use crate::scan::{Catalogue, Checkpoint, VersionFiles};
use crate::squash::coverage::{Coverage, classify};
use crate::state::{Operation, Phase, State};
use crate::version::{Release, Version};

/// The `files` object of `status --json`: each path relative to `--dir`, or null.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Files {
    /// `up/N.sql`.
    pub add: Option<String>,
    /// `down/N.sql`.
    pub rollback_add: Option<String>,
    /// `up/N.simdrop.sql`.
    pub simdrop: Option<String>,
    /// `down/N.simdrop.sql`.
    pub rollback_simdrop: Option<String>,
    /// `up/N.drop.sql`.
    pub drop: Option<String>,
}

/// The release label of each phase reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Releases {
    /// Label of the add phase.
    pub add: Option<Release>,
    /// Label of the simdrop phase.
    pub simdrop: Option<Release>,
    /// Label of the drop phase.
    pub drop: Option<Release>,
}

/// When each phase was reached (RFC 3339 UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Times {
    /// When the add phase ran.
    pub add: Option<String>,
    /// When the simdrop phase ran.
    pub simdrop: Option<String>,
    /// When the drop phase ran.
    pub drop: Option<String>,
}

/// One version's line of `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionStatus {
    /// The version.
    pub version: Version,
    /// Its description.
    pub name: Option<String>,
    /// `pending`, `added`, `simdropped`, `dropped`, `failed`, `missing`, or
    /// `squashed` for a version the database ran to its final state that a
    /// checkpoint now stands for.
    pub state: String,
    /// Label of the latest phase reached.
    pub release: Option<Release>,
    /// Labels of each phase.
    pub releases: Releases,
    /// When each phase was reached.
    pub times: Times,
    /// When the add phase ran (RFC 3339 UTC).
    pub applied_at: Option<String>,
    /// The version's files.
    pub files: Files,
    /// Whether an applied file changed on disk.
    pub drift: bool,
    /// Whether it is pending below the current version.
    pub out_of_order: bool,
    /// For a failed version: what failed and what committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureStatus>,
    /// For a version a checkpoint stands for: the checkpoint's file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub squashed_into: Option<String>,
}

/// What stopped a failed version (`status --json`'s `"failure"`): the
/// operation, the statement that failed or whose outcome is unknown, how
/// many committed before it, the database's error, and all of it as one
/// sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailureStatus {
    /// The operation that was running.
    pub operation: Operation,
    /// The 1-based statement that failed, or was running when the run was cut off.
    pub statement: usize,
    /// Its line in the file, when known.
    pub line: Option<usize>,
    /// How many statements before it committed.
    pub committed: usize,
    /// The database's message; `None` when the run was cut off.
    pub error: Option<String>,
    /// Whether the run was cut off, so whether that statement committed is unknown.
    pub outcome_unknown: bool,
    /// All of it as a sentence, as the status table shows it.
    pub message: String,
}

/// One repeatable file's line of `status` (SPEC section 12).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepeatableStatus {
    /// Its name: the path under `repeatable/` without `.sql`.
    pub name: String,
    /// The file, relative to `--dir`.
    pub file: String,
    /// `current`, `changed` or `new`.
    pub state: RepeatableState,
    /// When its last successful run finished (RFC 3339 UTC), if it had one.
    pub ran_at: Option<String>,
}

/// What `migrate status` reports, and [`Migrator::status`](crate::Migrator::status)
/// returns: every version's state and the deployment's next step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The highest applied version, 0 when none.
    pub current_version: u128,
    /// Every version, ascending.
    pub versions: Vec<VersionStatus>,
    /// Every repeatable file, in the order they run.
    pub repeatables: Vec<RepeatableStatus>,
    /// What the deployment should do next, as the planner decides it: the
    /// commands that would run now, or what blocks them and its fix. Empty
    /// when every version is done and every repeatable file current.
    pub next: Vec<Next>,
}

/// One next step of the deployment (SPEC section 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A command the planner would run now, and the versions it would move.
    Run {
        /// The phase it moves.
        operation: Operation,
        /// The versions, ascending.
        versions: Vec<Version>,
        /// The command: `migrate up`, `migrate simdrop` or `migrate drop`.
        command: String,
    },
    /// Repeatable files that are `changed` or `new`, which the next `up`
    /// runs after its versions.
    Repeatables {
        /// Their files, in the order they run.
        files: Vec<String>,
        /// The command: `migrate up`.
        command: String,
    },
    /// The planner refuses the deployment's next command.
    Blocked {
        /// Why.
        refusal: Refusal,
        /// Commands that get past it, each checked with the planner.
        fixes: Vec<Fix>,
    },
}

/// `status --json`'s entries of `next`: `{"operation", "versions",
/// "command"}` for a command that would run, or `{"blocked", "message",
/// "versions", "fixes"}` for a refusal and the commands that get past it.
impl serde::Serialize for Next {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(4))?;
        match self {
            Next::Run {
                operation,
                versions,
                command,
            } => {
                map.serialize_entry("operation", operation)?;
                map.serialize_entry("versions", versions)?;
                map.serialize_entry("command", command)?;
            }
            Next::Repeatables { files, command } => {
                map.serialize_entry("operation", "repeatable")?;
                map.serialize_entry("files", files)?;
                map.serialize_entry("command", command)?;
            }
            Next::Blocked { refusal, fixes } => {
                map.serialize_entry("blocked", refusal.kind())?;
                map.serialize_entry("message", &refusal.problem())?;
                map.serialize_entry("versions", &refusal.versions())?;
                map.serialize_entry("fixes", fixes)?;
            }
        }
        map.end()
    }
}

/// A command that unblocks the deployment, and what it does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// What the user does: `apply them with`, `record them with`, ...
    pub does: String,
    /// The command, e.g. `migrate up --allow-out-of-order`.
    pub command: String,
}

impl Status {
    /// Whether `status --check` finds work: a version awaits its add, a
    /// repeatable file is changed or new, or something blocks the
    /// deployment (drift, a failed version, a version out of order).
    /// Versions awaiting simdrop or drop are not work for `--check`: those
    /// phases belong to later releases.
    pub fn has_work(&self) -> bool {
        self.next.iter().any(|next| match next {
            Next::Run { operation, .. } => *operation == Operation::Add,
            Next::Repeatables { .. } | Next::Blocked { .. } => true,
        })
    }

    /// `status --check`: exit 3 when the status shows work or a blocking problem.
    pub(crate) fn exit(&self, check: bool) -> Exit {
        Exit::of_check(check && self.has_work())
    }
}

/// Builds the report, `runs` being the log's successful runs of
/// repeatable files.
pub(crate) fn status(catalogue: &Catalogue, db: &DbState, runs: &Runs) -> Status {
    let drifted: BTreeSet<Version> = find_drift(catalogue, db)
        .into_iter()
        .map(|drift| drift.version)
        .collect();
    let current = db.current();
    let mut versions: Vec<Version> = catalogue
        .versions()
        .map(|files| files.version)
        .chain(db.records.keys().copied())
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let pending: Vec<Version> = versions
        .iter()
        .copied()
        .filter(|version| db.state_of(*version) == State::Pending)
        .collect();
    let out_of_order: BTreeSet<Version> = out_of_order(db, &pending).into_iter().collect();
    let rows: Vec<VersionStatus> = versions
        .into_iter()
        .map(|version| {
            let files = catalogue.get(version);
            let record = db.records.get(&version);
            let mut row = row(version, files, record);
            row.drift = drifted.contains(&version);
            row.out_of_order = out_of_order.contains(&version);
            if let Some(checkpoint) = catalogue.squashed_into(version)
                && record.is_some()
            {
                squashed(&mut row, checkpoint, db);
            }
            row
        })
        .collect();
    let repeatables: Vec<RepeatableStatus> = catalogue
        .repeatables()
        .iter()
        .map(|repeatable| RepeatableStatus {
            name: repeatable.name.clone(),
            file: repeatable.file.path.clone(),
            state: state_of(repeatable, runs),
            ran_at: runs.get(&repeatable.file.path).map(|run| run.at.clone()),
        })
        .collect();
    let mut next = next_steps(catalogue, db);
    let to_run: Vec<String> = repeatables
        .iter()
        .filter(|repeatable| repeatable.state != RepeatableState::Current)
        .map(|repeatable| repeatable.file.clone())
        .collect();
    // `up` runs them unless it refuses, and then the refusal is what to fix.
    let up_refused = plan(catalogue, db, Command::Up(None), &Options::default()).is_err();
    if !to_run.is_empty() && !up_refused {
        let after_up = next
            .iter()
            .position(|next| {
                !matches!(
                    next,
                    Next::Run {
                        operation: Operation::Add,
                        ..
                    }
                )
            })
            .unwrap_or(next.len());
        next.insert(
            after_up,
            Next::Repeatables {
                files: to_run,
                command: "migrate up".to_string(),
            },
        );
    }
    Status {
        current_version: current.map_or(0, Version::get),
        versions: rows,
        repeatables,
        next,
    }
}

/// A row of a version `checkpoint` stands for that the database has: shown
/// `squashed` when the database finished them with the original files, in
/// the state it is in when it is part-way (not `missing`: the checkpoint
/// says where its files went), and as itself when it ran the checkpoint.
fn squashed(row: &mut VersionStatus, checkpoint: &Checkpoint, db: &DbState) {
    match classify(checkpoint, db) {
        Coverage::Finished => row.state = "squashed".to_string(),
        Coverage::PartWay(_) if row.state == "missing" => {
            row.state = db.state_of(row.version).as_str().to_string();
        }
        _ => return,
    }
    // The name it was applied under, not the checkpoint's.
    if let Some(name) = db
        .records
        .get(&row.version)
        .and_then(|record| record.name.clone())
    {
        row.name = Some(name);
    }
    row.squashed_into = Some(checkpoint.path.clone());
}

/// The deployment's commands, in the order a deployment runs them.
const DEPLOYMENT: [(Command, Operation, &str); 3] = [
    (Command::Up(None), Operation::Add, "migrate up"),
    (
        Command::Simdrop(None),
        Operation::Simdrop,
        "migrate simdrop",
    ),
    (Command::Drop(None), Operation::Drop, "migrate drop"),
];

/// Asks the planner what each of the deployment's commands would do now.
/// A refusal that blocks every command (drift, a failed version) is
/// reported once, alone; one that blocks a single command (out of order)
/// stands in that command's place.
fn next_steps(catalogue: &Catalogue, db: &DbState) -> Vec<Next> {
    let mut next = Vec::new();
    for (command, operation, line) in DEPLOYMENT {
        match plan(catalogue, db, command, &Options::default()) {
            Ok(planned) => {
                let mut versions: Vec<Version> =
                    planned.steps.iter().map(|step| step.version).collect();
                versions.dedup();
                if !versions.is_empty() {
                    next.push(Next::Run {
                        operation,
                        versions,
                        command: line.to_string(),
                    });
                }
            }
            Err(
                refusal @ (Refusal::Drift(_) | Refusal::Failed { .. } | Refusal::PartWay { .. }),
            ) => {
                let fixes = fixes(catalogue, db, &refusal);
                return vec![Next::Blocked { refusal, fixes }];
            }
            Err(refusal) => {
                let fixes = fixes(catalogue, db, &refusal);
                next.push(Next::Blocked { refusal, fixes });
            }
        }
    }
    next
}

/// The commands that would get past `refusal`, each kept only when the
/// planner accepts it, so `status` never advises a command that refuses.
fn fixes(catalogue: &Catalogue, db: &DbState, refusal: &Refusal) -> Vec<Fix> {
    let up = |options: Options| plan(catalogue, db, Command::Up(None), &options).map(|_| ());
    let fix = |does: &str, command: String| Fix {
        does: does.to_string(),
        command,
    };
    let candidates: Vec<(Fix, Result<(), Refusal>)> = match refusal {
        Refusal::OutOfOrder { versions, .. } => {
            let does = if versions.len() == 1 {
                "apply it with"
            } else {
                "apply them with"
            };
            let options = Options {
                allow_out_of_order: true,
                ..Options::default()
            };
            vec![(
                fix(does, "migrate up --allow-out-of-order".to_string()),
                up(options),
            )]
        }
        Refusal::Drift(_) => vec![(
            fix(
                "restore them, or record them with",
                "migrate verify --accept".to_string(),
            ),
            check_accept(db),
        )],
        Refusal::Failed { version, failure } => failed_fixes(catalogue, db, *version, failure),
        _ => Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|(_, planned)| planned.is_ok())
        .map(|(fix, _)| fix)
        .collect()
}

/// The repairs of a failed version that the planner accepts: `up --resume`
/// (with `--skip-unknown`/`--rerun-unknown` for a version cut off
/// mid-statement) and `mark`.
fn failed_fixes(
    catalogue: &Catalogue,
    db: &DbState,
    version: Version,
    failure: &Failure,
) -> Vec<(Fix, Result<(), Refusal>)> {
    let up = |options: Options| plan(catalogue, db, Command::Up(None), &options).map(|_| ());
    let fix = |does: &str, command: String| Fix {
        does: does.to_string(),
        command,
    };
    // With drift elsewhere, each repair also needs --allow-drift.
    let drifted = !find_drift(catalogue, db).is_empty();
    let flag = if drifted { " --allow-drift" } else { "" };
    let options = Options {
        allow_drift: drifted,
        ..Options::default()
    };
    let resume = |unknown_statement| Options {
        resume: true,
        unknown_statement,
        ..options.clone()
    };
    let mark = check_mark_state(catalogue, db, version, State::Added, &options);
    let mut fixes = if failure.outcome_unknown() {
        // The cut-off statement may have committed: the user checks.
        vec![
            (
                fix(
                    "if the cut-off statement committed, run",
                    format!("migrate up --resume --skip-unknown{flag}"),
                ),
                up(resume(Some(UnknownStatement::Committed))),
            ),
            (
                fix(
                    "if it did not, run",
                    format!("migrate up --resume --rerun-unknown{flag}"),
                ),
                up(resume(Some(UnknownStatement::RolledBack))),
            ),
        ]
    } else {
        vec![(
            fix("fix the file and run", format!("migrate up --resume{flag}")),
            up(resume(None)),
        )]
    };
    fixes.push((
        fix(
            "record the true state with",
            format!("migrate mark --only {version} --state STATE{flag}"),
        ),
        mark,
    ));
    fixes
}

fn row(
    version: Version,
    files: Option<&VersionFiles>,
    record: Option<&VersionRecord>,
) -> VersionStatus {
    let path = |operation: Operation| {
        files
            .and_then(|files| files.file(operation))
            .map(|file| file.path.clone())
    };
    let release =
        |phase: Phase| record.and_then(|record| Some(record.reached(phase)?.release.clone()));
    let time = |phase: Phase| record.and_then(|record| Some(record.reached(phase)?.at.clone()));
    let state = match (record, files) {
        (Some(record), _) if record.failure.is_some() => "failed".to_string(),
        (Some(_), None) => "missing".to_string(),
        (Some(record), Some(_)) => record.state.as_str().to_string(),
        (None, _) => State::Pending.as_str().to_string(),
    };
    VersionStatus {
        version,
        name: files
            .and_then(|files| files.name.clone())
            .or_else(|| record.and_then(|record| record.name.clone())),
        state,
        release: record.and_then(|record| record.latest_release().cloned()),
        releases: Releases {
            add: release(Phase::Add),
            simdrop: release(Phase::Simdrop),
            drop: release(Phase::Drop),
        },
        times: Times {
            add: time(Phase::Add),
            simdrop: time(Phase::Simdrop),
            drop: time(Phase::Drop),
        },
        applied_at: record.and_then(|record| Some(record.phase(Phase::Add)?.at.clone())),
        files: Files {
            add: path(Operation::Add),
            rollback_add: path(Operation::RollbackAdd),
            simdrop: path(Operation::Simdrop),
            rollback_simdrop: path(Operation::RollbackSimdrop),
            drop: path(Operation::Drop),
        },
        drift: false,
        out_of_order: false,
        squashed_into: None,
        failure: record
            .and_then(|record| record.failure.as_ref())
            .map(failure_status),
    }
}

fn failure_status(failure: &Failure) -> FailureStatus {
    let line = failure
        .line
        .map(|line| format!(" at line {line}"))
        .unwrap_or_default();
    let message = match &failure.error {
        Some(error) => format!(
            "{} failed{line} after {} statement(s) committed: {error}",
            failure.operation, failure.statements_done
        ),
        None => format!(
            "{} did not finish (running now, or cut off) after {} statement(s) \
             committed, while statement {}{line} ran: whether it committed is unknown",
            failure.operation,
            failure.statements_done,
            failure.statement()
        ),
    };
    FailureStatus {
        operation: failure.operation,
        statement: failure.statement(),
        line: failure.line,
        committed: failure.statements_done,
        error: failure.error.clone(),
        outcome_unknown: failure.outcome_unknown(),
        message,
    }
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
