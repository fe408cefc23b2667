//! The scanner answers any folder (any file names, any bytes) with a
//! catalogue or an error, never a panic (issue 11); bounded so that it runs
//! in seconds in CI.

use proptest::prelude::*;

use crate::scan::scan;

/// A file name of `up/` or `down/`: mostly near the grammar, with control
/// characters, dots, underscores and invalid UTF-8 mixed in.
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
        match scan(dir.path()) {
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
