//! Where settings come from (SPEC section 4): `DATABASE_URL`, `./.env`, the
//! real environment over `.env`, `--env-file`, `--no-env-file`, the embedded
//! default `sqlite:migrate.db`, `MIGRATE_DIR`; `--table`; bad URLs; and
//! passwords, which never appear in any output.

use crate::support::db::{url_with_port, url_with_user};
use crate::support::{
    Backend, Invocation, Project, TestDb, for_each_backend, for_each_backend_where, migrate, states,
};

fn project() -> Project {
    Project::new()
        .up(1, "users", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n")
        .down(1, "users", "DROP TABLE users;\n")
}

fn dotenv(db: &TestDb) -> String {
    format!("DATABASE_URL={}\n", db.url())
}

#[test]
fn database_url_from_the_environment() {
    for_each_backend(|db| {
        let project = project();
        let run = project
            .command()
            .env("DATABASE_URL", db.url())
            .args(["up"])
            .run();
        run.success();
        assert!(!run.stderr.contains("default"), "{run}");
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn a_dotenv_file_in_the_current_folder_is_read() {
    for_each_backend(|db| {
        let project = project();
        project.write(
            ".env",
            format!("{}MIGRATE_RELEASE=from-dotenv\n", dotenv(db)),
        );
        project.command().args(["up"]).run().success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        let status = project.command().args(["status", "--json"]).run();
        assert_eq!(
            status.success().json()["versions"][0]["release"],
            "from-dotenv"
        );
    });
}

#[test]
fn a_dotenv_file_may_set_the_migrations_folder() {
    for_each_backend(|db| {
        let project = project();
        let workdir = tempfile::tempdir().expect("a temporary folder");
        let settings = format!("{}MIGRATE_DIR={}\n", dotenv(db), project.path().display());
        std::fs::write(workdir.path().join(".env"), settings).expect("write .env");
        Invocation::bare(workdir.path())
            .args(["up"])
            .run()
            .success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert!(!workdir.path().join("migrate.db").exists());
    });
}

#[test]
fn the_real_environment_wins_over_dotenv() {
    for_each_backend(|db| {
        let in_dotenv = TestDb::new(db.backend());
        let project = project();
        project.write(".env", dotenv(&in_dotenv));
        project
            .command()
            .env("DATABASE_URL", db.url())
            .args(["up"])
            .run()
            .success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert!(!in_dotenv.exists(), "the .env database was used");
    });
}

#[test]
fn env_file_reads_that_file_instead_of_dotenv() {
    for_each_backend(|db| {
        let in_dotenv = TestDb::new(db.backend());
        let project = project();
        project.write(".env", dotenv(&in_dotenv));
        let elsewhere = tempfile::tempdir().expect("a temporary folder");
        let env_file = elsewhere.path().join("deploy.env");
        std::fs::write(&env_file, dotenv(db)).expect("write the env file");
        project
            .command()
            .arg_path("--env-file", &env_file)
            .args(["up"])
            .run()
            .success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
        assert!(!in_dotenv.exists(), "./.env was read too");

        let missing = elsewhere.path().join("missing.env");
        let run = project
            .command()
            .arg_path("--env-file", &missing)
            .args(["status"])
            .run();
        run.expect(2);
        assert!(run.stderr.contains("missing.env"), "{run}");
    });
}

#[test]
fn no_env_file_ignores_dotenv_and_falls_back_to_the_default() {
    for_each_backend(|in_dotenv| {
        let project = project();
        project.write(".env", dotenv(in_dotenv));
        let run = project.command().args(["up", "--no-env-file"]).run();
        run.success();
        assert!(!in_dotenv.exists(), "--no-env-file read .env");
        assert!(project.path().join("migrate.db").exists());
        assert!(run.stderr.contains("sqlite:migrate.db"), "{run}");
    });
}

#[test]
fn without_any_url_the_embedded_default_is_used_and_announced() {
    let project = project();
    let workdir = tempfile::tempdir().expect("a temporary folder");
    let run = Invocation::bare(workdir.path())
        .arg_path("--dir", project.path())
        .args(["up"])
        .run();
    run.success();
    assert!(
        run.stderr.contains("sqlite:migrate.db"),
        "the default is not announced\n{run}"
    );
    let created = workdir.path().join("migrate.db");
    assert!(
        created.exists(),
        "migrate.db was not created in the current folder"
    );
    let connection = rusqlite::Connection::open(&created).expect("open migrate.db");
    let users: i64 = connection
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'users'",
            [],
            |row| row.get(0),
        )
        .expect("read the catalog");
    assert_eq!(users, 1);
}

#[test]
fn migrate_dir_from_the_environment() {
    for_each_backend(|db| {
        let project = project();
        let workdir = tempfile::tempdir().expect("a temporary folder");
        Invocation::bare(workdir.path())
            .env("MIGRATE_DIR", project.path())
            .database(db)
            .args(["up"])
            .run()
            .success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn a_bad_url_scheme_is_a_usage_error() {
    let project = project();
    for url in ["mongodb://localhost/app", "migrate.db", "sqlite:"] {
        let run = project.command().args(["--database-url", url, "up"]).run();
        run.expect(2);
        assert!(run.stderr.starts_with("error: "), "{run}");
        let json = project
            .command()
            .args(["--database-url", url, "up", "--json"])
            .run();
        json.expect(2);
        assert_eq!(json.json()["error"]["exit_code"], 2, "{json}");
    }
    assert!(!project.path().join("migrate.db").exists());
}

#[test]
fn table_names_the_version_table_and_its_log() {
    for_each_backend(|db| {
        let project = project();
        migrate(&project, db, &["up", "--table", "custom"]).success();
        let mut tables = db.tables();
        tables.retain(|table| table != "users");
        assert_eq!(tables, ["custom", "custom_log"]);
        assert_eq!(
            db.rows("SELECT version, state FROM custom"),
            [["1", "added"]]
        );
        let status = migrate(&project, db, &["status", "--table", "custom", "--json"]).json();
        assert_eq!(status["versions"][0]["state"], "added");
        let other = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            other["versions"][0]["state"], "pending",
            "db_version was used"
        );
    });
}

#[test]
fn an_invalid_table_name_is_a_usage_error() {
    for_each_backend(|db| {
        let project = project();
        for name in ["a-b", "x; DROP TABLE users", ""] {
            let run = migrate(&project, db, &["up", "--table", name]);
            run.expect(2);
            assert!(run.stderr.starts_with("error: "), "{run}");
        }
        assert!(!db.exists(), "an invalid table name created the database");
    });
}

const PASSWORD: &str = "s3cr3t-Pa55";

#[test]
fn a_password_never_appears_in_any_output() {
    let project = project();
    let env_file = format!("DATABASE_URL=postgres://bob:{PASSWORD}@127.0.0.1:1/app\n");
    project.write("deploy.env", &env_file);
    let urls = [
        format!("postgres://bob:{PASSWORD}@127.0.0.1:1/app?sslmode=disable"),
        format!("postgresql://bob:{PASSWORD}@127.0.0.1:1/app"),
        format!("mysql://bob:{PASSWORD}@127.0.0.1:1/app"),
        format!("mariadb://bob:{PASSWORD}@127.0.0.1:1/app"),
        format!("postgres://bob@127.0.0.1:1/app?password={PASSWORD}"),
        format!("postgress://bob:{PASSWORD}@127.0.0.1:1/app"),
    ];
    let commands: [&[&str]; 7] = [
        &["status"],
        &["status", "--json"],
        &["up"],
        &["up", "--json", "--lock-wait", "1"],
        &["up", "--dry-run", "-v"],
        &["version"],
        &["mark", "--only", "1", "--state", "added"],
    ];
    for url in &urls {
        for args in commands {
            let run = project
                .command()
                .args(["--database-url", url.as_str()])
                .args(args)
                .run();
            assert_ne!(run.code, 0, "{url} {args:?}\n{run}");
            assert!(
                !run.all_output().contains(PASSWORD),
                "{args:?} printed the password\n{run}"
            );
        }
        let from_env = project
            .command()
            .env("DATABASE_URL", url)
            .args(["status", "-v"])
            .run();
        assert!(!from_env.all_output().contains(PASSWORD), "{from_env}");
    }
    let from_file = project
        .command()
        .args(["--env-file", "deploy.env", "up", "--json"])
        .run();
    assert_ne!(from_file.code, 0);
    assert!(!from_file.all_output().contains(PASSWORD), "{from_file}");
}

#[test]
fn a_password_parameter_of_a_sqlite_url_is_not_printed() {
    let db = TestDb::sqlite();
    assert_eq!(db.backend(), Backend::Sqlite);
    let project = project();
    let url = format!("{}?password={PASSWORD}", db.url());
    for args in [&["status"][..], &["status", "--json"], &["up", "--json"]] {
        let run = project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run();
        run.success();
        assert!(
            !run.all_output().contains(PASSWORD),
            "{args:?} printed the password\n{run}"
        );
    }
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

#[test]
fn an_unreachable_server_is_exit_1_naming_it_without_the_password() {
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            // Port 1: nothing listens there.
            let url = url_with_port(&url_with_user(db.url(), "someone", "hunter2-secret"), 1);
            let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
            for args in [&["up"][..], &["status"], &["up", "--json"]] {
                let run = project
                    .command()
                    .args(["--database-url", url.as_str()])
                    .args(args)
                    .run();
                run.expect(1);
                assert!(run.stderr.contains("error: cannot connect to"), "{run}");
                assert!(run.stderr.contains(":1/"), "the server is named\n{run}");
                assert!(!run.all_output().contains("hunter2-secret"), "{run}");
            }
            assert!(!db.exists(), "nothing was created");
        },
    );
}

#[test]
fn a_sqlite_file_in_a_missing_folder_is_exit_1_and_creates_nothing() {
    let db = TestDb::sqlite();
    let missing = db.dir().join("no/such/folder/app.db");
    let url = format!("sqlite:{}", missing.display());
    let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    let run = project
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .run();
    run.expect(1);
    assert!(run.stderr.contains("no/such/folder"), "{run}");
    assert!(!db.dir().join("no").exists());
}
