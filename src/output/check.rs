//! `check`: a line per finding (`FILE:LINE: RULE: message`) with the schema
//! difference indented below it, then the summary; and the JSON.
//!
//! A difference names each object by the dump's section and name, and
//! shows a changed object's SQL line by line (`-` before, `+` after, the
//! lines both share unmarked), so a column left behind reads as one `+`
//! line inside its table.

use serde_json::{Value, json};

use super::Document;
use crate::check::{CheckReport, Finding, Line, SchemaDiff, Severity};
use crate::dump::{DumpItem, Section};
use crate::error::{Exit, location};

/// `check`: exit 3 when an error-level finding was made.
pub fn check(report: &CheckReport) -> Document {
    let mut text = String::new();
    for finding in &report.findings {
        text.push_str(&finding_text(finding));
    }
    text.push_str(&summary(report));
    Document::new(json_check(report), text).exit(Exit::of_check(report.failed()))
}

/// `FILE:LINE: RULE: message`, then the difference, each line ending in `\n`.
pub fn finding_text(finding: &Finding) -> String {
    let at = finding
        .file
        .as_deref()
        .map(|file| format!("{}: ", location(file, finding.line)))
        .unwrap_or_default();
    let weight = match finding.severity {
        Severity::Error => "",
        Severity::Warning => "warning: ",
        Severity::Info => "note: ",
    };
    let mut text = format!("{at}{}: {weight}{}\n", finding.rule, finding.message);
    if let Some(diff) = &finding.diff {
        text.push_str(&diff_text(diff));
    }
    text
}

/// The objects added, removed and changed, indented under their finding.
fn diff_text(diff: &SchemaDiff) -> String {
    let mut text = String::new();
    let mut object = |verb: &str, item: &DumpItem, mark: &str| {
        text.push_str(&format!(
            "    {verb} {}\n",
            object_name(item.section, &item.name)
        ));
        for line in item.sql.lines() {
            text.push_str(&format!("      {mark} {line}\n"));
        }
    };
    for item in &diff.added {
        object("added", item, "+");
    }
    for item in &diff.removed {
        object("removed", item, "-");
    }
    for changed in &diff.changed {
        let name = object_name(changed.section, &changed.name);
        text.push_str(&format!("    changed {name}\n"));
        for line in changed.lines() {
            let (mark, line) = match line {
                Line::Same(line) => (" ", line),
                Line::Removed(line) => ("-", line),
                Line::Added(line) => ("+", line),
            };
            text.push_str(&format!("      {mark} {line}\n"));
        }
    }
    text
}

/// `table users`, `foreign key orders_user_fk`.
fn object_name(section: Section, name: &str) -> String {
    format!("{} {name}", section_name(section))
}

/// What the objects of a section are, in the words of the output.
fn section_name(section: Section) -> &'static str {
    match section {
        Section::Settings => "setting",
        Section::Schemas => "schema",
        Section::Extensions => "extension",
        Section::Types => "type",
        Section::Sequences => "sequence",
        Section::Functions => "function",
        Section::Tables => "table",
        Section::Partitions => "partition",
        Section::SequenceOwnership => "sequence ownership",
        Section::Indexes => "index",
        Section::ForeignKeys => "foreign key",
        Section::Views => "view",
        Section::Triggers => "trigger",
        Section::Events => "event",
        Section::Comments => "comment",
        Section::Omitted => "object",
    }
}

/// `check: 2 findings; 3 versions proven, 1 only applied, on … in 40 ms`.
fn summary(report: &CheckReport) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .count();
    let warnings = report.findings.len() - errors;
    let found = match (errors, warnings) {
        (0, 0) => "no findings".to_string(),
        (errors, 0) => count(errors, "finding"),
        (errors, warnings) => format!(
            "{}, {}",
            count(errors, "finding"),
            count(warnings, "warning")
        ),
    };
    let mut text = String::new();
    if let Some(stopped) = &report.stopped {
        let rest = match stopped.unproven {
            0 => "nothing after it was checked".to_string(),
            1 => "the version after it was not checked".to_string(),
            n => format!("the {} after it were not checked", count(n, "version")),
        };
        text.push_str(&format!(
            "stopped after version {}: the scratch database is no longer what a deploy \
             makes, so {rest}\n",
            stopped.after
        ));
    }
    text.push_str(&format!(
        "check: {found}; {} proven, {} only applied, on {} in {} ms\n",
        count(report.proven, "version"),
        report.applied,
        report.scratch,
        report.ms
    ));
    text
}

fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// `check --json`.
pub fn json_check(report: &CheckReport) -> Value {
    let findings: Vec<Value> = report.findings.iter().map(json_finding).collect();
    json!({
        "findings": findings,
        "proven": report.proven,
        "applied": report.applied,
        "stopped": report.stopped.map(|stopped| json!({
            "after": super::json::to_value(&stopped.after),
            "unproven": stopped.unproven,
        })),
        "scratch": report.scratch,
        "ms": report.ms,
    })
}

fn json_finding(finding: &Finding) -> Value {
    json!({
        "rule": finding.rule,
        "severity": finding.severity.as_str(),
        "version": super::json::to_value(&finding.version),
        "phase": finding.phase,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
        "detail": finding.diff.as_ref().map(json_diff),
    })
}

fn json_diff(diff: &SchemaDiff) -> Value {
    let items = |items: &[DumpItem]| -> Vec<Value> {
        items
            .iter()
            .map(|item| {
                json!({
                    "section": section_name(item.section),
                    "name": item.name,
                    "sql": item.sql,
                })
            })
            .collect()
    };
    let changed: Vec<Value> = diff
        .changed
        .iter()
        .map(|changed| {
            json!({
                "section": section_name(changed.section),
                "name": changed.name,
                "before": changed.before,
                "after": changed.after,
            })
        })
        .collect();
    json!({
        "added": items(&diff.added),
        "removed": items(&diff.removed),
        "changed": changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::diff::Changed;
    use crate::check::{Stopped, rule};
    use crate::state::Operation;
    use crate::version::Version;

    fn report() -> CheckReport {
        let version = Version::new(2);
        let diff = SchemaDiff {
            added: vec![DumpItem::new(
                Section::Indexes,
                "users_email",
                "CREATE INDEX users_email ON users (email);",
            )],
            removed: Vec::new(),
            changed: vec![Changed {
                section: Section::Tables,
                name: "users".to_string(),
                before: "CREATE TABLE users (\n    id integer\n);".to_string(),
                after: "CREATE TABLE users (\n    id integer,\n    email text\n);".to_string(),
            }],
        };
        let restore = Finding {
            diff: Some(diff),
            ..Finding::error(
                rule::DOWN_DOES_NOT_RESTORE,
                version,
                Some(Operation::RollbackAdd),
                Some("down/2_email.sql"),
                "after down/2_email.sql, the schema differs from before up/2_email.sql ran"
                    .to_string(),
            )
        };
        let fails = Finding {
            line: Some(3),
            ..Finding::error(
                rule::UP_FAILS,
                version,
                Some(Operation::Add),
                Some("up/2_email.sql"),
                "applied again after down/2_email.sql: column \"email\" already exists".to_string(),
            )
        };
        let warning = Finding::warning(
            rule::DUMP_INCOMPLETE,
            "the dump cannot read operator ===(integer, integer)".to_string(),
        );
        CheckReport {
            findings: vec![restore, fails, warning],
            proven: 1,
            applied: 0,
            stopped: version.map(|after| Stopped { after, unproven: 3 }),
            scratch: "a temporary SQLite file".to_string(),
            ms: 12,
        }
    }

    #[test]
    fn findings_with_their_objects_then_the_summary() {
        let document = check(&report());
        assert_eq!(document.exit, Exit::Found);
        insta::assert_snapshot!(document.human, @r#"
        down/2_email.sql: down-does-not-restore: after down/2_email.sql, the schema differs from before up/2_email.sql ran
            added index users_email
              + CREATE INDEX users_email ON users (email);
            changed table users
                CREATE TABLE users (
              -     id integer
              +     id integer,
              +     email text
                );
        up/2_email.sql:3: up-fails: applied again after down/2_email.sql: column "email" already exists
        dump-incomplete: warning: the dump cannot read operator ===(integer, integer)
        stopped after version 2: the scratch database is no longer what a deploy makes, so the 3 versions after it were not checked
        check: 2 findings, 1 warning; 1 version proven, 0 only applied, on a temporary SQLite file in 12 ms
        "#);
    }

    #[test]
    fn the_json_lists_each_finding_with_its_detail() {
        let json = json_check(&report());
        let first = &json["findings"][0];
        assert_eq!(first["rule"], "down-does-not-restore");
        assert_eq!(first["phase"], "rollback_add");
        assert_eq!(first["version"], 2);
        assert_eq!(first["detail"]["added"][0]["section"], "index");
        assert_eq!(first["detail"]["changed"][0]["name"], "users");
        assert_eq!(json["findings"][1]["line"], 3);
        assert_eq!(json["findings"][2]["severity"], "warning");
        assert_eq!(json["stopped"]["unproven"], 3);
    }

    #[test]
    fn a_clean_check_exits_0_and_a_warning_alone_too() {
        let mut clean = report();
        clean
            .findings
            .retain(|finding| finding.severity == Severity::Warning);
        clean.stopped = None;
        let document = check(&clean);
        assert_eq!(document.exit, Exit::Done);
        assert!(document.human.ends_with(
            "check: 0 findings, 1 warning; 1 version proven, 0 only applied, on a temporary SQLite file in 12 ms\n"
        ));
    }
}
