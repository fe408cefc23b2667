//! PostgreSQL URLs and TLS: what libpq users write, with rustls instead of
//! OpenSSL.
//!
//! `tokio-postgres` parses the URL itself (user, URL-encoded password, host,
//! port, database, `?host=/var/run/postgresql` sockets, `options`, ...). This
//! module takes out what it does not know: `sslmode=verify-ca|verify-full`,
//! `sslrootcert=PATH` and `search_path=SCHEMA` (the target schema, as dbmate
//! names it), and builds the rustls configuration for the mode:
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
pub struct Target {
    /// What tokio-postgres connects with.
    pub config: tokio_postgres::Config,
    /// The TLS mode.
    pub tls: TlsMode,
    /// `sslrootcert`.
    pub root_cert: Option<PathBuf>,
    /// The first schema of `search_path`, where the version tables live.
    pub schema: Option<String>,
    /// The whole `search_path` to set for the session.
    pub search_path: Option<String>,
}

/// Parses a `postgres://` or `postgresql://` URL.
pub fn parse(url: &str) -> Result<Target, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut tls = TlsMode::Prefer;
    let mut root_cert = None;
    let mut search_path = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                tls = match value {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    _ => {
                        return Err(format!(
                            "sslmode={value} is not a mode: use disable, prefer, require, \
                             verify-ca or verify-full"
                        ));
                    }
                };
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(decode(value)?)),
            "search_path" => search_path = Some(decode(value)?),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = tokio_postgres::Config::from_str(&rebuilt)
        .map_err(|error| format!("the PostgreSQL URL is not valid: {error}"))?;
    config.ssl_mode(match tls {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    if config.get_application_name().is_none() {
        config.application_name("migrate");
    }
    let schema = search_path.as_deref().and_then(first_schema);
    Ok(Target {
        config,
        tls,
        root_cert,
        schema,
        search_path,
    })
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

/// Percent-decodes a query value.
fn decode(value: &str) -> Result<String, String> {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = value
                    .get(index + 1..index + 3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| format!("`{value}` has a bad %-escape"))?;
                decoded.push(hex);
                index += 3;
            }
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            byte => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).map_err(|_| format!("`{value}` is not UTF-8 once decoded"))
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
    fn tls_configurations_build() {
        for mode in [TlsMode::Prefer, TlsMode::Require] {
            assert!(client_config(mode, None).is_ok());
        }
        let missing = PathBuf::from("/nonexistent/ca.pem");
        let error = client_config(TlsMode::VerifyFull, Some(&missing)).unwrap_err();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
    }
}
