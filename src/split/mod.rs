//! Splitting the text of a migration file into statements.
//!
//! This module owns the lexical side of running a file: where one statement
//! ends and the next begins, the line and byte offset each statement starts
//! at (so a failing statement can be mapped back to a line of the file), and
//! the leading keywords of a statement for preflight checks. It knows the
//! quoting and comment rules of SQLite, PostgreSQL and MySQL/MariaDB, the
//! mysql client's `DELIMITER` command, and the compound bodies whose inner
//! semicolons do not end a statement: SQLite trigger bodies, PostgreSQL
//! `BEGIN ATOMIC` function bodies and MySQL stored programs. In PostgreSQL a
//! `;` inside parentheses does not end a statement either (as in psql, for
//! `CREATE RULE ... DO (...; ...)`). It does not parse SQL beyond that.
//!
//! When a compound body (or, in PostgreSQL, a parenthesis) is still open at
//! the end of the file, the statement is split again as if it had no body,
//! at its first delimiter, so one malformed statement never swallows the rest
//! of the file; the database then reports the error at the right place.
//!
//! Under a custom MySQL `DELIMITER` the client sends the text between two
//! delimiters as one query, and the server runs every statement in it. So
//! that preflight sees each of them (a `COMMIT` hidden after an `UPDATE`,
//! say), that text is split again where the server ends statements: at each
//! `;` outside a compound body. When a body there looks still open at the
//! delimiter and the text holds a `;`, the split is refused rather than
//! guessed (issue 10).
//!
//! The input is expected without a byte order mark and with LF line endings.
//!
//! The work is divided by concern: `lexer` turns the text into tokens (with
//! `quoted` finding where quoted text and comments end, and
//! `mysql_delimiter` reading `DELIMITER` lines); `boundary` finds the token
//! that ends each statement, with the compound bodies tracked by
//! `sqlite_postgres_bodies` and `mysql_programs`. This file holds the public
//! API and the driver that walks the tokens statement by statement.

mod boundary;
mod lexer;
mod lexicon;
mod mysql_delimiter;
mod mysql_programs;
#[cfg(test)]
mod proptests;
mod quoted;
#[cfg(test)]
mod sqlite_oracle_tests;
mod sqlite_postgres_bodies;
#[cfg(test)]
mod tests;

use std::fmt;

use boundary::statement_end;
use lexer::{Kind, Lexer, is_space};

/// Which SQL dialect's lexical rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// SQLite: `'strings'`, `"identifiers"`, `` `identifiers` ``,
    /// `[identifiers]`, non-nesting block comments, trigger bodies.
    Sqlite,
    /// PostgreSQL: `E'escapes'`, `$tag$dollar quotes$tag$`, nesting block
    /// comments, `BEGIN ATOMIC` function bodies.
    Postgres,
    /// MySQL and MariaDB: backslash escapes, `"strings"`, `#` comments,
    /// `/*! executable comments */`, `DELIMITER` lines, stored program bodies.
    Mysql,
}

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text: from its first token (comments before the first
    /// token are NOT included) up to but excluding the terminating delimiter,
    /// trailing whitespace trimmed. Comments inside it are kept verbatim.
    pub text: String,
    /// 1-based line number in the file of the statement's first token.
    pub line: usize,
    /// Byte offset in the file of the statement's first token.
    pub offset: usize,
}

/// A file that cannot be split: an unterminated quote, quoted identifier,
/// block comment or dollar-quoted string, or a MySQL `DELIMITER` block whose
/// statements cannot be told apart.
///
/// Displays as `"{message} starting at line {line}"`, for example
/// `unterminated dollar-quoted string $tag$ starting at line 4`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// 1-based line where the unterminated construct starts.
    pub line: usize,
    /// What is unterminated, lower case and without the line, for example
    /// `unterminated quoted string`.
    pub message: String,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} starting at line {}", self.message, self.line)
    }
}

impl std::error::Error for SplitError {}

/// Splits `sql` into its non-empty statements, in file order.
///
/// Statements end at `;` (or, in MySQL, at the delimiter set by the last
/// `DELIMITER` line, and at a `;` outside compound bodies, where the server
/// ends them); text after the last delimiter that holds a statement
/// is returned as a final statement. Statements made only of whitespace and
/// comments, and lone delimiters, are not returned.
///
/// # Errors
///
/// A [`SplitError`] when a quoted string, quoted identifier, block comment
/// or dollar-quoted string is not terminated before the end of `sql`, or
/// when the text between two custom MySQL delimiters holds a `;` while a
/// compound body in it looks unclosed.
pub fn split(sql: &str, syntax: Syntax) -> Result<Vec<Statement>, SplitError> {
    let tokens = Lexer::new(sql, syntax, true).collect::<Result<Vec<_>, _>>()?;
    let mut statements = Vec::new();
    let mut i = 0;
    while let Some(first) = tokens.get(i) {
        if !first.kind.is_significant() {
            i += 1;
            continue;
        }
        let end = statement_end(sql, syntax, &tokens, i)?;
        let stop = tokens.get(end).map_or(sql.len(), |t| t.start);
        let text = sql
            .get(first.start..stop)
            .unwrap_or_default()
            .trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8));
        statements.push(Statement {
            text: text.to_string(),
            line: first.line,
            offset: first.start,
        });
        i = end.max(i + 1);
    }
    Ok(statements)
}

/// The lines of a MySQL file where `--` without a space after it is a
/// comment only because it opens a line between statements, as the mysql
/// client reads it (the server would read it as SQL): worth a warning.
/// Empty for the other dialects, where `--` always starts a comment, and
/// for text that cannot be split.
pub fn mysql_client_comments(sql: &str, syntax: Syntax) -> Vec<usize> {
    if !syntax.lexicon().dash_comment_needs_space {
        return Vec::new();
    }
    Lexer::new(sql, syntax, true)
        .map_while(Result::ok)
        .filter(|token| {
            let text = token.text(sql).as_bytes();
            token.kind == Kind::Comment
                && text.starts_with(b"--")
                && text.get(2).is_some_and(|&b| b > b' ')
        })
        .map(|token| token.line)
        .collect()
}

/// The first `max` words of a statement, upper-cased, skipping comments and
/// whitespace, stopping at the first token that is not a bare word (a quote,
/// parenthesis, semicolon, operator, number, MySQL executable comment...).
///
/// For example `create /*x*/ unique index concurrently i on t(x)` with
/// `max` 5 gives `["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", "I"]`.
/// Text that cannot be split (an unterminated quote) simply stops the words.
pub fn leading_words(text: &str, syntax: Syntax, max: usize) -> Vec<String> {
    let mut words = Vec::new();
    if max == 0 {
        return words;
    }
    for token in Lexer::new(text, syntax, false) {
        let Ok(token) = token else { break };
        match token.kind {
            Kind::Comment => {}
            Kind::Word => {
                words.push(token.text(text).to_uppercase());
                if words.len() >= max {
                    break;
                }
            }
            _ => break,
        }
    }
    words
}
