//! Issue 13 on PostgreSQL: `schema_dump` keeps what `pg_dump -s` keeps, in
//! an order that loads, or refuses loudly.
//!
//! Each probe under `postgres/probes/` is small SQL written for one thing the
//! first dump lost or misordered (aggregates, row-level security, rules,
//! collations, text search, the schema's comment, typed tables and column
//! settings, dependency order). The fidelity test loads each into a fresh
//! schema A, dumps it with `migrate schema_dump`, loads the dump into a fresh
//! schema B with `migrate load`, and requires `pg_dump -s` to see no
//! difference between A and B (the text with the schema's name masked, and
//! the table of contents of `pg_dump -Fc` as `pg_restore -l` lists it), and
//! the dump of B to be byte-identical to the dump of A. The other tests
//! cover the refusals: objects the dump cannot carry, a dependency on
//! another schema, and `load` into a schema that does not exist yet.
//!
//! Dumps of several schemas (`--schema A,B`, `--all-schemas`) name their
//! schemas, so they cannot be loaded into renamed ones: their probe is
//! loaded into a database of its own, dumped, loaded with `migrate load`
//! into a second fresh database, and the two compared with `pg_dump -s -n
//! A -n B` with no masking at all (same schema names on both sides), which
//! makes the comparison exact.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::schema_postgres::{OwnDatabase, dump, in_ci, load, pg_dump, server_url};
use crate::support::{Project, TestDb, migrate};

/// The probes, by name.
const PROBES: [(&str, &str); 9] = [
    ("aggregates", include_str!("postgres/probes/aggregates.sql")),
    (
        "row_security",
        include_str!("postgres/probes/row_security.sql"),
    ),
    ("rules", include_str!("postgres/probes/rules.sql")),
    ("collations", include_str!("postgres/probes/collations.sql")),
    (
        "text_search",
        include_str!("postgres/probes/text_search.sql"),
    ),
    (
        "schema_comment",
        include_str!("postgres/probes/schema_comment.sql"),
    ),
    (
        "table_details",
        include_str!("postgres/probes/table_details.sql"),
    ),
    (
        "dependency_order",
        include_str!("postgres/probes/dependency_order.sql"),
    ),
    (
        "default_cycles",
        include_str!("postgres/probes/default_cycles.sql"),
    ),
];

/// The table of contents of `pg_dump -s -Fc` of the schema of `db`, as
/// `pg_restore -l` lists it, without its dump ids and OIDs (which differ
/// between any two schemas) and with the schema's name masked; sorted.
/// `None` when `pg_dump` cannot run (a failure when `CI=true`).
fn table_of_contents(db: &TestDb) -> Option<Vec<String>> {
    let dumped = Command::new("pg_dump")
        .args(["--schema-only", "--format=custom"])
        .arg(format!("--schema={}", db.name()))
        .arg(format!("--exclude-table={}.db_version", db.name()))
        .arg(format!("--exclude-table={}.db_version_log", db.name()))
        .arg(format!("--dbname={}", server_url()))
        .output();
    let dumped = match dumped {
        Ok(output) => output,
        Err(error) => {
            assert!(!in_ci(), "CI=true and pg_dump cannot run: {error}");
            return None;
        }
    };
    assert!(dumped.status.success(), "pg_dump failed: {dumped:?}");
    let entries = toc_entries(&dumped.stdout)
        .into_iter()
        .map(|entry| entry.replace(db.name(), "[schema]"))
        .collect();
    Some(sorted(entries))
}

/// The table of contents of a `pg_dump -Fc` archive as `pg_restore --list`
/// prints it, each entry without its three numbers (dump id, catalog and
/// object ids differ between any two databases).
fn toc_entries(archive: &[u8]) -> Vec<String> {
    let mut restore = Command::new("pg_restore")
        .arg("--list")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run pg_restore");
    restore
        .stdin
        .take()
        .expect("pg_restore's stdin")
        .write_all(archive)
        .expect("feed pg_restore");
    let listed = restore.wait_with_output().expect("pg_restore ends");
    assert!(listed.status.success(), "pg_restore failed: {listed:?}");
    String::from_utf8(listed.stdout)
        .expect("UTF-8")
        .lines()
        .filter(|line| !line.starts_with(';') && !line.trim().is_empty())
        // "12; 1259 16390 TABLE schema t owner": drop the three numbers.
        .map(|line| line.splitn(4, ' ').nth(3).unwrap_or(line).to_string())
        .collect()
}

fn sorted(mut entries: Vec<String>) -> Vec<String> {
    entries.sort();
    entries
}

#[test]
fn every_probe_loads_back_as_pg_dump_sees_it() {
    for (name, probe) in PROBES {
        let Some(a) = TestDb::postgres() else { return };
        // PyPI's PostgreSQL 18 build (scripts/start-postgres18.sh) has
        // neither ICU nor lz4.
        if probe.contains("provider = icu") && !a.has_icu()
            || probe.contains("COMPRESSION lz4") && !a.has_lz4()
        {
            eprintln!("{name}: SKIPPED, the server was built without ICU or lz4");
            continue;
        }
        a.execute(probe);
        let first = dump(&a);
        assert_eq!(dump(&a), first, "{name}: two dumps of one schema differ");
        assert!(
            !first.contains(a.name()),
            "{name}: names are unqualified:\n{first}"
        );
        assert_eq!(
            first.matches("check_function_bodies").count(),
            1,
            "{name}: set once:\n{first}"
        );
        let b = load(&first);
        assert_eq!(dump(&b), first, "{name}: the dump of B differs from A's");
        if let (Some(of_a), Some(of_b)) = (pg_dump(&a), pg_dump(&b)) {
            assert_eq!(of_b, of_a, "{name}: pg_dump -s sees different schemas");
        }
        if let (Some(of_a), Some(of_b)) = (table_of_contents(&a), table_of_contents(&b)) {
            assert!(!of_a.is_empty(), "{name}: an empty table of contents");
            assert_eq!(of_b, of_a, "{name}: the tables of contents differ");
        }
    }
}

#[test]
fn the_dump_orders_by_dependencies_where_sections_and_names_disagree() {
    let Some(db) = TestDb::postgres() else { return };
    db.execute(include_str!("postgres/probes/dependency_order.sql"));
    let text = dump(&db);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("the dump lacks {needle:?}:\n{text}"))
    };
    assert!(text.starts_with(
        "-- Schema dumped by migrate from a PostgreSQL database.\n\
         -- It recreates the schema on an empty database of the same kind.\n\n\
         SET check_function_bodies = false;\n"
    ));
    assert!(at("FUNCTION z_is_positive") < at("CREATE DOMAIN a_positive"));
    assert!(at("CREATE TABLE z_point") < at("CREATE TABLE a_shape"));
    assert!(at("CREATE TABLE items") < at("FUNCTION item_total(items)"));
    assert!(at("FUNCTION item_total(items)") < at("CREATE INDEX items_total"));
    assert!(at("CREATE TABLE zz_counters") < at("FUNCTION next_ticket()"));
    assert!(at("FUNCTION next_ticket()") < at("CREATE TABLE b_tickets"));
    assert!(at("CREATE TABLE orders") < at("FUNCTION big_orders()"));
    assert!(at("FUNCTION big_orders()") < at("CREATE VIEW a_big"));
}

#[test]
fn objects_the_dump_cannot_carry_are_refused_unless_allowed() {
    let Some(db) = TestDb::postgres() else { return };
    db.execute(
        "CREATE TABLE t (id integer); \
         CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN $1 = $2; \
         CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = same); \
         GRANT SELECT ON t TO PUBLIC;",
    );
    let project = Project::new();
    let refused = migrate(&project, &db, &["schema_dump"]);
    refused.expect(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    assert!(
        refused.stderr.contains("2 objects cannot be dumped"),
        "{refused}"
    );
    assert!(
        refused.stderr.contains("operator: ===(integer,integer)"),
        "{refused}"
    );
    assert!(refused.stderr.contains("privileges: table t"), "{refused}");
    assert!(refused.stderr.contains("--allow-incomplete"), "{refused}");

    let allowed = migrate(&project, &db, &["schema_dump", "--allow-incomplete"]);
    allowed.success();
    assert!(allowed.stdout.contains("CREATE TABLE t ("), "{allowed}");
    assert!(!allowed.stdout.contains("OPERATOR"), "{allowed}");
    assert!(
        allowed
            .stderr
            .contains("2 objects left out (1 operator, 1 privileges)"),
        "{allowed}"
    );

    // --bootstrap is refused the same way, and writes nothing.
    let bootstrap = migrate(&project, &db, &["schema_dump", "--bootstrap"]);
    bootstrap.expect(1);
    assert!(!project.path().join("up/1.sql").exists());
    migrate(
        &project,
        &db,
        &["schema_dump", "--bootstrap", "--allow-incomplete"],
    )
    .success();
    assert!(project.path().join("up/1.sql").exists());
}

#[test]
fn the_schema_file_is_not_rewritten_incomplete() {
    let Some(db) = TestDb::postgres() else { return };
    let project = Project::new()
        .file("schema/schema.sql", "-- as it was\n")
        .up(1, "people", "CREATE TABLE people (id integer);\n")
        .up(
            2,
            "operator",
            "CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql \
             IMMUTABLE RETURN $1 = $2;\n\
             CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = same);\n",
        );
    migrate(&project, &db, &["up", "1"]).success();
    let schema_file = project.path().join("schema/schema.sql");
    let after_one = std::fs::read_to_string(&schema_file).expect("read schema.sql");
    assert!(after_one.contains("CREATE TABLE people"), "{after_one}");
    let run = migrate(&project, &db, &["up"]);
    run.success();
    assert!(
        run.stderr.contains("schema/schema.sql was not rewritten")
            && run.stderr.contains("operator: ===(integer,integer)"),
        "{run}"
    );
    let after_two = std::fs::read_to_string(&schema_file).expect("read schema.sql");
    assert_eq!(
        after_two, after_one,
        "an incomplete schema file was written"
    );
}

#[test]
fn a_dependency_on_another_schema_is_refused_by_name() {
    let Some(other) = TestDb::postgres() else {
        return;
    };
    let Some(db) = TestDb::postgres() else { return };
    other.execute("CREATE TABLE country (code text PRIMARY KEY)");
    db.execute(&format!(
        "CREATE TABLE city (name text, country text REFERENCES {}.country)",
        other.name()
    ));
    let run = migrate(&Project::new(), &db, &["schema_dump"]);
    run.expect(1);
    let expected = format!(
        "outside the schema: constraint city_country_fkey on table city uses column code of table {}.country",
        other.name()
    );
    assert!(run.stderr.contains(&expected), "{run}");
}

#[test]
fn load_creates_the_schema_that_the_search_path_names() {
    let Some(_probe) = TestDb::postgres() else {
        return;
    };
    let database = OwnDatabase::new();
    let project = Project::new().file("schema/schema.sql", "CREATE TABLE kept (id integer);\n");
    // The database has no schema `app`, which the URL's search_path names.
    database.migrate(&project, &["load"]).success();
    let dumped = database.migrate(&Project::new(), &["schema_dump"]);
    dumped.success();
    assert!(dumped.stdout.contains("CREATE TABLE kept ("), "{dumped}");
}

#[test]
fn a_default_or_check_that_closes_a_cycle_comes_after_its_function() {
    let Some(db) = TestDb::postgres() else { return };
    db.execute(include_str!("postgres/probes/default_cycles.sql"));
    let text = dump(&db);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("the dump lacks {needle:?}:\n{text}"))
    };
    assert!(at("CREATE TABLE tickets") < at("FUNCTION next_ticket()"));
    assert!(
        at("FUNCTION next_ticket()")
            < at("ALTER TABLE ONLY tickets ALTER COLUMN id SET DEFAULT next_ticket();")
    );
    assert!(at("CREATE TABLE items") < at("FUNCTION item_total(items)"));
    assert!(
        at("FUNCTION item_total(items)")
            < at("ALTER TABLE items ADD CONSTRAINT items_total_positive CHECK")
    );
    // The child says the default it inherited, after the function.
    assert!(
        at("FUNCTION next_ticket()")
            < at("ALTER TABLE special_tickets ALTER COLUMN id SET DEFAULT next_ticket();")
    );
    assert!(!text.contains("id integer DEFAULT"), "{text}");
}

/// The schemas of the multi-schema probe.
const SCHEMAS: [&str; 4] = ["app", "ext", "ref", "utils"];

/// `pg_dump -s -n A -n B …` of `url` (text, `\restrict` lines dropped) and
/// its table of contents (`-Fc` listed by `pg_restore -l`, without dump
/// ids and OIDs, sorted), leaving out the version tables in `app`; `None`
/// when `pg_dump` cannot run (a failure when `CI=true`).
fn pg_dump_schemas(url: &str) -> Option<(String, Vec<String>)> {
    let run = |custom: bool| {
        let mut command = Command::new("pg_dump");
        command.arg("--schema-only");
        if custom {
            command.arg("--format=custom");
        }
        for schema in SCHEMAS {
            command.arg(format!("--schema={schema}"));
        }
        command
            .args([
                "--exclude-table=app.db_version",
                "--exclude-table=app.db_version_log",
            ])
            .arg(format!("--dbname={url}"))
            .output()
    };
    let text = match run(false) {
        Ok(output) => output,
        Err(error) => {
            assert!(!in_ci(), "CI=true and pg_dump cannot run: {error}");
            return None;
        }
    };
    assert!(text.status.success(), "pg_dump failed: {text:?}");
    let text: Vec<String> = String::from_utf8(text.stdout)
        .expect("UTF-8")
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .map(str::to_string)
        .collect();
    let custom = run(true).expect("pg_dump runs");
    assert!(custom.status.success(), "pg_dump failed: {custom:?}");
    Some((text.join("\n"), sorted(toc_entries(&custom.stdout))))
}

#[test]
fn several_schemas_load_back_as_pg_dump_sees_them() {
    let Some(_enabled) = TestDb::postgres() else {
        return;
    };
    let original = OwnDatabase::new();
    original.execute(include_str!("postgres/probes/multi_schema.sql"));
    let names = SCHEMAS.join(",");
    let first = original.migrate(&Project::new(), &["schema_dump", "--schema", &names]);
    first.success();
    let text = first.stdout.clone();
    let second = original.migrate(
        &Project::new(),
        &["schema_dump", "--schema", "utils,ref,app,ext"],
    );
    assert_eq!(second.stdout, text, "two dumps of the same schemas differ");
    for schema in SCHEMAS {
        assert!(
            text.contains(&format!("CREATE SCHEMA IF NOT EXISTS {schema};")),
            "{text}"
        );
    }
    assert!(
        text.contains("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA ext;"),
        "{text}"
    );
    assert!(text.contains("CREATE TABLE app.city ("), "{text}");
    assert!(text.contains("CREATE TABLE utils.city ("), "{text}");
    assert_eq!(text.matches("check_function_bodies").count(), 1, "{text}");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("the dump lacks {needle:?}:\n{text}"))
    };
    // Ordered across schemas: the extension before the table using its
    // type, the function before the default, the table before the function
    // of its row type, which comes before the CHECK calling it.
    assert!(at("WITH SCHEMA ext;") < at("CREATE TABLE ref.country"));
    assert!(at("FUNCTION utils.slug(text)") < at("CREATE TABLE app.city"));
    assert!(at("CREATE TABLE app.city") < at("FUNCTION utils.named(app.city)"));
    assert!(at("FUNCTION utils.named(app.city)") < at("ADD CONSTRAINT city_named CHECK"));
    assert!(at("CREATE TABLE ref.country") < at("REFERENCES ref.country(code)"));

    let copy = OwnDatabase::new();
    let project = Project::new().file("schema/schema.sql", &text);
    copy.migrate(&project, &["load"]).success();
    let again = copy.migrate(&Project::new(), &["schema_dump", "--schema", &names]);
    again.success();
    assert_eq!(again.stdout, text, "the dump of the copy differs");
    if let (Some(of_original), Some(of_copy)) =
        (pg_dump_schemas(original.url()), pg_dump_schemas(copy.url()))
    {
        assert!(!of_original.1.is_empty(), "an empty table of contents");
        assert_eq!(of_copy.1, of_original.1, "the tables of contents differ");
        assert_eq!(
            of_copy.0, of_original.0,
            "pg_dump -s sees different schemas"
        );
    }

    // --all-schemas: the same objects, with public and without the system's.
    let all = original.migrate(&Project::new(), &["schema_dump", "--all-schemas"]);
    all.success();
    assert!(
        all.stdout.contains("CREATE SCHEMA IF NOT EXISTS public;"),
        "{all}"
    );
    assert!(!all.stdout.contains("pg_toast") && !all.stdout.contains("information_schema"));
    assert_eq!(
        all.stdout
            .replace("CREATE SCHEMA IF NOT EXISTS public;\n\n", "")
            .replace(
                "\nCOMMENT ON SCHEMA public IS 'standard public schema';\n",
                ""
            ),
        text
    );
}

#[test]
fn a_dependency_outside_the_named_schemas_is_refused_by_name() {
    let Some(_enabled) = TestDb::postgres() else {
        return;
    };
    let database = OwnDatabase::new();
    database.execute(include_str!("postgres/probes/multi_schema.sql"));
    let run = database.migrate(&Project::new(), &["schema_dump", "--schema", "app,utils"]);
    run.expect(1);
    assert!(
        run.stderr.contains(
            "outside the dumped schemas: constraint city_country_fkey on table app.city \
             uses column code of table ref.country"
        ),
        "{run}"
    );
    let missing = database.migrate(&Project::new(), &["schema_dump", "--schema", "app,nowhere"]);
    missing.expect(1);
    assert!(
        missing.stderr.contains("schema \"nowhere\" does not exist"),
        "{missing}"
    );
}

#[test]
fn all_schemas_leaves_out_the_schema_of_nothing_but_the_version_tables() {
    let Some(_enabled) = TestDb::postgres() else {
        return;
    };
    let database = OwnDatabase::new();
    let project = Project::new().file(
        "schema/schema.sql",
        "CREATE SCHEMA IF NOT EXISTS data;\nCREATE TABLE data.t (id integer);\n",
    );
    // The version tables land in app, the URL's schema; data holds the table.
    database.migrate(&project, &["load"]).success();
    let all = database.migrate(&Project::new(), &["schema_dump", "--all-schemas"]);
    all.success();
    assert!(all.stdout.contains("CREATE TABLE data.t ("), "{all}");
    assert!(!all.stdout.contains("SCHEMA IF NOT EXISTS app"), "{all}");
    assert!(!all.stdout.contains("db_version"), "{all}");
}

#[test]
fn one_named_schema_is_the_default_dump() {
    let Some(db) = TestDb::postgres() else { return };
    db.execute(include_str!("postgres/probes/dependency_order.sql"));
    let named = migrate(
        &Project::new(),
        &db,
        &["schema_dump", "--schema", db.name()],
    );
    named.success();
    assert_eq!(named.stdout, dump(&db));
    // Another schema by name, read through the same connection, unqualified.
    let Some(other) = TestDb::postgres() else {
        return;
    };
    other.execute("CREATE TABLE elsewhere (id integer)");
    let elsewhere = migrate(
        &Project::new(),
        &db,
        &["schema_dump", "--schema", other.name()],
    );
    elsewhere.success();
    assert_eq!(elsewhere.stdout, dump(&other));
}
