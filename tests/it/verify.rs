//! `verify`: exit 3 on drift, `--accept` records the new checksums and logs it.

use serde_json::json;

use crate::support::{Project, for_each_backend, migrate, states};

fn project() -> Project {
    Project::new()
        .up(1, "users", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n")
        .up(2, "posts", "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n")
        .simdrop(2, "ALTER TABLE posts RENAME TO posts_old;\n")
        .up(3, "tags", "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n")
}

#[test]
fn verify_passes_when_every_applied_file_is_unchanged() {
    for_each_backend(|db| {
        let project = project();
        let fresh = migrate(&project, db, &["verify"]);
        fresh.success();
        assert!(!db.exists(), "verify created the database");
        migrate(&project, db, &["up", "2"]).success();
        // A pending file may change freely.
        project.write(
            "up/3_tags.sql",
            "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n",
        );
        let run = migrate(&project, db, &["verify", "--json"]);
        run.success();
        assert_eq!(run.json()["drift"], json!([]));
    });
}

#[test]
fn verify_exits_3_on_drift_and_names_the_file() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop", "2"]).success();
        project.write(
            "up/1_users.sql",
            "CREATE TABLE users (id INTEGER PRIMARY KEY); -- edited\n",
        );
        project.write(
            "up/2.simdrop.sql",
            "ALTER TABLE posts RENAME TO posts_older;\n",
        );
        let before = db.footprint();

        let run = migrate(&project, db, &["verify"]);
        run.expect(3);
        assert!(run.stdout.contains("up/1_users.sql"), "{run}");
        assert!(run.stdout.contains("up/2.simdrop.sql"), "{run}");

        let json = migrate(&project, db, &["verify", "--json"]);
        json.expect(3);
        let files: Vec<(u64, String)> = json.json()["drift"]
            .as_array()
            .expect("a drift array")
            .iter()
            .map(|found| {
                (
                    found["version"].as_u64().expect("a version"),
                    found["file"].as_str().expect("a file").to_string(),
                )
            })
            .collect();
        assert_eq!(
            files,
            [
                (1, "up/1_users.sql".to_string()),
                (2, "up/2.simdrop.sql".to_string())
            ]
        );

        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][0]["drift"], true);
        assert_eq!(status["versions"][1]["drift"], true);
        assert_eq!(status["versions"][2]["drift"], false);
        assert_eq!(db.footprint(), before, "verify changed the database");
    });
}

#[test]
fn verify_accept_records_the_new_checksums_and_logs_it() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up", "2"]).success();
        project.write(
            "up/1_users.sql",
            "-- the users of the app\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n",
        );
        migrate(&project, db, &["up"]).expect(5);

        let accept = migrate(&project, db, &["verify", "--accept"]);
        accept.success();
        assert!(accept.stdout.contains("up/1_users.sql"), "{accept}");
        migrate(&project, db, &["verify"]).success();
        let log =
            db.rows("SELECT version, file, outcome FROM db_version_log WHERE operation = 'accept'");
        assert_eq!(log, [["1", "up/1_users.sql", "ok"]]);

        // Nothing blocks the changing commands any more.
        migrate(&project, db, &["up"]).success();
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}

#[test]
fn accept_records_every_drifted_file_of_one_version() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "t", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
            .simdrop(1, "ALTER TABLE t RENAME TO t_hidden;\n");
        migrate(&project, db, &["ff"]).success();
        project.write(
            "up/1_t.sql",
            "-- a comment\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n",
        );
        project.write(
            "up/1.simdrop.sql",
            "-- another\nALTER TABLE t RENAME TO t_hidden;\n",
        );
        migrate(&project, db, &["verify"]).expect(3);
        migrate(&project, db, &["verify", "--accept"]).success();
        migrate(&project, db, &["verify"]).success();
    });
}
