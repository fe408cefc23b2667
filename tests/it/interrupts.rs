//! SIGINT and SIGTERM (SPEC section 5): the statement running on the server
//! is cancelled, an atomic file rolls back, the attempt is logged as
//! interrupted, the run lock is released, and the exit status is 130 or 143.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::support::{
    Backend, Project, Run, TestDb, for_each_backend, for_each_backend_where, states,
};

fn send(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits until version 1 is recorded: the run is then in version 2.
fn wait_for_version_1(db: &TestDb) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !db.table_exists("db_version") || db.versions().is_empty() {
        assert!(Instant::now() < deadline, "version 1 never landed");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Give version 2's statement time to reach the server.
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn a_signal_cancels_the_running_file_and_exits_128_plus_its_number() {
    for_each_backend(|db| {
        for (signal, code) in [("TERM", 143), ("INT", 130)] {
            let db = TestDb::new(db.backend());
            let project = Project::new()
                .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
                .up(
                    2,
                    "slow",
                    &format!("INSERT INTO a (id) VALUES (2);\n{}", db.slow_statement()),
                );
            let child = project.command().database(&db).args(["up"]).spawn();
            wait_for_version_1(&db);
            let sent = Instant::now();
            send(&child, signal);
            let run = Run::from_child(child);
            let took = sent.elapsed();
            run.expect(code);
            assert!(
                took < Duration::from_secs(2),
                "the statement was not cancelled: {took:?}\n{run}"
            );
            assert!(
                run.stderr.contains(&format!("interrupted by SIG{signal}")),
                "{run}"
            );
            assert!(run.stderr.contains("up/2_slow.sql"), "{run}");
            // Version 2 rolled back whole; version 1 stays.
            assert_eq!(db.versions(), states(&[(1, "added")]));
            assert_eq!(db.scalar("SELECT count(*) FROM a"), 0);
            let log = db.rows("SELECT version, outcome FROM db_version_log WHERE version = '2'");
            assert_eq!(log, [["2", "interrupted"]], "{run}");
            // The lock is free at once: the next run applies version 2.
            assert_eq!(db.run_lock_holder(), None);
            let project_fast = Project::new()
                .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
                .up(2, "slow", "INSERT INTO a (id) VALUES (2);\n");
            crate::support::migrate(&project_fast, &db, &["up", "--allow-drift"]).success();
        }
    });
}

#[test]
fn a_signal_stops_a_no_transaction_file_as_failed_and_resumable() {
    for_each_backend_where(
        |backend| backend != Backend::Mysql,
        |db| {
            let project = Project::new()
                .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
                .up(
                    2,
                    "slow",
                    &format!(
                        "-- migrate: no-transaction\nINSERT INTO a (id) VALUES (2);\n{}\nINSERT INTO a (id) VALUES (3);\n",
                        db.slow_statement()
                    ),
                );
            let child = project.command().database(db).args(["up"]).spawn();
            wait_for_version_1(db);
            send(&child, "TERM");
            let run = Run::from_child(child);
            run.expect(143);
            let status = crate::support::migrate(&project, db, &["status", "--json"]).json();
            assert_eq!(status["versions"][1]["state"], "failed", "{status}");
            // The cancelled statement did not commit: its outcome is known.
            assert_eq!(db.scalar("SELECT count(*) FROM a"), 1);
            let log = db.rows("SELECT outcome, statement FROM db_version_log WHERE version = '2'");
            assert_eq!(log, [["interrupted", "2"]], "{run}");
            crate::support::migrate(&project, db, &["up", "--resume"]).success();
            assert_eq!(db.scalar("SELECT count(*) FROM a"), 2);
        },
    );
}

#[test]
fn a_signal_takes_a_statement_out_of_postgresqls_lock_queue() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    db.execute("CREATE TABLE busy (id INTEGER)");
    let project = Project::new().up(1, "alter", "ALTER TABLE busy ADD COLUMN extra INTEGER;\n");
    let held = db.lock_table("busy");
    let child = project
        .command()
        .database(&db)
        .args(["up", "--lock-timeout", "1m"])
        .spawn();
    // This test's table only: other tests' runs wait on locks of their own.
    let waiting = "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                   WHERE NOT l.granted AND a.application_name = 'migrate' \
                   AND l.relation = 'busy'::regclass";
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.scalar(waiting) == 0 {
        assert!(Instant::now() < deadline, "the ALTER never queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    send(&child, "INT");
    let run = Run::from_child(child);
    run.expect(130);
    assert_eq!(
        db.scalar(waiting),
        0,
        "the ALTER still waits in the lock queue\n{run}"
    );
    drop(held);
    assert!(db.versions().is_empty());
}

#[test]
fn a_signal_stops_check_which_drops_its_scratch_database() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
            .down(1, "a", "DROP TABLE a;\n")
            .up(2, "slow", db.slow_statement())
            .down(2, "slow", "SELECT 1;\n");
        let child = project.command().database(db).args(["check"]).spawn();
        let pid = child.id();
        // Version 1 is proven in well under a second; then version 2 sleeps.
        std::thread::sleep(Duration::from_millis(1_500));
        send(&child, "INT");
        let run = Run::from_child(child);
        run.expect(130);
        assert!(
            run.stderr
                .contains("check stopped and dropped its scratch database"),
            "{run}"
        );
        assert!(!run.stderr.contains("stay applied"), "{run}");
        let left = match db.backend() {
            Backend::Sqlite => return,
            Backend::Postgres => format!(
                "SELECT count(*) FROM pg_database WHERE datname LIKE 'migrate_check_{pid}_%'"
            ),
            Backend::Mysql => format!(
                "SELECT count(*) FROM information_schema.schemata \
                 WHERE schema_name LIKE 'migrate_check_{pid}_%'"
            ),
        };
        assert_eq!(db.scalar(&left), 0, "the scratch database is left\n{run}");
    });
}
