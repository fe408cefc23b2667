//! `--targets`: the command of the request run on every database of the
//! targets file, as [`crate::fleet`] schedules it, each target exactly as a
//! single run with `--json` would run it; then the lines, summary, matrix
//! or document of [`crate::output::fleet`].

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use super::{Action, OutputStyle, Request};
use crate::error::{Error, Exit};
use crate::fleet::{self, Event, Schedule, Target};
use crate::output::fleet::{self as shown, Counts, Named, TargetRun};
use crate::scan::FileProblem;

/// The targets of a run and how to schedule them.
#[derive(Debug, Clone)]
pub(crate) struct Fleet {
    targets: Vec<Target>,
    schedule: Schedule,
}

/// The most a targets file may hold: a fleet, not a dump.
const MAX_TARGETS_FILE: u64 = 16 * 1024 * 1024;

impl Fleet {
    /// Reads the targets file at `path` for `action`, or says why not
    /// (exit 2, naming the file and line).
    pub(crate) fn read(
        path: &Path,
        action: &Action,
        schedule: Schedule,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Fleet, Error> {
        if let Some(reason) = unsupported(action) {
            return Err(Error::Usage(format!("--targets: {reason}")));
        }
        let shown_path = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|error| Error::Usage(format!("--targets {shown_path}: {error}")))?
            .len();
        if size > MAX_TARGETS_FILE {
            return Err(Error::Usage(format!(
                "--targets {shown_path}: the file is larger than 16 MiB"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|error| Error::Usage(format!("--targets {shown_path}: {error}")))?;
        let targets = fleet::targets::parse(&text, env).map_err(|problems| {
            Error::Preflight(
                problems
                    .into_iter()
                    .map(|problem| FileProblem {
                        path: shown_path.clone(),
                        line: (problem.line > 0).then_some(problem.line),
                        message: problem.message,
                    })
                    .collect(),
            )
        })?;
        Ok(Fleet { targets, schedule })
    }
}

/// Why `action` cannot run over a fleet, if it cannot.
fn unsupported(action: &Action) -> Option<&'static str> {
    match action {
        Action::Migrate { .. }
        | Action::Status { .. }
        | Action::Version
        | Action::Verify { .. }
        | Action::Log(_)
        | Action::LogEntry { .. }
        | Action::MarkState { .. }
        | Action::Database(_)
        | Action::Load => None,
        Action::SchemaDump { .. } | Action::Bootstrap { .. } => Some(
            "schema_dump writes one schema file, which cannot hold many databases: run it \
             on one database",
        ),
        Action::Check(_) => {
            Some("check proves the folder on a scratch database, not on each target")
        }
        Action::Squash(_) => {
            Some("squash rewrites the folder from a scratch database, not from each target")
        }
        Action::New(_)
        | Action::Env(_)
        | Action::Lint { .. }
        | Action::Completions(_)
        | Action::Man { .. } => Some("this command does not use a database"),
    }
}

/// Whether the command changes databases: only then does a failure stop
/// new targets from starting; a read is worth having from every target.
fn changes(action: &Action) -> bool {
    match action {
        Action::Migrate { dry_run, .. } | Action::MarkState { dry_run, .. } => !dry_run,
        Action::Verify { accept, dry_run } => *accept && !dry_run,
        Action::Load | Action::Database(_) => true,
        _ => false,
    }
}

/// Runs the request on every target; the exit is the fleet's.
pub(crate) fn run(request: Request, fleet: Fleet, out: &mut dyn Write) -> io::Result<Exit> {
    let display = request.display;
    let is_status = matches!(request.action, Action::Status { .. });
    let schedule = Schedule {
        stop_on_failure: fleet.schedule.stop_on_failure && changes(&request.action),
        ..fleet.schedule
    };
    let width = fleet
        .targets
        .iter()
        .map(|target| target.name.chars().count())
        .max()
        .unwrap_or(0);
    let work = |target: &Target| run_one(&request, target, display.json);
    let failed = |run: &TargetRun| run.failed();
    let live = !display.json && !display.quiet && io::stderr().is_terminal();
    // The live line goes to stderr itself: `err` drops escape codes under
    // NO_COLOR, and the line must still be erased.
    let mut terminal = io::stderr();
    let started = Instant::now();
    let (mut done, mut failures, mut running) = (0, 0, 0);
    let mut write_error = None;
    let total = fleet.targets.len();
    let results = fleet::run(&fleet.targets, schedule, &work, &failed, &mut |event| {
        let written = match event {
            Event::Started => {
                running += 1;
                Ok(())
            }
            Event::Finished(index, result) => {
                running -= 1;
                done += 1;
                failures += usize::from(result.failed());
                let name = &fleet.targets[index].name;
                clear_live(live, &mut terminal)
                    .and_then(|()| finished(out, display, is_status, name, width, result))
            }
            Event::Tick => Ok(()),
        };
        let progress = shown::progress_line(total, done, failures, running, started.elapsed());
        let shown = written.and_then(|()| match live {
            true => write!(terminal, "\r{progress}\x1b[K").and_then(|()| terminal.flush()),
            false => Ok(()),
        });
        if let Err(error) = shown {
            write_error.get_or_insert(error);
        }
    });
    clear_live(live, &mut terminal)?;
    if let Some(error) = write_error {
        return Err(error);
    }
    let names: Vec<Named> = fleet
        .targets
        .iter()
        .map(|target| Named {
            name: &target.name,
            database: target.url.redacted(),
        })
        .collect();
    let signal = crate::interrupt::requested().map(Exit::Interrupted);
    let exit = shown::exit(&results, signal);
    if display.json {
        let document = shown::json(&names, &results);
        writeln!(out, "{}", crate::output::json::render(&document))?;
        return Ok(exit);
    }
    if is_status && !display.quiet {
        write!(out, "{}", shown::status_matrix(&names, &results))?;
    }
    if display.quiet {
        return Ok(exit);
    }
    let counts = Counts::of(&results);
    writeln!(out, "{}", counts.summary())?;
    if counts.not_started > 0 {
        let not_started: Vec<&str> = names
            .iter()
            .zip(&results)
            .filter(|(_, result)| result.is_none())
            .map(|(named, _)| named.name)
            .collect();
        writeln!(out, "not started: {}", not_started.join(", "))?;
    }
    Ok(exit)
}

/// One target's run: the request on its URL, as `--json` would print it,
/// its document kept when the fleet prints JSON. Nothing a target writes
/// reaches the terminal but through its line.
fn run_one(request: &Request, target: &Target, keep_document: bool) -> TargetRun {
    let mut config = request.config.clone();
    config.url = target.url.clone();
    let single = Request {
        config,
        action: request.action.clone(),
        display: OutputStyle {
            json: true,
            quiet: true,
            verbose: 0,
            width: None,
            progress_every: None,
        },
        default_url: false,
        // Many databases cannot share one schema file.
        refresh_schema_file: false,
        fleet: None,
    };
    let started = Instant::now();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = crate::runner::run(single, &mut out, &mut err).unwrap_or(Exit::Failed);
    // Parsed so that versions beyond `u64` keep every digit.
    let document = std::str::from_utf8(&out)
        .ok()
        .and_then(|text| crate::output::json::parse(text).ok())
        .unwrap_or(serde_json::Value::Null);
    TargetRun {
        exit,
        digest: shown::Digest::of(&document),
        document: keep_document.then_some(document),
        elapsed: started.elapsed(),
    }
}

/// Prints a finished target's line on stdout, in the order they finish
/// (a failure also with `-q`), except under `status`, whose matrix says it
/// all at the end.
fn finished(
    out: &mut dyn Write,
    display: OutputStyle,
    is_status: bool,
    name: &str,
    width: usize,
    result: &TargetRun,
) -> io::Result<()> {
    let shown = match result.failed() {
        true => !display.json,
        false => !display.json && !display.quiet && !is_status,
    };
    match shown {
        true => writeln!(out, "{}", shown::finished_line(name, width, result)),
        false => Ok(()),
    }
}

fn clear_live(live: bool, err: &mut dyn Write) -> io::Result<()> {
    match live {
        true => write!(err, "\r\x1b[K"),
        false => Ok(()),
    }
}
