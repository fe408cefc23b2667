//! How PostgreSQL's bookkeeping values bind and read back: a table module's
//! values as tokio-postgres parameters, and a result row as a [`Row`] of the
//! columns it selected, each read by its [`Kind`].

use tokio_postgres::types::{ToSql, Type};

use crate::table::{Column, Kind, Row, Value};

/// A parameter with its type, as `query_typed` binds it.
pub(super) type Typed<'v> = (&'v (dyn ToSql + Sync), Type);

/// Values to bind, each with its type: text (versions and times are cast
/// from text in the statement) or `BIGINT`. Typed, they are sent with the
/// statement in one round trip, with no prepared statement to name.
pub(super) fn params(values: &[Value]) -> Vec<Typed<'_>> {
    values
        .iter()
        .map(|value| match value {
            Value::Text(text) => (text as &(dyn ToSql + Sync), Type::TEXT),
            Value::Integer(number) => (number as &(dyn ToSql + Sync), Type::INT8),
        })
        .collect()
}

/// A result row whose columns were selected in `columns` order.
pub(super) fn read_row(
    row: &tokio_postgres::Row,
    columns: &[Column],
) -> Result<Row, tokio_postgres::Error> {
    Row::read(columns, |index, column| match column.kind {
        Kind::Integer => row.try_get(index).map(Value::Integer),
        Kind::Version | Kind::Text | Kind::Time => row.try_get(index).map(Value::Text),
    })
}
