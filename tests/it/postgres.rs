//! PostgreSQL's own promises, on the server of `MIGRATE_TEST_POSTGRES_URL`
//! (each test skipped, loudly, when it is not set; failed when `CI=true`):
//! a failing file leaves nothing and is named at the right line, with the
//! SQLSTATE; statements that cannot run in a transaction need
//! `no-transaction`, and such a file fails into `failed` and resumes;
//! dollar-quoted bodies. The run lock and lock timeouts are in
//! `postgres/locks.rs`, passwords, TLS and the target schema in
//! `postgres/connections.rs`.

mod connections;
mod locks;

use crate::support::{Project, TestDb, json_operations, migrate, states};

/// Version 1 keeps a table; version 2 (`up/2_people.sql`) is `sql`.
fn kept_then(sql: &str) -> Project {
    Project::new()
        .up(1, "kept", "CREATE TABLE kept (id INTEGER PRIMARY KEY);\n")
        .up(2, "people", sql)
}

/// Asserts that version 2 failed at `line` with `sqlstate` and left nothing.
#[track_caller]
fn assert_failed_at(db: &TestDb, project: &Project, line: u64, sqlstate: &str) {
    let run = migrate(project, db, &["up"]);
    run.expect(1);
    let at = format!("error: up/2_people.sql:{line}: ");
    assert!(run.stderr.starts_with(&at), "expected {at:?}\n{run}");
    assert!(
        run.stderr.contains(&format!("SQLSTATE {sqlstate}")),
        "{run}"
    );
    assert_eq!(db.versions(), states(&[(1, "added")]));
    assert!(db.table_exists("kept"));
    assert!(
        !db.table_exists("people"),
        "the failed file's first statement was kept"
    );
    assert!(!db.table_exists("never"));
    let log = db.rows("SELECT outcome, line FROM db_version_log WHERE version = '2'");
    assert_eq!(log, [["failed".to_string(), line.to_string()]]);

    let json = migrate(project, db, &["up", "--json"]);
    json.expect(1);
    let error = &json.json()["error"];
    assert_eq!(error["file"], "up/2_people.sql", "{json}");
    assert_eq!(error["line"], line, "{json}");
    assert!(!db.table_exists("people"));
}

#[test]
fn a_runtime_error_on_the_third_statement_leaves_nothing_and_names_its_line() {
    let Some(db) = TestDb::postgres() else { return };
    // PostgreSQL gives no position for a NOT NULL violation: the line is
    // where the third statement starts.
    let project = kept_then(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
         INSERT INTO people (id, name) VALUES (1, 'ann');\n\
         \n\
         INSERT INTO people (id, name)\n\
         \x20   VALUES (2, NULL);\n\
         CREATE TABLE never (id INTEGER);\n",
    );
    assert_failed_at(&db, &project, 4, "23502");
    let run = migrate(&project, &db, &["up"]);
    assert!(run.stderr.contains("\"name\""), "{run}");
}

#[test]
fn a_syntax_error_is_named_at_the_line_of_its_position() {
    // PostgreSQL gives the error's position in the text sent: here on the
    // third line of a statement, after a multi-byte character, and (in the
    // second file) behind the `SET LOCAL lock_timeout` the directive adds.
    for directive in ["", "-- migrate: lock-timeout=2s\n"] {
        let Some(db) = TestDb::postgres() else { return };
        let sql = format!(
            "{directive}CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\n\
             -- café, crème brûlée: characters, not bytes\n\
             SELECT name\n\
             \x20 FROM people\n\
             \x20 WHERE id = = 1;\n\
             CREATE TABLE never (id INTEGER);\n"
        );
        let offset = directive.lines().count() as u64;
        assert_failed_at(&db, &kept_then(&sql), 5 + offset, "42601");
    }
}

/// Version 1 makes `items (a, b)`; version 2 indexes both columns concurrently.
fn concurrent_indexes(directive: &str, second_column: &str) -> Project {
    Project::new()
        .up(
            1,
            "items",
            "CREATE TABLE items (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);\n\
             INSERT INTO items (id, a, b) VALUES (1, 10, 100), (2, 20, 200);\n",
        )
        .up(
            2,
            "index",
            &format!(
                "{directive}CREATE INDEX CONCURRENTLY items_a ON items (a);\n\
                 CREATE INDEX CONCURRENTLY items_b ON items ({second_column});\n"
            ),
        )
        .up(3, "later", "CREATE TABLE later (id INTEGER);\n")
}

/// The indexes of `items` (primary key aside) and whether each is valid.
fn item_indexes(db: &TestDb) -> Vec<Vec<String>> {
    db.rows(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE i.indrelid = 'items'::regclass AND NOT i.indisprimary ORDER BY c.relname",
    )
}

#[test]
fn create_index_concurrently_runs_in_a_no_transaction_file() {
    let Some(db) = TestDb::postgres() else { return };
    let project = concurrent_indexes("-- migrate: no-transaction\n", "b");
    migrate(&project, &db, &["up"]).success();
    assert_eq!(
        db.versions(),
        states(&[(1, "added"), (2, "added"), (3, "added")])
    );
    assert_eq!(item_indexes(&db), [["items_a", "t"], ["items_b", "t"]]);
}

#[test]
fn create_index_concurrently_without_the_directive_is_refused_before_anything_runs() {
    let Some(db) = TestDb::postgres() else { return };
    let project = concurrent_indexes("", "b");
    let run = migrate(&project, &db, &["up"]);
    run.expect(2);
    for mention in [
        "up/2_index.sql:1:",
        "up/2_index.sql:2:",
        "CONCURRENTLY",
        "-- migrate: no-transaction",
    ] {
        assert!(run.stderr.contains(mention), "{mention:?} not named\n{run}");
    }
    assert_eq!(db.tables(), Vec::<String>::new(), "version 1 ran");
}

#[test]
fn a_no_transaction_file_failing_at_its_second_statement_is_failed_then_resumed() {
    let Some(db) = TestDb::postgres() else { return };
    let project = concurrent_indexes("-- migrate: no-transaction\n", "missing_column");
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(run.stderr.starts_with("error: up/2_index.sql:3: "), "{run}");
    assert!(run.stderr.contains("SQLSTATE 42703"), "{run}");
    assert_eq!(item_indexes(&db), [["items_a", "t"]]);
    let status = migrate(&project, &db, &["status", "--json"]).json();
    assert_eq!(status["versions"][1]["state"], "failed", "{status}");
    migrate(&project, &db, &["up"]).expect(5);

    project.write(
        "up/2_index.sql",
        "-- migrate: no-transaction\n\
         CREATE INDEX CONCURRENTLY items_a ON items (a);\n\
         CREATE INDEX CONCURRENTLY items_b ON items (b);\n",
    );
    // Running the first statement again would fail: items_a exists.
    let resumed = migrate(&project, &db, &["up", "--resume", "--json"]);
    resumed.success();
    assert_eq!(
        json_operations(&resumed.json()),
        [(2, "add".to_string()), (3, "add".to_string())]
    );
    assert_eq!(item_indexes(&db), [["items_a", "t"], ["items_b", "t"]]);
    assert_eq!(
        db.rows("SELECT outcome FROM db_version_log WHERE version = '2' ORDER BY id"),
        [["failed"], ["ok"]]
    );
    migrate(&project, &db, &["verify"]).success();
}

#[test]
fn dollar_quoted_bodies_are_one_statement_and_lines_count_inside_them() {
    let Some(db) = TestDb::postgres() else { return };
    let function = "CREATE FUNCTION add_one(x INTEGER) RETURNS INTEGER AS $body$\n\
                    BEGIN\n\
                    \x20 -- a semicolon; inside the body\n\
                    \x20 RETURN x + 1;\n\
                    END;\n\
                    $body$ LANGUAGE plpgsql;\n\
                    CREATE TABLE numbers (n INTEGER);\n\
                    INSERT INTO numbers VALUES (add_one(1));\n";
    let project = Project::new().up(1, "function", function).up(
        2,
        "broken",
        "DO $$\nBEGIN\n  INSERT INTO numbers VALUES (add_one(2));\nEND\n$$;\n\n\
         INSERT INTO numbers VALUES (add_one('two'));\n",
    );
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(
        run.stderr.starts_with("error: up/2_broken.sql:7: "),
        "{run}"
    );
    assert!(run.stderr.contains("SQLSTATE 22P02"), "{run}");
    assert_eq!(db.rows("SELECT n FROM numbers"), [["2"]]);
}

#[test]
fn every_statement_that_cannot_run_in_a_transaction_is_refused_by_preflight() {
    let Some(db) = TestDb::postgres() else { return };
    for (statement, named) in [
        ("VACUUM items;", "VACUUM"),
        ("VACUUM ANALYZE items;", "VACUUM"),
        (
            "CREATE UNIQUE INDEX CONCURRENTLY items_id ON items (id);",
            "CONCURRENTLY",
        ),
        ("DROP INDEX CONCURRENTLY items_id;", "CONCURRENTLY"),
        ("REINDEX INDEX CONCURRENTLY items_pkey;", "CONCURRENTLY"),
        ("REINDEX TABLE CONCURRENTLY items;", "CONCURRENTLY"),
        ("CREATE DATABASE never_created;", "database"),
        ("DROP DATABASE never_created;", "database"),
        ("ALTER SYSTEM SET work_mem = '64MB';", "ALTER SYSTEM"),
    ] {
        let project = Project::new()
            .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
            .up(2, "outside", &format!("SELECT 1;\n{statement}\n"));
        let run = migrate(&project, &db, &["up"]);
        run.expect(2);
        for mention in ["up/2_outside.sql:2:", named, "-- migrate: no-transaction"] {
            assert!(run.stderr.contains(mention), "{mention:?} not named\n{run}");
        }
        assert!(!db.exists(), "{statement}: something ran\n{run}");
    }
}

#[test]
fn a_table_name_is_a_plain_identifier_readable_with_plain_sql() {
    let Some(db) = TestDb::postgres() else { return };
    let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    // An upper-case name could only be read quoted: it is refused, naming the rule.
    let refused = migrate(&project, &db, &["up", "--table", "Deploys"]);
    refused.expect(2);
    assert!(refused.stderr.contains("lower-case"), "{refused}");
    assert!(!db.exists(), "{refused}");
    migrate(&project, &db, &["up", "--table", "deploys"]).success();
    // SPEC 3: `--table` is "a plain identifier", the tables "readable with plain SQL".
    assert_eq!(
        db.rows("SELECT version, state FROM Deploys"),
        [["1", "added"]]
    );
    assert_eq!(db.scalar("SELECT count(*) FROM Deploys_log"), 1);
}

#[test]
fn one_v_shows_migrates_diagnostics_and_the_driver_speaks_from_three() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let project = Project::new().up(1, "t", "CREATE TABLE t (id INTEGER);\n");
    let driver_lines = |run: &crate::support::Run| {
        run.stderr
            .lines()
            .filter(|line| line.starts_with("[TRACE]") || line.contains("poll"))
            .count()
    };
    let quiet = migrate(&project, &db, &["-v", "up"]);
    quiet.success();
    assert_eq!(driver_lines(&quiet), 0, "{quiet}");
    let loud = migrate(&project, &db, &["-vvv", "status"]);
    loud.success();
    assert!(driver_lines(&loud) > 0, "{loud}");
}

/// Listens on a free loopback port only after `delay`, then forwards every
/// connection to `upstream`: a server that starts after the deploy job.
fn late_forwarder(upstream: String, delay: std::time::Duration) -> u16 {
    use std::net::{TcpListener, TcpStream};
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("listen");
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (mut client_read, mut server_write) = (
                client.try_clone().expect("a client handle"),
                server.try_clone().expect("a server handle"),
            );
            let (mut server_read, mut client_write) = (server, client);
            std::thread::spawn(move || std::io::copy(&mut client_read, &mut server_write));
            std::thread::spawn(move || std::io::copy(&mut server_read, &mut client_write));
        }
    });
    port
}

#[test]
fn wait_connects_once_the_server_accepts_and_says_how_long_it_waited_when_it_never_does() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let project = Project::new().up(1, "t", "CREATE TABLE t (id INTEGER);\n");
    let upstream = crate::support::db::url_address(db.url());
    let port = late_forwarder(upstream, std::time::Duration::from_millis(1_500));
    let late = crate::support::db::url_with_port(db.url(), port);
    let run = project
        .command()
        .args(["--database-url", &late, "--wait=20s", "up"])
        .run();
    run.success();
    assert!(
        run.stderr.contains("waiting up to 20s for it (--wait)"),
        "{run}"
    );
    assert_eq!(db.versions(), states(&[(1, "added")]));

    // Nothing ever listens: the error says it waited.
    let nowhere = crate::support::db::url_with_port(db.url(), 1);
    let run = project
        .command()
        .args(["--database-url", &nowhere, "--wait=1s", "status"])
        .run();
    run.expect(1);
    assert!(
        run.stderr.contains("after waiting 1s for it (--wait)"),
        "{run}"
    );
    // Without --wait, one try.
    let run = project
        .command()
        .args(["--database-url", &nowhere, "status"])
        .run();
    run.expect(1);
    assert!(!run.stderr.contains("--wait"), "{run}");
}
