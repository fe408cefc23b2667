//! Tables fit the terminal (issue 18): `status` at 80 columns, from
//! `COLUMNS` and from a real pseudo-terminal's width; off a terminal the
//! table is whole.

use crate::support::terminal::run_on_a_terminal;
use crate::support::{Project, TestDb, mask_run, migrate};

/// Version 1 through every phase under a long name, 2 added, 3 pending
/// without a down file: the full table is about 150 columns wide.
fn project() -> Project {
    Project::new()
        .up(
            1,
            "create_users_and_their_addresses",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, legacy TEXT);\n",
        )
        .down(1, "create_users_and_their_addresses", "DROP TABLE users;\n")
        .simdrop(1, "ALTER TABLE users RENAME COLUMN legacy TO legacy_old;\n")
        .rollback_simdrop(1, "ALTER TABLE users RENAME COLUMN legacy_old TO legacy;\n")
        .drop(1, "ALTER TABLE users DROP COLUMN legacy_old;\n")
        .up(
            2,
            "add_posts",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n",
        )
        .down(2, "add_posts", "DROP TABLE posts;\n")
        .up(3, "", "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n")
}

fn deployed(project: &Project, db: &TestDb) {
    migrate(project, db, &["ff", "1"]).success();
    migrate(project, db, &["up", "2"]).success();
}

/// The table lines (between the header and the `next:` lines).
fn widest_line(text: &str) -> usize {
    text.lines()
        .filter(|line| !line.starts_with("next:") && !line.starts_with("database:"))
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0)
}

/// `2026-12-04 18:23` (the compact table's times) as `[minute]        `,
/// padded so the columns stay aligned.
fn mask_minutes(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd";
    let mut out = text.to_string();
    while let Some(at) = (0..out.len()).find(|&at| {
        out.as_bytes()
            .get(at..at + SHAPE.len())
            .is_some_and(|bytes| {
                bytes.iter().zip(SHAPE).all(|(byte, shape)| match shape {
                    b'd' => byte.is_ascii_digit(),
                    other => byte == other,
                })
            })
    }) {
        out.replace_range(at..at + SHAPE.len(), &format!("{:<16}", "[minute]"));
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn status_fits_80_columns() {
    let project = project();
    let db = TestDb::sqlite();
    deployed(&project, &db);
    let whole = migrate(&project, &db, &["status"]);
    whole.success();
    assert!(
        widest_line(&whole.stdout) > 120,
        "off a terminal the table is whole: {whole}"
    );
    let run = project
        .command()
        .database(&db)
        .env("COLUMNS", "80")
        .args(["status"])
        .run();
    run.success();
    assert!(widest_line(&run.stdout) <= 80, "{run}");
    insta::assert_snapshot!(mask_minutes(&mask_run(&run.stdout, &project, &db)), @r"
    database: [url]
    current version: 2

    version  name               state    add  simdrop  drop  when              notes
          1  create_users_and…  dropped  1    1        1     [minute]
          2  add_posts          added    2                   [minute]
          3                     pending
             no down file

    next: 3 awaits add (`migrate up`)
    ");
}

#[test]
fn status_fits_the_width_of_a_real_terminal() {
    let project = project();
    let db = TestDb::sqlite();
    deployed(&project, &db);
    let args = format!(
        "--dir '{}' --database-url '{}' status",
        project.path().display(),
        db.url()
    );
    let (succeeded, raw) = run_on_a_terminal(project.path(), 80, &args);
    let text = raw.replace("\r\n", "\n");
    assert!(succeeded, "{text}");
    assert!(text.contains("when"), "the compact table: {text}");
    assert!(widest_line(&text) <= 80, "{text}");
}
