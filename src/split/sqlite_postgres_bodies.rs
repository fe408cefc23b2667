//! The bodies of SQLite triggers and PostgreSQL `BEGIN ATOMIC` routines.
//!
//! This file owns how these statements are recognised from their head
//! (`CREATE [TEMP] TRIGGER`, `CREATE [OR REPLACE] FUNCTION|PROCEDURE`) and
//! how their one body is tracked: it opens at `BEGIN` (in SQLite, the first
//! one; in PostgreSQL, `BEGIN ATOMIC`), `CASE` expressions nest inside it and
//! each `END` closes the innermost. A transaction's `BEGIN` is never a body.
//! PostgreSQL's parenthesis rule is kept by `boundary`.
//!
//! SQLite accepts `END` as a bare identifier (`SET end = 1`), so in a trigger
//! body an `END` counts only where it can close something: where a statement
//! of the body may start (it closes the body), or in an open `CASE` where an
//! operand is not expected (it closes the `CASE`).

use super::boundary::{Block, Blocks, Head, is_keyword, next_significant};
use super::lexer::{Kind, Token};

/// SQLite words after which an operand is expected, so an `END` there is a
/// column named `end`, never the end of a `CASE`.
const SQLITE_OPERAND_BEFORE: [&str; 18] = [
    "CASE", "WHEN", "THEN", "ELSE", "AND", "OR", "NOT", "IS", "IN", "LIKE", "GLOB", "REGEXP",
    "MATCH", "BETWEEN", "ESCAPE", "SELECT", "DISTINCT", "BY",
];

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

    /// Accounts for a word of a SQLite trigger (`prev` is the significant
    /// token before it): the first `BEGIN` opens its one body, `CASE` opens
    /// an expression, and `END` closes the body where a statement may start
    /// (after its `BEGIN` or a `;`) or a `CASE` where no operand is expected.
    pub(super) fn sqlite_word(
        &mut self,
        sql: &str,
        tokens: &[Token],
        word: &str,
        i: usize,
        prev: Option<usize>,
    ) -> usize {
        let prev = prev.and_then(|p| tokens.get(p));
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        // Whether this END closes the innermost block `top`.
        let closes = |top: Block| match top {
            Block::CaseExpression => !prev.is_some_and(|p| expects_operand(sql, p)),
            _ => prev.is_some_and(|p| p.kind == Kind::Delimiter || is_keyword(sql, p, "BEGIN")),
        };
        match self.stack.last() {
            None if !self.body_seen && is("BEGIN") => {
                self.body_seen = true;
                self.stack.push(Block::Begin);
            }
            Some(_) if is("CASE") => self.stack.push(Block::CaseExpression),
            Some(&top) if is("END") && closes(top) => {
                self.stack.pop();
            }
            _ => {}
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

/// Whether an operand is expected after the SQLite token `token`: an
/// operator, an opening parenthesis or comma, or a keyword such as `THEN`.
fn expects_operand(sql: &str, token: &Token) -> bool {
    match token.kind {
        Kind::Punct => !matches!(token.text(sql), ")" | "?"),
        Kind::Word => SQLITE_OPERAND_BEFORE
            .iter()
            .any(|k| is_keyword(sql, token, k)),
        _ => false,
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
