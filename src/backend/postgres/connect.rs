//! PostgreSQL URLs and TLS: what libpq users write, with rustls instead of
//! OpenSSL.
//!
//! `tokio-postgres` parses the URL itself (user, URL-encoded password, host,
//! port, database, `?host=/var/run/postgresql` sockets, `options`, ...). This
//! module takes out what it does not know: `sslmode=verify-ca|verify-full`,
//! `sslrootcert=PATH`, `search_path=SCHEMA` (the target schema, as dbmate
//! names it), `pgbouncer=true|false` and `lock_mode=advisory|table` (issue
//! 20, see [`Target::pooled`]), and builds the rustls configuration for the
//! mode:
//!
//! | sslmode | TLS | certificate checked |
//! | --- | --- | --- |
//! | `disable` | never | - |
//! | `prefer` (default) | when the server offers it | no (as libpq) |
//! | `require` | always | no (as libpq without a root certificate) |
//! | `verify-ca` | always | chain against the roots |
//! | `verify-full` | always | chain and host name |
//!
//! Roots are `sslrootcert`, else `~/.postgresql/root.crt` when it exists
//! (libpq's default), else the system's certificate store.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode;

/// How to secure the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `sslmode=disable`.
    Disable,
    /// `sslmode=prefer`.
    Prefer,
    /// `sslmode=require`.
    Require,
    /// `sslmode=verify-ca`.
    VerifyCa,
    /// `sslmode=verify-full`.
    VerifyFull,
}

/// A parsed PostgreSQL URL.
#[derive(Clone)]
pub struct Target {
    /// What tokio-postgres connects with.
    pub config: tokio_postgres::Config,
    /// The TLS mode.
    pub tls: TlsMode,
    /// `sslrootcert`.
    pub root_cert: Option<PathBuf>,
    /// The first schema of `search_path`, where the version tables live;
    /// `None` when the server must say which (no `search_path`, or one
    /// starting with `$user`).
    pub schema: Option<String>,
    /// The whole `search_path` to set for the session.
    pub search_path: Option<String>,
    /// Whether a transaction pooler (PgBouncer in transaction mode) sits
    /// between: `pgbouncer=true` in the URL, or a port of 6432 (PgBouncer's
    /// own) unless `pgbouncer=false`. Then consecutive transactions of the
    /// session may run on different server connections, so the tool
    /// prepares no named statement, sets nothing for the session, and sets
    /// what it needs (`search_path`, timeouts) with `SET LOCAL` in each
    /// transaction it opens; and the run lock is a lease row.
    pub pooled: bool,
    /// `lock_mode=` in the URL.
    pub lock_mode: Option<crate::settings::LockMode>,
}

/// PgBouncer's own port, which says "a pooler sits between" when the URL
/// does not say `pgbouncer=`.
pub const PGBOUNCER_PORT: u16 = 6432;

/// The URL parameters tokio-postgres reads itself, with libpq's names.
const DRIVER_PARAMETERS: &[&str] = &[
    "application_name",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "load_balance_hosts",
    "options",
    "password",
    "port",
    "sslnegotiation",
    "target_session_attrs",
    "tcp_user_timeout",
    "user",
];

/// How long the server lets the tool's session sit idle inside a
/// transaction before it ends the session, rolls back and so frees the
/// file's locks and the run lock. The tool is never idle in a transaction
/// on purpose (it sends the next statement as soon as one returns), so this
/// bounds only a client that went silent: a partition, a failover, a killed
/// host. Set with `SET`, not the startup `options`, so that poolers which
/// refuse `options` (PgBouncer) still connect.
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

/// TCP keepalive: the first probe after 30 s of silence, then every 10 s,
/// and the connection is dead after 3 unanswered probes. Keepalive bounds
/// silence, not statement duration: the server's kernel answers probes
/// while a long `CREATE INDEX` runs, so a long statement is never cut, but
/// a peer that is gone (a partition, a host that died) is noticed within
/// about a minute instead of after the kernel's two hours.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;

/// How long data sent may stay unacknowledged before the connection is
/// given up (Linux `TCP_USER_TIMEOUT`): bounds a write into a dead network,
/// never the time a statement takes, since nothing is sent while it runs.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to try to connect when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the route to the server is probed while a session lives, how
/// long a probe may take, and how many probes in a row may fail before the
/// session's connection is given up. See [`watch_route`].
const PROBE_EVERY: Duration = Duration::from_secs(10);
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const PROBE_FAILURES: u32 = 2;

/// Ends the session's connection when the route to the server has gone
/// silent, so that a statement waiting for its answer fails (exit 1)
/// instead of waiting forever.
///
/// Why a probe and not a read timeout: a migration statement may run for
/// an hour without the server sending a byte, so no read timeout can tell
/// a long statement from a dead route. Keepalive does not either when a
/// proxy or load balancer sits between (its kernel answers the probes).
/// Instead, every [`PROBE_EVERY`] a second connection is opened over the
/// same route: any answer from the server, an error included, proves the
/// route alive and the statement is waited for; [`PROBE_FAILURES`] probes
/// in a row that get no answer within [`PROBE_TIMEOUT`] mean the session's
/// answers cannot arrive either, and its connection task is aborted. The
/// server's own bound (`idle_in_transaction_session_timeout`) then frees
/// what the session held. This bounds silence, never statement duration,
/// at the cost of one short connection every ten seconds while a session
/// lives.
pub fn watch_route<T>(config: &tokio_postgres::Config, tls: T, connection: tokio::task::AbortHandle)
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket> + Clone + Send + 'static,
    T::Stream: Send,
    T::TlsConnect: Send,
    <T::TlsConnect as tokio_postgres::tls::TlsConnect<tokio_postgres::Socket>>::Future: Send,
{
    let mut config = config.clone();
    config.application_name("migrate (route probe)");
    config.connect_timeout(PROBE_TIMEOUT);
    let started = std::thread::Builder::new()
        .name("migrate-route-probe".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            let mut failures = 0;
            loop {
                std::thread::sleep(PROBE_EVERY);
                if connection.is_finished() {
                    return;
                }
                // The timer is made inside the runtime, which it needs.
                let probe = async {
                    tokio::time::timeout(PROBE_TIMEOUT, config.connect(tls.clone())).await
                };
                match runtime.block_on(probe) {
                    Ok(Ok((client, probe_connection))) => {
                        failures = 0;
                        // Dropping the client ends the probe with a Terminate
                        // message, so that the server logs no lost client.
                        drop(client);
                        let _ = runtime.block_on(async {
                            tokio::time::timeout(PROBE_TIMEOUT, probe_connection).await
                        });
                    }
                    // The server refused (too many clients, ...): it answered.
                    Ok(Err(error)) if error.as_db_error().is_some() => failures = 0,
                    Ok(Err(error)) => {
                        failures += 1;
                        log::debug!("route probe failed: {error}");
                    }
                    Err(_) => {
                        failures += 1;
                        log::debug!("route probe got no answer in {PROBE_TIMEOUT:?}");
                    }
                }
                if failures >= PROBE_FAILURES {
                    log::debug!("the route to the server is silent: closing the session");
                    connection.abort();
                    return;
                }
            }
        });
    if let Err(error) = started {
        log::debug!("no route probe: {error}");
    }
}

/// Where a PostgreSQL URL points: hosts, ports and schema, and the database.
pub fn place(url: &str) -> Result<crate::backend::Place, String> {
    let target = parse(url)?;
    let config = &target.config;
    Ok(crate::backend::Place {
        server: format!(
            "postgres {:?} {:?} {:?}",
            config.get_hosts(),
            config.get_ports(),
            target.schema
        ),
        // Without a database, PostgreSQL connects to the user's.
        database: config
            .get_dbname()
            .or(config.get_user())
            .map(str::to_string),
    })
}

/// Parses a `postgres://` or `postgresql://` URL.
///
/// Every error names the part at fault and never repeats a value that may
/// be a secret.
pub fn parse(url: &str) -> Result<Target, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    if query.contains('?') {
        return Err(
            "the PostgreSQL URL has a second `?`: separate its parameters with `&` \
                    (postgres://HOST/DB?sslmode=require&connect_timeout=10)"
                .to_string(),
        );
    }
    check_ports(base)?;
    let mut kept = Vec::new();
    let mut tls = TlsMode::Prefer;
    let mut root_cert = None;
    let mut search_path = None;
    let mut pooled = None;
    let mut lock_mode = None;
    let mut given = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(
                "a parameter of the PostgreSQL URL has no `=VALUE` (it is not shown, \
                        as it may hold a password): write NAME=VALUE"
                    .to_string(),
            );
        };
        given.push(key.to_string());
        match read_parameter(key, value)? {
            Parameter::Tls(mode) => tls = mode,
            Parameter::RootCert(path) => root_cert = Some(path),
            Parameter::SearchPath(path) => search_path = Some(path),
            Parameter::Pooled(flag) => pooled = Some(flag),
            Parameter::LockMode(mode) => lock_mode = Some(mode),
            Parameter::ForTheDriver => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = tokio_postgres::Config::from_str(&rebuilt).map_err(|error| {
        // tokio-postgres names no part ("invalid connection string"); the
        // checks above found the common mistakes, so say what is left.
        format!(
            "the PostgreSQL URL is not valid ({error}): write \
             postgres://USER:PASSWORD@HOST:PORT/DATABASE?PARAMETERS, with a `%40` for a `@` \
             in the password"
        )
    })?;
    config.ssl_mode(match tls {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    if config.get_application_name().is_none() {
        config.application_name("migrate");
    }
    bound_silence(&mut config, &given);
    // `$user` (PostgreSQL's own default, `"$user", public`) means the
    // session user's schema when it exists, else the next of the path:
    // `current_schema()` resolves it as the server does, so it is asked.
    let schema = search_path
        .as_deref()
        .and_then(first_schema)
        .filter(|schema| schema != "$user");
    let pooled = pooled.unwrap_or_else(|| config.get_ports().contains(&PGBOUNCER_PORT));
    Ok(Target {
        config,
        tls,
        root_cert,
        schema,
        search_path,
        pooled,
        lock_mode,
    })
}

/// What one `KEY=VALUE` of the URL's query sets.
enum Parameter {
    /// `sslmode`.
    Tls(TlsMode),
    /// `sslrootcert`.
    RootCert(PathBuf),
    /// `search_path`.
    SearchPath(String),
    /// `pgbouncer`.
    Pooled(bool),
    /// `lock_mode`.
    LockMode(crate::settings::LockMode),
    /// A parameter the driver reads itself: kept in the URL it is given.
    ForTheDriver,
}

/// Reads one parameter of the URL's query, or says what is wrong with it
/// without showing a value that may be a secret.
fn read_parameter(key: &str, value: &str) -> Result<Parameter, String> {
    match key {
        "sslmode" => {
            let mode = match value {
                "disable" => TlsMode::Disable,
                "allow" | "prefer" => TlsMode::Prefer,
                "require" => TlsMode::Require,
                "verify-ca" => TlsMode::VerifyCa,
                "verify-full" => TlsMode::VerifyFull,
                _ => {
                    return Err(format!(
                        "sslmode={} is not a mode: use disable, prefer, require, \
                         verify-ca or verify-full",
                        shown_value(value)
                    ));
                }
            };
            Ok(Parameter::Tls(mode))
        }
        "sslrootcert" => Ok(Parameter::RootCert(PathBuf::from(decode(key, value)?))),
        "search_path" => Ok(Parameter::SearchPath(decode(key, value)?)),
        "pgbouncer" => match value {
            "true" | "1" | "on" => Ok(Parameter::Pooled(true)),
            "false" | "0" | "off" => Ok(Parameter::Pooled(false)),
            _ => Err(format!(
                "pgbouncer={} in the PostgreSQL URL is not true or false",
                shown_value(value)
            )),
        },
        "lock_mode" => crate::settings::LockMode::parse(value)
            .map(Parameter::LockMode)
            .map_err(|_| {
                format!(
                    "lock_mode={} in the PostgreSQL URL is not advisory or table",
                    shown_value(value)
                )
            }),
        "sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "passfile" | "gssencmode"
        | "krbsrvname" | "service" | "requirepeer" => Err(format!(
            "the PostgreSQL URL parameter `{key}` is not supported by migrate \
                 (client certificates, password files and services are not): remove it"
        )),
        "port" if !is_port(value) => {
            Err("port= in the PostgreSQL URL is not a number from 1 to 65535".into())
        }
        "connect_timeout"
        | "keepalives_idle"
        | "keepalives_interval"
        | "keepalives_retries"
        | "tcp_user_timeout"
            if value.parse::<u64>().is_err() =>
        {
            Err(format!(
                "{key}={} in the PostgreSQL URL is not a whole number{}",
                shown_value(value),
                if key == "tcp_user_timeout" {
                    " of milliseconds"
                } else if key == "keepalives_retries" {
                    ""
                } else {
                    " of seconds"
                }
            ))
        }
        known if DRIVER_PARAMETERS.contains(&known) => Ok(Parameter::ForTheDriver),
        unknown => Err(format!(
            "the PostgreSQL URL parameter `{}` is not one migrate knows: use sslmode, \
                 sslrootcert, search_path, pgbouncer, lock_mode, connect_timeout, \
                 application_name, options, target_session_attrs or keepalives…",
            shown_value(unknown)
        )),
    }
}

/// Keepalive, `TCP_USER_TIMEOUT` and the connect timeout, where the URL did
/// not set them (see the constants for why each value).
fn bound_silence(config: &mut tokio_postgres::Config, given: &[String]) {
    let given = |name: &str| given.iter().any(|key| key == name);
    if !given("keepalives") {
        config.keepalives(true);
    }
    if !given("keepalives_idle") {
        config.keepalives_idle(KEEPALIVE_IDLE);
    }
    if !given("keepalives_interval") {
        config.keepalives_interval(KEEPALIVE_INTERVAL);
    }
    if !given("keepalives_retries") {
        config.keepalives_retries(KEEPALIVE_RETRIES);
    }
    if !given("tcp_user_timeout") {
        config.tcp_user_timeout(TCP_USER_TIMEOUT);
    }
    if !given("connect_timeout") {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
}

/// The session settings the tool sets after connecting, leaving out those
/// the URL's `options` already sets.
pub fn session_settings(config: &tokio_postgres::Config) -> Vec<(&'static str, &'static str)> {
    let options = config.get_options().unwrap_or_default();
    [
        (
            "idle_in_transaction_session_timeout",
            IDLE_IN_TRANSACTION_TIMEOUT,
        ),
        // The server aborts the statement of a client that died instead of
        // running it to its end and committing it (PostgreSQL 14 and later).
        ("client_connection_check_interval", "1s"),
    ]
    .into_iter()
    .filter(|(name, _)| !options.contains(name))
    .collect()
}

/// Checks every `host:port` of the URL's authority: a port that is not a
/// number is most often a password with the `@HOST` left out.
fn check_ports(base: &str) -> Result<(), String> {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    let after_user = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
    let authority = after_user.split('/').next().unwrap_or_default();
    for host in authority.split(',') {
        let port = match host.strip_prefix('[') {
            Some(bracketed) => bracketed.split_once("]:").map(|(_, port)| port),
            None => host.split_once(':').map(|(_, port)| port),
        };
        if let Some(port) = port
            && !is_port(port)
        {
            return Err(
                "the port of the PostgreSQL URL is not a number from 1 to 65535 (it \
                        is not shown, as it may be a password: is the `@HOST` after \
                        USER:PASSWORD missing?)"
                    .to_string(),
            );
        }
    }
    Ok(())
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok_and(|port| port > 0)
}

/// A parameter value for an error message: shown when it is a plain word,
/// which no password of any strength is; otherwise left out.
fn shown_value(value: &str) -> &str {
    let plain = value.len() <= 24
        && value
            .chars()
            .all(|character| character.is_ascii_lowercase() || "-_".contains(character))
        || value
            .chars()
            .all(|character| character.is_ascii_digit() || character == '.');
    if plain { value } else { "…" }
}

/// The first schema of a `search_path` value: a bare name (folded to lower
/// case, as PostgreSQL does) or a quoted one with `""` for a quote.
fn first_schema(path: &str) -> Option<String> {
    let path = path.trim_start();
    let Some(quoted) = path.strip_prefix('"') else {
        let name = path.split(',').next().unwrap_or_default().trim();
        return (!name.is_empty()).then(|| name.to_lowercase());
    };
    let mut name = String::new();
    let mut characters = quoted.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if characters.peek() == Some(&'"') => {
                name.push('"');
                characters.next();
            }
            '"' => return (!name.is_empty()).then_some(name),
            other => name.push(other),
        }
    }
    None
}

/// Percent-decodes the value of the parameter `key` (`+` is a space, as in
/// any query string); a malformed escape is an error, as libpq makes it.
fn decode(key: &str, value: &str) -> Result<String, String> {
    let well_formed = value.split('%').skip(1).all(|escaped| {
        escaped
            .get(..2)
            .is_some_and(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
    });
    if !well_formed {
        return Err(format!("{key}= in the PostgreSQL URL has a bad %-escape"));
    }
    percent_decode_str(&value.replace('+', " "))
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| format!("{key}= in the PostgreSQL URL is not UTF-8 once decoded"))
}

/// The rustls configuration for a mode other than `disable`.
pub fn client_config(tls: TlsMode, root_cert: Option<&PathBuf>) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match tls {
        TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => {
            Arc::new(NoCertificateCheck(provider.clone()))
        }
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            let roots = Arc::new(roots(root_cert)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|error| format!("cannot set up certificate checks: {error}"))?;
            if tls == TlsMode::VerifyCa {
                Arc::new(ChainOnly(webpki))
            } else {
                webpki
            }
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("cannot set up TLS: {error}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

fn roots(root_cert: Option<&PathBuf>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    let default = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".postgresql/root.crt"))
        .filter(|path| path.exists());
    match root_cert.or(default.as_ref()) {
        Some(path) => {
            let certificates = CertificateDer::pem_file_iter(path)
                .map_err(|error| format!("cannot read sslrootcert {}: {error}", path.display()))?;
            for certificate in certificates {
                let certificate = certificate
                    .map_err(|error| format!("bad certificate in {}: {error}", path.display()))?;
                store
                    .add(certificate)
                    .map_err(|error| format!("bad certificate in {}: {error}", path.display()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for certificate in found.certs {
                // The system store may hold certificates rustls cannot use; skip them as libpq would.
                let _ = store.add(certificate);
            }
        }
    }
    if store.is_empty() {
        return Err("no root certificate to verify the server with: set sslrootcert=PATH".into());
    }
    Ok(store)
}

/// `require` and `prefer`: encrypted, but the certificate is not checked (as libpq).
#[derive(Debug)]
struct NoCertificateCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_out_what_tokio_postgres_does_not_know() {
        let target = parse(
            "postgres://app:p%40ss@db:6432/prod?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem\
             &search_path=billing,public&connect_timeout=5",
        )
        .unwrap();
        assert_eq!(target.tls, TlsMode::VerifyFull);
        assert_eq!(target.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(target.schema.as_deref(), Some("billing"));
        assert_eq!(target.search_path.as_deref(), Some("billing,public"));
        assert_eq!(target.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(target.config.get_dbname(), Some("prod"));
        assert_eq!(target.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(target.config.get_application_name(), Some("migrate"));
    }

    #[test]
    fn the_target_schema_is_the_first_of_the_search_path() {
        assert_eq!(first_schema("billing, public").as_deref(), Some("billing"));
        assert_eq!(first_schema("Billing").as_deref(), Some("billing"));
        assert_eq!(
            first_schema("\"My Schema\",public").as_deref(),
            Some("My Schema")
        );
        assert_eq!(
            first_schema("\"Other \"\"S\"").as_deref(),
            Some("Other \"S")
        );
        assert_eq!(first_schema("\"unterminated"), None);
        assert_eq!(first_schema(" "), None);
    }

    #[test]
    fn modes_and_sockets() {
        assert_eq!(parse("postgresql://u@h/db").unwrap().tls, TlsMode::Prefer);
        assert_eq!(
            parse("postgres://u@h/db?sslmode=disable").unwrap().tls,
            TlsMode::Disable
        );
        assert!(parse("postgres://u@h/db?sslmode=sometimes").is_err());
        let socket = parse("postgres://u@/db?host=/var/run/postgresql").unwrap();
        assert_eq!(socket.config.get_hosts().len(), 1);
        let named = parse("postgres://u@h/db?application_name=deploy").unwrap();
        assert_eq!(named.config.get_application_name(), Some("deploy"));
    }

    #[test]
    fn silence_is_bounded_unless_the_url_says_otherwise() {
        let target = parse("postgres://u@h/db").unwrap();
        assert!(target.config.get_keepalives());
        assert_eq!(target.config.get_keepalives_idle(), KEEPALIVE_IDLE);
        assert_eq!(
            target.config.get_keepalives_interval(),
            Some(KEEPALIVE_INTERVAL)
        );
        assert_eq!(
            target.config.get_keepalives_retries(),
            Some(KEEPALIVE_RETRIES)
        );
        assert_eq!(
            target.config.get_tcp_user_timeout(),
            Some(&TCP_USER_TIMEOUT)
        );
        assert_eq!(target.config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        let names: Vec<_> = session_settings(&target.config)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert!(names.contains(&"idle_in_transaction_session_timeout"));
        let own = parse(
            "postgres://u@h/db?keepalives_idle=5&connect_timeout=3\
             &options=-c%20idle_in_transaction_session_timeout%3D5s",
        )
        .unwrap();
        assert_eq!(own.config.get_keepalives_idle(), Duration::from_secs(5));
        assert_eq!(
            own.config.get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        let names: Vec<_> = session_settings(&own.config)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert!(!names.contains(&"idle_in_transaction_session_timeout"));
    }

    #[test]
    fn url_mistakes_name_their_part() {
        for (url, part) in [
            ("postgres://u@h:99999/db", "port"),
            ("postgres://u:S3cret/db", "port"),
            ("postgres://u@h/db?connect_timeout=soon", "connect_timeout"),
            ("postgres://u@h/db?sslmod=require", "`sslmod`"),
            ("postgres://u@h/db?sslpassword=S3cret", "`sslpassword`"),
            (
                "postgres://u@h/db?sslmode=require?password=S3cret",
                "second `?`",
            ),
            ("postgres://u@h/db?S3cret", "no `=VALUE`"),
        ] {
            let Err(error) = parse(url) else {
                panic!("{url} was accepted")
            };
            assert!(error.contains(part), "{url}: {error}");
            assert!(!error.contains("S3cret"), "{url}: {error}");
        }
    }

    #[test]
    fn a_pooler_is_named_or_known_by_its_port() {
        let pooled = |url: &str| parse(url).unwrap().pooled;
        assert!(!pooled("postgres://u@h/db"));
        assert!(!pooled("postgres://u@h:5432/db"));
        assert!(pooled("postgres://u@h:6432/db"));
        assert!(!pooled("postgres://u@h:6432/db?pgbouncer=false"));
        assert!(pooled("postgres://u@h:5433/db?pgbouncer=true"));
        assert_eq!(
            parse("postgres://u@h/db?lock_mode=table")
                .unwrap()
                .lock_mode,
            Some(crate::settings::LockMode::Table)
        );
        for (url, part) in [
            ("postgres://u@h/db?pgbouncer=yes", "pgbouncer=yes"),
            ("postgres://u@h/db?lock_mode=row", "lock_mode=row"),
        ] {
            let error = parse(url).err().unwrap_or_default();
            assert!(error.contains(part), "{url}: {error}");
        }
    }

    #[test]
    fn tls_configurations_build() {
        for mode in [TlsMode::Prefer, TlsMode::Require] {
            assert!(client_config(mode, None).is_ok());
        }
        let missing = PathBuf::from("/nonexistent/ca.pem");
        let error = client_config(TlsMode::VerifyFull, Some(&missing)).unwrap_err();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
    }
}
