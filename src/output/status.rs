//! `status` and `version`: the status table with its `next:` lines, and their JSON.

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::style::table;
use super::{Document, Form};
use crate::refusal::join;
use crate::status::{FailureStatus, Fix, Next, Status, VersionStatus};
use crate::version::Version;

/// `status [--check]`: the table or the JSON document, only the `form` that
/// prints (with many versions each costs a fifth of the command); with
/// `--check`, exit 3 when there is work.
pub fn status(
    status: &Status,
    database: &str,
    check: bool,
    form: Form,
    width: Option<usize>,
) -> Document {
    let document = match form {
        Form::Json => Document::new(json_status(status, database), ""),
        Form::Human => Document::new(Value::Null, status_table_within(status, database, width)),
    };
    document.exit(status.exit(check))
}

/// `version`: the current version alone on a line, 0 when none.
pub fn version(current: Option<Version>) -> Document {
    let number = current.map_or(0, |version| version.get());
    Document::new(
        json!({ "current_version": super::json::to_value(&number) }),
        format!("{number}\n"),
    )
}

/// The human status table, however wide.
#[cfg(test)]
pub fn status_table(status: &Status, database: &str) -> String {
    status_table_within(status, database, None)
}

/// The human status table, fitted to `width` columns when given: the full
/// table when it fits, otherwise the compact one (release labels only, one
/// `when` column, long names cut, notes that do not fit under their row).
pub fn status_table_within(status: &Status, database: &str, width: Option<usize>) -> String {
    let mut text = format!(
        "database: {database}\ncurrent version: {}\n",
        status.current_version
    );
    if !status.versions.is_empty() {
        text.push('\n');
        let full = full_table(status);
        let fits = |table: &str| {
            width.is_none_or(|width| {
                table.lines().all(|line| {
                    anstream::adapter::strip_str(line)
                        .to_string()
                        .chars()
                        .count()
                        <= width
                })
            })
        };
        match (fits(&full), width) {
            (false, Some(width)) => text.push_str(&compact_table(status, width)),
            _ => text.push_str(&full),
        }
    }
    if !status.repeatables.is_empty() {
        text.push('\n');
        text.push_str(&repeatables_table(status));
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

/// The repeatable files: name, state, and when each last ran.
fn repeatables_table(status: &Status) -> String {
    let header = ["repeatable", "state", "last run"];
    let rows: Vec<[String; 3]> = status
        .repeatables
        .iter()
        .map(|repeatable| {
            [
                repeatable.name.clone(),
                repeatable.state.as_str().to_string(),
                repeatable.ran_at.as_deref().map(minute).unwrap_or_default(),
            ]
        })
        .collect();
    table(&header, &rows, &|column, cell| match column {
        1 => repeatable_style(cell),
        _ => Style::new(),
    })
}

/// The colour of a repeatable file's state: what will run stands out.
fn repeatable_style(state: &str) -> Style {
    match state {
        "current" => Style::new(),
        _ => AnsiColor::Yellow.on_default(),
    }
}

/// The notes of a version: drift, out of order, no down file, its failure.
fn notes(version: &VersionStatus) -> String {
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
        notes.push(failure.message.clone());
    }
    notes.join(", ")
}

fn cell_style(column: usize, cell: &str) -> Style {
    match column {
        2 => state_style(cell),
        _ => Style::new(),
    }
}

/// Every phase's release and time in full, each note on its row.
fn full_table(status: &Status) -> String {
    let header = [
        "version", "name", "state", "add", "simdrop", "drop", "notes",
    ];
    let rows: Vec<[String; 7]> = status
        .versions
        .iter()
        .map(|version| {
            let releases = &version.releases;
            let times = &version.times;
            [
                version.version.to_string(),
                version.name.clone().unwrap_or_default(),
                version.state.clone(),
                phase_cell(releases.add.as_ref(), times.add.as_deref()),
                phase_cell(releases.simdrop.as_ref(), times.simdrop.as_deref()),
                phase_cell(releases.drop.as_ref(), times.drop.as_deref()),
                notes(version),
            ]
        })
        .collect();
    table(&header, &rows, &cell_style)
}

/// The table for a narrow terminal: each phase's release label, the time
/// of the latest phase reached to the minute, names cut to what is left,
/// and a note that does not fit at the end of its row on the lines below
/// it, wrapped to `width`.
fn compact_table(status: &Status, width: usize) -> String {
    let header = [
        "version", "name", "state", "add", "simdrop", "drop", "when", "notes",
    ];
    let label = |release: Option<&crate::version::Release>| {
        release.map(ToString::to_string).unwrap_or_default()
    };
    let mut rows: Vec<[String; 8]> = status
        .versions
        .iter()
        .map(|version| {
            let times = &version.times;
            let latest = [&times.drop, &times.simdrop, &times.add]
                .into_iter()
                .find_map(|time| time.as_deref());
            [
                version.version.to_string(),
                version.name.clone().unwrap_or_default(),
                version.state.clone(),
                label(version.releases.add.as_ref()),
                label(version.releases.simdrop.as_ref()),
                label(version.releases.drop.as_ref()),
                latest.map(minute).unwrap_or_default(),
                notes(version),
            ]
        })
        .collect();
    // Every column but the name and the notes, and the gaps between them.
    let widths: [usize; 8] = std::array::from_fn(|column| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([header[column].len()])
            .max()
            .unwrap_or(0)
    });
    let widest = |column: usize| widths[column];
    let fixed: usize = [0, 2, 3, 4, 5, 6].into_iter().map(widest).sum::<usize>() + 2 * 6;
    // The name gets what is left once the notes' heading fits too.
    let name_room = width
        .saturating_sub(fixed + 2 + "notes".len())
        .max("name".len() + 4);
    for row in &mut rows {
        row[1] = super::live::fit(&row[1], name_room);
    }
    let notes_at = fixed + widest(1).min(name_room) + 2;
    // Notes that would run past the edge go below their row.
    let mut below = Vec::new();
    for row in &mut rows {
        let note = std::mem::take(&mut row[7]);
        let fits_here = notes_at + note.chars().count() <= width;
        below.push(match fits_here {
            true => {
                row[7] = note;
                None
            }
            false => Some(note),
        });
    }
    let indent = widest(0) + 2;
    let mut text = String::new();
    let rendered = table(&header, &rows, &cell_style);
    for (index, line) in rendered.lines().enumerate() {
        text.push_str(line);
        text.push('\n');
        let note = index
            .checked_sub(1)
            .and_then(|row| below.get(row))
            .cloned()
            .flatten();
        for piece in wrap(
            &note.unwrap_or_default(),
            width.saturating_sub(indent).max(20),
        ) {
            text.push_str(&" ".repeat(indent));
            text.push_str(&piece);
            text.push('\n');
        }
    }
    text
}

/// `2026-11-22 05:03` of an RFC 3339 time.
fn minute(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => at.to_string(),
    }
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than a line stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
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
        Next::Repeatables { files, command } => {
            let verb = if files.len() == 1 {
                "awaits its run"
            } else {
                "await their run"
            };
            format!("{} {verb} (`{command}`)", files.join(", "))
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

/// What a stopped non-atomic file left: ``version 12 is left `failed`: 2
/// statement(s) committed and stay; fix the file and run `migrate up
/// --resume`, or record the true state with `migrate mark --only 12 --state
/// STATE` ``.
pub fn left_failed_line(version: Version, failure: &FailureStatus, fixes: &[Fix]) -> String {
    let committed = match (failure.committed, failure.outcome_unknown) {
        (count, true) => format!(
            "{count} statement(s) committed and stay, and whether statement {} did is unknown",
            failure.statement
        ),
        (0, false) => "no statement committed".to_string(),
        (count, false) => format!(
            "the {count} statement(s) before statement {} committed and stay",
            failure.statement
        ),
    };
    let advice: Vec<String> = fixes
        .iter()
        .map(|fix| format!("{} `{}`", fix.does, fix.command))
        .collect();
    format!(
        "version {version} is left `failed`: {committed}; {}",
        advice.join(", or ")
    )
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
    let mut document = json!({
        "database": database,
        "current_version": super::json::to_value(&status.current_version),
        "versions": super::json::to_value(&status.versions),
        "next": super::json::to_value(&status.next),
    });
    // Only a folder with repeatable files adds them (SPEC section 12).
    if !status.repeatables.is_empty() {
        document["repeatables"] = super::json::to_value(&status.repeatables);
    }
    document
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
