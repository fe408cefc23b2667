//! SQLite's version-table SQL: create, read in one query, save, delete, log.
//!
//! Table names are validated identifiers (`TableNames`) and quoted here;
//! every value is a bound parameter.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::convert;
use crate::backend::LogEntry;
use crate::error::DbError;
use crate::record::{DbState, Failure, PhaseRecord, VersionRecord};
use crate::settings::TableNames;
use crate::version::{Release, Version};

/// Creates both tables if they are missing.
pub fn ensure_tables(connection: &Connection, tables: &TableNames) -> Result<(), DbError> {
    let sql = format!(
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
    );
    connection.execute_batch(&sql).map_err(convert)
}

const COLUMNS: &str = "version, name, state, \
    add_release, added_at, add_seq, add_checksum, \
    simdrop_release, simdropped_at, simdrop_seq, simdrop_checksum, \
    drop_release, dropped_at, drop_seq, drop_checksum, \
    failed_operation, failed_release, statements_done, done_checksum, error, error_line";

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
    let sql = format!(r#"SELECT {COLUMNS} FROM "{}""#, tables.versions);
    let mut statement = connection.prepare(&sql).map_err(convert)?;
    let mut rows = statement.query([]).map_err(convert)?;
    let mut state = DbState {
        tables_exist: true,
        ..DbState::default()
    };
    while let Some(row) = rows.next().map_err(convert)? {
        let record = read_record(row).map_err(convert)?;
        let record = record.map_err(DbError::new)?;
        state.records.insert(record.version, record);
    }
    Ok(state)
}

fn read_record(row: &Row<'_>) -> rusqlite::Result<Result<VersionRecord, String>> {
    let version: String = row.get(0)?;
    let state: String = row.get(2)?;
    let failed_operation: Option<String> = row.get(15)?;
    let parsed = (|| {
        let version: Version = version
            .parse()
            .map_err(|error| format!("the version table holds a bad version: {error}"))?;
        let state = state.parse()?;
        Ok::<_, String>((version, state))
    })();
    let (version, state) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return Ok(Err(error)),
    };
    let mut record = VersionRecord::new(version, row.get(1)?);
    record.state = state;
    for (index, first) in [3, 7, 11].into_iter().enumerate() {
        let release: Option<String> = row.get(first)?;
        record.phases[index] = match release {
            Some(release) => Some(PhaseRecord {
                release: Release::from_stored(release),
                at: row.get::<_, Option<String>>(first + 1)?.unwrap_or_default(),
                seq: row.get::<_, Option<i64>>(first + 2)?.unwrap_or(0).max(0) as u64,
                checksum: row.get(first + 3)?,
            }),
            None => None,
        };
    }
    if let Some(operation) = failed_operation {
        let operation = match operation.parse() {
            Ok(operation) => operation,
            Err(error) => return Ok(Err(error)),
        };
        record.failure = Some(Failure {
            operation,
            release: Release::from_stored(row.get::<_, Option<String>>(16)?.unwrap_or_default()),
            statements_done: row.get::<_, Option<i64>>(17)?.unwrap_or(0).max(0) as usize,
            done_checksum: row.get::<_, Option<String>>(18)?.unwrap_or_default(),
            error: row.get(19)?,
            line: row
                .get::<_, Option<i64>>(20)?
                .map(|line| line.max(0) as usize),
        });
    }
    Ok(Ok(record))
}

/// Inserts or replaces a version's row.
pub fn save_version(
    connection: &Connection,
    tables: &TableNames,
    record: &VersionRecord,
) -> Result<(), DbError> {
    let sql = format!(
        r#"INSERT OR REPLACE INTO "{}" ({COLUMNS}) VALUES
        (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"#,
        tables.versions
    );
    let phase = |index: usize| record.phases[index].as_ref();
    let release = |index: usize| phase(index).map(|done| done.release.as_str().to_string());
    let at = |index: usize| phase(index).map(|done| done.at.clone());
    let seq = |index: usize| phase(index).map(|done| done.seq as i64);
    let checksum = |index: usize| phase(index).and_then(|done| done.checksum.clone());
    let failure = record.failure.as_ref();
    let mut statement = connection.prepare_cached(&sql).map_err(convert)?;
    statement
        .execute(params![
            record.version.to_string(),
            record.name,
            record.state.as_str(),
            release(0),
            at(0),
            seq(0),
            checksum(0),
            release(1),
            at(1),
            seq(1),
            checksum(1),
            release(2),
            at(2),
            seq(2),
            checksum(2),
            failure.map(|failure| failure.operation.as_str()),
            failure.map(|failure| failure.release.as_str().to_string()),
            failure.map(|failure| failure.statements_done as i64),
            failure.map(|failure| failure.done_checksum.clone()),
            failure.and_then(|failure| failure.error.clone()),
            failure.and_then(|failure| failure.line.map(|line| line as i64)),
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
