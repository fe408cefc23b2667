//! `lint`: one line per finding (`FILE:LINE: RULE: message; fix`), the
//! `--format json` document, and SARIF 2.1.0 for code-scanning tools, whose
//! `tool.driver.rules` is the whole catalogue so an annotation can link a
//! rule's help even when the run found nothing of it.

use std::path::Path;

use serde_json::{Value, json};

use super::Document;
use crate::error::Exit;
use crate::lint::{Finding, Report, Rule, Severity, database_name};

/// How `lint` prints its findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// `FILE:LINE: RULE: message; fix`, one line each.
    #[default]
    Human,
    /// One JSON document (as `--json`).
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// The SARIF schema the document declares.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `lint` of the folder `dir` (`--dir`): exit 3 when an error-level
/// finding remains.
pub fn lint(report: &Report, format: LintFormat, dir: &Path) -> Document {
    let exit = Exit::of_check(report.has_errors());
    let document = match format {
        LintFormat::Human => Document::new(json_lint(report), lint_text(report)),
        LintFormat::Json => {
            let json = json_lint(report);
            Document::new(json.clone(), format!("{json}\n"))
        }
        LintFormat::Sarif => {
            let sarif = sarif(report, dir);
            let text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
            Document::new(sarif, format!("{text}\n"))
        }
    };
    document.exit(exit)
}

/// The human lines and a closing count.
pub fn lint_text(report: &Report) -> String {
    let mut text: String = report
        .findings
        .iter()
        .map(|found| format!("{}\n", finding_line(found)))
        .collect();
    let count = |severity| {
        report
            .findings
            .iter()
            .filter(|f| f.severity() == severity)
            .count()
    };
    let counted = |n: usize, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    text.push_str(&format!(
        "lint: {}, {}, {}, {}\n",
        counted(report.files, "file"),
        counted(count(Severity::Error), "error"),
        counted(count(Severity::Warning), "warning"),
        counted(count(Severity::Info), "note"),
    ));
    text
}

/// `up/3.sql:7: add-removes: drops column users.name; keep it in …`.
pub fn finding_line(found: &Finding) -> String {
    format!(
        "{}:{}: {}: {}; {}",
        found.path,
        found.line,
        found.rule,
        found.message,
        found.fix()
    )
}

/// `lint --json`.
pub fn json_lint(report: &Report) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|found| {
            json!({
                "file": found.path,
                "line": found.line,
                "rule": found.rule.name(),
                "severity": found.severity().as_str(),
                "message": found.message,
                "fix": found.fix(),
            })
        })
        .collect();
    json!({
        "dialect": report.syntax.map(database_name),
        "files": report.files,
        "findings": findings,
    })
}

/// The SARIF 2.1.0 log of one run over the folder `dir`. Code-scanning
/// tools read a relative `uri` from the repository's root, where `lint` is
/// usually run: so with a relative `--dir` the path starts with it
/// (`db/migrations/up/3.sql`); with an absolute one it is relative to the
/// `MIGRATIONS` base, which `originalUriBaseIds` names.
pub fn sarif(report: &Report, dir: &Path) -> Value {
    let rules: Vec<Value> = Rule::ALL.iter().map(|rule| sarif_rule(*rule)).collect();
    let base = ArtifactBase::of(dir);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| sarif_result(f, &base))
        .collect();
    let mut run = json!({
            "tool": { "driver": {
                "name": "migrate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
    });
    if let ArtifactBase::Absolute(uri) = &base {
        run["originalUriBaseIds"] = json!({ "MIGRATIONS": { "uri": uri } });
    }
    json!({ "$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run] })
}

/// Where the findings' paths are relative to.
enum ArtifactBase {
    /// A relative folder, written before each path (`db/migrations/`), or nothing for `.`.
    Relative(String),
    /// An absolute folder as a `file://` URI ending in `/`.
    Absolute(String),
}

impl ArtifactBase {
    fn of(dir: &Path) -> ArtifactBase {
        let text = dir.to_string_lossy().replace('\\', "/");
        let trimmed = text.trim_end_matches('/');
        match (dir.is_absolute(), trimmed) {
            (true, _) => ArtifactBase::Absolute(format!("file://{trimmed}/")),
            (false, "" | ".") => ArtifactBase::Relative(String::new()),
            (false, folder) => {
                let folder = folder.strip_prefix("./").unwrap_or(folder);
                ArtifactBase::Relative(format!("{folder}/"))
            }
        }
    }

    fn location(&self, path: &str) -> Value {
        match self {
            ArtifactBase::Relative(prefix) => json!({ "uri": format!("{prefix}{path}") }),
            ArtifactBase::Absolute(_) => json!({ "uri": path, "uriBaseId": "MIGRATIONS" }),
        }
    }
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_rule(rule: Rule) -> Value {
    let databases: Vec<&str> = rule.databases().iter().map(|s| database_name(*s)).collect();
    json!({
        "id": rule.name(),
        "name": rule.name(),
        "shortDescription": { "text": rule.reason() },
        "help": { "text": rule.fix() },
        "defaultConfiguration": { "level": sarif_level(rule.severity()) },
        "properties": { "databases": databases, "example": rule.example() },
    })
}

fn sarif_result(found: &Finding, base: &ArtifactBase) -> Value {
    let index = Rule::ALL
        .iter()
        .position(|rule| *rule == found.rule)
        .unwrap_or_default();
    json!({
        "ruleId": found.rule.name(),
        "ruleIndex": index,
        "level": sarif_level(found.severity()),
        "message": { "text": format!("{}; {}", found.message, found.fix()) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": base.location(&found.path),
                "region": { "startLine": found.line },
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::Syntax;

    fn report() -> Report {
        let finding = |path: &str, rule: Rule| Finding {
            path: path.to_string(),
            line: 3,
            rule,
            message: "drops column users.name".to_string(),
        };
        Report {
            findings: vec![
                finding("up/2.sql", Rule::AddRemoves),
                finding("down/2.sql", Rule::Unparsed),
            ],
            files: 2,
            syntax: Some(Syntax::Mysql),
        }
    }

    #[test]
    fn human_lines_and_the_count() {
        let document = lint(&report(), LintFormat::Human, Path::new("."));
        assert_eq!(document.exit, Exit::Found);
        let lines: Vec<&str> = document.human.lines().collect();
        assert!(
            lines[0].starts_with("up/2.sql:3: add-removes: drops column users.name; keep it"),
            "{lines:?}"
        );
        assert_eq!(lines[2], "lint: 2 files, 1 error, 0 warnings, 1 note");
    }

    #[test]
    fn json_and_sarif_from_values() {
        let json = json_lint(&report());
        assert_eq!(json["dialect"], "mysql");
        assert_eq!(json["findings"][1]["severity"], "info");
        let sarif = sarif(&report(), Path::new("db/migrations/"));
        let result = &sarif["runs"][0]["results"][1];
        assert_eq!(result["level"], "note");
        assert_eq!(result["ruleIndex"], Rule::ALL.len() - 1);
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "db/migrations/down/2.sql");
        // Notes and warnings alone exit 0.
        let notes = Report {
            findings: report().findings.split_off(1),
            ..report()
        };
        assert_eq!(
            lint(&notes, LintFormat::Sarif, Path::new(".")).exit,
            Exit::Done
        );
    }
}
