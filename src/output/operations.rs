//! What the changing commands print: one line per operation as it
//! finishes, a dry run's plan, the summary, and the one `"operations"` array
//! of their JSON documents (runs, dry runs, `mark --state`, `--bootstrap`).

use anstyle::AnsiColor;
use serde_json::{Value, json};

use super::Document;
use super::error::json_error;
use super::style::{ERROR_STYLE, paint};
use crate::error::Error;
use crate::execute::Report;
use crate::migrator::Planned;
use crate::state::State;
use crate::version::Version;

/// One entry of an `"operations"` array: what ran (with `ms`), or what a dry
/// run would run (without; with `sql` under `-v`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OperationEntry {
    /// The version; `null` for a repeatable file.
    pub version: Option<Version>,
    /// `add`, `rollback_add`, …, `mark`, `mark_STATE`, or `repeatable`.
    pub operation: String,
    /// The file, relative to the folder; `null` when none runs.
    pub file: Option<String>,
    /// How long it took; left out of a dry run's entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// A verbose dry run's SQL (`null` when the operation has no file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<Option<String>>,
}

impl From<&Report> for OperationEntry {
    fn from(report: &Report) -> OperationEntry {
        OperationEntry {
            version: report.version,
            operation: report.operation.clone(),
            file: report.file.clone(),
            ms: Some(report.ms),
            sql: None,
        }
    }
}

impl OperationEntry {
    /// A dry run's entry, its SQL too when `verbose`.
    pub fn planned(planned: &Planned, verbose: bool) -> OperationEntry {
        OperationEntry {
            version: planned.version,
            operation: planned.operation.clone(),
            file: planned.file.clone(),
            ms: None,
            sql: verbose.then(|| planned.sql.clone()),
        }
    }
}

/// The `"operations"` array: its only producer.
pub fn operations(entries: &[OperationEntry]) -> Value {
    super::json::to_value(entries)
}

/// A dry run's document: `{"dry_run": true, "operations": [...]}`.
fn dry_run(entries: &[OperationEntry]) -> Value {
    json!({ "dry_run": true, "operations": operations(entries) })
}

/// What a run's or a plan's operation lines are made of: the widths of
/// their columns, measured over every operation of the run, so the lines
/// align whatever the names and however long the versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    operation: usize,
    version: usize,
    file: usize,
}

/// The file column of an operation that runs no file.
const NO_FILE: &str = "(no file)";

impl Default for Columns {
    /// The widths of `add 12 up/12_add_email.sql`, before any plan is known.
    fn default() -> Columns {
        Columns {
            operation: 3,
            version: 2,
            file: 0,
        }
    }
}

impl Columns {
    /// The widths that fit every `(operation, version, file)`.
    pub fn of<'a>(
        operations: impl IntoIterator<Item = (&'a str, Option<Version>, Option<&'a str>)>,
    ) -> Columns {
        operations
            .into_iter()
            .fold(Columns::default(), |columns, (operation, version, file)| {
                Columns {
                    operation: columns.operation.max(operation.chars().count()),
                    version: columns.version.max(version_cell(version).len()),
                    file: columns.file.max(file.unwrap_or(NO_FILE).chars().count()),
                }
            })
    }

    /// `add     12  up/12_add_email.sql`, padded to the columns.
    fn cells(&self, operation: &str, version: Option<Version>, file: Option<&str>) -> String {
        format!(
            "{operation:<ow$}  {version:>vw$}  {file:<fw$}",
            ow = self.operation,
            vw = self.version,
            fw = self.file,
            // Version's Display ignores the width: padded as text.
            version = version_cell(version),
            file = file.unwrap_or(NO_FILE)
        )
    }
}

/// The version column: empty for a repeatable file, which has none.
fn version_cell(version: Option<Version>) -> String {
    version
        .map(|version| version.to_string())
        .unwrap_or_default()
}

/// `add      12  up/12_add_email.sql      14 ms`, aligned to `columns`.
pub fn operation_line(report: &Report, columns: &Columns) -> String {
    format!(
        "{}  {:>8}",
        columns.cells(&report.operation, report.version, report.file.as_deref()),
        took(report.ms)
    )
}

/// `14 ms`, or for a long operation `40m00s`, so the column stays narrow.
fn took(ms: u64) -> String {
    match ms {
        0..100_000 => format!("{ms} ms"),
        _ => super::live::elapsed_text(std::time::Duration::from_millis(ms)),
    }
}

/// A dry run's line, with the SQL below it when `verbose`.
pub fn planned_line(planned: &Planned, columns: &Columns, verbose: bool) -> String {
    let mut line = format!(
        "would {}",
        columns.cells(&planned.operation, planned.version, planned.file.as_deref())
    )
    .trim_end()
    .to_string();
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

/// `{"operations": [...]}`, with `"error"` when the run stopped.
pub fn json_operations(done: &[Report], error: Option<&Error>) -> Value {
    let entries: Vec<OperationEntry> = done.iter().map(OperationEntry::from).collect();
    let mut document = json!({ "operations": operations(&entries) });
    if let Some(error) = error {
        document["error"] = json_error(error);
    }
    document
}

/// A dry run: `{"dry_run": true, "operations": [...]}`.
pub fn json_plan(planned: &[Planned], verbose: bool) -> Value {
    let entries: Vec<OperationEntry> = planned
        .iter()
        .map(|planned| OperationEntry::planned(planned, verbose))
        .collect();
    dry_run(&entries)
}

/// A dry run of a changing command: its lines (with the SQL under `-v`) and
/// a count, or `nothing to do`.
pub fn plan(planned: &[Planned], verbose: bool) -> Document {
    let columns = Columns::of(planned.iter().map(|planned| {
        (
            planned.operation.as_str(),
            planned.version,
            planned.file.as_deref(),
        )
    }));
    let mut text: String = planned
        .iter()
        .map(|planned| planned_line(planned, &columns, verbose) + "\n")
        .collect();
    if planned.is_empty() {
        text.push_str("nothing to do\n");
    } else {
        text.push_str(&format!(
            "dry run: {} operation(s), nothing changed\n",
            planned.len()
        ));
    }
    Document::new(json_plan(planned, verbose), text)
}

/// `mark --only N --state S [--dry-run]`, from the state it was in.
pub fn mark_state(
    version: Version,
    state: State,
    before: Option<State>,
    dry_run: bool,
) -> Document {
    let was = before.map_or_else(|| "pending".to_string(), |state| state.to_string());
    let entry = OperationEntry {
        version: Some(version),
        operation: format!("mark_{state}"),
        file: None,
        ms: (!dry_run).then_some(0),
        sql: None,
    };
    let entries = std::slice::from_ref(&entry);
    match dry_run {
        true => Document::new(
            self::dry_run(entries),
            format!("would mark {version} as {state} (now {was})\n"),
        ),
        false => Document::new(
            json!({ "operations": operations(entries) }),
            format!("marked {version} as {state} (was {was})\n"),
        ),
    }
}

/// The one entry of `schema_dump --bootstrap`: version 1 marked, with `ms` once done.
fn bootstrap_entry(ms: Option<u64>) -> OperationEntry {
    OperationEntry {
        version: Some(Version::FIRST),
        operation: "mark".to_string(),
        file: Some(BOOTSTRAP_FILE.to_string()),
        ms,
        sql: None,
    }
}

/// The file `schema_dump --bootstrap` writes.
const BOOTSTRAP_FILE: &str = "up/1.sql";

/// `schema_dump --bootstrap --dry-run`, from the dump it would write.
pub fn bootstrap_preview(dump: &str) -> Document {
    let text = format!(
        "would write {BOOTSTRAP_FILE} ({} lines) and record version 1 as added\n",
        dump.lines().count()
    );
    Document::new(dry_run(&[bootstrap_entry(None)]), text)
}

/// `schema_dump --bootstrap`, from the operations it ran.
pub fn bootstrap(done: &[Report]) -> Document {
    let ms = done.first().map_or(0, |report| report.ms);
    let json = json!({
        "bootstrapped": BOOTSTRAP_FILE,
        "operations": operations(&[bootstrap_entry(Some(ms))]),
    });
    let text = format!("wrote {BOOTSTRAP_FILE} and recorded version 1 as added\n");
    Document::new(json, text)
}
