//! The run lock (SPEC section 5): two hosts racing `up` apply every version
//! exactly once; a second run gives up after `--lock-wait` with exit 4,
//! naming the holder; a run killed mid-migration leaves no trace and no
//! stale lock. (How each server names the holder, and a killed MySQL DDL
//! file, are in `postgres.rs` and `mysql.rs`.)

use std::time::{Duration, Instant};

use crate::support::{
    Backend, Project, Run, TestDb, for_each_backend, for_each_backend_where, migrate,
    race_up_and_check_each_version_once, states,
};

const RACED_VERSIONS: u64 = 30;

/// 30 versions, each inserting its own number into `hits` (no key, so a
/// version applied twice would show as a duplicate row).
pub fn thirty_inserts() -> Project {
    let mut project = Project::new().up(
        1,
        "hits",
        "CREATE TABLE hits (version INTEGER NOT NULL);\nINSERT INTO hits (version) VALUES (1);\n",
    );
    for version in 2..=RACED_VERSIONS {
        project = project.up(
            version,
            &format!("hit_{version}"),
            &format!("INSERT INTO hits (version) VALUES ({version});\n"),
        );
    }
    project
}

#[test]
fn two_processes_racing_up_apply_every_version_exactly_once() {
    for_each_backend(|db| {
        race_up_and_check_each_version_once(&thirty_inserts(), db, 2, RACED_VERSIONS);
    });
}

#[test]
fn a_run_with_nothing_to_do_takes_no_lock_and_waits_for_no_other_run() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "table", "CREATE TABLE quick (id INTEGER);\n")
            .up(2, "slow", db.slow_statement());
        migrate(&project, db, &["up", "1"]).success();
        let holder = project.command().database(db).args(["up"]).spawn();
        db.wait_for_run_lock();

        // Version 1 is applied: `up 1` has nothing to run while version 2
        // runs under the lock, and says so at once.
        let started = Instant::now();
        let noop = migrate(&project, db, &["up", "1", "--lock-wait", "5"]);
        let took = started.elapsed();
        noop.success();
        assert!(
            took < Duration::from_secs(5),
            "waited {took:?} for the lock"
        );
        assert!(db.run_lock_holder().is_some(), "the holder lost its lock");

        Run::from_child(holder).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn a_second_run_gives_up_after_lock_wait_and_names_the_holder() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "slow", db.slow_statement());
        let holder = project.command().database(db).args(["up"]).spawn();
        let holder_pid = holder.id();
        db.wait_for_run_lock();

        let started = Instant::now();
        let waiter = migrate(&project, db, &["up", "--lock-wait", "1"]);
        let waited = started.elapsed();
        waiter.expect(4);
        assert!(waited >= Duration::from_secs(1), "gave up after {waited:?}");
        assert!(waiter.stderr.starts_with("error: "), "{waiter}");
        assert!(waiter.stderr.contains("--lock-wait"), "{waiter}");
        if db.backend() == Backend::Sqlite {
            let named = format!("held by process {holder_pid}");
            assert!(
                waiter.stderr.contains(&named),
                "the holder is not named\n{waiter}"
            );
        }

        let holder = Run::from_child(holder);
        holder.success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert_eq!(
            db.scalar("SELECT count(*) FROM db_version_log"),
            1,
            "the waiter logged"
        );
    });
}

#[test]
fn a_killed_run_leaves_no_trace_and_no_stale_lock() {
    // A DDL file is atomic where DDL is transactional; MySQL's is in `mysql.rs`.
    for_each_backend_where(Backend::has_transactional_ddl, |db| {
        let slow = format!(
            "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\n{}\n",
            db.slow_statement()
        );
        let project = Project::new().up(1, "doomed", &slow);
        let mut run = project.command().database(db).args(["up"]).spawn();
        db.wait_for_run_lock();
        // Unavoidable: give the run time to create the table and enter the
        // slow statement (it takes seconds; a kill at any point must be safe).
        std::thread::sleep(Duration::from_millis(500));
        run.kill().expect("kill the run");
        let status = run.wait().expect("reap the run");
        assert!(!status.success(), "the run finished before it was killed");

        // The tool itself (not this test's client) meets the interrupted run first.
        let status = migrate(&project, db, &["status", "--json"]);
        assert_eq!(
            status.success().json()["versions"][0]["state"],
            "pending",
            "{status}"
        );
        assert!(
            !db.table_exists("doomed"),
            "the killed migration's table survived"
        );
        assert_eq!(db.versions(), []);

        // A server notices that the killed client is gone when its statement
        // ends; then nothing holds the lock any more, and the file (changed
        // freely: it never ran) runs now.
        db.wait_until_run_lock_is_free();
        project.write(
            "up/1_doomed.sql",
            "CREATE TABLE doomed (id INTEGER PRIMARY KEY);\n",
        );
        migrate(&project, db, &["up", "--lock-wait", "2"]).success();
        assert!(db.table_exists("doomed"));
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

/// Version 2 inserts 1, runs a slow statement, inserts 3, outside a
/// transaction; the run is killed while the slow statement runs. Returns the
/// project, its slow statement replaced by an insert of 2 (only the
/// statements after the committed one may change), so that whether it runs
/// again shows.
fn killed_in_the_slow_statement(db: &TestDb) -> Project {
    let fill = format!(
        "-- migrate: no-transaction\n\
         INSERT INTO items (id) VALUES (1);\n\
         {}\n\
         INSERT INTO items (id) VALUES (3);\n",
        db.slow_statement()
    );
    let project = Project::new()
        .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
        .up(2, "fill", &fill);
    let mut run = project.command().database(db).args(["up"]).spawn();
    // The first statement commits on its own and its progress is
    // recorded (a separate commit); then the slow one runs.
    let progress = "SELECT statements_done FROM db_version WHERE version = '2'";
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(db.table_exists("db_version") && db.rows(progress) == [["1"]]) {
        assert!(
            Instant::now() < deadline,
            "the first statement never committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(db.scalar("SELECT count(*) FROM items"), 1);
    run.kill().expect("kill the run");
    assert!(!run.wait().expect("reap the run").success());
    db.wait_until_run_lock_is_free();
    project.write(
        "up/2_fill.sql",
        "-- migrate: no-transaction\n\
         INSERT INTO items (id) VALUES (1);\n\
         INSERT INTO items (id) VALUES (2);\n\
         INSERT INTO items (id) VALUES (3);\n",
    );
    project
}

#[test]
fn a_killed_no_transaction_run_is_failed_until_resumed() {
    for_each_backend(|db| {
        let project = killed_in_the_slow_statement(db);
        // The log row was written before the first statement and never completed.
        let log = db.rows("SELECT finished_at FROM db_version_log WHERE version = '2'");
        assert_eq!(log, [["NULL"]]);
        let status = migrate(&project, db, &["status", "--json"]);
        assert_eq!(
            status.success().json()["versions"][1]["state"],
            "failed",
            "{status}"
        );
        let refused = migrate(&project, db, &["up"]);
        refused.expect(5);
        assert!(refused.stderr.contains("up --resume"), "{refused}");

        // The slow statement was running when the run died: whether it
        // committed is unknown, so plain --resume does not guess.
        let unknown = migrate(&project, db, &["up", "--resume"]);
        unknown.expect(5);
        assert!(
            unknown
                .stderr
                .contains("statement 2 at line 3 ran: whether it committed is unknown"),
            "{unknown}"
        );
        assert!(unknown.stderr.contains("--rerun-unknown"), "{unknown}");
        migrate(&project, db, &["up", "--resume", "--rerun-unknown"]).success();
        assert_eq!(
            db.rows("SELECT id FROM items ORDER BY id"),
            [["1"], ["2"], ["3"]]
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn skip_unknown_resumes_after_the_statement_that_was_cut_off() {
    for_each_backend(|db| {
        let project = killed_in_the_slow_statement(db);
        // The user found that the cut-off statement committed: it is not
        // run again, and the file goes on after it.
        let resumed = migrate(
            &project,
            db,
            &["up", "--resume", "--skip-unknown", "--json"],
        );
        resumed.success();
        assert_eq!(db.rows("SELECT id FROM items ORDER BY id"), [["1"], ["3"]]);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        // Nothing is left to resume, so the flag is now a usage error.
        migrate(&project, db, &["up", "--resume", "--skip-unknown"]).expect(2);
    });
}

#[test]
fn a_second_run_waits_for_a_running_no_transaction_file_instead_of_calling_it_cut_off() {
    for_each_backend(|db| {
        let fill = format!(
            "-- migrate: no-transaction\n\
             INSERT INTO items (id) VALUES (1);\n\
             {}\n\
             INSERT INTO items (id) VALUES (2);\n",
            db.slow_statement()
        );
        let project = Project::new()
            .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
            .up(2, "fill", &fill)
            .up(3, "later", "CREATE TABLE later (id INTEGER PRIMARY KEY);\n");
        migrate(&project, db, &["up", "1"]).success();
        let first = project.command().database(db).args(["up"]).spawn();
        // While the first run is inside the file, version 2 is recorded as
        // running: to a second host that is a run to wait for, not a failure.
        let progress = "SELECT statements_done FROM db_version WHERE version = '2'";
        let deadline = Instant::now() + Duration::from_secs(20);
        while db.rows(progress) != [["1"]] {
            assert!(
                Instant::now() < deadline,
                "the first statement never committed"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let second = migrate(&project, db, &["up", "--lock-wait", "30"]);
        let first = Run::from_child(first);
        first.success();
        second.success();
        let mut applied = first.operations();
        applied.extend(second.operations());
        applied.sort();
        assert_eq!(
            applied,
            [("add", "2"), ("add", "3")].map(|(op, v)| (op.to_string(), v.to_string()))
        );
        assert_eq!(db.rows("SELECT id FROM items ORDER BY id"), [["1"], ["2"]]);
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}
