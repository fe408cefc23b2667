//! Where each setting came from, for `migrate env`: the command line, the
//! real environment, the `.env` file, or the default, in that order of
//! precedence (the order `request` resolves them in, through the same
//! [`Lookup`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::GlobalArgs;
use crate::duration;
use crate::settings::{DEFAULT_URL, DatabaseUrl, Kind, redact};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A command-line option, e.g. `--database-url`.
    Flag(&'static str),
    /// A variable of the real environment.
    Environment(&'static str),
    /// A variable of the `.env` file at the path.
    EnvFile(&'static str, PathBuf),
    /// The built-in default.
    Default,
}

impl Source {
    /// `flag`, `environment`, `.env` or `default`: the JSON `"from"`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Source::Flag(_) => "flag",
            Source::Environment(_) => "environment",
            Source::EnvFile(..) => ".env",
            Source::Default => "default",
        }
    }

    /// The option or variable that set it (`--dir`, `MIGRATE_DIR`), if any.
    pub(crate) fn name(&self) -> Option<&'static str> {
        match self {
            Source::Flag(name) | Source::Environment(name) | Source::EnvFile(name, _) => Some(name),
            Source::Default => None,
        }
    }

    /// The `.env` file that set it.
    pub(crate) fn file(&self) -> Option<&Path> {
        match self {
            Source::EnvFile(_, path) => Some(path),
            _ => None,
        }
    }
}

/// One resolved setting: its name, its value as shown (a URL without its
/// password), and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting {
    /// `database_url`, `dir`, …
    pub(crate) name: &'static str,
    /// The value, secrets removed.
    pub(crate) value: String,
    /// Where it came from.
    pub(crate) from: Source,
    /// What is wrong with the value, when a command would refuse it.
    pub(crate) problem: Option<String>,
}

/// Reads a variable from the real environment, then the `.env` file.
pub(crate) struct Lookup<'a> {
    pub(crate) env: &'a dyn Fn(&str) -> Option<String>,
    pub(crate) dotenv: &'a HashMap<String, String>,
    /// The `.env` file read, if any.
    pub(crate) dotenv_path: Option<PathBuf>,
}

impl Lookup<'_> {
    /// The variable's value and where it was found.
    pub(crate) fn get(&self, name: &'static str) -> Option<(String, Source)> {
        if let Some(value) = (self.env)(name) {
            return Some((value, Source::Environment(name)));
        }
        let value = self.dotenv.get(name)?.clone();
        let path = self
            .dotenv_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(".env"));
        Some((value, Source::EnvFile(name, path)))
    }

    /// A flag, else the variable.
    pub(crate) fn flag_or(
        &self,
        flag: Option<String>,
        option: &'static str,
        name: &'static str,
    ) -> Option<(String, Source)> {
        flag.map(|value| (value, Source::Flag(option)))
            .or_else(|| self.get(name))
    }
}

/// Every setting `migrate` resolves, with its source.
pub(super) fn resolve(global: &GlobalArgs, lookup: &Lookup<'_>) -> Vec<Setting> {
    let setting = |name, value: String, from| Setting {
        name,
        value,
        from,
        problem: None,
    };
    let mut settings = Vec::new();
    let url = lookup.flag_or(
        global.database_url.clone(),
        "--database-url",
        "DATABASE_URL",
    );
    let kind = url.as_ref().map_or(Ok(true), |(raw, _)| {
        DatabaseUrl::parse(raw).map(|url| matches!(url.kind(), Kind::Sqlite(_)))
    });
    settings.push(match url {
        Some((raw, from)) => Setting {
            problem: DatabaseUrl::parse(&raw).err(),
            ..setting("database_url", redact(&raw), from)
        },
        None => setting("database_url", DEFAULT_URL.to_string(), Source::Default),
    });
    let dir = lookup.flag_or(
        global.dir.as_ref().map(|dir| dir.display().to_string()),
        "--dir",
        "MIGRATE_DIR",
    );
    settings.push(match dir {
        Some((dir, from)) => setting("dir", dir, from),
        None => setting("dir", ".".to_string(), Source::Default),
    });
    settings.push(match &global.table {
        Some(table) => setting("table", table.clone(), Source::Flag("--table")),
        None => setting("table", "db_version".to_string(), Source::Default),
    });
    settings.push(match lookup.get("MIGRATE_RELEASE") {
        Some((label, from)) => setting("release", label, from),
        None => setting(
            "release",
            "the highest numeric label + 1".to_string(),
            Source::Default,
        ),
    });
    settings.push(match global.lock_wait {
        Some(seconds) => setting(
            "lock_wait",
            format!("{seconds}s"),
            Source::Flag("--lock-wait"),
        ),
        None => setting("lock_wait", "60s".to_string(), Source::Default),
    });
    settings.push(match global.lock_timeout {
        Some(timeout) if timeout.is_zero() => setting(
            "lock_timeout",
            "0 (no bound)".to_string(),
            Source::Flag("--lock-timeout"),
        ),
        Some(timeout) => setting(
            "lock_timeout",
            duration::describe(timeout),
            Source::Flag("--lock-timeout"),
        ),
        None => setting("lock_timeout", default_lock_timeout(kind), Source::Default),
    });
    settings.push(match global.wait {
        Some(wait) => setting("wait", duration::describe(wait), Source::Flag("--wait")),
        None => setting("wait", "off (one try)".to_string(), Source::Default),
    });
    settings.push(match (global.no_env_file, &lookup.dotenv_path) {
        (true, _) => setting(
            "env_file",
            "none".to_string(),
            Source::Flag("--no-env-file"),
        ),
        (false, Some(path)) => setting(
            "env_file",
            path.display().to_string(),
            match &global.env_file {
                Some(_) => Source::Flag("--env-file"),
                None => Source::Default,
            },
        ),
        (false, None) => setting("env_file", "none (no ./.env)".to_string(), Source::Default),
    });
    settings.push(match global.no_dump_schema {
        true => setting(
            "dump_schema",
            "off".to_string(),
            Source::Flag("--no-dump-schema"),
        ),
        false => setting(
            "dump_schema",
            "on when schema/ exists".to_string(),
            Source::Default,
        ),
    });
    settings.push(match lookup.get("MIGRATE_SCRATCH_URL") {
        Some((raw, from)) => setting("scratch_url", redact(&raw), from),
        None => setting(
            "scratch_url",
            "a temporary database beside the URL's".to_string(),
            Source::Default,
        ),
    });
    settings.push(match (lookup.env)("MIGRATE_PROGRESS_EVERY") {
        Some(every) => setting(
            "progress_every",
            every,
            Source::Environment("MIGRATE_PROGRESS_EVERY"),
        ),
        None => setting(
            "progress_every",
            format!(
                "{} then every {}",
                duration::describe(Duration::from_secs(5)),
                duration::describe(Duration::from_secs(30))
            ),
            Source::Default,
        ),
    });
    let lock_mode = lookup.flag_or(global.lock_mode.clone(), "--lock-mode", "MIGRATE_LOCK_MODE");
    settings.push(match lock_mode {
        Some((mode, from)) => setting("lock_mode", mode, from),
        None => setting(
            "lock_mode",
            "advisory; table behind a pooler".to_string(),
            Source::Default,
        ),
    });
    let lease = lookup.flag_or(
        global.lock_lease.map(duration::describe),
        "--lock-lease",
        "MIGRATE_LOCK_LEASE",
    );
    settings.push(match lease {
        Some((lease, from)) => setting("lock_lease", lease, from),
        None => setting("lock_lease", "30s".to_string(), Source::Default),
    });
    let targets = lookup.flag_or(
        global
            .fleet
            .targets
            .as_ref()
            .map(|path| path.display().to_string()),
        "--targets",
        "MIGRATE_TARGETS",
    );
    settings.push(match targets {
        Some((path, from)) => setting("targets", path, from),
        None => setting(
            "targets",
            "none (one database)".to_string(),
            Source::Default,
        ),
    });
    // The values of secret-looking placeholders are never printed.
    for (name, value) in &global.placeholders {
        let shown = match crate::placeholders::is_secret(name) {
            true => crate::placeholders::HIDDEN.to_string(),
            false => value.clone(),
        };
        settings.push(setting(
            "set",
            format!("{name}={shown}"),
            Source::Flag("--set"),
        ));
    }
    settings
}

/// The default lock timeout of the URL's database (SPEC section 5), by
/// whether it is SQLite.
fn default_lock_timeout(sqlite: Result<bool, String>) -> String {
    match sqlite {
        Ok(true) => "SQLite's busy timeout".to_string(),
        Ok(false) => "5s, 3 retries of a transactional file".to_string(),
        Err(_) => "5s on PostgreSQL and MySQL".to_string(),
    }
}
