//! Safety refusals (exit 5, SPEC section 2): out-of-order versions, drift,
//! a rollback without a down file, a rollback of a simdropped version.
//! Each names what blocks it and changes nothing; each has its way out.
//! Release boundaries are in `releases.rs`, failed versions in `failures.rs`.

use crate::support::{
    Project, TestDb, for_each_backend, json_operations, mask_run, migrate, states,
};

fn table(name: &str) -> String {
    format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n")
}

#[test]
fn an_out_of_order_version_is_refused_then_allowed() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(3, "c", &table("c"));
        migrate(&project, db, &["up"]).success();
        // A branch merged late brings version 2.
        let project = project.up(2, "late", &table("late"));
        let before = db.footprint();
        let run = migrate(&project, db, &["up"]);
        run.expect(5);
        assert!(run.stderr.contains("version 2"), "{run}");
        assert!(run.stderr.contains("--allow-out-of-order"), "{run}");
        assert_eq!(db.footprint(), before);

        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][1]["version"], 2);
        assert_eq!(status["versions"][1]["out_of_order"], true, "{status}");
        assert_eq!(status["versions"][0]["out_of_order"], false, "{status}");

        let allowed = migrate(&project, db, &["up", "--allow-out-of-order", "--json"]);
        allowed.success();
        assert_eq!(json_operations(&allowed.json()), [(2, "add".to_string())]);
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn ff_refuses_an_out_of_order_version_too() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(3, "c", &table("c"));
        migrate(&project, db, &["up"]).success();
        let project = project.up(2, "late", &table("late"));
        migrate(&project, db, &["ff"]).expect(5);
        assert!(!db.table_exists("late"));
        migrate(&project, db, &["ff", "--allow-out-of-order"]).success();
        assert_eq!(
            db.versions(),
            // Add-only versions: ff ends their life at added.
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn drift_blocks_every_changing_command_until_allowed() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .down(1, "a", "DROP TABLE a;\n")
            .up(2, "b", &table("b"))
            .down(2, "b", "DROP TABLE b;\n");
        migrate(&project, db, &["up", "1"]).success();
        project.write(
            "up/1_a.sql",
            "CREATE TABLE a (id INTEGER PRIMARY KEY, extra TEXT);\n",
        );
        let before = db.footprint();
        for args in [
            &["up"][..],
            &["down"],
            &["simdrop"],
            &["ff"],
            &["mark", "2"],
        ] {
            let run = migrate(&project, db, args);
            run.expect(5);
            assert!(
                run.stderr.contains("up/1_a.sql"),
                "{args:?} does not name the file\n{run}"
            );
            assert!(run.stderr.contains("--allow-drift"), "{run}");
            assert!(run.stderr.contains("verify --accept"), "{run}");
        }
        assert_eq!(
            db.footprint(),
            before,
            "a refused command changed the database"
        );

        migrate(&project, db, &["up", "--allow-drift"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

/// Version 1 applied and then edited on disk; 2 and 3 pending.
fn drifted(db: &TestDb) -> Project {
    let project = Project::new()
        .up(1, "a", &table("a"))
        .up(2, "b", &table("b"))
        .up(3, "c", &table("c"));
    migrate(&project, db, &["up", "1"]).success();
    project.write(
        "up/1_a.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY, extra TEXT);\n",
    );
    project
}

#[test]
fn mark_n_under_drift_accepts_allow_drift() {
    for_each_backend(|db| {
        let project = drifted(db);
        let refused = migrate(&project, db, &["mark", "3"]);
        refused.expect(5);
        assert!(refused.stderr.contains("--allow-drift"), "{refused}");
        migrate(&project, db, &["mark", "3", "--allow-drift"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn mark_only_refuses_under_drift_too() {
    for_each_backend(|db| {
        let project = drifted(db);
        let before = db.footprint();
        let run = migrate(&project, db, &["mark", "--only", "3", "--state", "added"]);
        run.expect(5);
        assert!(run.stderr.contains("up/1_a.sql"), "{run}");
        assert_eq!(db.footprint(), before);
    });
}

#[test]
fn a_removed_applied_file_shows_as_missing() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(2, "b", &table("b"));
        migrate(&project, db, &["up"]).success();
        project.remove("up/2_b.sql");
        let status = migrate(&project, db, &["status", "--json"]);
        let document = status.success().json();
        assert_eq!(document["versions"][1]["version"], 2);
        assert_eq!(document["versions"][1]["state"], "missing", "{document}");
    });
}

#[test]
fn a_rollback_without_a_down_file_is_refused() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "bootstrap", &table("a"))
            .up(2, "b", &table("b"))
            .down(2, "b", "DROP TABLE b;\n");
        migrate(&project, db, &["up"]).success();
        let before = db.footprint();
        let run = migrate(&project, db, &["down", "0"]);
        run.expect(5);
        assert!(run.stderr.contains("version 1"), "{run}");
        assert!(run.stderr.contains("down/1"), "{run}");
        // Refused as a whole: version 2, which could be undone, was not.
        assert_eq!(db.footprint(), before);
        assert!(db.table_exists("b"));

        migrate(&project, db, &["down", "1"]).success();
        assert!(!db.table_exists("b"));
    });
}

#[test]
fn down_of_a_simdropped_version_names_rollback_simdrop() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .down(1, "a", "DROP TABLE a;\n")
            .simdrop(1, "ALTER TABLE a RENAME TO a_old;\n")
            .rollback_simdrop(1, "ALTER TABLE a_old RENAME TO a;\n");
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop"]).success();
        let before = db.footprint();
        let run = migrate(&project, db, &["down"]);
        run.expect(5);
        assert!(run.stderr.contains("rollback_simdrop --only 1"), "{run}");
        assert_eq!(db.footprint(), before);

        migrate(&project, db, &["rollback_simdrop", "--only", "1"]).success();
        migrate(&project, db, &["down"]).success();
        assert_eq!(db.versions(), []);
        assert!(!db.table_exists("a") && !db.table_exists("a_old"));
    });
}

#[test]
fn a_refusal_message_snapshot() {
    // The same refusals on every backend: one snapshot.
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(3, "c", &table("c"))
            .down(3, "c", "DROP TABLE c;\n");
        migrate(&project, db, &["up"]).success();
        let project = project.up(2, "late", &table("late"));
        let out_of_order = migrate(&project, db, &["up"]);
        out_of_order.expect(5);
        project.write(
            "up/3_c.sql",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, x TEXT);\n",
        );
        let drift = migrate(&project, db, &["down"]);
        drift.expect(5);
        let text = format!(
            "$ migrate up\n{}$ migrate down\n{}",
            out_of_order.stderr, drift.stderr
        );
        insta::assert_snapshot!("a_refusal_message_snapshot", mask_run(&text, &project, db));
    });
}
