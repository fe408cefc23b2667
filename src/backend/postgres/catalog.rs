//! PostgreSQL's catalog reader for `schema_dump` (being written).

use tokio::runtime::Runtime;
use tokio_postgres::Client;

use crate::dump::DumpItem;
use crate::error::DbError;
use crate::settings::TableNames;

/// Reads every object of `schema` (except the version tables) as dump items.
pub fn read(
    _runtime: &Runtime,
    _client: &Client,
    _schema: &str,
    _tables: &TableNames,
) -> Result<Vec<DumpItem>, DbError> {
    Err(DbError::new(
        "schema_dump is not available on PostgreSQL yet",
    ))
}
