//! MySQL's version-table SQL, in syntax that MySQL 8 and MariaDB both accept
//! (no `RETURNING`, no MariaDB-only types). Times are `DATETIME(6)` in UTC.
//!
//! The tables' columns and rows are `version_table`'s and `log_table`'s;
//! each column's [`Kind`] decides how it is selected (times as RFC 3339 UTC
//! text, versions as text) and, with a few names, its type. The version
//! table's `CREATE` is built from its columns; the log table's is written
//! out. How values bind and read back is here too.

use mysql::prelude::FromValue;

use crate::error::DbError;
use crate::log_table;
use crate::settings::TableNames;
use crate::table::{Column, Kind, Row, Value};
use crate::version_table;

/// The bookkeeping statements of one session.
#[derive(Debug, Clone)]
pub struct Sql {
    /// Creates both tables.
    pub create: [String; 2],
    /// Whether the version table exists.
    pub exists: String,
    /// Reads every row, times as RFC 3339 UTC text.
    pub select: String,
    /// Inserts or replaces a row.
    pub replace: String,
    /// Deletes a row.
    pub delete: String,
    /// Appends a log row.
    pub insert_log: String,
    /// Completes a log row.
    pub finish_log: String,
    /// Reads the log rows a filter selects, newest first. Parameters: id,
    /// id, version, version, outcome, outcome (each null for "any"), limit.
    pub history: String,
}

/// A column's name in backquotes: `release` is a reserved word.
fn quoted(column: &Column) -> String {
    format!("`{}`", column.name)
}

/// How a column is selected: versions and times as text.
fn selected(column: &Column) -> String {
    let name = quoted(column);
    match column.kind {
        Kind::Version => format!("CAST({name} AS CHAR)"),
        Kind::Time => format!("DATE_FORMAT({name}, '%Y-%m-%dT%H:%i:%s.%fZ')"),
        Kind::Text | Kind::Integer => name,
    }
}

/// The select list of `columns`, in order.
fn select_list(columns: &[Column]) -> String {
    let selected: Vec<String> = columns.iter().map(selected).collect();
    selected.join(", ")
}

/// The quoted names of `columns`, and as many `?`.
fn insert_lists(columns: &[Column]) -> (String, String) {
    let names: Vec<String> = columns.iter().map(quoted).collect();
    (names.join(", "), vec!["?"; columns.len()].join(", "))
}

/// The version table's column types; written unquoted, as existing
/// `schema/schema.sql` files have them.
fn create_versions(versions: &str) -> String {
    let definitions: Vec<String> = version_table::COLUMNS
        .iter()
        .map(|column| {
            let kind = match (column.name, column.kind) {
                (_, Kind::Version) => "DECIMAL(38, 0) NOT NULL PRIMARY KEY",
                ("state", _) => "VARCHAR(16) NOT NULL",
                ("name" | "error", _) => "TEXT",
                ("done_checksum" | "add_checksum" | "simdrop_checksum" | "drop_checksum", _) => {
                    "CHAR(64)"
                }
                (_, Kind::Time) => "DATETIME(6)",
                (_, Kind::Integer) => "BIGINT",
                (_, Kind::Text) => "VARCHAR(255)",
            };
            format!("    {} {kind}", column.name)
        })
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {versions} (\n{}\n) ENGINE = InnoDB",
        definitions.join(",\n")
    )
}

/// An RFC 3339 UTC time as MySQL's `DATETIME` literal text.
pub fn to_datetime(rfc3339: &str) -> String {
    rfc3339.replace('T', " ").trim_end_matches('Z').to_string()
}

/// Values to bind, in `columns` order (a trailing value past them, such as
/// a log row's id, is an integer): times as `DATETIME` text.
pub fn bound(columns: &[Column], values: Vec<Value>) -> Vec<mysql::Value> {
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| match (columns.get(index), value) {
            (Some(column), Value::Text(text)) if column.kind == Kind::Time => {
                mysql::Value::from(text.as_deref().map(to_datetime))
            }
            (_, Value::Text(text)) => mysql::Value::from(text),
            (_, Value::Integer(number)) => mysql::Value::from(number),
        })
        .collect()
}

/// A result row whose columns were selected in `columns` order. Integers
/// read from text too: the text protocol sends every value as text.
pub fn read_row(mut row: mysql::Row, columns: &[Column]) -> Result<Row, DbError> {
    fn take<T: FromValue>(
        row: &mut mysql::Row,
        index: usize,
        column: &Column,
    ) -> Result<T, DbError> {
        row.take_opt::<T, usize>(index)
            .ok_or_else(|| DbError::new(format!("no column {} in the result", column.name)))?
            .map_err(|error| DbError::new(format!("cannot read {}: {error}", column.name)))
    }
    Row::read(columns, |index, column| match column.kind {
        Kind::Integer => take(&mut row, index, column).map(Value::Integer),
        Kind::Version | Kind::Text | Kind::Time => take(&mut row, index, column).map(Value::Text),
    })
}

impl Sql {
    /// The statements for `tables` in the connection's database.
    pub fn new(tables: &TableNames) -> Sql {
        let versions = format!("`{}`", tables.versions);
        let log = format!("`{}`", tables.log);
        let create_log = format!(
            "CREATE TABLE IF NOT EXISTS {log} (\n    \
             id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    \
             version DECIMAL(38, 0) NOT NULL,\n    operation VARCHAR(32) NOT NULL,\n    \
             `release` VARCHAR(255),\n    file TEXT,\n    checksum CHAR(64),\n    \
             started_at DATETIME(6) NOT NULL,\n    finished_at DATETIME(6),\n    \
             outcome VARCHAR(16) NOT NULL,\n    error TEXT,\n    statement BIGINT,\n    \
             line BIGINT\n) ENGINE = InnoDB"
        );
        // The version is compared as DECIMAL: a string against a DECIMAL
        // column would compare as doubles, which cannot tell 20-digit
        // stamps apart.
        let history = format!(
            "SELECT {} FROM {log} \
             WHERE (? IS NULL OR id = ?) \
             AND (? IS NULL OR version = CAST(? AS DECIMAL(38, 0))) \
             AND (? IS NULL OR outcome = ?) \
             ORDER BY id DESC LIMIT ?",
            select_list(log_table::COLUMNS)
        );
        let (version_names, version_values) = insert_lists(version_table::COLUMNS);
        let (log_names, log_values) = insert_lists(log_table::INSERTED);
        let finished: Vec<String> = log_table::FINISHED
            .iter()
            .map(|column| format!("{} = ?", quoted(column)))
            .collect();
        Sql {
            create: [create_versions(&versions), create_log],
            exists: "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = ?"
                .to_string(),
            select: format!(
                "SELECT {} FROM {versions}",
                select_list(version_table::COLUMNS)
            ),
            replace: format!("REPLACE INTO {versions} ({version_names}) VALUES ({version_values})"),
            delete: format!("DELETE FROM {versions} WHERE version = ?"),
            insert_log: format!("INSERT INTO {log} ({log_names}) VALUES ({log_values})"),
            finish_log: format!("UPDATE {log} SET {} WHERE id = ?", finished.join(", ")),
            history,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        let sql = Sql::new(&TableNames::default());
        assert_eq!(
            sql.replace.matches('?').count(),
            version_table::COLUMNS.len()
        );
        assert!(sql.insert_log.contains("`release`"));
        assert!(sql.select.contains("CAST(`version` AS CHAR)"));
        assert!(sql.finish_log.contains("`finished_at` = ?, `outcome` = ?"));
        assert!(sql.create[0].contains("\n    add_seq BIGINT,\n"));
        assert!(sql.create[1].contains("`release`"));
        assert_eq!(
            to_datetime("2026-11-22T05:14:47.209726Z"),
            "2026-11-22 05:14:47.209726"
        );
    }
}
