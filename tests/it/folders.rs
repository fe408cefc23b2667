//! What the scanner accepts (SPEC section 1): subfolders, ignored files,
//! byte-order marks and CRLF line ends, and versions compared as numbers up
//! to 20 digits and beyond.

use crate::support::{Invocation, Project, for_each_backend, migrate, states};

#[test]
fn files_in_subfolders_are_found() {
    for_each_backend(|db| {
        let project = Project::new()
            .file(
                "up/2025/03/3_users.sql",
                "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
            )
            .file(
                "up/2026/12_posts.sql",
                "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n",
            )
            .file("down/2026/12_posts.sql", "DROP TABLE posts;\n");
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(3, "added"), (12, "added")]));
        assert!(db.table_exists("users") && db.table_exists("posts"));

        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            status["versions"][1]["files"]["add"],
            "up/2026/12_posts.sql"
        );
        assert_eq!(
            status["versions"][1]["files"]["rollback_add"],
            "down/2026/12_posts.sql"
        );

        migrate(&project, db, &["down", "3"]).success();
        assert!(!db.table_exists("posts"));
    });
}

#[test]
fn phase_files_may_carry_the_description_too() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(
                12,
                "add_email",
                "CREATE TABLE emails (id INTEGER PRIMARY KEY);\n",
            )
            .file(
                "up/12_add_email.simdrop.sql",
                "ALTER TABLE emails RENAME TO emails_old;\n",
            )
            .file(
                "down/12_add_email.simdrop.sql",
                "ALTER TABLE emails_old RENAME TO emails;\n",
            )
            .file("up/12_add_email.drop.sql", "DROP TABLE emails_old;\n");
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            status["versions"].as_array().map(Vec::len),
            Some(1),
            "{status}"
        );
        assert_eq!(status["versions"][0]["name"], "add_email");
        assert_eq!(
            status["versions"][0]["files"]["simdrop"],
            "up/12_add_email.simdrop.sql"
        );
        migrate(&project, db, &["ff"]).success();
        assert_eq!(db.versions(), states(&[(12, "dropped")]));
        assert!(!db.table_exists("emails") && !db.table_exists("emails_old"));
    });
}

#[test]
fn a_project_without_a_down_folder_works() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "a", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
        std::fs::remove_dir(project.path().join("down")).expect("remove down/");
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added")]));
    });
}

#[test]
fn a_missing_migrations_folder_is_a_usage_error() {
    for_each_backend(|db| {
        let project = Project::new();
        let missing = project.path().join("nowhere");
        for command in ["up", "status"] {
            let run = Invocation::bare(project.path())
                .arg_path("--dir", &missing)
                .database(db)
                .args([command])
                .run();
            run.expect(2);
            assert!(run.stderr.contains("nowhere"), "{run}");
        }
        assert!(!db.exists(), "the database was created");
    });
}

#[test]
fn hidden_files_and_files_not_ending_in_sql_are_ignored() {
    for_each_backend(|db| {
        let project = Project::new()
            .up(
                1,
                "real",
                "CREATE TABLE real_table (id INTEGER PRIMARY KEY);\n",
            )
            .file("up/.2_hidden.sql", "THIS IS NOT SQL;\n")
            .file("up/.drafts/3_draft.sql", "THIS IS NOT SQL;\n")
            .file("up/README.md", "# notes\n")
            .file("up/4_notes.txt", "THIS IS NOT SQL;\n")
            .file("up/5_backup.sql.bak", "THIS IS NOT SQL;\n")
            .file("up/not a version.md", "anything\n")
            .file("down/.DS_Store", b"\x00\x01\xff")
            .file("down/.6.sql", "THIS IS NOT SQL;\n");
        let run = migrate(&project, db, &["up"]);
        run.success();
        assert_eq!(run.operations(), [("add".to_string(), "1".to_string())]);
        assert_eq!(db.versions(), states(&[(1, "added")]));
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(
            status["versions"].as_array().map(Vec::len),
            Some(1),
            "{status}"
        );
    });
}

const LF: &str =
    "CREATE TABLE notes (id INTEGER PRIMARY KEY);\nINSERT INTO notes (id) VALUES (1);\n";

fn bom_crlf(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(text.replace('\n', "\r\n").into_bytes());
    bytes
}

#[test]
fn a_bom_and_crlf_line_ends_run() {
    for_each_backend(|db| {
        let project = Project::new().file("up/1_notes.sql", bom_crlf(LF)).file(
            "up/2_directive.sql",
            bom_crlf(
                "-- migrate: lock-timeout=2s\nCREATE TABLE more_notes (id INTEGER PRIMARY KEY);\n",
            ),
        );
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
        assert_eq!(db.scalar("SELECT count(*) FROM notes"), 1);
        assert!(db.table_exists("more_notes"));
    });
}

#[test]
fn a_bom_and_crlf_are_not_drift_against_the_lf_version() {
    for_each_backend(|db| {
        let project = Project::new().up(1, "notes", LF);
        migrate(&project, db, &["up"]).success();
        project.write("up/1_notes.sql", bom_crlf(LF));

        let verify = migrate(&project, db, &["verify"]);
        verify.success();
        let status = migrate(&project, db, &["status", "--json"]).json();
        assert_eq!(status["versions"][0]["drift"], false, "{status}");

        // Changing commands do not refuse either.
        let project = project.up(
            2,
            "more",
            "CREATE TABLE more_notes (id INTEGER PRIMARY KEY);\n",
        );
        migrate(&project, db, &["up"]).success();
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn line_numbers_count_crlf_lines() {
    for_each_backend(|db| {
        let project = Project::new().file(
            "up/1_broken.sql",
            bom_crlf("CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nINSERT INTO missing_table (id) VALUES (1);\n"),
        );
        let run = migrate(&project, db, &["up"]);
        run.expect(1);
        assert!(
            run.stderr.starts_with("error: up/1_broken.sql:3: "),
            "{run}"
        );
    });
}

/// `7`, `0010`, a 14-digit and a 20-digit stamp (beyond 64 bits), out of
/// order in the folder.
fn stamps() -> Project {
    let mut project = Project::new();
    for (version, table) in [
        ("7", "seven"),
        ("0010", "ten"),
        ("2026/20150100000001000000", "twenty_digits"),
        ("20260301120000", "fourteen_digits"),
    ] {
        let name = format!("{version}_{table}.sql");
        project = project
            .file(
                &format!("up/{name}"),
                format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY);\n"),
            )
            .file(&format!("down/{name}"), format!("DROP TABLE {table};\n"));
    }
    project
}

#[test]
fn versions_compare_as_numbers_up_to_twenty_digits() {
    for_each_backend(|db| {
        let project = stamps();
        let run = migrate(&project, db, &["up"]);
        run.success();
        let order: Vec<String> = run
            .operations()
            .into_iter()
            .map(|(_, version)| version)
            .collect();
        assert_eq!(order, ["7", "10", "20260301120000", "20150100000001000000"]);
        let versions: Vec<String> = db
            .versions()
            .into_iter()
            .map(|(version, _)| version)
            .collect();
        assert_eq!(
            versions,
            ["7", "10", "20260301120000", "20150100000001000000"]
        );

        let down = migrate(&project, db, &["down", "10"]);
        down.success();
        let order: Vec<String> = down
            .operations()
            .into_iter()
            .map(|(_, version)| version)
            .collect();
        assert_eq!(order, ["20150100000001000000", "20260301120000"]);
        assert!(db.table_exists("ten") && !db.table_exists("twenty_digits"));
    });
}

#[test]
fn twenty_digit_versions_show_in_status_version_and_json() {
    for_each_backend(|db| {
        let project = stamps();
        let up = migrate(&project, db, &["up", "--json"]);
        up.success();
        assert!(
            up.stdout.contains(r#""version":20150100000001000000"#),
            "{up}"
        );

        let version = migrate(&project, db, &["version"]);
        assert_eq!(version.success().stdout, "20150100000001000000\n");

        let human = migrate(&project, db, &["status"]);
        human.success();
        assert!(
            human
                .stdout
                .contains("current version: 20150100000001000000"),
            "{human}"
        );

        let json = migrate(&project, db, &["status", "--json"]);
        json.success();
        assert!(
            json.stdout
                .contains(r#""current_version":20150100000001000000"#),
            "{json}"
        );
        assert!(
            json.stdout.contains(r#""version":20150100000001000000"#),
            "{json}"
        );
    });
}
