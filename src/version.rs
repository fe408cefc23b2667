//! Versions and release labels: the two values that order and group migrations.
//!
//! A version is a positive decimal number of up to 38 digits. Real projects use
//! 20-digit stamps such as `20150100000001000000`, which overflow `u64`, so it is
//! kept in a `u128` (38 nines fit) and compared as a number: `7`, `0007` and
//! `07` are the same version.

use std::fmt;
use std::str::FromStr;

/// The most significant digits a version may have (SPEC section 1).
pub const MAX_VERSION_DIGITS: usize = 38;

/// A migration version: a positive number of up to 38 decimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(u128);

/// Why a string is not a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Empty, or holds something other than the digits 0 to 9.
    #[error("`{0}` is not a version: a version is a positive decimal number")]
    NotANumber(String),
    /// All zeros: version 0 does not exist.
    #[error("`{0}` is not a version: versions start at 1 (version 0 does not exist)")]
    Zero(String),
    /// More than `MAX_VERSION_DIGITS` (38) significant digits.
    #[error("`{0}` is not a version: at most 38 digits are allowed")]
    TooLong(String),
}

impl Version {
    /// Version 1, the first: what `schema_dump --bootstrap` records.
    pub const FIRST: Version = Version(1);

    /// The version as a number.
    pub fn get(self) -> u128 {
        self.0
    }

    /// Builds a version from a number; `None` for 0 or more than 38 digits.
    pub fn new(value: u128) -> Option<Version> {
        let limit = 10u128.pow(MAX_VERSION_DIGITS as u32);
        (value != 0 && value < limit).then_some(Version(value))
    }
}

/// Parses a target such as `down 0`, where 0 means "below every version".
pub fn parse_target(text: &str) -> Result<u128, VersionError> {
    match text.parse::<Version>() {
        Ok(version) => Ok(version.get()),
        Err(VersionError::Zero(_)) => Ok(0),
        Err(other) => Err(other),
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Version, VersionError> {
        if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(VersionError::NotANumber(text.to_string()));
        }
        let significant = text.trim_start_matches('0');
        if significant.is_empty() {
            return Err(VersionError::Zero(text.to_string()));
        }
        if significant.len() > MAX_VERSION_DIGITS {
            return Err(VersionError::TooLong(text.to_string()));
        }
        significant
            .parse::<u128>()
            .map(Version)
            .map_err(|_| VersionError::TooLong(text.to_string()))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

impl serde::Serialize for Version {
    /// A JSON number, written with all its digits: serde_json writes a
    /// `u128` exactly to text (`to_string`, `to_writer`), though its
    /// `Value` holds no more than a `u64` (`to_value` fails beyond it).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u128(self.0)
    }
}

/// A release label: what one deployment applied (`--release`, `MIGRATE_RELEASE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Release(String);

impl Release {
    /// A label given by the user; it must be non-empty, printable and at most 100 characters.
    pub fn parse(label: &str) -> Result<Release, String> {
        if label.is_empty() || label.len() > 100 || label.chars().any(char::is_control) {
            return Err(format!(
                "`{label}` is not a release label: use 1 to 100 printable characters"
            ));
        }
        Ok(Release(label.to_string()))
    }

    /// A label read back from the version table, trusted as stored.
    pub fn from_stored(label: String) -> Release {
        Release(label)
    }

    /// The label one more than the highest numeric label among `existing` (`1` when none is).
    pub fn next_after<'a>(existing: impl IntoIterator<Item = &'a Release>) -> Release {
        let highest = existing
            .into_iter()
            .filter_map(|release| release.0.parse::<u128>().ok())
            .max()
            .unwrap_or(0);
        Release(highest.saturating_add(1).to_string())
    }

    /// The label's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Release {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers() {
        let seven: Version = "7".parse().unwrap();
        assert_eq!(seven, "0007".parse().unwrap());
        assert!(seven < "10".parse().unwrap());
        let stamp: Version = "20150100000001000000".parse().unwrap();
        assert_eq!(stamp.to_string(), "20150100000001000000");
        assert!(stamp > "20260301120000".parse().unwrap());
    }

    #[test]
    fn thirty_eight_digits_fit_and_thirty_nine_do_not() {
        let max = "9".repeat(38);
        assert_eq!(max.parse::<Version>().unwrap().to_string(), max);
        assert_eq!(
            format!("0{max}").parse::<Version>().unwrap().to_string(),
            max
        );
        assert!(matches!(
            "1".repeat(39).parse::<Version>(),
            Err(VersionError::TooLong(_))
        ));
    }

    #[test]
    fn rejects_zero_signs_and_letters() {
        assert!(matches!("0".parse::<Version>(), Err(VersionError::Zero(_))));
        assert!(matches!(
            "000".parse::<Version>(),
            Err(VersionError::Zero(_))
        ));
        for bad in ["", "-1", "+1", "1a", " 1", "1.0", "١"] {
            assert!(
                matches!(bad.parse::<Version>(), Err(VersionError::NotANumber(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn targets_allow_zero() {
        assert_eq!(parse_target("0").unwrap(), 0);
        assert_eq!(parse_target("12").unwrap(), 12);
        assert!(parse_target("x").is_err());
    }

    #[test]
    fn next_release_follows_the_highest_numeric_label() {
        assert_eq!(Release::next_after([]).as_str(), "1");
        let labels = [
            Release::from_stored("2".into()),
            Release::from_stored("v9".into()),
            Release::from_stored("10".into()),
        ];
        assert_eq!(Release::next_after(&labels).as_str(), "11");
        assert!(Release::parse("").is_err());
        assert!(Release::parse("a\nb").is_err());
        assert_eq!(Release::parse("2026-11-22").unwrap().as_str(), "2026-11-22");
    }

    #[test]
    fn serialises_as_a_json_number() {
        let stamp: Version = "20150100000001000000".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&stamp).unwrap(),
            "20150100000001000000"
        );
    }
}
