//! The run lock as a lease row (`--lock-mode table`, issue 20).
//!
//! Behind a transaction pooler (PgBouncer with `pool_mode = transaction`)
//! a session-level advisory lock is wrong: `pg_try_advisory_lock` runs on
//! whichever server connection the pooler lends for that one statement,
//! stays with that server connection (and so with some other client) when
//! the statement ends, and `pg_advisory_unlock` later runs on another one.
//! A lease lives in a table instead, which every server connection sees:
//! one row in `TABLE_lock` beside the version table naming its holder,
//! with an expiry on the server's clock. A run takes it when there is no
//! row or the row has expired (one `INSERT … ON CONFLICT DO UPDATE …
//! WHERE expires_at < clock_timestamp()`, which the row lock makes atomic),
//! renews it from a thread of its own on a connection of its own every
//! third of the lease while it runs (so a statement running for an hour
//! keeps it), and deletes it when it ends. A run that was killed leaves
//! its row, which the next run takes over once it expired. A holder whose
//! renewal finds its row taken over (it could not renew for a whole
//! lease) starts no further file. A lease and the advisory lock of a direct
//! run exclude each other too: each mode, once it holds its own, checks
//! for the other and gives its own back while the other is held.
//!
//! Every statement is one autocommit statement or one transaction, with
//! unnamed statements, so any pooler passes it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_postgres::types::Type;

use super::bookkeeping::quote;
use super::connect::Target;
use super::driver::Driver;
use super::{LOCK_POLL, PostgresBackend, convert, literal, open};
use crate::backend::LockOutcome;
use crate::error::DbError;

/// The lock table of the version table `versions`: `versions_lock`.
pub(super) fn table_name(versions: &str) -> String {
    format!("{versions}_lock")
}

/// The lease's statements for one lock table.
#[derive(Debug, Clone)]
pub(super) struct LeaseSql {
    /// The quoted, schema-qualified lock table.
    pub table: String,
    /// `$1` holder, `$2` token, `$3` lease as interval text: a row when taken.
    pub acquire: String,
    /// The row: holder, expiry (RFC 3339 UTC), whether it has expired.
    pub holder: String,
    /// `$1` token, `$2` lease: a row when still ours.
    pub renew: String,
    /// `$1` token.
    pub release: String,
}

impl LeaseSql {
    /// The statements for the lock table of `versions` in `schema`.
    pub(super) fn new(schema: &str, versions: &str) -> LeaseSql {
        let table = format!("{}.{}", quote(schema), quote(&table_name(versions)));
        LeaseSql {
            acquire: format!(
                "INSERT INTO {table} AS l (id, holder, token, acquired_at, expires_at) \
                 VALUES (1, $1, $2, clock_timestamp(), clock_timestamp() + $3::text::interval) \
                 ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, token = excluded.token, \
                 acquired_at = excluded.acquired_at, expires_at = excluded.expires_at \
                 WHERE l.expires_at < clock_timestamp() RETURNING 1"
            ),
            holder: format!(
                "SELECT holder, to_char(expires_at AT TIME ZONE 'UTC', \
                 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), expires_at < clock_timestamp() \
                 FROM {table} WHERE id = 1"
            ),
            renew: format!(
                "UPDATE {table} SET expires_at = clock_timestamp() + $2::text::interval \
                 WHERE id = 1 AND token = $1 RETURNING 1"
            ),
            release: format!("DELETE FROM {table} WHERE id = 1 AND token = $1"),
            table,
        }
    }

    /// Creates the lock table when it does not exist. Sent as one
    /// transaction that first takes the transaction-level advisory lock
    /// `key` (which a pooler keeps on one server connection for the
    /// transaction), so that runs creating it at once do not collide in
    /// the catalog, nor with a holder removing it.
    pub(super) fn create(&self, key: i64, schema: Option<&str>) -> String {
        let schema = schema
            .map(|schema| format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote(schema)))
            .unwrap_or_default();
        format!(
            "BEGIN;\nSELECT pg_advisory_xact_lock({key});\n{schema}\
             CREATE TABLE IF NOT EXISTS {} (\n\
             \x20 id integer PRIMARY KEY CHECK (id = 1),\n\
             \x20 holder text NOT NULL,\n\
             \x20 token text NOT NULL,\n\
             \x20 acquired_at timestamptz NOT NULL,\n\
             \x20 expires_at timestamptz NOT NULL\n);\nCOMMIT",
            self.table
        )
    }
}

/// A lease length as PostgreSQL interval text.
pub(super) fn interval(lease: Duration) -> String {
    format!("{} milliseconds", lease.as_millis())
}

/// Who this run is, for the waiter's message: process and host.
pub(super) fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|host| host.trim().to_string())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "an unknown host".to_string());
    format!("migrate pid {} on {host}", std::process::id())
}

/// A token no other run holds: it tells this run's row from a later
/// holder's when renewing and releasing.
pub(super) fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let seed = format!("{}:{}:{nanos}", holder_name(), std::process::id());
    let digest = Sha256::digest(seed.as_bytes());
    digest[..12]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A held lease: its token, and the thread renewing it.
pub(super) struct Lease {
    /// The holder's token, bound by the release.
    pub token: String,
    stop: Option<Sender<()>>,
    renewer: Option<JoinHandle<()>>,
    lost: Arc<AtomicBool>,
}

impl Lease {
    /// Starts renewing the lease `token` every third of `lease`, on a
    /// connection of its own to `target`.
    pub(super) fn hold(target: Target, sql: LeaseSql, token: String, lease: Duration) -> Lease {
        let lost = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = mpsc::channel::<()>();
        let renewal = Renewal {
            target,
            sql,
            token: token.clone(),
            lease,
            lost: lost.clone(),
        };
        let renewer = std::thread::Builder::new()
            .name("migrate-lease".into())
            .spawn(move || renewal.run(stopped));
        let renewer = match renewer {
            Ok(renewer) => Some(renewer),
            Err(error) => {
                // Without renewal the lease ends after one lease: say so
                // before a file starts, rather than run unprotected.
                log::warn!("cannot start renewing the run lock's lease: {error}");
                lost.store(true, Ordering::SeqCst);
                None
            }
        };
        Lease {
            token,
            stop: Some(stop),
            renewer,
            lost,
        }
    }

    /// Whether the lease was taken over: this run could not renew it for a
    /// whole lease, and another run took it.
    pub(super) fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Stops the renewal and waits for it.
    pub(super) fn stop(&mut self) {
        self.stop.take();
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The renewing thread's state.
struct Renewal {
    target: Target,
    sql: LeaseSql,
    token: String,
    lease: Duration,
    lost: Arc<AtomicBool>,
}

impl Renewal {
    fn run(self, stopped: mpsc::Receiver<()>) {
        let Ok(driver) = Driver::new() else {
            self.lost.store(true, Ordering::SeqCst);
            return;
        };
        let every = self.lease / 3;
        let mut client = None;
        let mut renewed = Instant::now();
        let lease = interval(self.lease);
        loop {
            match stopped.recv_timeout(every) {
                Err(RecvTimeoutError::Timeout) => {}
                // Stopped (the sender is dropped): the holder releases.
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            if client.is_none() {
                client = match open(&driver, &self.target) {
                    Ok((client, _)) => Some(client),
                    Err(error) => {
                        log::debug!("cannot connect to renew the run lock's lease: {error}");
                        None
                    }
                };
            }
            if let Some(session) = &client {
                let params = [(&self.token as _, Type::TEXT), (&lease as _, Type::TEXT)];
                match driver.block_on(session.query_typed(&self.sql.renew, &params)) {
                    Ok(rows) if rows.is_empty() => {
                        log::warn!(
                            "the run lock's lease in {} was taken over by another run",
                            self.sql.table
                        );
                        self.lost.store(true, Ordering::SeqCst);
                        return;
                    }
                    Ok(_) => renewed = Instant::now(),
                    Err(error) => {
                        log::debug!("cannot renew the run lock's lease: {}", convert(error));
                        client = None;
                    }
                }
            }
            if renewed.elapsed() >= self.lease {
                // Not renewed for a whole lease: another run may hold it now.
                self.lost.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Whether `error` says that the lock table went away under the statement:
/// it does not exist (`42P01`), or was dropped while the statement waited
/// for it ("could not open relation with OID", `XX000`).
pub(super) fn table_vanished(error: &DbError) -> bool {
    match error.code.as_deref() {
        Some("SQLSTATE 42P01") => true,
        Some("SQLSTATE XX000") => error.message.contains("could not open relation"),
        _ => false,
    }
}

/// The lost-lease error, for the holder's next file.
pub(super) fn lost_error(table: &str) -> DbError {
    DbError::new(format!(
        "the run lock's lease in {table} expired and was taken over by another run while \
         this one could not renew it; stopping before the next file (raise --lock-lease)"
    ))
}

/// The run lock of `--lock-mode table` on the session.
impl PostgresBackend {
    /// Takes the lease row of `--lock-mode table` (see the module's header), waiting
    /// up to `wait`; a lease lasts `length` unrenewed.
    pub(super) fn take_lease(
        &mut self,
        wait: Duration,
        length: Duration,
    ) -> Result<LockOutcome, DbError> {
        let sql = self.lease_sql.clone();
        self.create_lease_table()?;
        let holder = holder_name();
        let token = token();
        let interval = interval(length);
        let deadline = Instant::now().checked_add(wait);
        let mut remade = 0;
        loop {
            let params = [
                (&holder as _, Type::TEXT),
                (&token as _, Type::TEXT),
                (&interval as _, Type::TEXT),
            ];
            let taken = match self.query(&sql.acquire, &params) {
                Ok(taken) => taken,
                // The holder dropped the table as it left (see
                // `release_lease`), maybe while this statement waited for
                // it: make it again (unless another waiter did) and retry.
                Err(error) if remade < 100 && table_vanished(&error) => {
                    remade += 1;
                    self.create_lease_table()?;
                    continue;
                }
                Err(error) => return Err(error),
            };
            if !taken.is_empty() {
                // A run on a direct connection may hold the advisory lock
                // instead (`--lock-mode advisory`): then give the lease
                // back and wait for that run too, so that mixing the modes
                // on one database still runs one at a time.
                if self.lock_holder(self.lock_key()).is_none() {
                    self.lease = Some(Lease::hold(self.target.clone(), sql.clone(), token, length));
                    return Ok(LockOutcome::Acquired);
                }
                self.query(&sql.release, &[(&token, Type::TEXT)])?;
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline)
                || crate::interrupt::requested().is_some()
            {
                let holder = self
                    .lease_holder()
                    .or_else(|| self.lock_holder(self.lock_key()));
                return Ok(LockOutcome::TimedOut(holder));
            }
            std::thread::sleep(LOCK_POLL);
        }
    }

    fn lease_table_exists(&mut self) -> Result<bool, DbError> {
        let table = self.lease_sql.table.clone();
        let exists = self.query(
            "SELECT to_regclass($1) IS NOT NULL",
            &[(&table, Type::TEXT)],
        )?;
        Ok(exists.first().is_some_and(|row| row.get::<_, bool>(0)))
    }

    /// The key of the transaction-level advisory lock that orders the
    /// lock table's creation and removal. Not the run lock's own key: a
    /// run holding that one (`--lock-mode advisory`) must not stall them.
    fn lease_table_key(&self) -> i64 {
        self.lock_key() ^ 1
    }

    /// Creates the lock table (and the schema) when it does not exist.
    fn create_lease_table(&mut self) -> Result<(), DbError> {
        if self.lease_table_exists()? {
            return Ok(());
        }
        let schema = self.schema.clone();
        let found = self.query(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1",
            &[(&schema, Type::TEXT)],
        )?;
        let create = self.lease_sql.create(
            self.lease_table_key(),
            found.is_empty().then_some(schema.as_str()),
        );
        self.batch(&create).inspect_err(|_| {
            let _ = self.batch("ROLLBACK");
        })
    }

    /// Deletes this run's lease row, and the lock table with it when no
    /// other row is left: the table exists only while a run holds a lease
    /// (or a killed run left one), so that the schema of an idle database
    /// holds nothing but the version tables, and a run that changed
    /// nothing (refused, or a dry run) leaves nothing behind. A waiting run
    /// makes it again (see `take_lease`). The table lock comes first, before
    /// any row lock: a waiter's upsert locks the row in a transaction that
    /// holds the table, so deleting first and dropping second deadlocks.
    pub(super) fn release_lease(&mut self, token: &str) -> Result<(), DbError> {
        let release = self.lease_sql.release.clone();
        let table = self.lease_sql.table.clone();
        if table.contains("$migrate$") {
            return self.query(&release, &[(&token, Type::TEXT)]).map(|_| ());
        }
        let script = format!(
            "BEGIN;\nSELECT pg_advisory_xact_lock({key});\n\
             LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;\n\
             DELETE FROM {table} WHERE id = 1 AND token = {token};\n\
             DO $migrate$ BEGIN\n\
             \x20 IF NOT EXISTS (SELECT FROM {table}) THEN DROP TABLE {table}; END IF;\n\
             END $migrate$;\nCOMMIT",
            key = self.lease_table_key(),
            token = literal(token),
        );
        self.batch(&script).inspect_err(|_| {
            let _ = self.batch("ROLLBACK");
        })
    }

    /// Whether another run holds an unexpired lease (a run through a
    /// pooler), for a run taking the advisory lock.
    pub(super) fn live_lease(&mut self) -> Result<bool, DbError> {
        if !self.lease_table_exists()? {
            return Ok(false);
        }
        let sql = format!(
            "SELECT 1 FROM {} WHERE id = 1 AND expires_at > clock_timestamp()",
            self.lease_sql.table
        );
        match self.query(&sql, &[]) {
            Ok(rows) => Ok(!rows.is_empty()),
            // Dropped by its last holder in between: no lease.
            Err(error) if table_vanished(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Who holds the lease, for the waiter's message.
    pub(super) fn lease_holder(&mut self) -> Option<String> {
        let sql = self.lease_sql.holder.clone();
        let rows = self.query(&sql, &[]).ok()?;
        let row = rows.first()?;
        let (holder, until, expired): (String, String, bool) = (row.get(0), row.get(1), row.get(2));
        let table = &self.lease_sql.table;
        Some(match expired {
            true => format!("held by {holder}, whose lease in {table} expired at {until}"),
            false => format!("held by {holder}, lease in {table} until {until} unless renewed"),
        })
    }

    /// Fails when this session's lease was taken over (see the module's header).
    pub(super) fn check_lease(&self) -> Result<(), DbError> {
        match &self.lease {
            Some(lease) if lease.lost() => Err(lost_error(&self.lease_sql.table)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_name_the_lock_table_beside_the_version_table() {
        let sql = LeaseSql::new("My Shop", "db_version");
        assert_eq!(sql.table, "\"My Shop\".\"db_version_lock\"");
        for statement in [&sql.acquire, &sql.holder, &sql.renew, &sql.release] {
            assert!(statement.contains(&sql.table), "{statement}");
        }
        // Taken over only once expired, on the server's clock.
        assert!(
            sql.acquire
                .contains("WHERE l.expires_at < clock_timestamp()")
        );
        // Renewed and released only by the token's holder.
        assert!(sql.renew.contains("token = $1"));
        assert!(sql.release.contains("token = $1"));
        let create = sql.create(7, Some("My Shop"));
        assert!(create.starts_with("BEGIN;\nSELECT pg_advisory_xact_lock(7);\n"));
        assert!(create.contains("CREATE SCHEMA IF NOT EXISTS \"My Shop\""));
        assert!(!sql.create(7, None).contains("CREATE SCHEMA"));
    }

    #[test]
    fn a_lease_is_interval_text_and_a_token_is_unique() {
        assert_eq!(interval(Duration::from_millis(2500)), "2500 milliseconds");
        assert_ne!(token(), token());
        assert!(holder_name().starts_with(&format!("migrate pid {} on ", std::process::id())));
    }

    #[test]
    fn a_vanished_table_is_told_from_other_errors() {
        let error = |code: &str, message: &str| DbError {
            code: Some(format!("SQLSTATE {code}")),
            ..DbError::new(message)
        };
        assert!(table_vanished(&error("42P01", "relation does not exist")));
        assert!(table_vanished(&error(
            "XX000",
            "could not open relation with OID 1"
        )));
        assert!(!table_vanished(&error("XX000", "something else")));
        assert!(!table_vanished(&error("42501", "permission denied")));
        assert!(!table_vanished(&DbError::new("no code")));
    }
}
