//! The targets file of `--targets` (SPEC section 11): one `NAME URL` per
//! line, `#` comments, `${VAR}` in a URL taken from the environment.
//!
//! Pure: the environment is a lookup handed in. No error repeats a URL or a
//! variable's value, which may hold a password.

use std::collections::BTreeSet;

use crate::settings::DatabaseUrl;

/// One database of the fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its name, as the output shows it.
    pub name: String,
    /// Its URL, variables filled in.
    pub url: DatabaseUrl,
    /// 1-based line of the targets file.
    pub line: usize,
}

/// A mistake in the targets file, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsProblem {
    /// 1-based line (0 for the file as a whole).
    pub line: usize,
    /// What is wrong, lower case.
    pub message: String,
}

/// Reads the targets of `text`, or every problem in it.
pub fn parse(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Target>, Vec<TargetsProblem>> {
    let mut targets = Vec::new();
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw_line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let problem = |message: String| TargetsProblem { line, message };
        let mut words = content.split_whitespace();
        let (Some(name), Some(raw_url)) = (words.next(), words.next()) else {
            problems.push(problem(
                "a target is `NAME URL`: this line has no URL".into(),
            ));
            continue;
        };
        // A word starting with `#` after the URL starts a comment.
        if words.next().is_some_and(|word| !word.starts_with('#')) {
            // The rest may hold part of a URL with a password: not repeated.
            problems.push(problem(format!(
                "target `{name}`: more than `NAME URL` on the line (a URL holds no spaces; \
                 a comment starts a line with `#`)"
            )));
            continue;
        }
        if !is_target_name(name) {
            problems.push(problem(format!(
                "`{name}` is not a target name: use letters, digits, `_`, `-` and `.`"
            )));
            continue;
        }
        if !names.insert(name.to_string()) {
            problems.push(problem(format!("target `{name}` is named twice")));
            continue;
        }
        let expanded = match expand(raw_url, env) {
            Ok(expanded) => expanded,
            Err(message) => {
                problems.push(problem(format!("target `{name}`: {message}")));
                continue;
            }
        };
        match DatabaseUrl::parse(&expanded) {
            Ok(url) => targets.push(Target {
                name: name.to_string(),
                url,
                line,
            }),
            Err(message) => problems.push(problem(format!("target `{name}`: {message}"))),
        }
    }
    if targets.is_empty() && problems.is_empty() {
        problems.push(TargetsProblem {
            line: 0,
            message: "names no target: write one `NAME URL` per line".into(),
        });
    }
    match problems.is_empty() {
        true => Ok(targets),
        false => Err(problems),
    }
}

fn is_target_name(name: &str) -> bool {
    name.chars()
        .all(|character| character.is_ascii_alphanumeric() || "_-.".contains(character))
}

/// `raw` with each `${VAR}` replaced by the variable's value.
fn expand(raw: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut expanded = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find("${") {
        expanded.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            return Err("`${` without its `}` in the URL".into());
        };
        let variable = &after[..end];
        if !crate::placeholders::is_name(variable) {
            return Err(format!(
                "`${{{variable}}}` is not a variable name: use letters, digits and `_`"
            ));
        }
        let value = env(variable).ok_or_else(|| {
            format!(
                "the environment variable {variable} is not set (the URL uses `${{{variable}}}`)"
            )
        })?;
        expanded.push_str(&value);
        rest = &after[end + 1..];
    }
    expanded.push_str(rest);
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PG_PASSWORD" => Some("S3cret".into()),
            "HOST" => Some("db.internal".into()),
            _ => None,
        }
    }

    #[test]
    fn lines_comments_and_variables() {
        let text = "# tenants\n\
                    \n\
                    tenant_1   postgres://app:${PG_PASSWORD}@${HOST}/t1\n\
                    tenant-2 sqlite:t2.db   # the old cluster\n\
                    eu.3 sqlite:t3.db\n";
        let targets = parse(text, &env).unwrap();
        let names: Vec<&str> = targets.iter().map(|target| target.name.as_str()).collect();
        assert_eq!(names, ["tenant_1", "tenant-2", "eu.3"]);
        assert_eq!(targets[0].line, 3);
        // The variable is filled in, and the password never shown.
        assert_eq!(targets[0].url.redacted(), "postgres://app@db.internal/t1");
        assert_eq!(targets[2].line, 5);
    }

    #[test]
    fn every_mistake_is_named_with_its_line_and_no_secret() {
        let text = "a sqlite:a.db\n\
                    a sqlite:b.db\n\
                    b\n\
                    c postgres://app:${MISSING}@h/c\n\
                    d/x sqlite:d.db\n\
                    g sqlite:g.db extra\n\
                    e nosuch://S3cret@h\n\
                    f postgres://app:${PG_PASSWORD@h/f\n";
        let problems = parse(text, &env).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|problem| problem.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8]);
        assert!(problems[2].message.contains("MISSING is not set"));
        for problem in &problems {
            assert!(!problem.message.contains("S3cret"), "{problem:?}");
        }
    }

    #[test]
    fn a_file_without_targets_is_refused() {
        let problems = parse("# nothing\n\n", &env).unwrap_err();
        assert_eq!(problems[0].line, 0);
    }
}
