//! `status`'s next step through the binary (SPEC section 6): it is what the
//! planner would run, never a command that refuses; when the planner
//! refuses, it names the blocking problem and a fix that works; and
//! `status --check` exits 3 while anything is pending, drifted or failed.

use serde_json::{Value, json};

use crate::support::{Project, Run, TestDb, for_each_backend, mask_run, migrate};

fn table(name: &str) -> String {
    format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n")
}

/// The `next:` lines of the human status.
fn next_lines(run: &Run) -> String {
    run.stdout
        .lines()
        .filter(|line| line.starts_with("next: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Runs a command `status` advised (`migrate up --allow-out-of-order`).
fn run_advice(project: &Project, db: &TestDb, command: &str) -> Run {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"migrate"), "{command}");
    migrate(project, db, &words[1..])
}

fn next_of(project: &Project, db: &TestDb) -> Value {
    let run = migrate(project, db, &["status", "--json"]);
    run.success().json()["next"].clone()
}

#[test]
fn out_of_order_names_the_flag_and_the_flag_works() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(3, "c", &table("c"));
        migrate(&project, db, &["up"]).success();
        let project = project.up(2, "late", &table("late"));
        // What status must not advise: `up` refuses.
        migrate(&project, db, &["up"]).expect(5);

        let human = migrate(&project, db, &["status"]);
        human.success();
        assert!(!human.stdout.contains("awaits add"), "{human}");
        insta::assert_snapshot!(
            "next_step_out_of_order",
            mask_run(&next_lines(&human), &project, db)
        );
        migrate(&project, db, &["status", "--check"]).expect(3);
        let next = next_of(&project, db);
        assert_eq!(
            next,
            json!([{
                "blocked": "out_of_order",
                "message": "pending version 2 is lower than the current version 3 (out of order)",
                "versions": [2],
                "fixes": [{ "does": "apply it with", "command": "migrate up --allow-out-of-order" }],
            }])
        );
        let command = next[0]["fixes"][0]["command"].as_str().expect("a command");
        run_advice(&project, db, command).success();
        assert!(db.table_exists("late"));
        migrate(&project, db, &["status", "--check"]).success();
        assert_eq!(next_of(&project, db), json!([]));
    });
}

#[test]
fn drift_makes_check_exit_3_and_names_verify_accept() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "a", &table("a"))
            .up(2, "b", &table("b"));
        migrate(&project, db, &["up", "1"]).success();
        project.write(
            "up/1_a.sql",
            "-- a harmless comment\n".to_string() + &table("a"),
        );
        let human = migrate(&project, db, &["status"]);
        human.success();
        // Drift blocks every command: `2 awaits add` would be advice that refuses.
        assert!(!human.stdout.contains("awaits add"), "{human}");
        insta::assert_snapshot!(
            "next_step_drift",
            mask_run(&next_lines(&human), &project, db)
        );
        migrate(&project, db, &["status", "--check"]).expect(3);
        migrate(&project, db, &["up"]).expect(5);
        let next = next_of(&project, db);
        assert_eq!(next[0]["blocked"], "drift", "{next}");
        assert_eq!(next[0]["versions"], json!([1]));
        let command = next[0]["fixes"][0]["command"].as_str().expect("a command");
        assert_eq!(command, "migrate verify --accept");
        run_advice(&project, db, command).success();
        assert_eq!(
            next_of(&project, db),
            json!([{ "operation": "add", "versions": [2], "command": "migrate up" }])
        );
    });
}

#[test]
fn a_failed_version_names_resume_and_mark_and_resume_works() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(1, "items", &table("items"))
            .up(
                2,
                "fill",
                "-- migrate: no-transaction\n\
                 INSERT INTO items (id) VALUES (1);\n\
                 INSERT INTO missing_table (id) VALUES (2);\n",
            )
            .simdrop(2, "SELECT 1;\n");
        migrate(&project, db, &["up"]).expect(1);
        migrate(&project, db, &["status", "--check"]).expect(3);
        let human = migrate(&project, db, &["status"]);
        let line = next_lines(human.success());
        assert!(
            line.starts_with("next: blocked: version 2 failed during add at line 3"),
            "{human}"
        );
        assert!(
            line.ends_with(
                "; fix the file and run `migrate up --resume`, or record the true state with \
                 `migrate mark --only 2 --state STATE`\n"
            ),
            "{human}"
        );
        let next = next_of(&project, db);
        assert_eq!(next[0]["blocked"], "failed", "{next}");
        assert_eq!(next[0]["versions"], json!([2]));
        assert_eq!(
            next[0]["fixes"],
            json!([
                { "does": "fix the file and run", "command": "migrate up --resume" },
                { "does": "record the true state with", "command": "migrate mark --only 2 --state STATE" },
            ])
        );
        project.write(
            "up/2_fill.sql",
            "-- migrate: no-transaction\n\
             INSERT INTO items (id) VALUES (1);\n\
             INSERT INTO items (id) VALUES (2);\n",
        );
        let command = next[0]["fixes"][0]["command"].as_str().expect("a command");
        run_advice(&project, db, command).success();
        assert_eq!(db.scalar("SELECT count(*) FROM items"), 2);
        // Awaiting simdrop belongs to a later release: not work for --check.
        migrate(&project, db, &["status", "--check"]).success();
        assert_eq!(
            next_of(&project, db),
            json!([{ "operation": "simdrop", "versions": [2], "command": "migrate simdrop" }])
        );
    });
}

#[test]
fn following_the_advice_step_by_step_finishes_the_deployment() {
    for_each_backend(|db| {
        // 1 goes through every phase, 2 is add-only, 3 arrives late.
        let project = Project::new()
            .up(1, "legacy", &table("legacy"))
            .simdrop(1, "ALTER TABLE legacy RENAME TO legacy_old;\n")
            .drop(1, "DROP TABLE legacy_old;\n")
            .up(2, "b", &table("b"))
            .up(4, "d", &table("d"));
        migrate(&project, db, &["up"]).success();
        let project = project.up(3, "late", &table("late"));
        let mut followed = Vec::new();
        loop {
            let next = next_of(&project, db);
            let Some(first) = next.as_array().and_then(|steps| steps.first()).cloned() else {
                break;
            };
            let command = first["command"]
                .as_str()
                .or_else(|| first["fixes"][0]["command"].as_str())
                .unwrap_or_else(|| panic!("no command in {first}"))
                .to_string();
            assert!(followed.len() < 5, "still advising after {followed:?}");
            let run = run_advice(&project, db, &command);
            run.success();
            followed.push(command);
        }
        assert_eq!(
            followed,
            [
                "migrate up --allow-out-of-order",
                "migrate simdrop",
                "migrate drop"
            ]
        );
        assert_eq!(
            db.versions(),
            crate::support::states(&[(1, "dropped"), (2, "added"), (3, "added"), (4, "added")])
        );
        migrate(&project, db, &["status", "--check"]).success();
    });
}
