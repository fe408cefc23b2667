//! How files run beyond one transaction each: `--single-transaction`
//! (SPEC section 5: all of the plan lands or none of it; not on MySQL, see
//! `mysql.rs`) and the `lock-timeout=` and `retries=` directives with
//! `--lock-timeout` (sections 1 and 8).

use std::time::Duration;

use crate::support::{
    Backend, Project, Run, for_each_backend, for_each_backend_where, json_operations, migrate,
    states,
};

/// Versions 1 and 2 are fine; 3 fails.
fn failing_third() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
        .up(
            3,
            "x",
            "CREATE TABLE x (id INTEGER PRIMARY KEY);\nINSERT INTO missing_table (id) VALUES (1);\n",
        )
}

/// Version 2 is marked `no-transaction`.
fn with_no_transaction_file() -> Project {
    Project::new()
        .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
        .up(
            2,
            "fill",
            "-- migrate: no-transaction\nINSERT INTO items (id) VALUES (1);\n",
        )
}

#[test]
fn single_transaction_lands_nothing_when_the_last_file_fails() {
    for_each_backend_where(Backend::supports_single_transaction, |db| {
        let project = failing_third();
        let run = migrate(&project, db, &["up", "--single-transaction", "--json"]);
        run.expect(1);
        let document = run.json();
        assert_eq!(json_operations(&document), []);
        assert_eq!(document["error"]["file"], "up/3_x.sql");
        assert_eq!(db.versions(), []);
        for table in ["a", "b", "x"] {
            assert!(!db.table_exists(table), "{table} survived the rollback");
        }
        // The same plan without the failure lands whole.
        project.write("up/3_x.sql", "CREATE TABLE x (id INTEGER PRIMARY KEY);\n");
        migrate(&project, db, &["up", "--single-transaction"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn single_transaction_does_not_report_rolled_back_operations() {
    for_each_backend_where(Backend::supports_single_transaction, |db| {
        let project = failing_third();
        let run = migrate(&project, db, &["up", "--single-transaction"]);
        run.expect(1);
        assert_eq!(db.versions(), []);
        assert_eq!(
            run.operations(),
            [],
            "stdout claims operations that did not land\n{run}"
        );
    });
}

#[test]
fn single_transaction_refuses_a_no_transaction_file() {
    for_each_backend_where(Backend::supports_single_transaction, |db| {
        let project = with_no_transaction_file();
        let run = migrate(&project, db, &["up", "--single-transaction"]);
        // Refused for safety (SPEC section 6).
        run.expect(5);
        assert!(run.stderr.contains("up/2_fill.sql"), "{run}");
        assert!(run.stderr.contains("no-transaction"), "{run}");
        assert!(!db.exists(), "a refused run created the database");
    });
}

#[test]
fn lock_timeout_and_retries_directives_run() {
    for_each_backend(|db| {
        // Row changes, so that every file is transactional on every database
        // (retries= re-runs only a transactional file).
        let project = Project::new()
            .up(
                1,
                "tables",
                "CREATE TABLE a (id INTEGER PRIMARY KEY);\n\
                 CREATE TABLE b (id INTEGER PRIMARY KEY);\n\
                 CREATE TABLE c (id INTEGER PRIMARY KEY);\n",
            )
            .up(
                2,
                "a",
                "-- migrate: retries=3 lock-timeout=2s\nINSERT INTO a (id) VALUES (1);\n",
            )
            .up(
                3,
                "b",
                "-- migrate: no-transaction lock-timeout=500ms\nINSERT INTO b (id) VALUES (1);\n",
            )
            .up(
                4,
                "c",
                "-- migrate: lock-timeout=1m\n-- migrate: retries=1\nINSERT INTO c (id) VALUES (1);\n",
            );
        migrate(&project, db, &["up", "--lock-timeout", "500ms"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added"), (4, "added")])
        );
        for table in ["a", "b", "c"] {
            assert_eq!(db.scalar(&format!("SELECT count(*) FROM {table}")), 1);
        }
    });
}

/// Version 1 creates `a`; 2 and 3 add rows to it, and 2 bounds its lock wait.
fn rows_into_a(directive_of_2: &str) -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(
            2,
            "b",
            &format!("-- migrate: {directive_of_2}\nINSERT INTO a (id) VALUES (2);\n"),
        )
        .up(3, "c", "INSERT INTO a (id) VALUES (3);\n")
}

#[test]
fn lock_timeout_bounds_the_wait_for_a_locked_table() {
    for_each_backend(|db| {
        let project = rows_into_a("lock-timeout=500ms");
        migrate(&project, db, &["up", "1"]).success();
        let limit = Duration::from_secs(10);

        let lock = db.lock_table("a");
        // SQLite's table lock is the whole database's write lock, held before
        // the run starts: the run waits for it as part of the run lock, up
        // to --lock-wait, and exits 4 naming it (issue 11).
        let sqlite = db.backend() == Backend::Sqlite;
        let code = if sqlite { 4 } else { 1 };
        let blamed_on = |file: &str| match sqlite {
            true => "write-locked by another program".to_string(),
            false => file.to_string(),
        };
        let run = project
            .command()
            .database(db)
            .args(["--lock-wait", "1", "up", "2"])
            .run_within(limit);
        run.expect(code);
        assert!(run.stderr.contains(&blamed_on("up/2_b.sql")), "{run}");
        let flag = project
            .command()
            .database(db)
            .args([
                "--lock-wait",
                "1",
                "up",
                "--only",
                "3",
                "--lock-timeout",
                "300ms",
            ])
            .run_within(limit);
        flag.expect(code);
        assert!(flag.stderr.contains(&blamed_on("up/3_c.sql")), "{flag}");
        drop(lock);

        assert_eq!(db.versions(), states(&[(1, "added")]));
        // Once the lock is free, the same run goes through.
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions().len(), 3);
        assert_eq!(db.rows("SELECT id FROM a ORDER BY id"), [["2"], ["3"]]);
    });
}

#[test]
fn retries_rerun_a_file_that_timed_out_on_a_lock() {
    for_each_backend(|db| {
        let project = rows_into_a("lock-timeout=300ms retries=10");
        migrate(&project, db, &["up", "1"]).success();
        let lock = db.lock_table("a");
        let run = project.command().database(db).args(["up", "2"]).spawn();
        // The scenario, not synchronisation: the application keeps its lock
        // for 1.5 s, longer than one lock timeout (MySQL's are whole
        // seconds), shorter than all retries.
        std::thread::sleep(Duration::from_millis(1500));
        drop(lock);
        let run = Run::from_child(run);
        run.success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        assert_eq!(db.rows("SELECT id FROM a"), [["2"]]);
    });
}

#[test]
fn a_bad_duration_is_a_usage_error() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
        migrate(&project, db, &["up", "--lock-timeout", "soon"]).expect(2);
        let project = project.up(2, "b", "-- migrate: lock-timeout=soon\nSELECT 1;\n");
        let run = migrate(&project, db, &["up"]);
        run.expect(2);
        assert!(run.stderr.contains("up/2_b.sql"), "{run}");
        assert!(!db.exists());
    });
}
