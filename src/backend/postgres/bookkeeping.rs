//! PostgreSQL's version-table SQL, built once per session from the validated
//! table names and the quoted target schema. Values are always bound; text
//! parameters are cast (`$1::text::numeric`) so that plain strings bind.
//!
//! The tables' columns and rows are `version_table`'s and `log_table`'s;
//! each column's [`Kind`] decides its type, how it is selected (times as
//! RFC 3339 UTC text) and how its parameter is cast. The version table's
//! `CREATE` is built from its columns (see [`Sql::create`] for the types);
//! the log table's is written out.

use crate::log_table;
use crate::settings::TableNames;
use crate::table::{Column, Kind};
use crate::version_table;

/// The bookkeeping statements of one session.
#[derive(Debug, Clone)]
pub struct Sql {
    /// The quoted version table, `"schema"."db_version"`.
    pub versions: String,
    /// Creates both tables.
    pub create: String,
    /// Reads every row, times as RFC 3339 UTC text.
    pub select: String,
    /// Inserts or updates a row.
    pub upsert: String,
    /// Deletes a row.
    pub delete: String,
    /// Appends a log row, returning its id.
    pub insert_log: String,
    /// Completes a log row.
    pub finish_log: String,
    /// The quoted log table, `"schema"."db_version_log"`.
    pub log: String,
    /// Reads the log rows a filter selects, newest first: `$1` id, `$2`
    /// version, `$3` outcome (each null for "any"), `$4` the limit.
    pub history: String,
}

/// Quotes an identifier: `"name"` with inner quotes doubled.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

const RFC3339: &str = r#"'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"#;

/// How a column is selected: versions and times as text.
fn selected(column: &Column) -> String {
    let name = column.name;
    match column.kind {
        Kind::Version => format!("{name}::text"),
        Kind::Time => format!("to_char({name} AT TIME ZONE 'UTC', {RFC3339})"),
        Kind::Text | Kind::Integer => name.to_string(),
    }
}

/// The select list of `columns`, in order.
fn select_list(columns: &[Column]) -> String {
    let selected: Vec<String> = columns.iter().map(selected).collect();
    selected.join(", ")
}

/// The `number`th parameter for a value of `column`, cast from text where
/// the column is not text.
fn parameter(number: usize, column: &Column) -> String {
    match column.kind {
        Kind::Version => format!("${number}::text::numeric"),
        Kind::Time => format!("${number}::text::timestamptz"),
        Kind::Text | Kind::Integer => format!("${number}"),
    }
}

/// The column names of `columns`, and their parameters `$1`, `$2`, ...
fn insert_lists(columns: &[Column]) -> (String, String) {
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    let parameters: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| parameter(index + 1, column))
        .collect();
    (names.join(", "), parameters.join(", "))
}

impl Sql {
    /// The statements that create both tables under the given quoted names.
    pub fn create(versions: &str, log: &str) -> String {
        let definitions: Vec<String> = version_table::COLUMNS
            .iter()
            .map(|column| {
                let kind = match (column.name, column.kind) {
                    (_, Kind::Version) => "NUMERIC(38, 0) PRIMARY KEY",
                    ("state", _) => {
                        "TEXT NOT NULL CHECK (state IN ('pending', 'added', 'simdropped', 'dropped'))"
                    }
                    (_, Kind::Time) => "TIMESTAMPTZ",
                    (_, Kind::Integer) => "BIGINT",
                    (_, Kind::Text) => "TEXT",
                };
                format!("    {} {kind}", column.name)
            })
            .collect();
        format!(
            "CREATE TABLE IF NOT EXISTS {versions} (\n{}\n);\n\
             CREATE TABLE IF NOT EXISTS {log} (\n    \
             id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    \
             version NUMERIC(38, 0) NOT NULL,\n    operation TEXT NOT NULL,\n    \
             release TEXT,\n    file TEXT,\n    checksum TEXT,\n    \
             started_at TIMESTAMPTZ NOT NULL,\n    finished_at TIMESTAMPTZ,\n    \
             outcome TEXT NOT NULL,\n    error TEXT,\n    statement BIGINT,\n    line BIGINT\n);",
            definitions.join(",\n")
        )
    }

    /// The statements for `tables` in `schema`.
    pub fn new(schema: &str, tables: &TableNames) -> Sql {
        let versions = format!("{}.{}", quote(schema), quote(&tables.versions));
        let log = format!("{}.{}", quote(schema), quote(&tables.log));
        Sql {
            create: Sql::create(&versions, &log),
            select: format!(
                "SELECT {} FROM {versions}",
                select_list(version_table::COLUMNS)
            ),
            upsert: upsert(&versions),
            delete: format!("DELETE FROM {versions} WHERE version = $1::text::numeric"),
            insert_log: {
                let (names, parameters) = insert_lists(log_table::INSERTED);
                format!("INSERT INTO {log} ({names}) VALUES ({parameters}) RETURNING id")
            },
            finish_log: finish_log(&log),
            history: format!(
                "SELECT {} FROM {log} \
                 WHERE ($1::bigint IS NULL OR id = $1::bigint) \
                 AND ($2::text IS NULL OR version = $2::text::numeric) \
                 AND ($3::text IS NULL OR outcome = $3::text) \
                 ORDER BY id DESC LIMIT $4::bigint",
                select_list(log_table::COLUMNS)
            ),
            versions,
            log,
        }
    }
}

/// Inserts a version's row, or updates every column but the version.
fn upsert(versions: &str) -> String {
    let (names, parameters) = insert_lists(version_table::COLUMNS);
    let updates: Vec<String> = version_table::COLUMNS
        .iter()
        .filter(|column| column.name != "version")
        .map(|column| format!("{0} = EXCLUDED.{0}", column.name))
        .collect();
    format!(
        "INSERT INTO {versions} ({names}) VALUES ({parameters}) \
         ON CONFLICT (version) DO UPDATE SET {}",
        updates.join(", ")
    )
}

/// Completes a log row: the finished columns, then the id.
fn finish_log(log: &str) -> String {
    let set: Vec<String> = log_table::FINISHED
        .iter()
        .enumerate()
        .map(|(index, column)| format!("{} = {}", column.name, parameter(index + 1, column)))
        .collect();
    let id = log_table::FINISHED.len() + 1;
    format!("UPDATE {log} SET {} WHERE id = ${id}", set.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("we\"ird"), "\"we\"\"ird\"");
        let sql = Sql::new("app", &TableNames::default());
        assert_eq!(sql.versions, "\"app\".\"db_version\"");
        assert!(sql.upsert.contains("$21"));
        assert!(!sql.upsert.contains("$22"));
        assert!(sql.select.contains("to_char(added_at AT TIME ZONE 'UTC'"));
        assert!(sql.create.contains("add_seq BIGINT"));
        assert!(sql.insert_log.contains("$1::text::numeric, $2"));
        assert!(
            sql.insert_log
                .contains("$6::text::timestamptz, $7::text::timestamptz, $8")
        );
        assert!(sql.insert_log.ends_with("$11) RETURNING id"));
        assert!(sql.finish_log.starts_with(
            "UPDATE \"app\".\"db_version_log\" SET finished_at = $1::text::timestamptz, \
             outcome = $2, error = $3, statement = $4, line = $5 WHERE id = $6"
        ));
    }
}
