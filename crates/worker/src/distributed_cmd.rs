//! `diffusion-kafka-connect distributed WORKER.properties`: one worker of a cluster that
//! shares its connectors, their states and its work through Kafka (see `crate::cluster`).

use crate::cli::WorkerArgs;
use crate::error::WorkerError;

pub async fn run(args: WorkerArgs) -> Result<(), WorkerError> {
    let worker = crate::runtime::load_worker(&args.worker_properties, true)?;
    let settings = worker
        .cluster
        .clone()
        .expect("load_worker(clustered) reads the cluster settings");
    let (herder, server) =
        crate::runtime::start(&worker, crate::runtime::Mode::Distributed(settings)).await?;
    tracing::info!(connectors = herder.names().await.len(), worker_id = %herder.worker_id, "worker started");
    crate::runtime::run_until_signal(herder, server).await;
    Ok(())
}
