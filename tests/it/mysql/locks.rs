//! MySQL's `GET_LOCK` run lock: processes racing `up` over DDL files, a
//! waiting run naming the holder's connection, and killed runs: a DDL file
//! cut off into `failed`, a file of row changes leaving no trace.

use std::time::{Duration, Instant};

use crate::support::{Project, Run, TestDb, migrate, race_up_and_check_each_version_once, states};

#[test]
fn three_processes_racing_up_over_ddl_files_apply_every_version_once() {
    let Some(db) = TestDb::mysql() else { return };
    const VERSIONS: u64 = 16;
    let mut project = Project::new().up(
        1,
        "hits",
        "CREATE TABLE hits (version INTEGER NOT NULL);\nINSERT INTO hits VALUES (1);\n",
    );
    for version in 2..=VERSIONS {
        // DDL: each statement commits on its own, with its progress recorded.
        project = project.up(
            version,
            &format!("t_{version}"),
            &format!(
                "CREATE TABLE t_{version} (id INTEGER);\nINSERT INTO hits VALUES ({version});\n"
            ),
        );
    }
    race_up_and_check_each_version_once(&project, &db, 3, VERSIONS);
}

#[test]
fn a_waiting_run_names_the_holders_connection_id() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(1, "slow", "SELECT SLEEP(3);\n");
    let holder = project.command().database(&db).args(["up"]).spawn();
    db.wait_for_run_lock();
    let connection = db.run_lock_holder().expect("the holder's connection id");

    let started = Instant::now();
    let waiter = migrate(&project, &db, &["up", "--lock-wait", "1", "--json"]);
    waiter.expect(4);
    assert!(started.elapsed() >= Duration::from_secs(1), "{waiter}");
    assert_eq!(waiter.json()["error"]["exit_code"], 4);
    assert!(
        waiter
            .stderr
            .contains(&format!("connection id {connection}")),
        "{waiter}"
    );

    Run::from_child(holder).success();
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

#[test]
fn a_killed_ddl_file_is_failed_and_status_says_it_was_cut_off() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new().up(
        1,
        "doomed",
        "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\n\
         SELECT SLEEP(5);\n\
         CREATE TABLE after_sleep (id INTEGER PRIMARY KEY);\n",
    );
    let mut run = project.command().database(&db).args(["up"]).spawn();
    // The first statement commits on its own and its progress is recorded;
    // then the slow one runs.
    let progress = "SELECT statements_done FROM db_version WHERE version = '1'";
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(db.table_exists("db_version") && db.rows(progress) == [["1"]]) {
        assert!(
            Instant::now() < deadline,
            "the first statement never committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    run.kill().expect("SIGKILL the run");
    assert!(!run.wait().expect("reap the run").success());

    assert!(db.table_exists("doomed") && !db.table_exists("after_sleep"));
    assert_eq!(
        db.rows("SELECT outcome, finished_at FROM db_version_log WHERE version = '1'"),
        [["running", "NULL"]]
    );
    let status = migrate(&project, &db, &["status"]);
    status.success();
    let line = status
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("no line for version 1\n{status}"));
    for part in ["failed", "cut off", "1 statement(s) committed"] {
        assert!(line.contains(part), "{part:?} missing\n{status}");
    }
    let json = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(json["versions"][0]["state"], "failed", "{json}");
    let failure = json["versions"][0]["failure"].to_string();
    assert!(failure.contains("cut off"), "{json}");

    db.wait_until_run_lock_is_free();
    let refused = migrate(&project, &db, &["up"]);
    refused.expect(5);
    assert!(refused.stderr.contains("cut off"), "{refused}");
    // The statements after the committed one may change.
    project.write(
        "up/1_doomed.sql",
        "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\n\
         SELECT 1;\n\
         CREATE TABLE after_sleep (id INTEGER PRIMARY KEY);\n",
    );
    migrate(&project, &db, &["up", "--resume"]).expect(5);
    migrate(&project, &db, &["up", "--resume", "--rerun-unknown"]).success();
    assert!(db.table_exists("after_sleep"));
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

#[test]
fn a_killed_file_of_row_changes_leaves_no_trace() {
    let Some(db) = TestDb::mysql() else { return };
    let project = Project::new()
        .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
        .up(
            2,
            "fill",
            "INSERT INTO items (id) VALUES (1);\nSELECT SLEEP(3);\nINSERT INTO items (id) VALUES (2);\n",
        );
    migrate(&project, &db, &["up", "1"]).success();
    let mut run = project.command().database(&db).args(["up"]).spawn();
    db.wait_for_run_lock();
    // Unavoidable: give the run time to insert and enter the slow statement.
    std::thread::sleep(Duration::from_millis(500));
    run.kill().expect("SIGKILL the run");
    assert!(!run.wait().expect("reap the run").success());

    db.wait_until_run_lock_is_free();
    assert_eq!(db.scalar("SELECT count(*) FROM items"), 0);
    assert_eq!(db.versions(), states(&[(1, "added")]));
    let status = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(status["versions"][1]["state"], "pending", "{status}");
    project.write("up/2_fill.sql", "INSERT INTO items (id) VALUES (1);\n");
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}
