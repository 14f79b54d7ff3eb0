//! `diffusion-kafka-connect distributed WORKER.properties`: one worker of a cluster that
//! shares its connectors, their states and its work through Kafka (see `crate::cluster`).

use crate::cli::WorkerArgs;

pub async fn run(args: WorkerArgs) -> Result<(), String> {
    let worker = crate::runtime::load_worker(&args.worker_properties, true)?;
    let settings =
        crate::cluster::ClusterSettings::from_worker(&worker.props).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            format!(
                "{} is not valid:\n{}",
                args.worker_properties.display(),
                list.join("\n")
            )
        })?;
    let (herder, server) =
        crate::runtime::start(&worker, crate::runtime::Mode::Distributed(settings)).await?;
    tracing::info!(connectors = herder.names().await.len(), worker_id = %herder.worker_id, "worker started");
    crate::runtime::run_until_signal(herder, server).await;
    Ok(())
}
