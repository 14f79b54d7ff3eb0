//! `diffusion-kafka-connect standalone WORKER.properties CONNECTOR...`: runs connectors
//! from files, as Kafka Connect's `connect-standalone` does, and serves the REST API
//! (changes made through it last until the process ends, as in Connect's standalone mode).

use crate::cli::StandaloneArgs;
use crate::error::{InvalidConnector, WorkerError};

pub async fn run(args: StandaloneArgs) -> Result<(), WorkerError> {
    let worker = crate::runtime::load_worker(&args.worker_properties, false)?;
    if args.connectors.is_empty() {
        return Err(WorkerError::Usage(
            "name at least one connector config file (JSON or .properties)",
        ));
    }
    // Validate everything before starting anything.
    let mut configs = Vec::new();
    let mut problems = Vec::new();
    for path in &args.connectors {
        let c = crate::connector_file::load(path)?;
        let mut props = c.props.clone();
        props.insert("name".into(), c.name.clone());
        if let Err(errors) = crate::herder::validate_alone(&c.name, &props, &worker.props) {
            problems.push(InvalidConnector {
                name: c.name.clone(),
                path: path.clone(),
                errors,
            });
        }
        configs.push((c.name, props));
    }
    if !problems.is_empty() {
        return Err(WorkerError::InvalidConnectors(problems));
    }
    let (herder, server) = crate::runtime::start(&worker, crate::runtime::Mode::Standalone).await?;
    for (name, props) in configs {
        herder
            .put(
                &name,
                props,
                true,
                crate::config_store::TargetState::Started,
            )
            .await
            .map_err(|source| WorkerError::Connector {
                name: name.clone(),
                source,
            })?;
    }
    crate::runtime::run_until_signal(herder, server).await;
    Ok(())
}
