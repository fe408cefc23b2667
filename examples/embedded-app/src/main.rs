//! An application that migrates its SQLite database at start-up from
//! migrations compiled into its binary, then uses it.
//!
//! ```sh
//! cargo run -- notes.db
//! ```

use std::process::ExitCode;

use migrate::Migrator;
use migrate::rusqlite::Connection;

/// Every file of `migrations/`, compiled in by `build.rs`.
static MIGRATIONS: &[migrate::EmbeddedFile] = migrate::embedded_migrations!();

/// Migrates the database on `connection` to the latest version.
fn migrate(connection: Connection) -> Result<Connection, migrate::Error> {
    let migrator =
        Migrator::embedded("sqlite::memory:", MIGRATIONS)?.with_sqlite_connection(connection);
    for report in migrator.up()? {
        println!("{report}");
    }
    Ok(migrator
        .into_sqlite_connection()
        .expect("the connection given above"))
}

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "notes.db".to_string());
    let result = Connection::open(&path)
        .map_err(|error| format!("cannot open {path}: {error}"))
        .and_then(|connection| migrate(connection).map_err(|error| error.to_string()));
    match result {
        Ok(connection) => {
            let notes: i64 = connection
                .query_row("SELECT count(*) FROM note", [], |row| row.get(0))
                .unwrap_or(0);
            println!("{path}: {notes} notes");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test database lives in memory, migrated on its own connection.
    #[test]
    fn an_in_memory_database_gets_every_migration() {
        let connection = Connection::open_in_memory().expect("SQLite");
        let connection = migrate(connection).expect("the embedded migrations apply");
        connection
            .execute("INSERT INTO note (body, pinned) VALUES ('hello', 1)", [])
            .expect("the migrated table");
        let versions: i64 = connection
            .query_row("SELECT count(*) FROM db_version", [], |row| row.get(0))
            .expect("the version table");
        assert_eq!(versions, 2);
        // Migrating again does nothing.
        let connection = migrate(connection).expect("a second start-up");
        let notes: i64 = connection
            .query_row("SELECT count(*) FROM note", [], |row| row.get(0))
            .expect("the row");
        assert_eq!(notes, 1);
    }
}
