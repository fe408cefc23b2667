//! The application's own PostgreSQL client (issue 17), as a service's
//! `#[tokio::main] async fn main` has it: its connection task spawned on
//! the service's runtime, the client handed to the migrator, migrated with
//! `up_async`, and taken back as it was found: its settings, no run lock,
//! still usable. Both kinds of runtime a service builds.

use std::path::Path;

use migrate::Migrator;
use migrate::tokio_postgres::{self, Client, NoTls};

use crate::support::db::{PostgresTarget, url_with_param};
use crate::support::{Project, TestDb};

fn project() -> Project {
    Project::new()
        .up(
            1,
            "notes",
            "CREATE TABLE lent_notes (id integer PRIMARY KEY, body text);\n",
        )
        .up(
            2,
            "index",
            "-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY lent_notes_body ON lent_notes (body);\n",
        )
        .up(3, "seed", "INSERT INTO lent_notes (id) VALUES (1);\n")
}

/// The migrator's URL without `search_path=`: what the application's
/// client connects with (tokio-postgres knows no such parameter).
fn client_url(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("search_path="))
        .collect();
    match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    }
}

/// What a session could change on the client: settings and advisory locks.
async fn session(client: &Client) -> Vec<String> {
    let row = client
        .query_one(
            "SELECT current_setting('search_path'), current_setting('lock_timeout'), \
             current_setting('idle_in_transaction_session_timeout'), \
             (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
              AND pid = pg_backend_pid())::text",
            &[],
        )
        .await
        .expect("the session's settings");
    (0..4).map(|index| row.get(index)).collect()
}

/// The service: connects, migrates on its client, then uses it.
async fn service(url: String, dir: &Path) {
    let (client, connection) = tokio_postgres::connect(&client_url(&url), NoTls)
        .await
        .expect("the application connects");
    let connection = tokio::spawn(connection);
    client
        .batch_execute("SET lock_timeout = '7s'; SET idle_in_transaction_session_timeout = '3min'")
        .await
        .expect("the application's own settings");
    let before = session(&client).await;

    // A URL that asks for a lease (a pooler) is refused, and the client kept.
    let pooled = url_with_param(&url, "pgbouncer", "true");
    let refused = Migrator::open(&pooled, dir)
        .expect("a URL")
        .with_postgres_client(client);
    let error = refused
        .up_async()
        .await
        .expect_err("a pooled client is refused");
    assert_eq!(error.exit_code(), 2, "{error}");
    assert!(error.to_string().contains("advisory lock"), "{error}");
    let client = refused.into_postgres_client().expect("the client back");
    // So is a migrator built for another database.
    let elsewhere = Migrator::open("sqlite:elsewhere.db", dir)
        .expect("a URL")
        .with_postgres_client(client);
    let error = elsewhere
        .up_async()
        .await
        .expect_err("not a PostgreSQL URL");
    assert_eq!(error.exit_code(), 2, "{error}");
    assert!(error.to_string().contains("postgres://"), "{error}");
    let client = elsewhere.into_postgres_client().expect("the client back");

    let migrator = Migrator::open(&url, dir)
        .expect("a URL")
        .with_postgres_client(client);
    assert_eq!(migrator.up_async().await.expect("up_async").len(), 3);
    // Another command's session takes the same client again.
    let status = {
        let migrator = migrator.clone();
        tokio::task::spawn_blocking(move || migrator.status())
            .await
            .expect("the task ends")
            .expect("status")
    };
    assert_eq!(status.current_version, 3);
    assert!(migrator.up_async().await.expect("a second up").is_empty());

    let client = migrator.into_postgres_client().expect("the client back");
    assert_eq!(
        session(&client).await,
        before,
        "the session as it was found"
    );
    let schema = url.split("search_path=").nth(1).expect("the test's schema");
    let notes: i64 = client
        .query_one(&format!("SELECT count(*) FROM {schema}.lent_notes"), &[])
        .await
        .expect("the migrated table")
        .get(0);
    assert_eq!(notes, 1);
    drop(client);
    connection
        .await
        .expect("the connection task ends")
        .expect("the connection ends cleanly");
}

#[test]
fn a_postgres_client_of_the_application_is_migrated_and_given_back_as_found() {
    // Through a pooler the client would be refused (tested above with
    // `pgbouncer=true`): the PgBouncer run has nothing more to prove here.
    if PostgresTarget::current() == PostgresTarget::PgBouncer {
        return;
    }
    for current_thread in [true, false] {
        let Some(db) = TestDb::postgres() else {
            return;
        };
        let project = project();
        // What `#[tokio::main]` builds, with and without `flavor = "current_thread"`.
        let runtime = match current_thread {
            true => tokio::runtime::Builder::new_current_thread(),
            false => tokio::runtime::Builder::new_multi_thread(),
        }
        .enable_all()
        .build()
        .expect("a runtime");
        runtime.block_on(service(db.url().to_string(), project.path()));
        assert_eq!(
            db.versions(),
            crate::support::states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    }
}
