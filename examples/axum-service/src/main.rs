//! A web service that migrates its PostgreSQL database at start-up, from
//! migrations compiled into its binary, on the client it then serves with.
//!
//! ```sh
//! DATABASE_URL=postgres://app@localhost/notes ADDRESS=127.0.0.1:3000 cargo run
//! curl -d 'hello' http://127.0.0.1:3000/notes
//! curl http://127.0.0.1:3000/notes
//! ```
//!
//! Several instances starting at once are safe: the run lock lets one
//! apply the migrations while the others wait, then find nothing to do.

use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use migrate::Migrator;
use migrate::tokio_postgres::{self, Client, NoTls};

/// Every file of `migrations/`, compiled in by `build.rs`.
static MIGRATIONS: &[migrate::EmbeddedFile] = migrate::embedded_migrations!();

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Failure> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL=postgres://USER@HOST/DATABASE")?;
    let address = std::env::var("ADDRESS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let (client, connection) = tokio_postgres::connect(&url, NoTls)
        .await
        .map_err(|error| format!("cannot connect to the database: {error}"))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("error: the database connection ended: {error}");
        }
    });
    let client = migrate_database(&url, client).await?;
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(client)).await?;
    Ok(())
}

/// Brings the database to the latest version on the service's own client,
/// off the runtime's workers, and hands the client back.
async fn migrate_database(url: &str, client: Client) -> Result<Arc<Client>, Failure> {
    let migrator = Migrator::embedded(url, MIGRATIONS)?.with_postgres_client(client);
    let applied = migrator.up_async().await?;
    for report in &applied {
        println!("{report} in {} ms", report.ms);
    }
    println!("migrated: {} operations", applied.len());
    let client = migrator
        .into_postgres_client()
        .ok_or("the migrator kept the database client")?;
    Ok(Arc::new(client))
}

fn app(client: Arc<Client>) -> Router {
    Router::new()
        .route("/notes", get(list).post(add))
        .with_state(client)
}

/// Every note, one per line, oldest first.
async fn list(State(client): State<Arc<Client>>) -> Result<String, (StatusCode, String)> {
    let rows = client
        .query("SELECT body FROM note ORDER BY id", &[])
        .await
        .map_err(internal)?;
    Ok(rows
        .iter()
        .map(|row| format!("{}\n", row.get::<_, String>(0)))
        .collect())
}

/// Adds the request's body as a note.
async fn add(
    State(client): State<Arc<Client>>,
    body: String,
) -> Result<StatusCode, (StatusCode, String)> {
    client
        .execute("INSERT INTO note (body) VALUES ($1)", &[&body])
        .await
        .map_err(internal)?;
    Ok(StatusCode::CREATED)
}

fn internal(error: tokio_postgres::Error) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n"))
}
