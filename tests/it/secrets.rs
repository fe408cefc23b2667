//! Issue 11, "secrets printed": a password in a `.env` file or a URL is
//! never printed, whatever the mistake around it, and a `.env` file is read
//! with a bound on its size.

use std::time::Duration;

use crate::support::db::url_with_param;
use crate::support::{Project, for_each_backend};

const SECRET: &str = "S3cretPW";

fn project() -> Project {
    Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
}

/// Each broken `.env` of the issue: exit 2 naming the file and line, and
/// the password on that line (or any other) is not shown.
#[test]
fn env_file_mistakes_name_file_and_line_never_the_text() {
    let cases = [
        (
            format!("A=1\nDATABASE_URL=\"postgres://app:{SECRET}@h/x\n"),
            2,
        ),
        (
            format!("DATABASE_URL='postgres://app:{SECRET}@h/x\nB=2\n"),
            1,
        ),
        (format!("A=1\nB=2\npostgres://app:{SECRET}@h/x\n"), 3),
        (
            format!("DATABASE_URL=\"postgres://app:{SECRET}\\q@h/x\"\n"),
            1,
        ),
        (
            format!("DATABASE_URL=postgres://app:{SECRET}@h/x {SECRET}\n"),
            1,
        ),
    ];
    for (text, line) in cases {
        let project = project();
        project.write(".env", &text);
        let run = project.command().args(["status"]).run();
        run.expect(2);
        let output = run.all_output();
        assert!(!output.contains(SECRET), "{text:?}\n{run}");
        assert!(output.contains(&format!(".env:{line}:")), "{text:?}\n{run}");
        let json = project.command().args(["status", "--json"]).run();
        json.expect(2);
        assert!(!json.all_output().contains(SECRET), "{json}");
    }
}

#[test]
fn an_endless_env_file_is_refused_quickly() {
    let project = project();
    let run = project
        .command()
        .args(["status", "--env-file", "/dev/zero"])
        .run_within(Duration::from_secs(20));
    run.expect(2);
    assert!(run.stderr.contains("/dev/zero"), "{run}");
    assert!(run.stderr.contains("1 MiB"), "{run}");
}

/// The URL forms of the issue are refused (exit 2) without the password.
#[test]
fn urls_that_leaked_are_refused_without_the_password() {
    let project = project();
    for url in [
        format!("app:{SECRET}@127.0.0.1/x"),
        format!("postgres:/app:{SECRET}@127.0.0.1/x"),
        format!("mysql:app:{SECRET}@127.0.0.1/x"),
        format!("postgres://app@127.0.0.1/x?sslmode=disable?password={SECRET}"),
        format!("postgres://app@127.0.0.1/x?sslpassword={SECRET}"),
        format!("mysql://app@127.0.0.1/x?ssl-mode=DISABLED?password={SECRET}"),
        format!("postgres://app:{SECRET}/x"),
        format!("mysql://app:{SECRET}/x"),
        format!("sqlite://app:{SECRET}@127.0.0.1/x"),
    ] {
        for args in [&["status"][..], &["status", "--json"], &["up", "--dry-run"]] {
            let run = project
                .command()
                .args(["--database-url", url.as_str()])
                .args(args)
                .run();
            run.expect(2);
            assert!(!run.all_output().contains(SECRET), "{url}\n{run}");
        }
    }
}

/// A password given as a URL parameter on a real server: whether the
/// server accepts the URL or not, the password is not printed.
#[test]
fn password_parameters_are_never_printed() {
    for_each_backend(|db| {
        if db.url().starts_with("sqlite") {
            return;
        }
        let project = project();
        let url = url_with_param(db.url(), "password", SECRET);
        for args in [&["status", "--json"][..], &["up", "-v"], &["status"]] {
            let run = project
                .command()
                .args(["--database-url", url.as_str()])
                .args(args)
                .run();
            assert!(!run.all_output().contains(SECRET), "{run}");
        }
    });
}

/// The MySQL driver's errors read as sentences, not Rust values.
#[test]
fn mysql_errors_are_sentences() {
    let project = project();
    for (url, expected) in [
        (
            format!("mysql://app:{SECRET}@127.0.0.1:99999/x"),
            "invalid port number",
        ),
        (
            "mysql://root@127.0.0.1:1/x".to_string(),
            "could not connect to",
        ),
    ] {
        let run = project
            .command()
            .args(["--database-url", url.as_str(), "status"])
            .run_within(Duration::from_secs(40));
        assert!(run.code == 1 || run.code == 2, "{run}");
        let output = run.all_output();
        assert!(output.contains(expected), "{run}");
        for debug in [
            "Error {",
            "ParseError {",
            "DriverError",
            "CodecError",
            SECRET,
        ] {
            assert!(!output.contains(debug), "{run}");
        }
    }
}

/// PostgreSQL URL errors name the part at fault.
#[test]
fn postgres_url_errors_name_the_part() {
    let project = project();
    for (url, expected) in [
        ("postgres://app@127.0.0.1:99999/x", "port"),
        (
            "postgres://app@127.0.0.1/x?connect_timeout=soon",
            "connect_timeout",
        ),
        ("postgres://app@127.0.0.1/x?sslmod=require", "`sslmod`"),
        ("postgres://app@127.0.0.1/x?port=abc", "port="),
    ] {
        let run = project
            .command()
            .args(["--database-url", url, "status"])
            .run();
        run.expect(2);
        assert!(run.stderr.contains(expected), "{url}\n{run}");
        assert!(!run.stderr.contains("invalid connection string"), "{run}");
    }
}
