//! `--json` on every command: stdout is one JSON document, also when the
//! command fails, with an `error` object whose `exit_code` is the process's
//! and whose message is also on stderr.

use serde_json::Value;

use crate::support::{Project, Run, TestDb, for_each_backend, migrate};

/// Checks a failed run's document: its error object, the key that holds
/// what the command would have printed, and stderr.
#[track_caller]
fn assert_failure(run: &Run, code: i32, key: &str) -> Value {
    run.expect(code);
    let document = run.json();
    let error = &document["error"];
    assert_eq!(error["exit_code"], code, "{document}");
    let message = error["message"].as_str().expect("an error message");
    assert!(!message.is_empty(), "{document}");
    assert!(document.get(key).is_some(), "no `{key}` in {document}");
    if key == "error" {
        // The README's shape for these failures: the error object alone.
        let keys = document.as_object().map(|object| object.len());
        assert_eq!(keys, Some(1), "more than the error in {document}");
    }
    let first = message.lines().next().unwrap_or_default();
    assert!(
        run.stderr.contains(&format!("error: {first}")),
        "stderr does not carry the message\n{run}"
    );
    document
}

#[test]
fn every_command_reading_the_folder_fails_in_json() {
    for_each_backend(every_command_reading_the_folder_fails_in_json_on);
}

fn every_command_reading_the_folder_fails_in_json_on(db: &TestDb) {
    // up/ holds a file whose name does not parse: a folder error, exit 2.
    let project = Project::new().file("up/1.simdorp.sql", "SELECT 1;\n");
    let cases: [(&[&str], &str); 11] = [
        (&["up"], "operations"),
        (&["up", "--dry-run"], "operations"),
        (&["down"], "operations"),
        (&["simdrop"], "operations"),
        (&["rollback_simdrop"], "operations"),
        (&["drop"], "operations"),
        (&["ff"], "operations"),
        (&["mark", "1"], "operations"),
        (&["mark", "--only", "1", "--state", "added"], "operations"),
        (&["status"], "database"),
        (&["verify"], "drift"),
    ];
    for (args, key) in cases {
        let mut args = args.to_vec();
        args.push("--json");
        let run = migrate(&project, db, &args);
        let document = assert_failure(&run, 2, key);
        assert_eq!(document["error"]["file"], "up/1.simdorp.sql", "{args:?}");
    }
    let run = migrate(&project, db, &["new", "x", "--json"]);
    assert_failure(&run, 2, "created");
    assert!(!db.exists());
}

#[test]
fn commands_reading_only_the_database_fail_in_json() {
    let db = TestDb::sqlite();
    std::fs::write(
        db.sqlite_path(),
        "not a database, just some plain text in a file",
    )
    .expect("write the file");
    let project = Project::new();
    let cases: [(&[&str], &str); 3] = [
        (&["version"], "error"),
        (&["log"], "entries"),
        (&["log", "1"], "entry"),
    ];
    for (args, key) in cases {
        let mut args = args.to_vec();
        args.push("--json");
        assert_failure(&migrate(&project, &db, &args), 1, key);
    }
}

#[test]
fn configuration_and_usage_errors_fail_in_json() {
    let project = Project::new();
    let run = project
        .command()
        .args(["--database-url", "oracle://x", "status", "--json"])
        .run();
    assert_failure(&run, 2, "error");
    let run = project
        .command()
        .args(["log", "--limit", "0", "--json"])
        .run();
    assert_failure(&run, 2, "error");
    let run = project.command().args(["nosuchcommand", "--json"]).run();
    assert_failure(&run, 2, "error");
    let run = project.command().args(["man", "nope", "--json"]).run();
    assert_failure(&run, 2, "man");
}

#[test]
fn successful_commands_print_one_document() {
    for_each_backend(successful_commands_print_one_document_on);
}

fn successful_commands_print_one_document_on(db: &TestDb) {
    let project = Project::new().up(1, "a", "CREATE TABLE json_a (id INTEGER PRIMARY KEY);\n");
    let document = migrate(&project, db, &["up", "--json"]).success().json();
    assert_eq!(document["operations"][0]["version"], 1, "{document}");
    let shapes: [(&[&str], &[&str]); 8] = [
        (&["status"], &["database", "current_version", "versions"]),
        (&["version"], &["current_version"]),
        (&["verify"], &["drift", "accepted"]),
        (&["log"], &["entries"]),
        (&["log", "1"], &["entry"]),
        (&["up", "--dry-run"], &["dry_run", "operations"]),
        (&["completions", "fish"], &["shell", "script"]),
        (&["man"], &["man"]),
    ];
    for (args, keys) in shapes {
        let mut args = args.to_vec();
        args.push("--json");
        let document = migrate(&project, db, &args).success().json();
        for key in keys {
            assert!(
                document.get(key).is_some(),
                "{args:?}: no `{key}` in {document}"
            );
        }
        assert!(document.get("error").is_none(), "{args:?}: {document}");
    }
    let document = migrate(&project, db, &["new", "b", "--json"])
        .success()
        .json();
    assert_eq!(document["version"], 2);
}

/// A version of 38 digits (the most a version has) is a JSON number with
/// every digit in `up --json`, `status --json` and `log --json`: no
/// rounding on the way, without serde_json's `arbitrary_precision`.
#[test]
fn a_38_digit_version_keeps_every_digit() {
    const BIG: &str = "12345678901234567890123456789012345678";
    for_each_backend(|db| {
        let project = Project::new()
            .up(7, "small", "SELECT 1;\n")
            .up(BIG, "big", "SELECT 1;\n");
        let up = migrate(&project, db, &["up", "--json"]);
        up.success();
        up.json();
        assert!(
            up.stdout.contains(&format!(
                r#"{{"version":{BIG},"operation":"add","file":"up/{BIG}_big.sql","#
            )),
            "{up}"
        );
        let status = migrate(&project, db, &["status", "--json"]);
        status.success();
        status.json();
        assert!(
            status
                .stdout
                .contains(&format!(r#""current_version":{BIG},"#)),
            "{status}"
        );
        assert!(
            status
                .stdout
                .contains(&format!(r#"{{"version":{BIG},"name":"big","#)),
            "{status}"
        );
        let version = migrate(&project, db, &["version", "--json"]);
        assert_eq!(
            version.success().stdout,
            format!("{{\"current_version\":{BIG}}}\n")
        );
        let log = migrate(&project, db, &["log", "--json"]);
        log.success();
        assert!(
            log.stdout.contains(&format!(r#""version":{BIG},"#)),
            "{log}"
        );
    });
}
