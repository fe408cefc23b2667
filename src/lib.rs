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

pub mod backend;
pub mod cli;
pub mod command;
pub mod drift;
pub mod error;
pub mod execute;
pub mod history;
pub mod migrator;
pub mod output;
pub mod plan;
pub mod preflight;
pub mod record;
pub mod scaffold;
pub mod scan;
pub mod script;
pub mod settings;
pub mod split;
pub mod state;
pub mod status;
pub mod version;
