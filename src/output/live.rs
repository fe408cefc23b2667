//! What runs while it runs, on stderr: the executor reports each operation
//! as it starts ([`Progress`]) and this renders it, so a long operation is
//! never silent.
//!
//! - On a terminal, a live line (operation, version, file, statement k of n,
//!   elapsed time) redrawn in place; it is cleared before the operation's
//!   final line prints on stdout, so that line replaces it.
//! - Elsewhere (a CI log, a file), nothing moves in place: a start line
//!   with `-v`, and for an operation still running after a few seconds a
//!   `still running` line, repeated, so the log of a 30-minute backfill
//!   shows it is alive.
//!
//! stdout is untouched: it keeps one line per finished operation. A ticker
//! thread redraws the line or writes the notices while the executor waits on
//! the database; it writes to its own handle of stderr, under a lock.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::execute::{Progress, Upcoming};

/// How the progress of a run shows on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveMode {
    /// stderr is a terminal `width` columns wide: a live line.
    Terminal {
        /// The terminal's width; the line is cut to fit, so it never wraps.
        width: usize,
    },
    /// stderr is a log: lines only, never redrawn.
    Log {
        /// `-v`: a line as each operation starts.
        announce: bool,
        /// How long an operation runs before its first `still running` line.
        first: Duration,
        /// How often that line repeats after the first.
        every: Duration,
    },
    /// Nothing (`-q`).
    Off,
}

impl LiveMode {
    /// The first `still running` line of a log, after 5 s.
    pub const FIRST_NOTICE: Duration = Duration::from_secs(5);
    /// Then every 30 s.
    pub const NOTICE_EVERY: Duration = Duration::from_secs(30);

    /// A log's mode: notices after `every` if set (`MIGRATE_PROGRESS_EVERY`),
    /// otherwise after 5 s and then every 30 s.
    pub fn log(announce: bool, every: Option<Duration>) -> LiveMode {
        LiveMode::Log {
            announce,
            first: every.unwrap_or(Self::FIRST_NOTICE),
            every: every.unwrap_or(Self::NOTICE_EVERY),
        }
    }
}

/// The renderer of a run's progress: hand it every [`Progress`] with
/// [`Live::observe`], and [`Live::finish`] it before printing the end of the
/// run (an error must not land on the live line).
pub struct Live {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    ticker: Option<JoinHandle<()>>,
}

struct Shared {
    mode: LiveMode,
    sink: Box<dyn Write + Send>,
    running: Option<Running>,
    /// Whether a live line is on the terminal now.
    drawn: bool,
    stop: bool,
}

/// The operation running now.
struct Running {
    upcoming: Upcoming,
    statement: Option<(usize, usize)>,
    started: Instant,
    /// How many `still running` lines it has had.
    notices: u32,
}

impl Live {
    /// Starts rendering to `sink` (stderr) as `mode` says.
    pub fn start(mode: LiveMode, sink: Box<dyn Write + Send>) -> Live {
        let shared = Arc::new((
            Mutex::new(Shared {
                mode,
                sink,
                running: None,
                drawn: false,
                stop: false,
            }),
            Condvar::new(),
        ));
        let ticker = match mode {
            LiveMode::Off => None,
            _ => {
                let shared = Arc::clone(&shared);
                // Without a thread the line cannot move while the executor
                // waits on the server; a run shows its progress without it.
                std::thread::Builder::new()
                    .name("migrate-progress".to_string())
                    .spawn(move || tick(&shared))
                    .ok()
            }
        };
        Live { shared, ticker }
    }

    /// Takes in what the executor reports.
    pub fn observe(&self, progress: Progress<'_>) {
        let mut shared = lock(&self.shared.0);
        match progress {
            Progress::Plan(_) => {}
            Progress::Started(upcoming) => {
                shared.running = Some(Running {
                    upcoming: upcoming.clone(),
                    statement: None,
                    started: Instant::now(),
                    notices: 0,
                });
                if let LiveMode::Log { announce: true, .. } = shared.mode {
                    let line = format!("migrate: started {}", describe(upcoming, None));
                    shared.write_line(&line);
                }
                shared.draw();
            }
            Progress::Statement { number, count } => {
                if let Some(running) = shared.running.as_mut() {
                    running.statement = Some((number, count));
                }
                shared.draw();
            }
            Progress::Done(_) => {
                shared.running = None;
                shared.clear();
            }
        }
        drop(shared);
        self.shared.1.notify_all();
    }

    /// Stops the ticker and clears the live line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        {
            let mut shared = lock(&self.shared.0);
            shared.stop = true;
            shared.running = None;
            shared.clear();
        }
        self.shared.1.notify_all();
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    /// Redraws the live line of a terminal.
    fn draw(&mut self) {
        let LiveMode::Terminal { width } = self.mode else {
            return;
        };
        let Some(running) = &self.running else {
            return;
        };
        let text = live_line(running, running.started.elapsed());
        let shown = fit(&text, width.saturating_sub(1));
        // `\r` and "erase to the end of the line": the new text replaces
        // the old whatever their lengths. Nothing to do if stderr is gone.
        let _ = write!(self.sink, "\r{shown}\x1b[K");
        let _ = self.sink.flush();
        self.drawn = true;
    }

    /// Erases the live line, leaving the cursor at the start of its row.
    fn clear(&mut self) {
        if self.drawn {
            let _ = write!(self.sink, "\r\x1b[K");
            let _ = self.sink.flush();
            self.drawn = false;
        }
    }

    fn write_line(&mut self, line: &str) {
        let _ = writeln!(self.sink, "{line}");
        let _ = self.sink.flush();
    }

    /// A log's `still running` line, when one is due; how long until the next.
    fn notice(&mut self, first: Duration, every: Duration) -> Duration {
        let Some(running) = self.running.as_mut() else {
            return every;
        };
        let elapsed = running.started.elapsed();
        let due = first + every.saturating_mul(running.notices);
        if elapsed < due {
            return due - elapsed;
        }
        running.notices += 1;
        let line = format!(
            "migrate: still running: {}, for {}",
            describe(&running.upcoming, running.statement),
            elapsed_text(elapsed)
        );
        self.write_line(&line);
        every
    }
}

/// The ticker: redraws the terminal's line, or writes a log's notices, until
/// the run finishes.
fn tick(shared: &(Mutex<Shared>, Condvar)) {
    let (mutex, condvar) = shared;
    let mut guard = lock(mutex);
    loop {
        if guard.stop {
            return;
        }
        let wait = match guard.mode {
            LiveMode::Terminal { .. } => {
                guard.draw();
                Duration::from_millis(250)
            }
            LiveMode::Log { first, every, .. } => guard.notice(first, every),
            LiveMode::Off => return,
        };
        // A poisoned lock only means another thread panicked while
        // printing: the line is still worth drawing.
        guard = condvar
            .wait_timeout(guard, wait.max(Duration::from_millis(10)))
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

fn lock(mutex: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `add 12 up/12_add_email.sql, statement 3 of 5` (a repeatable file has
/// no version: `repeatable repeatable/views.sql`).
fn describe(upcoming: &Upcoming, statement: Option<(usize, usize)>) -> String {
    let mut text = upcoming.operation.clone();
    if let Some(version) = upcoming.version {
        text.push_str(&format!(" {version}"));
    }
    if let Some(file) = &upcoming.file {
        text.push(' ');
        text.push_str(file);
    }
    match statement {
        Some((number, count)) => text.push_str(&format!(", statement {number} of {count}")),
        None if upcoming.statements > 0 => {
            let noun = match upcoming.statements {
                1 => "statement",
                _ => "statements",
            };
            text.push_str(&format!(" ({} {noun})", upcoming.statements));
        }
        None => {}
    }
    text
}

/// The terminal's line: `add 12 up/12_add_email.sql, statement 3 of 5  12s`.
fn live_line(running: &Running, elapsed: Duration) -> String {
    format!(
        "running {}  {}",
        describe(&running.upcoming, running.statement),
        elapsed_text(elapsed)
    )
}

/// `4s`, `1m05s`, `1h02m`.
pub(crate) fn elapsed_text(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

/// `text` cut to `width` characters, an ellipsis marking the cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execute::Report;
    use crate::version::Version;

    /// A sink the test reads back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("sink").clone()).expect("UTF-8")
        }
    }

    fn upcoming(statements: usize, one_by_one: bool) -> Upcoming {
        Upcoming {
            version: Some("12".parse::<Version>().expect("a version")),
            operation: "add".to_string(),
            file: Some("up/12_add_email.sql".to_string()),
            statements,
            one_by_one,
        }
    }

    fn report() -> Report {
        Report {
            version: Some("12".parse::<Version>().expect("a version")),
            operation: "add".to_string(),
            file: Some("up/12_add_email.sql".to_string()),
            ms: 3,
        }
    }

    #[test]
    fn a_repeatable_file_is_named_without_a_version() {
        let next = Upcoming {
            version: None,
            operation: "repeatable".to_string(),
            file: Some("repeatable/views.sql".to_string()),
            statements: 2,
            one_by_one: true,
        };
        assert_eq!(
            describe(&next, Some((1, 2))),
            "repeatable repeatable/views.sql, statement 1 of 2"
        );
    }

    #[test]
    fn a_terminal_gets_a_live_line_that_the_end_erases() {
        let sink = Captured::default();
        let live = Live::start(LiveMode::Terminal { width: 80 }, Box::new(sink.clone()));
        let next = upcoming(5, true);
        live.observe(Progress::Started(&next));
        live.observe(Progress::Statement {
            number: 3,
            count: 5,
        });
        live.observe(Progress::Done(&report()));
        live.finish();
        let text = sink.text();
        assert!(
            text.contains("\rrunning add 12 up/12_add_email.sql (5 statements)  0s\x1b[K"),
            "{text:?}"
        );
        assert!(
            text.contains("\rrunning add 12 up/12_add_email.sql, statement 3 of 5  0s\x1b[K"),
            "{text:?}"
        );
        assert!(text.ends_with("\r\x1b[K"), "the line is erased: {text:?}");
        assert!(!text.contains('\n'), "a live line never scrolls: {text:?}");
    }

    #[test]
    fn a_narrow_terminal_cuts_the_line_instead_of_wrapping() {
        let sink = Captured::default();
        let live = Live::start(LiveMode::Terminal { width: 20 }, Box::new(sink.clone()));
        live.observe(Progress::Started(&upcoming(1, false)));
        live.finish();
        assert!(
            sink.text().contains("\rrunning add 12 up/…\x1b[K"),
            "{:?}",
            sink.text()
        );
    }

    #[test]
    fn a_log_says_what_starts_only_when_asked_and_what_runs_long() {
        let quiet = Captured::default();
        let live = Live::start(LiveMode::log(false, None), Box::new(quiet.clone()));
        live.observe(Progress::Started(&upcoming(2, false)));
        live.observe(Progress::Done(&report()));
        live.finish();
        assert_eq!(quiet.text(), "", "a quick operation stays silent");

        let verbose = Captured::default();
        let live = Live::start(LiveMode::log(true, None), Box::new(verbose.clone()));
        live.observe(Progress::Started(&upcoming(2, false)));
        live.observe(Progress::Done(&report()));
        live.finish();
        assert_eq!(
            verbose.text(),
            "migrate: started add 12 up/12_add_email.sql (2 statements)\n"
        );

        let slow = Captured::default();
        let every = Duration::from_millis(40);
        let live = Live::start(LiveMode::log(false, Some(every)), Box::new(slow.clone()));
        live.observe(Progress::Started(&upcoming(4, true)));
        live.observe(Progress::Statement {
            number: 2,
            count: 4,
        });
        std::thread::sleep(Duration::from_millis(150));
        live.finish();
        let text = slow.text();
        let notices = text.lines().count();
        assert!(notices >= 2, "repeated while it runs: {text:?}");
        for line in text.lines() {
            assert!(
                line.starts_with(
                    "migrate: still running: add 12 up/12_add_email.sql, statement 2 of 4, for "
                ),
                "{line:?}"
            );
        }
        assert!(!text.contains('\r'), "a log is never redrawn: {text:?}");
    }

    #[test]
    fn elapsed_times_read_at_a_glance() {
        assert_eq!(elapsed_text(Duration::from_millis(4_900)), "4s");
        assert_eq!(elapsed_text(Duration::from_secs(65)), "1m05s");
        assert_eq!(elapsed_text(Duration::from_secs(3_720)), "1h02m");
    }
}
