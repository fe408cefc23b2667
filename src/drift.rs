//! Drift: an applied file that changed on disk since it ran (SPEC section 2).
//!
//! Pure: compares the checksums recorded in `db_version` with the files of the
//! folder. `status` shows drift, `verify` fails on it, and the planner refuses
//! every change while it exists unless `--allow-drift`.

use crate::error::Exit;
use crate::record::DbState;
use crate::scan::Catalogue;
use crate::state::Phase;
use crate::version::Version;

/// How an applied phase's file differs from what ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// The file's text changed.
    Changed,
    /// The file is gone.
    Removed,
    /// A file appeared for a phase that already ran without one.
    Added,
}

/// One drifted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The version.
    pub version: Version,
    /// The phase whose file drifted.
    pub phase: Phase,
    /// The file, relative to the folder (the expected name when it was removed).
    pub path: String,
    /// What happened to it.
    pub kind: DriftKind,
    /// The checksum on disk now, `None` when removed.
    pub current: Option<String>,
}

impl Drift {
    /// A one-line description: `up/3.sql changed since it ran (version 3)`.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            DriftKind::Changed => "changed since it ran",
            DriftKind::Removed => "was removed after it ran",
            DriftKind::Added => "appeared after its phase ran without a file",
        };
        format!("{} {what} (version {})", self.path, self.version)
    }
}

/// `verify`: exit 3 on drift, unless `--accept` records it.
pub(crate) fn verify_exit(drift: &[Drift], accepted: bool) -> Exit {
    Exit::of_check(!drift.is_empty() && !accepted)
}

/// Every drifted file, by version then phase.
pub fn find_drift(catalogue: &Catalogue, db: &DbState) -> Vec<Drift> {
    let mut found = Vec::new();
    for record in db.records.values() {
        // The original files of squashed versions are gone on purpose.
        if catalogue
            .squashed_into(record.version)
            .is_some_and(|checkpoint| {
                crate::squash::coverage::drift_exempt(checkpoint, db, record.version)
            })
        {
            continue;
        }
        let files = catalogue.get(record.version);
        for phase in [Phase::Add, Phase::Simdrop, Phase::Drop] {
            let Some(recorded) = record.phase(phase) else {
                continue;
            };
            let operation = phase.operation();
            let file = files.and_then(|files| files.file(operation));
            let kind = match (&recorded.checksum, file) {
                (Some(ran), Some(file)) if *ran != file.script.checksum => DriftKind::Changed,
                (Some(_), None) => DriftKind::Removed,
                (None, Some(_)) => DriftKind::Added,
                _ => continue,
            };
            let path = file.map_or_else(
                || {
                    format!(
                        "{}/{}{}.sql",
                        operation.folder(),
                        record.version,
                        operation.suffix()
                    )
                },
                |file| file.path.clone(),
            );
            found.push(Drift {
                version: record.version,
                phase,
                path,
                kind,
                current: file.map(|file| file.script.checksum.clone()),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Phase;

    #[test]
    fn verify_finds_drift_unless_accepted() {
        assert_eq!(verify_exit(&[], false), Exit::Done);
        let drift = Drift {
            version: Version::FIRST,
            phase: Phase::Add,
            path: "up/1.sql".to_string(),
            kind: DriftKind::Changed,
            current: None,
        };
        let found = std::slice::from_ref(&drift);
        assert_eq!(verify_exit(found, false), Exit::Found);
        assert_eq!(verify_exit(found, true), Exit::Done);
    }
}
