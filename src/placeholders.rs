//! `${NAME}` placeholders in files marked `-- migrate: placeholders` (SPEC
//! section 12): finding the names a text uses, filling them in, and keeping
//! secret-looking values out of everything printed.
//!
//! A placeholder is `${` then a name of ASCII letters, digits and `_` (not
//! starting with a digit) then `}`; anything else that starts with `$` is
//! left as written, so PostgreSQL's `$1` and `$$` quoting keep working.
//! Values are filled in after the file is split into statements, so a value
//! can never add or remove a statement boundary, and the checksum stays the
//! one of the text as written.

use std::collections::BTreeMap;

/// The values a run fills placeholders with (the CLI's: `--set NAME=VALUE`,
/// then the environment). Its `Debug` shows neither names nor values: the
/// values may be secrets, and the CLI's hold the whole environment.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    values: BTreeMap<String, String>,
}

impl Placeholders {
    /// No values: a file that uses a placeholder is refused.
    pub fn new() -> Placeholders {
        Placeholders::default()
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Placeholders {
        self.values.insert(name.into(), value.into());
        self
    }

    /// The value of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub(crate) fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

impl std::fmt::Debug for Placeholders {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Placeholders({} values)", self.values.len())
    }
}

/// One use of a placeholder in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The name between `${` and `}`.
    pub name: String,
    /// 1-based line of the `$`.
    pub line: usize,
}

/// Every placeholder `text` uses, in order, with its line.
pub(crate) fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    // A name holds no line break, so each line can be read alone.
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find('$') {
            let from = &rest[at..];
            match name_at(from) {
                Some(name) => {
                    found.push(Reference {
                        name: name.to_string(),
                        line: index + 1,
                    });
                    rest = &from[name.len() + 3..];
                }
                None => rest = &from[1..],
            }
        }
    }
    found
}

/// `text` with each placeholder replaced by its value; a name without a
/// value is left as written (preflight refuses such a file first).
pub(crate) fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from) = rest.split_at(at);
        filled.push_str(before);
        match name_at(from).and_then(|name| Some((name, values.get(name)?))) {
            Some((name, value)) => {
                filled.push_str(value);
                rest = &from[name.len() + 3..];
            }
            None => {
                filled.push('$');
                rest = &from[1..];
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// `text` with each placeholder replaced by an identifier made of its name,
/// for reading the file without values (`lint`): `${schema}.t` reads as
/// `placeholder_schema.t` (the bare name could be a keyword: `role`).
pub(crate) fn as_names(text: &str) -> String {
    let names = references(text)
        .into_iter()
        .map(|reference| {
            let identifier = format!("placeholder_{}", reference.name);
            (reference.name, identifier)
        })
        .collect();
    fill(text, &names)
}

/// The name of the placeholder `text` starts with, if it starts with one.
fn name_at(text: &str) -> Option<&str> {
    let inside = text.strip_prefix("${")?;
    let end = inside.find('}')?;
    let name = &inside[..end];
    is_name(name).then_some(name)
}

/// Whether `name` can be a placeholder's: ASCII letters, digits and `_`,
/// not starting with a digit.
pub(crate) fn is_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// Whether a placeholder's name says its value is a secret: such values are
/// never printed (a dry run's SQL, a database error that quotes the
/// statement).
pub(crate) fn is_secret(name: &str) -> bool {
    const WORDS: [&str; 7] = [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "PRIVATE",
    ];
    let upper = name.to_ascii_uppercase();
    WORDS.iter().any(|word| upper.contains(word)) || upper == "PASS" || upper.ends_with("_PASS")
}

/// What stands in for a secret value wherever the text is shown.
pub(crate) const HIDDEN: &str = "***";

/// `message` with every one of `secrets` replaced by [`HIDDEN`], longest
/// first so that a secret inside another is not left half shown.
pub(crate) fn redact(message: &str, secrets: &[String]) -> String {
    let mut ordered: Vec<&String> = secrets.iter().filter(|secret| !secret.is_empty()).collect();
    ordered.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    ordered
        .into_iter()
        .fold(message.to_string(), |text, secret| {
            text.replace(secret.as_str(), HIDDEN)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn references_name_each_use_with_its_line() {
        let text = "CREATE SCHEMA ${schema};\n\nGRANT USAGE ON SCHEMA ${schema} TO ${role_1};\n";
        let names: Vec<(String, usize)> = references(text)
            .into_iter()
            .map(|reference| (reference.name, reference.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("schema".to_string(), 1),
                ("schema".to_string(), 3),
                ("role_1".to_string(), 3)
            ]
        );
    }

    #[test]
    fn dollar_signs_that_are_not_placeholders_are_left_alone() {
        let text = "SELECT $1, $$body$$, $tag$x$tag$, ${}, ${1x}, ${a-b}, ${open";
        assert!(references(text).is_empty());
        assert_eq!(fill(text, &values(&[("a", "no")])), text);
    }

    #[test]
    fn fill_replaces_known_names_and_keeps_unknown_ones() {
        let filled = fill(
            "GRANT ${role} ON ${schema}.t; -- ${other}",
            &values(&[("role", "app"), ("schema", "billing")]),
        );
        assert_eq!(filled, "GRANT app ON billing.t; -- ${other}");
    }

    #[test]
    fn a_value_is_not_read_again_as_a_placeholder() {
        let filled = fill("${a}", &values(&[("a", "${b}"), ("b", "no")]));
        assert_eq!(filled, "${b}");
    }

    #[test]
    fn as_names_reads_each_placeholder_as_its_name() {
        assert_eq!(
            as_names("GRANT ${role} ON ${schema}.t"),
            "GRANT placeholder_role ON placeholder_schema.t"
        );
    }

    #[test]
    fn names_that_look_secret() {
        for name in [
            "db_password",
            "API_TOKEN",
            "secret",
            "signing_key",
            "PASS",
            "app_pass",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in ["schema", "role", "passage", "owner"] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn redact_hides_every_secret_longest_first() {
        let secrets = vec!["abc".to_string(), "abcdef".to_string(), String::new()];
        assert_eq!(
            redact("near 'abcdef' and abc", &secrets),
            "near '***' and ***"
        );
    }
}
