//! SQLite's catalog reader for `schema_dump`: the `sql` column of
//! `sqlite_schema`, which holds each object's `CREATE` statement as written.

use rusqlite::Connection;

use super::convert;
use crate::dump::{DumpItem, Section};
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every table, index, view and trigger except the version tables.
pub fn read(connection: &Connection, tables: &TableNames) -> Result<Vec<DumpItem>, DbError> {
    let mut statement = connection
        .prepare(
            // Shadow tables (FTS5's docs_data, ...) are created by their
            // virtual table's own CREATE: dumping them would fail a load.
            "SELECT s.type, s.name, s.tbl_name, s.sql FROM sqlite_schema s \
             WHERE s.sql IS NOT NULL AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND s.tbl_name NOT IN (?1, ?2) \
             AND NOT EXISTS (SELECT 1 FROM pragma_table_list l \
                             WHERE l.name = s.name AND l.type = 'shadow') \
             ORDER BY s.type, s.name",
        )
        .map_err(convert)?;
    let rows = statement
        .query_map([&tables.versions, &tables.log], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(3)?,
            ))
        })
        .map_err(convert)?;
    let mut objects = Vec::new();
    for row in rows {
        objects.push(row.map_err(convert)?);
    }
    let views: Vec<String> = objects
        .iter()
        .filter(|(kind, _, _)| kind == "view")
        .map(|(_, name, _)| name.clone())
        .collect();
    let items = objects
        .into_iter()
        .filter_map(|(kind, name, sql)| {
            let section = match kind.as_str() {
                "table" => Section::Tables,
                "index" => Section::Indexes,
                "view" => Section::Views,
                "trigger" => Section::Triggers,
                _ => return None,
            };
            let depends_on = match section {
                Section::Views => mentioned(&sql, &views, &name),
                _ => Vec::new(),
            };
            Some(DumpItem {
                section,
                name,
                depends_on,
                sql: format!("{};", sql.trim_end().trim_end_matches(';')),
            })
        })
        .collect();
    Ok(items)
}

/// The other views a view's text names as whole words, which must load first.
fn mentioned(sql: &str, views: &[String], own: &str) -> Vec<String> {
    let words: Vec<String> = sql
        .split(|character: char| !(character.is_alphanumeric() || character == '_'))
        .map(str::to_ascii_lowercase)
        .collect();
    views
        .iter()
        .filter(|view| view.as_str() != own && words.contains(&view.to_ascii_lowercase()))
        .cloned()
        .collect()
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
}
