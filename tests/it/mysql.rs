//! MySQL's and MariaDB's own promises, on the server of
//! `MIGRATE_TEST_MYSQL_URL` (each test skipped, loudly, when it is not set;
//! failed when `CI=true`): a file of DDL commits statement by statement, so
//! a failure leaves its version `failed` until `up --resume` or `mark`,
//! while a file of row changes stays atomic; `DELIMITER`, compound
//! statements and prepared statements run; `--single-transaction` is
//! refused; errors carry MySQL's error number and the right line. The run
//! lock is in `mysql/locks.rs`, accounts, sockets and TLS in
//! `mysql/connections.rs`.

mod connections;
mod locks;

use crate::support::{Project, TestDb, json_operations, migrate, states};

/// Version 1 is fine; version 2 (`up/2_shop.sql`) creates two tables, then
/// fails at its third statement, on line 4; version 3 comes after.
fn failing_ddl() -> Project {
    Project::new()
        .up(1, "base", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n")
        .up(
            2,
            "shop",
            "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n\
             CREATE TABLE orders (id INTEGER PRIMARY KEY);\n\
             \n\
             CREATE INDEX orders_by_id ON missing_table (id);\n\
             CREATE TABLE payments (id INTEGER PRIMARY KEY);\n",
        )
        .simdrop(2, "SELECT 1;\n")
        .up(3, "later", "CREATE TABLE later (id INTEGER PRIMARY KEY);\n")
}

const FIXED_SHOP: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n\
                          CREATE TABLE orders (id INTEGER PRIMARY KEY);\n\
                          \n\
                          CREATE INDEX orders_by_id ON orders (id);\n\
                          CREATE TABLE payments (id INTEGER PRIMARY KEY);\n";

#[test]
fn a_ddl_file_failing_at_its_third_statement_keeps_the_first_two_and_is_failed() {
    let Some(db) = TestDb::mysql() else { return };
    let project = failing_ddl();
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(run.stderr.starts_with("error: up/2_shop.sql:4: "), "{run}");
    assert!(run.stderr.contains("MySQL error 1146"), "{run}");
    // MySQL committed each DDL statement: the first two stay.
    assert!(db.table_exists("customers") && db.table_exists("orders"));
    assert!(!db.table_exists("payments") && !db.table_exists("later"));

    let human = migrate(&project, &db, &["status"]);
    human.success();
    let line = human
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("2 "))
        .unwrap_or_else(|| panic!("no line for version 2\n{human}"));
    for part in ["failed", "line 4", "2 statement(s) committed", "1146"] {
        assert!(line.contains(part), "{part:?} missing\n{human}");
    }
    assert!(human.stdout.contains("up --resume"), "{human}");
    let json = migrate(&project, &db, &["status", "--json"]).json();
    let version = &json["versions"][1];
    assert_eq!(version["state"], "failed", "{json}");
    let failure = version["failure"].to_string();
    for part in ["line 4", "2 statement(s) committed", "1146"] {
        assert!(failure.contains(part), "{part:?} missing\n{json}");
    }
    migrate(&project, &db, &["status", "--check"]).expect(3);

    let before = db.footprint();
    for args in [
        &["up"][..],
        &["up", "--only", "3"],
        &["down", "0"],
        &["simdrop"],
        &["rollback_simdrop"],
        &["drop"],
        &["ff"],
        &["mark", "3"],
    ] {
        let refused = migrate(&project, &db, args);
        refused.expect(5);
        assert!(
            refused.stderr.contains("up --resume"),
            "{args:?}\n{refused}"
        );
    }
    assert_eq!(
        db.footprint(),
        before,
        "a refused command changed something"
    );

    // Running the first two statements again would fail: the tables exist.
    project.write("up/2_shop.sql", FIXED_SHOP);
    let resumed = migrate(&project, &db, &["up", "--resume", "--json"]);
    resumed.success();
    assert_eq!(
        json_operations(&resumed.json()),
        [(2, "add".to_string()), (3, "add".to_string())]
    );
    assert!(db.table_exists("payments") && db.table_exists("later"));
    assert_eq!(
        db.versions(),
        states(&[(1, "added"), (2, "added"), (3, "added")])
    );
    assert_eq!(
        db.rows("SELECT outcome FROM db_version_log WHERE version = '2' ORDER BY id"),
        [["failed"], ["ok"]]
    );
    migrate(&project, &db, &["verify"]).success();
}

#[test]
fn mark_only_resolves_a_failed_ddl_file() {
    let Some(db) = TestDb::mysql() else { return };
    let project = failing_ddl();
    migrate(&project, &db, &["up"]).expect(1);
    // The operator finishes the job by hand, then records it.
    db.execute(
        "CREATE INDEX orders_by_id ON orders (id); \
         CREATE TABLE payments (id INTEGER PRIMARY KEY)",
    );
    migrate(&project, &db, &["mark", "--only", "2", "--state", "added"]).success();
    let status = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(status["versions"][1]["state"], "added", "{status}");
    let run = migrate(&project, &db, &["up", "--json"]);
    run.success();
    assert_eq!(json_operations(&run.json()), [(3, "add".to_string())]);
    assert_eq!(
        db.versions(),
        states(&[(1, "added"), (2, "added"), (3, "added")])
    );
}

#[test]
fn a_file_of_row_changes_failing_mid_way_leaves_no_trace() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new()
        .up(
            1,
            "stock",
            "CREATE TABLE stock (item VARCHAR(100) PRIMARY KEY, qty INTEGER NOT NULL);\n\
             INSERT INTO stock (item, qty) VALUES ('apples', 5);\n",
        )
        .up(
            2,
            "restock",
            "UPDATE stock SET qty = qty - 1;\n\
             INSERT INTO stock (item, qty) VALUES ('pears', 3);\n\
             DELETE FROM stock WHERE item = 'apples';\n\
             INSERT INTO stock (item, qty)\n\
             \x20 VALUES ('plums', NULL);\n",
        );
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(
        run.stderr.starts_with("error: up/2_restock.sql:4: "),
        "{run}"
    );
    assert!(run.stderr.contains("MySQL error 1048"), "{run}");
    assert_eq!(db.rows("SELECT item, qty FROM stock"), [["apples", "5"]]);
    assert_eq!(db.versions(), states(&[(1, "added")]));
    let status = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(status["versions"][1]["state"], "pending", "{status}");

    // Atomic: nothing to resume; fix the file and run `up` again.
    project.write(
        "up/2_restock.sql",
        "UPDATE stock SET qty = qty - 1;\nINSERT INTO stock (item, qty) VALUES ('pears', 3);\n",
    );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT item, qty FROM stock ORDER BY item"),
        [["apples", "4"], ["pears", "3"]]
    );
}

#[test]
fn delimiter_files_create_a_procedure_a_function_and_a_trigger() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(
        1,
        "programs",
        "CREATE TABLE events (id INTEGER PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100));\n\
         CREATE TABLE audit (id INTEGER PRIMARY KEY AUTO_INCREMENT, note VARCHAR(100));\n\
         \n\
         DELIMITER $$\n\
         CREATE PROCEDURE add_event(IN what VARCHAR(100))\n\
         BEGIN\n\
         \x20 INSERT INTO events (note) VALUES (what);\n\
         \x20 INSERT INTO events (note) VALUES (CONCAT(what, '; again'));\n\
         END$$\n\
         \n\
         CREATE FUNCTION shout(what VARCHAR(100)) RETURNS VARCHAR(100) DETERMINISTIC\n\
         BEGIN\n\
         \x20 DECLARE loud VARCHAR(100);\n\
         \x20 SET loud = UPPER(what);\n\
         \x20 RETURN CONCAT(loud, '!');\n\
         END$$\n\
         \n\
         CREATE TRIGGER events_audit AFTER INSERT ON events\n\
         FOR EACH ROW\n\
         BEGIN\n\
         \x20 INSERT INTO audit (note) VALUES (CONCAT('added: ', NEW.note));\n\
         END$$\n\
         DELIMITER ;\n\
         \n\
         CALL add_event('first');\n\
         INSERT INTO events (note) VALUES (shout('second'));\n",
    );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT note FROM events ORDER BY id"),
        [["first"], ["first; again"], ["SECOND!"]]
    );
    assert_eq!(
        db.rows("SELECT note FROM audit ORDER BY id"),
        [
            ["added: first"],
            ["added: first; again"],
            ["added: SECOND!"]
        ]
    );
    assert_eq!(db.rows("SELECT shout('x')"), [["X!"]]);
}

#[test]
fn statements_sharing_a_delimiter_block_run_one_by_one() {
    // The text between two `$$` holds a procedure and two more statements:
    // each is classified and run alone (the INSERTs stay after the DDL).
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(
        1,
        "block",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, note VARCHAR(100));\n\
         DELIMITER $$\n\
         CREATE PROCEDURE add_note(IN n INTEGER)\n\
         BEGIN\n\
         \x20 INSERT INTO notes (id, note) VALUES (n, 'from p; ok');\n\
         END;\n\
         INSERT INTO notes (id, note) VALUES (1, 'one'); CALL add_note(2)$$\n\
         DELIMITER ;\n",
    );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT note FROM notes ORDER BY id"),
        [["one"], ["from p; ok"]]
    );
}

#[test]
fn a_compound_statement_without_delimiter_is_one_statement() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(
        1,
        "bump",
        "CREATE TABLE counters (name VARCHAR(100) PRIMARY KEY, n INTEGER NOT NULL);\n\
         CREATE PROCEDURE bump(IN which VARCHAR(100))\n\
         BEGIN\n\
         \x20 INSERT INTO counters (name, n) VALUES (which, 0) ON DUPLICATE KEY UPDATE n = n;\n\
         \x20 UPDATE counters SET n = n + 1 WHERE name = which;\n\
         END;\n\
         CALL bump('a');\n\
         CALL bump('a');\n\
         CALL bump('b');\n",
    );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT name, n FROM counters ORDER BY name"),
        [["a", "2"], ["b", "1"]]
    );
}

#[test]
fn a_prepared_statement_from_a_string_with_semicolons_runs() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new()
        .up(
            1,
            "notes",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(100));\n",
        )
        .up(
            2,
            "prepared",
            "SET @s = 'INSERT INTO notes (id, body) VALUES (1, ''a; b''), (2, ''c;'')';\n\
             PREPARE st FROM @s;\n\
             EXECUTE st;\n\
             DEALLOCATE PREPARE st;\n",
        );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.rows("SELECT body FROM notes ORDER BY id"),
        [["a; b"], ["c;"]]
    );
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}

#[test]
fn single_transaction_is_a_usage_error() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(1, "a", "INSERT INTO nowhere VALUES (1);\n");
    let run = migrate(&project, &db, &["up", "--single-transaction"]);
    run.expect(2);
    assert!(run.stderr.contains("--single-transaction"), "{run}");
    let json = migrate(&project, &db, &["up", "--single-transaction", "--json"]);
    json.expect(2);
    assert_eq!(json.json()["error"]["exit_code"], 2);
    assert!(!db.exists(), "a refused run created tables");
}

#[test]
fn retries_on_a_ddl_file_is_refused_before_anything_runs() {
    let Some(db) = TestDb::mysql() else { return };
    // DDL commits implicitly, so the file could not be re-run as a whole.
    let project = Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(
            2,
            "b",
            "-- migrate: retries=3\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n",
        );
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    assert!(run.stderr.contains("up/2_b.sql"), "{run}");
    assert!(run.stderr.contains("retries="), "{run}");
    assert!(
        !db.table_exists("a"),
        "preflight runs before the first file"
    );
}

#[test]
fn errors_show_the_error_number_and_the_line() {
    // MySQL names the line of a syntax error within the statement.
    for (file, line, number) in [
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY);\n\
             \n\
             INSERT INTO t (id)\n\
             \x20 VALUES (1),\n\
             \x20 VALUES (2);\n",
            5,
            1064,
        ),
        (
            "INSERT INTO base (id) VALUES (1);\n\
             \n\
             INSERT INTO base (id)\n\
             \x20 VALUES (2),\n\
             \x20 VALUES (3);\n",
            5,
            1064,
        ),
        (
            "INSERT INTO base (id) VALUES (1);\n\
             -- a comment; with a semicolon\n\
             INSERT INTO base (id) VALUES (2);\n\
             INSERT INTO missing_table (id) VALUES (3);\n",
            4,
            1146,
        ),
    ] {
        let Some(db) = TestDb::mysql() else { return };
        let project = Project::new()
            .up(1, "base", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n")
            .up(2, "broken", file);
        let run = migrate(&project, &db, &["up", "--json"]);
        run.expect(1);
        let error = &run.json()["error"];
        assert_eq!(error["line"], line, "{run}");
        assert!(
            run.stderr
                .starts_with(&format!("error: up/2_broken.sql:{line}: ")),
            "{run}"
        );
        assert!(
            run.stderr.contains(&format!("MySQL error {number}")),
            "{run}"
        );
    }
}

#[test]
fn savepoints_keep_a_file_of_rows_atomic() {
    let Some(db) = TestDb::mysql() else { return };
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
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.rows("SELECT id FROM items ORDER BY id"), [["1"], ["3"]]);
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}

#[test]
fn a_failed_file_that_wrote_to_myisam_is_failed_not_pending() {
    let Some(db) = TestDb::mysql() else {
        return;
    };
    let project = Project::new()
        .up(
            1,
            "tables",
            "CREATE TABLE counters (id INTEGER PRIMARY KEY) ENGINE = MyISAM;\n",
        )
        .up(
            2,
            "fill",
            "INSERT INTO counters (id) VALUES (1);\n\
             INSERT INTO missing_table (id) VALUES (1);\n",
        );
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(run.stderr.contains("up/2_fill.sql:2"), "{run}");
    assert!(
        run.stderr.contains("tables without transactions"),
        "the kept rows are not named\n{run}"
    );
    // The row stayed: the version is failed, so a rerun cannot write it twice.
    assert_eq!(db.scalar("SELECT count(*) FROM counters"), 1);
    let status = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(status["versions"][1]["state"], "failed", "{status}");
    migrate(&project, &db, &["up"]).expect(5);
    assert_eq!(db.scalar("SELECT count(*) FROM counters"), 1);
    // The way out the message gives.
    migrate(&project, &db, &["mark", "--only", "2", "--state", "added"]).success();
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}
