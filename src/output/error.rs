//! Errors: the `error:` lines of stderr and the `"error"` object of a JSON
//! document, for errors of the tool and for clap's verdict on the arguments.

use serde_json::{Value, json};

use super::style::{ERROR_STYLE, paint};
use crate::error::{Error, Exit};

/// One `error: ...` line of stderr, `error:` in colour.
pub fn error_line(message: &str) -> String {
    format!("{} {message}", paint(ERROR_STYLE, "error:"))
}

/// The `error` object of a JSON document.
pub fn json_error(error: &Error) -> Value {
    let (file, line) = error.file_and_line();
    json!({
        "exit_code": Exit::from(error).code(),
        "message": error.to_string(),
        "file": file,
        "line": line,
    })
}

/// The document of arguments clap rejected: the error object alone, with
/// clap's first line as stderr shows it, without its `error: `.
pub fn json_arguments_error(rendered: &str, exit: Exit) -> Value {
    let first = rendered.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first);
    json!({ "error": {
        "exit_code": exit.code(), "message": message, "file": null, "line": null
    }})
}
