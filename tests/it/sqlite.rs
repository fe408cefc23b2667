//! SQLite's own promises: foreign keys during table rebuilds (SPEC section
//! 5), and one run lock for one database file, whatever path names it.

use crate::concurrency::thirty_inserts;
use crate::support::{Project, Run, TestDb, migrate, states};

/// `parent` with a `child` that cascades, then SQLite's documented rebuild
/// of `parent` (create, copy, drop, rename) in version 2.
fn rebuild_of_a_referenced_table() -> Project {
    Project::new()
        .up(
            1,
            "tables",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n\
             CREATE TABLE child (id INTEGER PRIMARY KEY,\n\
                 parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);\n\
             INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b');\n\
             INSERT INTO child (id, parent_id) VALUES (10, 1), (11, 1), (12, 2);\n",
        )
        .up(
            2,
            "rebuild_parent",
            "CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n\
             INSERT INTO parent_new (id, name) SELECT id, coalesce(name, '') FROM parent;\n\
             DROP TABLE parent;\n\
             ALTER TABLE parent_new RENAME TO parent;\n",
        )
}

#[test]
fn a_table_rebuild_keeps_the_child_rows() {
    let db = TestDb::sqlite();
    let project = rebuild_of_a_referenced_table();
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.scalar("SELECT count(*) FROM child"), 3);
    assert_eq!(db.scalar("SELECT count(*) FROM parent"), 2);
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
}

#[test]
fn a_table_rebuild_keeps_the_child_rows_in_a_no_transaction_file() {
    let db = TestDb::sqlite();
    let project = rebuild_of_a_referenced_table();
    let text = std::fs::read_to_string(project.path().join("up/2_rebuild_parent.sql")).unwrap();
    project.write(
        "up/2_rebuild_parent.sql",
        format!("-- migrate: no-transaction\n{text}"),
    );
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.scalar("SELECT count(*) FROM child"), 3);
}

#[test]
fn a_file_that_breaks_a_foreign_key_fails_naming_the_table() {
    let db = TestDb::sqlite();
    let project = rebuild_of_a_referenced_table().up(
        3,
        "orphan",
        "INSERT INTO parent (id, name) VALUES (3, 'c');\n\
         INSERT INTO child (id, parent_id) VALUES (13, 99);\n",
    );
    migrate(&project, &db, &["up", "2"]).success();
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(
        run.stderr.starts_with("error: up/3_orphan.sql: "),
        "the file is not named\n{run}"
    );
    assert!(run.stderr.contains("foreign key violation"), "{run}");
    assert!(run.stderr.contains("table child"), "{run}");
    assert!(run.stderr.contains("referencing parent"), "{run}");
    // Rolled back whole: the good row of the same file is gone too.
    assert_eq!(db.scalar("SELECT count(*) FROM parent WHERE id = 3"), 0);
    assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    let failed = db.rows("SELECT version, outcome FROM db_version_log WHERE outcome = 'failed'");
    assert_eq!(failed, vec![vec!["3".to_string(), "failed".to_string()]]);
}

/// Runs `up` at once through each of `paths`, three processes a path.
fn race_through(project: &Project, paths: &[std::path::PathBuf]) -> Vec<Run> {
    let children: Vec<_> = [paths, paths, paths]
        .concat()
        .iter()
        .map(|path| {
            project
                .command()
                .args(["--database-url", &format!("sqlite:{}", path.display())])
                .args(["up"])
                .spawn()
        })
        .collect();
    children.into_iter().map(Run::from_child).collect()
}

#[cfg(unix)]
#[test]
fn runs_through_a_symbolic_link_share_the_lock() {
    let db = TestDb::sqlite();
    let project = thirty_inserts();
    let link = db.dir().join("link.db");
    std::os::unix::fs::symlink(db.sqlite_path(), &link).unwrap();
    let runs = race_through(&project, &[db.sqlite_path().to_path_buf(), link]);
    let applied: usize = runs
        .iter()
        .map(|run| run.success().operations().len())
        .sum();
    assert_eq!(applied, 30, "{runs:?}");
    assert_eq!(db.scalar("SELECT count(*) FROM hits"), 30);
    assert_eq!(db.scalar("SELECT count(DISTINCT version) FROM hits"), 30);
}

#[cfg(unix)]
#[test]
fn runs_through_a_hard_link_never_apply_a_version_twice() {
    let db = TestDb::sqlite();
    let project = thirty_inserts();
    migrate(&project, &db, &["up", "1"]).success();
    let link = db.dir().join("hard.db");
    std::fs::hard_link(db.sqlite_path(), &link).unwrap();
    let runs = race_through(&project, &[db.sqlite_path().to_path_buf(), link]);
    let mut applied = 1;
    for run in &runs {
        // Each run either finished, or stopped when it found a version that
        // the run through the other name had just applied.
        if run.code != 0 {
            run.expect(4);
            assert!(run.stderr.contains("was changed by another run"), "{run}");
        }
        applied += run.operations().len();
    }
    assert_eq!(
        db.scalar("SELECT count(*) FROM hits"),
        applied as i64,
        "{runs:?}"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM hits"),
        db.scalar("SELECT count(DISTINCT version) FROM hits"),
        "a version was applied twice: {runs:?}"
    );
    // What the races left, a plain run finishes.
    migrate(&project, &db, &["up"]).success();
    assert_eq!(db.scalar("SELECT count(*) FROM hits"), 30);
}
