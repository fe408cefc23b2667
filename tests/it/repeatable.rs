//! SPEC section 12, issue 18: repeatable files. `repeatable/NAME.sql` runs
//! after the versioned steps of `up` and `ff`, in name order, whenever its
//! text differs from the one its last successful run had; `status` lists
//! each as `current`, `changed` or `new`; the log records every run.

use serde_json::Value;

use crate::support::db::{Backend, TestDb, for_each_backend};
use crate::support::{Project, mask_run, migrate};

const VIEW: &str = "DROP VIEW IF EXISTS active_users;\n\
     CREATE VIEW active_users AS SELECT id, name FROM users WHERE active = 1;\n";

/// One version, and two repeatable files: `audit` counts its own runs, so
/// a test sees which ran and how often; the view reads the version's table.
fn project() -> Project {
    Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(40), active INTEGER);\n\
             INSERT INTO users (id, name, active) VALUES (1, 'ann', 1), (2, 'bob', 0);\n",
        )
        .file(
            "repeatable/a_audit.sql",
            "CREATE TABLE IF NOT EXISTS audit (note VARCHAR(40));\n\
             INSERT INTO audit (note) VALUES ('audit ran');\n",
        )
        .file("repeatable/views/active_users.sql", VIEW)
}

/// How many rows of `audit` hold `note`.
fn audit_count(db: &TestDb, note: &str) -> i64 {
    db.scalar(&format!("SELECT COUNT(*) FROM audit WHERE note = '{note}'"))
}

fn audit_runs(db: &TestDb) -> i64 {
    audit_count(db, "audit ran")
}

/// The newest log entry of a repeatable file's run, as `log --json` gives it.
fn newest_run(project: &Project, db: &TestDb) -> Value {
    let log = migrate(project, db, &["log", "--repeatable", "--json"]);
    log.success();
    log.json()["entries"][0].clone()
}

/// The `(first, second)` text fields of each object of a JSON array.
fn fields(array: &Value, first: &str, second: &str) -> Vec<(String, String)> {
    let text = |entry: &Value, field: &str| entry[field].as_str().unwrap_or_default().to_string();
    let entries = array.as_array().map_or(&[][..], Vec::as_slice);
    entries
        .iter()
        .map(|entry| (text(entry, first), text(entry, second)))
        .collect()
}

/// `(operation, file)` of each entry of a JSON `operations` array, with the
/// version checked: a number for versions, `null` for repeatable files.
#[track_caller]
fn operations(document: &Value) -> Vec<(String, String)> {
    for entry in document["operations"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
    {
        let repeatable = entry["operation"] == "repeatable";
        assert_eq!(entry["version"].is_null(), repeatable, "{entry}");
    }
    fields(&document["operations"], "operation", "file")
}

/// `(name, state)` of each repeatable file `status --json` lists.
fn states(db: &TestDb, project: &Project) -> Vec<(String, String)> {
    let status = migrate(project, db, &["status", "--json"]);
    status.success();
    fields(&status.json()["repeatables"], "name", "state")
}

/// `(operation, file)` pairs as [`operations`] reads them.
fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(operation, file)| (operation.to_string(), file.to_string()))
        .collect()
}

fn pair(name: &str, state: &str) -> (String, String) {
    (name.to_string(), state.to_string())
}

#[test]
fn up_runs_them_after_the_versions_in_name_order_and_only_once() {
    for_each_backend(|db| {
        let project = project();
        assert_eq!(
            states(db, &project),
            [pair("a_audit", "new"), pair("views/active_users", "new")]
        );
        let run = migrate(&project, db, &["up", "--json"]);
        run.success();
        assert_eq!(
            operations(&run.json()),
            pairs(&[
                ("add", "up/1_users.sql"),
                ("repeatable", "repeatable/a_audit.sql"),
                ("repeatable", "repeatable/views/active_users.sql"),
            ]),
            "{run}"
        );
        assert_eq!(
            db.rows("SELECT name FROM active_users"),
            [["ann".to_string()]]
        );
        // Nothing changed: nothing runs, and `status --check` finds no work.
        let again = migrate(&project, db, &["up"]);
        again.success();
        assert!(again.stdout.contains("nothing to do"), "{again}");
        assert_eq!(audit_runs(db), 1);
        assert_eq!(
            states(db, &project),
            [
                pair("a_audit", "current"),
                pair("views/active_users", "current")
            ]
        );
        migrate(&project, db, &["status", "--check"]).success();
    });
}

#[test]
fn a_changed_file_alone_runs_again_and_the_log_records_each_run() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up"]).success();
        project.write(
            "repeatable/views/active_users.sql",
            VIEW.replace("active = 1", "active = 0"),
        );
        assert_eq!(
            states(db, &project),
            [
                pair("a_audit", "current"),
                pair("views/active_users", "changed")
            ]
        );
        let check = migrate(&project, db, &["status", "--check"]);
        check.expect(3);
        assert!(
            check
                .stdout
                .contains("repeatable/views/active_users.sql awaits its run (`migrate up`)"),
            "{check}"
        );
        let next = &migrate(&project, db, &["status", "--json"]).json()["next"];
        assert_eq!(next[0]["operation"], "repeatable", "{next}");
        assert_eq!(next[0]["command"], "migrate up", "{next}");

        let run = migrate(&project, db, &["up", "--json"]);
        run.success();
        assert_eq!(
            operations(&run.json()),
            pairs(&[("repeatable", "repeatable/views/active_users.sql")])
        );
        assert_eq!(audit_runs(db), 1, "an unchanged file does not run again");
        assert_eq!(
            db.rows("SELECT name FROM active_users"),
            [["bob".to_string()]]
        );

        let log = migrate(&project, db, &["log", "--repeatable", "--json"]);
        log.success();
        let entries = log.json()["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let files: Vec<&str> = entries
            .iter()
            .map(|entry| {
                assert!(entry["version"].is_null(), "{entry}");
                assert_eq!(entry["operation"], "repeatable", "{entry}");
                assert_eq!(entry["outcome"], "ok", "{entry}");
                entry["file"].as_str().unwrap_or_default()
            })
            .collect();
        assert_eq!(
            files,
            [
                "repeatable/views/active_users.sql",
                "repeatable/views/active_users.sql",
                "repeatable/a_audit.sql"
            ],
            "newest first"
        );
        let human = migrate(&project, db, &["log"]);
        assert!(
            human
                .stdout
                .lines()
                .any(|line| line.contains(" -  repeatable ") && line.contains("a_audit.sql")),
            "{human}"
        );
    });
}

/// A failing file rolls back, names its file and line, and stays
/// `changed`; what ran before it stays; once fixed, the next `up` runs it.
#[test]
fn a_failing_file_is_rolled_back_and_runs_again_once_fixed() {
    for_each_backend(|db| {
        let project = project().file(
            "repeatable/b_bad.sql",
            "INSERT INTO audit (note) VALUES ('bad ran');\nSELECT nope FROM missing_table;\n",
        );
        let run = migrate(&project, db, &["up", "--json"]);
        run.expect(1);
        let document = run.json();
        assert_eq!(document["error"]["file"], "repeatable/b_bad.sql", "{run}");
        assert_eq!(document["error"]["line"], 2, "{run}");
        assert_eq!(
            operations(&document),
            pairs(&[
                ("add", "up/1_users.sql"),
                ("repeatable", "repeatable/a_audit.sql"),
            ])
        );
        assert_eq!(audit_count(db, "bad ran"), 0, "the failed file rolled back");
        assert!(
            !db.table_exists("active_users"),
            "files after it did not run"
        );
        assert_eq!(
            states(db, &project),
            [
                pair("a_audit", "current"),
                pair("b_bad", "new"),
                pair("views/active_users", "new")
            ]
        );
        let failed = migrate(&project, db, &["log", "--repeatable", "--errors", "--json"]);
        let entries = failed.json()["entries"].clone();
        assert_eq!(entries[0]["file"], "repeatable/b_bad.sql", "{failed}");
        assert_eq!(entries[0]["line"], 2, "{failed}");

        project.write(
            "repeatable/b_bad.sql",
            "INSERT INTO audit (note) VALUES ('bad ran');\n",
        );
        let fixed = migrate(&project, db, &["up", "--json"]);
        fixed.success();
        assert_eq!(
            operations(&fixed.json()),
            pairs(&[
                ("repeatable", "repeatable/b_bad.sql"),
                ("repeatable", "repeatable/views/active_users.sql"),
            ])
        );
        assert_eq!(audit_count(db, "bad ran"), 1);
    });
}

#[test]
fn a_dry_run_lists_them_and_changes_nothing() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up"]).success();
        project.write("repeatable/a_audit.sql", "SELECT 1;\n");
        let before = db.footprint();
        let run = migrate(&project, db, &["up", "--dry-run"]);
        run.success();
        assert!(
            run.stdout.contains("would repeatable")
                && run.stdout.contains("repeatable/a_audit.sql"),
            "{run}"
        );
        assert!(!run.stdout.contains("active_users"), "{run}");
        assert!(db.footprint() == before, "a dry run changed the database");
    });
}

/// `--only`, `down` and the phase commands run no repeatable file; `ff`
/// runs them after its versions.
#[test]
fn only_up_and_ff_run_them() {
    for_each_backend(|db| {
        let project = project()
            .up(2, "more", "CREATE TABLE more_rows (id INTEGER);\n")
            .down(2, "more", "DROP TABLE more_rows;\n");
        let only = migrate(&project, db, &["up", "--only", "1", "--json"]);
        only.success();
        assert_eq!(
            operations(&only.json()),
            pairs(&[("add", "up/1_users.sql")])
        );
        migrate(&project, db, &["ff"]).success();
        assert_eq!(audit_runs(db), 1);
        project.write(
            "repeatable/a_audit.sql",
            "INSERT INTO audit (note) VALUES ('audit ran');\n",
        );
        let down = migrate(&project, db, &["down", "1", "--json"]);
        down.success();
        assert_eq!(
            operations(&down.json()),
            pairs(&[("rollback_add", "down/2_more.sql")])
        );
        assert_eq!(audit_runs(db), 1);
    });
}

/// Placeholders work in repeatable files too, and a name without a value
/// stops the whole run before anything runs, versions included.
#[test]
fn placeholders_are_filled_and_a_missing_one_stops_everything() {
    for_each_backend(|db| {
        let project = project().file(
            "repeatable/grants.sql",
            "-- migrate: placeholders\nINSERT INTO audit (note) VALUES ('${who}');\n",
        );
        let before = db.footprint();
        let refused = migrate(&project, db, &["up"]);
        refused.expect(2);
        assert!(
            refused.stderr.contains("repeatable/grants.sql:2") && refused.stderr.contains("${who}"),
            "{refused}"
        );
        assert!(
            db.footprint() == before,
            "a refused run changed the database"
        );
        migrate(&project, db, &["up", "--set", "who=ops"]).success();
        assert_eq!(audit_count(db, "ops"), 1);
    });
}

/// With `--single-transaction`, a failing repeatable file takes the
/// versions of the run back with it, where the database can.
#[test]
fn single_transaction_includes_them() {
    for_each_backend(|db| {
        if !db.backend().supports_single_transaction() {
            return;
        }
        let project = project().file("repeatable/b_bad.sql", "SELECT nope FROM missing_table;\n");
        let run = migrate(&project, db, &["up", "--single-transaction"]);
        run.expect(1);
        assert!(!db.table_exists("users"), "{run}");
        assert!(db.versions().is_empty(), "{run}");
    });
}

#[test]
fn a_checkpoint_directive_or_a_bad_file_is_a_folder_error() {
    let db = TestDb::new(Backend::Sqlite);
    let project = project().file(
        "repeatable/views/old.sql",
        "-- migrate: checkpoint\nSELECT 1;\n",
    );
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    assert!(
        run.stderr.contains("repeatable/views/old.sql") && run.stderr.contains("checkpoint"),
        "{run}"
    );
    assert!(!db.exists() || db.versions().is_empty());
}

/// A file that cannot be atomic runs statement by statement: what
/// committed before the failure stays, the message says so and how to go
/// on, and its log row, written `running` first, ends `failed`.
#[test]
fn a_non_atomic_file_that_fails_keeps_what_committed_and_says_so() {
    for_each_backend(|db| {
        let project = project().file(
            "repeatable/b_half.sql",
            "-- migrate: no-transaction\n\
             INSERT INTO audit (note) VALUES ('half');\n\
             SELECT nope FROM missing_table;\n",
        );
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        assert!(run.stderr.contains("repeatable/b_half.sql:3:"), "{run}");
        assert!(
            run.stderr
                .contains("repeatable/b_half.sql is still `changed`: it ran outside a transaction"),
            "{run}"
        );
        assert_eq!(audit_count(db, "half"), 1);
        let newest = newest_run(&project, db);
        assert_eq!(newest["file"], "repeatable/b_half.sql", "{newest}");
        assert_eq!(newest["outcome"], "failed", "{newest}");
        assert_eq!(newest["statement"], 2, "{newest}");
        assert!(newest["finished_at"].is_string(), "{newest}");
        assert_eq!(
            states(db, &project),
            [
                pair("a_audit", "current"),
                pair("b_half", "new"),
                pair("views/active_users", "new")
            ]
        );
    });
}

/// MySQL: a file that wrote to a table without transactions before it hit
/// its lock timeout is not retried (each retry would write the row again),
/// and the message says what the rollback kept.
#[test]
fn a_rollback_that_kept_rows_is_not_retried() {
    let Some(db) = TestDb::mysql() else {
        return;
    };
    let project = Project::new()
        .up(
            1,
            "tables",
            "CREATE TABLE counters (id INTEGER) ENGINE = MyISAM;\n\
             CREATE TABLE items (id INTEGER PRIMARY KEY, x INTEGER) ENGINE = InnoDB;\n\
             INSERT INTO items (id, x) VALUES (1, 0);\n",
        )
        .file(
            "repeatable/seed.sql",
            "-- migrate: lock-timeout=1s retries=2\n\
             INSERT INTO counters (id) VALUES (1);\n\
             UPDATE items SET x = x + 1 WHERE id = 1;\n",
        );
    migrate(&project, &db, &["up", "--only", "1"]).success();
    let lock = db.lock_table("items");
    let run = migrate(&project, &db, &["up"]);
    drop(lock);
    run.expect(1);
    assert!(run.stderr.contains("tables without transactions"), "{run}");
    assert!(!run.stderr.contains("retry"), "{run}");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM counters"), 1);
}

/// A `no-transaction` file that opened its own transaction and failed in
/// it: the transaction is rolled back, and the failure is still logged.
#[test]
fn a_failure_inside_the_files_own_transaction_is_logged() {
    for_each_backend(|db| {
        let project = project().file(
            "repeatable/b_own.sql",
            "-- migrate: no-transaction\n\
             BEGIN;\n\
             INSERT INTO audit (note) VALUES ('own');\n\
             SELECT nope FROM missing_table;\n\
             COMMIT;\n",
        );
        migrate(&project, db, &["up"]).expect(1);
        assert_eq!(audit_count(db, "own"), 0);
        let newest = newest_run(&project, db);
        assert_eq!(newest["file"], "repeatable/b_own.sql", "{newest}");
        assert_eq!(newest["outcome"], "failed", "{newest}");
        assert_eq!(newest["line"], 4, "{newest}");
    });
}

/// `YYYY-MM-DD HH:MM` (the status table's last run) as `[minute]`.
fn mask_minutes(text: &str) -> String {
    let shape = b"dddd-dd-dd dd:dd";
    let bytes = text.as_bytes();
    let fits = |at: usize| {
        bytes.get(at..at + shape.len()).is_some_and(|window| {
            window.iter().zip(shape).all(|(byte, kind)| match kind {
                b'd' => byte.is_ascii_digit(),
                other => byte == other,
            })
        })
    };
    let mut out = String::new();
    let mut index = 0;
    while let Some(character) = text[index..].chars().next() {
        if fits(index) {
            out.push_str(&format!("{:<17}", "[minute]"));
            index += shape.len();
        } else {
            out.push(character);
            index += character.len_utf8();
        }
    }
    out
}

/// The human output of a run, of `status` and of `log --repeatable`.
#[test]
fn human_output() {
    let db = TestDb::new(Backend::Sqlite);
    let project = project();
    let shown = |args: &[&str]| {
        let run = migrate(&project, &db, args);
        mask_run(&mask_minutes(&run.stdout), &project, &db)
    };
    insta::assert_snapshot!("repeatable_up", shown(&["up"]));
    project.write("repeatable/a_audit.sql", "SELECT 1;\n");
    insta::assert_snapshot!("repeatable_status", shown(&["status"]));
    insta::assert_snapshot!("repeatable_dry_run", shown(&["up", "--dry-run"]));
    migrate(&project, &db, &["up"]).success();
    insta::assert_snapshot!("repeatable_log", shown(&["log", "--repeatable"]));
}
