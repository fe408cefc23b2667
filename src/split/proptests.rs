//! Property tests of the splitter, bounded so that they run in seconds in CI
//! (issue 11): for any text and every dialect, splitting never panics, and
//! the statements it returns lie within the text in file order, each at the
//! line and offset its text starts at.

use proptest::prelude::*;

use super::{Syntax, leading_words, mysql_client_comments, split};

/// Text made mostly of what the lexers care about (quotes, comment starts,
/// dollar tags, delimiters, keywords that open bodies), with any character
/// mixed in.
fn sql_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => proptest::sample::select(&[
            ";", "'", "\"", "`", "[", "]", "--", "-- ", "#", "/*", "*/", "/*!", "$$", "$a$", "E'",
            "\\", "\n", "\r\n", " ", "(", ")", "BEGIN", "END", "CASE", "IF", "LOOP", "ATOMIC",
            "CREATE TRIGGER t BEFORE INSERT ON x ", "CREATE PROCEDURE p() ", "DELIMITER //\n",
            "DELIMITER ;\n", "//", "DELIMITER", "SELECT 1", "U&'", "é", "\u{feff}",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn splitting_never_panics_and_statements_stay_in_order_within_the_text(text in sql_text()) {
        let lines = text.matches('\n').count() + 1;
        for syntax in [Syntax::Sqlite, Syntax::Postgres, Syntax::Mysql] {
            let _ = mysql_client_comments(&text, syntax);
            let Ok(statements) = split(&text, syntax) else { continue };
            let mut previous = (1, 0);
            for statement in &statements {
                prop_assert!(statement.line >= previous.0, "{syntax:?} {statements:?}");
                prop_assert!(statement.offset >= previous.1, "{syntax:?} {statements:?}");
                prop_assert!(statement.line <= lines, "{syntax:?} {statements:?}");
                let at = text.get(statement.offset..);
                prop_assert!(
                    at.is_some_and(|rest| rest.starts_with(&statement.text)),
                    "{syntax:?}: {statement:?} is not in the text at its offset"
                );
                let line = 1 + text[..statement.offset].matches('\n').count();
                prop_assert_eq!(line, statement.line, "{:?}", syntax);
                prop_assert!(!statement.text.is_empty());
                let _ = leading_words(&statement.text, syntax, 6);
                previous = (statement.line, statement.offset + statement.text.len());
            }
        }
    }
}
