//! Manual pages that read well in `man` and completions that offer what the
//! parser accepts (issue 18): EXAMPLES, EXIT STATUS, ENVIRONMENT and FILES
//! sections; `mark --state` values, the dashed aliases, and command names
//! for `man`.

use crate::support::{Invocation, Run};

fn run(args: &[&str]) -> Run {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    Invocation::bare(folder.path()).args(args).run()
}

#[test]
fn the_tool_page_has_the_sections_man_readers_look_for() {
    let page = run(&["man"]);
    page.success();
    for section in [
        ".SH EXAMPLES",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        ".SH FILES",
    ] {
        assert!(page.stdout.contains(section), "{section} missing\n{page}");
    }
    for code in ["0", "1", "2", "3", "4", "5", "130", "143"] {
        assert!(
            page.stdout.contains(&format!(".TP\n{code}\n")),
            "exit {code} missing\n{page}"
        );
    }
    for name in ["DATABASE_URL", "MIGRATE_DIR", "MIGRATE_RELEASE", "NO_COLOR"] {
        assert!(
            page.stdout.contains(&format!(".B {name}")),
            "{name}\n{page}"
        );
    }
    assert!(page.stdout.contains(".B ./.env"), "{page}");
    assert!(
        page.stdout.contains("migrate status \\-\\-json"),
        "the examples, dashes escaped for roff\n{page}"
    );
}

#[test]
fn each_command_page_has_its_examples_and_exit_status() {
    let page = run(&["man", "up"]);
    page.success();
    assert!(
        page.stdout
            .contains(".SH EXAMPLES\n.nf\nmigrate up 12 \\-\\-dry\\-run\n.fi\n"),
        "{page}"
    );
    assert!(page.stdout.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(
        page.stdout.contains(".SH \"SEE ALSO\"\n.BR migrate (1)"),
        "{page}"
    );
    assert!(
        !page.stdout.contains(".SH ENVIRONMENT"),
        "only on the tool's page"
    );
}

#[test]
fn the_page_renders_in_man() {
    let page = run(&["man"]);
    let Ok(mut child) = std::process::Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("man is not installed: rendering not checked");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.stdout.as_bytes())
        .expect("write the page");
    let output = child.wait_with_output().expect("man");
    // Bold is printed by overstriking (`N\x08N`): keep what shows.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&output.stdout).chars() {
        match c {
            '\x08' => {
                text.pop();
            }
            _ => text.push(c),
        }
    }
    for heading in ["EXAMPLES", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(text.contains(heading), "{heading}\n{text}");
    }
    assert!(!String::from_utf8_lossy(&output.stderr).contains("warning"));
}

#[test]
fn completions_offer_states_aliases_and_command_names() {
    let bash = run(&["completions", "bash"]);
    bash.success();
    assert!(
        bash.stdout
            .contains("compgen -W \"pending added simdropped dropped\""),
        "mark --state's values"
    );
    for alias in [
        "rollback-add",
        "rollback-simdrop",
        "schema-dump",
        "rollback_add",
    ] {
        assert!(bash.stdout.contains(alias), "bash: {alias}");
    }
    let man = bash
        .stdout
        .split("migrate__subcmd__man)")
        .nth(1)
        .and_then(|rest| rest.lines().find(|line| line.contains("opts=")))
        .expect("the man command's completions");
    for command in ["up", "rollback_simdrop", "schema_dump", "database", "env"] {
        assert!(man.contains(&format!(" {command}")), "man {command}: {man}");
    }
    for shell in ["zsh", "fish"] {
        let script = run(&["completions", shell]);
        script.success();
        assert!(script.stdout.contains("rollback-add"), "{shell}");
        assert!(script.stdout.contains("simdropped"), "{shell}");
    }
}
