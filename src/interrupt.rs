//! SIGINT and SIGTERM (SPEC section 5): a run that is interrupted cancels
//! the statement running on the server, rolls back an atomic file, records
//! the interrupted attempt, releases the run lock and exits 130 or 143.
//!
//! The binary calls [`install`]: a thread then waits for the signals,
//! remembers the first, and calls the canceller of the session that is
//! running (PostgreSQL's cancel request, MySQL's `KILL QUERY` on a second
//! connection, SQLite's interrupt). The statement then fails on its own
//! connection, and the executor, seeing [`requested`], turns that failure
//! into [`crate::error::Error::Interrupted`] through its usual rollback and
//! log path. Without the cancel, the server would go on running the
//! statement (and hold its locks) for a client that is gone. A second
//! signal stops the process at once, as the signal's default would.
//!
//! Applications using the library keep their own signal handling: nothing
//! here runs unless `install` was called.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

// POSIX fixes both numbers; the handler itself (signal-hook) is the
// command's (`cli`), and an application installs its own.
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;
#[cfg(feature = "cli")]
const _: () =
    assert!(SIGINT == signal_hook::consts::SIGINT && SIGTERM == signal_hook::consts::SIGTERM);

/// Cancels what a session is running, from another thread.
pub type Canceller = Box<dyn Fn() + Send>;

/// The first signal received, 0 when none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The cancellers of the sessions that are running, by a number of their
/// own: one for a single run, one per running target of a fleet.
static RUNNING: Mutex<Vec<(u64, Canceller)>> = Mutex::new(Vec::new());

/// The number the next running session is registered under.
static NEXT_SESSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    /// `kill`, a CI cancel, `systemctl stop`.
    Terminate,
}

impl Signal {
    /// The signal's name (`SIGINT`).
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The shell's exit status for it: 128 plus the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Starts handling SIGINT and SIGTERM for the rest of the process.
#[cfg(feature = "cli")]
pub fn install() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".to_string())
        .spawn(move || {
            for signal in signals.forever() {
                if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
                    // The second signal: the user wants out now.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                }
                let running = RUNNING
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                for (_, cancel) in running.iter() {
                    cancel();
                }
            }
        })?;
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<Signal> {
    match RECEIVED.load(Ordering::SeqCst) {
        SIGINT => Some(Signal::Interrupt),
        SIGTERM => Some(Signal::Terminate),
        _ => None,
    }
}

/// Sleeps for `pause`, or less when a signal asks the run to stop.
pub(crate) fn sleep(pause: Duration) {
    let until = std::time::Instant::now() + pause;
    while requested().is_none() {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Runs `work` with `canceller` as the way to stop its session's statement.
/// Sessions on other threads (a fleet's targets) are cancelled alike.
pub(crate) fn cancellable<T>(canceller: Option<Canceller>, work: impl FnOnce() -> T) -> T {
    let Some(canceller) = canceller else {
        return work();
    };
    let session = NEXT_SESSION.fetch_add(1, Ordering::SeqCst);
    // A canceller that panicked poisons nothing we rely on.
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push((session, canceller));
    let result = work();
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .retain(|(registered, _)| *registered != session);
    result
}
