//! `status`'s next step, case by case: what the planner would run, or what
//! blocks it and the fixes the planner accepts. Human lines are snapshots;
//! JSON is compared as values. The folders and rows are the planner tests'
//! fixtures.

use serde_json::json;

use super::*;
use crate::add_only::effective_state;
use crate::drift::DriftKind;
use crate::plan::tests::{changed, db, failure, files, v, with_failure};

/// Status as the migrator builds it: on the state read through `effective_state`.
fn report(catalogue: &Catalogue, db: &DbState) -> Status {
    status(
        catalogue,
        &effective_state(catalogue, db.clone()),
        &Default::default(),
    )
}

fn lines(status: &Status) -> String {
    let text = crate::output::status::status_table(status, "[url]");
    text.lines()
        .filter(|line| line.starts_with("next: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Every command `status` advises plans without a refusal, and every
/// `Run` entry is exactly what its command would do.
fn assert_advice_plans(catalogue: &Catalogue, db: &DbState, status: &Status) {
    let db = effective_state(catalogue, db.clone());
    for next in &status.next {
        if let Next::Run {
            versions, command, ..
        } = next
        {
            let command = match command.as_str() {
                "migrate up" => Command::Up(None),
                "migrate simdrop" => Command::Simdrop(None),
                _ => Command::Drop(None),
            };
            let planned = plan(catalogue, &db, command, &Options::default()).unwrap();
            let mut planned: Vec<Version> = planned.steps.iter().map(|step| step.version).collect();
            planned.dedup();
            assert_eq!(&planned, versions);
        }
    }
}

#[test]
fn a_pending_version_below_the_current_one_is_blocked_with_its_flag() {
    let cat = files(&["up/1.sql", "up/2.sql", "up/3.sql", "4"]);
    let state = db(
        &cat,
        &[(1, &[("1", 1)]), (3, &[("2", 2)]), (4, &[("2", 3)])],
    );
    let status = report(&cat, &state);
    assert_advice_plans(&cat, &state, &status);
    let flags: Vec<(u128, bool)> = status
        .versions
        .iter()
        .map(|row| (row.version.get(), row.out_of_order))
        .collect();
    assert_eq!(flags, [(1, false), (2, true), (3, false), (4, false)]);
    assert!(status.has_work());
    assert_eq!(
        serde_json::to_value(&status.next).unwrap(),
        json!([
            {
                "blocked": "out_of_order",
                "message": "pending version 2 is lower than the current version 4 (out of order)",
                "versions": [2],
                "fixes": [{ "does": "apply it with", "command": "migrate up --allow-out-of-order" }],
            },
            { "operation": "simdrop", "versions": [4], "command": "migrate simdrop" },
        ])
    );
    insta::assert_snapshot!(lines(&status), @r"
    next: blocked: pending version 2 is lower than the current version 4 (out of order); apply it with `migrate up --allow-out-of-order`
    next: 4 awaits simdrop (`migrate simdrop`)
    ");
}

#[test]
fn drift_blocks_every_command_and_names_verify_accept() {
    let folder: &[&str] = &["up/1.sql", "up/2.sql"];
    let state = db(&files(folder), &[(1, &[("1", 1)])]);
    let edited = changed(folder, &["up/1.sql: SELECT 2;\n"]);
    let status = report(&edited, &state);
    assert!(status.has_work());
    assert_eq!(status.next.len(), 1, "drift alone, not `2 awaits add`");
    assert_eq!(
        serde_json::to_value(&status.next).unwrap(),
        json!([{
            "blocked": "drift",
            "message": "applied files changed on disk: up/1.sql changed since it ran (version 1)",
            "versions": [1],
            "fixes": [{ "does": "restore them, or record them with", "command": "migrate verify --accept" }],
        }])
    );
    insta::assert_snapshot!(lines(&status), @"next: blocked: applied files changed on disk: up/1.sql changed since it ran (version 1); restore them, or record them with `migrate verify --accept`");
    assert!(
        matches!(&status.next[0], Next::Blocked { refusal: Refusal::Drift(found), .. } if found[0].kind == DriftKind::Changed)
    );
}

#[test]
fn a_failed_version_is_blocked_with_resume_and_mark() {
    let cat = files(&["up/1.sql", "up/2.sql", "up/3.sql"]);
    let state = with_failure(
        db(&cat, &[(1, &[("1", 1)])]),
        2,
        &failure(Operation::Add, "2", true),
    );
    let status = report(&cat, &state);
    assert!(status.has_work());
    assert_eq!(
        serde_json::to_value(&status.next).unwrap(),
        json!([{
            "blocked": "failed",
            "message": "version 2 failed during add at line 3 after 1 statement(s) committed: boom",
            "versions": [2],
            "fixes": [
                { "does": "fix the file and run", "command": "migrate up --resume" },
                { "does": "record the true state with", "command": "migrate mark --only 2 --state STATE" },
            ],
        }])
    );
    insta::assert_snapshot!(lines(&status), @"next: blocked: version 2 failed during add at line 3 after 1 statement(s) committed: boom; fix the file and run `migrate up --resume`, or record the true state with `migrate mark --only 2 --state STATE`");

    // With drift too, `up --resume` alone would refuse: the fixes say --allow-drift.
    let edited = changed(
        &["up/1.sql", "up/2.sql", "up/3.sql"],
        &["up/1.sql: SELECT 2;\n"],
    );
    let status = report(&edited, &state);
    insta::assert_snapshot!(lines(&status), @"next: blocked: version 2 failed during add at line 3 after 1 statement(s) committed: boom; fix the file and run `migrate up --resume --allow-drift`, or record the true state with `migrate mark --only 2 --state STATE --allow-drift`");
}

#[test]
fn nothing_to_do_when_add_only_versions_are_added_and_the_rest_dropped() {
    // 1 and 2 add-only, 3 through every phase; 2's row was swept to dropped
    // by an older migrate and reads as added.
    let cat = files(&["up/1.sql", "up/2.sql", "down/2.sql", "3"]);
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2), ("2", 4), ("3", 6)]), (3, &[("1", 3), ("2", 5), ("3", 7)])]);
    let status = report(&cat, &state);
    let states: Vec<&str> = status
        .versions
        .iter()
        .map(|row| row.state.as_str())
        .collect();
    assert_eq!(states, ["added", "added", "dropped"]);
    let two = &status.versions[1];
    assert_eq!(
        two.release.as_ref().map(ToString::to_string).as_deref(),
        Some("1")
    );
    assert_eq!((&two.releases.simdrop, &two.releases.drop), (&None, &None));
    assert!(!status.has_work());
    assert!(status.next.is_empty());
    assert_eq!(serde_json::to_value(&status.next).unwrap(), json!([]));
    insta::assert_snapshot!(lines(&status), @"next: nothing to do: every version is up to date");
}

#[test]
fn versions_awaiting_simdrop_and_drop_are_advised_but_are_not_check_work() {
    let cat = files(&["1", "2", "up/3.sql", "up/4.sql", "up/4.drop.sql"]);
    #[rustfmt::skip]
    let state = db(&cat, &[(1, &[("1", 1), ("2", 5)]), (2, &[("1", 2)]), (3, &[("1", 3)]), (4, &[("1", 4)])]);
    let status = report(&cat, &state);
    assert_advice_plans(&cat, &state, &status);
    assert!(!status.has_work());
    assert_eq!(
        serde_json::to_value(&status.next).unwrap(),
        json!([
            { "operation": "simdrop", "versions": [2, 4], "command": "migrate simdrop" },
            { "operation": "drop", "versions": [1], "command": "migrate drop" },
        ])
    );
    insta::assert_snapshot!(lines(&status), @r"
    next: 2 and 4 await simdrop (`migrate simdrop`)
    next: 1 awaits drop (`migrate drop`)
    ");

    // A pending version is work for --check.
    let more = changed(
        &["1", "2", "up/3.sql", "up/4.sql", "up/4.drop.sql"],
        &["up/5.sql"],
    );
    let status = report(&more, &state);
    assert!(status.has_work());
    assert_advice_plans(&more, &state, &status);
    assert_eq!(
        lines(&status).lines().next(),
        Some("next: 5 awaits add (`migrate up`)")
    );
    assert_eq!(status.versions[0].version, v(1));
}

#[test]
fn an_empty_status_finds_nothing_with_or_without_check() {
    let status = Status {
        current_version: 0,
        versions: Vec::new(),
        repeatables: Vec::new(),
        next: Vec::new(),
    };
    assert_eq!(status.exit(true), Exit::Done);
    assert_eq!(status.exit(false), Exit::Done);
}

/// Repeatable files that are not current are work for `--check`, and
/// their next step comes after the versions `up` adds; current ones are
/// listed and are no work.
#[test]
fn repeatable_files_that_changed_await_up_after_its_versions() {
    use crate::repeatable::{LastRun, RepeatableState, Runs};
    use crate::scan::{MigrationFile, Script};
    let repeatable = |path: &str, text: &str| MigrationFile {
        path: path.to_string(),
        script: Script::parse(text.as_bytes()).unwrap(),
    };
    let cat = files(&["up/1.sql", "up/2.sql"])
        .with_repeatables([
            repeatable("repeatable/views.sql", "SELECT 1;"),
            repeatable("repeatable/grants.sql", "SELECT 2;"),
        ])
        .unwrap();
    let grants = cat.repeatables()[0].file.script.checksum.clone();
    let mut runs = Runs::new();
    runs.insert(
        "repeatable/grants.sql".to_string(),
        LastRun {
            checksum: grants,
            at: "2026-12-04T10:00:00Z".to_string(),
        },
    );
    let one_pending = db(&cat, &[(1, &[("1", 1)])]);
    let status = status(&cat, &one_pending, &runs);
    let states: Vec<(&str, RepeatableState)> = status
        .repeatables
        .iter()
        .map(|row| (row.name.as_str(), row.state))
        .collect();
    assert_eq!(
        states,
        [
            ("grants", RepeatableState::Current),
            ("views", RepeatableState::New)
        ]
    );
    insta::assert_snapshot!(lines(&status), @r"
    next: 2 awaits add (`migrate up`)
    next: repeatable/views.sql awaits its run (`migrate up`)
    ");
    assert!(status.has_work());

    let all_applied = db(&cat, &[(1, &[("1", 1)]), (2, &[("1", 2)])]);
    let status = super::status(&cat, &all_applied, &runs);
    assert_eq!(
        serde_json::to_value(&status.next).unwrap(),
        json!([{"operation": "repeatable", "files": ["repeatable/views.sql"], "command": "migrate up"}])
    );
    assert!(status.has_work());
    runs.insert(
        "repeatable/views.sql".to_string(),
        LastRun {
            checksum: cat.repeatables()[1].file.script.checksum.clone(),
            at: "2026-12-04T10:00:00Z".to_string(),
        },
    );
    let status = super::status(&cat, &all_applied, &runs);
    assert!(status.next.is_empty() && !status.has_work());
}
