//! The operation history: reading `db_version_log` entries (newest first)
//! through a [`HistoryFilter`], and the conversion of a log row as every
//! backend reads it into a [`LogEntry`].
//!
//! Reading the history is read-only: it never creates the tables, and a
//! database without a log table has an empty history. The filters are applied
//! by the database, in one query with bound values, so `--limit` and
//! `--errors` stay cheap on a long log.

use crate::backend::{Backend, LogEntry};
use crate::error::Error;
use crate::settings::TableNames;
use crate::version::{Release, Version};

/// The `outcome` of a failed operation.
pub const FAILED: &str = "failed";

/// The log table's columns, in the order backends select them.
pub const LOG_COLUMNS: [&str; 12] = [
    "id",
    "version",
    "operation",
    "release",
    "file",
    "checksum",
    "started_at",
    "finished_at",
    "outcome",
    "error",
    "statement",
    "line",
];

/// Which log entries to read. The default reads every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only the entry with this id (`log ID`).
    pub id: Option<i64>,
    /// Only the entries of this version (`--version N`).
    pub version: Option<Version>,
    /// Only failed operations (`--errors`).
    pub errors: bool,
    /// At most this many entries, the newest (`--limit K`).
    pub limit: Option<u64>,
}

impl HistoryFilter {
    /// The one entry with `id`.
    pub fn entry(id: i64) -> HistoryFilter {
        HistoryFilter {
            id: Some(id),
            ..HistoryFilter::default()
        }
    }

    /// The `outcome` to match, bound as a value: `Some("failed")` with `--errors`.
    pub fn outcome(&self) -> Option<&'static str> {
        self.errors.then_some(FAILED)
    }

    /// The version to match, as the decimal text backends bind.
    pub fn version_text(&self) -> Option<String> {
        self.version.map(|version| version.to_string())
    }

    /// The row limit to bind: `i64::MAX` when there is none, since not every
    /// database accepts a null `LIMIT`.
    pub fn limit_value(&self) -> i64 {
        self.limit
            .map_or(i64::MAX, |limit| i64::try_from(limit).unwrap_or(i64::MAX))
    }
}

/// One row of the log table as read, in [`LOG_COLUMNS`] order (times as RFC
/// 3339 UTC text, the version as decimal text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawLogRow {
    /// `id`.
    pub id: i64,
    /// `version`, decimal text.
    pub version: String,
    /// `operation`.
    pub operation: String,
    /// `release`.
    pub release: Option<String>,
    /// `file`.
    pub file: Option<String>,
    /// `checksum`.
    pub checksum: Option<String>,
    /// `started_at`.
    pub started_at: String,
    /// `finished_at`.
    pub finished_at: Option<String>,
    /// `outcome`.
    pub outcome: String,
    /// `error`.
    pub error: Option<String>,
    /// `statement`.
    pub statement: Option<i64>,
    /// `line`.
    pub line: Option<i64>,
}

impl RawLogRow {
    /// Converts the row, or says which value is not what the tool writes.
    pub fn into_entry(self) -> Result<LogEntry, String> {
        let version: Version = self
            .version
            .parse()
            .map_err(|error| format!("log entry {} holds a bad version: {error}", self.id))?;
        let count = |value: Option<i64>| value.and_then(|value| usize::try_from(value).ok());
        Ok(LogEntry {
            id: Some(self.id),
            version,
            operation: self.operation,
            release: self.release.map(Release::from_stored),
            file: self.file,
            checksum: self.checksum,
            started_at: self.started_at,
            finished_at: self.finished_at,
            outcome: self.outcome,
            error: self.error,
            statement: count(self.statement),
            line: count(self.line),
        })
    }
}

/// Reads the entries `filter` selects, newest first. Never creates anything.
pub fn read(
    backend: &mut dyn Backend,
    tables: &TableNames,
    filter: &HistoryFilter,
) -> Result<Vec<LogEntry>, Error> {
    backend
        .read_history(tables, filter)
        .map_err(Error::database("cannot read the log table"))
}

/// Reads the entry with `id`, or says there is none (exit 2).
pub fn read_entry(
    backend: &mut dyn Backend,
    tables: &TableNames,
    id: i64,
) -> Result<LogEntry, Error> {
    read(backend, tables, &HistoryFilter::entry(id))?
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

    fn raw() -> RawLogRow {
        RawLogRow {
            id: 7,
            version: "20150100000001000000".into(),
            operation: "add".into(),
            release: Some("3".into()),
            file: Some("up/20150100000001000000_x.sql".into()),
            started_at: "2026-11-22T10:00:00.000001Z".into(),
            finished_at: Some("2026-11-22T10:00:01.250001Z".into()),
            outcome: FAILED.into(),
            error: Some("boom".into()),
            statement: Some(2),
            line: Some(9),
            ..RawLogRow::default()
        }
    }

    #[test]
    fn a_row_converts_to_an_entry() {
        let entry = raw().into_entry().unwrap();
        assert_eq!(entry.id, Some(7));
        assert_eq!(entry.version.get(), 20150100000001000000);
        assert_eq!(entry.release.as_ref().map(Release::as_str), Some("3"));
        assert_eq!((entry.statement, entry.line), (Some(2), Some(9)));
        assert_eq!(duration_ms(&entry), Some(1250));
    }

    #[test]
    fn a_bad_version_is_named() {
        let row = RawLogRow {
            version: "x".into(),
            ..raw()
        };
        assert!(row.into_entry().unwrap_err().contains("log entry 7"));
    }

    #[test]
    fn an_unfinished_entry_has_no_duration() {
        let entry = RawLogRow {
            finished_at: None,
            ..raw()
        }
        .into_entry()
        .unwrap();
        assert_eq!(duration_ms(&entry), None);
    }

    #[test]
    fn filter_values() {
        let filter = HistoryFilter::default();
        assert_eq!(filter.limit_value(), i64::MAX);
        assert_eq!(filter.outcome(), None);
        let filter = HistoryFilter {
            errors: true,
            limit: Some(3),
            version: Version::new(12),
            id: None,
        };
        assert_eq!(filter.limit_value(), 3);
        assert_eq!(filter.outcome(), Some("failed"));
        assert_eq!(filter.version_text().as_deref(), Some("12"));
    }
}
