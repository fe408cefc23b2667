//! The operation history: reading `db_version_log` entries (newest first)
//! through a [`HistoryFilter`]. The log table itself, its rows and filters
//! are [`crate::log_table`]'s.
//!
//! Reading the history is read-only: it never creates the tables, and a
//! database without a log table has an empty history. The filters are applied
//! by the database, in one query with bound values, so `--limit` and
//! `--errors` stay cheap on a long log.

use crate::backend::Backend;
use crate::error::Error;
use crate::settings::TableNames;

/// The log's entry and filter, also here: [`crate::migrator::Migrator::history`]
/// takes the filter and returns the entries, and library code imports them
/// from this module.
pub use crate::log_table::{HistoryFilter, LogEntry};

/// Reads the entries `filter` selects, newest first. Never creates anything.
pub fn read(backend: &mut dyn Backend, filter: &HistoryFilter) -> Result<Vec<LogEntry>, Error> {
    backend
        .read_history(filter)
        .map_err(Error::database("cannot read the log table"))
}

/// Reads the entry with `id`, or says there is none (exit 2), naming the
/// session's log table `tables.log`.
pub fn read_entry(
    backend: &mut dyn Backend,
    tables: &TableNames,
    id: i64,
) -> Result<LogEntry, Error> {
    read(backend, &HistoryFilter::entry(id))?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::Usage(format!(
                "no log entry {id} in {}: `migrate log` lists the entries",
                tables.log
            ))
        })
}

/// How long an entry took, in milliseconds, when it finished.
pub fn duration_ms(entry: &LogEntry) -> Option<u64> {
    let started = humantime::parse_rfc3339(&entry.started_at).ok()?;
    let finished = humantime::parse_rfc3339(entry.finished_at.as_deref()?).ok()?;
    let elapsed = finished.duration_since(started).ok()?;
    u64::try_from(elapsed.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log_table::{LogOperation, Outcome};
    use crate::state::Operation;
    use crate::version::Version;

    fn entry() -> LogEntry {
        LogEntry {
            id: Some(7),
            finished_at: Some("2026-11-22T10:00:01.250001Z".into()),
            outcome: Outcome::Failed,
            ..LogEntry::new(
                Version::new(20150100000001000000).unwrap(),
                LogOperation::Run(Operation::Add),
                "2026-11-22T10:00:00.000001Z",
            )
        }
    }

    #[test]
    fn a_finished_entry_has_a_duration() {
        assert_eq!(duration_ms(&entry()), Some(1250));
    }

    #[test]
    fn an_unfinished_entry_has_no_duration() {
        let entry = LogEntry {
            finished_at: None,
            ..entry()
        };
        assert_eq!(duration_ms(&entry), None);
    }
}
