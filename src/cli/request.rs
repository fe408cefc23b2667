//! Turns parsed arguments into a [`Request`]: domain values, settings
//! resolved, before any I/O touches the database.
//!
//! Settings come, in order of precedence, from the command line, the real
//! environment, a `.env` file in the current folder (`--env-file PATH`,
//! `--no-env-file`), and the defaults.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::sources::Lookup;
use super::{ChangeArgs, Cli, GlobalArgs, RollbackArgs, Subcommands};
use crate::error::Error;
use crate::history::HistoryFilter;
use crate::migrator::Config;
use crate::output::OutputStyle;
use crate::placeholders::Placeholders;
use crate::plan::RunOptions;
use crate::plan::{Command, Options, UnknownStatement};
use crate::scaffold::NewVersion;
use crate::settings::{DEFAULT_URL, DatabaseUrl, LockMode, MIN_LOCK_LEASE, RunLock, TableNames};
use crate::state::State;
use crate::version::{Release, Version};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// A command run by the planner and the executor.
    Migrate {
        /// The command.
        command: Command,
        /// Its options.
        options: Options,
        /// How to run it.
        run: RunOptions,
        /// `--dry-run`.
        dry_run: bool,
    },
    /// `status [--check]`.
    Status {
        /// `--check`.
        check: bool,
    },
    /// `version`.
    Version,
    /// `verify [--accept [--dry-run]]`.
    Verify {
        /// `--accept`.
        accept: bool,
        /// `--dry-run` (with `--accept`): print what would be recorded, change nothing.
        dry_run: bool,
    },
    /// `log`: the history, filtered.
    Log(HistoryFilter),
    /// `log ID`: one entry in full.
    LogEntry {
        /// The entry's id.
        id: i64,
    },
    /// `new NAME`: the files of the next version.
    New(NewVersion),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `schema_dump [--output FILE]`.
    SchemaDump {
        /// `--output FILE`.
        output: Option<PathBuf>,
        /// `--allow-incomplete`.
        incomplete: crate::schema::Incomplete,
        /// `--schema A,B` or `--all-schemas`.
        scope: crate::dump::Scope,
    },
    /// `schema_dump --bootstrap`: `options.release` labels version 1.
    Bootstrap {
        /// `--release`.
        options: Options,
        /// `--dry-run`.
        dry_run: bool,
        /// `--allow-incomplete`.
        incomplete: crate::schema::Incomplete,
        /// `--schema A,B` or `--all-schemas`.
        scope: crate::dump::Scope,
    },
    /// `load`.
    Load,
    /// `lint [--pending] [--format F] [--dialect D]`.
    Lint {
        /// `--pending`: only the versions the database has not applied.
        pending: bool,
        /// `--format`, or json with `--json`.
        format: crate::output::LintFormat,
        /// `--dialect`; the URL's database when `None`.
        dialect: Option<crate::split::Syntax>,
    },
    /// `check [--from N] [--scratch-url URL]`.
    Check(crate::check::CheckRequest),
    /// `squash N [--archive DIR] [--dry-run] [--final] [--scratch-url URL]`.
    Squash(crate::squash::SquashRequest),
    /// `man [COMMAND]`.
    Man {
        /// The command whose page to print; the whole tool's when `None`.
        command: Option<String>,
    },
    /// `database create` or `database drop --yes`.
    Database(super::DatabaseCommand),
    /// `env`: every setting, resolved, with where it came from.
    Env(Vec<super::sources::Setting>),
    /// `mark --only N --state S`.
    MarkState {
        /// The version.
        version: Version,
        /// Its new state.
        state: State,
        /// `--release` (the label for phases it newly reaches) and `--allow-drift`.
        options: Options,
        /// `--dry-run`.
        dry_run: bool,
    },
}

/// A parsed command line, as domain values.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where and how to migrate.
    pub(crate) config: Config,
    /// What to do.
    pub(crate) action: Action,
    /// How to print.
    pub(crate) display: OutputStyle,
    /// Whether the URL is the embedded default (announced on stderr).
    pub(crate) default_url: bool,
    /// Whether to rewrite `schema/schema.sql` after a change (`--no-dump-schema` turns it off).
    pub(crate) refresh_schema_file: bool,
    /// `--targets`: the databases to run on instead of the one URL.
    pub(crate) fleet: Option<super::fleet::Fleet>,
}

impl Cli {
    /// How to print, known even when the rest of the request is invalid.
    pub fn display(&self) -> OutputStyle {
        OutputStyle {
            json: self.global.json,
            quiet: self.global.quiet,
            verbose: self.global.verbose,
            ..OutputStyle::default()
        }
    }

    /// Turns the arguments into a request, reading the environment through `env`.
    pub fn into_request(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Request, Error> {
        let display = OutputStyle {
            width: output_width(env),
            progress_every: env("MIGRATE_PROGRESS_EVERY")
                .map(|text| match crate::duration::parse(&text) {
                    Ok(every) if !every.is_zero() => Ok(every),
                    _ => Err(Error::Usage(format!(
                        "MIGRATE_PROGRESS_EVERY: `{text}` is no duration above zero: write 500ms, 10s or 1m"
                    ))),
                })
                .transpose()?,
            ..self.display()
        };
        let uses_database = self.command.uses_database();
        // `completions` and `man` print what clap knows; no setting concerns them.
        let (dotenv, dotenv_path) = match self.command.uses_settings() {
            true => read_env_file(&self.global)?,
            false => (HashMap::new(), None),
        };
        let sources = Lookup {
            env,
            dotenv: &dotenv,
            dotenv_path,
        };
        if let Subcommands::Env = self.command {
            let settings = super::sources::resolve(&self.global, &sources);
            return Ok(Request {
                config: Config::new(DatabaseUrl::parse(DEFAULT_URL).map_err(Error::Usage)?, "."),
                action: Action::Env(settings),
                display,
                default_url: false,
                refresh_schema_file: false,
                fleet: None,
            });
        }
        let lookup = |name: &'static str| sources.get(name).map(|(value, _)| value);
        let (raw_url, default_url) = match self
            .global
            .database_url
            .clone()
            .or_else(|| lookup("DATABASE_URL"))
        {
            Some(url) => (url, false),
            None => (DEFAULT_URL.to_string(), true),
        };
        let url = match DatabaseUrl::parse(&raw_url) {
            Ok(url) => url,
            // A command that never connects is not stopped by a URL it does not use.
            Err(_) if !uses_database => DatabaseUrl::parse(DEFAULT_URL).map_err(Error::Usage)?,
            Err(message) => return Err(Error::Usage(message)),
        };
        let dir = self
            .global
            .dir
            .clone()
            .or_else(|| lookup("MIGRATE_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("."));
        let tables = match &self.global.table {
            Some(name) => TableNames::new(name).map_err(Error::Usage)?,
            None => TableNames::default(),
        };
        let config = Config {
            url,
            dir,
            tables,
            lock_wait: Duration::from_secs(self.global.lock_wait.unwrap_or(60)),
            connect_wait: self.global.wait,
            lock_timeout: self.global.lock_timeout,
            placeholders: placeholders(&dotenv, &self.global.placeholders),
            run_lock: run_lock(&self.global, &lookup)?,
        };
        let release_env = lookup("MIGRATE_RELEASE");
        let refresh_schema_file = !self.global.no_dump_schema;
        let mut action = action(self.command, release_env, self.global.lock_timeout)?;
        if let Action::Check(check) = &mut action
            && check.scratch_url.is_none()
        {
            check.scratch_url = lookup("MIGRATE_SCRATCH_URL")
                .map(|raw| scratch(&raw))
                .transpose()?;
        }
        if let Action::Squash(squash) = &mut action
            && squash.scratch_url.is_none()
        {
            squash.scratch_url = lookup("MIGRATE_SCRATCH_URL")
                .map(|raw| scratch(&raw))
                .transpose()?;
        }
        let targets = self
            .global
            .fleet
            .targets
            .clone()
            .or_else(|| lookup("MIGRATE_TARGETS").map(PathBuf::from));
        let fleet = match targets {
            Some(path) => {
                if self.global.database_url.is_some() {
                    return Err(Error::Usage(
                        "--targets names the databases: leave out --database-url".into(),
                    ));
                }
                let schedule = crate::fleet::Schedule {
                    parallel: usize::from(self.global.fleet.parallel),
                    canary: self.global.fleet.canary,
                    stop_on_failure: !self.global.fleet.continue_on_error,
                };
                // `${VAR}` of a target's URL: the environment, then `.env`.
                let variable = |name: &str| env(name).or_else(|| dotenv.get(name).cloned());
                Some(super::fleet::Fleet::read(
                    &path, &action, schedule, &variable,
                )?)
            }
            None => None,
        };
        Ok(Request {
            config,
            action,
            display,
            default_url: default_url && uses_database && fleet.is_none(),
            refresh_schema_file,
            fleet,
        })
    }
}

/// How wide the human tables may be: `COLUMNS` when set to a number, else
/// the width of the terminal stdout is, else no bound (a file or a pipe
/// gets the whole table).
fn output_width(env: &dyn Fn(&str) -> Option<String>) -> Option<usize> {
    env("COLUMNS")
        .and_then(|columns| columns.trim().parse::<usize>().ok())
        .filter(|columns| *columns > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(width), _)| usize::from(width))
        })
}

impl Subcommands {
    /// Whether the command connects to the database.
    fn uses_database(&self) -> bool {
        !matches!(
            self,
            Subcommands::New { .. }
                | Subcommands::Env
                | Subcommands::Completions { .. }
                | Subcommands::Man { .. }
                | Subcommands::Lint {
                    pending: false,
                    dialect: Some(_),
                    ..
                }
        )
    }

    /// Whether the command reads settings (the `.env` file).
    fn uses_settings(&self) -> bool {
        !matches!(
            self,
            Subcommands::Completions { .. } | Subcommands::Man { .. }
        )
    }
}

/// The values of placeholders: `.env`, then the environment over it (as for
/// every setting), then `--set` over both. The whole environment is read
/// because the names are known only once the files are: variables whose
/// name or value is not UTF-8 cannot be placeholders and are left out.
fn placeholders(dotenv: &HashMap<String, String>, set: &[(String, String)]) -> Placeholders {
    let mut placeholders = Placeholders::new();
    for (name, value) in dotenv {
        placeholders.set(name.clone(), value.clone());
    }
    for (name, value) in std::env::vars_os() {
        if let (Some(name), Some(value)) = (name.to_str(), value.to_str()) {
            placeholders.set(name, value);
        }
    }
    for (name, value) in set {
        placeholders.set(name.clone(), value.clone());
    }
    placeholders
}

/// `--lock-mode` and `--lock-lease`, or their variables
/// `MIGRATE_LOCK_MODE` and `MIGRATE_LOCK_LEASE`.
fn run_lock(
    global: &GlobalArgs,
    lookup: &dyn Fn(&'static str) -> Option<String>,
) -> Result<RunLock, Error> {
    let mut lock = RunLock::default();
    let mode = match &global.lock_mode {
        Some(mode) => Some(mode.clone()),
        None => lookup("MIGRATE_LOCK_MODE").filter(|mode| !mode.is_empty()),
    };
    if let Some(mode) = mode {
        lock.mode = LockMode::parse(&mode).map_err(|message| {
            Error::Usage(format!("--lock-mode / MIGRATE_LOCK_MODE: {message}"))
        })?;
    }
    let lease = match global.lock_lease {
        Some(lease) => Some(lease),
        None => lookup("MIGRATE_LOCK_LEASE")
            .filter(|lease| !lease.is_empty())
            .map(|lease| {
                crate::duration::parse(&lease)
                    .map_err(|message| Error::Usage(format!("MIGRATE_LOCK_LEASE: {message}")))
            })
            .transpose()?,
    };
    if let Some(lease) = lease {
        if lease < MIN_LOCK_LEASE {
            return Err(Error::Usage(format!(
                "--lock-lease {}: a lease must last at least {}",
                crate::duration::describe(lease),
                crate::duration::describe(MIN_LOCK_LEASE)
            )));
        }
        lock.lease = lease;
    }
    Ok(lock)
}

/// The `.env` file's variables, and the file they came from (none with
/// `--no-env-file`, or when `./.env` does not exist).
fn read_env_file(global: &GlobalArgs) -> Result<(HashMap<String, String>, Option<PathBuf>), Error> {
    if global.no_env_file {
        return Ok((HashMap::new(), None));
    }
    let (path, required) = match &global.env_file {
        Some(path) => (path.as_path(), true),
        None => (Path::new(".env"), false),
    };
    if !required && !path.exists() {
        return Ok((HashMap::new(), None));
    }
    Ok((super::env_file::read(path)?, Some(path.to_path_buf())))
}

/// A scratch database URL (`--scratch-url`, `MIGRATE_SCRATCH_URL`).
fn scratch(raw: &str) -> Result<DatabaseUrl, Error> {
    DatabaseUrl::parse(raw).map_err(|message| Error::Usage(format!("--scratch-url: {message}")))
}

fn release(flag: Option<String>, env: &Option<String>) -> Result<Option<Release>, Error> {
    flag.or_else(|| env.clone())
        .map(|label| Release::parse(&label).map_err(Error::Usage))
        .transpose()
}

/// `lint`, `check` and `squash` as their actions; any other command back.
fn proof_action(command: Subcommands) -> Result<Result<Action, Error>, Subcommands> {
    match command {
        Subcommands::Lint {
            pending,
            format,
            dialect,
        } => Ok(Ok(Action::Lint {
            pending,
            format,
            dialect,
        })),
        Subcommands::Check { from, scratch_url } => Ok(scratch_url
            .map(|raw| scratch(&raw))
            .transpose()
            .map(|scratch_url| Action::Check(crate::check::CheckRequest { from, scratch_url }))),
        Subcommands::Squash {
            version,
            archive,
            dry_run,
            finished,
            scratch_url,
        } => Ok(scratch_url
            .map(|raw| scratch(&raw))
            .transpose()
            .map(|scratch_url| {
                Action::Squash(crate::squash::SquashRequest {
                    version,
                    archive,
                    dry_run,
                    finished,
                    scratch_url,
                })
            })),
        other => Err(other),
    }
}

fn action(
    command: Subcommands,
    release_env: Option<String>,
    lock_timeout: Option<Duration>,
) -> Result<Action, Error> {
    let command = match phase_command(command) {
        Ok((command, change, extra)) => {
            return migrate_action(command, change, extra, &release_env, lock_timeout);
        }
        Err(other) => other,
    };
    let command = match proof_action(command) {
        Ok(action) => return action,
        Err(other) => other,
    };
    match command {
        Subcommands::Status { check } => Ok(Action::Status { check }),
        Subcommands::Version => Ok(Action::Version),
        Subcommands::Verify { accept, dry_run } => Ok(Action::Verify { accept, dry_run }),
        Subcommands::Log { id: Some(id), .. } => Ok(Action::LogEntry { id }),
        Subcommands::Log {
            id: None,
            errors,
            limit,
            version,
            repeatable,
        } => Ok(Action::Log(HistoryFilter {
            id: None,
            version,
            errors,
            limit,
            repeatable,
        })),
        Subcommands::New {
            name,
            simdrop,
            drop,
            timestamp,
            template,
        } => Ok(Action::New(NewVersion {
            name: crate::scaffold::words_joined(&name),
            simdrop,
            drop,
            timestamp,
            template,
        })),
        Subcommands::Completions { shell } => Ok(Action::Completions(shell)),
        Subcommands::Database {
            command: super::DatabaseCommand::Drop { yes: false },
        } => Err(Error::Usage(
            "database drop removes the database and everything in it: add --yes to drop it"
                .to_string(),
        )),
        Subcommands::Database { command } => Ok(Action::Database(command)),
        Subcommands::Man { command } => Ok(Action::Man { command }),
        Subcommands::SchemaDump {
            output,
            bootstrap,
            release: label,
            dry_run,
            allow_incomplete,
            schema,
            all_schemas,
        } => schema_dump_action(
            output,
            bootstrap,
            label,
            dry_run,
            allow_incomplete,
            schema,
            all_schemas,
            &release_env,
        ),
        Subcommands::Load => Ok(Action::Load),
        Subcommands::Mark {
            target,
            only,
            state,
            release: label,
            allow_drift,
            dry_run,
        } => {
            let options = Options {
                release: release(label, &release_env)?,
                allow_drift,
                ..Options::default()
            };
            mark_action(target, only, state, options, dry_run)
        }
        // The phase commands were taken by `phase_command` above; clap
        // cannot hand over anything else.
        phase => Err(Error::Usage(format!("unexpected command: {phase:?}"))),
    }
}

/// A phase command (`up`, `down`, `simdrop`, …) as the planner's command,
/// its change options and the options only it has; any other command back.
fn phase_command(command: Subcommands) -> Result<(Command, ChangeArgs, Options), Subcommands> {
    let none = Options::default();
    Ok(match command {
        Subcommands::Up {
            target,
            change,
            allow_out_of_order,
            resume,
            skip_unknown,
            rerun_unknown,
        } => (
            Command::Up(target),
            change,
            Options {
                allow_out_of_order,
                resume,
                unknown_statement: match (skip_unknown, rerun_unknown) {
                    (true, _) => Some(UnknownStatement::Committed),
                    (_, true) => Some(UnknownStatement::RolledBack),
                    _ => None,
                },
                ..none
            },
        ),
        Subcommands::Down(RollbackArgs {
            target,
            change,
            across_releases,
        }) => (
            Command::Down(target),
            change,
            Options {
                across_releases,
                ..none
            },
        ),
        Subcommands::Simdrop { target, change } => (Command::Simdrop(target), change, none),
        Subcommands::RollbackSimdrop(RollbackArgs {
            target,
            change,
            across_releases,
        }) => (
            Command::RollbackSimdrop(target),
            change,
            Options {
                across_releases,
                ..none
            },
        ),
        Subcommands::Drop { target, change } => (Command::Drop(target), change, none),
        Subcommands::Ff {
            target,
            change,
            allow_out_of_order,
        } => (
            Command::Ff(target),
            change,
            Options {
                allow_out_of_order,
                ..none
            },
        ),
        other => return Err(other),
    })
}

/// The run of a phase command.
fn migrate_action(
    command: Command,
    change: ChangeArgs,
    extra: Options,
    release_env: &Option<String>,
    lock_timeout: Option<Duration>,
) -> Result<Action, Error> {
    Ok(Action::Migrate {
        command,
        options: Options {
            only: change.only,
            release: release(change.release, release_env)?,
            allow_drift: change.allow_drift,
            ..extra
        },
        run: RunOptions {
            single_transaction: change.single_transaction,
            lock_timeout,
            ..RunOptions::default()
        },
        dry_run: change.dry_run,
    })
}

/// `schema_dump`, or `schema_dump --bootstrap`.
#[allow(clippy::too_many_arguments)]
fn schema_dump_action(
    output: Option<PathBuf>,
    bootstrap: bool,
    label: Option<String>,
    dry_run: bool,
    allow_incomplete: bool,
    schema: Option<Vec<String>>,
    all_schemas: bool,
    release_env: &Option<String>,
) -> Result<Action, Error> {
    let incomplete = match allow_incomplete {
        true => crate::schema::Incomplete::Allow,
        false => crate::schema::Incomplete::Refuse,
    };
    let scope = match (all_schemas, schema) {
        (true, _) => crate::dump::Scope::All,
        (false, Some(names)) => crate::dump::Scope::Named(names),
        (false, None) => crate::dump::Scope::Default,
    };
    Ok(match bootstrap {
        true => Action::Bootstrap {
            options: Options {
                release: release(label, release_env)?,
                ..Options::default()
            },
            dry_run,
            incomplete,
            scope,
        },
        false => Action::SchemaDump {
            output,
            incomplete,
            scope,
        },
    })
}

fn mark_action(
    target: Option<Version>,
    only: Option<Version>,
    state: Option<State>,
    options: Options,
    dry_run: bool,
) -> Result<Action, Error> {
    match (target, only, state) {
        (Some(target), None, None) => Ok(Action::Migrate {
            command: Command::Mark(target),
            options,
            run: RunOptions::default(),
            dry_run,
        }),
        (None, Some(version), Some(state)) => Ok(Action::MarkState {
            version,
            state,
            options,
            dry_run,
        }),
        _ => Err(Error::Usage(
            "mark takes either N, or --only N --state STATE".to_string(),
        )),
    }
}
