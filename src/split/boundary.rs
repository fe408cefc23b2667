//! Where each statement ends.
//!
//! This file owns the walk from a statement's first token to the token that
//! ends it: the first delimiter or `DELIMITER` line (or, under a custom
//! MySQL delimiter, a `;` where the server ends a statement), except that a
//! `;` does not count while a compound body (or, in PostgreSQL, a
//! parenthesis) is open. (The lexer only lets a `DELIMITER` line stand where the mysql
//! client would read one, after a delimiter; inside an open body that ends
//! the statement there, as the client would have sent it.) It reads a
//! statement's head (`Head`) to choose which bodies it may hold (`Mode`),
//! keeps the nesting (`Blocks`), and falls back to the first delimiter when a
//! body is still open at the end of the input. The dialect-specific rules
//! live in `sqlite_postgres_bodies` and `mysql_programs`.

use super::lexer::{Kind, Token};
use super::sqlite_postgres_bodies::Operand;
use super::{SplitError, Syntax};

/// The index of the token that ends the statement starting at token
/// `start` (a delimiter, a `DELIMITER` line or, under a custom MySQL
/// delimiter, a `;` outside compound bodies), or `tokens.len()`.
///
/// # Errors
///
/// Under a custom MySQL delimiter, when a compound body still looks open at
/// the delimiter but the text holds a `;`: the server would read statements
/// there whose ends the splitter cannot tell, so the statement the client
/// sends could hide others from preflight (issue 10).
pub(super) fn statement_end(
    sql: &str,
    syntax: Syntax,
    tokens: &[Token],
    start: usize,
) -> Result<usize, SplitError> {
    let mut blocks = Blocks::for_statement(sql, syntax, tokens, start);
    let tracked = tracked_end(sql, tokens, start, &mut blocks);
    let end = tracked.unwrap_or_else(|| plain_end(tokens, start));
    let open = tracked.is_none() || !blocks.is_closed();
    let holds_semicolon = tokens
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .any(|t| t.kind == Kind::ServerSemicolon);
    if open && holds_semicolon {
        return Err(SplitError {
            line: tokens.get(start).map_or(1, |t| t.line),
            message: "cannot tell where the statements between these DELIMITER delimiters \
                      end: a compound statement (BEGIN ... END, IF ... END IF...) looks \
                      unclosed, and the server reads each `;` outside one as the end of a \
                      statement; close it, or give each statement its own delimiter"
                .to_string(),
        });
    }
    Ok(end)
}

/// The first delimiter or `DELIMITER` line at or after `start`.
fn plain_end(tokens: &[Token], start: usize) -> usize {
    tokens
        .iter()
        .skip(start)
        .position(|t| matches!(t.kind, Kind::Delimiter | Kind::DelimiterCommand))
        .map_or(tokens.len(), |p| start + p)
}

/// Like [`plain_end`] but a `;` inside an open block does not count; `None`
/// when a block is still open at the end of the input.
fn tracked_end(sql: &str, tokens: &[Token], start: usize, blocks: &mut Blocks) -> Option<usize> {
    let mut i = start;
    let mut prev = None;
    while let Some(token) = tokens.get(i) {
        match token.kind {
            Kind::DelimiterCommand => return Some(i),
            Kind::Delimiter if blocks.is_closed() || token.text(sql) != ";" => return Some(i),
            Kind::ServerSemicolon if blocks.is_closed() => return Some(i),
            Kind::Comment => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let next = blocks.step(sql, tokens, i, prev).max(i + 1);
        prev = Some(next - 1);
        i = next;
    }
    blocks.is_closed().then_some(tokens.len())
}

/// Which compound bodies a statement can contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No bodies: the statement ends at the first delimiter (in PostgreSQL,
    /// the first one outside parentheses).
    Plain,
    /// SQLite `CREATE TRIGGER`: one `BEGIN ... END` body.
    SqliteTrigger,
    /// PostgreSQL `CREATE FUNCTION|PROCEDURE`: a `BEGIN ATOMIC ... END` body.
    PgRoutine,
    /// MySQL stored program or `BEGIN NOT ATOMIC`: nested compound statements.
    MysqlProgram,
}

/// An open block of a compound body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    Begin,
    /// A CASE statement (MySQL), closed by `END CASE`.
    CaseStatement,
    /// A CASE expression, closed by `END`.
    CaseExpression,
    If,
    Loop,
    While,
    Repeat,
}

impl Block {
    /// Whether a plain `END` closes this block.
    pub(super) fn closed_by_end(self) -> bool {
        matches!(
            self,
            Block::Begin | Block::CaseStatement | Block::CaseExpression
        )
    }
}

/// Block nesting of the statement being split.
#[derive(Debug)]
pub(super) struct Blocks {
    mode: Mode,
    syntax: Syntax,
    /// The open blocks, innermost last.
    pub(super) stack: Vec<Block>,
    /// Open parentheses.
    pub(super) parens: usize,
    /// SQLite: the trigger body has been opened (there is only one).
    pub(super) body_seen: bool,
    /// MySQL: the byte offset of the first token of a stored program's body,
    /// past its head and characteristics, when the head could be read.
    pub(super) body_start: Option<usize>,
    /// SQLite: what the tokens so far leave expected in an expression.
    pub(super) operand: Operand,
    /// SQLite: the parenthesis depth at which each open `CASE` opened.
    pub(super) case_parens: Vec<usize>,
}

impl Blocks {
    fn for_statement(sql: &str, syntax: Syntax, tokens: &[Token], start: usize) -> Self {
        let mut head = Head::new(sql, tokens, start);
        let mut body_start = None;
        let mode = match syntax {
            Syntax::Sqlite if head.sqlite_trigger() => Mode::SqliteTrigger,
            Syntax::Postgres if head.pg_routine() => Mode::PgRoutine,
            Syntax::Mysql => match head.mysql_program() {
                Some(program) => {
                    body_start = head.mysql_body_start(program);
                    Mode::MysqlProgram
                }
                None => Mode::Plain,
            },
            _ => Mode::Plain,
        };
        Blocks {
            mode,
            syntax,
            stack: Vec::new(),
            parens: 0,
            body_seen: false,
            body_start,
            operand: Operand::Expected,
            case_parens: Vec::new(),
        }
    }

    /// Whether a `;` here ends the statement.
    fn is_closed(&self) -> bool {
        self.stack.is_empty()
            && (!self.syntax.lexicon().semicolons_nest_in_parens || self.parens == 0)
    }

    /// Accounts for the significant token `i`; returns the index of the
    /// next token to look at (past any word consumed as lookahead).
    fn step(&mut self, sql: &str, tokens: &[Token], i: usize, prev: Option<usize>) -> usize {
        let Some(&token) = tokens.get(i) else {
            return i + 1;
        };
        match (token.kind, token.text(sql)) {
            (Kind::Punct, "(") => self.parens += 1,
            (Kind::Punct, ")") => self.parens = self.parens.saturating_sub(1),
            _ => {}
        }
        let qualified = prev
            .and_then(|p| tokens.get(p))
            .is_some_and(|p| p.kind == Kind::Punct && p.text(sql) == ".");
        let word = token.text(sql);
        match self.mode {
            // SQLite reads every token, to know where an operand is expected.
            Mode::SqliteTrigger => self.sqlite_token(sql, tokens, i, prev, qualified),
            _ if token.kind != Kind::Word || qualified => i + 1,
            Mode::Plain => i + 1,
            Mode::PgRoutine => self.pg_word(sql, tokens, word, i),
            Mode::MysqlProgram => self.mysql_word(sql, tokens, word, i, prev),
        }
    }
}

/// The head of a statement, read token by token (comments skipped, up to
/// its first delimiter) to recognise its kind and, for a MySQL stored
/// program, where its body starts.
pub(super) struct Head<'a> {
    pub(super) sql: &'a str,
    /// The tokens from the statement's first one on.
    tokens: &'a [Token],
    /// The next token to read; saved and restored to read ahead.
    pub(super) at: usize,
}

impl<'a> Head<'a> {
    fn new(sql: &'a str, tokens: &'a [Token], start: usize) -> Self {
        let tokens = tokens.get(start..).unwrap_or_default();
        Head { sql, tokens, at: 0 }
    }

    /// The next significant token, not consumed; `None` at the first
    /// delimiter.
    pub(super) fn peek(&mut self) -> Option<Token> {
        while self
            .tokens
            .get(self.at)
            .is_some_and(|t| t.kind == Kind::Comment)
        {
            self.at += 1;
        }
        self.tokens
            .get(self.at)
            .filter(|t| {
                !matches!(
                    t.kind,
                    Kind::Delimiter | Kind::DelimiterCommand | Kind::ServerSemicolon
                )
            })
            .copied()
    }

    /// Consumes the next significant token.
    pub(super) fn bump(&mut self) -> Option<Token> {
        let token = self.peek()?;
        self.at += 1;
        Some(token)
    }

    /// Whether the next token is one of the keywords `words`.
    pub(super) fn peek_word(&mut self, words: &[&str]) -> bool {
        let sql = self.sql;
        self.peek()
            .is_some_and(|t| words.iter().any(|w| is_keyword(sql, &t, w)))
    }

    /// Consumes the next token if it is one of the keywords `words`.
    pub(super) fn eat(&mut self, words: &[&str]) -> bool {
        let hit = self.peek_word(words);
        self.at += usize::from(hit);
        hit
    }

    /// Consumes the next token if it is the punctuation `punct`.
    pub(super) fn eat_punct(&mut self, punct: &str) -> bool {
        let sql = self.sql;
        let hit = self
            .peek()
            .is_some_and(|t| t.kind == Kind::Punct && t.text(sql) == punct);
        self.at += usize::from(hit);
        hit
    }

    /// Consumes the next token if it is of one of the kinds `kinds`.
    pub(super) fn eat_kind(&mut self, kinds: &[Kind]) -> bool {
        let hit = self.peek().is_some_and(|t| kinds.contains(&t.kind));
        self.at += usize::from(hit);
        hit
    }
}

/// Whether `token` is the bare word `keyword` (ASCII case-insensitive).
pub(super) fn is_keyword(sql: &str, token: &Token, keyword: &str) -> bool {
    token.kind == Kind::Word && token.text(sql).eq_ignore_ascii_case(keyword)
}

/// Whether the significant token after `i` is the punctuation `punct`.
pub(super) fn followed_by(sql: &str, tokens: &[Token], i: usize, punct: &str) -> bool {
    next_significant(tokens, i + 1)
        .and_then(|j| tokens.get(j))
        .is_some_and(|t| t.kind == Kind::Punct && t.text(sql) == punct)
}

/// The index of the first non-comment token at or after `from`.
pub(super) fn next_significant(tokens: &[Token], from: usize) -> Option<usize> {
    tokens
        .iter()
        .skip(from)
        .position(|t| t.kind != Kind::Comment)
        .map(|p| from + p)
}
