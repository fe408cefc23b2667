//! The schema model of `schema_dump`, its deterministic rendering, and
//! `schema/schema.sql` (SPEC section 7).
//!
//! Each backend's catalog reader returns the objects of the live schema as
//! [`DumpItem`]s: a section, a name, the names it depends on, and the SQL that
//! creates it. Ordering is decided here, once: sections in load order
//! (schemas and types before tables, foreign keys after every table, views
//! after what they read), by name within a section, and dependencies first.
//! A dependency usually names an item of the same section; a catalog that
//! knows the real dependency graph (PostgreSQL's `pg_depend`) also names
//! items of other sections with [`in_section`], and then an item waits for
//! what it needs even when its section would put it first, as `pg_dump`
//! orders: a stable topological sort whose ties keep the section and name
//! order. The same catalog always renders the same bytes.
//!
//! Items of [`Section::Omitted`] are objects the reader found but cannot
//! dump: they are never rendered, and [`split_omitted`] hands them to the
//! caller, which refuses or warns (issue 13).

use std::collections::{BTreeMap, BTreeSet};

/// Which schemas `schema_dump` reads, where the database has schemas
/// (PostgreSQL; the other backends know only [`Scope::Default`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// The connection's schema (the first of the URL's `search_path`), with
    /// names unqualified, so that the dump loads into any schema.
    #[default]
    Default,
    /// The named schemas (`--schema A,B`). One is dumped like the default,
    /// unqualified; several with every name qualified by its schema.
    Named(Vec<String>),
    /// Every schema that is not the system's nor an extension's
    /// (`--all-schemas`), names qualified.
    All,
}

impl Scope {
    /// Whether a dump of `schemas` schemas in this scope names each object
    /// with its schema: always for [`Scope::All`] (its count depends on the
    /// database, its form should not), and when more than one is named.
    pub fn qualifies(&self, schemas: usize) -> bool {
        match self {
            Scope::Default => false,
            Scope::Named(_) => schemas > 1,
            Scope::All => true,
        }
    }
}

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
    /// Objects found in the schema that the reader cannot dump (the name
    /// says what and where, the SQL is empty): never rendered; the dump is
    /// refused unless the user accepts an incomplete one.
    Omitted,
}

/// One object of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpItem {
    /// Its section.
    pub section: Section,
    /// A name unique within the section (qualified where the database has schemas).
    pub name: String,
    /// Items that must come first: names of items of the same section
    /// (views on views), or items of any section written with [`in_section`].
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

/// A dependency on the item `name` of `section`, for [`DumpItem::depends_on`]
/// when the item that waits is of another section. A NUL byte, which no
/// identifier of our databases may hold, keeps it apart from plain names.
pub fn in_section(section: Section, name: &str) -> String {
    format!("\0{section:?}\0{name}")
}

/// Orders the items: by section then name, except that an item comes after
/// every item it depends on (a stable topological sort: of the items whose
/// dependencies are placed, the first by section and name goes next). A
/// cycle, which the database would not allow, is broken by placing the first
/// waiting item by section and name. Linear in items and dependencies, up to
/// a logarithm.
pub fn order(items: Vec<DumpItem>) -> Vec<DumpItem> {
    let mut sorted: BTreeMap<(Section, String), DumpItem> = BTreeMap::new();
    for item in items {
        sorted.insert((item.section, item.name.clone()), item);
    }
    let items: Vec<DumpItem> = sorted.into_values().collect();
    let mut index: BTreeMap<(Section, &str), usize> = BTreeMap::new();
    let mut keyed: BTreeMap<String, usize> = BTreeMap::new();
    for (at, item) in items.iter().enumerate() {
        index.insert((item.section, item.name.as_str()), at);
        keyed.insert(in_section(item.section, &item.name), at);
    }
    // waits[i]: how many distinct items i still waits for; then[j]: who waits for j.
    let mut waits = vec![0usize; items.len()];
    let mut then: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (at, item) in items.iter().enumerate() {
        let needed: BTreeSet<usize> = item
            .depends_on
            .iter()
            .filter_map(|name| {
                keyed
                    .get(name)
                    .or_else(|| index.get(&(item.section, name.as_str())))
                    .copied()
            })
            .filter(|&needed| needed != at)
            .collect();
        waits[at] = needed.len();
        for needed in needed {
            then[needed].push(at);
        }
    }
    let mut ready: BTreeSet<usize> = (0..items.len()).filter(|&at| waits[at] == 0).collect();
    let mut placed = vec![false; items.len()];
    let mut sequence = Vec::with_capacity(items.len());
    let mut first_unplaced = 0;
    while sequence.len() < items.len() {
        let next = match ready.pop_first() {
            Some(next) => next,
            None => {
                while placed.get(first_unplaced) == Some(&true) {
                    first_unplaced += 1;
                }
                first_unplaced
            }
        };
        if next >= items.len() || placed[next] {
            break;
        }
        placed[next] = true;
        sequence.push(next);
        for &waiting in &then[next] {
            waits[waiting] = waits[waiting].saturating_sub(1);
            if waits[waiting] == 0 && !placed[waiting] {
                ready.insert(waiting);
            }
        }
    }
    let mut slots: Vec<Option<DumpItem>> = items.into_iter().map(Some).collect();
    sequence
        .into_iter()
        .filter_map(|at| slots.get_mut(at).and_then(Option::take))
        .collect()
}

/// Splits off the items of [`Section::Omitted`]: (the items to dump, the
/// names of the objects that cannot be dumped, sorted).
pub fn split_omitted(items: Vec<DumpItem>) -> (Vec<DumpItem>, Vec<String>) {
    let (omitted, kept): (Vec<DumpItem>, Vec<DumpItem>) = items
        .into_iter()
        .partition(|item| item.section == Section::Omitted);
    let mut names: Vec<String> = omitted.into_iter().map(|item| item.name).collect();
    names.sort();
    (kept, names)
}

/// Renders the dump: a fixed header, then each item followed by a blank line.
pub fn render(database: &str, items: Vec<DumpItem>) -> String {
    let mut text = format!(
        "-- Schema dumped by migrate from a {database} database.\n\
         -- It recreates the schema on an empty database of the same kind.\n"
    );
    for item in order(items) {
        if item.section == Section::Omitted {
            continue;
        }
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
    fn an_item_waits_for_a_later_section_and_keeps_its_place_otherwise() {
        let mut function = item(Section::Functions, "f", &[]);
        function.depends_on = vec![in_section(Section::Tables, "t")];
        let mut domain = item(Section::Types, "d", &[]);
        domain.depends_on = vec![in_section(Section::Functions, "f")];
        let items = vec![
            item(Section::Tables, "u", &[]),
            item(Section::Tables, "t", &[]),
            function,
            domain,
            item(Section::Types, "e", &[]),
            item(Section::Indexes, "i", &[]),
        ];
        let names: Vec<String> = order(items).into_iter().map(|item| item.name).collect();
        // t, then at once what waited for it, then the rest in section order.
        assert_eq!(names, ["e", "t", "f", "d", "u", "i"]);
    }

    #[test]
    fn omitted_items_are_split_off_and_never_rendered() {
        let items = vec![
            item(Section::Tables, "t", &[]),
            item(Section::Omitted, "operator ===(integer, integer)", &[]),
        ];
        assert!(!render("PostgreSQL", items.clone()).contains("operator"));
        let (kept, omitted) = split_omitted(items);
        assert_eq!(kept.len(), 1);
        assert_eq!(omitted, ["operator ===(integer, integer)"]);
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
