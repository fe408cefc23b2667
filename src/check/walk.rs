//! The walk of `check` (SPEC section 9): which steps run on the scratch
//! database, in which order, and which of them are proven. Pure, so the
//! order is tested without a database.
//!
//! Every version, in ascending order, goes through every phase its files
//! define, version by version as `ff` takes it: the add phase, then (unless
//! the version is add-only) simdrop and drop. A step with a reverse file
//! (`down/N.sql`, `down/N.simdrop.sql`) is proven: applied, reversed,
//! applied again. The drop phase, a step without a file or without a
//! reverse, and every step of a version up to `--from` are only applied.

use std::fmt;

use crate::add_only::is_add_only;
use crate::plan::Command;
use crate::scan::Catalogue;
use crate::state::Operation;
use crate::version::Version;

/// One phase of one version, as the walk runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkStep {
    /// The version.
    pub version: Version,
    /// The forward operation: add, simdrop or drop.
    pub forward: Operation,
    /// Its file, relative to the folder; `None` for a missing phase file,
    /// which moves the version without running anything.
    pub file: Option<String>,
    /// Whether the step is proven, and by which reverse.
    pub proof: Proof,
}

/// Whether a step is proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// Only applied: up to `--from`, the drop phase, or a step with no
    /// file or no reverse file.
    ApplyOnly,
    /// Applied, reversed by `file`, then applied again, with the schema
    /// compared after each.
    Reverse {
        /// The reverse operation (`rollback_add`, `rollback_simdrop`).
        operation: Operation,
        /// Its file, relative to the folder.
        file: String,
    },
}

/// The steps `check` runs for `catalogue`, proving those of versions above `from`.
pub fn walk(catalogue: &Catalogue, from: Option<Version>) -> Vec<WalkStep> {
    let mut steps = Vec::new();
    for files in catalogue.versions() {
        let version = files.version;
        let forwards: &[Operation] = match is_add_only(catalogue, version) {
            true => &[Operation::Add],
            false => &[Operation::Add, Operation::Simdrop, Operation::Drop],
        };
        for &forward in forwards {
            let file = files.file(forward).map(|file| file.path.clone());
            let reverse = reverse_of(forward).and_then(|operation| {
                let reverse = files.file(operation)?;
                Some(Proof::Reverse {
                    operation,
                    file: reverse.path.clone(),
                })
            });
            let proven = from.is_none_or(|from| version > from) && file.is_some();
            steps.push(WalkStep {
                version,
                forward,
                file,
                proof: reverse.filter(|_| proven).unwrap_or(Proof::ApplyOnly),
            });
        }
    }
    steps
}

/// The operation that undoes `forward`, if it can be undone.
fn reverse_of(forward: Operation) -> Option<Operation> {
    match forward {
        Operation::Add => Some(Operation::RollbackAdd),
        Operation::Simdrop => Some(Operation::RollbackSimdrop),
        _ => None,
    }
}

/// The command that runs `operation` (with `--only` naming the version).
pub fn command_of(operation: Operation) -> Command {
    match operation {
        Operation::Add => Command::Up(None),
        Operation::RollbackAdd => Command::Down(None),
        Operation::Simdrop => Command::Simdrop(None),
        Operation::RollbackSimdrop => Command::RollbackSimdrop(None),
        Operation::Drop => Command::Drop(None),
    }
}

impl fmt::Display for WalkStep {
    /// `add 1 up/1.sql, proven by down/1.sql`, as the tests read it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.as_deref().unwrap_or("-");
        write!(formatter, "{} {} {file}", self.forward, self.version)?;
        match &self.proof {
            Proof::ApplyOnly => Ok(()),
            Proof::Reverse { file, .. } => write!(formatter, ", proven by {file}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{files, v};

    fn described(entries: &[&str], from: Option<u128>) -> Vec<String> {
        walk(&files(entries), from.map(v))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_phase_version_by_version() {
        assert_eq!(
            described(&["up/1.sql", "down/1.sql", "2"], None),
            [
                "add 1 up/1.sql, proven by down/1.sql",
                "add 2 up/2.sql, proven by down/2.sql",
                "simdrop 2 up/2.simdrop.sql, proven by down/2.simdrop.sql",
                "drop 2 up/2.drop.sql",
            ]
        );
    }

    #[test]
    fn without_a_reverse_a_step_is_only_applied() {
        assert_eq!(
            described(&["up/1.sql", "up/2.sql", "up/2.simdrop.sql"], None),
            [
                "add 1 up/1.sql",
                "add 2 up/2.sql",
                "simdrop 2 up/2.simdrop.sql",
                "drop 2 -",
            ]
        );
    }

    #[test]
    fn a_missing_phase_file_is_a_step_that_runs_nothing() {
        assert_eq!(
            described(
                &["up/3.simdrop.sql", "down/3.simdrop.sql", "up/3.drop.sql"],
                None
            ),
            [
                "add 3 -",
                "simdrop 3 up/3.simdrop.sql, proven by down/3.simdrop.sql",
                "drop 3 up/3.drop.sql",
            ]
        );
    }

    #[test]
    fn versions_up_to_from_are_only_applied() {
        assert_eq!(
            described(
                &["up/1.sql", "down/1.sql", "up/5.sql", "down/5.sql"],
                Some(4)
            ),
            ["add 1 up/1.sql", "add 5 up/5.sql, proven by down/5.sql"]
        );
        assert_eq!(
            described(&["up/5.sql", "down/5.sql"], Some(5)),
            ["add 5 up/5.sql"]
        );
    }

    #[test]
    fn an_empty_folder_has_no_steps() {
        assert!(walk(&Catalogue::default(), None).is_empty());
    }

    #[test]
    fn each_operation_has_its_command() {
        assert_eq!(command_of(Operation::Add), Command::Up(None));
        assert_eq!(command_of(Operation::RollbackAdd), Command::Down(None));
        assert_eq!(command_of(Operation::Drop), Command::Drop(None));
        assert_eq!(
            command_of(Operation::RollbackSimdrop),
            Command::RollbackSimdrop(None)
        );
    }
}
