//! Every command's basic effect on the database: `up`, `up N`, `up --only`,
//! `down N`, `down 0`, `version`, `status --check`, the phase commands
//! (`simdrop`, `rollback_simdrop`, `drop`, `ff`), the aliases, and global
//! options on either side of the command.

use crate::support::{Invocation, Project, for_each_backend, json_operations, migrate, states};

/// Three versions, each creating one table and able to drop it again.
fn three_tables() -> Project {
    let mut project = Project::new();
    for (version, name) in [(1, "users"), (2, "posts"), (3, "tags")] {
        project = project
            .up(
                version,
                &format!("create_{name}"),
                &format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n"),
            )
            .down(
                version,
                &format!("create_{name}"),
                &format!("DROP TABLE {name};\n"),
            );
    }
    project
}

/// Version 1 creates `users` and `legacy`; version 2 hides `legacy` (simdrop),
/// can bring it back (rollback_simdrop) and finally drops it (drop).
fn phased() -> Project {
    Project::new()
        .up(
            1,
            "create",
            "CREATE TABLE users (id INTEGER PRIMARY KEY);\nCREATE TABLE legacy (id INTEGER PRIMARY KEY);\n",
        )
        .up(2, "retire_legacy", "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n")
        .down(2, "retire_legacy", "DROP TABLE accounts;\n")
        .simdrop(2, "ALTER TABLE legacy RENAME TO legacy_old;\n")
        .rollback_simdrop(2, "ALTER TABLE legacy_old RENAME TO legacy;\n")
        .drop(2, "DROP TABLE legacy_old;\n")
}

#[test]
fn up_applies_every_pending_version_in_order() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["up"]);
        run.success();
        assert_eq!(
            run.operations(),
            [("add", "1"), ("add", "2"), ("add", "3")]
                .map(|(op, v)| (op.to_string(), v.to_string()))
        );
        assert!(run.stdout.contains("up/1_create_users.sql"), "{run}");
        for table in ["users", "posts", "tags"] {
            assert!(db.table_exists(table), "{table} was not created");
        }
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
        assert_eq!(migrate(&project, db, &["version"]).success().stdout, "3\n");
    });
}

#[test]
fn up_json_lists_each_operation_with_version_operation_file_and_ms() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["up", "2", "--json"]);
        run.success();
        let document = run.json();
        let operations = document["operations"].as_array().expect("operations");
        assert_eq!(operations.len(), 2, "{document}");
        assert_eq!(operations[0]["version"], 1);
        assert_eq!(operations[0]["operation"], "add");
        assert_eq!(operations[0]["file"], "up/1_create_users.sql");
        assert!(operations[0]["ms"].is_u64(), "{document}");
        assert!(document.get("error").is_none(), "{document}");
        assert_eq!(run.stderr, "");
    });
}

#[test]
fn up_twice_does_nothing_the_second_time() {
    for_each_backend(|db| {
        let project = three_tables();
        migrate(&project, db, &["up"]).success();
        let before = db.footprint();
        let again = migrate(&project, db, &["up", "--json"]);
        again.success();
        assert_eq!(json_operations(&again.json()), []);
        assert_eq!(
            db.footprint(),
            before,
            "a run with nothing to do changed the database"
        );
    });
}

#[test]
fn up_n_stops_at_n_and_skips_gaps() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);")
            .up(5, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);")
            .up(10, "c", "CREATE TABLE c (id INTEGER PRIMARY KEY);");
        let run = migrate(&project, db, &["up", "7", "--json"]);
        run.success();
        assert_eq!(
            json_operations(&run.json()),
            [(1, "add".to_string()), (5, "add".to_string())]
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (5, "added")]));
        assert!(!db.table_exists("c"));
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (5, "added"), (10, "added")])
        );
        assert!(db.table_exists("c"));
    });
}

#[test]
fn up_only_applies_that_version_alone_and_again_does_nothing() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["up", "--only", "3", "--json"]);
        run.success();
        assert_eq!(json_operations(&run.json()), [(3, "add".to_string())]);
        assert_eq!(db.versions(), states(&[(3, "added")]));
        assert!(db.table_exists("tags") && !db.table_exists("users"));

        let before = db.footprint();
        let again = migrate(&project, db, &["up", "--only", "3", "--json"]);
        again.success();
        assert_eq!(json_operations(&again.json()), []);
        assert_eq!(db.footprint(), before);
    });
}

#[test]
fn up_only_an_unknown_version_is_a_usage_error() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["up", "--only", "9"]);
        run.expect(2);
        assert!(run.stderr.contains('9'), "{run}");
        assert!(!db.exists());
    });
}

#[test]
fn down_n_reverts_the_versions_above_n_latest_first() {
    for_each_backend(|db| {
        let project = three_tables();
        migrate(&project, db, &["up"]).success();
        let run = migrate(&project, db, &["down", "1", "--json"]);
        run.success();
        assert_eq!(
            json_operations(&run.json()),
            [
                (3, "rollback_add".to_string()),
                (2, "rollback_add".to_string())
            ]
        );
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert!(db.table_exists("users"));
        assert!(!db.table_exists("posts") && !db.table_exists("tags"));
        assert_eq!(migrate(&project, db, &["version"]).success().stdout, "1\n");
    });
}

#[test]
fn down_0_reverts_everything() {
    for_each_backend(|db| {
        let project = three_tables();
        migrate(&project, db, &["up"]).success();
        let run = migrate(&project, db, &["down", "0"]);
        run.success();
        assert_eq!(
            run.operations(),
            [
                ("rollback_add", "3"),
                ("rollback_add", "2"),
                ("rollback_add", "1")
            ]
            .map(|(op, v)| (op.to_string(), v.to_string()))
        );
        assert_eq!(db.versions(), []);
        for table in ["users", "posts", "tags"] {
            assert!(!db.table_exists(table), "{table} is still there");
        }
        assert_eq!(migrate(&project, db, &["version"]).success().stdout, "0\n");
        // Everything can come back.
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions().len(), 3);
    });
}

#[test]
fn version_prints_0_and_creates_nothing_on_a_new_database() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["version"]);
        assert_eq!(run.success().stdout, "0\n");
        assert!(!db.exists(), "version created the database");
        let json = migrate(&project, db, &["version", "--json"]);
        assert_eq!(json.success().json()["current_version"], 0);
    });
}

#[test]
fn status_check_exits_3_while_anything_is_pending() {
    for_each_backend(|db| {
        let project = three_tables();
        migrate(&project, db, &["status", "--check"]).expect(3);
        assert!(!db.exists(), "status created the database");
        migrate(&project, db, &["up", "2"]).success();
        migrate(&project, db, &["status", "--check"]).expect(3);
        migrate(&project, db, &["up"]).success();
        let run = migrate(&project, db, &["status", "--check"]);
        run.success();
        assert!(run.stdout.contains("current version: 3"), "{run}");
    });
}

#[test]
fn aliases_add_rollback_add_and_rollback_dash_add() {
    for_each_backend(|db| {
        let project = three_tables();
        migrate(&project, db, &["add", "2"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        migrate(&project, db, &["rollback_add", "1"]).success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        migrate(&project, db, &["rollback-add", "0"]).success();
        assert_eq!(db.versions(), []);
        assert!(!db.table_exists("users"));
    });
}

#[test]
fn global_options_may_stand_before_or_after_the_command() {
    for_each_backend(|db| {
        let project = three_tables();
        let dir = project.path().to_str().expect("a UTF-8 path");
        Invocation::bare(project.path())
            .args(["up", "2", "--dir", dir, "--database-url", db.url(), "-q"])
            .run()
            .success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        let run = Invocation::bare(project.path())
            .args(["--json", "--database-url", db.url(), "up", "--dir", dir])
            .run();
        run.success();
        assert_eq!(json_operations(&run.json()), [(3, "add".to_string())]);
        let quiet = Invocation::bare(project.path())
            .args(["--dir", dir, "-q", "--database-url", db.url(), "down", "0"])
            .args(["--across-releases"])
            .run();
        assert_eq!(quiet.success().stdout, "", "-q printed results");
        assert_eq!(db.versions(), []);
    });
}

#[test]
fn simdrop_rollback_simdrop_and_drop_move_through_the_phases() {
    for_each_backend(|db| {
        let project = phased();
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));

        let run = migrate(&project, db, &["simdrop", "--json"]);
        run.success();
        // Version 1 has no simdrop and no drop file: add-only, it stays added.
        assert_eq!(json_operations(&run.json()), [(2, "simdrop".to_string())]);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "simdropped")]));
        assert!(db.table_exists("legacy_old") && !db.table_exists("legacy"));

        migrate(&project, db, &["rollback_simdrop", "1"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        assert!(db.table_exists("legacy") && !db.table_exists("legacy_old"));

        migrate(&project, db, &["simdrop", "--only", "2"]).success();
        migrate(&project, db, &["rollback-simdrop", "1"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));

        migrate(&project, db, &["simdrop"]).success();
        let dropped = migrate(&project, db, &["drop", "--json"]);
        dropped.success();
        assert_eq!(json_operations(&dropped.json()), [(2, "drop".to_string())]);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "dropped")]));
        assert!(!db.table_exists("legacy_old") && !db.table_exists("legacy"));
        assert!(db.table_exists("users") && db.table_exists("accounts"));
    });
}

#[test]
fn simdrop_needs_an_added_version() {
    for_each_backend(|db| {
        let project = phased();
        let run = migrate(&project, db, &["simdrop", "--only", "2"]);
        run.expect(5);
        assert!(run.stderr.contains("version 2"), "{run}");
        assert!(!db.table_exists("legacy_old"));
    });
}

#[test]
fn drop_cannot_be_rolled_back() {
    for_each_backend(|db| {
        let project = phased();
        migrate(&project, db, &["ff"]).success();
        let before = db.footprint();
        let run = migrate(&project, db, &["rollback_simdrop", "--only", "2"]);
        run.expect(5);
        assert!(run.stderr.contains("version 2"), "{run}");
        migrate(&project, db, &["down", "--only", "2"]).expect(5);
        assert_eq!(db.footprint(), before);
    });
}

#[test]
fn ff_takes_each_version_through_every_phase_version_by_version() {
    for_each_backend(|db| {
        let project = phased();
        let run = migrate(&project, db, &["ff", "--json"]);
        run.success();
        // Version 1 is add-only: ff ends its life at added.
        let expected: Vec<(u64, String)> = [(1, "add"), (2, "add"), (2, "simdrop"), (2, "drop")]
            .into_iter()
            .map(|(version, operation)| (version, operation.to_string()))
            .collect();
        assert_eq!(json_operations(&run.json()), expected);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "dropped")]));
        assert!(!db.table_exists("legacy") && !db.table_exists("legacy_old"));
    });
}

#[test]
fn ff_n_stops_at_n() {
    for_each_backend(|db| {
        let project = phased();
        migrate(&project, db, &["ff", "1"]).success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert!(db.table_exists("legacy") && !db.table_exists("accounts"));
    });
}

#[test]
fn quiet_prints_only_errors() {
    for_each_backend(|db| {
        let project = three_tables();
        let run = migrate(&project, db, &["up", "2", "-q"]);
        assert_eq!(run.success().stdout, "");
        assert_eq!(run.stderr, "");
        assert_eq!(db.versions().len(), 2);
        project.write(
            "up/3_create_tags.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
        );
        let failed = migrate(&project, db, &["up", "-q"]);
        failed.expect(1);
        assert_eq!(failed.stdout, "");
        assert!(
            failed.stderr.starts_with("error: up/3_create_tags.sql:1: "),
            "{failed}"
        );
    });
}

#[test]
fn json_output_is_one_document_even_for_a_usage_error() {
    for_each_backend(|db| {
        let project = three_tables();
        for args in [
            &["up", "--json", "--bogus"][..],
            &["up", "0", "--json"],
            &["--json", "frobnicate"],
        ] {
            let run = migrate(&project, db, args);
            run.expect(2);
            assert_eq!(run.json()["error"]["exit_code"], 2, "{args:?}\n{run}");
            assert!(run.stderr.contains("error"), "{run}");
        }
        assert!(!db.exists());
    });
}
