//! The phase state machine of SPEC section 2 through the real binary: every
//! (state, operation) pair, each refusal naming the command that unblocks
//! it, `ff` running version by version, and `--only` on a version out of
//! order.

use serde_json::Value;

use crate::support::{Project, TestDb, for_each_backend, migrate};

/// One version with every phase file: a table that is renamed, renamed back
/// and finally dropped.
fn one_version() -> Project {
    Project::new()
        .up(
            1,
            "ledger",
            "CREATE TABLE ledger (id INTEGER PRIMARY KEY);\n",
        )
        .down(1, "ledger", "DROP TABLE ledger;\n")
        .simdrop(1, "ALTER TABLE ledger RENAME TO ledger_hidden;\n")
        .rollback_simdrop(1, "ALTER TABLE ledger_hidden RENAME TO ledger;\n")
        .drop(1, "DROP TABLE ledger_hidden;\n")
}

/// The commands that bring a new database to each state.
fn reach(state: &str) -> &'static [&'static str] {
    match state {
        "pending" => &[],
        "added" => &["up"],
        "simdropped" => &["up", "simdrop"],
        "dropped" => &["up", "simdrop", "drop"],
        other => panic!("no such state {other}"),
    }
}

fn state_of(project: &Project, db: &TestDb, version: u64) -> String {
    let status = migrate(project, db, &["status", "--json"]).json();
    status["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|entry| entry["version"] == version)
        .and_then(|entry| entry["state"].as_str())
        .unwrap_or("pending")
        .to_string()
}

/// (from, command, exit code, state after, what a refusal must say)
const TABLE: [(&str, &str, i32, &str, &str); 20] = [
    ("pending", "up", 0, "added", ""),
    ("pending", "down", 5, "pending", "version 1 is not applied"),
    (
        "pending",
        "simdrop",
        5,
        "pending",
        "run `migrate up --only 1` first",
    ),
    (
        "pending",
        "rollback_simdrop",
        5,
        "pending",
        "version 1 is not applied",
    ),
    (
        "pending",
        "drop",
        5,
        "pending",
        "run `migrate up --only 1` first",
    ),
    ("added", "up", 0, "added", ""),
    ("added", "down", 0, "pending", ""),
    ("added", "simdrop", 0, "simdropped", ""),
    (
        "added",
        "rollback_simdrop",
        5,
        "added",
        "version 1 is not simdropped",
    ),
    (
        "added",
        "drop",
        5,
        "added",
        "run `migrate simdrop --only 1` first",
    ),
    ("simdropped", "up", 0, "simdropped", ""),
    (
        "simdropped",
        "down",
        5,
        "simdropped",
        "run `migrate rollback_simdrop --only 1` first",
    ),
    ("simdropped", "simdrop", 0, "simdropped", ""),
    ("simdropped", "rollback_simdrop", 0, "added", ""),
    ("simdropped", "drop", 0, "dropped", ""),
    ("dropped", "up", 0, "dropped", ""),
    ("dropped", "down", 5, "dropped", "drop can never be undone"),
    ("dropped", "simdrop", 0, "dropped", ""),
    (
        "dropped",
        "rollback_simdrop",
        5,
        "dropped",
        "drop can never be undone",
    ),
    ("dropped", "drop", 0, "dropped", ""),
];

#[test]
fn every_state_and_operation_through_the_binary() {
    for_each_backend(|backend_db| {
        for (from, command, code, after, message) in TABLE {
            // A fresh database per case: each starts from a known state.
            let db = TestDb::new(backend_db.backend());
            let project = one_version();
            for step in reach(from) {
                migrate(&project, &db, &[step]).success();
            }
            assert_eq!(state_of(&project, &db, 1), from);
            let run = migrate(&project, &db, &[command, "--only", "1"]);
            assert_eq!(run.code, code, "{from} + {command}\n{run}");
            assert_eq!(state_of(&project, &db, 1), after, "{from} + {command}");
            if code == 5 {
                assert!(run.stderr.contains(message), "{from} + {command}: {run}");
                assert!(
                    run.stderr.contains("version 1"),
                    "{from} + {command}: {run}"
                );
            }
        }
    });
}

#[test]
fn ff_runs_version_by_version() {
    for_each_backend(|db| {
        // Version 3's add needs version 2's drop to have run: it creates the
        // table that version 2's simdrop renames and its drop removes. Run
        // phase by phase (every add first), version 2's simdrop would fail.
        let project = Project::new()
            .up(1, "base", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n")
            .up(
                2,
                "legacy",
                "CREATE TABLE legacy (id INTEGER PRIMARY KEY);\n",
            )
            .simdrop(2, "ALTER TABLE legacy RENAME TO legacy_hidden;\n")
            .drop(2, "DROP TABLE legacy_hidden;\n")
            .up(
                3,
                "reuse",
                "CREATE TABLE legacy_hidden (id INTEGER PRIMARY KEY);\n",
            );
        let run = migrate(&project, db, &["ff", "--json"]);
        run.success();
        let operations: Vec<(u64, String)> = run.json()["operations"]
            .as_array()
            .expect("operations")
            .iter()
            .map(|operation| {
                (
                    operation["version"].as_u64().expect("version"),
                    operation["operation"]
                        .as_str()
                        .expect("operation")
                        .to_string(),
                )
            })
            .collect();
        // 1 and 3 are add-only: their life ends at added.
        let expected: Vec<(u64, String)> = [
            (1, "add"),
            (2, "add"),
            (2, "simdrop"),
            (2, "drop"),
            (3, "add"),
        ]
        .into_iter()
        .map(|(version, operation)| (version, operation.to_string()))
        .collect();
        assert_eq!(operations, expected);
        assert!(db.table_exists("legacy_hidden") && !db.table_exists("legacy"));
    });
}

#[test]
fn only_applies_one_version_out_of_order_when_allowed() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
            .up(2, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
            .up(3, "c", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
        migrate(&project, db, &["up", "--only", "1"]).success();
        migrate(&project, db, &["up", "--only", "3"]).success();
        let refused = migrate(&project, db, &["up", "--only", "2"]);
        refused.expect(5);
        assert!(refused.stderr.contains("out of order"), "{refused}");
        assert!(refused.stderr.contains('2'), "{refused}");
        assert!(!db.table_exists("b"));
        migrate(&project, db, &["up", "--only", "2", "--allow-out-of-order"]).success();
        assert!(db.table_exists("b"));
        assert_eq!(state_of(&project, db, 2), "added");
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert!(
            status["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .all(|entry| entry["out_of_order"] == false)
        );
    });
}

#[test]
fn a_missing_phase_file_still_moves_the_version_on() {
    for_each_backend(|db| {
        // Version 2 only cleans up what version 1 deprecated: no add file.
        let project = Project::new()
            .up(1, "t", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
            .simdrop(2, "ALTER TABLE t RENAME TO t_hidden;\n")
            .drop(2, "DROP TABLE t_hidden;\n");
        let run = migrate(&project, db, &["up", "--json"]);
        run.success();
        let operations = run.json()["operations"].clone();
        assert_eq!(operations[1]["version"], 2);
        assert_eq!(operations[1]["file"], Value::Null);
        migrate(&project, db, &["simdrop"]).success();
        assert!(db.table_exists("t_hidden"));
        migrate(&project, db, &["drop"]).success();
        assert!(!db.table_exists("t_hidden"));
        assert_eq!(state_of(&project, db, 2), "dropped");
    });
}

#[test]
fn status_names_the_next_step_of_the_deployment() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(12, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
            .simdrop(12, "ALTER TABLE a RENAME TO a_hidden;\n")
            .up(14, "b", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n")
            .simdrop(14, "ALTER TABLE b RENAME TO b_hidden;\n")
            .up(15, "c", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n");
        migrate(&project, db, &["up", "14"]).success();
        let status = migrate(&project, db, &["status"]);
        assert!(
            status.stdout.contains("12 and 14 await simdrop"),
            "{status}"
        );
        assert!(status.stdout.contains("15 awaits add"), "{status}");
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop", "12"]).success();
        let status = migrate(&project, db, &["status"]);
        assert!(status.stdout.contains("12 awaits drop"), "{status}");
        assert!(status.stdout.contains("14 awaits simdrop"), "{status}");
    });
}

#[test]
fn rollback_simdrop_after_drop_refuses_instead_of_reaching_an_older_release() {
    for_each_backend(|db| {
        // Version 4 is simdropped in release 2; version 5 simdropped in
        // release 3 and then dropped. Skipping 5 would quietly revert release 2.
        let project = Project::new()
            .up(4, "d", "CREATE TABLE d (id INTEGER PRIMARY KEY);\n")
            .down(4, "d", "DROP TABLE d;\n")
            .simdrop(4, "ALTER TABLE d RENAME TO d_hidden;\n")
            .rollback_simdrop(4, "ALTER TABLE d_hidden RENAME TO d;\n")
            .up(5, "e", "CREATE TABLE e (id INTEGER PRIMARY KEY);\n")
            .simdrop(5, "ALTER TABLE e RENAME TO e_hidden;\n")
            .rollback_simdrop(5, "ALTER TABLE e_hidden RENAME TO e;\n")
            .drop(5, "DROP TABLE e_hidden;\n");
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop", "4"]).success();
        migrate(&project, db, &["simdrop"]).success();
        migrate(&project, db, &["drop", "--only", "5"]).success();
        let refused = migrate(&project, db, &["rollback_simdrop"]);
        refused.expect(5);
        assert!(
            refused.stderr.contains("drop can never be undone"),
            "{refused}"
        );
        assert_eq!(state_of(&project, db, 4), "simdropped");
        migrate(&project, db, &["rollback_simdrop", "--only", "4"]).success();
        assert_eq!(state_of(&project, db, 4), "added");
    });
}
