//! SQLite's version-table SQL: create, read in one query, save, delete, log.
//!
//! The tables' columns and rows are `version_table`'s and `log_table`'s;
//! here are only SQLite's statements, its `CREATE TABLE`s, and how a
//! [`Value`] binds and reads back. Table names are validated identifiers
//! (`TableNames`) and quoted here; every value is a bound parameter.

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::convert;
use crate::error::DbError;
use crate::log_table::{self, HistoryFilter, LogEntry};
use crate::record::{DbState, VersionRecord};
use crate::settings::TableNames;
use crate::table::{Column, Kind, Row, Value};
use crate::version::Version;
use crate::version_table;

/// The bookkeeping statements of one session's tables, built once at connect.
#[derive(Debug, Clone)]
pub struct Sql {
    /// The version table's name, unquoted (to look it up in the catalog).
    versions: String,
    /// The log table's name, unquoted.
    log: String,
    create: String,
    select: String,
    select_one: String,
    history: String,
    save: String,
    delete: String,
    insert_log: String,
    finish_log: String,
}

impl Sql {
    /// The statements for `tables`.
    pub fn new(tables: &TableNames) -> Sql {
        let finish_set: Vec<String> = log_table::FINISHED
            .iter()
            .enumerate()
            .map(|(index, column)| format!("{} = ?{}", column.name, index + 1))
            .collect();
        Sql {
            versions: tables.versions.clone(),
            log: tables.log.clone(),
            create: create_sql(tables),
            select: format!(
                r#"SELECT {} FROM "{}""#,
                names(version_table::COLUMNS),
                tables.versions
            ),
            select_one: format!(
                r#"SELECT {} FROM "{}" WHERE version = ?1"#,
                names(version_table::COLUMNS),
                tables.versions
            ),
            history: format!(
                r#"SELECT {} FROM "{}"
        WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR version = ?2)
          AND (?3 IS NULL OR outcome = ?3)
        ORDER BY id DESC LIMIT ?4"#,
                names(log_table::COLUMNS),
                tables.log
            ),
            save: format!(
                r#"INSERT OR REPLACE INTO "{}" ({}) VALUES ({})"#,
                tables.versions,
                names(version_table::COLUMNS),
                placeholders(version_table::COLUMNS.len())
            ),
            delete: format!(r#"DELETE FROM "{}" WHERE version = ?1"#, tables.versions),
            insert_log: format!(
                r#"INSERT INTO "{}" ({}) VALUES ({})"#,
                tables.log,
                names(log_table::INSERTED),
                placeholders(log_table::INSERTED.len())
            ),
            finish_log: format!(
                r#"UPDATE "{}" SET {} WHERE id = ?{}"#,
                tables.log,
                finish_set.join(", "),
                log_table::FINISHED.len() + 1
            ),
        }
    }

    /// The statements that create both tables.
    pub fn create(&self) -> &str {
        &self.create
    }
}

/// Creates both tables if they are missing.
pub fn ensure_tables(connection: &Connection, sql: &Sql) -> Result<(), DbError> {
    connection.execute_batch(&sql.create).map_err(convert)
}

/// The statements that create both tables.
fn create_sql(tables: &TableNames) -> String {
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
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "{log}" (
    id INTEGER PRIMARY KEY,
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
pub fn read_state(connection: &Connection, sql: &Sql) -> Result<DbState, DbError> {
    if !table_exists(connection, &sql.versions)? {
        return Ok(DbState::default());
    }
    let mut statement = connection.prepare(&sql.select).map_err(convert)?;
    let mut rows = statement.query([]).map_err(convert)?;
    let mut state = DbState {
        tables_exist: true,
        ..DbState::default()
    };
    while let Some(row) = rows.next().map_err(convert)? {
        let row = read_row(row, version_table::COLUMNS).map_err(convert)?;
        let record = version_table::from_row(row).map_err(DbError::new)?;
        state.records.insert(record.version, record);
    }
    Ok(state)
}

/// Reads one version's row, if the table and the row exist.
pub fn read_version(
    connection: &Connection,
    sql: &Sql,
    version: Version,
) -> Result<Option<VersionRecord>, DbError> {
    if !table_exists(connection, &sql.versions)? {
        return Ok(None);
    }
    let mut statement = connection
        .prepare_cached(&sql.select_one)
        .map_err(convert)?;
    let mut rows = statement.query([version.to_string()]).map_err(convert)?;
    match rows.next().map_err(convert)? {
        Some(row) => {
            let row = read_row(row, version_table::COLUMNS).map_err(convert)?;
            version_table::from_row(row).map(Some).map_err(DbError::new)
        }
        None => Ok(None),
    }
}

/// The columns' names, comma-separated, for a select or insert list.
fn names(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    names.join(", ")
}

/// `?1, ?2, ...`, one placeholder per value.
fn placeholders(count: usize) -> String {
    let numbered: Vec<String> = (1..=count).map(|index| format!("?{index}")).collect();
    numbered.join(", ")
}

/// A result row whose columns were selected in `columns` order.
fn read_row(row: &rusqlite::Row<'_>, columns: &[Column]) -> rusqlite::Result<Row> {
    Row::read(columns, |index, column| match column.kind {
        Kind::Integer => row.get(index).map(Value::Integer),
        Kind::Version | Kind::Text | Kind::Time => row.get(index).map(Value::Text),
    })
}

/// Values to bind, as SQLite's parameters (times and versions are text).
fn bound(values: &[Value]) -> impl Iterator<Item = &dyn ToSql> {
    values.iter().map(|value| match value {
        Value::Text(text) => text as &dyn ToSql,
        Value::Integer(number) => number as &dyn ToSql,
    })
}

/// Reads the log entries `filter` selects, newest first, with one query.
pub fn read_history(
    connection: &Connection,
    sql: &Sql,
    filter: &HistoryFilter,
) -> Result<Vec<LogEntry>, DbError> {
    if !table_exists(connection, &sql.log)? {
        return Ok(Vec::new());
    }
    let mut statement = connection.prepare(&sql.history).map_err(convert)?;
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
        let row = read_row(row, log_table::COLUMNS).map_err(convert)?;
        entries.push(LogEntry::from_row(row).map_err(DbError::new)?);
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
    sql: &Sql,
    record: &VersionRecord,
) -> Result<(), DbError> {
    let values = version_table::values(record);
    let mut statement = connection.prepare_cached(&sql.save).map_err(convert)?;
    statement
        .execute(params_from_iter(bound(&values)))
        .map_err(convert)?;
    Ok(())
}

/// Deletes a version's row.
pub fn delete_version(connection: &Connection, sql: &Sql, version: Version) -> Result<(), DbError> {
    let mut statement = connection.prepare_cached(&sql.delete).map_err(convert)?;
    statement.execute([version.to_string()]).map_err(convert)?;
    Ok(())
}

/// Appends a log row.
pub fn insert_log(connection: &Connection, sql: &Sql, entry: &LogEntry) -> Result<i64, DbError> {
    let values = entry.insert_values();
    let mut statement = connection
        .prepare_cached(&sql.insert_log)
        .map_err(convert)?;
    statement
        .execute(params_from_iter(bound(&values)))
        .map_err(convert)?;
    Ok(connection.last_insert_rowid())
}

/// Completes a log row written before a non-atomic file ran.
pub fn finish_log(connection: &Connection, sql: &Sql, entry: &LogEntry) -> Result<(), DbError> {
    let values = entry.finish_values();
    let mut statement = connection
        .prepare_cached(&sql.finish_log)
        .map_err(convert)?;
    statement
        .execute(params_from_iter(bound(&values)))
        .map_err(convert)?;
    Ok(())
}
