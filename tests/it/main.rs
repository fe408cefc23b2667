//! The integration suite of `migrate`: one binary (it links once), one
//! module per area. Every test runs the real binary against its own
//! database, through `support::for_each_backend` where the behaviour is not
//! specific to one database.

mod support;

mod add_only;
mod check;
mod colour;
mod commands;
mod concurrency;
mod config;
mod connections_config;
mod connections_silence;
mod dry_run;
mod failures;
mod folder_errors;
mod folders;
mod help;
mod interrupts;
mod json;
mod library;
mod library_runtime;
mod lint;
mod lock_waits;
mod log;
mod mark;
mod mysql;
mod new;
mod next_step;
mod outcomes;
mod pgbouncer;
mod phases;
mod postgres;
mod postgres_versions;
mod preflight_checks;
mod properties;
mod refusals;
mod releases;
mod schema;
mod schema_fidelity;
mod schema_postgres;
mod schema_postgres_fidelity;
mod secrets;
mod sqlite;
mod statements;
mod status;
mod story;
mod transactions;
mod verify;
