//! The phase rules, on every database: what a file may do depends on when
//! its phase runs. An add file runs while old code still runs, so it may
//! neither remove what old code uses (`add-removes`) nor make old code's
//! writes fail (`add-breaks-writes`); a simdrop file must stay reversible
//! (`simdrop-irreversible`); a down file must undo something
//! (`down-empty`).

use super::parse::{Action, Change};
use super::schema::narrows;
use super::walk::{FileContext, Known, Located, Statement, read_statements, recreated};
use super::{Finding, Rule};
use crate::scan::VersionFiles;
use crate::split::Syntax;
use crate::state::Operation;

/// The phase rules for one statement.
pub fn check(context: &FileContext, known: &Known, statement: &Statement, out: &mut Vec<Finding>) {
    let rule = match context.operation {
        Operation::Add => Rule::AddRemoves,
        Operation::Simdrop => Rule::SimdropIrreversible,
        _ => return,
    };
    let line = statement.line;
    let mut report = |rule: Rule, message: String| out.push(context.finding(line, rule, message));
    for removal in removals(known, statement, rule == Rule::SimdropIrreversible) {
        report(rule, removal);
    }
    if rule == Rule::AddRemoves {
        for broken in broken_writes(known, statement.action) {
            report(Rule::AddBreaksWrites, broken);
        }
    }
}

/// What the statement drops or renames of the tables and columns that old
/// code may use; with `data`, also the rows it deletes (simdrop). A table
/// the file puts back under its name later (a rebuild) is not removed.
fn removals(known: &Known, statement: &Statement, data: bool) -> Vec<String> {
    let old = |table: &String| {
        !known.is_new(table)
            && !known.renamed_names.contains(table)
            && !recreated(statement.later, table)
    };
    match statement.action {
        Action::DropTables(tables) => tables
            .iter()
            .filter(|t| old(t))
            .map(|t| format!("drops table {t}"))
            .collect(),
        Action::RenameTable { from, to } if old(from) => {
            vec![format!("renames table {from} to {to}")]
        }
        Action::Truncate(tables) if data => tables
            .iter()
            .filter(|t| old(t))
            .map(|t| format!("empties table {t}"))
            .collect(),
        Action::Write { delete: true } if data => vec!["deletes rows".to_string()],
        Action::AlterTable { table, changes } if old(table) => changes
            .iter()
            .filter_map(|change| column_removal(known, table, change, data, statement.later))
            .collect(),
        _ => Vec::new(),
    }
}

fn column_removal(
    known: &Known,
    table: &str,
    change: &Change,
    data: bool,
    later: &[Located],
) -> Option<String> {
    let old = |column: &str| !known.is_new_column(table, column);
    match change {
        Change::DropColumn(columns) => {
            let dropped: Vec<&str> = columns
                .iter()
                .map(String::as_str)
                .filter(|c| old(c))
                .collect();
            (!dropped.is_empty()).then(|| format!("drops column {table}.{}", dropped.join(", ")))
        }
        Change::RenameColumn { from, to } if !data && old(from) => {
            Some(format!("renames column {table}.{from} to {to}"))
        }
        Change::Restate { old: from, column } if !data && from != &column.name && old(from) => {
            Some(format!("renames column {table}.{from} to {}", column.name))
        }
        Change::RenameTo(to) if !data && !recreated(later, table) => {
            Some(format!("renames table {table} to {to}"))
        }
        _ => None,
    }
}

/// How the statement makes old code's inserts and updates fail.
fn broken_writes(known: &Known, action: &Action) -> Vec<String> {
    let Action::AlterTable { table, changes } = action else {
        return Vec::new();
    };
    if known.is_new(table) {
        return Vec::new();
    }
    let before = |column: &str| known.schema.column(table, column);
    changes
        .iter()
        .filter_map(|change| match change {
            Change::AddColumn(column) if column.not_null && !column.has_default => Some(format!(
                "adds column {table}.{} NOT NULL without a default, so old code's inserts fail",
                column.name
            )),
            Change::SetNotNull(column)
                if !known
                    .proven_not_null
                    .contains(&(table.clone(), column.clone())) =>
            {
                Some(format!(
                    "makes {table}.{column} NOT NULL, so old code writing NULL fails"
                ))
            }
            Change::SetType {
                column, data_type, ..
            } => before(column)
                .filter(|old| narrows(&old.data_type, data_type))
                .map(|old| {
                    format!(
                        "narrows {table}.{column} from {} to {data_type}",
                        old.data_type
                    )
                }),
            Change::Restate { old, column } => before(old).and_then(|was| {
                if narrows(&was.data_type, &column.data_type) {
                    Some(format!(
                        "narrows {table}.{old} from {} to {}",
                        was.data_type, column.data_type
                    ))
                } else if !was.not_null && column.not_null && !column.has_default {
                    Some(format!(
                        "makes {table}.{old} NOT NULL, so old code writing NULL fails"
                    ))
                } else {
                    None
                }
            }),
            _ => None,
        })
        .collect()
}

/// `down-empty`: a down file with no statements for an up file that has some.
pub fn down_empty(files: &VersionFiles, syntax: Syntax) -> Vec<Finding> {
    let pairs = [
        (Operation::Add, Operation::RollbackAdd),
        (Operation::Simdrop, Operation::RollbackSimdrop),
    ];
    let mut found = Vec::new();
    for (forward, backward) in pairs {
        let (Some(up), Some(down)) = (files.file(forward), files.file(backward)) else {
            continue;
        };
        let has_statements = |file| !read_statements(file, syntax).is_empty();
        if has_statements(up) && !has_statements(down) {
            let allowed = down
                .script
                .directives
                .allow
                .iter()
                .any(|a| a.rule == Rule::DownEmpty.name());
            if !allowed {
                found.push(Finding {
                    path: down.path.clone(),
                    line: 1,
                    rule: Rule::DownEmpty,
                    message: format!("{} has no statements, but {} has some", down.path, up.path),
                });
            }
        }
    }
    found
}
