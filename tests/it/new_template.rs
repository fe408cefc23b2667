//! `migrate new NAME --template FILE` (issue 18): the add file written from
//! a team's template, `{{version}}` and `{{name}}` filled in, and run as
//! written; a template the scanner would refuse makes no file.

use crate::support::{Project, TestDb, migrate};

#[test]
fn the_add_file_comes_from_the_template_and_runs() {
    let project = Project::new().up(1, "init", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    let template = project.path().join("template.sql");
    std::fs::write(
        &template,
        "-- migrate: lock-timeout=2s\n-- version {{version}}: {{name}}\n\
         CREATE TABLE t{{version}} (id INTEGER PRIMARY KEY);\n",
    )
    .expect("write the template");
    let db = TestDb::sqlite();
    let template_arg = template.display().to_string();
    let run = migrate(
        &project,
        &db,
        &["new", "add email", "--template", &template_arg, "--json"],
    );
    run.success();
    assert_eq!(
        run.json()["created"],
        serde_json::json!(["up/2_add_email.sql", "down/2_add_email.sql"])
    );
    let up = std::fs::read_to_string(project.path().join("up/2_add_email.sql")).expect("the file");
    assert_eq!(
        up,
        "-- migrate: lock-timeout=2s\n-- version 2: add_email\n\
         CREATE TABLE t2 (id INTEGER PRIMARY KEY);\n"
    );
    let down = std::fs::read_to_string(project.path().join("down/2_add_email.sql"))
        .expect("the down file");
    assert!(down.starts_with("-- Version 2, rollback_add"), "{down}");
    migrate(&project, &db, &["up"]).success();
    assert!(db.table_exists("t2"));
}

#[test]
fn a_template_that_cannot_be_a_migration_creates_nothing() {
    let project = Project::new();
    let db = TestDb::sqlite();
    let bad = project.path().join("bad.sql");
    std::fs::write(&bad, "-- migrate: no-transacton\nSELECT 1;\n").expect("write");
    let bad_arg = bad.display().to_string();
    let run = migrate(&project, &db, &["new", "x", "--template", &bad_arg]);
    run.expect(2);
    assert!(
        run.stderr
            .contains("bad.sql cannot make a migration file: line 1"),
        "{run}"
    );
    assert!(!project.path().join("up/1_x.sql").exists());
    assert!(!project.path().join("down/1_x.sql").exists());

    let missing = migrate(&project, &db, &["new", "x", "--template", "no/such.sql"]);
    missing.expect(2);
    assert!(
        missing
            .stderr
            .contains("cannot use the template no/such.sql"),
        "{missing}"
    );
}
