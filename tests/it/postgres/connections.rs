//! How `migrate` reaches PostgreSQL: passwords never shown, the TLS modes
//! of `sslmode` against the local server's certificate, `search_path` as
//! the target schema, a database that does not exist.

use crate::support::db::{url_with_database, url_with_host, url_with_param, url_with_user};
use crate::support::{Project, Run, TestDb, states};

/// Drops a schema the product created, with the test.
struct CreatedSchema<'a>(&'a TestDb, String);

/// Debian's self-signed certificate of the local server, issued to `localhost`.
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// A login role with a password, dropped again with the test.
struct Role<'a> {
    db: &'a TestDb,
    name: String,
}

impl<'a> Role<'a> {
    fn create(db: &'a TestDb, password: &str) -> Role<'a> {
        let name = format!(
            "migrate_it_pw_{}",
            db.name().trim_start_matches("migrate_it_")
        );
        db.execute(&format!(
            "CREATE ROLE {name} WITH LOGIN PASSWORD '{password}'; \
             GRANT ALL ON SCHEMA {} TO {name}",
            db.name()
        ));
        Role { db, name }
    }
}

impl Drop for Role<'_> {
    fn drop(&mut self) {
        self.db
            .execute(&format!("DROP OWNED BY {0}; DROP ROLE {0}", self.name));
    }
}

#[test]
fn a_password_never_appears_in_any_output() {
    let Some(db) = TestDb::postgres() else { return };
    const RIGHT: &str = "right-secret";
    const WRONG: &str = "wrong-secret";
    let role = Role::create(&db, RIGHT);
    let project = Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "INSERT INTO missing_table VALUES (1);\n");
    let run = |password: &str, args: &[&str]| {
        let url = url_with_user(db.url(), &role.name, password);
        project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run()
    };

    let wrong = run(WRONG, &["status", "-v"]);
    assert!(!wrong.all_output().contains(WRONG), "{wrong}");
    // The local test server trusts every login from 127.0.0.1 (pg_hba
    // `trust`), so a wrong password is refused only by a server that asks.
    let asks_for_passwords = wrong.code != 0;
    if asks_for_passwords {
        wrong.expect(1);
        assert!(wrong.stderr.contains("SQLSTATE 28P01"), "{wrong}");
    }

    let failed = run(RIGHT, &["up", "-v"]);
    failed.expect(1);
    assert!(failed.stderr.contains("up/2_b.sql:1"), "{failed}");
    let status = run(RIGHT, &["status", "--json", "-v"]);
    let database = status.success().json()["database"].clone();
    assert_eq!(
        database,
        url_with_user(db.url(), &role.name, RIGHT).replace(&format!(":{RIGHT}@"), "@")
    );
    for run in [&failed, &status] {
        assert!(!run.all_output().contains(RIGHT), "{run}");
    }
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

/// The migration that records whether its own session is encrypted.
fn records_tls() -> Project {
    Project::new().up(
        1,
        "tls",
        "CREATE TABLE tls (encrypted BOOLEAN);\n\
         INSERT INTO tls SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n",
    )
}

/// Runs `up` of [`records_tls`] through `url`.
fn up_through(url: &str) -> Run {
    records_tls()
        .command()
        .args(["--database-url", url, "up"])
        .run()
}

#[test]
fn sslmode_require_encrypts_the_session() {
    for (mode, encrypted) in [("require", "t"), ("disable", "f")] {
        let Some(db) = TestDb::postgres() else { return };
        up_through(&url_with_param(db.url(), "sslmode", mode)).success();
        assert_eq!(
            db.rows("SELECT encrypted FROM tls"),
            [[encrypted]],
            "{mode}"
        );
    }
}

#[test]
fn sslmode_verify_full_checks_the_host_name() {
    let Some(db) = TestDb::postgres() else { return };
    let verify = url_with_param(
        &url_with_param(db.url(), "sslmode", "verify-full"),
        "sslrootcert",
        SNAKEOIL,
    );
    let wrong_name = url_with_host(&verify, "127.0.0.1");
    let run = up_through(&wrong_name);
    run.expect(1);
    assert!(
        run.stderr.contains("not valid for name \"127.0.0.1\""),
        "{run}"
    );
    assert!(run.stderr.contains("localhost"), "{run}");
    assert!(!db.exists());

    up_through(&url_with_host(&verify, "localhost")).success();
    assert_eq!(db.rows("SELECT encrypted FROM tls"), [["t"]]);
}

#[test]
fn sslmode_verify_ca_checks_the_chain_but_not_the_name() {
    let Some(db) = TestDb::postgres() else { return };
    let verify_ca = url_with_param(db.url(), "sslmode", "verify-ca");
    // A root that did not sign the server's certificate.
    let other_root = url_with_param(
        &verify_ca,
        "sslrootcert",
        "/etc/ssl/certs/ca-certificates.crt",
    );
    let run = up_through(&url_with_host(&other_root, "127.0.0.1"));
    run.expect(1);
    assert!(run.stderr.contains("UnknownIssuer"), "{run}");
    assert!(!db.exists());

    let url = url_with_param(&verify_ca, "sslrootcert", SNAKEOIL);
    up_through(&url_with_host(&url, "127.0.0.1")).success();
    assert_eq!(db.rows("SELECT encrypted FROM tls"), [["t"]]);
}

impl Drop for CreatedSchema<'_> {
    fn drop(&mut self) {
        self.0
            .execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1));
    }
}

#[test]
fn search_path_names_the_target_schema_which_is_created_on_first_change() {
    let Some(db) = TestDb::postgres() else { return };
    let schema = CreatedSchema(&db, format!("{}_new", db.name()));
    let url = url_with_param(db.url(), "search_path", &schema.1);
    let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    let count = format!(
        "SELECT count(*) FROM pg_namespace WHERE nspname = '{}'",
        schema.1
    );
    for args in [&["status"][..], &["up", "--dry-run"], &["version"]] {
        let run = project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run();
        run.success();
        assert_eq!(db.scalar(&count), 0, "{args:?} created the schema");
    }
    project
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .run()
        .success();
    let tables = db.rows(&format!(
        "SELECT tablename FROM pg_tables WHERE schemaname = '{}' ORDER BY tablename",
        schema.1
    ));
    assert_eq!(tables, [["a"], ["db_version"], ["db_version_log"]]);
    assert!(!db.exists(), "something landed in the other schema");
}

#[test]
fn a_database_that_does_not_exist_is_exit_1() {
    let Some(db) = TestDb::postgres() else { return };
    let url = url_with_database(db.url(), &format!("{}_missing", db.name()));
    let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    for args in [&["up"][..], &["status"]] {
        let run = project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run();
        run.expect(1);
        assert!(run.stderr.starts_with("error: "), "{run}");
        assert!(run.stderr.contains("SQLSTATE 3D000"), "{run}");
    }
}
