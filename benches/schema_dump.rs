//! `schema_dump` against each database's own dumper, measured in the same
//! run: `cargo bench --bench schema_dump`.
//!
//! For 1,000 and 5,000 tables (each with a primary key, a second column and
//! an index), and on a server also a view, a routine and a trigger per 100
//! tables:
//! 1. SQLite, always: `migrate schema_dump` next to `sqlite3 DB .schema`
//!    (skipped with a notice when `sqlite3` is not installed).
//! 2. With `MIGRATE_TEST_POSTGRES_URL` set (and `pg_dump` installed): a
//!    fresh schema, next to `pg_dump --schema-only --schema=S`.
//! 3. With `MIGRATE_TEST_MYSQL_URL` set (and `mariadb-dump` installed): a
//!    fresh database, next to `mariadb-dump --no-data --routines --triggers
//!    --events`.
//!
//! Each figure is the median of 5 runs (1 when a pair of runs takes over
//! 20 s, as `mariadb-dump` does on 5,000 tables), a tool and its baseline
//! taken turn about; the ratios are what to watch, since these machines are noisy. The
//! scaling line divides the 5,000-table time by the 1,000-table time: 5 is
//! linear. Targets (issue 13): at most 0.5× on PostgreSQL and MariaDB, 1.5×
//! on SQLite.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;

const MIGRATE: &str = env!("CARGO_BIN_EXE_migrate");
const RUNS: usize = 5;
const SIZES: [usize; 2] = [1_000, 5_000];
/// A pair of runs longer than this is not repeated.
const SLOW: Duration = Duration::from_secs(20);

fn main() {
    let mut rows = Vec::new();
    match installed("sqlite3", "-version") {
        true => rows.extend(bench_sqlite()),
        false => println!("sqlite3 not installed: SQLite SKIPPED (apt-get install sqlite3)"),
    }
    match std::env::var("MIGRATE_TEST_POSTGRES_URL") {
        Ok(url) if installed("pg_dump", "--version") => rows.extend(bench_postgres(&url)),
        Ok(_) => println!("pg_dump not installed: PostgreSQL SKIPPED"),
        Err(_) => println!("MIGRATE_TEST_POSTGRES_URL not set: PostgreSQL SKIPPED"),
    }
    match std::env::var("MIGRATE_TEST_MYSQL_URL") {
        Ok(url) if installed("mariadb-dump", "--version") => rows.extend(bench_mariadb(&url)),
        Ok(_) => println!("mariadb-dump not installed: MariaDB SKIPPED"),
        Err(_) => println!("MIGRATE_TEST_MYSQL_URL not set: MariaDB SKIPPED"),
    }
    println!();
    println!(
        "{:<11} {:>7} {:>12} {:>12} {:>7}",
        "database", "tables", "migrate ms", "native ms", "ratio"
    );
    for row in &rows {
        println!(
            "{:<11} {:>7} {:>12.1} {:>12.1} {:>7.2}",
            row.database,
            row.tables,
            ms(row.migrate),
            ms(row.native),
            ms(row.migrate) / ms(row.native)
        );
    }
    println!();
    for pair in rows.chunks(2) {
        if let [small, large] = pair {
            println!(
                "{:<11} scaling 1,000 -> 5,000 tables: migrate {:.1}x, native {:.1}x (5.0 is linear)",
                small.database,
                ms(large.migrate) / ms(small.migrate),
                ms(large.native) / ms(small.native)
            );
        }
    }
}

/// One measurement: a database, a size, both medians.
struct Row {
    database: &'static str,
    tables: usize,
    migrate: Duration,
    native: Duration,
}

fn bench_sqlite() -> Vec<Row> {
    let folder = tempfile::tempdir().expect("a temporary folder");
    SIZES
        .iter()
        .map(|&tables| {
            let path = folder.path().join(format!("bench_{tables}.db"));
            let connection = rusqlite::Connection::open(&path).expect("the database opens");
            let mut sql = String::from("BEGIN;\n");
            for table in 0..tables {
                sql.push_str(&format!(
                    "CREATE TABLE t{table} (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\n\
                     CREATE INDEX t{table}_label ON t{table} (label);\n"
                ));
            }
            sql.push_str("COMMIT;\n");
            connection.execute_batch(&sql).expect("the tables are made");
            drop(connection);
            let url = format!("sqlite:{}", path.display());
            let (migrate, native) = interleaved(
                || timed(schema_dump(&url)),
                || {
                    let mut command = Command::new("sqlite3");
                    command.arg(&path).arg(".schema");
                    timed(command)
                },
            );
            Row {
                database: "SQLite",
                tables,
                migrate,
                native,
            }
        })
        .collect()
}

/// The DDL of `tables` tables, and per 100 of them a view, a function and
/// a trigger, in PostgreSQL's or MariaDB's words.
fn server_schema(tables: usize, postgres: bool) -> Vec<String> {
    let mut statements = Vec::new();
    for table in 0..tables {
        statements.push(format!(
            "CREATE TABLE t{table} (id INTEGER PRIMARY KEY, label VARCHAR(50) NOT NULL)"
        ));
        statements.push(format!("CREATE INDEX t{table}_label ON t{table} (label)"));
        if table % 100 == 0 {
            statements.push(format!(
                "CREATE VIEW v{table} AS SELECT id, label FROM t{table}"
            ));
            match postgres {
                true => {
                    statements.push(format!(
                        "CREATE FUNCTION f{table}() RETURNS trigger LANGUAGE plpgsql AS \
                         $$BEGIN NEW.label := lower(NEW.label); RETURN NEW; END$$"
                    ));
                    statements.push(format!(
                        "CREATE TRIGGER tr{table} BEFORE INSERT ON t{table} \
                         FOR EACH ROW EXECUTE FUNCTION f{table}()"
                    ));
                }
                false => {
                    statements.push(format!(
                        "CREATE FUNCTION f{table}(x INT) RETURNS INT DETERMINISTIC RETURN x * 2"
                    ));
                    statements.push(format!(
                        "CREATE TRIGGER tr{table} BEFORE INSERT ON t{table} \
                         FOR EACH ROW SET NEW.label = LOWER(NEW.label)"
                    ));
                }
            }
        }
    }
    statements
}

fn bench_postgres(url: &str) -> Vec<Row> {
    let schema = format!("migrate_bench_{}", std::process::id());
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("PostgreSQL connects");
    let separator = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{separator}search_path={schema}");
    let mut made = 0;
    let rows = SIZES
        .iter()
        .map(|&tables| {
            drop_schema(&mut client, &schema, made);
            client
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("the schema is made");
            // In batches: one transaction taking a lock per table would run
            // out of lock slots (max_locks_per_transaction).
            for chunk in server_schema(tables, true).chunks(200) {
                let sql = format!("SET search_path = {schema};\n{};", chunk.join(";\n"));
                client.batch_execute(&sql).expect("the tables are made");
            }
            made = tables;
            let (migrate, native) = interleaved(
                || timed(schema_dump(&target)),
                || {
                    let mut command = Command::new("pg_dump");
                    command
                        .args(["--schema-only", "--schema", &schema])
                        .arg(url);
                    timed(command)
                },
            );
            Row {
                database: "PostgreSQL",
                tables,
                migrate,
                native,
            }
        })
        .collect();
    drop_schema(&mut client, &schema, made);
    rows
}

/// Drops the bench's schema, its `tables` tables 200 to a transaction first.
fn drop_schema(client: &mut postgres::Client, schema: &str, tables: usize) {
    let mut sql: Vec<String> = (0..tables)
        .collect::<Vec<_>>()
        .chunks(200)
        .map(|chunk| {
            let names: Vec<String> = chunk
                .iter()
                .map(|table| format!("{schema}.t{table}"))
                .collect();
            format!("DROP TABLE IF EXISTS {} CASCADE", names.join(", "))
        })
        .collect();
    sql.push(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    for statement in sql {
        let sql = format!("SET client_min_messages = warning; {statement}");
        if let Err(error) = client.batch_execute(&sql) {
            println!("warning: cannot drop schema {schema}: {error}");
            return;
        }
    }
}

fn bench_mariadb(url: &str) -> Vec<Row> {
    let database = format!("migrate_bench_{}", std::process::id());
    let mut connection =
        mysql::Conn::new(mysql::Opts::from_url(url).expect("a MySQL URL")).expect("MySQL connects");
    let target = with_database(url, &database);
    let rows = SIZES
        .iter()
        .map(|&tables| {
            connection
                .query_drop(format!(
                    "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}; USE {database}"
                ))
                .expect("the database is made");
            // Many statements to a round trip: creating 5,000 tables one by
            // one would take longer than the measurement.
            for chunk in server_schema(tables, false).chunks(200) {
                connection
                    .query_drop(chunk.join(";\n"))
                    .expect("the tables are made");
            }
            let (migrate, native) = interleaved(
                || timed(schema_dump(&target)),
                || {
                    let mut command = Command::new("mariadb-dump");
                    command
                        .args(client_args(url))
                        .args(["--no-data", "--routines", "--triggers", "--events"])
                        .arg(&database);
                    timed(command)
                },
            );
            Row {
                database: "MariaDB",
                tables,
                migrate,
                native,
            }
        })
        .collect();
    if let Err(error) = connection.query_drop(format!("DROP DATABASE IF EXISTS {database}")) {
        println!("warning: cannot drop database {database}: {error}");
    }
    rows
}

/// The URL with its database (the path) replaced.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("mysql", url));
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, format!("?{query}")),
        None => (rest, String::new()),
    };
    let server = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{server}/{database}{query}")
}

/// `mysql://user[:password]@host[:port]/…` as the client's arguments.
fn client_args(url: &str) -> Vec<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let server = rest.split(['/', '?']).next().unwrap_or_default();
    let (user, address) = server.split_once('@').unwrap_or(("root", server));
    let (user, password) = user.split_once(':').unwrap_or((user, ""));
    let (host, port) = address.split_once(':').unwrap_or((address, "3306"));
    let mut args = vec![
        format!("--host={host}"),
        format!("--port={port}"),
        format!("--user={user}"),
    ];
    if !password.is_empty() {
        args.push(format!("--password={password}"));
    }
    args
}

fn schema_dump(url: &str) -> Command {
    let mut command = Command::new(MIGRATE);
    command
        .args(["schema_dump", "--no-env-file", "--database-url", url])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    command
}

fn installed(program: &str, version_flag: &str) -> bool {
    Command::new(program)
        .arg(version_flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn timed(mut command: Command) -> Duration {
    let started = Instant::now();
    let output = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the command runs");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// Medians of two measurements taken turn about, so that a machine that
/// slows down or speeds up during the run weighs on both alike.
fn interleaved(
    mut first: impl FnMut() -> Duration,
    mut second: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let mut firsts = Vec::with_capacity(RUNS);
    let mut seconds = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (one, other) = (first(), second());
        firsts.push(one);
        seconds.push(other);
        // mariadb-dump takes minutes on 5,000 tables (it queries the
        // catalog per table): one such pair is enough to see the ratio, and
        // keeps the bench a few minutes long.
        if one + other > SLOW {
            break;
        }
    }
    (middle(firsts), middle(seconds))
}

fn middle(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
