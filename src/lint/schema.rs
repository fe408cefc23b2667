//! What the linter knows of the schema before a file runs: the tables and
//! columns the folder's earlier files created, with their types and
//! nullability, and which tables reference which. Built by replaying the
//! parsed files in the order `ff` runs them, so a rule can tell a narrowed
//! type from a widened one, or find the tables whose foreign keys a rebuild
//! touches. What the folder does not show (a table made outside it, a
//! statement that was not understood) is simply unknown, and a rule that
//! needs it stays silent rather than guess.

use std::collections::{BTreeMap, BTreeSet};

use super::parse::{Action, Change, Column};

/// The tables known so far.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    tables: BTreeMap<String, Table>,
}

#[derive(Debug, Clone, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    references: BTreeSet<String>,
}

impl Schema {
    /// The column's definition, when the folder made it.
    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables.get(table)?.columns.get(column)
    }

    /// The other tables whose foreign keys point at `table`.
    pub fn referenced_by(&self, table: &str) -> Vec<String> {
        self.tables
            .iter()
            .filter(|(name, known)| name.as_str() != table && known.references.contains(table))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Replays one statement.
    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::CreateTable {
                table,
                columns,
                references,
            } => {
                let columns = columns
                    .iter()
                    .map(|c| (c.name.clone(), c.clone()))
                    .collect();
                let references = references.iter().cloned().collect();
                self.tables.insert(
                    table.clone(),
                    Table {
                        columns,
                        references,
                    },
                );
            }
            Action::DropTables(tables) => {
                for table in tables {
                    self.tables.remove(table);
                }
            }
            Action::RenameTable { from, to } => self.rename(from, to),
            Action::AlterTable { table, changes } => {
                for change in changes {
                    self.alter(table, change);
                }
            }
            _ => {}
        }
    }

    fn rename(&mut self, from: &str, to: &str) {
        if let Some(known) = self.tables.remove(from) {
            self.tables.insert(to.to_string(), known);
        }
        // SQLite and PostgreSQL point the foreign keys at the new name.
        for known in self.tables.values_mut() {
            if known.references.remove(from) {
                known.references.insert(to.to_string());
            }
        }
    }

    fn alter(&mut self, table: &str, change: &Change) {
        if let Change::RenameTo(to) = change {
            return self.rename(table, to);
        }
        let Some(known) = self.tables.get_mut(table) else {
            return;
        };
        match change {
            Change::AddColumn(column) => {
                known.columns.insert(column.name.clone(), column.clone());
            }
            Change::DropColumn(names) => names.iter().for_each(|name| {
                known.columns.remove(name);
            }),
            Change::RenameColumn { from, to } => {
                if let Some(mut column) = known.columns.remove(from) {
                    column.name.clone_from(to);
                    known.columns.insert(to.clone(), column);
                }
            }
            Change::SetNotNull(name) => {
                if let Some(column) = known.columns.get_mut(name) {
                    column.not_null = true;
                }
            }
            Change::SetType {
                column, data_type, ..
            } => {
                if let Some(column) = known.columns.get_mut(column) {
                    column.data_type.clone_from(data_type);
                }
            }
            Change::Restate { old, column } => {
                known.columns.remove(old);
                known.columns.insert(column.name.clone(), column.clone());
            }
            _ => {}
        }
    }
}

/// Whether changing a column from `old` to `new` can refuse values the old
/// type took: a shorter length, a smaller integer, less precision, or a
/// bounded type after an unbounded one. `false` when it cannot tell.
pub fn narrows(old: &str, new: &str) -> bool {
    let (old_base, old_args) = split_type(old);
    let (new_base, new_args) = split_type(new);
    if let (Some(old_rank), Some(new_rank)) = (integer_rank(&old_base), integer_rank(&new_base)) {
        return new_rank < old_rank;
    }
    let (Some(old_text), Some(new_text)) = (is_text(&old_base), is_text(&new_base)) else {
        return numeric_narrows(&old_base, &old_args, &new_base, &new_args);
    };
    let limit = |unbounded: bool, args: &[u64]| match (unbounded, args.first()) {
        (true, _) | (false, None) => u64::MAX,
        (false, Some(length)) => *length,
    };
    limit(new_text, &new_args) < limit(old_text, &old_args)
}

/// `VARCHAR(50)` as `("VARCHAR", [50])`; aliases folded.
pub fn split_type(text: &str) -> (String, Vec<u64>) {
    let (base, args) = match text.split_once('(') {
        Some((base, rest)) => (base, rest.trim_end_matches(')')),
        None => (text, ""),
    };
    let args = args
        .split(',')
        .filter_map(|arg| arg.trim().parse().ok())
        .collect();
    let base = match base.trim() {
        "CHARACTER VARYING" => "VARCHAR",
        "CHARACTER" => "CHAR",
        "DECIMAL" => "NUMERIC",
        other => other,
    };
    (base.to_string(), args)
}

fn integer_rank(base: &str) -> Option<u8> {
    match base {
        "TINYINT" => Some(1),
        "SMALLINT" | "INT2" => Some(2),
        "MEDIUMINT" => Some(3),
        "INT" | "INTEGER" | "INT4" => Some(4),
        "BIGINT" | "INT8" => Some(8),
        _ => None,
    }
}

/// `Some(unbounded)` for a character type.
fn is_text(base: &str) -> Option<bool> {
    match base {
        "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "CITEXT" => Some(true),
        "VARCHAR" | "CHAR" => Some(false),
        _ => None,
    }
}

fn numeric_narrows(old_base: &str, old: &[u64], new_base: &str, new: &[u64]) -> bool {
    if old_base != "NUMERIC" || new_base != "NUMERIC" {
        return false;
    }
    match (old, new) {
        ([], [_, ..]) => true,
        ([old_p, rest @ ..], [new_p, new_rest @ ..]) => {
            let old_s = rest.first().copied().unwrap_or(0);
            let new_s = new_rest.first().copied().unwrap_or(0);
            new_p < old_p || new_s < old_s || new_p - new_s < old_p - old_s
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_is_told_from_widening() {
        for (old, new) in [
            ("VARCHAR(100)", "VARCHAR(50)"),
            ("TEXT", "VARCHAR(255)"),
            ("BIGINT", "INTEGER"),
            ("INT", "SMALLINT"),
            ("NUMERIC(10,2)", "NUMERIC(8,2)"),
            ("NUMERIC", "NUMERIC(8,2)"),
            ("CHARACTER VARYING(20)", "CHAR(10)"),
        ] {
            assert!(narrows(old, new), "{old} -> {new}");
        }
        for (old, new) in [
            ("VARCHAR(50)", "VARCHAR(100)"),
            ("VARCHAR(50)", "TEXT"),
            ("INTEGER", "BIGINT"),
            ("NUMERIC(8,2)", "NUMERIC(10,2)"),
            ("TIMESTAMP", "TIMESTAMPTZ"),
            ("INTEGER", "VARCHAR(10)"),
        ] {
            assert!(!narrows(old, new), "{old} -> {new}");
        }
    }

    #[test]
    fn renames_carry_foreign_keys() {
        let mut schema = Schema::default();
        schema.apply(&Action::CreateTable {
            table: "users".into(),
            columns: Vec::new(),
            references: Vec::new(),
        });
        schema.apply(&Action::CreateTable {
            table: "posts".into(),
            columns: Vec::new(),
            references: vec!["users".into()],
        });
        assert_eq!(schema.referenced_by("users"), ["posts"]);
        schema.apply(&Action::RenameTable {
            from: "users".into(),
            to: "people".into(),
        });
        assert_eq!(schema.referenced_by("people"), ["posts"]);
        assert!(schema.referenced_by("users").is_empty());
    }
}
