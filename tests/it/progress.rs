//! What runs while it runs (issue 18): on a terminal a live line on stderr
//! that each operation's final line replaces, through a real
//! pseudo-terminal (`script`); in a log a start line with `-v` and a
//! `still running` line for a long operation; stdout keeps one line per
//! finished operation, aligned by the run's actual widths.

use crate::support::terminal::{run_on_a_terminal, screen};
use crate::support::{Backend, Project, TestDb, for_each_backend, mask_run, migrate};

/// Version 1 runs atomically (two statements), version 2 statement by
/// statement (three).
fn two_files() -> Project {
    Project::new()
        .up(
            1,
            "a",
            "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO a VALUES (1);\n",
        )
        .up(
            2,
            "b",
            "-- migrate: no-transaction\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n\
             INSERT INTO b VALUES (1);\nINSERT INTO b VALUES (2);\n",
        )
}

/// A statement that takes most of a second on each database.
fn slow_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "SELECT pg_sleep(0.8);\n",
        Backend::Mysql => "SELECT SLEEP(0.8);\n",
        Backend::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
             SELECT count(*) FROM c;\n"
        }
    }
}

/// Runs `migrate ARGS` on SQLite inside a pseudo-terminal 100 columns
/// wide; returns everything the terminal received.
fn on_a_terminal(project: &Project, db: &TestDb, args: &str) -> String {
    let args = format!(
        "--dir '{}' --database-url '{}' {args}",
        project.path().display(),
        db.url()
    );
    let (succeeded, raw) = run_on_a_terminal(project.path(), 100, &args);
    assert!(succeeded, "{raw}");
    raw
}

#[test]
fn a_terminal_shows_each_operation_while_it_runs_and_its_line_replaces_it() {
    let project = two_files();
    let db = TestDb::sqlite();
    let raw = on_a_terminal(&project, &db, "up");
    assert!(
        raw.contains("\rrunning add 1 up/1_a.sql (2 statements)  0s\x1b[K"),
        "the live line names the operation, version, file and elapsed time: {raw:?}"
    );
    for number in 1..=3 {
        assert!(
            raw.contains(&format!(
                "\rrunning add 2 up/2_b.sql, statement {number} of 3  "
            )),
            "a file run statement by statement shows statement {number} of 3: {raw:?}"
        );
    }
    insta::assert_snapshot!(mask_run(&screen(&raw), &project, &db), @r"
    add   1  up/1_a.sql [ms]
    add   2  up/2_b.sql [ms]
    done: 2 operations in [ms]
    ");
}

#[test]
fn off_a_terminal_only_verbose_runs_say_what_starts_and_stdout_is_unchanged() {
    for_each_backend(|db| {
        let project = two_files();
        let run = migrate(&project, db, &["-v", "up"]);
        run.success();
        let started: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.starts_with("migrate: started"))
            .collect();
        assert_eq!(
            started,
            [
                "migrate: started add 1 up/1_a.sql (2 statements)",
                "migrate: started add 2 up/2_b.sql (3 statements)",
            ],
            "{run}"
        );
        assert!(!run.stderr.contains('\r'), "a log is never redrawn: {run}");
        assert_eq!(run.operations().len(), 2, "{run}");

        let quiet_project = two_files();
        let db_again = TestDb::new(db.backend());
        let run = migrate(&quiet_project, &db_again, &["up"]);
        run.success();
        assert_eq!(run.stderr, "", "a quick run without -v is silent on stderr");
    });
}

#[test]
fn a_long_operation_off_a_terminal_says_it_is_still_running() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "backfill", slow_statement(db.backend()));
        let run = project
            .command()
            .database(db)
            .env("MIGRATE_PROGRESS_EVERY", "100ms")
            .args(["up"])
            .run();
        run.success();
        let notices: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.starts_with("migrate: still running: add 1 up/1_backfill.sql"))
            .collect();
        assert!(notices.len() >= 2, "repeated while it runs: {run}");
        assert!(
            notices[0].contains("(1 statement), for "),
            "names what runs and for how long: {run}"
        );
        assert_eq!(run.operations(), [("add".to_string(), "1".to_string())]);
    });
}

#[test]
fn a_bad_progress_interval_is_a_usage_error() {
    let project = two_files();
    let db = TestDb::sqlite();
    let run = project
        .command()
        .database(&db)
        .env("MIGRATE_PROGRESS_EVERY", "soon")
        .args(["up"])
        .run();
    run.expect(2);
    assert!(
        run.stderr.contains("MIGRATE_PROGRESS_EVERY: `soon`"),
        "{run}"
    );
}

#[test]
fn operation_lines_align_with_long_names_and_long_versions() {
    let project = Project::new()
        .up(7, "", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(
            20260301120000_u64,
            "backfill_customer_addresses_from_the_orders_table",
            "CREATE TABLE b (id INTEGER PRIMARY KEY);\n",
        )
        .simdrop(20260301120000_u64, "SELECT 1;\n");
    let db = TestDb::sqlite();
    let run = migrate(&project, &db, &["ff"]);
    run.success();
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| !line.starts_with("done:"))
        .collect();
    assert_eq!(lines.len(), 4, "{run}");
    let file_at = |line: &str| {
        line.find(" up/")
            .or_else(|| line.find(" (no file)"))
            .expect("a file column")
    };
    let version_end = |line: &str| line[..file_at(line)].trim_end().len();
    for line in &lines {
        assert_eq!(file_at(line), file_at(lines[0]), "files align: {run}");
        assert_eq!(
            version_end(line),
            version_end(lines[0]),
            "versions align: {run}"
        );
        assert_eq!(line.len(), lines[0].len(), "durations align: {run}");
    }
    insta::assert_snapshot!(mask_run(&run.stdout, &project, &db), @r"
    add                   7  up/7.sql [ms]
    add      20260301120000  up/20260301120000_backfill_customer_addresses_from_the_orders_table.sql [ms]
    simdrop  20260301120000  up/20260301120000.simdrop.sql [ms]
    drop     20260301120000  (no file) [ms]
    done: 4 operations in [ms]
    ");
}
