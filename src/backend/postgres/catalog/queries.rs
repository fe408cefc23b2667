//! The catalog queries of the object kinds `schema_dump` has carried since
//! issue 6. Each binds `$1` the schema, `$2`, `$3` and `$6` the version and lock tables to
//! leave out (empty strings in a schema that does not hold them), `$4` the
//! prefix of the schema's own names (empty for the single-schema dump,
//! `schema.` when several schemas are dumped) and `$5` every dumped schema
//! (using those it needs), and orders its rows by name.

pub(super) const SCHEMA: &str = "SELECT quote_ident($1)";

pub(super) const EXTENSIONS: &str = "\
SELECT e.extname::text, quote_ident(e.extname), quote_ident(n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = $1
ORDER BY e.extname";

/// Enum, domain, composite and range types, each with its statement and
/// the types of the schema it uses.
pub(super) const TYPES: &str = "\
SELECT $4 || t.typname::text,
  CASE t.typtype
  WHEN 'e' THEN format(E'CREATE TYPE %s%I AS ENUM (\\n%s\\n);', $4, t.typname,
    (SELECT string_agg('    ' || quote_literal(e.enumlabel), E',\\n' ORDER BY e.enumsortorder)
     FROM pg_enum e WHERE e.enumtypid = t.oid))
  WHEN 'd' THEN format('CREATE DOMAIN %s%I AS %s%s%s%s%s;%s', $4, t.typname,
    format_type(t.typbasetype, t.typtypmod),
    CASE WHEN t.typcollation <> b.typcollation
      THEN ' COLLATE ' || t.typcollation::regcollation::text END,
    ' DEFAULT ' || pg_get_expr(t.typdefaultbin, 0),
    CASE WHEN t.typnotnull THEN ' NOT NULL' END,
    (SELECT string_agg(format(E'\\n    CONSTRAINT %I %s', k.conname, pg_get_constraintdef(k.oid)),
       '' ORDER BY k.conname)
     FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' AND k.convalidated),
    (SELECT string_agg(format(E'\\nALTER DOMAIN %s%I ADD CONSTRAINT %I %s;', $4, t.typname, k.conname,
       pg_get_constraintdef(k.oid)), '' ORDER BY k.conname)
     FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' AND NOT k.convalidated))
  WHEN 'c' THEN format(E'CREATE TYPE %s%I AS (\\n%s\\n);', $4, t.typname,
    (SELECT string_agg(format('    %I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attcollation <> at.typcollation
         THEN ' COLLATE ' || a.attcollation::regcollation::text END), E',\\n' ORDER BY a.attnum)
     FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
  WHEN 'r' THEN format(E'CREATE TYPE %s%I AS RANGE (\\n    SUBTYPE = %s%s%s%s%s,\\n    MULTIRANGE_TYPE_NAME = %s%I\\n);',
    $4, t.typname, format_type(r.rngsubtype, NULL),
    CASE WHEN NOT o.opcdefault THEN E',\\n    SUBTYPE_OPCLASS = ' || quote_ident(o.opcname) END,
    CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
      THEN E',\\n    COLLATION = ' || r.rngcollation::regcollation::text END,
    CASE WHEN r.rngcanonical <> 0 THEN E',\\n    CANONICAL = ' || r.rngcanonical::regproc::text END,
    CASE WHEN r.rngsubdiff <> 0 THEN E',\\n    SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text END,
    $4, mt.typname)
  END,
  ARRAY(SELECT DISTINCT $4 || u.typname::text
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
pub(super) const SEQUENCES: &str = "\
SELECT $4 || c.relname::text,
  format(E'CREATE %sSEQUENCE %s%I\\n    AS %s\\n    START WITH %s\\n    INCREMENT BY %s\\n    MINVALUE %s\\n    MAXVALUE %s\\n    CACHE %s%s;',
    CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' END, $4, c.relname,
    format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
    CASE WHEN s.seqcycle THEN E'\\n    CYCLE' END),
  (SELECT format('ALTER SEQUENCE %s%I OWNED BY %s.%I;', $4, c.relname, t.oid::regclass, a.attname)
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
      AND (d.deptype = 'i' OR (t.relnamespace = c.relnamespace AND t.relname IN ($2, $3, $6))))
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// Tables, partitioned tables and partitions, with their row-level
/// security, the type of a typed table and the replica identity.
pub(super) const TABLES: &str = "\
SELECT $4 || c.relname::text, $4 || quote_ident(c.relname), c.relkind::text, c.relpersistence::text,
  c.relispartition,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
  ARRAY(SELECT h.inhparent::regclass::text FROM pg_inherits h
    WHERE h.inhrelid = c.oid ORDER BY h.inhseqno),
  ARRAY(SELECT $4 || p.relname::text FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent
    WHERE h.inhrelid = c.oid AND p.relnamespace = c.relnamespace ORDER BY h.inhseqno),
  (SELECT string_agg(format('%s=%L', o.option_name, o.option_value), ', ')
   FROM pg_options_to_table(c.reloptions) o),
  c.relrowsecurity, c.relforcerowsecurity,
  CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END,
  c.relreplident::text,
  (SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
   WHERE x.indrelid = c.oid AND x.indisreplident)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3, $6)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// The columns of every table, with the sequence of identity columns and
/// the storage, compression, statistics target and options (`n_distinct`)
/// that differ from the defaults (of the options, only the two a user can
/// set, `n_distinct` and `n_distinct_inherited`: a server may keep its own
/// bookkeeping there).
pub(super) const COLUMNS: &str = "\
SELECT $4 || c.relname::text, a.attname::text, quote_ident(a.attname),
  format_type(a.atttypid, a.atttypmod),
  CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
  pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.attidentity::text, a.attgenerated::text,
  a.attislocal, $4 || i.relname::text, $4 || quote_ident(i.relname), format_type(i.seqtypid, NULL),
  i.seqstart, i.seqincrement, i.seqmin, i.seqmax, i.seqcache, i.seqcycle,
  CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage::text WHEN 'p' THEN 'PLAIN'
    WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END,
  CASE a.attcompression::text WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END,
  nullif(a.attstattarget::int, -1),
  (SELECT string_agg(o.option, ', ' ORDER BY o.at)
   FROM unnest(a.attoptions) WITH ORDINALITY AS o(option, at)
   WHERE o.option LIKE 'n\\_distinct%'),
  $4 || quote_ident(c.relname)
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
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3, $6)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, a.attnum";

/// Primary key, unique, check, exclusion and foreign key constraints made
/// on the table itself (not cloned from a partitioned parent or inherited).
pub(super) const CONSTRAINTS: &str = "\
SELECT $4 || c.relname::text, $4 || quote_ident(c.relname), k.conname::text, quote_ident(k.conname),
  k.contype::text, pg_get_constraintdef(k.oid), k.convalidated
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($2, $3, $6)
  AND k.contype IN ('p', 'u', 'c', 'x', 'f') AND k.conparentid = 0 AND k.conislocal
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, k.conname";

/// Indexes that no constraint made, with the partitioned index each one
/// is a partition of; and the clustered indexes a constraint made.
pub(super) const INDEXES: &str = "\
SELECT * FROM (
  SELECT $4 || c.relname::text, $4 || quote_ident(c.relname), c.relkind::text,
    $4 || i.relname::text, quote_ident(i.relname), pg_get_indexdef(i.oid), x.indisclustered,
    $4 || p.relname::text, p.oid::regclass::text,
    EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.oid AND k.conrelid = c.oid
      AND k.contype IN ('p', 'u', 'x')) AS by_constraint
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_inherits h ON h.inhrelid = i.oid
  LEFT JOIN pg_class p ON p.oid = h.inhparent
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') AND c.relname NOT IN ($2, $3, $6)
    AND NOT EXISTS (SELECT FROM pg_depend e
      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
) indexes
WHERE NOT by_constraint OR indisclustered
ORDER BY 4";

/// Extended statistics objects.
pub(super) const STATISTICS: &str = "\
SELECT $4 || s.stxname::text, pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
WHERE n.nspname = $1 AND NOT (c.relnamespace = n.oid AND c.relname IN ($2, $3, $6))
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_statistic_ext'::regclass AND x.objid = s.oid AND x.deptype = 'e')
ORDER BY s.stxname";

/// Views and materialized views, with their options, check option and
/// column defaults.
pub(super) const VIEWS: &str = "\
SELECT $4 || c.relname::text, $4 || quote_ident(c.relname), c.relkind::text, pg_get_viewdef(c.oid),
  (SELECT string_agg(format('%s=%L', o.option_name, o.option_value), ', ')
   FROM pg_options_to_table(c.reloptions) o WHERE o.option_name <> 'check_option'),
  (SELECT upper(o.option_value)
   FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'check_option'),
  (SELECT string_agg(format(E'\\nALTER VIEW %s%I ALTER COLUMN %I SET DEFAULT %s;', $4, c.relname,
     a.attname, pg_get_expr(d.adbin, d.adrelid)), '' ORDER BY a.attnum)
   FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   WHERE d.adrelid = c.oid)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname";

/// Functions and procedures (not aggregates, nor the constructors a range
/// type makes for itself).
pub(super) const FUNCTIONS: &str = "\
SELECT p.oid::regprocedure::text, p.prokind::text, pg_get_functiondef(p.oid)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.prokind IN ('f', 'p', 'w')
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype IN ('e', 'i'))
ORDER BY p.oid::regprocedure::text COLLATE \"C\"";

/// Triggers made on the table itself (not cloned onto a partition).
pub(super) const TRIGGERS: &str = "\
SELECT $4 || c.relname::text, $4 || quote_ident(c.relname), c.relkind::text, t.tgname::text,
  quote_ident(t.tgname), pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND NOT t.tgisinternal AND t.tgparentid = 0
  AND c.relname NOT IN ($2, $3, $6)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY c.relname, t.tgname";

/// Comments on relations, columns, types, functions, constraints, triggers,
/// aggregates, policies, rules, collations, text-search objects and the
/// schema's extensions.
pub(super) const COMMENTS: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
rel AS (SELECT c.* FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM s) AND c.relname NOT IN ($2, $3, $6)
    AND NOT EXISTS (SELECT FROM pg_depend x
      WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')),
comments (kind, object, description) AS (
  SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
      WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX'
      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
    $4 || quote_ident(c.relname), d.description
  FROM pg_description d JOIN rel c ON c.oid = d.objoid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind <> 'c'
  UNION ALL
  SELECT 'COLUMN', $4 || quote_ident(c.relname) || '.' || quote_ident(a.attname), d.description
  FROM pg_description d JOIN rel c ON c.oid = d.objoid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
  WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, $4 || quote_ident(t.typname),
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
  SELECT 'CONSTRAINT', quote_ident(k.conname) || ' ON ' || coalesce($4 || quote_ident(c.relname),
      'DOMAIN ' || $4 || quote_ident(t.typname)), d.description
  FROM pg_description d JOIN pg_constraint k ON k.oid = d.objoid
  LEFT JOIN rel c ON c.oid = k.conrelid
  LEFT JOIN pg_type t ON t.oid = k.contypid
  WHERE d.classoid = 'pg_constraint'::regclass AND k.connamespace = (SELECT oid FROM s)
    AND (c.oid IS NOT NULL OR t.oid IS NOT NULL)
  UNION ALL
  SELECT 'TRIGGER', quote_ident(g.tgname) || ' ON ' || $4 || quote_ident(c.relname), d.description
  FROM pg_description d JOIN pg_trigger g ON g.oid = d.objoid JOIN rel c ON c.oid = g.tgrelid
  WHERE d.classoid = 'pg_trigger'::regclass
  UNION ALL
  SELECT 'AGGREGATE', format('%s%I(%s)', $4, p.proname, pg_get_function_identity_arguments(p.oid)),
    d.description
  FROM pg_description d JOIN pg_proc p ON p.oid = d.objoid
  WHERE d.classoid = 'pg_proc'::regclass AND p.pronamespace = (SELECT oid FROM s)
    AND p.prokind = 'a'
    AND NOT EXISTS (SELECT FROM pg_depend x
      WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')
  UNION ALL
  SELECT 'POLICY', quote_ident(p.polname) || ' ON ' || $4 || quote_ident(c.relname), d.description
  FROM pg_description d JOIN pg_policy p ON p.oid = d.objoid JOIN rel c ON c.oid = p.polrelid
  WHERE d.classoid = 'pg_policy'::regclass
  UNION ALL
  SELECT 'RULE', quote_ident(r.rulename) || ' ON ' || $4 || quote_ident(c.relname), d.description
  FROM pg_description d JOIN pg_rewrite r ON r.oid = d.objoid JOIN rel c ON c.oid = r.ev_class
  WHERE d.classoid = 'pg_rewrite'::regclass AND r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'COLLATION', $4 || quote_ident(o.collname), d.description
  FROM pg_description d JOIN pg_collation o ON o.oid = d.objoid
  WHERE d.classoid = 'pg_collation'::regclass AND o.collnamespace = (SELECT oid FROM s)
  UNION ALL
  SELECT 'TEXT SEARCH CONFIGURATION', $4 || quote_ident(o.cfgname), d.description
  FROM pg_description d JOIN pg_ts_config o ON o.oid = d.objoid
  WHERE d.classoid = 'pg_ts_config'::regclass AND o.cfgnamespace = (SELECT oid FROM s)
  UNION ALL
  SELECT 'TEXT SEARCH DICTIONARY', $4 || quote_ident(o.dictname), d.description
  FROM pg_description d JOIN pg_ts_dict o ON o.oid = d.objoid
  WHERE d.classoid = 'pg_ts_dict'::regclass AND o.dictnamespace = (SELECT oid FROM s)
  UNION ALL
  SELECT 'EXTENSION', quote_ident(e.extname), d.description
  FROM pg_description d JOIN pg_extension e ON e.oid = d.objoid
  WHERE d.classoid = 'pg_extension'::regclass AND e.extnamespace = (SELECT oid FROM s)
)
SELECT kind || ' ' || object, format('COMMENT ON %s %s IS %L;', kind, object, description)
FROM comments
ORDER BY (kind || ' ' || object) COLLATE \"C\"";

/// Which of the queries of [`super::QUERIES`] can return a row, one
/// boolean each in that order, so that a dump runs only those: most
/// schemas have no aggregates, policies, rules, collations, text search,
/// comments or statistics, and each of those queries costs a scan of its
/// catalog whatever it finds (`check` dumps hundreds of times). Each test
/// is the query's own condition on the schema or looser, never stricter:
/// a query left out would have returned nothing. The queries that every
/// schema needs (its name, the dependency graph, what is omitted) always
/// run.
///
/// Comments: every object made after `initdb` has an OID of 16384
/// (`FirstNormalObjectId`) or more, wraparound included, so a database
/// with no comment on such an object has none to dump, unless the schema
/// is one that `initdb` filled itself (`pg_catalog`, `information_schema`;
/// `public` starts empty).
pub(super) const KINDS: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
rel AS (SELECT coalesce(array_agg(DISTINCT c.relkind::text), '{}') AS kinds
  FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM s)),
proc AS (SELECT coalesce(array_agg(DISTINCT p.prokind::text), '{}') AS kinds
  FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM s))
SELECT true,
  EXISTS (SELECT FROM pg_extension e WHERE e.extnamespace = (SELECT oid FROM s)),
  EXISTS (SELECT FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM s)
    AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT FROM pg_class c
      WHERE c.oid = t.typrelid AND c.relkind = 'c')))),
  'S' = ANY(rel.kinds),
  rel.kinds && '{r,p}',
  rel.kinds && '{r,p}',
  rel.kinds && '{r,p}',
  rel.kinds && '{r,p,m}',
  EXISTS (SELECT FROM pg_statistic_ext x WHERE x.stxnamespace = (SELECT oid FROM s)),
  rel.kinds && '{v,m}',
  proc.kinds && '{f,p,w}',
  EXISTS (SELECT FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE c.relnamespace = (SELECT oid FROM s) AND NOT g.tgisinternal),
  EXISTS (SELECT FROM pg_description d WHERE d.objoid >= 16384)
    OR EXISTS (SELECT FROM pg_namespace n WHERE n.nspname = $1 AND n.oid < 16384
      AND n.nspname <> 'public'),
  'a' = ANY(proc.kinds),
  EXISTS (SELECT FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = (SELECT oid FROM s)),
  EXISTS (SELECT FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace = (SELECT oid FROM s) AND r.rulename <> '_RETURN'),
  EXISTS (SELECT FROM pg_collation o WHERE o.collnamespace = (SELECT oid FROM s)),
  EXISTS (SELECT FROM pg_ts_dict o WHERE o.dictnamespace = (SELECT oid FROM s)),
  EXISTS (SELECT FROM pg_ts_config o WHERE o.cfgnamespace = (SELECT oid FROM s)),
  true,
  true,
  true
FROM rel, proc";
