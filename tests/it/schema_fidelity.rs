//! Fidelity of `schema_dump` on MariaDB/MySQL and SQLite (issue 13): each
//! probe, a small schema written here, is created in database A by the
//! database's own client, dumped, and the dump is loaded into an empty B
//! with `migrate load` and into an empty C with the database's own client.
//! The database's own dump of B and of C must equal A's (MariaDB:
//! `mariadb-dump --no-data --routines --triggers --events`; SQLite: the rows
//! of `sqlite_schema` and the header's `user_version` and `application_id`),
//! and the dump of B must be A's, byte for byte.
//!
//! Only what belongs to the server, not the schema, is masked: the
//! database's name, the definer (the loading user), and `AUTO_INCREMENT=N`.
//! The session a routine was created in (`sql_mode`, character set,
//! collation, time zone) is compared, since it changes what the routine does.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Backend, Project, Run, TestDb, migrate};

fn dump(db: &TestDb) -> Run {
    migrate(&Project::new(), db, &["schema_dump"])
}

/// Dumps A twice (the same bytes), loads the dump into B with `migrate
/// load` and into C with the database's own client, and compares the
/// database's own dump of each (C's through `own_dump_of_client`), and the
/// dump of B with A's.
fn round_trip(
    a: &TestDb,
    own_dump: impl Fn(&TestDb) -> String,
    client: impl Fn(&TestDb, &str),
    own_dump_of_client: impl Fn(&TestDb) -> String,
) {
    let first = dump(a);
    first.success();
    assert_eq!(dump(a).stdout, first.stdout, "two dumps of A differ");
    let b = TestDb::new(a.backend());
    let project = Project::new().file("schema/schema.sql", &first.stdout);
    migrate(&project, &b, &["load"]).success();
    let c = TestDb::new(a.backend());
    client(&c, &first.stdout);
    assert_eq!(
        own_dump(&b),
        own_dump(a),
        "B (migrate load) differs from A\n{first}"
    );
    assert_eq!(
        own_dump_of_client(&c),
        own_dump_of_client(a),
        "C (own client) differs from A\n{first}"
    );
    assert_eq!(
        dump(&b).stdout,
        first.stdout,
        "the dump of B differs from A's"
    );
}

/// Loads `sql` into `db` with `migrate load`, as a schema file.
fn migrate_load(db: &TestDb, sql: &str) {
    let project = Project::new().file("schema/schema.sql", sql);
    migrate(&project, db, &["load"]).success();
}

// ---------------------------------------------------------------- MariaDB

/// `mysql://user[:password]@host[:port]/…` as the client's arguments.
fn client_args(db: &TestDb) -> Vec<String> {
    let url = std::env::var("MIGRATE_TEST_MYSQL_URL").expect("the MySQL URL is set");
    let rest = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let server = rest.split(['/', '?']).next().unwrap_or_default();
    let (user, address) = server.split_once('@').unwrap_or(("root", server));
    let (user, password) = user.split_once(':').unwrap_or((user, ""));
    let (host, port) = address.split_once(':').unwrap_or((address, "3306"));
    let mut args = vec![
        format!("--host={host}"),
        format!("--port={port}"),
        format!("--user={user}"),
    ];
    if !password.is_empty() {
        args.push(format!("--password={password}"));
    }
    args.push(db.name().to_string());
    args
}

/// Runs `sql` through the `mariadb` client, which reads `DELIMITER` lines
/// and keeps one session for the whole text.
fn mariadb_client(db: &TestDb, sql: &str) {
    let mut child = Command::new("mariadb")
        .args(client_args(db))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the mariadb client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("write to the client");
    let output = child.wait_with_output().expect("the client ends");
    assert!(output.status.success(), "mariadb < {sql}\n{output:?}");
}

/// `mariadb-dump --no-data --routines --triggers --events` of `db`, with
/// the database's name and the definers masked and the row counters out.
fn mariadb_dump(db: &TestDb) -> String {
    let mut args = client_args(db);
    let database = args.pop().unwrap_or_default();
    let output = Command::new("mariadb-dump")
        .args(args)
        .args(["--no-data", "--routines", "--triggers", "--events"])
        .args(["--skip-comments", "--skip-dump-date", &database])
        .output()
        .expect("run mariadb-dump");
    assert!(output.status.success(), "{output:?}");
    // Bytes as they come: a routine made under latin1 is printed in latin1.
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(|line| without_definer(&line.replace(db.name(), "[db]")))
        .map(|line| {
            line.split(' ')
                .filter(|word| !word.starts_with("AUTO_INCREMENT="))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The line without its `DEFINER=user@host` (quoted in any of three ways).
fn without_definer(line: &str) -> String {
    let Some(start) = line.find("DEFINER=") else {
        return line.to_string();
    };
    let rest = &line[start..];
    let mut quote = None;
    let mut end = rest.len();
    for (index, character) in rest.char_indices() {
        match quote {
            Some(open) if character == open => quote = None,
            Some(_) => {}
            None if matches!(character, '`' | '"' | '\'') => quote = Some(character),
            None if character.is_whitespace() || rest[index..].starts_with("*/") => {
                end = index;
                break;
            }
            None => {}
        }
    }
    format!("{}DEFINER{}", &line[..start], &rest[end..])
}

fn is_mariadb(db: &TestDb) -> bool {
    db.rows("SELECT VERSION()")[0][0].contains("MariaDB")
}

/// A probe through the mariadb client into a fresh A, then the round trip.
fn mariadb_probe(sql: &str) -> Option<TestDb> {
    let a = TestDb::mysql()?;
    mariadb_client(&a, sql);
    round_trip(&a, mariadb_dump, mariadb_client, mariadb_dump);
    Some(a)
}

#[test]
fn mariadb_routines_keep_the_sql_mode_they_were_created_under() {
    let probe = "SET sql_mode = 'PIPES_AS_CONCAT,ANSI_QUOTES';
CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20), greeting VARCHAR(40));
DELIMITER ;;
CREATE FUNCTION hi(n VARCHAR(20)) RETURNS VARCHAR(40) DETERMINISTIC RETURN 'hi ' || n;;
CREATE PROCEDURE greet(IN n VARCHAR(20)) BEGIN SELECT \"id\", 'x' || n FROM people; END;;
CREATE TRIGGER people_greet BEFORE INSERT ON people FOR EACH ROW SET NEW.greeting = 'hi ' || NEW.name;;
DELIMITER ;
SET sql_mode = '';
CREATE FUNCTION lax() RETURNS INT DETERMINISTIC RETURN 1;
";
    let Some(a) = mariadb_probe(probe) else {
        return;
    };
    // What the bug was about: the copy behaves as the original.
    let b = TestDb::new(Backend::Mysql);
    let project = Project::new().file("schema/schema.sql", dump(&a).stdout);
    migrate(&project, &b, &["load"]).success();
    for db in [&a, &b] {
        assert_eq!(db.rows("SELECT hi('bob')"), [["hi bob"]]);
        db.execute("INSERT INTO people (id, name) VALUES (1, 'ann')");
        assert_eq!(db.rows("SELECT greeting FROM people"), [["hi ann"]]);
    }
    // The loading session is given back: the next statement runs under it.
    let mode = b.rows("SELECT @@sql_mode");
    assert!(!mode[0][0].contains("PIPES_AS_CONCAT"), "{mode:?}");
}

#[test]
fn mariadb_programs_keep_their_character_set_collation_and_time_zone() {
    let probe = "SET NAMES latin1 COLLATE latin1_bin;
CREATE TABLE things (id INT PRIMARY KEY, label VARCHAR(10));
DELIMITER ;;
CREATE FUNCTION same_case() RETURNS INT DETERMINISTIC RETURN 'a' = 'A';;
CREATE TRIGGER things_label BEFORE INSERT ON things FOR EACH ROW SET NEW.label = IF('x' = 'X', 'ci', 'cs');;
DELIMITER ;
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
SET time_zone = '+02:00';
SET sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES';
CREATE EVENT \"tidy\" ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM things WHERE label = 'a\\b';
";
    let Some(a) = mariadb_probe(probe) else {
        return;
    };
    let b = TestDb::new(Backend::Mysql);
    mariadb_client(&b, &dump(&a).stdout);
    for db in [&a, &b] {
        // Under latin1_bin 'a' and 'A' differ; under the default they would not.
        assert_eq!(db.rows("SELECT same_case()"), [["0"]]);
        db.execute("INSERT INTO things (id) VALUES (1)");
        assert_eq!(db.rows("SELECT label FROM things"), [["cs"]]);
    }
}

#[test]
fn mariadb_routines_keep_the_database_collation_they_were_created_under() {
    let probe = "ALTER DATABASE COLLATE latin1_swedish_ci;
DELIMITER ;;
CREATE FUNCTION local_collation() RETURNS VARCHAR(40) DETERMINISTIC
BEGIN DECLARE v VARCHAR(10) DEFAULT 'x'; RETURN COLLATION(v); END;;
DELIMITER ;
ALTER DATABASE COLLATE utf8mb4_general_ci;
";
    let Some(a) = mariadb_probe(probe) else {
        return;
    };
    assert_eq!(a.rows("SELECT local_collation()"), [["latin1_swedish_ci"]]);
}

#[test]
fn mariadb_a_broad_schema_round_trips() {
    let Some(probe_db) = TestDb::mysql() else {
        return;
    };
    let sequence = match is_mariadb(&probe_db) {
        true => "CREATE SEQUENCE ticket START WITH 100 INCREMENT BY 5;\n",
        false => "",
    };
    let probe = format!(
        "CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(100) NOT NULL UNIQUE,
    name VARCHAR(50) DEFAULT 'anonymous' COMMENT 'shown', CONSTRAINT name_not_empty CHECK (CHAR_LENGTH(name) > 0))
    COMMENT 'people';
CREATE TABLE posts (id INT PRIMARY KEY, user_id INT NOT NULL, title VARCHAR(200) NOT NULL,
    body TEXT, total DECIMAL(10, 2) AS (id * 2) STORED, tags SET('a', 'b'), mood ENUM('x', 'y'),
    FULLTEXT KEY posts_body (body),
    CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE visits (id INT NOT NULL, day DATE NOT NULL, PRIMARY KEY (id, day))
    PARTITION BY RANGE (YEAR(day)) (PARTITION p2025 VALUES LESS THAN (2026),
    PARTITION pmax VALUES LESS THAN MAXVALUE);
CREATE TABLE `odd name` (`select` INT, `a``b` INT) ENGINE=MyISAM DEFAULT CHARSET=latin1;
CREATE INDEX posts_title ON posts (title(20));
CREATE VIEW published AS SELECT id, title FROM posts WHERE body IS NOT NULL;
CREATE VIEW a_titles AS SELECT title FROM published;
{sequence}DELIMITER ;;
CREATE PROCEDURE purge_posts(IN below INT) BEGIN DELETE FROM posts WHERE id < below; SELECT ROW_COUNT(); END;;
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;;
CREATE TRIGGER users_b BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email);;
CREATE TRIGGER users_a BEFORE INSERT ON users FOR EACH ROW FOLLOWS users_b SET NEW.name = TRIM(NEW.name);;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM posts WHERE id < 0;;
DELIMITER ;
INSERT INTO users (email) VALUES ('a@example.com');
"
    );
    drop(probe_db);
    mariadb_probe(&probe);
}

/// What the public samples of scripts/fidelity-mysql.sh (sakila, employees,
/// chinook) use beyond the broad probe, in a few lines of our own, so that
/// `cargo test` keeps watching it: a spatial column and index, `YEAR`,
/// `ON UPDATE CURRENT_TIMESTAMP`, `RANGE COLUMNS` partitions, a view with
/// `SQL SECURITY INVOKER`, views that read a view only in a subquery or call
/// a function (and sort before what they read), programs made under
/// `TRADITIONAL`, and MariaDB's system versioning and invisible columns.
#[test]
fn mariadb_what_the_public_samples_use_round_trips() {
    let Some(probe_db) = TestDb::mysql() else {
        return;
    };
    let mariadb_only = match is_mariadb(&probe_db) {
        true => {
            "CREATE TABLE history (id INT PRIMARY KEY, v INT, note INT INVISIBLE) WITH SYSTEM VERSIONING;\n"
        }
        false => "",
    };
    drop(probe_db);
    mariadb_probe(&format!(
        "SET sql_mode = 'TRADITIONAL';
CREATE TABLE address (id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    location GEOMETRY NOT NULL, released YEAR DEFAULT NULL,
    last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    SPATIAL KEY idx_location (location)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE salaries (emp_no INT NOT NULL, from_date DATE NOT NULL, PRIMARY KEY (emp_no, from_date))
    PARTITION BY RANGE COLUMNS (from_date) (PARTITION p01 VALUES LESS THAN ('1985-12-31'),
    PARTITION p02 VALUES LESS THAN MAXVALUE);
{mariadb_only}DELIMITER ;;
CREATE FUNCTION a_year(d DATE) RETURNS INT DETERMINISTIC RETURN YEAR(d);;
CREATE TRIGGER address_touch BEFORE UPDATE ON address FOR EACH ROW BEGIN
    IF NEW.released IS NULL THEN SET NEW.released = 2006; END IF; END;;
DELIMITER ;
CREATE SQL SECURITY INVOKER VIEW z_base AS SELECT id, released FROM address;
CREATE VIEW a_in_subquery AS SELECT id FROM address WHERE id IN (SELECT id FROM z_base);
CREATE VIEW a_scalar AS SELECT (SELECT MAX(released) FROM z_base) AS latest, a_year(CURDATE()) AS now_year;
"
    ));
}

// ----------------------------------------------------------------- SQLite

/// The rows of `sqlite_schema` (without page numbers) and the header numbers.
fn sqlite_schema(db: &TestDb) -> String {
    let mut rows =
        db.rows("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name");
    rows.push(db.rows("PRAGMA user_version").concat());
    rows.push(db.rows("PRAGMA application_id").concat());
    format!("{rows:#?}")
}

/// Runs `sql` through the `sqlite3` shell.
fn sqlite3_shell(db: &TestDb, sql: &str) {
    let mut child = Command::new("sqlite3")
        .args(["-bail"])
        .arg(db.sqlite_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sqlite3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("write to sqlite3");
    let output = child.wait_with_output().expect("sqlite3 ends");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "sqlite3 < {sql}\n{output:?}"
    );
}

/// The probe loaded into a fresh A by `migrate load`, as a schema made by
/// migrations would be (statements as our splitter ends them), then the
/// round trip.
fn sqlite_probe(sql: &str) -> TestDb {
    let a = TestDb::sqlite();
    migrate_load(&a, sql);
    round_trip(&a, sqlite_schema, sqlite3_shell, sqlite_schema);
    a
}

#[test]
fn sqlite_objects_ending_in_a_comment_load_with_their_text() {
    let probe = "CREATE TABLE t (a INTEGER, b TEXT);
CREATE INDEX t_a ON t (a) -- by a; the fast path
;
CREATE INDEX t_b ON t (b) /* by b; */;
CREATE VIEW v_dash AS SELECT a AS \"--x\", '--' AS b FROM t -- trailing
;
CREATE VIEW v_block AS SELECT a FROM t /* a block; */ -- then a line;
;
CREATE TRIGGER t_touch AFTER INSERT ON t BEGIN UPDATE t SET b = '--' WHERE a = NEW.a; END;
CREATE VIEW v_after AS SELECT * FROM v_dash;";
    let a = TestDb::sqlite();
    migrate_load(&a, probe);
    // SQLite keeps an index's text up to its `;`: a `--` comment at its end
    // needs the newline that ends it, which the sqlite3 shell keeps and
    // migrate's splitter (which ends a statement at its last token) does
    // not. The copy through the shell therefore differs only by that
    // newline at the end of such an index's text, and is compared without it.
    let trailing_space_aside = |db: &TestDb| sqlite_schema(db).replace("\\n\",", "\",");
    round_trip(&a, sqlite_schema, sqlite3_shell, trailing_space_aside);
    let stored = a.rows("SELECT sql FROM sqlite_schema WHERE name = 't_a'");
    assert_eq!(
        stored,
        [["CREATE INDEX t_a ON t (a) -- by a; the fast path"]]
    );
    // The same objects made in the shell (with that newline) dump and load
    // back through the shell exactly.
    let shell_made = TestDb::sqlite();
    sqlite3_shell(&shell_made, probe);
    let dumped = dump(&shell_made);
    let copy = TestDb::sqlite();
    sqlite3_shell(&copy, &dumped.stdout);
    assert_eq!(sqlite_schema(&copy), sqlite_schema(&shell_made));
}

#[test]
fn sqlite_user_version_and_application_id_are_carried() {
    let a = sqlite_probe(
        "CREATE TABLE t (a INTEGER);
PRAGMA user_version = 41;
PRAGMA application_id = 1179403647;",
    );
    assert_eq!(a.rows("PRAGMA user_version"), [["41"]]);
    let header_only = sqlite_probe("PRAGMA user_version = -3;");
    assert_eq!(header_only.rows("PRAGMA user_version"), [["-3"]]);
}

#[test]
fn sqlite_a_broad_schema_round_trips() {
    sqlite_probe(
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT DEFAULT 'anonymous' CHECK (length(name) > 0));
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, title TEXT NOT NULL, body TEXT,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP, words INTEGER GENERATED ALWAYS AS (length(body)) VIRTUAL);
CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE strict_things (id INTEGER PRIMARY KEY, n REAL) STRICT;
CREATE TABLE \"odd name\" ([select] TEXT, `a\"b` INTEGER);
CREATE INDEX posts_user ON posts (user_id, created_at DESC);
CREATE UNIQUE INDEX posts_title ON posts (lower(title)) WHERE body IS NOT NULL;
CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter');
CREATE VIEW published AS SELECT id, title FROM posts WHERE body IS NOT NULL;
CREATE VIEW a_titles AS SELECT title FROM published;
CREATE TRIGGER posts_touch AFTER UPDATE OF title ON posts BEGIN
    UPDATE posts SET created_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER published_insert INSTEAD OF INSERT ON published BEGIN
    INSERT INTO posts (id, user_id, title, body) VALUES (NEW.id, 1, NEW.title, ''); END;
INSERT INTO users (email) VALUES ('a@example.com');",
    );
}
