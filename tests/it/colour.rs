//! Colour in the human output: only on a terminal (or when forced with
//! `CLICOLOR_FORCE`), never with `NO_COLOR` set, never in JSON.

use crate::support::{Project, TestDb, migrate};

const ESCAPE: char = '\u{1b}';

fn project() -> Project {
    Project::new()
        .up(1, "a", "CREATE TABLE colour_a (id INTEGER PRIMARY KEY);\n")
        .up(2, "b", "INSERT INTO missing_table (id) VALUES (1);\n")
}

#[test]
fn output_to_a_pipe_has_no_colour() {
    let db = TestDb::sqlite();
    let project = project();
    let run = migrate(&project, &db, &["up"]);
    run.expect(1);
    assert!(!run.all_output().contains(ESCAPE), "{run}");
    let run = migrate(&project, &db, &["status"]);
    assert!(!run.all_output().contains(ESCAPE), "{run}");
}

#[test]
fn forced_colour_styles_states_outcomes_and_errors() {
    let db = TestDb::sqlite();
    let project = project();
    let up = project
        .command()
        .database(&db)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "")
        .args(["up"])
        .run();
    up.expect(1);
    assert!(up.stderr.starts_with('\u{1b}'), "{up}");
    assert!(up.stderr.contains("error:"), "{up}");
    let status = project
        .command()
        .database(&db)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "")
        .args(["status"])
        .run();
    status.success();
    assert!(status.stdout.contains("\u{1b}[32madded"), "{status}");
    // Colour does not break the alignment: the escapes surround the padded text.
    let plain = migrate(&project, &db, &["status"]);
    assert_eq!(strip(&status.stdout), plain.stdout);

    let json = project
        .command()
        .database(&db)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "")
        .args(["log", "--json"])
        .run();
    assert!(!json.stdout.contains(ESCAPE), "{json}");
}

#[test]
fn no_color_wins_over_everything() {
    let db = TestDb::sqlite();
    let project = project();
    let run = project
        .command()
        .database(&db)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["up"])
        .run();
    run.expect(1);
    assert!(!run.all_output().contains(ESCAPE), "{run}");
}

/// Drops `ESC [ ... m` sequences.
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(character) = chars.next() {
        if character == ESCAPE {
            for inner in chars.by_ref() {
                if inner == 'm' {
                    break;
                }
            }
        } else {
            out.push(character);
        }
    }
    out
}
