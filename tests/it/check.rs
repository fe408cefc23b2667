//! `check` (SPEC section 9) through the binary on every backend: each rule
//! found where it should be, with the objects that differ; a clean folder
//! passing; the scratch databases it refuses; and the target left alone.

use serde_json::Value;

use crate::support::{Backend, Project, TestDb, for_each_backend, migrate};

/// `check --json` of `project` for the database `db`: (exit code, document).
fn check(project: &Project, db: &TestDb, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--json"];
    args.extend_from_slice(extra);
    let run = migrate(project, db, &args);
    (run.code, run.json())
}

/// The rules of the findings, in order.
fn rules(document: &Value) -> Vec<String> {
    findings(document)
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn findings(document: &Value) -> &Vec<Value> {
    document["findings"].as_array().expect("findings")
}

/// The first finding of `rule`.
fn finding<'d>(document: &'d Value, rule: &str) -> &'d Value {
    findings(document)
        .iter()
        .find(|finding| finding["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {document:#}"))
}

fn users() -> Project {
    Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50));\n",
        )
        .down(1, "users", "DROP TABLE users;\n")
}

#[test]
fn a_clean_folder_passes_and_the_target_is_left_alone() {
    for_each_backend(|db| {
        let project = users()
            .up(
                2,
                "email",
                "ALTER TABLE users ADD COLUMN email VARCHAR(100);\n",
            )
            .down(2, "email", "ALTER TABLE users DROP COLUMN email;\n")
            .up(3, "idx", "CREATE INDEX users_name ON users (name);\n")
            .down(3, "idx", "DROP INDEX users_name ON users;\n");
        match db.backend() {
            Backend::Mysql => {}
            // Lint runs first: on PostgreSQL an index on an existing table
            // is built concurrently, outside a transaction.
            Backend::Postgres => {
                let outside = "-- migrate: no-transaction\n";
                project.write(
                    "up/3_idx.sql",
                    format!("{outside}CREATE INDEX CONCURRENTLY users_name ON users (name);\n"),
                );
                project.write(
                    "down/3_idx.sql",
                    format!("{outside}DROP INDEX CONCURRENTLY users_name;\n"),
                );
            }
            _ => project.write("down/3_idx.sql", "DROP INDEX users_name;\n"),
        }
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 0, "{document:#}");
        assert!(findings(&document).is_empty(), "{document:#}");
        assert_eq!(document["proven"], 3);
        assert!(document["stopped"].is_null());
        assert!(!db.exists(), "check touched the target database");
        let human = migrate(&project, db, &["check"]);
        human.success();
        assert!(
            human
                .stdout
                .contains("check: no findings; 3 versions proven"),
            "{human}"
        );

        let (code, document) = check(&project, db, &["--from", "2"]);
        assert_eq!(code, 0, "{document:#}");
        assert_eq!(
            (&document["proven"], &document["applied"]),
            (&1.into(), &2.into())
        );
    });
}

#[test]
fn a_down_file_that_leaves_a_column_behind() {
    for_each_backend(|db| {
        let project = users()
            .up(
                2,
                "email",
                "ALTER TABLE users ADD COLUMN email VARCHAR(100);\n",
            )
            .down(2, "email", "SELECT 1;\n");
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 3, "{document:#}");
        // Applied again, the up file meets the column it left behind.
        assert_eq!(rules(&document), ["down-does-not-restore", "up-fails"]);
        let restore = finding(&document, "down-does-not-restore");
        assert_eq!(restore["file"], "down/2_email.sql");
        assert_eq!(restore["version"], 2);
        assert_eq!(restore["phase"], "rollback_add");
        let changed = &restore["detail"]["changed"][0];
        assert_eq!(changed["section"], "table");
        assert!(
            changed["name"].as_str().unwrap().contains("users"),
            "{changed}"
        );
        assert!(!changed["before"].as_str().unwrap().contains("email"));
        assert!(changed["after"].as_str().unwrap().contains("email"));
        let fails = finding(&document, "up-fails");
        assert_eq!(
            (&fails["file"], &fails["line"]),
            (&"up/2_email.sql".into(), &1.into())
        );
        assert!(
            fails["message"]
                .as_str()
                .unwrap()
                .starts_with("applied again after down/2_email.sql: ")
        );

        let human = migrate(&project, db, &["check"]);
        human.expect(3);
        assert!(
            human
                .stdout
                .contains("down/2_email.sql: down-does-not-restore: ")
                && human.stdout.contains("    changed table ")
                && human.stdout.contains("      + "),
            "{human}"
        );
    });
}

#[test]
fn a_down_file_that_fails() {
    for_each_backend(|db| {
        let project = users()
            .up(2, "audit", "CREATE TABLE audit (id INTEGER);\n")
            .down(2, "audit", "-- the wrong name\nDROP TABLE audit_log;\n")
            .up(3, "more", "CREATE TABLE more_rows (id INTEGER);\n");
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 3, "{document:#}");
        assert_eq!(rules(&document), ["down-fails"]);
        let failed = finding(&document, "down-fails");
        assert_eq!(
            (&failed["file"], &failed["line"]),
            (&"down/2_audit.sql".into(), &2.into())
        );
        assert!(
            failed["message"].as_str().unwrap().contains("audit_log"),
            "{failed}"
        );
        assert_eq!(document["stopped"]["after"], 2);
        assert_eq!(document["stopped"]["unproven"], 1);
    });
}

#[test]
fn a_down_file_that_drops_what_a_later_version_needs() {
    for_each_backend(|db| {
        let project = users()
            .up(2, "posts", "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n")
            .down(2, "posts", "DROP TABLE posts;\nDROP TABLE users;\n")
            .up(
                3,
                "nick",
                "ALTER TABLE users ADD COLUMN nick VARCHAR(20);\n",
            );
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 3, "{document:#}");
        assert_eq!(
            rules(&document),
            ["down-does-not-restore", "reapply-differs"]
        );
        let removed = &finding(&document, "down-does-not-restore")["detail"]["removed"];
        assert_eq!(removed[0]["section"], "table");
        assert!(
            removed[0]["name"].as_str().unwrap().contains("users"),
            "{removed}"
        );
        let again = finding(&document, "reapply-differs");
        assert_eq!(again["file"], "up/2_posts.sql");
        assert_eq!(again["detail"]["removed"][0]["name"], removed[0]["name"]);
        assert_eq!(document["stopped"]["unproven"], 1);
    });
}

#[test]
fn a_stale_schema_file() {
    for_each_backend(|db| {
        let project = users().file("schema/.keep", "");
        migrate(&project, db, &["up"]).success();
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 0, "the file up wrote is current: {document:#}");

        project.write("up/2_audit.sql", "CREATE TABLE audit (id INTEGER);\n");
        project.write("down/2_audit.sql", "DROP TABLE audit;\n");
        let schema_file = project.path().join("schema/schema.sql");
        let written = std::fs::read_to_string(&schema_file).expect("up wrote schema.sql");
        let (code, document) = check(&project, db, &[]);
        let after = std::fs::read_to_string(&schema_file).expect("schema.sql is still there");
        assert_eq!(written, after, "check rewrote schema/schema.sql");
        assert_eq!(code, 3, "{document:#}");
        assert_eq!(rules(&document), ["schema-file-stale"]);
        let stale = finding(&document, "schema-file-stale");
        assert_eq!(stale["file"], "schema/schema.sql");
        assert!(
            stale["message"]
                .as_str()
                .unwrap()
                .contains("version 2 as pending"),
            "{stale}"
        );
        let added = &stale["detail"]["added"];
        assert!(
            added[0]["name"].as_str().unwrap().contains("audit"),
            "{stale}"
        );
    });
}

#[test]
fn a_scratch_database_that_is_not_empty_is_refused() {
    for_each_backend(|db| {
        let scratch = TestDb::new(db.backend());
        scratch.execute("CREATE TABLE leftover (id INTEGER)");
        let run = users()
            .command()
            .database(db)
            .args(["check"])
            .env("MIGRATE_SCRATCH_URL", scratch.url())
            .run();
        run.expect(2);
        assert!(
            run.stderr.contains("is not empty (it has ") && run.stderr.contains("leftover"),
            "{run}"
        );
        assert!(
            scratch
                .tables()
                .iter()
                .all(|table| !table.contains("db_version")),
            "{run}"
        );
    });
}

#[test]
fn the_target_or_another_kind_as_scratch_database_is_refused() {
    for_each_backend(|db| {
        let run = migrate(&users(), db, &["check", "--scratch-url", db.url()]);
        run.expect(2);
        assert!(
            run.stderr.contains("is the database of --database-url"),
            "{run}"
        );
        let other_kind = match db.backend() {
            Backend::Sqlite => "postgres://nobody@127.0.0.1:1/nothing",
            _ => "sqlite:scratch.db",
        };
        let run = migrate(&users(), db, &["check", "--scratch-url", other_kind]);
        run.expect(2);
        assert!(
            run.stderr.contains("not of the kind of --database-url"),
            "{run}"
        );
        assert!(!db.exists());
    });
}

#[test]
fn a_user_who_may_not_create_databases_is_told_which_privilege() {
    let Some(db) = TestDb::postgres() else { return };
    let role = db.name().replace("migrate_it", "migrate_it_role");
    db.execute(&format!("CREATE ROLE {role} LOGIN NOCREATEDB"));
    let url = crate::support::db::url_with_user(db.url(), &role, "");
    let run = users()
        .command()
        .args(["check", "--database-url", &url])
        .run();
    db.execute(&format!("DROP ROLE {role}"));
    run.expect(1);
    assert!(
        run.stderr.contains("CREATEDB") && run.stderr.contains("--scratch-url"),
        "{run}"
    );
}

#[test]
fn lint_runs_first_and_its_errors_fail_the_check() {
    for_each_backend(|db| {
        let project = users()
            .up(2, "name", "ALTER TABLE users DROP COLUMN name;\n")
            .down(
                2,
                "name",
                "ALTER TABLE users ADD COLUMN name VARCHAR(50);\n",
            );
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 3, "{document:#}");
        let removes = finding(&document, "add-removes");
        assert_eq!(removes["file"], "up/2_name.sql");
        assert_eq!(removes["line"], 1);
        assert_eq!(removes["severity"], "error");
        assert!(
            removes["message"]
                .as_str()
                .is_some_and(|text| text.contains("users.name")),
            "{document:#}"
        );
        // The walk still ran: the folder is proven after the lint.
        assert_eq!(document["proven"], 2, "{document:#}");
    });
}

/// Repeatable files run after the last version on the scratch database:
/// the view they make is part of the schema compared with
/// `schema/schema.sql`, and a failing one is an `up-fails` finding.
#[test]
fn repeatable_files_are_part_of_the_proof() {
    for_each_backend(|db| {
        let project = users().file("schema/.keep", "").file(
            "repeatable/user_names.sql",
            "DROP VIEW IF EXISTS user_names;\nCREATE VIEW user_names AS SELECT name FROM users;\n",
        );
        migrate(&project, db, &["up"]).success();
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 0, "the view is in both schemas: {document:#}");

        project.write("repeatable/broken.sql", "SELECT nope FROM missing_table;\n");
        let (code, document) = check(&project, db, &[]);
        assert_eq!(code, 3, "{document:#}");
        assert_eq!(rules(&document), ["up-fails"]);
        let failed = finding(&document, "up-fails");
        assert_eq!(failed["file"], "repeatable/broken.sql");
        assert!(failed["version"].is_null(), "{failed}");
    });
}

/// A folder of repeatable files alone: `check` still runs them.
#[test]
fn repeatable_files_alone_are_proven_too() {
    let db = TestDb::new(Backend::Sqlite);
    let project = Project::new().file("repeatable/a.sql", "SELECT nope;\n");
    let (code, document) = check(&project, &db, &[]);
    assert_eq!(code, 3, "{document:#}");
    assert_eq!(rules(&document), ["up-fails"]);
    assert_eq!(finding(&document, "up-fails")["file"], "repeatable/a.sql");
}
