//! The rows of every table for a checkpoint's data part (`squash`, SPEC
//! section 10). Each value is written by the server itself: its type's own
//! text form (the form `COPY` and `pg_dump` use, exact for every type:
//! `bytea` in hex, arrays, JSON, `timestamptz` with its offset, floats
//! with the shortest digits that read back the same) quoted as a literal
//! by `quote_nullable`, which an `INSERT` casts back to the column's type.
//! Rows are ordered by that text in the `C` collation, tables by name.
//!
//! Left out: generated columns (the server computes them), partitions (a
//! partitioned table's rows are read from the parent, and inserted there
//! they go back to their partitions), an inheritance parent's children's
//! rows (`ONLY`), and tables an extension owns. Sequences are data too: a
//! `setval` per sequence that was used keeps later inserts from reusing
//! keys.

use tokio_postgres::types::{ToSql, Type};

use super::PostgresBackend;
use crate::error::DbError;
use crate::squash::data::{DataDump, TableRows, double_quoted};

/// The base and partitioned tables of the schema, by name, with their oid.
const TABLES: &str = "SELECT c.oid::int8, c.relname::text FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
     AND c.relname NOT IN ($2, $3, $4) \
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass \
         AND d.objid = c.oid AND d.deptype = 'e') \
     ORDER BY c.relname COLLATE \"C\"";

/// A table's columns that take values, and whether one is `GENERATED ALWAYS AS IDENTITY`.
const COLUMNS: &str = "SELECT a.attname::text, a.attidentity = 'a' FROM pg_catalog.pg_attribute a \
     WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped \
     AND a.attgenerated = '' ORDER BY a.attnum";

/// `setval` for each sequence of the schema that was used, but those of the
/// version tables.
const SEQUENCES: &str = "SELECT format('SELECT pg_catalog.setval(%L, %s, true);', \
         quote_ident(s.sequencename), s.last_value) \
     FROM pg_catalog.pg_sequences s WHERE s.schemaname = $1 AND s.last_value IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_class t ON t.oid = d.refobjid \
         WHERE d.classid = 'pg_class'::regclass \
         AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass \
         AND d.deptype IN ('a', 'i', 'e') AND t.relname IN ($2, $3, $4)) \
     ORDER BY s.sequencename COLLATE \"C\"";

/// Reads the data part from `backend`'s schema.
pub(super) fn read(backend: &mut PostgresBackend) -> Result<DataDump, DbError> {
    let schema = backend.schema.clone();
    let versions = backend.tables.versions.clone();
    let log = backend.tables.log.clone();
    // The run lock's lease row (behind a pooler) is no data of the schema.
    let lock = super::lease::table_name(&versions);
    let params: [(&(dyn ToSql + Sync), Type); 4] = [
        (&schema, Type::TEXT),
        (&versions, Type::TEXT),
        (&log, Type::TEXT),
        (&lock, Type::TEXT),
    ];
    let tables: Vec<(i64, String)> = backend
        .query(TABLES, &params)?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(super::convert)?;
    let mut data = DataDump::default();
    for (oid, name) in tables {
        let table = read_table(backend, &schema, oid, &name)?;
        if !table.rows.is_empty() {
            data.tables.push(table);
        }
    }
    data.after = backend
        .query(SEQUENCES, &params)?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(super::convert)?;
    Ok(data)
}

fn read_table(
    backend: &mut PostgresBackend,
    schema: &str,
    oid: i64,
    name: &str,
) -> Result<TableRows, DbError> {
    let params: [(&(dyn ToSql + Sync), Type); 1] = [(&oid, Type::INT8)];
    let columns: Vec<(String, bool)> = backend
        .query(COLUMNS, &params)?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(super::convert)?;
    let always = columns.iter().any(|(_, always)| *always);
    let quoted: Vec<String> = columns
        .iter()
        .map(|(column, _)| double_quoted(column))
        .collect();
    let mut table = TableRows {
        table: double_quoted(name),
        columns: quoted,
        values: if always {
            "OVERRIDING SYSTEM VALUE VALUES"
        } else {
            "VALUES"
        },
        rows: Vec::new(),
    };
    if table.columns.is_empty() {
        return Ok(table);
    }
    let values: Vec<String> = table
        .columns
        .iter()
        .map(|column| format!("pg_catalog.quote_nullable(t.{column})"))
        .collect();
    // Identifiers, quoted: the statement is built from names, never values.
    let sql = format!(
        "SELECT r FROM (SELECT '(' || concat_ws(', ', {}) || ')' AS r FROM ONLY {}.{} t) s \
         ORDER BY r COLLATE \"C\"",
        values.join(", "),
        double_quoted(schema),
        table.table
    );
    table.rows = backend
        .query(&sql, &[])?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(super::convert)?;
    Ok(table)
}
