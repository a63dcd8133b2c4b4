//! TLS to PostgreSQL (issue 20). A database on another machine is reached over TLS when its URL
//! says `sslmode=require` (or libpq's `verify-ca` / `verify-full`, which mean the same here):
//! the server's certificate is always checked against the system's roots, plus the CA file named
//! by libpq's `sslrootcert=` for a database with its own CA, and its name must match the host.
//! There is no "encrypt but trust anything" mode. Without `sslmode=require` the connection is
//! plain (libpq's default `prefer` would silently accept either; say `require` to be sure).

use super::Error;
use std::sync::Arc;
use tokio_postgres::config::{Config, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls;

/// Where to connect and how: the parsed settings and the TLS connector they call for.
pub(super) struct Target {
    pub config: Config,
    pub tls: MakeRustlsConnect,
}

/// Reads a `postgres://…` URL (or a `key=value` connection string).
pub(super) fn target(url: &str) -> Result<Target, Error> {
    let (rest, ca_file) = take_libpq_only(url);
    let mut config: Config = rest.parse().map_err(|e| Error::PostgresSetup(format!("the database URL cannot be read: {e}")))?;
    if config.get_ssl_mode() != SslMode::Require {
        // Never TLS without checking: `prefer` would try it and accept whatever answers.
        config.ssl_mode(SslMode::Disable);
    }
    let tls = MakeRustlsConnect::new(client_config(ca_file.as_deref())?);
    Ok(Target { config, tls })
}

/// Takes out what libpq understands and tokio-postgres does not: `sslrootcert=FILE` (returned)
/// and the `verify-ca` / `verify-full` modes (read as `require`, which always verifies here).
fn take_libpq_only(url: &str) -> (String, Option<String>) {
    let mut ca_file = None;
    let mut keep = |pair: &str| -> Option<String> {
        match pair.split_once('=') {
            Some(("sslrootcert", file)) => {
                ca_file = Some(percent_decode(file));
                None
            }
            Some(("sslmode", "verify-ca" | "verify-full")) => Some("sslmode=require".to_owned()),
            _ => Some(pair.to_owned()),
        }
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None) };
        let kept: Vec<String> = query.split('&').filter(|p| !p.is_empty()).filter_map(&mut keep).collect();
        let rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        (rest, ca_file)
    } else {
        let kept: Vec<String> = url.split_whitespace().filter_map(&mut keep).collect();
        (kept.join(" "), ca_file)
    }
}

/// `%2F` and the like in a URL's value (a path with a space, say).
fn percent_decode(value: &str) -> String {
    percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned()
}

fn client_config(ca_file: Option<&str>) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    // The system's roots (a managed database's public CA); one unreadable entry is skipped.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(file) = ca_file {
        use rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| Error::PostgresSetup(format!("the database's CA file {file} (sslrootcert) cannot be read: {e}")))?;
        if certs.is_empty() {
            return Err(Error::PostgresSetup(format!("the database's CA file {file} (sslrootcert) holds no certificate")));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| Error::PostgresSetup(format!("a certificate in {file} (sslrootcert) is not usable: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::PostgresSetup(format!("TLS cannot be set up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_only_settings_are_taken_out_and_the_rest_kept() {
        let (rest, ca) = take_libpq_only(
            "postgres://qar:pw@db.internal/qar?sslmode=verify-full&sslrootcert=%2Fetc%2Fqar%2Fdb%20ca.pem&connect_timeout=5",
        );
        assert_eq!(rest, "postgres://qar:pw@db.internal/qar?sslmode=require&connect_timeout=5");
        assert_eq!(ca.as_deref(), Some("/etc/qar/db ca.pem"));
        let (rest, ca) = take_libpq_only("host=db.internal dbname=qar sslmode=verify-ca sslrootcert=/etc/qar/ca.pem");
        assert_eq!((rest.as_str(), ca.as_deref()), ("host=db.internal dbname=qar sslmode=require", Some("/etc/qar/ca.pem")));
        assert_eq!(take_libpq_only("postgres://db/qar"), ("postgres://db/qar".to_owned(), None));
    }

    #[test]
    fn without_require_the_connection_is_plain_and_never_unverified_tls() {
        assert_eq!(target("postgres://db/qar").unwrap().config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(target("postgres://db/qar?sslmode=prefer").unwrap().config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(target("postgres://db/qar?sslmode=require").unwrap().config.get_ssl_mode(), SslMode::Require);
        let e = target("postgres://db/qar?sslmode=require&sslrootcert=/nonexistent/ca.pem").err().unwrap();
        assert!(e.to_string().contains("/nonexistent/ca.pem (sslrootcert) cannot be read"), "{e}");
    }
}
