//! What the benches that measure a tool against its baseline share: taking
//! the two turn about and reading off medians.

use std::process::{Command, Stdio};
use std::time::Duration;

/// Medians of two measurements taken turn about, so that a machine that
/// slows down or speeds up during the run weighs on both alike.
pub fn interleaved(
    runs: usize,
    mut first: impl FnMut() -> Duration,
    mut second: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let mut firsts = Vec::with_capacity(runs);
    let mut seconds = Vec::with_capacity(runs);
    for _ in 0..runs {
        firsts.push(first());
        seconds.push(second());
    }
    (middle(firsts), middle(seconds))
}

/// The median.
pub fn middle(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Milliseconds, for printing.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs `sql` with `psql` on `url`, quietly; it must succeed.
pub fn psql(url: &str, sql: &str) {
    let status = Command::new("psql")
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .stdout(Stdio::null())
        .status();
    assert!(status.is_ok_and(|status| status.success()), "psql -c {sql}");
}
