//! What a run reports is what happened (issue 10, item 8): a connection that
//! dies after versions landed still reports them and the real error, never
//! the failed release of the run lock; a `no-transaction` file that fails
//! inside its own `BEGIN … COMMIT` shows the database's error and line, and
//! its failure is recorded, not lost with that transaction.

use std::time::{Duration, Instant};

use crate::support::{
    Backend, Project, Run, for_each_backend, for_each_backend_where, json_operations, migrate,
};

#[test]
fn a_connection_killed_mid_run_still_reports_what_landed() {
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = Project::new()
                .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
                .up(2, "b", "INSERT INTO a (id) VALUES (2);\n")
                .up(3, "slow", db.slow_statement());
            let child = project
                .command()
                .database(db)
                .args(["up", "--json"])
                .spawn();
            // Wait until version 3 runs, then end the run's session.
            let deadline = Instant::now() + Duration::from_secs(20);
            while !(db.table_exists("db_version") && db.versions().len() == 2) {
                assert!(Instant::now() < deadline, "versions 1 and 2 never landed");
                std::thread::sleep(Duration::from_millis(20));
            }
            let holder = db.run_lock_holder().expect("the run holds its lock");
            match db.backend() {
                Backend::Postgres => db.execute(&format!("SELECT pg_terminate_backend({holder})")),
                _ => db.execute(&format!("KILL {holder}")),
            }
            let run = Run::from_child(child);
            run.expect(1);
            let document = run.json();
            assert_eq!(
                json_operations(&document),
                [(1, "add".to_string()), (2, "add".to_string())],
                "{run}"
            );
            let message = document["error"]["message"].as_str().expect("a message");
            assert!(!message.contains("run lock"), "{run}");
            assert_eq!(document["error"]["file"], "up/3_slow.sql", "{run}");
            db.wait_until_run_lock_is_free();
        },
    );
}

/// A `no-transaction` file whose own transaction fails at line 5.
fn own_transaction_failing() -> Project {
    Project::new().up(
        1,
        "own",
        "-- migrate: no-transaction\n\
         CREATE TABLE own (id INTEGER PRIMARY KEY);\n\
         BEGIN;\n\
         INSERT INTO own (id) VALUES (1);\n\
         INSERT INTO missing_table (id) VALUES (1);\n\
         COMMIT;\n",
    )
}

#[test]
fn a_failure_inside_a_files_own_transaction_is_shown_and_recorded() {
    for_each_backend(|db| {
        let project = own_transaction_failing();
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        assert!(
            run.stderr.starts_with("error: up/1_own.sql:5: "),
            "the statement is not named\n{run}"
        );
        assert!(run.stderr.contains("missing_table"), "{run}");
        assert!(!run.stderr.contains("run lock"), "{run}");
        // The failure is recorded: one statement (the CREATE TABLE) committed.
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][0]["state"], "failed", "{status}");
        let log = db.rows("SELECT outcome, statement, line FROM db_version_log");
        assert_eq!(log, [["failed", "4", "5"]], "the log row is not completed");
        // The file's rolled-back insert is gone; the fix resumes after CREATE TABLE.
        assert_eq!(db.scalar("SELECT count(*) FROM own"), 0);
        let fixed = std::fs::read_to_string(project.path().join("up/1_own.sql"))
            .expect("read the file")
            .replace("INSERT INTO missing_table (id) VALUES (1);\n", "");
        project.write("up/1_own.sql", fixed);
        migrate(&project, db, &["up", "--resume"]).success();
        assert_eq!(db.scalar("SELECT count(*) FROM own"), 1);
        let unfinished = db.rows("SELECT id FROM db_version_log WHERE outcome = 'running'");
        assert!(unfinished.is_empty(), "{unfinished:?}");
    });
}
