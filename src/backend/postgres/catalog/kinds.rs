//! The catalog queries added by issue 13: the object kinds `pg_dump -s`
//! keeps that the first reader left out (aggregates, row-level security
//! policies, rules, collations, text-search dictionaries and
//! configurations, the comment on the schema), the dependency graph that
//! orders the dump, and the objects the dump cannot carry.
//!
//! Like [`super::queries`], each binds `$1` the schema, `$2` and `$3` the
//! version tables, `$4` the prefix of the schema's names and `$5` the
//! dumped schemas, orders its rows, and lets the server print what it can.
//! Where PostgreSQL has no `pg_get_*def` (aggregates, collations, text
//! search), the statement is built the way `pg_dump` builds it, from the
//! catalog's columns; the columns that moved between major versions
//! (`colliculocale`, `colllocale`, `collicurules`) are read through
//! `to_jsonb(row)` so that one query serves PostgreSQL 14 to 17.

/// Aggregates, as `CREATE AGGREGATE` with every option that is not the
/// default. A support function outside the schema and `pg_catalog` keeps
/// its schema; one in the schema is bare, whatever overloads it has (a
/// `regproc` would qualify an overloaded name with the schema's).
pub(super) const AGGREGATES: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
fname AS (SELECT p.oid, CASE WHEN p.pronamespace = 'pg_catalog'::regnamespace
      OR (p.pronamespace = (SELECT oid FROM s) AND $4 = '')
    THEN quote_ident(p.proname) ELSE quote_ident(pn.nspname) || '.' || quote_ident(p.proname) END AS name
  FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace)
SELECT p.oid::regprocedure::text,
  format(E'CREATE AGGREGATE %s%I(%s) (\\n    SFUNC = %s,\\n    STYPE = %s%s\\n);', $4, p.proname,
    pg_get_function_arguments(p.oid),
    (SELECT name FROM fname WHERE fname.oid = a.aggtransfn), format_type(a.aggtranstype, NULL),
    concat(
      CASE WHEN a.aggtransspace <> 0 THEN E',\\n    SSPACE = ' || a.aggtransspace END,
      CASE WHEN a.aggfinalfn <> 0 THEN E',\\n    FINALFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggfinalfn) END,
      CASE WHEN a.aggfinalextra THEN E',\\n    FINALFUNC_EXTRA' END,
      CASE WHEN a.aggfinalfn <> 0
        AND a.aggfinalmodify::text <> CASE WHEN a.aggkind::text = 'n' THEN 'r' ELSE 'w' END
        THEN E',\\n    FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify::text WHEN 'r' THEN 'READ_ONLY'
          WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
      CASE WHEN a.aggcombinefn <> 0 THEN E',\\n    COMBINEFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggcombinefn) END,
      CASE WHEN a.aggserialfn <> 0 THEN E',\\n    SERIALFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggserialfn) END,
      CASE WHEN a.aggdeserialfn <> 0 THEN E',\\n    DESERIALFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggdeserialfn) END,
      CASE WHEN a.agginitval IS NOT NULL THEN E',\\n    INITCOND = ' || quote_literal(a.agginitval) END,
      CASE WHEN a.aggmtransfn <> 0 THEN E',\\n    MSFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggmtransfn)
        || E',\\n    MINVFUNC = ' || (SELECT name FROM fname WHERE fname.oid = a.aggminvtransfn)
        || E',\\n    MSTYPE = ' || format_type(a.aggmtranstype, NULL) END,
      CASE WHEN a.aggmtransspace <> 0 THEN E',\\n    MSSPACE = ' || a.aggmtransspace END,
      CASE WHEN a.aggmfinalfn <> 0 THEN E',\\n    MFINALFUNC = '
        || (SELECT name FROM fname WHERE fname.oid = a.aggmfinalfn) END,
      CASE WHEN a.aggmfinalextra THEN E',\\n    MFINALFUNC_EXTRA' END,
      CASE WHEN a.aggmfinalfn <> 0
        AND a.aggmfinalmodify::text <> CASE WHEN a.aggkind::text = 'n' THEN 'r' ELSE 'w' END
        THEN E',\\n    MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify::text WHEN 'r' THEN 'READ_ONLY'
          WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
      CASE WHEN a.aggminitval IS NOT NULL THEN E',\\n    MINITCOND = ' || quote_literal(a.aggminitval) END,
      CASE WHEN a.aggsortop <> 0 THEN E',\\n    SORTOP = ' || (SELECT CASE
          WHEN o.oprnamespace = 'pg_catalog'::regnamespace
            OR (o.oprnamespace = (SELECT oid FROM s) AND $4 = '') THEN o.oprname::text
          ELSE format('OPERATOR(%I.%s)', on_.nspname, o.oprname) END
        FROM pg_operator o JOIN pg_namespace on_ ON on_.oid = o.oprnamespace WHERE o.oid = a.aggsortop) END,
      CASE WHEN p.proparallel::text <> 'u' THEN E',\\n    PARALLEL = '
        || CASE p.proparallel::text WHEN 's' THEN 'SAFE' ELSE 'RESTRICTED' END END,
      CASE WHEN a.aggkind::text = 'h' THEN E',\\n    HYPOTHETICAL' END))
FROM pg_proc p
JOIN pg_aggregate a ON a.aggfnoid = p.oid
WHERE p.pronamespace = (SELECT oid FROM s) AND p.prokind = 'a'
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')
ORDER BY p.oid::regprocedure::text COLLATE \"C\"";

/// Row-level security policies, with their table.
pub(super) const POLICIES: &str = "\
SELECT $4 || c.relname::text, pol.polname::text,
  format('CREATE POLICY %I ON %s%I%s%s%s%s%s;', pol.polname, $4, c.relname,
    CASE WHEN NOT pol.polpermissive THEN E'\\n    AS RESTRICTIVE' END,
    CASE pol.polcmd::text WHEN 'r' THEN E'\\n    FOR SELECT' WHEN 'a' THEN E'\\n    FOR INSERT'
      WHEN 'w' THEN E'\\n    FOR UPDATE' WHEN 'd' THEN E'\\n    FOR DELETE' END,
    CASE WHEN pol.polroles <> '{0}' THEN E'\\n    TO ' || (SELECT string_agg(
        CASE WHEN r.role = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.role)) END, ', '
        ORDER BY r.at)
      FROM unnest(pol.polroles) WITH ORDINALITY AS r(role, at)) END,
    E'\\n    USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')',
    E'\\n    WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')')
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname NOT IN ($2, $3)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 1, 2";

/// Rules (not the `_RETURN` rule of a view, which is the view), with their
/// table and whether they are enabled.
pub(super) const RULES: &str = "\
SELECT $4 || c.relname::text, r.rulename::text, pg_get_ruledef(r.oid), r.ev_enabled::text,
  $4 || quote_ident(c.relname), quote_ident(r.rulename)
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND r.rulename <> '_RETURN' AND c.relname NOT IN ($2, $3)
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 1, 2";

/// Collations, as `pg_dump` writes them.
pub(super) const COLLATIONS: &str = "\
SELECT $4 || c.collname::text,
  format('CREATE COLLATION %s%I (%s);', $4, c.collname, concat_ws(', ',
    'provider = ' || CASE c.collprovider::text WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc'
      WHEN 'b' THEN 'builtin' ELSE 'default' END,
    CASE WHEN NOT c.collisdeterministic THEN 'deterministic = false' END,
    CASE WHEN c.collprovider::text = 'c' AND c.collcollate = c.collctype
      THEN 'locale = ' || quote_literal(c.collcollate) END,
    CASE WHEN c.collprovider::text = 'c' AND c.collcollate IS DISTINCT FROM c.collctype
      THEN 'lc_collate = ' || quote_literal(c.collcollate)
        || ', lc_ctype = ' || quote_literal(c.collctype) END,
    CASE WHEN c.collprovider::text <> 'c' THEN 'locale = '
      || quote_literal(coalesce(j->>'colllocale', j->>'colliculocale', c.collcollate)) END,
    CASE WHEN j->>'collicurules' IS NOT NULL THEN 'rules = ' || quote_literal(j->>'collicurules') END))
FROM pg_collation c
CROSS JOIN LATERAL to_jsonb(c) AS j
JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_collation'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 1";

/// Text-search dictionaries, with their template and options.
pub(super) const TS_DICTIONARIES: &str = "\
SELECT $4 || d.dictname::text,
  format(E'CREATE TEXT SEARCH DICTIONARY %s%I (\\n    TEMPLATE = %s%s\\n);', $4, d.dictname,
    CASE WHEN t.tmplnamespace = 'pg_catalog'::regnamespace
        OR (t.tmplnamespace = n.oid AND $4 = '') THEN quote_ident(t.tmplname)
      ELSE quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname) END,
    ', ' || d.dictinitoption)
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_ts_dict'::regclass AND x.objid = d.oid AND x.deptype = 'e')
ORDER BY 1";

/// Text-search configurations: the parser, then one `ADD MAPPING` per
/// token type with its dictionaries in order (the mappings of the built-in
/// configuration it was copied from, if it was, are all spelled out).
pub(super) const TS_CONFIGURATIONS: &str = "\
SELECT $4 || c.cfgname::text,
  format(E'CREATE TEXT SEARCH CONFIGURATION %s%I (\\n    PARSER = %s\\n);', $4, c.cfgname,
    CASE WHEN p.prsnamespace = 'pg_catalog'::regnamespace
        OR (p.prsnamespace = n.oid AND $4 = '') THEN quote_ident(p.prsname)
      ELSE quote_ident(pn.nspname) || '.' || quote_ident(p.prsname) END)
  || coalesce((SELECT string_agg(format(E'\\nALTER TEXT SEARCH CONFIGURATION %s%I\\n    ADD MAPPING FOR %s WITH %s;',
        $4, c.cfgname, m.token, m.dictionaries), '' ORDER BY m.tokid)
      FROM (SELECT m.maptokentype AS tokid,
          (SELECT t.alias FROM ts_token_type(c.cfgparser) t WHERE t.tokid = m.maptokentype) AS token,
          string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) AS dictionaries
        FROM pg_ts_config_map m WHERE m.mapcfg = c.oid GROUP BY m.maptokentype) m), '')
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_ts_config'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 1";

/// The comment on the schema itself: in the single-schema dump, as a `DO`
/// block that names whichever schema the dump is loaded into (that dump
/// never names its schema); when several are dumped, by its name.
pub(super) const SCHEMA_COMMENT: &str = "\
SELECT CASE WHEN $4 = '' THEN format(E'DO $comment$\\nBEGIN\\n    EXECUTE format(''COMMENT ON SCHEMA %%I IS %%L'', current_schema(), %L);\\nEND\\n$comment$;',
  d.description) ELSE format('COMMENT ON SCHEMA %I IS %L;', n.nspname, d.description) END
FROM pg_description d
JOIN pg_namespace n ON n.oid = d.objoid
WHERE d.classoid = 'pg_namespace'::regclass AND n.nspname = $1";

/// Every object of the dumped schemas with the key its dump item is known
/// by and the key of the item that holds it, and every `pg_depend` edge
/// from an object of schema `$1` to an object of a dumped schema, as (key,
/// key it needs, owner of the first, owner of the second).
///
/// A key names the item that creates the object: a table's CHECK and the
/// table's row type are the table (`rel:t`), a domain's CHECK is the
/// domain, an array type is its element type, an object that belongs to an
/// extension is the extension. A column default (`default:t.c`) and a
/// table's CHECK constraint (`check:t.k`) have keys of their own and the
/// table as owner: they are part of the table unless they close a cycle
/// (a default calling a function that reads the table), and then they
/// become statements of their own (see `split_cycles`). In a dump of
/// several schemas every key carries the quoted schema (`$4` not empty).
/// Only normal dependencies count: automatic and internal ones (an index
/// on its table, a sequence owned by a column) are the database's own
/// bookkeeping and would make cycles (a serial column's default needs its
/// sequence, which the column owns).
pub(super) const GRAPH: &str = "\
WITH s AS (SELECT oid, CASE WHEN $4 = '' THEN '' ELSE quote_ident(nspname) || '.' END AS pfx
  FROM pg_namespace WHERE nspname = ANY($5)),
objects (classid, objid, nsp, key, owner) AS (
  SELECT 'pg_class'::regclass, c.oid, s.oid, CASE WHEN c.relkind IN ('i', 'I') THEN 'index:'
      WHEN c.relkind = 'c' THEN 'type:' ELSE 'rel:' END || s.pfx || c.relname, NULL
  FROM pg_class c JOIN s ON s.oid = c.relnamespace
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, s.oid, CASE WHEN r.relkind IS NULL OR r.relkind = 'c'
      THEN 'type:' || s.pfx || coalesce(mr.typname, e.typname) ELSE 'rel:' || s.pfx || r.relname END,
    NULL
  FROM pg_type t
  JOIN s ON s.oid = t.typnamespace
  JOIN pg_type e ON e.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
  LEFT JOIN pg_class r ON r.oid = e.typrelid
  LEFT JOIN pg_range rg ON rg.rngmultitypid = e.oid
  LEFT JOIN pg_type mr ON mr.oid = rg.rngtypid
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, s.oid, 'func:' || p.oid::regprocedure::text, NULL
  FROM pg_proc p JOIN s ON s.oid = p.pronamespace
  UNION ALL
  SELECT 'pg_constraint'::regclass, k.oid, s.oid, CASE WHEN k.contype = 'f'
      THEN 'fk:' || s.pfx || c.relname || '.' || k.conname
      WHEN k.conrelid <> 0 AND k.contype = 'c' THEN 'check:' || s.pfx || c.relname || '.' || k.conname
      WHEN k.conrelid <> 0 THEN 'rel:' || s.pfx || c.relname ELSE 'type:' || s.pfx || t.typname END,
    CASE WHEN k.conrelid <> 0 AND k.contype = 'c' THEN 'rel:' || s.pfx || c.relname END
  FROM pg_constraint k
  JOIN s ON s.oid = k.connamespace
  LEFT JOIN pg_class c ON c.oid = k.conrelid
  LEFT JOIN pg_type t ON t.oid = k.contypid
  UNION ALL
  SELECT 'pg_attrdef'::regclass, d.oid, s.oid, 'default:' || s.pfx || c.relname || '.' || a.attname,
    'rel:' || s.pfx || c.relname
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid JOIN s ON s.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  UNION ALL
  SELECT 'pg_rewrite'::regclass, r.oid, s.oid, CASE WHEN r.rulename = '_RETURN'
      THEN 'rel:' || s.pfx || c.relname ELSE 'rule:' || s.pfx || c.relname || '.' || r.rulename END,
    NULL
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN s ON s.oid = c.relnamespace
  UNION ALL
  SELECT 'pg_trigger'::regclass, g.oid, s.oid, 'trigger:' || s.pfx || c.relname || '.' || g.tgname, NULL
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN s ON s.oid = c.relnamespace
  UNION ALL
  SELECT 'pg_policy'::regclass, pol.oid, s.oid, 'policy:' || s.pfx || c.relname || '.' || pol.polname,
    NULL
  FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN s ON s.oid = c.relnamespace
  UNION ALL
  SELECT 'pg_collation'::regclass, o.oid, s.oid, 'collation:' || s.pfx || o.collname, NULL
  FROM pg_collation o JOIN s ON s.oid = o.collnamespace
  UNION ALL
  SELECT 'pg_ts_config'::regclass, o.oid, s.oid, 'tsconfig:' || s.pfx || o.cfgname, NULL
  FROM pg_ts_config o JOIN s ON s.oid = o.cfgnamespace
  UNION ALL
  SELECT 'pg_ts_dict'::regclass, o.oid, s.oid, 'tsdict:' || s.pfx || o.dictname, NULL
  FROM pg_ts_dict o JOIN s ON s.oid = o.dictnamespace
  UNION ALL
  SELECT 'pg_statistic_ext'::regclass, o.oid, s.oid, 'stat:' || s.pfx || o.stxname, NULL
  FROM pg_statistic_ext o JOIN s ON s.oid = o.stxnamespace
),
keyed AS (
  SELECT o.classid, o.objid, o.nsp, coalesce('ext:' || x.extname, o.key) AS key,
    coalesce('ext:' || x.extname, o.owner, o.key) AS owner
  FROM objects o
  LEFT JOIN pg_depend e ON e.classid = o.classid AND e.objid = o.objid AND e.deptype = 'e'
  LEFT JOIN pg_extension x ON x.oid = e.refobjid AND e.refclassid = 'pg_extension'::regclass
)
SELECT DISTINCT a.key, b.key, a.owner, b.owner
FROM pg_depend d
JOIN keyed a ON a.classid = d.classid AND a.objid = d.objid
JOIN keyed b ON b.classid = d.refclassid AND b.objid = d.refobjid
WHERE d.deptype = 'n' AND a.owner <> b.owner
  AND a.nsp = (SELECT oid FROM pg_namespace WHERE nspname = $1)
ORDER BY 1, 2";

/// What the dump cannot carry, one row each, as `kind: object`: object
/// kinds the reader does not dump (operators and their classes and
/// families, foreign tables, base and shell types, conversions, text-search
/// parsers and templates, casts and event triggers using the schema's
/// functions, privileges), and what the schema's objects use in another
/// schema that is not a system one (an FK to `ref.country`, a type of an
/// extension installed in `public`; a schema dumped with it is not another
/// schema). Objects made by an extension are the
/// extension's; objects made by the server (oid below 16384) are never
/// another schema's.
pub(super) const OMITTED: &str = "\
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
member AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
own AS (
  SELECT 'pg_class'::regclass AS classid, oid AS objid FROM pg_class
    WHERE relnamespace = (SELECT oid FROM s) AND relname NOT IN ($2, $3)
  UNION ALL SELECT 'pg_type'::regclass, oid FROM pg_type WHERE typnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc WHERE pronamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_constraint'::regclass, k.oid FROM pg_constraint k
    LEFT JOIN pg_class c ON c.oid = k.conrelid
    WHERE k.connamespace = (SELECT oid FROM s) AND (c.relname IS NULL OR c.relname NOT IN ($2, $3))
  UNION ALL SELECT 'pg_attrdef'::regclass, d.oid FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
    WHERE c.relnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_trigger'::regclass, g.oid FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE c.relnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_policy'::regclass, p.oid FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config WHERE cfgnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict WHERE dictnamespace = (SELECT oid FROM s)
  UNION ALL SELECT 'pg_statistic_ext'::regclass, oid FROM pg_statistic_ext
    WHERE stxnamespace = (SELECT oid FROM s)
)
SELECT DISTINCT what FROM (
  SELECT 'operator: ' || o.oid::regoperator::text AS what
  FROM pg_operator o WHERE o.oprnamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_operator'::regclass AND m.objid = o.oid)
  UNION ALL
  SELECT format('operator class: %I USING %I', c.opcname, a.amname)
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
  WHERE c.opcnamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_opclass'::regclass AND m.objid = c.oid)
  UNION ALL
  SELECT format('operator family: %I USING %I', f.opfname, a.amname)
  FROM pg_opfamily f JOIN pg_am a ON a.oid = f.opfmethod
  WHERE f.opfnamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_opfamily'::regclass AND m.objid = f.oid)
    AND NOT EXISTS (SELECT FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = f.opfname)
  UNION ALL
  SELECT 'foreign table: ' || quote_ident(c.relname)
  FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM s) AND c.relkind = 'f'
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid)
  UNION ALL
  SELECT CASE t.typtype WHEN 'p' THEN 'shell type: ' ELSE 'base type: ' END || quote_ident(t.typname)
  FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM s) AND t.typtype IN ('b', 'p')
    AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_type'::regclass AND m.objid = t.oid)
  UNION ALL
  SELECT 'conversion: ' || quote_ident(c.conname)
  FROM pg_conversion c WHERE c.connamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_conversion'::regclass AND m.objid = c.oid)
  UNION ALL
  SELECT 'text search parser: ' || quote_ident(p.prsname)
  FROM pg_ts_parser p WHERE p.prsnamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_ts_parser'::regclass AND m.objid = p.oid)
  UNION ALL
  SELECT 'text search template: ' || quote_ident(t.tmplname)
  FROM pg_ts_template t WHERE t.tmplnamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_ts_template'::regclass AND m.objid = t.oid)
  UNION ALL
  SELECT format('cast: (%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL))
  FROM pg_cast c JOIN pg_proc p ON p.oid = c.castfunc
  WHERE p.pronamespace = (SELECT oid FROM s)
    AND NOT EXISTS (SELECT FROM member m WHERE m.classid = 'pg_cast'::regclass AND m.objid = c.oid)
    -- The casts a range type makes to its multirange are the type's own.
    AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = 'pg_proc'::regclass
      AND x.objid = p.oid AND x.deptype = 'i')
  UNION ALL
  SELECT 'event trigger: ' || quote_ident(e.evtname)
  FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid
  WHERE p.pronamespace = (SELECT oid FROM s)
  UNION ALL
  SELECT 'privileges: ' || pg_describe_object('pg_class'::regclass, c.oid, 0)
  FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM s) AND c.relacl IS NOT NULL
    AND c.relname NOT IN ($2, $3) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT 'privileges: ' || pg_describe_object('pg_proc'::regclass, p.oid, 0)
  FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM s) AND p.proacl IS NOT NULL
  UNION ALL
  SELECT 'privileges: ' || pg_describe_object('pg_type'::regclass, t.oid, 0)
  FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM s) AND t.typacl IS NOT NULL
  UNION ALL
  SELECT 'privileges: schema' || CASE WHEN $4 <> '' THEN ' ' || quote_ident(n.nspname) ELSE '' END
  FROM pg_namespace n
  WHERE n.oid = (SELECT oid FROM s) AND n.nspacl IS NOT NULL
    AND n.nspacl <> acldefault('n', n.nspowner)
    -- `public` starts with privileges of its own (PostgreSQL 15: USAGE to
    -- PUBLIC), recorded as its initial ones: those are not a change.
    AND n.nspacl IS DISTINCT FROM (SELECT i.initprivs FROM pg_init_privs i
      WHERE i.classoid = 'pg_namespace'::regclass AND i.objoid = n.oid AND i.objsubid = 0)
  UNION ALL
  SELECT format('%s: %s uses %s',
      CASE WHEN $4 = '' THEN 'outside the schema' ELSE 'outside the dumped schemas' END,
      pg_describe_object(d.classid, d.objid, d.objsubid),
      pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid))
  FROM own o
  JOIN pg_depend d ON d.classid = o.classid AND d.objid = o.objid
  WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384
    AND (pg_identify_object(d.refclassid, d.refobjid, 0)).schema
      NOT IN ('pg_catalog', 'information_schema')
    AND (pg_identify_object(d.refclassid, d.refobjid, 0)).schema <> ALL($5)
) omitted
ORDER BY 1";
