//! Typed errors, grouped by where they arise, and [`Exit`], the one mapping
//! to exit codes (SPEC section 6), in the `exit` module.
//!
//! Exit 3 ("a check found work or drift") is an outcome, not an error: the
//! same module maps it from what the check found.

mod exit;

use std::fmt;
use std::time::Duration;

use crate::state::Operation;
use crate::version::Version;

pub use self::exit::Exit;
pub use crate::refusal::Refusal;
pub use crate::scan::FileProblem;

/// What the database said when it refused something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    /// The database's own message.
    pub message: String,
    /// Its error code (SQLSTATE, MySQL error number, SQLite result code name).
    pub code: Option<String>,
    /// Whether the statement failed only because it waited too long for a lock.
    pub lock_timeout: bool,
    /// Whether the server refused the connection only for now (PostgreSQL
    /// starting up): `--wait` tries again, as when no server answers.
    pub not_accepting_yet: bool,
}

impl DbError {
    /// An error with a message and nothing else.
    pub fn new(message: impl Into<String>) -> DbError {
        DbError {
            message: message.into(),
            code: None,
            lock_timeout: false,
            not_accepting_yet: false,
        }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(formatter, "{} ({code})", self.message),
            None => formatter.write_str(&self.message),
        }
    }
}

impl std::error::Error for DbError {}

/// A migration file that failed while it ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {source}", location(path, *line))]
pub struct MigrationError {
    /// The version; `None` for a repeatable file.
    pub version: Option<Version>,
    /// The operation that ran; `None` for a repeatable file.
    pub operation: Option<Operation>,
    /// The file, relative to the migrations folder.
    pub path: String,
    /// 1-based line of the failing statement.
    pub line: Option<usize>,
    /// What the database said.
    #[source]
    pub source: DbError,
}

/// `path:line` or `path`.
pub fn location(path: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The migrations folder is broken (exit 2).
    #[error("{}", problems_text(.0))]
    Folder(Vec<FileProblem>),
    /// A file of the plan would fail for a reason found before running anything (exit 2).
    #[error("{}", problems_text(.0))]
    Preflight(Vec<FileProblem>),
    /// Preflight refused the plan for safety (exit 5): it would run a file
    /// where it cannot be atomic under `--single-transaction`, or resume
    /// over committed statements that changed. Other problems found in the
    /// plan are listed with it.
    #[error("{}", problems_text(.0))]
    UnsafePlan(Vec<FileProblem>),
    /// Bad usage or configuration (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The planner refused (exit 5, or 2 for a request naming nothing).
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// A migration failed (exit 1).
    #[error(transparent)]
    Migration(Box<MigrationError>),
    /// The database refused the tool's own work (exit 1).
    #[error("{context}: {source}")]
    Database {
        /// What the tool was doing.
        context: String,
        /// What the database said.
        #[source]
        source: DbError,
    },
    /// SIGINT or SIGTERM stopped the run (exit 130 or 143): the running
    /// statement was cancelled and its file rolled back or recorded failed.
    #[error(
        "interrupted by {}{}; the versions before it stay applied: run `migrate status`",
        signal.name(),
        stopped.as_ref().map(|error| format!(
            ", {} was stopped ({})", location(&error.path, error.line), error.source
        )).unwrap_or_default()
    )]
    Interrupted {
        /// The signal.
        signal: crate::interrupt::Signal,
        /// The file that was running, and how it stopped.
        stopped: Option<Box<MigrationError>>,
    },
    /// SIGINT or SIGTERM stopped `check` (exit 130 or 143): its scratch
    /// database is dropped and the target was never touched.
    #[error(
        "interrupted by {}; check stopped and dropped its scratch database; the target \
         database was not touched",
        signal.name()
    )]
    CheckInterrupted {
        /// The signal.
        signal: crate::interrupt::Signal,
    },
    /// Another run changed a version while this one held the run lock (exit
    /// 4): the lock was bypassed, and this run stopped before the file ran.
    #[error(
        "version {version}{} was changed by another run while this one held the run lock, \
         so it was not run again; the database is reached by another path (a hard link or \
         a second mount of the SQLite file) that takes a lock of its own: give every host \
         one path to it, then run `migrate status`",
        file.as_ref().map(|file| format!(" ({file})")).unwrap_or_default()
    )]
    ChangedByAnotherRun {
        /// The version.
        version: Version,
        /// The file that was about to run.
        file: Option<String>,
    },
    /// Another program holds a lock on the database that the run needs
    /// before it can start, such as SQLite's write lock (exit 4).
    #[error("{what}; gave up after {}s (--lock-wait)", waited.as_secs_f64())]
    DatabaseBusy {
        /// How long this run waited.
        waited: Duration,
        /// What it waited for, and who holds it.
        what: String,
    },
    /// Another run holds the lock (exit 4).
    #[error(
        "another migrate run holds the lock{}; gave up after {}s (--lock-wait)",
        holder.as_ref().map(|holder| format!(" ({holder})")).unwrap_or_default(),
        waited.as_secs_f64()
    )]
    LockTimeout {
        /// How long this run waited.
        waited: Duration,
        /// Who holds it, where the database can tell.
        holder: Option<String>,
    },
}

fn problems_text(problems: &[FileProblem]) -> String {
    problems
        .iter()
        .map(|problem| {
            format!(
                "{}: {}",
                location(&problem.path, problem.line),
                problem.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The process exit code for this error (SPEC section 6), as [`Exit`] decides it.
    pub fn exit_code(&self) -> u8 {
        Exit::from(self).code()
    }

    /// The messages to print, one `error:` line each: one per file problem,
    /// otherwise one message (a database's multi-line message stays whole).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Error::Folder(problems) | Error::Preflight(problems) | Error::UnsafePlan(problems) => {
                problems
                    .iter()
                    .map(|problem| problems_text(std::slice::from_ref(problem)))
                    .collect()
            }
            other => vec![other.to_string()],
        }
    }

    /// The file and line the error points at, for `--json`.
    pub fn file_and_line(&self) -> (Option<String>, Option<usize>) {
        match self {
            Error::Migration(error)
            | Error::Interrupted {
                stopped: Some(error),
                ..
            } => (Some(error.path.clone()), error.line),
            Error::Folder(problems) | Error::Preflight(problems) | Error::UnsafePlan(problems) => {
                problems.first().map_or((None, None), |problem| {
                    (Some(problem.path.clone()), problem.line)
                })
            }
            _ => (None, None),
        }
    }

    /// Wraps a database error with what the tool was doing.
    pub fn database(context: impl Into<String>) -> impl FnOnce(DbError) -> Error {
        let context = context.into();
        move |source| Error::Database { context, source }
    }
}

impl From<MigrationError> for Error {
    fn from(error: MigrationError) -> Error {
        Error::Migration(Box::new(error))
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Refused(Box::new(refusal))
    }
}
