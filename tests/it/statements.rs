//! What a file may hold (SPEC section 1): statements split with respect for
//! quotes, comments and trigger bodies; savepoints, which stay inside the
//! tool's transaction; empty files; and the line numbers of errors.

use crate::support::{Project, TestDb, for_each_backend, migrate, states};

#[test]
fn quotes_and_comments_do_not_split_statements() {
    for_each_backend(|db| {
        let project = Project::new().up(
            1,
            "notes",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50));\n\
             /* a block comment; with a semicolon */\n\
             -- a line comment; with a semicolon\n\
             INSERT INTO notes (id, body) VALUES (1, 'a;b');\n\
             INSERT INTO notes (id, body) VALUES (2, 'it''s; fine');\n\
             INSERT INTO notes (id, body) VALUES (3, 'two\nlines;');\n",
        );
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.rows("SELECT body FROM notes ORDER BY id"),
            [["a;b"], ["it's; fine"], ["two\nlines;"]]
        );
    });
}

#[test]
fn savepoints_stay_inside_the_transaction() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
            .up(
                2,
                "savepoints",
                "INSERT INTO items (id) VALUES (1);\n\
                 SAVEPOINT before_two;\n\
                 INSERT INTO items (id) VALUES (2);\n\
                 ROLLBACK TO SAVEPOINT before_two;\n\
                 RELEASE SAVEPOINT before_two;\n\
                 INSERT INTO items (id) VALUES (3);\n",
            );
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.rows("SELECT id FROM items ORDER BY id"), [["1"], ["3"]]);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn empty_and_comment_only_files_still_move_the_version() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "empty", "").up(2, "blank", "\n\n").up(
            3,
            "comment",
            "-- nothing to do yet\n",
        );
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

const TRIGGER: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY);\n\
                       CREATE TABLE audit (id INTEGER, note TEXT);\n\
                       CREATE TRIGGER t_audit AFTER INSERT ON t\n\
                       BEGIN\n\
                       \x20 INSERT INTO audit (id, note) VALUES (new.id, 'begin; end;');\n\
                       END;\n\
                       INSERT INTO t (id) VALUES (1);\n";

#[test]
fn a_sqlite_trigger_body_is_one_statement_and_not_transaction_control() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "trigger", TRIGGER);
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT id, note FROM audit"),
        [["1", "begin; end;"]]
    );
}

#[test]
fn line_numbers_count_the_lines_of_trigger_bodies_and_strings() {
    let db = TestDb::sqlite();
    let sql = format!(
        "{TRIGGER}INSERT INTO audit (id, note) VALUES (2, 'multi\nline; string');\n\
         \n\
         INSERT INTO missing_table (id) VALUES (1);\n"
    );
    let project = Project::new().up(1, "trigger", &sql);
    let run = migrate(&project, &db, &["up", "--json"]);
    run.expect(1);
    assert_eq!(run.json()["error"]["line"], 11, "{run}");
    assert!(
        run.stderr.starts_with("error: up/1_trigger.sql:11: "),
        "{run}"
    );
    assert!(!db.table_exists("audit"));
}

#[test]
fn sqlite_end_transaction_is_transaction_control() {
    let db = TestDb::sqlite();
    let project = Project::new().up(
        1,
        "end",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);\nEND TRANSACTION;\n",
    );
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    assert!(run.stderr.contains("up/1_end.sql:2:"), "{run}");
    assert!(run.stderr.contains("no-transaction"), "{run}");
    assert!(!db.exists());
}
