//! Property tests, bounded so that each runs in seconds in CI (issue 11):
//! the argument parser answers any command line without a panic. The
//! scanner's and the splitter's properties are unit tests beside them
//! (`src/scan_proptests.rs`, `src/split/proptests.rs`).

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
