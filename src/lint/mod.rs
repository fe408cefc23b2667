//! `lint`: reads the migrations folder, never the database, and reports
//! the statements that would break old code, lose data or block traffic
//! during a zero-downtime deployment (SPEC section 9).
//!
//! The walk replays the folder in the order `ff` runs it (each version's
//! add, simdrop and drop files), so every rule knows what the folder made
//! before the file at hand ([`schema::Schema`]) and which tables are new —
//! created earlier in the same file, by the add file a down file reverts,
//! or, with `--pending`, by an earlier pending version — and so hold no
//! rows and no old code yet. Most hazards do not apply to those.
//!
//! Pure: a function of the catalogue, the dialect and the pending set.
//! The rules live in one module per concern (`phase`, `postgres`,
//! `mysql`, `sqlite`), the catalogue in `rules`, the reading of statements
//! in `parse`; `walk` feeds them statement by statement.

mod mysql;
mod parse;
mod phase;
mod postgres;
mod rules;
mod schema;
mod sqlite;
mod walk;

use std::collections::BTreeSet;

pub use self::rules::{Rule, Severity, database_name};
use self::schema::Schema;
use self::walk::{FileContext, Located, lint_file, read_statements};
use crate::error::Error;
use crate::migrator::Migrator;
use crate::scan::{Catalogue, FileProblem, MigrationFile};
use crate::settings::Kind;
use crate::split::Syntax;
use crate::state::Operation;
use crate::state::State;
use crate::status::Status;
use crate::version::Version;

/// One thing `lint` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the migrations folder.
    pub path: String,
    /// 1-based line of the statement.
    pub line: usize,
    /// The rule.
    pub rule: Rule,
    /// What is wrong here, lower case, naming the object.
    pub message: String,
}

impl Finding {
    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }

    /// How to fix it.
    pub fn fix(&self) -> &'static str {
        self.rule.fix()
    }
}

/// Everything `lint` found in the files it read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings, by version, file and line.
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files: usize,
    /// The database whose rules ran.
    pub syntax: Option<Syntax>,
}

impl Report {
    /// Whether an error-level finding remains (exit 3).
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|found| found.severity() == Severity::Error)
    }
}

/// Lints the folder for `syntax`: every file, or with `pending` only the
/// files of those versions. An `allow=` naming no rule is a folder error.
pub fn lint(
    catalogue: &Catalogue,
    syntax: Syntax,
    pending: Option<&BTreeSet<Version>>,
) -> Result<Report, Vec<FileProblem>> {
    let mut report = Report {
        syntax: Some(syntax),
        ..Report::default()
    };
    let mut problems = Vec::new();
    let mut schema = Schema::default();
    let mut pending_new = BTreeSet::new();
    for files in catalogue.versions() {
        let linted = pending.is_none_or(|set| set.contains(&files.version));
        let mut created_by_up = BTreeSet::new();
        for operation in Operation::ALL {
            let Some(file) = files.file(operation) else {
                continue;
            };
            let statements = read_statements(file, syntax);
            let rollback = operation.reverted_phase().is_some();
            if linted {
                report.files += 1;
                let mut new_tables = pending_new.clone();
                if rollback {
                    new_tables.extend(created_by_up.iter().cloned());
                }
                let context = FileContext {
                    path: &file.path,
                    operation,
                    syntax,
                    file,
                };
                // A rollback's changes are not part of what later files see.
                let mut scratch = schema.clone();
                let target = if rollback { &mut scratch } else { &mut schema };
                let found = lint_file(&context, &statements, target, new_tables);
                match allowed(file) {
                    Ok(allow) => report
                        .findings
                        .extend(found.into_iter().filter(|f| !allow.contains(&f.rule))),
                    Err(mut bad) => problems.append(&mut bad),
                }
            } else if !rollback {
                statements
                    .iter()
                    .for_each(|located| located.actions.iter().for_each(|a| schema.apply(a)));
            }
            if operation == Operation::Add || operation == Operation::Simdrop {
                created_by_up = created_tables(&statements);
            }
            if linted && pending.is_some() && !rollback {
                pending_new.extend(created_tables(&statements));
            }
        }
        if linted {
            report.findings.extend(phase::down_empty(files, syntax));
        }
    }
    match problems.is_empty() {
        true => Ok(report),
        false => Err(problems),
    }
}

/// The dialect of the database a URL names.
pub fn syntax_of(kind: &Kind) -> Syntax {
    match kind {
        Kind::Sqlite(_) => Syntax::Sqlite,
        Kind::Postgres => Syntax::Postgres,
        Kind::Mysql => Syntax::Mysql,
    }
}

/// `migrate lint`: scans the folder and lints it for `dialect`, or the
/// database of the URL; with `pending`, only the versions the database has
/// not applied (the one reason to connect).
pub fn run(migrator: &Migrator, pending: bool, dialect: Option<Syntax>) -> Result<Report, Error> {
    let catalogue = migrator.scan()?;
    let syntax = dialect.unwrap_or_else(|| syntax_of(migrator.config().url.kind()));
    let pending = match pending {
        true => Some(pending_versions(&migrator.status()?)),
        false => None,
    };
    lint(&catalogue, syntax, pending.as_ref()).map_err(Error::Folder)
}

fn pending_versions(status: &Status) -> BTreeSet<Version> {
    let pending = status
        .versions
        .iter()
        .filter(|version| version.state == State::Pending.as_str());
    pending.map(|version| version.version).collect()
}

/// The rules a file's `allow=` directive names; an unknown name is an error.
fn allowed(file: &MigrationFile) -> Result<BTreeSet<Rule>, Vec<FileProblem>> {
    let mut rules = BTreeSet::new();
    let mut problems = Vec::new();
    for allow in &file.script.directives.allow {
        match Rule::from_name(&allow.rule) {
            Some(rule) => {
                rules.insert(rule);
            }
            None => problems.push(FileProblem {
                path: file.path.clone(),
                line: Some(allow.line),
                message: format!(
                    "`allow={}` names no lint rule: the rules are {}",
                    allow.rule,
                    Rule::ALL.map(Rule::name).join(", ")
                ),
            }),
        }
    }
    match problems.is_empty() {
        true => Ok(rules),
        false => Err(problems),
    }
}

/// The tables a file's statements create.
fn created_tables(statements: &[Located]) -> BTreeSet<String> {
    statements
        .iter()
        .flat_map(|located| located.actions.iter())
        .filter_map(|action| match action {
            parse::Action::CreateTable { table, .. } => Some(table.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
