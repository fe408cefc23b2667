//! Running repeatable files (SPEC section 12), after the plan's steps.
//!
//! A repeatable file has no version row: its log row is its record. An
//! atomic file and its `ok` log row commit together, so the log never
//! says a file ran that did not; a file that cannot be atomic (MySQL DDL,
//! `no-transaction`) gets a `running` row first, finished when it ends.
//! A failed run changes no record of the file: its last `ok` row still
//! holds an older checksum, so the next run runs it again, from its first
//! statement, as `CREATE OR REPLACE` files are written to allow.

use std::time::Instant;

use super::{Executor, Progress, Report, Sending, backoff, failure_outcome, send, stopped};
use crate::clock::now;
use crate::error::{DbError, Error, MigrationError};
use crate::interrupt;
use crate::log_table::{HistoryFilter, LogEntry, LogOperation, Outcome};
use crate::preflight::ReadyRepeatable;
use crate::repeatable::last_runs;
use crate::scan::MigrationFile;

/// How a repeatable file's attempt ended, when it did not fail.
enum Ran {
    /// It ran, and its run is logged.
    Yes,
    /// Another run had run the same text: nothing was done.
    Meanwhile,
}

/// A statement (or the bookkeeping around it) of a repeatable file that failed.
struct Failed {
    index: Option<usize>,
    /// The rollback left writes behind: the file must not be retried.
    partial_rollback: bool,
    error: Box<MigrationError>,
}

impl Executor<'_> {
    /// Runs one repeatable file and records its run; `None` when another
    /// run ran the same text meanwhile (see [`Self::ran_meanwhile`]).
    pub(super) fn run_repeatable(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        observe: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Report>, Error> {
        let started = Instant::now();
        let file = &ready.repeatable.file;
        let retries = self.retries_for(Some(file));
        let mut attempt = 0;
        loop {
            let started_at = now();
            let result = match ready.atomic {
                true => self.run_repeatable_atomic(ready, &started_at),
                false => self.run_repeatable_one_by_one(ready, &started_at, observe),
            };
            let failed = match result {
                Ok(Ran::Yes) => return Ok(Some(repeatable_report(file, started))),
                Ok(Ran::Meanwhile) => return Ok(None),
                Err(failed) => failed,
            };
            let timed_out = failed.error.source.lock_timeout;
            let retry = ready.atomic && timed_out && !failed.partial_rollback;
            if retry && attempt < retries && interrupt::requested().is_none() {
                attempt += 1;
                let pause = backoff(attempt);
                log::warn!(
                    "{}: lock timeout ({}); retry {attempt} of {retries} in {} ms",
                    file.path,
                    failed.error.source.message,
                    pause.as_millis()
                );
                interrupt::sleep(pause);
                continue;
            }
            if ready.atomic {
                self.log_repeatable_failure(file, &started_at, &failed);
            }
            return Err(stopped(failed.error));
        }
    }

    /// Runs one repeatable file inside the `--single-transaction` that the
    /// caller commits or rolls back; a failure is logged after the rollback.
    pub(super) fn run_repeatable_in_transaction(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        started_at: &str,
    ) -> Result<Option<Report>, Error> {
        let started = Instant::now();
        let file = &ready.repeatable.file;
        let result = self.ran_meanwhile(file).and_then(|ran| match ran {
            true => Ok(Ran::Meanwhile),
            false => self
                .backend
                .set_lock_timeout(self.lock_timeout_for(Some(file)))
                .map_err(|error| failed_around(file, "cannot set the lock timeout", error))
                .and_then(|()| self.run_repeatable_and_record(ready, started_at))
                .map(|()| Ran::Yes),
        });
        match result {
            Ok(Ran::Yes) => Ok(Some(repeatable_report(file, started))),
            Ok(Ran::Meanwhile) => Ok(None),
            Err(failed) => {
                self.rollback_quietly();
                self.log_repeatable_failure(file, started_at, &failed);
                Err(stopped(failed.error))
            }
        }
    }

    /// The file and its `ok` log row in one transaction. A rollback that
    /// could not undo everything (MySQL tables without transactions) is
    /// said, and the file not retried: a rerun would write those rows again.
    fn run_repeatable_atomic(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        started_at: &str,
    ) -> Result<Ran, Failed> {
        let file = &ready.repeatable.file;
        self.backend
            .begin(self.lock_timeout_for(Some(file)))
            .map_err(|error| failed_around(file, "cannot begin the transaction", error))?;
        match self.ran_meanwhile(file) {
            Ok(true) => {
                self.rollback_quietly();
                return Ok(Ran::Meanwhile);
            }
            Ok(false) => {}
            Err(failed) => {
                self.rollback_quietly();
                return Err(failed);
            }
        }
        let result = self
            .run_repeatable_and_record(ready, started_at)
            .and_then(|()| match interrupt::requested() {
                Some(signal) => Err(failed_around(
                    file,
                    "stopped before its commit",
                    DbError::new(format!("interrupted by {}", signal.name())),
                )),
                None => self
                    .backend
                    .commit()
                    .map_err(|error| failed_around(file, "cannot record the run", error)),
            });
        let Err(mut failed) = result else {
            return Ok(Ran::Yes);
        };
        self.rollback_quietly();
        if self.backend.rollback_was_partial() {
            failed.partial_rollback = true;
            failed.error.source.message = format!(
                "{}; the rollback could not undo its writes to tables without transactions \
                 (MyISAM, Aria), which keep their rows: repair them by hand before the next \
                 `migrate up` runs the file again",
                failed.error.source.message
            );
        }
        Err(failed)
    }

    /// The file's statements, what the database left unchecked, and its
    /// `ok` log row, in the caller's transaction.
    fn run_repeatable_and_record(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        started_at: &str,
    ) -> Result<(), Failed> {
        let file = &ready.repeatable.file;
        self.run_repeatable_statements(ready, None)?;
        self.backend
            .check_deferred_constraints()
            .map_err(|error| failed_around(file, "the file breaks a constraint", error))?;
        let entry = repeatable_entry(file, started_at, Outcome::Ok);
        self.backend
            .insert_log(&entry)
            .map(drop)
            .map_err(|error| failed_around(file, "cannot record the run", error))
    }

    /// A file that cannot be atomic: a `running` log row, the statements
    /// one by one, then the row finished.
    fn run_repeatable_one_by_one(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        started_at: &str,
        observe: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Ran, Failed> {
        let file = &ready.repeatable.file;
        if self.backend.dialect().run_lock_can_be_bypassed() {
            self.backend
                .begin(self.run_lock_timeout())
                .map_err(|error| failed_around(file, "cannot begin the transaction", error))?;
            let ran = self.ran_meanwhile(file);
            self.rollback_quietly();
            if ran? {
                return Ok(Ran::Meanwhile);
            }
        }
        let mut entry = repeatable_entry(file, started_at, Outcome::Running);
        let id = self
            .backend
            .insert_log(&entry)
            .map_err(|error| failed_around(file, "cannot record the start of the run", error))?;
        entry.id = Some(id);
        let count = ready.statements.len();
        let mut ran = Ok(());
        for index in 0..count {
            observe(Progress::Statement {
                number: index + 1,
                count,
            });
            let statement = &ready.statements[index];
            ran = match interrupt::requested() {
                Some(signal) => {
                    let error = DbError::new(format!("interrupted by {}", signal.name()));
                    Err(failed_around(file, "stopped before this statement", error))
                }
                None => self
                    .backend
                    .set_lock_timeout(self.statement_lock_timeout(file, statement))
                    .map_err(|error| failed_around(file, "cannot set the lock timeout", error))
                    .and_then(|()| self.run_repeatable_statements(ready, Some(index))),
            };
            if let Err(failed) = &mut ran {
                failed.index = Some(index);
                failed.error.line = failed.error.line.or(Some(statement.line));
                break;
            }
        }
        if ran.is_ok() {
            ran = self
                .backend
                .check_deferred_constraints()
                .map_err(|error| failed_around(file, "the file breaks a constraint", error));
        }
        entry.finished_at = Some(now());
        match &ran {
            Ok(()) => entry.outcome = Outcome::Ok,
            Err(failed) => {
                // A transaction the file opened itself dies now, or the
                // log row written next would die with it.
                self.rollback_quietly();
                fail_entry(&mut entry, failed);
            }
        }
        if let Err(error) = self.backend.finish_log(&entry) {
            if ran.is_ok() {
                return Err(failed_around(
                    file,
                    "cannot record the end of the run",
                    error,
                ));
            }
            log::warn!("could not log the failure of {}: {error}", file.path);
        }
        ran.map(|()| Ran::Yes)
    }

    /// Where the run lock can be bypassed (SQLite reached through a hard
    /// link or a second mount), whether another run ran this very text
    /// since the plan was made, read inside the open transaction: then the
    /// file is current, and does not run again.
    fn ran_meanwhile(&mut self, file: &MigrationFile) -> Result<bool, Failed> {
        if !self.backend.dialect().run_lock_can_be_bypassed() {
            return Ok(false);
        }
        let filter = HistoryFilter {
            repeatable: true,
            ..HistoryFilter::default()
        };
        let entries = self
            .backend
            .read_history(&filter)
            .map_err(|error| failed_around(file, "cannot read the log", error))?;
        let runs = last_runs(&entries);
        Ok(runs
            .get(&file.path)
            .is_some_and(|run| run.checksum == file.script.checksum))
    }

    /// Sends the file's statements: the whole file, or the one at `alone`.
    fn run_repeatable_statements(
        &mut self,
        ready: &ReadyRepeatable<'_>,
        alone: Option<usize>,
    ) -> Result<(), Failed> {
        let file = &ready.repeatable.file;
        let sending = Sending {
            file,
            statements: &ready.statements,
            filled: ready.filled.as_ref(),
        };
        send(self.backend, &sending, alone).map_err(|refused| Failed {
            index: Some(refused.index),
            partial_rollback: false,
            error: Box::new(MigrationError {
                version: None,
                operation: None,
                path: file.path.clone(),
                line: refused.line,
                source: refused.error,
            }),
        })
    }

    /// Logs the failure of an atomic file after its rollback.
    fn log_repeatable_failure(&mut self, file: &MigrationFile, started_at: &str, failed: &Failed) {
        let mut entry = repeatable_entry(file, started_at, Outcome::Running);
        entry.finished_at = Some(now());
        fail_entry(&mut entry, failed);
        if let Err(error) = self.backend.insert_log(&entry) {
            log::warn!("could not log the failure of {}: {error}", file.path);
        }
    }
}

/// The log row of a repeatable file's run.
pub(super) fn repeatable_entry(
    file: &MigrationFile,
    started_at: &str,
    outcome: Outcome,
) -> LogEntry {
    let mut entry = LogEntry::repeatable(started_at);
    entry.file = Some(file.path.clone());
    entry.checksum = Some(file.script.checksum.clone());
    if outcome != Outcome::Running {
        entry.finished_at = Some(now());
    }
    entry.outcome = outcome;
    entry
}

fn fail_entry(entry: &mut LogEntry, failed: &Failed) {
    entry.outcome = failure_outcome();
    entry.error = Some(failed.error.source.to_string());
    entry.statement = failed.index.map(|index| index + 1);
    entry.line = failed.error.line;
}

fn failed_around(file: &MigrationFile, context: &str, error: DbError) -> Failed {
    Failed {
        index: None,
        partial_rollback: false,
        error: Box::new(MigrationError {
            version: None,
            operation: None,
            path: file.path.clone(),
            line: None,
            source: DbError {
                message: format!("{context}: {}", error.message),
                ..error
            },
        }),
    }
}

fn repeatable_report(file: &MigrationFile, started: Instant) -> Report {
    Report {
        version: None,
        operation: LogOperation::Repeatable.to_string(),
        file: Some(file.path.clone()),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}
