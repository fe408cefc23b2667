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
//!   The one statement that must name the schema, `COMMENT ON SCHEMA`, runs
//!   in a `DO` block that names `current_schema()`. A dump of several
//!   schemas (`--schema A,B`, `--all-schemas`, issue 13) is the opposite:
//!   the queries run with `search_path = pg_catalog`, so that the server
//!   qualifies every name, and bind the prefix `schema.` (`$4`) for the
//!   names they print themselves; each schema gets `CREATE SCHEMA IF NOT
//!   EXISTS`, and the dependency graph spans every dumped schema.
//! - A constant number of set-based queries, one per object kind, whatever
//!   the size of the schema, sent together so that they share one round
//!   trip; never a query per table.
//! - Deterministic text: every query orders by name, and nothing carries an
//!   OID or a time.
//!
//! Order (issue 13): each object goes to its `dump::Section`, and also
//! names, from `pg_depend` (the graph `pg_dump` sorts by), every dumped
//! object it needs; `dump::order` then places an object after what it needs
//! even where the sections would put it first (a domain whose CHECK calls a
//! function, a default calling a `BEGIN ATOMIC` function that reads another
//! table, a column typed as a table sorted later). What `pg_depend` does not
//! record, the names inside a quoted function body (a plpgsql `t%ROWTYPE`,
//! a `LANGUAGE sql` body reading a table), need not exist when the function
//! is created: the dump turns `check_function_bodies` off once, first, as
//! `pg_dump` does. A default or CHECK that calls a function needing its own
//! table is a cycle no order breaks: [`cycles`] takes it out of the table
//! into a later `ALTER TABLE`, as `pg_dump` does.
//!
//! Completeness (issue 13): what the reader cannot dump, and what the
//! schema uses in another schema, comes back as [`Section::Omitted`] items
//! (see [`kinds::OMITTED`]), which `schema.rs` refuses or warns about.
//!
//! Needs PostgreSQL 14 or later (`prosqlbody`, `tgparentid`, multiranges).

mod cycles;
mod kinds;
mod queries;

use std::collections::{BTreeMap, HashMap, HashSet};

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Error, Row, Statement};

use self::kinds::*;
use self::queries::*;
use super::bookkeeping::quote;
use super::convert;
use super::driver::Driver;
use crate::dump::{DumpItem, Scope, Section, in_section};
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every object of the schemas `scope` names (except the version
/// tables, which live in `schema`, the connection's schema) as dump items.
///
/// Runs its queries in a read-only transaction of its own, which it ends:
/// call it outside a transaction. The queries are prepared on the first
/// call and kept in `prepared` for the session's later dumps: planning
/// them is most of a dump's cost on a small schema, and `check` dumps
/// hundreds of times on one session. Without `prepared` (behind a
/// transaction pooler, where a named statement would outlive the
/// transaction on a server connection other clients share) every query is
/// sent unnamed.
pub fn read(
    driver: &Driver,
    client: &Client,
    schema: &str,
    tables: &TableNames,
    scope: &Scope,
    prepared: Option<&mut Vec<Statement>>,
) -> Result<Vec<DumpItem>, DbError> {
    read_with(driver, client, schema, tables, scope, prepared, Gate::Kinds)
}

/// Which catalog queries a dump runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Those that [`queries::KINDS`] says can return a row.
    Kinds,
    /// Every one (the tests compare the two).
    #[cfg_attr(not(test), allow(dead_code))]
    Every,
}

/// [`read`], running the queries `gate` chooses.
fn read_with(
    driver: &Driver,
    client: &Client,
    schema: &str,
    tables: &TableNames,
    scope: &Scope,
    prepared: Option<&mut Vec<Statement>>,
    gate: Gate,
) -> Result<Vec<DumpItem>, DbError> {
    driver.block_on(async {
        client
            .batch_execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
                 SET LOCAL plan_cache_mode = force_generic_plan",
            )
            .await
            .map_err(convert)?;
        let catalogs = read_all(client, schema, tables, scope, prepared, gate).await;
        let end = client
            .batch_execute(if catalogs.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            })
            .await;
        let (catalogs, schemas) = catalogs?;
        end.map_err(convert)?;
        items(&catalogs, &schemas, scope).map_err(convert)
    })
}

/// The schemas to dump and the catalog of each, inside the caller's
/// transaction.
async fn read_all(
    client: &Client,
    schema: &str,
    tables: &TableNames,
    scope: &Scope,
    mut prepared: Option<&mut Vec<Statement>>,
    gate: Gate,
) -> Result<(Vec<Catalog>, Vec<String>), DbError> {
    let schemas = match scope {
        Scope::Default => vec![schema.to_string()],
        Scope::Named(names) => {
            let rows = client
                .query_typed(
                    "SELECT nspname::text FROM pg_namespace WHERE nspname = ANY($1::text[])",
                    &[(names, Type::TEXT_ARRAY)],
                )
                .await
                .map_err(convert)?;
            let found: Vec<String> = rows.iter().filter_map(|row| row.try_get(0).ok()).collect();
            if let Some(missing) = names.iter().find(|name| !found.contains(name)) {
                return Err(DbError::new(format!(
                    "schema {} does not exist: check --schema",
                    quote(missing)
                )));
            }
            let mut names = names.clone();
            names.sort();
            names.dedup();
            names
        }
        Scope::All => {
            let rows = client
                .query_typed(ALL_SCHEMAS, &[])
                .await
                .map_err(convert)?;
            rows.iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(convert)?
        }
    };
    // One schema keeps its names bare (the dump loads into any schema);
    // several name every object with its schema, which the `pg_get_*def`
    // functions then do too, since no dumped schema is on the path.
    let qualified = scope.qualifies(schemas.len());
    let path = match (qualified, schemas.first()) {
        (false, Some(only)) => quote(only),
        _ => "pg_catalog".to_string(),
    };
    client
        .batch_execute(&format!("SET LOCAL search_path = {path}"))
        .await
        .map_err(convert)?;
    // The server's quoting (`app`, `"My App"`), which the queries' keys use;
    // only qualified names need it (two round trips a dump saved for `check`).
    let quoted: Vec<String> = match qualified {
        false => vec![String::new(); schemas.len()],
        true => client
            .query_typed(
                "SELECT quote_ident(s) FROM unnest($1::text[]) WITH ORDINALITY AS u(s, at) ORDER BY at",
                &[(&schemas, Type::TEXT_ARRAY)],
            )
            .await
            .map_err(convert)?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(convert)?,
    };
    let mut catalogs = Vec::with_capacity(schemas.len());
    for (name, quoted) in schemas.iter().zip(&quoted) {
        let prefix = match qualified {
            true => format!("{quoted}."),
            false => String::new(),
        };
        // The version tables are left out of their own schema only: a
        // table of that name elsewhere is the user's.
        let none = TableNames {
            versions: String::new(),
            log: String::new(),
        };
        let tables = if name == schema { tables } else { &none };
        let catalog = fetch(
            client,
            name,
            tables,
            prefix,
            &schemas,
            prepared.as_deref_mut(),
            gate,
        )
        .await
        .map_err(convert)?;
        catalogs.push(catalog);
    }
    Ok((catalogs, schemas))
}

/// Every schema that is neither the system's (`pg_catalog`,
/// `information_schema`, `pg_toast*`, `pg_temp*`) nor an extension's.
const ALL_SCHEMAS: &str = "\
SELECT n.nspname::text FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
  AND NOT EXISTS (SELECT FROM pg_depend x
    WHERE x.classid = 'pg_namespace'::regclass AND x.objid = n.oid AND x.deptype = 'e')
ORDER BY 1";

/// The dump items of every catalog, ordered by the dependencies between
/// them, with a `CREATE SCHEMA` for each schema when names are qualified.
fn items(catalogs: &[Catalog], schemas: &[String], scope: &Scope) -> Result<Vec<DumpItem>, Error> {
    let mut graph = Vec::new();
    for catalog in catalogs {
        for row in &catalog.graph {
            graph.push(Edge::of(row)?);
        }
    }
    let split = cycles::split(&graph);
    let mut items = Items::default();
    let qualified = scope.qualifies(schemas.len());
    for catalog in catalogs {
        let before = items.list.len();
        catalog.push_items(&mut items, &split)?;
        // --all-schemas leaves out the schema that holds nothing but the
        // version tables: it is migrate's, not the user's.
        let only_version_tables = items.list.len() == before;
        if qualified && !(only_version_tables && *scope == Scope::All && catalog.holds_versions) {
            let sql = format!("CREATE SCHEMA IF NOT EXISTS {};", catalog.schema);
            let name = format!("schema {}", catalog.schema);
            items.push(DumpItem::new(Section::Schemas, name, sql));
        }
    }
    items.link(&graph);
    let mut items = items.list;
    if !items.is_empty() {
        // Once, first: function bodies may name what comes later (see
        // the header). `SET`, not `SET LOCAL`, since the dump may run
        // outside a transaction, as `pg_dump`'s does.
        items.push(DumpItem::new(
            Section::Schemas,
            "check_function_bodies",
            "SET check_function_bodies = false;",
        ));
    }
    for catalog in catalogs {
        for row in &catalog.omitted {
            let what: String = row.try_get(0)?;
            items.push(DumpItem::new(Section::Omitted, what, String::new()));
        }
    }
    Ok(items)
}

/// The rows of every catalog query, for one schema.
struct Catalog {
    /// The schema as `pg_get_*def` quotes it.
    schema: String,
    /// What the schema's own names start with: nothing when one schema is
    /// dumped, `schema.` when several are.
    prefix: String,
    /// Whether the version tables live in this schema.
    holds_versions: bool,
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
    aggregates: Vec<Row>,
    policies: Vec<Row>,
    rules: Vec<Row>,
    collations: Vec<Row>,
    dictionaries: Vec<Row>,
    configurations: Vec<Row>,
    schema_comment: Vec<Row>,
    graph: Vec<Row>,
    omitted: Vec<Row>,
}

/// Every query, in the order of [`Catalog`]'s fields.
const QUERIES: [&str; 22] = [
    SCHEMA,
    EXTENSIONS,
    TYPES,
    SEQUENCES,
    TABLES,
    COLUMNS,
    CONSTRAINTS,
    INDEXES,
    STATISTICS,
    VIEWS,
    FUNCTIONS,
    TRIGGERS,
    COMMENTS,
    AGGREGATES,
    POLICIES,
    RULES,
    COLLATIONS,
    TS_DICTIONARIES,
    TS_CONFIGURATIONS,
    SCHEMA_COMMENT,
    GRAPH,
    OMITTED,
];

/// Sends every query at once: tokio-postgres pipelines the requests of
/// futures polled together, so they cost one round trip between them.
async fn fetch(
    client: &Client,
    schema: &str,
    tables: &TableNames,
    prefix: String,
    schemas: &[String],
    prepared: Option<&mut Vec<Statement>>,
    gate: Gate,
) -> Result<Catalog, Error> {
    // Every query binds the same six values (each uses those it needs):
    // $1 the schema, $2 and $3 the version tables to leave out, $4 the
    // prefix of the schema's names, $5 every dumped schema, $6 the lease
    // table of `--lock-mode table` (issue 20), left out too.
    let types = [
        Type::NAME,
        Type::NAME,
        Type::NAME,
        Type::TEXT,
        Type::NAME_ARRAY,
        Type::NAME,
    ];
    let lock_table = match tables.versions.is_empty() {
        true => String::new(),
        false => super::lease::table_name(&tables.versions),
    };
    let bound_prefix = prefix.clone();
    let params: [&(dyn ToSql + Sync); 6] = [
        &schema,
        &tables.versions,
        &tables.log,
        &bound_prefix,
        &schemas,
        &lock_table,
    ];
    let Some(prepared) = prepared else {
        return fetch_unnamed(client, schema, tables, prefix, &types, &params, gate).await;
    };
    // The statements of QUERIES, then KINDS.
    if prepared.len() != QUERIES.len() + 1 {
        *prepared = all(QUERIES
            .iter()
            .chain([&KINDS])
            .map(|sql| client.prepare_typed(sql, &types))
            .collect())
        .await?;
    }
    let (queries, kinds) = prepared.split_at(QUERIES.len());
    // One round trip first, to learn which queries can find anything.
    let runs: Vec<bool> = match kinds.first().filter(|_| gate == Gate::Kinds) {
        Some(kinds) => {
            let row = client.query_one(kinds, &params).await?;
            (0..QUERIES.len())
                .map(|at| row.try_get(at))
                .collect::<Result<_, _>>()?
        }
        None => vec![true; QUERIES.len()],
    };
    let results = all(queries
        .iter()
        .zip(&runs)
        .map(|(statement, runs)| async move {
            match runs {
                true => client.query(statement, &params).await,
                false => Ok(Vec::new()),
            }
        })
        .collect())
    .await?;
    catalog_of(schema, tables, prefix, results)
}

/// [`fetch`] with unnamed statements: the same queries, each parsed anew.
async fn fetch_unnamed(
    client: &Client,
    schema: &str,
    tables: &TableNames,
    prefix: String,
    types: &[Type; 6],
    params: &[&(dyn ToSql + Sync); 6],
    gate: Gate,
) -> Result<Catalog, Error> {
    let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
        .iter()
        .zip(types)
        .map(|(param, kind)| (*param, kind.clone()))
        .collect();
    let typed = &typed;
    let runs: Vec<bool> = match gate {
        Gate::Kinds => {
            let rows = client.query_typed(KINDS, typed).await?;
            match rows.first() {
                Some(row) => (0..QUERIES.len())
                    .map(|at| row.try_get(at))
                    .collect::<Result<_, _>>()?,
                None => vec![true; QUERIES.len()],
            }
        }
        Gate::Every => vec![true; QUERIES.len()],
    };
    let results = all(QUERIES
        .iter()
        .zip(&runs)
        .map(|(sql, runs)| async move {
            match runs {
                true => client.query_typed(sql, typed).await,
                false => Ok(Vec::new()),
            }
        })
        .collect())
    .await?;
    catalog_of(schema, tables, prefix, results)
}

/// The rows of [`QUERIES`], in order, as a [`Catalog`].
fn catalog_of(
    schema: &str,
    tables: &TableNames,
    prefix: String,
    results: Vec<Vec<Row>>,
) -> Result<Catalog, Error> {
    let mut results = results.into_iter();
    let mut next = || results.next().unwrap_or_default();
    let schema_rows = next();
    let quoted = match schema_rows.first() {
        Some(row) => row.try_get(0)?,
        None => quote(schema),
    };
    Ok(Catalog {
        schema: quoted,
        prefix,
        holds_versions: !tables.versions.is_empty(),
        extensions: next(),
        types: next(),
        sequences: next(),
        tables: next(),
        columns: next(),
        constraints: next(),
        indexes: next(),
        statistics: next(),
        views: next(),
        functions: next(),
        triggers: next(),
        comments: next(),
        aggregates: next(),
        policies: next(),
        rules: next(),
        collations: next(),
        dictionaries: next(),
        configurations: next(),
        schema_comment: next(),
        graph: next(),
        omitted: next(),
    })
}

/// Awaits every future, polling them together (so that tokio-postgres sends
/// their queries in one pipeline), and returns their values in order, or
/// the first error. `futures_util`'s `try_join_all` needs its `alloc`
/// feature, which the crate does not enable.
async fn all<T, E, F: Future<Output = Result<T, E>>>(futures: Vec<F>) -> Result<Vec<T>, E> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut values: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut waiting = false;
        for (future, value) in futures.iter_mut().zip(values.iter_mut()) {
            if value.is_some() {
                continue;
            }
            match future.as_mut().poll(context) {
                Poll::Ready(Ok(ready)) => *value = Some(ready),
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => waiting = true,
            }
        }
        match waiting {
            true => Poll::Pending,
            false => Poll::Ready(Ok(())),
        }
    })
    .await?;
    Ok(values.into_iter().flatten().collect())
}

/// One edge of the [`kinds::GRAPH`] query: the object keyed `from` (held
/// by the item keyed `from_owner`) needs the object keyed `to`.
struct Edge {
    from: String,
    to: String,
    from_owner: String,
    to_owner: String,
}

/// The dump items as they are made, each findable by the key the
/// [`kinds::GRAPH`] query gives its object.
#[derive(Default)]
struct Items {
    list: Vec<DumpItem>,
    keys: HashMap<String, usize>,
}

impl Items {
    fn push(&mut self, item: DumpItem) {
        self.list.push(item);
    }

    /// Adds `item`, known to the graph as `key`.
    fn keyed(&mut self, key: String, item: DumpItem) {
        self.keys.insert(key, self.list.len());
        self.list.push(item);
    }

    /// Makes each item depend on the items of the objects its object needs:
    /// a default or CHECK that is not an item of its own is its table's.
    fn link(&mut self, graph: &[Edge]) {
        let find = |key: &str, owner: &str| self.keys.get(key).or_else(|| self.keys.get(owner));
        let mut links = Vec::new();
        for edge in graph {
            let (Some(&from), Some(&to)) = (
                find(&edge.from, &edge.from_owner),
                find(&edge.to, &edge.to_owner),
            ) else {
                continue;
            };
            if from != to {
                links.push((from, to));
            }
        }
        for (from, to) in links {
            let Some(needed) = self.list.get(to) else {
                continue;
            };
            let needed = in_section(needed.section, &needed.name);
            if let Some(item) = self.list.get_mut(from)
                && !item.depends_on.contains(&needed)
            {
                item.depends_on.push(needed);
            }
        }
    }
}

impl Edge {
    fn of(row: &Row) -> Result<Edge, Error> {
        Ok(Edge {
            from: row.try_get(0)?,
            to: row.try_get(1)?,
            from_owner: row.try_get(2)?,
            to_owner: row.try_get(3)?,
        })
    }
}

impl Catalog {
    /// Adds the schema's items; the defaults and checks in `split` become
    /// statements of their own (see [`cycles`]).
    fn push_items(&self, items: &mut Items, split: &HashSet<String>) -> Result<(), Error> {
        for row in &self.extensions {
            let (name, quoted): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let sql = match self.prefix.is_empty() {
                true => format!("CREATE EXTENSION IF NOT EXISTS {quoted};"),
                false => format!(
                    "CREATE EXTENSION IF NOT EXISTS {quoted} WITH SCHEMA {};",
                    self.schema
                ),
            };
            let key = format!("ext:{name}");
            items.keyed(key, DumpItem::new(Section::Extensions, name, sql));
        }
        for row in &self.types {
            let name: String = row.try_get(0)?;
            let item = DumpItem {
                section: Section::Types,
                name: name.clone(),
                sql: row.try_get(1)?,
                depends_on: row.try_get(2)?,
            };
            items.keyed(format!("type:{name}"), item);
        }
        self.push_text_search(items)?;
        for row in &self.sequences {
            let name: String = row.try_get(0)?;
            if let Some(owned_by) = row.try_get::<_, Option<String>>(2)? {
                items.push(DumpItem::new(Section::SequenceOwnership, &name, owned_by));
            }
            let sql: String = row.try_get(1)?;
            let key = format!("rel:{name}");
            items.keyed(key, DumpItem::new(Section::Sequences, name, sql));
        }
        self.push_tables(items, split)?;
        self.push_indexes(items)?;
        self.push_views(items)?;
        self.push_functions(items)?;
        self.push_triggers(items)?;
        self.push_policies_and_rules(items)?;
        for row in &self.schema_comment {
            let sql: String = row.try_get(0)?;
            let name = match self.prefix.is_empty() {
                true => "SCHEMA".to_string(),
                false => format!("SCHEMA {}", self.schema),
            };
            items.push(DumpItem::new(Section::Comments, name, sql));
        }
        for row in &self.comments {
            let (name, sql): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            items.push(DumpItem::new(Section::Comments, name, sql));
        }
        Ok(())
    }

    /// `definition` with the one name a `pg_get_*def` function qualifies
    /// made bare (see [`unqualify`]), in a dump of one schema; as it is in
    /// a dump of several, where every name keeps its schema.
    fn bare(&self, definition: &str, after: &str, qualified: &str, plain: &str) -> String {
        match self.prefix.is_empty() {
            true => unqualify(definition, after, qualified, plain),
            false => definition.to_string(),
        }
    }

    /// Collations and text-search dictionaries and configurations, with the
    /// types: columns, indexes and functions use them.
    fn push_text_search(&self, items: &mut Items) -> Result<(), Error> {
        let kinds = [
            (&self.collations, "collation"),
            (&self.dictionaries, "tsdict"),
            (&self.configurations, "tsconfig"),
        ];
        for (rows, kind) in kinds {
            for row in rows {
                let (name, sql): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                let item = DumpItem::new(Section::Types, format!("{name} ({kind})"), sql);
                items.keyed(format!("{kind}:{name}"), item);
            }
        }
        Ok(())
    }

    /// Row-level security policies and rules, after the tables, views and
    /// functions their expressions use.
    fn push_policies_and_rules(&self, items: &mut Items) -> Result<(), Error> {
        for row in &self.policies {
            let (table, name, sql): (String, String, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let key = format!("policy:{table}.{name}");
            let item = DumpItem::new(Section::Triggers, format!("{table}.{name} (policy)"), sql);
            items.keyed(key, item);
        }
        for row in &self.rules {
            let table: String = row.try_get(0)?;
            let name: String = row.try_get(1)?;
            let definition: String = row.try_get(2)?;
            let enabled: String = row.try_get(3)?;
            let quoted_table: String = row.try_get(4)?;
            let quoted: String = row.try_get(5)?;
            // pg_get_ruledef qualifies the table whatever the search_path.
            let definition = self.bare(
                &definition,
                " AS\n",
                &format!(" TO {}.{quoted_table}", self.schema),
                &format!(" TO {quoted_table}"),
            );
            let mut sql = definition.trim_end().trim_end_matches(';').to_string();
            sql.push(';');
            let state = match enabled.as_str() {
                "D" => Some("DISABLE"),
                "R" => Some("ENABLE REPLICA"),
                "A" => Some("ENABLE ALWAYS"),
                _ => None,
            };
            if let Some(state) = state {
                sql.push_str(&format!(
                    "\nALTER TABLE {quoted_table} {state} RULE {quoted};"
                ));
            }
            let key = format!("rule:{table}.{name}");
            let item = DumpItem::new(Section::Triggers, format!("{table}.{name} (rule)"), sql);
            items.keyed(key, item);
        }
        Ok(())
    }

    /// Tables with their columns and constraints, and, as items of their
    /// own after the function that closes the cycle, the defaults and
    /// checks in `split`.
    fn push_tables(&self, items: &mut Items, split: &HashSet<String>) -> Result<(), Error> {
        let mut columns: BTreeMap<String, Vec<Column>> = BTreeMap::new();
        let mut defaults = Vec::new();
        for row in &self.columns {
            let table: String = row.try_get(0)?;
            let quoted_table: String = row.try_get(23)?;
            let mut column = Column::of(row)?;
            let key = format!("default:{table}.{}", column.name);
            if split.contains(&key) && column.identity.is_empty() && column.generated.is_empty() {
                // Taken out before any table is made, so that a child
                // inheriting the column says its default itself.
                if let Some(default) = column.default.take() {
                    let sql = format!(
                        "ALTER TABLE ONLY {quoted_table} ALTER COLUMN {} SET DEFAULT {default};",
                        column.quoted
                    );
                    defaults.push((
                        key,
                        table.clone(),
                        format!("{table}.{} (default)", column.name),
                        sql,
                    ));
                }
            }
            columns.entry(table).or_default().push(column);
        }
        let mut constraints: BTreeMap<String, Vec<Constraint>> = BTreeMap::new();
        for row in &self.constraints {
            let constraint = Constraint::of(row)?;
            let key = format!("check:{}.{}", constraint.table, constraint.name);
            if constraint.kind == "c" && split.contains(&key) {
                // Without ONLY: children made before it inherit it, as they
                // would have from the CREATE TABLE.
                let name = format!("{}.{} (check)", constraint.table, constraint.name);
                defaults.push((key, constraint.table.clone(), name, constraint.alter()));
            } else if constraint.kind == "f" {
                let sql = format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {};",
                    constraint.quoted_table, constraint.quoted, constraint.definition
                );
                let name = format!("{}.{}", constraint.table, constraint.name);
                let key = format!("fk:{name}");
                items.keyed(key, DumpItem::new(Section::ForeignKeys, name, sql));
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
            let replica_index = table.replica_index.clone();
            let quoted = table.quoted.clone();
            let item = table.item(own, parent, checks);
            if let Some(index) = replica_index {
                // After the index, which may be one of the Indexes section.
                let sql = format!(
                    "ALTER TABLE ONLY {quoted} REPLICA IDENTITY USING INDEX {};",
                    quote(&index)
                );
                items.push(DumpItem {
                    section: Section::Indexes,
                    name: format!("{} (replica identity)", item.name),
                    depends_on: vec![format!("{}{index}", self.prefix)],
                    sql,
                });
            }
            items.keyed(format!("rel:{}", item.name), item);
        }
        for (key, table, name, sql) in defaults {
            let section = match items.keys.get(&format!("rel:{table}")) {
                Some(&at) => items
                    .list
                    .get(at)
                    .map_or(Section::Tables, |item| item.section),
                None => Section::Tables,
            };
            let item = DumpItem {
                section,
                name,
                depends_on: vec![in_section(section, &table)],
                sql,
            };
            items.keyed(key, item);
        }
        Ok(())
    }

    fn push_indexes(&self, items: &mut Items) -> Result<(), Error> {
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
            let mut sql = self.bare(
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
                    "\nALTER INDEX {quoted_parent} ATTACH PARTITION {}{quoted};",
                    self.prefix
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
            let key = format!("index:{name}");
            let item = DumpItem {
                section,
                name,
                depends_on,
                sql,
            };
            items.keyed(key, item);
        }
        for row in &self.statistics {
            let name: String = row.try_get(0)?;
            let definition: String = row.try_get(1)?;
            let mut sql = self.bare(
                &definition,
                "CREATE STATISTICS ",
                &format!("{}.", self.schema),
                "",
            );
            sql.push(';');
            let key = format!("stat:{name}");
            let name = format!("{name} (statistics)");
            items.keyed(key, DumpItem::new(Section::Indexes, name, sql));
        }
        Ok(())
    }

    fn push_views(&self, items: &mut Items) -> Result<(), Error> {
        for row in &self.views {
            let name: String = row.try_get(0)?;
            let quoted: String = row.try_get(1)?;
            let kind: String = row.try_get(2)?;
            let definition: String = row.try_get(3)?;
            let options: Option<String> = row.try_get(4)?;
            let check: Option<String> = row.try_get(5)?;
            let defaults: Option<String> = row.try_get(6)?;
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
            let sql = sql + defaults.as_deref().unwrap_or_default();
            let key = format!("rel:{name}");
            items.keyed(key, DumpItem::new(Section::Views, name, sql));
        }
        Ok(())
    }

    fn push_functions(&self, items: &mut Items) -> Result<(), Error> {
        for row in &self.functions {
            let signature: String = row.try_get(0)?;
            let kind: String = row.try_get(1)?;
            let definition: String = row.try_get(2)?;
            let mut sql = String::new();
            let keyword = match kind.as_str() {
                "p" => "PROCEDURE",
                _ => "FUNCTION",
            };
            let definition = self.bare(
                &definition,
                &format!("CREATE OR REPLACE {keyword} "),
                &format!("{}.", self.schema),
                "",
            );
            sql.push_str(definition.trim_end());
            sql.push(';');
            // What it uses (a table's row type, a table its BEGIN ATOMIC
            // body reads) comes from the graph.
            let key = format!("func:{signature}");
            items.keyed(key, DumpItem::new(Section::Functions, signature, sql));
        }
        for row in &self.aggregates {
            let (signature, sql): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let key = format!("func:{signature}");
            items.keyed(key, DumpItem::new(Section::Functions, signature, sql));
        }
        Ok(())
    }

    fn push_triggers(&self, items: &mut Items) -> Result<(), Error> {
        for row in &self.triggers {
            let table: String = row.try_get(0)?;
            let quoted_table: String = row.try_get(1)?;
            let table_kind: String = row.try_get(2)?;
            let name: String = row.try_get(3)?;
            let quoted: String = row.try_get(4)?;
            let definition: String = row.try_get(5)?;
            let enabled: String = row.try_get(6)?;
            let mut sql = self.bare(
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
            let key = format!("trigger:{table}.{name}");
            let item = DumpItem::new(Section::Triggers, format!("{table}.{name}"), sql);
            items.keyed(key, item);
        }
        Ok(())
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
    /// `SET STORAGE`, when not the type's.
    storage: Option<String>,
    /// `SET COMPRESSION`, when set.
    compression: Option<String>,
    /// `SET STATISTICS`, when set.
    statistics: Option<i32>,
    /// `SET (...)`: `n_distinct` and `n_distinct_inherited`.
    options: Option<String>,
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
            storage: row.try_get(19)?,
            compression: row.try_get(20)?,
            statistics: row.try_get(21)?,
            options: row.try_get(22)?,
        })
    }

    /// What `CREATE TABLE` cannot say about the column: its storage,
    /// compression, statistics target and options, for this table only
    /// (`ONLY`: each partition and child says its own).
    fn settings(&self, table: &str) -> Vec<String> {
        let alter = format!("ALTER TABLE ONLY {table} ALTER COLUMN {}", self.quoted);
        let mut statements = Vec::new();
        if let Some(storage) = &self.storage {
            statements.push(format!("{alter} SET STORAGE {storage};"));
        }
        if let Some(compression) = &self.compression {
            statements.push(format!("{alter} SET COMPRESSION {compression};"));
        }
        if let Some(statistics) = self.statistics {
            statements.push(format!("{alter} SET STATISTICS {statistics};"));
        }
        if let Some(options) = &self.options {
            statements.push(format!("{alter} SET ({options});"));
        }
        statements
    }

    /// The column's options in `CREATE TABLE ... OF type`: only what the
    /// type does not say, or nothing.
    fn typed_definition(&self) -> Option<String> {
        let mut sql = format!("{} WITH OPTIONS", self.quoted);
        if let Some(default) = &self.default {
            sql.push_str(&format!(" DEFAULT {default}"));
        }
        if self.not_null {
            sql.push_str(" NOT NULL");
        }
        (self.default.is_some() || self.not_null).then_some(sql)
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
    row_security: bool,
    force_row_security: bool,
    /// The type of a typed table (`CREATE TABLE t OF type`).
    of_type: Option<String>,
    /// `d` default, `n` nothing, `f` full, `i` an index.
    replica_identity: String,
    /// The index of `REPLICA IDENTITY USING INDEX`.
    replica_index: Option<String>,
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
            row_security: row.try_get(10)?,
            force_row_security: row.try_get(11)?,
            of_type: row.try_get(12)?,
            replica_identity: row.try_get(13)?,
            replica_index: row.try_get(14)?,
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
            _ if self.of_type.is_some() => {
                // A typed table: the type gives the columns.
                let of_type = self.of_type.as_deref().unwrap_or_default();
                let mut lines: Vec<String> = columns
                    .iter()
                    .filter_map(Column::typed_definition)
                    .map(|line| format!("    {line}"))
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
                let mut sql = format!("CREATE {unlogged}TABLE {} OF {of_type}", self.quoted);
                if !lines.is_empty() {
                    sql.push_str(&format!(" (\n{}\n)", lines.join(",\n")));
                }
                sql
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
        for column in columns {
            after.extend(column.settings(&self.quoted));
        }
        if self.row_security {
            after.push(format!(
                "ALTER TABLE {} ENABLE ROW LEVEL SECURITY;",
                self.quoted
            ));
        }
        if self.force_row_security {
            after.push(format!(
                "ALTER TABLE {} FORCE ROW LEVEL SECURITY;",
                self.quoted
            ));
        }
        match self.replica_identity.as_str() {
            "n" => after.push(format!(
                "ALTER TABLE ONLY {} REPLICA IDENTITY NOTHING;",
                self.quoted
            )),
            "f" => after.push(format!(
                "ALTER TABLE ONLY {} REPLICA IDENTITY FULL;",
                self.quoted
            )),
            // `i` waits for its index: an item of its own (see push_tables).
            _ => {}
        }
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
    use crate::backend::postgres::PostgresBackend;
    use crate::settings::DatabaseUrl;

    /// One schema per kind that [`queries::KINDS`] gates, each holding that
    /// kind alone (or with the one table it needs), and one with them all.
    const SCHEMAS: [&str; 13] = [
        "",
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "CREATE TYPE pair AS (a int, b text)",
        "CREATE SEQUENCE s",
        "CREATE TABLE t (id int PRIMARY KEY, v int); CREATE STATISTICS st (dependencies) ON id, v FROM t",
        "CREATE VIEW v AS SELECT 1 AS one",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int)",
        "CREATE TABLE t (id int); COMMENT ON COLUMN t.id IS 'the id'; \
         CREATE POLICY p ON t USING (id > 0); CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING",
        "CREATE TABLE t (id int); CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql \
         AS 'BEGIN RETURN NEW; END'; CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g()",
        "CREATE COLLATION c (provider = libc, locale = 'C')",
        "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple); \
         CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = default)",
        "CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 'numbers'; CREATE MATERIALIZED VIEW m AS SELECT 1 AS one",
    ];

    /// The dumps of a schema with the queries [`queries::KINDS`] chooses and
    /// with every query are the same, whichever kinds the schema holds:
    /// the gate only ever leaves out a query that finds nothing.
    #[test]
    fn the_gated_dump_equals_the_dump_of_every_query() {
        let Ok(server) = std::env::var("MIGRATE_TEST_POSTGRES_URL") else {
            return;
        };
        let tables = TableNames::new("db_version").expect("valid table names");
        for (at, sql) in SCHEMAS.iter().enumerate() {
            let schema = format!("migrate_kinds_{}_{at}", std::process::id());
            let separator = if server.contains('?') { '&' } else { '?' };
            let url = format!("{server}{separator}search_path={schema}");
            let url = DatabaseUrl::parse(&url).expect("a valid URL");
            let mut backend =
                PostgresBackend::connect(&url, &tables, &crate::settings::RunLock::default())
                    .expect("a connection");
            let setup = format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema}; {sql}"
            );
            backend
                .runtime
                .block_on(backend.client.batch_execute(&setup))
                .expect("the schema is made");
            let mut dump = |gate| {
                read_with(
                    &backend.runtime,
                    &backend.client,
                    &schema,
                    &tables,
                    &Scope::Default,
                    Some(&mut backend.catalog_statements),
                    gate,
                )
                .expect("a dump")
            };
            let (gated, every) = (dump(Gate::Kinds), dump(Gate::Every));
            let cleanup = format!("DROP SCHEMA {schema} CASCADE");
            let _ = backend
                .runtime
                .block_on(backend.client.batch_execute(&cleanup));
            assert_eq!(gated, every, "schema {at}: {sql}");
            assert_eq!(gated.is_empty(), sql.is_empty(), "schema {at}: {sql}");
        }
    }

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
