//! One loaded migration file: its text, checksum and directives.
//!
//! The text is decoded as UTF-8, a leading byte-order mark is dropped and CRLF
//! line ends are read as LF, so that the checksum of a file does not change
//! when an editor or a Git setting rewrites its line ends (SPEC section 2).
//! Directives are the `-- migrate: ...` comment lines before the first
//! statement (SPEC section 1).
//!
//! A NUL byte is refused here, where every migration file is loaded, because
//! it is valid UTF-8 yet no database reads past it the same way: SQLite stops
//! at it, so `DELETE FROM t<NUL> WHERE ...` would run as `DELETE FROM t`
//! (issue 10). Refusing the file when the folder is read means a run with
//! such a file changes nothing.

use std::time::Duration;

use sha2::{Digest, Sha256};

/// How a file asks to be run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// `no-transaction`: run outside a transaction, one statement at a time.
    pub no_transaction: bool,
    /// `lock-timeout=DURATION`: how long each statement may wait for a lock.
    pub lock_timeout: Option<Duration>,
    /// `retries=N`: re-runs of a transactional file that failed on a lock timeout.
    pub retries: Option<u32>,
    /// `allow=RULE[,RULE]`: lint rules silenced for this file. Only `lint`
    /// reads them (and refuses a name that is no rule); running ignores them.
    pub allow: Vec<Allow>,
    /// `placeholders`: `${NAME}` in the file is filled from `--set NAME=VALUE`
    /// or the environment before it runs.
    pub placeholders: bool,
    /// `checkpoint`: the file is a checkpoint written by `squash` (SPEC
    /// section 10), standing for every version its header lists.
    pub checkpoint: bool,
}

/// One rule name of an `allow=` directive, with its line for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// The rule's name as written.
    pub rule: String,
    /// 1-based line of the directive.
    pub line: usize,
}

/// A problem in a file's text, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProblem {
    /// 1-based line of the file (0 when the file as a whole is at fault).
    pub line: usize,
    /// What is wrong, lower case.
    pub message: String,
}

/// A migration file's normalised text and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The text with the BOM dropped and CRLF read as LF.
    pub text: String,
    /// Hex SHA-256 of `text`.
    pub checksum: String,
    /// The directives of its header comments.
    pub directives: Directives,
}

impl Script {
    /// Decodes and reads a file's bytes.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Script, ScriptProblem> {
        if let Some(index) = bytes.iter().position(|&byte| byte == 0) {
            return Err(ScriptProblem {
                line: line_of_byte(bytes, index),
                message: format!(
                    "the file contains a NUL byte (byte {}), where a database may stop reading \
                     the statement: remove it (a value that needs one can be written as an \
                     expression, such as SQLite's and MySQL's `char(0)`)",
                    index + 1
                ),
            });
        }
        let decoded = std::str::from_utf8(bytes).map_err(|error| ScriptProblem {
            line: line_of_byte(bytes, error.valid_up_to()),
            message: format!(
                "the file is not valid UTF-8 (byte {})",
                error.valid_up_to() + 1
            ),
        })?;
        let text = normalise(decoded);
        let directives = parse_directives(&text)?;
        let checksum = checksum(&text);
        Ok(Script {
            text,
            checksum,
            directives,
        })
    }
}

/// Drops a leading byte-order mark and turns CRLF into LF.
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n")
}

/// The checksum stored for a file: hex SHA-256 of its normalised text.
pub fn checksum(normalised: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(normalised.as_bytes());
    // One push per digit: a `format!` per byte was a fifth of a no-op `up`'s
    // instructions over 10,000 files (issue 15).
    let mut text = String::with_capacity(digest.len() * 2);
    for byte in digest {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

fn line_of_byte(bytes: &[u8], index: usize) -> usize {
    1 + bytes[..index].iter().filter(|&&byte| byte == b'\n').count()
}

/// Reads the `-- migrate:` lines among the comment lines that open the file.
fn parse_directives(text: &str) -> Result<Directives, ScriptProblem> {
    let mut directives = Directives::default();
    let mut retries_line = None;
    let mut seen = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(comment) = trimmed.strip_prefix("--") else {
            break;
        };
        let Some(words) = comment.trim_start().strip_prefix("migrate:") else {
            continue;
        };
        let problem = |message: String| ScriptProblem {
            line: line_number,
            message,
        };
        if words.trim().is_empty() {
            return Err(problem("`-- migrate:` names no directive".into()));
        }
        for word in words.split_whitespace() {
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (word, None),
            };
            if name == "allow" {
                read_allow(&mut directives, value, line_number).map_err(problem)?;
                continue;
            }
            if seen.contains(&name) {
                return Err(problem(format!("directive `{name}` is given twice")));
            }
            seen.push(name);
            apply_directive(&mut directives, name, value).map_err(problem)?;
            if name == "retries" {
                retries_line = Some(line_number);
            }
        }
    }
    if let Some(line) = retries_line.filter(|_| directives.no_transaction) {
        return Err(ScriptProblem {
            line,
            message: "`retries=` only applies to transactional files; a `no-transaction` \
                      file cannot be re-run safely"
                .into(),
        });
    }
    Ok(directives)
}

/// `allow=RULE[,RULE]`: the names are kept as written; `lint` checks them,
/// so running a file never depends on the linter's catalogue.
fn read_allow(directives: &mut Directives, value: Option<&str>, line: usize) -> Result<(), String> {
    let names: Vec<&str> = value.unwrap_or_default().split(',').collect();
    if names.iter().any(|name| name.is_empty()) {
        return Err("directive `allow` needs rule names: `allow=RULE[,RULE]`".into());
    }
    let allowed = names.into_iter().map(|rule| Allow {
        rule: rule.to_string(),
        line,
    });
    directives.allow.extend(allowed);
    Ok(())
}

fn apply_directive(
    directives: &mut Directives,
    name: &str,
    value: Option<&str>,
) -> Result<(), String> {
    match (name, value) {
        ("no-transaction", None) => directives.no_transaction = true,
        ("placeholders", None) => directives.placeholders = true,
        ("checkpoint", None) => directives.checkpoint = true,
        ("checkpoint", Some(_)) => return Err("`checkpoint` takes no value".into()),
        ("lock-timeout", Some(value)) => {
            directives.lock_timeout = Some(crate::duration::parse(value)?);
        }
        ("retries", Some(value)) => {
            directives.retries = Some(
                value
                    .parse()
                    .map_err(|_| format!("`retries={value}` needs a whole number of retries"))?,
            );
        }
        ("no-transaction" | "placeholders", Some(_)) => {
            return Err(format!("`{name}` takes no value"));
        }
        ("lock-timeout" | "retries", None) => {
            return Err(format!("directive `{name}` needs a value: `{name}=...`"));
        }
        _ => {
            return Err(format!(
                "unknown directive `{name}`: the directives are no-transaction, \
                 lock-timeout=DURATION, retries=N, allow=RULE[,RULE], placeholders and checkpoint"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_ignores_bom_and_crlf() {
        let plain = Script::parse(b"CREATE TABLE t (x int);\nINSERT INTO t VALUES (1);\n").unwrap();
        let windows =
            Script::parse(b"\xef\xbb\xbfCREATE TABLE t (x int);\r\nINSERT INTO t VALUES (1);\r\n")
                .unwrap();
        assert_eq!(plain.checksum, windows.checksum);
        assert_eq!(plain.text, windows.text);
        assert_eq!(plain.checksum.len(), 64);
        assert_eq!(
            checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let edited = Script::parse(b"CREATE TABLE t (x int);\n").unwrap();
        assert_ne!(plain.checksum, edited.checksum);
    }

    #[test]
    fn a_lone_cr_is_content() {
        let with_cr = Script::parse(b"SELECT 1;\r").unwrap();
        assert_eq!(with_cr.text, "SELECT 1;\r");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let problem = Script::parse(b"SELECT 1;\nSELECT '\xff';\n").unwrap_err();
        assert_eq!(problem.line, 2);
        assert!(problem.message.contains("not valid UTF-8"));
    }

    #[test]
    fn a_nul_byte_names_its_line() {
        let problem =
            Script::parse(b"SELECT 1;\nDELETE FROM sessions\0 WHERE expired = 1;\n").unwrap_err();
        assert_eq!(problem.line, 2);
        assert!(
            problem.message.contains("NUL byte (byte 31)"),
            "{problem:?}"
        );
        // Anywhere: in a comment, a string, the first byte, after a BOM.
        for (bytes, line) in [
            (&b"-- a\0 comment\nSELECT 1;"[..], 1),
            (b"SELECT '\0';", 1),
            (b"\0", 1),
            (b"\xef\xbb\xbfSELECT 1;\r\n\r\nSELECT 2;\0", 3),
        ] {
            assert_eq!(Script::parse(bytes).unwrap_err().line, line, "{bytes:?}");
        }
    }

    #[test]
    fn directives_before_the_first_statement() {
        let script = Script::parse(
            b"-- add an index\n\n-- migrate: no-transaction lock-timeout=2s placeholders\nCREATE INDEX i ON t (x);\n",
        )
        .unwrap();
        assert_eq!(
            script.directives,
            Directives {
                no_transaction: true,
                lock_timeout: Some(Duration::from_secs(2)),
                retries: None,
                allow: Vec::new(),
                placeholders: true,
                checkpoint: false,
            }
        );
        let later = Script::parse(b"SELECT 1;\n-- migrate: no-transaction\n").unwrap();
        assert_eq!(later.directives, Directives::default());
    }

    #[test]
    fn directives_on_several_lines() {
        let script =
            Script::parse(b"--migrate: retries=3\n-- migrate: lock-timeout=500ms\nSELECT 1;")
                .unwrap();
        assert_eq!(script.directives.retries, Some(3));
        assert_eq!(
            script.directives.lock_timeout,
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn bad_directives_are_errors_with_their_line() {
        let cases: [(&[u8], usize, &str); 7] = [
            (
                b"-- migrate: no-transction\n",
                1,
                "unknown directive `no-transction`",
            ),
            (b"\n-- migrate: lock-timeout=2\n", 2, "not a duration"),
            (b"-- migrate: retries=x\n", 1, "whole number"),
            (b"-- migrate: retries\n", 1, "needs a value"),
            (b"-- migrate:\n", 1, "names no directive"),
            (
                b"-- migrate: no-transaction no-transaction\n",
                1,
                "given twice",
            ),
            (
                b"-- migrate: retries=2\n-- migrate: no-transaction\n",
                1,
                "only applies to transactional",
            ),
        ];
        for (text, line, message) in cases {
            let problem = Script::parse(text).unwrap_err();
            assert_eq!(problem.line, line, "{problem:?}");
            assert!(problem.message.contains(message), "{problem:?}");
        }
        assert!(Script::parse(b"-- migrate: no-transaction\n").is_ok());
    }

    #[test]
    fn allow_names_rules_for_lint_and_nothing_else() {
        let script = Script::parse(
            b"-- migrate: allow=pg-set-not-null,add-removes no-transaction\n-- migrate: allow=whatever\nSELECT 1;",
        )
        .unwrap();
        let names: Vec<(&str, usize)> = script
            .directives
            .allow
            .iter()
            .map(|a| (a.rule.as_str(), a.line))
            .collect();
        assert_eq!(
            names,
            [("pg-set-not-null", 1), ("add-removes", 1), ("whatever", 2)]
        );
        assert!(script.directives.no_transaction);
        for bad in [
            &b"-- migrate: allow\n"[..],
            b"-- migrate: allow=\n",
            b"-- migrate: allow=a,,b\n",
        ] {
            let problem = Script::parse(bad).unwrap_err();
            assert!(problem.message.contains("needs rule names"), "{problem:?}");
        }
    }
}
