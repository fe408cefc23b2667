//! Add-only versions (SPEC sections 1 and 8): a version with neither a
//! simdrop nor a drop file ends its life at `added`, so `simdrop`, `drop`
//! and `ff` leave it reversible by its down file; and a row an older
//! `migrate` swept to `dropped` is read as `added`, so it can still be
//! rolled back.

use serde_json::json;

use crate::support::{Project, TestDb, for_each_backend, json_operations, migrate, states};

/// The README's example project in portable SQL: 1 to 4 are add-only (1
/// without a down file), 5 renames `users.name` across three phases.
fn example_shape() -> Project {
    Project::new()
        .up(
            1,
            "create_users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100));\n",
        )
        .up(
            2,
            "create_posts",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);\n",
        )
        .down(2, "create_posts", "DROP TABLE posts;\n")
        .up(
            3,
            "create_tags",
            "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n",
        )
        .down(3, "create_tags", "DROP TABLE tags;\n")
        .up(
            4,
            "seed_users",
            "INSERT INTO users (id, name) VALUES (1, 'Ada'), (2, 'Grace');\n",
        )
        .down(4, "seed_users", "DELETE FROM users WHERE id IN (1, 2);\n")
        .up(
            5,
            "users_full_name",
            "ALTER TABLE users ADD COLUMN full_name VARCHAR(100);\n",
        )
        .down(
            5,
            "users_full_name",
            "ALTER TABLE users DROP COLUMN full_name;\n",
        )
        .simdrop(
            5,
            "ALTER TABLE users RENAME COLUMN name TO name_deprecated;\n",
        )
        .rollback_simdrop(
            5,
            "ALTER TABLE users RENAME COLUMN name_deprecated TO name;\n",
        )
        .drop(5, "ALTER TABLE users DROP COLUMN name_deprecated;\n")
}

fn status_states(project: &Project, db: &TestDb) -> Vec<(u64, String)> {
    let status = migrate(project, db, &["status", "--json"]).json();
    status["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|row| {
            let version = row["version"].as_u64().expect("a version");
            (version, row["state"].as_str().expect("a state").to_string())
        })
        .collect()
}

fn owned(pairs: &[(u64, &str)]) -> Vec<(u64, String)> {
    pairs
        .iter()
        .map(|(version, state)| (*version, state.to_string()))
        .collect()
}

#[test]
fn the_example_story_leaves_add_only_versions_added_and_reversible() {
    for_each_backend(|db| {
        let project = example_shape();
        migrate(&project, db, &["up"]).success();
        let simdrop = migrate(&project, db, &["simdrop", "--json"]);
        assert_eq!(
            json_operations(&simdrop.success().json()),
            [(5, "simdrop".to_string())]
        );
        let drop = migrate(&project, db, &["drop", "--json"]);
        assert_eq!(
            json_operations(&drop.success().json()),
            [(5, "drop".to_string())]
        );
        let expected = [
            (1, "added"),
            (2, "added"),
            (3, "added"),
            (4, "added"),
            (5, "dropped"),
        ];
        assert_eq!(db.versions(), states(&expected));
        assert_eq!(status_states(&project, db), owned(&expected));
        // ff has nothing left to do either, and the deployment is complete.
        let ff = migrate(&project, db, &["ff", "--json"]);
        assert_eq!(json_operations(&ff.success().json()), []);
        migrate(&project, db, &["status", "--check"]).success();

        // The down file of an add-only version still undoes it.
        migrate(&project, db, &["down", "--only", "4"]).success();
        assert_eq!(db.scalar("SELECT count(*) FROM users"), 0);
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added"), (5, "dropped")])
        );
    });
}

#[test]
fn simdrop_and_drop_only_refuse_an_add_only_version_by_name() {
    for_each_backend(|db| {
        let project = example_shape();
        migrate(&project, db, &["up"]).success();
        for command in ["simdrop", "drop"] {
            let refused = migrate(&project, db, &[command, "--only", "4"]);
            refused.expect(5);
            assert!(
                refused
                    .stderr
                    .contains(&format!("cannot {command} version 4: it is add-only")),
                "{refused}"
            );
            let json = migrate(&project, db, &[command, "--only", "4", "--json"]);
            json.expect(5);
            assert_eq!(json.json()["error"]["exit_code"], 5);
        }
        assert_eq!(db.versions()[3], ("4".to_string(), "added".to_string()));
    });
}

/// Writes what an older `migrate` left after `simdrop` (release 2) and
/// `drop` (release 3): the add-only version named `name` recorded as
/// `dropped`, with no checksum for phases that ran no file.
fn sweep_the_old_way(db: &TestDb, name: &str) {
    db.execute(&format!(
        "UPDATE db_version SET state = 'dropped', \
         simdrop_release = '2', simdropped_at = added_at, simdrop_seq = 100, \
         drop_release = '3', dropped_at = added_at, drop_seq = 101 \
         WHERE name = '{name}'"
    ));
}

#[test]
fn a_row_the_old_sweep_left_dropped_is_read_as_added_and_rolls_back() {
    for_each_backend(|db| {
        let project = example_shape();
        migrate(&project, db, &["up"]).success();
        sweep_the_old_way(db, "seed_users");
        sweep_the_old_way(db, "create_users");
        // The row says dropped; everything that decides reads added.
        assert_eq!(db.versions()[3], ("4".to_string(), "dropped".to_string()));
        let status = migrate(&project, db, &["status", "--json"]).json();
        let four = &status["versions"][3];
        assert_eq!(four["state"], "added", "{status}");
        assert_eq!(
            four["releases"],
            json!({"add": "1", "simdrop": null, "drop": null})
        );
        assert_eq!(four["drift"], false);
        assert_eq!(
            status["next"],
            json!([{ "operation": "simdrop", "versions": [5], "command": "migrate simdrop" }])
        );

        // simdrop moves only version 5, in a release after the swept labels.
        let simdrop = migrate(&project, db, &["simdrop", "--json"]);
        assert_eq!(
            json_operations(&simdrop.success().json()),
            [(5, "simdrop".to_string())]
        );
        let five = &migrate(&project, db, &["status", "--json"]).json()["versions"][4];
        assert_eq!(five["releases"]["simdrop"], "4", "{five}");

        let refused = migrate(&project, db, &["down", "--only", "1"]);
        refused.expect(5);
        assert!(refused.stderr.contains("no down/1.sql"), "{refused}");
        migrate(&project, db, &["down", "--only", "4"]).success();
        assert_eq!(db.scalar("SELECT count(*) FROM users"), 0);
        let rows: Vec<(String, String)> = db.versions();
        assert_eq!(
            rows,
            states(&[
                (1, "dropped"),
                (2, "added"),
                (3, "added"),
                (5, "simdropped")
            ])
        );
        assert_eq!(status_states(&project, db)[0], (1, "added".to_string()));
    });
}
