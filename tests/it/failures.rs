//! Migrations that fail (SPEC sections 3 and 5): an atomic file leaves no
//! trace and what ran before it stays; a `no-transaction` file leaves its
//! version `failed`, blocking every changing command until `up --resume` or
//! `mark --only`; and the database itself refusing is exit 1. (A MySQL file
//! of DDL, which cannot be atomic, is in `mysql.rs`.)

use crate::support::{
    Backend, Project, Run, TestDb, for_each_backend, for_each_backend_where, json_operations,
    mask_run, migrate, states,
};

/// Versions 1 and 2 are fine; 3 creates a table, then fails on line 5.
fn failing_third() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
        .up(
            3,
            "x",
            "CREATE TABLE x (id INTEGER PRIMARY KEY);\n\
             INSERT INTO x (id) VALUES (1);\n\
             \n\
             -- the next statement fails\n\
             INSERT INTO missing_table (id) VALUES (1);\n\
             CREATE TABLE after_failure (id INTEGER PRIMARY KEY);\n",
        )
}

/// The same, but version 3 only changes rows, so that it is atomic on every
/// database (on MySQL too): it fills `a` and `b`, then fails on line 5.
fn failing_third_dml() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
        .up(
            3,
            "x",
            "INSERT INTO a (id) VALUES (1);\n\
             UPDATE a SET id = 2 WHERE id = 1;\n\
             \n\
             -- the next statement fails\n\
             INSERT INTO missing_table (id) VALUES (1);\n\
             INSERT INTO b (id) VALUES (1);\n",
        )
}

/// What a failure of version 3 of either project must show: exit 1, the
/// file and line of the failing statement, the database's message, and
/// versions 1 and 2 applied and reported; version 3 is not applied, and its
/// log row says where it failed.
#[track_caller]
fn assert_third_failed_cleanly(run: &Run, db: &TestDb) {
    run.expect(1);
    assert!(
        run.stderr.starts_with("error: up/3_x.sql:5: "),
        "stderr does not point at the statement\n{run}"
    );
    assert!(run.stderr.contains("missing_table"), "{run}");
    if db.backend() == Backend::Sqlite {
        assert!(run.stderr.contains("no such table: missing_table"), "{run}");
    }
    // What ran before stays applied and was reported.
    assert_eq!(run.operations().len(), 2, "{run}");
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    let log = db.rows(
        "SELECT version, operation, outcome, error, line FROM db_version_log WHERE outcome <> 'ok'",
    );
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0][..3], ["3", "add", "failed"]);
    assert!(log[0][3].contains("missing_table"), "{log:?}");
    assert_eq!(log[0][4], "5");
}

#[test]
fn a_statement_failing_mid_file_rolls_back_that_file_only() {
    // A file of DDL is atomic where DDL is transactional (not on MySQL).
    for_each_backend_where(Backend::has_transactional_ddl, |db| {
        let project = failing_third();
        let run = migrate(&project, db, &["up"]);
        assert_third_failed_cleanly(&run, db);
        // The failing version leaves no trace.
        assert!(
            !db.table_exists("x"),
            "the failed file's first statement was kept"
        );
        assert!(!db.table_exists("after_failure"));
    });
}

#[test]
fn a_row_changing_file_failing_mid_file_rolls_back_that_file_only() {
    for_each_backend(|db| {
        let project = failing_third_dml();
        let run = migrate(&project, db, &["up"]);
        assert_third_failed_cleanly(&run, db);
        // The failing version leaves no trace.
        assert_eq!(
            db.scalar("SELECT count(*) FROM a"),
            0,
            "the failed file's first statements were kept"
        );
        assert_eq!(db.scalar("SELECT count(*) FROM b"), 0);
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][2]["state"], "pending", "{status}");
    });
}

#[test]
fn a_failure_with_json_prints_one_document_with_what_ran_and_the_error() {
    for_each_backend(|db| {
        let project = failing_third_dml();
        let run = migrate(&project, db, &["up", "--json"]);
        run.expect(1);
        let document = run.json();
        assert_eq!(
            json_operations(&document),
            [(1, "add".to_string()), (2, "add".to_string())]
        );
        let error = &document["error"];
        assert_eq!(error["exit_code"], 1, "{document}");
        assert_eq!(error["file"], "up/3_x.sql", "{document}");
        assert_eq!(error["line"], 5, "{document}");
        let message = error["message"].as_str().expect("a message");
        assert!(message.contains("missing_table"), "{document}");
        assert!(run.stderr.contains("up/3_x.sql:5"), "{run}");
    });
}

#[test]
fn failure_output_snapshot() {
    // The database's own message differs: one snapshot per backend.
    for_each_backend(|db| {
        let project = failing_third_dml();
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        let text = format!("--- stdout\n{}--- stderr\n{}", run.stdout, run.stderr);
        insta::with_settings!({ snapshot_suffix => db.backend().name() }, {
            insta::assert_snapshot!("failure_output", mask_run(&text, &project, db));
        });
    });
}

#[test]
fn a_failure_then_a_fix_then_up_applies_the_version() {
    for_each_backend(|db| {
        let project = failing_third_dml();
        migrate(&project, db, &["up"]).expect(1);
        // An atomic failure blocks nothing: fix the file and run again.
        project.write("up/3_x.sql", "INSERT INTO a (id) VALUES (1);\n");
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn the_database_refusing_is_exit_1() {
    let db = TestDb::sqlite();
    std::fs::write(
        db.sqlite_path(),
        "this is not a database file, it is much too plain text",
    )
    .expect("write the file");
    let project = failing_third();
    let before = db.footprint();
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(run.stderr.starts_with("error: "), "{run}");
    let status = migrate(&project, &db, &["status", "--json"]);
    status.expect(1);
    assert_eq!(status.json()["error"]["exit_code"], 1, "{status}");
    assert_eq!(db.footprint(), before);
}

/// Version 1 makes `items`; version 2, not atomic, fails at its 2nd statement.
fn failing_no_transaction() -> Project {
    Project::new()
        .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
        .down(1, "items", "DROP TABLE items;\n")
        .up(
            2,
            "fill",
            "-- migrate: no-transaction\n\
             INSERT INTO items (id) VALUES (1);\n\
             INSERT INTO missing_table (id) VALUES (2);\n\
             INSERT INTO items (id) VALUES (3);\n",
        )
        .simdrop(2, "SELECT 1;\n")
        .up(3, "later", "CREATE TABLE later (id INTEGER PRIMARY KEY);\n")
}

const FIXED_FILL: &str = "-- migrate: no-transaction\n\
                          INSERT INTO items (id) VALUES (1);\n\
                          INSERT INTO items (id) VALUES (2);\n\
                          INSERT INTO items (id) VALUES (3);\n";

#[test]
fn a_no_transaction_file_failing_leaves_its_version_failed() {
    for_each_backend(|db| {
        let project = failing_no_transaction();
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        assert!(run.stderr.starts_with("error: up/2_fill.sql:3: "), "{run}");
        // The first statement committed; the third never ran.
        assert_eq!(db.rows("SELECT id FROM items"), [["1"]]);
        assert!(!db.table_exists("later"));

        let human = migrate(&project, db, &["status"]);
        human.success();
        let line = human
            .stdout
            .lines()
            .find(|line| line.trim_start().starts_with("2 "))
            .unwrap_or_else(|| panic!("no line for version 2\n{human}"));
        assert!(line.contains("failed"), "{human}");
        assert!(line.contains("line 3"), "{human}");
        assert!(human.stdout.contains("up --resume"), "{human}");

        let json = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(json["versions"][1]["state"], "failed", "{json}");
        assert_eq!(json["current_version"], 1);
        migrate(&project, db, &["status", "--check"]).expect(3);

        let log = db.rows("SELECT outcome, line FROM db_version_log WHERE version = '2'");
        assert_eq!(log, [["failed", "3"]]);
    });
}

#[test]
fn every_changing_command_refuses_while_a_version_is_failed() {
    for_each_backend(|db| {
        let project = failing_no_transaction();
        migrate(&project, db, &["up"]).expect(1);
        let before = db.footprint();
        for args in [
            &["up"][..],
            &["up", "--only", "3"],
            &["down"],
            &["down", "0"],
            &["simdrop"],
            &["rollback_simdrop"],
            &["drop"],
            &["ff"],
            &["mark", "3"],
            &["mark", "--only", "3", "--state", "added"],
            &["verify", "--accept"],
        ] {
            let run = migrate(&project, db, args);
            run.expect(5);
            assert!(run.stderr.contains("up --resume"), "{args:?}\n{run}");
            assert!(run.stderr.contains("mark --only 2"), "{args:?}\n{run}");
        }
        assert_eq!(
            db.footprint(),
            before,
            "a refused command changed the database"
        );
    });
}

#[test]
fn up_resume_continues_from_the_failed_statement() {
    for_each_backend(|db| {
        let project = failing_no_transaction();
        migrate(&project, db, &["up"]).expect(1);
        project.write("up/2_fill.sql", FIXED_FILL);
        let run = migrate(&project, db, &["up", "--resume", "--json"]);
        run.success();
        assert_eq!(
            json_operations(&run.json()),
            [(2, "add".to_string()), (3, "add".to_string())]
        );
        // The first INSERT ran once, not twice.
        assert_eq!(
            db.rows("SELECT id FROM items ORDER BY id"),
            [["1"], ["2"], ["3"]]
        );
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][1]["state"], "added");
        assert_eq!(
            status["versions"][1]["drift"], false,
            "the fixed file counts as drift"
        );
        migrate(&project, db, &["verify"]).success();
    });
}

#[test]
fn up_resume_refuses_when_a_committed_statement_changed() {
    for_each_backend(|db| {
        let project = failing_no_transaction();
        migrate(&project, db, &["up"]).expect(1);
        project.write(
            "up/2_fill.sql",
            "-- migrate: no-transaction\n\
             INSERT INTO items (id) VALUES (10);\n\
             INSERT INTO items (id) VALUES (2);\n\
             INSERT INTO items (id) VALUES (3);\n",
        );
        let before = db.footprint();
        let run = migrate(&project, db, &["up", "--resume"]);
        // Refused for safety (SPEC section 6).
        run.expect(5);
        assert!(run.stderr.contains("up/2_fill.sql"), "{run}");
        assert_eq!(db.footprint(), before);
        assert_eq!(db.rows("SELECT id FROM items"), [["1"]]);
    });
}

#[test]
fn up_resume_without_a_failed_version_is_a_usage_error() {
    for_each_backend(|db| {
        let project = failing_third_dml();
        migrate(&project, db, &["up", "2"]).success();
        migrate(&project, db, &["up", "--resume"]).expect(2);
        assert_eq!(db.versions().len(), 2);
    });
}

#[test]
fn mark_only_records_the_true_state_and_clears_the_failure() {
    for_each_backend(|db| {
        let project = failing_no_transaction();
        migrate(&project, db, &["up"]).expect(1);
        // The operator finishes the job by hand, then records it.
        db.execute("INSERT INTO items (id) VALUES (2); INSERT INTO items (id) VALUES (3);");
        let run = migrate(&project, db, &["mark", "--only", "2", "--state", "added"]);
        run.success();
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][1]["state"], "added", "{status}");
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
        assert_eq!(db.scalar("SELECT count(*) FROM items"), 3);
    });
}
