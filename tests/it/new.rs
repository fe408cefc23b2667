//! `migrate new NAME`: the files of the next version, numbered after the
//! highest in the folder or by UTC time; refused names; never an overwrite;
//! no database involved.

use std::path::Path;
use std::time::SystemTime;

use crate::support::{Project, TestDb, for_each_backend, migrate};

/// Every file under `up/` and `down/`, relative to the project, sorted.
fn files(project: &Project) -> Vec<String> {
    let mut found = Vec::new();
    for folder in ["up", "down"] {
        let root = project.path().join(folder);
        if !root.exists() {
            continue;
        }
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read a folder") {
                let path = entry.expect("a folder entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    found.push(relative(project.path(), &path));
                }
            }
        }
    }
    found.sort();
    found
}

fn relative(root: &Path, path: &Path) -> String {
    let inner = path.strip_prefix(root).expect("a path inside the project");
    inner
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read(project: &Project, path: &str) -> String {
    std::fs::read_to_string(project.path().join(path)).expect("read a created file")
}

#[test]
fn the_first_version_is_1_with_an_up_and_a_down_file() {
    let db = TestDb::sqlite();
    let project = Project::new();
    let run = migrate(&project, &db, &["new", "create_users"]);
    run.success();
    assert_eq!(
        run.stdout,
        "created up/1_create_users.sql\ncreated down/1_create_users.sql\n"
    );
    assert_eq!(
        files(&project),
        ["down/1_create_users.sql", "up/1_create_users.sql"]
    );
    assert!(read(&project, "up/1_create_users.sql").starts_with("-- Version 1, add phase"));
    assert!(read(&project, "down/1_create_users.sql").contains("undo up/1_create_users.sql"));
    assert!(!db.exists(), "new touched the database");
    assert!(run.stderr.is_empty(), "new announced a database\n{run}");
}

#[test]
fn the_next_version_is_one_more_than_the_highest_in_the_folder() {
    let db = TestDb::sqlite();
    let project = Project::new()
        .up(3, "a", "SELECT 1;\n")
        .file("up/2026/0012_b.sql", "SELECT 1;\n")
        .simdrop(40, "SELECT 1;\n")
        .up(7, "", "SELECT 1;\n");
    let document = migrate(&project, &db, &["new", "add_email", "--json"])
        .success()
        .json();
    assert_eq!(document["version"], 41, "{document}");
    assert_eq!(
        document["created"],
        serde_json::json!(["up/41_add_email.sql", "down/41_add_email.sql"])
    );
    migrate(&project, &db, &["new", "next"]).success();
    assert!(project.path().join("up/42_next.sql").is_file());
}

#[test]
fn simdrop_and_drop_add_their_files() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "init", "SELECT 1;\n");
    let document = migrate(
        &project,
        &db,
        &["new", "rename_name", "--simdrop", "--drop", "--json"],
    )
    .success()
    .json();
    assert_eq!(
        document["created"],
        serde_json::json!([
            "up/2_rename_name.sql",
            "down/2_rename_name.sql",
            "up/2_rename_name.simdrop.sql",
            "down/2_rename_name.simdrop.sql",
            "up/2_rename_name.drop.sql",
        ])
    );
    assert!(read(&project, "up/2_rename_name.simdrop.sql").contains("simdrop phase"));
    assert!(read(&project, "down/2_rename_name.simdrop.sql").contains("rollback_simdrop"));
    assert!(read(&project, "up/2_rename_name.drop.sql").contains("Irreversible"));
    migrate(&project, &db, &["new", "only_drop", "--drop"]).success();
    assert!(project.path().join("up/3_only_drop.drop.sql").is_file());
    assert!(!project.path().join("up/3_only_drop.simdrop.sql").exists());
}

/// `YYYYMMDDHHMMSS` of now, UTC.
fn stamp_now() -> u64 {
    humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

#[test]
fn timestamp_numbers_the_version_by_utc_time() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "init", "SELECT 1;\n");
    let before = stamp_now();
    let document = migrate(
        &project,
        &db,
        &["new", "add_email", "--timestamp", "--json"],
    )
    .success()
    .json();
    let after = stamp_now();
    let version = document["version"].as_u64().expect("a numeric version");
    assert!(
        (before..=after).contains(&version),
        "{version} is not between {before} and {after}"
    );
    let text = version.to_string();
    assert_eq!(text.len(), 14, "{text}");
    let (month, day) = (&text[4..6], &text[6..8]);
    let (hour, minute, second) = (&text[8..10], &text[10..12], &text[12..14]);
    assert!(("01"..="12").contains(&month) && ("01"..="31").contains(&day));
    assert!(hour < "24" && minute < "60" && second < "60", "{text}");
    assert_eq!(
        document["created"][0],
        format!("up/{version}_add_email.sql"),
        "{document}"
    );
}

#[test]
fn names_that_cannot_be_part_of_a_file_name_are_refused() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "init", "SELECT 1;\n");
    let names = [
        "",
        "   ",
        "add\temail",
        "add\nemail",
        "a/b",
        "../escape",
        ".",
        "..",
        "add.email",
        "x.simdrop",
        "a\\b",
        "a:b",
        "a\u{1b}b",
    ];
    for name in names {
        let run = migrate(&project, &db, &["new", name]);
        run.expect(2);
        assert!(
            run.stderr.starts_with("error: `") && run.stderr.contains("cannot be part of"),
            "{name:?}\n{run}"
        );
        let document = migrate(&project, &db, &["new", name, "--json"]).json();
        assert_eq!(document["created"], serde_json::json!([]), "{name:?}");
        assert_eq!(document["error"]["exit_code"], 2, "{name:?}");
    }
    let long = "x".repeat(201);
    migrate(&project, &db, &["new", &long]).expect(2);
    assert_eq!(
        files(&project),
        ["up/1_init.sql"],
        "a refused name wrote a file"
    );
}

#[test]
fn an_existing_file_is_never_overwritten_and_nothing_is_written() {
    let db = TestDb::sqlite();
    let project = Project::new().up(1, "init", "SELECT 1;\n");
    // Something already stands where down/2_b.sql would go.
    std::fs::create_dir_all(project.path().join("down/2_b.sql")).expect("make a folder");
    let run = migrate(&project, &db, &["new", "b", "--json"]);
    run.expect(2);
    let document = run.json();
    assert_eq!(document["created"], serde_json::json!([]), "{document}");
    assert!(run.stderr.contains("2_b.sql already exists"), "{run}");
    assert!(run.stderr.contains("nothing was created"), "{run}");
    assert_eq!(
        files(&project),
        ["up/1_init.sql"],
        "a refused new wrote a file"
    );
}

#[test]
fn up_and_down_are_created_when_missing() {
    let db = TestDb::sqlite();
    let project = Project::new();
    std::fs::remove_dir(project.path().join("up")).expect("remove up/");
    std::fs::remove_dir(project.path().join("down")).expect("remove down/");
    migrate(&project, &db, &["new", "first"]).success();
    assert_eq!(files(&project), ["down/1_first.sql", "up/1_first.sql"]);
}

#[test]
fn a_broken_folder_is_reported_and_nothing_is_written() {
    let db = TestDb::sqlite();
    let project = Project::new().file("up/3.simdorp.sql", "SELECT 1;\n");
    let run = migrate(&project, &db, &["new", "x"]);
    run.expect(2);
    assert!(run.stderr.contains("up/3.simdorp.sql"), "{run}");
    assert_eq!(files(&project), ["up/3.simdorp.sql"]);
}

#[test]
fn new_needs_no_database_and_ignores_a_bad_url() {
    let project = Project::new();
    let run = project
        .command()
        .args(["--database-url", "nonsense", "new", "x"])
        .run();
    run.success();
    assert!(run.stderr.is_empty(), "{run}");
}

#[test]
fn created_files_run_through_every_phase_and_back() {
    for_each_backend(|db| {
        let project = Project::new();
        migrate(&project, db, &["new", "scaffolded", "--simdrop", "--drop"]).success();
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["simdrop"]).success();
        migrate(&project, db, &["rollback_simdrop"]).success();
        migrate(&project, db, &["down"]).success();
        migrate(&project, db, &["ff"]).success();
        assert_eq!(
            db.versions(),
            [("1".to_string(), "dropped".to_string())],
            "the comment-only files did not take version 1 through every phase"
        );
    });
}

#[test]
fn a_name_of_words_becomes_one_with_underscores() {
    let db = TestDb::sqlite();
    let project = Project::new();
    let run = migrate(&project, &db, &["new", "add user  email "]);
    run.success();
    assert_eq!(
        files(&project),
        ["down/1_add_user_email.sql", "up/1_add_user_email.sql"]
    );
}
