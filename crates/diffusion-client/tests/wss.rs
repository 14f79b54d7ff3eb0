//! `wss://` with a private CA: trusted when the CA file is given, a clear verification
//! error when it is not.

use diffusion_client::{
    ClientError, Session, SessionOptions, TlsOptions, TopicSpecification, TopicType, Value,
};
use diffusion_server::{Server, ServerConfig, TlsFiles};
use test_support::tls::{temp_dir, TestPki};

#[tokio::test]
async fn wss_with_a_custom_ca() {
    let pki = TestPki::create(&temp_dir("pki"));
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some(TlsFiles {
            cert_chain: pki.server_cert.clone(),
            private_key: pki.server_key.clone(),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let url = format!("wss://localhost:{}", server.local_addr().port());
    assert!(server.url().starts_with("wss://"));

    let trusting = SessionOptions {
        tls: TlsOptions {
            ca_file: Some(pki.ca_cert.clone()),
            system_roots: false,
        },
        ..SessionOptions::default()
    };
    let s = Session::connect(&url, "admin", "password", trusting)
        .await
        .unwrap();
    s.add_and_set(
        "tls/x",
        TopicSpecification::new(TopicType::Int64),
        &Value::Int64(1),
    )
    .await
    .unwrap();
    s.close().await;

    // Without the CA the certificate cannot be verified, and the error says so.
    let e = Session::connect(&url, "admin", "password", SessionOptions::default())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(e, ClientError::Connect { .. } | ClientError::Tls(_)),
        "{e}"
    );
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    // A CA file that is not there is a configuration error naming the file.
    let missing = SessionOptions {
        tls: TlsOptions {
            ca_file: Some("/nonexistent/ca.pem".into()),
            system_roots: false,
        },
        ..SessionOptions::default()
    };
    let e = Session::connect(&url, "admin", "password", missing)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&e, ClientError::Tls(m) if m.contains("/nonexistent/ca.pem")),
        "{e}"
    );
}
