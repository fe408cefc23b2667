//! SQLite's dialect: what its files may hold and how it runs them.

use std::time::Duration;

use crate::dialect::{Dialect, rolls_back_to_savepoint};
use crate::split::{Statement, Syntax, leading_words};

/// The longest busy timeout SQLite can be given: an `int` of milliseconds.
pub(crate) const MAX_BUSY_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// SQLite's dialect.
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn syntax(&self) -> Syntax {
        Syntax::Sqlite
    }

    fn is_transaction_control(&self, statement: &Statement) -> bool {
        let words = leading_words(&statement.text, Syntax::Sqlite, 3);
        match words.first().map(String::as_str) {
            Some("BEGIN" | "COMMIT" | "END") => true,
            Some("ROLLBACK") => !rolls_back_to_savepoint(&words),
            _ => false,
        }
    }

    fn run_lock_can_be_bypassed(&self) -> bool {
        true
    }

    fn max_lock_timeout(&self) -> Duration {
        // `sqlite3_busy_timeout` takes an `int` of milliseconds.
        MAX_BUSY_TIMEOUT
    }

    fn needs_no_transaction(&self, statement: &Statement) -> Option<&'static str> {
        let words = leading_words(&statement.text, Syntax::Sqlite, 1);
        (words.first().map(String::as_str) == Some("VACUUM"))
            .then_some("SQLite cannot VACUUM inside a transaction")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split;

    fn first(sql: &str) -> Statement {
        split(sql, Syntax::Sqlite).unwrap().remove(0)
    }

    #[test]
    fn transaction_control_and_savepoints() {
        for sql in [
            "BEGIN",
            "BEGIN IMMEDIATE",
            "COMMIT",
            "END TRANSACTION",
            "ROLLBACK",
            "ROLLBACK TRANSACTION",
        ] {
            assert!(SqliteDialect.is_transaction_control(&first(sql)), "{sql}");
        }
        for sql in [
            "ROLLBACK TO a",
            "ROLLBACK TRANSACTION TO SAVEPOINT a",
            "SAVEPOINT a",
            "RELEASE a",
        ] {
            assert!(!SqliteDialect.is_transaction_control(&first(sql)), "{sql}");
        }
        assert!(
            SqliteDialect
                .needs_no_transaction(&first("VACUUM"))
                .is_some()
        );
        assert!(
            SqliteDialect
                .needs_no_transaction(&first("VACUUM INTO 'x.db'"))
                .is_some()
        );
    }
}
