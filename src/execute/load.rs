//! `load`: runs `schema/schema.sql` on an empty database, then gives the
//! version rows it carried the release, time and order of this load (SPEC
//! section 7). In one transaction where the database's DDL is transactional;
//! on MySQL/MariaDB, whose DDL commits implicitly, statement by statement.

use super::repair::{Repair, write_rows};
use crate::backend::{Backend, Batch};
use crate::clock::now;
use crate::error::Error;
use crate::log_table::LogOperation;
use crate::record::{Stamp, label_carried_rows};
use crate::split::split;
use crate::version::Release;

/// Runs `text` (read from `file`, for messages) and labels the version rows
/// it created. Returns the number of statements.
pub fn load(backend: &mut dyn Backend, file: &str, text: &str) -> Result<usize, Error> {
    let dialect = backend.dialect();
    let statements = split(text, dialect.syntax())
        .map_err(|error| Error::Usage(format!("{file}:{}: {}", error.line, error.message)))?;
    let transactional = dialect.transactional_ddl();
    let context = format!("cannot load {file}");
    if transactional {
        backend.begin(None).map_err(Error::database(&context))?;
    }
    let loaded = run(backend, file, text, &statements);
    if let Err(error) = loaded {
        if transactional && let Err(rollback) = backend.rollback() {
            log::warn!("rollback failed: {rollback}");
        }
        return Err(error);
    }
    if transactional {
        backend
            .commit()
            .map_err(Error::database(format!("cannot commit {file}")))?;
    }
    Ok(statements.len())
}

fn run(
    backend: &mut dyn Backend,
    file: &str,
    text: &str,
    statements: &[crate::split::Statement],
) -> Result<(), Error> {
    // The URL's schema (`?search_path=X`) may not exist yet: the file's
    // unqualified names need it, and the README promises it is created.
    backend
        .ensure_schema()
        .map_err(Error::database(format!("cannot load {file}")))?;
    let batch = Batch::WholeFile { text, statements };
    backend.execute(&batch).map_err(|failure| {
        let line = failure.line.or_else(|| {
            statements
                .get(failure.index)
                .map(|statement| statement.line)
        });
        let at = match line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        Error::database(at)(failure.error)
    })?;
    let db = backend
        .read_state()
        .map_err(Error::database("cannot read the version table"))?;
    let release = Release::next_after(db.releases());
    let at = now();
    let stamp = Stamp {
        release: &release,
        at: &at,
        last_seq: db.max_seq(),
    };
    let repairs: Vec<Repair> = label_carried_rows(&db, stamp)
        .into_iter()
        .map(|row| {
            let mut repair = Repair::new(row.version, Some(row), LogOperation::Load, &at);
            repair.entry.release = Some(release.clone());
            repair
        })
        .collect();
    write_rows(backend, &repairs).map_err(Error::database(format!(
        "cannot record the versions of {file}"
    )))
}
