//! The presenter: every human and JSON document the command prints, built
//! from values, and the one place that writes them.
//!
//! Each command's result becomes a [`Document`] — its JSON value, its human
//! text and its [`Exit`] — in the submodule of its subject; the
//! [`Presenter`] writes one of the two to any [`Write`] (`--json`, `-q`), and
//! a failure as `error:` lines plus, with `--json`, the document the command
//! would have printed with an `"error"` object added. So every document can
//! be tested from values alone, without a database.
//!
//! Human text carries ANSI styles (state names, outcomes, `error:`). The
//! binary writes through `anstream`, which drops them unless the stream is a
//! terminal and `NO_COLOR` is unset; a library caller that prints these
//! strings elsewhere can strip them with [`anstream::adapter::strip_str`].

mod check;
mod env;
mod error;
pub(crate) mod fleet;
mod lint;
mod live;
mod log;
mod operations;
mod squash;
pub(crate) mod status;
mod style;
mod text;
mod verify;

pub mod json;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

use serde_json::{Value, json};

pub use self::check::check;
pub use self::env::env;
pub use self::error::{error_line, json_arguments_error, json_error};
pub use self::lint::{LintFormat, lint};
pub use self::live::{Live, LiveMode};
pub use self::log::{log, log_entry};
pub use self::operations::{
    Columns, bootstrap, bootstrap_preview, json_operations, mark_state, operation_line, plan,
    summary,
};
pub use self::squash::squash;
pub use self::status::{status, version};
pub use self::style::OutputStyle;
pub use self::text::{completions, created, database, loaded, man, schema, schema_written};
pub use self::verify::verify;
use crate::error::{Error, Exit};
use crate::execute::{Progress, Report};
use crate::settings::DEFAULT_URL;

/// What a command prints when it succeeds, and how the process then ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The `--json` document.
    pub json: Value,
    /// The human text, each line ending in `\n`.
    pub human: String,
    /// [`Exit::Done`], or [`Exit::Found`] for a check that found something.
    pub exit: Exit,
}

impl Document {
    /// A document that exits 0.
    pub fn new(json: Value, human: impl Into<String>) -> Document {
        Document {
            json,
            human: human.into(),
            exit: Exit::Done,
        }
    }

    /// The same document, ending the process with `exit`.
    pub fn exit(self, exit: Exit) -> Document {
        Document { exit, ..self }
    }
}

/// Which form of a document prints: what a builder whose forms are costly
/// builds alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `--json`.
    Json,
    /// The human text (also under `-q`, which prints nothing of it).
    Human,
}

/// What a failed command's JSON document holds beside `"error"`: the key
/// of the result it would have printed, empty, so a script reads one shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty<'a> {
    /// `{}`: the error object alone.
    Nothing,
    /// `{"operations": []}`: the changing commands and their dry runs.
    Operations,
    /// `{"database": URL}`: `status`.
    Status {
        /// The URL without its password.
        database: &'a str,
    },
    /// `{"drift": []}`: `verify`.
    Drift,
    /// `{"entries": []}`: `log`.
    Entries,
    /// `{"entry": null}`: `log ID`.
    Entry,
    /// `{"created": []}`: `new`.
    Created,
    /// `{"output": null}`: `schema_dump --output`.
    Output,
    /// `{"schema": null}`: `schema_dump`.
    Schema,
    /// `{"bootstrapped": null}`: `schema_dump --bootstrap`.
    Bootstrapped,
    /// `{"loaded": null}`: `load`.
    Loaded,
    /// `{"man": null}`: `man`.
    Man,
    /// `{"findings": []}`: `lint` and `check`.
    Findings,
    /// `{"squash": null}`: `squash`.
    Squash,
}

impl Empty<'_> {
    /// The document, before the `"error"` object is added.
    pub fn document(self) -> Value {
        match self {
            Empty::Nothing => json!({}),
            Empty::Operations => json!({ "operations": [] }),
            Empty::Status { database } => json!({ "database": database }),
            Empty::Drift => json!({ "drift": [] }),
            Empty::Entries => json!({ "entries": [] }),
            Empty::Entry => json!({ "entry": null }),
            Empty::Created => json!({ "created": [] }),
            Empty::Output => json!({ "output": null }),
            Empty::Schema => json!({ "schema": null }),
            Empty::Bootstrapped => json!({ "bootstrapped": null }),
            Empty::Loaded => json!({ "loaded": null }),
            Empty::Man => json!({ "man": null }),
            Empty::Findings => json!({ "findings": [] }),
            Empty::Squash => json!({ "squash": null }),
        }
    }
}

/// Writes documents and errors: results to `out` (stdout), diagnostics to
/// `err` (stderr), as `--json`, `-q` and `-v` ask. An `Err` is only a
/// failure to write.
pub struct Presenter<'w> {
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    display: OutputStyle,
    /// The widths of the run's operation lines, once its plan is known.
    columns: Columns,
}

impl<'w> Presenter<'w> {
    /// A presenter writing to `out` and `err`.
    pub fn new(
        out: &'w mut dyn Write,
        err: &'w mut dyn Write,
        display: OutputStyle,
    ) -> Presenter<'w> {
        Presenter {
            out,
            err,
            display,
            columns: Columns::default(),
        }
    }

    /// The output options.
    pub fn display(&self) -> OutputStyle {
        self.display
    }

    /// Whether `--json` asks for one JSON document.
    pub fn json(&self) -> bool {
        self.display.json
    }

    /// Whether `-v` asks for more (a dry run's SQL).
    pub fn verbose(&self) -> bool {
        self.display.verbose > 0
    }

    /// Says on stderr, unless `-q`, that no URL was given and the default is used.
    pub fn default_url(&mut self) -> io::Result<()> {
        if self.display.quiet {
            return Ok(());
        }
        writeln!(
            self.err,
            "migrate: no --database-url or DATABASE_URL given; using the embedded default {DEFAULT_URL}"
        )
    }

    /// Prints the document, or the error with `empty`'s document.
    pub fn show(&mut self, result: Result<Document, Error>, empty: Empty) -> io::Result<Exit> {
        match result {
            Ok(document) => {
                self.write(&document)?;
                Ok(document.exit)
            }
            Err(error) => self.fail(&error, empty.document()),
        }
    }

    /// The form that [`Presenter::show`] prints.
    pub fn form(&self) -> Form {
        match self.display.json {
            true => Form::Json,
            false => Form::Human,
        }
    }

    /// Prints an error that stopped the request before it ran.
    pub fn error(&mut self, error: &Error) -> io::Result<Exit> {
        self.fail(error, Empty::Nothing.document())
    }

    /// Takes in a run's progress: its plan sets the widths of the lines,
    /// and each operation's line prints as it finishes, unless `--json` or
    /// `-q`. (What runs meanwhile shows on stderr, by [`Live`].)
    pub fn progress(&mut self, progress: Progress<'_>) {
        match progress {
            Progress::Plan(upcoming) => {
                self.columns = Columns::of(
                    upcoming
                        .iter()
                        .map(|next| (next.operation.as_str(), next.version, next.file.as_deref())),
                );
            }
            Progress::Done(report) if !self.display.json && !self.display.quiet => {
                // A closed stdout must not stop the run: the result is still
                // recorded, and the exit code still says how it ended.
                let _ = writeln!(self.out, "{}", operation_line(report, &self.columns));
            }
            _ => {}
        }
    }

    /// Prints the end of a run: its summary or `{"operations": [...]}`,
    /// then the error that stopped it, if any.
    pub fn ran(&mut self, done: &[Report], error: Option<&Error>, ms: u64) -> io::Result<Exit> {
        if self.display.json {
            writeln!(self.out, "{}", json::render(&json_operations(done, error)))?;
        } else if !self.display.quiet && (error.is_none() || !done.is_empty()) {
            writeln!(self.out, "{}", summary(done, ms, error.is_some()))?;
        }
        match error {
            Some(error) => {
                self.error_lines(error)?;
                Ok(Exit::from(error))
            }
            None => Ok(Exit::Done),
        }
    }

    /// Says on stderr that a stopped file left `version` failed, with what
    /// committed and the commands that get past it.
    pub fn left_failed(
        &mut self,
        version: crate::version::Version,
        failure: &crate::status::FailureStatus,
        fixes: &[crate::status::Fix],
    ) -> io::Result<()> {
        let line = status::left_failed_line(version, failure, fixes);
        writeln!(self.err, "{}", error_line(&line))
    }

    /// After a repeatable file that ran statement by statement stopped:
    /// what committed stays, and the next `up` runs the file again.
    pub fn repeatable_left(&mut self, path: &str) -> io::Result<()> {
        let line = format!(
            "{path} is still `changed`: it ran outside a transaction, so any statements \
             before the failed one committed and stay; fix the file and run `migrate up`, \
             which runs it again from its first statement"
        );
        writeln!(self.err, "{}", error_line(&line))
    }

    /// The JSON document or the human text; nothing with `-q`.
    fn write(&mut self, document: &Document) -> io::Result<()> {
        if self.display.json {
            writeln!(self.out, "{}", json::render(&document.json))
        } else if self.display.quiet {
            Ok(())
        } else {
            write!(self.out, "{}", document.human)
        }
    }

    /// `error:` lines on stderr and, with `--json`, `document` with the error added.
    fn fail(&mut self, error: &Error, mut document: Value) -> io::Result<Exit> {
        self.error_lines(error)?;
        if self.display.json {
            document["error"] = json_error(error);
            writeln!(self.out, "{}", json::render(&document))?;
        }
        Ok(Exit::from(error))
    }

    fn error_lines(&mut self, error: &Error) -> io::Result<()> {
        for line in error.lines() {
            writeln!(self.err, "{}", error_line(&line))?;
        }
        Ok(())
    }
}

/// Prints clap's message (help and `--version` included) its own way and,
/// when it is an error and `--json` is among the arguments, the error
/// document on `out`. Returns clap's verdict.
pub fn arguments_error(error: &clap::Error, args: &[String], out: &mut dyn Write) -> Exit {
    let exit = Exit::of_arguments(error);
    // Nothing is left to report a failure to write to: the exit code says it.
    let _ = error.print();
    if exit != Exit::Done && args.iter().any(|arg| arg == "--json") {
        let document = json_arguments_error(&error.render().to_string(), exit);
        let _ = writeln!(out, "{document}");
    }
    exit
}
