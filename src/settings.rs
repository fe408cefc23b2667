//! Validated settings: the database URL (which never prints its password)
//! and the names of the version tables.

use std::fmt;
use std::path::PathBuf;

/// The embedded default database when no URL is given.
pub const DEFAULT_URL: &str = "sqlite:migrate.db";

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `sqlite:PATH`.
    Sqlite(PathBuf),
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `mysql://` or `mariadb://`.
    Mysql,
}

/// A database URL. Its `Display` and `redacted()` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    kind: Kind,
}

impl DatabaseUrl {
    /// Parses `sqlite:PATH` (also `sqlite://PATH`), `postgres://…`,
    /// `postgresql://…`, `mysql://…` or `mariadb://…`.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let (scheme, rest) = raw.split_once(':').ok_or_else(|| unknown_scheme(raw))?;
        let kind = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() {
                    return Err("the SQLite URL names no file: write sqlite:PATH".to_string());
                }
                Kind::Sqlite(PathBuf::from(path))
            }
            "postgres" | "postgresql" => Kind::Postgres,
            "mysql" | "mariadb" => Kind::Mysql,
            _ => return Err(unknown_scheme(raw)),
        };
        Ok(DatabaseUrl {
            raw: raw.to_string(),
            kind,
        })
    }

    /// Which database this is.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The URL as given, password included: only for handing to a driver.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The URL with any password removed, for output and errors.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.raw.split_once("://") else {
            return redact_query(&self.raw);
        };
        // Everything before the last `@` may be credentials, even with an
        // unencoded `/` or `?` in the password, which drivers accept: keep only
        // the user. When a later `@` sits in the query, more is cut than
        // needed, but a password is never shown.
        let Some((credentials, after)) = rest.rsplit_once('@') else {
            return redact_query(&self.raw);
        };
        let user = credentials
            .split([':', '/', '?'])
            .next()
            .unwrap_or_default();
        redact_query(&format!("{scheme}://{user}@{after}"))
    }
}

/// Drops `password=` parameters from a query string.
fn redact_query(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn unknown_scheme(raw: &str) -> String {
    let shown = DatabaseUrl {
        raw: raw.to_string(),
        kind: Kind::Mysql,
    }
    .redacted();
    format!(
        "`{shown}` is not a database URL: use sqlite:PATH, postgres://… or mysql://… \
         (have you set --database-url or DATABASE_URL?)"
    )
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "DatabaseUrl({})", self.redacted())
    }
}

/// The names of the two version tables, validated once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    /// `db_version` or `--table NAME`.
    pub versions: String,
    /// `db_version_log` or `NAME_log`.
    pub log: String,
}

impl TableNames {
    /// Validates `--table`: a plain identifier of letters, digits and `_`, not
    /// starting with a digit, short enough for every database with `_log` added.
    pub fn new(name: &str) -> Result<TableNames, String> {
        let valid = !name.is_empty()
            && name.len() <= 59
            && name.chars().all(|character| {
                character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_'
            })
            && !name.starts_with(|character: char| character.is_ascii_digit());
        if !valid {
            // Lower case only: PostgreSQL folds unquoted names to lower case,
            // so an upper-case table could not be read with plain SQL.
            return Err(format!(
                "--table `{name}` is not a plain identifier: use up to 59 lower-case letters, \
                 digits and underscores, not starting with a digit"
            ));
        }
        Ok(TableNames {
            versions: name.to_string(),
            log: format!("{name}_log"),
        })
    }
}

impl Default for TableNames {
    fn default() -> TableNames {
        TableNames {
            versions: "db_version".to_string(),
            log: "db_version_log".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        let url = DatabaseUrl::parse("sqlite:data/app.db").unwrap();
        assert_eq!(url.kind(), &Kind::Sqlite(PathBuf::from("data/app.db")));
        let url = DatabaseUrl::parse("sqlite:///tmp/app.db").unwrap();
        assert_eq!(url.kind(), &Kind::Sqlite(PathBuf::from("/tmp/app.db")));
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().kind(),
            &Kind::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("mariadb://u@h/db").unwrap().kind(),
            &Kind::Mysql
        );
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("oracle://u:p@h").is_err());
        assert!(DatabaseUrl::parse("migrate.db").is_err());
    }

    #[test]
    fn passwords_never_print() {
        let url =
            DatabaseUrl::parse("postgres://app:s3cr%40t@db.example:5432/prod?sslmode=require")
                .unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://app@db.example:5432/prod?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("s3cr"));
        let url =
            DatabaseUrl::parse("mysql://root@h/db?password=hunter2&ssl-mode=REQUIRED").unwrap();
        assert_eq!(url.to_string(), "mysql://root@h/db?ssl-mode=REQUIRED");
        let error = DatabaseUrl::parse("oracle://u:hunter2@h").unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        let url = DatabaseUrl::parse("sqlite:app.db?password=hunter2").unwrap();
        assert_eq!(url.to_string(), "sqlite:app.db");
        // Unencoded `/`, `?` or `@` in a password, which drivers accept.
        for raw in [
            "postgres://app:se/cret@127.0.0.1:5432/test",
            "postgres://app:se?cret@127.0.0.1/test",
            "mysql://app:p@ss@host/db",
        ] {
            let shown = DatabaseUrl::parse(raw).unwrap().to_string();
            assert!(
                !shown.contains("cret") && !shown.contains("p@ss"),
                "{shown}"
            );
            assert!(shown.contains("://app@"), "{shown}");
        }
    }

    #[test]
    fn table_names() {
        assert_eq!(
            TableNames::new("schema_versions").unwrap().log,
            "schema_versions_log"
        );
        for bad in [
            "",
            "1x",
            "a-b",
            "a.b",
            "x;drop",
            "\"x\"",
            "Deploys",
            &"a".repeat(60),
        ] {
            assert!(TableNames::new(bad).is_err(), "{bad}");
        }
    }
}
