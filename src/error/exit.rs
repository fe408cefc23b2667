//! [`Exit`]: how the process ends, and every mapping to an exit code in one
//! place (SPEC section 6) — from an [`Error`], from what a check found, from
//! clap's verdict on the arguments, and from a failure to write the output.
//!
//! The top-level help lists the codes from [`Exit::ALL`], so a new code
//! cannot be added without the help saying what it means.

use std::io;

use super::Error;
use crate::interrupt::Signal;

/// How a run of the `migrate` command ends; [`Exit::code`] is its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Done,
    /// 1: a migration failed or the database refused the tool's own work.
    Failed,
    /// 2: bad usage, configuration or migrations folder.
    Usage,
    /// 3: a check found work, drift or problems (`status --check`, `verify`).
    Found,
    /// 4: the run lock, or a lock the run needs, was not acquired in time.
    Locked,
    /// 5: refused for safety; nothing was changed.
    Refused,
    /// 130 or 143: stopped by SIGINT or SIGTERM.
    Interrupted(Signal),
}

impl Exit {
    /// Every exit, in the order of their codes: what the help lists.
    pub const ALL: [Exit; 8] = [
        Exit::Done,
        Exit::Failed,
        Exit::Usage,
        Exit::Found,
        Exit::Locked,
        Exit::Refused,
        Exit::Interrupted(Signal::Interrupt),
        Exit::Interrupted(Signal::Terminate),
    ];

    /// The process's exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Found => 3,
            Exit::Locked => 4,
            Exit::Refused => 5,
            // The shell's convention: 128 plus the signal's number.
            Exit::Interrupted(Signal::Interrupt) => 130,
            Exit::Interrupted(Signal::Terminate) => 143,
        }
    }

    /// What the code means, as the help says it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Done => "done",
            Exit::Failed => "a migration or the database failed",
            Exit::Usage => "bad usage or folder",
            Exit::Found => "a check found work or drift",
            Exit::Locked => "the run lock was not acquired",
            Exit::Refused => "refused for safety",
            Exit::Interrupted(Signal::Interrupt) => "stopped by SIGINT",
            Exit::Interrupted(Signal::Terminate) => "stopped by SIGTERM",
        }
    }

    /// The help's paragraph: `Exit codes: 0 done, 1 …`, an entry never split
    /// across lines, each line under 90 columns.
    pub fn help() -> String {
        const WIDTH: usize = 90;
        let mut text = String::from("Exit codes:");
        let mut line_length = text.len();
        for (index, exit) in Exit::ALL.iter().enumerate() {
            let end = if index + 1 == Exit::ALL.len() {
                "."
            } else {
                ","
            };
            let entry = format!("{} {}{end}", exit.code(), exit.meaning());
            if line_length + 1 + entry.len() > WIDTH {
                text.push('\n');
                line_length = 0;
            } else {
                text.push(' ');
                line_length += 1;
            }
            line_length += entry.len();
            text.push_str(&entry);
        }
        text
    }

    /// clap's verdict: 0 for `--help` and `--version`, 2 for bad usage.
    #[cfg(feature = "cli")]
    pub fn of_arguments(error: &clap::Error) -> Exit {
        match error.use_stderr() {
            true => Exit::Usage,
            false => Exit::Done,
        }
    }

    /// A failure to write the output: a stdout closed by a pipe
    /// (`migrate status | head`) is not an error (ripgrep's rule).
    pub fn of_write(error: &io::Error) -> Exit {
        match error.kind() {
            io::ErrorKind::BrokenPipe => Exit::Done,
            _ => Exit::Failed,
        }
    }

    /// A check's verdict (`status --check`, `verify`, `lint`, `check`):
    /// exit 3 when it found work, drift or problems. What counts as found is
    /// the check's own question, answered where its values live.
    pub(crate) fn of_check(found: bool) -> Exit {
        match found {
            true => Exit::Found,
            false => Exit::Done,
        }
    }
}

impl From<&Error> for Exit {
    fn from(error: &Error) -> Exit {
        match error {
            Error::Migration(_) | Error::Database { .. } => Exit::Failed,
            Error::Folder(_) | Error::Preflight(_) | Error::Usage(_) => Exit::Usage,
            Error::Refused(refusal) if refusal.is_usage() => Exit::Usage,
            Error::Refused(_) | Error::UnsafePlan(_) => Exit::Refused,
            Error::LockTimeout { .. }
            | Error::DatabaseBusy { .. }
            | Error::ChangedByAnotherRun { .. } => Exit::Locked,
            Error::Interrupted { signal, .. } | Error::CheckInterrupted { signal } => {
                Exit::Interrupted(*signal)
            }
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    #[test]
    fn codes_are_the_specs() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|exit| exit.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 130, 143]);
        for signal in [Signal::Interrupt, Signal::Terminate] {
            assert_eq!(Exit::Interrupted(signal).code(), signal.exit_code());
        }
    }

    #[test]
    fn the_help_paragraph() {
        insta::assert_snapshot!(Exit::help(), @r"
        Exit codes: 0 done, 1 a migration or the database failed, 2 bad usage or folder,
        3 a check found work or drift, 4 the run lock was not acquired, 5 refused for safety,
        130 stopped by SIGINT, 143 stopped by SIGTERM.
        ");
    }

    /// The top-level help carries the list, and the commands whose help
    /// names a code name the one `Exit` decides.
    #[test]
    fn the_help_names_the_codes_exit_decides() {
        let mut cli = Cli::command();
        let help = cli.render_long_help().to_string();
        assert!(help.contains(&Exit::help()), "{help}");
        let lock_wait = format!("before exiting {}", Exit::Locked.code());
        assert!(help.contains(&lock_wait), "{help}");
        let found = Exit::Found.code();
        for (command, phrase) in [
            ("status", format!("Exit {found} when")),
            ("verify", format!("exit {found} on drift")),
        ] {
            let sub = cli
                .find_subcommand_mut(command)
                .map(|sub| sub.render_long_help());
            let text = sub.map(|help| help.to_string()).unwrap_or_default();
            assert!(text.contains(&phrase), "{command}: {text}");
        }
    }

    #[test]
    fn arguments_and_writes() {
        let help = Cli::command().try_get_matches_from(["migrate", "--help"]);
        let bad = Cli::command().try_get_matches_from(["migrate", "nosuchcommand"]);
        assert_eq!(
            help.err().map(|error| Exit::of_arguments(&error)),
            Some(Exit::Done)
        );
        assert_eq!(
            bad.err().map(|error| Exit::of_arguments(&error)),
            Some(Exit::Usage)
        );
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(Exit::of_write(&pipe), Exit::Done);
        let full = io::Error::other("disk full");
        assert_eq!(Exit::of_write(&full), Exit::Failed);
    }
}
