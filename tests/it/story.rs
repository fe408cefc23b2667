//! The worked example's zero-downtime story, step by step, as the README's
//! "Zero-downtime deployment" section tells it: version 5 renames
//! `users.name` to `users.full_name` across three releases, and at each step
//! a query written for the old code and one for the new code succeed or fail
//! as the README says. It runs the repository's own `up/` and `down/` on
//! SQLite, the example's database.

use std::path::Path;

use rusqlite::Connection;

use crate::support::{Invocation, Run, TestDb, states};

/// The repository's example project.
fn example() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(db: &TestDb, args: &[&str]) -> Run {
    Invocation::bare(db.dir())
        .database(db)
        .arg_path("--dir", example())
        // The example's schema/schema.sql is the repository's: leave it alone.
        .args(["--no-dump-schema"])
        .args(args)
        .run()
}

/// What the old code does: reads and writes `name`.
fn old_code(connection: &Connection, name: &str) -> Result<Vec<String>, rusqlite::Error> {
    connection.execute("INSERT INTO users (name) VALUES (?1)", [name])?;
    let mut statement = connection.prepare("SELECT name FROM users ORDER BY id")?;
    let names = statement.query_map([], |row| row.get::<_, Option<String>>(0))?;
    names
        .map(|name| name.map(Option::unwrap_or_default))
        .collect()
}

/// What the new code does: reads and writes `full_name`.
fn new_code(connection: &Connection, name: &str) -> Result<Vec<String>, rusqlite::Error> {
    connection.execute("INSERT INTO users (full_name) VALUES (?1)", [name])?;
    let mut statement = connection.prepare("SELECT full_name FROM users ORDER BY id")?;
    let names = statement.query_map([], |row| row.get::<_, Option<String>>(0))?;
    names
        .map(|name| name.map(Option::unwrap_or_default))
        .collect()
}

fn state_of_5(db: &TestDb) -> String {
    let status = run(db, &["status", "--json"]).json();
    let five = status["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|version| version["version"] == 5)
        .expect("version 5 in status")
        .clone();
    five["state"].as_str().expect("a state").to_string()
}

#[test]
fn renaming_a_column_across_three_releases() {
    let db = TestDb::sqlite();

    // Release 1: expand. Old and new code both work, and see each other's writes.
    run(&db, &["up"]).success();
    assert_eq!(state_of_5(&db), "added");
    let status = run(&db, &["status"]);
    assert!(status.stdout.contains("5 awaits simdrop"), "{status}");
    let connection = Connection::open(db.sqlite_path()).expect("open the example database");
    let seen_by_old = old_code(&connection, "written by old code").expect("old code works");
    let seen_by_new = new_code(&connection, "written by new code").expect("new code works");
    assert_eq!(
        seen_by_old,
        ["Ada Lovelace", "Grace Hopper", "written by old code"]
    );
    assert_eq!(
        seen_by_new,
        [
            "Ada Lovelace",
            "Grace Hopper",
            "written by old code",
            "written by new code"
        ]
    );
    connection
        .execute("UPDATE users SET name = 'Ada King' WHERE id = 1", [])
        .expect("old code updates");
    let full_name: String = connection
        .query_row("SELECT full_name FROM users WHERE id = 1", [], |row| {
            row.get(0)
        })
        .expect("read full_name");
    assert_eq!(full_name, "Ada King", "the triggers sync updates too");
    drop(connection);

    // Release 2: simdrop. New code works; old code fails loudly.
    run(&db, &["simdrop"]).success();
    assert_eq!(state_of_5(&db), "simdropped");
    let connection = Connection::open(db.sqlite_path()).expect("open");
    let error = old_code(&connection, "too late").expect_err("old code must fail now");
    assert!(error.to_string().contains("name"), "{error}");
    new_code(&connection, "after simdrop").expect("new code still works");
    drop(connection);

    // rollback_simdrop brings the old column back, with the rows written meanwhile.
    run(&db, &["rollback_simdrop"]).success();
    assert_eq!(state_of_5(&db), "added");
    let connection = Connection::open(db.sqlite_path()).expect("open");
    let names = old_code(&connection, "old code is back").expect("old code works again");
    assert!(names.contains(&"after simdrop".to_string()), "{names:?}");
    new_code(&connection, "new code too").expect("new code works");
    drop(connection);

    // Simdrop again (release 4), then drop (release 5): for good.
    run(&db, &["simdrop"]).success();
    run(&db, &["drop"]).success();
    assert_eq!(state_of_5(&db), "dropped");
    let connection = Connection::open(db.sqlite_path()).expect("open");
    assert!(old_code(&connection, "gone").is_err());
    new_code(&connection, "after drop").expect("new code works");
    let columns: Vec<String> = connection
        .prepare("SELECT name FROM pragma_table_info('users') ORDER BY cid")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .expect("read the columns");
    assert_eq!(columns, ["id", "full_name"]);
    drop(connection);

    // There is no way back from drop.
    let refused = run(&db, &["rollback_simdrop", "--only", "5"]);
    refused.expect(5);
    assert!(
        refused.stderr.contains("drop can never be undone"),
        "{refused}"
    );
}

#[test]
fn the_expand_step_rolls_back_with_down() {
    let db = TestDb::sqlite();
    run(&db, &["up", "4"]).success();
    run(&db, &["up"]).success();
    let connection = Connection::open(db.sqlite_path()).expect("open");
    new_code(&connection, "new").expect("new code works after expand");
    drop(connection);

    // Version 5 is the latest release on its own: `down` undoes exactly it.
    let reverted = run(&db, &["down", "--json"]);
    reverted.success();
    let operations = reverted.json()["operations"].clone();
    assert_eq!(operations.as_array().map(Vec::len), Some(1), "{reverted}");
    assert_eq!(operations[0]["version"], 5);
    let connection = Connection::open(db.sqlite_path()).expect("open");
    old_code(&connection, "old").expect("old code works after the rollback");
    assert!(new_code(&connection, "new").is_err());
}

#[test]
fn after_the_whole_deployment_versions_1_to_4_stay_added_and_reversible() {
    let db = TestDb::sqlite();
    run(&db, &["up"]).success();
    run(&db, &["simdrop"]).success();
    run(&db, &["drop"]).success();
    // 1 to 4 have no simdrop or drop file: add-only, their life ends at added.
    assert_eq!(
        db.versions(),
        states(&[
            (1, "added"),
            (2, "added"),
            (3, "added"),
            (4, "added"),
            (5, "dropped")
        ])
    );
    let reverted = run(&db, &["down", "--only", "4", "--json"]);
    reverted.success();
    assert_eq!(
        reverted.json()["operations"][0]["file"],
        "down/4_seed_users.sql"
    );
    assert_eq!(db.scalar("SELECT count(*) FROM users"), 0);
}

/// The README's first command on a fresh clone (`up` on the example, with
/// its `schema/` folder) rewrites `schema/schema.sql` to the very bytes
/// committed: the git tree stays clean on every machine.
#[test]
fn the_readme_up_rewrites_the_committed_schema_file_unchanged() {
    let db = TestDb::sqlite();
    let copy = tempfile::tempdir().expect("a temporary folder");
    for folder in ["up", "down", "schema"] {
        std::fs::create_dir(copy.path().join(folder)).expect("create the folder");
        for entry in std::fs::read_dir(example().join(folder)).expect("read the folder") {
            let path = entry.expect("an entry").path();
            let target = copy
                .path()
                .join(folder)
                .join(path.file_name().expect("a name"));
            std::fs::copy(&path, target).expect("copy the file");
        }
    }
    Invocation::bare(db.dir())
        .database(&db)
        .arg_path("--dir", copy.path())
        .args(["up"])
        .run()
        .success();
    let committed = std::fs::read_to_string(example().join("schema/schema.sql"))
        .expect("the committed schema/schema.sql");
    let rewritten = std::fs::read_to_string(copy.path().join("schema/schema.sql"))
        .expect("the rewritten schema/schema.sql");
    assert_eq!(rewritten, committed);
}
