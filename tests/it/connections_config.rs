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

/// A database file the user may not write is named as the cause, not
/// blamed on the first migration's line. Root writes any file, so the run
/// is made as `nobody` (where `setpriv` and root are at hand).
#[test]
fn a_read_only_sqlite_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"));
    let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !as_root || !has_setpriv {
        return;
    }
    let project = project();
    let folder = tempfile::tempdir().expect("a folder");
    let database = folder.path().join("app.db");
    let url = format!("sqlite:{}", database.display());
    project
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .run()
        .success();
    project.write("up/2_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
    // The folder may be written (the lock file), the database file may not.
    for (path, mode) in [(project.path(), 0o755), (folder.path(), 0o777)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_migrate"))
        .arg("--dir")
        .arg(project.path())
        .args(["--database-url", url.as_str(), "--no-env-file", "up"])
        .current_dir(folder.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run migrate as nobody");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the database file {} is read-only",
            database.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("up/2_b.sql"), "{stderr}");
}
