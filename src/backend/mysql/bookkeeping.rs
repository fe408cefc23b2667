//! MySQL's version-table SQL, in syntax that MySQL 8 and MariaDB both accept
//! (no `RETURNING`, no MariaDB-only types). Times are `DATETIME(6)` in UTC.

use crate::backend::rows::COLUMNS;
use crate::history::LOG_COLUMNS;
use crate::settings::TableNames;

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

fn is_time(column: &str) -> bool {
    column.ends_with("_at")
}

fn is_number(column: &str) -> bool {
    column.ends_with("_seq") || matches!(column, "statements_done" | "error_line")
}

/// An RFC 3339 UTC time as MySQL's `DATETIME` literal text.
pub fn to_datetime(rfc3339: &str) -> String {
    rfc3339.replace('T', " ").trim_end_matches('Z').to_string()
}

impl Sql {
    /// The statements for `tables` in the connection's database.
    pub fn new(tables: &TableNames) -> Sql {
        let versions = format!("`{}`", tables.versions);
        let log = format!("`{}`", tables.log);
        let definitions: Vec<String> = COLUMNS
            .iter()
            .map(|column| {
                let kind = match *column {
                    "version" => "DECIMAL(38, 0) NOT NULL PRIMARY KEY",
                    "state" => "VARCHAR(16) NOT NULL",
                    "name" | "error" => "TEXT",
                    "done_checksum" | "add_checksum" | "simdrop_checksum" | "drop_checksum" => {
                        "CHAR(64)"
                    }
                    column if is_time(column) => "DATETIME(6)",
                    column if is_number(column) => "BIGINT",
                    _ => "VARCHAR(255)",
                };
                format!("    {column} {kind}")
            })
            .collect();
        let create_versions = format!(
            "CREATE TABLE IF NOT EXISTS {versions} (\n{}\n) ENGINE = InnoDB",
            definitions.join(",\n")
        );
        let create_log = format!(
            "CREATE TABLE IF NOT EXISTS {log} (\n    \
             id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    \
             version DECIMAL(38, 0) NOT NULL,\n    operation VARCHAR(32) NOT NULL,\n    \
             `release` VARCHAR(255),\n    file TEXT,\n    checksum CHAR(64),\n    \
             started_at DATETIME(6) NOT NULL,\n    finished_at DATETIME(6),\n    \
             outcome VARCHAR(16) NOT NULL,\n    error TEXT,\n    statement BIGINT,\n    \
             line BIGINT\n) ENGINE = InnoDB"
        );
        let selected: Vec<String> = COLUMNS
            .iter()
            .map(|column| match *column {
                "version" => "CAST(version AS CHAR)".to_string(),
                column if is_time(column) => {
                    format!("DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s.%fZ')")
                }
                column => column.to_string(),
            })
            .collect();
        let placeholders = vec!["?"; COLUMNS.len()].join(", ");
        let logged: Vec<String> = LOG_COLUMNS
            .iter()
            .map(|column| match *column {
                "version" => "CAST(version AS CHAR)".to_string(),
                "release" => "`release`".to_string(),
                column if is_time(column) => {
                    format!("DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s.%fZ')")
                }
                column => column.to_string(),
            })
            .collect();
        // The version is compared as DECIMAL: a string against a DECIMAL
        // column would compare as doubles, which cannot tell 20-digit
        // stamps apart.
        let history = format!(
            "SELECT {} FROM {log} \
             WHERE (? IS NULL OR id = ?) \
             AND (? IS NULL OR version = CAST(? AS DECIMAL(38, 0))) \
             AND (? IS NULL OR outcome = ?) \
             ORDER BY id DESC LIMIT ?",
            logged.join(", ")
        );
        Sql {
            create: [create_versions, create_log],
            exists: "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = ?"
                .to_string(),
            select: format!("SELECT {} FROM {versions}", selected.join(", ")),
            replace: format!(
                "REPLACE INTO {versions} ({}) VALUES ({placeholders})",
                COLUMNS.join(", ")
            ),
            delete: format!("DELETE FROM {versions} WHERE version = ?"),
            insert_log: format!(
                "INSERT INTO {log} (version, operation, `release`, file, checksum, started_at, \
                 finished_at, outcome, error, statement, line) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            finish_log: format!(
                "UPDATE {log} SET finished_at = ?, outcome = ?, error = ?, statement = ?, \
                 line = ? WHERE id = ?"
            ),
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
        assert_eq!(sql.replace.matches('?').count(), COLUMNS.len());
        assert!(sql.create[1].contains("`release`"));
        assert_eq!(
            to_datetime("2026-11-22T05:14:47.209726Z"),
            "2026-11-22 05:14:47.209726"
        );
    }
}
