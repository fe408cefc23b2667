//! Embedded migrations (issue 17): the files a build script compiles in
//! are read with the folder's rules, and a database migrated from them is
//! the same, checksum for checksum, as one migrated from the folder.

use migrate::{EmbeddedFile, Error, Migrator};

use crate::support::{Project, for_each_backend, states};

fn project() -> Project {
    Project::new()
        .up(
            1,
            "notes",
            "CREATE TABLE emb_notes (id INTEGER PRIMARY KEY);\n",
        )
        .down(1, "notes", "DROP TABLE emb_notes;\n")
        .up(2, "seed", "INSERT INTO emb_notes (id) VALUES (1);\r\n")
}

/// What `embedded_migrations!()` gives an application: every file of the
/// project's `up/`, `down/` and `repeatable/`, its bytes unchanged.
fn embedded(project: &Project) -> &'static [EmbeddedFile] {
    let mut files = Vec::new();
    for folder in ["up", "down", "repeatable"] {
        let Ok(entries) = std::fs::read_dir(project.path().join(folder)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.expect("a folder entry");
            let path = format!("{folder}/{}", entry.file_name().to_string_lossy());
            let bytes = std::fs::read(entry.path()).expect("the file");
            files.push(EmbeddedFile {
                path: Box::leak(path.into_boxed_str()),
                bytes: Box::leak(bytes.into_boxed_slice()),
            });
        }
    }
    files.sort_by_key(|file| file.path);
    Box::leak(files.into_boxed_slice())
}

#[test]
fn embedded_files_migrate_as_the_folder_does() {
    for_each_backend(|db| {
        let project = project();
        let from_binary = Migrator::embedded(db.url(), embedded(&project)).expect("a URL");
        let applied = from_binary.up().expect("the embedded files apply");
        assert_eq!(applied.len(), 2);
        assert_eq!(applied[0].file.as_deref(), Some("up/1_notes.sql"));
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));

        // The folder they came from sees no drift and nothing to do.
        let from_folder = Migrator::open(db.url(), project.path()).expect("a URL");
        assert!(from_folder.verify().expect("verify").is_empty());
        assert!(from_folder.up().expect("up from the folder").is_empty());

        // An edited folder drifts from what the binary applied, and the
        // binary's own files do not.
        project.write("up/2_seed.sql", "INSERT INTO emb_notes (id) VALUES (2);\n");
        assert_eq!(from_folder.verify().expect("verify").len(), 1);
        assert!(from_binary.verify().expect("verify").is_empty());
        assert_eq!(from_binary.status().expect("status").current_version, 2);
    });
}

#[test]
fn a_bad_embedded_file_is_refused_naming_it() {
    let files: &'static [EmbeddedFile] = &[
        EmbeddedFile {
            path: "up/1_ok.sql",
            bytes: b"CREATE TABLE t (id INT);",
        },
        EmbeddedFile {
            path: "up/two.sql",
            bytes: b"SELECT 1;",
        },
        EmbeddedFile {
            path: "down/3.sql",
            bytes: b"SELECT 1;",
        },
    ];
    let migrator = Migrator::embedded("sqlite::memory:", files).expect("a URL");
    match migrator.scan() {
        Err(Error::Folder(problems)) => {
            let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
            // As in a folder: names first, then the pairing rules.
            assert_eq!(paths, ["up/two.sql"], "{problems:?}");
        }
        other => panic!("expected the files to be refused, got {other:?}"),
    }
    let migrator = Migrator::embedded("sqlite::memory:", &files[..1]).expect("a URL");
    assert!(migrator.scan().is_ok());
    let unpaired: &'static [EmbeddedFile] = Box::leak(Box::new([files[0], files[2]]));
    let migrator = Migrator::embedded("sqlite::memory:", unpaired).expect("a URL");
    match migrator.scan() {
        Err(Error::Folder(problems)) => assert_eq!(problems[0].path, "down/3.sql"),
        other => panic!("expected the down file to be refused, got {other:?}"),
    }
}

#[test]
fn the_build_step_refuses_the_folder_the_scanner_refuses() {
    let project = project().file("up/notes.sql", "SELECT 1;\n");
    match migrate::embed::source(project.path()) {
        Err(Error::Folder(problems)) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].path, "up/notes.sql");
        }
        other => panic!("expected the folder to be refused, got {other:?}"),
    }
}

#[test]
fn the_build_step_includes_every_file_by_its_folder_path() {
    let project = project();
    let code = migrate::embed::source(project.path()).expect("a valid folder");
    for path in ["down/1_notes.sql", "up/1_notes.sql", "up/2_seed.sql"] {
        assert!(
            code.contains(&format!("path: \"{path}\"")),
            "{path} missing:\n{code}"
        );
    }
    assert_eq!(code.matches("include_bytes!(").count(), 3, "{code}");
}

#[test]
fn embedded_repeatable_files_run_as_the_folders_do() {
    for_each_backend(|db| {
        let project = project().file(
            "repeatable/emb_view.sql",
            "DROP VIEW IF EXISTS emb_view;\nCREATE VIEW emb_view AS SELECT id FROM emb_notes;\n",
        );
        let code = migrate::embed::source(project.path()).expect("a valid folder");
        assert!(code.contains("path: \"repeatable/emb_view.sql\""), "{code}");

        let from_binary = Migrator::embedded(db.url(), embedded(&project)).expect("a URL");
        let applied = from_binary.up().expect("the embedded files apply");
        let ran: Vec<String> = applied.iter().map(ToString::to_string).collect();
        assert_eq!(
            ran,
            [
                "add 1 up/1_notes.sql",
                "add 2 up/2_seed.sql",
                "repeatable repeatable/emb_view.sql"
            ]
        );
        // The same checksum from the folder: nothing to run again.
        let from_folder = Migrator::open(db.url(), project.path()).expect("a URL");
        assert!(from_folder.up().expect("up from the folder").is_empty());
        let status = from_binary.status().expect("status");
        assert_eq!(status.repeatables.len(), 1);
        assert_eq!(
            status.repeatables[0].state,
            migrate::RepeatableState::Current
        );
    });
}
