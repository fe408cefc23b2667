//! The data part of a checkpoint: the rows of every table that is not
//! empty, as each backend reads and renders them, and the `INSERT`
//! statements they become.
//!
//! A backend renders each row as one parenthesised list of literals in its
//! own dialect (`(1, 'a''b', X'00ff', NULL)`), asking the database itself to
//! write each value as a literal that reads back to the same value
//! (SQLite's `quote()`, PostgreSQL's `quote_nullable()` over the type's own
//! text form, MySQL's `QUOTE()` and `HEX()`), and orders the rows by that
//! text in binary order, so the same rows always render the same bytes.
//! Tables come in name order. This module only batches the rows into
//! statements.

/// The rows of one table, rendered by its backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRows {
    /// The table's name, quoted for the dialect.
    pub table: String,
    /// The columns the rows give values for, quoted, in order (generated
    /// columns are left out: the database computes them).
    pub columns: Vec<String>,
    /// What goes between the column list and the rows: `VALUES`, or
    /// PostgreSQL's `OVERRIDING SYSTEM VALUE VALUES` for a table with an
    /// identity column that is `GENERATED ALWAYS`.
    pub values: &'static str,
    /// Each row as `(literal, literal, ...)`, in a stable order.
    pub rows: Vec<String>,
}

/// Everything a backend read for the data part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataDump {
    /// Statements before the rows (MySQL: the session time zone that
    /// `TIMESTAMP` literals are written in).
    pub before: Vec<String>,
    /// The tables that hold rows, in name order.
    pub tables: Vec<TableRows>,
    /// Statements after the rows: counters that are data too (PostgreSQL
    /// sequences, SQLite's `sqlite_sequence`), and what `before` changed.
    pub after: Vec<String>,
}

impl DataDump {
    /// How many rows it holds.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|table| table.rows.len()).sum()
    }
}

/// Rows per `INSERT`: few enough that one statement stays small, many
/// enough that a large reference table costs few round trips.
const ROWS_PER_INSERT: usize = 100;

/// The data part as SQL: `before`, each table's rows as `INSERT`
/// statements, then `after`; empty when there is nothing to carry.
pub fn render(data: &DataDump) -> String {
    if data.tables.is_empty() && data.after.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    if !data.before.is_empty() {
        text.push('\n');
    }
    for statement in &data.before {
        text.push_str(statement);
        text.push('\n');
    }
    for table in &data.tables {
        text.push_str(&format!(
            "\n-- {} {} of {}\n",
            table.rows.len(),
            if table.rows.len() == 1 { "row" } else { "rows" },
            table.table
        ));
        for chunk in table.rows.chunks(ROWS_PER_INSERT) {
            text.push_str(&format!(
                "INSERT INTO {} ({}) {}\n{};\n",
                table.table,
                table.columns.join(", "),
                table.values,
                chunk.join(",\n")
            ));
        }
    }
    if !data.after.is_empty() {
        text.push('\n');
    }
    for statement in &data.after {
        text.push_str(statement);
        text.push('\n');
    }
    text
}

/// `name` as a double-quoted identifier (SQLite, PostgreSQL).
pub fn double_quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, rows: usize) -> TableRows {
        TableRows {
            table: double_quoted(name),
            columns: vec!["\"id\"".into(), "\"name\"".into()],
            values: "VALUES",
            rows: (0..rows).map(|row| format!("({row}, 'n{row}')")).collect(),
        }
    }

    #[test]
    fn rows_are_batched_per_table_in_order() {
        let data = DataDump {
            before: vec![],
            tables: vec![table("a", 2), table("b\"x", 101)],
            after: vec!["SELECT 1;".into()],
        };
        let text = render(&data);
        assert!(text.starts_with(
            "\n-- 2 rows of \"a\"\nINSERT INTO \"a\" (\"id\", \"name\") VALUES\n(0, 'n0'),\n(1, 'n1');\n"
        ));
        assert!(text.contains("-- 101 rows of \"b\"\"x\"\n"));
        assert_eq!(text.matches("INSERT INTO \"b\"\"x\"").count(), 2);
        assert!(text.contains(
            "(99, 'n99');\nINSERT INTO \"b\"\"x\" (\"id\", \"name\") VALUES\n(100, 'n100');\n"
        ));
        assert!(text.ends_with("\nSELECT 1;\n"));
        assert_eq!(data.row_count(), 103);
    }

    #[test]
    fn nothing_to_carry_renders_nothing() {
        assert_eq!(render(&DataDump::default()), "");
    }
}
