//! Property tests, bounded so that each runs in seconds in CI (issue 11):
//! the argument parser answers any command line without a panic, and the
//! scanner answers any folder (any file names, any bytes) with a catalogue
//! or an error, never a panic. The splitter's properties are unit tests
//! beside it (`src/split/proptests.rs`).

use clap::Parser;
use proptest::prelude::*;

use migrate::cli::Cli;

/// Words a command line is made of: commands, flags, and values that are
/// edge cases for them (huge numbers, zero, units, empty, non-ASCII).
const WORDS: &[&str] = &[
    "up",
    "down",
    "add",
    "simdrop",
    "drop",
    "ff",
    "status",
    "version",
    "verify",
    "mark",
    "log",
    "new",
    "rollback_simdrop",
    "schema_dump",
    "load",
    "--only",
    "--state",
    "--release",
    "--dry-run",
    "--accept",
    "--resume",
    "--skip-unknown",
    "--rerun-unknown",
    "--lock-wait",
    "--lock-timeout",
    "--table",
    "--json",
    "-q",
    "-v",
    "--single-transaction",
    "--limit",
    "--errors",
    "--version",
    "--check",
    "--across-releases",
    "--allow-drift",
    "--no-env-file",
    "0",
    "1",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999999999",
    "2147483648ms",
    "35792m",
    "0ms",
    "1.5s",
    "",
    "é",
    "added",
    "x y",
    "--",
    "=",
    "--lock-timeout=0",
];

fn argv() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "\\PC{0,12}",
    ];
    proptest::collection::vec(word, 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_argument_parser_never_panics(args in argv()) {
        let mut command_line = vec!["migrate".to_string(), "--no-env-file".to_string()];
        command_line.extend(args);
        if let Ok(cli) = Cli::try_parse_from(&command_line) {
            // Settings come from the closure only; no file is read.
            let _ = cli.into_request(&|_| None);
        }
    }
}

/// A file name of `up/` or `down/`: mostly near the grammar, with control
/// characters, dots, underscores and invalid UTF-8 mixed in.
#[cfg(unix)]
fn file_name() -> impl Strategy<Value = Vec<u8>> {
    let part = prop_oneof![
        proptest::sample::select(
            &[
                "1", "007", "_", ".", ".sql", ".simdrop", ".drop", "\n", "\u{0}x", "a"
            ][..]
        )
        .prop_map(|text| text.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..4),
        "[0-9]{1,45}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(part, 1..6).prop_map(|parts| {
        let mut name: Vec<u8> = parts.concat();
        name.retain(|&byte| byte != b'/' && byte != 0);
        if name.is_empty() {
            name.push(b'1');
        }
        name.extend_from_slice(b".sql");
        name
    })
}

#[cfg(unix)]
proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_scanner_answers_any_folder_without_panicking(
        files in proptest::collection::vec(
            (any::<bool>(), file_name(), proptest::collection::vec(any::<u8>(), 0..64)),
            0..6,
        )
    ) {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("a temporary folder");
        for folder in ["up", "down"] {
            std::fs::create_dir(dir.path().join(folder)).expect("a folder");
        }
        for (forward, name, bytes) in &files {
            let folder = if *forward { "up" } else { "down" };
            let path = dir.path().join(folder).join(std::ffi::OsStr::from_bytes(name));
            // Names the file system refuses (too long) are not the scanner's.
            let _ = std::fs::write(path, bytes);
        }
        match migrate::scan::scan(dir.path()) {
            Ok(catalogue) => {
                for version in catalogue.versions() {
                    if let Some(name) = &version.name {
                        prop_assert!(!name.chars().any(char::is_control), "{name:?}");
                    }
                }
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for problem in problems {
                    prop_assert!(!problem.path.contains('\n'), "{problem:?}");
                }
            }
        }
    }
}
