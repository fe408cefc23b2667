//! MySQL's and MariaDB's catalog reader for `schema_dump`:
//! `information_schema` lists the objects, `SHOW CREATE` gives each one's
//! statement as the server itself writes it (as mysqldump does).
//!
//! What would tie the dump to one server is taken out: `DEFINER=` clauses
//! (the loading user becomes the definer), the `AUTO_INCREMENT=` counter of
//! the data, and foreign keys, which move after every table so that tables
//! load in any order. Routines, triggers and events are wrapped in
//! `DELIMITER ;;` lines, so the dump also loads with the mysql client.

use mysql::Conn;
use mysql::prelude::Queryable;

use super::convert;
use crate::dump::{DumpItem, Section};
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every table, view, routine, trigger, event and (MariaDB) sequence of
/// the connection's database, except the version tables.
pub fn read(connection: &mut Conn, tables: &TableNames) -> Result<Vec<DumpItem>, DbError> {
    let database: Option<String> = connection
        .query_first("SELECT DATABASE()")
        .map_err(convert)?;
    // `SHOW CREATE` names objects of the current database with its name in
    // places (MariaDB sequence defaults); the dump must load into another.
    let qualifier = format!("{}.", quote(&database.unwrap_or_default()));
    let unqualified = |sql: String| sql.replace(&qualifier, "");
    let mut items = Vec::new();
    let relations: Vec<(String, String)> = connection
        .query(
            "SELECT table_name, table_type FROM information_schema.tables \
             WHERE table_schema = DATABASE() ORDER BY table_name",
        )
        .map_err(convert)?;
    let views: Vec<String> = relations
        .iter()
        .filter(|(_, kind)| kind == "VIEW")
        .map(|(name, _)| name.clone())
        .collect();
    for (name, kind) in relations {
        if name == tables.versions || name == tables.log {
            continue;
        }
        match kind.as_str() {
            "VIEW" => {
                let sql = unqualified(show_create(connection, "VIEW", &name, 1)?);
                let sql = without_definer(&sql)
                    .replace("ALGORITHM=UNDEFINED ", "")
                    .replace("SQL SECURITY DEFINER ", "");
                let depends_on = mentioned(&sql, &views, &name);
                items.push(DumpItem {
                    section: Section::Views,
                    name,
                    depends_on,
                    sql: format!("{sql};"),
                });
            }
            "SEQUENCE" => {
                let sql = unqualified(show_create(connection, "SEQUENCE", &name, 1)?);
                items.push(DumpItem::new(Section::Sequences, name, format!("{sql};")));
            }
            _ => {
                let sql = unqualified(show_create(connection, "TABLE", &name, 1)?);
                let (table, foreign_keys) = split_foreign_keys(&without_auto_increment(&sql));
                items.push(DumpItem::new(
                    Section::Tables,
                    name.clone(),
                    format!("{table};"),
                ));
                for (constraint, definition) in foreign_keys {
                    items.push(DumpItem::new(
                        Section::ForeignKeys,
                        format!("{name}.{constraint}"),
                        format!("ALTER TABLE {} ADD {definition};", quote(&name)),
                    ));
                }
            }
        }
    }
    read_programs(connection, &mut items, &unqualified)?;
    Ok(items)
}

/// Procedures, functions, triggers and events.
fn read_programs(
    connection: &mut Conn,
    items: &mut Vec<DumpItem>,
    unqualified: &dyn Fn(String) -> String,
) -> Result<(), DbError> {
    let routines: Vec<(String, String)> = connection
        .query(
            "SELECT routine_name, routine_type FROM information_schema.routines \
             WHERE routine_schema = DATABASE() ORDER BY routine_type, routine_name",
        )
        .map_err(convert)?;
    for (name, kind) in routines {
        let sql = unqualified(show_create(connection, &kind, &name, 2)?);
        items.push(DumpItem::new(
            Section::Functions,
            format!("{kind} {name}"),
            delimited(&without_definer(&sql)),
        ));
    }
    // Triggers of one table, event and timing fire in creation order (FOLLOWS
    // and PRECEDES set it), which SHOW CREATE TRIGGER does not say: each one
    // depends on the one before it, so they load, and fire, in that order.
    let triggers: Vec<(String, String)> = connection
        .query(
            "SELECT trigger_name, CONCAT(event_object_table, ' ', action_timing, ' ', \
             event_manipulation) FROM information_schema.triggers \
             WHERE trigger_schema = DATABASE() \
             ORDER BY event_object_table, action_timing, event_manipulation, action_order",
        )
        .map_err(convert)?;
    let mut previous: Option<(String, String)> = None;
    for (name, group) in triggers {
        let sql = unqualified(show_create(connection, "TRIGGER", &name, 2)?);
        let depends_on = match &previous {
            Some((before, before_group)) if *before_group == group => vec![before.clone()],
            _ => Vec::new(),
        };
        items.push(DumpItem {
            section: Section::Triggers,
            name: name.clone(),
            depends_on,
            sql: delimited(&without_definer(&sql)),
        });
        previous = Some((name, group));
    }
    let events: Vec<String> = connection
        .query(
            "SELECT event_name FROM information_schema.events \
             WHERE event_schema = DATABASE() ORDER BY event_name",
        )
        .map_err(convert)?;
    for name in events {
        let sql = unqualified(show_create(connection, "EVENT", &name, 3)?);
        items.push(DumpItem::new(
            Section::Events,
            name,
            delimited(&without_definer(&sql)),
        ));
    }
    Ok(())
}

/// `SHOW CREATE <kind> <name>`, column `column` of its one row.
fn show_create(
    connection: &mut Conn,
    kind: &str,
    name: &str,
    column: usize,
) -> Result<String, DbError> {
    let row: Option<mysql::Row> = connection
        .query_first(format!("SHOW CREATE {kind} {}", quote(name)))
        .map_err(convert)?;
    row.and_then(|mut row| row.take_opt::<String, usize>(column))
        .and_then(Result::ok)
        .ok_or_else(|| DbError::new(format!("SHOW CREATE {kind} {name} returned nothing")))
}

/// A backtick-quoted identifier.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A statement in `DELIMITER ;;` lines, for bodies holding `;`.
fn delimited(sql: &str) -> String {
    format!("DELIMITER ;;\n{}\n;;\nDELIMITER ;", sql.trim_end())
}

/// Removes `DEFINER=`user`@`host` ` (or with quotes or bare names).
fn without_definer(sql: &str) -> String {
    let Some(start) = sql.find("DEFINER=") else {
        return sql.to_string();
    };
    let rest = &sql[start + "DEFINER=".len()..];
    let mut end = 0;
    let mut quote: Option<char> = None;
    for (index, character) in rest.char_indices() {
        match quote {
            Some(open) if character == open => quote = None,
            Some(_) => {}
            None if matches!(character, '`' | '\'' | '"') => quote = Some(character),
            None if character.is_whitespace() => {
                end = index;
                break;
            }
            None => {}
        }
        end = index + character.len_utf8();
    }
    let tail = rest[end..].trim_start();
    format!("{}{tail}", &sql[..start])
}

/// Drops the `AUTO_INCREMENT=N` table option, which belongs to the data,
/// from the closing `) ENGINE=…` line, before any quoted text (so never from
/// a table comment).
fn without_auto_increment(sql: &str) -> String {
    let Some(closing) = sql.rfind("\n)") else {
        return sql.to_string();
    };
    let (body, options) = sql.split_at(closing);
    let unquoted_end = options.find('\'').unwrap_or(options.len());
    let (unquoted, quoted) = options.split_at(unquoted_end);
    let kept: Vec<&str> = unquoted
        .split(' ')
        .filter(|word| {
            !word
                .strip_prefix("AUTO_INCREMENT=")
                .is_some_and(|number| number.bytes().all(|byte| byte.is_ascii_digit()))
        })
        .collect();
    format!("{body}{}{quoted}", kept.join(" "))
}

/// Takes the `CONSTRAINT … FOREIGN KEY …` lines out of a `CREATE TABLE`,
/// returning the table and each (constraint name, definition).
fn split_foreign_keys(sql: &str) -> (String, Vec<(String, String)>) {
    let mut kept: Vec<String> = Vec::new();
    let mut foreign_keys = Vec::new();
    for line in sql.lines() {
        let trimmed = line.trim().trim_end_matches(',');
        if trimmed.starts_with("CONSTRAINT ") && trimmed.contains(" FOREIGN KEY ") {
            let name = trimmed["CONSTRAINT ".len()..]
                .split(' ')
                .next()
                .unwrap_or_default()
                .trim_matches('`')
                .to_string();
            foreign_keys.push((name, trimmed.to_string()));
        } else {
            kept.push(line.to_string());
        }
    }
    // The line before `) ENGINE=…` must not end with a comma any more.
    let closing = kept.iter().rposition(|line| line.starts_with(')'));
    if let Some(last) = closing
        .and_then(|closing| closing.checked_sub(1))
        .and_then(|index| kept.get_mut(index))
        && let Some(stripped) = last.strip_suffix(',')
    {
        *last = stripped.to_string();
    }
    (kept.join("\n"), foreign_keys)
}

/// The other views a view reads, which must load first: names that follow
/// `from` or `join` in the definition MySQL normalised (an alias spelled
/// like a view is not a dependency).
fn mentioned(sql: &str, views: &[String], own: &str) -> Vec<String> {
    let lower = sql.to_ascii_lowercase();
    views
        .iter()
        .filter(|view| view.as_str() != own)
        .filter(|view| {
            let quoted = quote(view).to_ascii_lowercase();
            lower.match_indices(&quoted).any(|(at, _)| {
                let before = lower[..at].trim_end_matches([' ', '(', '\n']);
                before.ends_with("from") || before.ends_with("join")
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definers_and_counters_are_taken_out() {
        assert_eq!(
            without_definer("CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p`()"),
            "CREATE PROCEDURE `p`()"
        );
        assert_eq!(
            without_definer(
                "CREATE ALGORITHM=UNDEFINED DEFINER=`a b`@`%` SQL SECURITY DEFINER VIEW"
            ),
            "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW"
        );
        assert_eq!(without_definer("CREATE TABLE t"), "CREATE TABLE t");
        assert_eq!(
            without_auto_increment(
                "CREATE TABLE `t` (\n  `id` int\n) ENGINE=InnoDB AUTO_INCREMENT=12 DEFAULT CHARSET=utf8mb4 COMMENT='see AUTO_INCREMENT=5 here'"
            ),
            "CREATE TABLE `t` (\n  `id` int\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='see AUTO_INCREMENT=5 here'"
        );
    }

    #[test]
    fn views_depend_on_what_they_read_not_on_aliases() {
        let views = ["a_v".to_string(), "b_v".to_string(), "c_v".to_string()];
        let a = "CREATE VIEW `a_v` AS select `b_v`.`a_v` AS `a_v` from `b_v`";
        assert_eq!(mentioned(a, &views, "a_v"), ["b_v"]);
        let b = "CREATE VIEW `b_v` AS select `t`.`id` AS `a_v` from `t`";
        assert!(mentioned(b, &views, "b_v").is_empty());
        let c = "CREATE VIEW `c_v` AS select 1 AS `x` from (`a_v` join `b_v` on(1))";
        assert_eq!(mentioned(c, &views, "c_v"), ["a_v", "b_v"]);
    }

    #[test]
    fn foreign_keys_move_out_of_the_table() {
        let sql = "CREATE TABLE `posts` (\n  `id` int(11) NOT NULL,\n  `user_id` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `posts_user` (`user_id`),\n  CONSTRAINT `posts_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)\n) ENGINE=InnoDB";
        let (table, foreign_keys) = split_foreign_keys(sql);
        assert_eq!(
            table,
            "CREATE TABLE `posts` (\n  `id` int(11) NOT NULL,\n  `user_id` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `posts_user` (`user_id`)\n) ENGINE=InnoDB"
        );
        assert_eq!(
            foreign_keys,
            [(
                "posts_user".to_string(),
                "CONSTRAINT `posts_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)"
                    .to_string()
            )]
        );
    }
}
