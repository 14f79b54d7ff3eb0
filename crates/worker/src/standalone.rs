//! `diffusion-kafka-connect standalone WORKER.properties CONNECTOR...`: runs connectors
//! from files, as Kafka Connect's `connect-standalone` does, and serves the REST API
//! (changes made through it last until the process ends, as in Connect's standalone mode).

use crate::cli::StandaloneArgs;

pub async fn run(args: StandaloneArgs) -> Result<(), String> {
    let worker = crate::runtime::load_worker(&args.worker_properties, false)?;
    if args.connectors.is_empty() {
        return Err("name at least one connector config file (JSON or .properties)".into());
    }
    // Validate everything before starting anything.
    let mut configs = Vec::new();
    let mut problems = Vec::new();
    for path in &args.connectors {
        let c = crate::connector_file::load(path)?;
        let mut props = c.props.clone();
        props.insert("name".into(), c.name.clone());
        if let Err(errors) = crate::herder::validate_alone(&c.name, &props, &worker.props) {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            problems.push(format!(
                "{} ({}):\n{}",
                c.name,
                path.display(),
                list.join("\n")
            ));
        }
        configs.push((c.name, props));
    }
    if !problems.is_empty() {
        return Err(format!(
            "invalid connector config:\n{}",
            problems.join("\n")
        ));
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
            .map_err(|e| format!("{name}: {e}"))?;
    }
    crate::runtime::run_until_signal(herder, server).await;
    Ok(())
}
