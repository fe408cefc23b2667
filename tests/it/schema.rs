//! `schema_dump`, `--output`, `--bootstrap`, `load` and the automatic
//! `schema/schema.sql` (SPEC section 7). The round trips dump a rich schema
//! from database A, load it into an empty database B, and check that the
//! database's own tool sees the same schema in both and that the dump of B
//! is byte-identical to the dump of A. PostgreSQL's round trip lives with
//! its catalog reader's tests.

use std::process::Command;

use crate::support::{
    Backend, Project, Run, TestDb, for_each_backend, for_each_backend_where, migrate,
};

/// A schema using every kind of object the database has.
fn fixture(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, \
                 name TEXT DEFAULT 'anonymous' CHECK (length(name) > 0));
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) \
                 ON DELETE CASCADE, title TEXT NOT NULL, body TEXT, created_at TEXT DEFAULT CURRENT_TIMESTAMP);
             CREATE INDEX posts_user ON posts (user_id, created_at);
             CREATE UNIQUE INDEX posts_title ON posts (lower(title)) WHERE body IS NOT NULL;
             CREATE VIEW published AS SELECT id, title FROM posts WHERE body IS NOT NULL;
             CREATE VIEW a_titles AS SELECT title FROM published;
             CREATE TRIGGER posts_touch AFTER UPDATE OF title ON posts BEGIN
                 UPDATE posts SET created_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
             INSERT INTO users (email) VALUES ('a@example.com');"
        }
        Backend::Mysql => {
            "CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(100) NOT NULL UNIQUE, \
                 name VARCHAR(50) DEFAULT 'anonymous', CONSTRAINT name_not_empty CHECK (CHAR_LENGTH(name) > 0));
             CREATE TABLE posts (id INT PRIMARY KEY, user_id INT NOT NULL, title VARCHAR(200) NOT NULL, \
                 body TEXT, total DECIMAL(10, 2) AS (id * 2) STORED, \
                 CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
             CREATE TABLE visits (id INT NOT NULL, day DATE NOT NULL, PRIMARY KEY (id, day)) \
                 PARTITION BY RANGE (YEAR(day)) (PARTITION p2025 VALUES LESS THAN (2026), \
                 PARTITION pmax VALUES LESS THAN MAXVALUE);
             CREATE INDEX posts_title ON posts (title(20));
             CREATE VIEW published AS SELECT id, title FROM posts WHERE body IS NOT NULL;
             CREATE VIEW a_titles AS SELECT title FROM published;
             CREATE PROCEDURE purge_posts(IN below INT) BEGIN DELETE FROM posts WHERE id < below; SELECT ROW_COUNT(); END;
             CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
             CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email);
             CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM posts WHERE id < 0;
             INSERT INTO users (email) VALUES ('a@example.com');"
        }
        Backend::Postgres => "",
    }
}

/// Creates the fixture in `db` by hand, as a database made before migrate:
/// without version tables, so the database's own tool sees only the schema.
fn create_fixture(db: &TestDb) {
    for statement in fixture(db.backend())
        .split(";\n")
        .filter(|text| !text.trim().is_empty())
    {
        db.execute(statement);
    }
}

fn dump(db: &TestDb) -> Run {
    let project = Project::new();
    migrate(&project, db, &["schema_dump"])
}

/// What the database's own tool prints of the schema, made comparable.
fn own_tool_schema(db: &TestDb) -> String {
    let output = match db.backend() {
        Backend::Sqlite => Command::new("sqlite3")
            .arg(db.sqlite_path())
            .arg(".schema")
            .output(),
        Backend::Mysql => Command::new("mariadb-dump")
            .args([
                "-h",
                "127.0.0.1",
                "-u",
                "root",
                "--no-data",
                "--skip-dump-date",
            ])
            .args(["--routines", "--events", "--triggers", "--skip-comments"])
            .arg(db.name())
            .output(),
        Backend::Postgres => unreachable!("PostgreSQL's round trip is elsewhere"),
    };
    let output = output.expect("run the database's own tool");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| !line.contains("db_version"))
        // The session's character set and the definer's host are the
        // loading session's, not the schema's.
        .filter(|line| !line.contains("character_set_") && !line.contains("collation_connection"))
        .map(|line| {
            let line = line.replace(db.name(), "[db]");
            let line = without_counter(&line);
            match line.find("DEFINER=") {
                Some(start) => {
                    let end = line[start..]
                        .find("*/")
                        .map_or(line.len(), |end| start + end);
                    format!("{}{}", &line[..start], &line[end..])
                }
                None => line,
            }
        })
        .collect();
    // SQLite prints objects in creation order, which a load need not keep.
    lines.sort();
    lines.join("\n")
}

/// Drops `AUTO_INCREMENT=N`: it counts rows, not schema.
fn without_counter(line: &str) -> String {
    line.split(' ')
        .filter(|word| !word.starts_with("AUTO_INCREMENT="))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The version tables of `db`, for "leaves them out" checks.
fn dump_leaves_out_version_tables(text: &str) {
    assert!(!text.contains("db_version"), "{text}");
}

#[test]
fn round_trip_through_schema_file_and_load() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |a| {
            create_fixture(a);
            let first = dump(a);
            first.success();
            assert_eq!(
                dump(a).stdout,
                first.stdout,
                "two dumps of one schema differ"
            );

            let b = TestDb::new(a.backend());
            let project = Project::new().file("schema/schema.sql", &first.stdout);
            let loaded = migrate(&project, &b, &["load"]);
            loaded.success();
            assert!(
                loaded.stdout.contains("loaded schema/schema.sql"),
                "{loaded}"
            );
            assert_eq!(
                dump(&b).stdout,
                first.stdout,
                "the dump of B differs from A's"
            );
            assert_eq!(own_tool_schema(&b), own_tool_schema(a));
        },
    );
}

#[test]
fn schema_file_has_the_version_rows_and_load_restores_them() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |a| {
            let project = Project::new()
                .file("schema/.keep", "")
                .up(1, "fixture", fixture(a.backend()))
                .up(
                    2,
                    "more",
                    "CREATE TABLE more_things (id INTEGER PRIMARY KEY);\n",
                )
                .down(2, "more", "DROP TABLE more_things;\n");
            migrate(&project, a, &["up"]).success();
            let schema_file = std::fs::read_to_string(project.path().join("schema/schema.sql"))
                .expect("schema/schema.sql is written after up");
            assert!(schema_file.contains("more_things"), "{schema_file}");
            assert!(schema_file.contains("INSERT INTO"), "{schema_file}");
            for quoted in ["\"db_version_log\"", "`db_version_log`"] {
                let insert = format!("INSERT INTO {quoted}");
                assert!(!schema_file.contains(&insert), "no log rows\n{schema_file}");
            }
            assert!(
                schema_file.contains("INSERT INTO \"db_version\"")
                    || schema_file.contains("INSERT INTO `db_version`"),
                "{schema_file}"
            );
            let dumped = dump(a).stdout;
            dump_leaves_out_version_tables(&dumped);
            assert!(
                schema_file.starts_with(&dumped),
                "the file starts with the dump"
            );

            let b = TestDb::new(a.backend());
            migrate(&project, &b, &["load"]).success();
            assert_eq!(b.versions(), a.versions());
            let status = migrate(&project, &b, &["status", "--json"]).json();
            assert_eq!(status["current_version"], 2);
            // The loaded database goes on like the original: version 2 rolls back.
            migrate(&project, &b, &["down", "1", "--no-dump-schema"]).success();
            assert!(!b.table_exists("more_things"));
        },
    );
}

#[test]
fn the_schema_file_follows_every_change_unless_turned_off() {
    for_each_backend(|db| {
        if db.backend() == Backend::Postgres {
            return;
        }
        let project = Project::new()
            .file("schema/.keep", "")
            .up(1, "a", "CREATE TABLE a_table (id INTEGER PRIMARY KEY);\n")
            .down(1, "a", "DROP TABLE a_table;\n")
            .up(2, "b", "CREATE TABLE b_table (id INTEGER PRIMARY KEY);\n");
        let path = project.path().join("schema/schema.sql");
        migrate(&project, db, &["up", "1"]).success();
        let after_one = std::fs::read_to_string(&path).expect("written after up 1");
        assert!(after_one.contains("a_table") && !after_one.contains("b_table"));
        migrate(&project, db, &["up", "--no-dump-schema"]).success();
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            after_one
        );
        migrate(&project, db, &["status"]).success();
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            after_one
        );
        migrate(&project, db, &["mark", "--only", "2", "--state", "added"]).success();
        let after_mark = std::fs::read_to_string(&path).expect("rewritten by mark");
        assert!(after_mark.contains("b_table"), "{after_mark}");

        // No schema/ folder: nothing is written.
        let bare = Project::new().up(1, "a", "CREATE TABLE c_table (id INTEGER PRIMARY KEY);\n");
        let other = TestDb::new(db.backend());
        migrate(&bare, &other, &["up"]).success();
        assert!(!bare.path().join("schema").exists());
    });
}

#[test]
fn output_writes_the_dump_to_a_file() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |db| {
            create_fixture(db);
            let project = Project::new();
            let target = project.path().join("dump.sql");
            let run = migrate(
                &project,
                db,
                &[
                    "schema-dump",
                    "--output",
                    &target.display().to_string(),
                    "--json",
                ],
            );
            run.success();
            assert_eq!(run.json()["output"], target.display().to_string());
            let written = std::fs::read_to_string(&target).expect("the file is written");
            assert_eq!(written, dump(db).stdout);
        },
    );
}

#[test]
fn load_refuses_a_database_that_is_not_empty() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |db| {
            create_fixture(db);
            let project = Project::new().file("schema/schema.sql", dump(db).stdout);
            let before = db.tables();
            let refused = migrate(&project, db, &["load"]);
            refused.expect(5);
            assert!(refused.stderr.contains("not empty"), "{refused}");
            assert_eq!(db.tables(), before);

            let missing = migrate(&Project::new(), &TestDb::new(db.backend()), &["load"]);
            missing.expect(2);
            assert!(missing.stderr.contains("schema/schema.sql"), "{missing}");
        },
    );
}

#[test]
fn bootstrap_adopts_an_existing_database_as_version_1() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |db| {
            // A database made by hand, before migrate.
            for statement in fixture(db.backend())
                .split(";\n")
                .filter(|text| !text.trim().is_empty())
            {
                if !statement.contains("PROCEDURE") && !statement.contains("TRIGGER") {
                    db.execute(statement);
                }
            }
            let project = Project::new();
            let run = migrate(
                &project,
                db,
                &["schema_dump", "--bootstrap", "--no-dump-schema"],
            );
            run.success();
            let up = std::fs::read_to_string(project.path().join("up/1.sql")).expect("up/1.sql");
            assert_eq!(up, dump(db).stdout);
            assert!(!project.path().join("down/1.sql").exists());
            assert_eq!(db.versions(), [("1".to_string(), "added".to_string())]);
            // Nothing to run, and no drift: the file is what was recorded.
            migrate(&project, db, &["up"]).success();
            migrate(&project, db, &["verify"]).success();

            let again = migrate(&project, db, &["schema_dump", "--bootstrap"]);
            again.expect(5);
            assert!(again.stderr.contains("up/1.sql exists"), "{again}");
        },
    );
}

#[test]
fn the_schema_file_follows_a_failed_run_that_committed_statements() {
    for_each_backend(|db| {
        let project = Project::new()
            .file("schema/.keep", "")
            .up(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n")
            .up(
                2,
                "fill",
                "-- migrate: no-transaction\n\
                 CREATE TABLE halfway (id INTEGER PRIMARY KEY);\n\
                 INSERT INTO missing_table (id) VALUES (2);\n",
            );
        migrate(&project, db, &["up"]).expect(1);
        let schema_file = std::fs::read_to_string(project.path().join("schema/schema.sql"))
            .expect("written after a run that changed the database");
        // The statement that committed is in the dump; the failed row follows.
        assert!(schema_file.contains("halfway"), "{schema_file}");
    });
}

#[test]
fn a_sqlite_virtual_table_dumps_without_its_shadow_tables_and_loads() {
    let a = TestDb::sqlite();
    a.execute("CREATE VIRTUAL TABLE docs USING fts5(body)");
    let dumped = dump(&a);
    dumped.success();
    assert!(!dumped.stdout.contains("docs_data"), "{dumped}");
    let b = TestDb::sqlite();
    let project = Project::new().file("schema/schema.sql", &dumped.stdout);
    migrate(&project, &b, &["load"]).success();
    assert_eq!(dump(&b).stdout, dumped.stdout);
}

#[test]
fn mysql_triggers_keep_their_firing_order_and_names_lose_the_database() {
    let Some(a) = TestDb::mysql() else { return };
    for statement in [
        "CREATE TABLE parent (id INT PRIMARY KEY, x INT)",
        "CREATE TRIGGER tr_b BEFORE INSERT ON parent FOR EACH ROW SET NEW.x = NEW.x + 1",
        "CREATE TRIGGER tr_a BEFORE INSERT ON parent FOR EACH ROW FOLLOWS tr_b SET NEW.x = NEW.x * 10",
        "CREATE TABLE noted (id INT PRIMARY KEY) COMMENT 'see AUTO_INCREMENT=5 here'",
        "CREATE VIEW b_v AS SELECT id AS a_v FROM noted",
        "CREATE VIEW a_v AS SELECT a_v FROM b_v",
    ] {
        a.execute(statement);
    }
    let dumped = dump(&a);
    dumped.success();
    assert!(!dumped.stdout.contains(a.name()), "{dumped}");
    let b = TestDb::new(Backend::Mysql);
    let project = Project::new().file("schema/schema.sql", &dumped.stdout);
    migrate(&project, &b, &["load"]).success();
    b.execute("INSERT INTO parent (id, x) VALUES (1, 1)");
    // tr_b then tr_a: (1 + 1) * 10, as in the source.
    assert_eq!(b.scalar("SELECT x FROM parent"), 20);
    assert_eq!(
        b.rows("SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'noted'"),
        [["see AUTO_INCREMENT=5 here"]]
    );
    assert_eq!(dump(&b).stdout, dumped.stdout);
}

#[test]
fn bootstrap_dry_run_checks_and_changes_nothing() {
    for_each_backend_where(
        |backend| backend != Backend::Postgres,
        |db| {
            create_fixture(db);
            let project = Project::new();
            let run = migrate(
                &project,
                db,
                &["schema_dump", "--bootstrap", "--dry-run", "--json"],
            );
            run.success();
            assert_eq!(run.json()["dry_run"], true);
            assert!(!project.path().join("up/1.sql").exists());
            assert!(db.versions().is_empty());
            let done = migrate(
                &project,
                db,
                &["schema_dump", "--bootstrap", "--json", "--no-dump-schema"],
            );
            done.success();
            assert_eq!(done.json()["bootstrapped"], "up/1.sql");
            assert_eq!(done.json()["operations"][0]["file"], "up/1.sql");
            let refused = migrate(&project, db, &["schema_dump", "--bootstrap", "--dry-run"]);
            refused.expect(5);
        },
    );
}

#[test]
fn the_schema_file_is_the_same_wherever_the_same_state_was_reached() {
    for_each_backend(|db| {
        let project = Project::new()
            .file("schema/.keep", "")
            .up(1, "a", "CREATE TABLE a_table (id INTEGER PRIMARY KEY);\n")
            .up(2, "b", "CREATE TABLE b_table (id INTEGER PRIMARY KEY);\n")
            .up(3, "c", "CREATE TABLE c_table (id INTEGER PRIMARY KEY);\n");
        let path = project.path().join("schema/schema.sql");
        migrate(&project, db, &["up"]).success();
        let in_one_run = std::fs::read_to_string(&path).expect("written after up");
        // Another machine: other releases, other times, another order of runs.
        let other = TestDb::new(db.backend());
        migrate(&project, &other, &["up", "1", "--release", "first"]).success();
        std::thread::sleep(std::time::Duration::from_millis(5));
        migrate(&project, &other, &["up", "--release", "second"]).success();
        let in_two_runs = std::fs::read_to_string(&path).expect("rewritten");
        assert_eq!(in_two_runs, in_one_run);
        assert!(!in_one_run.contains("'first'"), "{in_one_run}");
        assert!(
            !in_one_run
                .lines()
                .any(|line| line.starts_with("INSERT") && line.contains(':')),
            "a time in a version row\n{in_one_run}"
        );
        // The file loads, and the loaded versions belong to one release that
        // `down` reverts as a whole.
        let loaded = TestDb::new(db.backend());
        migrate(&project, &loaded, &["load"]).success();
        assert_eq!(loaded.versions(), db.versions());
        let log = loaded.rows("SELECT operation, outcome FROM db_version_log");
        assert_eq!(log.len(), 3, "{log:?}");
        assert!(log.iter().all(|row| row == &["load", "ok"]), "{log:?}");
        let status = migrate(&project, &loaded, &["status", "--json"]).json();
        assert_eq!(status["versions"][2]["releases"]["add"], "1", "{status}");
        assert!(status["versions"][2]["applied_at"].is_string(), "{status}");
    });
}

#[cfg(unix)]
#[test]
fn a_schema_file_that_cannot_be_written_whole_is_left_as_it_was() {
    // A file size limit makes every write past 1 KiB fail (EFBIG), as a full
    // disk would. On a server only: the limit would stop SQLite's own file.
    for_each_backend_where(
        |backend| backend != Backend::Sqlite,
        |db| {
            let project = Project::new()
                .file("schema/.keep", "")
                .up(1, "a", "CREATE TABLE a_table (id INTEGER PRIMARY KEY);\n")
                .up(2, "b", "CREATE TABLE b_table (id INTEGER PRIMARY KEY);\n");
            let path = project.path().join("schema/schema.sql");
            migrate(&project, db, &["up", "1"]).success();
            let before = std::fs::read_to_string(&path).expect("written after up 1");
            assert!(before.len() > 1024, "the file must outgrow the limit");
            let run = Run::from_child(
                std::process::Command::new("sh")
                    .arg("-c")
                    .arg("trap '' XFSZ; ulimit -f 1; exec \"$@\"")
                    .arg("sh")
                    .arg(env!("CARGO_BIN_EXE_migrate"))
                    .args(["--dir"])
                    .arg(project.path())
                    .args(["--database-url", db.url(), "up"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start migrate"),
            );
            run.success();
            assert!(run.stderr.contains("was not rewritten"), "{run}");
            assert_eq!(std::fs::read_to_string(&path).expect("still there"), before);
            let leftovers: Vec<_> = std::fs::read_dir(project.path().join("schema"))
                .expect("read schema/")
                .map(|entry| entry.expect("an entry").file_name())
                .collect();
            assert_eq!(
                leftovers.len(),
                2,
                "a temporary file was left: {leftovers:?}"
            );
        },
    );
}
