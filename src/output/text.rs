//! The commands whose result is a file or a text: `new`, `schema_dump`,
//! `load`, `completions` and `man`.

use std::path::Path;

use serde_json::json;

use super::Document;
use crate::scaffold::Created;
use crate::schema::SCHEMA_FILE;

/// `new NAME`: a `created FILE` line per file.
pub fn created(created: &Created) -> Document {
    let text: String = created
        .files
        .iter()
        .map(|file| format!("created {file}\n"))
        .collect();
    let json = json!({
        "version": super::json::to_value(&created.version),
        "created": created.files,
    });
    Document::new(json, text)
}

/// `schema_dump`: the dump itself.
pub fn schema(dump: &str) -> Document {
    Document::new(json!({ "schema": dump }), dump)
}

/// `schema_dump --output FILE`.
pub fn schema_written(path: &Path) -> Document {
    let text = format!("wrote the schema to {}\n", path.display());
    Document::new(json!({ "output": path.display().to_string() }), text)
}

/// `load`: how many statements ran.
pub fn loaded(statements: usize) -> Document {
    let text = format!("loaded {SCHEMA_FILE}: {statements} statement(s)\n");
    let json = json!({ "loaded": SCHEMA_FILE, "statements": statements });
    Document::new(json, text)
}

/// `completions SHELL`: the script.
pub fn completions(shell: &str, script: &str) -> Document {
    Document::new(json!({ "shell": shell, "script": script }), script)
}

/// `man [COMMAND]`: the roff page.
pub fn man(page: &str) -> Document {
    Document::new(json!({ "man": page }), page)
}

/// `database create` / `database drop`: `{"database": URL, "created": true}`
/// (`false` when it existed already), or `"dropped"` (`false` when there was
/// nothing to drop).
pub fn database(url: &str, verb: &str, outcome: crate::database::Outcome) -> Document {
    let done = outcome == crate::database::Outcome::Done;
    let (key, text) = match (verb, done) {
        ("create", true) => ("created", format!("created the database {url}\n")),
        ("create", false) => ("created", format!("the database {url} exists already\n")),
        (_, true) => ("dropped", format!("dropped the database {url}\n")),
        (_, false) => ("dropped", format!("the database {url} does not exist\n")),
    };
    Document::new(serde_json::json!({ "database": url, key: done }), text)
}
