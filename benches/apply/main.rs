//! Applying and reading many migrations, each figure a ratio to a baseline
//! measured turn about in the same run: `cargo bench --bench apply`.
//!
//! For SQLite (when the `sqlite3` shell is installed), PostgreSQL (with
//! `MIGRATE_TEST_POSTGRES_URL` and `psql`) and MariaDB (with
//! `MIGRATE_TEST_MYSQL_URL` and `mariadb` or `mysql`), each skipped with a
//! notice when missing:
//!
//! 1. Applying 1,000 small files (CREATE TABLE, CREATE INDEX, INSERT) with
//!    `migrate up`, next to the database's own client running the same SQL
//!    with the same per-file transactions in one session, and next to the
//!    peers found on PATH (sqlx-cli, refinery_cli, dbmate;
//!    `scripts/install-peers.sh`), each from its own layout. The client also
//!    runs the files with a version row and a log row written in each
//!    file's transaction (`client+record`): the floor of any migrator that
//!    records what it ran.
//! 2. A no-op `up` and `status` with those 1,000 versions applied, next to the
//!    floor: the client running the one query on `db_version`, plus `cat` of
//!    the files. On SQLite also with 10,000 files.
//! 3. Start-up (`migrate --version` next to `sqlite3 --version`), the peak
//!    RSS of applying the 1,000 files on SQLite next to the shell's (with
//!    `/usr/bin/time`), and the release binary's size, stripped and not.
//!
//! Every round runs each tool once, in an order rotated each round, from a
//! freshly created database that is not timed; a figure is the median over
//! the rounds of the paired ratio to the baseline of the same round, so a
//! machine that slows down weighs on both alike. A tool that fails is
//! reported and left out. The run ends with markdown tables for the README.
//!
//! `MIGRATE_BENCH_RUNS` sets the rounds (default 5); `MIGRATE_BENCH_ONLY`
//! a comma-separated subset of `sqlite,postgres,mysql,startup`.

mod backend;
mod measure;
mod project;
mod report;
mod tools;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use backend::Backend;
use measure::{Ratio, Rounds, ms, peak_rss, timed};
use report::{ApplyRow, Cell, Fact, IdleRow, Report, thousands};
use tools::{MIGRATE, PEERS, Tool, Workspace};

/// Finds a database to bench, or says why it is skipped.
type Connect = fn(&Path) -> Result<Backend, String>;

fn main() {
    let runs = std::env::var("MIGRATE_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .filter(|runs: &usize| *runs > 0)
        .unwrap_or(5);
    let only = std::env::var("MIGRATE_BENCH_ONLY").unwrap_or_default();
    let wanted = |section: &str| only.is_empty() || only.split(',').any(|s| s.trim() == section);
    let peers: Vec<Tool> = PEERS.into_iter().filter(|peer| peer.found()).collect();
    let mut report = Report::default();
    for peer in PEERS.iter().filter(|peer| !peers.contains(peer)) {
        let note = format!(
            "{} not found on PATH: left out (scripts/install-peers.sh)",
            peer.label()
        );
        println!("{note}");
        report.notes.push(note);
    }

    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temporary folder");
    let root = work.path().join("n1000");
    let workspace = Workspace::new(&root, 1_000, &peers);

    let sections: [(&str, Connect); 3] = [
        ("sqlite", Backend::sqlite),
        ("postgres", |_| Backend::postgres()),
        ("mysql", |_| Backend::mariadb()),
    ];
    for (section, make) in sections {
        if !wanted(section) {
            continue;
        }
        match make(&root) {
            Ok(backend) => {
                println!("\n# {}", backend.name());
                apply(&backend, &workspace, &peers, runs, &mut report);
                idle(&backend, &workspace, runs, &mut report);
                if backend.kind == backend::Kind::Sqlite {
                    let large = work.path().join("n10000");
                    let workspace = Workspace::new(&large, 10_000, &[]);
                    match Backend::sqlite(&large) {
                        Ok(backend) => idle(&backend, &workspace, runs, &mut report),
                        Err(skip) => println!("{skip}"),
                    }
                }
                backend.drop_database();
            }
            Err(skip) => {
                let note = format!("{section} skipped: {skip}");
                println!("\n{note}");
                report.notes.push(note);
            }
        }
    }
    if wanted("startup") {
        startup(runs, &mut report);
        match Backend::sqlite(&root) {
            Ok(backend) => rss(&backend, &workspace, &peers, &mut report),
            Err(skip) => println!("peak RSS skipped: {skip}"),
        }
        binary_size(work.path(), &mut report);
    }
    report.print(runs);
}

/// The client, `migrate` and the peers applying the 1,000 files, turn about.
fn apply(
    backend: &Backend,
    workspace: &Workspace,
    peers: &[Tool],
    runs: usize,
    report: &mut Report,
) {
    let tools: Vec<Tool> = [Tool::Client, Tool::Recording, Tool::Migrate]
        .into_iter()
        .chain(peers.iter().copied())
        .collect();
    let rounds = Rounds::run(tools.len(), runs, |index| {
        backend
            .fresh()
            .map_err(|failure| format!("creating the database: {failure}"))?;
        timed(workspace.apply(tools[index], backend)?)
    });
    let client_ms = rounds.median(0).map(ms);
    println!(
        "apply {} files   {:<14} {}",
        thousands(workspace.count),
        backend.client,
        client_ms.map_or_else(|| "failed".to_string(), |ms| format!("{ms:8.1} ms")),
    );
    let mut cells = Vec::new();
    for (index, tool) in tools.iter().enumerate().skip(1) {
        let cell = match (&rounds.failures[index], rounds.median(index)) {
            (Some(failure), _) => {
                println!("  {} failed: {failure}", tool.label());
                report
                    .notes
                    .push(format!("{} on {}: {failure}", tool.label(), backend.name()));
                Cell::Failed
            }
            (None, Some(median)) => match Ratio::of(&rounds.ratios(index, 0)) {
                Some(ratio) => {
                    println!(
                        "apply {} files   {:<14} {:8.1} ms   paired ratio {ratio}",
                        thousands(workspace.count),
                        tool.label(),
                        ms(median)
                    );
                    Cell::Measured {
                        ratio,
                        ms: ms(median),
                    }
                }
                None => Cell::Failed,
            },
            (None, None) => Cell::Failed,
        };
        cells.push((*tool, cell));
    }
    if let Some(failure) = &rounds.failures[0] {
        println!("  {} failed: {failure}", backend.client);
    }
    for peer in PEERS.iter().filter(|peer| !peers.contains(peer)) {
        cells.push((*peer, Cell::NotInstalled));
    }
    report.apply.push(ApplyRow {
        backend: backend.name(),
        client: backend.client,
        client_ms,
        target: match backend.kind {
            backend::Kind::Sqlite => "≤ 1.03×",
            backend::Kind::Postgres => "≤ 0.95×",
            backend::Kind::Mariadb => "≤ 0.85×",
        },
        cells,
    });
}

/// A no-op `up` and `status` with every version applied, against the floor.
fn idle(backend: &Backend, workspace: &Workspace, runs: usize, report: &mut Report) {
    let files = workspace.files();
    // Only the state matters here, so one transaction sets it up quickly
    // where the database can (MySQL's DDL commits implicitly).
    let setup: &[&str] = match backend.kind {
        backend::Kind::Mariadb => &["up", "-q"],
        _ => &["up", "-q", "--single-transaction"],
    };
    let ready = backend
        .fresh()
        .and_then(|()| timed(workspace.migrate(backend, setup)));
    if let Err(failure) = ready {
        println!("  setting up {} versions failed: {failure}", files.len());
        return;
    }
    let (mut queries, mut cats) = (Vec::new(), Vec::new());
    let rounds = Rounds::run(3, runs, |index| match index {
        0 => {
            let query = timed(backend.client_query("SELECT * FROM db_version")?)?;
            let mut cat = Command::new("cat");
            cat.args(&files);
            let cat = timed(cat)?;
            queries.push(query);
            cats.push(cat);
            Ok(query + cat)
        }
        1 => timed(workspace.migrate(backend, &["up", "-q"])),
        _ => timed(workspace.migrate(backend, &["status"])),
    });
    let Some(floor) = rounds.median(0) else {
        println!("  the floor failed: {:?}", rounds.failures[0]);
        return;
    };
    let measured = |index: usize, label: &str| -> Option<(f64, Ratio)> {
        if let Some(failure) = &rounds.failures[index] {
            println!("  {label} failed: {failure}");
        }
        let median = ms(rounds.median(index)?);
        let ratio = Ratio::of(&rounds.ratios(index, 0))?;
        println!(
            "{} files  {label:<10} {median:8.1} ms   floor {:6.1} ms   paired ratio {ratio}",
            thousands(files.len()),
            ms(floor)
        );
        Some((median, ratio))
    };
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times.get(times.len() / 2).map_or(0.0, |time| ms(*time))
    };
    println!(
        "{} files  floor: {} query {:.1} ms + cat {:.1} ms",
        thousands(files.len()),
        backend.client,
        median(queries),
        median(cats)
    );
    let noop = measured(1, "no-op up");
    let status = measured(2, "status");
    report.idle.push(IdleRow {
        backend: backend.name(),
        files: files.len(),
        floor_ms: ms(floor),
        noop,
        status,
    });
}

/// `migrate --version` next to `sqlite3 --version`.
fn startup(runs: usize, report: &mut Report) {
    let rounds = Rounds::run(2, runs.max(5) * 6, |index| {
        let mut command = match index {
            0 => Command::new(MIGRATE),
            _ => Command::new("sqlite3"),
        };
        command.arg("--version");
        timed(command)
    });
    let shown = |index: usize| match rounds.median(index) {
        Some(time) => format!("{:.2} ms", ms(time)),
        None => format!("failed: {:?}", rounds.failures[index]),
    };
    let ratio = Ratio::of(&rounds.ratios(0, 1)).map_or_else(String::new, |r| format!(" ({r}×)"));
    println!(
        "\nstart-up  migrate --version {}{ratio}   sqlite3 --version {}",
        shown(0),
        shown(1)
    );
    report.facts.push(Fact {
        measure: "start-up (`--version`, median)".into(),
        migrate: format!("{}{ratio}", shown(0)),
        reference: format!("`sqlite3 --version` {}", shown(1)),
        target: "≤ 1.5 ms",
    });
}

/// Peak RSS of applying the 1,000 files on SQLite, each tool once.
fn rss(backend: &Backend, workspace: &Workspace, peers: &[Tool], report: &mut Report) {
    if !Path::new("/usr/bin/time").exists() {
        println!("peak RSS skipped: /usr/bin/time is not installed (apt-get install time)");
        return;
    }
    let mut shown = Vec::new();
    for tool in [Tool::Migrate, Tool::Client]
        .into_iter()
        .chain(peers.iter().copied())
    {
        let peak = backend
            .fresh()
            .and_then(|()| workspace.apply(tool, backend))
            .and_then(|command| peak_rss(&command, &workspace.root));
        let label = match tool {
            Tool::Client => backend.client,
            _ => tool.label(),
        };
        let text = match peak {
            Ok(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
            Err(failure) => format!("failed: {failure}"),
        };
        println!("peak RSS applying 1,000 files on SQLite  {label:<14} {text}");
        shown.push((label, text));
    }
    let Some(((_, migrate), others)) = shown.split_first() else {
        return;
    };
    let reference: Vec<String> = others
        .iter()
        .map(|(label, text)| format!("`{label}` {text}"))
        .collect();
    report.facts.push(Fact {
        measure: "peak RSS applying 1,000 files on SQLite".into(),
        migrate: migrate.clone(),
        reference: reference.join(", "),
        target: "≤ 8 MiB",
    });
}

/// The binary as built, and stripped; and whether the profile strips it.
fn binary_size(scratch: &Path, report: &mut Report) {
    let mib = |bytes: u64| format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0));
    let built = match std::fs::metadata(MIGRATE) {
        Ok(metadata) => metadata.len(),
        Err(error) => {
            println!("binary size skipped: {MIGRATE}: {error}");
            return;
        }
    };
    let copy = scratch.join("migrate-stripped");
    let stripped = std::fs::copy(MIGRATE, &copy)
        .map_err(|error| error.to_string())
        .and_then(|_| {
            let mut command = Command::new("strip");
            command.arg(&copy);
            timed(command)
        })
        .and_then(|_: Duration| std::fs::metadata(&copy).map_err(|error| error.to_string()));
    let manifest = include_str!("../../Cargo.toml");
    let strips = manifest
        .split("[profile.release]")
        .nth(1)
        .and_then(|section| section.split("\n[").next())
        .is_some_and(|section| {
            section
                .lines()
                .any(|line| line.trim_start().starts_with("strip"))
        });
    let profile = match strips {
        true => "[profile.release] sets strip",
        false => "[profile.release] does not set strip",
    };
    let stripped = match stripped {
        Ok(metadata) => mib(metadata.len()),
        Err(failure) => format!("strip failed: {failure}"),
    };
    println!(
        "binary    as built {}   stripped {stripped}   ({profile})",
        mib(built)
    );
    report.facts.push(Fact {
        measure: "release binary".into(),
        migrate: format!("{stripped} stripped"),
        reference: format!("{} as built ({profile})", mib(built)),
        target: "stripped",
    });
}
