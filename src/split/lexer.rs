//! The tokenizer shared by every dialect.
//!
//! This file owns the tokens the splitter works on (`Kind`, `Token`) and the
//! `Lexer` that produces them: whitespace and line counting, line comments,
//! block comments (MySQL executable comments kept as opaque code), words and
//! numbers, PostgreSQL string prefixes (`E'...'`, `U&'...'`), the current
//! statement delimiter, and where a MySQL `DELIMITER` line may stand: first
//! on its line while no statement is in progress, as the mysql client reads
//! it only when its statement buffer is empty. Where quoted text ends is left
//! to `quoted`, and the reading of a `DELIMITER` line to `mysql_delimiter`.
//! It also holds the byte-level searches (`rest`, `find`, `line_end`) the
//! other scanners use.

use super::mysql_delimiter::DelimiterLine;
use super::quoted::{dollar_quote, identifier, nested_comment_end, string};
use super::{SplitError, Syntax};

/// What a token is, as far as splitting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// A run of word characters starting with a digit.
    Number,
    /// A string, quoted identifier or dollar-quoted string.
    Quoted,
    /// A MySQL executable comment `/*! ... */`: code, kept opaque.
    Opaque,
    /// A line or block comment.
    Comment,
    /// The statement delimiter (`;`, or MySQL's current `DELIMITER`).
    Delimiter,
    /// A MySQL `DELIMITER xx` line, up to but excluding its newline.
    DelimiterCommand,
    /// A `;` while a MySQL `DELIMITER` other than `;` is in force: the mysql
    /// client sends it on as text, but the server (which runs several
    /// statements per query) reads it as the end of a statement, outside
    /// compound bodies, as it would a `;` delimiter.
    ServerSemicolon,
    /// Any other single character: operator, parenthesis, comma...
    Punct,
}

impl Kind {
    /// Whether the token belongs to a statement (comments and delimiters
    /// alone do not make one).
    pub(super) fn is_significant(self) -> bool {
        !matches!(
            self,
            Kind::Comment | Kind::Delimiter | Kind::DelimiterCommand | Kind::ServerSemicolon
        )
    }
}

/// One token: its kind, byte range and the line it starts on.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) line: usize,
}

impl Token {
    pub(super) fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or_default()
    }
}

/// Tokenizer over a whole file. Every token boundary falls on an ASCII byte,
/// the first byte of a (MySQL, possibly non-ASCII) delimiter or the end of
/// the input; other non-ASCII bytes are word characters. So slicing `src` at
/// token boundaries never splits a UTF-8 sequence.
pub(super) struct Lexer<'a> {
    src: &'a str,
    syntax: Syntax,
    pos: usize,
    line: usize,
    /// The current statement delimiter; only MySQL `DELIMITER` changes it.
    delimiter: String,
    /// Whether MySQL `DELIMITER` lines are recognised.
    commands: bool,
    /// No token has started on the current line yet.
    line_fresh: bool,
    /// A significant token has come since the last delimiter or `DELIMITER`
    /// line: the mysql client's statement buffer would not be empty.
    in_statement: bool,
    /// An error was returned: the iterator is finished.
    failed: bool,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str, syntax: Syntax, commands: bool) -> Self {
        Lexer {
            src,
            syntax,
            pos: 0,
            line: 1,
            delimiter: ";".to_string(),
            commands,
            line_fresh: true,
            in_statement: false,
            failed: false,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    /// Moves to `end`, counting the newlines passed over.
    fn advance_to(&mut self, end: usize) {
        let end = end.clamp(self.pos, self.src.len());
        let passed = self.bytes().get(self.pos..end).unwrap_or_default();
        self.line += passed.iter().filter(|&&b| b == b'\n').count();
        self.pos = end;
    }

    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        let mut p = self.pos;
        while let Some(&b) = bytes.get(p) {
            if !is_space(b) {
                break;
            }
            if b == b'\n' {
                self.line_fresh = true;
            }
            p += 1;
        }
        self.advance_to(p);
    }

    fn delimiter_at(&self, at: usize) -> bool {
        rest(self.bytes(), at).starts_with(self.delimiter.as_bytes())
    }

    /// Scans the token starting at `self.pos` (which is not whitespace and
    /// not the end of input); returns its kind and end, or the message of
    /// an unterminated construct.
    fn scan(&mut self) -> Result<(Kind, usize), String> {
        let bytes = self.bytes();
        let pos = self.pos;
        if let Some(end) = self.delimiter_command() {
            return Ok((Kind::DelimiterCommand, end));
        }
        if self.delimiter_at(pos) {
            return Ok((Kind::Delimiter, pos + self.delimiter.len()));
        }
        let Some(&b) = bytes.get(pos) else {
            return Ok((Kind::Punct, pos));
        };
        let next = bytes.get(pos + 1).copied();
        let lexicon = self.syntax.lexicon();
        match b {
            b'\'' => string(bytes, pos, lexicon.backslash_escapes),
            b'"' if lexicon.double_quoted_strings => string(bytes, pos, lexicon.backslash_escapes),
            b'"' => identifier(bytes, pos, b'"'),
            b'`' if lexicon.backtick_identifiers => identifier(bytes, pos, b'`'),
            b'[' if lexicon.bracket_identifiers => find(bytes, pos + 1, b"]")
                .map(|p| (Kind::Quoted, p + 1))
                .ok_or_else(|| "unterminated quoted identifier".to_string()),
            b'-' if next == Some(b'-') && self.dash_comment(pos) => {
                Ok((Kind::Comment, line_end(bytes, pos)))
            }
            b'#' if lexicon.hash_comments => Ok((Kind::Comment, line_end(bytes, pos))),
            b'/' if next == Some(b'*') => self.block_comment(pos),
            b'$' if lexicon.dollar_quotes => dollar_quote(self.src, pos),
            // Not the delimiter (checked above), so a custom one is in force.
            b';' if lexicon.client_delimiters => Ok((Kind::ServerSemicolon, pos + 1)),
            _ if is_word_start(b, self.syntax) => self.word(pos),
            _ => Ok((Kind::Punct, pos + 1)),
        }
    }

    /// Whether `--` at `pos` starts a comment: always, except in MySQL where
    /// the dashes must be followed by whitespace, a control character or
    /// the end of input (`1--1` is not a comment), or open a line between
    /// statements: the mysql client reads `--DROP INDEX i` there as a
    /// comment and never sends it ("lines starting with '--'" in its
    /// `add_line`), and files written for it rely on that.
    fn dash_comment(&self, pos: usize) -> bool {
        !self.syntax.lexicon().dash_comment_needs_space
            || self.bytes().get(pos + 2).is_none_or(|&b| b <= b' ')
            || (self.line_fresh && !self.in_statement)
    }

    fn block_comment(&self, pos: usize) -> Result<(Kind, usize), String> {
        let bytes = self.bytes();
        let body = rest(bytes, pos + 2);
        let lexicon = self.syntax.lexicon();
        let kind =
            if lexicon.executable_comments && (body.starts_with(b"!") || body.starts_with(b"M!")) {
                Kind::Opaque
            } else {
                Kind::Comment
            };
        let end = if lexicon.nested_block_comments {
            nested_comment_end(bytes, pos)
        } else {
            find(bytes, pos + 2, b"*/").map(|p| p + 2)
        };
        end.map(|e| (kind, e))
            .ok_or_else(|| "unterminated block comment".to_string())
    }

    /// A run of word characters; in PostgreSQL an `E` or `U&` directly
    /// before a quote makes it a string prefix instead.
    fn word(&self, pos: usize) -> Result<(Kind, usize), String> {
        let bytes = self.bytes();
        let mut end = pos + 1;
        while bytes.get(end).is_some_and(|&b| is_word_continue(b)) && !self.delimiter_at(end) {
            end += 1;
        }
        let word = bytes.get(pos..end).unwrap_or_default();
        if self.syntax.lexicon().string_prefixes {
            let after = rest(bytes, end);
            if word.eq_ignore_ascii_case(b"e") && after.starts_with(b"'") {
                return string(bytes, end, true);
            }
            if word.eq_ignore_ascii_case(b"u") && after.starts_with(b"&'") {
                return string(bytes, end + 1, false);
            }
            if word.eq_ignore_ascii_case(b"u") && after.starts_with(b"&\"") {
                return identifier(bytes, end + 1, b'"');
            }
        }
        let kind = if word.first().is_some_and(u8::is_ascii_digit) {
            Kind::Number
        } else {
            Kind::Word
        };
        Ok((kind, end))
    }

    /// Recognises a MySQL `DELIMITER xx` line at `self.pos` and applies it;
    /// returns the end of the line. Like the mysql client, which reads it
    /// only when its statement buffer is empty, it must start its line and
    /// no statement may be in progress: in the middle of a statement it is
    /// just text (a column named `delimiter`, say).
    fn delimiter_command(&mut self) -> Option<usize> {
        if !self.commands
            || !self.syntax.lexicon().client_delimiters
            || !self.line_fresh
            || self.in_statement
        {
            return None;
        }
        let line = DelimiterLine::at(self.src, self.pos)?;
        if let Some(new) = line.delimiter {
            self.delimiter = new.to_string();
        }
        Some(line.end)
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, SplitError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.skip_whitespace();
        if self.pos >= self.src.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        match self.scan() {
            Ok((kind, end)) => {
                // Always make progress, whatever a scanner returned.
                self.advance_to(end.max(start + 1));
                self.line_fresh = false;
                match kind {
                    Kind::Delimiter | Kind::DelimiterCommand => self.in_statement = false,
                    // The client keeps it in its buffer: a statement is in progress.
                    Kind::ServerSemicolon => self.in_statement = true,
                    _ if kind.is_significant() => self.in_statement = true,
                    _ => {}
                }
                Some(Ok(Token {
                    kind,
                    start,
                    end: self.pos,
                    line,
                }))
            }
            Err(message) => {
                self.failed = true;
                Some(Err(SplitError { line, message }))
            }
        }
    }
}

/// Whitespace between tokens: ASCII blanks, including vertical tab.
pub(super) fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

fn is_word_start(b: u8, syntax: Syntax) -> bool {
    b.is_ascii_alphanumeric()
        || b == b'_'
        || b >= 0x80
        || (b == b'$' && syntax.lexicon().dollar_starts_words)
}

fn is_word_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 || b == b'$'
}

/// `bytes[at..]`, or nothing when `at` is past the end.
pub(super) fn rest(bytes: &[u8], at: usize) -> &[u8] {
    bytes.get(at..).unwrap_or_default()
}

/// Position of the first `needle` (not empty) at or after `from`.
pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    rest(bytes, from)
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The position of the newline ending the line `pos` is on, or the end.
pub(super) fn line_end(bytes: &[u8], pos: usize) -> usize {
    find(bytes, pos, b"\n").unwrap_or(bytes.len())
}
