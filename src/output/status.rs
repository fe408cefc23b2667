//! `status` and `version`: the status table with its `next:` lines, and their JSON.

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::style::table;
use super::{Document, Form};
use crate::refusal::join;
use crate::status::{Next, Status};
use crate::version::Version;

/// `status [--check]`: the table or the JSON document, only the `form` that
/// prints (with many versions each costs a fifth of the command); with
/// `--check`, exit 3 when there is work.
pub fn status(status: &Status, database: &str, check: bool, form: Form) -> Document {
    let document = match form {
        Form::Json => Document::new(json_status(status, database), ""),
        Form::Human => Document::new(Value::Null, status_table(status, database)),
    };
    document.exit(status.exit(check))
}

/// `version`: the current version alone on a line, 0 when none.
pub fn version(current: Option<Version>) -> Document {
    let number = current.map_or(0, |version| version.get());
    Document::new(json!({ "current_version": number }), format!("{number}\n"))
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

/// One `next:` line of `status`: ``3 and 5 await add (`migrate up`)``, or
/// ``blocked: <problem>; <fix> `<command>` ``.
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

/// `status --json`, exactly as SPEC section 6.
pub fn json_status(status: &Status, database: &str) -> Value {
    json!({
        "database": database,
        "current_version": status.current_version,
        "versions": status.versions,
        "next": status.next,
    })
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
