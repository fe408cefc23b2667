//! The compound statements of MySQL and MariaDB stored programs.
//!
//! This file owns how a stored program is recognised from its head
//! (`CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE] PROCEDURE|FUNCTION|
//! TRIGGER|EVENT`, or MariaDB's `BEGIN NOT ATOMIC`) and how its nested blocks
//! are tracked: `BEGIN`, `CASE`, `IF`, `LOOP`, `WHILE` and `REPEAT` open a
//! block only where a statement of the body may start (so the `IF()`
//! function and `IF EXISTS` do not), and `END`, `END IF`, `END CASE`... close
//! them. See <https://dev.mysql.com/doc/refman/8.4/en/sql-compound-statements.html>.

use super::boundary::{Block, Blocks, Head, followed_by, is_keyword, next_significant};
use super::lexer::{Kind, Token};

/// MySQL words that may follow `END`, and the block each closes.
const MYSQL_CLOSERS: [(&str, Block); 5] = [
    ("IF", Block::If),
    ("CASE", Block::CaseStatement),
    ("LOOP", Block::Loop),
    ("WHILE", Block::While),
    ("REPEAT", Block::Repeat),
];

/// Words after which a MySQL word begins a statement of a body (beside `;`,
/// a label's `:`, a closing parenthesis and the start of the statement).
const MYSQL_STATEMENT_STARTERS: [&str; 9] = [
    "BEGIN",
    "THEN",
    "ELSE",
    "DO",
    "ROW",
    "ATOMIC",
    "DETERMINISTIC",
    "SQL",
    "DATA",
];

impl Blocks {
    /// Accounts for a word of a MySQL stored program: pushes the block it
    /// opens, or pops the blocks an `END` closes.
    pub(super) fn mysql_word(
        &mut self,
        sql: &str,
        tokens: &[Token],
        word: &str,
        i: usize,
        prev: Option<usize>,
    ) -> usize {
        let upper = word.to_ascii_uppercase();
        let at_statement = || self.statement_position(sql, tokens, prev);
        let block = match upper.as_str() {
            "END" => return self.mysql_end(sql, tokens, i),
            "BEGIN" => Some(Block::Begin),
            "CASE" if at_statement() => Some(Block::CaseStatement),
            "CASE" => Some(Block::CaseExpression),
            "IF" if at_statement() => Some(Block::If),
            "LOOP" if at_statement() => Some(Block::Loop),
            "WHILE" if at_statement() => Some(Block::While),
            "REPEAT" if at_statement() && !followed_by(sql, tokens, i, "(") => Some(Block::Repeat),
            _ => None,
        };
        if let Some(block) = block {
            self.stack.push(block);
        }
        i + 1
    }

    /// Whether a MySQL word after token `prev` begins a statement of a body
    /// (so `IF` is the IF statement, not the `IF()` function or `IF EXISTS`).
    fn statement_position(&self, sql: &str, tokens: &[Token], prev: Option<usize>) -> bool {
        if self.parens > 0 || self.stack.last() == Some(&Block::CaseExpression) {
            return false;
        }
        let Some(prev) = prev.and_then(|p| tokens.get(p)) else {
            return true;
        };
        match prev.kind {
            Kind::Delimiter => true,
            Kind::Punct => matches!(prev.text(sql), ":" | ")"),
            Kind::Word => MYSQL_STATEMENT_STARTERS
                .iter()
                .any(|k| is_keyword(sql, prev, k)),
            _ => false,
        }
    }

    /// A MySQL `END`, possibly followed by the kind of block it closes
    /// (`END IF`): pops the matching block and skips that word.
    fn mysql_end(&mut self, sql: &str, tokens: &[Token], i: usize) -> usize {
        let closer = next_significant(tokens, i + 1).and_then(|j| {
            let token = tokens.get(j)?;
            MYSQL_CLOSERS
                .iter()
                .find(|(k, _)| is_keyword(sql, token, k))
                .map(|&(_, block)| (j, block))
        });
        match closer {
            Some((j, block)) => {
                let top = self.stack.last().copied();
                let matches = match block {
                    Block::CaseStatement => top
                        .is_some_and(|t| matches!(t, Block::CaseStatement | Block::CaseExpression)),
                    _ => top == Some(block),
                };
                if matches {
                    self.stack.pop();
                }
                j + 1
            }
            None => {
                // A plain END closes the innermost BEGIN or CASE; blocks above
                // it were misread (say, an IF that was not a statement).
                if let Some(at) = self.stack.iter().rposition(|b| b.closed_by_end()) {
                    self.stack.truncate(at);
                }
                i + 1
            }
        }
    }
}

impl Head<'_> {
    /// `BEGIN NOT ATOMIC`, or `CREATE [OR REPLACE] [DEFINER = user]
    /// [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT`.
    pub(super) fn mysql_program(&mut self) -> bool {
        const KINDS: [&str; 4] = ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"];
        if self.eat(&["BEGIN"]) {
            return self.eat(&["NOT"]) && self.eat(&["ATOMIC"]);
        }
        if !self.eat(&["CREATE"]) || (self.eat(&["OR"]) && !self.eat(&["REPLACE"])) {
            return false;
        }
        if self.eat(&["DEFINER"]) {
            self.eat_punct("=");
            // The user: 'name'@'host', `name`@`host`, name@host, CURRENT_USER()...
            let mut skipped = 0;
            while skipped < 8 && self.at < self.tokens.len() && !self.peek(&KINDS) {
                self.at += 1;
                skipped += 1;
            }
        }
        self.eat(&["AGGREGATE"]);
        self.eat(&KINDS)
    }

    /// Whether the next token is AGGREGATE or one of the keywords `words`.
    fn peek(&self, words: &[&str]) -> bool {
        self.tokens.get(self.at).is_some_and(|t| {
            is_keyword(self.sql, t, "AGGREGATE") || words.iter().any(|w| is_keyword(self.sql, t, w))
        })
    }
}
