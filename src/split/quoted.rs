//! Where quoted text and block comments end.
//!
//! This file owns the closing rules the lexer defers to once it has seen an
//! opening character: single-quoted strings (with doubled quotes and, in
//! MySQL and PostgreSQL `E'...'` strings, backslash escapes), quoted
//! identifiers, PostgreSQL's nesting block comments and its `$tag$ ... $tag$`
//! dollar quotes. Each returns the end of the construct, or the message of
//! the `SplitError` when it is not terminated.

use super::lexer::{Kind, find};

/// Identifier characters of a PostgreSQL dollar-quote tag (no `$`).
fn is_tag_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A single-quoted string (or MySQL double-quoted one) opening at `open`,
/// with doubled quotes and, if `backslash`, backslash escapes.
pub(super) fn string(bytes: &[u8], open: usize, backslash: bool) -> Result<(Kind, usize), String> {
    quoted_end(bytes, open, backslash)
        .map(|end| (Kind::Quoted, end))
        .ok_or_else(|| "unterminated quoted string".to_string())
}

/// A quoted identifier opening at `open` with `quote` doubled as escape.
pub(super) fn identifier(bytes: &[u8], open: usize, quote: u8) -> Result<(Kind, usize), String> {
    debug_assert_eq!(bytes.get(open), Some(&quote));
    quoted_end(bytes, open, false)
        .map(|end| (Kind::Quoted, end))
        .ok_or_else(|| "unterminated quoted identifier".to_string())
}

/// The end (after the closing quote) of the quoted text opening at `open`;
/// the quote character is the one at `open`.
fn quoted_end(bytes: &[u8], open: usize, backslash: bool) -> Option<usize> {
    let quote = *bytes.get(open)?;
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        let escaped = backslash && b == b'\\';
        let doubled = b == quote && bytes.get(i + 1) == Some(&quote);
        if escaped || doubled {
            i += 2;
        } else if b == quote {
            return Some(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// The end of a PostgreSQL block comment opening at `open`; they nest.
pub(super) fn nested_comment_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while let (Some(&a), Some(&b)) = (bytes.get(i), bytes.get(i + 1)) {
        match (a, b) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth = depth.saturating_sub(1);
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// A PostgreSQL `$tag$ ... $tag$` string at `pos`, or a lone `$` (as in the
/// parameter `$1`) when no tag follows.
pub(super) fn dollar_quote(src: &str, pos: usize) -> Result<(Kind, usize), String> {
    let bytes = src.as_bytes();
    let mut i = pos + 1;
    if bytes
        .get(i)
        .is_some_and(|&b| is_tag_char(b) && !b.is_ascii_digit())
    {
        while bytes.get(i).is_some_and(|&b| is_tag_char(b)) {
            i += 1;
        }
    }
    if bytes.get(i) != Some(&b'$') {
        return Ok((Kind::Punct, pos + 1));
    }
    let tag = src.get(pos..=i).unwrap_or("$$");
    match find(bytes, i + 1, tag.as_bytes()) {
        Some(close) => Ok((Kind::Quoted, close + tag.len())),
        None => Err(format!("unterminated dollar-quoted string {tag}")),
    }
}
