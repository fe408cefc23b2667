//! Add-only versions (SPEC section 1): a version with neither
//! `up/N.simdrop.sql` nor `up/N.drop.sql` ends its life at `added`.
//! `simdrop`, `drop` and `ff` never move it, so it stays reversible by its
//! down file; the planner refuses `simdrop --only N` and `drop --only N` on it.
//!
//! Before this rule, `simdrop`, `drop` and `ff` swept every version through
//! every phase, running no file for an add-only version's simdrop and drop.
//! Databases migrated then hold rows that say `simdropped` or `dropped` for
//! such versions, which made `down --only N` refuse them forever although
//! their down file exists. [`effective_state`] reads those rows as `added`:
//! no file ran for the later phases, so nothing was hidden or removed, and
//! the down file still undoes the version. Pure, and applied once where the
//! version table is read for a decision (`Migrator`), so the planner, the
//! executor and `status` all see the same state. The row is rewritten the
//! next time the version changes (its rollback deletes it).

use crate::record::{DbState, VersionRecord};
use crate::scan::Catalogue;
use crate::state::{Operation, Phase, State};
use crate::version::Version;

/// Whether `version` is add-only: the folder has neither a simdrop nor a
/// drop file for it. A version the folder no longer holds has neither.
pub fn is_add_only(catalogue: &Catalogue, version: Version) -> bool {
    catalogue.get(version).is_none_or(|files| {
        files.file(Operation::Simdrop).is_none() && files.file(Operation::Drop).is_none()
    })
}

/// The version table as the planner and `status` read it: every row of an
/// add-only version that an older `migrate` swept to `simdropped` or
/// `dropped` without running a file for those phases is read as `added`.
/// Only the state changes: a phase past the state is not in effect
/// ([`crate::state::State::has_reached`]), so rollbacks, releases and
/// `status` ignore it, while release labels and sequence numbers still
/// count it.
///
/// A row is left as written when a file did run for its simdrop or drop
/// phase (a file since removed is drift, which `status` shows and every
/// change refuses), when the version is failed (its repair is `mark`), and
/// when the folder now gives the version a simdrop or drop file: the row
/// then says that phase ran without a file, the new file is drift
/// ("appeared after its phase ran without a file"), and the user decides
/// whether it should run (`mark --only N --state added --allow-drift`, then
/// `simdrop`) or not (`verify --accept`).
pub fn effective_state(catalogue: &Catalogue, mut db: DbState) -> DbState {
    for record in db.records.values_mut() {
        if was_swept(catalogue, record) {
            // The swept phases stay recorded but out of effect: their release
            // labels and sequence numbers still count, so the next label and
            // sequence number never repeat one the log already holds.
            record.state = State::Added;
        }
    }
    db
}

/// Whether `record` is an add-only version moved past `added` with no file run.
fn was_swept(catalogue: &Catalogue, record: &VersionRecord) -> bool {
    let no_file_ran = [Phase::Simdrop, Phase::Drop].into_iter().all(|phase| {
        record
            .phase(phase)
            .is_none_or(|done| done.checksum.is_none())
    });
    record.state > State::Added
        && record.failure.is_none()
        && no_file_ran
        && is_add_only(catalogue, record.version)
}
