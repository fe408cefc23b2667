//! `check` (SPEC section 9): proves a migrations folder on a scratch
//! database before it ships, by running it.
//!
//! The parts: [`walk`] decides, purely, which steps run and which are
//! proven; `scratch.rs` makes (and removes) the scratch database; `prove.rs`
//! runs each step through the planner and the executor on it, as a deploy
//! would, dumping the schema in memory around each reversible step; [`diff`]
//! compares two dumps object by object; `stale.rs` compares the final
//! schema with `schema/schema.sql`. What they find is a list of
//! [`Finding`]s, the one shape every proof of the folder reports in: the
//! static `lint` findings are meant to join the same list, so a check
//! reports both in one document and exits on both.

pub(crate) mod diff;
mod prove;
pub(crate) mod scratch;
mod stale;
mod walk;

use std::collections::BTreeSet;
use std::time::Instant;

pub use self::diff::{Line, SchemaDiff};
pub(crate) use self::scratch::with_database;
pub use self::walk::walk;
use crate::error::Error;
pub use crate::lint::Severity;
use crate::lint::syntax_of;
use crate::migrator::{Config, Migrator, read_state};
use crate::scan::scan;
use crate::settings::DatabaseUrl;
use crate::state::Operation;
use crate::version::Version;

/// The names of the rules `check` reports by, as the output and the README
/// spell them.
pub mod rule {
    /// A forward file (add, simdrop, drop) failed.
    pub const UP_FAILS: &str = "up-fails";
    /// A down file failed.
    pub const DOWN_FAILS: &str = "down-fails";
    /// After a down file, the schema differs from before its forward file.
    pub const DOWN_DOES_NOT_RESTORE: &str = "down-does-not-restore";
    /// A forward file applied again leaves a schema other than its first run.
    pub const REAPPLY_DIFFERS: &str = "reapply-differs";
    /// `schema/schema.sql` differs from the schema after every version.
    pub const SCHEMA_FILE_STALE: &str = "schema-file-stale";
    /// The scratch database holds objects the dump cannot read (a warning).
    pub const DUMP_INCOMPLETE: &str = "dump-incomplete";
}

/// One thing a proof of the folder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's name (`down-does-not-restore`).
    pub rule: &'static str,
    /// How much it weighs.
    pub severity: Severity,
    /// The version, when it concerns one.
    pub version: Option<Version>,
    /// The operation that ran (`add`, `rollback_add`, ...), when one did.
    pub phase: Option<Operation>,
    /// The file, relative to the folder.
    pub file: Option<String>,
    /// The 1-based line in the file, when the database told.
    pub line: Option<usize>,
    /// What is wrong, lower case.
    pub message: String,
    /// How the schema differs, for the rules that compare schemas.
    pub diff: Option<SchemaDiff>,
}

impl Finding {
    /// A warning without a version, file or diff.
    pub fn warning(rule: &'static str, message: String) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, None, None, None, message)
        }
    }

    /// An error-level finding without a line or a diff.
    pub fn error(
        rule: &'static str,
        version: Option<Version>,
        phase: Option<Operation>,
        file: Option<&str>,
        message: String,
    ) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            version,
            phase,
            file: file.map(str::to_string),
            line: None,
            message,
            diff: None,
        }
    }
}

/// What `check` was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckRequest {
    /// `--from N`: versions up to N are only applied.
    pub from: Option<Version>,
    /// `--scratch-url` or `MIGRATE_SCRATCH_URL`; `None` makes one.
    pub scratch_url: Option<DatabaseUrl>,
}

/// Where the walk stopped, because the scratch database was no longer
/// what a deploy would have made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// The version whose step stopped it.
    pub after: Version,
    /// How many later versions were neither applied nor proven.
    pub unproven: usize,
}

/// What `check` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The findings, in the order found.
    pub findings: Vec<Finding>,
    /// Versions with at least one step proven (applied, reversed, applied again).
    pub proven: usize,
    /// Versions only applied (up to `--from`, or with nothing to reverse).
    pub applied: usize,
    /// Where the walk stopped early, if it did.
    pub stopped: Option<Stopped>,
    /// The scratch database, without a password (`a temporary SQLite file`).
    pub scratch: String,
    /// How long it took, in milliseconds.
    pub ms: u64,
}

impl CheckReport {
    /// Whether any finding is an error (exit 3).
    pub fn failed(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == Severity::Error)
    }
}

/// Proves the folder of `config` on a scratch database; `config.url` is
/// the target, never changed: it only says where to make the scratch database.
pub fn check(config: &Config, request: &CheckRequest) -> Result<CheckReport, Error> {
    let started = Instant::now();
    let catalogue = scan(&config.dir).map_err(Error::Folder)?;
    // Lint first (SPEC section 9): what it finds is reported with the proof.
    let linted =
        crate::lint::lint(&catalogue, syntax_of(config.url.kind()), None).map_err(Error::Folder)?;
    let steps = walk(&catalogue, request.from);
    let scratch =
        scratch::Scratch::open(&config.url, request.scratch_url.as_ref(), &config.tables)?;
    let scratch_config = Config {
        url: scratch.url.clone(),
        ..config.clone()
    };
    let run = config.run_options();
    let migrator = Migrator::new(scratch_config.clone()).refresh_schema_file(false);
    let (mut walked, database, state) = migrator
        .locked(|backend| {
            let walked = prove::prove(backend, &catalogue, &steps, run, &scratch.description)?;
            Ok((walked, backend.dialect().name(), read_state(backend)?))
        })
        .map_err(|error| match (error, crate::interrupt::requested()) {
            // Stopped in a file or in a dump (its query cancelled): the
            // scratch database goes with `scratch` when this returns.
            (Error::Interrupted { signal, .. }, _) | (_, Some(signal)) => {
                Error::CheckInterrupted { signal }
            }
            (other, None) => other,
        })?;
    if let Some(schema) = &walked.schema {
        let compared = stale::compare(&stale::Walked {
            config: &scratch_config,
            database,
            schema,
            state: &state,
        })?;
        walked.findings.extend(compared);
    }
    walked.findings.extend(incomplete(&walked.omitted));
    let mut findings: Vec<Finding> = linted.findings.iter().filter_map(from_lint).collect();
    findings.extend(walked.findings);
    Ok(CheckReport {
        findings,
        proven: walked.proven.len(),
        applied: walked.applied.len(),
        stopped: walked.stopped,
        scratch: scratch.description.clone(),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// A lint finding as check reports it: errors and warnings, each with its
/// fix; information (a statement lint could not read) is lint's to show.
fn from_lint(finding: &crate::lint::Finding) -> Option<Finding> {
    let severity = finding.severity();
    (severity != Severity::Info).then(|| Finding {
        severity,
        file: Some(finding.path.clone()),
        line: Some(finding.line),
        ..Finding::error(
            finding.rule.name(),
            None,
            None,
            None,
            format!("{}; {}", finding.message, finding.fix()),
        )
    })
}

/// The warning that objects the dump cannot read went unproven.
fn incomplete(omitted: &BTreeSet<String>) -> Option<Finding> {
    if omitted.is_empty() {
        return None;
    }
    let names: Vec<&str> = omitted.iter().map(String::as_str).collect();
    Some(Finding::warning(
        rule::DUMP_INCOMPLETE,
        format!(
            "the dump cannot read {}, so check could not prove what the files do to them",
            names.join(", ")
        ),
    ))
}
