//! The proof itself: the walk's steps run on the scratch database, each
//! through the planner and the executor exactly as a deploy runs them (the
//! real version tables, the run lock held once for the whole check), with
//! the schema dumped in memory around each reversible step.
//!
//! A proven step is applied, reversed, and applied again. The dump after
//! the reverse must equal the one before the step (`down-does-not-restore`),
//! and the dump after the second application the one after the first
//! (`reapply-differs`). The dump before a step is the one after the step
//! before it, so a walk of N proven steps takes 3N dumps, not 4N.
//!
//! When a file fails, or a step applied again leaves another schema than its
//! first run, the scratch database is no longer what a deploy would have
//! made, and every later finding would be an echo of this one: the walk
//! stops there and the report says how many versions were left unproven. A
//! down file that does not restore, followed by an up file that still
//! leaves the first run's schema, leaves the state a deploy makes, and the
//! walk goes on.

use std::collections::BTreeSet;

use super::diff::{SchemaDiff, diff};
use super::walk::{Proof, WalkStep, command_of};
use super::{Finding, Stopped, rule};
use crate::backend::Backend;
use crate::dump::{DumpItem, split_omitted};
use crate::error::{Error, MigrationError};
use crate::migrator::{read_state, run_locked};
use crate::plan::RunOptions;
use crate::plan::{Command, Options};
use crate::scan::Catalogue;
use crate::state::Operation;
use crate::version::Version;

/// What the walk found, and the schema it ended with.
pub(super) struct Walked {
    /// The findings, in the order found.
    pub findings: Vec<Finding>,
    /// Objects some dump could not read, by name.
    pub omitted: BTreeSet<String>,
    /// Versions with at least one step proven.
    pub proven: BTreeSet<Version>,
    /// Versions whose steps were only applied.
    pub applied: BTreeSet<Version>,
    /// Where the walk stopped early, if it did.
    pub stopped: Option<Stopped>,
    /// The schema after the last step (`None` when the walk stopped).
    pub schema: Option<Vec<DumpItem>>,
}

/// Whether the walk goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// Runs `steps` on `backend`, whose run lock is held, after checking that
/// it is empty (`scratch` names it in the refusal).
pub(super) fn prove(
    backend: &mut dyn Backend,
    catalogue: &Catalogue,
    steps: &[WalkStep],
    run: RunOptions,
    scratch: &str,
) -> Result<Walked, Error> {
    refuse_non_empty(backend, scratch)?;
    let mut prover = Prover {
        backend,
        catalogue,
        run,
        current: None,
        walked: Walked {
            findings: Vec::new(),
            omitted: BTreeSet::new(),
            proven: BTreeSet::new(),
            applied: BTreeSet::new(),
            stopped: None,
            schema: None,
        },
    };
    for (at, step) in steps.iter().enumerate() {
        if prover.step(step)? == Flow::Stop {
            let later: BTreeSet<Version> = steps[at + 1..]
                .iter()
                .map(|later| later.version)
                .filter(|version| *version != step.version)
                .collect();
            prover.walked.stopped = Some(Stopped {
                after: step.version,
                unproven: later.len(),
            });
            return Ok(prover.walked);
        }
    }
    let last = steps.last().map(|step| step.version);
    if prover.run_repeatables(last)? == Flow::Stop {
        return Ok(prover.walked);
    }
    let schema = prover.dump()?;
    prover.walked.schema = Some(schema);
    Ok(prover.walked)
}

/// The steps' runner: the session, and the dump after the last step, when known.
struct Prover<'b, 'c> {
    backend: &'b mut dyn Backend,
    catalogue: &'c Catalogue,
    run: RunOptions,
    current: Option<Vec<DumpItem>>,
    walked: Walked,
}

impl Prover<'_, '_> {
    fn step(&mut self, step: &WalkStep) -> Result<Flow, Error> {
        let Proof::Reverse { operation, file } = &step.proof else {
            if !self.walked.proven.contains(&step.version) {
                self.walked.applied.insert(step.version);
            }
            return self.apply_or_stop(step.version, step.forward, "");
        };
        let before = self.dump()?;
        if self.apply_or_stop(step.version, step.forward, "")? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        let after = self.dump()?;
        if self.apply_or_stop(step.version, *operation, "")? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        let restored = diff(&before, &self.dump()?);
        let forward_file = step.file.as_deref().unwrap_or_default();
        if !restored.is_empty() {
            let message =
                format!("after {file}, the schema differs from before {forward_file} ran");
            self.found(rule::DOWN_DOES_NOT_RESTORE, step, file, message, restored);
        }
        let again = format!("applied again after {file}: ");
        if self.apply_or_stop(step.version, step.forward, &again)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        let reapplied = self.dump()?;
        let differs = diff(&after, &reapplied);
        self.walked.proven.insert(step.version);
        self.walked.applied.remove(&step.version);
        if differs.is_empty() {
            self.current = Some(reapplied);
            return Ok(Flow::Continue);
        }
        let message =
            format!("applied again after {file}, it leaves a schema different from its first run");
        self.found(rule::REAPPLY_DIFFERS, step, forward_file, message, differs);
        Ok(Flow::Stop)
    }

    /// Runs the repeatable files after the last version, as `up` would
    /// (`up` to that version has no step left to run; with no version,
    /// `up` has none at all): what they create is part of the schema the
    /// folder builds.
    fn run_repeatables(&mut self, last: Option<Version>) -> Result<Flow, Error> {
        if self.catalogue.repeatables().is_empty() {
            return Ok(Flow::Continue);
        }
        self.current = None;
        let outcome = run_locked(
            self.backend,
            self.catalogue,
            Command::Up(last),
            &Options::default(),
            self.run.clone(),
            &mut |_| {},
        )?;
        match outcome.and_then(|outcome| outcome.error) {
            None => Ok(Flow::Continue),
            Some(Error::Migration(failed)) => {
                self.walked.findings.push(failure(*failed, ""));
                Ok(Flow::Stop)
            }
            Some(other) => Err(other),
        }
    }

    /// Runs one operation of `version`; a failed file becomes a finding
    /// (its message after `context`) and stops the walk.
    fn apply_or_stop(
        &mut self,
        version: Version,
        operation: Operation,
        context: &str,
    ) -> Result<Flow, Error> {
        let options = Options {
            only: Some(version),
            ..Options::default()
        };
        let command = command_of(operation);
        let outcome = run_locked(
            self.backend,
            self.catalogue,
            command,
            &options,
            self.run.clone(),
            &mut |_| {},
        )?;
        self.current = None;
        match outcome.and_then(|outcome| outcome.error) {
            None => Ok(Flow::Continue),
            Some(Error::Migration(failed)) => {
                self.walked.findings.push(failure(*failed, context));
                Ok(Flow::Stop)
            }
            Some(other) => Err(other),
        }
    }

    /// The schema now: the dump after the last step when it is known.
    fn dump(&mut self) -> Result<Vec<DumpItem>, Error> {
        if let Some(current) = self.current.take() {
            return Ok(current);
        }
        let items = self.backend.dump_schema().map_err(Error::database(
            "cannot read the schema of the scratch database",
        ))?;
        let (items, omitted) = split_omitted(items);
        self.walked.omitted.extend(omitted);
        Ok(items)
    }

    fn found(
        &mut self,
        rule: &'static str,
        step: &WalkStep,
        file: &str,
        message: String,
        diff: SchemaDiff,
    ) {
        let phase = match rule {
            rule::DOWN_DOES_NOT_RESTORE => match &step.proof {
                Proof::Reverse { operation, .. } => *operation,
                Proof::ApplyOnly => step.forward,
            },
            _ => step.forward,
        };
        self.walked.findings.push(Finding {
            diff: Some(diff),
            ..Finding::error(rule, Some(step.version), Some(phase), Some(file), message)
        });
    }
}

/// `up-fails` or `down-fails`, at the failing statement, with the database's message.
fn failure(failed: MigrationError, context: &str) -> Finding {
    let rule = match failed.operation {
        Some(Operation::RollbackAdd | Operation::RollbackSimdrop) => rule::DOWN_FAILS,
        _ => rule::UP_FAILS,
    };
    Finding {
        line: failed.line,
        ..Finding::error(
            rule,
            failed.version,
            failed.operation,
            Some(&failed.path),
            format!("{context}{}", failed.source),
        )
    }
}

/// Refuses a scratch database that holds anything (exit 2): what the check
/// would prove there is not the folder alone.
fn refuse_non_empty(backend: &mut dyn Backend, scratch: &str) -> Result<(), Error> {
    let items = backend.dump_schema().map_err(Error::database(
        "cannot read the schema of the scratch database",
    ))?;
    let mut objects: Vec<String> = items.into_iter().map(|item| item.name).collect();
    if read_state(backend)?.tables_exist {
        objects.insert(0, "the version tables".to_string());
    }
    if objects.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = objects.iter().take(5).cloned().collect();
    let more = match objects.len() > shown.len() {
        true => format!(" and {} more", objects.len() - shown.len()),
        false => String::new(),
    };
    Err(Error::Usage(format!(
        "the scratch database {scratch} is not empty (it has {}{more}): check needs an \
         empty one; name another with --scratch-url, or none to let check make one",
        shown.join(", ")
    )))
}
