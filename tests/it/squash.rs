//! `squash N` (SPEC section 10) through the binary on every backend: a
//! fresh database brought up from the squashed folder equals one brought up
//! from the original; a database that finished the range goes on; one
//! part-way is refused; `down` below the checkpoint is refused; `--archive`
//! and `--dry-run`; `--final`; and every type's rows round-trip exactly.

use std::path::Path;

use serde_json::Value;

use crate::support::{Backend, Project, TestDb, for_each_backend, migrate};

/// The original folder: 1 tables and reference rows, 2 more rows (add-only,
/// no down), 3 a column renamed then dropped (every phase), 4 an index and
/// a deleted row, 5 after the squash.
fn original() -> Project {
    Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, \
             legacy VARCHAR(10));\n\
             CREATE TABLE roles (name VARCHAR(20) PRIMARY KEY);\n\
             INSERT INTO roles (name) VALUES ('admin'), ('it''s'), ('reader');\n",
        )
        .down(1, "users", "DROP TABLE users;\nDROP TABLE roles;\n")
        .up(
            2,
            "seed",
            "INSERT INTO users (id, name, legacy) VALUES (1, 'ada', 'x'), (2, 'bob', NULL);\n",
        )
        .up(
            3,
            "email",
            "ALTER TABLE users ADD COLUMN email VARCHAR(100);\n",
        )
        .simdrop(3, "ALTER TABLE users RENAME COLUMN legacy TO legacy_old;\n")
        .rollback_simdrop(3, "ALTER TABLE users RENAME COLUMN legacy_old TO legacy;\n")
        .drop(3, "ALTER TABLE users DROP COLUMN legacy_old;\n")
        .up(
            4,
            "index",
            "CREATE INDEX users_name ON users (name);\nDELETE FROM roles WHERE name = 'reader';\n",
        )
        .up(
            5,
            "later",
            "CREATE TABLE later (x INTEGER);\nINSERT INTO roles (name) VALUES ('later');\n",
        )
        .down(
            5,
            "later",
            "DROP TABLE later;\nDELETE FROM roles WHERE name = 'later';\n",
        )
}

/// `migrate schema_dump` of `db`.
fn dump(project: &Project, db: &TestDb) -> String {
    let run = migrate(project, db, &["schema_dump"]);
    run.success();
    run.stdout
}

/// The rows of `table`, each value in the database's own exact text form
/// (not migrate's): SQLite `quote()`, PostgreSQL the row's text, MySQL the
/// hex of each value's bytes.
fn contents(db: &TestDb, table: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let values: Vec<String> = columns
        .iter()
        .map(|column| match db.backend() {
            Backend::Sqlite => format!("quote({column})"),
            Backend::Postgres => format!("quote_nullable({column})"),
            Backend::Mysql => format!("HEX(CAST({column} AS BINARY))"),
        })
        .collect();
    db.rows(&format!(
        "SELECT {} FROM {table} ORDER BY 1",
        values.join(", ")
    ))
}

fn squash(project: &Project, db: &TestDb, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["squash"];
    all.extend_from_slice(args);
    migrate(project, db, &all)
}

fn states(document: &Value) -> Vec<(u64, String)> {
    document["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|row| {
            (
                row["version"].as_u64().expect("a version"),
                row["state"].as_str().expect("a state").to_string(),
            )
        })
        .collect()
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walk(dir)
        .into_iter()
        .map(|path| {
            path.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_fresh_database_from_the_squashed_folder_equals_one_from_the_original() {
    for_each_backend(|old| {
        let project = original();
        migrate(&project, old, &["ff", "4"]).success();
        let run = squash(&project, old, &["4", "--final"]);
        run.success();
        assert!(run.stdout.contains("wrote up/4_checkpoint.sql"), "{run}");
        assert_eq!(
            files_of(&project.path().join("up")),
            ["4_checkpoint.sql", "5_later.sql"]
        );
        assert_eq!(files_of(&project.path().join("down")), ["5_later.sql"]);
        // The target of squash is only where the scratch database is made.
        assert_eq!(old.versions().len(), 4);

        // A fresh database runs the checkpoint, then what follows it.
        let fresh = TestDb::new(old.backend());
        let run = migrate(&project, &fresh, &["up"]);
        run.success();
        assert_eq!(
            run.operations(),
            [("add".into(), "4".into()), ("add".into(), "5".into())]
        );
        // The database that ran the original files goes on unchanged.
        let run = migrate(&project, old, &["up"]);
        run.success();
        assert_eq!(run.operations(), [("add".into(), "5".into())]);

        assert_eq!(dump(&project, &fresh), dump(&project, old));
        for (table, columns) in [
            ("roles", &["name"][..]),
            ("users", &["id", "name", "email"][..]),
            ("later", &["x"][..]),
        ] {
            assert_eq!(
                contents(&fresh, table, columns),
                contents(old, table, columns),
                "{table}"
            );
        }
        assert_eq!(
            contents(&fresh, "roles", &["name"]).len(),
            3,
            "admin, it's and later"
        );

        // status: the finished database shows 1 to 4 squashed, not missing.
        let status = migrate(&project, old, &["status", "--json"]);
        status.success();
        let document = status.json();
        assert_eq!(
            states(&document),
            [
                (1, "squashed".to_string()),
                (2, "squashed".to_string()),
                (3, "squashed".to_string()),
                (4, "squashed".to_string()),
                (5, "added".to_string()),
            ],
            "{document:#}"
        );
        assert_eq!(document["versions"][2]["name"], "email");
        assert_eq!(
            document["versions"][0]["squashed_into"],
            "up/4_checkpoint.sql"
        );
        assert!(
            document["next"].as_array().unwrap().is_empty(),
            "{document:#}"
        );
        let fresh_status = migrate(&project, &fresh, &["status", "--json"]).json();
        assert_eq!(
            states(&fresh_status),
            [(4, "added".to_string()), (5, "added".to_string())]
        );
        // verify: the removed files are not drift.
        migrate(&project, old, &["verify"]).success();
        migrate(&project, &fresh, &["verify"]).success();
        // log keeps the history of the squashed versions.
        let log = migrate(&project, old, &["log", "--json"]).json();
        let logged: Vec<(u64, String)> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                (
                    entry["version"].as_u64().unwrap(),
                    entry["operation"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for expected in [
            (1, "add"),
            (3, "simdrop"),
            (3, "drop"),
            (4, "add"),
            (5, "add"),
        ] {
            assert!(
                logged.contains(&(expected.0, expected.1.to_string())),
                "{expected:?} in {logged:?}"
            );
        }
    });
}

#[test]
fn a_database_part_way_through_the_squashed_versions_is_refused() {
    for_each_backend(|db| {
        let project = original();
        // 1 and 2 applied, 3 only added: short of 3's drop and of 4.
        migrate(&project, db, &["up", "3"]).success();
        let archive = tempfile::tempdir().unwrap();
        project
            .command()
            .database(db)
            .args(["squash", "4", "--final"])
            .arg_path("--archive", archive.path())
            .run()
            .success();
        let before = db.versions();
        for command in [&["up"][..], &["ff"][..], &["simdrop"][..]] {
            let run = migrate(&project, db, command);
            run.expect(5);
            assert!(
                run.stderr
                    .contains("part-way through the versions squashed into up/4_checkpoint.sql"),
                "{run}"
            );
            assert!(
                run.stderr.contains("version 3 is added, needs dropped"),
                "{run}"
            );
            assert!(
                run.stderr.contains("version 4 is pending, needs added"),
                "{run}"
            );
            assert!(
                run.stderr.contains("migrate ff 4 --dir OLD_FOLDER"),
                "{run}"
            );
        }
        assert_eq!(db.versions(), before);
        assert!(!db.table_exists("later"));
        // status names the block, and the rows in the state they are in.
        let document = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            document["next"][0]["blocked"],
            "part_way_through_checkpoint"
        );
        assert_eq!(
            states(&document)[..3],
            [
                (1, "added".to_string()),
                (2, "added".to_string()),
                (3, "added".to_string())
            ]
        );
        // The advice works: the archived files finish the range, then the
        // squashed folder goes on.
        project
            .command()
            .database(db)
            .args(["ff", "4"])
            .arg_path("--dir", archive.path())
            .run()
            .success();
        let run = migrate(&project, db, &["up"]);
        run.success();
        assert_eq!(run.operations(), [("add".into(), "5".into())]);
        let document = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(states(&document)[3], (4, "squashed".to_string()));
    });
}

#[test]
fn down_below_the_checkpoint_is_refused() {
    for_each_backend(|db| {
        let project = original();
        squash(&project, db, &["4", "--final"]).success();
        migrate(&project, db, &["up", "4"]).success();
        migrate(&project, db, &["up", "--release", "2"]).success();
        let run = migrate(&project, db, &["down", "3"]);
        run.expect(5);
        assert!(
            run.stderr.contains(
                "cannot rollback_add version 4: it is squashed into up/4_checkpoint.sql, and a \
                 checkpoint has no down file"
            ),
            "{run}"
        );
        assert_eq!(db.versions().len(), 2);
        // Above it, rollbacks work as before.
        migrate(&project, db, &["down"]).success();
        assert_eq!(db.versions(), crate::support::states(&[(4, "added")]));
        migrate(&project, db, &["down"]).expect(5);
        migrate(&project, db, &["down", "0"]).expect(5);
        assert!(db.table_exists("users"));
    });
}

#[test]
fn dry_run_writes_nothing_and_archive_keeps_the_files() {
    for_each_backend(|db| {
        let project = original();
        let before = files_of(project.path());
        let run = squash(&project, db, &["4", "--final", "--dry-run"]);
        run.success();
        assert!(
            run.stdout
                .starts_with("would write up/4_checkpoint.sql:\n-- migrate: checkpoint\n"),
            "{run}"
        );
        assert!(
            run.stdout.contains("-- squashed: 3 dropped email\n"),
            "{run}"
        );
        assert!(
            run.stdout.contains("would remove up/1_users.sql\n"),
            "{run}"
        );
        assert!(
            run.stdout.contains("would remove down/1_users.sql\n"),
            "{run}"
        );
        assert!(run.stdout.contains("would remove up/3.drop.sql\n"), "{run}");
        assert!(!run.stdout.contains("5_later"), "{run}");
        assert!(!run.stdout.contains("legacy"), "{run}");
        assert_eq!(files_of(project.path()), before);
        let json = squash(&project, db, &["4", "--final", "--dry-run", "--json"]).json();
        assert_eq!(json["squash"]["dry_run"], true);
        assert_eq!(json["squash"]["squashed"], serde_json::json!([1, 2, 3, 4]));
        let sql = json["squash"]["sql"].as_str().unwrap().to_string();

        let archive = tempfile::tempdir().unwrap();
        let run = project
            .command()
            .database(db)
            .args(["squash", "4", "--final"])
            .arg_path("--archive", archive.path())
            .run();
        run.success();
        assert!(run.stdout.contains("moved up/1_users.sql to "), "{run}");
        assert_eq!(
            files_of(archive.path()),
            [
                "down/1_users.sql",
                "down/3.simdrop.sql",
                "up/1_users.sql",
                "up/2_seed.sql",
                "up/3.drop.sql",
                "up/3.simdrop.sql",
                "up/3_email.sql",
                "up/4_index.sql",
            ]
        );
        let written = std::fs::read_to_string(project.path().join("up/4_checkpoint.sql")).unwrap();
        assert_eq!(written, sql, "the dry run printed what was written");
        // The same folder always gives the same checkpoint.
        let copy = Project::new();
        for path in files_of(archive.path()) {
            copy.write(&path, std::fs::read(archive.path().join(&path)).unwrap());
        }
        squash(&copy, db, &["4", "--final"]).success();
        let again = std::fs::read_to_string(copy.path().join("up/4_checkpoint.sql")).unwrap();
        assert_eq!(again, written);
        // Squashing it again at 4 is a usage error: it is a checkpoint already.
        let run = squash(&copy, db, &["4"]);
        run.expect(2);
        assert!(
            run.stderr
                .contains("already stands for every version up to 4"),
            "{run}"
        );
        // An archive inside up/ is refused: the scanner would find the files again.
        let inside = original();
        let run = inside
            .command()
            .database(db)
            .args(["squash", "2"])
            .arg_path("--archive", &inside.path().join("up/old"))
            .run();
        run.expect(2);
        assert!(
            run.stderr.contains("inside the migrations folder's up/"),
            "{run}"
        );
        assert!(inside.path().join("up/1_users.sql").exists());
    });
}

#[test]
fn later_phases_need_final() {
    for_each_backend(|db| {
        let project = original();
        let before = files_of(project.path());
        let run = squash(&project, db, &["4"]);
        run.expect(5);
        assert!(
            run.stderr
                .contains("squash 4: version 3 has simdrop or drop files"),
            "{run}"
        );
        assert!(run.stderr.contains("pass --final"), "{run}");
        assert!(run.stderr.contains("squash a lower version"), "{run}");
        assert_eq!(files_of(project.path()), before);
        // Up to 2 every version is add-only: no --final needed.
        squash(&project, db, &["2"]).success();
        assert!(project.path().join("up/2_checkpoint.sql").exists());
        // A database that ran that checkpoint, then 3 and 4 to the end.
        migrate(&project, db, &["ff", "4"]).success();
        // A checkpoint folds into a later one, which remembers it.
        squash(&project, db, &["4", "--final"]).success();
        let text = std::fs::read_to_string(project.path().join("up/4_checkpoint.sql")).unwrap();
        assert!(
            text.contains(
                "-- squashed: 1 added users in-checkpoint=2\n\
                 -- squashed: 2 added seed in-checkpoint=2\n-- squashed: 3 dropped email\n"
            ),
            "{text}"
        );
        assert!(!project.path().join("up/2_checkpoint.sql").exists());
        // That database has what both checkpoints stand for: it goes on.
        let run = migrate(&project, db, &["up"]);
        run.success();
        assert_eq!(run.operations(), [("add".into(), "5".into())]);
        let document = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            states(&document),
            [
                (2, "squashed".to_string()),
                (3, "squashed".to_string()),
                (4, "squashed".to_string()),
                (5, "added".to_string()),
            ]
        );
        migrate(&project, db, &["verify"]).success();
        // A fresh one runs the new checkpoint.
        let fresh = TestDb::new(db.backend());
        migrate(&project, &fresh, &["up"]).success();
        assert_eq!(dump(&project, &fresh), dump(&project, db));
        // A version the folder does not have is a usage error.
        squash(&project, db, &["7"]).expect(2);
    });
}

/// Every byte value, in hex: for the binary columns.
fn every_byte() -> String {
    (0..=255u8).map(|byte| format!("{byte:02X}")).collect()
}

/// A table of every type the backend has, with hard values and a row of
/// NULLs, and the columns to compare (`ts_instant` style expressions too).
fn typed_table(backend: Backend) -> (String, Vec<&'static str>) {
    let bytes = every_byte();
    let long = "x".repeat(200_000);
    match backend {
        Backend::Sqlite => (
            format!(
                "CREATE TABLE typed (id INTEGER PRIMARY KEY AUTOINCREMENT, i INTEGER, r REAL, \
                 t TEXT, b BLOB, g INTEGER GENERATED ALWAYS AS (i * 2) VIRTUAL);\n\
                 INSERT INTO typed (i, r, t, b) VALUES \
                 (9223372036854775807, 0.1, 'it''s \"q\" \\ back\nline é 😀', X'{bytes}'),\
                 (-9223372036854775808, -0.0, '', X''),\
                 (0, 1e300, '{long}', X'00'),\
                 (1, 4.9e-324, 'NULL', NULL),\
                 (NULL, NULL, NULL, NULL);\n\
                 DELETE FROM typed WHERE id = 4;\n\
                 INSERT INTO typed (i) VALUES (5);\nDELETE FROM typed WHERE i = 5;\n"
            ),
            vec!["id", "i", "r", "t", "b", "g", "typeof(r)", "typeof(i)"],
        ),
        Backend::Postgres => (
            format!(
                "CREATE TYPE mood AS ENUM ('ok', 'it''s');\n\
                 CREATE TABLE typed (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
                 b bytea, j json, jb jsonb, ia int[], ta text[], tz timestamptz, ts timestamp, \
                 d date, tm time, n numeric, f float8, r real, t text, m mood, iv interval, \
                 u uuid, bo boolean, ip inet, g bigint GENERATED ALWAYS AS (id * 2) STORED);\n\
                 CREATE TABLE \"Odd \"\"Name\"\"\" (\"a b\" text, \"C\" int);\n\
                 INSERT INTO \"Odd \"\"Name\"\"\" VALUES ('x', 1);\n\
                 SET TIME ZONE 'Asia/Kolkata';\n\
                 INSERT INTO typed (b, j, jb, ia, ta, tz, ts, d, tm, n, f, r, t, m, iv, u, bo, ip) VALUES \
                 ('\\x{bytes}', '{{\"a\": [1, 2.50, \"x\\\"y\"],  \"b\" : null}}', '{{\"k\": \"v\"}}', \
                  '{{1,NULL,3}}', '{{\"a b\",\"c''d\",\"e\\\\f\",NULL,\"NULL\"}}', \
                  '2024-03-01 12:34:56.789012+05:30', '2024-01-01 00:00:00.5', '2024-02-29', \
                  '23:59:59.999999', 12345678901234567890.123456789, 0.1, 3.4028235e38, \
                  E'back\\\\slash ''quote'' \\n newline é 😀', 'it''s', \
                  '1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', \
                  true, '192.168.0.1/24'),\
                 ('', '[]', '[]', '{{}}', '{{}}', '-infinity', 'infinity', '-infinity', '00:00', \
                  'NaN', 'NaN', '-Infinity', '{long}', 'ok', '-1 days', \
                  '00000000-0000-0000-0000-000000000000', false, '::1'),\
                 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-0', NULL, NULL, \
                  NULL, NULL, NULL, NULL, NULL);\n\
                 RESET TIME ZONE;\n"
            ),
            vec![
                "id", "b", "j", "jb", "ia", "ta", "tz", "ts", "d", "tm", "n", "f", "r", "t", "m",
                "iv", "u", "bo", "ip", "g",
            ],
        ),
        Backend::Mysql => (
            format!(
                "CREATE TABLE typed (id INT AUTO_INCREMENT PRIMARY KEY, vb VARBINARY(300), \
                 bl LONGBLOB, j JSON, ts TIMESTAMP(6) NULL, dt DATETIME(6), d DATE, tm TIME(6), \
                 n DECIMAL(30,10), f DOUBLE, r FLOAT, t LONGTEXT, e ENUM('a','it''s'), \
                 st SET('x','y'), bt BIT(8), y YEAR, l1 VARCHAR(20) CHARACTER SET latin1, \
                 g INT AS (y + 1) STORED);\n\
                 SET time_zone = '+05:30';\n\
                 INSERT INTO typed (vb, bl, j, ts, dt, d, tm, n, f, r, t, e, st, bt, y, l1) VALUES \
                 (X'{bytes}', X'{bytes}', '{{\"a\": [1, 2.5, \"x\\\\\"y\"]}}', \
                  '2024-03-01 12:34:56.789012', '2024-01-01 00:00:00.5', '2024-02-29', \
                  '-838:59:59.000000', 12345678901234567890.0123456789, 0.1, 1.5, \
                  'back\\\\slash ''q'' \\n nl \\0 nul \\Z é 😀', 'it''s', 'x,y', b'10000001', \
                  2024, 'café'),\
                 (X'', X'', '[]', '1970-01-01 05:30:01', '1000-01-01', '1000-01-01', '00:00', \
                  -0.5, -1e300, -3.5, '{long}', 'a', '', b'0', 1901, ''),\
                 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
                  NULL, NULL, NULL);\n\
                 SET time_zone = 'SYSTEM';\n"
            ),
            vec![
                "id",
                "vb",
                "bl",
                "j",
                "UNIX_TIMESTAMP(ts)",
                "dt",
                "d",
                "tm",
                "n",
                "f",
                "r",
                "t",
                "e",
                "st",
                "bt",
                "y",
                "l1",
                "g",
            ],
        ),
    }
}

#[test]
fn every_type_round_trips_exactly() {
    for_each_backend(|old| {
        let (sql, columns) = typed_table(old.backend());
        let project = Project::new().up(1, "typed", &sql).up(
            2,
            "after",
            "CREATE TABLE after_it (x INTEGER);\n",
        );
        migrate(&project, old, &["up", "1"]).success();
        squash(&project, old, &["1"]).success();
        let fresh = TestDb::new(old.backend());
        migrate(&project, &fresh, &["up"]).success();
        migrate(&project, old, &["up"]).success();
        assert_eq!(dump(&project, &fresh), dump(&project, old));
        let rows = contents(old, "typed", &["id"]).len();
        assert!(rows >= 3, "{rows} rows");
        for column in &columns {
            assert_eq!(
                contents(&fresh, "typed", &["id", column]),
                contents(old, "typed", &["id", column]),
                "{} column {column}",
                old.backend().name()
            );
        }
        // Counters are data too: the next key is the same in both.
        let next = "INSERT INTO typed DEFAULT VALUES";
        let next = match old.backend() {
            Backend::Postgres => format!("{next} RETURNING id"),
            Backend::Mysql => "INSERT INTO typed () VALUES ()".to_string(),
            Backend::Sqlite => next.to_string(),
        };
        let newest = "SELECT max(id) FROM typed";
        for db in [old, &fresh] {
            match old.backend() {
                Backend::Postgres => {
                    db.rows(&next);
                }
                _ => db.execute(&next),
            }
        }
        assert_eq!(fresh.rows(newest), old.rows(newest));
        if old.backend() == Backend::Postgres {
            assert_eq!(
                contents(&fresh, "\"Odd \"\"Name\"\"\"", &["\"a b\"", "\"C\""]),
                [["'x'", "'1'"]]
            );
        }
    });
}
