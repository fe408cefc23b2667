//! Validated settings: the database URL (which never prints its password)
//! and the names of the version tables.

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;

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
    ///
    /// The error never repeats the URL: whatever did not parse may hold a
    /// password in a place no redaction can find (`app:S3cret@host/x`).
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let Some((scheme, rest)) = raw.split_once(':') else {
            return Err(unknown_scheme());
        };
        let kind = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() {
                    return Err("the SQLite URL names no file: write sqlite:PATH".to_string());
                }
                if has_userinfo(path) {
                    return Err(
                        "the SQLite URL holds a user and password (`USER:PASSWORD@`), \
                                which SQLite has no use for (the URL is not shown): write \
                                sqlite:PATH, or postgres://… or mysql://… for a server"
                            .to_string(),
                    );
                }
                Kind::Sqlite(PathBuf::from(path))
            }
            "postgres" | "postgresql" => Kind::Postgres,
            "mysql" | "mariadb" => Kind::Mysql,
            _ => return Err(unknown_scheme()),
        };
        // `postgres:/app:pw@host` is no URL a driver reads the same way twice:
        // refuse it rather than guess where its password ends.
        if !matches!(kind, Kind::Sqlite(_)) && !rest.starts_with("//") {
            return Err(format!(
                "the {} URL must start with `{}://` (the rest is not shown, as it may hold \
                 a password): write {}://USER:PASSWORD@HOST:PORT/DATABASE",
                scheme.to_ascii_lowercase(),
                scheme.to_ascii_lowercase(),
                scheme.to_ascii_lowercase()
            ));
        }
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
        redact(&self.raw)
    }
}

/// Any text that may be a database URL, with everything that may be a
/// secret taken out: the password of the user part, the values of
/// parameters that name a password, key or token (also after a second `?`
/// typed for `&`), and a "port" that is not a number (`app:pw/db`, a user
/// and password without the `@host`). Text without `://` keeps only its
/// scheme, unless it is a SQLite path.
pub fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return match raw.split_once(':') {
            Some((scheme, path)) if scheme.eq_ignore_ascii_case("sqlite") => {
                format!("{scheme}:{}", redact_sqlite_path(path))
            }
            Some((scheme, path)) if scheme.eq_ignore_ascii_case("sqlite3") => {
                format!("{scheme}:{}", redact_sqlite_path(path))
            }
            Some((scheme, _)) if is_scheme(scheme) => format!("{scheme}:…"),
            _ => "…".to_string(),
        };
    };
    if !is_scheme(scheme) {
        return "…".to_string();
    }
    if scheme.eq_ignore_ascii_case("sqlite") || scheme.eq_ignore_ascii_case("sqlite3") {
        return format!("{scheme}://{}", redact_sqlite_path(rest));
    }
    // Everything before the last `@` may be credentials, even with an
    // unencoded `/`, `?` or `@` in the password, which drivers accept: keep
    // only the user. When a later `@` sits in the query, more is cut than
    // needed, but a password is never shown.
    let (user, after) = match rest.rsplit_once('@') {
        Some((credentials, after)) => {
            let user = credentials
                .split([':', '/', '?', '#'])
                .next()
                .unwrap_or_default();
            // `?password=a@b`: the last `@` may sit inside a secret value,
            // so what follows it may be the rest of that secret.
            let secret_before = credentials
                .split_once('?')
                .is_some_and(|(_, query)| query.split(['&', '?', ';']).any(is_secret_pair));
            if secret_before {
                return format!("{scheme}://{user}@…");
            }
            (format!("{user}@"), after)
        }
        None => (String::new(), rest),
    };
    let (location, query) = match after.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (after, None),
    };
    let (authority, path) = match location.split_once('/') {
        Some((authority, path)) => (authority, Some(path)),
        None => (location, None),
    };
    let mut shown = format!("{scheme}://{user}{}", redact_authority(authority));
    if let Some(path) = path {
        // `db;password=x`: parameters glued to the database name.
        shown.push('/');
        match path.split_once(';') {
            Some((name, parameters)) => {
                shown.push_str(name);
                shown.push(';');
                shown.push_str(&redact_query(parameters));
            }
            None => shown.push_str(path),
        }
    }
    if let Some(query) = query {
        let kept = redact_query(query);
        if !kept.is_empty() {
            shown.push('?');
            shown.push_str(&kept);
        }
    }
    shown
}

/// Whether `text` is a scheme this tool knows: anything else before a `:`
/// may be a user name followed by its password, and is not shown.
fn is_scheme(text: &str) -> bool {
    [
        "sqlite",
        "sqlite3",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
    ]
    .iter()
    .any(|known| text.eq_ignore_ascii_case(known))
}

/// A SQLite path without its query: SQLite URLs hold no credentials, but a
/// query may (`?password=` of an encryption extension), and a server URL
/// written with the wrong scheme may (`sqlite://app:pw@host/db`).
fn redact_sqlite_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    match path.rsplit_once('@') {
        Some((_, after)) if has_userinfo(path) => format!("…@{after}"),
        _ => path.to_string(),
    }
}

/// Whether a path starts like `USER:PASSWORD@`: a `:` before an `@`.
fn has_userinfo(path: &str) -> bool {
    path.find(':')
        .is_some_and(|colon| path[colon..].contains('@'))
}

/// `host:port,host:port` with every port that is not a number hidden.
fn redact_authority(authority: &str) -> String {
    authority
        .split(',')
        .map(|host| {
            if host.starts_with('[') {
                // `[::1]:5432`: the colons belong to the address.
                return match host.split_once("]:") {
                    Some((address, port)) if !port.bytes().all(|byte| byte.is_ascii_digit()) => {
                        format!("{address}]:…")
                    }
                    _ => host.to_string(),
                };
            }
            match host.split_once(':') {
                Some((name, port)) if !port.bytes().all(|byte| byte.is_ascii_digit()) => {
                    format!("{name}:…")
                }
                _ => host.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A query string without the parameters that may hold a secret. A second
/// `?` (a typo for `&`) and `;` separate parameters too, as some drivers
/// read them.
fn redact_query(query: &str) -> String {
    query
        .split(['&', '?', ';'])
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_key(key) => format!("{key}=…"),
            _ if is_secret_pair(pair) => "…".to_string(),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether `key=value` (or a bare `key`) may hold a secret.
fn is_secret_pair(pair: &str) -> bool {
    is_secret_key(pair.split_once('=').map_or(pair, |(key, _)| key))
}

/// Whether a parameter named `key` may hold a secret: `password`,
/// `sslpassword`, `pass`, `secret`, `token`, `key` in any case or
/// %-encoding. A parameter that is merely a path (`sslkey`) is hidden too:
/// hiding too much costs nothing.
fn is_secret_key(key: &str) -> bool {
    // `%xx` decoded where it is well formed; everything else kept.
    let decoded = percent_decode_str(key)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "key", "auth", "credential"]
        .iter()
        .any(|word| decoded.contains(word))
        // `password%3Dx`: a value glued to its key is never shown either.
        || decoded.contains('=')
}

fn unknown_scheme() -> String {
    "the database URL does not start with sqlite:, postgres://, postgresql://, mysql:// or \
     mariadb:// (it is not shown, as it may hold a password): have you set --database-url \
     or DATABASE_URL?"
        .to_string()
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

/// How a run holds the database-wide run lock (`--lock-mode`, env
/// `MIGRATE_LOCK_MODE`; issue 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockMode {
    /// The database's own lock, unless the URL says that a transaction
    /// pooler sits between (PostgreSQL: `pgbouncer=true`, port 6432, or
    /// `lock_mode=table` in the URL), where a lease row is taken instead.
    #[default]
    Auto,
    /// The database's own session lock (PostgreSQL advisory lock, MySQL
    /// `GET_LOCK`, SQLite's write lock).
    Advisory,
    /// A lease row in a lock table, renewed while the run lasts and taken
    /// over only after it expired: correct behind a transaction pooler,
    /// where a session lock may be taken on one server connection and
    /// released on another. PostgreSQL only.
    Table,
}

impl LockMode {
    /// Parses `advisory` or `table`.
    pub fn parse(text: &str) -> Result<LockMode, String> {
        match text {
            "advisory" => Ok(LockMode::Advisory),
            "table" => Ok(LockMode::Table),
            other => Err(format!(
                "lock mode `{other}` is not one of: advisory, table"
            )),
        }
    }
}

/// How a run takes the run lock: the mode and, for a lease, how long it
/// lasts unrenewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLock {
    /// `--lock-mode`.
    pub mode: LockMode,
    /// How long a lease lives when its holder stops renewing it (a killed
    /// run): `--lock-lease`, env `MIGRATE_LOCK_LEASE`, default 30 s. The
    /// holder renews it every third of that.
    pub lease: std::time::Duration,
}

/// The shortest lease: renewal every third of it must stay well above a
/// round trip.
pub const MIN_LOCK_LEASE: std::time::Duration = std::time::Duration::from_secs(1);

impl Default for RunLock {
    fn default() -> RunLock {
        RunLock {
            mode: LockMode::Auto,
            lease: std::time::Duration::from_secs(30),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::Strategy;
    use proptest::prelude::{Just, any, prop_oneof};

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
        assert_eq!(
            url.to_string(),
            "mysql://root@h/db?password=…&ssl-mode=REQUIRED"
        );
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

    /// The forms of issue 11: no `://`, a second `?`, libpq's `sslpassword`.
    #[test]
    fn the_forms_that_leaked_are_refused_or_redacted() {
        for raw in [
            "app:S3cretPW@host/x",
            "S3cretPW@host/x",
            "postgres:/app:S3cretPW@host/x",
            "postgres:app:S3cretPW@host/x",
            "mysql:app:S3cretPW@host/x",
            "oracle://app:S3cretPW@host/x",
        ] {
            let error = DatabaseUrl::parse(raw).unwrap_err();
            assert!(!error.contains("S3cretPW"), "{raw}: {error}");
            assert!(!redact(raw).contains("S3cretPW"), "{raw}: {}", redact(raw));
        }
        for raw in [
            "postgres://app@h/db?sslmode=require?password=S3cretPW",
            "postgres://app@h/db?sslpassword=S3cretPW&sslmode=require",
            "postgres://app@h/db?PASSWORD=S3cretPW",
            "postgres://app@h/db?pass%77ord=S3cretPW",
            "postgres://app@h/db?password=S3cret@PW",
            "mysql://app:S3cretPW/db",
            "postgres://app@h/db;password=S3cretPW",
        ] {
            let shown = DatabaseUrl::parse(raw).unwrap().to_string();
            assert!(
                !shown.contains("S3cret") && !shown.contains("PW"),
                "{raw}: {shown}"
            );
        }
        let shown = DatabaseUrl::parse("postgres://app@h:5432/db?sslmode=require?password=x")
            .unwrap()
            .to_string();
        assert_eq!(shown, "postgres://app@h:5432/db?sslmode=require&password=…");
    }

    /// A secret made of the characters people put in passwords, URL-special
    /// ones included.
    fn secret() -> impl Strategy<Value = String> {
        "[A-Za-z0-9@:/?#&=%+!$;,. ~-]{6,16}"
            .prop_filter("a recognisable secret", |secret| {
                // Short or all-punctuation strings would match a scheme or a
                // host by chance; the property is about real secrets.
                secret.chars().filter(char::is_ascii_alphanumeric).count() >= 6
            })
            .prop_map(|secret| format!("Zq{secret}"))
    }

    fn encode(text: &str) -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (byte as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect()
    }

    /// A URL as a user may type it, with `secret` where a password goes.
    fn url_with_secret() -> impl Strategy<Value = (String, String)> {
        let scheme = prop_oneof![
            Just("postgres"),
            Just("postgresql"),
            Just("mysql"),
            Just("mariadb"),
            Just("sqlite"),
            Just("oracle"),
            Just("POSTGRES"),
        ];
        let separator = prop_oneof![Just("://"), Just(":/"), Just(":"), Just("//"), Just("")];
        let host = prop_oneof![
            Just("db.example:5432"),
            Just("127.0.0.1"),
            Just("[::1]:3306"),
            Just("h1:5432,h2:5433"),
            Just(""),
        ];
        let key = prop_oneof![
            Just("password"),
            Just("sslpassword"),
            Just("Password"),
            Just("pass%77ord"),
            Just("PASSWORD")
        ];
        let joiner = prop_oneof![Just("&"), Just("?"), Just(";")];
        let placement = 0..6u8;
        (
            scheme, separator, host, key, joiner, placement, secret(), any::<bool>(),
        )
            .prop_map(
                |(scheme, separator, host, key, joiner, placement, secret, encoded)| {
                    let password = if encoded { encode(&secret) } else { secret.clone() };
                    let url = match placement {
                        0 => format!("{scheme}{separator}app:{password}@{host}/db"),
                        1 => format!(
                            "{scheme}{separator}app@{host}/db?sslmode=require{joiner}{key}={password}"
                        ),
                        2 => format!("{scheme}{separator}app@{host}/db?{key}={password}&x=1"),
                        // A SQLite path `app:secret/db` is a folder name like any
                        // other: only server URLs hold `USER:PASSWORD` without `@`.
                        3 if scheme == "sqlite" => format!("{scheme}{separator}app:{password}@h/db"),
                        3 => format!("{scheme}{separator}app:{password}/db"),
                        4 => format!("app:{password}@{host}/db"),
                        _ => format!(
                            "{scheme}{separator}app:{password}@{host}/db?{key}={password}"
                        ),
                    };
                    (url, secret)
                },
            )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Whatever URL a user types, neither the secret nor its encoded
        /// form appears in the URL's Display or Debug, nor in the error that
        /// refuses it, nor in what the drivers' parsers say of it.
        #[test]
        fn no_secret_in_any_output((raw, secret) in url_with_secret()) {
            let encoded = encode(&secret);
            let mut shown = vec![redact(&raw)];
            match DatabaseUrl::parse(&raw) {
                Ok(url) => {
                    shown.push(url.to_string());
                    shown.push(format!("{url:?}"));
                    shown.push(url.redacted());
                    match url.kind() {
                        Kind::Postgres => {
                            if let Err(error) = crate::backend::postgres::connect::parse(url.expose()) {
                                shown.push(error);
                            }
                        }
                        Kind::Mysql => {
                            if let Err(error) = crate::backend::mysql::connect::parse(url.expose()) {
                                shown.push(error);
                            }
                        }
                        Kind::Sqlite(_) => {}
                    }
                }
                Err(error) => shown.push(error),
            }
            for text in shown {
                proptest::prop_assert!(!text.contains(&secret), "{} shows {}: {}", raw, secret, text);
                proptest::prop_assert!(!text.contains(&encoded), "{} shows {}: {}", raw, encoded, text);
            }
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

    #[test]
    fn lock_modes_parse_and_name_the_choices() {
        assert_eq!(LockMode::parse("advisory"), Ok(LockMode::Advisory));
        assert_eq!(LockMode::parse("table"), Ok(LockMode::Table));
        let error = LockMode::parse("row").unwrap_err();
        assert!(
            error.contains("`row`") && error.contains("advisory, table"),
            "{error}"
        );
        assert_eq!(RunLock::default().mode, LockMode::Auto);
        assert!(RunLock::default().lease >= MIN_LOCK_LEASE * 3);
    }
}
