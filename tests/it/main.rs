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
mod database;
mod docs;
mod dry_run;
mod env;
mod failures;
mod fleet;
mod folder_errors;
mod folders;
mod help;
mod interrupts;
mod json;
mod library;
mod library_client;
mod library_connection;
mod library_embedded;
mod library_runtime;
mod lint;
mod lock_waits;
mod log;
mod mark;
mod mysql;
mod new;
mod new_template;
mod next_step;
mod operator;
mod outcomes;
mod pgbouncer;
mod phases;
mod placeholders;
mod postgres;
mod postgres_versions;
mod preflight_checks;
mod progress;
mod properties;
mod refusals;
mod releases;
mod repeatable;
mod schema;
mod schema_fidelity;
mod schema_postgres;
mod schema_postgres_fidelity;
mod secrets;
mod sqlite;
mod squash;
mod statements;
mod status;
mod story;
mod transactions;
mod verify;
mod widths;
