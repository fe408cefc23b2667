//! Runs one [`Request`]: calls the [`Migrator`] and hands each result to the
//! [`Presenter`], which builds and prints its document. The return value is
//! how the process ends; an `Err` is only a failure to write the output.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::{Instant, SystemTime};

use crate::cli::docs;
use crate::cli::{Action, DatabaseCommand, OutputStyle, Request};
use crate::dump::Scope;
use crate::error::{Error, Exit};
use crate::execute::Progress;
use crate::migrator::Migrator;
use crate::output::{self, Empty, Live, LiveMode, Presenter};
use crate::plan::RunOptions;
use crate::plan::{Command, Options};
use crate::scaffold;
use crate::schema::Incomplete;
use crate::state::State;
use crate::status::Next;
use crate::version::Version;

/// Runs the request, writing results to `out` and diagnostics to `err`.
pub fn run(mut request: Request, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Exit> {
    if let Some(fleet) = request.fleet.take() {
        return crate::cli::fleet::run(request, fleet, out);
    }
    let mut p = Presenter::new(out, err, request.display);
    if request.default_url {
        p.default_url()?;
    }
    let database = request.config.url.redacted();
    let m = Migrator::new(request.config).refresh_schema_file(request.refresh_schema_file);
    dispatch(&mut p, &m, &database, request.action)
}

/// One arm per action: call the migrator, hand the result to the presenter.
fn dispatch(p: &mut Presenter, m: &Migrator, database: &str, action: Action) -> io::Result<Exit> {
    match action {
        Action::Migrate {
            command,
            options,
            run,
            dry_run,
        } => migrate(p, m, command, &options, run, dry_run),
        Action::Status { check } => {
            let (form, width) = (p.form(), p.display().width);
            let document = m
                .status()
                .map(|status| output::status(&status, database, check, form, width));
            p.show(document, Empty::Status { database })
        }
        Action::Version => p.show(m.current_version().map(output::version), Empty::Nothing),
        Action::Verify { accept, dry_run } => verify(p, m, accept, dry_run),
        Action::Log(filter) => {
            let document = m.history(&filter).map(|entries| output::log(&entries));
            p.show(document, Empty::Entries)
        }
        Action::LogEntry { id } => {
            let document = m.log_entry(id).map(|entry| output::log_entry(&entry));
            p.show(document, Empty::Entry)
        }
        Action::New(request) => {
            let created = scaffold::create(&m.config().dir, &request, SystemTime::now());
            p.show(
                created.map(|created| output::created(&created)),
                Empty::Created,
            )
        }
        Action::Completions(shell) => {
            let document = output::completions(&shell.to_string(), &docs::completions(shell));
            p.show(Ok(document), Empty::Nothing)
        }
        Action::SchemaDump {
            output,
            incomplete,
            scope,
        } => schema_dump(p, m, output.as_deref(), &scope, incomplete),
        Action::Bootstrap {
            options,
            dry_run,
            incomplete,
            scope,
        } => bootstrap(p, m, &options, dry_run, &scope, incomplete),
        Action::Load => p.show(m.load().map(output::loaded), Empty::Loaded),
        Action::Lint {
            pending,
            format,
            dialect,
        } => {
            let format = if p.json() {
                output::LintFormat::Json
            } else {
                format
            };
            let report = crate::lint::run(m, pending, dialect);
            let dir = &m.config().dir;
            let document = report.map(|report| output::lint(&report, format, dir));
            p.show(document, Empty::Findings)
        }
        Action::Check(request) => {
            let report = crate::check::check(m.config(), &request);
            p.show(report.map(|report| output::check(&report)), Empty::Findings)
        }
        Action::Squash(request) => {
            let report = crate::squash::squash(m.config(), &request);
            p.show(report.map(|report| output::squash(&report)), Empty::Squash)
        }
        Action::Man { command } => {
            let page = docs::man_page(command.as_deref());
            p.show(page.map(|page| output::man(&page)), Empty::Man)
        }
        Action::Database(command) => {
            let url = &m.config().url;
            let (done, verb) = match command {
                DatabaseCommand::Create => (crate::database::create(url), "create"),
                DatabaseCommand::Drop { .. } => (crate::database::drop(url), "drop"),
            };
            let document = done.map(|outcome| output::database(database, verb, outcome));
            p.show(document, Empty::Status { database })
        }
        Action::Env(settings) => p.show(Ok(output::env(&settings)), Empty::Nothing),
        Action::MarkState {
            version,
            state,
            options,
            dry_run,
        } => mark_state(p, m, version, state, &options, dry_run),
    }
}

/// A changing command: its plan with `--dry-run`, otherwise a line per
/// operation as it finishes and the summary.
fn migrate(
    p: &mut Presenter,
    m: &Migrator,
    command: Command,
    options: &Options,
    run: RunOptions,
    dry_run: bool,
) -> io::Result<Exit> {
    if dry_run {
        let verbose = p.verbose();
        let planned = m.preview(command, options, run);
        return p.show(
            planned.map(|planned| output::plan(&planned, verbose)),
            Empty::Operations,
        );
    }
    let started = Instant::now();
    let live = Live::start(live_mode(p.display()), Box::new(io::stderr()));
    // Whether the operation that ran last went statement by statement.
    let mut non_atomic = false;
    let result = m.migrate_watched(command, options, run, &mut |progress| {
        if let Progress::Started(upcoming) = progress {
            non_atomic = upcoming.one_by_one;
        }
        // The live line goes first, so the finished line replaces it.
        live.observe(progress);
        p.progress(progress);
    });
    live.finish();
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (done, error) = match result {
        Ok(outcome) => (outcome.done, outcome.error),
        Err(error) => (Vec::new(), Some(error)),
    };
    let exit = p.ran(&done, error.as_ref(), ms)?;
    // Only when the server answered with an error of its own: a
    // connection that broke or went silent must not hold the exit up with
    // a second connection.
    if let Some(Error::Migration(failed)) = &error
        && non_atomic
        && failed.source.code.is_some()
    {
        match failed.version {
            Some(version) => left_failed(p, m, version)?,
            None => p.repeatable_left(&failed.path)?,
        }
    }
    Ok(exit)
}

/// After a file stopped: when it left its version `failed` (a non-atomic
/// file, whose committed statements stay), says so at once with the two
/// ways out, as the planner words them, instead of leaving it to the next
/// command's refusal. An atomic file rolled back leaves nothing to say.
fn left_failed(p: &mut Presenter, m: &Migrator, version: Version) -> io::Result<()> {
    // The status is read anew: what the database recorded is the truth.
    let Ok(status) = m.status() else {
        return Ok(());
    };
    let failed = status
        .versions
        .iter()
        .find(|row| row.version == version)
        .and_then(|row| row.failure.as_ref());
    let fixes = status.next.iter().find_map(|next| match next {
        Next::Blocked { refusal, fixes } if refusal.versions().contains(&version) => Some(fixes),
        _ => None,
    });
    match (failed, fixes) {
        (Some(failure), Some(fixes)) => p.left_failed(version, failure, fixes),
        _ => Ok(()),
    }
}

/// How a run's progress shows on stderr: a live line on a terminal, notices
/// in a log, nothing with `-q`.
fn live_mode(display: OutputStyle) -> LiveMode {
    if display.quiet {
        return LiveMode::Off;
    }
    let stderr = io::stderr();
    if stderr.is_terminal() {
        let width = terminal_size::terminal_size_of(&stderr)
            .map_or(80, |(terminal_size::Width(width), _)| usize::from(width));
        return LiveMode::Terminal { width };
    }
    LiveMode::log(display.verbose > 0, display.progress_every)
}

/// `verify [--accept [--dry-run]]`.
fn verify(p: &mut Presenter, m: &Migrator, accept: bool, dry_run: bool) -> io::Result<Exit> {
    let drift = match (accept, dry_run) {
        (true, true) => m.preview_accept(),
        (true, false) => m.accept(),
        (false, _) => m.verify(),
    };
    let document = drift.map(|drift| output::verify(&drift, accept, dry_run));
    p.show(document, Empty::Drift)
}

/// `mark --only N --state S [--dry-run]`.
fn mark_state(
    p: &mut Presenter,
    m: &Migrator,
    version: Version,
    state: State,
    options: &Options,
    dry_run: bool,
) -> io::Result<Exit> {
    // A dry run is checked as the real run would be, so it cannot promise more.
    let before = match dry_run {
        true => m.preview_mark_state(version, state, options),
        false => m.mark_state(version, state, options),
    };
    let document = before.map(|before| output::mark_state(version, state, before, dry_run));
    p.show(document, Empty::Operations)
}

/// `schema_dump --bootstrap [--dry-run]`.
fn bootstrap(
    p: &mut Presenter,
    m: &Migrator,
    options: &Options,
    dry_run: bool,
    scope: &Scope,
    incomplete: Incomplete,
) -> io::Result<Exit> {
    if dry_run {
        let dump = m.preview_bootstrap_in(scope, incomplete);
        return p.show(
            dump.map(|dump| output::bootstrap_preview(&dump)),
            Empty::Operations,
        );
    }
    let outcome = m.bootstrap_in(options, scope, incomplete);
    p.show(
        outcome.map(|outcome| output::bootstrap(&outcome.done)),
        Empty::Bootstrapped,
    )
}

/// `schema_dump [--output FILE]`: a failed dump and a failed write print
/// different empty documents (`schema` and `output`).
fn schema_dump(
    p: &mut Presenter,
    m: &Migrator,
    path: Option<&Path>,
    scope: &Scope,
    incomplete: Incomplete,
) -> io::Result<Exit> {
    let dump = match m.dump_schema_in(scope, incomplete) {
        Ok(dump) => dump,
        Err(error) => return p.show(Err(error), Empty::Schema),
    };
    let Some(path) = path else {
        return p.show(Ok(output::schema(&dump)), Empty::Schema);
    };
    let written = std::fs::write(path, &dump)
        .map(|()| output::schema_written(path))
        .map_err(|error| Error::Usage(format!("cannot write {}: {error}", path.display())));
    p.show(written, Empty::Output)
}

/// Prints an error that stopped the request before it ran.
pub fn report_error(
    error: &Error,
    display: OutputStyle,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Exit> {
    Presenter::new(out, err, display).error(error)
}
