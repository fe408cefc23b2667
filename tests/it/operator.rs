//! What an operator reads when a run stops (issue 18): the first failure
//! of a non-atomic file already says the version is left `failed` and the
//! two ways out, and `status --json` describes the failure as values.

use serde_json::json;

use crate::support::{Project, for_each_backend, migrate};

/// Version 1 runs statement by statement; its second statement (line 3)
/// fails after the first committed.
fn failing_non_atomic() -> Project {
    Project::new().up(
        1,
        "x",
        "-- migrate: no-transaction\nCREATE TABLE a (id INT);\n\
         INSERT INTO missing_table VALUES (1);\nCREATE TABLE b (id INT);\n",
    )
}

#[test]
fn the_first_failure_of_a_non_atomic_file_says_the_state_and_the_ways_out() {
    for_each_backend(|db| {
        let project = failing_non_atomic();
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(lines[0].starts_with("error: up/1_x.sql:3: "), "{run}");
        assert_eq!(
            lines.get(1).copied(),
            Some(
                "error: version 1 is left `failed`: the 1 statement(s) before statement 2 \
                 committed and stay; fix the file and run `migrate up --resume`, or record \
                 the true state with `migrate mark --only 1 --state STATE`"
            ),
            "{run}"
        );

        let status = migrate(&project, db, &["status", "--json"]).json();
        let failure = &status["versions"][0]["failure"];
        assert_eq!(failure["operation"], "add", "{status}");
        assert_eq!(failure["statement"], 2, "{status}");
        assert_eq!(failure["line"], 3, "{status}");
        assert_eq!(failure["committed"], 1, "{status}");
        assert_eq!(failure["outcome_unknown"], false, "{status}");
        assert!(
            failure["error"]
                .as_str()
                .is_some_and(|error| error.contains("missing_table")),
            "{status}"
        );
        assert!(
            failure["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("add failed at line 3")),
            "{status}"
        );
        assert_eq!(status["next"][0]["blocked"], "failed", "{status}");
        assert_eq!(status["next"][0]["versions"], json!([1]), "{status}");
        assert_eq!(
            status["next"][0]["fixes"][0]["command"], "migrate up --resume",
            "{status}"
        );
    });
}

#[test]
fn an_atomic_failure_leaves_nothing_failed_to_explain() {
    for_each_backend(|db| {
        if !db.backend().has_transactional_ddl() {
            return;
        }
        let project = Project::new().up(
            1,
            "x",
            "CREATE TABLE a (id INT);\nINSERT INTO missing_table VALUES (1);\n",
        );
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        assert_eq!(run.stderr.lines().count(), 1, "only the error: {run}");
    });
}
