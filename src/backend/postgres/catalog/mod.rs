//! PostgreSQL's catalog reader for `schema_dump` (SPEC section 7, issue 6).
//!
//! It reads every object of the target schema from `pg_catalog`, letting the
//! server print its own definitions (`pg_get_viewdef`, `pg_get_indexdef`,
//! `pg_get_constraintdef`, `pg_get_functiondef`, `pg_get_triggerdef`,
//! `pg_get_expr`, `format_type`, ...), and turns them into [`DumpItem`]s;
//! `dump.rs` orders and renders them.
//!
//! Three rules shape it:
//! - Names are unqualified for the target schema, so that the dump loads into
//!   any schema by setting `search_path`. The queries run in a read-only
//!   transaction with `SET LOCAL search_path` to the schema alone, so the
//!   `pg_get_*def` functions leave its names bare. A few of them qualify one
//!   name whatever the path (the table of `pg_get_indexdef` and
//!   `pg_get_triggerdef`, the name of `pg_get_functiondef` and
//!   `pg_get_statisticsobjdef`): [`unqualify`] removes exactly that prefix.
//! - A constant number of set-based queries, one per object kind, whatever
//!   the size of the schema (fourteen), sent together so that they share one
//!   round trip; never a query per table.
//! - Deterministic text: every query orders by name, and nothing carries an
//!   OID or a time.
//!
//! Where an object goes follows `dump::Section`; two cases need care. A
//! function whose signature or `BEGIN ATOMIC` body uses a table, a view or
//! a function that does goes with the views, after what it reads (the
//! dependencies come from `pg_depend`). A `LANGUAGE sql` function with a
//! quoted body is not checked against the tables it reads when created
//! (`SET check_function_bodies = false`, as `pg_dump` does), since the
//! functions come before the tables.
//!
//! Needs PostgreSQL 14 or later (`prosqlbody`, `tgparentid`, multiranges).

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::{try_join, try_join4};
use tokio::runtime::Runtime;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Error, Row};

use super::bookkeeping::quote;
use super::convert;
use crate::dump::{DumpItem, Section};
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every object of `schema` (except the version tables) as dump items.
///
/// Runs its queries in a read-only transaction of its own, which it ends:
/// call it outside a transaction.
pub fn read(
    runtime: &Runtime,
    client: &Client,
    schema: &str,
    tables: &TableNames,
) -> Result<Vec<DumpItem>, DbError> {
    runtime.block_on(async {
        client
            .batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = {}",
                quote(schema)
            ))
            .await
            .map_err(convert)?;
        let catalog = fetch(client, schema, tables).await;
        let end = client
            .batch_execute(if catalog.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })
            .await;
        let catalog = catalog.map_err(convert)?;
        end.map_err(convert)?;
        catalog.items().map_err(convert)
    })
}

/// The rows of every catalog query.
struct Catalog {
    /// The target schema as `pg_get_*def` quotes it.
    schema: String,
    extensions: Vec<Row>,
    types: Vec<Row>,
    sequences: Vec<Row>,
    tables: Vec<Row>,
    columns: Vec<Row>,
    constraints: Vec<Row>,
    indexes: Vec<Row>,
    statistics: Vec<Row>,
    views: Vec<Row>,
    functions: Vec<Row>,
    triggers: Vec<Row>,
    comments: Vec<Row>,
    dependencies: Vec<Row>,
}

/// Sends every query at once: tokio-postgres pipelines the requests of
/// futures polled together, so they cost one round trip between them.
async fn fetch(client: &Client, schema: &str, tables: &TableNames) -> Result<Catalog, Error> {
    // Every query binds the same three names (each uses those it needs):
    // $1 the schema, $2 and $3 the version tables to leave out.
    let params: [(&(dyn ToSql + Sync), Type); 3] = [
        (&schema, Type::NAME),
        (&tables.versions, Type::NAME),
        (&tables.log, Type::NAME),
    ];
    let query = |sql: &'static str| client.query_typed(sql, &params);
    let ((schema_rows, extensions, types, sequences), kinds, more, (comments, dependencies)) =
        try_join4(
            try_join4(
                query(SCHEMA),
                query(EXTENSIONS),
                query(TYPES),
                query(SEQUENCES),
            ),
            try_join4(
                query(TABLES),
                query(COLUMNS),
                query(CONSTRAINTS),
                query(INDEXES),
            ),
            try_join4(
                query(STATISTICS),
                query(VIEWS),
                query(FUNCTIONS),
                query(TRIGGERS),
            ),
            try_join(query(COMMENTS), query(DEPENDENCIES)),
        )
        .await?;
    let (tables, columns, constraints, indexes) = kinds;
    let (statistics, views, functions, triggers) = more;
    let schema = match schema_rows.first() {
        Some(row) => row.try_get(0)?,
        None => quote(schema),
    };
    Ok(Catalog {
        schema,
        extensions,
        types,
        sequences,
        tables,
        columns,
        constraints,
        indexes,
        statistics,
        views,
        functions,
        triggers,
        comments,
        dependencies,
    })
}

const SCHEMA: &str = "SELECT quote_ident($1)";

const EXTENSIONS: &str = "\
SELECT e.extname::text, quote_ident(e.extname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = $1
ORDER BY e.extname";

/// Enum, domain, composite and range types, each with its statement and
/// the types of the schema it uses.
const TYPES: &str = "\
SELECT t.typname::text,
  CASE t.typtype
  WHEN 'e' THEN format(E'CREATE TYPE %I AS ENUM (\\n%s\\n);', t.typname,
    (SELECT string_agg('    ' || quote_literal(e.enumlabel), E',\\n' ORDER BY e.enumsortorder)
     FROM pg_enum e WHERE e.enumtypid = t.oid))
  WHEN 'd' THEN format('CREATE DOMAIN %I AS %s%s%s%s%s;%s', t.typname,
    format_type(t.typbasetype, t.typtypmod),
    CASE WHEN t.typcollation <> b.typcollation
      THEN ' COLLATE ' || t.typcollation::regcollation::text END,
    ' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0),
    CASE WHEN t.typnotnull THEN ' NOT NULL' END,
    (SELECT string_agg(format(E'\\n    CONSTRAINT %I %s', k.conname, pg_get_constraintdef(k.oid)),
       '' ORDER BY k.conname)
     FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' AND k.convalidated),
    (SELECT string_agg(format(E'\\nALTER DOMAIN %I ADD CONSTRAINT %I %s;', t.typname, k.conname,
       pg_get_constraintdef(k.oid)), '' ORDER BY k.conname)
     FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' AND NOT k.convalidated))
  WHEN 'c' THEN format(E'CREATE TYPE %I AS (\\n%s\\n);', t.typname,
    (SELECT string_agg(format('    %I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attcollation <> at.typcollation
         THEN ' COLLATE ' || a.attcollation::regcollation::text END), E',\\n' ORDER BY a.attnum)
     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
  WHEN 'r' THEN format(E'CREATE TYPE %I AS RANGE (\\n    SUBTYPE = %s%s%s%s%s,\\n    MULTIRANGE_TYPE_NAME = %I\\n);',
    t.typname, format_type(r.rngsubtype, NULL),
    CASE WHEN NOT o.opcdefault THEN E',\\n    SUBTYPE_OPCLASS = ' || quote_ident(o.opcname) END,
    CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
      THEN E',\\n    COLLATION = ' || r.rngcollation::regcollation::text END,
    CASE WHEN r.rngcanonical <> 0 THEN E',\\n    CANONICAL = ' || r.rngcanonical::regproc::text END,
    CASE WHEN r.rngsubdiff <> 0 THEN E',\\n    SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text END,
    mt.typname)
  END,
  ARRAY(SELECT DISTINCT u.typname::text
    FROM pg_depend d
    JOIN pg_type dt ON dt.oid = d.refobjid
    JOIN pg_type u ON u.oid = CASE WHEN dt.typcategory = 'A' THEN dt.typelem ELSE dt.oid END
    WHERE d.refclassid = 'pg_type'::regclass
      AND ((d.classid = 'pg_type'::regclass AND d.objid = t.oid)
        OR (d.classid = 'pg_class'::regclass AND t.typrelid <> 0 AND d.objid = t.typrelid))
      AND u.typnamespace = t.typnamespace AND u.oid <> t.oid
    ORDER BY 1)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_class c ON c.oid = t.typrelid
LEFT JOIN pg_type b ON b.oid = t.typbasetype
LEFT JOIN pg_range r ON r.rngtypid = t.oid
LEFT JOIN pg_type st ON st.oid = r.rngsubtype
LEFT JOIN pg_type mt ON mt.oid = r.rngmultitypid
LEFT JOIN pg_opclass o ON o.oid = r.rngsubopc
WHERE n.nspname = $1
  AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
ORDER BY t.typname";

/// Sequences not made by an identity column nor owned by a version table,
/// with the column that owns them, if one does.
const SEQUENCES: &str = "\
SELECT c.relname::text,
  format(E'CREATE %sSEQUENCE %I\\n    AS %s\\n    START WITH %s\\n    INCREMENT BY %s\\n    MINVALUE %s\\n    MAXVALUE %s\\n    CACHE %s%s;',
    CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' END, c.relname,
    format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
    CASE WHEN s.seqcycle THEN E'\\n    CYCLE' END),
  (SELECT format('ALTER SEQUENCE %I OWNED BY %s.%I;', c.relname, t.oid::regclass, a.attname)
   FROM pg_depend d
   JOIN pg_class t ON t.oid = d.refobjid
   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE n.nspname = $1 AND c.relkind = 'S'
  AND NOT EXISTS (SELECT FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_class'::regclass
      AND (d.deptype = 'i' OR (t.relnamespace = c.relnamespace AND t.relname IN ($2, $3))))
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// Tables, partitioned tables and partitions.
const TABLES: &str = "\
SELECT c.relname::text, quote_ident(c.relname), c.relkind::text, c.relpersistence::text,
  c.relispartition,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
  ARRAY(SELECT h.inhparent::regclass::text FROM pg_inherits h
    WHERE h.inhrelid = c.oid ORDER BY h.inhseqno),
  ARRAY(SELECT p.relname::text FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent
    WHERE h.inhrelid = c.oid AND p.relnamespace = c.relnamespace ORDER BY h.inhseqno),
  (SELECT string_agg(format('%s=%L', o.option_name, o.option_value), ', ')
   FROM pg_options_to_table(c.reloptions) o)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// The columns of every table, with the sequence of identity columns.
const COLUMNS: &str = "\
SELECT c.relname::text, a.attname::text, quote_ident(a.attname),
  format_type(a.atttypid, a.atttypmod),
  CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
  pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.attidentity::text, a.attgenerated::text,
  a.attislocal, i.relname::text, quote_ident(i.relname), format_type(i.seqtypid, NULL),
  i.seqstart, i.seqincrement, i.seqmin, i.seqmax, i.seqcache, i.seqcycle
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN LATERAL (SELECT s.relname, q.*
  FROM pg_depend sd
  JOIN pg_class s ON s.oid = sd.objid
  JOIN pg_sequence q ON q.seqrelid = s.oid
  WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
    AND sd.refobjid = c.oid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i') i
  ON a.attidentity <> ''
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, a.attnum";

/// Primary key, unique, check, exclusion and foreign key constraints made
/// on the table itself (not cloned from a partitioned parent or inherited).
const CONSTRAINTS: &str = "\
SELECT c.relname::text, quote_ident(c.relname), k.conname::text, quote_ident(k.conname),
  k.contype::text, pg_get_constraintdef(k.oid), k.convalidated
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3)
  AND k.contype IN ('p', 'u', 'c', 'x', 'f') AND k.conparentid = 0 AND k.conislocal
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, k.conname";

/// Indexes that no constraint made, with the partitioned index each one
/// is a partition of; and the clustered indexes a constraint made.
const INDEXES: &str = "\
SELECT * FROM (
  SELECT c.relname::text, quote_ident(c.relname), c.relkind::text,
    i.relname::text, quote_ident(i.relname), pg_get_indexdef(i.oid), x.indisclustered,
    p.relname::text, p.oid::regclass::text,
    EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.oid AND k.conrelid = c.oid
      AND k.contype IN ('p', 'u', 'x')) AS by_constraint
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_inherits h ON h.inhrelid = i.oid
  LEFT JOIN pg_class p ON p.oid = h.inhparent
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') AND c.relname NOT IN ($2, $3)
    AND NOT EXISTS (SELECT FROM pg_depend e
      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
) indexes
WHERE NOT by_constraint OR indisclustered
ORDER BY 4";

/// Extended statistics objects.
const STATISTICS: &str = "\
SELECT s.stxname::text, pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
WHERE n.nspname = $1 AND NOT (c.relnamespace = n.oid AND c.relname IN ($2, $3))
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_statistic_ext'::regclass AND x.objid = s.oid AND x.deptype = 'e')
ORDER BY s.stxname";

/// Views and materialized views, with their options and check option.
const VIEWS: &str = "\
SELECT c.relname::text, quote_ident(c.relname), c.relkind::text, pg_get_viewdef(c.oid),
  (SELECT string_agg(format('%s=%L', o.option_name, o.option_value), ', ')
   FROM pg_options_to_table(c.reloptions) o WHERE o.option_name <> 'check_option'),
  (SELECT upper(o.option_value)
   FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'check_option')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// Functions and procedures (not aggregates, nor the constructors a range
/// type makes for itself), with whether their body is
/// SQL text that creating them would check against the tables.
const FUNCTIONS: &str = "\
SELECT p.oid::regprocedure::text, p.prokind::text, pg_get_functiondef(p.oid),
  l.lanname = 'sql' AND p.prosqlbody IS NULL
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = $1 AND p.prokind IN ('f', 'p', 'w')
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype IN ('e', 'i'))
ORDER BY p.oid::regprocedure::text COLLATE \"C\"";

/// Triggers made on the table itself (not cloned onto a partition).
const TRIGGERS: &str = "\
SELECT c.relname::text, quote_ident(c.relname), c.relkind::text, t.tgname::text,
  quote_ident(t.tgname), pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND NOT t.tgisinternal AND t.tgparentid = 0
  AND c.relname NOT IN ($2, $3)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, t.tgname";

/// Comments on relations, columns, types, functions, constraints and triggers.
const COMMENTS: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
rel AS (SELECT c.* FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM s) AND c.relname NOT IN ($2, $3)
    AND NOT EXISTS (SELECT FROM pg_depend x
      WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')),
comments (kind, object, description) AS (
  SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
      WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX'
      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
    quote_ident(c.relname), d.description
  FROM pg_description d JOIN rel c ON c.oid = d.objoid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind <> 'c'
  UNION ALL
  SELECT 'COLUMN', quote_ident(c.relname) || '.' || quote_ident(a.attname), d.description
  FROM pg_description d JOIN rel c ON c.oid = d.objoid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, quote_ident(t.typname),
    d.description
  FROM pg_description d JOIN pg_type t ON t.oid = d.objoid
  LEFT JOIN pg_class c ON c.oid = t.typrelid
  WHERE d.classoid = 'pg_type'::regclass AND t.typnamespace = (SELECT oid FROM s)
    AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
    AND NOT EXISTS (SELECT FROM pg_depend x
      WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
    p.oid::regprocedure::text, d.description
  FROM pg_description d JOIN pg_proc p ON p.oid = d.objoid
  WHERE d.classoid = 'pg_proc'::regclass AND p.pronamespace = (SELECT oid FROM s)
    AND p.prokind IN ('f', 'p', 'w')
    AND NOT EXISTS (SELECT FROM pg_depend x
      WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype IN ('e', 'i'))
  UNION ALL
  SELECT 'CONSTRAINT', quote_ident(k.conname) || ' ON ' || coalesce(quote_ident(c.relname),
      'DOMAIN ' || quote_ident(t.typname)), d.description
  FROM pg_description d JOIN pg_constraint k ON k.oid = d.objoid
  LEFT JOIN rel c ON c.oid = k.conrelid
  LEFT JOIN pg_type t ON t.oid = k.contypid
  WHERE d.classoid = 'pg_constraint'::regclass AND k.connamespace = (SELECT oid FROM s)
    AND (c.oid IS NOT NULL OR t.oid IS NOT NULL)
  UNION ALL
  SELECT 'TRIGGER', quote_ident(g.tgname) || ' ON ' || quote_ident(c.relname), d.description
  FROM pg_description d JOIN pg_trigger g ON g.oid = d.objoid JOIN rel c ON c.oid = g.tgrelid
  WHERE d.classoid = 'pg_trigger'::regclass
)
SELECT kind || ' ' || object, format('COMMENT ON %s %s IS %L;', kind, object, description)
FROM comments
ORDER BY (kind || ' ' || object) COLLATE \"C\"";

/// What views (through their rewrite rule) and functions (through their
/// signature and `BEGIN ATOMIC` body) use in the schema: relations (a
/// table's row type counts as the table) and functions.
const DEPENDENCIES: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
uses (owner, owner_oid, by_function, refclassid, refobjid) AS (
  SELECT v.relname::text, v.oid, false, d.refclassid, d.refobjid
  FROM pg_class v
  JOIN pg_rewrite r ON r.ev_class = v.oid
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
  WHERE v.relnamespace = (SELECT oid FROM s) AND v.relkind IN ('v', 'm')
  UNION ALL
  SELECT p.oid::regprocedure::text, p.oid, true, d.refclassid, d.refobjid
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n'
  WHERE p.pronamespace = (SELECT oid FROM s)
)
SELECT DISTINCT u.owner, u.by_function,
  coalesce(c.relname::text, tc.relname::text, p.oid::regprocedure::text), p.oid IS NOT NULL
FROM uses u
LEFT JOIN pg_class c ON u.refclassid = 'pg_class'::regclass AND c.oid = u.refobjid
  AND c.relnamespace = (SELECT oid FROM s) AND c.oid <> u.owner_oid
LEFT JOIN pg_type t ON u.refclassid = 'pg_type'::regclass AND t.oid = u.refobjid
LEFT JOIN pg_type te ON te.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
LEFT JOIN pg_class tc ON tc.oid = te.typrelid AND tc.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND tc.relnamespace = (SELECT oid FROM s) AND tc.oid <> u.owner_oid
LEFT JOIN pg_proc p ON u.refclassid = 'pg_proc'::regclass AND p.oid = u.refobjid
  AND p.pronamespace = (SELECT oid FROM s) AND p.oid <> u.owner_oid
WHERE coalesce(c.oid, tc.oid, p.oid) IS NOT NULL
ORDER BY 1, 3";

impl Catalog {
    fn items(&self) -> Result<Vec<DumpItem>, Error> {
        let uses = Uses::of(&self.dependencies)?;
        let mut items = Vec::new();
        for row in &self.extensions {
            let (name, quoted): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let sql = format!("CREATE EXTENSION IF NOT EXISTS {quoted};");
            items.push(DumpItem::new(Section::Extensions, name, sql));
        }
        for row in &self.types {
            items.push(DumpItem {
                section: Section::Types,
                name: row.try_get(0)?,
                sql: row.try_get(1)?,
                depends_on: row.try_get(2)?,
            });
        }
        for row in &self.sequences {
            let name: String = row.try_get(0)?;
            if let Some(owned_by) = row.try_get::<_, Option<String>>(2)? {
                items.push(DumpItem::new(Section::SequenceOwnership, &name, owned_by));
            }
            items.push(DumpItem::new(
                Section::Sequences,
                name,
                row.try_get::<_, String>(1)?,
            ));
        }
        self.push_tables(&mut items)?;
        self.push_indexes(&mut items)?;
        self.push_views(&mut items, &uses)?;
        self.push_functions(&mut items, &uses)?;
        self.push_triggers(&mut items)?;
        for row in &self.comments {
            let (name, sql): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            items.push(DumpItem::new(Section::Comments, name, sql));
        }
        Ok(items)
    }

    fn push_tables(&self, items: &mut Vec<DumpItem>) -> Result<(), Error> {
        let mut columns: BTreeMap<String, Vec<Column>> = BTreeMap::new();
        for row in &self.columns {
            let table: String = row.try_get(0)?;
            columns.entry(table).or_default().push(Column::of(row)?);
        }
        let mut constraints: BTreeMap<String, Vec<Constraint>> = BTreeMap::new();
        for row in &self.constraints {
            let constraint = Constraint::of(row)?;
            if constraint.kind == "f" {
                let sql = format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {};",
                    constraint.quoted_table, constraint.quoted, constraint.definition
                );
                let name = format!("{}.{}", constraint.table, constraint.name);
                items.push(DumpItem::new(Section::ForeignKeys, name, sql));
            } else {
                let table = constraint.table.clone();
                constraints.entry(table).or_default().push(constraint);
            }
        }
        for row in &self.tables {
            let table = Table::of(row)?;
            let own = columns.get(&table.name).map_or(&[][..], Vec::as_slice);
            let parent = table
                .parent_names
                .first()
                .and_then(|parent| columns.get(parent))
                .map_or(&[][..], Vec::as_slice);
            let checks = constraints.get(&table.name).map_or(&[][..], Vec::as_slice);
            items.push(table.item(own, parent, checks));
        }
        Ok(())
    }

    fn push_indexes(&self, items: &mut Vec<DumpItem>) -> Result<(), Error> {
        for row in &self.indexes {
            let table: String = row.try_get(0)?;
            let quoted_table: String = row.try_get(1)?;
            let table_kind: String = row.try_get(2)?;
            let name: String = row.try_get(3)?;
            let quoted: String = row.try_get(4)?;
            let definition: String = row.try_get(5)?;
            let clustered: bool = row.try_get(6)?;
            let parent: Option<String> = row.try_get(7)?;
            let quoted_parent: Option<String> = row.try_get(8)?;
            let by_constraint: bool = row.try_get(9)?;
            let alter = match table_kind.as_str() {
                "m" => "MATERIALIZED VIEW",
                _ => "TABLE",
            };
            let cluster = format!("ALTER {alter} {quoted_table} CLUSTER ON {quoted};");
            if by_constraint {
                // The constraint made the index with its table: only the
                // clustering is left to say.
                items.push(DumpItem::new(Section::Indexes, name, cluster));
                continue;
            }
            let mut sql = unqualify(
                &definition,
                &format!("INDEX {quoted} ON "),
                &format!("{}.{quoted_table} USING ", self.schema),
                &format!("{quoted_table} USING "),
            );
            sql.push(';');
            if clustered {
                sql.push('\n');
                sql.push_str(&cluster);
            }
            let mut depends_on = Vec::new();
            if let (Some(parent), Some(quoted_parent)) = (parent, quoted_parent) {
                sql.push_str(&format!(
                    "\nALTER INDEX {quoted_parent} ATTACH PARTITION {quoted};"
                ));
                depends_on.push(parent);
            }
            // An index on a materialized view waits for it, with the views.
            let section = match table_kind.as_str() {
                "m" => {
                    depends_on.push(table);
                    Section::Views
                }
                _ => Section::Indexes,
            };
            items.push(DumpItem {
                section,
                name,
                depends_on,
                sql,
            });
        }
        for row in &self.statistics {
            let name: String = row.try_get(0)?;
            let definition: String = row.try_get(1)?;
            let mut sql = unqualify(
                &definition,
                "CREATE STATISTICS ",
                &format!("{}.", self.schema),
                "",
            );
            sql.push(';');
            let name = format!("{name} (statistics)");
            items.push(DumpItem::new(Section::Indexes, name, sql));
        }
        Ok(())
    }

    fn push_views(&self, items: &mut Vec<DumpItem>, uses: &Uses) -> Result<(), Error> {
        for row in &self.views {
            let name: String = row.try_get(0)?;
            let quoted: String = row.try_get(1)?;
            let kind: String = row.try_get(2)?;
            let definition: String = row.try_get(3)?;
            let options: Option<String> = row.try_get(4)?;
            let check: Option<String> = row.try_get(5)?;
            let query = definition.trim_end().trim_end_matches(';').trim_end();
            let with = options.map_or(String::new(), |options| format!(" WITH ({options})"));
            let sql = match (kind.as_str(), check) {
                ("m", _) => {
                    format!("CREATE MATERIALIZED VIEW {quoted}{with} AS\n{query}\n  WITH NO DATA;")
                }
                (_, Some(check)) => {
                    format!("CREATE VIEW {quoted}{with} AS\n{query}\n  WITH {check} CHECK OPTION;")
                }
                (_, None) => format!("CREATE VIEW {quoted}{with} AS\n{query};"),
            };
            items.push(DumpItem {
                section: Section::Views,
                depends_on: uses.of_object(&name),
                name,
                sql,
            });
        }
        Ok(())
    }

    fn push_functions(&self, items: &mut Vec<DumpItem>, uses: &Uses) -> Result<(), Error> {
        for row in &self.functions {
            let signature: String = row.try_get(0)?;
            let kind: String = row.try_get(1)?;
            let definition: String = row.try_get(2)?;
            let unchecked: bool = row.try_get(3)?;
            let mut sql = String::new();
            if unchecked {
                sql.push_str("SET check_function_bodies = false;\n");
            }
            let keyword = match kind.as_str() {
                "p" => "PROCEDURE",
                _ => "FUNCTION",
            };
            let definition = unqualify(
                &definition,
                &format!("CREATE OR REPLACE {keyword} "),
                &format!("{}.", self.schema),
                "",
            );
            sql.push_str(definition.trim_end());
            sql.push(';');
            // A function that uses a table or view waits for it, with the views.
            let (section, depends_on) = match uses.late.contains(&signature) {
                true => (Section::Views, uses.of_object(&signature)),
                false => (Section::Functions, Vec::new()),
            };
            items.push(DumpItem {
                section,
                name: signature,
                depends_on,
                sql,
            });
        }
        Ok(())
    }

    fn push_triggers(&self, items: &mut Vec<DumpItem>) -> Result<(), Error> {
        for row in &self.triggers {
            let table: String = row.try_get(0)?;
            let quoted_table: String = row.try_get(1)?;
            let table_kind: String = row.try_get(2)?;
            let name: String = row.try_get(3)?;
            let quoted: String = row.try_get(4)?;
            let definition: String = row.try_get(5)?;
            let enabled: String = row.try_get(6)?;
            let mut sql = unqualify(
                &definition,
                &format!("TRIGGER {quoted} "),
                &format!(" ON {}.{quoted_table} ", self.schema),
                &format!(" ON {quoted_table} "),
            );
            sql.push(';');
            let state = match enabled.as_str() {
                "D" => Some("DISABLE"),
                "R" => Some("ENABLE REPLICA"),
                "A" => Some("ENABLE ALWAYS"),
                _ => None,
            };
            if let Some(state) = state {
                let alter = match table_kind.as_str() {
                    "v" => "VIEW",
                    _ => "TABLE",
                };
                sql.push_str(&format!(
                    "\nALTER {alter} {quoted_table} {state} TRIGGER {quoted};"
                ));
            }
            items.push(DumpItem::new(
                Section::Triggers,
                format!("{table}.{name}"),
                sql,
            ));
        }
        Ok(())
    }
}

/// What each view and function uses, and which functions go with the views.
struct Uses {
    /// Object name (a view, or a function's signature) to the relations and
    /// functions of the schema it uses.
    uses: BTreeMap<String, Vec<String>>,
    /// Functions that use a relation, directly or through another function.
    late: BTreeSet<String>,
}

impl Uses {
    fn of(rows: &[Row]) -> Result<Uses, Error> {
        let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut calls: Vec<(String, String)> = Vec::new();
        let mut late = BTreeSet::new();
        for row in rows {
            let owner: String = row.try_get(0)?;
            let by_function: bool = row.try_get(1)?;
            let used: String = row.try_get(2)?;
            let of_function: bool = row.try_get(3)?;
            match (by_function, of_function) {
                (true, true) => calls.push((owner.clone(), used.clone())),
                (true, false) => {
                    late.insert(owner.clone());
                }
                (false, _) => {}
            }
            uses.entry(owner).or_default().push(used);
        }
        // A function that calls a late function is late too.
        loop {
            let before = late.len();
            for (owner, used) in &calls {
                if late.contains(used) {
                    late.insert(owner.clone());
                }
            }
            if late.len() == before {
                break;
            }
        }
        Ok(Uses { uses, late })
    }

    fn of_object(&self, name: &str) -> Vec<String> {
        self.uses.get(name).cloned().unwrap_or_default()
    }
}

/// One column of a table.
struct Column {
    name: String,
    quoted: String,
    data_type: String,
    collation: Option<String>,
    /// The default, or the generation expression of a generated column.
    default: Option<String>,
    not_null: bool,
    identity: String,
    generated: String,
    local: bool,
    sequence: Option<IdentitySequence>,
}

/// The sequence behind an identity column.
struct IdentitySequence {
    name: String,
    quoted: String,
    data_type: String,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
}

impl Column {
    fn of(row: &Row) -> Result<Column, Error> {
        let sequence = match row.try_get::<_, Option<String>>(10)? {
            Some(name) => Some(IdentitySequence {
                name,
                quoted: row.try_get(11)?,
                data_type: row.try_get(12)?,
                start: row.try_get(13)?,
                increment: row.try_get(14)?,
                min: row.try_get(15)?,
                max: row.try_get(16)?,
                cache: row.try_get(17)?,
                cycle: row.try_get(18)?,
            }),
            None => None,
        };
        Ok(Column {
            name: row.try_get(1)?,
            quoted: row.try_get(2)?,
            data_type: row.try_get(3)?,
            collation: row.try_get(4)?,
            default: row.try_get(5)?,
            not_null: row.try_get(6)?,
            identity: row.try_get(7)?,
            generated: row.try_get(8)?,
            local: row.try_get(9)?,
            sequence,
        })
    }

    /// The column's definition in `CREATE TABLE table`.
    fn definition(&self, table: &str) -> String {
        let mut sql = format!("{} {}", self.quoted, self.data_type);
        if let Some(collation) = &self.collation {
            sql.push_str(&format!(" COLLATE {collation}"));
        }
        let identity = match self.identity.as_str() {
            "a" => Some("ALWAYS"),
            "d" => Some("BY DEFAULT"),
            _ => None,
        };
        let expression = self.default.as_deref().unwrap_or_default();
        match (identity, self.generated.as_str()) {
            (Some(when), _) => {
                let options = self
                    .sequence
                    .as_ref()
                    .map(|sequence| sequence.options(table, &self.name))
                    .unwrap_or_default();
                sql.push_str(&format!(" GENERATED {when} AS IDENTITY{options}"));
            }
            (None, "s") => sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED")),
            (None, "v") => sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) VIRTUAL")),
            _ => {
                if let Some(default) = &self.default {
                    sql.push_str(&format!(" DEFAULT {default}"));
                }
            }
        }
        // An identity column is NOT NULL by definition.
        if self.not_null && identity.is_none() {
            sql.push_str(" NOT NULL");
        }
        sql
    }
}

impl IdentitySequence {
    /// The sequence options that differ from what `GENERATED ... AS
    /// IDENTITY` would choose, in parentheses, or nothing.
    fn options(&self, table: &str, column: &str) -> String {
        let (type_min, type_max) = match self.data_type.as_str() {
            "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
            "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        let ascending = self.increment > 0;
        let (default_min, default_max) = match ascending {
            true => (1, type_max),
            false => (type_min, -1),
        };
        let default_start = if ascending { self.min } else { self.max };
        let mut options = Vec::new();
        if self.name != format!("{table}_{column}_seq") {
            options.push(format!("SEQUENCE NAME {}", self.quoted));
        }
        if self.start != default_start {
            options.push(format!("START WITH {}", self.start));
        }
        if self.increment != 1 {
            options.push(format!("INCREMENT BY {}", self.increment));
        }
        if self.min != default_min {
            options.push(format!("MINVALUE {}", self.min));
        }
        if self.max != default_max {
            options.push(format!("MAXVALUE {}", self.max));
        }
        if self.cache != 1 {
            options.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            options.push("CYCLE".to_string());
        }
        match options.is_empty() {
            true => String::new(),
            false => format!(" ({})", options.join(" ")),
        }
    }
}

/// A constraint of a table.
struct Constraint {
    table: String,
    quoted_table: String,
    name: String,
    quoted: String,
    kind: String,
    definition: String,
    validated: bool,
}

impl Constraint {
    fn of(row: &Row) -> Result<Constraint, Error> {
        Ok(Constraint {
            table: row.try_get(0)?,
            quoted_table: row.try_get(1)?,
            name: row.try_get(2)?,
            quoted: row.try_get(3)?,
            kind: row.try_get(4)?,
            definition: row.try_get(5)?,
            validated: row.try_get(6)?,
        })
    }

    fn alter(&self) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {};",
            self.quoted_table, self.quoted, self.definition
        )
    }
}

/// A table, partitioned table or partition.
struct Table {
    name: String,
    quoted: String,
    persistence: String,
    partition: bool,
    partition_key: Option<String>,
    bound: Option<String>,
    /// Parent tables as `regclass` prints them (qualified outside the schema).
    parents: Vec<String>,
    /// The names of the parents in the schema, for ordering.
    parent_names: Vec<String>,
    options: Option<String>,
}

impl Table {
    fn of(row: &Row) -> Result<Table, Error> {
        Ok(Table {
            name: row.try_get(0)?,
            quoted: row.try_get(1)?,
            persistence: row.try_get(3)?,
            partition: row.try_get(4)?,
            partition_key: row.try_get(5)?,
            bound: row.try_get(6)?,
            parents: row.try_get(7)?,
            parent_names: row.try_get(8)?,
            options: row.try_get(9)?,
        })
    }

    /// The table's statements: `CREATE TABLE` with its own columns and
    /// constraints, then what cannot be said there (constraints `NOT VALID`,
    /// inherited columns whose default or `NOT NULL` differ from the parent's).
    fn item(self, columns: &[Column], parent: &[Column], constraints: &[Constraint]) -> DumpItem {
        let unlogged = match self.persistence.as_str() {
            "u" => "UNLOGGED ",
            _ => "",
        };
        let mut after = Vec::new();
        let mut sql = match (&self.bound, self.parents.first()) {
            (Some(bound), Some(parent)) if self.partition => {
                after.extend(constraints.iter().map(Constraint::alter));
                format!(
                    "CREATE {unlogged}TABLE {} PARTITION OF {parent}\n    {bound}",
                    self.quoted
                )
            }
            _ => {
                let mut lines: Vec<String> = columns
                    .iter()
                    .filter(|column| column.local)
                    .map(|column| format!("    {}", column.definition(&self.name)))
                    .collect();
                for constraint in constraints {
                    match constraint.validated {
                        true => lines.push(format!(
                            "    CONSTRAINT {} {}",
                            constraint.quoted, constraint.definition
                        )),
                        false => after.push(constraint.alter()),
                    }
                }
                let mut sql = format!("CREATE {unlogged}TABLE {} (\n", self.quoted);
                if !lines.is_empty() {
                    sql.push_str(&lines.join(",\n"));
                    sql.push('\n');
                }
                sql.push(')');
                if !self.parents.is_empty() {
                    sql.push_str(&format!(" INHERITS ({})", self.parents.join(", ")));
                }
                sql
            }
        };
        if let Some(key) = &self.partition_key {
            sql.push_str(&format!(" PARTITION BY {key}"));
        }
        if let Some(options) = &self.options {
            sql.push_str(&format!(" WITH ({options})"));
        }
        sql.push(';');
        after.extend(self.inherited_differences(columns, parent));
        for statement in after {
            sql.push('\n');
            sql.push_str(&statement);
        }
        DumpItem {
            section: match self.partition {
                true => Section::Partitions,
                false => Section::Tables,
            },
            name: self.name,
            depends_on: self.parent_names,
            sql,
        }
    }

    /// `ALTER TABLE` for inherited columns whose default or `NOT NULL`
    /// differ from the first parent's (which the table copies when created).
    fn inherited_differences(&self, columns: &[Column], parent: &[Column]) -> Vec<String> {
        let mut statements = Vec::new();
        for column in columns.iter().filter(|column| !column.local) {
            let Some(inherited) = parent.iter().find(|other| other.name == column.name) else {
                continue;
            };
            let alter = format!("ALTER TABLE {} ALTER COLUMN {}", self.quoted, column.quoted);
            if column.generated.is_empty() && column.default != inherited.default {
                statements.push(match &column.default {
                    Some(default) => format!("{alter} SET DEFAULT {default};"),
                    None => format!("{alter} DROP DEFAULT;"),
                });
            }
            if column.not_null && !inherited.not_null {
                statements.push(format!("{alter} SET NOT NULL;"));
            }
        }
        statements
    }
}

/// Removes the schema from the one name a `pg_get_*def` function qualifies
/// whatever the `search_path`: the first `qualified` after `after` becomes
/// `plain`. The text is returned as it is when the pattern is not there.
fn unqualify(definition: &str, after: &str, qualified: &str, plain: &str) -> String {
    let start = definition.find(after).map_or(0, |at| at + after.len());
    match definition[start..].find(qualified) {
        Some(at) => {
            let at = start + at;
            format!(
                "{}{plain}{}",
                &definition[..at],
                &definition[at + qualified.len()..]
            )
        }
        None => definition.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unqualify_removes_only_the_qualified_name_after_the_marker() {
        let index = "CREATE INDEX \"exp.m \" ON ONLY exp.m USING btree (v)";
        assert_eq!(
            unqualify(index, "INDEX \"exp.m \" ON ", "exp.m USING ", "m USING "),
            "CREATE INDEX \"exp.m \" ON ONLY m USING btree (v)"
        );
        let function = "CREATE OR REPLACE FUNCTION \"My Schema\".f(x \"My Schema\".t)";
        assert_eq!(
            unqualify(
                function,
                "CREATE OR REPLACE FUNCTION ",
                "\"My Schema\".",
                ""
            ),
            "CREATE OR REPLACE FUNCTION f(x \"My Schema\".t)"
        );
        let trigger = "CREATE TRIGGER t BEFORE INSERT ON exp.c FOR EACH ROW EXECUTE FUNCTION f()";
        assert_eq!(
            unqualify(trigger, "TRIGGER t ", " ON exp.c ", " ON c "),
            "CREATE TRIGGER t BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION f()"
        );
        assert_eq!(unqualify("CREATE x", "CREATE ", "exp.", ""), "CREATE x");
    }

    fn sequence(name: &str, increment: i64, min: i64, max: i64, start: i64) -> IdentitySequence {
        IdentitySequence {
            name: name.to_string(),
            quoted: name.to_string(),
            data_type: "integer".to_string(),
            start,
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
        }
    }

    #[test]
    fn identity_options_are_only_those_that_differ_from_the_defaults() {
        let max = i64::from(i32::MAX);
        let min = i64::from(i32::MIN);
        assert_eq!(sequence("t_id_seq", 1, 1, max, 1).options("t", "id"), "");
        // Descending: the minimum, maximum and start are a descending sequence's own.
        assert_eq!(
            sequence("t_id_seq", -1, min, -1, -1).options("t", "id"),
            " (INCREMENT BY -1)"
        );
        assert_eq!(
            sequence("t_id_seq", 10, 1, max, 100).options("t", "id"),
            " (START WITH 100 INCREMENT BY 10)"
        );
        assert_eq!(
            sequence("ids", 1, 5, 99, 5).options("t", "id"),
            " (SEQUENCE NAME ids MINVALUE 5 MAXVALUE 99)"
        );
    }
}
