//! Running the binary in a real pseudo-terminal (util-linux `script`), so
//! that stdout and stderr are a terminal of a given width, and reading what
//! stays on its screen.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `migrate ARGS` (the arguments already quoted for `sh`) in `dir`
/// on a terminal `columns` wide, without colours; returns whether it
/// succeeded and everything the terminal received.
pub fn run_on_a_terminal(dir: &Path, columns: u16, args: &str) -> (bool, String) {
    let command = format!(
        "stty rows 24 cols {columns} 2>/dev/null; NO_COLOR=1 '{}' {args}",
        env!("CARGO_BIN_EXE_migrate"),
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("MIGRATE_DIR")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run migrate through script(1)");
    let raw = String::from_utf8(output.stdout).expect("UTF-8");
    (output.status.success(), raw)
}

/// What stays on the screen: each live line, from `\r` to its "erase to
/// the end of the line", is gone once the next text overwrites it.
pub fn screen(raw: &str) -> String {
    let mut text = raw.replace("\r\n", "\n");
    while let Some(start) = text.find('\r') {
        let end = text[start..]
            .find("\x1b[K")
            .map_or(text.len(), |end| start + end + "\x1b[K".len());
        text.replace_range(start..end, "");
    }
    text
}
