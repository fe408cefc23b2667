//! `--help` of the tool and of every command (snapshots, each with an
//! example), and the completion scripts and manual pages generated from the
//! same clap definitions.

use clap::CommandFactory;
use migrate::cli::Cli;

use crate::support::{Invocation, Run};

/// `migrate ARGS...` in an empty folder, the help laid out for 100 columns.
fn run(args: &[&str]) -> Run {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    Invocation::bare(folder.path())
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .args(args)
        .run()
}

/// Every command's name, as clap defines them.
fn commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|command| command.get_name().to_string())
        .collect()
}

#[test]
fn top_level_help_snapshot() {
    let help = run(&["--help"]);
    help.success();
    assert!(help.stdout.contains("Examples:"), "{help}");
    for command in commands() {
        assert!(
            help.stdout.contains(&format!("  {command}")),
            "{command} is not listed\n{help}"
        );
    }
    insta::assert_snapshot!("help", help.stdout);
}

#[test]
fn every_command_has_help_with_an_example() {
    let commands = commands();
    for expected in ["up", "down", "status", "log", "new", "completions", "man"] {
        assert!(
            commands.iter().any(|command| command == expected),
            "{expected}"
        );
    }
    for command in commands {
        let help = run(&[&command, "--help"]);
        help.success();
        assert!(
            help.stdout.contains("Example"),
            "`migrate {command} --help` shows no example\n{help}"
        );
        assert!(
            help.stdout.contains(&format!("migrate {command}")),
            "{help}"
        );
        insta::assert_snapshot!(format!("help_{command}"), help.stdout);
    }
}

#[test]
fn help_is_the_same_through_the_help_command() {
    assert_eq!(run(&["help", "log"]).stdout, run(&["log", "--help"]).stdout);
}

#[test]
fn completion_scripts_for_every_shell() {
    let expected = [
        ("bash", "complete -F _migrate"),
        ("zsh", "#compdef migrate"),
        ("fish", "complete -c migrate"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, marker) in expected {
        let script = run(&["completions", shell]);
        script.success();
        assert!(script.stdout.contains(marker), "{shell}\n{script}");
        // Every command is completed, the new ones included.
        for command in ["rollback_simdrop", "log", "new", "completions"] {
            assert!(script.stdout.contains(command), "{shell}: {command}");
        }
        let document = run(&["completions", shell, "--json"]).json();
        assert_eq!(document["shell"], shell);
        assert_eq!(document["script"], script.stdout.as_str());
    }
    let run = run(&["completions", "tcsh"]);
    run.expect(2);
}

#[test]
fn manual_pages_of_the_tool_and_of_each_command() {
    let page = run(&["man"]);
    page.success();
    assert!(page.stdout.contains(".TH migrate 1"), "{page}");
    assert!(page.stdout.contains(".SH SUBCOMMANDS"), "{page}");
    assert!(page.stdout.contains("rollback_simdrop"), "{page}");
    for command in commands() {
        let page = run(&["man", &command]);
        page.success();
        let title = format!(".TH migrate-{command} 1");
        assert!(page.stdout.contains(&title), "{command}\n{page}");
    }
    let alias = run(&["man", "rollback-add"]);
    alias.success();
    assert!(alias.stdout.contains(".TH migrate-down 1"), "{alias}");
    let document = run(&["man", "--json"]).json();
    assert_eq!(document["man"], page.stdout.as_str());

    let unknown = run(&["man", "nope", "--json"]);
    unknown.expect(2);
    assert!(
        unknown.stderr.contains("`nope` is not a migrate command"),
        "{unknown}"
    );
    assert_eq!(unknown.json()["error"]["exit_code"], 2);
}

#[test]
fn completions_and_man_read_no_settings() {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    std::fs::write(folder.path().join(".env"), "this line is not a setting\n").expect("write .env");
    let run = Invocation::bare(folder.path())
        .env("DATABASE_URL", "nonsense")
        .args(["completions", "bash"])
        .run();
    run.success();
    assert!(run.stderr.is_empty(), "{run}");
    let run = Invocation::bare(folder.path()).args(["man"]).run();
    run.success();
}
