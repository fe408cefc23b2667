//! `mark N` (adopting an existing database) and `mark --only N --state S`
//! (repair): states change, nothing runs, every change is logged.

use crate::support::{Project, for_each_backend, migrate, states};

fn project() -> Project {
    let mut project = Project::new();
    for version in 1..=3 {
        let name = format!("t{version}");
        project = project
            .up(
                version,
                &name,
                &format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n"),
            )
            .down(version, &name, &format!("DROP TABLE {name};\n"));
    }
    project
}

#[test]
fn mark_n_records_versions_as_added_without_running_them() {
    for_each_backend(|db| {
        let project = project();
        // The existing database already has the first two tables.
        db.execute(
            "CREATE TABLE t1 (id INTEGER PRIMARY KEY); CREATE TABLE t2 (id INTEGER PRIMARY KEY);",
        );
        let run = migrate(&project, db, &["mark", "2"]);
        run.success();
        assert_eq!(
            run.operations(),
            [("mark", "1"), ("mark", "2")].map(|(op, v)| (op.to_string(), v.to_string()))
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        let log = db.rows("SELECT version, operation, outcome FROM db_version_log ORDER BY id");
        assert_eq!(log, [["1", "mark", "ok"], ["2", "mark", "ok"]]);

        // Only version 3 runs now; marking did not run 1 and 2 (they would fail).
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
        assert!(db.table_exists("t3"));
    });
}

#[test]
fn mark_only_sets_one_versions_state() {
    for_each_backend(|db| {
        // Version 3 goes through every phase; 1 and 2 are add-only.
        let project = project()
            .simdrop(3, "ALTER TABLE t3 RENAME TO t3_old;\n")
            .drop(3, "DROP TABLE t3_old;\n");
        migrate(&project, db, &["up", "1"]).success();
        let refused = migrate(&project, db, &["mark", "--only", "1", "--state", "dropped"]);
        refused.expect(5);
        assert!(
            refused.stderr.contains("version 1: it is add-only"),
            "{refused}"
        );

        migrate(
            &project,
            db,
            &["mark", "--only", "3", "--state", "simdropped"],
        )
        .success();
        assert_eq!(db.versions(), states(&[(1, "added"), (3, "simdropped")]));
        assert!(!db.table_exists("t3"), "mark ran the file");
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][2]["state"], "simdropped");
        assert!(
            status["versions"][2]["releases"]["add"].is_string(),
            "{status}"
        );
        assert!(
            status["versions"][2]["releases"]["simdrop"].is_string(),
            "{status}"
        );

        migrate(&project, db, &["mark", "--only", "3", "--state", "dropped"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (3, "dropped")]));

        migrate(&project, db, &["mark", "--only", "1", "--state", "pending"]).success();
        assert_eq!(db.versions(), states(&[(3, "dropped")]));
        assert!(db.table_exists("t1"), "mark ran the down file");

        let log = db.rows(
            "SELECT version, operation FROM db_version_log WHERE operation LIKE 'mark%' ORDER BY id",
        );
        assert_eq!(
            log,
            [
                ["3", "mark_simdropped"],
                ["3", "mark_dropped"],
                ["1", "mark_pending"]
            ]
        );
    });
}

#[test]
fn mark_refuses_bad_requests() {
    for_each_backend(|db| {
        let project = project();
        let unknown = migrate(&project, db, &["mark", "--only", "9", "--state", "added"]);
        unknown.expect(2);
        assert!(unknown.stderr.contains('9'), "{unknown}");
        let bad_state = migrate(&project, db, &["mark", "--only", "1", "--state", "failed"]);
        bad_state.expect(2);
        migrate(&project, db, &["mark", "--only", "1"]).expect(2);
        migrate(&project, db, &["mark"]).expect(2);
        assert!(!db.exists(), "a refused mark created the database");
    });
}

#[test]
fn mark_dry_run_changes_nothing() {
    for_each_backend(|db| {
        let project = project();
        let run = migrate(&project, db, &["mark", "2", "--dry-run"]);
        run.success();
        assert!(run.stdout.contains("mark"), "{run}");
        let only = migrate(
            &project,
            db,
            &["mark", "--only", "1", "--state", "added", "--dry-run"],
        );
        only.success();
        assert!(only.stdout.contains('1'), "{only}");
        assert!(!db.exists(), "a dry run created the database");
    });
}

#[test]
fn mark_only_dry_run_refuses_what_the_real_run_refuses() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
        let unknown = migrate(
            &project,
            db,
            &["mark", "--only", "999", "--state", "added", "--dry-run"],
        );
        unknown.expect(2);
        assert!(unknown.stderr.contains("999"), "{unknown}");
        migrate(&project, db, &["up"]).success();
        project.write(
            "up/1_a.sql",
            "CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER);\n",
        );
        let drifted = migrate(
            &project,
            db,
            &["mark", "--only", "1", "--state", "pending", "--dry-run"],
        );
        drifted.expect(5);
        let allowed = migrate(
            &project,
            db,
            &[
                "mark",
                "--only",
                "1",
                "--state",
                "pending",
                "--dry-run",
                "--allow-drift",
            ],
        );
        allowed.success();
        assert!(
            allowed
                .stdout
                .contains("would mark 1 as pending (now added)"),
            "{allowed}"
        );
        assert_eq!(
            db.versions(),
            states(&[(1, "added")]),
            "a dry run changes nothing"
        );
    });
}
