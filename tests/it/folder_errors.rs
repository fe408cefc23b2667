//! Broken migrations folders (SPEC section 1) and preflight findings
//! (section 5): each exits 2, names the file, and leaves the database
//! untouched: not even created when it did not exist, byte-identical (no
//! version tables) when it did.

use crate::support::{
    Backend, Project, TestDb, for_each_backend, for_each_backend_where, migrate, states,
};

const GOOD_FIRST: &str = "CREATE TABLE first_table (id INTEGER PRIMARY KEY);\n";

/// A project whose version 1 is fine, plus the broken file(s).
fn with_good_first() -> Project {
    Project::new().up(1, "first", GOOD_FIRST)
}

/// Runs `up` on a missing database, then on an existing one, and checks that
/// both exit 2 naming every one of `mentions`, and that neither changed anything.
#[track_caller]
fn assert_refused_untouched(project: &Project, db: &TestDb, mentions: &[&str]) {
    let run = migrate(project, db, &["up"]);
    run.expect(2);
    for mention in mentions {
        assert!(
            run.stderr.contains(mention),
            "stderr does not name {mention:?}\n{run}"
        );
    }
    assert!(run.stderr.starts_with("error: "), "{run}");
    assert!(!db.exists(), "the database was created\n{run}");

    db.execute("CREATE TABLE app (id INTEGER PRIMARY KEY)");
    let before = db.footprint();
    let again = migrate(project, db, &["up"]);
    again.expect(2);
    assert_eq!(db.footprint(), before, "the database changed\n{again}");
    assert_eq!(db.tables(), ["app"], "version tables were created");

    let json = migrate(project, db, &["up", "--json"]);
    json.expect(2);
    let document = json.json();
    assert_eq!(document["error"]["exit_code"], 2, "{json}");
    assert_eq!(document["operations"], serde_json::json!([]), "{json}");
}

#[test]
fn a_file_name_that_does_not_parse() {
    for_each_backend(|db| {
        let project = with_good_first().file("up/12.simdorp.sql", "SELECT 1;\n");
        assert_refused_untouched(&project, db, &["12.simdorp.sql"]);
    });
}

#[test]
fn version_0_and_versions_of_more_than_38_digits() {
    for_each_backend(|db| {
        let project = with_good_first()
            .up(0, "zero", "SELECT 1;\n")
            .up("000", "", "SELECT 1;\n")
            .up("1".repeat(39), "", "SELECT 1;\n");
        assert_refused_untouched(
            &project,
            db,
            &["up/0_zero.sql", "up/000.sql", &"1".repeat(39)],
        );
    });
}

#[test]
fn two_files_for_the_same_version_phase_and_direction() {
    for_each_backend(|db| {
        let project = with_good_first()
            .up(3, "", "SELECT 1;\n")
            .up("03", "x", "SELECT 1;\n");
        assert_refused_untouched(&project, db, &["up/3.sql", "up/03_x.sql"]);
    });
}

#[test]
fn a_down_file_without_its_up_file() {
    for_each_backend(|db| {
        let project = with_good_first().down(4, "orphan", "SELECT 1;\n");
        assert_refused_untouched(&project, db, &["down/4_orphan.sql"]);
    });
}

#[test]
fn a_rollback_simdrop_file_without_its_simdrop_file() {
    for_each_backend(|db| {
        let project = with_good_first()
            .up(5, "", "SELECT 1;\n")
            .rollback_simdrop(5, "SELECT 1;\n");
        assert_refused_untouched(&project, db, &["down/5.simdrop.sql"]);
    });
}

#[test]
fn any_down_drop_file() {
    for_each_backend(|db| {
        let project = with_good_first()
            .drop(6, "SELECT 1;\n")
            .file("down/6.drop.sql", "SELECT 1;\n");
        assert_refused_untouched(&project, db, &["6.drop.sql"]);
    });
}

#[test]
fn a_file_that_is_not_utf8() {
    for_each_backend(|db| {
        let project = with_good_first().file("up/2_latin1.sql", b"SELECT 'caf\xe9';\n");
        assert_refused_untouched(&project, db, &["up/2_latin1.sql", "UTF-8"]);
    });
}

#[test]
fn a_file_with_a_nul_byte() {
    // SQLite stops reading at a NUL: this would delete every row (issue 10).
    for_each_backend(|db| {
        let project = with_good_first().file(
            "up/2_purge.sql",
            b"INSERT INTO first_table (id) VALUES (1);\nDELETE FROM first_table\0 WHERE id = 2;\n",
        );
        assert_refused_untouched(&project, db, &["up/2_purge.sql:2:", "NUL byte"]);
    });
}

#[test]
fn an_unknown_directive() {
    for_each_backend(|db| {
        let project = with_good_first().up(
            2,
            "typo",
            "-- migrate: no-transactoin\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n",
        );
        assert_refused_untouched(&project, db, &["up/2_typo.sql", "no-transactoin"]);
    });
}

#[test]
fn retries_on_a_no_transaction_file() {
    for_each_backend(|db| {
        let project = with_good_first().up(
            2,
            "retry",
            "-- migrate: no-transaction retries=3\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n",
        );
        assert_refused_untouched(&project, db, &["up/2_retry.sql", "retries"]);
    });
}

#[test]
fn status_reports_a_broken_folder_too() {
    for_each_backend(|db| {
        let project = with_good_first().file("up/12.simdorp.sql", "SELECT 1;\n");
        let run = migrate(&project, db, &["status"]);
        run.expect(2);
        assert!(run.stderr.contains("12.simdorp.sql"), "{run}");
        assert!(!db.exists());
    });
}

/// Version 1 is fine; version 2 commits by itself. It only changes rows, so
/// that it is transactional on MySQL too (whose DDL commits implicitly).
const TRANSACTION_CONTROL: &str = "INSERT INTO first_table (id) VALUES (1);\n\
                                   BEGIN;\n\
                                   INSERT INTO first_table (id) VALUES (2);\n\
                                   COMMIT;\n";

#[test]
fn transaction_control_in_a_transactional_file_is_found_before_anything_runs() {
    for_each_backend(|db| {
        let project = with_good_first().up(2, "own_tx", TRANSACTION_CONTROL);
        // Names the file and the line of the statement, suggests the way out.
        assert_refused_untouched(
            &project,
            db,
            &["up/2_own_tx.sql:2:", "BEGIN", "no-transaction"],
        );
        let run = migrate(&project, db, &["up"]);
        assert!(
            run.stderr.contains("up/2_own_tx.sql:4:"),
            "COMMIT not named\n{run}"
        );
        let json = migrate(&project, db, &["up", "--json"]).json();
        assert_eq!(json["error"]["file"], "up/2_own_tx.sql");
        assert_eq!(json["error"]["line"], 2);
    });
}

#[test]
fn the_same_file_marked_no_transaction_runs() {
    for_each_backend(|db| {
        let sql = format!("-- migrate: no-transaction\n{TRANSACTION_CONTROL}");
        let project = with_good_first().up(2, "own_tx", &sql);
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        assert_eq!(db.scalar("SELECT count(*) FROM first_table"), 2);
    });
}

#[test]
fn a_statement_that_cannot_run_in_a_transaction_is_refused_by_preflight() {
    // SQLite's VACUUM, PostgreSQL's CREATE INDEX CONCURRENTLY; MySQL has none.
    for_each_backend(|db| {
        let Some((statement, word)) = db.statement_outside_transactions() else {
            return;
        };
        let sql = format!("DELETE FROM first_table;\n{statement}\n");
        let project = with_good_first().up(2, "outside", &sql);
        assert_refused_untouched(
            &project,
            db,
            &["up/2_outside.sql:2:", word, "no-transaction"],
        );
    });
}

#[test]
fn the_same_statement_in_a_no_transaction_file_runs() {
    for_each_backend(|db| {
        let Some((statement, _)) = db.statement_outside_transactions() else {
            return;
        };
        let sql = format!("-- migrate: no-transaction\nDELETE FROM first_table;\n{statement}\n");
        let project = with_good_first().up(2, "outside", &sql);
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn a_commit_after_a_sqlite_trigger_with_case_is_found_before_anything_runs() {
    // Issue 10: the END after `new.by` used to leave the CASE open, so the
    // splitter glued the COMMIT to the trigger and preflight never saw it.
    for_each_backend_where(
        |backend| backend == Backend::Sqlite,
        |db| {
            let sql = "CREATE TABLE bookings (id INTEGER PRIMARY KEY, \"by\" TEXT, status TEXT);\n\
                       CREATE TRIGGER bookings_status AFTER INSERT ON bookings\n\
                       BEGIN\n\
                       \x20 UPDATE bookings SET status = CASE WHEN 1 THEN new.by END WHERE id = new.id;\n\
                       END;\n\
                       COMMIT;\n\
                       INSERT INTO first_table (id) VALUES (1);\n";
            let project = with_good_first().up(2, "trigger", sql);
            assert_refused_untouched(
                &project,
                db,
                &["up/2_trigger.sql:6:", "COMMIT", "no-transaction"],
            );
        },
    );
}

#[test]
fn a_commit_inside_a_mysql_delimiter_block_is_found_before_anything_runs() {
    // Issue 10: the client sends `UPDATE ...; COMMIT` as one query and the
    // server runs both; preflight used to see only the UPDATE.
    for_each_backend_where(
        |backend| backend == Backend::Mysql,
        |db| {
            let sql = "INSERT INTO first_table (id) VALUES (1);\n\
                       DELIMITER ;;\n\
                       UPDATE first_table SET id = 2 WHERE id = 1;\n\
                       COMMIT;;\n\
                       DELIMITER ;\n";
            let project = with_good_first().up(2, "delimited", sql);
            assert_refused_untouched(
                &project,
                db,
                &["up/2_delimited.sql:4:", "COMMIT", "no-transaction"],
            );
        },
    );
}
