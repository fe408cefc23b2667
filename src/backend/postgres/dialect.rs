//! What PostgreSQL allows where: transaction control, and the statements it
//! refuses to run inside a transaction block.

use std::time::Duration;

use crate::dialect::{DEFAULT_LOCK_TIMEOUT, Dialect, ScratchDatabase, rolls_back_to_savepoint};
use crate::split::{Statement, Syntax, leading_words};

/// PostgreSQL's dialect.
pub struct PostgresDialect;

impl Dialect for PostgresDialect {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn syntax(&self) -> Syntax {
        Syntax::Postgres
    }

    fn scratch_database(&self, name: &str) -> Option<ScratchDatabase> {
        // `WITH (FORCE)` (PostgreSQL 13) ends a session that a cancelled
        // check left behind, which would otherwise keep the drop waiting.
        Some(ScratchDatabase {
            create: format!("CREATE DATABASE \"{name}\""),
            drop: format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            privilege: "CREATEDB (ALTER ROLE ... CREATEDB)",
        })
    }

    fn default_lock_timeout(&self) -> Option<(Duration, u32)> {
        Some(DEFAULT_LOCK_TIMEOUT)
    }

    fn max_lock_timeout(&self) -> Duration {
        // `lock_timeout` is an `int` of milliseconds: a larger value fails
        // with "Value exceeds integer range" when it is set.
        Duration::from_millis(i32::MAX as u64)
    }

    fn is_transaction_control(&self, statement: &Statement) -> bool {
        let words = leading_words(&statement.text, Syntax::Postgres, 3);
        let second = words.get(1).map(String::as_str);
        match words.first().map(String::as_str) {
            Some("BEGIN" | "COMMIT" | "END" | "ABORT") => true,
            Some("START") => second == Some("TRANSACTION"),
            Some("PREPARE") => second == Some("TRANSACTION"),
            Some("ROLLBACK") => !rolls_back_to_savepoint(&words),
            _ => false,
        }
    }

    fn waits_without_blocking(&self, statement: &Statement) -> bool {
        let words = leading_words(&statement.text, Syntax::Postgres, 6);
        let concurrently = words.iter().any(|word| word == "CONCURRENTLY")
            || statement
                .text
                .to_ascii_uppercase()
                .contains("(CONCURRENTLY");
        let index = words.iter().any(|word| word == "INDEX");
        match words.first().map(String::as_str) {
            Some("CREATE" | "DROP") => concurrently && index,
            Some("REINDEX") => concurrently,
            _ => false,
        }
    }

    fn needs_no_transaction(&self, statement: &Statement) -> Option<&'static str> {
        let words = leading_words(&statement.text, Syntax::Postgres, 6);
        let word = |index: usize| words.get(index).map(String::as_str);
        let concurrently = words.iter().any(|word| word == "CONCURRENTLY");
        match (word(0), word(1)) {
            (Some("CREATE" | "DROP"), _) if concurrently && words.iter().any(|w| w == "INDEX") => {
                Some("PostgreSQL cannot build or drop an index CONCURRENTLY inside a transaction")
            }
            (Some("REINDEX"), _)
                if concurrently || statement.text.to_ascii_uppercase().contains("CONCURRENTLY") =>
            {
                Some("PostgreSQL cannot REINDEX CONCURRENTLY inside a transaction")
            }
            (Some("VACUUM"), _) => Some("PostgreSQL cannot VACUUM inside a transaction"),
            (Some("CREATE" | "DROP"), Some("DATABASE")) => {
                Some("PostgreSQL cannot create or drop a database inside a transaction")
            }
            (Some("CREATE" | "DROP"), Some("TABLESPACE")) => {
                Some("PostgreSQL cannot create or drop a tablespace inside a transaction")
            }
            (Some("ALTER"), Some("SYSTEM")) => {
                Some("PostgreSQL cannot ALTER SYSTEM inside a transaction")
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split;

    fn first(sql: &str) -> Statement {
        split(sql, Syntax::Postgres).unwrap().remove(0)
    }

    #[test]
    fn concurrent_index_statements_wait_without_blocking() {
        for sql in [
            "CREATE INDEX CONCURRENTLY i ON t (x)",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (x)",
            "DROP INDEX CONCURRENTLY i",
            "REINDEX INDEX CONCURRENTLY i",
            "REINDEX (CONCURRENTLY) TABLE t",
        ] {
            assert!(PostgresDialect.waits_without_blocking(&first(sql)), "{sql}");
        }
        for sql in [
            "CREATE INDEX i ON t (x)",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY v",
            "ALTER TABLE t ADD COLUMN c int",
            "VACUUM t",
        ] {
            assert!(
                !PostgresDialect.waits_without_blocking(&first(sql)),
                "{sql}"
            );
        }
    }

    #[test]
    fn transaction_control() {
        for sql in [
            "BEGIN",
            "begin isolation level serializable",
            "COMMIT",
            "END",
            "ABORT",
            "ROLLBACK",
            "START TRANSACTION",
            "PREPARE TRANSACTION 'x'",
        ] {
            assert!(PostgresDialect.is_transaction_control(&first(sql)), "{sql}");
        }
        for sql in [
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK WORK TO a",
            "ROLLBACK TRANSACTION TO SAVEPOINT a",
            "SAVEPOINT a",
            "DO $$ BEGIN END $$",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
            "START",
        ] {
            assert!(
                !PostgresDialect.is_transaction_control(&first(sql)),
                "{sql}"
            );
        }
    }

    #[test]
    fn statements_outside_transactions() {
        for sql in [
            "CREATE INDEX CONCURRENTLY i ON t (x)",
            "create unique index concurrently if not exists i on t (x)",
            "DROP INDEX CONCURRENTLY i",
            "REINDEX INDEX CONCURRENTLY i",
            "REINDEX (CONCURRENTLY) TABLE t",
            "VACUUM t",
            "VACUUM",
            "CREATE DATABASE d",
            "DROP DATABASE d",
            "ALTER SYSTEM SET work_mem = '8MB'",
            "CREATE TABLESPACE s LOCATION '/x'",
        ] {
            assert!(
                PostgresDialect.needs_no_transaction(&first(sql)).is_some(),
                "{sql}"
            );
        }
        for sql in [
            "CREATE INDEX i ON t (x)",
            "REINDEX INDEX i",
            "ALTER TABLE t ADD x int",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY v",
            "CREATE TABLE concurrently (x int)",
        ] {
            assert!(
                PostgresDialect.needs_no_transaction(&first(sql)).is_none(),
                "{sql}"
            );
        }
    }
}
