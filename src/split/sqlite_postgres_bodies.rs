//! The bodies of SQLite triggers and PostgreSQL `BEGIN ATOMIC` routines.
//!
//! This file owns how these statements are recognised from their head
//! (`CREATE [TEMP] TRIGGER`, `CREATE [OR REPLACE] FUNCTION|PROCEDURE`) and
//! how their one body is tracked: it opens at `BEGIN` (in SQLite, the first
//! one; in PostgreSQL, `BEGIN ATOMIC`), `CASE` expressions nest inside it and
//! each `END` closes the innermost. A transaction's `BEGIN` is never a body.
//! PostgreSQL's parenthesis rule is kept by `boundary`.

use super::boundary::{Block, Blocks, Head, is_keyword, next_significant};
use super::lexer::Token;

impl Blocks {
    /// The stack of a SQLite trigger body or PostgreSQL atomic body: CASE
    /// opens, END closes.
    fn case_or_end(&mut self, word: &str) {
        if word.eq_ignore_ascii_case("CASE") {
            self.stack.push(Block::CaseExpression);
        } else if word.eq_ignore_ascii_case("END") {
            self.stack.pop();
        }
    }

    /// Accounts for a word of a SQLite trigger: the first `BEGIN` opens its
    /// one body.
    pub(super) fn sqlite_word(&mut self, word: &str, i: usize) -> usize {
        if !self.stack.is_empty() {
            self.case_or_end(word);
        } else if !self.body_seen && word.eq_ignore_ascii_case("BEGIN") {
            self.body_seen = true;
            self.stack.push(Block::Begin);
        }
        i + 1
    }

    /// Accounts for a word of a PostgreSQL routine: `BEGIN ATOMIC` opens its
    /// body (and `ATOMIC` is skipped).
    pub(super) fn pg_word(&mut self, sql: &str, tokens: &[Token], word: &str, i: usize) -> usize {
        if !self.stack.is_empty() {
            self.case_or_end(word);
            return i + 1;
        }
        if !word.eq_ignore_ascii_case("BEGIN") {
            return i + 1;
        }
        match next_significant(tokens, i + 1) {
            Some(j) if tokens.get(j).is_some_and(|t| is_keyword(sql, t, "ATOMIC")) => {
                self.stack.push(Block::Begin);
                j + 1
            }
            _ => i + 1,
        }
    }
}

impl Head<'_> {
    /// `CREATE [TEMP|TEMPORARY] TRIGGER`
    pub(super) fn sqlite_trigger(&mut self) -> bool {
        self.eat(&["CREATE"]) && {
            self.eat(&["TEMP", "TEMPORARY"]);
            self.eat(&["TRIGGER"])
        }
    }

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`
    pub(super) fn pg_routine(&mut self) -> bool {
        self.eat(&["CREATE"])
            && (!self.eat(&["OR"]) || self.eat(&["REPLACE"]))
            && self.eat(&["FUNCTION", "PROCEDURE"])
    }
}
