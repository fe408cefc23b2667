//! `--targets` against the shell loop it replaces, measured in the same
//! run: `cargo bench --bench fleet`.
//!
//! A folder of 20 versions (a table and an index each) applied by
//! `migrate up --targets FILE --parallel 8` to every database of the file,
//! next to a `sh` loop of single `migrate up --database-url URL` calls over
//! the same file, turn about:
//!
//! 1. 1,000 SQLite files, fresh each round.
//! 2. With `MIGRATE_TEST_POSTGRES_URL` set: 200 PostgreSQL databases created
//!    on that server (and dropped at the end), reverted with `down 0`
//!    between rounds.
//!
//! The ratio's target is 0.35 or less on PostgreSQL. The peak RSS of the
//! fleet run (`/usr/bin/time`) is printed next to a single target's run:
//! the target is under 2×. `MIGRATE_BENCH_RUNS` sets the rounds (default 3).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{interleaved, ms, psql};

const MIGRATE: &str = env!("CARGO_BIN_EXE_migrate");
const VERSIONS: usize = 20;

fn main() {
    let runs = std::env::var("MIGRATE_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .filter(|runs: &usize| *runs > 0)
        .unwrap_or(3);
    let folder = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temporary folder");
    write_project(folder.path());

    let files = folder.path().join("files");
    let sqlite_targets: Vec<(String, String)> = (0..1_000)
        .map(|index| {
            let url = format!("sqlite:{}", files.join(format!("t{index}.db")).display());
            (format!("t{index}"), url)
        })
        .collect();
    let fresh_files = || {
        let _ = std::fs::remove_dir_all(&files);
        std::fs::create_dir_all(&files).expect("the SQLite folder is created");
    };
    fresh_files();
    compare("SQLite", folder.path(), &sqlite_targets, runs, &fresh_files);

    match std::env::var("MIGRATE_TEST_POSTGRES_URL") {
        Ok(url) => {
            let databases = Databases::create(&url, 200);
            let targets = databases.targets();
            let dir = folder.path();
            let file = write_targets(dir, &targets);
            let revert = || {
                run(migrate(dir)
                    .arg("--targets")
                    .arg(&file)
                    .args(["down", "0", "-q"]));
            };
            compare("PostgreSQL", dir, &targets, runs, &revert);
        }
        Err(_) => println!("MIGRATE_TEST_POSTGRES_URL not set: PostgreSQL skipped"),
    }
}

/// The fleet run against the loop on `targets`, each from `fresh` databases.
fn compare(label: &str, dir: &Path, targets: &[(String, String)], runs: usize, fresh: &dyn Fn()) {
    let file = write_targets(dir, targets);
    let fleet = || {
        fresh();
        let started = Instant::now();
        run(migrate(dir)
            .arg("--targets")
            .arg(&file)
            .args(["up", "-q", "--parallel", "8"]));
        started.elapsed()
    };
    let shell_loop = || {
        fresh();
        let script = format!(
            "while read -r name url; do \"{MIGRATE}\" --dir \"{}\" --no-env-file \
             --database-url \"$url\" up -q || exit 1; done < \"{}\"",
            dir.display(),
            file.display()
        );
        let started = Instant::now();
        run(Command::new("sh").args(["-c", &script]));
        started.elapsed()
    };
    let (fleet_time, loop_time) = interleaved(runs, fleet, shell_loop);
    println!(
        "{label}: up of {VERSIONS} versions on {} databases: --targets --parallel 8 \
         {:.0} ms, shell loop {:.0} ms: {:.2}× the loop (target ≤ 0.35×)",
        targets.len(),
        ms(fleet_time),
        ms(loop_time),
        fleet_time.as_secs_f64() / loop_time.as_secs_f64()
    );

    fresh();
    let fleet_rss =
        peak_rss(
            migrate(dir)
                .arg("--targets")
                .arg(&file)
                .args(["up", "-q", "--parallel", "8"]),
        );
    fresh();
    let single_rss = peak_rss(
        migrate(dir)
            .args(["--database-url", &targets[0].1])
            .args(["up", "-q"]),
    );
    println!(
        "{label}: peak RSS {:.1} MiB for the fleet, {:.1} MiB for one target: {:.2}× \
         (target < 2×)",
        fleet_rss as f64 / 1024.0,
        single_rss as f64 / 1024.0,
        fleet_rss as f64 / single_rss as f64
    );
}

fn migrate(dir: &Path) -> Command {
    let mut command = Command::new(MIGRATE);
    command
        .arg("--dir")
        .arg(dir)
        .args(["--no-env-file", "--no-dump-schema"]);
    command
}

/// Runs a command that must succeed.
fn run(command: &mut Command) {
    let output = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Peak RSS in KiB, from GNU time.
fn peak_rss(command: &mut Command) -> u64 {
    let report = tempfile::NamedTempFile::new().expect("a report file");
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args());
    run(&mut wrapped);
    std::fs::read_to_string(report.path())
        .ok()
        .and_then(|text| text.lines().last()?.trim().parse().ok())
        .expect("/usr/bin/time reports the peak RSS (apt-get install time)")
}

fn write_project(dir: &Path) {
    for folder in ["up", "down"] {
        std::fs::create_dir_all(dir.join(folder)).expect("the folder is created");
    }
    for version in 1..=VERSIONS {
        let up = format!(
            "CREATE TABLE fleet_{version} (id INTEGER PRIMARY KEY, label VARCHAR(40));\n\
             CREATE INDEX fleet_{version}_label ON fleet_{version} (label);\n"
        );
        std::fs::write(dir.join(format!("up/{version}_t.sql")), up).expect("an up file");
        let down = format!("DROP TABLE fleet_{version};\n");
        std::fs::write(dir.join(format!("down/{version}_t.sql")), down).expect("a down file");
    }
}

fn write_targets(dir: &Path, targets: &[(String, String)]) -> PathBuf {
    let text: String = targets
        .iter()
        .map(|(name, url)| format!("{name} {url}\n"))
        .collect();
    let path = dir.join("targets");
    std::fs::write(&path, text).expect("the targets file");
    path
}

/// Databases made on the server for the run and dropped after it.
struct Databases {
    server: String,
    names: Vec<String>,
}

impl Databases {
    fn create(server: &str, count: usize) -> Databases {
        let names: Vec<String> = (0..count)
            .map(|index| format!("migrate_fleet_{}_{index}", std::process::id()))
            .collect();
        let started = Instant::now();
        for name in &names {
            psql(server, &format!("CREATE DATABASE {name}"));
        }
        println!(
            "created {count} databases in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Databases {
            server: server.to_string(),
            names,
        }
    }

    fn targets(&self) -> Vec<(String, String)> {
        let (head, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
        let base = head.rsplit_once('/').map_or(head, |(base, _)| base);
        self.names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let url = match query.is_empty() {
                    true => format!("{base}/{name}"),
                    false => format!("{base}/{name}?{query}"),
                };
                (format!("db{index}"), url)
            })
            .collect()
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        for name in &self.names {
            psql(
                &self.server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
        // Keep the pause of a server that just dropped 200 databases out of
        // whatever runs next.
        std::thread::sleep(Duration::from_millis(100));
    }
}
