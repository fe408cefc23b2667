//! The log table's row conversions, typed outcomes and operations, and filters.

use super::*;

/// A failed entry as the tool writes it.
fn entry() -> LogEntry {
    LogEntry {
        id: Some(7),
        release: Some(Release::from_stored("3".into())),
        file: Some("up/20150100000001000000_x.sql".into()),
        checksum: Some("abc".into()),
        finished_at: Some("2026-11-22T10:00:01.250001Z".into()),
        outcome: Outcome::Failed,
        error: Some("boom".into()),
        statement: Some(2),
        line: Some(9),
        ..LogEntry::new(
            Version::new(20150100000001000000).unwrap(),
            LogOperation::Run(Operation::Add),
            "2026-11-22T10:00:00.000001Z",
        )
    }
}

/// A row as a backend reads it back: `values`, by [`COLUMNS`] order.
fn read_back(values: Vec<Value>) -> Row {
    let mut values = values.into_iter();
    Row::read(COLUMNS, |_, _| values.next().ok_or(())).unwrap()
}

/// The row of `entry` with `column` stored as `text`.
fn stored_with(column: &'static str, text: &str) -> Row {
    let mut row = entry().to_row();
    row.set_text(column, Some(text.into()));
    read_back(row.values(COLUMNS))
}

#[test]
fn a_row_converts_to_an_entry() {
    let entry = LogEntry::from_row(read_back(entry().to_row().values(COLUMNS))).unwrap();
    assert_eq!(entry.id, Some(7));
    assert_eq!(entry.version.map(Version::get), Some(20150100000001000000));
    assert_eq!(entry.release.as_ref().map(Release::as_str), Some("3"));
    assert_eq!((entry.statement, entry.line), (Some(2), Some(9)));
}

#[test]
fn an_entry_reads_back_the_same() {
    let written = entry();
    let read = LogEntry::from_row(read_back(written.to_row().values(COLUMNS))).unwrap();
    assert_eq!(read, written);
}

#[test]
fn every_column_is_written_with_its_kind() {
    assert!(entry().to_row().matches(COLUMNS));
    let started = LogEntry::new(Version::new(1).unwrap(), LogOperation::Load, "t");
    assert!(started.to_row().matches(COLUMNS));
}

#[test]
fn inserts_and_finishes_bind_their_columns_in_order() {
    let names = |columns: &[Column]| columns.iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(names(INSERTED), &names(COLUMNS)[1..]);
    assert_eq!(
        names(FINISHED),
        ["finished_at", "outcome", "error", "statement", "line"]
    );
    let entry = entry();
    let inserted = entry.insert_values();
    assert_eq!(inserted.len(), 11);
    assert_eq!(
        inserted[0],
        Value::Text(Some("20150100000001000000".into()))
    );
    assert_eq!(inserted[1], Value::Text(Some("add".into())));
    assert_eq!(
        entry.finish_values(),
        [
            Value::Text(Some("2026-11-22T10:00:01.250001Z".into())),
            Value::Text(Some("failed".into())),
            Value::Text(Some("boom".into())),
            Value::Integer(Some(2)),
            Value::Integer(Some(9)),
            Value::Integer(Some(7)),
        ]
    );
}

#[test]
fn a_bad_version_is_named() {
    let error = LogEntry::from_row(stored_with("version", "x")).unwrap_err();
    assert!(error.contains("log entry 7"), "{error}");
}

#[test]
fn unknown_outcomes_and_operations_are_named() {
    let error = LogEntry::from_row(stored_with("outcome", "exploded")).unwrap_err();
    assert!(
        error.contains("log entry 7") && error.contains("`exploded` is not an outcome"),
        "{error}"
    );
    let error = LogEntry::from_row(stored_with("operation", "squash")).unwrap_err();
    assert!(
        error.contains("log entry 7") && error.contains("`squash` is not a logged operation"),
        "{error}"
    );
    let mut row = entry().to_row();
    row.set_integer("id", None);
    assert!(
        LogEntry::from_row(row)
            .unwrap_err()
            .contains("without an id")
    );
}

#[test]
fn outcomes_parse_what_they_print() {
    for outcome in Outcome::ALL {
        assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(outcome));
        assert_eq!(outcome.to_string(), outcome.as_str());
        assert_eq!(
            serde_json::to_value(outcome).unwrap(),
            serde_json::json!(outcome.as_str())
        );
    }
    let names: Vec<&str> = Outcome::ALL
        .iter()
        .map(|outcome| outcome.as_str())
        .collect();
    assert_eq!(names, ["ok", "running", "failed", "interrupted"]);
    assert!("OK".parse::<Outcome>().is_err());
    assert!("".parse::<Outcome>().unwrap_err().contains("``"));
}

#[test]
fn operations_parse_what_they_print() {
    let mut all: Vec<LogOperation> = Operation::ALL.map(LogOperation::Run).to_vec();
    all.extend(State::ALL.map(LogOperation::MarkState));
    all.extend([LogOperation::Mark, LogOperation::Accept, LogOperation::Load]);
    for operation in all {
        assert_eq!(operation.as_str().parse::<LogOperation>(), Ok(operation));
        assert_eq!(
            serde_json::to_value(operation).unwrap(),
            serde_json::json!(operation.as_str())
        );
    }
    assert_eq!(
        LogOperation::MarkState(State::Added).as_str(),
        format!("mark_{}", State::Added)
    );
    assert_eq!(
        LogOperation::Run(Operation::RollbackAdd).as_str(),
        "rollback_add"
    );
    for unknown in ["mark_failed", "marks", "Add", ""] {
        let error = unknown.parse::<LogOperation>().unwrap_err();
        assert!(error.contains(&format!("`{unknown}`")), "{error}");
    }
}

#[test]
fn a_new_entry_is_running_until_it_ends() {
    let entry = LogEntry::new(Version::new(1).unwrap(), LogOperation::Accept, "t");
    assert_eq!(entry.outcome, Outcome::Running);
    assert_eq!(
        entry.finish_values()[1],
        Value::Text(Some("running".into()))
    );
}

#[test]
fn filter_values() {
    let filter = HistoryFilter::default();
    assert_eq!(filter.limit_value(), i64::MAX);
    assert_eq!(filter.outcome(), None);
    let filter = HistoryFilter {
        errors: true,
        limit: Some(3),
        version: Version::new(12),
        id: None,
        repeatable: false,
    };
    assert_eq!(filter.limit_value(), 3);
    assert_eq!(filter.outcome(), Some("failed"));
    assert_eq!(filter.version_text().as_deref(), Some("12"));
}
