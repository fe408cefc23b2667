//! The planner: a pure function from (files, database state, request) to a
//! plan or a refusal. No I/O, no clock.
//!
//! Dry-run, the executor and `status` all read the plan this module builds,
//! so the rules of SPEC section 2 (states, releases, out-of-order versions,
//! drift, failed versions) are decided here and only here.

use crate::add_only::is_add_only;
use crate::drift::find_drift;
use crate::record::{DbState, Failure, VersionRecord};
pub use crate::refusal::Refusal;
use crate::scan::{Catalogue, MigrationFile};
use crate::squash::coverage::{Coverage, classify};
use crate::state::{Operation, Phase, State, transition};
use crate::version::{Release, Version};

/// What the user asked to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `up [N]`: the add phase of every pending version up to N.
    Up(Option<Version>),
    /// `down [N]`: roll back the add phase of every applied version above N;
    /// without N, the versions of the latest add release.
    Down(Option<u128>),
    /// `simdrop [N]`.
    Simdrop(Option<Version>),
    /// `rollback_simdrop [N]`.
    RollbackSimdrop(Option<u128>),
    /// `drop [N]`.
    Drop(Option<Version>),
    /// `ff [N]`: every phase of every version up to N, version by version.
    Ff(Option<Version>),
    /// `mark N`: record every pending version up to N as added without running it.
    Mark(Version),
}

/// A request: the command and the options that bend its rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--only N`: that one version alone.
    pub only: Option<Version>,
    /// `--release LABEL`, or the next numeric label when `None`.
    pub release: Option<Release>,
    /// `--across-releases`.
    pub across_releases: bool,
    /// `--allow-out-of-order`.
    pub allow_out_of_order: bool,
    /// `--allow-drift`.
    pub allow_drift: bool,
    /// `up --resume`: finish the failed version, then go on like `up`.
    pub resume: bool,
    /// How `--resume` treats a statement whose outcome is unknown (the run
    /// was cut off while it ran); `None` refuses to guess.
    pub unknown_statement: Option<UnknownStatement>,
}

/// One operation of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<'a> {
    /// The version it moves.
    pub version: Version,
    /// Its description, for the version table.
    pub name: Option<String>,
    /// What it does.
    pub operation: Operation,
    /// The file to run; `None` is a missing phase file, a no-op that still moves the version.
    pub file: Option<&'a MigrationFile>,
    /// The release label recorded with it (for a rollback, the label of what it reverts).
    pub release: Release,
    /// Record the change without running the file (`mark`).
    pub mark_only: bool,
    /// Statements of the file that already committed in a failed run (`--resume`).
    pub resume_from: Option<&'a Failure>,
    /// On `--resume --skip-unknown`: the statement after those, whose
    /// outcome was unknown, committed too and is skipped.
    pub skip_unknown: bool,
}

/// How the executor runs a plan (and what preflight checks it against).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// `--single-transaction`: all of the plan lands, or none of it.
    pub single_transaction: bool,
    /// `--lock-timeout`, overridden by a file's `lock-timeout=` directive.
    pub lock_timeout: Option<std::time::Duration>,
    /// The values of `${NAME}` in files marked `placeholders`.
    pub placeholders: crate::placeholders::Placeholders,
}

/// What a command will do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<'a> {
    /// The steps, in the order they run.
    pub steps: Vec<Step<'a>>,
    /// The first sequence number the executor gives a forward change.
    pub next_seq: u64,
}

/// What the user found a statement of unknown outcome did (`--skip-unknown`,
/// `--rerun-unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownStatement {
    /// It committed: resume after it.
    Committed,
    /// It did not: run it again.
    RolledBack,
}

/// Whether a run of `command` runs the repeatable files after its steps
/// (SPEC section 12): `up` and `ff` do, unless `--only` picks one version.
pub fn runs_repeatables(command: Command, options: &Options) -> bool {
    matches!(command, Command::Up(_) | Command::Ff(_)) && options.only.is_none()
}

/// Builds the plan for `command`, or says why not.
pub fn plan<'a>(
    catalogue: &'a Catalogue,
    db: &'a DbState,
    command: Command,
    options: &Options,
) -> Result<Plan<'a>, Refusal> {
    if let Some(version) = options.only
        && catalogue.get(version).is_none()
        && !db.records.contains_key(&version)
    {
        return Err(Refusal::UnknownVersion(version));
    }
    check_checkpoints(catalogue, db)?;
    let resuming = check_failures(db, command, options)?;
    if !options.allow_drift {
        let drift = find_drift(catalogue, db);
        if !drift.is_empty() {
            return Err(Refusal::Drift(drift));
        }
    }
    let planner = Planner {
        catalogue,
        db,
        options,
        release: options
            .release
            .clone()
            .unwrap_or_else(|| Release::next_after(db.releases())),
    };
    let mut steps = Vec::new();
    if let Some((record, failure)) = resuming {
        steps.push(planner.resume_step(record, failure));
    }
    let skip = resuming.map(|(record, _)| record.version);
    steps.extend(planner.steps(command, skip)?);
    Ok(Plan {
        steps,
        next_seq: db.max_seq() + 1,
    })
}

/// Checks `mark --only N --state S` against the rules every change obeys:
/// the version exists, an add-only version is not recorded past `added`
/// (it would be read back as `added`, see [`crate::add_only`]), no other
/// version is failed (marking the failed one is how it is repaired), and no
/// applied file drifted unless `--allow-drift`.
pub fn check_mark_state(
    catalogue: &Catalogue,
    db: &DbState,
    version: Version,
    target: State,
    options: &Options,
) -> Result<(), Refusal> {
    if catalogue.get(version).is_none() && !db.records.contains_key(&version) {
        return Err(Refusal::UnknownVersion(version));
    }
    if target > State::Added && is_add_only(catalogue, version) {
        let operation = match target {
            State::Simdropped => Operation::Simdrop,
            _ => Operation::Drop,
        };
        return Err(Refusal::AddOnly { version, operation });
    }
    if let Some((record, failure)) = db.failures().find(|(record, _)| record.version != version) {
        return Err(Refusal::Failed {
            version: record.version,
            failure: failure.clone(),
        });
    }
    let drift = find_drift(catalogue, db);
    if !drift.is_empty() && !options.allow_drift {
        return Err(Refusal::Drift(drift));
    }
    Ok(())
}

/// The versions of `pending` that are out of order: lower than the current
/// version (SPEC section 2), so that `up` refuses them without
/// `--allow-out-of-order`.
pub fn out_of_order(db: &DbState, pending: &[Version]) -> Vec<Version> {
    let Some(current) = db.current() else {
        return Vec::new();
    };
    pending
        .iter()
        .copied()
        .filter(|version| *version < current)
        .collect()
}

/// Checks `verify --accept`: it records the drifted files' checksums, and,
/// like every change, refuses while a version is failed.
pub fn check_accept(db: &DbState) -> Result<(), Refusal> {
    match db.failures().next() {
        Some((record, failure)) => Err(Refusal::Failed {
            version: record.version,
            failure: failure.clone(),
        }),
        None => Ok(()),
    }
}

/// Refuses every change on a database part-way through the versions a
/// checkpoint stands for (SPEC section 10, `squash::coverage`).
pub fn check_checkpoints(catalogue: &Catalogue, db: &DbState) -> Result<(), Refusal> {
    for checkpoint in catalogue.checkpoints() {
        if let Coverage::PartWay(lacking) = classify(checkpoint, db) {
            return Err(Refusal::PartWay {
                checkpoint: checkpoint.path.clone(),
                version: checkpoint.version,
                lacking,
            });
        }
    }
    Ok(())
}

/// Refuses while a version is failed, except for `up --resume`, which returns it.
fn check_failures<'a>(
    db: &'a DbState,
    command: Command,
    options: &Options,
) -> Result<Option<(&'a VersionRecord, &'a Failure)>, Refusal> {
    let first = db.failures().next();
    match (first, options.resume) {
        (None, false) => Ok(None),
        (None, true) => Err(Refusal::NothingToResume),
        (Some((record, failure)), true) if matches!(command, Command::Up(_)) => {
            match (failure.outcome_unknown(), options.unknown_statement) {
                (true, None) => Err(Refusal::Failed {
                    version: record.version,
                    failure: failure.clone(),
                }),
                (false, Some(_)) => Err(Refusal::NothingUnknown(record.version)),
                _ => Ok(Some((record, failure))),
            }
        }
        (Some((record, failure)), _) => Err(Refusal::Failed {
            version: record.version,
            failure: failure.clone(),
        }),
    }
}

struct Planner<'a, 'o> {
    catalogue: &'a Catalogue,
    db: &'a DbState,
    options: &'o Options,
    release: Release,
}

impl<'a> Planner<'a, '_> {
    fn steps(&self, command: Command, skip: Option<Version>) -> Result<Vec<Step<'a>>, Refusal> {
        let steps = match command {
            Command::Up(target) => self.forward(Phase::Add, target, skip)?,
            Command::Simdrop(target) => self.forward(Phase::Simdrop, target, skip)?,
            Command::Drop(target) => self.forward(Phase::Drop, target, skip)?,
            Command::Ff(target) => self.fast_forward(target)?,
            Command::Mark(target) => self.mark(target)?,
            Command::Down(target) => self.rollback(Phase::Add, target)?,
            Command::RollbackSimdrop(target) => self.rollback(Phase::Simdrop, target)?,
        };
        Ok(steps)
    }

    /// Every version the folder or the database knows, ascending.
    fn known_versions(&self) -> Vec<Version> {
        let mut versions: Vec<Version> = self
            .catalogue
            .versions()
            .map(|files| files.version)
            .chain(self.db.records.keys().copied())
            .collect();
        versions.sort_unstable();
        versions.dedup();
        versions
    }

    /// The versions a forward command considers: `--only`, or all up to the target.
    fn selected(&self, target: Option<Version>) -> Vec<Version> {
        match self.options.only {
            Some(only) => vec![only],
            None => self
                .known_versions()
                .into_iter()
                .filter(|version| target.is_none_or(|target| *version <= target))
                .collect(),
        }
    }

    fn forward(
        &self,
        phase: Phase,
        target: Option<Version>,
        skip: Option<Version>,
    ) -> Result<Vec<Step<'a>>, Refusal> {
        let operation = phase.operation();
        let mut steps = Vec::new();
        for version in self.selected(target) {
            let state = self.db.state_of(version);
            if phase != Phase::Add && is_add_only(self.catalogue, version) {
                // Its life ends at `added`: moving it would hide or remove
                // nothing and only make it irreversible.
                if self.options.only.is_some() {
                    return Err(Refusal::AddOnly { version, operation });
                }
                continue;
            }
            if Some(version) == skip || state.has_reached(phase) {
                continue;
            }
            if state != operation.requires() {
                if self.options.only.is_some() {
                    return Err(Refusal::WrongState {
                        version,
                        operation,
                        state,
                    });
                }
                continue;
            }
            steps.push(self.step(version, operation, self.release.clone()));
        }
        if phase == Phase::Add {
            self.check_order(&steps)?;
        }
        Ok(steps)
    }

    fn fast_forward(&self, target: Option<Version>) -> Result<Vec<Step<'a>>, Refusal> {
        let mut steps = Vec::new();
        for version in self.selected(target) {
            let mut state = self.db.state_of(version);
            let phases: &[Phase] = if is_add_only(self.catalogue, version) {
                &[Phase::Add]
            } else {
                &[Phase::Add, Phase::Simdrop, Phase::Drop]
            };
            for &phase in phases {
                let operation = phase.operation();
                if let Ok(next) = transition(state, operation) {
                    steps.push(self.step(version, operation, self.release.clone()));
                    state = next;
                }
            }
        }
        self.check_order(&steps)?;
        Ok(steps)
    }

    fn mark(&self, target: Version) -> Result<Vec<Step<'a>>, Refusal> {
        let mut steps = self.forward(Phase::Add, Some(target), None)?;
        for step in &mut steps {
            step.mark_only = true;
        }
        Ok(steps)
    }

    /// Refuses pending versions below the current version unless allowed.
    fn check_order(&self, steps: &[Step<'a>]) -> Result<(), Refusal> {
        let Some(current) = self.db.current() else {
            return Ok(());
        };
        if self.options.allow_out_of_order {
            return Ok(());
        }
        let added: Vec<Version> = steps
            .iter()
            .filter(|step| step.operation == Operation::Add)
            .map(|step| step.version)
            .collect();
        let versions = out_of_order(self.db, &added);
        if versions.is_empty() {
            Ok(())
        } else {
            Err(Refusal::OutOfOrder { versions, current })
        }
    }

    fn rollback(&self, phase: Phase, target: Option<u128>) -> Result<Vec<Step<'a>>, Refusal> {
        let operation = match phase {
            Phase::Add => Operation::RollbackAdd,
            _ => Operation::RollbackSimdrop,
        };
        let latest = self.db.latest_release(phase);
        let mut chosen: Vec<&VersionRecord> = self
            .db
            .records
            .values()
            // Versions past the phase are kept, to be refused by name below.
            .filter(|record| record.state.has_reached(phase))
            .filter(|record| match (self.options.only, target) {
                (Some(only), _) => record.version == only,
                (None, Some(target)) => record.version.get() > target,
                (None, None) => record.phase(phase).map(|done| &done.release) == latest,
            })
            .collect();
        if let (Some(only), true) = (self.options.only, chosen.is_empty()) {
            return Err(Refusal::WrongState {
                version: only,
                operation,
                state: self.db.state_of(only),
            });
        }
        if phase == Phase::Add {
            self.check_checkpoint_rollback(&chosen)?;
        }
        // Latest applied first: the reverse of the order the phase ran in.
        chosen.sort_by_key(|record| std::cmp::Reverse(record.phase(phase).map(|done| done.seq)));
        if let (Some(latest), None) = (latest, self.options.only) {
            self.check_boundary(operation, phase, latest, &chosen)?;
        }
        chosen
            .into_iter()
            .map(|record| self.rollback_step(record, operation, phase))
            .collect()
    }

    /// Refuses to roll back versions a checkpoint stands for: it has no down file.
    fn check_checkpoint_rollback(&self, chosen: &[&VersionRecord]) -> Result<(), Refusal> {
        let Some(checkpoint) = chosen
            .iter()
            .find_map(|record| self.catalogue.squashed_into(record.version))
        else {
            return Ok(());
        };
        let mut versions: Vec<Version> = chosen
            .iter()
            .map(|record| record.version)
            .filter(|version| checkpoint.covers(*version))
            .collect();
        versions.sort_unstable_by(|left, right| right.cmp(left));
        Err(Refusal::BelowCheckpoint {
            checkpoint: checkpoint.path.clone(),
            version: checkpoint.version,
            versions,
        })
    }

    fn check_boundary(
        &self,
        operation: Operation,
        phase: Phase,
        latest: &Release,
        chosen: &[&VersionRecord],
    ) -> Result<(), Refusal> {
        if self.options.across_releases {
            return Ok(());
        }
        let older: Vec<(Version, Release)> = chosen
            .iter()
            .filter_map(|record| {
                let release = &record.phase(phase)?.release;
                (release != latest).then(|| (record.version, release.clone()))
            })
            .collect();
        if older.is_empty() {
            Ok(())
        } else {
            Err(Refusal::ReleaseBoundary {
                operation,
                latest: latest.clone(),
                older,
            })
        }
    }

    fn rollback_step(
        &self,
        record: &VersionRecord,
        operation: Operation,
        phase: Phase,
    ) -> Result<Step<'a>, Refusal> {
        transition(record.state, operation).map_err(|_| Refusal::WrongState {
            version: record.version,
            operation,
            state: record.state,
        })?;
        let files = self.catalogue.get(record.version);
        let has_forward_file = files.is_some_and(|files| files.file(phase.operation()).is_some())
            || record
                .phase(phase)
                .is_some_and(|done| done.checksum.is_some());
        let has_rollback_file = files.is_some_and(|files| files.file(operation).is_some());
        if has_forward_file && !has_rollback_file {
            return Err(Refusal::NoDownFile {
                version: record.version,
                operation,
                expected: format!("down/{}{}.sql", record.version, operation.suffix()),
            });
        }
        let release = record
            .phase(phase)
            .map_or_else(|| self.release.clone(), |done| done.release.clone());
        Ok(self.step(record.version, operation, release))
    }

    fn resume_step(&self, record: &'a VersionRecord, failure: &'a Failure) -> Step<'a> {
        let mut step = self.step(record.version, failure.operation, failure.release.clone());
        step.resume_from = Some(failure);
        step.skip_unknown = self.options.unknown_statement == Some(UnknownStatement::Committed);
        step
    }

    fn step(&self, version: Version, operation: Operation, release: Release) -> Step<'a> {
        let files = self.catalogue.get(version);
        Step {
            version,
            name: files
                .and_then(|files| files.name.clone())
                .or_else(|| self.db.records.get(&version)?.name.clone()),
            operation,
            file: files.and_then(|files| files.file(operation)),
            release,
            mark_only: false,
            resume_from: None,
            skip_unknown: false,
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
pub(crate) mod tests;
