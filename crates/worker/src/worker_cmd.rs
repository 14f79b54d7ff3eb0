//! `diffusion-kafka-connect worker WORKER.properties`: a long-running worker managed
//! through the REST API, its connectors kept across restarts in a local file
//! (`config.storage.file.filename`, default `connect-configs.json`).

use std::path::PathBuf;

use crate::cli::WorkerArgs;
use crate::config_store::ConfigStore;
use crate::error::WorkerError;

pub async fn run(args: WorkerArgs) -> Result<(), WorkerError> {
    let worker = crate::runtime::load_worker(&args.worker_properties, false)?;
    let mut r = crate::worker_keys::reader(&worker.props);
    let path = PathBuf::from(r.read(&crate::worker_keys::CONFIG_STORAGE_FILE_FILENAME));
    let store = ConfigStore::new(path);
    // Read it now, so a damaged file stops the worker before the API starts.
    store.load()?;
    let shown = store.path().display().to_string();
    let (herder, server) =
        crate::runtime::start(&worker, crate::runtime::Mode::Worker(store)).await?;
    let n = herder
        .restore()
        .await
        .map_err(|source| WorkerError::Connector {
            name: "(stored connectors)".into(),
            source,
        })?;
    tracing::info!(connectors = n, store = %shown, "worker started");
    crate::runtime::run_until_signal(herder, server).await;
    Ok(())
}
