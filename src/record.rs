//! What the version table says about each version, as plain data.
//!
//! A backend reads `db_version` into a [`DbState`] with one query; the planner,
//! `status` and `verify` decide from it without touching the database again.
//! How a [`VersionRecord`] is stored, column by column, is
//! `crate::version_table`'s.

use std::collections::BTreeMap;

use crate::state::{Operation, Phase, State};
use crate::version::{Release, Version};

/// When and in which release a version reached a phase, and the file's checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseRecord {
    /// The release label the phase was applied (or marked) with.
    pub release: Release,
    /// RFC 3339 UTC time of the change.
    pub at: String,
    /// Position of the change among all forward changes, to order rollbacks.
    pub seq: u64,
    /// Checksum of the file that ran (or was marked), `None` when the phase had no file.
    pub checksum: Option<String>,
}

/// A non-atomic run of a file that did not finish: the `failed` state of SPEC section 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The operation that was running.
    pub operation: Operation,
    /// How many statements of the file committed before it stopped.
    pub statements_done: usize,
    /// Checksum of the text of the statements that committed, to check on `--resume`.
    pub done_checksum: String,
    /// The database's message, or `None` when the run was cut off (killed).
    pub error: Option<String>,
    /// 1-based line of the failing statement in its file, when known.
    pub line: Option<usize>,
    /// The release label of the interrupted change.
    pub release: Release,
}

impl Failure {
    /// Whether the run was cut off (killed, its connection lost) rather than
    /// refused by the database: the statement after the committed ones may
    /// have been running, and a server finishes a statement after its client
    /// dies, so whether it committed is unknown.
    pub fn outcome_unknown(&self) -> bool {
        self.error.is_none()
    }

    /// The 1-based number of the statement whose outcome is unknown, or
    /// that failed: the one after those that committed.
    pub fn statement(&self) -> usize {
        self.statements_done + 1
    }
}

/// One row of `db_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// The version.
    pub version: Version,
    /// Its description when recorded.
    pub name: Option<String>,
    /// The settled state (the state before a failed operation).
    pub state: State,
    /// The add, simdrop and drop phases reached, in that order.
    pub phases: [Option<PhaseRecord>; 3],
    /// Set while a non-atomic file is running or after it failed.
    pub failure: Option<Failure>,
}

/// Index of a phase in [`VersionRecord::phases`].
pub fn phase_index(phase: Phase) -> usize {
    match phase {
        Phase::Add => 0,
        Phase::Simdrop => 1,
        Phase::Drop => 2,
    }
}

impl VersionRecord {
    /// A record for a version that has not reached any phase.
    pub fn new(version: Version, name: Option<String>) -> VersionRecord {
        VersionRecord {
            version,
            name,
            state: State::Pending,
            phases: [None, None, None],
            failure: None,
        }
    }

    /// The record of one phase, if the version reached it.
    pub fn phase(&self, phase: Phase) -> Option<&PhaseRecord> {
        self.phases[phase_index(phase)].as_ref()
    }

    /// The label of the latest phase reached. A phase recorded past the
    /// state (an add-only version read as `added`, see
    /// [`crate::add_only::effective_state`]) is not reached.
    pub fn latest_release(&self) -> Option<&Release> {
        [Phase::Drop, Phase::Simdrop, Phase::Add]
            .into_iter()
            .filter(|phase| self.state.has_reached(*phase))
            .find_map(|phase| self.phase(phase))
            .map(|phase| &phase.release)
    }

    /// The record of a phase the version's state has reached.
    pub fn reached(&self, phase: Phase) -> Option<&PhaseRecord> {
        self.phase(phase).filter(|_| self.state.has_reached(phase))
    }
}

/// Everything `db_version` holds, by version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbState {
    /// Whether the version tables exist at all.
    pub tables_exist: bool,
    /// One record per version that has left `pending` (or failed on its way out).
    pub records: BTreeMap<Version, VersionRecord>,
}

impl DbState {
    /// A version's state, `pending` for one the table does not know.
    pub fn state_of(&self, version: Version) -> State {
        self.records
            .get(&version)
            .map_or(State::Pending, |record| record.state)
    }

    /// The current version: the highest applied one, if any.
    pub fn current(&self) -> Option<Version> {
        self.records
            .values()
            .rev()
            .find(|record| record.state.is_applied())
            .map(|record| record.version)
    }

    /// The highest sequence number of any recorded change (0 when none).
    pub fn max_seq(&self) -> u64 {
        self.records
            .values()
            .flat_map(|record| record.phases.iter().flatten())
            .map(|phase| phase.seq)
            .max()
            .unwrap_or(0)
    }

    /// Every release label recorded, in any phase.
    pub fn releases(&self) -> impl Iterator<Item = &Release> {
        self.records
            .values()
            .flat_map(|record| record.phases.iter().flatten())
            .map(|phase| &phase.release)
    }

    /// The versions with an unfinished or failed non-atomic run.
    pub fn failures(&self) -> impl Iterator<Item = (&VersionRecord, &Failure)> {
        self.records
            .values()
            .filter_map(|record| record.failure.as_ref().map(|failure| (record, failure)))
    }

    /// The label of the latest release of `phase` among the versions whose
    /// change of that phase is in effect (SPEC section 2). A later phase
    /// keeps it in effect: a version dropped after its simdrop still counts,
    /// so that a rollback refuses it by name instead of skipping to an older
    /// release.
    pub fn latest_release(&self, phase: Phase) -> Option<&Release> {
        self.records
            .values()
            .filter(|record| record.state.has_reached(phase))
            .filter_map(|record| record.phase(phase))
            .max_by_key(|phase| phase.seq)
            .map(|phase| &phase.release)
    }
}

/// What one change records: the new row of its version, or `None` when the
/// version goes back to `pending` and its row is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'a> {
    /// The version.
    pub version: Version,
    /// Its description.
    pub name: Option<&'a str>,
    /// The operation.
    pub operation: Operation,
    /// The release label of a forward change.
    pub release: &'a Release,
    /// RFC 3339 UTC time of the change.
    pub at: &'a str,
    /// Sequence number of a forward change.
    pub seq: u64,
    /// Checksum of the file that ran, if there was one.
    pub checksum: Option<&'a str>,
}

/// The row after `change`, from the row before it (`None` for a pending version).
pub fn apply_change(before: Option<&VersionRecord>, change: &Change<'_>) -> Option<VersionRecord> {
    let mut record = before
        .cloned()
        .unwrap_or_else(|| VersionRecord::new(change.version, None));
    if let Some(name) = change.name {
        record.name = Some(name.to_string());
    }
    record.state = change.operation.leads_to();
    record.failure = None;
    if let Some(phase) = change.operation.forward_phase() {
        record.phases[phase_index(phase)] = Some(PhaseRecord {
            release: change.release.clone(),
            at: change.at.to_string(),
            seq: change.seq,
            checksum: change.checksum.map(str::to_string),
        });
    }
    if let Some(phase) = change.operation.reverted_phase() {
        record.phases[phase_index(phase)] = None;
    }
    (record.state != State::Pending).then_some(record)
}

/// When and in which release a change that runs no file is recorded.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The release label of the forward phases it records.
    pub release: &'a Release,
    /// RFC 3339 UTC time of the change.
    pub at: &'a str,
    /// The highest sequence number recorded so far; new phases follow it.
    pub last_seq: u64,
}

/// The row `mark --only N --state target` leaves (`None` for `pending`):
/// the phases the target has not reached are cleared, and each phase it has
/// reached without a record gets one, as the forward change would have
/// recorded it (`checksum_of` gives the phase file's checksum). The version's
/// failure, if any, is cleared: marking is how a failure is repaired.
pub fn mark_row(
    before: Option<&VersionRecord>,
    version: Version,
    name: Option<&str>,
    target: State,
    stamp: Stamp<'_>,
    checksum_of: &dyn Fn(Phase) -> Option<String>,
) -> Option<VersionRecord> {
    let mut record = before
        .cloned()
        .unwrap_or_else(|| VersionRecord::new(version, None));
    if let Some(name) = name {
        record.name = Some(name.to_string());
    }
    record.failure = None;
    let mut seq = stamp.last_seq;
    for phase in [Phase::Add, Phase::Simdrop, Phase::Drop] {
        if !target.has_reached(phase) {
            record.phases[phase_index(phase)] = None;
        } else if record.phase(phase).is_none() {
            seq += 1;
            let checksum = checksum_of(phase);
            let change = Change {
                version,
                name: None,
                operation: phase.operation(),
                release: stamp.release,
                at: stamp.at,
                seq,
                checksum: checksum.as_deref(),
            };
            record = apply_change(Some(&record), &change)?;
        }
    }
    record.state = target;
    (target != State::Pending).then_some(record)
}

/// The rows `schema/schema.sql` carried without release labels, times or
/// order (SPEC section 7), given those of the load that brings them in: one
/// release, one time, the versions' order after `stamp.last_seq`.
pub fn label_carried_rows(db: &DbState, stamp: Stamp<'_>) -> Vec<VersionRecord> {
    let mut seq = stamp.last_seq;
    let mut labelled = Vec::new();
    for record in db.records.values() {
        let mut record = record.clone();
        let unlabelled = record
            .phases
            .iter_mut()
            .flatten()
            .filter(|phase| phase.release.as_str().is_empty());
        let mut changed = false;
        for phase in unlabelled {
            seq += 1;
            phase.release = stamp.release.clone();
            phase.at = stamp.at.to_string();
            phase.seq = seq;
            changed = true;
        }
        if changed {
            labelled.push(record);
        }
    }
    labelled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(operation: Operation, release: &'a Release, seq: u64) -> Change<'a> {
        Change {
            version: Version::new(4).unwrap(),
            name: Some("users"),
            operation,
            release,
            at: "2026-11-22T10:00:00.000000Z",
            seq,
            checksum: Some("abc"),
        }
    }

    #[test]
    fn a_version_walks_the_diagram() {
        let first = Release::from_stored("1".into());
        let second = Release::from_stored("2".into());
        let added = apply_change(None, &change(Operation::Add, &first, 1)).unwrap();
        assert_eq!(added.state, State::Added);
        assert_eq!(added.latest_release(), Some(&first));
        let simdropped =
            apply_change(Some(&added), &change(Operation::Simdrop, &second, 2)).unwrap();
        assert_eq!(simdropped.state, State::Simdropped);
        assert_eq!(simdropped.phase(Phase::Simdrop).unwrap().seq, 2);
        assert_eq!(simdropped.latest_release(), Some(&second));
        let back = apply_change(
            Some(&simdropped),
            &change(Operation::RollbackSimdrop, &second, 0),
        )
        .unwrap();
        assert_eq!(back.state, State::Added);
        assert!(back.phase(Phase::Simdrop).is_none());
        assert_eq!(back.phase(Phase::Add), added.phase(Phase::Add));
        assert!(apply_change(Some(&back), &change(Operation::RollbackAdd, &first, 0)).is_none());
    }

    #[test]
    fn latest_release_ignores_reverted_phases() {
        let mut db = DbState::default();
        let first = Release::from_stored("1".into());
        let second = Release::from_stored("2".into());
        let one = apply_change(None, &change(Operation::Add, &first, 1)).unwrap();
        let mut two = apply_change(None, &change(Operation::Add, &second, 2)).unwrap();
        two.version = Version::new(5).unwrap();
        db.records.insert(one.version, one);
        db.records.insert(two.version, two);
        assert_eq!(db.latest_release(Phase::Add), Some(&second));
        assert_eq!(db.latest_release(Phase::Simdrop), None);
        assert_eq!(db.current(), Version::new(5));
        assert_eq!(db.max_seq(), 2);
    }

    #[test]
    fn mark_clears_unreached_phases_and_records_missing_ones_in_order() {
        let old = Release::from_stored("1".into());
        let added = apply_change(None, &change(Operation::Add, &old, 1)).unwrap();
        let mut failed = added.clone();
        failed.failure = Some(Failure {
            operation: Operation::Simdrop,
            statements_done: 1,
            done_checksum: String::new(),
            error: Some("boom".into()),
            line: Some(2),
            release: old.clone(),
        });
        let new = Release::from_stored("7".into());
        let stamp = Stamp {
            release: &new,
            at: "2026-12-03T10:00:00Z",
            last_seq: 5,
        };
        let checksum = |phase: Phase| Some(format!("{phase:?}"));
        let dropped = mark_row(
            Some(&failed),
            failed.version,
            None,
            State::Dropped,
            stamp,
            &checksum,
        )
        .unwrap();
        assert_eq!(dropped.state, State::Dropped);
        assert_eq!(dropped.failure, None);
        // The add phase that was recorded stays as it was.
        assert_eq!(dropped.phase(Phase::Add), added.phase(Phase::Add));
        let simdrop = dropped.phase(Phase::Simdrop).unwrap();
        let drop = dropped.phase(Phase::Drop).unwrap();
        assert_eq!((simdrop.seq, drop.seq), (6, 7));
        assert_eq!(simdrop.release, new);
        assert_eq!(drop.checksum.as_deref(), Some("Drop"));
        let back = mark_row(
            Some(&dropped),
            dropped.version,
            None,
            State::Added,
            stamp,
            &checksum,
        )
        .unwrap();
        assert_eq!(back.state, State::Added);
        assert!(back.phase(Phase::Simdrop).is_none() && back.phase(Phase::Drop).is_none());
        let gone = mark_row(
            Some(&back),
            back.version,
            None,
            State::Pending,
            stamp,
            &checksum,
        );
        assert_eq!(gone, None);
    }

    #[test]
    fn carried_rows_get_the_loads_release_time_and_order() {
        let mut db = DbState::default();
        for number in [2, 9] {
            let mut record = VersionRecord::new(Version::new(number).unwrap(), None);
            record.state = State::Added;
            record.phases[0] = Some(PhaseRecord {
                release: Release::from_stored(String::new()),
                at: String::new(),
                seq: 0,
                checksum: Some("abc".into()),
            });
            db.records.insert(record.version, record);
        }
        let label = Release::from_stored("1".into());
        let stamp = Stamp {
            release: &label,
            at: "2026-12-03T10:00:00Z",
            last_seq: 0,
        };
        let labelled = label_carried_rows(&db, stamp);
        let seqs: Vec<u64> = labelled
            .iter()
            .map(|record| record.phase(Phase::Add).unwrap().seq)
            .collect();
        assert_eq!(seqs, [1, 2]);
        assert!(labelled.iter().all(|record| {
            let add = record.phase(Phase::Add).unwrap();
            add.release == label && add.checksum.as_deref() == Some("abc")
        }));
        // Rows with labels are left alone.
        let db = DbState {
            tables_exist: true,
            records: labelled.into_iter().map(|r| (r.version, r)).collect(),
        };
        assert!(label_carried_rows(&db, stamp).is_empty());
    }
}
