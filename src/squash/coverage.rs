//! Where a database stands against a checkpoint (SPEC section 10), decided
//! from the version table alone: pure, for the planner, drift and `status`.
//!
//! - **Fresh**: it has none of the versions the checkpoint stands for; the
//!   checkpoint runs as version N's add file, and the database records
//!   version N alone (its `db_version` row says `added`, with the
//!   checkpoint's checksum; the log has its `add`).
//! - **Ran the checkpoint**: of those versions it has only version N, and
//!   that row is the checkpoint's (its checksum, or the others are absent
//!   while the checkpoint lists more than N). Nothing to do; drift is
//!   checked as for any file.
//! - **Finished**: it has every version the checkpoint lists in the state
//!   the checkpoint says it ended in (`added` for add-only versions,
//!   `dropped` otherwise): it ran the original files. Nothing to do; the
//!   rows of those versions stay as they are (their history too), the
//!   versions show as `squashed` and their files, now gone, are not drift.
//! - **Part-way**: anything else (a version missing, or short of its final
//!   state, or failed). Every changing command refuses (exit 5), naming
//!   what it lacks: it must be finished with the files of the release
//!   before the squash.

use crate::record::DbState;
use crate::scan::Checkpoint;
use crate::state::State;
use crate::version::Version;

/// Where a database stands against one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// None of the versions: the checkpoint runs.
    Fresh,
    /// It ran the checkpoint.
    RanCheckpoint,
    /// It ran every version to its final state.
    Finished,
    /// Part-way: each version it lacks, with the state it is in.
    PartWay(Vec<(Version, State, State)>),
}

/// Where `db` stands against `checkpoint`.
pub fn classify(checkpoint: &Checkpoint, db: &DbState) -> Coverage {
    let recorded: Vec<Version> = checkpoint
        .squashed
        .iter()
        .map(|squashed| squashed.version)
        .filter(|version| db.records.contains_key(version))
        .collect();
    if recorded.is_empty() {
        return Coverage::Fresh;
    }
    if recorded == [checkpoint.version] {
        let own = db.records.get(&checkpoint.version).and_then(|record| {
            record
                .phase(crate::state::Phase::Add)
                .and_then(|phase| phase.checksum.clone())
        });
        if own.as_deref() == Some(checkpoint.checksum.as_str()) || checkpoint.squashed.len() > 1 {
            return Coverage::RanCheckpoint;
        }
    }
    let ran = ran_earlier(checkpoint, db);
    let lacking: Vec<(Version, State, State)> = checkpoint
        .squashed
        .iter()
        .filter_map(|squashed| {
            let record = db.records.get(&squashed.version);
            let state = db.state_of(squashed.version);
            let failed = record.is_some_and(|record| record.failure.is_some());
            let done = match squashed.state {
                State::Dropped => state == State::Dropped,
                _ => state.is_applied(),
            };
            let by_checkpoint = squashed
                .checkpoints
                .iter()
                .any(|earlier| ran.contains(earlier));
            (failed || !(done || by_checkpoint)).then_some((
                squashed.version,
                state,
                squashed.state,
            ))
        })
        .collect();
    match lacking.is_empty() {
        true => Coverage::Finished,
        false => Coverage::PartWay(lacking),
    }
}

/// The earlier checkpoints folded into `checkpoint` that `db` ran: it has
/// the checkpoint's own version, applied, and none of the others it stands
/// for (as a database that ran the current one has only its version).
fn ran_earlier(checkpoint: &Checkpoint, db: &DbState) -> Vec<Version> {
    let mut earlier: Vec<Version> = checkpoint
        .squashed
        .iter()
        .flat_map(|squashed| squashed.checkpoints.iter().copied())
        .collect();
    earlier.sort_unstable();
    earlier.dedup();
    earlier.retain(|&candidate| {
        db.state_of(candidate).is_applied()
            && checkpoint
                .squashed
                .iter()
                .filter(|squashed| squashed.version != candidate)
                .filter(|squashed| squashed.checkpoints.contains(&candidate))
                .all(|squashed| !db.records.contains_key(&squashed.version))
    });
    earlier
}

/// Whether drift is checked for `version`'s recorded files: not for the
/// versions of a checkpoint the database finished (or is part-way
/// through) with the original files, which the squash removed.
pub fn drift_exempt(checkpoint: &Checkpoint, db: &DbState, version: Version) -> bool {
    checkpoint.covers(version)
        && matches!(
            classify(checkpoint, db),
            Coverage::Finished | Coverage::PartWay(_)
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{PhaseRecord, VersionRecord};
    use crate::scan::Squashed;
    use crate::version::Release;

    fn v(number: u128) -> Version {
        Version::new(number).unwrap()
    }

    /// A checkpoint at 3 standing for 1 (add-only), 2 (dropped) and 3 (dropped).
    fn checkpoint() -> Checkpoint {
        let entry = |number, state| Squashed {
            version: v(number),
            name: None,
            state,
            checkpoints: Vec::new(),
        };
        Checkpoint {
            version: v(3),
            path: "up/3_checkpoint.sql".into(),
            checksum: "cafe".into(),
            squashed: vec![
                entry(1, State::Added),
                entry(2, State::Dropped),
                entry(3, State::Dropped),
            ],
        }
    }

    fn db(rows: &[(u128, State, Option<&str>)]) -> DbState {
        let mut state = DbState {
            tables_exist: true,
            ..DbState::default()
        };
        for &(number, reached, checksum) in rows {
            let mut record = VersionRecord::new(v(number), None);
            record.state = reached;
            record.phases[0] = Some(PhaseRecord {
                release: Release::from_stored("1".into()),
                at: "2026-11-22T10:00:00Z".into(),
                seq: 1,
                checksum: checksum.map(str::to_string),
            });
            state.records.insert(v(number), record);
        }
        state
    }

    #[test]
    fn every_standing_is_told_apart() {
        use State::*;
        let checkpoint = checkpoint();
        let cases = [
            (db(&[]), Coverage::Fresh),
            (db(&[(4, Added, Some("x"))]), Coverage::Fresh),
            (db(&[(3, Added, Some("cafe"))]), Coverage::RanCheckpoint),
            // An edited checkpoint is still the one that ran (drift says the rest).
            (db(&[(3, Added, Some("beef"))]), Coverage::RanCheckpoint),
            (
                db(&[
                    (1, Added, Some("a")),
                    (2, Dropped, Some("b")),
                    (3, Dropped, Some("c")),
                ]),
                Coverage::Finished,
            ),
            (
                db(&[(1, Added, Some("a")), (2, Added, Some("b"))]),
                Coverage::PartWay(vec![(v(2), Added, Dropped), (v(3), Pending, Dropped)]),
            ),
            (
                db(&[(1, Added, Some("a"))]),
                Coverage::PartWay(vec![(v(2), Pending, Dropped), (v(3), Pending, Dropped)]),
            ),
        ];
        for (state, expected) in cases {
            assert_eq!(classify(&checkpoint, &state), expected, "{state:?}");
        }
    }

    #[test]
    fn a_checkpoint_of_one_version_tells_its_own_row_by_checksum() {
        let mut checkpoint = checkpoint();
        checkpoint.squashed.drain(..2);
        let ran = db(&[(3, State::Added, Some("cafe"))]);
        assert_eq!(classify(&checkpoint, &ran), Coverage::RanCheckpoint);
        let finished = db(&[(3, State::Dropped, Some("c"))]);
        assert_eq!(classify(&checkpoint, &finished), Coverage::Finished);
    }

    #[test]
    fn a_database_that_ran_an_earlier_checkpoint_has_what_it_stands_for() {
        use State::*;
        let mut checkpoint = checkpoint();
        // 1 and 2 were squashed into a checkpoint at 2 before this one.
        for entry in &mut checkpoint.squashed[..2] {
            entry.checkpoints = vec![v(2)];
        }
        let ran_it = db(&[(2, Added, Some("old")), (3, Dropped, Some("c"))]);
        assert_eq!(classify(&checkpoint, &ran_it), Coverage::Finished);
        let only_it = db(&[(2, Added, Some("old"))]);
        assert_eq!(
            classify(&checkpoint, &only_it),
            Coverage::PartWay(vec![(v(3), Pending, Dropped)])
        );
        // With 1 recorded too, 2's row is the original's, short of dropped.
        let originals = db(&[
            (1, Added, Some("a")),
            (2, Added, Some("b")),
            (3, Dropped, Some("c")),
        ]);
        assert_eq!(
            classify(&checkpoint, &originals),
            Coverage::PartWay(vec![(v(2), Added, Dropped)])
        );
    }

    #[test]
    fn drift_is_not_checked_for_files_the_squash_removed() {
        let checkpoint = checkpoint();
        let finished = db(&[
            (1, State::Added, Some("a")),
            (2, State::Dropped, Some("b")),
            (3, State::Dropped, Some("c")),
        ]);
        assert!(drift_exempt(&checkpoint, &finished, v(2)));
        assert!(drift_exempt(&checkpoint, &finished, v(3)));
        assert!(!drift_exempt(&checkpoint, &finished, v(4)));
        let ran = db(&[(3, State::Added, Some("beef"))]);
        assert!(!drift_exempt(&checkpoint, &ran, v(3)));
    }
}
