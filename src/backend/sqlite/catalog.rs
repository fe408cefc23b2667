//! SQLite's catalog reader for `schema_dump`: the `sql` column of
//! `sqlite_schema`, which holds each object's `CREATE` statement as written,
//! and the two numbers of the database header that applications set
//! (`user_version`, `application_id`).
//!
//! It is linear in the number of objects: one pass over `sqlite_schema`,
//! and a `pragma_table_list` look-up only for tables named after a virtual
//! table (a correlated look-up per row took 3.3 s on 2,000 tables).
//!
//! The stored text is kept byte for byte, so that the database's own view of
//! the loaded copy is the original's. SQLite keeps a trailing comment of an
//! index, view or trigger in that text, and a `;` appended after a `--`
//! comment would be part of the comment: such a statement ends on a line of
//! its own (SQLite drops that trailing whitespace again when it stores it).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::convert;
use crate::dump::{DumpItem, Section};
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every table, index, view and trigger except the version tables,
/// and the header's `user_version` and `application_id` when they are set.
pub fn read(connection: &Connection, tables: &TableNames) -> Result<Vec<DumpItem>, DbError> {
    let mut statement = connection
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema \
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND tbl_name NOT IN (?1, ?2) \
             ORDER BY type, name",
        )
        .map_err(convert)?;
    let rows = statement
        .query_map([&tables.versions, &tables.log], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .map_err(convert)?;
    let mut objects = Vec::new();
    for row in rows {
        objects.push(row.map_err(convert)?);
    }
    let shadows = shadow_tables(connection, &objects)?;
    objects.retain(|(_, name, _)| !shadows.contains(name));
    // Views by lower-case name, for finding which views a view reads.
    let views: HashMap<String, &str> = objects
        .iter()
        .filter(|(kind, _, _)| kind == "view")
        .map(|(_, name, _)| (name.to_ascii_lowercase(), name.as_str()))
        .collect();
    let mut items: Vec<DumpItem> = objects
        .iter()
        .filter_map(|(kind, name, sql)| {
            let section = match kind.as_str() {
                "table" => Section::Tables,
                "index" => Section::Indexes,
                "view" => Section::Views,
                "trigger" => Section::Triggers,
                _ => return None,
            };
            let depends_on = match section {
                Section::Views => mentioned(sql, &views, name),
                _ => Vec::new(),
            };
            Some(DumpItem {
                section,
                name: name.clone(),
                depends_on,
                sql: terminated(sql),
            })
        })
        .collect();
    for pragma in ["application_id", "user_version"] {
        let value: i64 = connection
            .query_row(&format!("PRAGMA {pragma}"), [], |row| row.get(0))
            .map_err(convert)?;
        // 0 is what every new database has; writing it would only add noise.
        if value != 0 {
            items.push(DumpItem::new(
                Section::Settings,
                pragma,
                format!("PRAGMA {pragma} = {value};"),
            ));
        }
    }
    Ok(items)
}

/// The shadow tables among `objects` (FTS5's `docs_data`, ...): their
/// virtual table's own `CREATE` makes them, so dumping them would fail a
/// load. A shadow table is named `<virtual table>_<suffix>`, so only such
/// names are asked about, each with `pragma_table_list(name)`: reading the
/// whole list costs a column count per table (32 ms of a 50 ms dump of
/// 5,000 tables), and most schemas have no virtual table at all.
fn shadow_tables(
    connection: &Connection,
    objects: &[(String, String, String)],
) -> Result<HashSet<String>, DbError> {
    let virtual_tables: HashSet<String> = objects
        .iter()
        .filter(|(kind, _, sql)| {
            kind == "table"
                && sql
                    .get(..20)
                    .is_some_and(|start| start.eq_ignore_ascii_case("CREATE VIRTUAL TABLE"))
        })
        .map(|(_, name, _)| name.to_ascii_lowercase())
        .collect();
    let mut shadows = HashSet::new();
    if virtual_tables.is_empty() {
        return Ok(shadows);
    }
    for (kind, name, _) in objects {
        let lower = name.to_ascii_lowercase();
        let candidate = kind == "table"
            && lower
                .match_indices('_')
                .any(|(at, _)| virtual_tables.contains(&lower[..at]));
        if candidate
            && strings(
                connection,
                "SELECT type FROM pragma_table_list(?1) WHERE schema = 'main'",
                [name],
            )?
            .iter()
            .any(|kind| kind == "shadow")
        {
            shadows.insert(name.clone());
        }
    }
    Ok(shadows)
}

/// One column of text of every row of `sql`.
fn strings(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<String>, DbError> {
    let mut statement = connection.prepare(sql).map_err(convert)?;
    let rows = statement
        .query_map(params, |row| row.get::<_, String>(0))
        .map_err(convert)?;
    rows.map(|row| row.map_err(convert)).collect()
}

/// The stored text with a `;` that SQLite reads as its end: after a `--`
/// comment on a line of its own; after an unclosed `/*` comment (which
/// SQLite accepts at the end of a statement) once it is closed, since the
/// rest of the dump would be part of it.
///
/// The text is not trimmed: SQLite keeps an index's text up to its `;`,
/// spaces and comments included, and the sqlite3 shell loads it back as it is.
fn terminated(sql: &str) -> String {
    match open_comment(sql) {
        Some(Comment::Line) => format!("{sql}\n;"),
        Some(Comment::Block) => format!("{sql} */;"),
        None if sql.ends_with(';') => sql.to_string(),
        None => format!("{sql};"),
    }
}

/// A comment that is still open at the end of a text.
#[derive(Debug, PartialEq, Eq)]
enum Comment {
    /// `-- …` up to the end of the line.
    Line,
    /// `/* …` without its `*/`.
    Block,
}

/// Which comment, if any, is open at the end of `sql`, reading SQLite's
/// quotes ('…', "…", `…`, […]) and comments.
fn open_comment(sql: &str) -> Option<Comment> {
    let bytes = sql.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let closing = match bytes[at] {
            b'\'' => b'\'',
            b'"' => b'"',
            b'`' => b'`',
            b'[' => b']',
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                match bytes[at..].iter().position(|&byte| byte == b'\n') {
                    Some(end) => {
                        at += end + 1;
                        continue;
                    }
                    None => return Some(Comment::Line),
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => match sql[at + 2..].find("*/") {
                Some(end) => {
                    at += end + 4;
                    continue;
                }
                None => return Some(Comment::Block),
            },
            _ => {
                at += 1;
                continue;
            }
        };
        // A doubled quote inside quotes is the quote itself: reading it as
        // a close and a reopen comes to the same.
        match bytes[at + 1..].iter().position(|&byte| byte == closing) {
            Some(end) => at += end + 2,
            // An open quote cannot be stored; nothing to add for it.
            None => return None,
        }
    }
    None
}

/// The other views a view's text names as whole words, which must load
/// first: one look-up per word, so many views stay linear.
fn mentioned(sql: &str, views: &HashMap<String, &str>, own: &str) -> Vec<String> {
    let mut found: Vec<String> = sql
        .split(|character: char| !(character.is_alphanumeric() || character == '_'))
        .filter_map(|word| views.get(&word.to_ascii_lowercase()))
        .filter(|view| **view != own)
        .map(|view| view.to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_objects_in_sections_and_leaves_out_the_version_tables() {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
                 CREATE INDEX users_name ON users (name);
                 CREATE VIEW b_names AS SELECT name FROM a_users;
                 CREATE VIEW a_users AS SELECT * FROM users;
                 CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;
                 CREATE TABLE db_version (version TEXT);
                 CREATE INDEX db_version_i ON db_version (version);
                 CREATE TABLE db_version_log (id INTEGER);
                 CREATE VIRTUAL TABLE docs USING fts5(body);
                 INSERT INTO users (name) VALUES ('x');",
            )
            .unwrap();
        let items = read(&connection, &TableNames::default()).unwrap();
        let names: Vec<(Section, &str)> = items
            .iter()
            .map(|item| (item.section, item.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (Section::Indexes, "users_name"),
                (Section::Tables, "docs"),
                (Section::Tables, "users"),
                (Section::Triggers, "users_touch"),
                (Section::Views, "a_users"),
                (Section::Views, "b_names"),
            ]
        );
        let b_names = items.iter().find(|item| item.name == "b_names").unwrap();
        assert_eq!(b_names.depends_on, ["a_users"]);
        assert!(items.iter().all(|item| item.sql.ends_with(';')));
    }

    #[test]
    fn a_trailing_comment_does_not_swallow_the_terminator() {
        assert_eq!(terminated("CREATE TABLE t (a)"), "CREATE TABLE t (a);");
        assert_eq!(
            terminated("CREATE INDEX i ON t (a) -- by a; fast"),
            "CREATE INDEX i ON t (a) -- by a; fast\n;"
        );
        assert_eq!(
            terminated("CREATE VIEW v AS SELECT '--' AS a, \"--\" AS [b--] /* -- */ FROM t"),
            "CREATE VIEW v AS SELECT '--' AS a, \"--\" AS [b--] /* -- */ FROM t;"
        );
        assert_eq!(
            terminated("CREATE VIEW v AS SELECT a -- one\n FROM t"),
            "CREATE VIEW v AS SELECT a -- one\n FROM t;"
        );
        assert_eq!(
            terminated("CREATE VIEW v AS SELECT a FROM t /* open"),
            "CREATE VIEW v AS SELECT a FROM t /* open */;"
        );
        assert_eq!(
            terminated("CREATE VIEW v AS SELECT 'it''s' -- é"),
            "CREATE VIEW v AS SELECT 'it''s' -- é\n;"
        );
        // Odd input never panics.
        for text in ["", "'", "-", "/", "/*", "--", "[", "é--é", "'--"] {
            let _ = terminated(text);
        }
    }

    #[test]
    fn the_header_numbers_are_carried_when_set() {
        let connection = Connection::open_in_memory().unwrap();
        let items = read(&connection, &TableNames::default()).unwrap();
        assert!(items.is_empty(), "{items:?}");
        connection
            .execute_batch("PRAGMA user_version = 42; PRAGMA application_id = -7;")
            .unwrap();
        let items = read(&connection, &TableNames::default()).unwrap();
        let sql: Vec<&str> = items.iter().map(|item| item.sql.as_str()).collect();
        assert_eq!(
            sql,
            ["PRAGMA application_id = -7;", "PRAGMA user_version = 42;"]
        );
        assert!(items.iter().all(|item| item.section == Section::Settings));
    }
}
