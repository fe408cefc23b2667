//! Runs one [`Request`]: calls the [`Migrator`] and prints the result.
//! Results go to `out` (stdout), diagnostics to `err` (stderr); the return
//! value is the exit code.

use std::io::{self, Write};
use std::time::{Instant, SystemTime};

use clap::CommandFactory;

use crate::cli::{Action, Cli, Display, Request};
use crate::error::Error;
use crate::migrator::Migrator;
use crate::output;
use crate::scaffold;
use crate::settings::DEFAULT_URL;

/// Exit code of a check that found work or drift (SPEC section 6).
pub const EXIT_CHECK_FOUND: u8 = 3;

/// Runs the request; an `Err` is only a failure to write the output.
pub fn run(request: Request, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let display = request.display;
    if request.default_url && !display.quiet {
        writeln!(
            err,
            "migrate: no --database-url or DATABASE_URL given; using the embedded default {DEFAULT_URL}"
        )?;
    }
    let database = request.config.url.redacted();
    let migrator = Migrator::new(request.config).refresh_schema_file(request.refresh_schema_file);
    let mut printer = Printer { out, err, display };
    match request.action {
        Action::Migrate {
            command,
            options,
            run,
            dry_run: true,
        } => match migrator.preview(command, &options, run) {
            Ok(planned) => printer.plan(&planned),
            Err(error) => printer.fail(&error, serde_json::json!({ "operations": [] })),
        },
        Action::Migrate {
            command,
            options,
            run,
            dry_run: false,
        } => {
            let started = Instant::now();
            let live = &mut printer.out;
            let result = migrator.migrate(command, &options, run, &mut |report| {
                if !display.json && !display.quiet {
                    // Printed as each operation finishes; a closed stdout must not stop the run.
                    let _ = writeln!(live, "{}", output::operation_line(report));
                }
            });
            let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match result {
                Ok(outcome) => printer.outcome(&outcome.done, outcome.error.as_ref(), elapsed),
                Err(error) => printer.outcome(&[], Some(&error), elapsed),
            }
        }
        Action::Status { check } => match migrator.status() {
            Ok(status) => {
                printer.document(
                    &output::json_status(&status, &database),
                    &output::status_table(&status, &database),
                )?;
                Ok(if check && status.has_work() {
                    EXIT_CHECK_FOUND
                } else {
                    0
                })
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "database": database })),
        },
        Action::Version => match migrator.current_version() {
            Ok(version) => {
                let number = version.map_or(0, |version| version.get());
                printer.document(
                    &serde_json::json!({ "current_version": number }),
                    &format!("{number}\n"),
                )?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({})),
        },
        Action::Verify { accept, dry_run } => {
            let result = match (accept, dry_run) {
                (true, true) => migrator.preview_accept(),
                (true, false) => migrator.accept(),
                (false, _) => migrator.verify(),
            };
            match result {
                Ok(drift) => printer.drift(&drift, accept, dry_run),
                Err(error) => printer.fail(&error, serde_json::json!({ "drift": [] })),
            }
        }
        Action::Log(filter) => match migrator.history(&filter) {
            Ok(entries) => {
                printer.document(
                    &output::json_history(&entries),
                    &output::history_table(&entries),
                )?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "entries": [] })),
        },
        Action::LogEntry { id } => match migrator.log_entry(id) {
            Ok(entry) => {
                printer.document(
                    &serde_json::json!({ "entry": output::json_log_entry(&entry) }),
                    &output::log_entry_text(&entry),
                )?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "entry": null })),
        },
        Action::New(request) => {
            match scaffold::create(&migrator.config().dir, &request, SystemTime::now()) {
                Ok(created) => {
                    let text: String = created
                        .files
                        .iter()
                        .map(|file| format!("created {file}\n"))
                        .collect();
                    let document = serde_json::json!({
                        "version": created.version,
                        "created": created.files,
                    });
                    printer.document(&document, &text)?;
                    Ok(0)
                }
                Err(error) => printer.fail(&error, serde_json::json!({ "created": [] })),
            }
        }
        Action::Completions(shell) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "migrate", &mut script);
            let script = String::from_utf8_lossy(&script);
            let document = serde_json::json!({ "shell": shell.to_string(), "script": script });
            printer.document(&document, &script)?;
            Ok(0)
        }
        Action::SchemaDump { output, incomplete } => match migrator.dump_schema_with(incomplete) {
            Ok(dump) => match output {
                Some(path) => match std::fs::write(&path, &dump) {
                    Ok(()) => {
                        let text = format!("wrote the schema to {}\n", path.display());
                        let document = serde_json::json!({ "output": path.display().to_string() });
                        printer.document(&document, &text)?;
                        Ok(0)
                    }
                    Err(error) => {
                        let error =
                            Error::Usage(format!("cannot write {}: {error}", path.display()));
                        printer.fail(&error, serde_json::json!({ "output": null }))
                    }
                },
                None => {
                    printer.document(&serde_json::json!({ "schema": dump }), &dump)?;
                    Ok(0)
                }
            },
            Err(error) => printer.fail(&error, serde_json::json!({ "schema": null })),
        },
        Action::Bootstrap {
            dry_run: true,
            incomplete,
            ..
        } => match migrator.preview_bootstrap_with(incomplete) {
            Ok(dump) => {
                let text = format!(
                    "would write up/1.sql ({} lines) and record version 1 as added\n",
                    dump.lines().count()
                );
                let document = serde_json::json!({
                    "dry_run": true,
                    "operations": [{ "version": 1, "operation": "mark", "file": "up/1.sql" }],
                });
                printer.document(&document, &text)?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "operations": [] })),
        },
        Action::Bootstrap {
            options,
            dry_run: false,
            incomplete,
        } => match migrator.bootstrap_with(&options, incomplete) {
            Ok(outcome) => {
                let ms = outcome.done.first().map_or(0, |report| report.ms);
                let text = "wrote up/1.sql and recorded version 1 as added\n";
                let document = serde_json::json!({
                    "bootstrapped": "up/1.sql",
                    "operations": [{ "version": 1, "operation": "mark", "file": "up/1.sql", "ms": ms }],
                });
                printer.document(&document, text)?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "bootstrapped": null })),
        },
        Action::Load => match migrator.load() {
            Ok(statements) => {
                let file = crate::schema::SCHEMA_FILE;
                let text = format!("loaded {file}: {statements} statement(s)\n");
                let document = serde_json::json!({ "loaded": file, "statements": statements });
                printer.document(&document, &text)?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "loaded": null })),
        },
        Action::Man { command } => match man_page(command.as_deref()) {
            Ok(page) => {
                printer.document(&serde_json::json!({ "man": page }), &page)?;
                Ok(0)
            }
            Err(error) => printer.fail(&error, serde_json::json!({ "man": null })),
        },
        Action::MarkState {
            version,
            state,
            options,
            dry_run,
        } => {
            if dry_run {
                // Checked as the real run would be, so a dry run cannot promise more.
                return match migrator.preview_mark_state(version, state, &options) {
                    Ok(before) => {
                        let was = before.map_or_else(|| "pending".to_string(), |s| s.to_string());
                        let text = format!("would mark {version} as {state} (now {was})\n");
                        let document = serde_json::json!({ "dry_run": true, "operations": [
                            { "version": version, "operation": format!("mark_{state}"), "file": null }
                        ]});
                        printer.document(&document, &text)?;
                        Ok(0)
                    }
                    Err(error) => printer.fail(&error, serde_json::json!({ "operations": [] })),
                };
            }
            match migrator.mark_state(version, state, &options) {
                Ok(before) => {
                    let was =
                        before.map_or_else(|| "pending".to_string(), |state| state.to_string());
                    let text = format!("marked {version} as {state} (was {was})\n");
                    let document = serde_json::json!({ "operations": [
                        { "version": version, "operation": format!("mark_{state}"), "file": null, "ms": 0 }
                    ]});
                    printer.document(&document, &text)?;
                    Ok(0)
                }
                Err(error) => printer.fail(&error, serde_json::json!({ "operations": [] })),
            }
        }
    }
}

/// The roff page of the tool, or of one of its commands (`migrate-up(1)`).
fn man_page(command: Option<&str>) -> Result<String, Error> {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => cli
            .find_subcommand(name)
            .cloned()
            .ok_or_else(|| Error::Usage(format!("`{name}` is not a migrate command")))?,
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|error| Error::Usage(format!("cannot render the manual page: {error}")))?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

struct Printer<'w> {
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    display: Display,
}

impl Printer<'_> {
    /// Prints the JSON document or the human text.
    fn document(&mut self, json: &serde_json::Value, human: &str) -> io::Result<()> {
        if self.display.json {
            writeln!(self.out, "{json}")
        } else if self.display.quiet {
            Ok(())
        } else {
            write!(self.out, "{human}")
        }
    }

    /// Prints `error:` lines on stderr and, with `--json`, `document` with the error added.
    fn fail(&mut self, error: &Error, mut document: serde_json::Value) -> io::Result<u8> {
        for line in error.lines() {
            writeln!(self.err, "{}", output::error_line(&line))?;
        }
        if self.display.json {
            document["error"] = output::json_error(error);
            writeln!(self.out, "{document}")?;
        }
        Ok(error.exit_code())
    }

    fn plan(&mut self, planned: &[crate::migrator::Planned]) -> io::Result<u8> {
        let verbose = self.display.verbose > 0;
        let mut text: String = planned
            .iter()
            .map(|planned| output::planned_line(planned, verbose) + "\n")
            .collect();
        if planned.is_empty() {
            text.push_str("nothing to do\n");
        } else {
            text.push_str(&format!(
                "dry run: {} operation(s), nothing changed\n",
                planned.len()
            ));
        }
        self.document(&output::json_plan(planned, verbose), &text)?;
        Ok(0)
    }

    fn outcome(
        &mut self,
        done: &[crate::execute::Report],
        error: Option<&Error>,
        elapsed: u64,
    ) -> io::Result<u8> {
        if self.display.json {
            writeln!(self.out, "{}", output::json_operations(done, error))?;
        } else if !self.display.quiet && (error.is_none() || !done.is_empty()) {
            writeln!(
                self.out,
                "{}",
                output::summary(done, elapsed, error.is_some())
            )?;
        }
        match error {
            Some(error) => {
                for line in error.lines() {
                    writeln!(self.err, "{}", output::error_line(&line))?;
                }
                Ok(error.exit_code())
            }
            None => Ok(0),
        }
    }

    fn drift(
        &mut self,
        drift: &[crate::drift::Drift],
        accepted: bool,
        dry_run: bool,
    ) -> io::Result<u8> {
        let mut text = String::new();
        for found in drift {
            let verb = match (accepted, dry_run) {
                (true, true) => "would accept: ",
                (true, false) => "accepted: ",
                (false, _) => "drift: ",
            };
            text.push_str(verb);
            text.push_str(&found.describe());
            text.push('\n');
        }
        if drift.is_empty() {
            text.push_str("ok: every applied file matches its checksum\n");
        }
        if dry_run && !drift.is_empty() {
            text.push_str("dry run: nothing changed\n");
        }
        let mut document = output::json_drift(drift, accepted && !dry_run);
        if dry_run {
            document["dry_run"] = serde_json::Value::Bool(true);
        }
        self.document(&document, &text)?;
        Ok(if drift.is_empty() || accepted {
            0
        } else {
            EXIT_CHECK_FOUND
        })
    }
}

/// Prints an error that stopped the request before it ran.
pub fn report_error(
    error: &Error,
    display: Display,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let mut printer = Printer { out, err, display };
    printer.fail(error, serde_json::json!({}))
}

/// Prints clap's message (help and `--version` included) and returns its exit
/// code; with `--json` among the arguments, also a JSON error document.
pub fn usage_error(error: &clap::Error, args: &[String]) -> u8 {
    let code = u8::try_from(error.exit_code()).unwrap_or(2);
    let _ = error.print();
    if code != 0 && args.iter().any(|arg| arg == "--json") {
        // clap's own first line, as stderr shows it, without its `error: `.
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let document = serde_json::json!({ "error": {
            "exit_code": code, "message": message, "file": null, "line": null
        }});
        let _ = writeln!(io::stdout(), "{document}");
    }
    code
}
