//! The version table (`db_version`), written once for all databases: its
//! [`COLUMNS`] in order, the conversion of its rows to and from a
//! [`VersionRecord`], and the portable rows `schema/schema.sql` carries
//! ([`insert_statements`]).
//!
//! Each backend selects, inserts and reads back [`COLUMNS`] in this order
//! (times as RFC 3339 UTC text, versions as decimal text) through
//! [`crate::table::Row`]; what it writes itself is its dialect.
//!
//! # Adding a column
//! 1. Here: add it to [`COLUMNS`] with its [`Kind`], write it in
//!    [`to_row`] and read it in [`from_row`] (the tests below check that
//!    every column is written with its kind and reads back the same).
//! 2. One `CREATE` per backend: the hand-written table in
//!    `backend/sqlite/bookkeeping.rs`; in `backend/postgres/bookkeeping.rs`
//!    and `backend/mysql/bookkeeping.rs` the table is built from
//!    [`COLUMNS`], so only a column whose kind's default type does not fit
//!    needs a line in their type match.
//!
//! `CREATE TABLE IF NOT EXISTS` leaves existing tables as they are: a new
//! column also needs a way for existing databases to get it.

use crate::record::{Failure, PhaseRecord, VersionRecord};
use crate::state::Phase;
use crate::table::{Column, Kind, Row, Value, integer};
use crate::version::{Release, Version};

/// The version table's columns, in the order backends select and insert them.
pub const COLUMNS: &[Column] = &[
    Column::new("version", Kind::Version),
    Column::new("name", Kind::Text),
    Column::new("state", Kind::Text),
    Column::new("add_release", Kind::Text),
    Column::new("added_at", Kind::Time),
    Column::new("add_seq", Kind::Integer),
    Column::new("add_checksum", Kind::Text),
    Column::new("simdrop_release", Kind::Text),
    Column::new("simdropped_at", Kind::Time),
    Column::new("simdrop_seq", Kind::Integer),
    Column::new("simdrop_checksum", Kind::Text),
    Column::new("drop_release", Kind::Text),
    Column::new("dropped_at", Kind::Time),
    Column::new("drop_seq", Kind::Integer),
    Column::new("drop_checksum", Kind::Text),
    Column::new("failed_operation", Kind::Text),
    Column::new("failed_release", Kind::Text),
    Column::new("statements_done", Kind::Integer),
    Column::new("done_checksum", Kind::Text),
    Column::new("error", Kind::Text),
    Column::new("error_line", Kind::Integer),
];

/// One phase's columns: release, time, sequence number, checksum.
struct PhaseColumns {
    phase: Phase,
    release: &'static str,
    at: &'static str,
    seq: &'static str,
    checksum: &'static str,
}

/// The phases' columns, in [`VersionRecord::phases`] order.
const PHASES: [PhaseColumns; 3] = [
    PhaseColumns {
        phase: Phase::Add,
        release: "add_release",
        at: "added_at",
        seq: "add_seq",
        checksum: "add_checksum",
    },
    PhaseColumns {
        phase: Phase::Simdrop,
        release: "simdrop_release",
        at: "simdropped_at",
        seq: "simdrop_seq",
        checksum: "simdrop_checksum",
    },
    PhaseColumns {
        phase: Phase::Drop,
        release: "drop_release",
        at: "dropped_at",
        seq: "drop_seq",
        checksum: "drop_checksum",
    },
];

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

/// The row to save for `record`.
pub fn to_row(record: &VersionRecord) -> Row {
    let mut row = Row::default();
    row.set_text("version", Some(record.version.to_string()));
    row.set_text("name", record.name.clone());
    row.set_text("state", Some(record.state.as_str().to_string()));
    for (columns, phase) in PHASES.iter().zip(&record.phases) {
        let phase = phase.as_ref();
        row.set_text(
            columns.release,
            phase.map(|phase| phase.release.as_str().to_string()),
        );
        row.set_text(columns.at, phase.map(|phase| phase.at.clone()));
        row.set_integer(columns.seq, phase.map(|phase| integer(phase.seq)));
        row.set_text(
            columns.checksum,
            phase.and_then(|phase| phase.checksum.clone()),
        );
    }
    let failure = record.failure.as_ref();
    row.set_text(
        "failed_operation",
        failure.map(|failure| failure.operation.as_str().to_string()),
    );
    row.set_text(
        "failed_release",
        failure.map(|failure| failure.release.as_str().to_string()),
    );
    row.set_integer(
        "statements_done",
        failure.map(|failure| integer(failure.statements_done)),
    );
    row.set_text(
        "done_checksum",
        failure.map(|failure| failure.done_checksum.clone()),
    );
    row.set_text("error", failure.and_then(|failure| failure.error.clone()));
    row.set_integer(
        "error_line",
        failure.and_then(|failure| failure.line).map(integer),
    );
    row
}

/// The values to bind when saving `record`, in [`COLUMNS`] order.
pub fn values(record: &VersionRecord) -> Vec<Value> {
    to_row(record).values(COLUMNS)
}

/// Converts a row read back, or says which value is not what the tool writes.
pub fn from_row(mut row: Row) -> Result<VersionRecord, String> {
    let stored = row.text("version").unwrap_or_default();
    let version: Version = stored
        .parse()
        .map_err(|error| format!("the version table holds a bad version: {error}"))?;
    let named = |error: String| format!("version {version} in the version table: {error}");
    let mut record = VersionRecord::new(version, row.text("name"));
    record.state = row
        .text("state")
        .unwrap_or_default()
        .parse()
        .map_err(&named)?;
    for (slot, columns) in record.phases.iter_mut().zip(&PHASES) {
        *slot = read_phase(&mut row, columns, record.state.has_reached(columns.phase));
    }
    if let Some(operation) = row.text("failed_operation") {
        record.failure = Some(Failure {
            operation: operation.parse().map_err(&named)?,
            release: Release::from_stored(row.text("failed_release").unwrap_or_default()),
            statements_done: row
                .integer("statements_done")
                .map_or(0, |done| usize::try_from(done).unwrap_or(0)),
            done_checksum: row.text("done_checksum").unwrap_or_default(),
            error: row.text("error"),
            line: row
                .integer("error_line")
                .and_then(|line| usize::try_from(line).ok()),
        });
    }
    Ok(record)
}

/// One phase of a row read back, `None` when the version has not reached it.
fn read_phase(row: &mut Row, columns: &PhaseColumns, reached: bool) -> Option<PhaseRecord> {
    let release = row.text(columns.release);
    let at = row.text(columns.at);
    let seq = row.integer(columns.seq);
    let checksum = row.text(columns.checksum);
    // A phase the state has reached without a release is a row that
    // `schema/schema.sql` carried (no labels, times or order there); `load`
    // gives it those of the load.
    if release.is_none() && !reached {
        return None;
    }
    Some(PhaseRecord {
        release: Release::from_stored(release.unwrap_or_default()),
        at: at.unwrap_or_default(),
        seq: seq.map_or(0, |seq| u64::try_from(seq).unwrap_or(0)),
        checksum,
    })
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
    let columns: Vec<Column> = COLUMNS
        .iter()
        .filter(|column| PORTABLE_COLUMNS.contains(&column.name))
        .copied()
        .collect();
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    let mut sql = String::new();
    for record in records {
        let values = to_row(record).values(&columns);
        let rendered: Vec<String> = columns
            .iter()
            .zip(&values)
            .map(|(column, value)| match (column.kind, value) {
                (Kind::Version, Value::Text(Some(text))) => literal(Literal::Version(text)),
                (_, Value::Text(Some(text))) => literal(Literal::Text(text)),
                _ => literal(Literal::Null),
            })
            .collect();
        sql.push_str(&format!(
            "INSERT INTO {table} ({}) VALUES ({});\n",
            names.join(", "),
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

    fn full_record() -> VersionRecord {
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
        record
    }

    /// A row as a backend reads it back: the bound values, by column order.
    fn read_back(values: Vec<Value>) -> Row {
        let mut values = values.into_iter();
        Row::read(COLUMNS, |_, _| values.next().ok_or(())).unwrap()
    }

    #[test]
    fn a_saved_row_reads_back_the_same() {
        let record = full_record();
        assert_eq!(from_row(read_back(values(&record))).unwrap(), record);
    }

    #[test]
    fn every_column_is_written_with_its_kind() {
        assert!(to_row(&full_record()).matches(COLUMNS));
        assert!(to_row(&VersionRecord::new(Version::new(1).unwrap(), None)).matches(COLUMNS));
        for columns in &PHASES {
            for name in [columns.release, columns.at, columns.seq, columns.checksum] {
                assert!(COLUMNS.iter().any(|column| column.name == name), "{name}");
            }
        }
    }

    #[test]
    fn values_follow_the_column_order() {
        let values = values(&full_record());
        assert_eq!(values.len(), COLUMNS.len());
        let at = |name: &str| {
            let index = COLUMNS.iter().position(|column| column.name == name);
            values[index.unwrap()].clone()
        };
        assert_eq!(at("state"), Value::Text(Some("simdropped".into())));
        assert_eq!(at("simdrop_seq"), Value::Integer(Some(7)));
        assert_eq!(at("drop_release"), Value::Text(None));
        assert_eq!(at("failed_operation"), Value::Text(Some("drop".into())));
        assert_eq!(at("error_line"), Value::Integer(Some(9)));
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
        let mut row = Row::default();
        row.set_text("version", Some("4".into()));
        row.set_text("state", Some("simdropped".into()));
        row.set_text("add_checksum", Some("abc".into()));
        let record = from_row(row).unwrap();
        let add = record.phase(Phase::Add).unwrap();
        assert_eq!(add.release.as_str(), "");
        assert_eq!(add.checksum.as_deref(), Some("abc"));
        assert!(record.phase(Phase::Simdrop).is_some());
        assert!(record.phase(Phase::Drop).is_none());
    }

    #[test]
    fn bad_values_are_named() {
        let row = |version: &str, state: &str, operation: Option<&str>| {
            let mut row = Row::default();
            row.set_text("version", Some(version.into()));
            row.set_text("state", Some(state.into()));
            row.set_text("failed_operation", operation.map(str::to_string));
            row
        };
        let error = from_row(row("x", "added", None)).unwrap_err();
        assert!(error.contains("bad version"), "{error}");
        let error = from_row(row("3", "weird", None)).unwrap_err();
        assert!(
            error.contains("version 3") && error.contains("weird"),
            "{error}"
        );
        let error = from_row(row("3", "added", Some("explode"))).unwrap_err();
        assert!(
            error.contains("version 3") && error.contains("explode"),
            "{error}"
        );
    }
}
