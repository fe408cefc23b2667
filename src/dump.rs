//! The schema model of `schema_dump`, its deterministic rendering, and
//! `schema/schema.sql` (SPEC section 7).
//!
//! Each backend's catalog reader returns the objects of the live schema as
//! [`DumpItem`]s: a section, a name, the names it depends on, and the SQL that
//! creates it. Ordering is decided here, once: sections in load order
//! (schemas and types before tables, foreign keys after every table, views
//! after what they read), by name within a section, and dependencies first
//! within a section. The same catalog always renders the same bytes.

use std::collections::{BTreeMap, BTreeSet};

/// Where an object goes in the dump, in load order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Settings of the database itself (SQLite's `user_version` and
    /// `application_id`), before any object.
    Settings,
    /// `CREATE SCHEMA`.
    Schemas,
    /// `CREATE EXTENSION`.
    Extensions,
    /// Enum, domain and composite types.
    Types,
    /// Sequences not owned by an identity column.
    Sequences,
    /// Functions and procedures that tables may use (defaults, checks).
    Functions,
    /// Tables with their columns and in-table constraints.
    Tables,
    /// Partitions, attached to their parent.
    Partitions,
    /// Sequence ownership (`ALTER SEQUENCE … OWNED BY`).
    SequenceOwnership,
    /// Indexes not created by a constraint.
    Indexes,
    /// Foreign keys, after every table exists.
    ForeignKeys,
    /// Views and materialized views, in dependency order.
    Views,
    /// Triggers.
    Triggers,
    /// Scheduled events (MySQL).
    Events,
    /// Comments on objects.
    Comments,
}

/// One object of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpItem {
    /// Its section.
    pub section: Section,
    /// A name unique within the section (qualified where the database has schemas).
    pub name: String,
    /// Names of items of the same section that must come first (views on views).
    pub depends_on: Vec<String>,
    /// The statement(s) that create it, without a trailing newline; each
    /// statement ends with its terminator.
    pub sql: String,
}

impl DumpItem {
    /// An item without dependencies.
    pub fn new(section: Section, name: impl Into<String>, sql: impl Into<String>) -> DumpItem {
        DumpItem {
            section,
            name: name.into(),
            depends_on: Vec::new(),
            sql: sql.into(),
        }
    }
}

/// Orders the items: by section, then dependencies first, then by name.
pub fn order(items: Vec<DumpItem>) -> Vec<DumpItem> {
    let mut by_section: BTreeMap<Section, BTreeMap<String, DumpItem>> = BTreeMap::new();
    for item in items {
        by_section
            .entry(item.section)
            .or_default()
            .insert(item.name.clone(), item);
    }
    let mut ordered = Vec::new();
    for (_, mut items) in by_section {
        let mut placed: BTreeSet<String> = BTreeSet::new();
        while !items.is_empty() {
            // The first item by name whose dependencies are all placed; a
            // cycle (which the database would not allow) falls back to name order.
            let ready = items
                .values()
                .find(|item| {
                    item.depends_on
                        .iter()
                        .all(|name| placed.contains(name) || !items.contains_key(name))
                })
                .map(|item| item.name.clone())
                .or_else(|| items.keys().next().cloned());
            let Some(name) = ready else { break };
            if let Some(item) = items.remove(&name) {
                placed.insert(name);
                ordered.push(item);
            }
        }
    }
    ordered
}

/// Renders the dump: a fixed header, then each item followed by a blank line.
pub fn render(database: &str, items: Vec<DumpItem>) -> String {
    let mut text = format!(
        "-- Schema dumped by migrate from a {database} database.\n\
         -- It recreates the schema on an empty database of the same kind.\n"
    );
    for item in order(items) {
        text.push('\n');
        text.push_str(item.sql.trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(section: Section, name: &str, depends_on: &[&str]) -> DumpItem {
        DumpItem {
            section,
            name: name.to_string(),
            depends_on: depends_on.iter().map(|name| name.to_string()).collect(),
            sql: format!("CREATE {name};"),
        }
    }

    #[test]
    fn sections_then_dependencies_then_names() {
        let items = vec![
            item(Section::Views, "a_view", &["z_view"]),
            item(Section::ForeignKeys, "orders_user_fk", &[]),
            item(Section::Tables, "users", &[]),
            item(Section::Views, "z_view", &["b_view"]),
            item(Section::Tables, "orders", &[]),
            item(Section::Views, "b_view", &[]),
            item(Section::Types, "mood", &[]),
        ];
        let names: Vec<String> = order(items).into_iter().map(|item| item.name).collect();
        assert_eq!(
            names,
            [
                "mood",
                "orders",
                "users",
                "orders_user_fk",
                "b_view",
                "z_view",
                "a_view"
            ]
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        let items = || {
            vec![
                item(Section::Tables, "b", &[]),
                item(Section::Tables, "a", &[]),
                item(Section::Views, "v", &["w"]),
                item(Section::Views, "w", &["v"]),
            ]
        };
        let first = render("SQLite", items());
        let mut reversed = items();
        reversed.reverse();
        assert_eq!(first, render("SQLite", reversed));
        assert!(first.ends_with("CREATE w;\n"), "{first}");
        assert!(first.contains("CREATE a;\n\nCREATE b;"));
    }
}
