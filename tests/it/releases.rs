//! Release labels (SPEC section 2): the default 1, 2, 3 per run,
//! `--release` and `MIGRATE_RELEASE`, and the rollbacks that undo one
//! release at a time and refuse to cross into an earlier one.

use serde_json::json;

use crate::support::{Project, TestDb, for_each_backend, json_operations, migrate, states};

/// Versions 1 to 5, each a table that its down file drops, with a simdrop
/// phase that renames it and can rename it back.
fn five() -> Project {
    let mut project = Project::new();
    for version in 1..=5 {
        let name = format!("t{version}");
        project = project
            .up(
                version,
                &name,
                &format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n"),
            )
            .down(version, &name, &format!("DROP TABLE {name};\n"))
            .simdrop(
                version,
                &format!("ALTER TABLE {name} RENAME TO {name}_old;\n"),
            )
            .rollback_simdrop(
                version,
                &format!("ALTER TABLE {name}_old RENAME TO {name};\n"),
            );
    }
    project
}

/// Each version's add label, from `status --json`.
fn add_releases(project: &Project, db: &TestDb) -> Vec<serde_json::Value> {
    let status = migrate(project, db, &["status", "--json"]).json();
    status["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|version| version["releases"]["add"].clone())
        .collect()
}

/// Releases: 1 = {1, 2}, 2 = {3}, 3 = {4, 5}.
fn three_releases(project: &Project, db: &TestDb) {
    migrate(project, db, &["up", "2"]).success();
    migrate(project, db, &["up", "3"]).success();
    migrate(project, db, &["up"]).success();
}

#[test]
fn each_run_gets_the_next_numeric_label() {
    for_each_backend(|db| {
        let project = five();
        three_releases(&project, db);
        assert_eq!(
            add_releases(&project, db),
            [json!("1"), json!("1"), json!("2"), json!("3"), json!("3")]
        );
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][4]["release"], "3");
    });
}

#[test]
fn release_flag_and_environment_set_the_label() {
    for_each_backend(|db| {
        let project = five();
        migrate(&project, db, &["up", "1"]).success();
        migrate(&project, db, &["up", "2", "--release", "hotfix-7"]).success();
        project
            .command()
            .database(db)
            .env("MIGRATE_RELEASE", "from-env")
            .args(["up", "3"])
            .run()
            .success();
        // The flag wins over the environment.
        project
            .command()
            .database(db)
            .env("MIGRATE_RELEASE", "from-env")
            .args(["up", "4", "--release", "from-flag"])
            .run()
            .success();
        // The default is one more than the highest numeric label so far.
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            add_releases(&project, db),
            [
                json!("1"),
                json!("hotfix-7"),
                json!("from-env"),
                json!("from-flag"),
                json!("2")
            ]
        );
    });
}

#[test]
fn down_reverts_the_latest_release_then_the_one_before() {
    for_each_backend(|db| {
        let project = five();
        three_releases(&project, db);

        let first = migrate(&project, db, &["down", "--json"]);
        first.success();
        assert_eq!(
            json_operations(&first.json()),
            [
                (5, "rollback_add".to_string()),
                (4, "rollback_add".to_string())
            ]
        );
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );

        let second = migrate(&project, db, &["down", "--json"]);
        second.success();
        assert_eq!(
            json_operations(&second.json()),
            [(3, "rollback_add".to_string())]
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        assert!(db.table_exists("t2") && !db.table_exists("t3"));

        let third = migrate(&project, db, &["down", "--json"]);
        third.success();
        assert_eq!(json_operations(&third.json()).len(), 2);
        assert_eq!(db.versions(), []);
    });
}

#[test]
fn rollback_log_rows_carry_the_label_of_what_they_revert() {
    for_each_backend(|db| {
        let project = five();
        migrate(&project, db, &["up", "2", "--release", "alpha"]).success();
        migrate(&project, db, &["down"]).success();
        let rows = db.rows(
            // Qualified, `release` needs no quotes on MySQL, where it is a keyword.
            "SELECT version, db_version_log.release FROM db_version_log \
             WHERE operation = 'rollback_add' AND outcome = 'ok' ORDER BY id",
        );
        assert_eq!(rows, [["2", "alpha"], ["1", "alpha"]]);
        // A rollback creates no label: the next run is still release 1.
        migrate(&project, db, &["up", "1"]).success();
        assert_eq!(add_releases(&project, db)[0], "1");
    });
}

#[test]
fn down_n_refuses_to_cross_into_an_earlier_release() {
    for_each_backend(|db| {
        let project = five();
        three_releases(&project, db);
        let before = db.footprint();
        let run = migrate(&project, db, &["down", "2"]);
        run.expect(5);
        // Names the version of the older release, and the way out.
        assert!(run.stderr.contains('3'), "{run}");
        assert!(run.stderr.contains("--across-releases"), "{run}");
        assert_eq!(
            db.footprint(),
            before,
            "refused as a whole, yet something changed"
        );

        // Within the latest release it is fine.
        migrate(&project, db, &["down", "4"]).success();
        assert_eq!(db.versions().len(), 4);

        let across = migrate(&project, db, &["down", "1", "--across-releases", "--json"]);
        across.success();
        assert_eq!(
            json_operations(&across.json()),
            [
                (4, "rollback_add".to_string()),
                (3, "rollback_add".to_string()),
                (2, "rollback_add".to_string())
            ]
        );
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn rollback_simdrop_follows_simdrop_releases() {
    for_each_backend(|db| {
        let project = five();
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop", "2"]).success();
        migrate(&project, db, &["simdrop"]).success();

        let before = db.footprint();
        let refused = migrate(&project, db, &["rollback_simdrop", "0"]);
        refused.expect(5);
        assert!(refused.stderr.contains("--across-releases"), "{refused}");
        assert_eq!(db.footprint(), before);

        let latest = migrate(&project, db, &["rollback_simdrop", "--json"]);
        latest.success();
        assert_eq!(
            json_operations(&latest.json()),
            [
                (5, "rollback_simdrop".to_string()),
                (4, "rollback_simdrop".to_string()),
                (3, "rollback_simdrop".to_string())
            ]
        );
        assert_eq!(
            db.versions(),
            states(&[
                (1, "simdropped"),
                (2, "simdropped"),
                (3, "added"),
                (4, "added"),
                (5, "added")
            ])
        );
        assert!(db.table_exists("t3") && db.table_exists("t2_old"));

        migrate(&project, db, &["rollback-simdrop"]).success();
        assert!(db.versions().iter().all(|(_, state)| state == "added"));
    });
}
