//! Writes that run no migration file: `verify --accept`, `mark --only N
//! --state S`, and the version rows `load` carries in. The rows are worked
//! out as plain data beforehand (`record::mark_row`,
//! `record::label_carried_rows`, the accepted checksums); this module only
//! writes them, each with its log row, all in one transaction.

use crate::backend::Backend;
use crate::error::{DbError, Error};
use crate::log_table::{LogEntry, LogOperation, Outcome};
use crate::record::VersionRecord;
use crate::version::Version;

/// One version's new row (`None` deletes it) and the log row that says why.
#[derive(Debug, Clone)]
pub struct Repair {
    /// The version.
    pub version: Version,
    /// Its row after the change; `None` when it returns to `pending`.
    pub row: Option<VersionRecord>,
    /// The log row, complete (`ok`, with its end time).
    pub entry: LogEntry,
}

impl Repair {
    /// A change of `version` to `row`, logged as `operation` at `at`.
    pub fn new(
        version: Version,
        row: Option<VersionRecord>,
        operation: LogOperation,
        at: &str,
    ) -> Repair {
        Repair {
            version,
            row,
            entry: LogEntry {
                finished_at: Some(at.to_string()),
                outcome: Outcome::Ok,
                ..LogEntry::new(version, operation, at)
            },
        }
    }
}

/// Creates the version tables if needed, then writes every repair in one
/// transaction: all of them land, or none does.
pub fn write(backend: &mut dyn Backend, repairs: &[Repair]) -> Result<(), Error> {
    backend
        .ensure_tables()
        .map_err(Error::database("cannot create the version tables"))?;
    write_in_transaction(backend, repairs)
        .map_err(Error::database("cannot update the version table"))
}

/// Writes the repairs inside the caller's open transaction.
pub(crate) fn write_rows(backend: &mut dyn Backend, repairs: &[Repair]) -> Result<(), DbError> {
    for repair in repairs {
        backend.record(repair.version, repair.row.as_ref(), &repair.entry)?;
    }
    Ok(())
}

fn write_in_transaction(backend: &mut dyn Backend, repairs: &[Repair]) -> Result<(), DbError> {
    backend.begin(None)?;
    match write_rows(backend, repairs).and_then(|()| backend.commit()) {
        Ok(()) => Ok(()),
        Err(error) => {
            if let Err(rollback) = backend.rollback() {
                log::warn!("rollback failed: {rollback}");
            }
            Err(error)
        }
    }
}
