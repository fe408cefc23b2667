//! `migrate env`: every resolved setting, its value (passwords left out)
//! and where it came from.

use serde_json::{Value, json};

use super::Document;
use crate::cli::sources::{Setting, Source};

/// The settings as a table and as `{"settings": [{"name", "value", "from",
/// "variable", "file", "problem"}]}`; a value a command would refuse is
/// named below the table, and exits 2 as that command would.
pub fn env(settings: &[Setting]) -> Document {
    let rows: Vec<[String; 3]> = settings
        .iter()
        .map(|setting| {
            [
                setting.name.to_string(),
                setting.value.clone(),
                from(&setting.from),
            ]
        })
        .collect();
    let mut text = left_aligned(&["setting", "value", "from"], &rows);
    for setting in settings {
        if let Some(problem) = &setting.problem {
            text.push_str(&format!("\n{} is invalid: {problem}\n", setting.name));
        }
    }
    let entries: Vec<Value> = settings
        .iter()
        .map(|setting| {
            json!({
                "name": setting.name,
                "value": setting.value,
                "from": setting.from.kind(),
                "variable": setting.from.name(),
                "file": setting.from.file().map(|path| path.display().to_string()),
                "problem": setting.problem,
            })
        })
        .collect();
    let document = Document::new(json!({ "settings": entries }), text);
    match settings.iter().any(|setting| setting.problem.is_some()) {
        true => document.exit(crate::error::Exit::Usage),
        false => document,
    }
}

/// `--dir`, `environment: MIGRATE_DIR`, `.env: MIGRATE_DIR in ./.env`, `default`.
fn from(source: &Source) -> String {
    match source {
        Source::Flag(flag) => flag.to_string(),
        Source::Environment(name) => format!("environment: {name}"),
        Source::EnvFile(name, path) => format!(".env: {name} in {}", path.display()),
        Source::Default => "default".to_string(),
    }
}

/// Columns padded to their widest cell, all left-aligned (names, not numbers).
fn left_aligned(header: &[&str; 3], rows: &[[String; 3]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 3]| {
        let text = format!(
            "{:<w0$}  {:<w1$}  {}",
            cells[0],
            cells[1],
            cells[2],
            w0 = widths[0],
            w1 = widths[1]
        );
        text.trim_end().to_string() + "\n"
    };
    let mut text = line(*header);
    for row in rows {
        text.push_str(&line([&row[0], &row[1], &row[2]]));
    }
    text
}
