//! SPEC section 11, issue 19: `--targets` runs one command on many
//! databases, `--parallel` at a time, canaries first; a failure stops new
//! starts unless `--continue-on-error`; the output is a line per target, a
//! summary, a status matrix, or one JSON document; the exit code is the
//! fleet's.

use std::path::Path;
use std::time::Duration;

use crate::support::db::{TestDb, unique_name};
use crate::support::terminal::{run_on_a_terminal, screen};
use crate::support::{Invocation, Project, Run};

fn project() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "CREATE TABLE fleet_b (id INTEGER PRIMARY KEY);\n")
        .up(
            3,
            "c",
            "CREATE TABLE fleet_c (id INTEGER PRIMARY KEY);\nINSERT INTO fleet_c VALUES (1);\n",
        )
}

/// Writes a targets file of `NAME URL` lines into the project.
fn targets_file(project: &Project, lines: &[(String, String)]) -> std::path::PathBuf {
    let text: String = lines
        .iter()
        .map(|(name, url)| format!("{name} {url}\n"))
        .collect();
    project.write("targets", format!("# the fleet\n{text}"));
    project.path().join("targets")
}

fn fleet(project: &Project, targets: &Path) -> Invocation {
    project.command().arg_path("--targets", targets)
}

fn targets_of(dbs: &[TestDb], prefix: &str) -> Vec<(String, String)> {
    dbs.iter()
        .enumerate()
        .map(|(index, db)| (format!("{prefix}{index}"), db.url().to_string()))
        .collect()
}

fn json_targets(run: &Run) -> Vec<serde_json::Value> {
    run.json()["targets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn fifty_sqlite_targets_all_migrate_and_report_each() {
    let project = project();
    let dbs: Vec<TestDb> = (0..50).map(|_| TestDb::sqlite()).collect();
    let targets = targets_file(&project, &targets_of(&dbs, "tenant_"));
    let run = fleet(&project, &targets).args(["up"]).run();
    run.success();
    for index in 0..50 {
        let line = run
            .stdout
            .lines()
            .find(|line| line.split_whitespace().next() == Some(&format!("tenant_{index}")))
            .unwrap_or_else(|| panic!("no line for tenant_{index}\n{run}"));
        assert!(line.contains("  ok  3 operations  "), "{line}");
    }
    assert!(run.stdout.contains("50 ok"), "{run}");
    for db in &dbs {
        assert_eq!(db.scalar("SELECT count(*) FROM fleet_c"), 1);
    }
    // Again: nothing to do anywhere.
    let again = fleet(&project, &targets).args(["up", "--json"]).run();
    again.success();
    let documents = json_targets(&again);
    assert_eq!(documents.len(), 50);
    for document in &documents {
        assert_eq!(document["exit_code"], 0, "{document}");
        assert_eq!(document["operations"], serde_json::json!([]), "{document}");
    }
    let status = fleet(&project, &targets).args(["status"]).run();
    status.success();
    assert!(status.stdout.contains("3        50"), "{status}");
}

/// Twenty databases and ten schemas on one PostgreSQL server.
#[test]
fn postgres_databases_and_schemas_on_one_server() {
    let Some(server) = std::env::var("MIGRATE_TEST_POSTGRES_URL").ok() else {
        assert!(TestDb::postgres().is_none());
        return;
    };
    let databases = PostgresDatabases::create(&server, 20);
    let schemas: Vec<TestDb> = (0..10).filter_map(|_| TestDb::postgres()).collect();
    let mut lines = databases.targets("db_");
    lines.extend(targets_of(&schemas, "schema_"));
    let project = project();
    let targets = targets_file(&project, &lines);
    let run = fleet(&project, &targets)
        .args(["up", "--parallel", "4", "--json"])
        .run();
    run.success();
    let documents = json_targets(&run);
    assert_eq!(documents.len(), 30);
    assert!(
        documents.iter().all(|document| document["exit_code"] == 0),
        "{run}"
    );
    for schema in &schemas {
        assert_eq!(schema.scalar("SELECT count(*) FROM fleet_c"), 1);
    }
    assert_eq!(
        databases.count_in_each("SELECT count(*) FROM fleet_c"),
        vec![1; 20]
    );
    // The password-free URLs are shown as given; each target is its own.
    assert_eq!(documents[0]["name"], "db_0");
    let status = fleet(&project, &targets).args(["status", "--json"]).run();
    status.success();
    for document in json_targets(&status) {
        assert_eq!(document["current_version"], 3, "{document}");
    }
}

#[test]
fn mariadb_databases() {
    let dbs: Vec<TestDb> = (0..10).filter_map(|_| TestDb::mysql()).collect();
    if dbs.is_empty() {
        return;
    }
    let project = project();
    let targets = targets_file(&project, &targets_of(&dbs, "shard_"));
    let run = fleet(&project, &targets).args(["up"]).run();
    run.success();
    assert!(run.stdout.contains("10 ok"), "{run}");
    for db in &dbs {
        assert_eq!(db.scalar("SELECT count(*) FROM fleet_c"), 1);
    }
}

/// An unreachable target, one whose migration fails and one whose run lock
/// another run holds: each reported with its own exit, the others done,
/// and the fleet's exit the first of 1, 5, 4, 3, 2.
#[test]
fn unreachable_failing_and_locked_targets_do_not_stop_the_others() {
    let dbs: Vec<TestDb> = (0..4).filter_map(|_| TestDb::postgres()).collect();
    if dbs.is_empty() {
        return;
    }
    let project = Project::new()
        .up(1, "a", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n")
        .up(2, "slow", "SELECT pg_sleep(2);\n");
    // The failing target already has the table version 1 creates.
    dbs[1].execute("CREATE TABLE fleet_a (id INTEGER PRIMARY KEY)");
    // Another run holds the run lock of the third.
    let holder = project.command().database(&dbs[2]).args(["up"]).spawn();
    dbs[2].wait_for_run_lock();
    let mut lines = targets_of(&dbs, "t");
    lines.push((
        "unreachable".to_string(),
        "postgres://postgres@127.0.0.1:1/nowhere".to_string(),
    ));
    let targets = targets_file(&project, &lines);
    let run = fleet(&project, &targets)
        .args(["up", "--continue-on-error", "--lock-wait", "1", "--json"])
        .run();
    let _ = Run::from_child(holder);
    run.expect(1);
    let exits: Vec<(String, serde_json::Value)> = json_targets(&run)
        .iter()
        .map(|document| {
            (
                document["name"].as_str().unwrap_or("").to_string(),
                document["exit_code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        exits,
        vec![
            ("t0".to_string(), serde_json::json!(0)),
            ("t1".to_string(), serde_json::json!(1)),
            ("t2".to_string(), serde_json::json!(4)),
            ("t3".to_string(), serde_json::json!(0)),
            ("unreachable".to_string(), serde_json::json!(1)),
        ],
        "{run}"
    );
    assert_eq!(dbs[3].scalar("SELECT count(*) FROM db_version"), 2);
    // The human form: a line each, failures with their error, the summary.
    let again = fleet(&project, &targets)
        .args(["up", "--continue-on-error", "--lock-wait", "1"])
        .run();
    again.expect(1);
    assert!(again.stdout.contains("3 ok, 2 failed"), "{again}");
    assert!(
        again
            .stdout
            .lines()
            .any(|line| line.starts_with("t1") && line.contains("failed (exit 1)")),
        "{again}"
    );
}

/// Without --continue-on-error, a failure starts no new target; with a
/// canary, a failing canary starts nothing else even with it.
#[test]
fn a_failure_stops_new_starts_and_a_failing_canary_stops_the_run() {
    let project = project();
    let dbs: Vec<TestDb> = (0..10).map(|_| TestDb::sqlite()).collect();
    dbs[2].execute("CREATE TABLE fleet_b (id INTEGER PRIMARY KEY)");
    let targets = targets_file(&project, &targets_of(&dbs, "t"));
    let run = fleet(&project, &targets)
        .args(["up", "--parallel", "1"])
        .run();
    run.expect(1);
    assert!(
        run.stdout.contains("2 ok, 1 failed, 7 not started"),
        "{run}"
    );
    assert!(run.stdout.contains("not started: t3, t4"), "{run}");
    assert!(!dbs[3].table_exists("fleet_a"));

    let canary = fleet(&project, &targets)
        .args(["up", "--canary", "3", "--continue-on-error"])
        .run();
    canary.expect(1);
    assert!(
        canary.stdout.contains("2 ok, 1 failed, 7 not started"),
        "{canary}"
    );

    // Read-only commands ask every target, failures or not.
    let status = fleet(&project, &targets).args(["status", "--json"]).run();
    assert_eq!(json_targets(&status).len(), 10, "{status}");
    assert!(
        json_targets(&status)
            .iter()
            .all(|document| document["started"] == true),
        "{status}"
    );
}

/// The targets file's mistakes: exit 2 naming its line, no value of a
/// variable printed, and no database touched.
#[test]
fn targets_file_mistakes_are_usage_errors_naming_the_line() {
    let project = project();
    let db = TestDb::sqlite();
    project.write(
        "targets",
        format!(
            "a {}\nb postgres://app:${{FLEET_TEST_UNSET}}@127.0.0.1/x\n",
            db.url()
        ),
    );
    let targets = project.path().join("targets");
    let run = fleet(&project, &targets)
        .env_remove("FLEET_TEST_UNSET")
        .args(["up"])
        .run();
    run.expect(2);
    assert!(run.stderr.contains("targets:2"), "{run}");
    assert!(run.stderr.contains("FLEET_TEST_UNSET is not set"), "{run}");
    assert!(!db.exists(), "{run}");

    let secret = "Fl33tS3cret";
    let run = fleet(&project, &targets)
        .env("FLEET_TEST_UNSET", secret)
        .args(["up"])
        .run();
    assert!(!run.all_output().contains(secret), "{run}");

    let both = fleet(&project, &targets).database(&db).args(["up"]).run();
    both.expect(2);
    assert!(both.stderr.contains("leave out --database-url"), "{both}");

    let lint = fleet(&project, &targets).args(["lint"]).run();
    lint.expect(2);
    let dump = fleet(&project, &targets).args(["schema_dump"]).run();
    dump.expect(2);
    assert!(dump.stderr.contains("one schema file"), "{dump}");
}

/// SIGINT cancels the targets that run, starts no other, and the summary
/// says which were interrupted.
#[test]
fn sigint_cancels_running_targets_and_starts_no_more() {
    let dbs: Vec<TestDb> = (0..6).filter_map(|_| TestDb::postgres()).collect();
    if dbs.is_empty() {
        return;
    }
    let project = Project::new().up(1, "slow", "SELECT pg_sleep(30);\n");
    let targets = targets_file(&project, &targets_of(&dbs, "t"));
    let child = fleet(&project, &targets)
        .args(["up", "--parallel", "2"])
        .spawn();
    dbs[0].wait_for_run_lock();
    dbs[1].wait_for_run_lock();
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let started = std::time::Instant::now();
    let run = Run::from_child(child);
    assert!(started.elapsed() < Duration::from_secs(20), "{run}");
    run.expect(130);
    assert!(
        run.stdout.contains("0 ok, 2 interrupted, 4 not started"),
        "{run}"
    );
    // Nothing was applied: the running files were rolled back, the other
    // targets never connected to.
    for db in &dbs {
        db.wait_until_run_lock_is_free();
        assert!(
            !db.table_exists("db_version")
                || db.scalar("SELECT count(*) FROM db_version WHERE state = 'added'") == 0
        );
    }
    assert!(dbs[2..].iter().all(|db| !db.table_exists("db_version")));
}

/// Real databases on the test server, created and dropped by the test.
struct PostgresDatabases {
    server: String,
    names: Vec<String>,
}

impl PostgresDatabases {
    fn create(server: &str, count: usize) -> PostgresDatabases {
        let prefix = unique_name();
        let names: Vec<String> = (0..count)
            .map(|index| format!("{prefix}_{index}"))
            .collect();
        let mut client =
            postgres::Client::connect(server, postgres::NoTls).expect("connect to PostgreSQL");
        for name in &names {
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create a database");
        }
        PostgresDatabases {
            server: server.to_string(),
            names,
        }
    }

    fn url(&self, name: &str) -> String {
        let (base, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
        let root = base.rsplit_once('/').map_or(base, |(root, _)| root);
        match query.is_empty() {
            true => format!("{root}/{name}"),
            false => format!("{root}/{name}?{query}"),
        }
    }

    fn targets(&self, prefix: &str) -> Vec<(String, String)> {
        self.names
            .iter()
            .enumerate()
            .map(|(index, name)| (format!("{prefix}{index}"), self.url(name)))
            .collect()
    }

    fn count_in_each(&self, sql: &str) -> Vec<i64> {
        self.names
            .iter()
            .map(|name| {
                let mut client = postgres::Client::connect(&self.url(name), postgres::NoTls)
                    .expect("connect to a target");
                client.query_one(sql, &[]).expect("count").get(0)
            })
            .collect()
    }
}

impl Drop for PostgresDatabases {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            for name in &self.names {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// On a terminal, a live line on stderr counts done, failed and running
/// targets; each finished line and the summary stay on the screen.
#[test]
fn a_terminal_shows_the_fleets_live_count() {
    let project = project();
    let dbs: Vec<TestDb> = (0..4).map(|_| TestDb::sqlite()).collect();
    let targets = targets_file(&project, &targets_of(&dbs, "t"));
    let args = format!(
        "--dir '{}' --targets '{}' up --parallel 1",
        project.path().display(),
        targets.display(),
    );
    let (succeeded, raw) = run_on_a_terminal(project.path(), 100, &args);
    assert!(succeeded, "{raw}");
    assert!(
        raw.contains("\r1/4 done, 0 failed, 0 running") && raw.contains("\r4/4 done"),
        "the live line counts the targets: {raw:?}"
    );
    // What stays on the screen: the live line is gone.
    let screen = screen(&raw);
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines.len(), 5, "{screen:?} from {raw:?}");
    assert!(
        lines[..4]
            .iter()
            .all(|line| line.contains(" ok  3 operations ")),
        "{screen:?}"
    );
    assert_eq!(lines[4], "4 ok");
}

/// `status --targets` names the targets whose repeatable files would run,
/// as it names those with pending versions, and `--check` exits 3.
#[test]
fn the_status_matrix_names_targets_with_repeatable_files_to_run() {
    let project = project().file(
        "repeatable/fleet_view.sql",
        "DROP VIEW IF EXISTS fleet_view;\nCREATE VIEW fleet_view AS SELECT id FROM fleet_c;\n",
    );
    let dbs: Vec<TestDb> = (0..2).map(|_| TestDb::sqlite()).collect();
    let targets = targets_file(&project, &targets_of(&dbs, "t"));
    fleet(&project, &targets).args(["up"]).run().success();
    let current = fleet(&project, &targets).args(["status", "--check"]).run();
    current.success();
    assert!(!current.stdout.contains("repeatable:"), "{current}");

    project.write(
        "repeatable/fleet_view.sql",
        "DROP VIEW IF EXISTS fleet_view;\nCREATE VIEW fleet_view AS SELECT id, 1 AS one FROM fleet_c;\n",
    );
    let changed = fleet(&project, &targets).args(["status", "--check"]).run();
    changed.expect(3);
    assert!(
        changed.stdout.contains("repeatable: t0 (1), t1 (1)"),
        "{changed}"
    );
}
