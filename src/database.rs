//! `database create` and `database drop --yes` (SPEC section 12): the
//! database the URL names, made when it is missing or removed, for
//! development and CI (as dbmate's and sqlx's commands do).
//!
//! SQLite: the file (and, on drop, its `-wal`, `-shm` and `-journal`
//! companions). A server: the database is created or dropped through a
//! session on the same server opened with the URL's user — on PostgreSQL
//! in the `postgres` maintenance database, on MySQL/MariaDB in
//! `information_schema` — with the statements `check` uses for its scratch databases,
//! so each dialect states them once. Both are idempotent: creating a
//! database that exists, or dropping one that does not, changes nothing
//! and succeeds, saying so.

use std::path::{Path, PathBuf};

use crate::backend::{Backend, Create, connect, place, run_own_statement};
use crate::check::with_database;
use crate::error::{DbError, Error};
use crate::settings::{DatabaseUrl, Kind, RunLock, TableNames};

/// What `database create` or `database drop` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Created, or dropped.
    Done,
    /// Nothing to do: it existed already (create), or did not (drop).
    AlreadyThere,
}

/// Creates the database `url` names when it does not exist.
pub(crate) fn create(url: &DatabaseUrl) -> Result<Outcome, Error> {
    match url.kind() {
        Kind::Sqlite(path) => {
            if path.exists() {
                return Ok(Outcome::AlreadyThere);
            }
            // Opening with `IfMissing` makes the file; one statement opens it.
            let mut backend = connect(
                url,
                Create::IfMissing,
                &TableNames::default(),
                &RunLock::default(),
            )?;
            run_own_statement(backend.as_mut(), "SELECT 1")
                .map_err(Error::database("cannot create the SQLite database"))?;
            Ok(Outcome::Done)
        }
        Kind::Postgres | Kind::Mysql => {
            let name = database_name(url)?;
            if exists(url) {
                return Ok(Outcome::AlreadyThere);
            }
            let mut admin = admin_session(url)?;
            let sql = statements(admin.as_ref(), &name, url)?;
            run_own_statement(admin.as_mut(), &sql.create).map_err(|source| Error::Database {
                context: format!(
                    "cannot create the database {name} on the server of {} (the user needs the \
                     {} privilege)",
                    url.redacted(),
                    sql.privilege
                ),
                source,
            })?;
            Ok(Outcome::Done)
        }
    }
}

/// Drops the database `url` names, with everything in it.
pub(crate) fn drop(url: &DatabaseUrl) -> Result<Outcome, Error> {
    match url.kind() {
        Kind::Sqlite(path) => remove_sqlite(path),
        Kind::Postgres | Kind::Mysql => {
            let name = database_name(url)?;
            let existed = exists(url);
            let mut admin = admin_session(url)?;
            let sql = statements(admin.as_ref(), &name, url)?;
            run_own_statement(admin.as_mut(), &sql.drop).map_err(|source| Error::Database {
                context: format!(
                    "cannot drop the database {name} on the server of {}",
                    url.redacted()
                ),
                source,
            })?;
            Ok(match existed {
                true => Outcome::Done,
                false => Outcome::AlreadyThere,
            })
        }
    }
}

/// The database the URL names, as its driver reads it; only names that
/// need no quoting beyond the dialect's identifier quotes are taken.
fn database_name(url: &DatabaseUrl) -> Result<String, Error> {
    let name = place(url)
        .map_err(Error::Usage)?
        .database
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            Error::Usage(format!(
                "the URL {} names no database: add it after the host, as in \
                 postgres://USER@HOST/NAME",
                url.redacted()
            ))
        })?;
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !plain {
        return Err(Error::Usage(format!(
            "the database name `{name}` holds characters other than letters, digits, `_` and \
             `-`: create or drop it with the database's own client"
        )));
    }
    Ok(name)
}

/// Whether a session to the database itself opens.
fn exists(url: &DatabaseUrl) -> bool {
    connect(
        url,
        Create::Never,
        &TableNames::default(),
        &RunLock::default(),
    )
    .is_ok()
}

/// A session on the server of `url` that is not in its database:
/// PostgreSQL's `postgres` maintenance database, or MySQL's
/// `information_schema`, which every user may enter.
fn admin_session(url: &DatabaseUrl) -> Result<Box<dyn Backend>, Error> {
    let maintenance = match url.kind() {
        Kind::Postgres => "postgres",
        _ => "information_schema",
    };
    let cannot = || {
        Error::Usage(format!(
            "cannot make a URL of the server from {}",
            url.redacted()
        ))
    };
    let raw = with_database(url.expose(), maintenance).ok_or_else(cannot)?;
    let admin = DatabaseUrl::parse(&raw).map_err(|_| cannot())?;
    connect(
        &admin,
        Create::Never,
        &TableNames::default(),
        &RunLock::default(),
    )
}

/// The dialect's `CREATE DATABASE` and `DROP DATABASE` for `name`.
fn statements(
    admin: &dyn Backend,
    name: &str,
    url: &DatabaseUrl,
) -> Result<crate::dialect::ScratchDatabase, Error> {
    admin.dialect().scratch_database(name).ok_or_else(|| {
        Error::Usage(format!(
            "{} cannot create or drop databases",
            url.redacted()
        ))
    })
}

/// Removes a SQLite file and the files SQLite keeps beside it.
fn remove_sqlite(path: &Path) -> Result<Outcome, Error> {
    if !path.exists() {
        return Ok(Outcome::AlreadyThere);
    }
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        files.push(PathBuf::from(companion));
    }
    for file in files.iter().filter(|file| file.exists()) {
        std::fs::remove_file(file).map_err(|error| Error::Database {
            context: format!("cannot drop the SQLite database {}", path.display()),
            source: DbError::new(format!("cannot remove {}: {error}", file.display())),
        })?;
    }
    Ok(Outcome::Done)
}
