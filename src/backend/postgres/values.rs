//! How PostgreSQL's bookkeeping values bind and read back: the version
//! row's and the log row's parameters, typed for tokio-postgres, and a row
//! of the version table as a [`RawRow`].

use tokio_postgres::types::ToSql;

use crate::backend::LogEntry;
use crate::backend::rows::{RawPhase, RawRow, RowValues};
use crate::history::RawLogRow;

pub(super) fn row_params(values: &RowValues) -> Vec<&(dyn ToSql + Sync)> {
    let [add, simdrop, drop] = &values.phases;
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&values.version, &values.name, &values.state];
    for phase in [add, simdrop, drop] {
        params.extend([
            &phase.release as &(dyn ToSql + Sync),
            &phase.at,
            &phase.seq,
            &phase.checksum,
        ]);
    }
    params.extend([
        &values.failed_operation as &(dyn ToSql + Sync),
        &values.failed_release,
        &values.statements_done,
        &values.done_checksum,
        &values.error,
        &values.error_line,
    ]);
    params
}

/// A log row's values, typed for binding.
pub(super) struct LogValues {
    version: String,
    operation: String,
    release: Option<String>,
    file: Option<String>,
    checksum: Option<String>,
    started_at: String,
    finished_at: Option<String>,
    outcome: String,
    error: Option<String>,
    statement: Option<i64>,
    line: Option<i64>,
    id: Option<i64>,
}

impl LogValues {
    pub(super) fn of(entry: &LogEntry) -> LogValues {
        let number =
            |value: Option<usize>| value.map(|value| i64::try_from(value).unwrap_or(i64::MAX));
        LogValues {
            version: entry.version.to_string(),
            operation: entry.operation.clone(),
            release: entry
                .release
                .as_ref()
                .map(|release| release.as_str().to_string()),
            file: entry.file.clone(),
            checksum: entry.checksum.clone(),
            started_at: entry.started_at.clone(),
            finished_at: entry.finished_at.clone(),
            outcome: entry.outcome.clone(),
            error: entry.error.clone(),
            statement: number(entry.statement),
            line: number(entry.line),
            id: entry.id,
        }
    }

    pub(super) fn insert_params(&self) -> [&(dyn ToSql + Sync); 11] {
        [
            &self.version,
            &self.operation,
            &self.release,
            &self.file,
            &self.checksum,
            &self.started_at,
            &self.finished_at,
            &self.outcome,
            &self.error,
            &self.statement,
            &self.line,
        ]
    }

    pub(super) fn finish_params(&self) -> [&(dyn ToSql + Sync); 6] {
        [
            &self.finished_at,
            &self.outcome,
            &self.error,
            &self.statement,
            &self.line,
            &self.id,
        ]
    }
}

pub(super) fn raw_row(row: &tokio_postgres::Row) -> Result<RawRow, tokio_postgres::Error> {
    let phase = |first: usize| -> Result<RawPhase, tokio_postgres::Error> {
        Ok(RawPhase {
            release: row.try_get(first)?,
            at: row.try_get(first + 1)?,
            seq: row.try_get(first + 2)?,
            checksum: row.try_get(first + 3)?,
        })
    };
    Ok(RawRow {
        version: row.try_get(0)?,
        name: row.try_get(1)?,
        state: row.try_get(2)?,
        phases: [phase(3)?, phase(7)?, phase(11)?],
        failed_operation: row.try_get(15)?,
        failed_release: row.try_get(16)?,
        statements_done: row.try_get(17)?,
        done_checksum: row.try_get(18)?,
        error: row.try_get(19)?,
        error_line: row.try_get(20)?,
    })
}

pub(super) fn raw_log_row(row: &tokio_postgres::Row) -> Result<RawLogRow, tokio_postgres::Error> {
    Ok(RawLogRow {
        id: row.try_get(0)?,
        version: row.try_get(1)?,
        operation: row.try_get(2)?,
        release: row.try_get(3)?,
        file: row.try_get(4)?,
        checksum: row.try_get(5)?,
        started_at: row.try_get(6)?,
        finished_at: row.try_get(7)?,
        outcome: row.try_get(8)?,
        error: row.try_get(9)?,
        statement: row.try_get(10)?,
        line: row.try_get(11)?,
    })
}
