//! The test's side of a SQLite database: a file in a private folder that
//! the product creates (the test never does, so that it can see whether the
//! product did), and the queries of [`super::TestDb`] on it, values as text.

use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

/// The database file.
pub struct SqliteFile {
    path: PathBuf,
}

impl SqliteFile {
    /// `test.db` in `dir`: a fixed name in a private folder keeps snapshots stable.
    pub fn in_folder(dir: &Path) -> SqliteFile {
        SqliteFile {
            path: dir.join("test.db"),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// A connection that never creates the file.
    fn connect(&self) -> Connection {
        Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap_or_else(|error| panic!("open {}: {error}", self.path.display()))
    }

    /// Runs statements (this one may create the file).
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        let connection = Connection::open(&self.path).expect("open the database");
        connection
            .execute_batch(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// Every row, every value as text.
    #[track_caller]
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let connection = self.connect();
        let mut statement = connection
            .prepare(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
        let columns = statement.column_count();
        let mut rows = statement.query([]).expect("run the query");
        let mut result = Vec::new();
        while let Some(row) = rows.next().expect("read a row") {
            let values = (0..columns)
                .map(|index| text(row.get_ref(index).expect("read a value")))
                .collect();
            result.push(values);
        }
        result
    }

    /// Whether a table or view has that name.
    pub fn table_exists(&self, name: &str) -> bool {
        self.exists()
            && self
                .connect()
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name = ?1 \
                     AND type IN ('table', 'view')",
                    [name],
                    |row| row.get::<_, i64>(0),
                )
                .expect("read the catalog")
                > 0
    }

    /// The tables, unsorted.
    pub fn tables(&self) -> Vec<String> {
        if !self.exists() {
            return Vec::new();
        }
        self.rows(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
    }

    /// A second connection holding the write lock (`BEGIN IMMEDIATE`).
    pub fn lock(&self) -> Connection {
        let connection = self.connect();
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .expect("take the write lock");
        connection
    }

    /// The run lock file, `<db>.migrate-lock`.
    pub fn lock_file(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".migrate-lock");
        PathBuf::from(name)
    }
}

fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(number) => number.to_string(),
        ValueRef::Real(number) => number.to_string(),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes).into(),
    }
}
