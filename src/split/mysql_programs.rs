//! The compound statements of MySQL and MariaDB stored programs.
//!
//! This file owns how a stored program is recognised from its head
//! (`CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE] PROCEDURE|FUNCTION|
//! TRIGGER|EVENT`, or MariaDB's `BEGIN NOT ATOMIC`), where its body starts
//! (past the name, parameters, return type and characteristics of a routine,
//! past `FOR EACH ROW [FOLLOWS|PRECEDES other]` of a trigger, past the `DO`
//! of an event), and how its nested blocks are tracked: `BEGIN`, `CASE`,
//! `IF`, `LOOP`, `WHILE` and `REPEAT` open a block only where a statement of
//! the body may start (so the `IF()` function and `IF EXISTS` do not), and
//! `END`, `END IF`, `END CASE`... close them. See
//! <https://dev.mysql.com/doc/refman/8.4/en/sql-compound-statements.html>
//! and <https://mariadb.com/kb/en/create-procedure/>.

use super::boundary::{Block, Blocks, Head, followed_by, is_keyword, next_significant};
use super::lexer::{Kind, Token};

/// The kind of a MySQL stored program, read from its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Program {
    /// MariaDB's `BEGIN NOT ATOMIC ... END`.
    Block,
    Procedure,
    Function,
    Trigger,
    Event,
}

/// MySQL words that may follow `END`, and the block each closes.
const MYSQL_CLOSERS: [(&str, Block); 5] = [
    ("IF", Block::If),
    ("CASE", Block::CaseStatement),
    ("LOOP", Block::Loop),
    ("WHILE", Block::While),
    ("REPEAT", Block::Repeat),
];

/// Words after which a MySQL word begins a statement of a body (beside `;`,
/// a label's `:`, a closing parenthesis, the start of the statement and the
/// start of the program's body).
const MYSQL_STATEMENT_STARTERS: [&str; 5] = ["BEGIN", "THEN", "ELSE", "DO", "ATOMIC"];

/// Words that may follow the name of a function's return type (beside
/// `(...)`, `CHARACTER SET x`, `CHARSET x`, `COLLATE x` and `OF x`): `INT
/// UNSIGNED`, `DOUBLE PRECISION`, `LONG VARCHAR`, `ROW TYPE OF t`...
const MYSQL_TYPE_WORDS: [&str; 12] = [
    "UNSIGNED",
    "SIGNED",
    "ZEROFILL",
    "BINARY",
    "ASCII",
    "UNICODE",
    "BYTE",
    "PRECISION",
    "VARYING",
    "VARCHAR",
    "VARBINARY",
    "TYPE",
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
        let at_statement = || self.statement_position(sql, tokens, i, prev);
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

    /// Whether the MySQL word `i`, after token `prev`, begins a statement of
    /// a body (so `IF` is the IF statement, not the `IF()` function or `IF
    /// EXISTS`).
    fn statement_position(
        &self,
        sql: &str,
        tokens: &[Token],
        i: usize,
        prev: Option<usize>,
    ) -> bool {
        if self.parens > 0 || self.stack.last() == Some(&Block::CaseExpression) {
            return false;
        }
        let body_start = tokens.get(i).map(|t| t.start);
        if body_start.is_some() && body_start == self.body_start {
            return true;
        }
        let Some(prev) = prev.and_then(|p| tokens.get(p)) else {
            return true;
        };
        match prev.kind {
            Kind::Delimiter | Kind::ServerSemicolon => true,
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
    /// [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT`: which program it is.
    pub(super) fn mysql_program(&mut self) -> Option<Program> {
        const KINDS: [&str; 5] = ["AGGREGATE", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"];
        if self.eat(&["BEGIN"]) {
            return (self.eat(&["NOT"]) && self.eat(&["ATOMIC"])).then_some(Program::Block);
        }
        if !self.eat(&["CREATE"]) || (self.eat(&["OR"]) && !self.eat(&["REPLACE"])) {
            return None;
        }
        if self.eat(&["DEFINER"]) {
            self.eat_punct("=");
            // The user: 'name'@'host', `name`@`host`, name@host, CURRENT_USER()...
            let mut skipped = 0;
            while skipped < 8 && !self.peek_word(&KINDS) && self.bump().is_some() {
                skipped += 1;
            }
        }
        self.eat(&["AGGREGATE"]);
        [
            ("PROCEDURE", Program::Procedure),
            ("FUNCTION", Program::Function),
            ("TRIGGER", Program::Trigger),
            ("EVENT", Program::Event),
        ]
        .into_iter()
        .find(|(word, _)| self.eat(&[word]))
        .map(|(_, program)| program)
    }

    /// The byte offset of the first token of the body of `program`, whose
    /// head has been read up to its kind; `None` when the rest of the head
    /// is not as expected (or, for a loadable function, there is no body).
    pub(super) fn mysql_body_start(&mut self, program: Program) -> Option<usize> {
        match program {
            Program::Block => {}
            Program::Procedure | Program::Function => {
                self.if_not_exists();
                self.name()?;
                if !self.eat_punct("(") {
                    return None;
                }
                self.past_parenthesis()?;
                if program == Program::Function {
                    if !self.eat(&["RETURNS"]) {
                        return None;
                    }
                    self.return_type()?;
                }
                self.characteristics();
            }
            Program::Trigger => {
                self.past(&["FOR", "EACH", "ROW"])?;
                if self.eat(&["FOLLOWS", "PRECEDES"]) {
                    self.name()?;
                }
            }
            Program::Event => self.past(&["DO"])?,
        }
        self.peek().map(|t| t.start)
    }

    /// Skips `IF NOT EXISTS`.
    fn if_not_exists(&mut self) {
        let at = self.at;
        if !(self.eat(&["IF"]) && self.eat(&["NOT"]) && self.eat(&["EXISTS"])) {
            self.at = at;
        }
    }

    /// Skips a name, possibly qualified: `p`, `` `db`.`p` ``.
    fn name(&mut self) -> Option<()> {
        const PART: [Kind; 3] = [Kind::Word, Kind::Quoted, Kind::Number];
        if !self.eat_kind(&PART) {
            return None;
        }
        while self.eat_punct(".") {
            if !self.eat_kind(&PART) {
                return None;
            }
        }
        Some(())
    }

    /// Skips to just past the `)` closing a `(` already read.
    fn past_parenthesis(&mut self) -> Option<()> {
        let mut depth = 1usize;
        while depth > 0 {
            if self.eat_punct("(") {
                depth += 1;
            } else if self.eat_punct(")") {
                depth -= 1;
            } else {
                self.bump()?;
            }
        }
        Some(())
    }

    /// Skips to just past the first run of the keywords `words`.
    fn past(&mut self, words: &[&str]) -> Option<()> {
        loop {
            let at = self.at;
            if words.iter().all(|w| self.eat(&[w])) {
                return Some(());
            }
            self.at = at;
            self.bump()?;
        }
    }

    /// Skips a function's return type: `INT`, `DECIMAL(10,2) UNSIGNED`,
    /// `VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`...
    fn return_type(&mut self) -> Option<()> {
        if !self.eat_kind(&[Kind::Word]) {
            return None;
        }
        loop {
            if self.eat_punct("(") {
                self.past_parenthesis()?;
            } else if self.eat(&["CHARACTER", "CHAR"]) {
                if self.eat(&["SET"]) {
                    self.name()?;
                }
            } else if self.eat(&["CHARSET", "COLLATE", "OF"]) {
                self.name()?;
            } else if !self.eat(&MYSQL_TYPE_WORDS) {
                return Some(());
            }
        }
    }

    /// Skips a routine's characteristics: `COMMENT 'text'`, `LANGUAGE SQL`,
    /// `[NOT] DETERMINISTIC`, `CONTAINS SQL`, `NO SQL`, `READS SQL DATA`,
    /// `MODIFIES SQL DATA`, `SQL SECURITY DEFINER|INVOKER`, in any order.
    fn characteristics(&mut self) {
        loop {
            let at = self.at;
            let read = if self.eat(&["COMMENT"]) {
                self.eat_kind(&[Kind::Quoted])
            } else if self.eat(&["LANGUAGE"]) {
                self.eat_kind(&[Kind::Word])
            } else if self.eat(&["NOT"]) {
                self.eat(&["DETERMINISTIC"])
            } else if self.eat(&["CONTAINS", "NO"]) {
                self.eat(&["SQL"])
            } else if self.eat(&["READS", "MODIFIES"]) {
                self.eat(&["SQL"]) && self.eat(&["DATA"])
            } else if self.eat(&["SQL"]) {
                self.eat(&["SECURITY"]) && self.eat(&["DEFINER", "INVOKER"])
            } else {
                self.eat(&["DETERMINISTIC"])
            };
            if !read {
                self.at = at;
                return;
            }
        }
    }
}
