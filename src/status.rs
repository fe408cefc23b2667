//! The status report: every version known to the files or the database, and
//! the next step of the deployment. Pure: built from the catalogue and the
//! version table, rendered by `output.rs`.

use std::collections::BTreeSet;

use crate::drift::find_drift;
use crate::plan::join;
use crate::record::{DbState, VersionRecord};
use crate::scan::{Catalogue, VersionFiles};
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
    /// `pending`, `added`, `simdropped`, `dropped`, `failed` or `missing`.
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
    pub failure: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The highest applied version, 0 when none.
    pub current_version: u128,
    /// Every version, ascending.
    pub versions: Vec<VersionStatus>,
    /// What the deployment should do next, one sentence each.
    pub next: Vec<String>,
}

impl Status {
    /// Whether anything awaits a phase (for `status --check`).
    pub fn has_work(&self) -> bool {
        self.versions
            .iter()
            .any(|version| matches!(version.state.as_str(), "pending" | "failed"))
    }
}

/// Builds the report.
pub fn status(catalogue: &Catalogue, db: &DbState) -> Status {
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
    let rows: Vec<VersionStatus> = versions
        .into_iter()
        .map(|version| {
            let files = catalogue.get(version);
            let record = db.records.get(&version);
            let mut row = row(version, files, record);
            row.drift = drifted.contains(&version);
            row.out_of_order =
                row.state == "pending" && current.is_some_and(|current| version < current);
            row
        })
        .collect();
    let next = next_steps(&rows, catalogue);
    Status {
        current_version: current.map_or(0, Version::get),
        versions: rows,
        next,
    }
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
        failure: record.and_then(|record| {
            let failure = record.failure.as_ref()?;
            let what = match failure.error {
                Some(_) => "failed",
                None => "did not finish (running now, or cut off)",
            };
            let line = failure
                .line
                .map(|line| format!(" at line {line}"))
                .unwrap_or_default();
            let message = failure
                .error
                .as_ref()
                .map(|error| format!(": {error}"))
                .unwrap_or_default();
            Some(format!(
                "{} {what}{line} after {} statement(s) committed{message}",
                failure.operation, failure.statements_done
            ))
        }),
    }
}

/// "3 and 5 await add (`migrate up`)" and the like.
fn next_steps(rows: &[VersionStatus], catalogue: &Catalogue) -> Vec<String> {
    let mut next = Vec::new();
    for row in rows.iter().filter(|row| row.state == "failed") {
        next.push(format!(
            "version {} failed: fix its file and run `migrate up --resume`, or record the true \
             state with `migrate mark --only {} --state STATE`",
            row.version, row.version
        ));
    }
    let has_later_phase = |version: Version| {
        catalogue.get(version).is_some_and(|files| {
            files.file(Operation::Simdrop).is_some() || files.file(Operation::Drop).is_some()
        })
    };
    let groups = [
        ("pending", "add", "migrate up"),
        ("added", "simdrop", "migrate simdrop"),
        ("simdropped", "drop", "migrate drop"),
    ];
    for (state, phase, command) in groups {
        let waiting: Vec<Version> = rows
            .iter()
            .filter(|row| row.state == state)
            .filter(|row| state != "added" || has_later_phase(row.version))
            .map(|row| row.version)
            .collect();
        if !waiting.is_empty() {
            let verb = if waiting.len() == 1 {
                "awaits"
            } else {
                "await"
            };
            next.push(format!("{} {verb} {phase} (`{command}`)", join(&waiting)));
        }
    }
    if next.is_empty() {
        next.push("nothing to do: every version is up to date".to_string());
    }
    next
}
