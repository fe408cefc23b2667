//! The rows of every table for a checkpoint's data part (`squash`, SPEC
//! section 10). Each value is written by the server itself: `QUOTE()` for
//! text, numbers, dates, JSON, `ENUM` and `SET` (it escapes quotes,
//! backslashes, NUL and Ctrl-Z); binary strings, blobs and geometry as
//! `X'hex'`, so the file stays valid UTF-8 whatever bytes they hold; `BIT`
//! as `b'...'`. `TIMESTAMP` values are read and written in UTC: the data
//! part sets the session's time zone to `+00:00` around its rows and
//! restores it, so each instant is the same whatever the zone of the
//! session that runs the checkpoint. Rows are ordered by their text in
//! binary order, tables by name; generated columns are left out.

use mysql::Conn;
use mysql::prelude::Queryable;

use super::convert;
use crate::error::DbError;
use crate::settings::TableNames;
use crate::squash::data::{DataDump, TableRows};

/// Types whose values are bytes, written in hex.
const BINARY: &[&str] = &[
    "binary",
    "varbinary",
    "tinyblob",
    "blob",
    "mediumblob",
    "longblob",
    "geometry",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
    "geomcollection",
];

/// Reads the data part from the connection's database.
pub fn read(connection: &mut Conn, tables: &TableNames) -> Result<DataDump, DbError> {
    let names: Vec<String> = connection
        .exec(
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' \
             AND TABLE_NAME NOT IN (?, ?) ORDER BY CAST(TABLE_NAME AS BINARY)",
            (&tables.versions, &tables.log),
        )
        .map_err(convert)?;
    let zone: Option<String> = connection
        .query_first("SELECT @@session.time_zone")
        .map_err(convert)?;
    connection
        .query_drop("SET time_zone = '+00:00'")
        .map_err(convert)?;
    let read = read_tables(connection, &names);
    // The session's zone comes back even when a read failed.
    connection
        .exec_drop(
            "SET time_zone = ?",
            (zone.unwrap_or_else(|| "SYSTEM".into()),),
        )
        .map_err(convert)?;
    let (tables, timestamps) = read?;
    let mut data = DataDump {
        tables,
        ..DataDump::default()
    };
    if timestamps {
        data.before = vec![
            "SET @migrate_time_zone = @@session.time_zone;".into(),
            "SET time_zone = '+00:00';".into(),
        ];
        data.after = vec!["SET time_zone = @migrate_time_zone;".into()];
    }
    Ok(data)
}

/// The tables that hold rows, and whether any of them has a `TIMESTAMP` column.
fn read_tables(connection: &mut Conn, names: &[String]) -> Result<(Vec<TableRows>, bool), DbError> {
    let mut tables = Vec::new();
    let mut timestamps = false;
    for name in names {
        let (table, has_timestamp) = read_table(connection, name)?;
        if !table.rows.is_empty() {
            timestamps |= has_timestamp;
            tables.push(table);
        }
    }
    Ok((tables, timestamps))
}

fn read_table(connection: &mut Conn, name: &str) -> Result<(TableRows, bool), DbError> {
    let columns: Vec<(String, String)> = connection
        .exec(
            "SELECT CAST(COLUMN_NAME AS CHAR), CAST(LOWER(DATA_TYPE) AS CHAR) \
             FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
             AND COALESCE(IS_GENERATED, 'NEVER') = 'NEVER' \
             AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
            (name,),
        )
        .map_err(convert)?;
    let has_timestamp = columns.iter().any(|(_, kind)| kind == "timestamp");
    let mut table = TableRows {
        table: quote(name),
        columns: columns.iter().map(|(column, _)| quote(column)).collect(),
        values: "VALUES",
        rows: Vec::new(),
    };
    if table.columns.is_empty() {
        return Ok((table, has_timestamp));
    }
    let values: Vec<String> = columns
        .iter()
        .map(|(column, kind)| literal(&quote(column), kind))
        .collect();
    // Identifiers, quoted: the statement is built from names, never values.
    let sql = format!(
        "SELECT r FROM (SELECT CONCAT('(', CONCAT_WS(', ', {}), ')') AS r FROM {}) s \
         ORDER BY CAST(r AS BINARY)",
        values.join(", "),
        table.table
    );
    let rows: Vec<Vec<u8>> = connection.query(sql).map_err(convert)?;
    table.rows = rows
        .into_iter()
        .map(|row| {
            String::from_utf8(row)
                .map_err(|_| DbError::new(format!("a row of {name} does not read as UTF-8 text")))
        })
        .collect::<Result<_, _>>()?;
    Ok((table, has_timestamp))
}

/// The expression that writes `column`, of type `kind`, as a literal (the
/// word `NULL` for NULL), in UTF-8.
fn literal(column: &str, kind: &str) -> String {
    let written = if BINARY.contains(&kind) {
        format!("CONCAT('X''', HEX({column}), '''')")
    } else if kind == "bit" {
        format!("CONCAT('b''', BIN({column}), '''')")
    } else {
        return format!("CONVERT(QUOTE({column}) USING utf8mb4)");
    };
    format!("IF({column} IS NULL, 'NULL', CONVERT({written} USING utf8mb4))")
}

/// A backtick-quoted identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}
