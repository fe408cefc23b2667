//! Walks one file statement by statement: hands each to the rules with
//! what is known just before it (the schema, the tables and columns that
//! are new), then records what it did. The rules are functions of that
//! state and the statement, so each can be tested alone.

use std::collections::BTreeSet;

use super::parse::{Action, Change, parse};
use super::schema::Schema;
use super::{Finding, Rule, mysql, phase, postgres, sqlite};
use crate::placeholders;
use crate::scan::MigrationFile;
use crate::split::{Syntax, split};
use crate::state::Operation;

/// One statement of a file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line of its first token.
    pub line: usize,
    /// What it does (several when the parser read several statements in it).
    pub actions: Vec<Action>,
}

/// The file being linted.
pub struct FileContext<'a> {
    /// Its path, relative to the folder.
    pub path: &'a str,
    /// The operation it carries out (its phase and direction).
    pub operation: Operation,
    /// The database.
    pub syntax: Syntax,
    /// The file itself, for its directives.
    pub file: &'a MigrationFile,
}

impl FileContext<'_> {
    /// A finding in this file.
    pub fn finding(&self, line: usize, rule: Rule, message: String) -> Finding {
        Finding {
            path: self.path.to_string(),
            line,
            rule,
            message,
        }
    }
}

/// What is known just before a statement runs.
#[derive(Debug, Default)]
pub struct Known {
    /// The folder's schema so far.
    pub schema: Schema,
    /// Tables that hold no rows and no old code yet.
    pub new_tables: BTreeSet<String>,
    /// Names a rename earlier in the file gave to an old table: old code
    /// never used them, though the table holds rows.
    pub renamed_names: BTreeSet<String>,
    /// Columns added earlier in the file, as `(table, column)`.
    pub new_columns: BTreeSet<(String, String)>,
    /// Columns a validated `CHECK (c IS NOT NULL)` proves, as `(table, column)`.
    pub proven_not_null: BTreeSet<(String, String)>,
    /// `NOT NULL` checks added so far: constraint name, table, column.
    not_null_checks: Vec<(String, String, String)>,
}

impl Known {
    /// Whether `table` is new: no rows, no old code.
    pub fn is_new(&self, table: &str) -> bool {
        self.new_tables.contains(table)
    }

    /// Whether the column was added earlier in the file (or its table is new).
    pub fn is_new_column(&self, table: &str, column: &str) -> bool {
        self.is_new(table)
            || self
                .new_columns
                .contains(&(table.to_string(), column.to_string()))
    }

    fn record(&mut self, action: &Action) {
        match action {
            Action::CreateTable { table, .. } => {
                self.new_tables.insert(table.clone());
            }
            Action::RenameTable { from, to } => self.rename(from, to),
            Action::AlterTable { table, changes } => {
                changes.iter().for_each(|c| self.alter(table, c))
            }
            _ => {}
        }
        self.schema.apply(action);
    }

    fn rename(&mut self, from: &str, to: &str) {
        match self.new_tables.remove(from) {
            true => self.new_tables.insert(to.to_string()),
            false => self.renamed_names.insert(to.to_string()),
        };
    }

    fn alter(&mut self, table: &str, change: &Change) {
        let key = |column: &str| (table.to_string(), column.to_string());
        match change {
            Change::AddColumn(column) => {
                self.new_columns.insert(key(&column.name));
            }
            Change::RenameTo(to) => self.rename(table, to),
            Change::AddConstraint {
                not_valid,
                name,
                not_null_of: Some(column),
                ..
            } => {
                if !not_valid {
                    self.proven_not_null.insert(key(column));
                }
                if let Some(name) = name {
                    self.not_null_checks
                        .push((name.clone(), table.to_string(), column.clone()));
                }
            }
            Change::Validate(name) => {
                let proven = self
                    .not_null_checks
                    .iter()
                    .filter(|(n, t, _)| n == name && t == table);
                let columns: Vec<String> = proven.map(|(_, _, column)| column.clone()).collect();
                columns.into_iter().for_each(|column| {
                    self.proven_not_null.insert(key(&column));
                });
            }
            _ => {}
        }
    }
}

/// Splits and reads a file; a file that cannot be split is one unread statement.
pub fn read_statements(file: &MigrationFile, syntax: Syntax) -> Vec<Located> {
    match split(&file.script.text, syntax) {
        Ok(statements) => statements
            .iter()
            .map(|statement| Located {
                line: statement.line,
                actions: match file.script.directives.placeholders {
                    true => parse(&placeholders::as_names(&statement.text), syntax),
                    false => parse(&statement.text, syntax),
                },
            })
            .collect(),
        Err(error) => vec![Located {
            line: error.line,
            actions: vec![Action::Unparsed(error.message)],
        }],
    }
}

/// Every finding of one file, the schema advanced past it.
pub fn lint_file(
    context: &FileContext,
    statements: &[Located],
    schema: &mut Schema,
    new_tables: BTreeSet<String>,
) -> Vec<Finding> {
    let mut known = Known {
        schema: std::mem::take(schema),
        new_tables,
        ..Known::default()
    };
    let mut found = Vec::new();
    for (index, located) in statements.iter().enumerate() {
        let later = statements.get(index + 1..).unwrap_or_default();
        for action in &located.actions {
            if let Action::Unparsed(reason) = action {
                let message = format!(
                    "the linter cannot read this statement ({reason}), so no rule checked it"
                );
                found.push(context.finding(located.line, Rule::Unparsed, message));
            }
            let statement = Statement {
                line: located.line,
                action,
                later,
            };
            phase::check(context, &known, &statement, &mut found);
            match context.syntax {
                Syntax::Postgres => postgres::check(context, &known, &statement, &mut found),
                Syntax::Mysql => mysql::check(context, &known, &statement, &mut found),
                Syntax::Sqlite => sqlite::check(context, &known, &statement, &mut found),
            }
            known.record(action);
        }
    }
    if context.syntax == Syntax::Mysql {
        found.extend(mysql::mixed_ddl_dml(context, statements));
    }
    *schema = known.schema;
    found
}

/// A statement as a rule sees it.
pub struct Statement<'a> {
    /// Its line.
    pub line: usize,
    /// What it does.
    pub action: &'a Action,
    /// The statements after it in the file.
    pub later: &'a [Located],
}

/// Whether a later statement of the file creates `table` again or renames
/// another table to it: the rebuild pattern, which keeps the name.
pub fn recreated(later: &[Located], table: &str) -> bool {
    let created =
        |action: &Action| matches!(action, Action::CreateTable { table: t, .. } if t == table);
    renamed_to(later, table) || later.iter().flat_map(|l| l.actions.iter()).any(created)
}

/// Whether a later statement renames a table to `table`.
pub fn renamed_to(later: &[Located], table: &str) -> bool {
    later
        .iter()
        .flat_map(|located| located.actions.iter())
        .any(|action| match action {
            Action::RenameTable { to, .. } => to == table,
            Action::AlterTable { changes, .. } => changes
                .iter()
                .any(|change| matches!(change, Change::RenameTo(to) if to == table)),
            _ => false,
        })
}
