//! The version table's columns as every backend reads them, and their
//! conversion into a [`VersionRecord`], written once for all databases.
//!
//! Each backend selects the columns in [`COLUMNS`] order (times as RFC 3339
//! UTC text, versions as decimal text) and fills a [`RawRow`].

use crate::record::{Failure, PhaseRecord, VersionRecord};
use crate::state::Phase;
use crate::version::{Release, Version};

/// The version table's columns, in the order backends select and insert them.
pub const COLUMNS: [&str; 21] = [
    "version",
    "name",
    "state",
    "add_release",
    "added_at",
    "add_seq",
    "add_checksum",
    "simdrop_release",
    "simdropped_at",
    "simdrop_seq",
    "simdrop_checksum",
    "drop_release",
    "dropped_at",
    "drop_seq",
    "drop_checksum",
    "failed_operation",
    "failed_release",
    "statements_done",
    "done_checksum",
    "error",
    "error_line",
];

/// The phases in [`VersionRecord::phases`] order.
const PHASES: [Phase; 3] = [Phase::Add, Phase::Simdrop, Phase::Drop];

/// The columns of the rows `schema/schema.sql` carries: what is the same on
/// every database that reached the same state (SPEC section 7).
const PORTABLE_COLUMNS: [&str; 6] = [
    "version",
    "name",
    "state",
    "add_checksum",
    "simdrop_checksum",
    "drop_checksum",
];

/// One phase's columns: release, time, sequence number, checksum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPhase {
    /// `*_release`.
    pub release: Option<String>,
    /// `*_at`, RFC 3339 UTC.
    pub at: Option<String>,
    /// `*_seq`.
    pub seq: Option<i64>,
    /// `*_checksum`.
    pub checksum: Option<String>,
}

/// One row of the version table as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    /// `version`, decimal text.
    pub version: String,
    /// `name`.
    pub name: Option<String>,
    /// `state`.
    pub state: String,
    /// The add, simdrop and drop phases.
    pub phases: [RawPhase; 3],
    /// `failed_operation`.
    pub failed_operation: Option<String>,
    /// `failed_release`.
    pub failed_release: Option<String>,
    /// `statements_done`.
    pub statements_done: Option<i64>,
    /// `done_checksum`.
    pub done_checksum: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_line`.
    pub error_line: Option<i64>,
}

/// The values a backend binds when it saves a row, in [`COLUMNS`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowValues {
    /// Decimal text of the version.
    pub version: String,
    /// `name`.
    pub name: Option<String>,
    /// `state`.
    pub state: &'static str,
    /// The add, simdrop and drop phases.
    pub phases: [RawPhase; 3],
    /// `failed_operation`.
    pub failed_operation: Option<&'static str>,
    /// `failed_release`.
    pub failed_release: Option<String>,
    /// `statements_done`.
    pub statements_done: Option<i64>,
    /// `done_checksum`.
    pub done_checksum: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_line`.
    pub error_line: Option<i64>,
}

impl RawRow {
    /// Converts the row, or says which value is not what the tool writes.
    pub fn into_record(self) -> Result<VersionRecord, String> {
        let version: Version = self
            .version
            .parse()
            .map_err(|error| format!("the version table holds a bad version: {error}"))?;
        let mut record = VersionRecord::new(version, self.name);
        record.state = self
            .state
            .parse()
            .map_err(|error| format!("version {version} in the version table: {error}"))?;
        let state = record.state;
        for ((slot, raw), phase) in record.phases.iter_mut().zip(self.phases).zip(PHASES) {
            // A phase the state has reached without a release is a row that
            // `schema/schema.sql` carried (no labels, times or order there);
            // `load` gives it those of the load.
            if raw.release.is_none() && !state.has_reached(phase) {
                continue;
            }
            *slot = Some(PhaseRecord {
                release: Release::from_stored(raw.release.unwrap_or_default()),
                at: raw.at.unwrap_or_default(),
                seq: raw.seq.map_or(0, |seq| u64::try_from(seq).unwrap_or(0)),
                checksum: raw.checksum,
            });
        }
        if let Some(operation) = self.failed_operation {
            record.failure = Some(Failure {
                operation: operation
                    .parse()
                    .map_err(|error| format!("version {version} in the version table: {error}"))?,
                release: Release::from_stored(self.failed_release.unwrap_or_default()),
                statements_done: self
                    .statements_done
                    .map_or(0, |done| usize::try_from(done).unwrap_or(0)),
                done_checksum: self.done_checksum.unwrap_or_default(),
                error: self.error,
                line: self.error_line.and_then(|line| usize::try_from(line).ok()),
            });
        }
        Ok(record)
    }
}

impl RowValues {
    /// The values to save for `record`.
    pub fn of(record: &VersionRecord) -> RowValues {
        let phases = record.phases.clone().map(|phase| match phase {
            Some(phase) => RawPhase {
                release: Some(phase.release.as_str().to_string()),
                at: Some(phase.at),
                seq: Some(i64::try_from(phase.seq).unwrap_or(i64::MAX)),
                checksum: phase.checksum,
            },
            None => RawPhase::default(),
        });
        let failure = record.failure.as_ref();
        RowValues {
            version: record.version.to_string(),
            name: record.name.clone(),
            state: record.state.as_str(),
            phases,
            failed_operation: failure.map(|failure| failure.operation.as_str()),
            failed_release: failure.map(|failure| failure.release.as_str().to_string()),
            statements_done: failure
                .map(|failure| i64::try_from(failure.statements_done).unwrap_or(i64::MAX)),
            done_checksum: failure.map(|failure| failure.done_checksum.clone()),
            error: failure.and_then(|failure| failure.error.clone()),
            error_line: failure
                .and_then(|failure| failure.line)
                .map(|line| i64::try_from(line).unwrap_or(i64::MAX)),
        }
    }
}

/// One value of a version row, for a backend to write as an SQL literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal<'a> {
    /// `NULL`.
    Null,
    /// A text column.
    Text(&'a str),
    /// The version, as decimal text.
    Version(&'a str),
}

/// `INSERT` statements that recreate the version table's rows for
/// `schema/schema.sql`, one per version in ascending order, each value
/// written by `literal`. Only what every database that reached the same
/// state shares is written: the version, its name, its settled state and the
/// checksums of the files that ran; no times, release labels, order or
/// failure, so the file does not churn between machines (SPEC section 7).
pub fn insert_statements(
    table: &str,
    records: &[&VersionRecord],
    literal: &dyn Fn(Literal<'_>) -> String,
) -> String {
    let mut sql = String::new();
    for record in records {
        let version = record.version.to_string();
        fn text(value: Option<&str>) -> Literal<'_> {
            value.map_or(Literal::Null, Literal::Text)
        }
        let checksum = |phase: Phase| {
            text(
                record
                    .phase(phase)
                    .and_then(|reached| reached.checksum.as_deref()),
            )
        };
        let row = [
            Literal::Version(&version),
            text(record.name.as_deref()),
            Literal::Text(record.state.as_str()),
            checksum(Phase::Add),
            checksum(Phase::Simdrop),
            checksum(Phase::Drop),
        ];
        let rendered: Vec<String> = row.into_iter().map(literal).collect();
        sql.push_str(&format!(
            "INSERT INTO {table} ({}) VALUES ({});\n",
            PORTABLE_COLUMNS.join(", "),
            rendered.join(", ")
        ));
    }
    sql
}

/// A single-quoted SQL string with inner quotes doubled.
pub fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Operation, State};

    #[test]
    fn a_saved_row_reads_back_the_same() {
        let mut record = VersionRecord::new(Version::new(20150100000001000000).unwrap(), None);
        record.state = State::Simdropped;
        record.name = Some("add_email".into());
        for (index, seq) in [(0, 3), (1, 7)] {
            record.phases[index] = Some(PhaseRecord {
                release: Release::from_stored(format!("r{index}")),
                at: "2026-11-22T10:00:00.000001Z".into(),
                seq,
                checksum: Some("abc".into()),
            });
        }
        record.failure = Some(Failure {
            operation: Operation::Drop,
            statements_done: 2,
            done_checksum: "def".into(),
            error: Some("boom".into()),
            line: Some(9),
            release: Release::from_stored("3".into()),
        });
        let values = RowValues::of(&record);
        let raw = RawRow {
            version: values.version,
            name: values.name,
            state: values.state.to_string(),
            phases: values.phases,
            failed_operation: values.failed_operation.map(str::to_string),
            failed_release: values.failed_release,
            statements_done: values.statements_done,
            done_checksum: values.done_checksum,
            error: values.error,
            error_line: values.error_line,
        };
        assert_eq!(raw.into_record().unwrap(), record);
    }

    #[test]
    fn rows_become_insert_statements_without_times_or_labels() {
        let mut record = VersionRecord::new(Version::new(7).unwrap(), Some("it's".into()));
        record.state = crate::state::State::Added;
        record.phases[0] = Some(PhaseRecord {
            release: Release::from_stored("1".into()),
            at: "2026-11-22T10:00:00.000001Z".into(),
            seq: 3,
            checksum: Some("abc".into()),
        });
        let sql = insert_statements("t", &[&record], &|value| match value {
            Literal::Null => "NULL".into(),
            Literal::Text(text) => quoted(text),
            Literal::Version(version) => version.to_string(),
        });
        assert_eq!(
            sql,
            "INSERT INTO t (version, name, state, add_checksum, simdrop_checksum, drop_checksum) \
             VALUES (7, 'it''s', 'added', 'abc', NULL, NULL);\n"
        );
    }

    #[test]
    fn a_carried_row_reads_with_its_reached_phases_unlabelled() {
        let raw = RawRow {
            version: "4".into(),
            state: "simdropped".into(),
            phases: [
                RawPhase {
                    checksum: Some("abc".into()),
                    ..RawPhase::default()
                },
                RawPhase::default(),
                RawPhase::default(),
            ],
            ..RawRow::default()
        };
        let record = raw.into_record().unwrap();
        let add = record.phase(Phase::Add).unwrap();
        assert_eq!(add.release.as_str(), "");
        assert_eq!(add.checksum.as_deref(), Some("abc"));
        assert!(record.phase(Phase::Simdrop).is_some());
        assert!(record.phase(Phase::Drop).is_none());
    }

    #[test]
    fn bad_values_are_named() {
        let raw = RawRow {
            version: "x".into(),
            state: "added".into(),
            ..RawRow::default()
        };
        assert!(raw.into_record().unwrap_err().contains("bad version"));
        let raw = RawRow {
            version: "3".into(),
            state: "weird".into(),
            ..RawRow::default()
        };
        assert!(raw.into_record().unwrap_err().contains("version 3"));
    }
}
