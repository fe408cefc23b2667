//! `squash`'s document: the checkpoint written (or, with `--dry-run`, its
//! text) and the files it replaces.

use serde_json::json;

use super::Document;
use crate::squash::SquashReport;

/// What `squash` did, or with `--dry-run` would do.
pub fn squash(report: &SquashReport) -> Document {
    let removed_verb = match (&report.archive, report.dry_run) {
        (Some(_), true) => "would move",
        (Some(_), false) => "moved",
        (None, true) => "would remove",
        (None, false) => "removed",
    };
    let first = report.squashed.first().copied().unwrap_or(report.version);
    let summary = format!(
        "{} {} ({first} to {}), {} {} and {} {} of data, built on {}",
        report.squashed.len(),
        if report.squashed.len() == 1 {
            "version"
        } else {
            "versions"
        },
        report.version,
        report.tables,
        if report.tables == 1 {
            "table"
        } else {
            "tables"
        },
        report.rows,
        if report.rows == 1 { "row" } else { "rows" },
        report.scratch
    );
    let mut human = String::new();
    if report.dry_run {
        human.push_str(&format!("would write {}:\n", report.checkpoint));
        human.push_str(&report.sql);
        human.push('\n');
    } else {
        human.push_str(&format!("wrote {}: {summary}\n", report.checkpoint));
    }
    for path in &report.removed {
        let into = report
            .archive
            .as_ref()
            .map(|archive| format!(" to {}", archive.join(path).display()))
            .unwrap_or_default();
        human.push_str(&format!("{removed_verb} {path}{into}\n"));
    }
    if report.dry_run {
        human.push_str(&format!("dry run: {summary}; nothing was written\n"));
    }
    let json = json!({
        "squash": {
            "version": super::json::to_value(&report.version),
            "checkpoint": report.checkpoint,
            "squashed": super::json::to_value(&report.squashed),
            "removed": report.removed,
            "archive": report.archive.as_ref().map(|archive| archive.display().to_string()),
            "tables": report.tables,
            "rows": report.rows,
            "dry_run": report.dry_run,
            "sql": report.dry_run.then_some(&report.sql),
            "ms": report.ms,
        }
    });
    Document::new(json, human)
}
