//! Issue 11, configuration and connections: a SQLite database in a folder
//! that does not exist, and PostgreSQL's `$user` in `search_path`.

use crate::support::db::{url_with_param, url_with_user};
use crate::support::{Project, TestDb};

fn project() -> Project {
    Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
}

/// `status` on a SQLite URL whose folder is missing names the folder and
/// fails (exit 1, as for an unreachable server) instead of reporting
/// version 0; no command blames the lock file or creates anything.
#[test]
fn a_missing_sqlite_folder_is_named_by_every_command() {
    let db = TestDb::sqlite();
    let missing = db.dir().join("no/such/folder/app.db");
    let url = format!("sqlite:{}", missing.display());
    let project = project();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["up"],
        &["version"],
    ] {
        let run = project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run();
        run.expect(1);
        let output = run.all_output();
        assert!(output.contains("no/such/folder does not exist"), "{run}");
        assert!(!output.contains("lock file"), "{run}");
    }
    assert!(!db.dir().join("no").exists());
}

/// `search_path=$user,…` resolves `$user` to the session user's schema, as
/// PostgreSQL does, and never creates a schema named `$user`.
#[test]
fn dollar_user_in_search_path_is_the_session_users_schema() {
    let Some(db) = TestDb::postgres() else { return };
    let schema = db.name().to_string();
    // A role named as the test's schema, so that `$user` is that schema.
    db.execute(&format!(
        "CREATE ROLE {schema} WITH LOGIN PASSWORD 'pw'; GRANT ALL ON SCHEMA {schema} TO {schema}"
    ));
    let project = project();
    for path in ["$user,public", "\"$user\", public"] {
        let url = url_with_param(&url_with_user(db.url(), &schema, "pw"), "search_path", path);
        let run = project
            .command()
            .args(["--database-url", url.as_str(), "up"])
            .run();
        run.success();
        let found = db.rows(&format!(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'db_version' \
             AND table_schema IN ('{schema}', '$user')"
        ));
        assert_eq!(found, vec![vec![schema.clone()]], "{run}");
        let dollar = db.rows("SELECT nspname FROM pg_namespace WHERE nspname = '$user'");
        assert!(dollar.is_empty(), "a schema named $user was created");
    }
    // Without a schema of the session user's name, the next of the path.
    let url = url_with_param(db.url(), "search_path", &format!("$user,{schema}"));
    project
        .command()
        .args(["--database-url", url.as_str(), "status"])
        .run()
        .success();
    db.execute(&format!("DROP OWNED BY {schema}; DROP ROLE {schema}"));
}
