//! The `migrate` binary: parse, set up logging, run, map the result to an exit code.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use migrate::Exit;
use migrate::cli::{self, Cli};

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().collect();
    let cli = match Cli::try_parse_from(&raw) {
        Ok(cli) => cli,
        Err(error) => {
            return cli::arguments_error(&error, &raw, &mut io::stdout()).into();
        }
    };
    let display = cli.display();
    // `-v` is migrate's own diagnostics; the drivers' (every query
    // tokio-postgres sends, with its parameters) only from `-vv`.
    use log::LevelFilter::{Debug, Trace, Warn};
    let (own, drivers) = match display.verbose {
        0 => (Warn, Warn),
        1 => (Debug, Warn),
        2 => (Debug, Debug),
        _ => (Trace, Trace),
    };
    let mut logger = env_logger::Builder::new();
    logger
        .filter_level(drivers)
        .filter_module("migrate", own)
        .format_timestamp(None)
        .format_target(false);
    if io::stderr().is_terminal() {
        // A diagnostic (a lock-timeout retry) erases the live progress line
        // first instead of running into it; the line is redrawn after it.
        logger.format(|buf, record| {
            writeln!(buf, "\r\x1b[K[{:<5}] {}", record.level(), record.args())
        });
    }
    logger.init();
    // SIGINT and SIGTERM cancel the running statement and end the run
    // cleanly (exit 130 or 143) instead of killing the process mid-file.
    if let Err(error) = cli::install_signal_handlers() {
        log::warn!("cannot handle SIGINT and SIGTERM: {error}");
    }
    let env = |name: &str| std::env::var(name).ok();
    // Colour only on a terminal, never with NO_COLOR set: anstream drops the
    // styles of the human output otherwise.
    let mut out = anstream::AutoStream::auto(io::stdout().lock());
    let mut err = anstream::AutoStream::auto(io::stderr());
    let exit = match cli.into_request(&env) {
        Ok(request) => cli::run(request, &mut out, &mut err),
        Err(error) => cli::report_error(&error, display, &mut out, &mut err),
    };
    let _ = out.flush();
    match exit {
        Ok(exit) => exit.into(),
        Err(error) => {
            let exit = Exit::of_write(&error);
            if exit != Exit::Done {
                let _ = writeln!(io::stderr(), "error: cannot write the output: {error}");
            }
            exit.into()
        }
    }
}
