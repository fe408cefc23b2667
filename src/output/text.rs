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
    let json = json!({ "version": created.version, "created": created.files });
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
