//! `check` against the plain run it proves, measured in the same run:
//! `cargo bench --bench check`.
//!
//! 300 generated versions (tables with a foreign key to the one before,
//! indexes, views, added columns), each with its down file. `check` applies,
//! reverses and re-applies every one on a scratch database, with the schema
//! dumped around each step; its baseline is `up`, `down 0` and `up` of the
//! same folder on a fresh database, the same files run the same number of
//! times. The ratio is the cost of the dumps and of making the scratch
//! database; the target is 3 or less.
//!
//! 1. SQLite, the scratch database a temporary file.
//! 2. With `MIGRATE_TEST_POSTGRES_URL` set: PostgreSQL, the scratch database
//!    created on the server and dropped, the baseline in a fresh schema.
//!
//! Each figure is the median of 3 runs, `check` and its baseline taken turn
//! about; the ratios are what to watch, since these machines are noisy.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{interleaved, ms, psql};

const MIGRATE: &str = env!("CARGO_BIN_EXE_migrate");
const VERSIONS: usize = 300;
const RUNS: usize = 3;

fn main() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write_project(folder.path(), VERSIONS);
    let database = folder.path().join("bench.db");
    let sqlite = format!("sqlite:{}", database.display());
    let fresh_sqlite = || {
        let _ = std::fs::remove_file(&database);
    };
    compare("SQLite", folder.path(), &sqlite, &fresh_sqlite);

    match std::env::var("MIGRATE_TEST_POSTGRES_URL") {
        Ok(url) => {
            let schema = format!("migrate_bench_check_{}", std::process::id());
            let fresh = || {
                psql(
                    &url,
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
                )
            };
            let separator = if url.contains('?') { '&' } else { '?' };
            let target = format!("{url}{separator}search_path={schema}");
            compare("PostgreSQL", folder.path(), &target, &fresh);
            psql(&url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
        Err(_) => println!("MIGRATE_TEST_POSTGRES_URL not set: PostgreSQL skipped"),
    }
}

/// `check` on `url`'s server against `up`, `down 0`, `up` on a `fresh` `url`.
fn compare(database: &str, dir: &Path, url: &str, fresh: &dyn Fn()) {
    let check = || {
        fresh();
        timed(vec![migrate(dir, url, &["check", "-q"])])
    };
    let baseline = || {
        fresh();
        timed(vec![
            migrate(dir, url, &["up", "-q"]),
            migrate(dir, url, &["down", "0", "-q"]),
            migrate(dir, url, &["up", "-q"]),
        ])
    };
    let (check, baseline) = interleaved(RUNS, check, baseline);
    println!(
        "{VERSIONS} versions {database:<11} check               {:>9.1} ms",
        ms(check)
    );
    println!(
        "{VERSIONS} versions {database:<11} up, down 0, up      {:>9.1} ms",
        ms(baseline)
    );
    println!(
        "ratio check / (up, down 0, up) on {database}: {:.2}",
        ms(check) / ms(baseline)
    );
}

/// Versions cycling through a table (with a foreign key to the table
/// before), an index, a view and an added column, each with its down file.
fn write_project(dir: &Path, count: usize) {
    for folder in ["up", "down"] {
        std::fs::create_dir_all(dir.join(folder)).expect("a folder is created");
    }
    for version in 1..=count {
        let table = version - (version - 1) % 4;
        let (up, down) = match version % 4 {
            1 => {
                let parent = match table {
                    1 => String::new(),
                    _ => format!(", parent INTEGER REFERENCES t{} (id)", table - 4),
                };
                (
                    format!(
                        "CREATE TABLE t{table} (id INTEGER PRIMARY KEY, label VARCHAR(50) NOT NULL{parent});\n"
                    ),
                    format!("DROP TABLE t{table};\n"),
                )
            }
            // The blocking index build is what a benchmark wants: the
            // allow keeps `check`'s lint from failing the run (exit 3).
            2 => (
                format!(
                    "-- migrate: allow=pg-index-not-concurrent\nCREATE INDEX i{version} ON t{table} (label);\n"
                ),
                format!("DROP INDEX i{version};\n"),
            ),
            3 => (
                format!("CREATE VIEW v{version} AS SELECT id, label FROM t{table};\n"),
                format!("DROP VIEW v{version};\n"),
            ),
            _ => (
                format!("ALTER TABLE t{table} ADD COLUMN extra INTEGER;\n"),
                format!("ALTER TABLE t{table} DROP COLUMN extra;\n"),
            ),
        };
        std::fs::write(dir.join(format!("up/{version}.sql")), up).expect("a file is written");
        std::fs::write(dir.join(format!("down/{version}.sql")), down).expect("a file is written");
    }
}

fn migrate(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(MIGRATE);
    command
        .args(args)
        .arg("--dir")
        .arg(dir)
        .args(["--database-url", url, "--no-env-file"]);
    command
}

/// The time of `commands`, one after the other; each must succeed.
fn timed(commands: Vec<Command>) -> Duration {
    let started = Instant::now();
    for mut command in commands {
        let status = command
            .stdout(Stdio::null())
            .status()
            .expect("the command runs");
        assert!(status.success(), "{command:?} failed");
    }
    started.elapsed()
}
