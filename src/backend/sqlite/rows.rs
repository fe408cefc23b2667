//! The rows of every table for a checkpoint's data part (`squash`, SPEC
//! section 10), each value written by SQLite's own `quote()`: text with its
//! quotes doubled, a blob as `X'...'`, a real with as many digits as it
//! takes to read back the same double, `NULL`. Rows are ordered by that
//! text (binary collation), tables by name. Generated columns are left
//! out (SQLite computes them), and so are the shadow tables of virtual
//! tables, whose rows the virtual table writes itself.

use rusqlite::Connection;

use super::{catalog, convert};
use crate::dump::Section;
use crate::error::DbError;
use crate::settings::TableNames;
use crate::squash::data::{DataDump, TableRows, double_quoted};

/// Reads the rows of every table of the dump that holds any, and
/// `sqlite_sequence`, whose counters the rows alone would not restore.
pub fn read(connection: &Connection, tables: &TableNames) -> Result<DataDump, DbError> {
    let mut names: Vec<String> = catalog::read(connection, tables)?
        .into_iter()
        .filter(|item| item.section == Section::Tables)
        .map(|item| item.name)
        .collect();
    names.sort();
    let mut data = DataDump::default();
    for name in names {
        let table = read_table(connection, &name)?;
        if !table.rows.is_empty() {
            data.tables.push(table);
        }
    }
    data.after = sequences(connection)?;
    Ok(data)
}

fn read_table(connection: &Connection, name: &str) -> Result<TableRows, DbError> {
    let mut statement = connection
        .prepare("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid")
        .map_err(convert)?;
    let columns: Vec<String> = statement
        .query_map([name], |row| row.get::<_, String>(0))
        .map_err(convert)?
        .collect::<Result<_, _>>()
        .map_err(convert)?;
    let columns: Vec<String> = columns.iter().map(|column| double_quoted(column)).collect();
    let mut table = TableRows {
        table: double_quoted(name),
        columns,
        values: "VALUES",
        rows: Vec::new(),
    };
    if table.columns.is_empty() {
        return Ok(table);
    }
    let values: Vec<String> = table
        .columns
        .iter()
        .map(|column| format!("quote({column})"))
        .collect();
    let sql = format!(
        "SELECT '(' || {} || ')' AS r FROM {} ORDER BY r COLLATE BINARY",
        values.join(" || ', ' || "),
        table.table
    );
    let mut statement = connection.prepare(&sql).map_err(convert)?;
    table.rows = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(convert)?
        .collect::<Result<_, _>>()
        .map_err(convert)?;
    Ok(table)
}

/// `sqlite_sequence`'s rows, when the schema made it (a table with
/// `AUTOINCREMENT`): inserting the rows sets each counter to the highest
/// key, which is lower than the original's when rows were deleted.
fn sequences(connection: &Connection) -> Result<Vec<String>, DbError> {
    let exists: bool = connection
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_sequence'",
            [],
            |row| row.get(0),
        )
        .map_err(convert)?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut statement = connection
        .prepare(
            "SELECT 'DELETE FROM sqlite_sequence WHERE name = ' || quote(name) || ';' || char(10) \
             || 'INSERT INTO sqlite_sequence (name, seq) VALUES (' || quote(name) || ', ' \
             || quote(seq) || ');' FROM sqlite_sequence ORDER BY name COLLATE BINARY",
        )
        .map_err(convert)?;
    let rows = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(convert)?
        .collect::<Result<_, _>>()
        .map_err(convert)?;
    Ok(rows)
}
