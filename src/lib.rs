//! `migrate`: a pure-SQL schema migrator for SQLite, PostgreSQL and
//! MySQL/MariaDB, built for zero-downtime deployments.
//!
//! Data flows one way. The scanner ([`scan`]) reads the migrations folder into
//! a [`scan::Catalogue`]; a backend ([`backend`]) reads the version table into
//! a [`record::DbState`]. The planner ([`plan`]) is a pure function from
//! those two and the request to a plan or a refusal; [`preflight`] checks the
//! whole plan without running SQL; the executor ([`execute`]) is the only
//! code that writes, and owns the transaction and failure policy. The
//! [`migrator::Migrator`] façade ties them together for the CLI ([`cli`],
//! [`command`]) and for applications that migrate themselves at start-up.
//!
//! # Migrating at start-up
//!
//! An application can apply its own migrations before it serves, with the
//! same files, tables, lock and rules as the `migrate` command:
//!
//! ```no_run
//! let migrator = migrate::migrator::Migrator::open("sqlite:app.db", "migrations")?;
//! let applied = migrator.up()?;
//! println!("{} operations applied", applied.len());
//! # Ok::<(), migrate::error::Error>(())
//! ```
//!
//! [`migrator::Migrator`] has the rest (status, the plan of a dry run, any
//! command, the log), and `examples/startup.rs` is a complete application.
#![warn(missing_docs)]

pub mod add_only;
pub mod backend;
pub mod check;
pub mod cli;
pub mod clock;
pub mod command;
pub mod dialect;
pub mod drift;
pub mod dump;
pub mod error;
pub mod execute;
pub mod history;
pub mod interrupt;
pub mod log_table;
pub mod migrator;
pub mod output;
pub mod plan;
pub mod preflight;
pub mod record;
pub mod refusal;
pub mod scaffold;
pub mod scan;
pub mod schema;
pub mod script;
pub mod settings;
pub mod split;
pub mod state;
pub mod status;
pub(crate) mod table;
pub mod version;
pub(crate) mod version_table;
