//! The presenter from values alone, no database: human text as snapshots
//! (styles stripped, as on a pipe), JSON compared as values, and the exit
//! each document carries.

use std::io;
use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::drift::{Drift, DriftKind};
use crate::error::{DbError, MigrationError};
use crate::log_table::{LogEntry, LogOperation, Outcome};
use crate::migrator::Planned;
use crate::output::status::{status_table, status_table_within};
use crate::scan::FileProblem;
use crate::state::{Operation, Phase, State};
use crate::status::{FailureStatus, Files, Next, Releases, Status, Times, VersionStatus};
use crate::version::{Release, Version};

/// The text as a pipe shows it: `anstream` drops the styles there.
fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

fn v(number: u128) -> Version {
    Version::new(number).unwrap_or(Version::FIRST)
}

fn report(version: u128, operation: &str, file: Option<&str>, ms: u64) -> Report {
    Report {
        version: Some(v(version)),
        operation: operation.to_string(),
        file: file.map(str::to_string),
        ms,
    }
}

fn planned(version: u128, file: Option<&str>, sql: Option<&str>) -> Planned {
    Planned {
        version: Some(v(version)),
        operation: "add".to_string(),
        file: file.map(str::to_string),
        sql: sql.map(str::to_string),
    }
}

fn failed_migration() -> Error {
    Error::from(MigrationError {
        version: Some(v(3)),
        operation: Some(Operation::Add),
        path: "up/3_c.sql".to_string(),
        line: Some(2),
        source: DbError::new("no such table: nope"),
    })
}

fn folder_error() -> Error {
    let problem = |path: &str, line, message: &str| FileProblem {
        path: path.to_string(),
        line,
        message: message.to_string(),
    };
    Error::Folder(vec![
        problem("up/1.simdorp.sql", None, "not a migration file name"),
        problem("up/2.sql", Some(4), "unterminated string"),
    ])
}

/// A failure of the third statement, at line 3, two having committed.
fn failure_status(message: &str) -> FailureStatus {
    FailureStatus {
        operation: Operation::Add,
        statement: 3,
        line: Some(3),
        committed: 2,
        error: Some("canceling statement due to lock timeout".to_string()),
        outcome_unknown: false,
        message: message.to_string(),
    }
}

/// An applied version, a pending one out of order without a down file, and a failed one.
fn sample_status() -> Status {
    let version = |number: u128, name: &str, state: &str| VersionStatus {
        version: v(number),
        name: Some(name.to_string()),
        state: state.to_string(),
        release: None,
        releases: Releases::default(),
        times: Times::default(),
        applied_at: None,
        files: Files {
            add: Some(format!("up/{number}_{name}.sql")),
            rollback_add: Some(format!("down/{number}_{name}.sql")),
            ..Files::default()
        },
        drift: false,
        out_of_order: false,
        failure: None,
        squashed_into: None,
    };
    let mut added = version(1, "init", "added");
    added.release = Some(Release::from_stored("1".to_string()));
    added.releases.add = added.release.clone();
    added.times.add = Some("2026-11-22T05:03:00.123456Z".to_string());
    added.applied_at = added.times.add.clone();
    added.drift = true;
    let mut pending = version(2, "add_email", "pending");
    pending.files.rollback_add = None;
    pending.out_of_order = true;
    let mut failed = version(12, "index", "failed");
    failed.failure = Some(failure_status("failed at line 3"));
    Status {
        current_version: 12,
        versions: vec![added, pending, failed],
        repeatables: Vec::new(),
        next: vec![Next::Run {
            operation: Operation::Add,
            versions: vec![v(2), v(12)],
            command: "migrate up".to_string(),
        }],
    }
}

fn sample_drift() -> Vec<Drift> {
    vec![Drift {
        version: v(1),
        phase: Phase::Add,
        path: "up/1_init.sql".to_string(),
        kind: DriftKind::Changed,
        current: Some("abc".to_string()),
    }]
}

/// The one place that builds a log entry, should its type change.
fn sample_entry() -> LogEntry {
    let mut entry = LogEntry::new(
        v(3),
        LogOperation::Run(crate::state::Operation::Add),
        "2026-11-22T05:03:00.000000Z",
    );
    entry.id = Some(7);
    entry.release = Some(Release::from_stored("2".to_string()));
    entry.file = Some("up/3_c.sql".to_string());
    entry.checksum = Some("abc123".to_string());
    entry.finished_at = Some("2026-11-22T05:03:00.014000Z".to_string());
    entry.outcome = Outcome::Failed;
    entry.error = Some("no such table: nope".to_string());
    entry.statement = Some(2);
    entry.line = Some(5);
    entry
}

#[test]
fn the_status_table() {
    insta::assert_snapshot!(plain(&status_table(&sample_status(), "sqlite:app.db")), @r"
    database: sqlite:app.db
    current version: 12

    version  name       state    add                              simdrop  drop  notes
          1  init       added    release 1, 2026-11-22T05:03:00Z                 drift
          2  add_email  pending                                                  out of order, no down file
         12  index      failed                                                   failed at line 3

    next: 2 and 12 await add (`migrate up`)
    ");
    let empty = Status {
        current_version: 0,
        versions: Vec::new(),
        repeatables: Vec::new(),
        next: Vec::new(),
    };
    insta::assert_snapshot!(plain(&status_table(&empty, "sqlite:app.db")), @r"
    database: sqlite:app.db
    current version: 0

    next: nothing to do: every version is up to date
    ");
}

/// Every phase reached with long release labels, and a failure sentence:
/// the full table is far wider than 80 columns.
fn wide_status() -> Status {
    let mut status = sample_status();
    let stamp = |at: &str| Some(at.to_string());
    let label = |text: &str| Some(Release::from_stored(text.to_string()));
    let first = &mut status.versions[0];
    first.name = Some("create_users_and_their_addresses".to_string());
    first.state = "dropped".to_string();
    first.releases.simdrop = label("2");
    first.releases.drop = label("3");
    first.times.simdrop = stamp("2026-11-23T06:00:00Z");
    first.times.drop = stamp("2026-11-24T07:30:59Z");
    status.versions[2].failure = Some(failure_status(
        "add failed at line 3 after 2 statement(s) committed: canceling statement due to \
         lock timeout",
    ));
    status
}

#[test]
fn the_status_table_fits_80_columns() {
    let status = wide_status();
    let full = plain(&status_table_within(&status, "sqlite:app.db", None));
    assert!(full.lines().any(|line| line.chars().count() > 80), "{full}");
    let narrow = plain(&status_table_within(&status, "sqlite:app.db", Some(80)));
    for line in narrow.lines().filter(|line| !line.starts_with("next:")) {
        assert!(line.chars().count() <= 80, "{line:?} is wider than 80");
    }
    insta::assert_snapshot!(narrow, @r"
    database: sqlite:app.db
    current version: 12

    version  name               state    add  simdrop  drop  when              notes
          1  create_users_and…  dropped  1    2        3     2026-11-24 07:30  drift
          2  add_email          pending
             out of order, no down file
         12  index              failed
             add failed at line 3 after 2 statement(s) committed: canceling
             statement due to lock timeout

    next: 2 and 12 await add (`migrate up`)
    ");
    // A table that fits stays the full one.
    assert_eq!(
        status_table_within(&sample_status(), "sqlite:app.db", Some(200)),
        status_table(&sample_status(), "sqlite:app.db")
    );
}

#[test]
fn the_status_document_and_its_exit() {
    let status = sample_status();
    let human = super::status(&status, "postgres://u@h/db", false, Form::Human, None);
    assert_eq!(human.exit, Exit::Done);
    assert_eq!(human.human, status_table(&status, "postgres://u@h/db"));
    let document = super::status(&status, "postgres://u@h/db", false, Form::Json, None);
    assert_eq!(document.exit, Exit::Done);
    let json = &document.json;
    assert_eq!(json["database"], "postgres://u@h/db");
    assert_eq!(json["current_version"], 12);
    assert_eq!(
        json["versions"][0]["applied_at"],
        "2026-11-22T05:03:00.123456Z"
    );
    assert_eq!(json["versions"][1]["files"]["rollback_add"], Value::Null);
    assert_eq!(
        json["versions"][2]["failure"],
        json!({
            "operation": "add",
            "statement": 3,
            "line": 3,
            "committed": 2,
            "error": "canceling statement due to lock timeout",
            "outcome_unknown": false,
            "message": "failed at line 3",
        })
    );
    assert_eq!(
        json["next"],
        json!([{ "operation": "add", "versions": [2, 12], "command": "migrate up" }])
    );
    for form in [Form::Json, Form::Human] {
        assert_eq!(
            super::status(&status, "x", true, form, None).exit,
            Exit::Found
        );
    }
}

#[test]
fn the_version_document() {
    let none = version(None);
    assert_eq!(
        (none.json, none.human.as_str()),
        (json!({ "current_version": 0 }), "0\n")
    );
    let twelve = version(Some(v(12)));
    assert_eq!(
        (twelve.json, twelve.human.as_str()),
        (json!({ "current_version": 12 }), "12\n")
    );
}

#[test]
fn operation_lines_and_summaries() {
    let done = [
        report(12, "add", Some("up/12_add_email.sql"), 14),
        report(13, "mark", None, 0),
    ];
    let columns = Columns::of(done.iter().map(|report| {
        (
            report.operation.as_str(),
            report.version,
            report.file.as_deref(),
        )
    }));
    let lines: Vec<String> = done
        .iter()
        .map(|report| operation_line(report, &columns))
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
    add   12  up/12_add_email.sql     14 ms
    mark  13  (no file)                0 ms
    ");
    // Long names and 14-digit versions stay aligned: the columns are
    // measured over the whole run.
    let long = [
        report(
            20260301120000,
            "rollback_simdrop",
            Some("down/2026/20260301120000_backfill_customer_addresses.simdrop.sql"),
            2_400_000,
        ),
        report(7, "add", Some("up/7.sql"), 3),
    ];
    let columns = Columns::of(long.iter().map(|report| {
        (
            report.operation.as_str(),
            report.version,
            report.file.as_deref(),
        )
    }));
    let lines: Vec<String> = long
        .iter()
        .map(|report| operation_line(report, &columns))
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
    rollback_simdrop  20260301120000  down/2026/20260301120000_backfill_customer_addresses.simdrop.sql    40m00s
    add                            7  up/7.sql                                                              3 ms
    ");
    insta::assert_snapshot!(plain(&summary(&done, 20, false)), @"done: 2 operations in 20 ms");
    insta::assert_snapshot!(plain(&summary(&done[..1], 20, true)), @"stopped: 1 operation completed before the error");
    insta::assert_snapshot!(summary(&[], 0, false), @"nothing to do");
}

#[test]
fn a_dry_run_plan() {
    let steps = [
        planned(
            1,
            Some("up/1_a.sql"),
            Some("CREATE TABLE a (id INT);\nCREATE INDEX i ON a (id);\n"),
        ),
        planned(2, None, None),
    ];
    insta::assert_snapshot!(plan(&steps, true).human, @r"
    would add   1  up/1_a.sql
        CREATE TABLE a (id INT);
        CREATE INDEX i ON a (id);
    would add   2  (no file)
    dry run: 2 operation(s), nothing changed
    ");
    assert_eq!(plan(&[], false).human, "nothing to do\n");
    let quiet = json!({ "dry_run": true, "operations": [
        { "version": 1, "operation": "add", "file": "up/1_a.sql" },
        { "version": 2, "operation": "add", "file": null },
    ]});
    assert_eq!(plan(&steps, false).json, quiet);
    let verbose = plan(&steps, true).json;
    assert_eq!(
        verbose["operations"][0]["sql"],
        "CREATE TABLE a (id INT);\nCREATE INDEX i ON a (id);\n"
    );
    assert_eq!(verbose["operations"][1]["sql"], Value::Null);
    assert!(verbose["operations"][1].get("sql").is_some());
}

#[test]
fn a_run_document_with_and_without_its_error() {
    let done = [report(2, "add", Some("up/2_b.sql"), 5)];
    let entry = json!({ "version": 2, "operation": "add", "file": "up/2_b.sql", "ms": 5 });
    assert_eq!(
        json_operations(&done, None),
        json!({ "operations": [entry] })
    );
    let error = failed_migration();
    let expected = json!({
        "operations": [entry],
        "error": { "exit_code": 1, "message": "up/3_c.sql:2: no such table: nope", "file": "up/3_c.sql", "line": 2 },
    });
    assert_eq!(json_operations(&done, Some(&error)), expected);
}

#[test]
fn mark_state_documents() {
    let dry = mark_state(v(3), State::Added, None, true);
    assert_eq!(dry.human, "would mark 3 as added (now pending)\n");
    let entry = json!({ "version": 3, "operation": "mark_added", "file": null });
    assert_eq!(dry.json, json!({ "dry_run": true, "operations": [entry] }));
    let real = mark_state(v(3), State::Pending, Some(State::Added), false);
    assert_eq!(real.human, "marked 3 as pending (was added)\n");
    let entry = json!({ "version": 3, "operation": "mark_pending", "file": null, "ms": 0 });
    assert_eq!(real.json, json!({ "operations": [entry] }));
}

#[test]
fn bootstrap_documents() {
    let preview = bootstrap_preview("CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n");
    assert_eq!(
        preview.human,
        "would write up/1.sql (2 lines) and record version 1 as added\n"
    );
    let entry = json!({ "version": 1, "operation": "mark", "file": "up/1.sql" });
    assert_eq!(
        preview.json,
        json!({ "dry_run": true, "operations": [entry] })
    );
    let done = bootstrap(&[report(1, "mark", Some("up/1.sql"), 9)]);
    assert_eq!(
        done.human,
        "wrote up/1.sql and recorded version 1 as added\n"
    );
    let entry = json!({ "version": 1, "operation": "mark", "file": "up/1.sql", "ms": 9 });
    assert_eq!(
        done.json,
        json!({ "bootstrapped": "up/1.sql", "operations": [entry] })
    );
}

#[test]
fn verify_documents_and_exits() {
    let drift = sample_drift();
    let found = verify(&drift, false, false);
    assert_eq!(
        found.human,
        "drift: up/1_init.sql changed since it ran (version 1)\n"
    );
    let change = json!({ "version": 1, "file": "up/1_init.sql", "change": "changed" });
    assert_eq!(found.json, json!({ "drift": [change], "accepted": false }));
    assert_eq!(found.exit, Exit::Found);
    let preview = verify(&drift, true, true);
    insta::assert_snapshot!(preview.human, @r"
    would accept: up/1_init.sql changed since it ran (version 1)
    dry run: nothing changed
    ");
    assert_eq!(
        preview.json,
        json!({ "drift": [change], "accepted": false, "dry_run": true })
    );
    assert_eq!(preview.exit, Exit::Done);
    let accepted = verify(&drift, true, false);
    assert_eq!(
        accepted.json,
        json!({ "drift": [change], "accepted": true })
    );
    assert_eq!(accepted.exit, Exit::Done);
    let clean = verify(&[], false, false);
    assert_eq!(clean.human, "ok: every applied file matches its checksum\n");
    assert_eq!(
        (clean.json, clean.exit),
        (json!({ "drift": [], "accepted": false }), Exit::Done)
    );
}

#[test]
fn the_log_table_and_one_entry() {
    let entries = [sample_entry()];
    insta::assert_snapshot!(plain(&log(&entries).human), @r"
    id  started at            version  operation  release  outcome  file
     7  2026-11-22T05:03:00Z        3  add        2        failed   up/3_c.sql
    ");
    assert_eq!(log(&[]).human, "no log entries\n");
    insta::assert_snapshot!(plain(&log_entry(&entries[0]).human), @r"
    log entry 7
      version:     3
      operation:   add
      release:     2
      file:        up/3_c.sql
      checksum:    abc123
      started at:  2026-11-22T05:03:00.000000Z
      finished at: 2026-11-22T05:03:00.014000Z, after 14 ms
      outcome:     failed
      statement:   2 (line 5)
      error:       no such table: nope
    ");
    let expected = json!({
        "id": 7, "version": 3, "operation": "add", "release": "2", "file": "up/3_c.sql",
        "checksum": "abc123", "started_at": "2026-11-22T05:03:00.000000Z",
        "finished_at": "2026-11-22T05:03:00.014000Z", "ms": 14, "outcome": "failed",
        "error": "no such table: nope", "statement": 2, "line": 5,
    });
    assert_eq!(log_entry(&entries[0]).json, json!({ "entry": expected }));
    assert_eq!(log(&entries).json, json!({ "entries": [expected] }));
    assert_eq!(log(&[]).json, json!({ "entries": [] }));
}

#[test]
fn documents_of_files_and_texts() {
    let made = crate::scaffold::Created {
        version: v(5),
        files: vec!["up/5_x.sql".to_string(), "down/5_x.sql".to_string()],
    };
    let document = created(&made);
    assert_eq!(document.human, "created up/5_x.sql\ncreated down/5_x.sql\n");
    assert_eq!(
        document.json,
        json!({ "version": 5, "created": ["up/5_x.sql", "down/5_x.sql"] })
    );
    let dump = "CREATE TABLE a (id INT);\n";
    assert_eq!(schema(dump).json, json!({ "schema": dump }));
    assert_eq!(schema(dump).human, dump);
    let written = schema_written(Path::new("schema/schema.sql"));
    assert_eq!(written.human, "wrote the schema to schema/schema.sql\n");
    assert_eq!(written.json, json!({ "output": "schema/schema.sql" }));
    let load = loaded(4);
    assert_eq!(load.human, "loaded schema/schema.sql: 4 statement(s)\n");
    assert_eq!(
        load.json,
        json!({ "loaded": "schema/schema.sql", "statements": 4 })
    );
    let script = completions("fish", "complete -c migrate\n");
    assert_eq!(
        script.json,
        json!({ "shell": "fish", "script": "complete -c migrate\n" })
    );
    assert_eq!(
        man(".TH migrate 1\n").json,
        json!({ "man": ".TH migrate 1\n" })
    );
}

#[test]
fn error_lines_and_the_error_object() {
    let error = folder_error();
    let lines: Vec<String> = error
        .lines()
        .iter()
        .map(|line| plain(&error_line(line)))
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
    error: up/1.simdorp.sql: not a migration file name
    error: up/2.sql:4: unterminated string
    ");
    let object = json!({
        "exit_code": 2,
        "message": "up/1.simdorp.sql: not a migration file name\nup/2.sql:4: unterminated string",
        "file": "up/1.simdorp.sql",
        "line": null,
    });
    assert_eq!(json_error(&error), object);
    let usage = json_arguments_error(
        "error: unrecognized subcommand 'x'\n\nUsage: …",
        Exit::Usage,
    );
    let expected = json!({ "error": {
        "exit_code": 2, "message": "unrecognized subcommand 'x'", "file": null, "line": null
    }});
    assert_eq!(usage, expected);
}

/// What a presenter wrote: stdout, stderr and the exit.
fn present(
    display: OutputStyle,
    act: impl FnOnce(&mut Presenter) -> io::Result<Exit>,
) -> (String, String, Exit) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = act(&mut Presenter::new(&mut out, &mut err, display));
    let text = |bytes: Vec<u8>| plain(&String::from_utf8_lossy(&bytes));
    (
        text(out),
        text(err),
        exit.unwrap_or_else(|error| Exit::of_write(&error)),
    )
}

const HUMAN: OutputStyle = OutputStyle {
    json: false,
    quiet: false,
    verbose: 0,
    width: None,
    progress_every: None,
};
const JSON: OutputStyle = OutputStyle {
    json: true,
    quiet: false,
    verbose: 0,
    width: None,
    progress_every: None,
};
const QUIET: OutputStyle = OutputStyle {
    json: false,
    quiet: true,
    verbose: 0,
    width: None,
    progress_every: None,
};

#[test]
fn the_presenter_writes_one_of_the_two() {
    let document = || Ok(version(Some(v(4))));
    let shown = present(HUMAN, |p| p.show(document(), Empty::Nothing));
    assert_eq!(shown, ("4\n".to_string(), String::new(), Exit::Done));
    let shown = present(JSON, |p| p.show(document(), Empty::Nothing));
    assert_eq!(
        shown,
        (
            "{\"current_version\":4}\n".to_string(),
            String::new(),
            Exit::Done
        )
    );
    let shown = present(QUIET, |p| p.show(document(), Empty::Nothing));
    assert_eq!(shown, (String::new(), String::new(), Exit::Done));
    let check = || Ok(verify(&sample_drift(), false, false));
    assert_eq!(
        present(QUIET, |p| p.show(check(), Empty::Drift)).2,
        Exit::Found
    );
}

#[test]
fn a_failure_prints_the_empty_document_with_its_error() {
    let database = "sqlite:app.db";
    let (out, err, exit) = present(JSON, |p| {
        p.show(Err(folder_error()), Empty::Status { database })
    });
    let document: Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(document["database"], database);
    assert_eq!(document["error"], json_error(&folder_error()));
    assert_eq!(err.lines().count(), 2, "{err}");
    assert_eq!(exit, Exit::Usage);
    let (out, err, exit) = present(HUMAN, |p| p.show(Err(failed_migration()), Empty::Entries));
    assert_eq!(out, "");
    assert_eq!(err, "error: up/3_c.sql:2: no such table: nope\n");
    assert_eq!(exit, Exit::Failed);
    let (out, _, _) = present(JSON, |p| p.error(&Error::Usage("bad".to_string())));
    let document: Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(
        document.as_object().map(|object| object.len()),
        Some(1),
        "{out}"
    );
    let empties = [
        Empty::Operations,
        Empty::Drift,
        Empty::Entry,
        Empty::Created,
        Empty::Man,
    ];
    let keys: Vec<Value> = empties.iter().map(|empty| empty.document()).collect();
    assert_eq!(
        keys,
        [
            json!({"operations": []}),
            json!({"drift": []}),
            json!({"entry": null}),
            json!({"created": []}),
            json!({"man": null})
        ]
    );
}

#[test]
fn a_run_prints_lines_then_its_end() {
    let done = [report(1, "add", Some("up/1_a.sql"), 3)];
    let (out, err, exit) = present(HUMAN, |p| {
        p.progress(Progress::Done(&done[0]));
        p.ran(&done, Some(&failed_migration()), 10)
    });
    insta::assert_snapshot!(out, @r"
    add   1  up/1_a.sql      3 ms
    stopped: 1 operation completed before the error
    ");
    assert_eq!(
        (err.as_str(), exit),
        ("error: up/3_c.sql:2: no such table: nope\n", Exit::Failed)
    );
    // A run that failed before doing anything prints only the error.
    let (out, _, _) = present(HUMAN, |p| p.ran(&[], Some(&failed_migration()), 10));
    assert_eq!(out, "");
    let (out, _, exit) = present(JSON, |p| {
        p.progress(Progress::Done(&done[0]));
        p.ran(&done, None, 10)
    });
    assert_eq!(
        serde_json::from_str::<Value>(&out).ok(),
        Some(json_operations(&done, None))
    );
    assert_eq!(exit, Exit::Done);
}

/// A stdout whose reader has gone, as in `migrate log | head -1`.
struct ClosedPipe;

impl io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_pipe_ends_as_done() {
    let (mut out, mut err) = (ClosedPipe, Vec::new());
    let mut presenter = Presenter::new(&mut out, &mut err, HUMAN);
    // Lines printed during a run never stop it.
    presenter.progress(Progress::Done(&report(1, "add", None, 1)));
    let result = presenter.show(Ok(version(None)), Empty::Nothing);
    let error = result.err().map(|error| Exit::of_write(&error));
    assert_eq!(error, Some(Exit::Done));
}
