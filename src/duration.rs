//! Durations as users write them on the command line and in directives
//! (`500ms`, `2s`, `1m`, `1h 30m`), and back: humantime parses them, so every
//! unit it knows is accepted; a bare `0` is zero, which for a lock timeout
//! means no bound (SPEC section 5). How long a database can be told to wait
//! is preflight's question, per database.

use std::time::Duration;

/// Parses a duration; the error says how to write one.
pub fn parse(text: &str) -> Result<Duration, String> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    // A unit is required (only a bare `0` needs none), so that `5` is never
    // five of the wrong thing.
    if text.chars().all(|character| character.is_ascii_digit()) {
        return Err(invalid(text));
    }
    humantime::parse_duration(text).map_err(|_| invalid(text))
}

fn invalid(text: &str) -> String {
    format!("`{text}` is not a duration: write it as 500ms, 2s, 1m or 0")
}

/// A duration as a user writes it: `90s`, `2m`, `1500ms`, in the largest
/// unit that shows it exactly; `0` for zero.
pub fn describe(duration: Duration) -> String {
    let millis = duration.as_millis();
    match millis {
        0 => "0".to_string(),
        _ if millis.is_multiple_of(60_000) => format!("{}m", millis / 60_000),
        _ if millis.is_multiple_of(1_000) => format!("{}s", millis / 1_000),
        _ => format!("{millis}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_described_as_written() {
        assert_eq!(describe(Duration::ZERO), "0");
        assert_eq!(describe(Duration::from_secs(35_792 * 60)), "35792m");
        assert_eq!(describe(Duration::from_secs(90)), "90s");
        assert_eq!(
            describe(Duration::from_millis(i32::MAX as u64)),
            "2147483647ms"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse("1m").unwrap(), Duration::from_secs(60));
        // humantime's units and combinations are welcome too.
        assert_eq!(parse("2h").unwrap(), Duration::from_secs(7_200));
        assert_eq!(parse("1m 30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("1.5s").unwrap(), Duration::from_millis(1_500));
        for bad in ["", "2", "s", "-1s", "00", "99999999999999999999ms"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Zero turns the lock timeout off, with or without a unit.
        for zero in ["0", "0ms", "0s", "0m"] {
            assert_eq!(parse(zero).unwrap(), Duration::ZERO, "{zero}");
        }
        // Huge values parse; whether a database can wait that long is preflight's.
        assert_eq!(parse("35792m").unwrap(), Duration::from_secs(35_792 * 60));
    }
}
