//! The mysql client's `DELIMITER` command.
//!
//! This file owns how a `DELIMITER xx` line is read: the word at the start of
//! a line (case-insensitive), a blank, then an argument that is quoted or
//! runs to the next blank; and which new delimiters the client refuses. The
//! lexer decides where such a line may appear and keeps the current
//! delimiter. See <https://dev.mysql.com/doc/refman/8.4/en/mysql-commands.html>.

use super::lexer::line_end;

/// A `DELIMITER xx` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DelimiterLine<'a> {
    /// The end of the line: the position of its newline, or the end of input.
    pub(super) end: usize,
    /// The new delimiter, or `None` when the client would reject it (an
    /// empty argument or one with a backslash) and ignore the line.
    pub(super) delimiter: Option<&'a str>,
}

impl<'a> DelimiterLine<'a> {
    /// Reads the `DELIMITER` line starting at `pos` in `src`, if it is one:
    /// the word (case-insensitive) followed by a blank and a non-blank
    /// argument.
    pub(super) fn at(src: &'a str, pos: usize) -> Option<Self> {
        let bytes = src.as_bytes();
        if !bytes.get(pos..pos + 9)?.eq_ignore_ascii_case(b"delimiter") {
            return None;
        }
        let is_blank = |b: &u8| matches!(b, b' ' | b'\t');
        if !bytes.get(pos + 9).is_some_and(is_blank) {
            return None;
        }
        let end = line_end(bytes, pos);
        let argument = src
            .get(pos + 9..end)?
            .trim_matches(|c| c == ' ' || c == '\t');
        if argument.is_empty() {
            return None;
        }
        let new = delimiter_argument(argument);
        // The mysql client rejects (and ignores) these, consuming the line.
        let delimiter = (!new.is_empty() && !new.contains('\\')).then_some(new);
        Some(DelimiterLine { end, delimiter })
    }
}

/// The argument of a `DELIMITER` line as the mysql client reads it: a quoted
/// argument up to its closing quote, otherwise up to the next blank.
fn delimiter_argument(argument: &str) -> &str {
    let mut chars = argument.chars();
    match chars.next() {
        Some(quote @ ('\'' | '"' | '`')) => {
            let inner = chars.as_str();
            inner.find(quote).map_or(inner, |p| &inner[..p])
        }
        _ => argument
            .split(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or_default(),
    }
}
