//! A PostgreSQL client the application lends the library
//! ([`crate::Migrator::with_postgres_client`]): sessions run on it one at a
//! time, and each gives it back as it found it.
//!
//! The client's connection task is the application's and keeps running on
//! the application's runtime; a session only polls the client's futures,
//! on its own runtime ([`Driver`](super::driver::Driver)), which is why the
//! two may differ. What a session changes on the server's side of the
//! connection is undone when it ends: an open transaction is rolled back,
//! the run lock (a session advisory lock) released, and `search_path`,
//! `lock_timeout` and the session bounds the tool sets
//! (`idle_in_transaction_session_timeout`, `client_connection_check_interval`)
//! set back to the values read when the session began. The lease of a
//! pooled connection is refused: its renewal needs a connection of its own.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::connect::{self, Target};
use super::{PostgresBackend, new_driver, takes_lease};
use crate::error::{DbError, Error};
use crate::settings::{DatabaseUrl, Kind, RunLock, TableNames};

/// An application's client, shared by a [`crate::Migrator`]'s sessions one
/// at a time.
pub(crate) type ClientSlot = Arc<Mutex<Option<Client>>>;

/// The settings a session may change on its connection, in the order
/// [`SAVE`] reads them.
const SETTINGS: [&str; 4] = [
    "search_path",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "client_connection_check_interval",
];

/// Reads [`SETTINGS`]; the last is NULL before PostgreSQL 14, which lacks it.
const SAVE: &str = "SELECT current_setting('search_path'), current_setting('lock_timeout'), \
                    current_setting('idle_in_transaction_session_timeout'), \
                    current_setting('client_connection_check_interval', true)";

/// The session's client: its own, or one lent to it. `None` only once a
/// lent client went back, as the session ends.
pub(super) struct SessionClient(Option<Client>);

impl SessionClient {
    pub(super) fn new(client: Client) -> SessionClient {
        SessionClient(Some(client))
    }
}

impl Deref for SessionClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        match &self.0 {
            Some(client) => client,
            None => unreachable!("a lent client goes back only as the session is dropped"),
        }
    }
}

/// Where a lent client goes back to, and what to set back on it.
pub(super) struct Lent {
    slot: ClientSlot,
    /// Each of [`SETTINGS`] as the session found it (`None`: unknown to the
    /// server).
    saved: Vec<(&'static str, Option<String>)>,
}

impl PostgresBackend {
    /// A session on the client in `slot`, which it takes until it ends.
    /// `url` names the database in messages and gives the session its
    /// `search_path=` (where the version tables live); nothing connects
    /// to it.
    pub(crate) fn handed(
        slot: &ClientSlot,
        url: &DatabaseUrl,
        tables: &TableNames,
        lock: &RunLock,
    ) -> Result<PostgresBackend, Error> {
        let target = handed_target(url, lock)?;
        let runtime = new_driver()?;
        let in_use = || {
            Error::Usage(
                "the PostgreSQL client is in use by another session of this migrator \
                 (or was taken back): run its commands one at a time"
                    .into(),
            )
        };
        let client = slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(in_use)?;
        let mut backend = PostgresBackend::assemble(runtime, client, None, target, tables);
        // From here on, dropping the backend gives the client back.
        backend.lent = Some(Lent {
            slot: slot.clone(),
            saved: Vec::new(),
        });
        let context = format!("cannot use the application's PostgreSQL client ({url})");
        if backend.client.is_closed() {
            return Err(Error::Database {
                context,
                source: DbError::new(
                    "its connection has ended: connect again and hand over the new client",
                ),
            });
        }
        let saved = backend.save_settings().map_err(|source| Error::Database {
            context: context.clone(),
            source,
        })?;
        if let Some(lent) = &mut backend.lent {
            lent.saved = saved;
        }
        backend
            .settle(tables)
            .map_err(|source| Error::Database { context, source })?;
        Ok(backend)
    }

    fn save_settings(&mut self) -> Result<Vec<(&'static str, Option<String>)>, DbError> {
        let rows = self.query(SAVE, &[])?;
        let row = rows
            .first()
            .ok_or_else(|| DbError::new("the server returned no row for the session settings"))?;
        SETTINGS
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let value = row
                    .try_get::<_, Option<String>>(index)
                    .map_err(super::convert)?;
                Ok((*name, value))
            })
            .collect()
    }

    /// Leaves a lent client's session as it was found: no transaction, no
    /// run lock, its settings back. A failure is a warning: the client goes
    /// back either way, and the application sees a broken connection itself.
    fn leave_as_found(&mut self, saved: &[(&'static str, Option<String>)]) {
        let mut undo = Vec::new();
        if self.in_transaction || !self.pending.is_empty() {
            self.pending.clear();
            self.in_transaction = false;
            undo.push(self.batch("ROLLBACK"));
        }
        if let Some(key) = self.lock_key.take() {
            let unlock = self.query("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)]);
            undo.push(unlock.map(|_| ()));
        }
        let client = &self.client;
        let sets = saved.iter().filter_map(|(name, value)| {
            let value = value.as_ref()?;
            Some(async move {
                let params = [(name as _, Type::TEXT), (value as _, Type::TEXT)];
                client
                    .query_typed("SELECT set_config($1, $2, false)", &params)
                    .await
                    .map(|_| ())
            })
        });
        let set = self.runtime.block_on(futures_util::future::join_all(sets));
        undo.extend(set.into_iter().map(|done| done.map_err(super::convert)));
        for error in undo.into_iter().filter_map(Result::err) {
            log::warn!("the PostgreSQL client may not be left as it was found: {error}");
        }
    }
}

impl Drop for PostgresBackend {
    /// Gives a lent client back, left as it was found.
    fn drop(&mut self) {
        let Some(lent) = self.lent.take() else {
            return;
        };
        self.leave_as_found(&lent.saved);
        if let Some(client) = self.client.0.take() {
            *lent.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(client);
        }
    }
}

/// What a session on a lent client takes from the migrator's URL: its
/// `search_path=`. A lease cannot be taken on it (see the module's header).
fn handed_target(url: &DatabaseUrl, lock: &RunLock) -> Result<Target, Error> {
    if *url.kind() != Kind::Postgres {
        return Err(Error::Usage(format!(
            "a PostgreSQL client was handed over, but the migrator's URL ({url}) is not a \
             PostgreSQL one: build the migrator with the postgres://… URL the client \
             connected with"
        )));
    }
    let target = connect::parse(url.expose()).map_err(Error::Usage)?;
    if takes_lease(lock, &target) {
        return Err(Error::Usage(format!(
            "a handed-over PostgreSQL client takes the run lock as a session advisory lock, \
             but {url} asks for a lease (a pooler such as PgBouncer, or lock_mode=table): \
             hand over a client connected to the server itself, or migrate with the URL \
             (Migrator::open)"
        )));
    }
    Ok(target)
}
