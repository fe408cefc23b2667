//! The test's side of a PostgreSQL server, through the `postgres` crate
//! without TLS: a schema of the test's own, created and dropped here, and
//! the queries of [`super::TestDb`] on it, values as text.

use std::sync::{Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use super::lock;

/// A connection whose `search_path` is the test's schema.
pub struct PostgresServer {
    client: Mutex<postgres::Client>,
    server_url: String,
    schema: String,
    /// The server's URL as given, when the test owns a whole database
    /// there (the PgBouncer target): it is dropped from there.
    own_database: Option<String>,
}

impl PostgresServer {
    /// Connects to `server_url` and creates `schema`.
    pub fn create(server_url: &str, schema: &str) -> PostgresServer {
        let mut client = postgres::Client::connect(server_url, postgres::NoTls)
            .unwrap_or_else(|error| panic!("connect to {server_url}: {error}"));
        client
            .batch_execute(&format!(
                "CREATE SCHEMA {schema}; SET search_path TO {schema}"
            ))
            .unwrap_or_else(|error| panic!("create schema {schema}: {}", message(&error)));
        PostgresServer {
            client: Mutex::new(client),
            server_url: server_url.to_string(),
            schema: schema.to_string(),
            own_database: None,
        }
    }

    /// A database of the test's own named `name` on the server at
    /// `server_url` (directly, never through a pooler), holding the schema
    /// `name`, which is also the database's default `search_path`: so
    /// that every session the pooler lends in it, `no-transaction` files
    /// included, finds the test's tables as a deployment's role or
    /// database setting would make it.
    pub fn create_database(server_url: &str, name: &str) -> PostgresServer {
        let mut admin = postgres::Client::connect(server_url, postgres::NoTls)
            .unwrap_or_else(|error| panic!("connect to {server_url}: {error}"));
        // Two messages: CREATE DATABASE must be alone in its own.
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .and_then(|()| {
                admin.batch_execute(&format!("ALTER DATABASE {name} SET search_path = {name}"))
            })
            .unwrap_or_else(|error| panic!("create database {name}: {}", message(&error)));
        let own_url = super::url_with_database(server_url, name);
        let mut server = PostgresServer::create(&own_url, name);
        server.own_database = Some(server_url.to_string());
        server
    }

    fn client(&self) -> MutexGuard<'_, postgres::Client> {
        lock(&self.client)
    }

    /// Runs statements.
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|error| panic!("{sql}: {}", message(&error)));
    }

    /// Every row, every value as text: the simple query protocol's own.
    #[track_caller]
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let messages = self
            .client()
            .simple_query(sql)
            .unwrap_or_else(|error| panic!("{sql}: {}", message(&error)));
        messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|index| row.get(index).unwrap_or("NULL").to_string())
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// Whether a table or view of the schema has that name.
    pub fn table_exists(&self, name: &str) -> bool {
        let row = self
            .client()
            .query_one(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = $1 AND table_name = $2",
                &[&self.schema, &name],
            )
            .expect("read the catalog");
        row.get::<_, i64>(0) > 0
    }

    /// The schema's tables, unsorted.
    pub fn tables(&self) -> Vec<String> {
        self.client()
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = $1",
                &[&self.schema],
            )
            .expect("read the catalog")
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    /// A second session holding `ACCESS EXCLUSIVE` on `table` in an open
    /// transaction.
    pub fn lock_table(&self, table: &str) -> postgres::Client {
        let mut client = postgres::Client::connect(&self.server_url, postgres::NoTls)
            .expect("connect a second session");
        client
            .batch_execute(&format!(
                "BEGIN; LOCK TABLE {}.{table} IN ACCESS EXCLUSIVE MODE",
                self.schema
            ))
            .unwrap_or_else(|error| panic!("lock {table}: {}", message(&error)));
        client
    }

    /// The backend pid holding the run lock: the advisory lock whose key
    /// the product derives from `migrate:SCHEMA.db_version` (its
    /// `lock_key`), split into `classid` and `objid` as `pg_locks` shows it.
    pub fn run_lock_holder(&self) -> Option<String> {
        let name = format!("migrate:{}.db_version", self.schema);
        let digest = Sha256::digest(name.as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        let key = u64::from_be_bytes(bytes);
        let (class, object) = ((key >> 32) as u32, key as u32);
        let rows = self
            .client()
            .query(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND classid = $1 AND objid = $2 AND objsubid = 1",
                &[&class, &object],
            )
            .expect("read pg_locks");
        if let Some(row) = rows.first() {
            return Some(row.get::<_, i32>(0).to_string());
        }
        self.lease_holder()
    }

    /// The holder of an unexpired lease of `--lock-mode table` (issue 20),
    /// the run lock behind a pooler: `db_version_lock`'s row.
    pub fn lease_holder(&self) -> Option<String> {
        let mut client = self.client();
        let exists: bool = client
            .query_one(
                "SELECT to_regclass(format('%I.db_version_lock', $1::text)) IS NOT NULL",
                &[&self.schema],
            )
            .expect("read the catalog")
            .get(0);
        if !exists {
            return None;
        }
        client
            .query(
                &format!(
                    "SELECT holder FROM {}.db_version_lock WHERE expires_at > clock_timestamp()",
                    self.schema
                ),
                &[],
            )
            .expect("read the lease")
            .first()
            .map(|row| row.get(0))
    }

    /// Drops the schema and all it holds (the test's database, when it
    /// has one of its own).
    pub fn drop_schema(&self) -> Result<(), String> {
        if let Some(server_url) = &self.own_database {
            let mut admin = postgres::Client::connect(server_url, postgres::NoTls)
                .map_err(|error| message(&error))?;
            // FORCE: the pooler keeps idle server connections to it.
            return admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.schema
                ))
                .map_err(|error| message(&error));
        }
        self.client()
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            .map_err(|error| message(&error))
    }
}

/// The server's own message and SQLSTATE, which `postgres::Error`'s
/// Display leaves out.
fn message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}
