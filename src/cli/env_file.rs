//! The `.env` file: read with a bound on its size, parsed by `dotenvy`, and
//! every mistake in it answered with the file, the line and what is wrong,
//! never with the line itself, which is where the password usually is.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::error::Error;

/// The largest `.env` file read: settings fit in a few hundred bytes, and
/// without a bound `--env-file /dev/zero` reads until memory runs out.
pub const MAX_ENV_FILE_BYTES: u64 = 1024 * 1024;

/// Reads `path` into `NAME → value`.
pub fn read(path: &Path) -> Result<HashMap<String, String>, Error> {
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|error| Error::Usage(format!("cannot read the env file {shown}: {error}")))?;
    // `take` bounds devices and pipes too, whose length the metadata does not tell.
    let mut bytes = Vec::new();
    file.take(MAX_ENV_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Error::Usage(format!("cannot read the env file {shown}: {error}")))?;
    if bytes.len() as u64 > MAX_ENV_FILE_BYTES {
        return Err(Error::Usage(format!(
            "the env file {shown} is larger than 1 MiB, which no settings file is: \
             name the right file with --env-file PATH, or use --no-env-file"
        )));
    }
    let text = std::str::from_utf8(&bytes).map_err(|error| {
        let line = line_of(&bytes[..error.valid_up_to()]);
        Error::Usage(format!(
            "{shown}:{line}: the env file is not UTF-8 text (the line is not shown, as it \
             may hold a password)"
        ))
    })?;
    parse(text).map_err(|problem| {
        Error::Usage(format!(
            "{shown}:{}: {} (the line is not shown, as it may hold a password)",
            problem.line, problem.what
        ))
    })
}

/// A mistake in a `.env` file, without any of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileProblem {
    /// 1-based line where the mistake is.
    pub line: usize,
    /// What is wrong.
    pub what: &'static str,
}

/// Parses the text of a `.env` file.
pub fn parse(text: &str) -> Result<HashMap<String, String>, EnvFileProblem> {
    let lines_given = Rc::new(Cell::new(0));
    let reader = LineByLine {
        rest: text.as_bytes(),
        lines_given: lines_given.clone(),
    };
    let mut values = HashMap::new();
    for entry in dotenvy::from_read_iter(reader) {
        match entry {
            Ok((name, value)) => {
                values.insert(name, value);
            }
            Err(error) => return Err(locate(text, lines_given.get(), &error)),
        }
    }
    Ok(values)
}

/// Hands `dotenvy` one line per read, so that the count of lines handed out
/// tells where the line it failed on ends.
struct LineByLine<'a> {
    rest: &'a [u8],
    lines_given: Rc<Cell<usize>>,
}

impl Read for LineByLine<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let line_end = self
            .rest
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(self.rest.len(), |index| index + 1);
        let count = line_end.min(buffer.len());
        buffer[..count].copy_from_slice(&self.rest[..count]);
        self.rest = &self.rest[count..];
        if count > 0 && (count == line_end) {
            self.lines_given.set(self.lines_given.get() + 1);
        }
        Ok(count)
    }
}

/// Where `dotenvy`'s error points, and what it means, from the text it
/// failed on (the whole logical line or the value part of it, which ends
/// where the last line handed out ends).
fn locate(text: &str, lines_given: usize, error: &dotenvy::Error) -> EnvFileProblem {
    let dotenvy::Error::LineParse(failed, index) = error else {
        return EnvFileProblem {
            line: lines_given.max(1),
            what: "the env file cannot be read",
        };
    };
    let end = line_end_offset(text, lines_given);
    let upto = text.get(..end).unwrap_or(text);
    let failed_trimmed = failed.trim_end();
    let upto_trimmed = upto.trim_end();
    // At the end of the file `dotenvy` reports everything from the start of
    // the entry whose quote never closed.
    let unterminated_at_end = end >= text.len() && *index >= failed.len();
    let start = if unterminated_at_end {
        text.len().saturating_sub(failed.len())
    } else if upto_trimmed.ends_with(failed_trimmed) {
        upto_trimmed.len() - failed_trimmed.len()
    } else {
        // Not found where expected: point at the last line handed out.
        let line = lines_given.max(1);
        return EnvFileProblem {
            line,
            what: "this line cannot be read",
        };
    };
    if unterminated_at_end {
        return EnvFileProblem {
            line: line_of(&text.as_bytes()[..start.min(text.len())]),
            what: "a quoted value is not closed: a `'` or `\"` has no end",
        };
    }
    // `dotenvy` counts bytes in the name part and characters in the value.
    let offset_in_failed = failed_trimmed
        .char_indices()
        .nth(*index)
        .map_or(failed_trimmed.len(), |(byte, _)| byte);
    let position = start + offset_in_failed;
    let line_start = text.as_bytes()[..start.min(text.len())]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |index| index + 1);
    let physical_line = text
        .get(line_start..)
        .unwrap_or_default()
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_start();
    let before = text.get(line_start..position).unwrap_or_default();
    let what = if !physical_line.contains('=') {
        "the line has no `=`: write NAME=VALUE, or start a comment with #"
    } else if before.ends_with('\\') {
        "a `\\` escape other than \\n, \\\\, \\', \\\", \\$ or \\ followed by a space"
    } else if !physical_line
        .split('=')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_start_matches("export ")
        .trim()
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || character == '_' || character == '.')
        || physical_line.starts_with(|character: char| character.is_ascii_digit())
    {
        "the name before `=` must be letters, digits, `_` or `.`, not starting with a digit"
    } else if before.ends_with([' ', '\t']) {
        "a value with a space in it must be quoted: NAME=\"two words\""
    } else if failed_trimmed.ends_with(['"', '\'']) || failed_trimmed.contains("${") {
        "a quoted value or a `${` is not closed"
    } else {
        "this line cannot be read as NAME=VALUE"
    };
    EnvFileProblem {
        line: line_of(&text.as_bytes()[..position.min(text.len())]),
        what,
    }
}

/// The byte offset just past line `lines` (1-based count of whole lines).
fn line_end_offset(text: &str, lines: usize) -> usize {
    if lines == 0 {
        return 0;
    }
    text.match_indices('\n')
        .nth(lines - 1)
        .map_or(text.len(), |(index, _)| index + 1)
}

/// The 1-based line number of the position just past `before`.
fn line_of(before: &[u8]) -> usize {
    before.iter().filter(|&&byte| byte == b'\n').count() + 1
}

#[cfg(test)]
mod tests;
