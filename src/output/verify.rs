//! `verify [--accept [--dry-run]]`: one line per drifted file, and the JSON.

use serde_json::{Value, json};

use super::Document;
use crate::drift::{Drift, verify_exit};

/// `verify`: exit 3 on drift; with `--accept`, what was (or, with
/// `dry_run`, would be) recorded.
pub fn verify(drift: &[Drift], accepted: bool, dry_run: bool) -> Document {
    let verb = match (accepted, dry_run) {
        (true, true) => "would accept: ",
        (true, false) => "accepted: ",
        (false, _) => "drift: ",
    };
    let mut text: String = drift
        .iter()
        .map(|found| format!("{verb}{}\n", found.describe()))
        .collect();
    if drift.is_empty() {
        text.push_str("ok: every applied file matches its checksum\n");
    }
    if dry_run && !drift.is_empty() {
        text.push_str("dry run: nothing changed\n");
    }
    let mut json = json_drift(drift, accepted && !dry_run);
    if dry_run {
        json["dry_run"] = Value::Bool(true);
    }
    Document::new(json, text).exit(verify_exit(drift, accepted))
}

/// `verify --json`.
pub fn json_drift(drift: &[Drift], accepted: bool) -> Value {
    let files: Vec<Value> = drift
        .iter()
        .map(|found| {
            json!({
                "version": super::json::to_value(&found.version),
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
