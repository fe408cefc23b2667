//! `lint`: every rule's fixture (a file that triggers it and its nearest
//! safe variant) on its databases, the formats and exit codes, `allow=`,
//! and `--pending`, which reads the version table of each backend.

use std::path::{Path, PathBuf};

use crate::support::{Invocation, Project, for_each_backend, migrate};

fn fixtures(dialect: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lint")
        .join(dialect);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the lint fixtures")
        .map(|entry| entry.expect("a fixture").path())
        .collect();
    cases.sort();
    cases
}

fn lint(dir: &Path, args: &[&str]) -> crate::support::Run {
    Invocation::bare(dir).args(["lint"]).args(args).run()
}

/// Each case folder is named after its rule: its `unsafe` files trigger it,
/// its `safe` files (the nearest fix) do not, and nothing else fires.
fn check_fixtures(dialect: &str) -> String {
    let mut transcript = String::new();
    for case in fixtures(dialect) {
        let rule = case
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a rule name")
            .to_string();
        let run = lint(&case, &["--dialect", dialect, "--json"]);
        let findings = run.json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let fired = |file_part: &str| {
            findings.iter().any(|f| {
                f["rule"] == rule.as_str()
                    && f["file"].as_str().is_some_and(|p| p.contains(file_part))
            })
        };
        assert!(
            fired("_unsafe"),
            "{dialect}/{rule}: the unsafe file does not trigger it\n{run}"
        );
        assert!(
            !fired("_safe"),
            "{dialect}/{rule}: the safe variant triggers it\n{run}"
        );
        for finding in &findings {
            assert!(
                finding["file"]
                    .as_str()
                    .is_some_and(|p| p.contains("_unsafe")),
                "{dialect}/{rule}: {finding}"
            );
        }
        let human = lint(&case, &["--dialect", dialect]);
        transcript.push_str(&format!(
            "== {rule} (exit {})\n{}",
            human.code, human.stdout
        ));
    }
    transcript
}

#[test]
fn postgres_rules_fire_on_their_fixtures_only() {
    insta::assert_snapshot!(check_fixtures("postgres"));
}

#[test]
fn mysql_rules_fire_on_their_fixtures_only() {
    insta::assert_snapshot!(check_fixtures("mysql"));
}

#[test]
fn sqlite_rules_fire_on_their_fixtures_only() {
    insta::assert_snapshot!(check_fixtures("sqlite"));
}

#[test]
fn exit_3_on_errors_0_on_warnings_and_notes() {
    let project = Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE users (id int PRIMARY KEY, name text);\n",
        )
        .up(
            2,
            "seed",
            "ALTER TABLE users ADD COLUMN plan text;\nINSERT INTO users VALUES (1, 'a', 'b');\n",
        );
    lint(project.path(), &["--dialect", "mysql"]).expect(0);
    project.write("up/3_drop.sql", "ALTER TABLE users DROP COLUMN name;\n");
    let run = lint(project.path(), &["--dialect", "mysql"]);
    run.expect(3);
    assert!(
        run.stdout
            .contains("up/3_drop.sql:1: add-removes: drops column users.name; "),
        "{run}"
    );
    // The dialect comes from the URL when --dialect is not given.
    let run = lint(
        project.path(),
        &["--database-url", "postgres://nobody@127.0.0.1:1/none"],
    );
    run.expect(3);
    assert!(!run.stdout.contains("mysql-mixed-ddl-dml"), "{run}");
}

#[test]
fn an_unknown_rule_in_allow_is_a_folder_error_naming_file_and_line() {
    let project = Project::new().up(
        1,
        "users",
        "-- why: legacy\n-- migrate: allow=add-remove\nCREATE TABLE users (id int);\n",
    );
    let run = lint(project.path(), &["--dialect", "sqlite"]);
    run.expect(2);
    assert!(
        run.stderr
            .contains("error: up/1_users.sql:2: `allow=add-remove` names no lint rule"),
        "{run}"
    );
    let json = lint(project.path(), &["--dialect", "sqlite", "--json"]);
    json.expect(2);
    assert_eq!(json.json()["findings"], serde_json::json!([]));
    assert_eq!(json.json()["error"]["line"], 2);
}

#[test]
fn an_unknown_dialect_is_a_usage_error_naming_it() {
    let project = Project::new().up(1, "users", "CREATE TABLE users (id int);\n");
    let run = lint(project.path(), &["--dialect", "oracle"]);
    run.expect(2);
    assert!(
        run.stderr
            .contains("`oracle` is no dialect: write sqlite, postgres or mysql"),
        "{run}"
    );
}

#[test]
fn allow_silences_a_rule_and_the_file_still_runs() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(
                1,
                "users",
                "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));\n",
            )
            .up(
                2,
                "drop_name",
                "-- migrate: allow=add-removes\nALTER TABLE users DROP COLUMN name;\n",
            )
            .down(
                2,
                "drop_name",
                "ALTER TABLE users ADD COLUMN name varchar(20);\n",
            );
        migrate(&project, db, &["lint"]).success();
        migrate(&project, db, &["up"]).success();
        migrate(&project, db, &["down", "1"]).success();
    });
}

#[test]
fn pending_treats_tables_of_earlier_pending_versions_as_new() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(
                1,
                "users",
                "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));\n",
            )
            .up(2, "drop_name", "ALTER TABLE users DROP COLUMN name;\n");
        // Nothing applied: users is made by a pending version, so it is new.
        migrate(&project, db, &["lint", "--pending"]).success();
        // Everything is linted without --pending: version 1 may have shipped.
        migrate(&project, db, &["lint"]).expect(3);
        migrate(&project, db, &["up", "1"]).success();
        let run = migrate(&project, db, &["lint", "--pending", "--json"]);
        run.expect(3);
        let findings = run.json()["findings"].clone();
        assert_eq!(findings[0]["file"], "up/2_drop_name.sql", "{run}");
        assert_eq!(findings[0]["rule"], "add-removes", "{run}");
    });
}

#[test]
fn json_lists_findings_with_file_line_rule_severity_message_and_fix() {
    let case = fixtures("postgres")
        .into_iter()
        .find(|c| c.ends_with("pg-index-not-concurrent"))
        .expect("fixture");
    let by_flag = lint(&case, &["--dialect", "postgres", "--format", "json"]);
    let by_global = lint(&case, &["--dialect", "postgres", "--json"]);
    by_flag.expect(3);
    assert_eq!(by_flag.json(), by_global.json());
    let finding = &by_flag.json()["findings"][0];
    assert_eq!(finding["file"], "up/2_unsafe.sql");
    assert_eq!(finding["line"], 1);
    assert_eq!(finding["rule"], "pg-index-not-concurrent");
    assert_eq!(finding["severity"], "error");
    assert!(
        finding["fix"]
            .as_str()
            .is_some_and(|fix| fix.contains("no-transaction"))
    );
}

/// The SARIF 2.1.0 schema as OASIS published it, from the serde-sarif
/// package in Cargo's registry (it ships the schema it generates its
/// types from): no network at test time and no copy in this repository.
fn sarif_schema() -> serde_json::Value {
    // Only this platform's packages: a machine that built the tests has
    // those in the registry, not necessarily the Windows-only ones.
    let rustc = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_string))
        .expect("rustc names its host");
    let metadata = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            &host,
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata");
    let metadata: serde_json::Value =
        serde_json::from_slice(&metadata.stdout).expect("metadata JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let sarif = packages
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .expect("serde-sarif is a dev-dependency");
    let manifest = PathBuf::from(sarif["manifest_path"].as_str().expect("a manifest path"));
    let schema = manifest.with_file_name("src").join("schema.json");
    let text = std::fs::read_to_string(&schema).expect("serde-sarif ships src/schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema = sarif_schema();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    // The published schema's `language` patterns are not valid regexes
    // (`...-[a-zA-Z]{2}]?$`, an unbalanced `]`): a known erratum, which
    // the meta-schema rejects. They are set to the pattern meant; our
    // documents carry no `language`, so nothing else changes.
    let mut schema = schema;
    fix_language_patterns(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for dialect in ["postgres", "mysql", "sqlite"] {
        for case in fixtures(dialect) {
            let run = lint(&case, &["--dialect", dialect, "--format", "sarif"]);
            let sarif = run.json();
            let errors: Vec<String> = validator
                .iter_errors(&sarif)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", case.display());
            // The typed model of the same schema reads it back.
            let typed: serde_sarif::sarif::Sarif =
                serde_json::from_value(sarif.clone()).expect("typed SARIF");
            let results = typed.runs[0].results.as_ref().map_or(0, Vec::len);
            let rules = typed.runs[0].tool.driver.rules.as_ref().map_or(0, Vec::len);
            assert!(results > 0 && rules == 15, "{}", case.display());
            let region =
                &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().is_some_and(|line| line >= 1));
        }
    }
}

/// With an absolute `--dir` the paths are relative to a named base,
/// which the run declares; with a relative one they start with it.
#[test]
fn sarif_paths_follow_the_folder_as_given() {
    let case = fixtures("sqlite").remove(0);
    let run = Invocation::bare(Path::new("/"))
        .args(["lint", "--dialect", "sqlite", "--format", "sarif"])
        .arg_path("--dir", &case)
        .run();
    let sarif = run.json();
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uriBaseId"], "MIGRATIONS",
        "{run}"
    );
    let base = sarif["runs"][0]["originalUriBaseIds"]["MIGRATIONS"]["uri"]
        .as_str()
        .unwrap_or_default();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let mut schema = sarif_schema();
    fix_language_patterns(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(validator.is_valid(&sarif), "{run}");
    let parent = case.parent().expect("a parent");
    let relative = Invocation::bare(parent)
        .args(["lint", "--dialect", "sqlite", "--format", "sarif", "--dir"])
        .args(case.file_name())
        .run();
    let uri = &relative.json()["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(
        uri.as_str()
            .map(|uri| uri.starts_with("add-breaks-writes/up/")),
        Some(true),
        "{relative}"
    );
}

fn fix_language_patterns(value: &mut serde_json::Value) {
    const ERRATUM: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(text) if text == ERRATUM => {
            *text = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
        }
        serde_json::Value::Object(map) => map.values_mut().for_each(fix_language_patterns),
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_language_patterns),
        _ => {}
    }
}
