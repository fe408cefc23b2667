//! `migrate`: a pure-SQL schema migrator for SQLite, PostgreSQL and
//! MySQL/MariaDB, built for zero-downtime deployments.
//!
//! Data flows one way. The scanner (`scan`) reads the migrations folder into
//! a [`Catalogue`]; a backend (`backend`) reads the version table into the
//! database's state. The planner (`plan`) is a pure function from those two
//! and the request to a plan or a refusal; `preflight` checks the whole plan
//! without running SQL; the executor (`execute`) is the only code that
//! writes, and owns the transaction and failure policy. The [`Migrator`]
//! façade ties them together for the CLI ([`cli`]) and for applications that
//! migrate themselves at start-up. The crate's public API is that façade and
//! the values its methods take and return, re-exported here; the modules are
//! private, so they can change without breaking an application.
//!
//! # Migrating at start-up
//!
//! An application can apply its own migrations before it serves, with the
//! same files, tables, lock and rules as the `migrate` command:
//!
//! ```no_run
//! let migrator = migrate::Migrator::open("sqlite:app.db", "migrations")?;
//! let applied = migrator.up()?;
//! println!("{} operations applied", applied.len());
//! # Ok::<(), migrate::Error>(())
//! ```
//!
//! [`Migrator`] has the rest (status, the plan of a dry run, any
//! command, the log), and `examples/startup.rs` is a complete application.
#![warn(missing_docs)]
#![warn(unnameable_types)]
// A build without every feature leaves out the command (`cli`) or some
// backends, and with them the only callers of code the rest still builds
// (the fleet, `check`, the dialects' rules of a missing backend): unused
// there by design, so the full build alone is held to the dead-code lints.
#![cfg_attr(
    not(all(
        feature = "sqlite",
        feature = "postgres",
        feature = "mysql",
        feature = "cli"
    )),
    allow(dead_code, unused_imports)
)]

mod add_only;
mod backend;
mod check;
#[cfg(feature = "cli")]
pub mod cli;
mod clock;
mod database;
mod dialect;
mod drift;
mod dump;
mod duration;
pub mod embed;
mod error;
mod execute;
mod fleet;
mod history;
mod interrupt;
mod lint;
mod log_table;
mod migrator;
#[cfg(feature = "cli")]
mod output;
mod placeholders;
mod plan;
mod preflight;
mod record;
mod refusal;
mod repeatable;
#[cfg(feature = "cli")]
mod runner;
mod scaffold;
mod scan;
mod schema;
mod script;
mod settings;
mod split;
mod squash;
mod state;
mod status;
mod table;
mod version;
mod version_table;

pub use crate::drift::{Drift, DriftKind};
pub use crate::dump::Scope;
pub use crate::embed::EmbeddedFile;
pub use crate::error::{DbError, Error, Exit, MigrationError};
pub use crate::execute::{Progress, Report, RunSummary, Upcoming};
pub use crate::interrupt::Signal;
pub use crate::log_table::{HistoryFilter, LogEntry, LogOperation, Outcome};
pub use crate::migrator::{Config, Migrator, Planned};
pub use crate::placeholders::Placeholders;
pub use crate::plan::{Command, Options, RunOptions, UnknownStatement};
pub use crate::record::Failure;
pub use crate::refusal::Refusal;
pub use crate::repeatable::{Repeatable, RepeatableState};
pub use crate::scan::{Catalogue, Checkpoint, FileProblem, MigrationFile, Squashed, VersionFiles};
pub use crate::schema::Incomplete;
pub use crate::script::{Allow, Directives, Script};
pub use crate::settings::{DatabaseUrl, Kind as DatabaseKind, LockMode, RunLock, TableNames};
pub use crate::state::{Operation, Phase, State};
pub use crate::status::{
    FailureStatus, Files, Fix, Next, Releases, RepeatableStatus, Status, Times, VersionStatus,
};
pub use crate::version::{Release, Version, VersionError};
/// The SQLite driver `migrate` is built with, for
/// [`Migrator::with_sqlite_connection`]: the same `Connection` type.
#[cfg(feature = "sqlite")]
pub use rusqlite;
/// The PostgreSQL driver `migrate` is built with, for
/// [`Migrator::with_postgres_client`]: the same `Client` type.
#[cfg(feature = "postgres")]
pub use tokio_postgres;
