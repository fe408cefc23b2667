//! PostgreSQL's advisory run lock and lock timeouts: processes racing `up`,
//! a waiting run naming the holder, a run killed inside its transaction,
//! and `lock-timeout=` with `retries=` against a lock the application holds.

use std::time::{Duration, Instant};

use crate::support::{Project, Run, TestDb, migrate, race_up_and_check_each_version_once, states};

#[test]
fn four_processes_racing_up_apply_every_version_exactly_once() {
    let Some(db) = TestDb::postgres() else { return };
    const VERSIONS: u64 = 24;
    let mut project = Project::new().up(
        1,
        "hits",
        "CREATE TABLE hits (version INTEGER NOT NULL);\nINSERT INTO hits VALUES (1);\n",
    );
    for version in 2..=VERSIONS {
        // Every fourth file runs outside a transaction.
        let sql = if version % 4 == 0 {
            format!(
                "-- migrate: no-transaction\n\
                 CREATE INDEX CONCURRENTLY hits_{version} ON hits (version);\n\
                 INSERT INTO hits VALUES ({version});\n"
            )
        } else {
            format!("INSERT INTO hits VALUES ({version});\n")
        };
        project = project.up(version, &format!("hit_{version}"), &sql);
    }
    race_up_and_check_each_version_once(&project, &db, 4, VERSIONS);
}

#[test]
fn a_waiting_run_names_the_holders_pid_and_application_name() {
    let Some(db) = TestDb::postgres() else { return };
    let project = Project::new().up(1, "slow", "SELECT pg_sleep(3);\n");
    let holder = project.command().database(&db).args(["up"]).spawn();
    db.wait_for_run_lock();
    let pid = db.run_lock_holder().expect("the holder's pid");

    let started = Instant::now();
    let waiter = migrate(&project, &db, &["up", "--lock-wait", "1", "--json"]);
    waiter.expect(4);
    assert!(started.elapsed() >= Duration::from_secs(1), "{waiter}");
    assert_eq!(waiter.json()["error"]["exit_code"], 4);
    assert!(waiter.stderr.contains(&format!("pid {pid}")), "{waiter}");
    assert!(waiter.stderr.contains("'migrate'"), "{waiter}");

    Run::from_child(holder).success();
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

#[test]
fn a_killed_run_leaves_nothing_and_a_rerun_succeeds() {
    let Some(db) = TestDb::postgres() else { return };
    // The comment makes the statement this test's own in pg_stat_activity.
    let project = Project::new().up(
        1,
        "doomed",
        &format!(
            "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\nSELECT pg_sleep(5); -- {}\n",
            db.name()
        ),
    );
    let mut run = project.command().database(&db).args(["up"]).spawn();
    let sleeping = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
         AND query LIKE '%pg_sleep(5); -- {}%' AND pid <> pg_backend_pid()",
        db.name()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.scalar(&sleeping) == 0 {
        assert!(Instant::now() < deadline, "the run never reached pg_sleep");
        std::thread::sleep(Duration::from_millis(10));
    }
    run.kill().expect("SIGKILL the run");
    assert!(!run.wait().expect("reap the run").success());

    // The server session may still be sleeping; its transaction is not visible.
    assert!(!db.table_exists("doomed"));
    assert_eq!(db.versions(), []);
    let status = migrate(&project, &db, &["status", "--json"]);
    assert_eq!(status.success().json()["versions"][0]["state"], "pending");

    // Once the killed session is gone, its transaction is rolled back too:
    // the file, its version row and its log row, which commit together.
    db.wait_until_run_lock_is_free();
    assert!(!db.table_exists("doomed"));
    assert_eq!(db.versions(), []);
    if db.table_exists("db_version_log") {
        assert_eq!(db.scalar("SELECT count(*) FROM db_version_log"), 0);
    }
    project.write(
        "up/1_doomed.sql",
        "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\n",
    );
    migrate(&project, &db, &["up", "--lock-wait", "2"]).success();
    assert!(db.table_exists("doomed"));
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

/// Version 1 makes `accounts`; version 2 alters it under `directive`.
fn alter_accounts(directive: &str) -> Project {
    Project::new()
        .up(1, "accounts", "CREATE TABLE accounts (id INTEGER);\n")
        .up(
            2,
            "email",
            &format!("-- migrate: {directive}\nALTER TABLE accounts ADD COLUMN email TEXT;\n"),
        )
}

fn has_email(db: &TestDb) -> bool {
    db.scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name = 'accounts' AND column_name = 'email'",
    ) == 1
}

#[test]
fn lock_timeout_with_retries_waits_out_an_application_lock() {
    let Some(db) = TestDb::postgres() else { return };
    let project = alter_accounts("lock-timeout=200ms retries=20");
    migrate(&project, &db, &["up", "1"]).success();
    let lock = db.lock_table("accounts");
    let started = Instant::now();
    // The application's transaction holds its lock for 1.5 s, on its own thread.
    let application = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(lock);
    });
    let run = project
        .command()
        .database(&db)
        .args(["up"])
        .run_within(Duration::from_secs(20));
    application.join().expect("the application thread");
    run.success();
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "the ALTER did not wait for the lock"
    );
    assert!(has_email(&db));
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}

#[test]
fn lock_timeout_without_retries_fails_with_55p03() {
    let Some(db) = TestDb::postgres() else { return };
    let project = alter_accounts("lock-timeout=200ms retries=0");
    migrate(&project, &db, &["up", "1"]).success();
    let lock = db.lock_table("accounts");
    let run = project
        .command()
        .database(&db)
        .args(["up"])
        .run_within(Duration::from_secs(10));
    drop(lock);
    run.expect(1);
    assert!(run.stderr.starts_with("error: up/2_email.sql:2: "), "{run}");
    assert!(run.stderr.contains("SQLSTATE 55P03"), "{run}");
    assert!(!has_email(&db));
    assert_eq!(db.versions(), states(&[(1, "added")]));
}
