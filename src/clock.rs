//! The one reading of the wall clock: the times recorded in the version
//! tables and the log. The planner and status never read it.

use std::time::SystemTime;

/// The current time as RFC 3339 UTC with microseconds.
pub fn now() -> String {
    humantime::format_rfc3339_micros(SystemTime::now()).to_string()
}
