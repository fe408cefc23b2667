//! An application that migrates its SQLite database at start-up with the
//! `migrate` library, then uses it.
//!
//! ```sh
//! cargo run --example startup                  # a database in the temporary folder
//! cargo run --example startup -- notes.db      # or this file
//! ```
//!
//! The migrations are `examples/startup/up/` and `examples/startup/down/`:
//! the same folder layout, tables and rules as the `migrate` command, which
//! can inspect the result (`migrate --dir examples/startup --database-url
//! sqlite:notes.db status`, or `log`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use migrate::Migrator;

fn main() -> ExitCode {
    let database = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("migrate-startup-example.db"));
    match run(&database) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(database: &Path) -> Result<(), String> {
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/startup");
    let url = format!("sqlite:{}", database.display());

    // 1. Before serving anything: bring the schema to the latest version.
    // Several instances starting at once are safe: the run lock lets one
    // apply each version and the others find nothing left to do.
    let migrator = Migrator::open(&url, &migrations).map_err(|error| error.to_string())?;
    let applied = migrator.up().map_err(|error| error.to_string())?;
    if applied.is_empty() {
        println!("schema up to date");
    }
    for report in &applied {
        println!("applied {report} ({} ms)", report.ms);
    }
    let status = migrator.status().map_err(|error| error.to_string())?;
    println!("{url} is at version {}", status.current_version);

    // 2. The application itself, on the schema the migrations made.
    let connection = rusqlite::Connection::open(database).map_err(|error| error.to_string())?;
    connection
        .execute(
            "INSERT INTO notes (body, created_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            ["started"],
        )
        .map_err(|error| error.to_string())?;
    let count: i64 = connection
        .query_row("SELECT count(*) FROM notes", [], |row| row.get(0))
        .map_err(|error| error.to_string())?;
    println!("{count} note(s) in {}", database.display());
    Ok(())
}
