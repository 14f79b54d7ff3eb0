//! What `standalone` and `worker` share: worker properties read and checked, the herder
//! and the REST API started, and a graceful stop on Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use connectors::kafka::KafkaSettings;

use crate::config_store::ConfigStore;
use crate::herder::Herder;
use crate::rest::{self, Api};

pub struct Worker {
    pub props: BTreeMap<String, String>,
    pub kafka: KafkaSettings,
}

/// Reads the worker properties, resolving config providers; every bad key is named.
pub fn load_worker(path: &Path) -> Result<Worker, String> {
    let mut props = crate::properties::load(path)?;
    crate::properties::resolve_providers(&mut props)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut kafka = KafkaSettings::from_worker(&props).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        format!("{} is not valid:\n{}", path.display(), list.join("\n"))
    })?;
    // Static group membership (KIP-345): a worker restarted on the same host takes its
    // partitions back at once instead of waiting out the dead member's session timeout.
    // Workers on other hosts still share the partitions; a second worker on the same host
    // for the same connector is fenced by the broker (its task FAILs, loudly).
    // `consumer.group.instance.id=` (empty) turns this off.
    kafka.default_consumer_setting("group.instance.id", &format!("{}-worker", hostname()));
    Ok(Worker { props, kafka })
}

/// Starts the REST API for a herder built from `worker` (with a store: `worker` mode).
pub async fn start(
    worker: &Worker,
    store: Option<ConfigStore>,
) -> Result<(Arc<Herder>, tokio::task::JoinHandle<()>), String> {
    let listen = rest::listen_address(worker.props.get("listeners").map(String::as_str))?;
    // Bind first, so the worker id carries the real port.
    let probe = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("listeners: cannot bind {listen}: {e}"))?;
    let bound = probe.local_addr().map_err(|e| e.to_string())?;
    drop(probe);
    let herder = Arc::new(Herder::new(
        worker.kafka.clone(),
        worker.props.clone(),
        store,
        bound.to_string(),
    ));
    let api = Arc::new(Api {
        herder: herder.clone(),
        kafka_cluster_id: cluster_id(&worker.kafka).await,
        topics: crate::ui::UiDiffusion::from_worker(&worker.props).map(crate::ui::TopicFeed::start),
        auth: basic_auth(&worker.props)?,
    });
    let (_, server) = rest::serve(bound, api).await?;
    Ok((herder, server))
}

/// `rest.basic.auth.username` and `.password`: both or neither.
fn basic_auth(props: &BTreeMap<String, String>) -> Result<Option<rest::BasicAuth>, String> {
    match (
        props.get("rest.basic.auth.username"),
        props.get("rest.basic.auth.password"),
    ) {
        (Some(u), Some(p)) if !u.is_empty() && !p.is_empty() => {
            Ok(Some(rest::BasicAuth::new(u, p)))
        }
        (None, None) => Ok(None),
        _ => Err(
            "rest.basic.auth.username and rest.basic.auth.password: set both, or neither".into(),
        ),
    }
}

/// Waits for Ctrl-C or SIGTERM, then stops every task gracefully (each confirms and
/// commits what is in flight, within a bound) and the REST API.
pub async fn run_until_signal(herder: Arc<Herder>, server: tokio::task::JoinHandle<()>) {
    crate::signals::shutdown().await;
    tracing::info!("stopping: finishing in-flight work and committing offsets");
    herder.shutdown().await;
    server.abort();
    tracing::info!("stopped");
}

/// The Kafka cluster id for `GET /`, if the brokers answer within a few seconds.
async fn cluster_id(kafka: &KafkaSettings) -> Option<String> {
    let config = kafka.admin();
    tokio::task::spawn_blocking(move || {
        let c: rdkafka::consumer::BaseConsumer = config.create().ok()?;
        rdkafka::consumer::Consumer::client(&c).fetch_cluster_id(Duration::from_secs(5))
    })
    .await
    .ok()
    .flatten()
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
