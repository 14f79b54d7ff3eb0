//! What `standalone`, `worker` and `distributed` share: worker properties read and
//! checked, the herder and the REST API started, and a graceful stop on Ctrl-C or SIGTERM.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use connectors::kafka::KafkaSettings;

use crate::cluster::{config_log, status_log, ClusterError, ClusterSettings};
use crate::config_store::ConfigStore;
use crate::error::WorkerError;
use crate::herder::{ClusterLink, Herder};
use crate::rest::{self, Api};
use crate::source_offsets::{FileOffsetStore, TopicOffsetStore};
use crate::worker_keys::{
    self, LISTENERS, OFFSET_STORAGE_FILE_FILENAME, REST_ADVERTISED_HOST_NAME, REST_ADVERTISED_PORT,
    REST_BASIC_AUTH_PASSWORD, REST_BASIC_AUTH_USERNAME,
};
use connectors::source_offsets::{MemoryOffsetStore, OffsetStore};
use connectors::ConfigError;

pub struct Worker {
    pub props: BTreeMap<String, String>,
    pub kafka: KafkaSettings,
    /// The cluster's settings, when loaded for `distributed`.
    pub cluster: Option<ClusterSettings>,
}

/// How a worker keeps its connectors.
pub enum Mode {
    /// In memory: `standalone`, whose connectors come from files.
    Standalone,
    /// In a local file: `worker`.
    Worker(ConfigStore),
    /// In Kafka, shared with the other workers of the cluster: `distributed`.
    Distributed(ClusterSettings),
}

/// Reads the worker properties, resolving config providers; every bad key is named.
/// `clustered`: the sinks' consumers share their groups with other workers' (no static
/// membership, the cluster's session timeout).
pub fn load_worker(path: &Path, clustered: bool) -> Result<Worker, WorkerError> {
    let mut props = crate::properties::load(path)?;
    let invalid = |errors: Vec<connectors::ConfigError>| WorkerError::Invalid {
        path: path.to_owned(),
        errors,
    };
    crate::properties::resolve_providers(&mut props).map_err(|e| invalid(vec![e]))?;
    let mut kafka = KafkaSettings::from_worker(&props).map_err(invalid)?;
    let mut cluster = None;
    if clustered {
        // Several workers per host are normal in a cluster, and a dead one must hand its
        // partitions over within the session timeout rather than wait to come back.
        let settings = ClusterSettings::from_worker(&props).map_err(invalid)?;
        kafka.default_consumer_setting(
            "session.timeout.ms",
            &settings.session_timeout.as_millis().to_string(),
        );
        kafka.default_consumer_setting(
            "heartbeat.interval.ms",
            &settings.heartbeat.as_millis().to_string(),
        );
        cluster = Some(settings);
    } else {
        // Static group membership (KIP-345): a worker restarted on the same host takes its
        // partitions back at once instead of waiting out the dead member's session
        // timeout. Workers on other hosts still share the partitions; a second worker on
        // the same host for the same connector is fenced by the broker (its task FAILs,
        // loudly). `consumer.group.instance.id=` (empty) turns this off.
        kafka.default_consumer_setting("group.instance.id", &format!("{}-worker", hostname()));
    }
    Ok(Worker {
        props,
        kafka,
        cluster,
    })
}

/// Starts the herder and the REST API for `worker`; in a cluster, joins it first (reads
/// the config topic to its end and starts the connectors it holds).
pub async fn start(
    worker: &Worker,
    mode: Mode,
) -> Result<(Arc<Herder>, tokio::task::JoinHandle<()>), WorkerError> {
    let mut r = worker_keys::reader(&worker.props);
    let listeners = r.read(&LISTENERS);
    let offsets_file = r.read(&OFFSET_STORAGE_FILE_FILENAME);
    worker_keys::finish(r).map_err(invalid_worker)?;
    let listen = rest::listen_address(Some(&listeners))?;
    // Bind first, so the worker id carries the real port.
    let bind = |source| WorkerError::Bind {
        addr: listen,
        source,
    };
    let probe = tokio::net::TcpListener::bind(listen).await.map_err(bind)?;
    let bound = probe.local_addr().map_err(bind)?;
    drop(probe);
    let worker_id = advertised(&worker.props, bound)?;
    let file_offsets = || local_offsets(offsets_file.as_deref());
    let herder = match mode {
        Mode::Standalone => Arc::new(Herder::new(
            worker.kafka.clone(),
            worker.props.clone(),
            None,
            None,
            file_offsets()?,
            worker_id,
        )),
        Mode::Worker(store) => Arc::new(Herder::new(
            worker.kafka.clone(),
            worker.props.clone(),
            Some(store),
            None,
            file_offsets()?,
            worker_id,
        )),
        Mode::Distributed(settings) => join_cluster(worker, settings, worker_id).await?,
    };
    let api = Arc::new(Api {
        herder: herder.clone(),
        kafka_cluster_id: cluster_id(&worker.kafka).await,
        topics: crate::ui::UiDiffusion::from_worker(&worker.props).map(crate::ui::TopicFeed::start),
        series: crate::ui::Series::start(&herder),
        auth: basic_auth(&worker.props)?,
        topic_tracking: rest::TopicTracking::from_worker(&worker.props).map_err(invalid_worker)?,
    });
    let (_, server) = rest::serve(bound, api).await?;
    Ok((herder, server))
}

/// Opens the cluster's topics, applies the config topic, and keeps following both.
async fn join_cluster(
    worker: &Worker,
    settings: ClusterSettings,
    worker_id: String,
) -> Result<Arc<Herder>, WorkerError> {
    let kafka = &worker.kafka;
    // Source offsets (time series topics), in Kafka Connect's layout.
    kafka
        .create_topic_with(
            &settings.offset_topic,
            1,
            settings.replication,
            &[("cleanup.policy", "compact")],
        )
        .await
        .map_err(|source| ClusterError::Topic {
            key: "offset.storage.topic",
            source,
        })?;
    let (log, mut reader) = config_log::open(kafka, &settings).await?;
    let (view, status_reader) = status_log::open(kafka, &settings, &worker_id).await?;
    let heartbeat = settings.heartbeat;
    let group = settings.group_id.clone();
    let offsets: Arc<dyn OffsetStore> = Arc::new(TopicOffsetStore::new(
        kafka.clone(),
        settings.offset_topic.clone(),
        settings.group_id.clone(),
    ));
    let herder = Arc::new(Herder::new(
        kafka.clone(),
        worker.props.clone(),
        None,
        Some(ClusterLink {
            settings,
            log,
            view: view.clone(),
        }),
        offsets,
        worker_id.clone(),
    ));
    let n = reader.catch_up(&herder).await?;
    tokio::spawn(reader.follow(herder.clone()));
    tokio::spawn(status_reader.follow(view.clone()));
    tokio::spawn(status_log::publish(view, herder.clone(), heartbeat));
    tracing::info!(cluster = %group, worker_id = %worker_id, records = n, "joined the cluster");
    Ok(herder)
}

/// The source offsets of `standalone` and `worker` mode: in `offset.storage.file.filename`,
/// or in memory when none is named.
fn local_offsets(file: Option<&str>) -> Result<Arc<dyn OffsetStore>, WorkerError> {
    match file {
        Some(f) => {
            let store = FileOffsetStore::open(Path::new(f)).map_err(|e| {
                WorkerError::Setting(ConfigError {
                    key: OFFSET_STORAGE_FILE_FILENAME.name().into(),
                    message: e.to_string(),
                })
            })?;
            tracing::info!(file = %f, "source offsets kept in this file");
            Ok(Arc::new(store))
        }
        None => {
            tracing::info!("source offsets kept in memory (set offset.storage.file.filename to keep them across restarts)");
            Ok(Arc::new(MemoryOffsetStore::default()))
        }
    }
}

/// The worker id: `rest.advertised.host.name`:`rest.advertised.port` where set (what
/// other machines reach it by), else the address the API is bound to.
fn advertised(props: &BTreeMap<String, String>, bound: SocketAddr) -> Result<String, WorkerError> {
    let mut r = worker_keys::reader(props);
    let host = r.read(&REST_ADVERTISED_HOST_NAME).unwrap_or_else(|| {
        // 0.0.0.0 names no machine: the host name is what others can reach.
        if bound.ip().is_unspecified() {
            hostname()
        } else {
            bound.ip().to_string()
        }
    });
    let port = r.read(&REST_ADVERTISED_PORT).unwrap_or(bound.port());
    worker_keys::finish(r).map_err(invalid_worker)?;
    Ok(format!("{host}:{port}"))
}

/// `rest.basic.auth.username` and `.password`: both or neither.
fn basic_auth(props: &BTreeMap<String, String>) -> Result<Option<rest::BasicAuth>, WorkerError> {
    let mut r = worker_keys::reader(props);
    let user = r.read(&REST_BASIC_AUTH_USERNAME);
    let password = r.read(&REST_BASIC_AUTH_PASSWORD);
    worker_keys::finish(r).map_err(invalid_worker)?;
    match (user, password) {
        (Some(u), Some(p)) => Ok(Some(rest::BasicAuth::new(&u, &p))),
        (None, None) => Ok(None),
        _ => Err(WorkerError::Setting(ConfigError {
            key: REST_BASIC_AUTH_USERNAME.name().into(),
            message: "and rest.basic.auth.password: set both, or neither".into(),
        })),
    }
}

/// Worker properties with bad keys.
fn invalid_worker(errors: Vec<ConfigError>) -> WorkerError {
    WorkerError::Invalid {
        path: "the worker properties".into(),
        errors,
    }
}

/// Waits for Ctrl-C or SIGTERM, then stops every task gracefully (each confirms and
/// commits what is in flight, within a bound) and the REST API.
pub async fn run_until_signal(herder: Arc<Herder>, server: tokio::task::JoinHandle<()>) {
    crate::signals::shutdown().await;
    tracing::info!("stopping: finishing in-flight work and committing offsets");
    herder.shutdown().await;
    if let Some(c) = herder.cluster() {
        c.view.retire().await;
    }
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
