//! `migrate log [ID]`: the operation history from `db_version_log`, newest
//! first, with `--errors`, `--limit` and `--version` applied by the
//! database; one entry in full after a failure; JSON; read-only.

use serde_json::Value;

use crate::support::{Project, TestDb, for_each_backend, mask_run, migrate};

/// Versions 1 and 2 apply; 3 fails on its second statement, at line 4.
/// Every file stays inside a transaction on every backend (no DDL in 3).
fn history_project() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE log_a (id INTEGER PRIMARY KEY);\n")
        .down(1, "a", "DROP TABLE log_a;\n")
        .up(2, "b", "CREATE TABLE log_b (id INTEGER PRIMARY KEY);\n")
        .up(
            3,
            "broken",
            "INSERT INTO log_a (id) VALUES (1);\n\
             \n\
             -- the next statement fails\n\
             INSERT INTO missing_table (id) VALUES (1);\n",
        )
}

/// `(id, version, operation, outcome)` of each entry of `log --json`.
#[track_caller]
fn entries(document: &Value) -> Vec<(i64, u64, String, String)> {
    document["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("no entries array in {document}"))
        .iter()
        .map(|entry| {
            (
                entry["id"].as_i64().expect("a numeric id"),
                entry["version"].as_u64().expect("a numeric version"),
                entry["operation"].as_str().expect("an operation").into(),
                entry["outcome"].as_str().expect("an outcome").into(),
            )
        })
        .collect()
}

/// Runs the project to its failure: two entries `ok`, then one `failed`.
fn run_to_failure(project: &Project, db: &TestDb) {
    migrate(project, db, &["up"]).expect(1);
}

#[test]
fn log_lists_every_operation_newest_first() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        let document = migrate(&project, db, &["log", "--json"]).success().json();
        let found = entries(&document);
        let summary: Vec<(u64, &str, &str)> = found
            .iter()
            .map(|(_, version, operation, outcome)| {
                (*version, operation.as_str(), outcome.as_str())
            })
            .collect();
        assert_eq!(
            summary,
            [(3, "add", "failed"), (2, "add", "ok"), (1, "add", "ok")],
            "{document}"
        );
        assert!(
            found.windows(2).all(|pair| pair[0].0 > pair[1].0),
            "ids do not descend: {document}"
        );
        let first = &document["entries"][0];
        assert_eq!(first["file"], "up/3_broken.sql", "{document}");
        assert_eq!(first["release"], "1", "{document}");
        assert!(first["started_at"].as_str().unwrap().ends_with('Z'));

        let run = migrate(&project, db, &["log"]);
        run.success();
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 4, "a header and three entries\n{run}");
        assert!(lines[0].starts_with("id"), "{run}");
        for (line, version) in lines[1..].iter().zip(["3", "2", "1"]) {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[2], version, "{run}");
        }
        // Aligned: every line's file column starts at the same place.
        let column = lines[0].find("file").expect("a file column");
        for line in &lines[1..] {
            assert_eq!(&line[column..column + 3], "up/", "{run}");
        }
    });
}

#[test]
fn errors_limit_and_version_filter_the_history() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        let versions_of = |args: &[&str]| -> Vec<u64> {
            let mut args = args.to_vec();
            args.push("--json");
            let document = migrate(&project, db, &args).success().json();
            entries(&document)
                .into_iter()
                .map(|(_, version, _, _)| version)
                .collect()
        };
        assert_eq!(versions_of(&["log", "--errors"]), [3]);
        assert_eq!(versions_of(&["log", "--limit", "2"]), [3, 2]);
        assert_eq!(versions_of(&["log", "--limit", "1"]), [3]);
        assert_eq!(versions_of(&["log", "--version", "2"]), [2]);
        assert_eq!(versions_of(&["log", "--version", "02"]), [2]);
        assert!(versions_of(&["log", "--version", "2", "--errors"]).is_empty());
        assert!(versions_of(&["log", "--version", "9"]).is_empty());

        // A rollback is logged too, and --version keeps every entry of its version.
        migrate(&project, db, &["down", "--only", "1"]).success();
        let document = migrate(&project, db, &["log", "--version", "1", "--json"])
            .success()
            .json();
        let operations: Vec<String> = entries(&document)
            .into_iter()
            .map(|(_, _, operation, _)| operation)
            .collect();
        assert_eq!(operations, ["rollback_add", "add"], "{document}");

        let run = migrate(&project, db, &["log", "--errors"]);
        run.success();
        assert_eq!(
            run.stdout.lines().count(),
            2,
            "a header and one entry\n{run}"
        );
        assert!(run.stdout.contains("failed"), "{run}");
    });
}

#[test]
fn log_id_prints_one_entry_in_full_with_its_error() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        let listed = migrate(&project, db, &["log", "--errors", "--json"])
            .success()
            .json();
        let id = entries(&listed)[0].0.to_string();

        let document = migrate(&project, db, &["log", &id, "--json"])
            .success()
            .json();
        let entry = &document["entry"];
        assert_eq!(entry["version"], 3, "{document}");
        assert_eq!(entry["operation"], "add", "{document}");
        assert_eq!(entry["outcome"], "failed", "{document}");
        assert_eq!(entry["file"], "up/3_broken.sql", "{document}");
        assert_eq!(entry["statement"], 2, "{document}");
        assert_eq!(entry["line"], 4, "{document}");
        assert!(
            entry["error"].as_str().unwrap().contains("missing_table"),
            "{document}"
        );
        assert!(entry["finished_at"].is_string(), "{document}");

        let run = migrate(&project, db, &["log", &id]);
        run.success();
        assert!(
            run.stdout.starts_with(&format!("log entry {id}\n")),
            "{run}"
        );
        for expected in [
            "version:     3",
            "operation:   add",
            "file:        up/3_broken.sql",
            "outcome:     failed",
            "statement:   2 (line 4)",
            "missing_table",
        ] {
            assert!(run.stdout.contains(expected), "no `{expected}`\n{run}");
        }
        assert!(run.stdout.contains("error:"), "{run}");
    });
}

/// The log table's rows read back through the same column list on every
/// backend: every value the tool writes survives, and a value it does not
/// write (an outcome or operation from a later version, a hand edit) is
/// named, not shown as something else.
#[test]
fn a_stored_value_the_tool_does_not_write_is_named() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        migrate(&project, db, &["mark", "--only", "3", "--state", "added"]).success();
        let document = migrate(&project, db, &["log", "--json"]).success().json();
        let operations: Vec<(u64, String, String)> = entries(&document)
            .into_iter()
            .map(|(_, version, operation, outcome)| (version, operation, outcome))
            .collect();
        assert_eq!(
            operations[0],
            (3, "mark_added".to_string(), "ok".to_string()),
            "{document}"
        );

        db.execute("UPDATE db_version_log SET outcome = 'exploded' WHERE operation = 'mark_added'");
        let run = migrate(&project, db, &["log"]);
        run.expect(1);
        assert!(run.stderr.contains("`exploded` is not an outcome"), "{run}");
        db.execute("UPDATE db_version_log SET outcome = 'ok', operation = 'squash' WHERE operation = 'mark_added'");
        let run = migrate(&project, db, &["log", "--version", "3"]);
        run.expect(1);
        assert!(
            run.stderr.contains("`squash` is not a logged operation"),
            "{run}"
        );
    });
}

#[test]
fn log_entry_snapshot() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        let run = migrate(&project, db, &["log", "3"]);
        run.success();
        // The database's own message differs: one entry snapshot per backend.
        insta::with_settings!({ snapshot_suffix => db.backend().name() }, {
            insta::assert_snapshot!("log_entry_snapshot", mask_run(&run.stdout, &project, db));
        });
        let run = migrate(&project, db, &["log"]);
        run.success();
        insta::assert_snapshot!("log_table", mask_run(&run.stdout, &project, db));
    });
}

#[test]
fn an_unknown_id_is_a_usage_error_with_a_json_error() {
    for_each_backend(|db| {
        let project = history_project();
        run_to_failure(&project, db);
        let run = migrate(&project, db, &["log", "999", "--json"]);
        run.expect(2);
        let document = run.json();
        assert!(document["entry"].is_null(), "{document}");
        assert_eq!(document["error"]["exit_code"], 2, "{document}");
        assert!(run.stderr.starts_with("error: no log entry 999"), "{run}");
    });
}

#[test]
fn bad_arguments_are_refused() {
    for_each_backend(bad_arguments_are_refused_on);
}

fn bad_arguments_are_refused_on(db: &TestDb) {
    let project = history_project();
    for args in [
        &["log", "0"][..],
        &["log", "x"],
        &["log", "--limit", "0"],
        &["log", "--version", "0"],
        &["log", "1", "--errors"],
        &["log", "1", "--limit", "2"],
    ] {
        let run = migrate(&project, db, args);
        run.expect(2);
        assert!(run.stderr.contains("error:"), "{args:?}\n{run}");
    }
    assert!(!db.exists(), "a refused log created the database");
}

#[test]
fn a_database_without_a_log_is_an_empty_history_and_stays_untouched() {
    for_each_backend(|db| {
        let project = history_project();
        let before = db.footprint();
        let run = migrate(&project, db, &["log"]);
        run.success();
        assert_eq!(run.stdout, "no log entries\n", "{run}");
        let document = migrate(&project, db, &["log", "--errors", "--json"])
            .success()
            .json();
        assert_eq!(document, serde_json::json!({ "entries": [] }));
        assert_eq!(db.footprint(), before, "log changed the database");
        assert!(db.tables().is_empty(), "log created {:?}", db.tables());
    });
}

#[test]
fn the_log_of_another_table_is_named_after_it() {
    for_each_backend(|db| {
        let project = history_project();
        migrate(&project, db, &["--table", "app_versions", "up", "2"]).success();
        let document = migrate(&project, db, &["--table", "app_versions", "log", "--json"])
            .success()
            .json();
        assert_eq!(entries(&document).len(), 2, "{document}");
        let document = migrate(&project, db, &["log", "--json"]).success().json();
        assert_eq!(document, serde_json::json!({ "entries": [] }));
    });
}

#[test]
fn twenty_digit_versions_are_told_apart() {
    for_each_backend(|db| {
        let project = Project::new()
            .up("20150100000001000000", "a", "SELECT 1;\n")
            .up("20150100000001000001", "b", "SELECT 1;\n");
        migrate(&project, db, &["up"]).success();
        let run = migrate(
            &project,
            db,
            &["log", "--version", "20150100000001000001", "--json"],
        );
        run.success();
        // Every digit, as written: a parser without arbitrary precision
        // would round the number.
        assert!(
            run.stdout.contains(r#""version":20150100000001000001,"#),
            "{run}"
        );
        let document = run.json();
        let found = document["entries"].as_array().expect("an entries array");
        assert_eq!(found.len(), 1, "{document}");
        assert_eq!(
            document["entries"][0]["file"],
            "up/20150100000001000001_b.sql"
        );
    });
}
