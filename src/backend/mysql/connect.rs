//! MySQL and MariaDB URLs, as the `mysql` crate reads them, plus the TLS
//! parameters that users of the `mysql` client write.
//!
//! `mysql://` and `mariadb://` URLs take user, URL-encoded password, host,
//! port, database and `?socket=/run/mysqld/mysqld.sock`. TLS is set with
//! `ssl-mode` (or `ssl_mode`) and `ssl-ca`, through rustls:
//!
//! | ssl-mode | TLS | certificate checked |
//! | --- | --- | --- |
//! | `DISABLED` | never | - |
//! | `PREFERRED` (default) | when the server offers it | no |
//! | `REQUIRED` | always | no |
//! | `VERIFY_CA` | always | chain against `ssl-ca` or Mozilla's roots |
//! | `VERIFY_IDENTITY` | always | chain and host name |

use std::path::PathBuf;
use std::time::Duration;

use mysql::{Opts, OptsBuilder, SslOpts};

/// The TLS mode of `ssl-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// `DISABLED`.
    Disabled,
    /// `PREFERRED`.
    Preferred,
    /// `REQUIRED`.
    Required,
    /// `VERIFY_CA`.
    VerifyCa,
    /// `VERIFY_IDENTITY`.
    VerifyIdentity,
}

/// A parsed MySQL URL.
#[derive(Debug, Clone)]
pub struct Target {
    /// The options without TLS.
    pub opts: Opts,
    /// The TLS mode.
    pub ssl_mode: SslMode,
    /// `ssl-ca`.
    pub ssl_ca: Option<PathBuf>,
}

/// TCP keepalive: the first probe after 30 s of silence, then every 10 s,
/// and the connection is dead after 3 unanswered probes. This bounds
/// silence, not statement duration: while a long `ALTER TABLE` runs the
/// server's kernel answers the probes, so it is never cut, but a server
/// that is gone (a partition, a host that died) is noticed in about a
/// minute. There is deliberately no `read_timeout`: the driver's read
/// timeout counts the time a statement runs without sending a byte, so any
/// value would kill a long legitimate migration.
const KEEPALIVE_IDLE_MS: u32 = 30_000;
#[cfg(any(target_os = "linux", target_os = "macos"))]
const KEEPALIVE_INTERVAL_SECS: u32 = 10;
#[cfg(any(target_os = "linux", target_os = "macos"))]
const KEEPALIVE_PROBES: u32 = 3;

/// How long data sent may stay unacknowledged (Linux `TCP_USER_TIMEOUT`),
/// and how long one write may block: the tool writes only statements and
/// bookkeeping, which a live server reads at once.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to try to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The server ends the tool's session after this long without a statement
/// (`wait_timeout`, default 8 hours), rolling back what it held: the tool
/// always sends its next statement at once, so only a client that went
/// silent (a partition, a killed host) is ever idle this long, and its
/// locks, the file's and the run lock, are freed instead of blocking
/// production and the next deploy for hours.
pub const SERVER_IDLE_TIMEOUT_SECS: u32 = 60;

/// Where a MySQL URL points: host, port or socket, and the database.
pub fn place(url: &str) -> Result<crate::backend::Place, String> {
    let target = parse(url)?;
    let opts = &target.opts;
    Ok(crate::backend::Place {
        server: format!(
            "mysql {} {} {:?}",
            opts.get_ip_or_hostname(),
            opts.get_tcp_port(),
            opts.get_socket()
        ),
        database: opts.get_db_name().map(str::to_string),
    })
}

/// Parses a `mysql://` or `mariadb://` URL.
///
/// Every error names the part at fault and never repeats a value that may
/// be a secret.
pub fn parse(url: &str) -> Result<Target, String> {
    let url = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mariadb") => format!("mysql://{rest}"),
        _ => url.to_string(),
    };
    let (base, query) = url.split_once('?').unwrap_or((&url, ""));
    if query.contains('?') {
        return Err(
            "the MySQL URL has a second `?`: separate its parameters with `&` \
                    (mysql://HOST/DB?ssl-mode=REQUIRED&ssl-ca=/ca.pem)"
                .to_string(),
        );
    }
    let mut kept = Vec::new();
    let mut ssl_mode = SslMode::Preferred;
    let mut ssl_ca = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key.replace('_', "-").as_str() {
            "ssl-mode" | "sslmode" => {
                ssl_mode = match value.to_ascii_uppercase().replace('-', "_").as_str() {
                    "DISABLED" | "DISABLE" => SslMode::Disabled,
                    "PREFERRED" | "PREFER" => SslMode::Preferred,
                    "REQUIRED" | "REQUIRE" => SslMode::Required,
                    "VERIFY_CA" => SslMode::VerifyCa,
                    "VERIFY_IDENTITY" | "VERIFY_FULL" => SslMode::VerifyIdentity,
                    _ => {
                        return Err(format!(
                            "ssl-mode={} is not a mode: use DISABLED, PREFERRED, REQUIRED, \
                             VERIFY_CA or VERIFY_IDENTITY",
                            plain_or_hidden(value)
                        ));
                    }
                };
            }
            "ssl-ca" => ssl_ca = Some(PathBuf::from(value)),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let opts =
        Opts::from_url(&rebuilt).map_err(|error| describe(&mysql::Error::UrlError(error)))?;
    let mut builder = bound_silence(OptsBuilder::from_opts(opts));
    // The driver's default reconnects a loopback TCP connection over the
    // server's Unix socket: a second connection per command, which costs a
    // short run more than the socket saves (issue 15). The URL may ask.
    if !kept.iter().any(|pair| pair.starts_with("prefer_socket=")) {
        builder = builder.prefer_socket(false);
    }
    let opts: Opts = builder.into();
    if opts.get_db_name().is_none_or(str::is_empty) {
        return Err("the MySQL URL names no database: write mysql://user@host/DATABASE".into());
    }
    Ok(Target {
        opts,
        ssl_mode,
        ssl_ca,
    })
}

/// Keepalive, send and connect timeouts, and the server's idle bound (see
/// the constants for why each value).
fn bound_silence(builder: OptsBuilder) -> OptsBuilder {
    let builder = builder
        .tcp_keepalive_time_ms(Some(KEEPALIVE_IDLE_MS))
        .write_timeout(Some(SEND_TIMEOUT))
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .init(vec![format!(
            "SET SESSION wait_timeout = {SERVER_IDLE_TIMEOUT_SECS}"
        )]);
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    let builder = builder
        .tcp_keepalive_probe_interval_secs(Some(KEEPALIVE_INTERVAL_SECS))
        .tcp_keepalive_probe_count(Some(KEEPALIVE_PROBES));
    #[cfg(target_os = "linux")]
    let builder = builder.tcp_user_timeout_ms(u32::try_from(SEND_TIMEOUT.as_millis()).ok());
    builder
}

/// A driver error as a plain sentence: the `mysql` crate's own `Display`
/// prints Rust names (`CodecError { IO error: … }`) and URL values.
pub fn describe(error: &mysql::Error) -> String {
    use mysql::{DriverError, Error, UrlError};
    match error {
        Error::MySqlError(error) => error.message.clone(),
        Error::IoError(error) => format!("the connection to the server failed: {error}"),
        Error::CodecError(error) => {
            let text = error.to_string();
            // "IO error: `Broken pipe (os error 32)'": keep what is quoted.
            match text
                .strip_prefix("IO error: `")
                .and_then(|rest| rest.strip_suffix('\''))
            {
                Some(io) => format!("the connection to the server broke: {io}"),
                None => format!("the server's reply could not be read: {text}"),
            }
        }
        Error::DriverError(DriverError::CouldNotConnect(Some((address, description, _)))) => {
            format!("could not connect to {address}: {description}")
        }
        Error::DriverError(DriverError::ConnectTimeout) => format!(
            "could not connect within {}s: is the host reachable?",
            CONNECT_TIMEOUT.as_secs()
        ),
        Error::DriverError(error) => {
            let text = error.to_string();
            let mut characters = text.chars();
            let first = characters.next().map(|first| first.to_ascii_lowercase());
            first.into_iter().chain(characters).collect()
        }
        Error::UrlError(UrlError::ParseError(error)) => format!(
            "the MySQL URL cannot be read: {error} (write \
             mysql://USER:PASSWORD@HOST:PORT/DATABASE, with `%40` for a `@` in the password)"
        ),
        Error::UrlError(UrlError::UnknownParameter(name)) => format!(
            "the MySQL URL parameter `{}` is not one migrate knows: use ssl-mode, ssl-ca, \
             socket, tcp_connect_timeout_ms or another of the mysql crate's parameters",
            plain_or_hidden(name)
        ),
        Error::UrlError(UrlError::InvalidValue(name, value)) => format!(
            "the MySQL URL parameter `{}` has a value that is not valid ({})",
            plain_or_hidden(name),
            plain_or_hidden(value)
        ),
        Error::UrlError(UrlError::FeatureRequired(_, name)) => format!(
            "the MySQL URL parameter `{}` is not supported by this build of migrate",
            plain_or_hidden(name)
        ),
        Error::UrlError(_) => "the MySQL URL cannot be read: write \
             mysql://USER:PASSWORD@HOST:PORT/DATABASE"
            .to_string(),
        Error::TlsError(error) => format!("TLS failed: {error}"),
        Error::FromRowError(_) | Error::FromValueError(_) => {
            "a value sent by the server could not be read".to_string()
        }
    }
}

/// A URL part for an error message: shown when it is a plain word or
/// number, which no password of any strength is; otherwise `…`.
fn plain_or_hidden(text: &str) -> &str {
    let plain = text.len() <= 32
        && (text
            .chars()
            .all(|character| character.is_ascii_alphabetic() || "-_".contains(character))
            || text.chars().all(|character| character.is_ascii_digit()));
    if plain { text } else { "…" }
}

impl Target {
    /// The options to connect with, TLS included when `tls` is true.
    pub fn options(&self, tls: bool) -> Opts {
        let builder = OptsBuilder::from_opts(self.opts.clone());
        if !tls {
            return builder.ssl_opts(None::<SslOpts>).into();
        }
        let verify = matches!(self.ssl_mode, SslMode::VerifyCa | SslMode::VerifyIdentity);
        let ssl = SslOpts::default()
            .with_root_cert_path(self.ssl_ca.clone())
            .with_danger_accept_invalid_certs(!verify)
            .with_danger_skip_domain_validation(self.ssl_mode != SslMode::VerifyIdentity);
        builder.ssl_opts(ssl).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let target =
            parse("mariadb://app:p%40ss@db:3307/shop?ssl-mode=verify_identity&ssl-ca=/ca.pem")
                .unwrap();
        assert_eq!(target.ssl_mode, SslMode::VerifyIdentity);
        assert_eq!(target.ssl_ca, Some(PathBuf::from("/ca.pem")));
        assert_eq!(target.opts.get_pass(), Some("p@ss"));
        assert_eq!(target.opts.get_tcp_port(), 3307);
        assert_eq!(target.opts.get_db_name(), Some("shop"));
        assert!(!target.opts.get_prefer_socket(), "one connection, not two");
        let asked = parse("mysql://root@localhost/test?prefer_socket=true").unwrap();
        assert!(asked.opts.get_prefer_socket());
        let socket = parse("mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock").unwrap();
        assert_eq!(socket.opts.get_socket(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!(socket.ssl_mode, SslMode::Preferred);
        assert!(parse("mysql://root@localhost/").is_err());
        assert!(parse("mysql://root@localhost/x?ssl-mode=sometimes").is_err());
        assert!(parse("mysql://root@localhost/x?ssl_mode=DISABLED").is_ok());
    }

    /// Driver errors read as sentences, without Rust names or URL values.
    #[test]
    fn driver_errors_are_sentences() {
        use mysql::{DriverError, Error, UrlError};
        let cases = [
            Error::IoError(std::io::Error::from(std::io::ErrorKind::BrokenPipe)),
            Error::DriverError(DriverError::CouldNotConnect(Some((
                "127.0.0.1:1".into(),
                "Connection refused".into(),
                std::io::ErrorKind::ConnectionRefused,
            )))),
            Error::DriverError(DriverError::ConnectTimeout),
            Error::UrlError(UrlError::InvalidValue(
                "prefer_socket".into(),
                "S3cret!PW".into(),
            )),
            Error::UrlError(UrlError::UnknownParameter("password".into())),
        ];
        for error in cases {
            let text = describe(&error);
            for rust in ["Error {", "IoError", "DriverError", "UrlError", "S3cret"] {
                assert!(!text.contains(rust), "{text}");
            }
        }
        for (url, part) in [
            ("mysql://app:S3cret@h:99999/db", "invalid port number"),
            (
                "mysql://app@h/db?ssl-mode=REQUIRED?password=S3cret",
                "second `?`",
            ),
            ("mysql://app:S3cret/db", "invalid port number"),
        ] {
            let error = parse(url).unwrap_err();
            assert!(error.contains(part), "{url}: {error}");
            assert!(
                !error.contains("S3cret") && !error.contains("ParseError {"),
                "{error}"
            );
        }
        let target = parse("mysql://root@h/db").unwrap();
        assert_eq!(
            target.opts.get_tcp_keepalive_time_ms(),
            Some(KEEPALIVE_IDLE_MS)
        );
        assert_eq!(
            target.opts.get_read_timeout(),
            None,
            "no read timeout: it cuts long statements"
        );
        assert_eq!(target.opts.get_write_timeout(), Some(&SEND_TIMEOUT));
    }
}
