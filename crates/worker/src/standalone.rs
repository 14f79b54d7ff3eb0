//! `diffusion-kafka-connect standalone WORKER.properties CONNECTOR...`: runs connectors
//! from files, as Kafka Connect's `connect-standalone` does, until Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::sync::Arc;

use connectors::kafka::KafkaSettings;
use connectors::sink::SinkMetrics;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{ConnectorConfig, SinkConfig, SourceConfig, SINK_CLASS, SOURCE_CLASS};
use tokio::sync::watch;

use crate::cli::StandaloneArgs;

pub async fn run(args: StandaloneArgs) -> Result<(), String> {
    let mut worker = crate::properties::load(&args.worker_properties)?;
    crate::properties::resolve_providers(&mut worker)
        .map_err(|e| format!("{}: {e}", args.worker_properties.display()))?;
    let mut kafka = KafkaSettings::from_worker(&worker).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        format!(
            "{} is not valid:\n{}",
            args.worker_properties.display(),
            list.join("\n")
        )
    })?;
    // Static group membership (KIP-345): a standalone worker restarted on the same host
    // takes its partitions back at once instead of waiting out the dead member's session
    // timeout. Workers on other hosts still share the partitions; a second worker on the
    // same host for the same connector is fenced by the broker (its task FAILs, loudly).
    // `consumer.group.instance.id=` (empty) turns this off.
    kafka.default_consumer_setting("group.instance.id", &format!("{}-standalone", hostname()));
    if args.connectors.is_empty() {
        return Err("name at least one connector config file (JSON or .properties)".into());
    }
    // Validate everything before starting anything.
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    for path in &args.connectors {
        let c = crate::connector_file::load(path)?;
        match validate(&c, &worker) {
            Ok(connector) => valid.push(connector),
            Err(errors) => problems.push(format!(
                "{} ({}):\n{}",
                c.name,
                path.display(),
                errors.join("\n")
            )),
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "invalid connector config:\n{}",
            problems.join("\n")
        ));
    }

    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for connector in valid {
        let (status, _) = StatusHandle::new();
        let (name, task) = match connector {
            Validated::Sink(config) => {
                tracing::info!(connector = %config.name, "starting sink");
                let metrics = Arc::new(SinkMetrics::default());
                let name = config.name.clone();
                let run =
                    connectors::run_sink(config, kafka.clone(), status, stop_rx.clone(), metrics);
                (name, tokio::spawn(run))
            }
            Validated::Source(config) => {
                tracing::info!(connector = %config.name, "starting source");
                let metrics = Arc::new(SourceMetrics::default());
                let name = config.name.clone();
                let run =
                    connectors::run_source(config, kafka.clone(), status, stop_rx.clone(), metrics);
                (name, tokio::spawn(run))
            }
        };
        tasks.push((name, task));
    }
    crate::signals::shutdown().await;
    tracing::info!("stopping: finishing in-flight updates and committing offsets");
    let _ = stop.send(true);
    let mut failed = Vec::new();
    for (name, task) in tasks {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failed.push(format!("{name}: {e}")),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("connectors failed:\n{}", failed.join("\n")))
    }
}

enum Validated {
    Sink(SinkConfig),
    Source(SourceConfig),
}

fn validate(
    c: &ConnectorConfig,
    worker: &BTreeMap<String, String>,
) -> Result<Validated, Vec<String>> {
    let listed = |e: Vec<connectors::ConfigError>| e.iter().map(|e| format!("  {e}")).collect();
    match c.class() {
        Some(SINK_CLASS) => SinkConfig::parse(c, worker)
            .map(Validated::Sink)
            .map_err(listed),
        Some(SOURCE_CLASS) => SourceConfig::parse(c, worker)
            .map(Validated::Source)
            .map_err(listed),
        Some(other) => Err(vec![format!(
            "  connector.class: {other:?} is not provided here; use {SINK_CLASS} or {SOURCE_CLASS}"
        )]),
        None => Err(vec!["  connector.class: is required".into()]),
    }
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let name = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}
