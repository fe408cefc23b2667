//! How `migrate` reaches MySQL/MariaDB: accounts and passwords (never
//! shown), `socket=`, `ssl-mode`, a database that does not exist.

use crate::support::db::{url_with_database, url_with_host, url_with_param, url_with_user};
use crate::support::{Project, TestDb, states};

/// A MySQL account with a password, dropped again with the test.
struct Account<'a> {
    db: &'a TestDb,
    name: String,
}

impl Drop for Account<'_> {
    fn drop(&mut self) {
        self.db.execute(&format!("DROP USER '{}'@'%'", self.name));
    }
}

#[test]
fn a_wrong_password_is_refused_and_no_password_is_ever_shown() {
    let Some(db) = TestDb::mysql() else { return };
    const RIGHT: &str = "right-secret";
    const WRONG: &str = "wrong-secret";
    let name = format!("mi_pw_{}", db.name().trim_start_matches("migrate_it_"));
    db.execute(&format!(
        "CREATE USER '{name}'@'%' IDENTIFIED BY '{RIGHT}'; \
         GRANT ALL ON {}.* TO '{name}'@'%'",
        db.name()
    ));
    let account = Account { db: &db, name };
    let project = Project::new()
        .up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "INSERT INTO missing_table VALUES (1);\n");
    let run = |password: &str, args: &[&str]| {
        let url = url_with_user(db.url(), &account.name, password);
        project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run()
    };

    let wrong = run(WRONG, &["up", "-v"]);
    wrong.expect(1);
    assert!(wrong.stderr.contains("MySQL error 1045"), "{wrong}");
    assert!(!db.exists());
    let failed = run(RIGHT, &["up", "-v"]);
    failed.expect(1);
    assert!(failed.stderr.contains("up/2_b.sql:1"), "{failed}");
    let status = run(RIGHT, &["status", "--json"]);
    assert_eq!(
        status.success().json()["database"],
        url_with_user(db.url(), &account.name, RIGHT).replace(&format!(":{RIGHT}@"), "@")
    );
    for run in [&wrong, &failed, &status] {
        assert!(!run.all_output().contains(WRONG), "{run}");
        assert!(!run.all_output().contains(RIGHT), "{run}");
    }
    assert_eq!(db.versions(), states(&[(1, "added")]));
}

/// Version 1 records how its own session reached the server.
fn records_connection() -> Project {
    Project::new().up(
        1,
        "connection",
        "CREATE TABLE connection (host VARCHAR(100), cipher VARCHAR(100));\n\
         INSERT INTO connection SELECT p.host, s.variable_value \
         FROM information_schema.processlist p, information_schema.session_status s \
         WHERE p.id = CONNECTION_ID() AND s.variable_name = 'Ssl_cipher';\n",
    )
}

#[test]
fn a_socket_url_connects_through_the_unix_socket() {
    let Some(db) = TestDb::mysql() else { return };
    let socket = db.rows("SELECT @@socket").remove(0).remove(0);
    let url = format!("{}?socket={socket}", url_with_host(db.url(), "localhost"));
    records_connection()
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .run()
        .success();
    assert_eq!(db.rows("SELECT host FROM connection"), [["localhost"]]);
}

#[test]
fn ssl_mode_required_is_encrypted_or_refused() {
    let Some(db) = TestDb::mysql() else { return };
    let url = url_with_param(db.url(), "ssl-mode", "REQUIRED");
    let run = records_connection()
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .run();
    if db.rows("SELECT @@have_ssl") == [["YES"]] {
        run.success();
        let cipher = db.rows("SELECT cipher FROM connection").remove(0).remove(0);
        assert!(!cipher.is_empty(), "the session is not encrypted");
    } else {
        // The local test server has no TLS: REQUIRED must not fall back.
        run.expect(1);
        assert!(run.stderr.contains("secure connection"), "{run}");
        assert!(!db.exists());
    }
}

#[test]
fn a_database_that_does_not_exist_is_exit_1() {
    let Some(db) = TestDb::mysql() else { return };
    let url = url_with_database(db.url(), &format!("{}_missing", db.name()));
    let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    for args in [&["up"][..], &["status"]] {
        let run = project
            .command()
            .args(["--database-url", url.as_str()])
            .args(args)
            .run();
        run.expect(1);
        assert!(run.stderr.contains("MySQL error 1049"), "{run}");
    }
}
