//! MySQL's and MariaDB's catalog reader for `schema_dump`:
//! `information_schema` lists the objects, `SHOW CREATE` gives each one's
//! statement as the server itself writes it (as mysqldump does).
//!
//! What would tie the dump to one server is taken out: `DEFINER=` clauses
//! (the loading user becomes the definer), the `AUTO_INCREMENT=` counter of
//! the data, and foreign keys, which move after every table so that tables
//! load in any order. Routines, triggers and events are wrapped in
//! `DELIMITER ;;` lines, so the dump also loads with the mysql client.
//!
//! A routine, trigger or event keeps the session it was created in: its
//! `sql_mode` (under `PIPES_AS_CONCAT`, `'a' || 'b'` is `ab`; without it, a
//! boolean), `character_set_client`, `collation_connection` (string
//! literals and comparisons in the body), the database's collation (local
//! variables), and for events the `time_zone`; a view keeps the character
//! set and collation. The server re-parses the body
//! under them every time it runs, so the dump sets each one around the
//! `CREATE` and puts the loading session's back after it, as `mariadb-dump`
//! does (`information_schema.ROUTINES.SQL_MODE` and its neighbours; see
//! <https://dev.mysql.com/doc/refman/8.0/en/create-procedure.html>: "the
//! server uses the sql_mode value in effect when the routine was created").
//!
//! Speed: `SHOW CREATE` has no set-based form, so the statements are sent
//! in batches of [`BATCH`] per round trip (multi-statement queries); the
//! floor is the server opening each table's definition, which the native
//! dumper pays too.

use std::collections::HashMap;

use mysql::prelude::Queryable;
use mysql::{Conn, Row};

use super::convert;
use crate::dump::{DumpItem, Section};
use crate::error::DbError;
use crate::settings::TableNames;

/// How many `SHOW CREATE` statements go to the server in one round trip.
const BATCH: usize = 250;

/// Reads every table, view, routine, trigger, event and (MariaDB) sequence of
/// the connection's database, except the version tables.
pub fn read(connection: &mut Conn, tables: &TableNames) -> Result<Vec<DumpItem>, DbError> {
    let mut current = rows(
        connection,
        "SELECT DATABASE(), (SELECT default_collation_name FROM information_schema.schemata \
         WHERE schema_name = DATABASE())",
    )?;
    let (database, collation) = match current.first_mut() {
        Some(row) => (text(row, 0)?, text(row, 1)?),
        None => (String::new(), String::new()),
    };
    // `SHOW CREATE` names objects of the current database with its name in
    // places (MariaDB sequence defaults); the dump must load into another.
    let qualifier = format!("{}.", quote(&database));
    let unqualified = |sql: String| sql.replace(&qualifier, "");
    let mut items = Vec::new();
    let relations: Vec<(String, String)> = texts(
        connection,
        "SELECT table_name, table_type FROM information_schema.tables \
         WHERE table_schema = DATABASE() ORDER BY table_name",
    )?
    .into_iter()
    .filter_map(|row| match <[String; 2]>::try_from(row) {
        Ok([name, kind]) => Some((name, kind)),
        Err(_) => None,
    })
    .filter(|(name, _)| *name != tables.versions && *name != tables.log)
    .collect();
    let views: Vec<String> = relations
        .iter()
        .filter(|(_, kind)| kind == "VIEW")
        .map(|(name, _)| name.clone())
        .collect();
    let requests: Vec<Show> = relations
        .iter()
        .map(|(name, kind)| Show {
            kind: match kind.as_str() {
                "VIEW" => "VIEW",
                "SEQUENCE" => "SEQUENCE",
                _ => "TABLE",
            },
            name,
            column: 1,
        })
        .collect();
    let mut view_sessions = HashMap::new();
    for mut row in rows(
        connection,
        "SELECT table_name, character_set_client, collation_connection \
         FROM information_schema.views WHERE table_schema = DATABASE()",
    )? {
        let name = text(&mut row, 0)?;
        let creation = Creation {
            sql_mode: None,
            character_set_client: text(&mut row, 1)?,
            collation_connection: text(&mut row, 2)?,
            database_collation: None,
            time_zone: None,
        };
        view_sessions.insert(name, creation);
    }
    let created = show_create_all(connection, &requests)?;
    for (request, sql) in requests.iter().zip(created) {
        let name = request.name.to_string();
        let sql = unqualified(sql);
        match request.kind {
            "VIEW" => {
                let sql = without_definer(&sql)
                    .replace("ALGORITHM=UNDEFINED ", "")
                    .replace("SQL SECURITY DEFINER ", "");
                let depends_on = mentioned(&sql, &views, &name);
                // A view keeps the character set and collation of the
                // session that created it, as routines do.
                let sql = match view_sessions.get(&name) {
                    Some(creation) => {
                        in_creation_session(creation, &collation, &sql, &format!("view {name}"))?
                    }
                    None => format!("{sql};"),
                };
                items.push(DumpItem {
                    section: Section::Views,
                    name,
                    depends_on,
                    sql,
                });
            }
            "SEQUENCE" => {
                items.push(DumpItem::new(Section::Sequences, name, format!("{sql};")));
            }
            _ => {
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
    read_programs(connection, &mut items, &unqualified, &collation)?;
    Ok(items)
}

/// The session a routine, trigger or event was created in, as
/// `information_schema` keeps it.
struct Creation {
    /// `None` for views, which keep no `sql_mode`.
    sql_mode: Option<String>,
    character_set_client: String,
    collation_connection: String,
    /// `None` for views, which keep no database collation.
    database_collation: Option<String>,
    /// Events only: the time zone their schedule is read in.
    time_zone: Option<String>,
}

impl Creation {
    /// Reads the four columns that follow `first` in the row (five with
    /// `time_zone`).
    fn from_row(row: &mut Row, first: usize, with_time_zone: bool) -> Result<Creation, DbError> {
        Ok(Creation {
            sql_mode: Some(text(row, first)?),
            character_set_client: text(row, first + 1)?,
            collation_connection: text(row, first + 2)?,
            database_collation: Some(text(row, first + 3)?),
            time_zone: match with_time_zone {
                true => Some(text(row, first + 4)?),
                false => None,
            },
        })
    }
}

/// The columns of [`Creation`], in its order, for the catalog queries.
const CREATION_COLUMNS: &str =
    "sql_mode, character_set_client, collation_connection, database_collation";

/// Procedures, functions, triggers and events, each in its creation session.
fn read_programs(
    connection: &mut Conn,
    items: &mut Vec<DumpItem>,
    unqualified: &dyn Fn(String) -> String,
    database_collation: &str,
) -> Result<(), DbError> {
    let mut routines = Vec::new();
    for mut row in rows(
        connection,
        &format!(
            "SELECT routine_name, routine_type, {CREATION_COLUMNS} \
             FROM information_schema.routines \
             WHERE routine_schema = DATABASE() ORDER BY routine_type, routine_name"
        ),
    )? {
        let name = text(&mut row, 0)?;
        let kind = match text(&mut row, 1)?.as_str() {
            "FUNCTION" => "FUNCTION",
            // PACKAGE and PACKAGE BODY (MariaDB's Oracle mode) are not dumped.
            "PROCEDURE" => "PROCEDURE",
            _ => continue,
        };
        routines.push((kind, name, Creation::from_row(&mut row, 2, false)?));
    }
    let requests: Vec<Show> = routines
        .iter()
        .map(|(kind, name, _)| Show {
            kind,
            name,
            column: 2,
        })
        .collect();
    let created = show_create_all(connection, &requests)?;
    for ((kind, name, creation), sql) in routines.iter().zip(created) {
        let sql = without_definer(&unqualified(sql));
        items.push(DumpItem::new(
            Section::Functions,
            format!("{kind} {name}"),
            in_creation_session(
                creation,
                database_collation,
                &sql,
                &format!("{kind} {name}"),
            )?,
        ));
    }
    // Triggers of one table, event and timing fire in creation order (FOLLOWS
    // and PRECEDES set it), which SHOW CREATE TRIGGER does not say: each one
    // depends on the one before it, so they load, and fire, in that order.
    let mut triggers = Vec::new();
    for mut row in rows(
        connection,
        &format!(
            "SELECT trigger_name, CONCAT(event_object_table, ' ', action_timing, ' ', \
             event_manipulation), {CREATION_COLUMNS} FROM information_schema.triggers \
             WHERE trigger_schema = DATABASE() \
             ORDER BY event_object_table, action_timing, event_manipulation, action_order"
        ),
    )? {
        let name = text(&mut row, 0)?;
        let group = text(&mut row, 1)?;
        triggers.push((name, group, Creation::from_row(&mut row, 2, false)?));
    }
    let requests: Vec<Show> = triggers
        .iter()
        .map(|(name, _, _)| Show {
            kind: "TRIGGER",
            name,
            column: 2,
        })
        .collect();
    let created = show_create_all(connection, &requests)?;
    let mut previous: Option<(&str, &str)> = None;
    for ((name, group, creation), sql) in triggers.iter().zip(created) {
        let sql = without_definer(&unqualified(sql));
        let depends_on = match previous {
            Some((before, before_group)) if before_group == group => vec![before.to_string()],
            _ => Vec::new(),
        };
        items.push(DumpItem {
            section: Section::Triggers,
            name: name.clone(),
            depends_on,
            sql: in_creation_session(
                creation,
                database_collation,
                &sql,
                &format!("trigger {name}"),
            )?,
        });
        previous = Some((name, group));
    }
    let mut events = Vec::new();
    for mut row in rows(
        connection,
        &format!(
            "SELECT event_name, {CREATION_COLUMNS}, time_zone FROM information_schema.events \
             WHERE event_schema = DATABASE() ORDER BY event_name"
        ),
    )? {
        let name = text(&mut row, 0)?;
        events.push((name, Creation::from_row(&mut row, 1, true)?));
    }
    let requests: Vec<Show> = events
        .iter()
        .map(|(name, _)| Show {
            kind: "EVENT",
            name,
            column: 3,
        })
        .collect();
    let created = show_create_all(connection, &requests)?;
    for ((name, creation), sql) in events.iter().zip(created) {
        let sql = without_definer(&unqualified(sql));
        items.push(DumpItem::new(
            Section::Events,
            name.clone(),
            in_creation_session(creation, database_collation, &sql, &format!("event {name}"))?,
        ));
    }
    Ok(())
}

/// `sql` in `DELIMITER ;;` lines, with the session it was created in set
/// before it and the loading session's put back after it (and the
/// database's collation, when the object was created under another one).
///
/// The `SET` assigns left to right, so each `@saved_…` is read before it
/// changes, as in mysqldump's `SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE=…`.
fn in_creation_session(
    creation: &Creation,
    database_collation: &str,
    sql: &str,
    what: &str,
) -> Result<String, DbError> {
    let name = |value: &str, setting: &str| -> Result<String, DbError> {
        match !value.is_empty()
            && value
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        {
            true => Ok(value.to_string()),
            false => Err(DbError::new(format!(
                "cannot dump {what}: its {setting} `{value}` is not a plain name"
            ))),
        }
    };
    let literal = |value: &str, setting: &str| -> Result<String, DbError> {
        match value.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b',' | b'+' | b'-' | b':' | b'/')
        }) {
            true => Ok(format!("'{value}'")),
            false => Err(DbError::new(format!(
                "cannot dump {what}: its {setting} `{value}` holds characters a dump cannot carry"
            ))),
        }
    };
    let mut client = name(&creation.character_set_client, "character_set_client")?;
    let mut text = String::new();
    // The dump is UTF-8 and the text arrives in UTF-8: a body with other
    // than ASCII, created under another client character set, can only be
    // carried in UTF-8 (same body, same behaviour; only the recorded
    // character_set_client differs).
    if !sql.is_ascii() && !client.to_ascii_lowercase().starts_with("utf8") {
        text.push_str(&format!(
            "-- created with character_set_client {client}; carried in UTF-8, the dump's encoding\n"
        ));
        client = "utf8mb4".to_string();
    }
    // (saved variable, session variable, value in force at creation)
    let mut settings: Vec<(&str, &str, String)> = Vec::new();
    if let Some(mode) = &creation.sql_mode {
        settings.push(("saved_sql_mode", "sql_mode", literal(mode, "sql_mode")?));
    }
    settings.push(("saved_cs_client", "character_set_client", client));
    settings.push((
        "saved_col_connection",
        "collation_connection",
        name(&creation.collation_connection, "collation_connection")?,
    ));
    if let Some(zone) = &creation.time_zone {
        settings.push(("saved_time_zone", "time_zone", literal(zone, "time_zone")?));
    }
    let other_database_collation = match &creation.database_collation {
        Some(own) if own != database_collation => Some((
            name(own, "database collation")?,
            name(database_collation, "database collation")?,
        )),
        _ => None,
    };
    if let Some((own, _)) = &other_database_collation {
        text.push_str(&format!("ALTER DATABASE COLLATE {own};\n"));
    }
    let set: Vec<String> = settings
        .iter()
        .map(|(saved, variable, value)| format!("@{saved} = @@{variable}, {variable} = {value}"))
        .collect();
    text.push_str(&format!("SET {};\n", set.join(",\n    ")));
    // A view is one statement; a program's body holds `;`.
    match creation.sql_mode {
        Some(_) => text.push_str(&delimited(sql)),
        None => text.push_str(&format!("{};", sql.trim_end())),
    }
    let restore: Vec<String> = settings
        .iter()
        .map(|(saved, variable, _)| format!("{variable} = @{saved}"))
        .collect();
    text.push_str(&format!("\nSET {};", restore.join(", ")));
    if let Some((_, database)) = &other_database_collation {
        text.push_str(&format!("\nALTER DATABASE COLLATE {database};"));
    }
    Ok(text)
}

/// One `SHOW CREATE <kind> <name>`, whose text is in column `column`.
struct Show<'a> {
    kind: &'a str,
    name: &'a str,
    column: usize,
}

/// The texts of many `SHOW CREATE` statements, in order: sent [`BATCH`] to
/// a round trip, as one multi-statement query.
fn show_create_all(connection: &mut Conn, requests: &[Show<'_>]) -> Result<Vec<String>, DbError> {
    let mut texts = Vec::with_capacity(requests.len());
    for chunk in requests.chunks(BATCH) {
        let sql: String = chunk
            .iter()
            .map(|request| format!("SHOW CREATE {} {};", request.kind, quote(request.name)))
            .collect();
        let mut result = connection.query_iter(sql).map_err(convert)?;
        for request in chunk {
            let missing = || {
                DbError::new(format!(
                    "SHOW CREATE {} {} returned nothing",
                    request.kind, request.name
                ))
            };
            let Some(set) = result.iter() else {
                return Err(missing());
            };
            let mut found = None;
            for row in set {
                let mut row = row.map_err(convert)?;
                if found.is_none() {
                    found = Some(text(&mut row, request.column)?);
                }
            }
            texts.push(found.ok_or_else(missing)?);
        }
    }
    Ok(texts)
}

/// Every row of a query.
fn rows(connection: &mut Conn, sql: &str) -> Result<Vec<Row>, DbError> {
    connection.query(sql).map_err(convert)
}

/// Every row of a query, every value as text.
fn texts(connection: &mut Conn, sql: &str) -> Result<Vec<Vec<String>>, DbError> {
    rows(connection, sql)?
        .into_iter()
        .map(|mut row| (0..row.len()).map(|index| text(&mut row, index)).collect())
        .collect()
}

/// Column `index` of `row` as text: empty for NULL; an error (never a
/// panic, unlike the crate's `FromRow`) when missing or not UTF-8.
fn text(row: &mut Row, index: usize) -> Result<String, DbError> {
    let bytes = match row.take_opt::<Option<Vec<u8>>, usize>(index) {
        Some(Ok(bytes)) => bytes.unwrap_or_default(),
        _ => {
            return Err(DbError::new(format!(
                "the catalog returned no text in column {index}"
            )));
        }
    };
    String::from_utf8(bytes).map_err(|_| {
        DbError::new(format!(
            "the catalog returned text in column {index} that is not UTF-8"
        ))
    })
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

    fn creation(time_zone: Option<&str>) -> Creation {
        Creation {
            sql_mode: Some("PIPES_AS_CONCAT,ANSI_QUOTES".to_string()),
            character_set_client: "latin1".to_string(),
            collation_connection: "latin1_swedish_ci".to_string(),
            database_collation: Some("utf8mb4_general_ci".to_string()),
            time_zone: time_zone.map(str::to_string),
        }
    }

    #[test]
    fn programs_load_in_the_session_they_were_created_in() {
        let sql = "CREATE FUNCTION \"hi\"(n TEXT) RETURNS TEXT RETURN 'hi ' || n";
        let wrapped = in_creation_session(&creation(None), "utf8mb4_general_ci", sql, "f").unwrap();
        assert_eq!(
            wrapped,
            "SET @saved_sql_mode = @@sql_mode, sql_mode = 'PIPES_AS_CONCAT,ANSI_QUOTES',\n    \
             @saved_cs_client = @@character_set_client, character_set_client = latin1,\n    \
             @saved_col_connection = @@collation_connection, collation_connection = latin1_swedish_ci;\n\
             DELIMITER ;;\n\
             CREATE FUNCTION \"hi\"(n TEXT) RETURNS TEXT RETURN 'hi ' || n\n\
             ;;\n\
             DELIMITER ;\n\
             SET sql_mode = @saved_sql_mode, character_set_client = @saved_cs_client, \
             collation_connection = @saved_col_connection;"
        );
        // Another database collation, and an event's time zone.
        let event = in_creation_session(
            &creation(Some("+02:00")),
            "latin1_bin",
            "CREATE EVENT e",
            "e",
        )
        .unwrap();
        assert!(
            event.starts_with("ALTER DATABASE COLLATE utf8mb4_general_ci;\n"),
            "{event}"
        );
        assert!(event.contains("time_zone = '+02:00';\n"), "{event}");
        assert!(
            event.ends_with("time_zone = @saved_time_zone;\nALTER DATABASE COLLATE latin1_bin;"),
            "{event}"
        );
    }

    #[test]
    fn a_session_value_that_cannot_be_written_is_an_error_not_a_statement() {
        let mut odd = creation(None);
        odd.sql_mode = Some("ANSI'; DROP TABLE t; --".to_string());
        assert!(in_creation_session(&odd, "utf8mb4_general_ci", "CREATE", "f").is_err());
        let mut odd = creation(None);
        odd.character_set_client = "latin1; DROP".to_string();
        let error =
            in_creation_session(&odd, "utf8mb4_general_ci", "CREATE", "function f").unwrap_err();
        assert!(error.message.contains("function f"), "{error}");
        // A body with other than ASCII, made under latin1, is carried in UTF-8.
        let cafe = in_creation_session(&creation(None), "utf8mb4_general_ci", "RETURN 'café'", "f")
            .unwrap();
        assert!(cafe.contains("character_set_client = utf8mb4,"), "{cafe}");
    }
}
