//! Throwaway TLS identities for tests: a CA, and a server certificate it signed for
//! `localhost` and 127.0.0.1, written as PEM files.

use std::path::{Path, PathBuf};

/// The PEM files of a fresh test PKI: a CA, and a server certificate it signed for `localhost` and
/// 127.0.0.1.
pub struct TestPki {
    /// The CA's certificate: what clients must trust.
    pub ca_cert: PathBuf,
    /// The server's certificate (signed by the CA), for `localhost` and 127.0.0.1.
    pub server_cert: PathBuf,
    /// The server certificate's private key.
    pub server_key: PathBuf,
}

impl TestPki {
    /// Generates a new CA and server certificate and writes them as `ca.pem`, `server.pem` and
    /// `server-key.pem` in `dir` (created if need be).
    pub fn create(dir: &Path) -> TestPki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        std::fs::create_dir_all(dir).expect("pki folder");
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "diffusion-kafka-connect test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        let pki = TestPki {
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
        };
        std::fs::write(&pki.ca_cert, ca.pem()).unwrap();
        std::fs::write(&pki.server_cert, cert.pem()).unwrap();
        std::fs::write(&pki.server_key, key.serialize_pem()).unwrap();
        pki
    }
}

/// A fresh temporary folder under the system's temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(crate::unique_name(name));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
