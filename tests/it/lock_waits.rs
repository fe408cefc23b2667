//! Every wait is bounded by what the user asked, and no duration panics
//! (issue 11): `--lock-wait` of any size, lock timeouts checked against each
//! database's range before anything runs, `--lock-timeout 0` meaning "no
//! bound" everywhere, SQLite's write lock held by another program answered
//! with exit 4 within the lock wait, and the library's `Config.lock_timeout`.

use std::time::{Duration, Instant};

use migrate::DatabaseUrl;
use migrate::{Config, Migrator};

use crate::support::{
    Backend, Project, TestDb, for_each_backend, for_each_backend_where, migrate, states,
};

fn with_table() -> Project {
    Project::new().up(1, "held", "CREATE TABLE held (id INTEGER PRIMARY KEY);\n")
}

/// `held` applied, and version 2 pending: a row into it.
fn held_then_fill(db: &TestDb) -> Project {
    let project = with_table();
    migrate(&project, db, &["up"]).success();
    project.up(2, "fill", "INSERT INTO held (id) VALUES (1);\n")
}

#[test]
fn a_lock_wait_too_long_for_the_clock_does_not_panic() {
    for_each_backend(|db| {
        let project = with_table();
        let run = migrate(&project, db, &["--lock-wait", "18446744073709551615", "up"]);
        run.success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn a_lock_timeout_longer_than_the_database_allows_is_refused_before_anything_runs() {
    for_each_backend(|db| {
        // 600000m is more than a year: above every database's maximum.
        let project = with_table().up(
            2,
            "slow",
            "-- migrate: lock-timeout=600000m\nINSERT INTO held (id) VALUES (1);\n",
        );
        let run = migrate(&project, db, &["up"]);
        run.expect(2);
        assert!(
            run.stderr
                .contains("up/2_slow.sql:1: `lock-timeout=` 600000m"),
            "{run}"
        );
        assert!(run.stderr.contains("at most"), "{run}");
        assert!(!run.stderr.contains("panicked"), "{run}");
        assert!(!db.exists(), "version 1 ran before the refusal");

        let project = with_table();
        let run = migrate(&project, db, &["--lock-timeout", "600000m", "up"]);
        run.expect(2);
        assert!(run.stderr.contains("--lock-timeout 600000m"), "{run}");
        assert!(!db.exists(), "version 1 ran before the refusal");
    });
}

#[test]
fn an_int_of_milliseconds_is_the_limit_on_sqlite_and_postgres() {
    // The values of the issue: they panicked on SQLite and failed half-way on
    // PostgreSQL; MySQL takes them (its limit is a year).
    for_each_backend(|db| {
        for value in ["2147483648ms", "35792m"] {
            let project = with_table().up(
                2,
                "two",
                &format!("-- migrate: lock-timeout={value}\nINSERT INTO held (id) VALUES (2);\n"),
            );
            // Preflight is the same in a dry run.
            let run = migrate(&project, db, &["up", "--dry-run"]);
            if db.backend() == Backend::Mysql {
                run.success();
                continue;
            }
            run.expect(2);
            assert!(run.stderr.contains("2147483647ms"), "{run}");
            assert!(!run.stderr.contains("panicked"), "{run}");
        }
        let run = migrate(&with_table(), db, &["--lock-timeout", "2147483647ms", "up"]);
        run.success();
    });
}

#[test]
fn a_lock_timeout_of_zero_waits_without_a_bound() {
    // SQLite's table lock is its whole-database write lock, which a run now
    // waits for as part of the run lock; its zero is proven in the backend's
    // unit tests with a second connection.
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = held_then_fill(db);
            let guard = db.lock_table("held");
            let child = project
                .command()
                .database(db)
                .args(["--lock-timeout", "0", "up"])
                .spawn();
            // Longer than the old meanings of zero (1 s on MySQL).
            std::thread::sleep(Duration::from_millis(2500));
            let mut child = child;
            assert!(
                child.try_wait().expect("poll migrate").is_none(),
                "the run stopped while the lock was held"
            );
            drop(guard);
            let run = crate::support::Run::from_child(child);
            run.success();
            assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        },
    );
}

#[test]
fn sqlite_write_locked_by_another_program_exits_4_after_the_lock_wait() {
    let db = TestDb::sqlite();
    let project = with_table();
    migrate(&project, &db, &["up"]).success();
    let project = project.up(2, "fill", "INSERT INTO held (id) VALUES (1);\n");
    // `BEGIN IMMEDIATE` on a connection of its own, as a sqlite3 shell would.
    let guard = db.lock_table("held");
    let started = Instant::now();
    let run = project
        .command()
        .database(&db)
        .args(["--lock-wait", "1", "up"])
        .run_within(Duration::from_secs(20));
    run.expect(4);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.contains("write-locked by another program"),
        "{run}"
    );
    assert!(run.stderr.contains("--lock-wait"), "{run}");
    drop(guard);
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}

#[test]
fn the_library_bounds_lock_waits_by_config_lock_timeout() {
    // On SQLite the lock is the whole database's, waited for by the run lock.
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = held_then_fill(db);
            let url = DatabaseUrl::parse(db.url()).expect("a valid URL");
            let mut config = Config::new(url, project.path());
            config.lock_timeout = Some(Duration::from_secs(1));
            let _guard = db.lock_table("held");
            let started = Instant::now();
            let error = Migrator::new(config).up().expect_err("the table is locked");
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "waited {:?}",
                started.elapsed()
            );
            assert_eq!(error.exit_code(), 1, "{error}");
            assert_eq!(db.versions(), states(&[(1, "added")]));
        },
    );
}

#[test]
fn a_server_waits_5_s_for_a_lock_by_default_then_retries_the_file() {
    // SPEC section 5: no flag, no directive: 5 s, then up to 3 retries with
    // backoff. The table is held for 7 s: the first try gives up at 5 s and a
    // retry, logged, finds it free.
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = held_then_fill(db);
            let guard = db.lock_table("held");
            let started = Instant::now();
            let child = project.command().database(db).args(["up"]).spawn();
            std::thread::sleep(Duration::from_millis(7_000));
            drop(guard);
            let run = crate::support::Run::from_child(child);
            run.success();
            let took = started.elapsed();
            assert!(took >= Duration::from_secs(5), "no lock wait: {took:?}");
            assert!(took < Duration::from_secs(15), "waited {took:?}\n{run}");
            assert!(
                run.stderr.contains("up/2_fill.sql: lock timeout")
                    && run.stderr.contains("retry 1 of 3"),
                "{run}"
            );
            assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
            // One log row: the retries are one attempt of the file.
            assert_eq!(
                db.scalar("SELECT count(*) FROM db_version_log WHERE version = '2'"),
                1
            );
        },
    );
}

#[test]
fn an_explicit_lock_timeout_has_no_default_retries() {
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = held_then_fill(db);
            let _guard = db.lock_table("held");
            let run = migrate(&project, db, &["up", "--lock-timeout", "1s"]);
            run.expect(1);
            assert!(!run.stderr.contains("retry"), "{run}");
            assert_eq!(db.versions(), states(&[(1, "added")]));
        },
    );
}

/// `CREATE INDEX CONCURRENTLY` waits for older transactions while blocking
/// no one: the default lock timeout does not cut it off behind a long
/// transaction, and a timeout the user chose still does.
#[test]
fn a_concurrent_index_build_waits_past_the_default_lock_timeout() {
    // Through a transaction pooler no setting reaches a statement run
    // outside a transaction (README, "Behind PgBouncer"): the chosen
    // timeout could not cut the build off there.
    if crate::support::db::PostgresTarget::current()
        == crate::support::db::PostgresTarget::PgBouncer
    {
        return;
    }
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let project = with_table();
    migrate(&project, &db, &["up"]).success();
    let project = project.up(
        2,
        "index",
        "-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY held_id ON held (id);\n",
    );
    let chosen = {
        let _guard = db.lock_table("held");
        migrate(&project, &db, &["up", "--lock-timeout", "1s"])
    };
    chosen.expect(1);
    assert!(chosen.stderr.contains("lock timeout"), "{chosen}");
    migrate(
        &project,
        &db,
        &["mark", "--only", "2", "--state", "pending"],
    )
    .success();
    let guard = db.lock_table("held");
    let child = project.command().database(&db).args(["up"]).spawn();
    // Longer than the default 5 s; the build is still waiting, not failed.
    std::thread::sleep(Duration::from_millis(6_500));
    drop(guard);
    let run = crate::support::Run::from_child(child);
    run.success();
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}
