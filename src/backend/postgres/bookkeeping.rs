//! PostgreSQL's version-table SQL, built once per session from the validated
//! table names and the quoted target schema. Values are always bound; text
//! parameters are cast (`$1::text::numeric`) so that plain strings bind.

use crate::backend::rows::COLUMNS;
use crate::history::LOG_COLUMNS;
use crate::settings::TableNames;

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

fn is_time(column: &str) -> bool {
    column.ends_with("_at")
}

fn is_number(column: &str) -> bool {
    column.ends_with("_seq") || matches!(column, "statements_done" | "error_line")
}

impl Sql {
    /// The statements that create both tables under the given quoted names.
    pub fn create(versions: &str, log: &str) -> String {
        let definitions: Vec<String> = COLUMNS
            .iter()
            .map(|column| {
                let kind = match *column {
                    "version" => "NUMERIC(38, 0) PRIMARY KEY",
                    "state" => {
                        "TEXT NOT NULL CHECK (state IN ('pending', 'added', 'simdropped', 'dropped'))"
                    }
                    column if is_time(column) => "TIMESTAMPTZ",
                    column if is_number(column) => "BIGINT",
                    _ => "TEXT",
                };
                format!("    {column} {kind}")
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
        let create = Sql::create(&versions, &log);
        let selected: Vec<String> = COLUMNS
            .iter()
            .map(|column| match *column {
                "version" => "version::text".to_string(),
                column if is_time(column) => {
                    format!("to_char({column} AT TIME ZONE 'UTC', {RFC3339})")
                }
                column => column.to_string(),
            })
            .collect();
        let select = format!("SELECT {} FROM {versions}", selected.join(", "));
        let values: Vec<String> = COLUMNS
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let number = index + 1;
                match *column {
                    "version" => format!("${number}::text::numeric"),
                    column if is_time(column) => format!("${number}::text::timestamptz"),
                    _ => format!("${number}"),
                }
            })
            .collect();
        let updates: Vec<String> = COLUMNS[1..]
            .iter()
            .map(|column| format!("{column} = EXCLUDED.{column}"))
            .collect();
        let upsert = format!(
            "INSERT INTO {versions} ({}) VALUES ({}) ON CONFLICT (version) DO UPDATE SET {}",
            COLUMNS.join(", "),
            values.join(", "),
            updates.join(", ")
        );
        let delete = format!("DELETE FROM {versions} WHERE version = $1::text::numeric");
        let insert_log = format!(
            "INSERT INTO {log} (version, operation, release, file, checksum, started_at, \
             finished_at, outcome, error, statement, line) VALUES ($1::text::numeric, $2, $3, \
             $4, $5, $6::text::timestamptz, $7::text::timestamptz, $8, $9, $10, $11) RETURNING id"
        );
        let finish_log = format!(
            "UPDATE {log} SET finished_at = $1::text::timestamptz, outcome = $2, error = $3, \
             statement = $4, line = $5 WHERE id = $6"
        );
        let logged: Vec<String> = LOG_COLUMNS
            .iter()
            .map(|column| match *column {
                "version" => "version::text".to_string(),
                column if is_time(column) => {
                    format!("to_char({column} AT TIME ZONE 'UTC', {RFC3339})")
                }
                column => column.to_string(),
            })
            .collect();
        let history = format!(
            "SELECT {} FROM {log} \
             WHERE ($1::bigint IS NULL OR id = $1::bigint) \
             AND ($2::text IS NULL OR version = $2::text::numeric) \
             AND ($3::text IS NULL OR outcome = $3::text) \
             ORDER BY id DESC LIMIT $4::bigint",
            logged.join(", ")
        );
        Sql {
            versions,
            log,
            history,
            create,
            select,
            upsert,
            delete,
            insert_log,
            finish_log,
        }
    }
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
    }
}
