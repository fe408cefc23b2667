//! The executor: the only code that changes the database. It owns the
//! transaction and failure policy of SPEC sections 3 and 5, once, for every
//! backend:
//!
//! - an atomic file, its `db_version` row and its log row commit together:
//!   one commit per migration; a failure rolls the file back and is logged
//!   right after; a lock timeout is retried when the file says `retries=`;
//! - a non-atomic file (`no-transaction`, MySQL DDL) is first recorded as
//!   running, its progress saved after every statement; a failure leaves the
//!   version `failed` with the error, the statement and what committed;
//! - `--single-transaction` runs the whole plan in one transaction.

pub mod load;
pub mod repair;
mod repeatable;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::backend::{Backend, Batch, StatementFailure, TransactionBoundary};
use crate::clock::now;
use crate::error::{DbError, Error, MigrationError};
use crate::interrupt;
use crate::log_table::{self, LogEntry, LogOperation};
use crate::plan::{RunOptions, Step};
use crate::preflight::{Filled, Ready, ReadyRepeatable, ReadyStep, done_checksum};
use crate::record::{Change, DbState, Failure, VersionRecord, apply_change};
use crate::scan::MigrationFile;
use crate::split::Statement;
use crate::version::Version;

/// One operation that completed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The version; `None` for a repeatable file.
    pub version: Option<Version>,
    /// `add`, `rollback_add`, ..., `mark`, or `repeatable`.
    pub operation: String,
    /// The file that ran, relative to the migrations folder.
    pub file: Option<String>,
    /// How long it took, in milliseconds.
    pub ms: u64,
}

/// `add 12 up/12_add_email.sql`, or `repeatable repeatable/views.sql`.
impl std::fmt::Display for Report {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.operation)?;
        if let Some(version) = self.version {
            write!(formatter, " {version}")?;
        }
        match &self.file {
            Some(file) => write!(formatter, " {file}"),
            None => Ok(()),
        }
    }
}

/// An operation a run is about to attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    /// The version; `None` for a repeatable file.
    pub version: Option<Version>,
    /// `add`, `rollback_add`, ..., `mark`, or `repeatable`.
    pub operation: String,
    /// The file it runs, relative to the migrations folder.
    pub file: Option<String>,
    /// How many statements it runs (after those a `--resume` skips).
    pub statements: usize,
    /// Whether it runs statement by statement, each one reported with
    /// [`Progress::Statement`] (an atomic file goes to the server whole).
    pub one_by_one: bool,
}

/// What the executor tells its observer as a run goes on, so that a caller
/// can show what runs while it runs; the executor itself prints nothing.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Before the first operation: every operation the run will attempt.
    Plan(&'a [Upcoming]),
    /// An operation starts.
    Started(&'a Upcoming),
    /// Statement `number` (from 1) of `count` of a file run statement by
    /// statement starts.
    Statement {
        /// Which statement, from 1.
        number: usize,
        /// How many the file has.
        count: usize,
    },
    /// An operation completed (for `--single-transaction`, once the whole
    /// plan committed).
    Done(&'a Report),
}

/// What a run did, and the error that stopped it, if any.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// The operations that completed and stay applied.
    pub done: Vec<Report>,
    /// Why the run stopped early.
    pub error: Option<Error>,
}

/// Runs prepared steps in order against a locked database whose tables exist.
pub struct Executor<'r> {
    backend: &'r mut dyn Backend,
    options: RunOptions,
    records: BTreeMap<Version, VersionRecord>,
    next_seq: u64,
}

impl<'r> Executor<'r> {
    /// An executor starting from the state the plan was made from.
    pub fn new(
        backend: &'r mut dyn Backend,
        db: &DbState,
        next_seq: u64,
        options: RunOptions,
    ) -> Executor<'r> {
        Executor {
            backend,
            options,
            records: db.records.clone(),
            next_seq,
        }
    }

    /// Runs every step, then the repeatable files, telling `observe` what
    /// starts and what completes.
    pub fn run(mut self, ready: &Ready<'_>, observe: &mut dyn FnMut(Progress<'_>)) -> RunSummary {
        let steps = &ready.steps;
        let upcoming: Vec<Upcoming> = steps
            .iter()
            .map(upcoming)
            .chain(ready.repeatables.iter().map(upcoming_repeatable))
            .collect();
        observe(Progress::Plan(&upcoming));
        if self.options.single_transaction {
            return self.run_single_transaction(ready, &upcoming, observe);
        }
        let mut done = Vec::new();
        for (prepared, next) in steps.iter().zip(&upcoming) {
            if let Some(error) = stopped_between_operations() {
                return RunSummary {
                    done,
                    error: Some(error),
                };
            }
            let started = Instant::now();
            observe(Progress::Started(next));
            log::debug!(
                "{} {}: {} statement(s), {}",
                prepared.step.operation,
                prepared.step.version,
                prepared.statements.len(),
                if prepared.atomic {
                    "in one transaction"
                } else {
                    "statement by statement"
                }
            );
            let result = if prepared.atomic {
                self.run_atomic(prepared)
            } else {
                self.run_statement_by_statement(prepared, observe)
            };
            if let Err(error) = result {
                return RunSummary {
                    done,
                    error: Some(error),
                };
            }
            let report = report(&prepared.step, started);
            observe(Progress::Done(&report));
            done.push(report);
        }
        let after_steps = &upcoming[steps.len()..];
        for (repeatable, next) in ready.repeatables.iter().zip(after_steps) {
            if let Some(error) = stopped_between_operations() {
                return RunSummary {
                    done,
                    error: Some(error),
                };
            }
            observe(Progress::Started(next));
            match self.run_repeatable(repeatable, observe) {
                Ok(Some(report)) => {
                    observe(Progress::Done(&report));
                    done.push(report);
                }
                Ok(None) => {}
                Err(error) => {
                    return RunSummary {
                        done,
                        error: Some(error),
                    };
                }
            }
        }
        RunSummary { done, error: None }
    }

    fn run_atomic(&mut self, prepared: &ReadyStep<'_>) -> Result<(), Error> {
        let step = &prepared.step;
        let retries = self.retries_of(step);
        let mut attempt = 0;
        loop {
            let started_at = now();
            // The file's lock timeout enters with its transaction, once.
            let begun = self
                .backend
                .begin(self.lock_timeout_of(step))
                .map_err(|error| fail_around(step, "cannot begin the transaction", error));
            if begun.is_ok()
                && let Err(error) = self.recheck(step)
            {
                self.rollback_quietly();
                return Err(error);
            }
            let result = begun
                .and_then(|()| self.run_statements(prepared, None))
                .and_then(|()| self.check_constraints(step))
                .and_then(|()| {
                    self.record_success(step, &started_at, None)
                        .map_err(|error| fail_around(step, "cannot record the migration", error))
                })
                .and_then(|saved| {
                    interrupted_before(step, "its commit")?;
                    self.backend
                        .commit()
                        .map(|()| saved)
                        .map_err(|error| fail_around(step, "cannot record the migration", error))
                });
            let failure = match result {
                Ok(saved) => {
                    self.keep(saved);
                    return Ok(());
                }
                Err(failure) => failure,
            };
            self.rollback_quietly();
            if self.backend.rollback_was_partial() {
                return Err(self.fail_partially_rolled_back(step, &started_at, failure));
            }
            let timed_out = failure.source.source.lock_timeout;
            if timed_out && attempt < retries && interrupt::requested().is_none() {
                attempt += 1;
                let pause = backoff(attempt);
                log::warn!(
                    "{}: lock timeout ({}); retry {attempt} of {retries} in {} ms",
                    failure.source.path,
                    failure.source.source.message,
                    pause.as_millis()
                );
                interrupt::sleep(pause);
                continue;
            }
            self.log_failure(step, &started_at, &failure);
            return Err(stopped(failure.source));
        }
    }

    /// Runs the file's statements: the whole file (`alone: None`) or the
    /// statement at index `alone`. Nothing for a step that runs no file.
    fn run_statements(
        &mut self,
        prepared: &ReadyStep<'_>,
        alone: Option<usize>,
    ) -> Result<(), FailedStatement> {
        let step = &prepared.step;
        let Some(file) = step.file.filter(|_| !step.mark_only) else {
            return Ok(());
        };
        let sending = Sending {
            file,
            statements: &prepared.statements,
            filled: prepared.filled.as_ref(),
        };
        send(self.backend, &sending, alone)
            .map_err(|sent| failed_in(step, &file.path, Some(sent.index), sent.line, sent.error))
    }

    /// Gives the file's lock timeout to what no `begin` of its own bounds:
    /// the next statement of a non-atomic file, or the next file of a
    /// `--single-transaction` run. (An atomic file's enters with its
    /// `begin`.) Nothing to do for a step that runs no file.
    fn set_file_lock_timeout(&mut self, step: &Step<'_>) -> Result<(), FailedStatement> {
        let Some(file) = step.file.filter(|_| !step.mark_only) else {
            return Ok(());
        };
        let timeout = self.lock_timeout_of(step);
        self.backend
            .set_lock_timeout(timeout)
            .map_err(|error| failed_in(step, &file.path, None, None, error))
    }

    /// Re-reads the version's row inside the open transaction where the run
    /// lock can be bypassed (SQLite reached through a hard link or a second
    /// mount takes a lock of its own): a row another run changed since the
    /// plan was made stops this run before the file runs, so even then no
    /// file is applied twice.
    fn recheck(&mut self, step: &Step<'_>) -> Result<(), Error> {
        if !self.backend.dialect().run_lock_can_be_bypassed() {
            return Ok(());
        }
        let now = self
            .backend
            .read_version(step.version)
            .map_err(Error::database("cannot read the version table"))?;
        // Every change another run can make records a phase, clears one or
        // sets a failure, so those are compared; the state itself is not, as
        // the plan's copy may read an old row's state differently (add-only
        // rows an older release swept past `added`).
        let changes = |record: Option<&VersionRecord>| {
            record.map(|record| (record.phases.clone(), record.failure.clone()))
        };
        if changes(now.as_ref()) == changes(self.records.get(&step.version)) {
            return Ok(());
        }
        Err(Error::ChangedByAnotherRun {
            version: step.version,
            file: step.file.map(|file| file.path.clone()),
        })
    }

    /// What the database left unchecked while the file ran (SQLite's
    /// foreign keys), before the file is recorded as applied.
    fn check_constraints(&mut self, step: &Step<'_>) -> Result<(), FailedStatement> {
        if step.mark_only {
            return Ok(());
        }
        self.backend
            .check_deferred_constraints()
            .map_err(|error| fail_around(step, "the file breaks a constraint", error))
    }

    /// The lock timeout of one statement of a non-atomic file.
    fn set_statement_lock_timeout(
        &mut self,
        step: &Step<'_>,
        statement: &Statement,
    ) -> Result<(), FailedStatement> {
        let Some(file) = step.file.filter(|_| !step.mark_only) else {
            return Ok(());
        };
        let timeout = self.statement_lock_timeout(file, statement);
        self.backend
            .set_lock_timeout(timeout)
            .map_err(|error| failed_in(step, &file.path, None, None, error))
    }

    /// The lock timeout of `statement` of `file` run statement by
    /// statement: the file's, except that a statement that makes no one
    /// wait for it is not bound by the database's default (see
    /// [`crate::dialect::Dialect::waits_without_blocking`]).
    fn statement_lock_timeout(
        &self,
        file: &MigrationFile,
        statement: &Statement,
    ) -> Option<Duration> {
        let chosen =
            self.options.lock_timeout.is_some() || file.script.directives.lock_timeout.is_some();
        if chosen || !self.backend.dialect().waits_without_blocking(statement) {
            return self.lock_timeout_for(Some(file));
        }
        Some(Duration::ZERO)
    }

    /// A file's `lock-timeout=` directive, else `--lock-timeout`.
    fn lock_timeout_of(&self, step: &Step<'_>) -> Option<Duration> {
        self.lock_timeout_for(step.file)
    }

    /// The lock timeout of `file` (of a step that runs none: the run's).
    fn lock_timeout_for(&self, file: Option<&MigrationFile>) -> Option<Duration> {
        file.and_then(|file| file.script.directives.lock_timeout)
            .or_else(|| self.run_lock_timeout())
    }

    /// `--lock-timeout`, else the database's default (SPEC section 5: 5 s
    /// on PostgreSQL and MySQL); `--lock-timeout 0` is "no bound".
    fn run_lock_timeout(&self) -> Option<Duration> {
        self.options.lock_timeout.or_else(|| {
            let default = self.backend.dialect().default_lock_timeout();
            default.map(|(timeout, _)| timeout)
        })
    }

    /// How often a transactional file that hit its lock timeout is run
    /// again: the file's `retries=`, else the database's default, which
    /// goes with its default timeout (none once `--lock-timeout` or the
    /// file's `lock-timeout=` chose another).
    fn retries_of(&self, step: &Step<'_>) -> u32 {
        self.retries_for(step.file)
    }

    /// The re-runs of `file` after a lock timeout, as [`Self::retries_of`].
    fn retries_for(&self, file: Option<&MigrationFile>) -> u32 {
        let directives = file.map(|file| &file.script.directives);
        if let Some(retries) = directives.and_then(|directives| directives.retries) {
            return retries;
        }
        let chosen = self.options.lock_timeout.is_some()
            || directives.is_some_and(|directives| directives.lock_timeout.is_some());
        match self.backend.dialect().default_lock_timeout() {
            Some((_, retries)) if !chosen => retries,
            _ => 0,
        }
    }

    /// Saves the version's new row and its log row, inside the caller's
    /// transaction, and returns the row to keep once it commits.
    fn record_success(
        &mut self,
        step: &Step<'_>,
        started_at: &str,
        log_id: Option<i64>,
    ) -> Result<Saved, DbError> {
        let at = now();
        let change = Change {
            version: step.version,
            name: step.name.as_deref(),
            operation: step.operation,
            release: &step.release,
            at: &at,
            seq: self.next_seq,
            checksum: step.file.map(|file| file.script.checksum.as_str()),
        };
        let record = apply_change(self.records.get(&step.version), &change);
        let mut entry = log_entry(step, started_at);
        entry.id = log_id;
        entry.finished_at = Some(at.clone());
        entry.outcome = log_table::Outcome::Ok;
        self.backend.record(step.version, record.as_ref(), &entry)?;
        Ok(Saved {
            version: step.version,
            record,
            forward: step.operation.forward_phase().is_some(),
        })
    }

    /// Updates the executor's copy of the table once a change committed.
    fn keep(&mut self, saved: Saved) {
        match saved.record {
            Some(record) => self.records.insert(saved.version, record),
            None => self.records.remove(&saved.version),
        };
        if saved.forward {
            self.next_seq += 1;
        }
    }

    /// Runs a file that cannot be atomic one statement at a time, recording
    /// its progress as it commits (SPEC section 5).
    ///
    /// The version's row always names the statement that may be running:
    /// the one after the last commit, written before it is sent (with the
    /// progress of the statement before it, so this costs no extra write).
    /// A run cut off there (killed, connection lost) leaves that statement's
    /// outcome unknown, which `status` shows and plain `--resume` refuses:
    /// a server finishes a statement after its client dies.
    fn run_statement_by_statement(
        &mut self,
        prepared: &ReadyStep<'_>,
        observe: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(), Error> {
        let step = &prepared.step;
        let statements = &prepared.statements;
        let started_at = now();
        let mut entry = log_entry(step, &started_at);
        entry.outcome = log_table::Outcome::Running;
        let context = "cannot record the start of a non-atomic migration";
        if self.backend.dialect().run_lock_can_be_bypassed() {
            self.backend
                .begin(self.run_lock_timeout())
                .map_err(Error::database(context))?;
            let rechecked = self.recheck(step);
            self.rollback_quietly();
            rechecked?;
        }
        let log_id = self
            .backend
            .insert_log(&entry)
            .map_err(Error::database(context))?;
        entry.id = Some(log_id);
        let mut progress = Failure {
            operation: step.operation,
            statements_done: prepared.skip,
            done_checksum: done_checksum(&statements[..prepared.skip]),
            error: None,
            line: statements
                .get(prepared.skip)
                .map(|statement| statement.line),
            release: step.release.clone(),
        };
        self.save_failure(step, &progress)
            .map_err(Error::database(context))?;
        // Inside the file's own `BEGIN … COMMIT`, nothing commits until its
        // `COMMIT`: progress is saved only at the points where it has.
        let dialect = self.backend.dialect();
        let mut in_own_transaction = false;
        for index in prepared.skip..statements.len() {
            observe(Progress::Statement {
                number: index + 1,
                count: statements.len(),
            });
            let ran = interrupted_before(step, "this statement")
                .and_then(|()| self.set_statement_lock_timeout(step, &statements[index]))
                .and_then(|()| self.run_statements(prepared, Some(index)));
            if let Err(mut failed) = ran {
                failed.index = Some(index);
                failed.source.line = failed.source.line.or(Some(statements[index].line));
                return Err(self.fail_non_atomic(step, progress, entry, failed));
            }
            match dialect.transaction_boundary(&statements[index]) {
                Some(TransactionBoundary::Open) => in_own_transaction = true,
                Some(TransactionBoundary::End { chain }) => in_own_transaction = chain,
                None => {}
            }
            if in_own_transaction {
                continue;
            }
            progress.statements_done = index + 1;
            progress.done_checksum = done_checksum(&statements[..=index]);
            progress.line = statements.get(index + 1).map(|statement| statement.line);
            if index + 1 == statements.len() {
                // The end is recorded with the version's success, next.
                break;
            }
            self.save_failure(step, &progress)
                .map_err(Error::database("cannot record a committed statement"))?;
        }
        if let Err(failed) = self.check_constraints(step) {
            return Err(self.fail_non_atomic(step, progress, entry, failed));
        }
        let finish = "cannot record the end of a non-atomic migration";
        self.backend
            .begin(self.run_lock_timeout())
            .map_err(Error::database(finish))?;
        let recorded = self
            .record_success(step, &started_at, Some(log_id))
            .and_then(|saved| self.backend.commit().map(|()| saved));
        match recorded {
            Ok(saved) => {
                self.keep(saved);
                Ok(())
            }
            Err(error) => {
                self.rollback_quietly();
                Err(Error::database(finish)(error))
            }
        }
    }

    /// A transactional file whose rollback left writes behind (MySQL tables
    /// without transactions) was not atomic after all: its version is left
    /// `failed`, as a non-atomic file's would be, so that no command runs it
    /// again over the rows it kept (a plain rerun would write them twice).
    fn fail_partially_rolled_back(
        &mut self,
        step: &Step<'_>,
        started_at: &str,
        mut failure: FailedStatement,
    ) -> Error {
        failure.source.source.message = format!(
            "{}; the rollback could not undo its writes to tables without transactions \
             (MyISAM, Aria), which keep their rows: repair them by hand, then record the \
             version's true state with `migrate mark --only {} --state STATE`",
            failure.source.source.message, step.version
        );
        let record = Failure {
            operation: step.operation,
            statements_done: 0,
            done_checksum: done_checksum(&[]),
            error: Some(failure.source.source.to_string()),
            line: failure.source.line,
            release: step.release.clone(),
        };
        if let Err(error) = self.save_failure(step, &record) {
            log::warn!(
                "could not record the failure of {}: {error}",
                failure.source.path
            );
        }
        self.log_failure(step, started_at, &failure);
        stopped(failure.source)
    }

    /// Records the failure of a non-atomic file: its row `failed` with the
    /// error and what committed, its log row completed. A transaction the
    /// file opened itself is rolled back first, or the record would die with
    /// it. The file's error is returned whatever happens to the record.
    fn fail_non_atomic(
        &mut self,
        step: &Step<'_>,
        mut progress: Failure,
        mut entry: LogEntry,
        failed: FailedStatement,
    ) -> Error {
        self.rollback_quietly();
        progress.error = Some(failed.source.source.to_string());
        progress.line = failed.source.line;
        entry.error = progress.error.clone();
        entry.statement = failed.index.map(|index| index + 1);
        entry.line = progress.line;
        entry.outcome = failure_outcome();
        entry.finished_at = Some(now());
        let saved = self
            .save_failure(step, &progress)
            .and_then(|()| self.backend.finish_log(&entry));
        if let Err(error) = saved {
            log::warn!(
                "could not record the failure of {}: {error}",
                failed.source.path
            );
        }
        stopped(failed.source)
    }

    /// Saves the version's row as it was, with the running or failed run attached.
    fn save_failure(&mut self, step: &Step<'_>, failure: &Failure) -> Result<(), DbError> {
        let mut record = self
            .records
            .get(&step.version)
            .cloned()
            .unwrap_or_else(|| VersionRecord::new(step.version, step.name.clone()));
        record.failure = Some(failure.clone());
        self.backend.save_version(&record)
    }

    fn run_single_transaction(
        mut self,
        ready: &Ready<'_>,
        upcoming: &[Upcoming],
        observe: &mut dyn FnMut(Progress<'_>),
    ) -> RunSummary {
        let started_at = now();
        if let Err(error) = self.backend.begin(self.run_lock_timeout()) {
            return RunSummary {
                done: Vec::new(),
                error: Some(Error::database("cannot begin the transaction")(error)),
            };
        }
        let mut done = Vec::new();
        for (prepared, next) in ready.steps.iter().zip(upcoming) {
            let started = Instant::now();
            observe(Progress::Started(next));
            let step = &prepared.step;
            if let Err(error) = self.recheck(step) {
                self.rollback_quietly();
                return RunSummary {
                    done: Vec::new(),
                    error: Some(error),
                };
            }
            let result = self
                .set_file_lock_timeout(step)
                .and_then(|()| self.run_statements(prepared, None))
                .and_then(|()| self.check_constraints(step))
                .and_then(|()| {
                    self.record_success(step, &started_at, None)
                        .map_err(|error| fail_around(step, "cannot record the migration", error))
                });
            match result {
                Ok(saved) => self.keep(saved),
                Err(failure) => {
                    self.rollback_quietly();
                    self.log_failure(step, &started_at, &failure);
                    return RunSummary {
                        done: Vec::new(),
                        error: Some(stopped(failure.source)),
                    };
                }
            }
            done.push(report(step, started));
        }
        let after_steps = &upcoming[ready.steps.len()..];
        for (repeatable, next) in ready.repeatables.iter().zip(after_steps) {
            observe(Progress::Started(next));
            match self.run_repeatable_in_transaction(repeatable, &started_at) {
                Ok(report) => done.extend(report),
                Err(error) => {
                    self.rollback_quietly();
                    return RunSummary {
                        done: Vec::new(),
                        error: Some(error),
                    };
                }
            }
        }
        if let Some(signal) = interrupt::requested() {
            self.rollback_quietly();
            return RunSummary {
                done: Vec::new(),
                error: Some(Error::Interrupted {
                    signal,
                    stopped: None,
                }),
            };
        }
        match self.backend.commit() {
            Ok(()) => {
                // Reported only now: until the commit, none of it has landed.
                done.iter()
                    .for_each(|report| observe(Progress::Done(report)));
                RunSummary { done, error: None }
            }
            Err(error) => {
                self.rollback_quietly();
                RunSummary {
                    done: Vec::new(),
                    error: Some(Error::database("cannot commit the transaction")(error)),
                }
            }
        }
    }

    /// Writes the log row of a file that was rolled back.
    fn log_failure(&mut self, step: &Step<'_>, started_at: &str, failure: &FailedStatement) {
        let mut entry = log_entry(step, started_at);
        entry.finished_at = Some(now());
        entry.outcome = failure_outcome();
        entry.error = Some(failure.source.source.to_string());
        entry.statement = failure.index.map(|index| index + 1);
        entry.line = failure.source.line;
        if let Err(error) = self.backend.insert_log(&entry) {
            log::warn!(
                "could not log the failure of {}: {error}",
                failure.source.path
            );
        }
    }

    fn rollback_quietly(&mut self) {
        if let Err(error) = self.backend.rollback() {
            log::warn!("rollback failed: {error}");
        }
    }
}

/// A file's statements as they go to the server: the text as written, or
/// with its placeholders filled.
struct Sending<'f> {
    file: &'f MigrationFile,
    statements: &'f [Statement],
    filled: Option<&'f Filled>,
}

/// A statement the server refused, its secrets hidden.
struct Refused {
    index: usize,
    line: Option<usize>,
    error: DbError,
}

/// Sends the whole file (`alone: None`) or the statement at index `alone`.
fn send(
    backend: &mut dyn Backend,
    sending: &Sending<'_>,
    alone: Option<usize>,
) -> Result<(), Refused> {
    let (text, all) = match sending.filled {
        Some(filled) => (filled.text.as_str(), filled.statements.as_slice()),
        None => (sending.file.script.text.as_str(), sending.statements),
    };
    let batch = match alone {
        // A file of one statement goes as written, even statement by
        // statement: its one statement is the whole file.
        Some(index) if all.len() > 1 => Batch::Statement(&all[index]),
        _ => Batch::WholeFile {
            text,
            statements: all,
        },
    };
    let statements = batch.statements();
    if statements.is_empty() {
        return Ok(());
    }
    backend.execute(&batch).map_err(
        |StatementFailure {
             index,
             line,
             mut error,
         }| {
            // A server's message may quote the statement, values and all.
            if let Some(filled) = sending.filled {
                error.message = filled.redact(&error.message);
            }
            let line = line.or_else(|| statements.get(index).map(|statement| statement.line));
            Refused {
                // Sent alone, the statement's index in the file.
                index: alone.unwrap_or(index),
                line,
                error,
            }
        },
    )
}

/// A change saved inside a transaction that has not committed yet.
struct Saved {
    version: Version,
    record: Option<VersionRecord>,
    forward: bool,
}

/// A statement (or the bookkeeping) that failed, with its index in the file.
struct FailedStatement {
    index: Option<usize>,
    source: Box<MigrationError>,
}

/// The error of a file that stopped: a migration failure, or the interrupt
/// that caused it (its statement was cancelled).
fn stopped(error: Box<MigrationError>) -> Error {
    match interrupt::requested() {
        Some(signal) => Error::Interrupted {
            signal,
            stopped: Some(error),
        },
        None => Error::Migration(error),
    }
}

/// The error of a run a signal stopped between two operations.
fn stopped_between_operations() -> Option<Error> {
    interrupt::requested().map(|signal| Error::Interrupted {
        signal,
        stopped: None,
    })
}

/// The log outcome of a file that stopped.
fn failure_outcome() -> log_table::Outcome {
    match interrupt::requested() {
        Some(_) => log_table::Outcome::Interrupted,
        None => log_table::Outcome::Failed,
    }
}

/// Stops a file before `what` when a signal asked the run to stop.
fn interrupted_before(step: &Step<'_>, what: &str) -> Result<(), FailedStatement> {
    match interrupt::requested() {
        Some(signal) => Err(fail_around(
            step,
            &format!("stopped before {what}"),
            DbError::new(format!("interrupted by {}", signal.name())),
        )),
        None => Ok(()),
    }
}

/// A failure of the file at `path` (a statement at `index`, or setting its
/// lock timeout when `None`).
fn failed_in(
    step: &Step<'_>,
    path: &str,
    index: Option<usize>,
    line: Option<usize>,
    error: DbError,
) -> FailedStatement {
    FailedStatement {
        index,
        source: Box::new(MigrationError {
            version: Some(step.version),
            operation: Some(step.operation),
            path: path.to_string(),
            line,
            source: error,
        }),
    }
}

/// A failure around the file's statements (its transaction or bookkeeping).
fn fail_around(step: &Step<'_>, context: &str, error: DbError) -> FailedStatement {
    FailedStatement {
        index: None,
        source: Box::new(MigrationError {
            version: Some(step.version),
            operation: Some(step.operation),
            path: step.file.map_or_else(
                || format!("version {}", step.version),
                |file| file.path.clone(),
            ),
            line: None,
            source: DbError {
                message: format!("{context}: {}", error.message),
                ..error
            },
        }),
    }
}

fn log_entry(step: &Step<'_>, started_at: &str) -> LogEntry {
    LogEntry {
        release: Some(step.release.clone()),
        file: step.file.map(|file| file.path.clone()),
        checksum: step.file.map(|file| file.script.checksum.clone()),
        ..LogEntry::new(step.version, operation_name(step), started_at)
    }
}

fn operation_name(step: &Step<'_>) -> LogOperation {
    if step.mark_only {
        LogOperation::Mark
    } else {
        LogOperation::Run(step.operation)
    }
}

fn upcoming(prepared: &ReadyStep<'_>) -> Upcoming {
    let step = &prepared.step;
    let runs_file = step.file.is_some() && !step.mark_only;
    Upcoming {
        version: Some(step.version),
        operation: operation_name(step).to_string(),
        file: step.file.map(|file| file.path.clone()),
        statements: match runs_file {
            true => prepared.statements.len().saturating_sub(prepared.skip),
            false => 0,
        },
        one_by_one: runs_file && !prepared.atomic,
    }
}

fn upcoming_repeatable(ready: &ReadyRepeatable<'_>) -> Upcoming {
    Upcoming {
        version: None,
        operation: LogOperation::Repeatable.to_string(),
        file: Some(ready.repeatable.file.path.clone()),
        statements: ready.statements.len(),
        one_by_one: !ready.atomic,
    }
}

fn report(step: &Step<'_>, started: Instant) -> Report {
    Report {
        version: Some(step.version),
        operation: operation_name(step).to_string(),
        file: step.file.map(|file| file.path.clone()),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// The pause before retry `attempt` (1, 2, 3, …) of a file that hit its
/// lock timeout: 250 ms doubled each time, up to 8 s, times a jitter
/// between 0.5 and 1.5 so that hosts retrying together spread out.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, RandomState};
    let base = Duration::from_millis(250).saturating_mul(1 << attempt.saturating_sub(1).min(5));
    // RandomState is seeded per process: enough randomness for a jitter.
    let noise = RandomState::new().hash_one(attempt) % 1_000;
    base.mul_f64(0.5 + noise as f64 / 1_000.0)
}

#[cfg(test)]
mod tests;
