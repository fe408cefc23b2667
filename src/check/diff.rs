//! The difference between two schema dumps, object by object: what `check`
//! shows when a down file does not restore the schema, when a file applied
//! again leaves another schema, and when `schema/schema.sql` is stale.
//! Pure, so it is tested without a database.
//!
//! Objects are matched by the dump's identity of an item, its section and
//! name (SPEC section 7), and compared by the SQL that creates them: a byte
//! diff of two whole dumps would bury a left-behind column in the lines of
//! every object after it. A changed object's SQL is diffed line by line,
//! so the column that differs stands out from the lines that do not.

use std::collections::BTreeMap;

use crate::dump::{DumpItem, Section};

/// How the schema `after` differs from `before`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaDiff {
    /// Objects only `after` has, by section and name.
    pub added: Vec<DumpItem>,
    /// Objects only `before` has.
    pub removed: Vec<DumpItem>,
    /// Objects both have, with different SQL.
    pub changed: Vec<Changed>,
}

/// One object whose SQL differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Its section.
    pub section: Section,
    /// Its name.
    pub name: String,
    /// Its SQL before.
    pub before: String,
    /// Its SQL after.
    pub after: String,
}

/// One line of a changed object's SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// In both.
    Same(&'a str),
    /// Only before.
    Removed(&'a str),
    /// Only after.
    Added(&'a str),
}

impl SchemaDiff {
    /// Whether the two schemas are the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl Changed {
    /// The SQL before and after, line by line, common lines kept in place.
    pub fn lines(&self) -> Vec<Line<'_>> {
        line_diff(&self.before, &self.after)
    }
}

/// How `after` differs from `before`; each list in section and name order.
pub fn diff(before: &[DumpItem], after: &[DumpItem]) -> SchemaDiff {
    let before_by_key = by_key(before);
    let after_by_key = by_key(after);
    let mut found = SchemaDiff::default();
    for (at, old) in &before_by_key {
        match after_by_key.get(at) {
            None => found.removed.push((*old).clone()),
            Some(new) if new.sql != old.sql => found.changed.push(Changed {
                section: old.section,
                name: old.name.clone(),
                before: old.sql.clone(),
                after: new.sql.clone(),
            }),
            Some(_) => {}
        }
    }
    for (at, new) in &after_by_key {
        if !before_by_key.contains_key(at) {
            found.added.push((*new).clone());
        }
    }
    found
}

/// Whether the item sets the loading session rather than creating an
/// object: PostgreSQL's dump starts with `SET check_function_bodies =
/// false` whenever the schema holds anything, so it comes and goes with
/// the first object and would only add noise to a difference.
fn is_session_setting(item: &DumpItem) -> bool {
    item.section == Section::Schemas && item.sql.starts_with("SET ") && !item.sql.contains('\n')
}

/// The objects of a dump by section and name.
fn by_key(items: &[DumpItem]) -> BTreeMap<(Section, String), &DumpItem> {
    items
        .iter()
        .filter(|item| !is_session_setting(item))
        .map(|item| ((item.section, item.name.clone()), item))
        .collect()
}

/// A line diff of two texts by their longest common subsequence of lines.
/// Quadratic in lines, which is fine for one object's SQL.
pub fn line_diff<'a>(before: &'a str, after: &'a str) -> Vec<Line<'a>> {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    // common[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = match old[i] == new[j] {
                true => common[i + 1][j + 1] + 1,
                false => common[i + 1][j].max(common[i][j + 1]),
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::with_capacity(old.len().max(new.len()));
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push(Line::Same(old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            // On a tie the old line goes first, as diff(1) writes them.
            lines.push(Line::Removed(old[i]));
            i += 1;
        } else {
            lines.push(Line::Added(new[j]));
            j += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, sql: &str) -> DumpItem {
        DumpItem::new(Section::Tables, name, sql)
    }

    #[test]
    fn the_same_schema_has_no_difference() {
        let items = [table("a", "CREATE TABLE a (id INT);")];
        assert!(diff(&items, &items).is_empty());
        assert!(diff(&[], &[]).is_empty());
    }

    #[test]
    fn objects_added_removed_and_changed() {
        let before = [
            table("users", "CREATE TABLE users (\n  id INT\n);"),
            table("gone", "CREATE TABLE gone (id INT);"),
            DumpItem::new(
                Section::Indexes,
                "users_id",
                "CREATE INDEX users_id ON users (id);",
            ),
        ];
        let after = [
            DumpItem::new(
                Section::Indexes,
                "users_id",
                "CREATE INDEX users_id ON users (id);",
            ),
            table("users", "CREATE TABLE users (\n  id INT,\n  email TEXT\n);"),
            table("audit", "CREATE TABLE audit (id INT);"),
        ];
        let found = diff(&before, &after);
        let names = |items: &[DumpItem]| -> Vec<String> {
            items.iter().map(|item| item.name.clone()).collect()
        };
        assert_eq!(names(&found.added), ["audit"]);
        assert_eq!(names(&found.removed), ["gone"]);
        assert_eq!(found.changed.len(), 1);
        assert_eq!(found.changed[0].name, "users");
        assert_eq!(
            found.changed[0].lines(),
            [
                Line::Same("CREATE TABLE users ("),
                Line::Removed("  id INT"),
                Line::Added("  id INT,"),
                Line::Added("  email TEXT"),
                Line::Same(");"),
            ]
        );
    }

    #[test]
    fn the_same_name_in_two_sections_is_two_objects() {
        let before = [table("x", "CREATE TABLE x (id INT);")];
        let after = [DumpItem::new(
            Section::Views,
            "x",
            "CREATE VIEW x AS SELECT 1;",
        )];
        let found = diff(&before, &after);
        assert_eq!((found.added.len(), found.removed.len()), (1, 1));
        assert!(found.changed.is_empty());
    }

    #[test]
    fn a_session_setting_is_no_object() {
        let setting = DumpItem::new(
            Section::Schemas,
            "check_function_bodies",
            "SET check_function_bodies = false;",
        );
        let found = diff(&[setting, table("t", "CREATE TABLE t (id INT);")], &[]);
        assert_eq!(found.removed.len(), 1);
        assert_eq!(found.removed[0].name, "t");
    }

    #[test]
    fn line_diffs_at_the_edges() {
        assert_eq!(line_diff("", "a"), [Line::Added("a")]);
        assert_eq!(line_diff("a", ""), [Line::Removed("a")]);
        assert_eq!(
            line_diff("a\nb\nc", "a\nc"),
            [Line::Same("a"), Line::Removed("b"), Line::Same("c")]
        );
    }
}
