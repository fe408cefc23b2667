//! Preflight on plans built by the planner from the planner tests' folders,
//! against the three real dialects: which files run atomically, and which
//! plans are usage errors (exit 2) or refused for safety (exit 5).

use std::time::Duration;

use super::*;
use crate::backend::mysql::dialect::MysqlDialect;
use crate::backend::postgres::dialect::PostgresDialect;
use crate::backend::sqlite::dialect::SqliteDialect;
use crate::plan::tests::{db, failure, files, with_failure};
use crate::plan::{Command, Options, plan};
use crate::record::DbState;
use crate::scan::Catalogue;
use crate::state::Operation;

fn dialects() -> [&'static dyn Dialect; 3] {
    [&SqliteDialect, &PostgresDialect, &MysqlDialect]
}

/// Preflight of `up` over `catalogue` on an empty database.
fn up(catalogue: &Catalogue, dialect: &dyn Dialect, run: &RunOptions) -> Result<Vec<bool>, Error> {
    let empty = db(catalogue, &[]);
    up_from(catalogue, &empty, &Options::default(), dialect, run)
}

/// Whether each step of the plan runs atomically, or the error.
fn up_from(
    catalogue: &Catalogue,
    state: &DbState,
    options: &Options,
    dialect: &dyn Dialect,
    run: &RunOptions,
) -> Result<Vec<bool>, Error> {
    let plan = plan(catalogue, state, Command::Up(None), options).expect("the plan");
    let ready = preflight(&plan, dialect, run)?;
    Ok(ready.iter().map(|step| step.atomic).collect())
}

fn problems(error: Error) -> Vec<FileProblem> {
    match error {
        Error::Preflight(problems) | Error::UnsafePlan(problems) => problems,
        other => panic!("not a list of problems: {other:?}"),
    }
}

#[test]
fn a_plain_file_is_atomic_everywhere_and_mysql_ddl_is_not() {
    let folder = files(&[
        "up/1.sql: INSERT INTO t VALUES (1);\nUPDATE t SET x = 2;\n",
        "up/2.sql: CREATE TABLE u (id int);\n",
    ]);
    let run = RunOptions::default();
    assert_eq!(up(&folder, &SqliteDialect, &run).unwrap(), [true, true]);
    assert_eq!(up(&folder, &PostgresDialect, &run).unwrap(), [true, true]);
    // MySQL commits around DDL: the file is run statement by statement.
    assert_eq!(up(&folder, &MysqlDialect, &run).unwrap(), [true, false]);
}

#[test]
fn a_no_transaction_file_is_not_atomic() {
    let folder = files(&["up/1.sql: -- migrate: no-transaction\nINSERT INTO t VALUES (1);\n"]);
    for dialect in dialects() {
        let atomic = up(&folder, dialect, &RunOptions::default()).unwrap();
        assert_eq!(atomic, [false], "{}", dialect.name());
    }
}

#[test]
fn transaction_control_in_a_transactional_file_is_a_usage_error_at_its_line() {
    let folder = files(&["up/1.sql: INSERT INTO t VALUES (1);\nCOMMIT;\n"]);
    for dialect in dialects() {
        let error = up(&folder, dialect, &RunOptions::default()).unwrap_err();
        assert_eq!(error.exit_code(), 2, "{}: {error:?}", dialect.name());
        let found = problems(error);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, "up/1.sql");
        assert_eq!(found[0].line, Some(2), "{}", dialect.name());
    }
}

#[test]
fn single_transaction_is_refused_where_it_cannot_hold() {
    let run = RunOptions {
        single_transaction: true,
        ..RunOptions::default()
    };
    let plain = files(&["up/1.sql: INSERT INTO t VALUES (1);\n"]);
    // MySQL's DDL commits implicitly: no single transaction at all.
    let error = up(&plain, &MysqlDialect, &run).unwrap_err();
    assert!(
        matches!(&error, Error::Usage(message) if message.contains("MySQL")),
        "{error:?}"
    );
    // Over a file that cannot be in a transaction: refused for safety.
    let outside = files(&["up/1.sql: -- migrate: no-transaction\nINSERT INTO t VALUES (1);\n"]);
    let error = up(&outside, &PostgresDialect, &run).unwrap_err();
    assert_eq!(error.exit_code(), 5, "{error:?}");
    assert_eq!(up(&plain, &PostgresDialect, &run).unwrap(), [true]);
}

#[test]
fn a_lock_timeout_beyond_the_database_is_a_usage_error_naming_both() {
    let run = RunOptions {
        lock_timeout: Some(Duration::from_secs(60 * 24 * 3600)),
        ..RunOptions::default()
    };
    let folder = files(&["up/1.sql: INSERT INTO t VALUES (1);\n"]);
    let error = up(&folder, &PostgresDialect, &run).unwrap_err();
    let Error::Usage(message) = &error else {
        panic!("{error:?}")
    };
    assert!(message.starts_with("--lock-timeout 86400m"), "{message}");
    assert!(message.contains("at most"), "{message}");
    let zero = RunOptions {
        lock_timeout: Some(Duration::ZERO),
        ..RunOptions::default()
    };
    for dialect in dialects() {
        assert!(up(&folder, dialect, &zero).is_ok(), "{}", dialect.name());
    }
}

#[test]
fn retries_on_a_file_that_commits_implicitly_is_a_usage_error() {
    let folder = files(&["up/1.sql: -- migrate: retries=2\nCREATE TABLE t (id int);\n"]);
    let run = RunOptions::default();
    let error = up(&folder, &MysqlDialect, &run).unwrap_err();
    assert_eq!(error.exit_code(), 2, "{error:?}");
    let found = problems(error);
    assert!(found[0].message.contains("retries"), "{found:?}");
    // Transactional DDL can be re-run as a whole.
    assert_eq!(up(&folder, &PostgresDialect, &run).unwrap(), [true]);
    assert_eq!(up(&folder, &SqliteDialect, &run).unwrap(), [true]);
}

#[test]
fn every_problem_of_the_plan_is_listed_at_once() {
    let folder = files(&["up/1.sql: BEGIN;\n", "up/2.sql: SELECT 1;\nROLLBACK;\n"]);
    let error = up(&folder, &SqliteDialect, &RunOptions::default()).unwrap_err();
    let found = problems(error);
    let places: Vec<(&str, Option<usize>)> = found
        .iter()
        .map(|problem| (problem.path.as_str(), problem.line))
        .collect();
    assert_eq!(places, [("up/1.sql", Some(1)), ("up/2.sql", Some(2))]);
}

#[test]
fn resume_skips_what_committed_and_refuses_it_changed() {
    let text = "-- migrate: no-transaction\nSELECT 1;\nSELECT 2;\n";
    let folder = files(&[&format!("up/1.sql: {text}")]);
    let statements = split(&folder_text(&folder), SqliteDialect.syntax()).unwrap();
    let mut failed = failure(Operation::Add, "r1", true);
    failed.done_checksum = done_checksum(&statements[..1]);
    let state = with_failure(db(&folder, &[]), 1, &failed);
    let resume = Options {
        resume: true,
        ..Options::default()
    };
    let run = RunOptions::default();
    let plan = plan(&folder, &state, Command::Up(None), &resume).unwrap();
    let ready = preflight(&plan, &SqliteDialect, &run).unwrap();
    assert_eq!(ready[0].skip, 1);
    assert!(!ready[0].atomic);

    // The committed statement was edited since: refused for safety.
    let edited = files(&["up/1.sql: -- migrate: no-transaction\nSELECT 10;\nSELECT 2;\n"]);
    let state = with_failure(db(&edited, &[]), 1, &failed);
    let error = up_from(&edited, &state, &resume, &SqliteDialect, &run).unwrap_err();
    assert_eq!(error.exit_code(), 5, "{error:?}");
}

fn folder_text(catalogue: &Catalogue) -> String {
    let files = catalogue.versions().next().expect("a version");
    let file = files.file(Operation::Add).expect("an up file");
    file.script.text.clone()
}

#[test]
fn placeholders_are_filled_with_offsets_into_the_filled_text() {
    let folder = files(&[
        "up/1.sql: -- migrate: placeholders\nCREATE TABLE ${t} (id int);\nINSERT INTO ${t} VALUES ('${api_key}');\n",
    ]);
    let mut run = RunOptions::default();
    run.placeholders.set("t", "tenants").set("api_key", "k3y");
    let empty = db(&folder, &[]);
    for dialect in dialects() {
        let plan = plan(&folder, &empty, Command::Up(None), &Options::default()).expect("the plan");
        let ready = preflight(&plan, dialect, &run).expect("ready");
        let filled = ready[0].filled.as_ref().expect("filled");
        assert!(filled.text.contains("CREATE TABLE tenants (id int);"));
        for statement in &filled.statements {
            assert_eq!(
                filled
                    .text
                    .get(statement.offset..statement.offset + statement.text.len()),
                Some(statement.text.as_str())
            );
        }
        assert_eq!(
            filled.statements[1].text,
            "INSERT INTO tenants VALUES ('k3y')"
        );
        assert_eq!(filled.secrets, ["k3y"]);
        // What committed is checksummed as written, whatever the values.
        assert!(ready[0].statements[0].text.contains("${t}"));
        assert_eq!(filled.redact("near 'k3y'"), "near '***'");
    }
}

#[test]
fn a_placeholder_without_a_value_is_a_usage_error_at_its_first_line() {
    let folder = files(&[
        "up/1.sql: -- migrate: placeholders\nSELECT '${a}';\nSELECT '${a}', '${b}';\n",
        "up/2.sql: SELECT '${unmarked}';\n",
    ]);
    let mut run = RunOptions::default();
    run.placeholders.set("b", "1");
    let error = up(&folder, &SqliteDialect, &run).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    let found = problems(error);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, Some(2));
    assert!(
        found[0].message.contains("`${a}` has no value"),
        "{}",
        found[0].message
    );
}
