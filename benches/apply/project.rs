//! The migrations every tool applies, written in each tool's own layout, and
//! the one script the database clients run as the baseline.

use std::path::{Path, PathBuf};

/// The SQL of version `version`: a table, an index and a row, portable to
/// SQLite, PostgreSQL and MariaDB.
pub fn migration(version: usize) -> String {
    format!(
        "CREATE TABLE t{version} (id INTEGER PRIMARY KEY, label VARCHAR(40) NOT NULL);\n\
         CREATE INDEX t{version}_label ON t{version} (label);\n\
         INSERT INTO t{version} (id, label) VALUES (1, 'v{version}');\n"
    )
}

/// `migrate`'s layout: `up/<version>_table.sql`.
pub fn write_migrate(dir: &Path, count: usize) {
    let up = dir.join("up");
    std::fs::create_dir_all(&up).expect("up/ is created in the bench folder");
    for version in 1..=count {
        let path = up.join(format!("{version}_table.sql"));
        std::fs::write(path, migration(version)).expect("a migration is written");
    }
}

/// The files `cat` reads for the floor of a no-op `up` or `status`.
pub fn migrate_files(dir: &Path, count: usize) -> Vec<PathBuf> {
    (1..=count)
        .map(|version| dir.join("up").join(format!("{version}_table.sql")))
        .collect()
}

/// One script that runs every file in its own transaction, as `migrate`
/// does: what the database's own client runs in one session.
pub fn write_baseline(dir: &Path, count: usize) -> PathBuf {
    let mut script = String::new();
    for version in 1..=count {
        script.push_str("BEGIN;\n");
        script.push_str(&migration(version));
        script.push_str("COMMIT;\n");
    }
    let path = dir.join("baseline.sql");
    std::fs::write(&path, script).expect("the baseline script is written");
    path
}

/// The baseline script plus, in each file's transaction, the two rows any
/// tool that records what it ran must write (a version row and a log row,
/// shaped like `migrate`'s): the floor of a migrator that keeps a history,
/// so that `migrate`'s own cost can be told from its bookkeeping's.
pub fn write_recording_baseline(dir: &Path, count: usize) -> PathBuf {
    let mut script = String::from(
        "CREATE TABLE bench_version (version VARCHAR(40) PRIMARY KEY, name VARCHAR(100), \
         state VARCHAR(20) NOT NULL, add_release VARCHAR(40), added_at VARCHAR(40), \
         add_seq INTEGER, add_checksum VARCHAR(64));\n\
         CREATE TABLE bench_log (id INTEGER PRIMARY KEY, version VARCHAR(40) NOT NULL, \
         operation VARCHAR(20) NOT NULL, release_label VARCHAR(40), file VARCHAR(200), \
         checksum VARCHAR(64), started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40), \
         outcome VARCHAR(20) NOT NULL);\n",
    );
    let checksum = "0".repeat(64);
    let at = "2026-12-04T00:00:00.000000Z";
    for version in 1..=count {
        script.push_str("BEGIN;\n");
        script.push_str(&migration(version));
        script.push_str(&format!(
            "INSERT INTO bench_version VALUES ('{version}', 'table', 'added', '1', '{at}', \
             {version}, '{checksum}');\n\
             INSERT INTO bench_log VALUES ({version}, '{version}', 'add', '1', \
             'up/{version}_table.sql', '{checksum}', '{at}', '{at}', 'ok');\n\
             COMMIT;\n"
        ));
    }
    let path = dir.join("baseline-recording.sql");
    std::fs::write(&path, script).expect("the recording baseline script is written");
    path
}

/// sqlx-cli's simple migrations: `<version>_<description>.sql`, each run in
/// a transaction of its own.
pub fn write_sqlx(dir: &Path, count: usize) {
    write_each(dir, count, |version| {
        (format!("{version}_table.sql"), migration(version))
    });
}

/// refinery's `V<version>__<name>.sql`.
pub fn write_refinery(dir: &Path, count: usize) {
    write_each(dir, count, |version| {
        (format!("V{version}__table.sql"), migration(version))
    });
}

/// dbmate's `<version>_<name>.sql` with its section markers; the versions
/// are zero-padded because dbmate orders them as strings.
pub fn write_dbmate(dir: &Path, count: usize) {
    write_each(dir, count, |version| {
        let sql = format!("-- migrate:up\n{}\n-- migrate:down\n", migration(version));
        (format!("{version:05}_table.sql"), sql)
    });
}

fn write_each(dir: &Path, count: usize, file: impl Fn(usize) -> (String, String)) {
    std::fs::create_dir_all(dir).expect("a peer's migration folder is created");
    for version in 1..=count {
        let (name, sql) = file(version);
        std::fs::write(dir.join(name), sql).expect("a peer's migration is written");
    }
}
