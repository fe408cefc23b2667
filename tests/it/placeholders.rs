//! SPEC section 12, issue 18: `${NAME}` in files marked `-- migrate:
//! placeholders`, filled from `--set NAME=VALUE` or the environment; a name
//! without a value refused before anything runs; the checksum over the text
//! as written; secret-looking values never printed.

use crate::support::db::for_each_backend;
use crate::support::{Project, migrate};

const SECRET: &str = "s3cr3tvalue";

fn project() -> Project {
    Project::new()
        .up(
            1,
            "tenants",
            "-- migrate: placeholders\n\
             CREATE TABLE ${prefix}_tenants (id INTEGER PRIMARY KEY, note VARCHAR(40));\n\
             INSERT INTO ${prefix}_tenants (id, note) VALUES (1, '${note}');\n",
        )
        .up(
            2,
            "plain",
            "CREATE TABLE plain (id INTEGER PRIMARY KEY, note VARCHAR(40));\n\
             INSERT INTO plain (id, note) VALUES (1, '${note}');\n",
        )
}

#[test]
fn values_come_from_set_and_the_environment_and_only_marked_files_are_filled() {
    for_each_backend(|db| {
        let project = project();
        let run = project
            .command()
            .database(db)
            .env("note", "from the environment")
            .args(["up", "--set", "prefix=acme"])
            .run();
        run.success();
        assert_eq!(
            db.rows("SELECT note FROM acme_tenants"),
            vec![vec!["from the environment".to_string()]],
            "{run}"
        );
        // A file without the directive runs as written.
        assert_eq!(
            db.rows("SELECT note FROM plain"),
            vec![vec!["${note}".to_string()]]
        );
    });
}

#[test]
fn set_wins_over_the_environment() {
    for_each_backend(|db| {
        let project = project();
        project
            .command()
            .database(db)
            .env("note", "environment")
            .env("prefix", "ignored")
            .args(["up", "--set", "prefix=acme", "--set", "note=flag"])
            .run()
            .success();
        assert_eq!(
            db.rows("SELECT note FROM acme_tenants"),
            vec![vec!["flag".to_string()]]
        );
        assert!(!db.table_exists("ignored_tenants"));
    });
}

/// Every missing name is listed with its file and line (exit 2), and the
/// database is left exactly as it was.
#[test]
fn a_name_without_a_value_is_a_preflight_error() {
    for_each_backend(|db| {
        let project = project();
        let before = db.footprint();
        let run = project
            .command()
            .database(db)
            .env_remove("note")
            .env_remove("prefix")
            .args(["up"])
            .run();
        run.expect(2);
        assert!(
            run.stderr.contains("up/1_tenants.sql:2:")
                && run.stderr.contains("`${prefix}` has no value")
                && run.stderr.contains("--set prefix=VALUE"),
            "{run}"
        );
        assert!(
            run.stderr.contains("up/1_tenants.sql:3:") && run.stderr.contains("`${note}`"),
            "{run}"
        );
        assert!(db.footprint() == before, "the database changed\n{run}");
    });
}

/// The checksum is the text's: other values the next time are not drift.
#[test]
fn other_values_later_are_not_drift() {
    for_each_backend(|db| {
        let project = project();
        let set = ["--set", "prefix=acme", "--set", "note=one"];
        migrate(&project, db, &[&["up"][..], &set].concat()).success();
        let status = migrate(
            &project,
            db,
            &[
                "status",
                "--json",
                "--set",
                "prefix=other",
                "--set",
                "note=two",
            ],
        );
        status.success();
        let document = status.json();
        let versions = document["versions"].as_array().cloned().unwrap_or_default();
        assert_eq!(versions.len(), 2, "{status}");
        assert!(
            versions.iter().all(|version| version["drift"] == false),
            "{status}"
        );
        migrate(&project, db, &["verify"]).success();
    });
}

/// A secret-looking name's value is not in the dry run's SQL nor in the
/// database's error, which may quote the statement; other values are.
#[test]
fn secret_values_are_never_printed() {
    for_each_backend(|db| {
        let project = Project::new().up(
            1,
            "grant",
            "-- migrate: placeholders\n\
             CREATE TABLE ${schema_name}_keys (id INTEGER PRIMARY KEY);\n\
             SELECT * FROM missing_${api_token};\n",
        );
        let set = [
            "--set",
            "schema_name=billing",
            "--set",
            &format!("api_token={SECRET}"),
        ];
        let dry_run = migrate(
            &project,
            db,
            &[&["up", "--dry-run", "-v"][..], &set].concat(),
        );
        dry_run.success();
        assert!(dry_run.stdout.contains("billing_keys"), "{dry_run}");
        assert!(dry_run.stdout.contains("missing_***"), "{dry_run}");
        assert!(!dry_run.all_output().contains(SECRET), "{dry_run}");

        let run = migrate(&project, db, &[&["up"][..], &set].concat());
        run.expect(1);
        assert!(run.stderr.contains("up/1_grant.sql:3"), "{run}");
        assert!(!run.all_output().contains(SECRET), "{run}");
        let json = migrate(&project, db, &[&["up", "--json"][..], &set].concat());
        assert!(!json.all_output().contains(SECRET), "{json}");
        let log = migrate(&project, db, &["log", "--json"]);
        assert!(!log.all_output().contains(SECRET), "{log}");
        let status = migrate(&project, db, &["status", "--json"]);
        assert!(!status.all_output().contains(SECRET), "{status}");
    });
}

#[test]
fn set_refuses_what_is_not_a_name_and_a_value() {
    let project = project();
    for value in ["novalue", "1x=2", "a-b=c", "=v"] {
        let run = project.command().args(["up", "--set", value]).run();
        run.expect(2);
        assert!(
            run.stderr
                .contains(value.split('=').next().unwrap_or(value)),
            "{run}"
        );
    }
}

#[test]
fn a_directive_with_a_value_is_refused() {
    let project = Project::new().up(1, "a", "-- migrate: placeholders=yes\nSELECT 1;\n");
    let run = project.command().args(["up"]).run();
    run.expect(2);
    assert!(
        run.stderr.contains("up/1_a.sql:1") && run.stderr.contains("`placeholders` takes no value"),
        "{run}"
    );
}

/// `lint` reads a placeholder as an identifier, so the statement is still
/// checked rather than left unparsed.
#[test]
fn lint_reads_the_statements_around_placeholders() {
    let project = Project::new().up(
        1,
        "grants",
        "-- migrate: placeholders\n\
         CREATE TABLE ${prefix}_t (id INTEGER PRIMARY KEY);\n\
         GRANT SELECT ON ${prefix}_t TO ${role};\n",
    );
    let run = project
        .command()
        .args(["lint", "--dialect", "postgres"])
        .run();
    run.success();
    assert!(!run.all_output().contains("unparsed"), "{run}");
}
