use proptest::prelude::*;

use super::*;

#[test]
fn settings_are_read() {
    let values = parse(
        "# deploy settings\nDATABASE_URL=postgres://app:pw@db/prod\n\
         export MIGRATE_DIR='db/migrations'\nMIGRATE_RELEASE=\"r 1\"\n",
    )
    .unwrap();
    assert_eq!(values["DATABASE_URL"], "postgres://app:pw@db/prod");
    assert_eq!(values["MIGRATE_DIR"], "db/migrations");
    assert_eq!(values["MIGRATE_RELEASE"], "r 1");
}

/// Each mistake is named with its line, and the line's text is not repeated.
#[test]
fn mistakes_name_the_line_and_never_show_it() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "A=1\nDATABASE_URL=\"postgres://a:S3cret@h/x\nB=2\n",
            2,
            "not closed",
        ),
        (
            "A=1\nDATABASE_URL='postgres://a:S3cret@h/x\n",
            2,
            "not closed",
        ),
        ("A=1\n\npostgres://a:S3cret@h/x\nB=2\n", 3, "no `=`"),
        ("DATABASE_URL=\"postgres://a:S3cret\\q@h/x\"\n", 1, "escape"),
        (
            "A=1\nDATABASE_URL=postgres://a:S3cret@h/x extra\n",
            2,
            "quoted",
        ),
        ("A=1\n1DATABASE_URL=S3cret\n", 2, "name"),
        ("A=\"x\"\nB=${S3cret\n", 2, "not closed"),
    ];
    for (text, line, what) in cases {
        let problem = parse(text).unwrap_err();
        assert_eq!(problem.line, *line, "{text:?}: {problem:?}");
        assert!(problem.what.contains(what), "{text:?}: {problem:?}");
        assert!(!problem.what.contains("S3cret"), "{problem:?}");
    }
}

#[test]
fn a_huge_or_endless_file_is_refused_naming_it() {
    let error = read(Path::new("/dev/zero")).unwrap_err().to_string();
    assert!(
        error.contains("/dev/zero") && error.contains("1 MiB"),
        "{error}"
    );
    let folder = tempfile::tempdir().unwrap();
    let big = folder.path().join("big.env");
    std::fs::write(&big, "A=1\n".repeat(300_000)).unwrap();
    let error = read(&big).unwrap_err().to_string();
    assert!(
        error.contains("big.env") && error.contains("1 MiB"),
        "{error}"
    );
    let error = read(&folder.path().join("missing.env"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing.env"), "{error}");
}

#[test]
fn a_file_that_is_not_utf8_names_the_line() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join(".env");
    std::fs::write(&path, b"A=1\nB=S3cret\xff\n").unwrap();
    let error = read(&path).unwrap_err().to_string();
    assert!(error.contains(".env:2:"), "{error}");
    assert!(!error.contains("S3cret"), "{error}");
}

/// A line of a generated `.env` file: well formed or broken in one of the
/// ways people break them, holding the secret somewhere.
fn env_line(secret: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("DATABASE_URL=postgres://app:{secret}@db/prod")),
        Just(format!("DATABASE_URL=\"postgres://app:{secret}@db/prod")),
        Just(format!("DATABASE_URL='postgres://app:{secret}@db/prod")),
        Just(format!("postgres://app:{secret}@db/prod")),
        Just(format!("DATABASE_URL=\"{secret}\\x\"")),
        Just(format!("DATABASE_URL={secret} {secret}")),
        Just(format!("9X={secret}")),
        Just(format!("X=${{{secret}")),
        Just(format!("export {secret}")),
        Just(format!("# {secret}")),
        "[A-Z_]{1,8}=[a-z0-9 \"'\\\\$#={}]{0,12}",
        "[ -~]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever a `.env` file holds, a mistake in it never repeats the secret.
    #[test]
    fn env_file_errors_never_show_a_secret(
        lines in proptest::collection::vec(env_line("S3cretPW"), 1..8),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        if let Err(problem) = parse(&text) {
            let shown = format!("{problem:?} {}", problem.what);
            prop_assert!(!shown.contains("S3cretPW"), "{}", shown);
            prop_assert!(problem.line >= 1 && problem.line <= lines.len() + 1);
        }
    }
}
