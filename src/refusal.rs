//! Why a change is refused: the [`Refusal`] the planner returns when a
//! request would break a rule of SPEC section 2 (exit 5) or names something
//! that does not exist (exit 2), and its message, which names the version
//! and the command that would unblock it.

use std::fmt;

use crate::drift::Drift;
use crate::record::Failure;
use crate::state::{Operation, State};
use crate::version::{Release, Version};

/// Why the planner will not build a plan: SPEC section 2's rules (exit 5),
/// or a request that names something that does not exist (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A version is not in the state the operation needs.
    WrongState {
        /// The version.
        version: Version,
        /// What was asked.
        operation: Operation,
        /// Where it stands.
        state: State,
    },
    /// `simdrop` or `drop` (or `mark --state`) asked to move an add-only
    /// version past `added` (SPEC section 8).
    AddOnly {
        /// The version.
        version: Version,
        /// What was asked: simdrop or drop.
        operation: Operation,
    },
    /// A rollback has no file to run.
    NoDownFile {
        /// The version.
        version: Version,
        /// The rollback.
        operation: Operation,
        /// The file that would be needed.
        expected: String,
    },
    /// Pending versions lower than the current version.
    OutOfOrder {
        /// The versions, ascending.
        versions: Vec<Version>,
        /// The current version.
        current: Version,
    },
    /// Applied files changed on disk.
    Drift(Vec<Drift>),
    /// A non-atomic file failed or was cut off.
    Failed {
        /// The version.
        version: Version,
        /// What failed.
        failure: Failure,
    },
    /// A rollback would revert versions of an earlier release.
    ReleaseBoundary {
        /// The rollback.
        operation: Operation,
        /// The latest release of the phase.
        latest: Release,
        /// The versions of older releases and their labels.
        older: Vec<(Version, Release)>,
    },
    /// `--resume` with no failed version.
    NothingToResume,
    /// `--skip-unknown` or `--rerun-unknown` where the failed statement's
    /// outcome is known (exit 2).
    NothingUnknown(Version),
    /// `--only N` for a version neither the folder nor the database knows (exit 2).
    UnknownVersion(Version),
    /// `load` into a database that already has these objects.
    NotEmpty(Vec<String>),
    /// `schema_dump --bootstrap` where this migration file exists.
    FilesExist(String),
    /// A database part-way through the versions a checkpoint stands for
    /// (SPEC section 10): it must finish them with the files of the release
    /// before the squash.
    PartWay {
        /// The checkpoint's file.
        checkpoint: String,
        /// The checkpoint's version.
        version: Version,
        /// Each version it lacks: the state it is in, and the state it needs.
        lacking: Vec<(Version, State, State)>,
    },
    /// A rollback of versions a checkpoint stands for: it has no down file.
    BelowCheckpoint {
        /// The checkpoint's file.
        checkpoint: String,
        /// The checkpoint's version.
        version: Version,
        /// The versions it would roll back, highest first.
        versions: Vec<Version>,
    },
    /// `squash N` over versions with simdrop or drop files, which a
    /// database that ran only their add phase still needs, without `--final`.
    UnfinishedPhases {
        /// N.
        target: Version,
        /// The versions with later phases.
        versions: Vec<Version>,
    },
}

impl Refusal {
    /// Whether this is a usage problem (exit 2) rather than a safety refusal (exit 5).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Refusal::UnknownVersion(_) | Refusal::NothingToResume | Refusal::NothingUnknown(_)
        )
    }

    /// What is wrong, without the advice on what to run: `status` pairs it
    /// with the fixes the planner accepts. For a refusal that blocks a
    /// deployment (out of order, drift, failed); the whole message otherwise.
    pub fn problem(&self) -> String {
        match self {
            Refusal::OutOfOrder { versions, current } => format!(
                "pending {} {} {} lower than the current version {current} (out of order)",
                plural(versions.len(), "version", "versions"),
                join(versions),
                plural(versions.len(), "is", "are"),
            ),
            Refusal::Drift(drift) => {
                let list: Vec<String> = drift.iter().map(Drift::describe).collect();
                format!("applied files changed on disk: {}", list.join("; "))
            }
            Refusal::Failed { version, failure } => failed(*version, failure),
            other => other.to_string(),
        }
    }

    /// The versions the refusal names.
    pub fn versions(&self) -> Vec<Version> {
        let mut versions = match self {
            Refusal::WrongState { version, .. }
            | Refusal::AddOnly { version, .. }
            | Refusal::NoDownFile { version, .. }
            | Refusal::Failed { version, .. }
            | Refusal::NothingUnknown(version)
            | Refusal::UnknownVersion(version) => vec![*version],
            Refusal::OutOfOrder { versions, .. } => versions.clone(),
            Refusal::Drift(drift) => drift.iter().map(|found| found.version).collect(),
            Refusal::ReleaseBoundary { older, .. } => {
                older.iter().map(|(version, _)| *version).collect()
            }
            Refusal::NothingToResume | Refusal::NotEmpty(_) | Refusal::FilesExist(_) => Vec::new(),
            Refusal::PartWay { lacking, .. } => {
                lacking.iter().map(|(version, _, _)| *version).collect()
            }
            Refusal::BelowCheckpoint { versions, .. }
            | Refusal::UnfinishedPhases { versions, .. } => versions.clone(),
        };
        versions.sort_unstable();
        versions.dedup();
        versions
    }

    /// A short name of the kind of refusal, for JSON: `out_of_order`, `drift`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::WrongState { .. } => "wrong_state",
            Refusal::AddOnly { .. } => "add_only",
            Refusal::NoDownFile { .. } => "no_down_file",
            Refusal::OutOfOrder { .. } => "out_of_order",
            Refusal::Drift(_) => "drift",
            Refusal::Failed { .. } => "failed",
            Refusal::ReleaseBoundary { .. } => "release_boundary",
            Refusal::NothingToResume => "nothing_to_resume",
            Refusal::NothingUnknown(_) => "nothing_unknown",
            Refusal::UnknownVersion(_) => "unknown_version",
            Refusal::NotEmpty(_) => "not_empty",
            Refusal::FilesExist(_) => "files_exist",
            Refusal::PartWay { .. } => "part_way_through_checkpoint",
            Refusal::BelowCheckpoint { .. } => "below_checkpoint",
            Refusal::UnfinishedPhases { .. } => "unfinished_phases",
        }
    }
}

/// `version 2 failed during add at line 3 after 1 statement(s) committed: boom`.
fn failed(version: Version, failure: &Failure) -> String {
    let at = failure
        .line
        .map(|line| format!(" at line {line}"))
        .unwrap_or_default();
    match &failure.error {
        Some(error) => format!(
            "version {version} failed during {}{at} after {} statement(s) committed: {error}",
            failure.operation, failure.statements_done
        ),
        None => format!(
            "version {version} was cut off during {} after {} statement(s) committed, while \
             statement {}{at} ran: whether it committed is unknown",
            failure.operation,
            failure.statements_done,
            failure.statement()
        ),
    }
}

/// The command that would unblock `operation` on a version in `state`, if any.
fn unblock_hint(version: Version, operation: Operation, state: State) -> String {
    match (operation, state) {
        (_, State::Dropped) => {
            format!("version {version} is dropped, and drop can never be undone")
        }
        (Operation::RollbackAdd, State::Simdropped) => {
            format!("run `migrate rollback_simdrop --only {version}` first")
        }
        (Operation::Drop, State::Added) => format!("run `migrate simdrop --only {version}` first"),
        (Operation::Simdrop | Operation::Drop, State::Pending) => {
            format!("run `migrate up --only {version}` first")
        }
        (Operation::RollbackSimdrop, State::Added) => {
            format!("version {version} is not simdropped")
        }
        (Operation::RollbackAdd | Operation::RollbackSimdrop, State::Pending) => {
            format!("version {version} is not applied")
        }
        _ => format!("version {version} is already {state}"),
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::WrongState {
                version,
                operation,
                state,
            } => write!(
                formatter,
                "cannot {operation} version {version}: it is {state}; {}",
                unblock_hint(*version, *operation, *state)
            ),
            Refusal::AddOnly { version, operation } => write!(
                formatter,
                "cannot {operation} version {version}: it is add-only (there is no \
                 up/{version}.simdrop.sql and no up/{version}.drop.sql), so there is nothing to \
                 hide or remove, and the move would only make it irreversible; it stays added"
            ),
            Refusal::NoDownFile {
                version,
                operation,
                expected,
            } => write!(
                formatter,
                "cannot {operation} version {version}: there is no {expected} to undo it"
            ),
            Refusal::OutOfOrder { versions, .. } => write!(
                formatter,
                "{}: apply {} with --allow-out-of-order",
                self.problem(),
                plural(versions.len(), "it", "them"),
            ),
            Refusal::Drift(_) => write!(
                formatter,
                "{}; restore them, or record them with `migrate verify --accept`, or pass \
                 --allow-drift",
                self.problem()
            ),
            Refusal::Failed { version, failure } => {
                write!(
                    formatter,
                    "{}; {}",
                    self.problem(),
                    repairs(*version, failure)
                )
            }
            Refusal::ReleaseBoundary {
                operation,
                latest,
                older,
            } => write!(
                formatter,
                "{operation} would cross into an earlier release: the latest release is \
                 {latest}, but {} {} older; pass --across-releases to revert them too",
                older_versions(older),
                plural(older.len(), "is", "are"),
            ),
            Refusal::NothingUnknown(version) => write!(
                formatter,
                "--skip-unknown and --rerun-unknown are for a version cut off while a \
                 statement ran; version {version} failed with a known error: fix the file \
                 and run `migrate up --resume`"
            ),
            Refusal::NothingToResume => {
                formatter.write_str("--resume: no version is failed, there is nothing to resume")
            }
            Refusal::NotEmpty(objects) => write!(
                formatter,
                "the database is not empty (it has {}): load and --bootstrap need an empty \
                 database for the schema and no version rows",
                objects
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Refusal::FilesExist(path) => write!(
                formatter,
                "--bootstrap writes up/1.sql into an empty migrations folder, but {path} exists"
            ),
            Refusal::UnknownVersion(version) => write!(
                formatter,
                "--only {version}: no such version in the folder or the database"
            ),
            Refusal::PartWay {
                checkpoint,
                version,
                lacking,
            } => write!(
                formatter,
                "this database is part-way through the versions squashed into {checkpoint}: \
                 {}; finish them with the migrations folder of the release before the squash \
                 or the folder `squash --archive` moved its files to (`migrate ff {version} \
                 --dir OLD_FOLDER` runs every phase they lack), then run this folder",
                lacking_versions(lacking)
            ),
            Refusal::BelowCheckpoint {
                checkpoint,
                version,
                versions,
            } => write!(
                formatter,
                "cannot rollback_add {} {}: {} squashed into {checkpoint}, and a checkpoint \
                 has no down file; only versions above {version} can be rolled back",
                plural(versions.len(), "version", "versions"),
                join(versions),
                plural(versions.len(), "it is", "they are"),
            ),
            Refusal::UnfinishedPhases { target, versions } => write!(
                formatter,
                "squash {target}: {} {} {} simdrop or drop files: a database that ran only \
                 {} add phase would be part-way through the checkpoint and refused until it \
                 ran them with the old files. Run simdrop and drop everywhere first, or \
                 squash a lower version, or pass --final to declare every version up to \
                 {target} finished (the checkpoint then holds the schema after their drop)",
                plural(versions.len(), "version", "versions"),
                join(versions),
                plural(versions.len(), "has", "have"),
                plural(versions.len(), "its", "their"),
            ),
        }
    }
}

/// The ways out of a failed version; for one cut off mid-statement, the
/// user first says whether that statement committed.
fn repairs(version: Version, failure: &Failure) -> String {
    if failure.outcome_unknown() {
        format!(
            "check the database, then run `migrate up --resume --skip-unknown` if it \
             committed or `migrate up --resume --rerun-unknown` if it did not, or record \
             the true state with `migrate mark --only {version} --state STATE`"
        )
    } else {
        format!(
            "fix the file and run `migrate up --resume`, or record the true state with \
             `migrate mark --only {version} --state STATE`"
        )
    }
}

/// `versions 6 and 10 are added, need dropped; version 21 is pending, needs added`:
/// the versions grouped by where they are and what they need.
fn lacking_versions(lacking: &[(Version, State, State)]) -> String {
    let mut groups: Vec<((State, State), Vec<Version>)> = Vec::new();
    for (version, state, needed) in lacking {
        match groups.iter_mut().find(|(key, _)| *key == (*state, *needed)) {
            Some((_, versions)) => versions.push(*version),
            None => groups.push(((*state, *needed), vec![*version])),
        }
    }
    let each: Vec<String> = groups
        .iter()
        .map(|((state, needed), versions)| {
            format!(
                "{} {} {} {state}, {} {needed}",
                plural(versions.len(), "version", "versions"),
                join(versions),
                plural(versions.len(), "is", "are"),
                plural(versions.len(), "needs", "need"),
            )
        })
        .collect();
    each.join("; ")
}

/// `3 (release 2), 1 (release 1)`.
fn older_versions(older: &[(Version, Release)]) -> String {
    older
        .iter()
        .map(|(version, release)| format!("{version} (release {release})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural<'s>(count: usize, one: &'s str, many: &'s str) -> &'s str {
    if count == 1 { one } else { many }
}

/// `3`, `3 and 5`, `3, 5 and 7`.
pub fn join(versions: &[Version]) -> String {
    let texts: Vec<String> = versions.iter().map(Version::to_string).collect();
    match texts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
