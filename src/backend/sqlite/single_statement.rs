//! Running one statement of a migration file, and refusing a statement text
//! that SQLite reads as more than one statement.
//!
//! Preflight checks the statements our splitter finds (transaction control,
//! `VACUUM`). If the splitter glued two statements together and the text ran
//! through rusqlite's `execute_batch`, SQLite would run both, and a `COMMIT`
//! hidden in the second would end the file's transaction unchecked (issue
//! 10). So a split SQLite would read differently is an error here, never a
//! silent merge: it fails the statement inside the file's transaction, which
//! then rolls back.
//!
//! `Connection::prepare` refuses a second statement too, but it finds one by
//! preparing the rest of the text, which fails with an unrelated "no such
//! table" when the second statement uses a table the first creates. Here the
//! first statement is prepared alone (rusqlite's `Batch` does that), and the
//! rest is prepared only when SQLite stopped before the end of the text, so
//! an ordinary statement still costs one prepare and its steps. A NUL byte is
//! refused as well: SQLite stops reading at it, silently dropping the rest
//! (the folder scan refuses it first; this guards every other caller).

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Batch, Connection};

use super::{convert, error_line};
use crate::backend::StatementFailure;
use crate::error::DbError;
use crate::split::Statement;

/// Runs `statement` alone: prepares it, checks that SQLite reads nothing
/// after its first statement, and steps it to completion (reading and
/// dropping any rows, as a `PRAGMA` returns). The failure's `index` is 0;
/// the caller sets it.
pub(super) fn run_alone(
    connection: &Connection,
    statement: &Statement,
) -> Result<(), StatementFailure> {
    let failure = |line: Option<usize>, error: DbError| StatementFailure {
        index: 0,
        line,
        error,
    };
    let text = statement.text.as_str();
    if let Some(at) = text.find('\0') {
        return Err(failure(
            Some(line_at(statement, at)),
            DbError::new("the statement holds a NUL byte, where SQLite would stop reading it"),
        ));
    }
    let database = |error: rusqlite::Error| failure(error_line(&error, statement), convert(error));
    let mut batch = Batch::new(connection, text);
    let Some(mut first) = batch.next().map_err(database)? else {
        // Only comments: there is nothing to run.
        return Ok(());
    };
    // An error preparing the rest means SQLite found a statement there too
    // (whitespace and comments prepare to nothing); either way, refuse.
    if !matches!(batch.next(), Ok(None)) {
        let second = second_statement_offset(text, first.expanded_sql());
        let line = second.map_or(statement.line, |at| line_at(statement, at));
        return Err(failure(
            Some(line),
            DbError::new(format!(
                "SQLite reads more than one statement in the statement that starts at line \
                 {}: migrate's splitter and SQLite disagree on where it ends, and running it \
                 would run statements preflight never checked; end each statement with `;` \
                 as SQLite expects and report the file to migrate's maintainers",
                statement.line
            )),
        ));
    }
    let mut rows = first.raw_query();
    while rows.next().map_err(database)?.is_some() {}
    Ok(())
}

/// Where SQLite's second statement starts in `text`, given the text of the
/// first as SQLite holds it (from its start up to and including its `;`):
/// past the whitespace after it. `None` when that text is not a prefix of
/// `text` (bound parameters are shown expanded in it).
fn second_statement_offset(text: &str, first: Option<String>) -> Option<usize> {
    let first = first?;
    let rest = text.strip_prefix(first.as_str())?;
    Some(text.len() - rest.trim_start().len())
}

/// The line of the file at byte `offset` of the statement's text.
fn line_at(statement: &Statement, offset: usize) -> usize {
    let before = statement.text.get(..offset).unwrap_or_default();
    statement.line + before.matches('\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(text: &str, line: usize) -> Statement {
        Statement {
            text: text.to_string(),
            line,
            offset: 0,
        }
    }

    fn count(connection: &Connection) -> i64 {
        connection
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn runs_one_statement_with_trailing_comments_and_rows() {
        let connection = Connection::open_in_memory().unwrap();
        for text in [
            "CREATE TABLE t (x)",
            "INSERT INTO t VALUES (1), (2) -- trailing; comment",
            "INSERT INTO t SELECT x + 10 FROM t RETURNING x /* c */ ;",
            "PRAGMA table_info(t)",
            "SELECT * FROM t",
            "-- nothing but a comment",
        ] {
            run_alone(&connection, &statement(text, 1)).unwrap();
        }
        assert_eq!(count(&connection), 4);
    }

    #[test]
    fn refuses_a_text_sqlite_reads_as_two_statements_and_runs_neither() {
        let connection = Connection::open_in_memory().unwrap();
        connection.execute_batch("CREATE TABLE t (x)").unwrap();
        let cases = [
            ("INSERT INTO t VALUES (1);\n  COMMIT", 7, 8),
            // The second uses a table the first would create: still refused
            // as two statements, not as "no such table".
            ("CREATE TABLE u (y);\n\nINSERT INTO u VALUES (1)", 3, 5),
            ("INSERT INTO t VALUES (?); DELETE FROM t", 2, 2),
        ];
        for (text, line, expected_line) in cases {
            let failure = run_alone(&connection, &statement(text, line)).unwrap_err();
            assert_eq!(failure.line, Some(expected_line), "{text}");
            assert!(
                failure
                    .error
                    .message
                    .contains("splitter and SQLite disagree"),
                "{failure:?}"
            );
        }
        assert_eq!(count(&connection), 0);
        let failure = run_alone(&connection, &statement("DELETE FROM t\n\0 WHERE x = 1", 4));
        assert_eq!(failure.unwrap_err().line, Some(5));
    }

    #[test]
    fn a_database_error_keeps_its_line() {
        let connection = Connection::open_in_memory().unwrap();
        let failure = run_alone(&connection, &statement("SELECT 1\n  FROM nowhere", 10));
        let failure = failure.unwrap_err();
        assert!(
            failure.error.message.contains("no such table"),
            "{failure:?}"
        );
        assert!(failure.line.is_some());
    }
}
