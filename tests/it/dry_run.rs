//! `--dry-run` (SPEC section 4): prints the plan, exits 0, and changes
//! nothing: a missing SQLite file stays missing, an existing database stays
//! byte-identical. With `-v` it shows the SQL. It refuses what a real run
//! would refuse.

use serde_json::json;

use crate::support::{Project, for_each_backend, mask_run, migrate, states};

fn project() -> Project {
    Project::new()
        .up(1, "users", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n")
        .down(1, "users", "DROP TABLE users;\n")
        .up(
            2,
            "posts",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY);\nCREATE INDEX posts_id ON posts (id);\n",
        )
        .down(2, "posts", "DROP TABLE posts;\n")
        .simdrop(2, "ALTER TABLE posts RENAME TO posts_old;\n")
        .rollback_simdrop(2, "ALTER TABLE posts_old RENAME TO posts;\n")
        .drop(2, "DROP TABLE posts_old;\n")
}

#[test]
fn dry_run_on_a_new_database_prints_the_plan_and_creates_nothing() {
    for_each_backend(|db| {
        let project = project();
        let run = migrate(&project, db, &["up", "--dry-run"]);
        run.success();
        assert!(run.stdout.contains("up/1_users.sql"), "{run}");
        assert!(run.stdout.contains("up/2_posts.sql"), "{run}");
        assert!(
            !run.stdout.contains("CREATE TABLE"),
            "SQL shown without -v\n{run}"
        );
        assert!(!db.exists(), "a dry run created the database");
    });
}

#[test]
fn dry_run_changes_nothing_on_an_existing_database() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up", "1"]).success();
        let before = db.footprint();
        for args in [
            &["up", "--dry-run"][..],
            &["up", "--only", "2", "--dry-run"],
            &["down", "--dry-run"],
            &["down", "0", "--dry-run"],
            &["simdrop", "--dry-run"],
            &["ff", "--dry-run"],
            &["mark", "2", "--dry-run"],
            &["mark", "--only", "2", "--state", "dropped", "--dry-run"],
        ] {
            let run = migrate(&project, db, args);
            run.success();
            assert!(!run.stdout.is_empty(), "{args:?} printed no plan");
            assert_eq!(
                db.footprint(),
                before,
                "{args:?} changed the database\n{run}"
            );
        }
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn verbose_dry_run_shows_the_sql() {
    for_each_backend(|db| {
        let project = project();
        let run = migrate(&project, db, &["-v", "up", "--dry-run"]);
        run.success();
        assert!(
            run.stdout
                .contains("CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            "{run}"
        );
        assert!(
            run.stdout.contains("CREATE INDEX posts_id ON posts (id);"),
            "{run}"
        );
        assert!(!db.exists());
    });
}

#[test]
fn dry_run_json_lists_the_operations() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up"]).success();
        let run = migrate(&project, db, &["ff", "--dry-run", "--json"]);
        run.success();
        let document = run.json();
        let operations: Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> =
            document["operations"]
                .as_array()
                .expect("operations")
                .iter()
                .map(|op| {
                    (
                        op["version"].clone(),
                        op["operation"].clone(),
                        op["file"].clone(),
                    )
                })
                .collect();
        assert_eq!(
            operations,
            // Version 1 is add-only: ff leaves it added.
            [
                (json!(2), json!("simdrop"), json!("up/2.simdrop.sql")),
                (json!(2), json!("drop"), json!("up/2.drop.sql")),
            ]
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn dry_run_refuses_what_a_run_would_refuse() {
    for_each_backend(|db| {
        // Rows only, so that the file is transactional on MySQL too.
        let project = project().up(
            3,
            "own_tx",
            "BEGIN;\nINSERT INTO users (id) VALUES (1);\nCOMMIT;\n",
        );
        let preflight = migrate(&project, db, &["up", "--dry-run"]);
        preflight.expect(2);
        assert!(
            preflight.stderr.contains("up/3_own_tx.sql:1"),
            "{preflight}"
        );
        assert!(!db.exists());

        project.remove("up/3_own_tx.sql");
        migrate(&project, db, &["up", "2"]).success();
        migrate(&project, db, &["simdrop", "2"]).success();
        let before = db.footprint();
        let refused = migrate(&project, db, &["down", "--dry-run"]);
        refused.expect(5);
        assert!(
            refused.stderr.contains("rollback_simdrop --only 2"),
            "{refused}"
        );
        assert_eq!(db.footprint(), before);
    });
}

#[test]
fn verbose_dry_run_snapshot() {
    // The same plan on every backend: one snapshot.
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up", "1"]).success();
        let run = migrate(&project, db, &["ff", "--dry-run", "-v"]);
        run.success();
        insta::assert_snapshot!(
            "verbose_dry_run_snapshot",
            mask_run(&run.stdout, &project, db)
        );
    });
}
