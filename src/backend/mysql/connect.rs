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

/// Parses a `mysql://` or `mariadb://` URL.
pub fn parse(url: &str) -> Result<Target, String> {
    let url = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mariadb") => format!("mysql://{rest}"),
        _ => url.to_string(),
    };
    let (base, query) = url.split_once('?').unwrap_or((&url, ""));
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
                            "ssl-mode={value} is not a mode: use DISABLED, PREFERRED, REQUIRED, \
                             VERIFY_CA or VERIFY_IDENTITY"
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
        Opts::from_url(&rebuilt).map_err(|error| format!("the MySQL URL is not valid: {error}"))?;
    if opts.get_db_name().is_none_or(str::is_empty) {
        return Err("the MySQL URL names no database: write mysql://user@host/DATABASE".into());
    }
    Ok(Target {
        opts,
        ssl_mode,
        ssl_ca,
    })
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
        let socket = parse("mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock").unwrap();
        assert_eq!(socket.opts.get_socket(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!(socket.ssl_mode, SslMode::Preferred);
        assert!(parse("mysql://root@localhost/").is_err());
        assert!(parse("mysql://root@localhost/x?ssl-mode=sometimes").is_err());
        assert!(parse("mysql://root@localhost/x?ssl_mode=DISABLED").is_ok());
    }
}
