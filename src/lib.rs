//! `migrate`: a pure-SQL schema migrator for SQLite, PostgreSQL and MySQL/MariaDB.
pub mod drift;
pub mod plan;
pub mod record;
pub mod scan;
pub mod script;
pub mod state;
pub mod version;
