//! Table-driven cases for the planner: small fixtures, one behaviour per test,
//! many requests per table, every refusal of SPEC section 2 at least once
//! (refinery's `verify_migrations` tests are the model).
//!
//! A request is written as on the command line (`down 2 --across-releases`)
//! and a step as one line of a dry run: `rollback_add 3 down/3.sql @2` is the
//! operation, the version, the file (`-` for none) and the release label, then
//! `mark` or `resume` when the step has those set.

use super::*;
use crate::add_only::effective_state;
use crate::drift::{Drift, DriftKind};
use crate::record::PhaseRecord;
use crate::refusal::join;
use crate::scan::parse_name_in;
use crate::script::{Script, checksum};
use crate::state::State;
use crate::version::parse_target;
use Operation::*;
use State::*;

// ---- fixtures ------------------------------------------------------------

pub(crate) fn v(number: u128) -> Version {
    Version::new(number).unwrap()
}

pub(crate) fn label(text: &str) -> Release {
    Release::from_stored(text.to_string())
}

/// Expands a folder description: a bare version (`4`) stands for its five
/// files; any other entry is a path, optionally followed by `: TEXT`.
pub(crate) fn expand(entries: &[&str]) -> Vec<String> {
    let five = [
        "up/N.sql",
        "down/N.sql",
        "up/N.simdrop.sql",
        "down/N.simdrop.sql",
        "up/N.drop.sql",
    ];
    entries
        .iter()
        .flat_map(|entry| match entry.contains('/') {
            true => vec![entry.to_string()],
            false => five.map(|path| path.replace('N', entry)).to_vec(),
        })
        .collect()
}

/// A folder. A file's text names its path unless given, so every file has its own checksum.
pub(crate) fn files(entries: &[&str]) -> Catalogue {
    catalogue(expand(entries))
}

pub(crate) fn catalogue(entries: Vec<String>) -> Catalogue {
    let loaded = entries.into_iter().map(|entry| {
        let (path, text) = match entry.split_once(": ") {
            Some((path, text)) => (path.to_string(), text.to_string()),
            None => (entry.clone(), format!("-- {entry}\nSELECT 1;\n")),
        };
        let file_name = path.rsplit('/').next().unwrap();
        let parsed = parse_name_in(file_name, path.starts_with("up/")).unwrap();
        let script = Script::parse(text.as_bytes()).unwrap();
        (parsed, MigrationFile { path, script })
    });
    Catalogue::from_files(loaded).unwrap()
}

/// The folder `entries` after `changes`: `-PATH` removes a file, `PATH` or
/// `PATH: TEXT` adds or rewrites one.
pub(crate) fn changed(entries: &[&str], changes: &[&str]) -> Catalogue {
    let path_of = |entry: &str| {
        entry
            .split_once(": ")
            .map_or(entry, |(path, _)| path)
            .to_string()
    };
    let touched: Vec<String> = changes
        .iter()
        .map(|change| path_of(change.trim_start_matches('-')))
        .collect();
    let kept = expand(entries)
        .into_iter()
        .filter(|entry| !touched.contains(&path_of(entry)));
    let added = changes
        .iter()
        .filter(|change| !change.starts_with('-'))
        .map(ToString::to_string);
    catalogue(kept.chain(added).collect())
}

/// A row of the version table: the version and the `(release, seq)` of each
/// phase it reached, in the order add, simdrop, drop. The number of phases
/// gives the state: one is `added`, two `simdropped`, three `dropped`.
pub(crate) type Row<'r> = (u128, &'r [(&'r str, u64)]);

/// The version table after the files of `catalogue` ran: each phase records
/// its file's checksum (`None` when it has no file), so nothing has drifted
/// unless a test plans against other files.
pub(crate) fn db(catalogue: &Catalogue, rows: &[Row]) -> DbState {
    let records = rows.iter().map(|&(number, reached)| {
        let files = catalogue.get(v(number));
        let mut record = VersionRecord::new(v(number), files.and_then(|files| files.name.clone()));
        record.state = State::ALL[reached.len()];
        let phases = [Phase::Add, Phase::Simdrop, Phase::Drop];
        for ((slot, phase), &(release, seq)) in record.phases.iter_mut().zip(phases).zip(reached) {
            let file = files.and_then(|files| files.file(phase.operation()));
            *slot = Some(PhaseRecord {
                release: label(release),
                at: format!("2026-11-22T10:00:{seq:02}Z"),
                seq,
                checksum: file.map(|file| file.script.checksum.clone()),
            });
        }
        (v(number), record)
    });
    DbState {
        tables_exist: true,
        records: records.collect(),
    }
}

/// A non-atomic run of `operation` that committed one statement, then failed
/// at line 3 (`error`) or was cut off.
pub(crate) fn failure(operation: Operation, release: &str, error: bool) -> Failure {
    Failure {
        operation,
        statements_done: 1,
        done_checksum: checksum("SELECT 1;\n"),
        error: error.then(|| "boom".to_string()),
        line: error.then_some(3),
        release: label(release),
    }
}

pub(crate) fn with_failure(mut db: DbState, number: u128, failure: &Failure) -> DbState {
    let record = db
        .records
        .entry(v(number))
        .or_insert_with(|| VersionRecord::new(v(number), None));
    record.failure = Some(failure.clone());
    db
}

/// What the executor leaves after the rollbacks of a plan ran.
fn revert(db: &mut DbState, done: &[(Version, Operation)]) {
    for (version, operation) in done {
        match operation {
            RollbackAdd => {
                db.records.remove(version);
            }
            _ => {
                let record = db.records.get_mut(version).unwrap();
                record.state = Added;
                record.phases[1] = None;
            }
        }
    }
}

// ---- requests and outcomes -------------------------------------------------

/// Reads a request written as on the command line: `down 2 --across-releases`.
fn request(line: &str) -> (Command, Options) {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap();
    let mut options = Options::default();
    let mut target = None;
    while let Some(word) = words.next() {
        match word {
            "--only" => options.only = Some(words.next().unwrap().parse().unwrap()),
            "--release" => options.release = Some(Release::parse(words.next().unwrap()).unwrap()),
            "--across-releases" => options.across_releases = true,
            "--allow-out-of-order" => options.allow_out_of_order = true,
            "--allow-drift" => options.allow_drift = true,
            "--resume" => options.resume = true,
            "--skip-unknown" => options.unknown_statement = Some(UnknownStatement::Committed),
            "--rerun-unknown" => options.unknown_statement = Some(UnknownStatement::RolledBack),
            number => target = Some(parse_target(number).unwrap()),
        }
    }
    let version = || target.map(v);
    let command = match name {
        "up" => Command::Up(version()),
        "down" => Command::Down(target),
        "simdrop" => Command::Simdrop(version()),
        "rollback_simdrop" => Command::RollbackSimdrop(target),
        "drop" => Command::Drop(version()),
        "ff" => Command::Ff(version()),
        "mark" => Command::Mark(version().unwrap()),
        other => panic!("no command {other}"),
    };
    (command, options)
}

fn describe(step: &Step) -> String {
    let file = step.file.map_or("-", |file| file.path.as_str());
    let mut line = format!(
        "{} {} {file} @{}",
        step.operation, step.version, step.release
    );
    if step.mark_only {
        line.push_str(" mark");
    }
    if step.resume_from.is_some() {
        line.push_str(" resume");
    }
    if step.skip_unknown {
        line.push_str(" skip-unknown");
    }
    line
}

/// Plans `line` as the migrator does: on the state read through
/// [`effective_state`], which leaves every row but an old sweep's as it is.
fn run(catalogue: &Catalogue, db: &DbState, line: &str) -> Result<Vec<String>, Refusal> {
    let (command, options) = request(line);
    let db = effective_state(catalogue, db.clone());
    let planned = plan(catalogue, &db, command, &options)?;
    Ok(planned.steps.iter().map(describe).collect())
}

/// A request and what it must give: the steps, one line each, or the refusal.
type Case<'c> = (&'c str, Result<&'c [&'c str], Refusal>);

fn check(catalogue: &Catalogue, db: &DbState, cases: &[Case]) {
    for (line, expected) in cases {
        let expected = expected
            .clone()
            .map(|steps| steps.iter().map(ToString::to_string).collect());
        assert_eq!(run(catalogue, db, line), expected, "migrate {line}");
    }
}

fn wrong(number: u128, operation: Operation, state: State) -> Refusal {
    Refusal::WrongState {
        version: v(number),
        operation,
        state,
    }
}

fn no_down(number: u128, operation: Operation, expected: &str) -> Refusal {
    Refusal::NoDownFile {
        version: v(number),
        operation,
        expected: expected.to_string(),
    }
}

fn out_of_order(versions: &[u128], current: u128) -> Refusal {
    Refusal::OutOfOrder {
        versions: versions.iter().copied().map(v).collect(),
        current: v(current),
    }
}

fn boundary(operation: Operation, latest: &str, older: &[(u128, &str)]) -> Refusal {
    let older = older
        .iter()
        .map(|&(number, release)| (v(number), label(release)))
        .collect();
    Refusal::ReleaseBoundary {
        operation,
        latest: label(latest),
        older,
    }
}

// ---- forward commands ------------------------------------------------------

#[test]
fn up_adds_pending_versions_up_to_n_ascending() {
    let cat = files(&["up/1_init.sql", "2", "3", "5"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up",                      Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 up/3.sql @1", "add 5 up/5.sql @1"])),
        ("up 3",                    Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 up/3.sql @1"])),
        ("up 4",                    Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 up/3.sql @1"])),
        ("up 1",                    Ok(&["add 1 up/1_init.sql @1"])),
        ("up --release 2026-11-22", Ok(&["add 1 up/1_init.sql @2026-11-22", "add 2 up/2.sql @2026-11-22", "add 3 up/3.sql @2026-11-22", "add 5 up/5.sql @2026-11-22"])),
    ];
    check(&cat, &db(&cat, &[]), cases);

    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up",   Ok(&["add 3 up/3.sql @2", "add 5 up/5.sql @2"])),
        ("up 4", Ok(&["add 3 up/3.sql @2"])),
        ("up 2", Ok(&[])),
    ];
    let added = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)])]);
    check(&cat, &added, cases);

    // Versions compare as numbers: a 14-digit stamp comes before a 20-digit one.
    let stamps = files(&[
        "up/20150100000001000000.sql",
        "up/20260301120000.sql",
        "up/7.sql",
    ]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up",                Ok(&["add 7 up/7.sql @1", "add 20260301120000 up/20260301120000.sql @1", "add 20150100000001000000 up/20150100000001000000.sql @1"])),
        ("up 20260301120000", Ok(&["add 7 up/7.sql @1", "add 20260301120000 up/20260301120000.sql @1"])),
    ];
    check(&stamps, &db(&stamps, &[]), cases);
}

#[test]
fn simdrop_and_drop_move_the_next_phase_up_to_n() {
    let cat = files(&["1", "2", "3", "4", "5"]);
    // 1 dropped, 2 simdropped, 3 and 4 added, 5 pending.
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1), ("1", 4), ("2", 6)]), (2, &[("1", 2), ("2", 5)]), (3, &[("1", 3)]), (4, &[("2", 7)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("simdrop",             Ok(&["simdrop 3 up/3.simdrop.sql @3", "simdrop 4 up/4.simdrop.sql @3"])),
        ("simdrop 9",           Ok(&["simdrop 3 up/3.simdrop.sql @3", "simdrop 4 up/4.simdrop.sql @3"])),
        ("simdrop 3",           Ok(&["simdrop 3 up/3.simdrop.sql @3"])),
        ("simdrop 2",           Ok(&[])),
        ("simdrop --release R", Ok(&["simdrop 3 up/3.simdrop.sql @R", "simdrop 4 up/4.simdrop.sql @R"])),
        ("drop",                Ok(&["drop 2 up/2.drop.sql @3"])),
        ("drop 2 --release R",  Ok(&["drop 2 up/2.drop.sql @R"])),
        ("drop 1",              Ok(&[])),
    ];
    check(&cat, &state, cases);
}

#[test]
fn ff_runs_every_phase_version_by_version() {
    let cat = files(&["1", "2", "3"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("ff",              Ok(&["simdrop 1 up/1.simdrop.sql @2", "drop 1 up/1.drop.sql @2", "add 2 up/2.sql @2", "simdrop 2 up/2.simdrop.sql @2", "drop 2 up/2.drop.sql @2", "add 3 up/3.sql @2", "simdrop 3 up/3.simdrop.sql @2", "drop 3 up/3.drop.sql @2"])),
        ("ff 2",            Ok(&["simdrop 1 up/1.simdrop.sql @2", "drop 1 up/1.drop.sql @2", "add 2 up/2.sql @2", "simdrop 2 up/2.simdrop.sql @2", "drop 2 up/2.drop.sql @2"])),
        ("ff 1",            Ok(&["simdrop 1 up/1.simdrop.sql @2", "drop 1 up/1.drop.sql @2"])),
        ("ff 1 --release R", Ok(&["simdrop 1 up/1.simdrop.sql @R", "drop 1 up/1.drop.sql @R"])),
    ];
    check(&cat, &db(&cat, &[(1, &[("1", 1)])]), cases);
    #[rustfmt::skip]
    let cases: &[Case] = &[("ff 1", Ok(&["add 1 up/1.sql @1", "simdrop 1 up/1.simdrop.sql @1", "drop 1 up/1.drop.sql @1"]))];
    check(&cat, &db(&cat, &[]), cases);
    let simdropped = db(&cat, &[(1, &[("1", 1), ("1", 2)])]);
    check(
        &cat,
        &simdropped,
        &[("ff 1", Ok(&["drop 1 up/1.drop.sql @2"]))],
    );
    #[rustfmt::skip]
    let dropped = db(&cat, &[(1, &[("1", 1), ("1", 2), ("1", 3)]), (2, &[("1", 4), ("1", 5), ("1", 6)]), (3, &[("1", 7), ("1", 8), ("1", 9)])]);
    check(&cat, &dropped, &[("ff", Ok(&[]))]);
}

#[test]
fn mark_records_pending_versions_without_running_them() {
    let cat = files(&["1", "2", "3", "4"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("mark 3",                   Ok(&["add 2 up/2.sql @2 mark", "add 3 up/3.sql @2 mark"])),
        ("mark 4 --release adopted", Ok(&["add 2 up/2.sql @adopted mark", "add 3 up/3.sql @adopted mark", "add 4 up/4.sql @adopted mark"])),
        ("mark 1",                   Ok(&[])),
    ];
    check(&cat, &db(&cat, &[(1, &[("1", 1)])]), cases);
    #[rustfmt::skip]
    let cases: &[Case] = &[("mark 2", Ok(&["add 1 up/1.sql @1 mark", "add 2 up/2.sql @1 mark"]))];
    check(&cat, &db(&cat, &[]), cases);
}

#[test]
fn default_release_is_one_more_than_the_highest_numeric_label() {
    // The rows are versions the folder no longer has; none drifts (no checksum).
    let cat = files(&["up/9.sql"]);
    #[rustfmt::skip]
    let cases: &[(&[Row], &str, &str)] = &[
        (&[],                                                         "up",                      "1"),
        (&[(1, &[("1", 1)])],                                         "up",                      "2"),
        (&[(1, &[("1", 1)]), (2, &[("2", 2)])],                       "up",                      "3"),
        (&[(1, &[("7", 1)]), (2, &[("3", 2)])],                       "up",                      "8"),
        (&[(1, &[("1", 1), ("4", 3)]), (2, &[("2", 2)])],             "up",                      "5"),
        (&[(1, &[("2", 1)]), (2, &[("v9", 2)]), (3, &[("10", 3)])],   "up",                      "11"),
        (&[(1, &[("hotfix", 1)])],                                    "up",                      "1"),
        (&[(1, &[("1", 1)])],                                         "up --release 2026-11-22", "2026-11-22"),
    ];
    for (rows, line, release) in cases {
        let outcome = run(&cat, &db(&cat, rows), line);
        assert_eq!(
            outcome,
            Ok(vec![format!("add 9 up/9.sql @{release}")]),
            "{rows:?}"
        );
    }
}

#[test]
fn next_seq_follows_the_highest_recorded_seq() {
    let cat = files(&[]);
    #[rustfmt::skip]
    let cases: &[(&[Row], u64)] = &[
        (&[],                                                   1),
        (&[(1, &[("1", 1)])],                                   2),
        (&[(2, &[("1", 3)])],                                   4),
        (&[(1, &[("1", 1), ("1", 7), ("2", 9)]), (2, &[("1", 3)])], 10),
    ];
    for (rows, next_seq) in cases {
        let state = db(&cat, rows);
        for line in ["up", "ff"] {
            let (command, options) = request(line);
            let planned = plan(&cat, &state, command, &options).unwrap();
            assert_eq!(planned.next_seq, *next_seq, "{line} with {rows:?}");
        }
    }
}

// ---- rollbacks and releases ------------------------------------------------

/// Release 1 added 1 (no down file), release 2 added 2 and 3, release 3 added
/// 5 and then 4 (seq 4 then 5).
#[rustfmt::skip]
const ADDS: &[Row] = &[(1, &[("1", 1)]), (2, &[("2", 2)]), (3, &[("2", 3)]), (4, &[("3", 5)]), (5, &[("3", 4)])];

#[test]
fn down_reverts_the_latest_release_and_stops_at_release_boundaries() {
    let cat = files(&["up/1_init.sql", "2", "3", "4", "5"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("down",                       Ok(&["rollback_add 4 down/4.sql @3", "rollback_add 5 down/5.sql @3"])),
        ("down --release 9",           Ok(&["rollback_add 4 down/4.sql @3", "rollback_add 5 down/5.sql @3"])),
        ("down 3",                     Ok(&["rollback_add 4 down/4.sql @3", "rollback_add 5 down/5.sql @3"])),
        ("down 4",                     Ok(&["rollback_add 5 down/5.sql @3"])),
        ("down 9",                     Ok(&[])),
        ("down 2",                     Err(boundary(RollbackAdd, "3", &[(3, "2")]))),
        ("down 1",                     Err(boundary(RollbackAdd, "3", &[(3, "2"), (2, "2")]))),
        ("down 0",                     Err(boundary(RollbackAdd, "3", &[(3, "2"), (2, "2"), (1, "1")]))),
        ("down 1 --across-releases",   Ok(&["rollback_add 4 down/4.sql @3", "rollback_add 5 down/5.sql @3", "rollback_add 3 down/3.sql @2", "rollback_add 2 down/2.sql @2"])),
        ("down 0 --across-releases",   Err(no_down(1, RollbackAdd, "down/1.sql"))),
        ("down --only 2",              Ok(&["rollback_add 2 down/2.sql @2"])),
        ("down --only 3 --release 9",  Ok(&["rollback_add 3 down/3.sql @2"])),
    ];
    check(&cat, &db(&cat, ADDS), cases);
}

#[test]
fn rollback_simdrop_reverts_the_latest_release_and_stops_at_release_boundaries() {
    let cat = files(&["1", "2", "3", "4"]);
    // Release 1 added all four; release 2 simdropped 1 and 2, release 3 simdropped 4 and then 3.
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1), ("2", 5)]), (2, &[("1", 2), ("2", 6)]), (3, &[("1", 3), ("3", 8)]), (4, &[("1", 4), ("3", 7)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("rollback_simdrop",                      Ok(&["rollback_simdrop 3 down/3.simdrop.sql @3", "rollback_simdrop 4 down/4.simdrop.sql @3"])),
        ("rollback_simdrop --release 9",          Ok(&["rollback_simdrop 3 down/3.simdrop.sql @3", "rollback_simdrop 4 down/4.simdrop.sql @3"])),
        ("rollback_simdrop 2",                    Ok(&["rollback_simdrop 3 down/3.simdrop.sql @3", "rollback_simdrop 4 down/4.simdrop.sql @3"])),
        ("rollback_simdrop 4",                    Ok(&[])),
        ("rollback_simdrop 1",                    Err(boundary(RollbackSimdrop, "3", &[(2, "2")]))),
        ("rollback_simdrop 0",                    Err(boundary(RollbackSimdrop, "3", &[(2, "2"), (1, "2")]))),
        ("rollback_simdrop 0 --across-releases",  Ok(&["rollback_simdrop 3 down/3.simdrop.sql @3", "rollback_simdrop 4 down/4.simdrop.sql @3", "rollback_simdrop 2 down/2.simdrop.sql @2", "rollback_simdrop 1 down/1.simdrop.sql @2"])),
        ("rollback_simdrop --only 1",             Ok(&["rollback_simdrop 1 down/1.simdrop.sql @2"])),
        // The add release is its own: all four versions, and the last one added is simdropped.
        ("down",                                  Err(wrong(4, RollbackAdd, Simdropped))),
    ];
    check(&cat, &state, cases);
}

/// Runs `line` again and again, reverting each plan as the executor would.
fn run_again(cat: &Catalogue, mut state: DbState, line: &str, rounds: &[Result<&[&str], Refusal>]) {
    for (round, expected) in rounds.iter().enumerate() {
        let expected = expected
            .clone()
            .map(|steps| steps.iter().map(ToString::to_string).collect());
        assert_eq!(
            run(cat, &state, line),
            expected,
            "{line}, round {}",
            round + 1
        );
        let (command, options) = request(line);
        let done: Vec<(Version, Operation)> = plan(cat, &state, command, &options)
            .map(|planned| {
                planned
                    .steps
                    .iter()
                    .map(|step| (step.version, step.operation))
                    .collect()
            })
            .unwrap_or_default();
        revert(&mut state, &done);
    }
}

#[test]
fn run_again_a_rollback_reverts_the_release_before() {
    let cat = files(&["up/1_init.sql", "2", "3", "4", "5"]);
    #[rustfmt::skip]
    let rounds: &[Result<&[&str], Refusal>] = &[
        Ok(&["rollback_add 4 down/4.sql @3", "rollback_add 5 down/5.sql @3"]),
        Ok(&["rollback_add 3 down/3.sql @2", "rollback_add 2 down/2.sql @2"]),
        Err(no_down(1, RollbackAdd, "down/1.sql")),
    ];
    run_again(&cat, db(&cat, ADDS), "down", rounds);

    let cat = files(&["1", "2", "3"]);
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1), ("2", 4)]), (2, &[("1", 2), ("3", 5)]), (3, &[("1", 3), ("3", 6)])]);
    #[rustfmt::skip]
    let rounds: &[Result<&[&str], Refusal>] = &[
        Ok(&["rollback_simdrop 3 down/3.simdrop.sql @3", "rollback_simdrop 2 down/2.simdrop.sql @3"]),
        Ok(&["rollback_simdrop 1 down/1.simdrop.sql @2"]),
        Ok(&[]),
    ];
    run_again(&cat, state, "rollback_simdrop", rounds);
}

#[test]
fn rollback_simdrop_refuses_a_dropped_version_by_name() {
    let cat = files(&["1", "2"]);
    // Release 1 added and simdropped both; release 2 dropped 1. Skipping the
    // dropped version would quietly revert what is left of its release;
    // refusing names it, and `--only` still reaches the other one.
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1), ("1", 3), ("2", 5)]), (2, &[("1", 2), ("1", 4)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("rollback_simdrop",          Err(wrong(1, RollbackSimdrop, Dropped))),
        ("rollback_simdrop 0",        Err(wrong(1, RollbackSimdrop, Dropped))),
        ("rollback_simdrop --only 2", Ok(&["rollback_simdrop 2 down/2.simdrop.sql @1"])),
    ];
    check(&cat, &state, cases);
}

// ---- --only and states ---------------------------------------------------

#[test]
fn only_takes_one_version_and_needs_the_right_state() {
    let cat = files(&["2", "3", "4", "5"]);
    // 1 is known to the database alone (its folder is gone; it had no file).
    // 2 added, 3 simdropped, 4 dropped, 5 pending.
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)]), (3, &[("1", 3), ("2", 5)]), (4, &[("1", 4), ("2", 6), ("3", 7)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up --only 5",               Ok(&["add 5 up/5.sql @4"])),
        ("up --only 2",               Ok(&[])),
        ("up --only 4",               Ok(&[])),
        ("up --only 1",               Ok(&[])),
        ("simdrop --only 2",          Ok(&["simdrop 2 up/2.simdrop.sql @4"])),
        ("simdrop --only 3",          Ok(&[])),
        ("simdrop --only 5",          Err(wrong(5, Simdrop, Pending))),
        ("drop --only 3",             Ok(&["drop 3 up/3.drop.sql @4"])),
        ("drop --only 4",             Ok(&[])),
        ("drop --only 2",             Err(wrong(2, Drop, Added))),
        ("drop --only 5",             Err(wrong(5, Drop, Pending))),
        ("ff --only 2",               Ok(&["simdrop 2 up/2.simdrop.sql @4", "drop 2 up/2.drop.sql @4"])),
        ("ff --only 5",               Ok(&["add 5 up/5.sql @4", "simdrop 5 up/5.simdrop.sql @4", "drop 5 up/5.drop.sql @4"])),
        ("ff --only 4",               Ok(&[])),
        ("down --only 2",             Ok(&["rollback_add 2 down/2.sql @1"])),
        ("down --only 1",             Ok(&["rollback_add 1 - @1"])),
        ("down --only 3",             Err(wrong(3, RollbackAdd, Simdropped))),
        ("down --only 4",             Err(wrong(4, RollbackAdd, Dropped))),
        ("down --only 5",             Err(wrong(5, RollbackAdd, Pending))),
        ("rollback_simdrop --only 3", Ok(&["rollback_simdrop 3 down/3.simdrop.sql @2"])),
        ("rollback_simdrop --only 2", Err(wrong(2, RollbackSimdrop, Added))),
        ("rollback_simdrop --only 4", Err(wrong(4, RollbackSimdrop, Dropped))),
        ("rollback_simdrop --only 5", Err(wrong(5, RollbackSimdrop, Pending))),
        ("up --only 9",               Err(Refusal::UnknownVersion(v(9)))),
        ("down --only 9",             Err(Refusal::UnknownVersion(v(9)))),
        ("simdrop --only 9",          Err(Refusal::UnknownVersion(v(9)))),
        ("rollback_simdrop --only 9", Err(Refusal::UnknownVersion(v(9)))),
        ("drop --only 9",             Err(Refusal::UnknownVersion(v(9)))),
        ("ff --only 9",               Err(Refusal::UnknownVersion(v(9)))),
        ("mark 9 --only 9",           Err(Refusal::UnknownVersion(v(9)))),
    ];
    check(&cat, &state, cases);
}

#[test]
fn out_of_order_versions_need_the_flag() {
    let cat = files(&["2", "3", "5", "6"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up",                               Err(out_of_order(&[2, 3], 5))),
        ("up 2",                             Err(out_of_order(&[2], 5))),
        ("up --allow-out-of-order",          Ok(&["add 2 up/2.sql @2", "add 3 up/3.sql @2", "add 6 up/6.sql @2"])),
        ("up 3 --allow-out-of-order",        Ok(&["add 2 up/2.sql @2", "add 3 up/3.sql @2"])),
        ("up --only 3",                      Err(out_of_order(&[3], 5))),
        ("up --only 3 --allow-out-of-order", Ok(&["add 3 up/3.sql @2"])),
        ("up --only 6",                      Ok(&["add 6 up/6.sql @2"])),
        ("ff",                               Err(out_of_order(&[2, 3], 5))),
        ("ff --only 3",                      Err(out_of_order(&[3], 5))),
        ("ff 2 --allow-out-of-order",        Ok(&["add 2 up/2.sql @2", "simdrop 2 up/2.simdrop.sql @2", "drop 2 up/2.drop.sql @2"])),
        ("ff --only 6",                      Ok(&["add 6 up/6.sql @2", "simdrop 6 up/6.simdrop.sql @2", "drop 6 up/6.drop.sql @2"])),
        ("simdrop",                          Ok(&["simdrop 5 up/5.simdrop.sql @2"])),
    ];
    check(&cat, &db(&cat, &[(5, &[("1", 1)])]), cases);
}

// ---- missing phase files -------------------------------------------------

/// 1 has no down file; 2 has no simdrop or drop file; 3 is made of simdrop
/// and drop files only; 4 has a simdrop file without its down file.
#[rustfmt::skip]
const GAPS: &[&str] = &["up/1_init.sql", "up/2.sql", "down/2.sql", "up/3_cleanup.simdrop.sql", "up/3_cleanup.drop.sql", "up/4.sql", "down/4.sql", "up/4.simdrop.sql"];

#[test]
fn a_missing_phase_file_is_a_no_op_step_but_a_missing_down_file_refuses() {
    let cat = files(GAPS);
    #[rustfmt::skip]
    let cases: &[Case] = &[("up", Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 - @1", "add 4 up/4.sql @1"]))];
    check(&cat, &db(&cat, &[]), cases);

    #[rustfmt::skip]
    let cases: &[Case] = &[
        // 1 and 2 are add-only: their life ends at added.
        ("simdrop",       Ok(&["simdrop 3 up/3_cleanup.simdrop.sql @2", "simdrop 4 up/4.simdrop.sql @2"])),
        ("down --only 1", Err(no_down(1, RollbackAdd, "down/1.sql"))),
        ("down --only 2", Ok(&["rollback_add 2 down/2.sql @1"])),
        ("down --only 3", Ok(&["rollback_add 3 - @1"])),
        ("down 1",        Ok(&["rollback_add 4 down/4.sql @1", "rollback_add 3 - @1", "rollback_add 2 down/2.sql @1"])),
        ("down",          Err(no_down(1, RollbackAdd, "down/1.sql"))),
    ];
    #[rustfmt::skip]
    let added = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)]), (3, &[("1", 3)]), (4, &[("1", 4)])]);
    check(&cat, &added, cases);

    #[rustfmt::skip]
    let simdropped = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)]), (3, &[("1", 3), ("2", 7)]), (4, &[("1", 4), ("2", 8)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("drop",                      Ok(&["drop 3 up/3_cleanup.drop.sql @3", "drop 4 - @3"])),
        ("rollback_simdrop --only 3", Err(no_down(3, RollbackSimdrop, "down/3.simdrop.sql"))),
        ("rollback_simdrop --only 4", Err(no_down(4, RollbackSimdrop, "down/4.simdrop.sql"))),
        ("rollback_simdrop 2",        Err(no_down(4, RollbackSimdrop, "down/4.simdrop.sql"))),
    ];
    check(&cat, &simdropped, cases);

    // A file that ran and is gone since still needs its down file.
    let state = db(&cat, &[(2, &[("1", 1)])]);
    let gone = changed(GAPS, &["-up/2.sql", "-down/2.sql"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[("down --only 2 --allow-drift", Err(no_down(2, RollbackAdd, "down/2.sql")))];
    check(&gone, &state, cases);
}

#[test]
fn steps_carry_the_description() {
    let cat = files(GAPS);
    let mut state = db(&cat, &[(3, &[("1", 1)]), (7, &[("1", 2)])]);
    // 7 is known to the database alone, which keeps the name it was recorded with.
    state.records.get_mut(&v(7)).unwrap().name = Some("legacy".to_string());
    #[rustfmt::skip]
    let cases: &[(&str, Option<&str>)] = &[
        ("simdrop --only 3",                 Some("cleanup")),
        ("down --only 3",                    Some("cleanup")),
        ("up --only 1 --allow-out-of-order", Some("init")),
        ("up --only 4 --allow-out-of-order", None),
        ("down --only 7",                    Some("legacy")),
    ];
    for (line, name) in cases {
        let (command, options) = request(line);
        let planned = plan(&cat, &state, command, &options).unwrap();
        assert_eq!(planned.steps[0].name.as_deref(), *name, "{line}");
    }
}

// ---- add-only versions ------------------------------------------------------

/// 1 and 2 are add-only (1 without a down file); 3 has every file; 4 has a
/// drop file but no simdrop file, so it goes through every phase.
#[rustfmt::skip]
const ADD_ONLY: &[&str] = &["up/1_init.sql", "up/2.sql", "down/2.sql", "3", "up/4.sql", "down/4.sql", "up/4.drop.sql"];

fn add_only(number: u128, operation: Operation) -> Refusal {
    Refusal::AddOnly {
        version: v(number),
        operation,
    }
}

#[test]
fn simdrop_drop_and_ff_never_move_an_add_only_version() {
    let cat = files(ADD_ONLY);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up",               Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 up/3.sql @1", "add 4 up/4.sql @1"])),
        ("ff",               Ok(&["add 1 up/1_init.sql @1", "add 2 up/2.sql @1", "add 3 up/3.sql @1", "simdrop 3 up/3.simdrop.sql @1", "drop 3 up/3.drop.sql @1", "add 4 up/4.sql @1", "simdrop 4 - @1", "drop 4 up/4.drop.sql @1"])),
        ("ff --only 2",      Ok(&["add 2 up/2.sql @1"])),
        ("simdrop --only 2", Err(add_only(2, Simdrop))),
    ];
    check(&cat, &db(&cat, &[]), cases);

    #[rustfmt::skip]
    let added = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)]), (3, &[("1", 3)]), (4, &[("1", 4)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("simdrop",          Ok(&["simdrop 3 up/3.simdrop.sql @2", "simdrop 4 - @2"])),
        ("simdrop 2",        Ok(&[])),
        ("drop",             Ok(&[])),
        ("ff",               Ok(&["simdrop 3 up/3.simdrop.sql @2", "drop 3 up/3.drop.sql @2", "simdrop 4 - @2", "drop 4 up/4.drop.sql @2"])),
        ("ff 2",             Ok(&[])),
        ("ff --only 2",      Ok(&[])),
        // SPEC section 8: --only names it, so it is refused by name.
        ("simdrop --only 1", Err(add_only(1, Simdrop))),
        ("simdrop --only 2", Err(add_only(2, Simdrop))),
        ("drop --only 2",    Err(add_only(2, Drop))),
        ("simdrop --only 4", Ok(&["simdrop 4 - @2"])),
        ("down --only 2",    Ok(&["rollback_add 2 down/2.sql @1"])),
    ];
    check(&cat, &added, cases);

    // A version the folder no longer holds has no simdrop or drop file either.
    let gone = changed(ADD_ONLY, &["-up/2.sql", "-down/2.sql"]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("simdrop --allow-drift",          Ok(&["simdrop 3 up/3.simdrop.sql @2", "simdrop 4 - @2"])),
        ("simdrop --only 2 --allow-drift", Err(add_only(2, Simdrop))),
    ];
    check(&gone, &added, cases);
}

#[test]
fn rows_an_old_sweep_left_past_added_are_read_as_added() {
    let cat = files(&[
        "up/1_init.sql",
        "up/2.sql",
        "down/2.sql",
        "3",
        "up/4.sql",
        "down/4.sql",
        "up/4.drop.sql",
        "up/5.sql",
        "down/5.sql",
    ]);
    // The old sweep: release 2 simdropped all four, release 3 dropped them;
    // 5 was only simdropped. No file ran for 1, 2 and 5 past their add.
    #[rustfmt::skip]
    let swept = db(&cat, &[(1, &[("1", 1), ("2", 5), ("3", 9)]), (2, &[("1", 2), ("2", 6), ("3", 10)]), (3, &[("1", 3), ("2", 7), ("3", 11)]), (4, &[("1", 4), ("2", 8), ("3", 12)]), (5, &[("1", 13), ("4", 14)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("down --only 2",             Ok(&["rollback_add 2 down/2.sql @1"])),
        ("down --only 5",             Ok(&["rollback_add 5 down/5.sql @1"])),
        ("down --only 1",             Err(no_down(1, RollbackAdd, "down/1.sql"))),
        // A file ran for 3's and 4's later phases: their rows stand.
        ("down --only 3",             Err(wrong(3, RollbackAdd, Dropped))),
        ("down --only 4",             Err(wrong(4, RollbackAdd, Dropped))),
        ("rollback_simdrop --only 5", Err(wrong(5, RollbackSimdrop, Added))),
        ("simdrop",                   Ok(&[])),
        ("drop",                      Ok(&[])),
        ("ff",                        Ok(&[])),
        // The swept phases' labels still count: the next release is 5, not 2.
        ("mark 5",                    Ok(&[])),
    ];
    check(&cat, &swept, cases);
    let more = changed(
        &[
            "up/1_init.sql",
            "up/2.sql",
            "down/2.sql",
            "3",
            "up/4.sql",
            "down/4.sql",
            "up/4.drop.sql",
            "up/5.sql",
            "down/5.sql",
        ],
        &["up/6.sql"],
    );
    assert_eq!(
        run(&more, &swept, "up"),
        Ok(vec!["add 6 up/6.sql @5".to_string()])
    );
    let effective = effective_state(&cat, swept.clone());
    let states: Vec<State> = effective
        .records
        .values()
        .map(|record| record.state)
        .collect();
    assert_eq!(states, [Added, Added, Dropped, Dropped, Added]);
    assert_eq!(effective.max_seq(), swept.max_seq());
    assert_eq!(effective.latest_release(Phase::Simdrop), Some(&label("2")));
    assert!(find_drift(&cat, &effective).is_empty());

    // A failed row is the user's to repair with mark: left as written.
    let failed = with_failure(swept.clone(), 2, &failure(Add, "5", true));
    let read = effective_state(&cat, failed.clone());
    assert_eq!(read.records.get(&v(2)), failed.records.get(&v(2)));
}

#[test]
fn a_swept_version_that_gains_a_simdrop_file_is_drift_until_marked() {
    let folder: &[&str] = &["up/2.sql", "down/2.sql"];
    let cat = files(folder);
    let swept = db(&cat, &[(2, &[("1", 1), ("2", 2), ("3", 3)])]);
    let grown = changed(folder, &["up/2.simdrop.sql"]);
    // No longer add-only: the row says simdrop ran without a file, and now there is one.
    let drift = find_drift(&grown, &effective_state(&grown, swept.clone()));
    assert_eq!(drift.len(), 1);
    assert_eq!(
        (drift[0].phase, drift[0].kind),
        (Phase::Simdrop, DriftKind::Added)
    );
    assert_eq!(run(&grown, &swept, "simdrop"), Err(Refusal::Drift(drift)));
    // The repair: record it as added, and the new file runs with the next simdrop.
    let allow = Options {
        allow_drift: true,
        ..Options::default()
    };
    assert_eq!(
        check_mark_state(&grown, &swept, v(2), Added, &allow),
        Ok(())
    );
    let marked = db(&grown, &[(2, &[("1", 1)])]);
    #[rustfmt::skip]
    let cases: &[Case] = &[("simdrop", Ok(&["simdrop 2 up/2.simdrop.sql @2"]))];
    check(&grown, &marked, cases);
}

#[test]
fn mark_state_keeps_an_add_only_version_at_added() {
    let cat = files(ADD_ONLY);
    let state = db(&cat, &[(2, &[("1", 1)]), (3, &[("1", 2)])]);
    let options = Options::default();
    #[rustfmt::skip]
    let cases: &[(u128, State, Result<(), Refusal>)] = &[
        (2, Simdropped, Err(add_only(2, Simdrop))),
        (2, Dropped,    Err(add_only(2, Drop))),
        (2, Added,      Ok(())),
        (2, Pending,    Ok(())),
        (3, Dropped,    Ok(())),
        (4, Simdropped, Ok(())),
    ];
    for (number, target, expected) in cases {
        assert_eq!(
            check_mark_state(&cat, &state, v(*number), *target, &options),
            *expected,
            "{number} {target}"
        );
    }
}

// ---- drift -----------------------------------------------------------------

/// 1 simdropped, 2 added, 3 simdropped without a simdrop file.
const RAN: &[&str] = &["1", "2", "up/3.sql"];
#[rustfmt::skip]
const RAN_ROWS: &[Row] = &[(1, &[("1", 1), ("2", 4)]), (2, &[("1", 2)]), (3, &[("1", 3), ("2", 5)])];

/// A drifted file: version, phase, path and kind.
type Found<'f> = (u128, Phase, &'f str, DriftKind);

#[test]
fn drift_is_a_changed_removed_or_added_file_of_a_phase_that_ran() {
    use DriftKind::{Added as New, Changed, Removed};
    let state = db(&files(RAN), RAN_ROWS);
    #[rustfmt::skip]
    let cases: &[(&[&str], &[Found])] = &[
        (&[],                                                 &[]),
        (&["up/1.sql: SELECT 2;\n"],                          &[(1, Phase::Add, "up/1.sql", Changed)]),
        (&["-up/1.simdrop.sql", "-down/1.simdrop.sql"],       &[(1, Phase::Simdrop, "up/1.simdrop.sql", Removed)]),
        (&["-up/1.sql", "-down/1.sql", "-up/1.simdrop.sql", "-down/1.simdrop.sql", "-up/1.drop.sql"],
                                                              &[(1, Phase::Add, "up/1.sql", Removed), (1, Phase::Simdrop, "up/1.simdrop.sql", Removed)]),
        (&["up/3.simdrop.sql"],                               &[(3, Phase::Simdrop, "up/3.simdrop.sql", New)]),
        (&["up/2.sql: SELECT 2;\n", "-up/1.simdrop.sql", "-down/1.simdrop.sql", "up/3.simdrop.sql"],
                                                              &[(1, Phase::Simdrop, "up/1.simdrop.sql", Removed), (2, Phase::Add, "up/2.sql", Changed), (3, Phase::Simdrop, "up/3.simdrop.sql", New)]),
        // Not drift: a BOM and CRLF line ends, a rollback file, a phase that has not run.
        (&["up/1.sql: \u{feff}-- up/1.sql\r\nSELECT 1;\r\n"], &[]),
        (&["down/2.sql: SELECT 2;\n"],                        &[]),
        (&["up/2.simdrop.sql: SELECT 2;\n", "up/1.drop.sql: SELECT 2;\n"], &[]),
    ];
    for (changes, expected) in cases {
        let after = changed(RAN, changes);
        let drift = find_drift(&after, &state);
        let found: Vec<_> = drift
            .iter()
            .map(|d| (d.version.get(), d.phase, d.path.as_str(), d.kind))
            .collect();
        assert_eq!(found, *expected, "{changes:?}");
        for d in &drift {
            let on_disk = after
                .get(d.version)
                .and_then(|files| files.file(d.phase.operation()));
            assert_eq!(
                d.current,
                on_disk.map(|file| file.script.checksum.clone()),
                "{changes:?}"
            );
        }
        let refused = if drift.is_empty() {
            Ok(vec![])
        } else {
            Err(Refusal::Drift(drift))
        };
        assert_eq!(run(&after, &state, "up"), refused, "{changes:?}");
        assert_eq!(
            run(&after, &state, "up --allow-drift"),
            Ok(vec![]),
            "{changes:?}"
        );
    }
}

#[test]
fn every_command_refuses_while_a_file_drifted() {
    let state = db(&files(RAN), RAN_ROWS);
    let after = changed(RAN, &["up/2.sql: SELECT 2;\n"]);
    let drift = find_drift(&after, &state);
    assert_eq!(drift.len(), 1);
    let lines = [
        "up",
        "down --only 2",
        "simdrop",
        "rollback_simdrop",
        "drop",
        "ff",
        "mark 2",
        "up --only 2",
    ];
    for line in lines {
        assert_eq!(
            run(&after, &state, line),
            Err(Refusal::Drift(drift.clone())),
            "{line}"
        );
        let allowed = format!("{line} --allow-drift");
        assert!(run(&after, &state, &allowed).is_ok(), "{allowed}");
    }
}

// ---- failed versions -----------------------------------------------------

#[test]
fn a_failed_version_blocks_everything_but_up_resume() {
    let cat = files(&["1", "2", "3"]);
    let added = db(&cat, &[(1, &[("1", 1)])]);
    let failed_add = failure(Add, "2", true);
    let state = with_failure(added.clone(), 2, &failed_add);
    let refused = Refusal::Failed {
        version: v(2),
        failure: failed_add.clone(),
    };
    #[rustfmt::skip]
    let lines = ["up", "up 3", "up --only 3", "down", "simdrop", "rollback_simdrop", "drop", "ff", "mark 3", "down --resume", "ff --resume", "up --allow-drift"];
    for line in lines {
        assert_eq!(run(&cat, &state, line), Err(refused.clone()), "{line}");
    }

    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up --resume",   Ok(&["add 2 up/2.sql @2 resume", "add 3 up/3.sql @2"])),
        ("up 2 --resume", Ok(&["add 2 up/2.sql @2 resume"])),
    ];
    check(&cat, &state, cases);
    let (command, options) = request("up --resume");
    let planned = plan(&cat, &state, command, &options).unwrap();
    let resumed: Vec<_> = planned.steps.iter().map(|step| step.resume_from).collect();
    assert_eq!(resumed, [Some(&failed_add), None]);

    // A failure with a known error: the user says nothing about an unknown statement.
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up --resume --skip-unknown",  Err(Refusal::NothingUnknown(v(2)))),
        ("up --resume --rerun-unknown", Err(Refusal::NothingUnknown(v(2)))),
    ];
    check(&cat, &state, cases);

    // A cut-off simdrop: whether its running statement committed is unknown,
    // so plain --resume refuses; the user's finding decides where it resumes,
    // then up goes on.
    let cut_off = failure(Simdrop, "2", false);
    let state = with_failure(added.clone(), 1, &cut_off);
    let refused = Refusal::Failed {
        version: v(1),
        failure: cut_off.clone(),
    };
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up --resume",                 Err(refused.clone())),
        ("up --resume --rerun-unknown", Ok(&["simdrop 1 up/1.simdrop.sql @2 resume", "add 2 up/2.sql @2", "add 3 up/3.sql @2"])),
        ("up --resume --skip-unknown",  Ok(&["simdrop 1 up/1.simdrop.sql @2 resume skip-unknown", "add 2 up/2.sql @2", "add 3 up/3.sql @2"])),
        ("simdrop",                     Err(refused)),
    ];
    check(&cat, &state, cases);

    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("up --resume",   Err(Refusal::NothingToResume)),
        ("down --resume", Err(Refusal::NothingToResume)),
    ];
    check(&cat, &added, cases);
}

// ---- messages ------------------------------------------------------------

#[test]
fn refusals_name_the_version_and_what_unblocks_it() {
    let drift = |number, phase, path: &str, kind| Drift {
        version: v(number),
        phase,
        path: path.to_string(),
        kind,
        current: None,
    };
    #[rustfmt::skip]
    let cases: Vec<(Refusal, bool, &str)> = vec![
        (wrong(3, RollbackAdd, Simdropped), false, "cannot rollback_add version 3: it is simdropped; run `migrate rollback_simdrop --only 3` first"),
        (wrong(3, RollbackAdd, Dropped), false, "cannot rollback_add version 3: it is dropped; version 3 is dropped, and drop can never be undone"),
        (wrong(3, RollbackSimdrop, Dropped), false, "cannot rollback_simdrop version 3: it is dropped; version 3 is dropped, and drop can never be undone"),
        (wrong(3, Drop, Added), false, "cannot drop version 3: it is added; run `migrate simdrop --only 3` first"),
        (wrong(3, Simdrop, Pending), false, "cannot simdrop version 3: it is pending; run `migrate up --only 3` first"),
        (wrong(3, Drop, Pending), false, "cannot drop version 3: it is pending; run `migrate up --only 3` first"),
        (wrong(3, RollbackSimdrop, Added), false, "cannot rollback_simdrop version 3: it is added; version 3 is not simdropped"),
        (wrong(3, RollbackAdd, Pending), false, "cannot rollback_add version 3: it is pending; version 3 is not applied"),
        (wrong(3, Add, Added), false, "cannot add version 3: it is added; version 3 is already added"),
        (add_only(4, Simdrop), false, "cannot simdrop version 4: it is add-only (there is no up/4.simdrop.sql and no up/4.drop.sql), so there is nothing to hide or remove, and the move would only make it irreversible; it stays added"),
        (no_down(1, RollbackAdd, "down/1.sql"), false, "cannot rollback_add version 1: there is no down/1.sql to undo it"),
        (no_down(4, RollbackSimdrop, "down/4.simdrop.sql"), false, "cannot rollback_simdrop version 4: there is no down/4.simdrop.sql to undo it"),
        (out_of_order(&[3], 5), false, "pending version 3 is lower than the current version 5 (out of order): apply it with --allow-out-of-order"),
        (out_of_order(&[2, 3, 4], 5), false, "pending versions 2, 3 and 4 are lower than the current version 5 (out of order): apply them with --allow-out-of-order"),
        (Refusal::Drift(vec![drift(1, Phase::Add, "up/1.sql", DriftKind::Changed), drift(2, Phase::Simdrop, "up/2.simdrop.sql", DriftKind::Removed), drift(3, Phase::Drop, "up/3.drop.sql", DriftKind::Added)]), false,
            "applied files changed on disk: up/1.sql changed since it ran (version 1); up/2.simdrop.sql was removed after it ran (version 2); up/3.drop.sql appeared after its phase ran without a file (version 3); restore them, or record them with `migrate verify --accept`, or pass --allow-drift"),
        (Refusal::Failed { version: v(2), failure: failure(Add, "2", true) }, false,
            "version 2 failed during add at line 3 after 1 statement(s) committed: boom; fix the file and run `migrate up --resume`, or record the true state with `migrate mark --only 2 --state STATE`"),
        (Refusal::Failed { version: v(2), failure: failure(Simdrop, "2", false) }, false,
            "version 2 was cut off during simdrop after 1 statement(s) committed, while statement 2 ran: whether it committed is unknown; check the database, then run `migrate up --resume --skip-unknown` if it committed or `migrate up --resume --rerun-unknown` if it did not, or record the true state with `migrate mark --only 2 --state STATE`"),
        (Refusal::NothingUnknown(v(2)), true,
            "--skip-unknown and --rerun-unknown are for a version cut off while a statement ran; version 2 failed with a known error: fix the file and run `migrate up --resume`"),
        (boundary(RollbackAdd, "3", &[(3, "2")]), false, "rollback_add would cross into an earlier release: the latest release is 3, but 3 (release 2) is older; pass --across-releases to revert them too"),
        (boundary(RollbackSimdrop, "3", &[(2, "2"), (1, "1")]), false, "rollback_simdrop would cross into an earlier release: the latest release is 3, but 2 (release 2), 1 (release 1) are older; pass --across-releases to revert them too"),
        (Refusal::NothingToResume, true, "--resume: no version is failed, there is nothing to resume"),
        (Refusal::UnknownVersion(v(9)), true, "--only 9: no such version in the folder or the database"),
    ];
    for (refusal, usage, message) in cases {
        assert_eq!(refusal.to_string(), message);
        assert_eq!(refusal.is_usage(), usage, "{refusal:?}");
    }
}

#[test]
fn join_lists_versions() {
    let cases: [(&[u128], &str); 4] = [
        (&[], ""),
        (&[3], "3"),
        (&[3, 5], "3 and 5"),
        (&[3, 5, 7], "3, 5 and 7"),
    ];
    for (numbers, text) in cases {
        let versions: Vec<Version> = numbers.iter().copied().map(v).collect();
        assert_eq!(join(&versions), text);
    }
}

// ---- checkpoints (SPEC section 10) -------------------------------------------

/// The folder before `squash 3`: 1 add-only, 2 and 3 with every phase, 4 after.
const BEFORE_SQUASH: &[&str] = &["up/1.sql", "down/1.sql", "2", "3", "4"];

/// The folder after `squash 3`: the checkpoint, and 4.
fn squashed_folder() -> Catalogue {
    catalogue(
        [
            "up/3_checkpoint.sql: -- migrate: checkpoint\n-- squashed: 1 added\n\
             -- squashed: 2 dropped\n-- squashed: 3 dropped\nCREATE TABLE t (x int);\n",
        ]
        .iter()
        .map(ToString::to_string)
        .chain(expand(&["4"]))
        .collect(),
    )
}

fn part_way(lacking: &[(u128, State, State)]) -> Refusal {
    Refusal::PartWay {
        checkpoint: "up/3_checkpoint.sql".to_string(),
        version: v(3),
        lacking: lacking
            .iter()
            .map(|&(number, state, needed)| (v(number), state, needed))
            .collect(),
    }
}

fn below(versions: &[u128]) -> Refusal {
    Refusal::BelowCheckpoint {
        checkpoint: "up/3_checkpoint.sql".to_string(),
        version: v(3),
        versions: versions.iter().copied().map(v).collect(),
    }
}

#[test]
fn a_fresh_database_runs_the_checkpoint_instead_of_the_versions() {
    let folder = squashed_folder();
    check(
        &folder,
        &DbState::default(),
        &[
            (
                "up",
                Ok(&["add 3 up/3_checkpoint.sql @1", "add 4 up/4.sql @1"]),
            ),
            (
                "ff",
                Ok(&[
                    "add 3 up/3_checkpoint.sql @1",
                    "add 4 up/4.sql @1",
                    "simdrop 4 up/4.simdrop.sql @1",
                    "drop 4 up/4.drop.sql @1",
                ]),
            ),
            ("mark 3", Ok(&["add 3 up/3_checkpoint.sql @1 mark"])),
        ],
    );
}

#[test]
fn a_database_that_ran_the_checkpoint_goes_on_and_cannot_go_below_it() {
    let folder = squashed_folder();
    let ran = db(&folder, &[(3, &[("1", 1)])]);
    check(
        &folder,
        &ran,
        &[
            ("up", Ok(&["add 4 up/4.sql @2"])),
            ("simdrop", Ok(&[])),
            ("down", Err(below(&[3]))),
            ("down 2", Err(below(&[3]))),
            ("down --only 3", Err(below(&[3]))),
        ],
    );
}

#[test]
fn a_database_that_finished_the_versions_skips_the_checkpoint() {
    let folder = squashed_folder();
    // The rows the original files wrote, with their checksums: not drift.
    let finished = db(
        &files(BEFORE_SQUASH),
        &[
            (1, &[("1", 1)]),
            (2, &[("1", 2), ("2", 4), ("3", 6)]),
            (3, &[("1", 3), ("2", 5), ("3", 7)]),
        ],
    );
    check(
        &folder,
        &finished,
        &[
            ("up", Ok(&["add 4 up/4.sql @4"])),
            ("ff 3", Ok(&[])),
            ("drop", Ok(&[])),
            ("down 1", Err(below(&[3, 2]))),
            ("down 0", Err(below(&[3, 2, 1]))),
        ],
    );
    assert!(find_drift(&folder, &finished).is_empty());
    // Once 4 is added, down 3 reverts 4 alone.
    let mut later = finished.clone();
    later
        .records
        .extend(db(&folder, &[(4, &[("4", 8)])]).records);
    check(
        &folder,
        &later,
        &[("down 3", Ok(&["rollback_add 4 down/4.sql @4"]))],
    );
}

#[test]
fn a_database_part_way_through_the_versions_is_refused_naming_them() {
    let folder = squashed_folder();
    let original = files(BEFORE_SQUASH);
    let refusal = part_way(&[(2, Added, Dropped), (3, Pending, Dropped)]);
    let partial = db(&original, &[(1, &[("1", 1)]), (2, &[("1", 2)])]);
    for line in ["up", "ff", "simdrop", "mark 4", "down 3"] {
        assert_eq!(run(&folder, &partial, line), Err(refusal.clone()), "{line}");
    }
    let message = refusal.to_string();
    assert!(
        message.contains("version 2 is added, needs dropped"),
        "{message}"
    );
    assert!(
        message.contains("version 3 is pending, needs dropped"),
        "{message}"
    );
    assert!(
        message.contains("`migrate ff 3 --dir OLD_FOLDER`"),
        "{message}"
    );
    // Only added where it must be dropped: refused as well.
    let added = db(
        &original,
        &[(1, &[("1", 1)]), (2, &[("1", 2)]), (3, &[("1", 3)])],
    );
    assert_eq!(
        run(&folder, &added, "up"),
        Err(part_way(&[(2, Added, Dropped), (3, Added, Dropped)]))
    );
}
