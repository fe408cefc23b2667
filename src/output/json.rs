//! JSON numbers beyond `u64` in the documents, without serde_json's
//! `arbitrary_precision` (issue 17: a feature that would be forced on every
//! crate of an application's graph).
//!
//! A version has up to 38 digits (`u128`); the SPEC's documents write it as
//! a JSON number. serde_json writes a `u128` exactly to text, but its
//! `Value`, which the documents are built and merged in, holds at most a
//! `u64`: `to_value` fails on more, and parsing turns more into an `f64`.
//! So a number beyond `u64` travels inside a `Value` as a string marked
//! with [`MARK`] (a NUL, which no file name, label or URL holds), and
//! [`render`] writes it back as the bare number, so the bytes printed are
//! those serde_json would print with `arbitrary_precision`.
//!
//! - [`to_value`] for every value that may hold a version (never `json!`
//!   on one directly: its `to_value` would fail);
//! - [`parse`] for a document read back (the fleet's targets);
//! - [`render`] to print a document;
//! - [`number`] to read a number, marked or not.

use serde::Serialize;
use serde_json::Value;

/// What a marked number's string starts with.
const MARK: &str = "\u{0}u128:";

/// `value` as a `Value`, numbers beyond `u64` marked. Our documents'
/// values always serialize (string keys, no failing `Serialize`); should
/// one not, it is `null` rather than a panic.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // serde_json's own conversion fails only on a number beyond `u64`: the
    // round trip through text is for the rare document that holds one.
    if let Ok(converted) = serde_json::to_value(value) {
        return converted;
    }
    serde_json::to_string(value)
        .ok()
        .and_then(|text| parse(&text).ok())
        .unwrap_or(Value::Null)
}

/// Parses a JSON document, numbers beyond `u64` marked instead of rounded.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&mark(text))
}

/// A number of a document: a plain one, or one marked beyond `u64`.
pub fn number(value: &Value) -> Option<u128> {
    match value {
        Value::Number(number) => number.as_u64().map(u128::from),
        Value::String(text) => text.strip_prefix(MARK)?.parse().ok(),
        _ => None,
    }
}

/// The document as compact JSON text (what `Value`'s `Display` writes),
/// marked numbers written as numbers.
pub fn render(value: &Value) -> String {
    let text = value.to_string();
    // A marked number is the only string that starts with an escaped NUL
    // followed by the mark: `"\u0000u128:123"` becomes `123`.
    let quoted_mark = format!("\"{}", MARK.replace('\u{0}', "\\u0000"));
    if !text.contains(&quoted_mark) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(&quoted_mark) {
        out.push_str(&rest[..at]);
        let after = &rest[at + quoted_mark.len()..];
        let digits_end = after.find('"').unwrap_or(after.len());
        match is_digits(&after[..digits_end]) {
            true => {
                out.push_str(&after[..digits_end]);
                rest = after.get(digits_end + 1..).unwrap_or_default();
            }
            false => {
                out.push_str(&quoted_mark);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// JSON text with every integer beyond `u64` (up to `u128`) turned into a
/// marked string; strings and every other number are left as they are.
fn mark(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.char_indices().peekable();
    let mut in_string = false;
    let mut escaped = false;
    while let Some((start, character)) = characters.next() {
        if in_string {
            out.push(character);
            match (escaped, character) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if !(character == '-' || character.is_ascii_digit()) {
            in_string = character == '"';
            out.push(character);
            continue;
        }
        let mut end = start + character.len_utf8();
        while let Some(&(index, next)) = characters.peek() {
            if !(next.is_ascii_digit() || "+-.eE".contains(next)) {
                break;
            }
            end = index + next.len_utf8();
            characters.next();
        }
        let token = &text[start..end];
        let beyond_u64 =
            is_digits(token) && token.parse::<u64>().is_err() && token.parse::<u128>().is_ok();
        match beyond_u64 {
            true => {
                out.push_str(&Value::String(format!("{MARK}{token}")).to_string());
            }
            false => out.push_str(token),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: u128 = 12345678901234567890123456789012345678;

    #[test]
    fn numbers_beyond_u64_print_with_every_digit() {
        let value = to_value(&serde_json::json!({"a": 1}));
        assert_eq!(render(&value), r#"{"a":1}"#);
        let value = to_value(&[BIG, 7, u128::from(u64::MAX), u128::from(u64::MAX) + 1]);
        assert_eq!(
            render(&value),
            "[12345678901234567890123456789012345678,7,18446744073709551615,18446744073709551616]"
        );
        assert_eq!(number(&value[0]), Some(BIG));
        assert_eq!(number(&value[1]), Some(7));
    }

    #[test]
    fn a_document_read_back_keeps_its_numbers_and_strings() {
        let text = r#"{"v":12345678901234567890123456789012345678,"s":"a \"12345678901234567890123\" b\\","f":-1.5e3,"n":null,"t":[true,false,-3]}"#;
        let value = parse(text).expect("JSON");
        assert_eq!(number(&value["v"]), Some(BIG));
        assert_eq!(value["s"], r#"a "12345678901234567890123" b\"#);
        assert_eq!(render(&value), text.replace("-1.5e3", "-1500.0"));
    }

    #[test]
    fn rendering_matches_serde_json_for_unmarked_values() {
        let value = serde_json::json!({
            "text": "tab\t, quote \", nul \u{0}, é", "list": [1, -2, 2.5, null, {}], "ok": true
        });
        assert_eq!(render(&value), value.to_string());
    }
}
