//! `log` and `log ID`: the history table, one entry in full, and their JSON.

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::Document;
use super::style::{ERROR_STYLE, paint, table};
use crate::log_table::{LogEntry, Outcome};

/// `log`: the table, or `{"entries": [...]}`.
pub fn log(entries: &[LogEntry]) -> Document {
    Document::new(json_history(entries), history_table(entries))
}

/// `log ID`: the entry in full, or `{"entry": {...}}`.
pub fn log_entry(entry: &LogEntry) -> Document {
    let json = json!({ "entry": json_log_entry(entry) });
    Document::new(json, log_entry_text(entry))
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
                version_cell(entry),
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

/// The entry's version, or `-` for a repeatable file's run, which has none.
fn version_cell(entry: &LogEntry) -> String {
    entry
        .version
        .map_or_else(|| "-".to_string(), |version| version.to_string())
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
        ("version", version_cell(entry)),
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
        "version": super::json::to_value(&entry.version),
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

/// The colour of a log entry's outcome.
pub fn outcome_style(outcome: &str) -> Style {
    match outcome.parse() {
        Ok(Outcome::Ok) => AnsiColor::Green.on_default(),
        Ok(Outcome::Failed) => AnsiColor::Red.on_default().bold(),
        _ => AnsiColor::Yellow.on_default(),
    }
}
