//! Preflight: everything about a plan that can be checked without running SQL,
//! checked for the whole plan before the first file runs (SPEC section 5).
//!
//! Pure, given the dialect: splits each file of the plan, refuses
//! transaction control inside a transactional file and statements the
//! database cannot run in a transaction, checks `--single-transaction`
//! against `no-transaction` files, and on `--resume` checks that the
//! statements that already committed are unchanged. It also decides, once,
//! whether each file runs atomically.

use crate::backend::Dialect;
use crate::error::Error;
use crate::plan::{Plan, Step};
use crate::scan::FileProblem;
use crate::script::checksum;
use crate::split::{Statement, leading_words, split};

/// A step of the plan, ready to run.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The planned step.
    pub step: Step<'a>,
    /// The file's statements (empty for a missing phase file or `mark`).
    pub statements: Vec<Statement>,
    /// Whether the file and its bookkeeping run in one transaction.
    pub atomic: bool,
    /// Statements already committed by a failed run, skipped on `--resume`.
    pub skip: usize,
}

/// Checksum of the statements that committed, stored while a non-atomic file runs.
pub fn done_checksum(statements: &[Statement]) -> String {
    let texts: Vec<&str> = statements
        .iter()
        .map(|statement| statement.text.as_str())
        .collect();
    checksum(&texts.join("\n;\n"))
}

/// Checks the whole plan and prepares its steps, or lists every problem.
pub fn preflight<'a>(
    plan: &Plan<'a>,
    dialect: &dyn Dialect,
    single_transaction: bool,
) -> Result<Vec<Prepared<'a>>, Error> {
    if single_transaction && !dialect.supports_single_transaction() {
        return Err(Error::Usage(format!(
            "--single-transaction is not possible on {}: its DDL commits implicitly",
            dialect.name()
        )));
    }
    let mut problems = Vec::new();
    let mut prepared = Vec::new();
    for step in &plan.steps {
        match prepare(step, dialect, single_transaction) {
            Ok(ready) => prepared.push(ready),
            Err(Problem::Usage(message)) => return Err(Error::Usage(message)),
            Err(Problem::Files(found)) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(prepared)
    } else {
        Err(Error::Preflight(problems))
    }
}

enum Problem {
    Usage(String),
    Files(Vec<FileProblem>),
}

fn prepare<'a>(
    step: &Step<'a>,
    dialect: &dyn Dialect,
    single_transaction: bool,
) -> Result<Prepared<'a>, Problem> {
    let mut ready = Prepared {
        step: step.clone(),
        statements: Vec::new(),
        atomic: true,
        skip: 0,
    };
    let Some(file) = step.file.filter(|_| !step.mark_only) else {
        return Ok(ready);
    };
    let at = |line: usize, message: String| FileProblem {
        path: file.path.clone(),
        line: Some(line),
        message,
    };
    let statements = split(&file.script.text, dialect.syntax())
        .map_err(|error| Problem::Files(vec![at(error.line, error.message)]))?;
    // A file runs in a transaction unless it says no-transaction or holds a
    // statement that would commit it (MySQL DDL); only such a file must not
    // control the transaction itself.
    let transactional = !file.script.directives.no_transaction
        && !statements
            .iter()
            .any(|statement| dialect.commits_implicitly(statement));
    if !transactional && single_transaction {
        return Err(Problem::Usage(format!(
            "--single-transaction cannot include {}, which cannot run in a transaction \
             (it is marked `no-transaction` or commits implicitly)",
            file.path
        )));
    }
    let mut problems = Vec::new();
    if !transactional && file.script.directives.retries > 0 {
        problems.push(FileProblem {
            path: file.path.clone(),
            line: None,
            message: "`retries=` re-runs only a transactional file, and this one commits \
                      implicitly (it holds DDL): remove the directive"
                .to_string(),
        });
    }
    if transactional {
        for statement in &statements {
            if dialect.is_transaction_control(statement) {
                let keyword = leading_words(&statement.text, dialect.syntax(), 1).join(" ");
                problems.push(at(
                    statement.line,
                    format!(
                        "`{keyword}` controls the transaction that migrate runs this file in, \
                         and would split the file from its bookkeeping: remove it, or mark \
                         the file `-- migrate: no-transaction`"
                    ),
                ));
            } else if let Some(reason) = dialect.needs_no_transaction(statement) {
                problems.push(at(
                    statement.line,
                    format!("{reason}: mark the file `-- migrate: no-transaction`"),
                ));
            }
        }
    }
    if let Some(failure) = step.resume_from {
        let done = failure.statements_done;
        let unchanged = statements
            .get(..done)
            .is_some_and(|committed| done_checksum(committed) == failure.done_checksum);
        if !unchanged {
            problems.push(FileProblem {
                path: file.path.clone(),
                line: None,
                message: format!(
                    "the first {done} statement(s) of this file committed in the failed run \
                     and have changed since: restore them (fix only the failed statement and \
                     those after it), or record the true state with \
                     `migrate mark --only {} --state STATE`",
                    step.version
                ),
            });
        }
        ready.skip = (done + usize::from(step.skip_unknown)).min(statements.len());
    }
    if !problems.is_empty() {
        return Err(Problem::Files(problems));
    }
    ready.atomic = transactional && ready.skip == 0;
    ready.statements = statements;
    Ok(ready)
}
