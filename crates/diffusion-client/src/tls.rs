//! TLS for `wss://` URLs: rustls with the system's trusted roots, plus a CA file of the
//! user's (a private CA in front of an on-premises Diffusion server).

use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::ClientError;

/// Which CA certificates a `wss://` connection trusts; by default the system's store only.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// PEM file of further CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Trust the operating system's CA store (e.g. Debian's ca-certificates).
    pub system_roots: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            ca_file: None,
            system_roots: true,
        }
    }
}

pub(crate) fn client_config(opts: &TlsOptions) -> Result<Arc<rustls::ClientConfig>, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    if opts.system_roots {
        // Unreadable system certificates are skipped, as every TLS client does.
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    if let Some(path) = &opts.ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<Result<_, _>>())
            .map_err(|e| {
                ClientError::Tls(format!("cannot read CA file {}: {e}", path.display()))
            })?;
        if certs.is_empty() {
            return Err(ClientError::Tls(format!(
                "CA file {} holds no certificate",
                path.display()
            )));
        }
        for c in certs {
            roots.add(c).map_err(|e| {
                ClientError::Tls(format!("bad CA certificate in {}: {e}", path.display()))
            })?;
        }
    }
    if roots.is_empty() {
        return Err(ClientError::Tls(
            "no trusted CA certificates (no system roots and no CA file)".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
