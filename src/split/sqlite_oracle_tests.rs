//! SQLite as the referee of the SQLite splitter: for every SQLite fixture and
//! a set of tricky inputs, the statements we find must be the statements
//! SQLite's own parser finds.
//!
//! The referee is `sqlite3_prepare`, not
//! `sqlite3_complete`. `sqlite3_complete` is the shell's shortcut: a small
//! state machine that, inside `CREATE TRIGGER`, waits for `; END ;` and knows
//! nothing of `CASE`, names or parentheses, so agreeing with it would prove
//! little. `prepare` runs the real grammar and stops after exactly one
//! statement, and it is what the SQLite backend runs each statement with, so
//! this is also the check that the runtime's "more than one statement"
//! refusal never fires on what the splitter produces. `prepare` needs the
//! tables a statement names, so each input runs, statement by statement, on
//! an in-memory database that has them; whether a statement then succeeds
//! does not matter, only where SQLite ended it.

use std::ops::Range;

use rusqlite::Connection;

use super::tests::fixtures;
use super::{Syntax, split};

/// Tables the tricky inputs use, with columns named after keywords.
const SCHEMA: &str = r#"
    CREATE TABLE t (id INTEGER PRIMARY KEY, x INT, "by" INT, "order" INT, "end" INT,
                    "begin" INT, "match" INT, "like" INT, "left" INT, "case" INT);
    CREATE TABLE log (msg TEXT);
    CREATE TABLE "begin" ("end" INT);
"#;

/// The byte ranges of `sql` that SQLite's parser reads as its statements,
/// each from the end of the one before up to and including its `;`; each
/// statement is run before the next is prepared.
fn sqlite_statements(connection: &Connection, sql: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    while start < sql.len() {
        let Some(length) = first_statement_length(connection, &sql[start..]) else {
            break;
        };
        found.push(start..start + length);
        // Run it so that the next statements find their tables; whether it
        // succeeds does not matter here.
        let _ = connection.execute_batch(&sql[start..start + length]);
        start += length;
    }
    found
}

/// The length of the text SQLite's parser reads as the first statement of
/// `sql` (with the comments before it and its `;`), `None` when `sql` holds
/// only whitespace, comments and `;`. rusqlite keeps the tail `prepare`
/// returns to itself (and its `expanded_sql` shows parameters as `NULL`),
/// so this calls `sqlite3_prepare_v2` directly.
fn first_statement_length(connection: &Connection, sql: &str) -> Option<usize> {
    use rusqlite::ffi;
    let mut start = 0;
    loop {
        let rest = &sql[start..];
        let length = std::os::raw::c_int::try_from(rest.len()).expect("a short input");
        let mut statement = std::ptr::null_mut();
        let mut tail = std::ptr::null();
        // SAFETY: the handle is the live connection's, used on this thread
        // only; `rest` outlives the call and its length is given, so it needs
        // no NUL; the statement is finalized before the handle is used again.
        let (code, found) = unsafe {
            let code = ffi::sqlite3_prepare_v2(
                connection.handle(),
                rest.as_ptr().cast(),
                length,
                &mut statement,
                &mut tail,
            );
            let found = !statement.is_null();
            ffi::sqlite3_finalize(statement);
            (code, found)
        };
        assert_eq!(
            code,
            ffi::SQLITE_OK,
            "SQLite cannot prepare {rest:?}: {}",
            connection
                .execute_batch(rest)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        );
        let read = if tail.is_null() {
            rest.len()
        } else {
            (tail as usize)
                .saturating_sub(rest.as_ptr() as usize)
                .min(rest.len())
        };
        if found {
            return Some(start + read);
        }
        if read == 0 {
            return None;
        }
        // A lone `;`: SQLite reads it as an empty statement; go on past it.
        start += read;
    }
}

/// Checks that `sql` splits into the statements SQLite finds: as many, and
/// each of ours inside SQLite's (which also holds the trivia around it).
#[track_caller]
fn assert_split_as_sqlite(connection: &Connection, name: &str, sql: &str) {
    let ours = split(sql, Syntax::Sqlite).unwrap_or_else(|error| panic!("{name}: {error}"));
    let theirs = sqlite_statements(connection, sql);
    let ours_text: Vec<&str> = ours.iter().map(|s| s.text.as_str()).collect();
    let theirs_text: Vec<&str> = theirs.iter().map(|r| sql[r.clone()].trim()).collect();
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: the splitter and SQLite disagree\n ours: {ours_text:#?}\n SQLite's: {theirs_text:#?}"
    );
    for (statement, range) in ours.iter().zip(&theirs) {
        let end = statement.offset + statement.text.len();
        assert!(
            range.start <= statement.offset && end <= range.end,
            "{name}: our statement at line {} is not SQLite's {:?}\n ours: {ours_text:#?}",
            statement.line,
            &sql[range.clone()],
        );
    }
}

#[test]
fn every_sqlite_fixture_splits_as_sqlite_parses_it() {
    // The fixtures build on each other (001 creates the tables, 002 the
    // audit log...), so they run in order on one database. The legacy
    // ALTER TABLE lets 004 rename a table while 002's triggers name it.
    let connection = Connection::open_in_memory().expect("an in-memory database");
    connection
        .execute_batch("PRAGMA legacy_alter_table = ON")
        .expect("legacy ALTER TABLE");
    for (stem, sql) in fixtures("sqlite") {
        assert_split_as_sqlite(&connection, &stem, &sql);
    }
}

/// Triggers and expressions where a keyword is a name, or an `END` may or
/// may not close something.
const TRICKY: [&str; 16] = [
    // Issue 10: `END` after `new.by` (`old.order` is no name: ORDER is reserved) closes the CASE; the COMMIT is separate.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       UPDATE t SET x = CASE WHEN 1 THEN new.by END WHERE id = new.id;
     END;
     COMMIT;
     INSERT INTO log VALUES ('after');",
    "CREATE TRIGGER tr AFTER UPDATE ON t BEGIN
       INSERT INTO log SELECT CASE WHEN old.by > 0 THEN old.match ELSE new.end END;
       INSERT INTO log VALUES (CASE new.match WHEN 1 THEN t.end END) ;
     END; SELECT 1;",
    // Bare keyword-named columns: `by`, `end`, `like`, `match`, `left`.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       UPDATE t SET x = CASE WHEN 1 THEN by END, end = CASE WHEN end > 0 THEN end ELSE -end END;
       UPDATE t SET x = CASE WHEN like THEN match ELSE left END;
     END;
     SELECT 2;",
    // Nested CASE, in and out of parentheses, CASE on a keyword column.
    "CREATE TRIGGER tr BEFORE DELETE ON t BEGIN
       SELECT CASE WHEN old.x THEN CASE WHEN by THEN 1 ELSE 2 END
                   ELSE (CASE end WHEN 1 THEN 2 END) END;
       SELECT CASE WHEN (SELECT max(end) FROM t ORDER BY end) THEN (CASE WHEN 1 THEN 2 END) END;
     END;
     SELECT 3;",
    // Operators before `end`: NOT LIKE, IS NOT, BETWEEN ... AND, ESCAPE, COLLATE.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       SELECT CASE WHEN 'a' NOT LIKE end THEN 1 WHEN new.x IS NOT end THEN 2 END;
       SELECT CASE WHEN new.x BETWEEN 1 AND end THEN 'a' COLLATE nocase END;
       SELECT CASE WHEN 'a' LIKE end ESCAPE '!' THEN NULL ELSE new.x ISNULL END;
       SELECT CASE WHEN NOT end THEN new.x NOT NULL END FROM t;
     END;
     SELECT 4;",
    // Comments and strings holding `;`, END and COMMIT.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       -- END; COMMIT;
       INSERT INTO log VALUES ('END; COMMIT;');  /* ; END ; */
       SELECT CASE WHEN 1 THEN new.by /* ; */ END -- ; END
       ;
     END -- done;
     ;
     SELECT 'END;';",
    // BEGIN and END as names: a column, a table, a trigger.
    "CREATE TRIGGER tr AFTER UPDATE OF begin ON t WHEN new.begin > 0 BEGIN
       UPDATE t SET begin = begin + 1, end = 0 WHERE id = new.id AND end IS NULL;
     END;
     CREATE TRIGGER begin AFTER INSERT ON begin BEGIN SELECT end FROM begin; END;
     SELECT 5;",
    // A CASE in the trigger's WHEN clause, before the body.
    "CREATE TRIGGER tr AFTER INSERT ON t WHEN CASE WHEN new.by THEN 1 END
     BEGIN SELECT CASE WHEN new.end THEN 1 END; END; SELECT 6;",
    // Aliases named end, after a CASE and at the end of a statement.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       SELECT CASE WHEN new.x THEN 1 END end FROM t;
       SELECT 1 end;
       SELECT x AS end FROM t AS end;
     END;
     SELECT 7;",
    // Window functions and quoted names.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       SELECT CASE WHEN new.x THEN (SELECT row_number() OVER (PARTITION BY by ORDER BY end) FROM t) END;
       SELECT CASE \"end\" WHEN [by] THEN `case` END FROM t;
     END;
     SELECT 8;",
    // Function calls, CAST, RAISE, parameters-like names.
    "CREATE TRIGGER tr BEFORE INSERT ON t BEGIN
       SELECT CASE WHEN abs(new.x) > 1 THEN CAST(end AS TEXT) END FROM t;
       SELECT RAISE(ABORT, 'x; END') WHERE CASE WHEN new.x THEN 1 ELSE 0 END;
     END;
     SELECT 9;",
    // A TEMP trigger with IF NOT EXISTS, lower case.
    "create temp trigger if not exists tr after insert on t for each row
     begin select case when new.by then 1 end; end; select 10;",
    // CASE outside a trigger, with keyword columns.
    "SELECT CASE WHEN end THEN by END end FROM t; SELECT CASE WHEN 1 THEN new END FROM (SELECT 1 AS new);",
    // Transaction control around a trigger.
    "BEGIN; CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; COMMIT; END;",
    // Statements after a body that ends without a final `;`.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN old.end END; END",
    // IN a table, EXISTS, a qualified star.
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN
       SELECT CASE WHEN new.x IN log THEN 1 WHEN EXISTS (SELECT t.* FROM t) THEN 2 END;
     END; SELECT 11;",
];

#[test]
fn tricky_triggers_split_as_sqlite_parses_them() {
    for (index, sql) in TRICKY.iter().enumerate() {
        let connection = Connection::open_in_memory().expect("an in-memory database");
        connection.execute_batch(SCHEMA).expect("the schema");
        assert_split_as_sqlite(&connection, &format!("tricky input {index}"), sql);
    }
}
