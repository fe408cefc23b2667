//! The walk as a whole: which tables count as new, `--pending`, down files,
//! `allow=`, and the folder's history feeding the rules.

use std::collections::BTreeSet;

use super::*;
use crate::scan::{Catalogue, MigrationFile, parse_name_in};
use crate::script::Script;

/// A catalogue from `(path, text)` pairs such as `("up/2.sql", "…")`.
fn folder(files: &[(&str, &str)]) -> Catalogue {
    let parsed = files.iter().map(|(path, text)| {
        let (dir, name) = path.split_once('/').unwrap();
        let parsed = parse_name_in(name, dir == "up").unwrap();
        let script = Script::parse(text.as_bytes()).unwrap();
        (
            parsed,
            MigrationFile {
                path: path.to_string(),
                script,
            },
        )
    });
    Catalogue::from_files(parsed.collect::<Vec<_>>()).unwrap()
}

/// `path:line rule` of every finding.
fn found(syntax: Syntax, files: &[(&str, &str)], pending: Option<&[u64]>) -> Vec<String> {
    let pending: Option<BTreeSet<Version>> =
        pending.map(|set| set.iter().map(|v| v.to_string().parse().unwrap()).collect());
    let report = lint(&folder(files), syntax, pending.as_ref()).unwrap();
    report
        .findings
        .iter()
        .map(|f| format!("{}:{} {}", f.path, f.line, f.rule))
        .collect()
}

const USERS: (&str, &str) = (
    "up/1.sql",
    "CREATE TABLE users (id int PRIMARY KEY, name varchar(50));\n",
);

#[test]
fn a_table_created_earlier_in_the_file_is_new() {
    let files = [(
        "up/1.sql",
        "CREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\nALTER TABLE t DROP COLUMN id;\nALTER TABLE t ADD COLUMN c int NOT NULL;\n",
    )];
    assert_eq!(found(Syntax::Postgres, &files, None), Vec::<String>::new());
}

#[test]
fn with_pending_earlier_pending_versions_make_new_tables() {
    let files = [USERS, ("up/2.sql", "CREATE INDEX i ON users (name);\n")];
    assert_eq!(
        found(Syntax::Postgres, &files, None),
        ["up/2.sql:1 pg-index-not-concurrent"]
    );
    assert_eq!(
        found(Syntax::Postgres, &files, Some(&[1, 2])),
        Vec::<String>::new()
    );
    // Version 1 applied: users holds rows.
    assert_eq!(
        found(Syntax::Postgres, &files, Some(&[2])),
        ["up/2.sql:1 pg-index-not-concurrent"]
    );
}

#[test]
fn a_down_file_may_drop_what_its_up_file_created() {
    let files = [
        USERS,
        (
            "up/2.sql",
            "CREATE TABLE tags (id int);\nCREATE INDEX t ON tags (id);\n",
        ),
        ("down/2.sql", "DROP INDEX t;\nDROP TABLE tags;\n"),
        (
            "up/2.simdrop.sql",
            "ALTER TABLE users RENAME TO users_old;\n",
        ),
        (
            "down/2.simdrop.sql",
            "ALTER TABLE users_old RENAME TO users;\n",
        ),
    ];
    assert_eq!(found(Syntax::Sqlite, &files, None), Vec::<String>::new());
}

#[test]
fn allow_silences_named_rules_and_unknown_names_are_folder_errors() {
    let files = [
        USERS,
        (
            "up/2.sql",
            "-- migrate: allow=add-removes\nALTER TABLE users DROP COLUMN name;\n",
        ),
    ];
    assert_eq!(found(Syntax::Mysql, &files, None), Vec::<String>::new());
    let typo = [
        USERS,
        ("up/2.sql", "\n-- migrate: allow=add-remove\nSELECT 1;\n"),
    ];
    let problems = lint(&folder(&typo), Syntax::Mysql, None).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].path.as_str(), problems[0].line),
        ("up/2.sql", Some(2))
    );
    assert!(
        problems[0]
            .message
            .contains("`allow=add-remove` names no lint rule"),
        "{problems:?}"
    );
}

#[test]
fn the_folders_history_tells_narrowing_from_widening() {
    let widen = [
        USERS,
        (
            "up/2.sql",
            "ALTER TABLE users MODIFY name varchar(100), ALGORITHM=INPLACE;\n",
        ),
    ];
    assert_eq!(found(Syntax::Mysql, &widen, None), Vec::<String>::new());
    let narrow = [
        USERS,
        (
            "up/2.sql",
            "ALTER TABLE users MODIFY name varchar(10), ALGORITHM=INPLACE;\n",
        ),
    ];
    assert_eq!(
        found(Syntax::Mysql, &narrow, None),
        ["up/2.sql:1 add-breaks-writes"]
    );
}

#[test]
fn set_not_null_after_a_validated_check_is_safe() {
    let files = [
        USERS,
        (
            "up/2.sql",
            "ALTER TABLE users ADD CONSTRAINT n CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT n;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n",
        ),
    ];
    assert_eq!(found(Syntax::Postgres, &files, None), Vec::<String>::new());
}

#[test]
fn a_rebuild_in_an_add_file_removes_nothing() {
    let files = [
        USERS,
        (
            "up/2.sql",
            "CREATE TABLE users_new (id int PRIMARY KEY);\nINSERT INTO users_new SELECT id FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n",
        ),
    ];
    assert_eq!(found(Syntax::Sqlite, &files, None), Vec::<String>::new());
}

#[test]
fn an_unreadable_file_is_one_note_not_a_crash() {
    let files = [("up/1.sql", "SELECT 1;\nSELECT 'unterminated;\n")];
    assert_eq!(
        found(Syntax::Postgres, &files, None),
        ["up/1.sql:2 unparsed"]
    );
}
