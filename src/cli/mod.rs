//! The command line: the clap types, here, and their conversion into a
//! [`Request`] of domain values before any I/O touches the database, in the
//! `request` module. With [`run`] and the error reporters below, this is
//! everything the `migrate` binary needs from the library.

pub(crate) mod docs;
mod env_file;
pub(crate) mod fleet;
mod request;
pub(crate) mod sources;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub(crate) use self::request::Action;
pub use self::request::Request;
use crate::duration;
use crate::error::Exit;
pub use crate::interrupt::install as install_signal_handlers;
pub use crate::output::OutputStyle;
pub use crate::output::arguments_error;
pub use crate::runner::{report_error, run};
use crate::state::State;
use crate::version::{Version, parse_target};

const EXAMPLES: &str = "Examples: migrate new add_email                   # up/N_add_email.sql and down/N_add_email.sql
          migrate --database-url sqlite:app.db up # apply everything pending
          migrate status --json                   # what a deploy script reads
Environment: DATABASE_URL, MIGRATE_DIR and MIGRATE_RELEASE, also read from ./.env.";

/// The top-level help's last paragraphs; the exit codes come from [`Exit`],
/// so the list cannot fall behind the codes the tool returns.
fn after_help() -> String {
    format!("{EXAMPLES}\n{}", Exit::help())
}

/// A pure-SQL schema migrator for SQLite, PostgreSQL and MySQL/MariaDB, made
/// for zero-downtime deployments.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, after_help = after_help())]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Subcommands,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
struct GlobalArgs {
    /// Database URL: sqlite:PATH, postgres://… or mysql://… [env: DATABASE_URL]
    /// [default: sqlite:migrate.db]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// The migrations folder, holding up/ and down/ [env: MIGRATE_DIR] [default: .]
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Name of the version table; the log table is NAME_log [default: db_version]
    #[arg(long, global = true, value_name = "NAME")]
    table: Option<String>,
    /// Print one JSON document on stdout, also when the command fails
    #[arg(long, global = true)]
    json: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print diagnostics on stderr, and the SQL of a --dry-run
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Seconds to wait for another run's lock before exiting 4 [default: 60]
    #[arg(long, global = true, value_name = "SECONDS")]
    lock_wait: Option<u64>,
    /// How long each statement may wait for a table lock: 500ms, 2s, 1m; 0 waits without a bound
    /// [default: 5s and 3 retries on PostgreSQL and MySQL]
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse)]
    lock_timeout: Option<Duration>,
    /// How the run lock is held: advisory (the database's own lock) or table (a lease row in
    /// TABLE_lock, for PgBouncer and other transaction poolers) [env: MIGRATE_LOCK_MODE]
    /// [default: advisory; table when a PostgreSQL URL says pgbouncer=true or port 6432]
    #[arg(long, global = true, value_name = "MODE", value_parser = ["advisory", "table"])]
    lock_mode: Option<String>,
    /// How long a --lock-mode table lease lives unrenewed, e.g. after its run was killed
    /// [env: MIGRATE_LOCK_LEASE] [default: 30s]
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse)]
    lock_lease: Option<Duration>,
    /// Keep trying to connect while the database does not accept connections,
    /// for DURATION (--wait alone: 60s)
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "60s",
        value_parser = duration::parse
    )]
    wait: Option<Duration>,
    /// Read settings from this file instead of ./.env
    #[arg(long, global = true, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Do not read any .env file
    #[arg(long, global = true, conflicts_with = "env_file")]
    no_env_file: bool,
    /// Do not rewrite schema/schema.sql after a change
    #[arg(long, global = true)]
    no_dump_schema: bool,
    /// Value of ${NAME} in files marked `-- migrate: placeholders` (repeatable;
    /// otherwise the environment variable NAME)
    #[arg(long = "set", global = true, value_name = "NAME=VALUE", value_parser = parse_placeholder)]
    placeholders: Vec<(String, String)>,
    #[command(flatten)]
    fleet: FleetArgs,
}

/// Many databases in one run (SPEC section 11).
#[derive(Debug, Args)]
#[command(next_help_heading = "Fleet options")]
struct FleetArgs {
    /// Run the command on every database of FILE, one `NAME URL` per line
    /// [env: MIGRATE_TARGETS]
    #[arg(long, global = true, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// With --targets: how many databases run at once
    #[arg(
        long,
        global = true,
        value_name = "K",
        default_value_t = 8,
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    parallel: u16,
    /// With --targets: run the first K targets alone first; if one fails, no other starts
    #[arg(long, global = true, value_name = "K", default_value_t = 0)]
    canary: usize,
    /// With --targets: go on starting targets after one failed
    #[arg(long, global = true)]
    continue_on_error: bool,
}

/// `--set NAME=VALUE`: a placeholder's name and its value.
fn parse_placeholder(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw
        .split_once('=')
        .ok_or_else(|| format!("`{raw}` is not NAME=VALUE"))?;
    if !crate::placeholders::is_name(name) {
        return Err(format!(
            "`{name}` is not a placeholder name: use letters, digits and `_`, not starting \
             with a digit"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Options of every command that changes the database.
#[derive(Debug, Args)]
struct ChangeArgs {
    /// That one version alone
    #[arg(long, value_name = "N", value_parser = parse_version)]
    only: Option<Version>,
    /// Release label of the forward changes [env: MIGRATE_RELEASE] [default: the highest
    /// numeric label + 1]
    #[arg(long, value_name = "LABEL")]
    release: Option<String>,
    /// Run even though applied files changed on disk
    #[arg(long)]
    allow_drift: bool,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Run the whole plan in one transaction: all of it lands or none of it does
    #[arg(long)]
    single_transaction: bool,
}

/// Arguments of the two rollbacks.
#[derive(Debug, Args)]
struct RollbackArgs {
    /// Keep versions up to N in the phase (0 reverts every version)
    #[arg(value_parser = parse_target)]
    target: Option<u128>,
    #[command(flatten)]
    change: ChangeArgs,
    /// Revert versions of earlier releases too
    #[arg(long)]
    across_releases: bool,
}

#[derive(Debug, Subcommand)]
enum Subcommands {
    /// Add phase of every pending version up to N (all when N is left out)
    #[command(visible_alias = "add", after_help = "Example: migrate up 12 --dry-run")]
    Up {
        /// The highest version to add
        #[arg(value_parser = parse_version)]
        target: Option<Version>,
        #[command(flatten)]
        change: ChangeArgs,
        /// Also add pending versions lower than the current version
        #[arg(long)]
        allow_out_of_order: bool,
        /// Finish the failed version (after fixing its file), then go on like up
        #[arg(long)]
        resume: bool,
        /// With --resume, for a version cut off mid-statement: that statement
        /// committed, so continue after it
        #[arg(long, requires = "resume", conflicts_with = "rerun_unknown")]
        skip_unknown: bool,
        /// With --resume, for a version cut off mid-statement: that statement
        /// did not commit, so run it again
        #[arg(long, requires = "resume")]
        rerun_unknown: bool,
    },
    /// Roll back the add phase of every applied version above N; without N,
    /// what the latest release added
    #[command(
        visible_alias = "rollback_add",
        alias = "rollback-add",
        after_help = "Example: migrate down        # undo the latest release\n         migrate down 0      # undo everything (refused across releases)"
    )]
    Down(RollbackArgs),
    /// Simdrop phase of every added version up to N
    #[command(after_help = "Example: migrate simdrop --only 12")]
    Simdrop {
        /// The highest version to simdrop
        #[arg(value_parser = parse_version)]
        target: Option<Version>,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Roll back the simdrop phase of every simdropped version above N;
    /// without N, those of the latest simdrop release
    #[command(
        name = "rollback_simdrop",
        alias = "rollback-simdrop",
        after_help = "Example: migrate rollback_simdrop"
    )]
    RollbackSimdrop(RollbackArgs),
    /// Drop phase of every simdropped version up to N: irreversible
    #[command(after_help = "Example: migrate drop 12")]
    Drop {
        /// The highest version to drop
        #[arg(value_parser = parse_version)]
        target: Option<Version>,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Every phase of every version up to N, version by version
    #[command(after_help = "Example: migrate ff     # a test database, all the way")]
    Ff {
        /// The highest version to take through every phase
        #[arg(value_parser = parse_version)]
        target: Option<Version>,
        #[command(flatten)]
        change: ChangeArgs,
        /// Also take pending versions lower than the current version
        #[arg(long)]
        allow_out_of_order: bool,
    },
    /// Every version known to the files or the database, and the next step
    #[command(after_help = "Example: migrate status --check || migrate up")]
    Status {
        /// Exit 3 when any version is pending or failed
        #[arg(long)]
        check: bool,
    },
    /// The current version, alone on a line
    #[command(after_help = "Example: migrate version")]
    Version,
    /// Check every applied file's checksum; exit 3 on drift
    #[command(after_help = "Example: migrate verify --accept   # after a harmless edit")]
    Verify {
        /// Record the files' current checksums (logged)
        #[arg(long)]
        accept: bool,
        /// With --accept: print what it would record and change nothing
        #[arg(long, requires = "accept")]
        dry_run: bool,
    },
    /// Record versions as applied without running them, or set one version's state
    #[command(
        after_help = "Examples: migrate mark 5                       # adopt an existing database\n          migrate mark --only 7 --state added  # repair after a failure"
    )]
    Mark {
        /// Record every pending version up to N as added
        #[arg(value_parser = parse_version, required_unless_present = "only", conflicts_with = "only")]
        target: Option<Version>,
        /// The one version whose state to set (with --state)
        #[arg(long, value_name = "N", value_parser = parse_version, requires = "state")]
        only: Option<Version>,
        /// pending, added, simdropped or dropped
        #[arg(long, value_name = "STATE", value_parser = parse_state, requires = "only")]
        state: Option<State>,
        /// Release label of the change [env: MIGRATE_RELEASE]
        #[arg(long, value_name = "LABEL")]
        release: Option<String>,
        /// Run even though applied files changed on disk
        #[arg(long)]
        allow_drift: bool,
        /// Print the plan and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The operation history from the log table, newest first; with ID, one
    /// entry in full with its error
    #[command(
        after_help = "Examples: migrate log --errors --limit 5  # the latest failures\n          migrate log --version 12        # everything that happened to 12\n          migrate log 42                  # entry 42 in full, with its error"
    )]
    Log {
        /// The id of one entry to print in full
        #[arg(
            value_name = "ID",
            value_parser = clap::value_parser!(i64).range(1..),
            conflicts_with_all = ["errors", "limit", "version", "repeatable"]
        )]
        id: Option<i64>,
        /// Only failed operations
        #[arg(long)]
        errors: bool,
        /// At most K entries, the newest
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
        /// Only the entries of version N
        #[arg(long, value_name = "N", value_parser = parse_version, conflicts_with = "repeatable")]
        version: Option<Version>,
        /// Only the runs of repeatable files
        #[arg(long)]
        repeatable: bool,
    },
    /// Create up/N_NAME.sql and down/N_NAME.sql for the next version (one more
    /// than the highest in the folder)
    #[command(
        after_help = "Examples: migrate new add_email                     # up/13_add_email.sql, down/13_add_email.sql\n          migrate new rename_name --simdrop --drop  # and the simdrop and drop files\n          migrate new add_email --timestamp         # up/20261122053410_add_email.sql, ...\n          migrate new add_email --template db/template.sql  # the add file from a template"
    )]
    New {
        /// The description in the file names: no spaces, `/` or `.` (add_email)
        #[arg(value_name = "NAME")]
        name: String,
        /// Also create up/N_NAME.simdrop.sql and down/N_NAME.simdrop.sql
        #[arg(long)]
        simdrop: bool,
        /// Also create up/N_NAME.drop.sql
        #[arg(long)]
        drop: bool,
        /// Number the version by the UTC time, YYYYMMDDHHMMSS
        #[arg(long)]
        timestamp: bool,
        /// Write the add file from FILE, {{version}} and {{name}} filled in
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
    },
    /// Create the database the URL names, or drop it (development and CI)
    #[command(
        after_help = "Examples: migrate database create && migrate up   # a fresh CI database\n          migrate database drop --yes"
    )]
    Database {
        #[command(subcommand)]
        command: DatabaseCommand,
    },
    /// Print the resolved settings and where each came from: a flag, the
    /// environment, the .env file or the default (passwords left out)
    #[command(after_help = "Example: migrate env --env-file deploy/.env.production")]
    Env,
    /// Print a shell completion script
    #[command(
        after_help = "Examples: migrate completions bash > /etc/bash_completion.d/migrate\n          migrate completions zsh > \"${fpath[1]}/_migrate\"\n          migrate completions fish > ~/.config/fish/completions/migrate.fish"
    )]
    Completions {
        /// The shell
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of migrate, or of one of its commands
    #[command(
        after_help = "Examples: migrate man > /usr/local/share/man/man1/migrate.1\n          migrate man up | man -l -"
    )]
    Man {
        /// The command whose page to print (up, down, log, ...)
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Print the database's schema as SQL that recreates it on an empty database
    #[command(
        name = "schema_dump",
        alias = "schema-dump",
        after_help = "Examples: migrate schema_dump --output schema/schema.sql\n          migrate schema_dump --bootstrap   # adopt an existing database as version 1\n          migrate schema_dump --schema app,utils   # PostgreSQL: two schemas, names qualified"
    )]
    SchemaDump {
        /// Write the dump to FILE instead of stdout
        #[arg(long, value_name = "FILE", conflicts_with = "bootstrap")]
        output: Option<PathBuf>,
        /// Write the dump as up/1.sql (no down file) and record version 1 as
        /// added without running it; refused when migration files exist
        #[arg(long)]
        bootstrap: bool,
        /// Release label of version 1 with --bootstrap [env: MIGRATE_RELEASE]
        #[arg(long, value_name = "LABEL", requires = "bootstrap")]
        release: Option<String>,
        /// With --bootstrap: check and print what it would do, change nothing
        #[arg(long, requires = "bootstrap")]
        dry_run: bool,
        /// Dump even when some objects cannot be dumped (they are left out
        /// and counted on stderr); without it such a schema is refused
        #[arg(long)]
        allow_incomplete: bool,
        /// Dump these schemas (PostgreSQL), names qualified when more than
        /// one; default: the first schema of the URL's search_path, unqualified
        #[arg(long, value_name = "A,B", value_delimiter = ',', value_parser = parse_schema_name)]
        schema: Option<Vec<String>>,
        /// Dump every schema but the system's (PostgreSQL), names qualified
        #[arg(long, conflicts_with = "schema")]
        all_schemas: bool,
    },
    /// Create the schema and version rows of schema/schema.sql in an empty database
    #[command(after_help = "Example: migrate load --database-url sqlite:test.db")]
    Load,
    /// Check the files for changes that break old code, lose data or block
    /// traffic, without a database; exit 3 on an error-level finding
    #[command(
        after_help = "Examples: migrate lint --dialect postgres\n          migrate lint --pending --format sarif > lint.sarif"
    )]
    Lint {
        /// Only the versions the database has not applied (reads db_version)
        #[arg(long)]
        pending: bool,
        /// human, json or sarif (SARIF 2.1.0); --json means json
        #[arg(long, value_enum, default_value_t)]
        format: crate::output::LintFormat,
        /// sqlite, postgres or mysql [default: the database URL's]
        #[arg(long, value_name = "DIALECT", value_parser = parse_dialect)]
        dialect: Option<crate::split::Syntax>,
    },
    /// Prove the folder on a scratch database: every step applied, reversed
    /// and applied again, the schema compared each time; exit 3 on a finding
    #[command(
        after_help = "Examples: migrate check                    # a temporary database beside the URL's\n          migrate check --from 41          # prove only the versions after 41\n          migrate check --scratch-url postgres://ci@db/scratch"
    )]
    Check {
        /// Only apply versions up to N; prove the later ones
        #[arg(long, value_name = "N", value_parser = parse_version)]
        from: Option<Version>,
        /// The empty database to prove on [env: MIGRATE_SCRATCH_URL] [default: a temporary
        /// SQLite file, or a temporary database on the server of the URL]
        #[arg(long, value_name = "URL")]
        scratch_url: Option<String>,
    },
    /// Replace every version up to N by one checkpoint file,
    /// up/N_checkpoint.sql: the schema and rows they leave, built on a
    /// scratch database
    #[command(
        after_help = "Examples: migrate squash 30 --dry-run        # print the checkpoint and the files it replaces\n          migrate squash 30 --archive ../old-migrations\n          migrate squash 30 --final          # versions with simdrop/drop files count as finished"
    )]
    Squash {
        /// The highest version the checkpoint stands for (a version of the folder)
        #[arg(value_name = "N", value_parser = parse_version)]
        version: Version,
        /// Move the squashed files into DIR (keeping their paths) instead of removing them
        #[arg(long, value_name = "DIR")]
        archive: Option<PathBuf>,
        /// Print the checkpoint and the files it would replace; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Declare the versions with simdrop or drop files finished everywhere
        /// (a database that has not dropped them is then refused)
        #[arg(long = "final")]
        finished: bool,
        /// The empty database to build it on [env: MIGRATE_SCRATCH_URL] [default: a
        /// temporary SQLite file, or a temporary database on the server of the URL]
        #[arg(long, value_name = "URL")]
        scratch_url: Option<String>,
    },
}

/// `database create` and `database drop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub(crate) enum DatabaseCommand {
    /// Create the database the URL names (SQLite: the file) when it does not
    /// exist; exit 0 when it exists already
    #[command(
        after_help = "Example: migrate database create --database-url postgres://ci@db/app_test"
    )]
    Create,
    /// Drop the database the URL names with everything in it (SQLite: the
    /// file); refused without --yes (exit 2); exit 0 when it does not exist
    #[command(after_help = "Example: migrate database drop --yes")]
    Drop {
        /// Yes, drop it: every table and row in it is lost
        #[arg(long)]
        yes: bool,
    },
}

fn parse_dialect(text: &str) -> Result<crate::split::Syntax, String> {
    match text {
        "sqlite" => Ok(crate::split::Syntax::Sqlite),
        "postgres" | "postgresql" => Ok(crate::split::Syntax::Postgres),
        "mysql" | "mariadb" => Ok(crate::split::Syntax::Mysql),
        _ => Err(format!(
            "`{text}` is no dialect: write sqlite, postgres or mysql"
        )),
    }
}

/// A schema name for `--schema`: not empty (the list is split on commas
/// first, so a name cannot hold one).
fn parse_schema_name(text: &str) -> Result<String, String> {
    match text.is_empty() {
        true => Err("a schema name cannot be empty".to_string()),
        false => Ok(text.to_string()),
    }
}

fn parse_version(text: &str) -> Result<Version, String> {
    text.parse()
        .map_err(|error: crate::version::VersionError| error.to_string())
}

fn parse_state(text: &str) -> Result<State, String> {
    text.parse()
}
