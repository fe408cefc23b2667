//! `migrate env` (issue 18): every resolved setting, its value without a
//! password, and where it came from — a flag, the real environment, the
//! `.env` file or the default.

use serde_json::{Value, json};

use crate::support::{Invocation, Project, mask};

/// The entry of `name` in `{"settings": [...]}`.
fn entry<'a>(document: &'a Value, name: &str) -> &'a Value {
    document["settings"]
        .as_array()
        .and_then(|settings| settings.iter().find(|setting| setting["name"] == name))
        .unwrap_or_else(|| panic!("no setting {name} in {document}"))
}

#[test]
fn env_names_each_setting_and_its_source_without_the_password() {
    let folder = tempfile::tempdir().expect("a folder");
    std::fs::write(
        folder.path().join(".env"),
        "DATABASE_URL=postgres://app:s3cret-pw@db.example:5432/app\nMIGRATE_RELEASE=7\n\
         MIGRATE_DIR=from_dotenv\n",
    )
    .expect("write .env");
    let run = Invocation::bare(folder.path())
        .env("MIGRATE_DIR", "from_environment")
        .args([
            "env",
            "--table",
            "schema_versions",
            "--lock-timeout",
            "2s",
            "--json",
        ])
        .run();
    run.success();
    assert!(!run.all_output().contains("s3cret-pw"), "{run}");
    let document = run.json();
    let url = entry(&document, "database_url");
    assert_eq!(
        url["value"], "postgres://app@db.example:5432/app",
        "{document}"
    );
    assert_eq!(url["from"], ".env", "{document}");
    assert_eq!(url["variable"], "DATABASE_URL", "{document}");
    assert_eq!(url["file"], ".env", "{document}");
    assert_eq!(
        entry(&document, "dir"),
        &json!({"name": "dir", "value": "from_environment", "from": "environment",
                "variable": "MIGRATE_DIR", "file": null, "problem": null}),
        "the real environment wins over .env"
    );
    assert_eq!(entry(&document, "release")["value"], "7");
    assert_eq!(entry(&document, "table")["from"], "flag");
    assert_eq!(entry(&document, "table")["variable"], "--table");
    assert_eq!(entry(&document, "lock_timeout")["value"], "2s");
    assert_eq!(entry(&document, "lock_wait")["from"], "default");
    assert_eq!(entry(&document, "lock_wait")["value"], "60s");

    let human = Invocation::bare(folder.path())
        .args([
            "env",
            "--database-url",
            "mysql://root:hunter2@127.0.0.1/app",
        ])
        .run();
    human.success();
    assert!(!human.all_output().contains("hunter2"), "{human}");
    insta::assert_snapshot!(mask(&human.stdout, &[folder.path()]), @r"
    setting         value                                  from
    database_url    mysql://root@127.0.0.1/app             --database-url
    dir             from_dotenv                            .env: MIGRATE_DIR in .env
    table           db_version                             default
    release         7                                      .env: MIGRATE_RELEASE in .env
    lock_wait       60s                                    default
    lock_timeout    5s, 3 retries of a transactional file  default
    wait            off (one try)                          default
    env_file        .env                                   default
    dump_schema     on when schema/ exists                 default
    scratch_url     a temporary database beside the URL's  default
    progress_every  5s then every 30s                      default
    lock_mode       advisory; table behind a pooler        default
    lock_lease      30s                                    default
    targets         none (one database)                    default
    ");
}

#[test]
fn env_with_nothing_set_shows_the_defaults_and_an_invalid_url_exits_2() {
    let folder = tempfile::tempdir().expect("a folder");
    let run = Invocation::bare(folder.path())
        .args(["env", "--json"])
        .run();
    run.success();
    let document = run.json();
    for setting in document["settings"].as_array().expect("settings") {
        assert_eq!(setting["from"], "default", "{document}");
    }
    assert_eq!(
        entry(&document, "database_url")["value"],
        "sqlite:migrate.db"
    );
    assert_eq!(
        run.stderr, "",
        "env is not a run on the default database: {run}"
    );

    let bad = Invocation::bare(folder.path())
        .env("DATABASE_URL", "postgress://u:topsecret@h/db")
        .args(["env"])
        .run();
    bad.expect(2);
    assert!(!bad.all_output().contains("topsecret"), "{bad}");
    assert!(bad.stdout.contains("database_url is invalid: "), "{bad}");
}

/// The run lock, the fleet file and the placeholders are settings too; a
/// secret-looking placeholder's value is not shown.
#[test]
fn env_shows_the_lock_the_targets_and_the_placeholders() {
    let project = Project::new();
    let run = project
        .command()
        .env("MIGRATE_LOCK_MODE", "table")
        .args([
            "env",
            "--json",
            "--targets",
            "fleet.txt",
            "--set",
            "schema=billing",
            "--set",
            "api_token=S3cretT0ken",
        ])
        .run();
    run.success();
    assert!(!run.all_output().contains("S3cretT0ken"), "{run}");
    let document = run.json();
    assert_eq!(entry(&document, "lock_mode")["value"], "table");
    assert_eq!(entry(&document, "lock_mode")["from"], "environment");
    assert_eq!(entry(&document, "targets")["value"], "fleet.txt");
    let sets: Vec<&str> = document["settings"]
        .as_array()
        .map(|settings| {
            settings
                .iter()
                .filter(|setting| setting["name"] == "set")
                .filter_map(|setting| setting["value"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sets, ["schema=billing", "api_token=***"]);
}
