//! Applying and reading many migrations, against a baseline measured in the
//! same run: `cargo bench --bench apply`.
//!
//! 1. Applying 1,000 small files with `migrate up`, next to the `sqlite3` CLI
//!    running the same SQL with the same per-file transactions in one session
//!    (skipped with a notice when `sqlite3` is not installed).
//! 2. A no-op `up` and `status` with 10,000 files in `up/`, next to the
//!    floor of any tool that must read them: `cat` of the same files.
//! 3. With `MIGRATE_TEST_POSTGRES_URL` set (and `psql` installed): applying
//!    the 1,000 files to PostgreSQL, next to `psql` running the same files
//!    with the same per-file transactions in one session.
//!
//! Each figure is the median of 7 runs, a tool and its baseline taken turn
//! about; the ratios are what to watch, since these machines are noisy.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{interleaved, middle, ms};

const MIGRATE: &str = env!("CARGO_BIN_EXE_migrate");

fn main() {
    let runs = 7;
    let small = tempfile::tempdir().expect("a temporary folder");
    write_project(small.path(), 1_000);
    let script = per_file_transactions(small.path(), 1_000);
    let apply_migrate = || {
        let database = small.path().join("bench.db");
        remove_database(&database);
        timed(migrate(small.path(), &database, &["up", "-q"]))
    };
    match sqlite3_available() {
        true => {
            let apply_sqlite3 = || {
                let database = small.path().join("baseline.db");
                remove_database(&database);
                let mut command = Command::new("sqlite3");
                command
                    .arg(&database)
                    .arg(format!(".read {}", script.display()));
                timed(command)
            };
            let (apply, baseline) = interleaved(runs, apply_migrate, apply_sqlite3);
            println!(
                "apply 1,000 files   migrate up          {:>8.1} ms",
                ms(apply)
            );
            println!(
                "apply 1,000 files   sqlite3 CLI         {:>8.1} ms",
                ms(baseline)
            );
            println!("ratio migrate / sqlite3: {:.2}", ms(apply) / ms(baseline));
        }
        false => println!("sqlite3 CLI not installed: baseline skipped (apt-get install sqlite3)"),
    }

    match std::env::var("MIGRATE_TEST_POSTGRES_URL") {
        Ok(url) => postgres(&url, small.path(), &script, runs),
        Err(_) => println!("MIGRATE_TEST_POSTGRES_URL not set: PostgreSQL skipped"),
    }

    let large = tempfile::tempdir().expect("a temporary folder");
    write_project(large.path(), 10_000);
    let database = large.path().join("bench.db");
    let status = migrate(large.path(), &database, &["up", "-q"])
        .status()
        .expect("migrate runs");
    assert!(status.success(), "the setup `up` failed");
    let noop = median(runs, || {
        timed(migrate(large.path(), &database, &["up", "-q"]))
    });
    let status_time = median(runs, || {
        timed(migrate(large.path(), &database, &["status"]))
    });
    let floor = median(runs, || {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("find up -name '*.sql' -exec cat {} + > /dev/null")
            .current_dir(large.path());
        timed(command)
    });
    println!(
        "10,000 files        no-op up            {:>8.1} ms",
        ms(noop)
    );
    println!(
        "10,000 files        status              {:>8.1} ms",
        ms(status_time)
    );
    println!(
        "10,000 files        cat of the files    {:>8.1} ms",
        ms(floor)
    );
    println!("ratio no-op up / cat: {:.2}", ms(noop) / ms(floor));
    println!("ratio status / cat: {:.2}", ms(status_time) / ms(floor));
}

/// 1,000 files into a fresh schema, `migrate up` against `psql`.
fn postgres(url: &str, dir: &Path, script: &Path, runs: usize) {
    let schema = format!("migrate_bench_{}", std::process::id());
    let psql = |sql: &str| common::psql(url, sql);
    let fresh = || {
        psql(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{separator}search_path={schema}");
    let apply_migrate = || {
        fresh();
        let mut command = Command::new(MIGRATE);
        command
            .args(["up", "-q", "--no-env-file", "--dir"])
            .arg(dir)
            .args(["--database-url", &target]);
        timed(command)
    };
    let apply_psql = || {
        fresh();
        let mut command = Command::new("psql");
        command
            .arg(url)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
            .arg("-f")
            .arg(script);
        command.env("PGOPTIONS", format!("-c search_path={schema}"));
        timed(command)
    };
    let (apply, baseline) = interleaved(runs, apply_migrate, apply_psql);
    psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    println!(
        "apply 1,000 files   migrate up (pg)     {:>8.1} ms",
        ms(apply)
    );
    println!(
        "apply 1,000 files   psql                {:>8.1} ms",
        ms(baseline)
    );
    println!("ratio migrate / psql: {:.2}", ms(apply) / ms(baseline));
}

fn write_project(dir: &Path, count: usize) {
    let up = dir.join("up");
    std::fs::create_dir_all(&up).expect("up/ is created");
    for version in 1..=count {
        let sql = format!(
            "CREATE TABLE t{version} (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\n\
             INSERT INTO t{version} (id, label) VALUES (1, 'v{version}');\n"
        );
        std::fs::write(up.join(format!("{version}_table.sql")), sql).expect("a file is written");
    }
}

/// One script that runs every file in its own transaction, as `migrate` does.
fn per_file_transactions(dir: &Path, count: usize) -> std::path::PathBuf {
    let mut script = String::new();
    for version in 1..=count {
        let path = dir.join("up").join(format!("{version}_table.sql"));
        let sql = std::fs::read_to_string(path).expect("a file is read");
        script.push_str("BEGIN;\n");
        script.push_str(&sql);
        script.push_str("COMMIT;\n");
    }
    let path = dir.join("baseline.sql");
    std::fs::write(&path, script).expect("the baseline script is written");
    path
}

fn migrate(dir: &Path, database: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(MIGRATE);
    command
        .args(args)
        .arg("--dir")
        .arg(dir)
        .arg("--database-url")
        .arg(format!("sqlite:{}", database.display()))
        .arg("--no-env-file");
    command
}

fn sqlite3_available() -> bool {
    Command::new("sqlite3")
        .arg("-version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn remove_database(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn timed(mut command: Command) -> Duration {
    let started = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .status()
        .expect("the command runs");
    let elapsed = started.elapsed();
    assert!(status.success(), "{command:?} failed");
    elapsed
}

fn median(runs: usize, mut measure: impl FnMut() -> Duration) -> Duration {
    middle((0..runs).map(|_| measure()).collect())
}
