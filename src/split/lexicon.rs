//! What each dialect's text looks like, as a table of capabilities: the
//! lexer and the splitter ask these questions instead of "is this
//! PostgreSQL?", so each rule is stated once per dialect and a new dialect
//! inherits none of another's quoting by accident (it must fill in every
//! field).

use super::Syntax;

/// The lexical rules of one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lexicon {
    /// `"…"` is a string, not an identifier (MySQL).
    pub double_quoted_strings: bool,
    /// A backslash escapes the next character inside a string (MySQL).
    pub backslash_escapes: bool,
    /// `` `identifier` `` (SQLite, MySQL).
    pub backtick_identifiers: bool,
    /// `[identifier]` (SQLite, as in SQL Server).
    pub bracket_identifiers: bool,
    /// `# comment` to the end of the line (MySQL).
    pub hash_comments: bool,
    /// `--` starts a comment only when whitespace follows, or when it opens
    /// a line between statements as the mysql client reads it (MySQL).
    pub dash_comment_needs_space: bool,
    /// `/*! … */` and `/*M! … */` hold code, not a comment (MySQL).
    pub executable_comments: bool,
    /// Block comments nest (PostgreSQL).
    pub nested_block_comments: bool,
    /// `$tag$ … $tag$` quotes (PostgreSQL).
    pub dollar_quotes: bool,
    /// `E'…'` escape strings and `U&'…'`/`U&"…"` Unicode forms (PostgreSQL).
    pub string_prefixes: bool,
    /// `$` may start a word (MySQL names such as `$total`).
    pub dollar_starts_words: bool,
    /// The client's `DELIMITER` lines, and `;` between custom delimiters
    /// still ending a statement on the server (MySQL).
    pub client_delimiters: bool,
    /// A `;` inside parentheses does not end the statement (PostgreSQL
    /// `BEGIN ATOMIC` bodies in a parenthesised routine definition).
    pub semicolons_nest_in_parens: bool,
}

impl Syntax {
    /// The dialect's lexical rules.
    pub(crate) const fn lexicon(self) -> Lexicon {
        match self {
            Syntax::Sqlite => Lexicon {
                double_quoted_strings: false,
                backslash_escapes: false,
                backtick_identifiers: true,
                bracket_identifiers: true,
                hash_comments: false,
                dash_comment_needs_space: false,
                executable_comments: false,
                nested_block_comments: false,
                dollar_quotes: false,
                string_prefixes: false,
                dollar_starts_words: false,
                client_delimiters: false,
                semicolons_nest_in_parens: false,
            },
            Syntax::Postgres => Lexicon {
                double_quoted_strings: false,
                backslash_escapes: false,
                backtick_identifiers: false,
                bracket_identifiers: false,
                hash_comments: false,
                dash_comment_needs_space: false,
                executable_comments: false,
                nested_block_comments: true,
                dollar_quotes: true,
                string_prefixes: true,
                dollar_starts_words: false,
                client_delimiters: false,
                semicolons_nest_in_parens: true,
            },
            Syntax::Mysql => Lexicon {
                double_quoted_strings: true,
                backslash_escapes: true,
                backtick_identifiers: true,
                bracket_identifiers: false,
                hash_comments: true,
                dash_comment_needs_space: true,
                executable_comments: true,
                nested_block_comments: false,
                dollar_quotes: false,
                string_prefixes: false,
                dollar_starts_words: true,
                client_delimiters: true,
                semicolons_nest_in_parens: false,
            },
        }
    }
}
