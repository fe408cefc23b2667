//! `status`: the human table (snapshot) and `--json`, whose shape is SPEC
//! section 6 (parsed and compared as values, times masked).

use serde_json::{Value, json};

use crate::support::{Project, TestDb, for_each_backend, mask_run, migrate};

/// Version 1 added and simdropped, 2 added, 3 pending without a name, 4 a
/// cleanup made only of phase files.
fn scenario() -> Project {
    Project::new()
        .up(
            1,
            "create_users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, legacy TEXT);\n",
        )
        .down(1, "create_users", "DROP TABLE users;\n")
        .simdrop(1, "ALTER TABLE users RENAME COLUMN legacy TO legacy_old;\n")
        .rollback_simdrop(1, "ALTER TABLE users RENAME COLUMN legacy_old TO legacy;\n")
        .drop(1, "ALTER TABLE users DROP COLUMN legacy_old;\n")
        .up(
            2,
            "add_posts",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n",
        )
        .up(3, "", "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n")
        .simdrop(4, "SELECT 1;\n")
        .drop(4, "SELECT 1;\n")
}

fn bring_to_scenario_state(project: &Project, db: &TestDb) {
    migrate(project, db, &["up", "1"]).success();
    migrate(project, db, &["simdrop", "1"]).success();
    migrate(project, db, &["up", "2"]).success();
}

/// The document restricted to the keys SPEC section 6 names (each must be
/// present), with the times masked.
fn spec_view(document: &Value) -> Value {
    let pick = |object: &Value, keys: &[&str]| -> Value {
        let mut picked = serde_json::Map::new();
        for key in keys {
            let value = object
                .get(*key)
                .unwrap_or_else(|| panic!("key {key:?} missing from {object}"));
            picked.insert((*key).to_string(), value.clone());
        }
        Value::Object(picked)
    };
    let mut view = pick(document, &["database", "current_version"]);
    let versions: Vec<Value> = document["versions"]
        .as_array()
        .expect("a versions array")
        .iter()
        .map(|version| {
            let mut row = pick(
                version,
                &[
                    "version",
                    "name",
                    "state",
                    "release",
                    "releases",
                    "applied_at",
                    "files",
                    "drift",
                    "out_of_order",
                ],
            );
            if let Some(at) = row["applied_at"].as_str() {
                assert!(
                    at.ends_with('Z') && at.len() >= 20 && at.as_bytes()[10] == b'T',
                    "applied_at is not RFC 3339 UTC: {at}"
                );
                row["applied_at"] = json!("[time]");
            }
            row
        })
        .collect();
    view["versions"] = Value::Array(versions);
    view
}

fn files(
    add: Value,
    rollback_add: Value,
    simdrop: Value,
    rollback_simdrop: Value,
    drop: Value,
) -> Value {
    json!({
        "add": add, "rollback_add": rollback_add, "simdrop": simdrop,
        "rollback_simdrop": rollback_simdrop, "drop": drop,
    })
}

#[test]
fn status_json_has_the_shape_of_the_spec() {
    for_each_backend(|db| {
        let project = scenario();
        bring_to_scenario_state(&project, db);
        let run = migrate(&project, db, &["status", "--json"]);
        run.success();
        let expected = json!({
            "database": db.url(),
            "current_version": 2,
            "versions": [
                {
                    "version": 1, "name": "create_users", "state": "simdropped", "release": "2",
                    "releases": {"add": "1", "simdrop": "2", "drop": null},
                    "applied_at": "[time]",
                    "files": files(
                        json!("up/1_create_users.sql"), json!("down/1_create_users.sql"),
                        json!("up/1.simdrop.sql"), json!("down/1.simdrop.sql"), json!("up/1.drop.sql"),
                    ),
                    "drift": false, "out_of_order": false,
                },
                {
                    "version": 2, "name": "add_posts", "state": "added", "release": "3",
                    "releases": {"add": "3", "simdrop": null, "drop": null},
                    "applied_at": "[time]",
                    "files": files(json!("up/2_add_posts.sql"), Value::Null, Value::Null, Value::Null, Value::Null),
                    "drift": false, "out_of_order": false,
                },
                {
                    "version": 3, "name": null, "state": "pending", "release": null,
                    "releases": {"add": null, "simdrop": null, "drop": null},
                    "applied_at": null,
                    "files": files(json!("up/3.sql"), Value::Null, Value::Null, Value::Null, Value::Null),
                    "drift": false, "out_of_order": false,
                },
                {
                    "version": 4, "name": null, "state": "pending", "release": null,
                    "releases": {"add": null, "simdrop": null, "drop": null},
                    "applied_at": null,
                    "files": files(Value::Null, Value::Null, json!("up/4.simdrop.sql"), Value::Null, json!("up/4.drop.sql")),
                    "drift": false, "out_of_order": false,
                },
            ],
        });
        assert_eq!(spec_view(&run.json()), expected, "{run}");
    });
}

#[test]
fn status_json_on_a_new_database_lists_pending_versions_and_creates_nothing() {
    for_each_backend(|db| {
        let project = scenario();
        let run = migrate(&project, db, &["status", "--json"]);
        let document = run.success().json();
        assert_eq!(document["current_version"], 0);
        let view = spec_view(&document);
        let states: Vec<&str> = view["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|version| version["state"].as_str().expect("a state"))
            .collect();
        assert_eq!(states, ["pending"; 4]);
        assert!(!db.exists(), "status created the database");
    });
}

#[test]
fn status_table_snapshot() {
    // The same table on every backend: one snapshot.
    for_each_backend(|db| {
        let project = scenario();
        bring_to_scenario_state(&project, db);
        let run = migrate(&project, db, &["status"]);
        run.success();
        assert_eq!(run.stderr, "");
        assert!(
            run.stdout.starts_with(&format!("database: {}\n", db.url())),
            "{run}"
        );
        insta::assert_snapshot!("status_table_snapshot", mask_run(&run.stdout, &project, db));
    });
}

#[test]
fn status_names_the_next_step_of_the_deployment() {
    for_each_backend(|db| {
        let project = scenario();
        bring_to_scenario_state(&project, db);
        migrate(&project, db, &["up"]).success();
        let run = migrate(&project, db, &["status"]);
        run.success();
        // Version 4 has a simdrop file and now awaits it.
        assert!(
            run.stdout.contains("awaits simdrop (`migrate simdrop`)"),
            "{run}"
        );
        migrate(&project, db, &["ff"]).success();
        let done = migrate(&project, db, &["status", "--json"]).json();
        let states: Vec<&str> = done["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|version| version["state"].as_str().expect("a state"))
            .collect();
        // 2 and 3 are add-only: done at added.
        assert_eq!(states, ["dropped", "added", "added", "dropped"]);
    });
}
