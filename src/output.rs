//! Human and JSON rendering of operations, plans, status, drift and errors.
//!
//! Everything renders from values to a `String` or a `serde_json::Value`, so
//! it can be snapshot-tested; the caller decides where it goes.
//!
//! Human text carries ANSI styles (state names, outcomes, `error:`). The
//! binary writes through `anstream`, which drops them unless the stream is a
//! terminal and `NO_COLOR` is unset; a library caller that prints these
//! strings elsewhere can strip them with [`anstream::adapter::strip_str`].

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::drift::Drift;
use crate::error::Error;
use crate::execute::Report;
use crate::log_table::{LogEntry, Outcome};
use crate::migrator::Planned;
use crate::refusal::join;
use crate::status::{Next, Status};

/// `add              12  up/12_add_email.sql          14 ms`.
pub fn operation_line(report: &Report) -> String {
    format!(
        "{:<17}{:>4}  {:<32} {:>5} ms",
        report.operation,
        report.version,
        report.file.as_deref().unwrap_or("(no file)"),
        report.ms
    )
}

/// A dry run's line, with the SQL below it when `verbose`.
pub fn planned_line(planned: &Planned, verbose: bool) -> String {
    let mut line = format!(
        "would {:<17}{:>4}  {}",
        planned.operation,
        planned.version,
        planned.file.as_deref().unwrap_or("(no file)")
    );
    if let (true, Some(sql)) = (verbose, &planned.sql) {
        for sql_line in sql.trim_end().lines() {
            line.push_str("\n    ");
            line.push_str(sql_line);
        }
    }
    line
}

/// The line after the operations of a run.
pub fn summary(done: &[Report], total_ms: u64, failed: bool) -> String {
    let count = done.len();
    let noun = if count == 1 {
        "operation"
    } else {
        "operations"
    };
    match (count, failed) {
        (0, false) => "nothing to do".to_string(),
        (_, false) => format!(
            "{} {count} {noun} in {total_ms} ms",
            paint(AnsiColor::Green.on_default().bold(), "done:")
        ),
        (_, true) => format!(
            "{} {count} {noun} completed before the error",
            paint(ERROR_STYLE, "stopped:")
        ),
    }
}

/// The human status table.
pub fn status_table(status: &Status, database: &str) -> String {
    let mut text = format!(
        "database: {database}\ncurrent version: {}\n",
        status.current_version
    );
    if !status.versions.is_empty() {
        let header = [
            "version", "name", "state", "add", "simdrop", "drop", "notes",
        ];
        let rows: Vec<[String; 7]> = status
            .versions
            .iter()
            .map(|version| {
                let mut notes = Vec::new();
                if version.drift {
                    notes.push("drift".to_string());
                }
                if version.out_of_order {
                    notes.push("out of order".to_string());
                }
                if version.files.add.is_some() && version.files.rollback_add.is_none() {
                    notes.push("no down file".to_string());
                }
                if let Some(failure) = &version.failure {
                    notes.push(failure.clone());
                }
                let releases = &version.releases;
                let times = &version.times;
                [
                    version.version.to_string(),
                    version.name.clone().unwrap_or_default(),
                    version.state.clone(),
                    phase_cell(releases.add.as_ref(), times.add.as_deref()),
                    phase_cell(releases.simdrop.as_ref(), times.simdrop.as_deref()),
                    phase_cell(releases.drop.as_ref(), times.drop.as_deref()),
                    notes.join(", "),
                ]
            })
            .collect();
        text.push('\n');
        text.push_str(&table(&header, &rows, &|column, cell| match column {
            2 => state_style(cell),
            _ => Style::new(),
        }));
    }
    text.push('\n');
    for next in &status.next {
        text.push_str("next: ");
        text.push_str(&next_line(next));
        text.push('\n');
    }
    if status.next.is_empty() {
        text.push_str("next: nothing to do: every version is up to date\n");
    }
    text
}

/// One `next:` line of `status`: `3 and 5 await add (`migrate up`)`, or
/// `blocked: <problem>; <fix> `<command>``.
pub fn next_line(next: &Next) -> String {
    match next {
        Next::Run {
            operation,
            versions,
            command,
        } => {
            let verb = if versions.len() == 1 {
                "awaits"
            } else {
                "await"
            };
            format!("{} {verb} {operation} (`{command}`)", join(versions))
        }
        Next::Blocked { refusal, fixes } => {
            let mut line = format!("blocked: {}", refusal.problem());
            let advice: Vec<String> = fixes
                .iter()
                .map(|fix| format!("{} `{}`", fix.does, fix.command))
                .collect();
            if !advice.is_empty() {
                line.push_str("; ");
                line.push_str(&advice.join(", or "));
            }
            line
        }
    }
}

/// `release 2, 2026-11-22T05:03:00Z`: a phase's release label and time, to the second.
fn phase_cell(release: Option<&crate::version::Release>, at: Option<&str>) -> String {
    match (release, at) {
        (Some(release), Some(at)) => {
            let seconds = at.get(..19).unwrap_or(at);
            format!("release {release}, {seconds}Z")
        }
        (Some(release), None) => format!("release {release}"),
        _ => String::new(),
    }
}

/// Aligned columns, the numbers right-aligned (the first column, and a
/// `version` column), whose cells `style` may colour by column index and
/// text. The padding stays outside the escapes, so the columns align in
/// colour too.
fn table<const N: usize>(
    header: &[&str; N],
    rows: &[[String; N]],
    style: &dyn Fn(usize, &str) -> Style,
) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |cells: Vec<&str>, styled: bool| {
        let mut line = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            let shown = match styled {
                true => paint(style(index, cell), cell),
                false => cell.to_string(),
            };
            if index == 0 {
                line.push_str(&pad);
                line.push_str(&shown);
            } else if header[index] == "version" {
                line.push_str("  ");
                line.push_str(&pad);
                line.push_str(&shown);
            } else {
                line.push_str("  ");
                line.push_str(&shown);
                line.push_str(&pad);
            }
        }
        line.trim_end().to_string() + "\n"
    };
    let mut text = render(header.to_vec(), false);
    for row in rows {
        text.push_str(&render(row.iter().map(String::as_str).collect(), true));
    }
    text
}

/// The `error` object of a JSON document.
pub fn json_error(error: &Error) -> Value {
    let (file, line) = error.file_and_line();
    json!({
        "exit_code": error.exit_code(),
        "message": error.to_string(),
        "file": file,
        "line": line,
    })
}

/// `{"operations": [...]}`, with `"error"` when the run stopped.
pub fn json_operations(done: &[Report], error: Option<&Error>) -> Value {
    let mut document = json!({ "operations": done });
    if let Some(error) = error {
        document["error"] = json_error(error);
    }
    document
}

/// A dry run: `{"dry_run": true, "operations": [...]}`.
pub fn json_plan(planned: &[Planned], verbose: bool) -> Value {
    let operations: Vec<Value> = planned
        .iter()
        .map(|planned| {
            let mut operation = json!({
                "version": planned.version,
                "operation": planned.operation,
                "file": planned.file,
            });
            if verbose {
                operation["sql"] = json!(planned.sql);
            }
            operation
        })
        .collect();
    json!({ "dry_run": true, "operations": operations })
}

/// `status --json`, exactly as SPEC section 6.
pub fn json_status(status: &Status, database: &str) -> Value {
    json!({
        "database": database,
        "current_version": status.current_version,
        "versions": status.versions,
        "next": status.next,
    })
}

/// `verify --json`.
pub fn json_drift(drift: &[Drift], accepted: bool) -> Value {
    let files: Vec<Value> = drift
        .iter()
        .map(|found| {
            json!({
                "version": found.version,
                "file": found.path,
                "change": match found.kind {
                    crate::drift::DriftKind::Changed => "changed",
                    crate::drift::DriftKind::Removed => "removed",
                    crate::drift::DriftKind::Added => "added",
                },
            })
        })
        .collect();
    json!({ "drift": files, "accepted": accepted })
}

/// `log`: one aligned line per entry, newest first.
pub fn history_table(entries: &[LogEntry]) -> String {
    if entries.is_empty() {
        return "no log entries\n".to_string();
    }
    let header = [
        "id",
        "started at",
        "version",
        "operation",
        "release",
        "outcome",
        "file",
    ];
    let rows: Vec<[String; 7]> = entries
        .iter()
        .map(|entry| {
            [
                entry.id.map(|id| id.to_string()).unwrap_or_default(),
                to_seconds(&entry.started_at),
                entry.version.to_string(),
                entry.operation.to_string(),
                entry
                    .release
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                entry.outcome.to_string(),
                entry.file.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&header, &rows, &|column, cell| match column {
        5 => outcome_style(cell),
        _ => Style::new(),
    })
}

/// An RFC 3339 time to the second: `2026-11-22T05:03:00Z`.
fn to_seconds(at: &str) -> String {
    match at.get(..19) {
        Some(seconds) if at.len() > 19 => format!("{seconds}Z"),
        _ => at.to_string(),
    }
}

/// `log ID`: one entry in full, with its error, statement and line.
pub fn log_entry_text(entry: &LogEntry) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("version", entry.version.to_string()),
        ("operation", entry.operation.to_string()),
    ];
    if let Some(release) = &entry.release {
        fields.push(("release", release.to_string()));
    }
    if let Some(file) = &entry.file {
        fields.push(("file", file.clone()));
    }
    if let Some(checksum) = &entry.checksum {
        fields.push(("checksum", checksum.clone()));
    }
    fields.push(("started at", entry.started_at.clone()));
    let finished = match (&entry.finished_at, crate::history::duration_ms(entry)) {
        (Some(at), Some(ms)) => format!("{at}, after {ms} ms"),
        (Some(at), None) => at.clone(),
        (None, _) => "never: still running, or cut off".to_string(),
    };
    fields.push(("finished at", finished));
    fields.push(("outcome", entry.outcome.to_string()));
    match (entry.statement, entry.line) {
        (Some(statement), Some(line)) => {
            fields.push(("statement", format!("{statement} (line {line})")));
        }
        (Some(statement), None) => fields.push(("statement", statement.to_string())),
        (None, Some(line)) => fields.push(("line", line.to_string())),
        (None, None) => {}
    }
    if let Some(error) = &entry.error {
        fields.push(("error", error.clone()));
    }
    let id = entry.id.map(|id| id.to_string()).unwrap_or_default();
    let mut text = format!("log entry {id}\n");
    let width = fields
        .iter()
        .map(|(label, _)| label.len() + 1)
        .max()
        .unwrap_or(0);
    for (label, value) in fields {
        let style = match label {
            "outcome" => outcome_style(&value),
            "error" => ERROR_STYLE,
            _ => Style::new(),
        };
        let mut lines = value.lines();
        let first = paint(style, lines.next().unwrap_or_default());
        text.push_str(&format!("  {:<width$} {first}\n", format!("{label}:")));
        for more in lines {
            text.push_str(&format!("  {:<width$} {more}\n", ""));
        }
    }
    text
}

/// One log entry as JSON; every column, `null` where empty.
pub fn json_log_entry(entry: &LogEntry) -> Value {
    json!({
        "id": entry.id,
        "version": entry.version,
        "operation": entry.operation,
        "release": entry.release,
        "file": entry.file,
        "checksum": entry.checksum,
        "started_at": entry.started_at,
        "finished_at": entry.finished_at,
        "ms": crate::history::duration_ms(entry),
        "outcome": entry.outcome,
        "error": entry.error,
        "statement": entry.statement,
        "line": entry.line,
    })
}

/// `log --json`: `{"entries": [...]}`, newest first.
pub fn json_history(entries: &[LogEntry]) -> Value {
    let entries: Vec<Value> = entries.iter().map(json_log_entry).collect();
    json!({ "entries": entries })
}

/// One `error: ...` line of stderr, `error:` in colour.
pub fn error_line(message: &str) -> String {
    format!("{} {message}", paint(ERROR_STYLE, "error:"))
}

/// The style of `error:` on stderr.
pub const ERROR_STYLE: Style = AnsiColor::Red.on_default().bold();

/// `text` in `style`; plain when either is empty.
pub fn paint(style: Style, text: &str) -> String {
    if text.is_empty() || style == Style::new() {
        return text.to_string();
    }
    format!("{style}{text}{style:#}")
}

/// The colour of a state name of `status`.
pub fn state_style(state: &str) -> Style {
    let color = match state {
        "pending" => AnsiColor::Yellow,
        "added" => AnsiColor::Green,
        "simdropped" => AnsiColor::Cyan,
        "dropped" => AnsiColor::Blue,
        "failed" => return AnsiColor::Red.on_default().bold(),
        "missing" => AnsiColor::Magenta,
        _ => return Style::new(),
    };
    color.on_default()
}

/// The colour of a log entry's outcome.
pub fn outcome_style(outcome: &str) -> Style {
    match outcome.parse() {
        Ok(Outcome::Ok) => AnsiColor::Green.on_default(),
        Ok(Outcome::Failed) => AnsiColor::Red.on_default().bold(),
        _ => AnsiColor::Yellow.on_default(),
    }
}
