//! The scratch database `check` proves the folder on (SPEC section 9): the
//! one `--scratch-url` names, or one made for the run and removed after it.
//!
//! Made for the run: a temporary SQLite file when the URL is SQLite; on a
//! server, a database of a unique name (`migrate_check_<pid>_<random>`)
//! created on the server of the URL, through a session opened with the URL
//! itself, and dropped by that session when the [`Scratch`] is dropped: also
//! when the check failed, returned early or was interrupted (SIGINT and
//! SIGTERM stop the check through its error path, so the drop still runs).
//! Only a second signal, which kills the process at once, leaves it behind;
//! its name says which run made it.
//!
//! The scratch database must never be the target: a scratch URL that names
//! the same database as `--database-url` (as the drivers read the two URLs:
//! host, port, database and, on PostgreSQL, the schema of `search_path`) is
//! refused, and so is a derived URL that the driver would not read as the
//! new database. Both are configuration mistakes (exit 2), found before
//! anything runs.

use crate::backend::{Backend, Create, connect, place, run_own_statement};
use crate::error::Error;
use crate::settings::{DatabaseUrl, Kind, RunLock, TableNames};

/// A scratch database for one check; a database made for it is removed
/// when this is dropped.
pub struct Scratch {
    /// Its URL.
    pub url: DatabaseUrl,
    /// What it is, for the summary (`a temporary SQLite file`).
    pub description: String,
    lifetime: Lifetime,
}

/// What happens to a scratch database after the check.
enum Lifetime {
    /// The user's (`--scratch-url`): left as the check leaves it.
    Kept,
    /// A temporary folder holding the SQLite file, removed with it.
    TemporaryFile {
        /// Held only to be removed when the check ends.
        _folder: tempfile::TempDir,
    },
    /// A database on a server, dropped through `admin` with `drop`.
    Server {
        admin: Box<dyn Backend>,
        drop: String,
        name: String,
    },
}

impl Scratch {
    /// The scratch database for checking a folder meant for `target`: the
    /// one `given` names, or a new one.
    pub fn open(
        target: &DatabaseUrl,
        given: Option<&DatabaseUrl>,
        tables: &TableNames,
    ) -> Result<Scratch, Error> {
        if let Some(given) = given {
            if std::mem::discriminant(given.kind()) != std::mem::discriminant(target.kind()) {
                return Err(Error::Usage(format!(
                    "the scratch database {} is not of the kind of --database-url: the files \
                     are proven in the dialect they are written for",
                    given.redacted()
                )));
            }
            if identity(given)? == identity(target)? {
                return Err(Error::Usage(format!(
                    "the scratch database {} is the database of --database-url: check \
                     changes its scratch database, so give it another (--scratch-url, \
                     MIGRATE_SCRATCH_URL), or none to let check make one",
                    given.redacted()
                )));
            }
            return Ok(Scratch {
                url: given.clone(),
                description: given.redacted(),
                lifetime: Lifetime::Kept,
            });
        }
        match target.kind() {
            Kind::Sqlite(_) => temporary_file(),
            Kind::Postgres | Kind::Mysql => on_the_server(target, tables),
        }
    }
}

/// A SQLite file in a new temporary folder.
fn temporary_file() -> Result<Scratch, Error> {
    let folder = tempfile::Builder::new()
        .prefix("migrate_check_")
        .tempdir()
        .map_err(|error| Error::Usage(format!("cannot create a temporary folder: {error}")))?;
    let path = folder.path().join("scratch.db");
    let url = DatabaseUrl::parse(&format!("sqlite:{}", path.display())).map_err(Error::Usage)?;
    Ok(Scratch {
        url,
        description: "a temporary SQLite file".to_string(),
        lifetime: Lifetime::TemporaryFile { _folder: folder },
    })
}

/// A new database on the server of `target`, created through a session
/// opened with `target`.
fn on_the_server(target: &DatabaseUrl, tables: &TableNames) -> Result<Scratch, Error> {
    let name = unique_name();
    let cannot_derive = || {
        Error::Usage(format!(
            "cannot make a URL for a scratch database from {}: name an empty database \
             with --scratch-url (or MIGRATE_SCRATCH_URL)",
            target.redacted()
        ))
    };
    let raw = with_database(target.expose(), &name).ok_or_else(cannot_derive)?;
    let url = DatabaseUrl::parse(&raw).map_err(|_| cannot_derive())?;
    // The driver, not our reading of the URL, decides where it connects.
    if database_of(&url)?.as_deref() != Some(name.as_str()) {
        return Err(cannot_derive());
    }
    let mut admin = connect(target, Create::Never, tables, &RunLock::default())?;
    let Some(sql) = admin.dialect().scratch_database(&name) else {
        return Err(cannot_derive());
    };
    run_own_statement(admin.as_mut(), &sql.create).map_err(|source| Error::Database {
        context: format!(
            "cannot create the scratch database {name} on the server of {} (the user needs \
             the {} privilege), or name an empty database with --scratch-url \
             (or MIGRATE_SCRATCH_URL)",
            target.redacted(),
            sql.privilege
        ),
        source,
    })?;
    Ok(Scratch {
        description: format!("the temporary database {name}"),
        url,
        lifetime: Lifetime::Server {
            admin,
            drop: sql.drop,
            name,
        },
    })
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Lifetime::Server { admin, drop, name } = &mut self.lifetime
            && let Err(error) = run_own_statement(admin.as_mut(), drop)
        {
            log::warn!("the scratch database {name} was not dropped ({error}): drop it by hand");
        }
    }
}

/// `migrate_check_<pid>_<random>`: two checks, even of one process, never
/// share a scratch database.
fn unique_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    // std's hasher is seeded randomly per process: enough for a name.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNT.fetch_add(1, Ordering::Relaxed));
    let random = hasher.finish() & 0xffff_ffff;
    format!("migrate_check_{}_{random:08x}", std::process::id())
}

/// `raw` with its database (the path after the host) replaced by `name`,
/// its parameters kept; `None` when it has no `scheme://`.
pub(crate) fn with_database(raw: &str, name: &str) -> Option<String> {
    let (base, query) = match raw.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (raw, None),
    };
    let authority_start = base.find("://")? + 3;
    let authority = &base[authority_start..];
    // A user part may hold a `/`; the host starts after its last `@`.
    let host_start = authority_start + authority.rfind('@').map_or(0, |at| at + 1);
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |at| host_start + at);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Some(url)
}

/// Which database a URL names, and where, for telling two apart.
fn identity(url: &DatabaseUrl) -> Result<String, Error> {
    let place = place(url).map_err(Error::Usage)?;
    Ok(format!("{} {:?}", place.server, place.database))
}

/// The database a server URL names, as its driver reads it.
fn database_of(url: &DatabaseUrl) -> Result<Option<String>, Error> {
    Ok(place(url).map_err(Error::Usage)?.database)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(raw: &str) -> DatabaseUrl {
        DatabaseUrl::parse(raw).unwrap()
    }

    #[test]
    fn the_database_is_replaced_and_the_rest_kept() {
        let cases = [
            (
                "postgres://app:pw@db:5432/prod?search_path=billing&sslmode=require",
                "postgres://app:pw@db:5432/scratch?search_path=billing&sslmode=require",
            ),
            ("postgres://db", "postgres://db/scratch"),
            (
                "mysql://root@127.0.0.1:3306/test",
                "mysql://root@127.0.0.1:3306/scratch",
            ),
            ("mysql://u:p/w@h/app", "mysql://u:p/w@h/scratch"),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                with_database(raw, "scratch").as_deref(),
                Some(expected),
                "{raw}"
            );
        }
        assert_eq!(with_database("no scheme", "scratch"), None);
    }

    #[test]
    fn the_driver_reads_the_new_database() {
        let derived = with_database("postgres://u@h/prod?search_path=s", "scratch").unwrap();
        assert_eq!(
            database_of(&url(&derived)).unwrap().as_deref(),
            Some("scratch")
        );
        let derived = with_database("mysql://u@h:3306/prod", "scratch").unwrap();
        assert_eq!(
            database_of(&url(&derived)).unwrap().as_deref(),
            Some("scratch")
        );
    }

    #[test]
    fn the_same_database_is_recognised_however_written() {
        let same = |left: &str, right: &str| {
            identity(&url(left)).unwrap() == identity(&url(right)).unwrap()
        };
        assert!(same(
            "postgres://a@h:5432/db?search_path=s",
            "postgresql://a:pw@h:5432/db?search_path=s&sslmode=disable"
        ));
        assert!(!same(
            "postgres://a@h/db?search_path=s",
            "postgres://a@h/db?search_path=t"
        ));
        assert!(!same("postgres://a@h/db", "postgres://a@h/other"));
        assert!(same("postgres://a@h/db", "postgres://b@h/db"));
        assert!(same("postgres://db@h", "postgres://x@h/db"));
        assert!(same(
            "mysql://root@h:3306/app",
            "mariadb://root:pw@h:3306/app"
        ));
        assert!(!same("mysql://root@h:3306/app", "mysql://root@h:3307/app"));
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("a.db");
        let dotted = folder.path().join(".").join("a.db");
        assert!(same(
            &format!("sqlite:{}", file.display()),
            &format!("sqlite://{}", dotted.display())
        ));
        assert!(!same(
            &format!("sqlite:{}", file.display()),
            "sqlite:other.db"
        ));
    }

    #[test]
    fn names_are_unique() {
        let first = unique_name();
        assert!(first.starts_with(&format!("migrate_check_{}_", std::process::id())));
        assert_ne!(first, unique_name());
    }
}
