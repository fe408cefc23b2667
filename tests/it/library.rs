//! The library as an application uses it at start-up: `Migrator::open`,
//! the plan, `up`, status and the log, on every backend, sharing the run
//! lock, tables and rules of the command.

use migrate::HistoryFilter;
use migrate::Migrator;
use migrate::{Command, Options};

use crate::support::{Project, for_each_backend, migrate, states};

fn project() -> Project {
    Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE lib_users (id INTEGER PRIMARY KEY);\n",
        )
        .up(2, "seed", "INSERT INTO lib_users (id) VALUES (1);\n")
}

#[test]
fn an_application_migrates_itself_at_start_up() {
    for_each_backend(|db| {
        let project = project();
        let migrator = Migrator::open(db.url(), project.path()).expect("a valid URL");

        let plan = migrator
            .preview(Command::Up(None), &Options::default(), Default::default())
            .expect("a plan");
        let planned: Vec<(Option<u128>, &str)> = plan
            .iter()
            .map(|step| {
                (
                    step.version.map(migrate::Version::get),
                    step.operation.as_str(),
                )
            })
            .collect();
        assert_eq!(planned, [(Some(1), "add"), (Some(2), "add")]);
        assert!(db.tables().is_empty(), "the plan changed the database");

        let applied = migrator.up().expect("the migrations apply");
        assert_eq!(applied.len(), 2);
        assert_eq!(applied[0].file.as_deref(), Some("up/1_users.sql"));
        assert!(migrator.up().expect("a second start-up").is_empty());

        let status = migrator.status().expect("a status");
        assert_eq!(status.current_version, 2);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        let history = migrator
            .history(&HistoryFilter::default())
            .expect("the log");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].version.map(migrate::Version::get), Some(2));

        // The command sees what the library did.
        let run = migrate(&project, db, &["version"]);
        run.success();
        assert_eq!(run.stdout, "2\n");
    });
}

#[test]
fn a_failing_migration_is_the_error_of_up() {
    for_each_backend(|db| {
        let project = project().up(3, "broken", "INSERT INTO missing_table (id) VALUES (1);\n");
        let migrator = Migrator::open(db.url(), project.path()).expect("a valid URL");
        let error = migrator.up().expect_err("version 3 fails");
        assert_eq!(error.exit_code(), 1);
        assert!(
            error.to_string().starts_with("up/3_broken.sql:1: "),
            "{error}"
        );
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn open_refuses_what_is_not_a_database_url() {
    let error = Migrator::open("oracle://x", ".").expect_err("not a URL we know");
    assert_eq!(error.exit_code(), 2);
}
