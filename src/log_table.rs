//! The operation log (`db_version_log`), written once for all databases: its
//! [`COLUMNS`] in order, one row as a [`LogEntry`] with a typed
//! [`LogOperation`] and [`Outcome`], the conversion between the two, and the
//! [`HistoryFilter`] that `migrate log` reads it through.
//!
//! Each backend selects [`COLUMNS`] in this order (times as RFC 3339 UTC
//! text, the version as decimal text), inserts [`INSERTED`] and completes a
//! row with [`FINISHED`], all through [`crate::table::Row`]; what it writes
//! itself is its dialect.
//!
//! # Adding a column
//! 1. Here: add it to [`COLUMNS`] with its [`Kind`] (after `started_at` if
//!    the end of a run fills it, so that it is one of [`FINISHED`]), add
//!    the field to [`LogEntry`], write it in [`LogEntry::to_row`] and read it
//!    in [`LogEntry::from_row`] (the tests below check every column).
//! 2. One `CREATE` per backend: the hand-written log table in
//!    `backend/{sqlite,postgres,mysql}/bookkeeping.rs`.
//!
//! `CREATE TABLE IF NOT EXISTS` leaves existing tables as they are: a new
//! column also needs a way for existing databases to get it.

use std::fmt;
use std::str::FromStr;

use crate::state::{Operation, State};
use crate::table::{Column, Kind, Row, Value, integer};
use crate::version::{Release, Version};

/// The log table's columns, in the order backends select them.
pub(crate) const COLUMNS: &[Column] = &[
    Column::new("id", Kind::Integer),
    Column::new("version", Kind::Version),
    Column::new("operation", Kind::Text),
    Column::new("release", Kind::Text),
    Column::new("file", Kind::Text),
    Column::new("checksum", Kind::Text),
    Column::new("started_at", Kind::Time),
    Column::new("finished_at", Kind::Time),
    Column::new("outcome", Kind::Text),
    Column::new("error", Kind::Text),
    Column::new("statement", Kind::Integer),
    Column::new("line", Kind::Integer),
];

/// What the `version` column holds for a row of no version (a repeatable
/// file's run): the column is `NOT NULL`, and 0 is no version's number.
const NO_VERSION: &str = "0";

/// The columns an insert writes: all but `id`, which the database assigns.
pub(crate) const INSERTED: &[Column] = COLUMNS.split_at(1).1;

/// The columns that complete a row written before a non-atomic file ran:
/// everything after `started_at`.
pub(crate) const FINISHED: &[Column] = COLUMNS.split_at(7).1;

/// How an operation ended, as the `outcome` column stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// `ok`: the change is recorded.
    Ok,
    /// `running`: a non-atomic file that has not finished; one left so was
    /// cut off (killed, its connection lost).
    Running,
    /// `failed`: the database refused a statement or the bookkeeping.
    Failed,
    /// `interrupted`: SIGINT or SIGTERM cancelled the run.
    Interrupted,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 4] = [
        Outcome::Ok,
        Outcome::Running,
        Outcome::Failed,
        Outcome::Interrupted,
    ];

    /// The outcome as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Running => "running",
            Outcome::Failed => "failed",
            Outcome::Interrupted => "interrupted",
        }
    }
}

impl FromStr for Outcome {
    type Err = String;

    fn from_str(text: &str) -> Result<Outcome, String> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
            .ok_or_else(|| {
                format!("`{text}` is not an outcome: expected ok, running, failed or interrupted")
            })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What a log row records, as the `operation` column stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogOperation {
    /// A file ran: `add`, `rollback_add`, `simdrop`, `rollback_simdrop`, `drop`.
    Run(Operation),
    /// `mark`: a change recorded as run without running its file.
    Mark,
    /// `mark_<state>`: `mark --only N --state S` set the state.
    MarkState(State),
    /// `accept`: `verify --accept` recorded a file's new checksum.
    Accept,
    /// `load`: a version row that `load` carried in from `schema/schema.sql`.
    Load,
    /// `repeatable`: a repeatable file ran (SPEC section 12); its row has
    /// no version.
    Repeatable,
}

impl LogOperation {
    /// The operation as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            LogOperation::Run(operation) => operation.as_str(),
            LogOperation::Mark => "mark",
            LogOperation::MarkState(State::Pending) => "mark_pending",
            LogOperation::MarkState(State::Added) => "mark_added",
            LogOperation::MarkState(State::Simdropped) => "mark_simdropped",
            LogOperation::MarkState(State::Dropped) => "mark_dropped",
            LogOperation::Accept => "accept",
            LogOperation::Load => "load",
            LogOperation::Repeatable => "repeatable",
        }
    }
}

impl FromStr for LogOperation {
    type Err = String;

    fn from_str(text: &str) -> Result<LogOperation, String> {
        if let Ok(operation) = text.parse() {
            return Ok(LogOperation::Run(operation));
        }
        let state = text
            .strip_prefix("mark_")
            .and_then(|state| state.parse().ok());
        match (text, state) {
            (_, Some(state)) => Ok(LogOperation::MarkState(state)),
            ("mark", _) => Ok(LogOperation::Mark),
            ("accept", _) => Ok(LogOperation::Accept),
            ("load", _) => Ok(LogOperation::Load),
            ("repeatable", _) => Ok(LogOperation::Repeatable),
            _ => Err(format!(
                "`{text}` is not a logged operation: expected add, rollback_add, simdrop, \
                 rollback_simdrop, drop, mark, mark_<state>, accept, load or repeatable"
            )),
        }
    }
}

impl fmt::Display for LogOperation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl serde::Serialize for LogOperation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One row of the operation log (`db_version_log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The row id, assigned by the database.
    pub id: Option<i64>,
    /// The version; `None` for a repeatable file's run, which the table
    /// stores as version 0.
    pub version: Option<Version>,
    /// What was done.
    pub operation: LogOperation,
    /// The release label of the change (or of what a rollback reverts).
    pub release: Option<Release>,
    /// The file, relative to the migrations folder.
    pub file: Option<String>,
    /// The file's checksum.
    pub checksum: Option<String>,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// RFC 3339 UTC end time; `None` while running or when cut off.
    pub finished_at: Option<String>,
    /// How it ended; `running` while a non-atomic file runs.
    pub outcome: Outcome,
    /// The database's message for a failure.
    pub error: Option<String>,
    /// 1-based index of the failing statement in its file.
    pub statement: Option<usize>,
    /// 1-based line of the failing statement in its file.
    pub line: Option<usize>,
}

impl LogEntry {
    /// An entry for `operation` on `version` started at `started_at`, with
    /// no release, file or end yet: `running` until its outcome is set.
    pub fn new(version: Version, operation: LogOperation, started_at: &str) -> LogEntry {
        LogEntry {
            version: Some(version),
            operation,
            ..LogEntry::repeatable(started_at)
        }
    }

    /// An entry for a repeatable file's run started at `started_at`, with no
    /// file or end yet.
    pub fn repeatable(started_at: &str) -> LogEntry {
        LogEntry {
            id: None,
            version: None,
            operation: LogOperation::Repeatable,
            release: None,
            file: None,
            checksum: None,
            started_at: started_at.to_string(),
            finished_at: None,
            outcome: Outcome::Running,
            error: None,
            statement: None,
            line: None,
        }
    }

    /// The entry as a row of [`COLUMNS`].
    pub(crate) fn to_row(&self) -> Row {
        let mut row = Row::default();
        row.set_integer("id", self.id);
        let version = self.version.map(|version| version.to_string());
        row.set_text(
            "version",
            Some(version.unwrap_or_else(|| NO_VERSION.to_string())),
        );
        row.set_text("operation", Some(self.operation.as_str().to_string()));
        row.set_text(
            "release",
            self.release
                .as_ref()
                .map(|release| release.as_str().to_string()),
        );
        row.set_text("file", self.file.clone());
        row.set_text("checksum", self.checksum.clone());
        row.set_text("started_at", Some(self.started_at.clone()));
        row.set_text("finished_at", self.finished_at.clone());
        row.set_text("outcome", Some(self.outcome.as_str().to_string()));
        row.set_text("error", self.error.clone());
        row.set_integer("statement", self.statement.map(integer));
        row.set_integer("line", self.line.map(integer));
        row
    }

    /// The values to bind when inserting the entry, in [`INSERTED`] order.
    pub(crate) fn insert_values(&self) -> Vec<Value> {
        self.to_row().values(INSERTED)
    }

    /// The values to bind when completing the entry's row: [`FINISHED`] in
    /// order, then the row's `id`.
    pub(crate) fn finish_values(&self) -> Vec<Value> {
        let mut values = self.to_row().values(FINISHED);
        values.push(Value::Integer(self.id));
        values
    }

    /// Converts a row read back, or says which value is not what the tool writes.
    pub(crate) fn from_row(mut row: Row) -> Result<LogEntry, String> {
        let id = row
            .integer("id")
            .ok_or_else(|| "the log table holds a row without an id".to_string())?;
        let named = |error: String| format!("log entry {id}: {error}");
        let version = match row.text("version").unwrap_or_default() {
            no_version if no_version == NO_VERSION => None,
            text => Some(
                text.parse::<Version>()
                    .map_err(|error| format!("log entry {id} holds a bad version: {error}"))?,
            ),
        };
        let count = |value: Option<i64>| value.and_then(|value| usize::try_from(value).ok());
        Ok(LogEntry {
            id: Some(id),
            version,
            operation: row
                .text("operation")
                .unwrap_or_default()
                .parse()
                .map_err(&named)?,
            release: row.text("release").map(Release::from_stored),
            file: row.text("file"),
            checksum: row.text("checksum"),
            started_at: row.text("started_at").unwrap_or_default(),
            finished_at: row.text("finished_at"),
            outcome: row
                .text("outcome")
                .unwrap_or_default()
                .parse()
                .map_err(&named)?,
            error: row.text("error"),
            statement: count(row.integer("statement")),
            line: count(row.integer("line")),
        })
    }
}

/// Which log entries to read. The default reads every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only the entry with this id (`log ID`).
    pub id: Option<i64>,
    /// Only the entries of this version (`--version N`).
    pub version: Option<Version>,
    /// Only failed operations (`--errors`).
    pub errors: bool,
    /// Only the runs of repeatable files (`--repeatable`), which have no
    /// version; `version` is then ignored.
    pub repeatable: bool,
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
        self.errors.then_some(Outcome::Failed.as_str())
    }

    /// The version to match, as the decimal text backends bind.
    pub fn version_text(&self) -> Option<String> {
        if self.repeatable {
            return Some(NO_VERSION.to_string());
        }
        self.version.map(|version| version.to_string())
    }

    /// The row limit to bind: `i64::MAX` when there is none, since not every
    /// database accepts a null `LIMIT`.
    pub fn limit_value(&self) -> i64 {
        self.limit.map_or(i64::MAX, integer)
    }
}

#[cfg(test)]
#[path = "log_table_tests.rs"]
mod tests;
