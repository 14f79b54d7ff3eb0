//! `wss://`: a rustls acceptor from PEM files.

use std::io::{Error, ErrorKind};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;

use crate::config::TlsFiles;

pub(crate) fn acceptor(files: &TlsFiles) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    let bad = |what: String| Error::new(ErrorKind::InvalidInput, what);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert_chain)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| {
            bad(format!(
                "cannot read certificate chain {}: {e}",
                files.cert_chain.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(bad(format!(
            "{} holds no certificate",
            files.cert_chain.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&files.private_key).map_err(|e| {
        bad(format!(
            "cannot read private key {}: {e}",
            files.private_key.display()
        ))
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            bad(format!(
                "certificate and key do not make a TLS identity: {e}"
            ))
        })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
