//! What MySQL and MariaDB do with each statement: which ones commit
//! implicitly (so a file holding them cannot be atomic) and which ones are
//! transaction control.
//!
//! The implicit-commit rule is conservative: only statements known to stay
//! inside a transaction (plain DML, `SET`, `SAVEPOINT`, ...) count as
//! transactional; everything else, including `CALL` and `EXECUTE`, whose
//! effect cannot be seen from the text, is run statement by statement with
//! its progress recorded. See
//! <https://dev.mysql.com/doc/refman/8.0/en/implicit-commit.html>.

use std::time::Duration;

use crate::dialect::{DEFAULT_LOCK_TIMEOUT, Dialect, ScratchDatabase, rolls_back_to_savepoint};
use crate::split::{Statement, Syntax, leading_words};

/// MySQL's and MariaDB's dialect.
pub struct MysqlDialect;

impl Dialect for MysqlDialect {
    fn name(&self) -> &'static str {
        "MySQL"
    }

    fn syntax(&self) -> Syntax {
        Syntax::Mysql
    }

    fn scratch_database(&self, name: &str) -> Option<ScratchDatabase> {
        Some(ScratchDatabase {
            create: format!("CREATE DATABASE `{name}`"),
            drop: format!("DROP DATABASE IF EXISTS `{name}`"),
            privilege: "CREATE and DROP (GRANT CREATE, DROP ON *.* TO ...)",
        })
    }

    fn is_transaction_control(&self, statement: &Statement) -> bool {
        // `/*!40101 COMMIT */` is run by the server as the statement inside
        // it (issue 11: such a `COMMIT` after a comment slipped through).
        let text = executable_comment_body(&statement.text).unwrap_or(&statement.text);
        let words = leading_words(text, Syntax::Mysql, 3);
        let word = |index: usize| words.get(index).map(String::as_str);
        match word(0) {
            Some("BEGIN") => word(1) != Some("NOT"),
            Some("COMMIT" | "XA") => true,
            Some("START") => word(1) == Some("TRANSACTION"),
            Some("ROLLBACK") => !rolls_back_to_savepoint(&words),
            // `SET autocommit`, `SET SESSION autocommit`, `SET @@autocommit`, ...
            Some("SET") => mentions_autocommit(text),
            _ => false,
        }
    }

    fn needs_no_transaction(&self, _statement: &Statement) -> Option<&'static str> {
        None
    }

    fn commits_implicitly(&self, statement: &Statement) -> bool {
        if self.is_transaction_control(statement) {
            return false;
        }
        let words = leading_words(&statement.text, Syntax::Mysql, 2);
        let word = |index: usize| words.get(index).map(String::as_str);
        let stays_in_transaction = match word(0) {
            Some(
                "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "SELECT" | "WITH" | "VALUES" | "TABLE"
                | "DO" | "SAVEPOINT" | "RELEASE" | "PREPARE" | "DEALLOCATE",
            ) => true,
            // Plain ROLLBACK is transaction control, answered above: this is ROLLBACK TO.
            Some("ROLLBACK") => true,
            Some("SET") => word(1) != Some("PASSWORD"),
            // `/*!40101 SET ... */`: an executable comment is read as the
            // statement inside it (`/*!50001 CREATE VIEW ... */` commits).
            None => match executable_comment_body(&statement.text) {
                Some(body) => {
                    let inner = leading_words(body, Syntax::Mysql, 2);
                    inner.first().map(String::as_str) == Some("SET")
                        && inner.get(1).map(String::as_str) != Some("PASSWORD")
                        && !mentions_autocommit(body)
                }
                None => false,
            },
            _ => false,
        };
        !stays_in_transaction
    }

    fn transactional_ddl(&self) -> bool {
        false
    }

    fn supports_single_transaction(&self) -> bool {
        false
    }

    fn default_lock_timeout(&self) -> Option<(Duration, u32)> {
        Some(DEFAULT_LOCK_TIMEOUT)
    }

    fn max_lock_timeout(&self) -> Duration {
        MAX_LOCK_WAIT_TIMEOUT
    }

    fn chain_needs_open_transaction(&self) -> bool {
        false
    }
}

/// The largest `lock_wait_timeout` MySQL and MariaDB accept, one year in
/// seconds; a larger value is clamped silently, so preflight refuses it.
/// (`innodb_lock_wait_timeout` goes higher, to 1073741824 s.)
/// <https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_lock_wait_timeout>
pub(crate) const MAX_LOCK_WAIT_TIMEOUT: Duration = Duration::from_secs(31_536_000);

/// Whether the text names `autocommit` as a word, in any spelling of `SET`.
fn mentions_autocommit(text: &str) -> bool {
    text.to_ascii_uppercase()
        .split(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .any(|word| word == "AUTOCOMMIT")
}

/// The statement inside `/*!NNNNN … */` or `/*M!NNNNN … */`, if the text is one.
fn executable_comment_body(text: &str) -> Option<&str> {
    let inner = text
        .strip_prefix("/*!")
        .or_else(|| text.strip_prefix("/*M!"))?
        .trim_start_matches(|character: char| character.is_ascii_digit());
    Some(inner.strip_suffix("*/").unwrap_or(inner).trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split;

    fn first(sql: &str) -> Statement {
        split(sql, Syntax::Mysql).unwrap().remove(0)
    }

    #[test]
    fn implicit_commits() {
        for sql in [
            "CREATE TABLE t (x int)",
            "ALTER TABLE t ADD y int",
            "DROP TABLE t",
            "RENAME TABLE a TO b",
            "TRUNCATE t",
            "CREATE INDEX i ON t (x)",
            "GRANT SELECT ON t TO u",
            "CALL p()",
            "EXECUTE st",
            "LOCK TABLES t WRITE",
            "ANALYZE TABLE t",
            "SET PASSWORD = 'x'",
            "/*!50001 CREATE VIEW v AS SELECT 1 AS x */",
            "/*M!100100 CREATE TABLE t (x int) */",
            "CREATE PROCEDURE p() BEGIN SELECT 1; END",
        ] {
            assert!(MysqlDialect.commits_implicitly(&first(sql)), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set x = 1",
            "DELETE FROM t",
            "REPLACE INTO t VALUES (1)",
            "SET @s = 'a; b'",
            "PREPARE st FROM @s",
            "WITH c AS (SELECT 1) SELECT * FROM c",
            "/*!40101 SET NAMES utf8 */",
            "START TRANSACTION",
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK WORK TO a",
        ] {
            assert!(!MysqlDialect.commits_implicitly(&first(sql)), "{sql}");
        }
    }

    #[test]
    fn transaction_control() {
        for sql in [
            "BEGIN",
            "begin work",
            "START TRANSACTION",
            "COMMIT",
            "ROLLBACK",
            "XA START 'x'",
            "SET autocommit = 0",
            "SET SESSION autocommit = 0",
            "SET @@autocommit = 0",
            "ROLLBACK WORK",
            "/*!40101 COMMIT */",
            "/*!BEGIN*/",
            "/*M!100100 START TRANSACTION */",
            "# a comment\nCOMMIT",
            "--a comment the mysql client reads\nBEGIN",
        ] {
            assert!(MysqlDialect.is_transaction_control(&first(sql)), "{sql}");
        }
        for sql in [
            "BEGIN NOT ATOMIC SELECT 1; END",
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK WORK TO a",
            "SET @x = 1",
        ] {
            assert!(!MysqlDialect.is_transaction_control(&first(sql)), "{sql}");
        }
    }
}
