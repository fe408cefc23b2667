//! Behind PgBouncer in transaction pooling mode (issue 20), at
//! `MIGRATE_TEST_PGBOUNCER_URL` in front of `MIGRATE_TEST_POSTGRES_URL`:
//! the run lock is a lease row (a session advisory lock would be taken on
//! one server connection and "released" on another), eight processes
//! racing through the pooler apply every file exactly once, a killed
//! holder's lease expires and the next run takes over, and the tool leaves
//! no session state (settings, prepared statements) on the server
//! connections that other clients get next. The rest of the PostgreSQL
//! suite runs through the pooler too, with
//! `MIGRATE_TEST_POSTGRES_TARGET=pgbouncer` (README, Testing).

use std::time::{Duration, Instant};

use crate::concurrency::thirty_inserts;
use crate::support::db::{PostgresTarget, extra_server_url, url_with_param};
use crate::support::{Project, Run, TestDb, migrate, race_up_and_check_each_version_once};

/// A schema on the PostgreSQL server whose URL the product gets through
/// PgBouncer, or `None` (after the warning) when either URL is not set.
fn behind_pgbouncer() -> Option<TestDb> {
    if PostgresTarget::current() != PostgresTarget::Direct {
        // A run for another target has other servers behind these URLs.
        return None;
    }
    let bouncer = extra_server_url("MIGRATE_TEST_PGBOUNCER_URL")?;
    let server = extra_server_url("MIGRATE_TEST_POSTGRES_URL")?;
    Some(TestDb::postgres_at(&server, &bouncer))
}

#[test]
fn eight_processes_racing_through_pgbouncer_apply_every_version_exactly_once() {
    let Some(db) = behind_pgbouncer() else { return };
    race_up_and_check_each_version_once(&thirty_inserts(), &db, 8, 30);
    // Every run released its lease, and the lock table went with the last.
    assert_eq!(db.lease_holder(), None);
    assert!(!db.table_exists("db_version_lock"), "{:?}", db.tables());
}

#[test]
fn a_killed_holders_lease_expires_and_the_next_run_takes_over() {
    let Some(db) = behind_pgbouncer() else { return };
    let project = Project::new()
        .up(
            1,
            "slow",
            "CREATE TABLE slow (id integer);\nSELECT pg_sleep(30);\n",
        )
        .up(2, "next", "CREATE TABLE next (id integer);\n");
    let lease = ["--lock-lease", "2s"];
    let mut holder = project
        .command()
        .database(&db)
        .args(["up"])
        .args(lease)
        .spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    let held_by = loop {
        if let Some(held_by) = db.lease_holder() {
            break held_by;
        }
        assert!(Instant::now() < deadline, "no run took the lease in 20 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        held_by.contains(&format!("migrate pid {}", holder.id())),
        "{held_by}"
    );
    // Renewed while the statement runs: still held after two leases.
    std::thread::sleep(Duration::from_secs(4));
    let waiter = migrate(
        &project,
        &db,
        &["up", "--lock-wait", "0", "--lock-lease", "2s"],
    );
    waiter.expect(4);
    assert!(
        waiter
            .stderr
            .contains(&format!("migrate pid {}", holder.id()))
            && waiter.stderr.contains("db_version_lock"),
        "the waiter names the holder and its lease: {waiter}"
    );

    // SIGKILL: nothing releases the lease; it expires 2 s after its last
    // renewal, and the next run takes over and applies both versions.
    holder.kill().expect("kill the holder");
    let _ = holder.wait();
    // Its file was rolled back and never ran: it may change freely.
    project.write("up/1_slow.sql", "CREATE TABLE slow (id integer);\n");
    let started = Instant::now();
    let next = migrate(
        &project,
        &db,
        &["up", "--lock-wait", "20", "--lock-lease", "2s"],
    );
    next.success();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        db.versions(),
        [
            ("1".to_string(), "added".to_string()),
            ("2".to_string(), "added".to_string())
        ]
    );
    assert_eq!(db.lease_holder(), None);
}

#[test]
fn a_direct_advisory_run_and_a_pooled_lease_run_wait_for_each_other() {
    let Some(db) = behind_pgbouncer() else { return };
    let server = extra_server_url("MIGRATE_TEST_POSTGRES_URL").expect("checked above");
    let direct = url_with_param(&server, "search_path", db.name());
    let slow = "CREATE TABLE slow_1 (id integer);\nSELECT pg_sleep(3);\n";
    let project = Project::new().up(1, "slow", slow);

    // A direct run holds the advisory lock: the pooled run, which takes a
    // lease, waits for it all the same and names it.
    let holder = project
        .command()
        .args(["--database-url", &direct, "up"])
        .spawn();
    db.wait_for_run_lock();
    let waiter = migrate(&project, &db, &["up", "--lock-wait", "0"]);
    waiter.expect(4);
    assert!(waiter.stderr.contains("backend pid"), "{waiter}");
    Run::from_child(holder).success();

    // A pooled run holds the lease: a direct run waits for it and names it.
    project.write("up/2_slow.sql", slow.replace("slow_1", "slow_2"));
    let holder = project.command().database(&db).args(["up"]).spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.lease_holder().is_none() {
        assert!(Instant::now() < deadline, "no run took the lease in 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let waiter = project
        .command()
        .args(["--database-url", &direct, "up", "--lock-wait", "0"])
        .run();
    waiter.expect(4);
    assert!(waiter.stderr.contains("db_version_lock"), "{waiter}");
    Run::from_child(holder).success();
    assert_eq!(db.versions().len(), 2);
}

#[test]
fn no_session_state_is_left_on_the_pooled_server_connections() {
    let Some(db) = behind_pgbouncer() else { return };
    // Behind a transaction pooler a statement outside a transaction runs
    // with the pooled session's defaults (README): the no-transaction file
    // names its schema, which only the URL's search_path gives the others.
    let project = Project::new()
        .up(
            1,
            "items",
            "-- migrate: lock-timeout=7s\nCREATE TABLE items (id integer PRIMARY KEY);\n",
        )
        .up(
            2,
            "index",
            &format!(
                "-- migrate: no-transaction lock-timeout=9s\n\
                 CREATE INDEX CONCURRENTLY items_id ON {}.items (id);\n",
                db.name()
            ),
        );
    migrate(&project, &db, &["up"]).success();
    let dump = migrate(&project, &db, &["schema_dump"]);
    dump.success();
    assert!(dump.stdout.contains("CREATE TABLE items"), "{dump}");
    assert_eq!(migrate(&project, &db, &["schema_dump"]).stdout, dump.stdout);
    migrate(&project, &db, &["status"]).success();

    // Every server connection of the pool, each held by a transaction of
    // its own: the server's defaults, and no prepared statement.
    let bouncer = extra_server_url("MIGRATE_TEST_PGBOUNCER_URL").expect("checked above");
    let mut clients: Vec<postgres::Client> = (0..4)
        .map(|_| postgres::Client::connect(&bouncer, postgres::NoTls).expect("connect"))
        .collect();
    for client in &mut clients {
        client.batch_execute("BEGIN").expect("begin");
    }
    for client in &mut clients {
        // A simple query: this client prepares nothing itself.
        let messages = client
            .simple_query(
                "SELECT concat_ws(' | ', current_setting('lock_timeout'), \
                 current_setting('search_path'), \
                 current_setting('idle_in_transaction_session_timeout'), \
                 (SELECT count(*) FROM pg_prepared_statements))",
            )
            .expect("read the session");
        let seen: Vec<String> = messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .collect();
        assert_eq!(
            seen,
            ["0 | \"$user\", public | 0 | 0"],
            "a server connection kept the tool's session state"
        );
    }
}

#[test]
fn the_lock_mode_and_lease_are_checked_before_connecting() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "t", "CREATE TABLE t (id integer);\n");
    let table = migrate(&project, &db, &["up", "--lock-mode", "table"]);
    table.expect(2);
    assert!(table.stderr.contains("PostgreSQL"), "{table}");
    assert!(!db.exists());
    let short = migrate(&project, &db, &["up", "--lock-lease", "10ms"]);
    short.expect(2);
    assert!(short.stderr.contains("--lock-lease 10ms"), "{short}");
    let unknown = project
        .command()
        .database(&db)
        .env("MIGRATE_LOCK_MODE", "row")
        .args(["up"])
        .run();
    unknown.expect(2);
    assert!(unknown.stderr.contains("`row`"), "{unknown}");
    migrate(&project, &db, &["up", "--lock-mode", "advisory"]).success();
}
