//! The capability questions that shared code asks about a database instead
//! of "is this PostgreSQL?" ([`Dialect`]), with the answers every dialect
//! shares. Pure: preflight and the executor use it without knowing the
//! backends; each backend's `dialect.rs` answers for its database.

use std::time::Duration;

use crate::split::{Statement, Syntax, leading_words};

/// The lock timeout and retries PostgreSQL and MySQL run with by default
/// (SPEC section 5): 5 s, then 3 more tries of a transactional file.
pub const DEFAULT_LOCK_TIMEOUT: (Duration, u32) = (Duration::from_secs(5), 3);

/// The statements that create and drop a scratch database on a server,
/// and the privilege the first needs, to name when the server refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScratchDatabase {
    /// `CREATE DATABASE …`.
    pub create: String,
    /// `DROP DATABASE …`, which also ends sessions still connected where
    /// the database needs that.
    pub drop: String,
    /// The privilege `create` needs (`CREATEDB`).
    pub privilege: &'static str,
}

/// Capability questions the shared code asks instead of "is this PostgreSQL?".
pub trait Dialect {
    /// The database's name for messages (`SQLite`).
    fn name(&self) -> &'static str;

    /// The lexical rules for splitting its files.
    fn syntax(&self) -> Syntax;

    /// Whether the statement is transaction control (`BEGIN`, `COMMIT`, ...),
    /// which would split a transactional file from its bookkeeping.
    fn is_transaction_control(&self, statement: &Statement) -> bool;

    /// Why the statement cannot run inside a transaction, if it cannot.
    fn needs_no_transaction(&self, statement: &Statement) -> Option<&'static str>;

    /// Whether the statement commits implicitly (MySQL DDL), making its file non-atomic.
    fn commits_implicitly(&self, _statement: &Statement) -> bool {
        false
    }

    /// Whether DDL stays inside a transaction, so a script of DDL (`load`)
    /// can run in one (not MySQL/MariaDB, whose DDL commits implicitly).
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// How to create and drop a scratch database named `name` (letters,
    /// digits and `_` only) on the server, for `check`; `None` where a
    /// database is a file (SQLite), which needs no server statement.
    fn scratch_database(&self, _name: &str) -> Option<ScratchDatabase> {
        None
    }

    /// The lock timeout, and the retries of a transactional file that hit
    /// it, when neither `--lock-timeout` nor the file says (SPEC section 5):
    /// on a server, a DDL statement queued behind a long query must not
    /// stall the traffic queued behind it for long. `None`: the database's
    /// own wait (SQLite's busy timeout is the run's to set).
    fn default_lock_timeout(&self) -> Option<(Duration, u32)> {
        None
    }

    /// Whether a statement waits for others without making anyone wait for
    /// it (PostgreSQL's `CREATE INDEX CONCURRENTLY` waits for every older
    /// transaction while holding a lock that blocks no reads or writes):
    /// the default lock timeout would only make it fail behind a long
    /// report, so it waits without a bound unless the user set one.
    fn waits_without_blocking(&self, _statement: &Statement) -> bool {
        false
    }

    /// Whether a whole plan can run in one transaction (`--single-transaction`).
    fn supports_single_transaction(&self) -> bool {
        true
    }

    /// The longest lock timeout the database can be told (`--lock-timeout`,
    /// `lock-timeout=`): preflight refuses a longer one before anything
    /// runs, instead of the driver failing (or panicking, or clamping
    /// silently) when that file's turn comes. A timeout of zero means no
    /// bound and is always allowed.
    fn max_lock_timeout(&self) -> Duration;

    /// Whether `COMMIT AND CHAIN` / `ROLLBACK AND CHAIN` is refused when no
    /// transaction is open (PostgreSQL: "can only be used in transaction
    /// blocks"; SQLite has no `AND CHAIN` at all). MySQL accepts it anywhere.
    fn chain_needs_open_transaction(&self) -> bool {
        true
    }

    /// Whether another run can reach the same database without meeting this
    /// run's lock (SQLite: one file under two names, such as a hard link,
    /// each name taking its own lock file). The executor then re-reads a
    /// version's row inside the file's transaction before running it.
    fn run_lock_can_be_bypassed(&self) -> bool {
        false
    }

    /// Whether a statement of a `no-transaction` file opens or ends a
    /// transaction of the file's own (`BEGIN`, `COMMIT`, `ROLLBACK`, `END`),
    /// so the executor records progress only where work has committed.
    fn transaction_boundary(&self, statement: &Statement) -> Option<TransactionBoundary> {
        if !self.is_transaction_control(statement) {
            return None;
        }
        let words = leading_words(&statement.text, self.syntax(), 4);
        match words.first().map(String::as_str) {
            Some("BEGIN" | "START") => Some(TransactionBoundary::Open),
            Some(_) => Some(TransactionBoundary::End {
                chain: chains(&words),
            }),
            None => None,
        }
    }
}

/// How a transaction-control statement moves a file's own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionBoundary {
    /// `BEGIN`, `START TRANSACTION`.
    Open,
    /// `COMMIT`, `END` or `ROLLBACK`; with `AND CHAIN` a new transaction
    /// opens at once.
    End {
        /// `AND CHAIN`: the next statements are in a transaction again.
        chain: bool,
    },
}

/// Whether `COMMIT`/`ROLLBACK [WORK] AND CHAIN` (not `AND NO CHAIN`).
fn chains(words: &[String]) -> bool {
    let and = words.iter().position(|word| word == "AND");
    and.is_some_and(|at| words.get(at + 1).map(String::as_str) == Some("CHAIN"))
}

/// Whether the leading words `ROLLBACK [WORK | TRANSACTION] TO …` roll back
/// to a savepoint, which stays inside the transaction (every dialect has it).
pub(crate) fn rolls_back_to_savepoint(words: &[String]) -> bool {
    let rest = match words.get(1).map(String::as_str) {
        Some("WORK" | "TRANSACTION") => words.get(2),
        _ => words.get(1),
    };
    words.first().map(String::as_str) == Some("ROLLBACK") && rest.is_some_and(|word| word == "TO")
}
