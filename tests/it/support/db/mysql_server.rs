//! The test's side of a MySQL or MariaDB server, through the `mysql`
//! crate: a database of the test's own, created and dropped here, and the
//! queries of [`super::TestDb`] on it, values as text.

use std::sync::{Mutex, MutexGuard};

use mysql::prelude::Queryable;

use super::lock;

/// A connection whose default database is the test's.
pub struct MysqlServer {
    connection: Mutex<mysql::Conn>,
    server_url: String,
    database: String,
}

impl MysqlServer {
    /// Connects to `server_url` and creates `database`.
    pub fn create(server_url: &str, database: &str) -> MysqlServer {
        let mut connection = connect(server_url, None);
        connection
            .query_drop(format!("CREATE DATABASE {database}; USE {database}"))
            .unwrap_or_else(|error| panic!("create database {database}: {error}"));
        MysqlServer {
            connection: Mutex::new(connection),
            server_url: server_url.to_string(),
            database: database.to_string(),
        }
    }

    fn connection(&self) -> MutexGuard<'_, mysql::Conn> {
        lock(&self.connection)
    }

    /// Runs statements.
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        self.connection()
            .query_drop(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// Every row, every value as text: the text protocol's own.
    #[track_caller]
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let rows: Vec<mysql::Row> = self
            .connection()
            .query(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| text(row.as_ref(index).expect("a value")))
                    .collect()
            })
            .collect()
    }

    /// Whether a table or view of the database has that name.
    pub fn table_exists(&self, name: &str) -> bool {
        let found: Option<i64> = self
            .connection()
            .exec_first(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = ? AND table_name = ?",
                (&self.database, name),
            )
            .expect("read the catalog");
        found.unwrap_or(0) > 0
    }

    /// The database's tables, unsorted.
    pub fn tables(&self) -> Vec<String> {
        self.connection()
            .exec(
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
                 WHERE table_schema = ? AND table_type = 'BASE TABLE'",
                (&self.database,),
            )
            .expect("read the catalog")
    }

    /// A second session holding `LOCK TABLES table WRITE`.
    pub fn lock_table(&self, table: &str) -> mysql::Conn {
        let mut connection = connect(&self.server_url, Some(&self.database));
        connection
            .query_drop(format!("LOCK TABLES {table} WRITE"))
            .unwrap_or_else(|error| panic!("lock {table}: {error}"));
        connection
    }

    /// The connection id holding the run lock: `GET_LOCK` of the name the
    /// product derives (its `lock_name`), `migrate:DATABASE.db_version`.
    pub fn run_lock_holder(&self) -> Option<String> {
        let name = format!("migrate:{}.db_version", self.database);
        assert!(name.len() <= 64, "the product hashes longer lock names");
        let holder: Option<Option<u64>> = self
            .connection()
            .exec_first("SELECT IS_USED_LOCK(?)", (&name,))
            .expect("read IS_USED_LOCK");
        holder.flatten().map(|id| id.to_string())
    }

    /// Drops the database and all it holds.
    pub fn drop_database(&self) -> Result<(), String> {
        self.connection()
            .query_drop(format!("DROP DATABASE IF EXISTS {}", self.database))
            .map_err(|error| error.to_string())
    }
}

/// A new session, in `database` when given.
fn connect(server_url: &str, database: Option<&str>) -> mysql::Conn {
    let options =
        mysql::Opts::from_url(server_url).unwrap_or_else(|error| panic!("{server_url}: {error}"));
    let mut options = mysql::OptsBuilder::from_opts(options);
    if let Some(database) = database {
        options = options.db_name(Some(database));
    }
    mysql::Conn::new(options).unwrap_or_else(|error| panic!("connect to {server_url}: {error}"))
}

fn text(value: &mysql::Value) -> String {
    match value {
        mysql::Value::NULL => "NULL".to_string(),
        mysql::Value::Bytes(bytes) => String::from_utf8_lossy(bytes).into(),
        mysql::Value::Int(number) => number.to_string(),
        mysql::Value::UInt(number) => number.to_string(),
        other => other.as_sql(true).trim_matches('\'').to_string(),
    }
}
