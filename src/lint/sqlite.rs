//! SQLite's hazards: rebuilding a table that other tables reference.
//!
//! SQLite changes most of a table only by rebuilding it. Its documented
//! order — create the new table, copy, drop the old one, rename the new one
//! to the old name — keeps the other tables' foreign keys pointing at the
//! right name (`sqlite-rebuild-referenced`, a warning: the copy still holds
//! the write lock for every row, and the indexes and triggers must be made
//! again). The other order — rename the old table away, create, copy, drop
//! the renamed one — is a trap: since SQLite 3.26 a rename rewrites the
//! children's foreign keys to the new name, so they end up pointing at the
//! table that is dropped (`sqlite-rename-referenced`).

use super::parse::{Action, Change};
use super::walk::{FileContext, Known, Located, Statement, renamed_to};
use super::{Finding, Rule};

/// The SQLite rules for one statement.
pub fn check(context: &FileContext, known: &Known, statement: &Statement, out: &mut Vec<Finding>) {
    let referenced = |table: &str| {
        let children = known.schema.referenced_by(table);
        (!known.is_new(table) && !children.is_empty()).then(|| children.join(", "))
    };
    let mut report =
        |rule: Rule, message: String| out.push(context.finding(statement.line, rule, message));
    match statement.action {
        Action::DropTables(tables) => {
            for table in tables {
                let Some(children) = referenced(table) else {
                    continue;
                };
                if renamed_to(statement.later, table) {
                    report(
                        Rule::SqliteRebuildReferenced,
                        format!("rebuilds {table}, which {children} reference by foreign key"),
                    );
                }
            }
        }
        Action::RenameTable { from, to } => {
            if let Some(children) = referenced(from).filter(|_| dropped(statement.later, to)) {
                report(
                    Rule::SqliteRenameReferenced,
                    rename_message(from, to, &children),
                );
            }
        }
        Action::AlterTable { table, changes } => {
            for change in changes {
                let Change::RenameTo(to) = change else {
                    continue;
                };
                if let Some(children) = referenced(table).filter(|_| dropped(statement.later, to)) {
                    report(
                        Rule::SqliteRenameReferenced,
                        rename_message(table, to, &children),
                    );
                }
            }
        }
        _ => {}
    }
}

fn rename_message(from: &str, to: &str, children: &str) -> String {
    format!(
        "renames {from} to {to}, which is dropped later: the foreign keys of {children} follow the rename and are left pointing at the dropped table"
    )
}

/// Whether a later statement drops `table`.
fn dropped(later: &[Located], table: &str) -> bool {
    later.iter().flat_map(|located| located.actions.iter()).any(
        |action| matches!(action, Action::DropTables(tables) if tables.iter().any(|t| t == table)),
    )
}
