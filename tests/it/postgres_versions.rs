//! PostgreSQL versions (issue 20): the catalog reader and the bookkeeping
//! SQL against the server at `MIGRATE_TEST_POSTGRES18_URL` beside the one
//! at `MIGRATE_TEST_POSTGRES_URL` (PostgreSQL 15 in CI). PostgreSQL 18
//! records NOT NULL as constraints in `pg_constraint` (`contype = 'n'`);
//! the dump of one schema must be the same bytes on both. The whole
//! suite also runs against 18 with `MIGRATE_TEST_POSTGRES_TARGET=postgres18`
//! (README, Testing).

use crate::support::db::extra_server_url;
use crate::support::{Project, TestDb, migrate};

/// A schema with what the versions record differently: NOT NULL columns
/// (constraints of their own in 18), named CHECK and NOT NULL next to each
/// other, a primary key, a foreign key, a partitioned table, an identity,
/// a domain with NOT NULL and CHECK, inheritance, a view and an index.
const SCHEMA: &str = "\
CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
CREATE TABLE accounts (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    balance positive,
    note text,
    CONSTRAINT email_shape CHECK (email LIKE '%@%')
);
CREATE TABLE entries (
    id bigint NOT NULL,
    account integer NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    booked date NOT NULL,
    amount numeric(12, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (id, booked)
) PARTITION BY RANGE (booked);
CREATE TABLE entries_2026 PARTITION OF entries FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE audited (changed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE audited_accounts (account integer NOT NULL) INHERITS (audited);
CREATE INDEX entries_account ON entries (account);
CREATE VIEW balances AS SELECT a.email, sum(e.amount) AS total
  FROM accounts a JOIN entries e ON e.account = a.id GROUP BY a.email;
";

/// Applies [`SCHEMA`] with `migrate up` on `db` and returns its dump.
fn dump_after_up(db: &TestDb) -> String {
    let project = Project::new().up(1, "schema", SCHEMA);
    migrate(&project, db, &["up"]).success();
    let dump = migrate(&project, db, &["schema_dump"]);
    dump.success();
    dump.stdout.replace(db.name(), "[schema]")
}

#[test]
fn a_schema_dumps_to_the_same_bytes_on_15_and_18() {
    let Some(pg18) = extra_server_url("MIGRATE_TEST_POSTGRES18_URL") else {
        return;
    };
    let Some(pg15) = TestDb::postgres() else {
        return;
    };
    let on_18 = TestDb::postgres_at(&pg18, &pg18);
    let dump_15 = dump_after_up(&pg15);
    let dump_18 = dump_after_up(&on_18);
    assert_eq!(
        dump_18, dump_15,
        "the dumps of one schema differ by version"
    );
    // One NOT NULL per column, never a second one as a named constraint.
    assert!(!dump_18.contains("_not_null"), "{dump_18}");

    // The dump loads back on 18 and dumps the same again.
    let loaded = TestDb::postgres_at(&pg18, &pg18);
    let project = Project::new();
    project.write(
        "schema/schema.sql",
        dump_18.replace("[schema]", loaded.name()),
    );
    let load = migrate(&project, &loaded, &["load"]);
    load.success();
    let again = migrate(&project, &loaded, &["schema_dump"]);
    again.success();
    assert_eq!(again.stdout.replace(loaded.name(), "[schema]"), dump_18);
}

#[test]
fn the_run_lock_and_bookkeeping_work_on_18() {
    let Some(pg18) = extra_server_url("MIGRATE_TEST_POSTGRES18_URL") else {
        return;
    };
    for mode in ["advisory", "table"] {
        let db = TestDb::postgres_at(&pg18, &pg18);
        let project = Project::new()
            .up(
                1,
                "slow",
                "CREATE TABLE slow (id integer);\nSELECT pg_sleep(3);\n",
            )
            .down(1, "slow", "DROP TABLE slow;\n");
        let holder = project
            .command()
            .database(&db)
            .args(["up", "--lock-mode", mode])
            .spawn();
        db.wait_for_run_lock();
        let waiter = migrate(
            &project,
            &db,
            &["up", "--lock-wait", "0", "--lock-mode", mode],
        );
        waiter.expect(4);
        assert!(waiter.stderr.contains("held by"), "{mode}: {waiter}");
        let holder = crate::support::Run::from_child(holder);
        holder.success();
        assert_eq!(db.versions(), [("1".to_string(), "added".to_string())]);
        migrate(&project, &db, &["down", "--lock-mode", mode]).success();
        assert_eq!(db.versions(), []);
        let log = migrate(&project, &db, &["log"]);
        log.success();
        assert!(log.stdout.contains("rollback_add"), "{log}");
    }
}
