//! What preflight must find before anything runs, and how it answers
//! (issue 11): transaction control hidden behind a comment on MySQL, a
//! `COMMIT AND CHAIN` named whole with advice that works, the mysql client's
//! `--comment` lines, refusals for safety (exit 5), `verify --accept
//! --dry-run`, and file names the scanner must refuse.

use crate::support::{
    Backend, Project, TestDb, for_each_backend, for_each_backend_where, migrate, states,
};

fn base() -> Project {
    Project::new().up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
}

#[test]
fn mysql_transaction_control_after_a_comment_is_refused() {
    let Some(db) = TestDb::mysql() else { return };
    migrate(&base(), &db, &["up"]).success();
    for text in [
        "INSERT INTO items (id) VALUES (1);\n/*!40101 COMMIT */;\n",
        "--a comment the mysql client skips\nBEGIN;\nINSERT INTO items (id) VALUES (1);\n",
        "# a comment\nINSERT INTO items (id) VALUES (1);\n/* why */ COMMIT;\n",
    ] {
        let project = base().up(2, "fill", text);
        let before = db.footprint();
        let run = migrate(&project, &db, &["up"]);
        run.expect(2);
        assert!(run.stderr.contains("up/2_fill.sql:"), "{run}");
        assert!(run.stderr.contains("controls the transaction"), "{run}");
        assert_eq!(db.footprint(), before, "{text}");
    }
}

#[test]
fn commit_and_chain_is_named_whole_with_advice_that_works() {
    for_each_backend_where(
        |backend| backend != Backend::Mysql,
        |db| {
            let project = base().up(
            2,
            "fill",
            "INSERT INTO items (id) VALUES (1);\nCOMMIT AND CHAIN;\nINSERT INTO items (id) VALUES (2);\n",
        );
            let run = migrate(&project, db, &["up"]);
            run.expect(2);
            assert!(
                run.stderr.contains("up/2_fill.sql:2: `COMMIT AND CHAIN`"),
                "{run}"
            );
            assert!(run.stderr.contains("would not help"), "{run}");
            assert!(!db.exists(), "version 1 ran before the refusal");

            // Marked no-transaction, as the old advice said: refused too, before
            // the statements before it could commit.
            let project = base().up(
            2,
            "fill",
            "-- migrate: no-transaction\nINSERT INTO items (id) VALUES (1);\nCOMMIT AND CHAIN;\n",
        );
            let run = migrate(&project, db, &["up"]);
            run.expect(2);
            assert!(
                run.stderr
                    .contains("up/2_fill.sql:3: `COMMIT AND CHAIN` with no transaction open"),
                "{run}"
            );
            assert!(!db.exists(), "version 1 ran before the refusal");

            // What the advice says works: a transaction the file opened itself.
            let project = base().up(
                2,
                "fill",
                "-- migrate: no-transaction\nBEGIN;\nINSERT INTO items (id) VALUES (1);\nCOMMIT;\n",
            );
            migrate(&project, db, &["up"]).success();
            assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        },
    );
}

#[test]
fn mysql_reads_a_dash_comment_without_a_space_as_its_client_does_and_warns() {
    let Some(db) = TestDb::mysql() else { return };
    let project = base().up(
        2,
        "fill",
        "INSERT INTO items (id) VALUES (1);\n--DROP INDEX items_id ON items;\nINSERT INTO items (id) VALUES (2);\n",
    );
    let run = migrate(&project, &db, &["up"]);
    run.success();
    assert!(run.stderr.contains("up/2_fill.sql:2:"), "{run}");
    assert!(run.stderr.contains("WARN"), "{run}");
    assert_eq!(db.scalar("SELECT count(*) FROM items"), 2);
}

#[test]
fn single_transaction_over_a_no_transaction_file_is_refused_for_safety() {
    for_each_backend_where(Backend::supports_single_transaction, |db| {
        let project = base().up(
            2,
            "fill",
            "-- migrate: no-transaction\nINSERT INTO items (id) VALUES (1);\n",
        );
        let run = migrate(&project, db, &["up", "--single-transaction"]);
        run.expect(5);
        assert!(run.stderr.contains("up/2_fill.sql"), "{run}");
        assert!(!db.exists(), "a refused run changed the database");
    });
}

#[test]
fn verify_accept_dry_run_prints_what_it_would_record_and_changes_nothing() {
    for_each_backend(|db| {
        let project = base();
        migrate(&project, db, &["up"]).success();
        project.write(
            "up/1_items.sql",
            "-- a harmless comment\nCREATE TABLE items (id INTEGER PRIMARY KEY);\n",
        );
        let before = db.footprint();
        let run = migrate(&project, db, &["verify", "--accept", "--dry-run"]);
        run.success();
        assert!(run.stdout.contains("would accept: up/1_items.sql"), "{run}");
        assert_eq!(db.footprint(), before);
        let json = migrate(&project, db, &["verify", "--accept", "--dry-run", "--json"]).json();
        assert_eq!(json["dry_run"], true);
        assert_eq!(json["accepted"], false);
        migrate(&project, db, &["verify"]).expect(3);
        migrate(&project, db, &["verify", "--dry-run"]).expect(2);
    });
}

#[test]
fn a_file_name_with_a_newline_is_refused_naming_the_file() {
    let db = TestDb::sqlite();
    let project = base().up(2, "add\nemail", "SELECT 1;\n");
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    assert!(run.stderr.contains("up/2_add\\nemail.sql"), "{run}");
    assert!(run.stderr.contains("control character"), "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(!db.exists());
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_refused_naming_the_file() {
    use std::os::unix::ffi::OsStrExt;
    let db = TestDb::sqlite();
    let project = base();
    let name = std::ffi::OsStr::from_bytes(b"2_\xff.sql");
    std::fs::write(project.path().join("up").join(name), "SELECT 1;\n").expect("write");
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    assert!(run.stderr.contains("up/2_\u{fffd}.sql"), "{run}");
    assert!(run.stderr.contains("not valid UTF-8"), "{run}");
    assert!(!db.exists());
}
