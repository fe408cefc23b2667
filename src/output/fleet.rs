//! What a fleet run prints (SPEC section 11): a line per target as it
//! finishes, the summary, `status` as a matrix of targets by version, and
//! the `--json` document; and the exit code of the whole run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::Exit;

/// One target's run: how it ended, what the lines and the matrix say of
/// it, and, for `--json`, the document it would have printed alone.
#[derive(Debug, Clone)]
pub struct TargetRun {
    /// How the run ended.
    pub exit: Exit,
    /// What the human output says of it.
    pub digest: Digest,
    /// Its `--json` document, kept only when the fleet prints JSON: a
    /// thousand targets' documents are most of a fleet run's memory.
    pub document: Option<Value>,
    /// How long it took.
    pub elapsed: Duration,
}

/// The few facts of a target's document the human output shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// How many operations ran (a changing command).
    pub operations: Option<usize>,
    /// Its current version (`status`).
    pub current_version: Option<u128>,
    /// Versions pending, drifted and failed (`status`).
    pub pending: usize,
    /// Versions whose applied files changed.
    pub drifted: usize,
    /// Versions left failed.
    pub failed: usize,
    /// Repeatable files changed or new (`status`).
    pub repeatables: usize,
    /// The error's message, when the run failed.
    pub error: Option<String>,
}

impl Digest {
    /// Reads the facts off a target's `--json` document.
    pub fn of(document: &Value) -> Digest {
        let versions = document["versions"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let count = |test: &dyn Fn(&Value) -> bool| versions.iter().filter(|v| test(v)).count();
        Digest {
            operations: document["operations"].as_array().map(Vec::len),
            current_version: version_of(&document["current_version"]),
            pending: count(&|version| version["state"] == "pending"),
            drifted: count(&|version| version["drift"] == true),
            failed: count(&|version| version.get("failure").is_some_and(|f| !f.is_null())),
            repeatables: document["repeatables"].as_array().map_or(0, |files| {
                files
                    .iter()
                    .filter(|file| file["state"] != "current")
                    .count()
            }),
            error: document["error"]["message"].as_str().map(str::to_string),
        }
    }
}

impl TargetRun {
    /// Whether the target failed: any exit but 0, except the verdict of a
    /// check (exit 3), which is an answer, not a failure.
    pub fn failed(&self) -> bool {
        !matches!(self.exit, Exit::Done | Exit::Found)
    }

    fn error_message(&self) -> Option<&str> {
        self.digest.error.as_deref()
    }
}

/// A target's name and database, as the output shows them.
pub struct Named<'a> {
    /// The name from the targets file.
    pub name: &'a str,
    /// The URL, redacted.
    pub database: String,
}

/// The line printed when a target finishes.
pub fn finished_line(name: &str, width: usize, run: &TargetRun) -> String {
    let mut line = format!("{name:<width$}  ");
    let seconds = run.elapsed.as_secs_f64();
    match (run.exit, run.error_message()) {
        (Exit::Done | Exit::Found, _) => {
            let verdict = match run.exit {
                Exit::Found => "found",
                _ => "ok",
            };
            let _ = write!(line, "{verdict}  ");
            if let Some(count) = run.digest.operations {
                let noun = if count == 1 {
                    "operation"
                } else {
                    "operations"
                };
                let _ = write!(line, "{count} {noun}  ");
            } else if let Some(version) = run.digest.current_version {
                let _ = write!(line, "version {version}  ");
            }
            let _ = write!(line, "{seconds:.1} s");
        }
        (exit, message) => {
            let _ = write!(
                line,
                "failed (exit {})  {}",
                exit.code(),
                message.unwrap_or(exit.meaning())
            );
        }
    }
    line
}

/// How a fleet run went, counted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Targets that ended 0 (or 3, a check's verdict).
    pub ok: usize,
    /// Targets that failed.
    pub failed: usize,
    /// Targets stopped by a signal.
    pub interrupted: usize,
    /// Targets that never started.
    pub not_started: usize,
}

impl Counts {
    /// Counts the results of a run.
    pub fn of(results: &[Option<TargetRun>]) -> Counts {
        let mut counts = Counts::default();
        for result in results {
            match result {
                None => counts.not_started += 1,
                Some(run) if matches!(run.exit, Exit::Interrupted(_)) => counts.interrupted += 1,
                Some(run) if run.failed() => counts.failed += 1,
                Some(_) => counts.ok += 1,
            }
        }
        counts
    }

    /// `412 ok, 1 failed, 3 not started`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{} ok", self.ok)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.interrupted > 0 {
            parts.push(format!("{} interrupted", self.interrupted));
        }
        if self.not_started > 0 {
            parts.push(format!("{} not started", self.not_started));
        }
        parts.join(", ")
    }
}

/// The exit of the whole run: 0 when every target that ran exited 0;
/// a signal's code when one stopped the run; otherwise the first of 1, 5,
/// 4, 3, 2 that some target returned (SPEC section 11).
pub fn exit(results: &[Option<TargetRun>], signal: Option<Exit>) -> Exit {
    if let Some(signal) = signal {
        return signal;
    }
    let exits: Vec<Exit> = results.iter().flatten().map(|run| run.exit).collect();
    [
        Exit::Failed,
        Exit::Refused,
        Exit::Locked,
        Exit::Found,
        Exit::Usage,
    ]
    .into_iter()
    .find(|exit| exits.contains(exit))
    .or_else(|| exits.into_iter().find(|exit| *exit != Exit::Done))
    .unwrap_or(Exit::Done)
}

/// The `--json` document: `{"targets": [{"name", "database", "exit_code",
/// ...the target's own document}]}`; a target that never started has
/// `"exit_code": null` and `"started": false`.
pub fn json(names: &[Named<'_>], results: &[Option<TargetRun>]) -> Value {
    let targets: Vec<Value> = names
        .iter()
        .zip(results)
        .map(|(named, result)| {
            let mut entry = serde_json::Map::new();
            entry.insert("name".into(), json!(named.name));
            entry.insert("database".into(), json!(named.database));
            match result {
                Some(run) => {
                    entry.insert("exit_code".into(), json!(run.exit.code()));
                    entry.insert("started".into(), json!(true));
                    entry.insert("ms".into(), json!(run.elapsed.as_millis() as u64));
                    if let Some(Value::Object(document)) = &run.document {
                        for (key, value) in document {
                            // The target's URL is its `database` already.
                            if key != "database" {
                                entry.insert(key.clone(), value.clone());
                            }
                        }
                    }
                }
                None => {
                    entry.insert("exit_code".into(), Value::Null);
                    entry.insert("started".into(), json!(false));
                }
            }
            Value::Object(entry)
        })
        .collect();
    json!({ "targets": targets })
}

/// `status` over a fleet: how many targets are at each current version,
/// then the targets that need a look, named.
pub fn status_matrix(names: &[Named<'_>], results: &[Option<TargetRun>]) -> String {
    let mut by_version: BTreeMap<u128, Vec<&str>> = BTreeMap::new();
    let mut failed_versions = Vec::new();
    let mut drifted = Vec::new();
    let mut pending = Vec::new();
    let mut repeatables = Vec::new();
    let mut unreadable = Vec::new();
    for (named, result) in names.iter().zip(results) {
        let Some(run) = result else {
            continue;
        };
        let digest = &run.digest;
        let Some(current) = digest.current_version else {
            let reason = run.error_message().unwrap_or(run.exit.meaning());
            unreadable.push(format!("{}: {reason}", named.name));
            continue;
        };
        by_version.entry(current).or_default().push(named.name);
        for (list, count) in [
            (&mut failed_versions, digest.failed),
            (&mut drifted, digest.drifted),
            (&mut pending, digest.pending),
            (&mut repeatables, digest.repeatables),
        ] {
            if count > 0 {
                list.push(format!("{} ({count})", named.name));
            }
        }
    }
    let mut text = String::from("version  targets\n");
    for (version, targets) in by_version.iter().rev() {
        let _ = write!(text, "{version:<7}  {:<5}", targets.len());
        // A short list is named; a long one is counted only.
        if targets.len() <= 5 {
            let _ = write!(text, "  {}", targets.join(", "));
        }
        text.push('\n');
    }
    for (label, list) in [
        ("failed", &failed_versions),
        ("drifted", &drifted),
        ("pending", &pending),
        ("repeatable", &repeatables),
        ("unreadable", &unreadable),
    ] {
        if !list.is_empty() {
            let _ = writeln!(text, "{label}: {}", list.join(", "));
        }
    }
    text
}

/// A version as JSON writes it: a number, which may be beyond `u64`.
fn version_of(value: &Value) -> Option<u128> {
    super::json::number(value)
}

/// The live line on a terminal: done, failed and running counts, and an
/// estimate of the time left from the pace so far.
pub fn progress_line(
    total: usize,
    done: usize,
    failed: usize,
    running: usize,
    elapsed: Duration,
) -> String {
    let mut line = format!("{done}/{total} done, {failed} failed, {running} running");
    if done > 0 && done < total {
        let per_target = elapsed.as_secs_f64() / done as f64;
        let left = per_target * (total - done) as f64;
        let _ = write!(line, ", about {left:.0} s left");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(exit: Exit, document: Value) -> Option<TargetRun> {
        Some(TargetRun {
            exit,
            digest: Digest::of(&document),
            document: Some(document),
            elapsed: Duration::from_millis(1200),
        })
    }

    #[test]
    fn lines_say_ok_with_the_operations_or_the_error() {
        let ok = run(Exit::Done, json!({"operations": [{}, {}, {}]})).unwrap();
        assert_eq!(
            finished_line("tenant_42", 10, &ok),
            "tenant_42   ok  3 operations  1.2 s"
        );
        let failed = run(
            Exit::Failed,
            json!({"operations": [], "error": {"exit_code": 1, "message": "up/3.sql:1: boom"}}),
        )
        .unwrap();
        assert_eq!(
            finished_line("t", 1, &failed),
            "t  failed (exit 1)  up/3.sql:1: boom"
        );
    }

    #[test]
    fn the_exit_is_the_first_of_1_5_4_3_2() {
        let results = [
            run(Exit::Done, Value::Null),
            run(Exit::Usage, Value::Null),
            run(Exit::Locked, Value::Null),
            None,
        ];
        assert_eq!(exit(&results, None), Exit::Locked);
        assert_eq!(exit(&results[..1], None), Exit::Done);
        assert_eq!(exit(&[None], None), Exit::Done);
        let signal = Exit::Interrupted(crate::interrupt::Signal::Interrupt);
        assert_eq!(exit(&results, Some(signal)), signal);
    }

    #[test]
    fn counts_and_summary() {
        let results = [
            run(Exit::Done, Value::Null),
            run(Exit::Found, Value::Null),
            run(Exit::Failed, Value::Null),
            None,
        ];
        let counts = Counts::of(&results);
        assert_eq!(counts.summary(), "2 ok, 1 failed, 1 not started");
    }

    #[test]
    fn the_json_document_nests_each_targets_own() {
        let names = [
            Named {
                name: "a",
                database: "sqlite:a.db".into(),
            },
            Named {
                name: "b",
                database: "sqlite:b.db".into(),
            },
        ];
        let results = [
            run(Exit::Done, json!({"database": "x", "operations": []})),
            None,
        ];
        let document = json(&names, &results);
        assert_eq!(document["targets"][0]["database"], "sqlite:a.db");
        assert_eq!(document["targets"][0]["exit_code"], 0);
        assert_eq!(document["targets"][0]["operations"], json!([]));
        assert_eq!(document["targets"][1]["exit_code"], Value::Null);
        assert_eq!(document["targets"][1]["started"], false);
    }

    #[test]
    fn the_matrix_groups_by_version_and_names_what_needs_a_look() {
        let names: Vec<Named> = ["a", "b", "c", "d"]
            .iter()
            .map(|name| Named {
                name,
                database: String::new(),
            })
            .collect();
        let at = |version: u64, states: &[&str]| {
            let versions: Vec<Value> = states
                .iter()
                .map(|state| json!({"state": state, "drift": false}))
                .collect();
            json!({"current_version": version, "versions": versions})
        };
        let results = [
            run(Exit::Done, at(2, &["added", "added"])),
            run(Exit::Done, at(2, &["added", "added"])),
            run(Exit::Done, at(1, &["added", "pending"])),
            run(
                Exit::Failed,
                json!({"error": {"message": "cannot connect"}}),
            ),
        ];
        let matrix = status_matrix(&names, &results);
        assert_eq!(
            matrix,
            "version  targets\n2        2      a, b\n1        1      c\npending: c (1)\n\
             unreadable: d: cannot connect\n"
        );
    }
}
