//! The manual pages and completion scripts, generated from the clap
//! definitions so they cannot fall behind the options.
//!
//! A page is clap_mangen's sections (NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
//! SUBCOMMANDS) plus what `man` readers look for: EXAMPLES (the help's
//! examples), EXIT STATUS (from [`Exit`], as `--help` lists it), and on the
//! tool's page ENVIRONMENT and FILES. The completion scripts also offer
//! what the parser accepts without listing it: the dashed aliases
//! (`rollback-add`), `mark --state`'s values and `man`'s command names.

use clap::CommandFactory;
use clap::builder::PossibleValuesParser;

use super::Cli;
use crate::error::{Error, Exit};
use crate::state::State;

/// The environment variables `migrate` reads, and what for.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "DATABASE_URL",
        "The database, when --database-url is not given; also read from ./.env.",
    ),
    (
        "MIGRATE_DIR",
        "The migrations folder, when --dir is not given; also read from ./.env.",
    ),
    (
        "MIGRATE_RELEASE",
        "The release label of forward changes, when --release is not given; also read from ./.env.",
    ),
    (
        "MIGRATE_SCRATCH_URL",
        "The scratch database of check, when --scratch-url is not given.",
    ),
    (
        "MIGRATE_PROGRESS_EVERY",
        "How often, when stderr is no terminal, a long operation says it is still running \
         (default: after 5s, then every 30s).",
    ),
    (
        "COLUMNS",
        "The width tables fit (status); by default the terminal's, unbounded off a terminal.",
    ),
    (
        "NO_COLOR",
        "Set to anything: no colour, even on a terminal. CLICOLOR_FORCE=1 forces colour.",
    ),
];

/// The files `migrate` reads and writes.
const FILES: &[(&str, &str)] = &[
    (
        "./.env",
        "Settings (DATABASE_URL, MIGRATE_DIR, MIGRATE_RELEASE); the real environment wins. \
         --env-file PATH reads another, --no-env-file none.",
    ),
    (
        "DIR/up/N_NAME.sql, DIR/up/N.simdrop.sql, DIR/up/N.drop.sql",
        "The add, simdrop and drop phases of version N.",
    ),
    (
        "DIR/down/N_NAME.sql, DIR/down/N.simdrop.sql",
        "The rollbacks of the add and simdrop phases.",
    ),
    (
        "DIR/schema/schema.sql",
        "The schema after the last change, rewritten after every change when DIR/schema/ \
         exists; what load runs.",
    ),
    (
        "migrate.db",
        "The SQLite database used when no URL is given.",
    ),
];

/// The roff page of the tool, or of one of its commands (`migrate-up(1)`).
pub(crate) fn man_page(command: Option<&str>) -> Result<String, Error> {
    let mut cli = Cli::command();
    cli.build();
    let (page, tool) = match command {
        None => (cli, true),
        Some(name) => (
            cli.find_subcommand(name)
                .cloned()
                .ok_or_else(|| Error::Usage(format!("`{name}` is not a migrate command")))?,
            false,
        ),
    };
    let examples = examples(&page);
    let man = clap_mangen::Man::new(page.clone());
    let mut roff = Vec::new();
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut roff)?;
        man.render_name_section(&mut roff)?;
        man.render_synopsis_section(&mut roff)?;
        man.render_description_section(&mut roff)?;
        if page.get_arguments().any(|arg| !arg.is_hide_set()) {
            man.render_options_section(&mut roff)?;
        }
        if page.has_subcommands() {
            man.render_subcommands_section(&mut roff)?;
        }
        Ok(())
    })();
    rendered.map_err(|error| Error::Usage(format!("cannot render the manual page: {error}")))?;
    let mut text = String::from_utf8_lossy(&roff).into_owned();
    if !examples.is_empty() {
        text.push_str(".SH EXAMPLES\n.nf\n");
        for line in &examples {
            text.push_str(&escape_line(line));
            text.push('\n');
        }
        text.push_str(".fi\n");
    }
    text.push_str(".SH \"EXIT STATUS\"\n");
    for exit in Exit::ALL {
        text.push_str(&format!(
            ".TP\n{}\n{}\n",
            exit.code(),
            escape(exit.meaning())
        ));
    }
    if tool {
        for (title, entries) in [("ENVIRONMENT", ENVIRONMENT), ("FILES", FILES)] {
            text.push_str(&format!(".SH {title}\n"));
            for (name, what) in entries {
                text.push_str(&format!(".TP\n.B {}\n{}\n", escape(name), escape(what)));
            }
        }
    } else {
        text.push_str(".SH \"SEE ALSO\"\n.BR migrate (1)\n");
    }
    Ok(text)
}

/// The example lines of a command's `after_help`: from `Example:` or
/// `Examples:` to the first line that starts another paragraph
/// (`Environment:`, `Exit codes:`), the label dropped.
fn examples(command: &clap::Command) -> Vec<String> {
    let Some(after) = command.get_after_help() else {
        return Vec::new();
    };
    let text = after.to_string();
    let mut lines = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("Examples:")
            .or_else(|| trimmed.strip_prefix("Example:"))
        {
            inside = true;
            lines.push(rest.trim().to_string());
            continue;
        }
        let starts_paragraph = !line.starts_with(' ') && trimmed.contains(':');
        if inside && starts_paragraph && !trimmed.starts_with("migrate") {
            break;
        }
        if inside {
            lines.push(trimmed.to_string());
        }
    }
    lines
}

/// Text safe inside a roff paragraph: backslashes and dashes escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// A line of a `.nf` block: escaped, and not read as a request when it
/// starts with `.` or `'`.
fn escape_line(line: &str) -> String {
    let escaped = escape(line);
    match escaped.starts_with('.') || escaped.starts_with('\'') {
        true => format!("\\&{escaped}"),
        false => escaped,
    }
}

/// The completion script of `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> String {
    let mut command = completed_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "migrate", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// The command as completion scripts should see it: every alias offered
/// (the dashed spellings are hidden from `--help`), `mark --state`'s states
/// and `man`'s command names as values to choose from.
fn completed_command() -> clap::Command {
    let command = Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    let states: Vec<&'static str> = State::ALL.iter().map(|state| state.as_str()).collect();
    let mut command = command
        .mut_subcommand("mark", |mark| {
            mark.mut_arg("state", |arg| {
                arg.value_parser(PossibleValuesParser::new(states))
            })
        })
        .mut_subcommand("man", |man| {
            man.mut_arg("command", |arg| {
                arg.value_parser(PossibleValuesParser::new(names))
            })
        });
    // Every alias made visible: a hidden one is cleared first, or clap
    // sees it twice.
    let aliased: Vec<(String, Vec<String>)> = command
        .get_subcommands()
        .map(|sub| {
            let all = sub.get_all_aliases().map(str::to_string).collect();
            (sub.get_name().to_string(), all)
        })
        .filter(|(_, aliases): &(String, Vec<String>)| !aliases.is_empty())
        .collect();
    for (name, aliases) in aliased {
        command = command.mut_subcommand(name, |sub| sub.alias(None).visible_aliases(aliases));
    }
    command
}
