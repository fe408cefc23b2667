//! The executor's policies on a small in-memory backend, without a database:
//! what commits together, what a failure leaves, what the row of a
//! non-atomic file says before each statement, and when a run stops.
//! (The same promises are proven on real servers in `tests/it`.)

use std::collections::BTreeMap;

use super::*;
use crate::backend::sqlite::SqliteDialect;
use crate::backend::{Dialect, LockOutcome};
use crate::dump::DumpItem;
use crate::log_table::HistoryFilter;
use crate::plan::tests::{catalogue, v};
use crate::plan::{Command, Options, plan};
use crate::preflight::preflight_run;
use crate::scan::Catalogue;

/// What the fake database holds; `begin` snapshots it, `rollback` restores it.
#[derive(Debug, Clone, Default)]
struct Data {
    rows: BTreeMap<Version, VersionRecord>,
    log: Vec<LogEntry>,
    /// The statements that ran, in order.
    ran: Vec<String>,
}

/// An in-memory backend with SQLite's dialect. A statement whose text
/// contains `FAIL` fails; `LOCKED` fails as a lock timeout the first
/// `locked_failures` times.
#[derive(Default)]
struct Memory {
    data: Data,
    snapshot: Option<Data>,
    commits: usize,
    /// Every version row saved, in order, as (statements done, line, error).
    progress: Vec<(usize, Option<usize>, Option<String>)>,
    locked_failures: usize,
    partial_rollback: bool,
    /// Another run's change, made just before the next `begin`.
    changed_underneath: Option<VersionRecord>,
    /// Every lock timeout given, in order: (`"begin"` or `"set"`, timeout).
    timeouts: Vec<(&'static str, Option<Duration>)>,
}

impl Backend for Memory {
    fn dialect(&self) -> &'static dyn Dialect {
        &SqliteDialect
    }

    fn lock(&mut self, _: Duration) -> Result<LockOutcome, DbError> {
        Ok(LockOutcome::Acquired)
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    fn read_state(&mut self) -> Result<DbState, DbError> {
        Ok(DbState {
            tables_exist: true,
            records: self.data.rows.clone(),
        })
    }

    fn read_history(&mut self, _: &HistoryFilter) -> Result<Vec<LogEntry>, DbError> {
        Ok(self.data.log.clone())
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    fn begin(&mut self, lock_timeout: Option<Duration>) -> Result<(), DbError> {
        self.timeouts.push(("begin", lock_timeout));
        if let Some(record) = self.changed_underneath.take() {
            self.data.rows.insert(record.version, record);
        }
        self.snapshot = Some(self.data.clone());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.snapshot = None;
        self.commits += 1;
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if let Some(snapshot) = self.snapshot.take() {
            let ran = self.data.ran.clone();
            self.data = snapshot;
            if self.partial_rollback {
                // Tables without transactions keep what was written.
                self.data.ran = ran;
            }
        }
        Ok(())
    }

    fn set_lock_timeout(&mut self, timeout: Option<Duration>) -> Result<(), DbError> {
        self.timeouts.push(("set", timeout));
        Ok(())
    }

    fn execute(&mut self, batch: &Batch<'_>) -> Result<(), StatementFailure> {
        for (index, statement) in batch.statements().iter().enumerate() {
            let locked = statement.text.contains("LOCKED") && self.locked_failures > 0;
            if statement.text.contains("FAIL") || locked {
                self.locked_failures = self.locked_failures.saturating_sub(1);
                return Err(StatementFailure {
                    index,
                    line: None,
                    error: DbError {
                        lock_timeout: locked,
                        ..DbError::new("boom")
                    },
                });
            }
            self.data.ran.push(statement.text.clone());
        }
        Ok(())
    }

    fn rollback_was_partial(&mut self) -> bool {
        self.partial_rollback
    }

    fn save_version(&mut self, record: &VersionRecord) -> Result<(), DbError> {
        if let Some(failure) = &record.failure {
            self.progress
                .push((failure.statements_done, failure.line, failure.error.clone()));
        }
        self.data.rows.insert(record.version, record.clone());
        Ok(())
    }

    fn delete_version(&mut self, version: Version) -> Result<(), DbError> {
        self.data.rows.remove(&version);
        Ok(())
    }

    fn insert_log(&mut self, entry: &LogEntry) -> Result<i64, DbError> {
        let id = i64::try_from(self.data.log.len()).unwrap_or(i64::MAX) + 1;
        self.data.log.push(LogEntry {
            id: Some(id),
            ..entry.clone()
        });
        Ok(id)
    }

    fn finish_log(&mut self, entry: &LogEntry) -> Result<(), DbError> {
        let row = self.data.log.iter_mut().find(|row| row.id == entry.id);
        if let Some(row) = row {
            *row = entry.clone();
        }
        Ok(())
    }

    fn version_table_sql(&self, _: &DbState) -> String {
        String::new()
    }

    fn dump_schema(&mut self) -> Result<Vec<DumpItem>, DbError> {
        Ok(Vec::new())
    }
}

/// Runs `up` for `files` on `memory`, as `Migrator::migrate` does.
fn up(files: &[&str], memory: &mut Memory) -> RunSummary {
    let cat: Catalogue = catalogue(files.iter().map(ToString::to_string).collect());
    let db = memory.read_state().unwrap();
    let planned = plan(&cat, &db, Command::Up(None), &Options::default()).unwrap();
    let run = RunOptions::default();
    let ready = preflight_run(&planned, &[], memory.dialect(), &run).unwrap();
    Executor::new(memory, &db, planned.next_seq, run).run(&ready, &mut |_| {})
}

fn outcomes(memory: &Memory) -> Vec<(String, String)> {
    memory
        .data
        .log
        .iter()
        .map(|entry| {
            let version = entry.version.map(|version| version.to_string());
            (version.unwrap_or_default(), entry.outcome.to_string())
        })
        .collect()
}

fn pair(version: &str, outcome: &str) -> (String, String) {
    (version.to_string(), outcome.to_string())
}

#[test]
fn an_atomic_file_commits_once_with_its_row_and_log() {
    let mut memory = Memory::default();
    let outcome = up(
        &["up/1.sql: CREATE TABLE a (x);\nINSERT INTO a VALUES (1);\n"],
        &mut memory,
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(memory.commits, 1);
    assert_eq!(memory.data.ran.len(), 2);
    assert_eq!(outcomes(&memory), [pair("1", "ok")]);
    assert_eq!(memory.data.rows[&v(1)].state, crate::state::State::Added);
}

#[test]
fn a_failing_atomic_file_leaves_only_its_log_row() {
    let mut memory = Memory::default();
    let outcome = up(
        &[
            "up/1.sql: CREATE TABLE a (x);\n",
            "up/2.sql: INSERT INTO a VALUES (1);\nFAIL;\n",
        ],
        &mut memory,
    );
    assert_eq!(outcome.done.len(), 1);
    let Some(Error::Migration(error)) = outcome.error else {
        panic!("not a migration error: {:?}", outcome.error);
    };
    assert_eq!((error.path.as_str(), error.line), ("up/2.sql", Some(2)));
    assert_eq!(memory.data.ran, ["CREATE TABLE a (x)"]);
    assert!(!memory.data.rows.contains_key(&v(2)));
    assert_eq!(outcomes(&memory), [pair("1", "ok"), pair("2", "failed")]);
    assert_eq!(memory.data.log[1].statement, Some(2));
}

#[test]
fn a_lock_timeout_is_retried_as_the_file_says() {
    let mut memory = Memory {
        locked_failures: 1,
        ..Memory::default()
    };
    let outcome = up(
        &["up/1.sql: -- migrate: retries=1\nUPDATE LOCKED SET x = 1;\n"],
        &mut memory,
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(memory.data.ran.len(), 1);
    assert_eq!(outcomes(&memory), [pair("1", "ok")]);
}

#[test]
fn a_non_atomic_file_names_the_statement_that_may_be_running_before_each_one() {
    let mut memory = Memory::default();
    let outcome = up(
        &[
            "up/1.sql: -- migrate: no-transaction\nCREATE TABLE a (x);\nCREATE TABLE b (x);\nFAIL;\n",
        ],
        &mut memory,
    );
    assert!(matches!(outcome.error, Some(Error::Migration(_))));
    // Before statement 1 (line 2), after it (statement 2 at line 3 may run),
    // after statement 2 (line 4), then the failure at line 4.
    assert_eq!(
        memory.progress,
        [
            (0, Some(2), None),
            (1, Some(3), None),
            (2, Some(4), None),
            (2, Some(4), Some("boom".to_string())),
        ]
    );
    assert_eq!(outcomes(&memory), [pair("1", "failed")]);
    assert_eq!(memory.data.log[0].statement, Some(3));
}

#[test]
fn a_files_own_transaction_counts_as_one_step() {
    let mut memory = Memory::default();
    let outcome = up(
        &[
            "up/1.sql: -- migrate: no-transaction\nCREATE TABLE a (x);\nBEGIN;\nINSERT INTO a VALUES (1);\nCOMMIT;\nINSERT INTO a VALUES (2);\n",
        ],
        &mut memory,
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let done: Vec<usize> = memory.progress.iter().map(|(done, _, _)| *done).collect();
    // No progress inside BEGIN … COMMIT: it lands with the COMMIT. After
    // the last statement the version's success is the record.
    assert_eq!(done, [0, 1, 4]);
    assert!(memory.data.rows[&v(1)].failure.is_none());
    assert_eq!(memory.data.rows[&v(1)].state, crate::state::State::Added);
}

#[test]
fn a_rollback_that_kept_writes_leaves_the_version_failed() {
    let mut memory = Memory {
        partial_rollback: true,
        ..Memory::default()
    };
    let outcome = up(
        &["up/1.sql: INSERT INTO kept VALUES (1);\nFAIL;\n"],
        &mut memory,
    );
    let Some(Error::Migration(error)) = outcome.error else {
        panic!("not a migration error: {:?}", outcome.error);
    };
    assert!(error.source.message.contains("tables without transactions"));
    let failure = memory.data.rows[&v(1)].failure.clone().expect("failed");
    assert!(failure.error.is_some());
    assert_eq!(outcomes(&memory), [pair("1", "failed")]);
}

#[test]
fn a_version_another_run_changed_is_not_run_again() {
    let mut record = VersionRecord::new(v(1), None);
    record.state = crate::state::State::Added;
    record.phases[0] = Some(crate::record::PhaseRecord {
        release: crate::version::Release::from_stored("1".to_string()),
        at: now(),
        seq: 1,
        checksum: None,
    });
    let mut memory = Memory {
        changed_underneath: Some(record),
        ..Memory::default()
    };
    let outcome = up(&["up/1.sql: CREATE TABLE a (x);\n"], &mut memory);
    assert!(
        matches!(outcome.error, Some(Error::ChangedByAnotherRun { .. })),
        "{:?}",
        outcome.error
    );
    assert!(memory.data.ran.is_empty());
    assert!(memory.data.log.is_empty());
}

#[test]
fn a_files_lock_timeout_enters_once_with_its_transaction_or_before_each_statement() {
    let mut memory = Memory::default();
    let outcome = up(
        &[
            "up/1.sql: -- migrate: lock-timeout=2s\nCREATE TABLE a (x);\nCREATE TABLE b (x);\n",
            "up/2.sql: -- migrate: no-transaction lock-timeout=3s\nCREATE TABLE c (x);\nCREATE TABLE d (x);\n",
        ],
        &mut memory,
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let (two, three) = (Duration::from_secs(2), Duration::from_secs(3));
    assert_eq!(
        memory.timeouts,
        [
            // The atomic file: its timeout, with its transaction only.
            ("begin", Some(two)),
            // The non-atomic file: SQLite's recheck, each statement, the record.
            ("begin", None),
            ("set", Some(three)),
            ("set", Some(three)),
            ("begin", None),
        ]
    );
}

#[test]
fn a_retry_waits_longer_each_time_with_a_jitter_and_a_cap() {
    for (attempt, base) in [(1, 250), (2, 500), (3, 1_000), (9, 8_000)] {
        let pause = backoff(attempt).as_millis();
        let (low, high) = (base / 2, base * 3 / 2);
        assert!((low..=high).contains(&pause), "retry {attempt}: {pause} ms");
    }
}

/// Runs `up` of no versions and the repeatable file `text` on `memory`;
/// `before_run` changes the database after the plan was made.
fn run_repeatable(
    text: &str,
    memory: &mut Memory,
    before_run: impl FnOnce(&mut Memory, &crate::repeatable::Repeatable),
) -> RunSummary {
    let cat: Catalogue = catalogue(Vec::new());
    let file = crate::scan::MigrationFile {
        path: "repeatable/views.sql".to_string(),
        script: crate::scan::Script::parse(text.as_bytes()).unwrap(),
    };
    let repeatable = crate::repeatable::repeatable(file).unwrap();
    let db = memory.read_state().unwrap();
    let planned = plan(&cat, &db, Command::Up(None), &Options::default()).unwrap();
    let run = RunOptions::default();
    let ready = preflight_run(&planned, &[&repeatable], memory.dialect(), &run).unwrap();
    before_run(memory, &repeatable);
    Executor::new(memory, &db, planned.next_seq, run).run(&ready, &mut |_| {})
}

#[test]
fn a_repeatable_file_another_run_ran_meanwhile_is_not_run_again() {
    let mut memory = Memory::default();
    let summary = run_repeatable("CREATE VIEW v AS SELECT 1;", &mut memory, |memory, file| {
        let mut entry = LogEntry::repeatable("2026-12-04T00:00:00Z");
        entry.id = Some(1);
        entry.file = Some(file.file.path.clone());
        entry.checksum = Some(file.file.script.checksum.clone());
        entry.outcome = log_table::Outcome::Ok;
        memory.data.log.push(entry);
    });
    assert!(summary.error.is_none(), "{:?}", summary.error);
    assert!(summary.done.is_empty());
    assert!(memory.data.ran.is_empty(), "{:?}", memory.data.ran);
    assert_eq!(memory.data.log.len(), 1, "nothing more logged");
}

#[test]
fn a_repeatable_file_is_retried_on_a_lock_timeout_unless_its_rollback_kept_writes() {
    let text = "-- migrate: retries=2\nCREATE VIEW v AS SELECT 1;\nSELECT LOCKED;";
    let mut memory = Memory {
        locked_failures: 1,
        ..Memory::default()
    };
    let summary = run_repeatable(text, &mut memory, |_, _| {});
    assert!(summary.error.is_none(), "{:?}", summary.error);
    assert_eq!(summary.done.len(), 1);
    assert_eq!(outcomes(&memory), [pair("", "ok")], "one run logged");

    let mut memory = Memory {
        locked_failures: 1,
        partial_rollback: true,
        ..Memory::default()
    };
    let summary = run_repeatable(text, &mut memory, |_, _| {});
    let error = summary.error.expect("the run stops").to_string();
    assert!(error.contains("tables without transactions"), "{error}");
    assert_eq!(outcomes(&memory), [pair("", "failed")], "no retry");
}
