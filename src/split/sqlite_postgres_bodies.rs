//! The bodies of SQLite triggers and PostgreSQL `BEGIN ATOMIC` routines.
//!
//! This file owns how these statements are recognised from their head
//! (`CREATE [TEMP] TRIGGER`, `CREATE [OR REPLACE] FUNCTION|PROCEDURE`) and
//! how their one body is tracked: it opens at `BEGIN` (in SQLite, the first
//! one; in PostgreSQL, `BEGIN ATOMIC`), `CASE` expressions nest inside it and
//! each `END` closes the innermost. A transaction's `BEGIN` is never a body.
//! PostgreSQL's parenthesis rule is kept by `boundary`.
//!
//! SQLite accepts `END` and many other keywords as bare identifiers (`SET
//! end = 1`, `THEN by END`), and any word after a `.` is a name
//! (`new.by`, `old.order`). So in a trigger body an `END` closes the body
//! only where a statement of the body may start (after `;`), and closes a
//! `CASE` only where an operand has just ended at the parenthesis depth the
//! `CASE` opened at; where an operand is expected, `END` is a column. Which
//! of the two holds is followed token by token (`Operand`), with SQLite's
//! own rule for keywords: a keyword that SQLite lets fall back to an
//! identifier (see `%fallback ID` in its `parse.y`) is a name where an
//! operand is expected. The splitter's boundaries are checked against
//! SQLite's parser in `sqlite_oracle_tests`.

use super::boundary::{Block, Blocks, Head, is_keyword, next_significant};
use super::lexer::{Kind, Token};

/// SQLite's keywords that never stand for a name, so that where an operand
/// is expected they leave it expected (`NOT end`, `WHEN end`, `FROM end`).
/// `NULL`, a literal, is not here; nor are the keywords SQLite reads as
/// names where a name fits (`BY`, `END`, `LIKE`, `MATCH`, `REPLACE`...) and
/// the join and window words it also accepts as names (`LEFT`, `OVER`...).
const SQLITE_RESERVED: [&str; 57] = [
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "AUTOINCREMENT",
    "BETWEEN",
    "CASE",
    "CHECK",
    "COLLATE",
    "COMMIT",
    "CONSTRAINT",
    "CREATE",
    "DEFAULT",
    "DEFERRABLE",
    "DELETE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "FOREIGN",
    "FROM",
    "GROUP",
    "HAVING",
    "IN",
    "INDEX",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "LIMIT",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "ON",
    "OR",
    "ORDER",
    "PRIMARY",
    "REFERENCES",
    "RETURNING",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "TRANSACTION",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
];

/// Where a SQLite expression stands after the tokens read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    /// An operand is expected: after an operator, `(`, `,`, `;` or a
    /// keyword such as `THEN`; a word here is a name (`THEN end`).
    Expected,
    /// An operand has just ended: a keyword here is an operator or a clause
    /// (`x LIKE y`, `x END`).
    Ended,
    /// After an operand and `NOT`: `LIKE`, `IN`, `BETWEEN`, `NULL`... follow.
    AfterNot,
}

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

    /// Accounts for a token of a SQLite trigger (`prev` is the significant
    /// token before it, `qualified` whether that is a `.`): the first `BEGIN`
    /// outside parentheses opens its one body, `CASE` opens an expression,
    /// and `END` closes the body where a statement may start (after a `;`)
    /// or the innermost `CASE` where an operand has just ended at the depth
    /// the `CASE` opened at.
    pub(super) fn sqlite_token(
        &mut self,
        sql: &str,
        tokens: &[Token],
        i: usize,
        prev: Option<usize>,
        qualified: bool,
    ) -> usize {
        let Some(&token) = tokens.get(i) else {
            return i + 1;
        };
        let prev = prev.and_then(|p| tokens.get(p));
        let before = self.operand;
        self.operand = next_operand(sql, &token, prev, before, qualified);
        if token.kind != Kind::Word || qualified {
            return i + 1;
        }
        let is = |keyword: &str| is_keyword(sql, &token, keyword);
        match self.stack.last() {
            None if !self.body_seen && self.parens == 0 && is("BEGIN") => {
                self.body_seen = true;
                self.stack.push(Block::Begin);
            }
            Some(_) if is("CASE") => {
                self.stack.push(Block::CaseExpression);
                self.case_parens.push(self.parens);
            }
            Some(Block::CaseExpression)
                if is("END")
                    && before == Operand::Ended
                    && self.case_parens.last() == Some(&self.parens) =>
            {
                self.stack.pop();
                self.case_parens.pop();
                // The CASE expression as a whole is an operand.
                self.operand = Operand::Ended;
            }
            Some(Block::Begin)
                if is("END")
                    && prev.is_some_and(|p| {
                        p.kind == Kind::Delimiter || is_keyword(sql, p, "BEGIN")
                    }) =>
            {
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

/// Where a SQLite expression stands after `token`, given where it stood
/// `before` it, the token before it and whether that was a `.`.
fn next_operand(
    sql: &str,
    token: &Token,
    prev: Option<&Token>,
    before: Operand,
    qualified: bool,
) -> Operand {
    let is = |keyword: &str| is_keyword(sql, token, keyword);
    match token.kind {
        Kind::Number | Kind::Quoted | Kind::Opaque => Operand::Ended,
        Kind::Punct => match token.text(sql) {
            ")" | "?" => Operand::Ended,
            _ => Operand::Expected,
        },
        Kind::Comment => before,
        Kind::Delimiter | Kind::DelimiterCommand | Kind::ServerSemicolon => Operand::Expected,
        Kind::Word if qualified => Operand::Ended,
        Kind::Word => match before {
            // `ORDER BY`, `GROUP BY`, `PARTITION BY`, `INDEXED BY` are
            // keywords even though `BY` alone may be a name.
            Operand::Expected
                if is("BY")
                    && prev.is_some_and(|p| {
                        ["ORDER", "GROUP", "PARTITION", "INDEXED"]
                            .iter()
                            .any(|k| is_keyword(sql, p, k))
                    }) =>
            {
                Operand::Expected
            }
            Operand::Expected if is("NULL") => Operand::Ended,
            Operand::Expected if SQLITE_RESERVED.iter().any(|k| is(k)) => Operand::Expected,
            // A name, a literal keyword or a function's name.
            Operand::Expected => Operand::Ended,
            Operand::Ended if is("NOT") => Operand::AfterNot,
            Operand::Ended | Operand::AfterNot
                if ["ISNULL", "NOTNULL", "NULL"].iter().any(|k| is(k)) =>
            {
                Operand::Ended
            }
            // An operator or a clause: `LIKE`, `AND`, `THEN`, `AS`, `FROM`...
            Operand::Ended | Operand::AfterNot => Operand::Expected,
        },
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
