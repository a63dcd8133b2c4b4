//! TLS with rustls: the certificate chain and key from PEM files (`--tls-cert`, `--tls-key`),
//! e.g. from Let's Encrypt. HTTP/1.1 only, announced by ALPN.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::path::PathBuf;
use std::sync::Arc;

/// The PEM files the server reads at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain: the server's certificate first, then intermediates.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not read the TLS certificate {path}: {why}")]
    Cert { path: String, why: String },
    #[error("could not read the TLS key {path}: {why}")]
    Key { path: String, why: String },
    #[error("the TLS certificate and key do not go together: {0}")]
    Config(String),
}

/// The names the server's certificate is valid for: without `--allowed-host`, these are the
/// host names it answers to (a browser sent elsewhere by DNS would not trust it anyway).
#[derive(Clone)]
pub(crate) struct CertNames(CertificateDer<'static>);

impl CertNames {
    pub fn covers(&self, host: &str) -> bool {
        let Ok(name) = ServerName::try_from(host) else { return false };
        match webpki::EndEntityCert::try_from(&self.0) {
            Ok(cert) => cert.verify_is_valid_for_subject_name(&name).is_ok(),
            Err(_) => false,
        }
    }
}

pub(crate) fn load_tls(files: &TlsFiles) -> Result<(tokio_rustls::TlsAcceptor, CertNames), TlsError> {
    let shown = |p: &PathBuf| p.display().to_string();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| TlsError::Cert { path: shown(&files.cert), why: e.to_string() })?;
    let Some(leaf) = certs.first().cloned() else {
        return Err(TlsError::Cert { path: shown(&files.cert), why: "no certificate in the file".into() });
    };
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Key { path: shown(&files.key), why: e.to_string() })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), CertNames(leaf)))
}
