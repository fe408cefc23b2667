//! SQLite's version-table SQL: create, read in one query, save, delete, log.
//!
//! Table names are validated identifiers (`TableNames`) and quoted here;
//! every value is a bound parameter.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::convert;
use crate::backend::LogEntry;
use crate::backend::rows::{COLUMNS, RawPhase, RawRow, RowValues};
use crate::error::DbError;
use crate::history::{HistoryFilter, LOG_COLUMNS, RawLogRow};
use crate::record::{DbState, VersionRecord};
use crate::settings::TableNames;
use crate::version::{Release, Version};

/// Creates both tables if they are missing.
pub fn ensure_tables(connection: &Connection, tables: &TableNames) -> Result<(), DbError> {
    connection
        .execute_batch(&create_sql(tables))
        .map_err(convert)
}

/// The statements that create both tables.
pub fn create_sql(tables: &TableNames) -> String {
    format!(
        r#"CREATE TABLE IF NOT EXISTS "{versions}" (
    version TEXT PRIMARY KEY NOT NULL,
    name TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'added', 'simdropped', 'dropped')),
    add_release TEXT, added_at TEXT, add_seq INTEGER, add_checksum TEXT,
    simdrop_release TEXT, simdropped_at TEXT, simdrop_seq INTEGER, simdrop_checksum TEXT,
    drop_release TEXT, dropped_at TEXT, drop_seq INTEGER, drop_checksum TEXT,
    failed_operation TEXT, failed_release TEXT, statements_done INTEGER,
    done_checksum TEXT, error TEXT, error_line INTEGER
);
CREATE TABLE IF NOT EXISTS "{log}" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    operation TEXT NOT NULL,
    release TEXT,
    file TEXT,
    checksum TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    statement INTEGER,
    line INTEGER
);"#,
        versions = tables.versions,
        log = tables.log
    )
}

/// Reads every row of the version table with one query.
pub fn read_state(connection: &Connection, tables: &TableNames) -> Result<DbState, DbError> {
    let exists: Option<i64> = connection
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [&tables.versions],
            |row| row.get(0),
        )
        .optional()
        .map_err(convert)?;
    if exists.is_none() {
        return Ok(DbState::default());
    }
    let sql = format!(
        r#"SELECT {} FROM "{}""#,
        COLUMNS.join(", "),
        tables.versions
    );
    let mut statement = connection.prepare(&sql).map_err(convert)?;
    let mut rows = statement.query([]).map_err(convert)?;
    let mut state = DbState {
        tables_exist: true,
        ..DbState::default()
    };
    while let Some(row) = rows.next().map_err(convert)? {
        let record = raw_row(row)
            .map_err(convert)?
            .into_record()
            .map_err(DbError::new)?;
        state.records.insert(record.version, record);
    }
    Ok(state)
}

fn raw_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    let phase = |first: usize| -> rusqlite::Result<RawPhase> {
        Ok(RawPhase {
            release: row.get(first)?,
            at: row.get(first + 1)?,
            seq: row.get(first + 2)?,
            checksum: row.get(first + 3)?,
        })
    };
    Ok(RawRow {
        version: row.get(0)?,
        name: row.get(1)?,
        state: row.get(2)?,
        phases: [phase(3)?, phase(7)?, phase(11)?],
        failed_operation: row.get(15)?,
        failed_release: row.get(16)?,
        statements_done: row.get(17)?,
        done_checksum: row.get(18)?,
        error: row.get(19)?,
        error_line: row.get(20)?,
    })
}

/// Reads the log entries `filter` selects, newest first, with one query.
pub fn read_history(
    connection: &Connection,
    tables: &TableNames,
    filter: &HistoryFilter,
) -> Result<Vec<LogEntry>, DbError> {
    if !table_exists(connection, &tables.log)? {
        return Ok(Vec::new());
    }
    let sql = format!(
        r#"SELECT {} FROM "{}"
        WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR version = ?2)
          AND (?3 IS NULL OR outcome = ?3)
        ORDER BY id DESC LIMIT ?4"#,
        LOG_COLUMNS.join(", "),
        tables.log
    );
    let mut statement = connection.prepare(&sql).map_err(convert)?;
    let mut rows = statement
        .query(params![
            filter.id,
            filter.version_text(),
            filter.outcome(),
            filter.limit_value()
        ])
        .map_err(convert)?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next().map_err(convert)? {
        let raw = RawLogRow {
            id: row.get(0).map_err(convert)?,
            version: row.get(1).map_err(convert)?,
            operation: row.get(2).map_err(convert)?,
            release: row.get(3).map_err(convert)?,
            file: row.get(4).map_err(convert)?,
            checksum: row.get(5).map_err(convert)?,
            started_at: row.get(6).map_err(convert)?,
            finished_at: row.get(7).map_err(convert)?,
            outcome: row.get(8).map_err(convert)?,
            error: row.get(9).map_err(convert)?,
            statement: row.get(10).map_err(convert)?,
            line: row.get(11).map_err(convert)?,
        };
        entries.push(raw.into_entry().map_err(DbError::new)?);
    }
    Ok(entries)
}

fn table_exists(connection: &Connection, name: &str) -> Result<bool, DbError> {
    let found: Option<i64> = connection
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [name],
            |row| row.get(0),
        )
        .optional()
        .map_err(convert)?;
    Ok(found.is_some())
}

/// Inserts or replaces a version's row.
pub fn save_version(
    connection: &Connection,
    tables: &TableNames,
    record: &VersionRecord,
) -> Result<(), DbError> {
    let placeholders: Vec<String> = (1..=COLUMNS.len())
        .map(|index| format!("?{index}"))
        .collect();
    let sql = format!(
        r#"INSERT OR REPLACE INTO "{}" ({}) VALUES ({})"#,
        tables.versions,
        COLUMNS.join(", "),
        placeholders.join(", ")
    );
    let values = RowValues::of(record);
    let [add, simdrop, drop] = &values.phases;
    let mut statement = connection.prepare_cached(&sql).map_err(convert)?;
    statement
        .execute(params![
            values.version,
            values.name,
            values.state,
            add.release,
            add.at,
            add.seq,
            add.checksum,
            simdrop.release,
            simdrop.at,
            simdrop.seq,
            simdrop.checksum,
            drop.release,
            drop.at,
            drop.seq,
            drop.checksum,
            values.failed_operation,
            values.failed_release,
            values.statements_done,
            values.done_checksum,
            values.error,
            values.error_line,
        ])
        .map_err(convert)?;
    Ok(())
}

/// Deletes a version's row.
pub fn delete_version(
    connection: &Connection,
    tables: &TableNames,
    version: Version,
) -> Result<(), DbError> {
    let sql = format!(r#"DELETE FROM "{}" WHERE version = ?1"#, tables.versions);
    let mut statement = connection.prepare_cached(&sql).map_err(convert)?;
    statement.execute([version.to_string()]).map_err(convert)?;
    Ok(())
}

/// Appends a log row.
pub fn insert_log(
    connection: &Connection,
    tables: &TableNames,
    entry: &LogEntry,
) -> Result<i64, DbError> {
    let sql = format!(
        r#"INSERT INTO "{}" (version, operation, release, file, checksum, started_at,
        finished_at, outcome, error, statement, line)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"#,
        tables.log
    );
    let mut statement = connection.prepare_cached(&sql).map_err(convert)?;
    statement
        .execute(params![
            entry.version.to_string(),
            entry.operation,
            entry.release.as_ref().map(Release::as_str),
            entry.file,
            entry.checksum,
            entry.started_at,
            entry.finished_at,
            entry.outcome,
            entry.error,
            entry.statement.map(|index| index as i64),
            entry.line.map(|line| line as i64),
        ])
        .map_err(convert)?;
    Ok(connection.last_insert_rowid())
}

/// Completes a log row written before a non-atomic file ran.
pub fn finish_log(
    connection: &Connection,
    tables: &TableNames,
    entry: &LogEntry,
) -> Result<(), DbError> {
    let sql = format!(
        r#"UPDATE "{}" SET finished_at = ?1, outcome = ?2, error = ?3, statement = ?4, line = ?5
        WHERE id = ?6"#,
        tables.log
    );
    let mut statement = connection.prepare_cached(&sql).map_err(convert)?;
    statement
        .execute(params![
            entry.finished_at,
            entry.outcome,
            entry.error,
            entry.statement.map(|index| index as i64),
            entry.line.map(|line| line as i64),
            entry.id,
        ])
        .map_err(convert)?;
    Ok(())
}
