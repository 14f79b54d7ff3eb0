//! `diffusion-kafka-connect diffusion-server`: the embedded server until Ctrl-C or SIGTERM.

use diffusion_server::{Server, ServerConfig, TlsFiles};

use crate::cli::DiffusionServerArgs;
use crate::error::WorkerError;

pub async fn run(args: DiffusionServerArgs) -> Result<(), WorkerError> {
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert_chain), Some(private_key)) => Some(TlsFiles {
            cert_chain,
            private_key,
        }),
        _ => None,
    };
    let mut config = ServerConfig {
        listen: args.listen,
        tls,
        ..ServerConfig::default()
    };
    config
        .principals
        .insert("admin".into(), args.admin_password);
    if let Some(path) = &args.principals {
        config
            .add_principals_file(path)
            .map_err(|e| WorkerError::Diffusion {
                what: "the principals file",
                reason: e.to_string(),
            })?;
    }
    let server = Server::bind(config)
        .await
        .map_err(|source| WorkerError::Bind {
            addr: args.listen,
            source,
        })?;
    // Printed on stdout, so scripts can read the address they got (e.g. with port 0).
    println!("Diffusion server listening on {}", server.url());
    crate::signals::shutdown().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}
