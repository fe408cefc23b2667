//! `database create` and `database drop --yes` (issue 18, SPEC section 12):
//! the database the URL names made when missing and removed, idempotently;
//! `drop` without `--yes` refused (exit 2) with nothing changed.

use crate::support::db::unique_name;
use crate::support::{Backend, Invocation, Project, TestDb, for_each_backend};

/// A URL on `db`'s server (or in its folder) naming a database that does
/// not exist yet.
fn fresh_url(db: &TestDb) -> String {
    match db.backend() {
        Backend::Sqlite => format!("sqlite:{}", db.dir().join("fresh.db").display()),
        Backend::Postgres | Backend::Mysql => {
            let base = db.url().split('?').next().unwrap_or(db.url());
            let server = &base[..base.rfind('/').expect("a URL with a database")];
            format!("{server}/{}", unique_name())
        }
    }
}

fn run(project: &Project, url: &str, args: &[&str]) -> crate::support::Run {
    project
        .command()
        .args(["--database-url", url])
        .args(args)
        .run()
}

#[test]
fn create_makes_the_database_and_drop_removes_it() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
        let url = fresh_url(db);
        // Before: the database does not exist, so `up` on a server fails.
        if db.backend() != Backend::Sqlite {
            run(&project, &url, &["up"]).expect(1);
        }
        let created = run(&project, &url, &["database", "create", "--json"]);
        created.success();
        assert_eq!(created.json()["created"], true, "{created}");
        let again = run(&project, &url, &["database", "create"]);
        again.success();
        assert!(again.stdout.contains("exists already"), "{again}");
        run(&project, &url, &["up"]).success();
        assert_eq!(
            run(&project, &url, &["version"]).stdout.trim(),
            "1",
            "the new database is migrated"
        );

        let refused = run(&project, &url, &["database", "drop"]);
        refused.expect(2);
        assert!(refused.stderr.contains("add --yes"), "{refused}");
        assert_eq!(
            run(&project, &url, &["version"]).stdout.trim(),
            "1",
            "nothing dropped"
        );

        let dropped = run(&project, &url, &["database", "drop", "--yes", "--json"]);
        dropped.success();
        assert_eq!(dropped.json()["dropped"], true, "{dropped}");
        let gone = run(&project, &url, &["database", "drop", "--yes"]);
        gone.success();
        assert!(gone.stdout.contains("does not exist"), "{gone}");
        match db.backend() {
            Backend::Sqlite => assert!(!db.dir().join("fresh.db").exists()),
            _ => {
                run(&project, &url, &["version"]).expect(1);
            }
        }
    });
}

#[test]
fn a_url_without_a_database_or_with_an_odd_name_is_a_usage_error() {
    let folder = tempfile::tempdir().expect("a folder");
    let odd = Invocation::bare(folder.path())
        .args([
            "database",
            "create",
            "--database-url",
            "postgres://u:secret-pw@127.0.0.1:1/we\"ird",
        ])
        .run();
    odd.expect(2);
    assert!(!odd.all_output().contains("secret-pw"), "{odd}");
}
