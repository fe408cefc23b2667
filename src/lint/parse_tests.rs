//! How statements of each database read, including the ones sqlparser
//! rejects: those must come back unread, never as a wrong action.

use super::*;

fn one(text: &str, syntax: Syntax) -> Action {
    let mut actions = parse(text, syntax);
    assert_eq!(actions.len(), 1, "{text}: {actions:?}");
    actions.remove(0)
}

#[test]
fn postgres_ddl() {
    let pg = Syntax::Postgres;
    assert_eq!(
        one(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON public.Users (email)",
            pg
        ),
        Action::CreateIndex {
            table: "users".into(),
            concurrently: true
        }
    );
    assert_eq!(
        one(
            "ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID",
            pg
        ),
        Action::AlterTable {
            table: "posts".into(),
            changes: vec![Change::AddConstraint {
                kind: "FOREIGN KEY",
                not_valid: true,
                name: Some("fk".into()),
                not_null_of: None
            }]
        }
    );
    assert_eq!(
        one("ALTER TABLE users ALTER COLUMN email SET NOT NULL", pg),
        Action::AlterTable {
            table: "users".into(),
            changes: vec![Change::SetNotNull("email".into())]
        }
    );
    assert_eq!(
        one(
            "ALTER TABLE users ALTER COLUMN id TYPE bigint USING id::bigint",
            pg
        ),
        Action::AlterTable {
            table: "users".into(),
            changes: vec![Change::SetType {
                column: "id".into(),
                data_type: "BIGINT".into(),
                using: true
            }]
        }
    );
    assert_eq!(one("VACUUM FULL users", pg), Action::Rewrite("VACUUM FULL"));
    assert_eq!(
        one("CLUSTER users USING users_pkey", pg),
        Action::Rewrite("CLUSTER")
    );
    assert_eq!(one("VACUUM ANALYZE users", pg), Action::Other);
    assert!(
        matches!(one("DO $$ BEGIN ALTER TABLE t DROP COLUMN c; END $$", pg), Action::Unparsed(ref why) if why.contains("DO block"))
    );
    assert!(matches!(
        one("DROP INDEX CONCURRENTLY i", pg),
        Action::DropIndexConcurrently
    ));
    assert!(matches!(
        one("CREATE VIEW v AS SELECT 1", pg),
        Action::OtherDdl
    ));
}

#[test]
fn mysql_ddl() {
    let my = Syntax::Mysql;
    let Action::AlterTable { changes, .. } = one(
        "ALTER TABLE users MODIFY name VARCHAR(100) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
        my,
    ) else {
        panic!("not an alter");
    };
    assert!(changes.contains(&Change::OnlineAlgorithm), "{changes:?}");
    assert!(
        matches!(&changes[0], Change::Restate { old, column } if old == "name" && column.not_null)
    );
    assert_eq!(
        one("RENAME TABLE a TO b", my),
        Action::RenameTable {
            from: "a".into(),
            to: "b".into()
        }
    );
    let Action::CreateTable { columns, .. } = one(
        "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL)",
        my,
    ) else {
        panic!("not a create");
    };
    assert!(columns[0].has_default && !columns[1].has_default);
}

#[test]
fn sqlite_ddl() {
    let lite = Syntax::Sqlite;
    let Action::CreateTable { references, .. } = one(
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))",
        lite,
    ) else {
        panic!("not a create");
    };
    assert_eq!(references, ["users"]);
    assert_eq!(
        one("ALTER TABLE users_new RENAME TO users", lite),
        Action::AlterTable {
            table: "users_new".into(),
            changes: vec![Change::RenameTo("users".into())]
        }
    );
}

#[test]
fn unreadable_statements_are_unparsed_never_guessed() {
    for (text, syntax) in [
        ("CREATE TABLE (", Syntax::Postgres),
        ("ALTER TABLE t FROBNICATE", Syntax::Mysql),
        (
            "SELECT ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1",
            Syntax::Sqlite,
        ),
    ] {
        assert!(matches!(one(text, syntax), Action::Unparsed(_)), "{text}");
    }
}

#[test]
fn an_index_sqlparser_rejects_is_read_from_its_words() {
    let text = "CREATE INDEX i ON users USING gin (doc jsonb_path_ops) WITH (fastupdate = off) WHERE deleted IS NULL AND x @@@ y";
    assert!(
        matches!(one(text, Syntax::Postgres), Action::CreateIndex { ref table, concurrently: false } if table == "users")
    );
}
