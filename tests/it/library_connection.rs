//! The application's own SQLite connection (issue 17): an in-memory
//! database migrated, used and migrated again through the same connection,
//! and a file connection (whose sessions take the file's run lock file, as
//! the command's do).

use migrate::rusqlite::Connection;
use migrate::{Command, Migrator, Options};

use crate::support::Project;

fn project() -> Project {
    Project::new()
        .up(
            1,
            "notes",
            "CREATE TABLE own_notes (id INTEGER PRIMARY KEY);\n",
        )
        .down(1, "notes", "DROP TABLE own_notes;\n")
        .up(2, "seed", "INSERT INTO own_notes (id) VALUES (7);\n")
        .down(2, "seed", "DELETE FROM own_notes;\n")
}

fn count(connection: &Connection, sql: &str) -> i64 {
    connection
        .query_row(sql, [], |row| row.get(0))
        .expect("a count")
}

#[test]
fn an_in_memory_database_is_migrated_on_its_own_connection() {
    let project = project();
    let connection = Connection::open_in_memory().expect("SQLite");
    connection
        .execute_batch("PRAGMA foreign_keys = ON")
        .expect("a pragma");
    let migrator = Migrator::open("sqlite::memory:", project.path())
        .expect("a URL")
        .with_sqlite_connection(connection);

    assert_eq!(migrator.up().expect("up").len(), 2);
    // Every command's session reuses the one connection: the database lives on.
    assert_eq!(migrator.status().expect("status").current_version, 2);
    assert!(migrator.up().expect("a second up").is_empty());
    let back = migrator
        .migrate(
            Command::Down(Some(1)),
            &Options::default(),
            Default::default(),
            &mut |_| {},
        )
        .expect("down");
    assert!(back.error.is_none(), "{:?}", back.error);
    assert_eq!(
        migrator
            .current_version()
            .expect("a version")
            .map(|v| v.get()),
        Some(1)
    );

    let connection = migrator
        .into_sqlite_connection()
        .expect("the connection back");
    assert_eq!(count(&connection, "SELECT count(*) FROM own_notes"), 0);
    assert_eq!(count(&connection, "SELECT count(*) FROM db_version"), 1);
    assert_eq!(
        count(&connection, "PRAGMA foreign_keys"),
        1,
        "foreign_keys restored"
    );
}

#[test]
fn a_file_connection_migrates_the_file_the_command_sees() {
    let project = project();
    let file = tempfile::tempdir().expect("a folder");
    let path = file.path().join("own.db");
    let connection = Connection::open(&path).expect("SQLite");
    let migrator = Migrator::open("sqlite::memory:", project.path())
        .expect("a URL")
        .with_sqlite_connection(connection);
    assert_eq!(migrator.up().expect("up").len(), 2);

    // The command, on the same file, sees what the library did.
    let run = project
        .command()
        .args([
            "--database-url",
            &format!("sqlite:{}", path.display()),
            "version",
        ])
        .run();
    run.success();
    assert_eq!(run.stdout, "2\n");
    let connection = migrator
        .into_sqlite_connection()
        .expect("the connection back");
    assert_eq!(count(&connection, "SELECT id FROM own_notes"), 7);
}
