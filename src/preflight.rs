//! Preflight: everything about a plan that can be checked without running SQL,
//! checked for the whole plan before the first file runs (SPEC section 5).
//!
//! Pure, given the dialect: splits each file of the plan, refuses
//! transaction control inside a transactional file and statements the
//! database cannot run in a transaction, checks `--single-transaction`
//! against `no-transaction` files, and on `--resume` checks that the
//! statements that already committed are unchanged. It fills the
//! placeholders of files marked `placeholders`, refusing a name with no
//! value. It also checks every
//! lock timeout against what the database can be told, and decides, once,
//! whether each file runs atomically.
//!
//! A problem in a file is a usage error (exit 2); a plan that would break a
//! safety rule (`--single-transaction` over a file that cannot be in a
//! transaction, `--resume` over changed committed statements) is refused
//! for safety (exit 5), as SPEC section 6 says.

use std::time::Duration;

use crate::dialect::{Dialect, TransactionBoundary};
use crate::duration;
use crate::error::Error;
use crate::placeholders::{self, Placeholders, Reference};
use crate::plan::{Plan, RunOptions, Step};
use crate::record::Failure;
use crate::repeatable::{self, Repeatable};
use crate::scan::{FileProblem, MigrationFile};
use crate::script::checksum;
use crate::split::{Statement, mysql_client_comments, split};
use crate::version::Version;

/// A step of the plan, ready to run.
#[derive(Debug, Clone)]
pub struct ReadyStep<'a> {
    /// The planned step.
    pub step: Step<'a>,
    /// The file's statements (empty for a missing phase file or `mark`).
    pub statements: Vec<Statement>,
    /// Whether the file and its bookkeeping run in one transaction.
    pub atomic: bool,
    /// Statements already committed by a failed run, skipped on `--resume`.
    pub skip: usize,
    /// The file with its placeholders filled in, for a file marked
    /// `placeholders`; `statements` keep the text as written, which the
    /// checksums of what committed are taken over.
    pub filled: Option<Filled>,
}

/// A repeatable file to run, ready.
#[derive(Debug, Clone)]
pub struct ReadyRepeatable<'a> {
    /// The file.
    pub repeatable: &'a Repeatable,
    /// Its statements.
    pub statements: Vec<Statement>,
    /// Whether it and its log row run in one transaction.
    pub atomic: bool,
    /// The file with its placeholders filled in, when it is marked
    /// `placeholders`.
    pub filled: Option<Filled>,
}

/// A whole run, ready: the plan's steps, then the repeatable files.
#[derive(Debug, Clone, Default)]
pub struct Ready<'a> {
    /// The steps of the plan.
    pub steps: Vec<ReadyStep<'a>>,
    /// The repeatable files that run after them.
    pub repeatables: Vec<ReadyRepeatable<'a>>,
}

impl Ready<'_> {
    /// Whether the run has nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.repeatables.is_empty()
    }
}

/// A file's text and statements with its placeholders' values in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// The whole text, filled.
    pub text: String,
    /// Its statements, filled, with their offsets into `text`.
    pub statements: Vec<Statement>,
    /// The values of the secret-looking names it uses, never to be printed.
    pub secrets: Vec<String>,
}

impl Filled {
    /// `message` with the file's secret values hidden.
    pub fn redact(&self, message: &str) -> String {
        placeholders::redact(message, &self.secrets)
    }
}

/// Checksum of the statements that committed, stored while a non-atomic file runs.
pub fn done_checksum(statements: &[Statement]) -> String {
    let texts: Vec<&str> = statements
        .iter()
        .map(|statement| statement.text.as_str())
        .collect();
    checksum(&texts.join("\n;\n"))
}

/// Checks the whole plan and prepares its steps, or lists every problem:
/// [`preflight_run`] without repeatable files, as the tests use it.
#[cfg(test)]
pub fn preflight<'a>(
    plan: &Plan<'a>,
    dialect: &dyn Dialect,
    run: &RunOptions,
) -> Result<Vec<ReadyStep<'a>>, Error> {
    preflight_run(plan, &[], dialect, run).map(|ready| ready.steps)
}

/// Checks the whole plan and the repeatable files that run after it, and
/// prepares them, or lists every problem of both.
pub fn preflight_run<'a>(
    plan: &Plan<'a>,
    repeatables: &[&'a Repeatable],
    dialect: &dyn Dialect,
    run: &RunOptions,
) -> Result<Ready<'a>, Error> {
    if run.single_transaction && !dialect.supports_single_transaction() {
        return Err(Error::Usage(format!(
            "--single-transaction is not possible on {}: its DDL commits implicitly",
            dialect.name()
        )));
    }
    if let Some(timeout) = run.lock_timeout {
        check_lock_timeout(dialect, timeout)
            .map_err(|message| Error::Usage(format!("--lock-timeout {message}")))?;
    }
    let mut problems = Vec::new();
    let mut unsafe_steps = Vec::new();
    let mut prepared = Vec::new();
    for step in &plan.steps {
        match prepare(step, dialect, run) {
            Ok(ready) => prepared.push(ready),
            Err(found) => {
                problems.extend(found.problems);
                unsafe_steps.extend(found.unsafe_steps);
            }
        }
    }
    let mut ready_repeatables = Vec::new();
    for repeatable in repeatables {
        match prepare_file(&repeatable.file, None, dialect, run) {
            Ok(file) => ready_repeatables.push(ReadyRepeatable {
                repeatable,
                statements: file.statements,
                atomic: file.atomic,
                filled: file.filled,
            }),
            Err(found) => {
                problems.extend(found.problems);
                unsafe_steps.extend(found.unsafe_steps);
            }
        }
    }
    // A refusal for safety is the answer that matters: the other problems
    // are listed with it.
    match (problems.is_empty(), unsafe_steps.is_empty()) {
        (true, true) => Ok(Ready {
            steps: prepared,
            repeatables: ready_repeatables,
        }),
        (_, false) => {
            unsafe_steps.extend(problems);
            Err(Error::UnsafePlan(unsafe_steps))
        }
        (false, true) => Err(Error::Preflight(problems)),
    }
}

/// Whether the database can be told to wait `timeout` for a lock; the
/// message names the value and the maximum. Zero (no bound) always can.
fn check_lock_timeout(dialect: &dyn Dialect, timeout: Duration) -> Result<(), String> {
    let maximum = dialect.max_lock_timeout();
    if timeout <= maximum {
        return Ok(());
    }
    Err(format!(
        "{} is longer than {} can wait for a lock (at most {}, about {} days); write \
         a shorter timeout, or 0 to wait without a bound",
        duration::describe(timeout),
        dialect.name(),
        duration::describe(maximum),
        maximum.as_secs() / 86_400
    ))
}

/// What is wrong with one step: problems in its file (exit 2) and reasons
/// it is unsafe to run (exit 5).
#[derive(Default)]
struct Found {
    problems: Vec<FileProblem>,
    unsafe_steps: Vec<FileProblem>,
}

fn prepare<'a>(
    step: &Step<'a>,
    dialect: &dyn Dialect,
    run: &RunOptions,
) -> Result<ReadyStep<'a>, Found> {
    let Some(file) = step.file.filter(|_| !step.mark_only) else {
        return Ok(ReadyStep {
            step: step.clone(),
            statements: Vec::new(),
            atomic: true,
            skip: 0,
            filled: None,
        });
    };
    let resume = step.resume_from.map(|failure| Resume {
        failure,
        skip_unknown: step.skip_unknown,
        version: step.version,
    });
    let prepared = prepare_file(file, resume, dialect, run)?;
    Ok(ReadyStep {
        step: step.clone(),
        statements: prepared.statements,
        atomic: prepared.atomic,
        skip: prepared.skip,
        filled: prepared.filled,
    })
}

/// Where a `--resume` picks a failed file up.
struct Resume<'a> {
    failure: &'a Failure,
    skip_unknown: bool,
    version: Version,
}

/// One file, split, checked and filled.
struct PreparedFile {
    statements: Vec<Statement>,
    atomic: bool,
    skip: usize,
    filled: Option<Filled>,
}

fn prepare_file(
    file: &MigrationFile,
    resume: Option<Resume<'_>>,
    dialect: &dyn Dialect,
    run: &RunOptions,
) -> Result<PreparedFile, Found> {
    let at = |line: usize, message: String| FileProblem {
        path: file.path.clone(),
        line: Some(line),
        message,
    };
    let statements = split(&file.script.text, dialect.syntax()).map_err(|error| Found {
        problems: vec![at(error.line, error.message)],
        unsafe_steps: Vec::new(),
    })?;
    for line in mysql_client_comments(&file.script.text, dialect.syntax()) {
        log::warn!(
            "{}:{line}: `--` without a space after it starts a comment here only because it \
             opens a line between statements, as the mysql client reads it; the server \
             would read it as SQL: write `-- ` to make it a comment everywhere",
            file.path
        );
    }
    // A file runs in a transaction unless it says no-transaction or holds a
    // statement that would commit it (MySQL DDL); only such a file must not
    // control the transaction itself.
    let transactional = !file.script.directives.no_transaction
        && !statements
            .iter()
            .any(|statement| dialect.commits_implicitly(statement));
    let mut found = Found::default();
    check_directives(file, transactional, run, dialect, &mut found);
    let problems = &mut found.problems;
    if transactional {
        transaction_control_problems(dialect, &statements, &mut |line, message| {
            problems.push(at(line, message));
        });
    } else {
        chain_problems(dialect, &statements, &mut |line, message| {
            problems.push(at(line, message));
        });
    }
    let mut skip = 0;
    if let Some(resume) = resume {
        if let Some(changed) = committed_statements_changed(&resume, file, &statements) {
            found.unsafe_steps.push(changed);
        }
        let done = resume.failure.statements_done;
        skip = (done + usize::from(resume.skip_unknown)).min(statements.len());
    }
    let mut filled = None;
    if file.script.directives.placeholders {
        match fill(&file.script.text, &statements, &run.placeholders) {
            Ok(values) => filled = Some(values),
            Err(undefined) => found.problems.extend(
                undefined
                    .into_iter()
                    .map(|reference| at(reference.line, undefined_message(&reference.name))),
            ),
        }
    }
    if !found.problems.is_empty() || !found.unsafe_steps.is_empty() {
        return Err(found);
    }
    Ok(PreparedFile {
        statements,
        atomic: transactional && skip == 0,
        skip,
        filled,
    })
}

/// The file filled with `values`, or the first use of each name that has
/// no value.
fn fill(
    text: &str,
    statements: &[Statement],
    values: &Placeholders,
) -> Result<Filled, Vec<Reference>> {
    let mut undefined: Vec<Reference> = Vec::new();
    let mut secrets = Vec::new();
    for reference in placeholders::references(text) {
        match values.get(&reference.name) {
            Some(value) if placeholders::is_secret(&reference.name) => {
                secrets.push(value.to_string());
            }
            Some(_) => {}
            None if undefined.iter().all(|seen| seen.name != reference.name) => {
                undefined.push(reference);
            }
            None => {}
        }
    }
    if !undefined.is_empty() {
        return Err(undefined);
    }
    let values = values.values();
    // Each statement's offset moves by what the values before it added.
    let mut filled_statements = Vec::with_capacity(statements.len());
    let (mut raw_at, mut filled_at) = (0, 0);
    for statement in statements {
        let between = text.get(raw_at..statement.offset).unwrap_or_default();
        filled_at += placeholders::fill(between, values).len();
        let filled_text = placeholders::fill(&statement.text, values);
        filled_statements.push(Statement {
            text: filled_text,
            line: statement.line,
            offset: filled_at,
        });
        raw_at = statement.offset;
    }
    Ok(Filled {
        text: placeholders::fill(text, values),
        statements: filled_statements,
        secrets,
    })
}

fn undefined_message(name: &str) -> String {
    format!(
        "placeholder `${{{name}}}` has no value: pass `--set {name}=VALUE`, or set the \
         environment variable {name}"
    )
}

/// What the file's directives ask that the run cannot give: a
/// `--single-transaction` over a file that cannot be in one, a lock timeout
/// beyond the database's range, `retries=` on a file that cannot be re-run.
fn check_directives(
    file: &MigrationFile,
    transactional: bool,
    run: &RunOptions,
    dialect: &dyn Dialect,
    found: &mut Found,
) {
    if !transactional && run.single_transaction {
        // Every plan of `up` but `--only` ends with the repeatable files.
        let way_out = match file.path.starts_with(&format!("{}/", repeatable::FOLDER)) {
            true => {
                "run without --single-transaction (only `up --only N` leaves repeatable files out)"
            }
            false => "run without --single-transaction, or the plan up to the version before it",
        };
        found.unsafe_steps.push(FileProblem {
            path: file.path.clone(),
            line: None,
            message: format!(
                "--single-transaction cannot include this file, which cannot run in a \
                 transaction (it is marked `no-transaction` or commits implicitly): {way_out}"
            ),
        });
    }
    if let Some(timeout) = file.script.directives.lock_timeout
        && let Err(message) = check_lock_timeout(dialect, timeout)
    {
        found.problems.push(FileProblem {
            path: file.path.clone(),
            line: directive_line(&file.script.text, "lock-timeout="),
            message: format!("`lock-timeout=` {message}"),
        });
    }
    if !transactional
        && file
            .script
            .directives
            .retries
            .is_some_and(|retries| retries > 0)
    {
        found.problems.push(FileProblem {
            path: file.path.clone(),
            line: None,
            message: "`retries=` re-runs only a transactional file, and this one commits \
                      implicitly (it holds DDL): remove the directive"
                .to_string(),
        });
    }
}

/// On `--resume`: the refusal when the statements that committed in the
/// failed run have changed since.
fn committed_statements_changed(
    resume: &Resume<'_>,
    file: &MigrationFile,
    statements: &[Statement],
) -> Option<FileProblem> {
    let failure = resume.failure;
    let done = failure.statements_done;
    let unchanged = statements
        .get(..done)
        .is_some_and(|committed| done_checksum(committed) == failure.done_checksum);
    (!unchanged).then(|| FileProblem {
        path: file.path.clone(),
        line: None,
        message: format!(
            "the first {done} statement(s) of this file committed in the failed run \
             and have changed since: restore them (fix only the failed statement and \
             those after it), or record the true state with \
             `migrate mark --only {} --state STATE`",
            resume.version
        ),
    })
}

/// The problems of a file that runs in the tool's transaction: its own
/// transaction control, and statements that cannot run in a transaction.
fn transaction_control_problems(
    dialect: &dyn Dialect,
    statements: &[Statement],
    report: &mut dyn FnMut(usize, String),
) {
    let mut opened_before = false;
    for statement in statements {
        if let Some(reason) = dialect.needs_no_transaction(statement) {
            report(
                statement.line,
                format!("{reason}: mark the file `-- migrate: no-transaction`"),
            );
            continue;
        }
        if !dialect.is_transaction_control(statement) {
            continue;
        }
        let boundary = dialect.transaction_boundary(statement);
        let shown = shown_statement(statement);
        // `no-transaction` is advice that works only where the statement
        // would still run: a chained end with no `BEGIN` before it fails
        // there too, after the statements before it committed.
        let chain = matches!(boundary, Some(TransactionBoundary::End { chain: true }));
        let advice = if chain && !opened_before && dialect.chain_needs_open_transaction() {
            format!(
                "remove it (migrate runs the file in one transaction already); marking the \
                 file `no-transaction` would not help: {} refuses `{shown}` unless the file \
                 opened a transaction with `BEGIN` before it",
                dialect.name()
            )
        } else {
            "remove it (migrate runs the file in one transaction already), or, if the file \
             needs transactions of its own, mark it `-- migrate: no-transaction` and open \
             each with `BEGIN`"
                .to_string()
        };
        report(
            statement.line,
            format!(
                "`{shown}` controls the transaction that migrate runs this file in, and would \
                 split the file from its bookkeeping: {advice}"
            ),
        );
        if boundary == Some(TransactionBoundary::Open) {
            opened_before = true;
        }
    }
}

/// The problems of a file that runs outside a transaction: a chained end
/// (`COMMIT AND CHAIN`) where no transaction is open, which the database
/// refuses at run time, after the statements before it committed.
fn chain_problems(
    dialect: &dyn Dialect,
    statements: &[Statement],
    report: &mut dyn FnMut(usize, String),
) {
    if !dialect.chain_needs_open_transaction() {
        return;
    }
    let mut open = false;
    for statement in statements {
        match dialect.transaction_boundary(statement) {
            Some(TransactionBoundary::Open) => open = true,
            Some(TransactionBoundary::End { chain: true }) if !open => report(
                statement.line,
                format!(
                    "`{}` with no transaction open: {} refuses it outside a transaction \
                     block, and the statements before it would stay committed; open one \
                     with `BEGIN` before it, or end with a plain `COMMIT`",
                    shown_statement(statement),
                    dialect.name()
                ),
            ),
            Some(TransactionBoundary::End { chain }) => open = chain,
            None => {}
        }
    }
}

/// A statement as a message names it: its words on one line, cut short
/// when long.
fn shown_statement(statement: &Statement) -> String {
    const LONGEST: usize = 60;
    let words: Vec<&str> = statement.text.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// The line of the directive `name` among the file's header comments.
fn directive_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.trim_start().starts_with("--") && line.contains(name))
        .map(|index| index + 1)
}

#[cfg(test)]
#[path = "preflight_tests.rs"]
mod tests;
