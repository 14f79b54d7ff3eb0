//! The herder (Kafka Connect's name for it): the worker's connectors, their configs and
//! target states, and their running tasks. The REST API, standalone files and the
//! persisted store all go through it, so each connector has one source of truth. In a
//! cluster, changes are written to the config topic and applied here when read back
//! (`apply`), in the same order on every worker.
//!
//! Each connector runs one task on this worker: a Diffusion topic selector cannot be split
//! and a sink's order per Diffusion topic needs one ordered stream. In a cluster a sink has
//! one task per worker (its consumer group shares the partitions out) and a source one in
//! the cluster (the elected worker's; the others stand by). Pausing stops the task
//! gracefully (a sink commits what Diffusion confirmed; a source's consumer-less
//! subscription ends, so updates while paused are not read) and resuming starts it again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use connectors::active_topics::ActiveTopics;
use connectors::config::{is_sensitive, MASK};
use connectors::kafka::KafkaSettings;
use connectors::sink::SinkMetrics;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{
    ConfigError, ConnectorConfig, SinkConfig, SourceConfig, TaskState, TaskStatus, SINK_CLASS,
    SOURCE_CLASS,
};
use tokio::sync::{watch, Mutex};

use crate::cluster::config_log::{ConfigLog, ConfigRecord};
use crate::cluster::status_log::{StatusView, TaskRecord};
use crate::cluster::ClusterSettings;
use crate::config_store::{ConfigStore, StoredConnector, TargetState};
use crate::sink_offsets::{self, OffsetsError, PartitionOffset};

#[derive(Debug)]
pub enum HerderError {
    NotFound(String),
    Conflict(String),
    /// A config that does not validate: one entry per key.
    Invalid(Vec<ConfigError>),
    BadRequest(String),
    Internal(String),
}

impl std::fmt::Display for HerderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HerderError::NotFound(m)
            | HerderError::Conflict(m)
            | HerderError::BadRequest(m)
            | HerderError::Internal(m) => f.write_str(m),
            HerderError::Invalid(errors) => {
                let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                write!(f, "invalid config: {}", list.join("; "))
            }
        }
    }
}

impl HerderError {
    fn not_found(name: &str) -> HerderError {
        HerderError::NotFound(format!("Connector {name} not found"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sink,
    Source,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sink => "sink",
            Kind::Source => "source",
        }
    }

    pub fn of(class: &str) -> Option<Kind> {
        match class {
            SINK_CLASS | "DiffusionSinkConnector" | "DiffusionSink" => Some(Kind::Sink),
            SOURCE_CLASS | "DiffusionSourceConnector" | "DiffusionSource" => Some(Kind::Source),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub enum TaskMetrics {
    Sink(Arc<SinkMetrics>),
    Source(Arc<SourceMetrics>),
}

struct Task {
    stop: watch::Sender<bool>,
    /// The task; its failure is in its status already.
    join: tokio::task::JoinHandle<()>,
    status: watch::Receiver<TaskStatus>,
    metrics: TaskMetrics,
    /// A source in a cluster: true while another worker runs it and this one waits.
    standby: Option<watch::Receiver<bool>>,
}

impl Task {
    fn is_standby(&self) -> bool {
        self.standby.as_ref().is_some_and(|s| *s.borrow())
    }
}

/// What a worker in a cluster shares with the others (see `crate::cluster`).
pub struct ClusterLink {
    pub settings: ClusterSettings,
    pub log: ConfigLog,
    pub view: Arc<StatusView>,
}

struct Entry {
    /// As given (provider references unresolved).
    config: BTreeMap<String, String>,
    kind: Kind,
    target: TargetState,
    task: Option<Task>,
    /// Why the connector could not be started (e.g. a secret's variable is gone).
    failure: Option<String>,
    /// The Kafka topics its tasks used on this worker (outlives them).
    topics: ActiveTopics,
}

/// One connector's state as the status endpoint reports it.
#[derive(Debug, Clone)]
pub struct ConnectorState {
    pub name: String,
    pub kind: Kind,
    pub state: &'static str,
    pub trace: Option<String>,
    /// The worker reporting the connector (in a cluster: the one running its first task).
    pub worker_id: String,
    /// Task 0 alone on a single worker; one per worker running it in a cluster. None
    /// while the connector is stopped.
    pub tasks: Vec<TaskReport>,
}

#[derive(Debug, Clone)]
pub struct TaskReport {
    pub id: u32,
    pub worker_id: String,
    pub state: String,
    pub trace: Option<String>,
    pub diffusion_connected: bool,
    pub note: Option<String>,
}

impl TaskReport {
    fn from_record(worker_id: &str, r: &TaskRecord) -> TaskReport {
        TaskReport {
            id: 0,
            worker_id: worker_id.to_owned(),
            state: r.state.clone(),
            trace: r.trace.clone(),
            diffusion_connected: r.diffusion_connected,
            note: r.note.clone(),
        }
    }
}

/// A snapshot for the metrics endpoint.
pub struct TaskSnapshot {
    pub connector: String,
    pub state: &'static str,
    pub diffusion_connected: bool,
    pub metrics: TaskMetrics,
}

pub struct Herder {
    /// Held briefly: reads (status, configs, metrics) never wait for a task to stop.
    connectors: Mutex<BTreeMap<String, Entry>>,
    /// Held for a whole change (create, update, pause, restart, delete), so changes to
    /// connectors happen one at a time while task stops run outside `connectors`.
    changes: Mutex<()>,
    kafka: KafkaSettings,
    worker: BTreeMap<String, String>,
    store: Option<ConfigStore>,
    /// Distributed mode: changes go through the config topic, status through the status topic.
    cluster: Option<ClusterLink>,
    pub worker_id: String,
}

/// How long a stopping task may take to confirm and commit what is in flight.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

impl Herder {
    pub fn new(
        kafka: KafkaSettings,
        worker: BTreeMap<String, String>,
        store: Option<ConfigStore>,
        cluster: Option<ClusterLink>,
        worker_id: String,
    ) -> Herder {
        Herder {
            connectors: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(()),
            kafka,
            worker,
            store,
            cluster,
            worker_id,
        }
    }

    pub fn cluster(&self) -> Option<&ClusterLink> {
        self.cluster.as_ref()
    }

    /// Starts the connectors the store remembers, each in its target state; one that no
    /// longer validates is reported FAILED with the reason rather than stopping the worker.
    pub async fn restore(&self) -> Result<usize, String> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let stored = store.load()?;
        let _change = self.changes.lock().await;
        for (name, s) in &stored {
            self.apply_connector(name, s.config.clone(), s.target_state)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(stored.len())
    }

    /// Checks a config without keeping it: provider references resolved, every key's
    /// problem listed.
    pub fn validate(
        &self,
        name: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<Kind, Vec<ConfigError>> {
        self.parse(name, config).map(|v| v.kind())
    }

    fn parse(
        &self,
        name: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<Validated, Vec<ConfigError>> {
        parse(name, config, &self.worker)
    }

    fn start_task(&self, name: &str, entry: &mut Entry) -> Result<(), String> {
        let validated = self.parse(name, &entry.config).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            format!("invalid config: {}", list.join("; "))
        })?;
        let (stop, stop_rx) = watch::channel(false);
        let (handle, status) = StatusHandle::with_topics(entry.topics.clone());
        let mut standby = None;
        let (join, metrics) = match validated {
            Validated::Sink(config) => {
                let m = Arc::new(SinkMetrics::default());
                let kafka = self.kafka.clone();
                // In a cluster too: the sink's consumer group spreads the partitions over
                // the workers, and Kafka moves a dead worker's to the others.
                let run = connectors::run_sink(config, kafka, handle, stop_rx, m.clone());
                let join = tokio::spawn(async move {
                    let _ = run.await;
                });
                (join, TaskMetrics::Sink(m))
            }
            Validated::Source(config) => {
                let m = Arc::new(SourceMetrics::default());
                match &self.cluster {
                    None => {
                        let run = connectors::run_source(
                            config,
                            self.kafka.clone(),
                            handle,
                            stop_rx,
                            m.clone(),
                        );
                        let join = tokio::spawn(async move {
                            let _ = run.await;
                        });
                        (join, TaskMetrics::Source(m))
                    }
                    Some(c) => {
                        // One worker of the cluster runs it; the others stand by.
                        let (standby_tx, standby_rx) = watch::channel(false);
                        standby = Some(standby_rx);
                        let (kafka, metrics) = (self.kafka.clone(), m.clone());
                        let report = handle.clone();
                        let run = crate::cluster::election::run_elected(
                            self.kafka.clone(),
                            c.settings.clone(),
                            name.to_owned(),
                            stop_rx,
                            standby_tx,
                            move |stop| {
                                connectors::run_source(
                                    config.clone(),
                                    kafka.clone(),
                                    handle.clone(),
                                    stop,
                                    metrics.clone(),
                                )
                            },
                        );
                        let run = async move {
                            if let Err(e) = run.await {
                                report.set_state(TaskState::Failed(e.to_string()));
                            }
                        };
                        (tokio::spawn(run), TaskMetrics::Source(m))
                    }
                }
            }
        };
        tracing::info!(connector = %name, kind = entry.kind.name(), "task started");
        entry.failure = None;
        entry.task = Some(Task {
            stop,
            join,
            status,
            metrics,
            standby,
        });
        Ok(())
    }

    /// Starts the task, or records why it cannot start (reported as FAILED).
    fn start_or_fail(&self, name: &str, entry: &mut Entry) {
        if let Err(e) = self.start_task(name, entry) {
            tracing::error!(connector = %name, "cannot start: {e}");
            entry.failure = Some(e);
        }
    }

    /// Stops a task gracefully: it confirms and commits what is in flight, within a bound.
    async fn stop(name: &str, task: Task) {
        let _ = task.stop.send(true);
        let mut join = task.join;
        match tokio::time::timeout(STOP_TIMEOUT, &mut join).await {
            Ok(_) => tracing::info!(connector = %name, "task 0 stopped"),
            Err(_) => {
                tracing::warn!(connector = %name, "task 0 did not stop within {STOP_TIMEOUT:?}; aborted");
                join.abort();
            }
        }
    }

    /// Takes a connector's task out (locking only for that) and stops it.
    async fn stop_task_of(&self, name: &str) {
        let task = self
            .connectors
            .lock()
            .await
            .get_mut(name)
            .and_then(|e| e.task.take());
        if let Some(task) = task {
            Self::stop(name, task).await;
        }
    }

    fn persist(&self, map: &BTreeMap<String, Entry>) -> Result<(), HerderError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let stored = map
            .iter()
            .map(|(n, e)| {
                (
                    n.clone(),
                    StoredConnector {
                        config: e.config.clone(),
                        target_state: e.target,
                    },
                )
            })
            .collect();
        store.save(&stored).map_err(HerderError::Internal)
    }

    pub async fn names(&self) -> Vec<String> {
        self.connectors.lock().await.keys().cloned().collect()
    }

    /// Creates a connector, or replaces its config (`PUT .../config`): `Ok(true)` when it
    /// was created. `must_be_new` makes an existing name a conflict (`POST /connectors`).
    /// A new connector starts in `initial` (Connect's `initial_state`); an existing one
    /// keeps its target state.
    pub async fn put(
        &self,
        name: &str,
        mut config: BTreeMap<String, String>,
        must_be_new: bool,
        initial: TargetState,
    ) -> Result<bool, HerderError> {
        if name.trim().is_empty() {
            return Err(HerderError::BadRequest(
                "Connector name must not be empty".into(),
            ));
        }
        // In a cluster the change is applied when it comes back through the config topic,
        // under `changes`: holding it here would wait for ourselves.
        let _change = match self.cluster {
            None => Some(self.changes.lock().await),
            Some(_) => None,
        };
        let target = {
            let map = self.connectors.lock().await;
            let existing = map.get(name);
            if must_be_new && existing.is_some() {
                return Err(HerderError::Conflict(format!(
                    "Connector {name} already exists"
                )));
            }
            if let Some(e) = existing {
                keep_masked_secrets(&mut config, &e.config);
            }
            existing.map(|e| e.target)
        };
        config.insert("name".into(), name.to_owned());
        self.validate(name, &config).map_err(HerderError::Invalid)?;
        let created = target.is_none();
        let target = target.unwrap_or(initial);
        self.set_connector(name, config, target).await?;
        tracing::info!(connector = %name, "{}", if created { "created" } else { "config updated" });
        Ok(created)
    }

    /// A connector's new config and target state: through the config topic in a cluster
    /// (applied when read back), applied at once otherwise.
    async fn set_connector(
        &self,
        name: &str,
        config: BTreeMap<String, String>,
        target: TargetState,
    ) -> Result<(), HerderError> {
        match &self.cluster {
            Some(c) => c
                .log
                .write(&ConfigRecord::Connector {
                    name: name.to_owned(),
                    config,
                    target,
                })
                .await
                .map_err(HerderError::Internal),
            None => self.apply_connector(name, config, target).await,
        }
    }

    /// Makes a connector's config and target state what a record (or a local change)
    /// says: its task is stopped and started as needed. The caller holds `changes`.
    async fn apply_connector(
        &self,
        name: &str,
        config: BTreeMap<String, String>,
        target: TargetState,
    ) -> Result<(), HerderError> {
        let kind = config
            .get("connector.class")
            .and_then(|c| Kind::of(c))
            .unwrap_or(Kind::Sink);
        let existing = {
            let map = self.connectors.lock().await;
            map.get(name).map(|e| (e.config == config, e.target))
        };
        if let Some((same_config, old_target)) = existing {
            if same_config && old_target == target {
                return Ok(());
            }
            if !same_config || target != TargetState::Started {
                self.stop_task_of(name).await;
            }
        }
        let mut map = self.connectors.lock().await;
        let entry = map.entry(name.to_owned()).or_insert_with(|| Entry {
            config: config.clone(),
            kind,
            target,
            task: None,
            failure: None,
            topics: ActiveTopics::default(),
        });
        if entry.config != config {
            entry.failure = None;
        }
        entry.config = config;
        entry.kind = kind;
        entry.target = target;
        if target == TargetState::Started && entry.task.is_none() {
            self.start_or_fail(name, entry);
        }
        self.persist(&map)
    }

    /// Applies a record of the cluster's config topic (`live`: read as it was written,
    /// rather than replayed at start-up; only live restart requests are acted on).
    pub async fn apply(&self, record: ConfigRecord, live: bool) {
        let _change = self.changes.lock().await;
        let result = match record {
            ConfigRecord::Connector {
                name,
                config,
                target,
            } => self.apply_connector(&name, config, target).await,
            ConfigRecord::Deleted { name } => self.apply_delete(&name).await,
            ConfigRecord::TopicsReset { name } => {
                self.apply_topics_reset(&name).await;
                Ok(())
            }
            ConfigRecord::Restart {
                name,
                only_failed,
                worker,
            } => {
                if live && worker.is_none_or(|w| w == self.worker_id) {
                    self.apply_restart(&name, only_failed).await
                } else {
                    Ok(())
                }
            }
        };
        if let Err(e) = result {
            tracing::error!("cannot apply a config topic record: {e}");
        }
    }

    /// `PATCH .../config`: keys with a value are set, keys with null removed.
    pub async fn patch(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> Result<(), HerderError> {
        let mut config = self.raw_config(name).await?;
        for (k, v) in patch {
            match v {
                Some(v) => config.insert(k, v),
                None => config.remove(&k),
            };
        }
        self.put(name, config, false, TargetState::Started)
            .await
            .map(|_| ())
    }

    async fn raw_config(&self, name: &str) -> Result<BTreeMap<String, String>, HerderError> {
        let map = self.connectors.lock().await;
        map.get(name)
            .map(|e| e.config.clone())
            .ok_or_else(|| HerderError::not_found(name))
    }

    /// The config as the API shows it: secrets masked unless they are provider references.
    pub async fn config(&self, name: &str) -> Result<BTreeMap<String, String>, HerderError> {
        Ok(masked(&self.raw_config(name).await?))
    }

    pub async fn kind(&self, name: &str) -> Result<Kind, HerderError> {
        let map = self.connectors.lock().await;
        map.get(name)
            .map(|e| e.kind)
            .ok_or_else(|| HerderError::not_found(name))
    }

    pub async fn delete(&self, name: &str) -> Result<(), HerderError> {
        if !self.connectors.lock().await.contains_key(name) {
            return Err(HerderError::not_found(name));
        }
        match &self.cluster {
            Some(c) => c
                .log
                .write(&ConfigRecord::Deleted {
                    name: name.to_owned(),
                })
                .await
                .map_err(HerderError::Internal),
            None => {
                let _change = self.changes.lock().await;
                self.apply_delete(name).await
            }
        }
    }

    async fn apply_delete(&self, name: &str) -> Result<(), HerderError> {
        self.stop_task_of(name).await;
        let mut map = self.connectors.lock().await;
        if map.remove(name).is_some() {
            tracing::info!(connector = %name, "deleted");
        }
        self.persist(&map)
    }

    /// Pause, resume or stop: the task stops or starts to match.
    pub async fn set_target(&self, name: &str, target: TargetState) -> Result<(), HerderError> {
        let _change = match self.cluster {
            None => Some(self.changes.lock().await),
            Some(_) => None,
        };
        let config = {
            let map = self.connectors.lock().await;
            let entry = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
            if entry.target == target {
                return Ok(());
            }
            entry.config.clone()
        };
        self.set_connector(name, config, target).await?;
        tracing::info!(connector = %name, ?target, "target state changed");
        Ok(())
    }

    /// Restarts the connector's task (when `only_failed`, only if it failed); in a
    /// cluster, on every worker running one.
    pub async fn restart(&self, name: &str, only_failed: bool) -> Result<(), HerderError> {
        self.restart_on(name, only_failed, None).await
    }

    /// Restarts one task (by the id the status shows).
    pub async fn restart_task(&self, name: &str, id: u32) -> Result<(), HerderError> {
        let state = self.state(name).await?;
        let task = state
            .tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| HerderError::NotFound(format!("Task {name}-{id} not found")))?;
        let worker = task.worker_id.clone();
        self.restart_on(name, false, Some(worker)).await
    }

    async fn restart_on(
        &self,
        name: &str,
        only_failed: bool,
        worker: Option<String>,
    ) -> Result<(), HerderError> {
        if !self.connectors.lock().await.contains_key(name) {
            return Err(HerderError::not_found(name));
        }
        match &self.cluster {
            Some(c) => c
                .log
                .write(&ConfigRecord::Restart {
                    name: name.to_owned(),
                    only_failed,
                    worker,
                })
                .await
                .map_err(HerderError::Internal),
            None => {
                let _change = self.changes.lock().await;
                self.apply_restart(name, only_failed).await
            }
        }
    }

    async fn apply_restart(&self, name: &str, only_failed: bool) -> Result<(), HerderError> {
        {
            let map = self.connectors.lock().await;
            let Some(entry) = map.get(name) else {
                return Ok(());
            };
            if entry.target != TargetState::Started {
                return Ok(());
            }
            let failed = entry.failure.is_some()
                || entry
                    .task
                    .as_ref()
                    .is_some_and(|t| matches!(t.status.borrow().state, TaskState::Failed(_)));
            if only_failed && !failed {
                return Ok(());
            }
        }
        self.stop_task_of(name).await;
        let mut map = self.connectors.lock().await;
        if let Some(entry) = map.get_mut(name) {
            self.start_or_fail(name, entry);
        }
        tracing::info!(connector = %name, "restarted");
        Ok(())
    }

    /// The connector's state and its tasks: this worker's, and in a cluster every live
    /// worker's as the status topic reports them, numbered in worker order.
    pub async fn state(&self, name: &str) -> Result<ConnectorState, HerderError> {
        let clustered = self.cluster.is_some();
        let (mut state, local, target) = {
            let map = self.connectors.lock().await;
            let e = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
            (
                connector_state(name, e, &self.worker_id),
                local_task(e, clustered),
                e.target,
            )
        };
        let mut tasks: Vec<TaskReport> = local
            .map(|r| TaskReport::from_record(&self.worker_id, &r))
            .into_iter()
            .collect();
        if let Some(c) = &self.cluster {
            for w in c.view.others() {
                if let Some(t) = w.tasks.get(name) {
                    tasks.push(TaskReport::from_record(&w.worker_id, t));
                }
            }
            tasks.sort_by(|a, b| a.worker_id.cmp(&b.worker_id));
            // A paused source runs nowhere, and its one task is paused.
            if tasks.is_empty() && target == TargetState::Paused {
                tasks.push(TaskReport::from_record(&self.worker_id, &paused()));
            }
        }
        for (i, t) in tasks.iter_mut().enumerate() {
            t.id = i as u32;
        }
        if let Some(first) = tasks.first() {
            state.worker_id.clone_from(&first.worker_id);
        }
        state.tasks = tasks;
        Ok(state)
    }

    /// The connector's active topics (KIP-558): those its tasks used on this worker and, in
    /// a cluster, on every live worker. Empty for a connector that does not exist, as in
    /// Kafka Connect.
    pub async fn active_topics(&self, name: &str) -> Vec<String> {
        let mut topics: BTreeSet<String> = self
            .connectors
            .lock()
            .await
            .get(name)
            .map(|e| e.topics.list().into_iter().collect())
            .unwrap_or_default();
        if let Some(c) = &self.cluster {
            for w in c.view.others() {
                topics.extend(w.active_topics.get(name).into_iter().flatten().cloned());
            }
        }
        topics.into_iter().collect()
    }

    /// Empties the connector's active topics; in a cluster, on every worker.
    pub async fn reset_active_topics(&self, name: &str) -> Result<(), HerderError> {
        match &self.cluster {
            Some(c) => c
                .log
                .write(&ConfigRecord::TopicsReset {
                    name: name.to_owned(),
                })
                .await
                .map_err(HerderError::Internal),
            None => {
                self.apply_topics_reset(name).await;
                Ok(())
            }
        }
    }

    async fn apply_topics_reset(&self, name: &str) {
        if let Some(e) = self.connectors.lock().await.get(name) {
            e.topics.reset();
        }
    }

    /// This worker's active topics per connector, for its status record.
    pub async fn local_active_topics(&self) -> BTreeMap<String, Vec<String>> {
        let map = self.connectors.lock().await;
        map.iter()
            .map(|(name, e)| (name.clone(), e.topics.list()))
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    /// This worker's tasks, for its status record.
    pub async fn local_tasks(&self) -> BTreeMap<String, TaskRecord> {
        let map = self.connectors.lock().await;
        map.iter()
            .filter_map(|(n, e)| Some((n.clone(), local_task(e, true)?)))
            .collect()
    }

    /// The committed offsets of a sink's consumer group, per topic partition it reads.
    pub async fn sink_offsets(&self, name: &str) -> Result<Vec<(String, i32, i64)>, HerderError> {
        let config = self.raw_config(name).await?;
        let Validated::Sink(sink) = self.parse(name, &config).map_err(HerderError::Invalid)? else {
            return Ok(vec![]);
        };
        sink_offsets::read(&self.kafka, &sink_offsets::group_of(name), sink.topics)
            .await
            .map_err(|e| {
                HerderError::Internal(format!("cannot read the committed offsets from Kafka: {e}"))
            })
    }

    /// Sets a stopped sink's committed offsets (KIP-875's `PATCH .../offsets`).
    pub async fn alter_offsets(
        &self,
        name: &str,
        offsets: Vec<PartitionOffset>,
    ) -> Result<(), HerderError> {
        if self.stopped_kind(name).await? == Kind::Source {
            return Err(HerderError::BadRequest(format!(
                "Connector {name} is a source: it keeps no offsets (a subscription resumes from each Diffusion topic's current value)"
            )));
        }
        sink_offsets::alter(&self.kafka, &sink_offsets::group_of(name), offsets)
            .await
            .map_err(|e| offsets_error(name, "alter", e))
    }

    /// Forgets a stopped sink's committed offsets (KIP-875's `DELETE .../offsets`): it then
    /// starts from the earliest records. A source has none, so there is nothing to do.
    pub async fn reset_offsets(&self, name: &str) -> Result<(), HerderError> {
        if self.stopped_kind(name).await? == Kind::Source {
            return Ok(());
        }
        sink_offsets::reset(&self.kafka, &sink_offsets::group_of(name))
            .await
            .map_err(|e| offsets_error(name, "reset", e))
    }

    /// The connector's kind, if it exists and is stopped (offsets change only then).
    pub async fn stopped_kind(&self, name: &str) -> Result<Kind, HerderError> {
        let map = self.connectors.lock().await;
        let e = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
        if e.target != TargetState::Stopped {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. \
                 This can be done for the specified connector by issuing a 'PUT' request to the \
                 '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(e.kind)
    }

    pub async fn snapshot(&self) -> Vec<TaskSnapshot> {
        let map = self.connectors.lock().await;
        map.iter()
            .filter_map(|(n, e)| {
                let t = e.task.as_ref().filter(|t| !t.is_standby())?;
                let s = t.status.borrow();
                Some(TaskSnapshot {
                    connector: n.clone(),
                    state: s.state.name(),
                    diffusion_connected: s.diffusion_connected,
                    metrics: t.metrics.clone(),
                })
            })
            .collect()
    }

    /// Stops every task (graceful, bounded), for shutdown.
    pub async fn shutdown(&self) {
        let _change = self.changes.lock().await;
        let tasks: Vec<(String, Task)> = self
            .connectors
            .lock()
            .await
            .iter_mut()
            .filter_map(|(n, e)| Some((n.clone(), e.task.take()?)))
            .collect();
        let stops = tasks
            .into_iter()
            .map(|(n, t)| async move { Self::stop(&n, t).await });
        futures_util::future::join_all(stops).await;
    }
}

/// Validates a connector config against the worker's properties, providers resolved.
pub fn validate_alone(
    name: &str,
    config: &BTreeMap<String, String>,
    worker: &BTreeMap<String, String>,
) -> Result<Kind, Vec<ConfigError>> {
    parse(name, config, worker).map(|v| v.kind())
}

fn parse(
    name: &str,
    config: &BTreeMap<String, String>,
    worker: &BTreeMap<String, String>,
) -> Result<Validated, Vec<ConfigError>> {
    let mut props = config.clone();
    props.remove("name");
    if let Err(e) = crate::properties::resolve_providers(&mut props) {
        let (key, message) = e.split_once(": ").unwrap_or(("config", &e));
        return Err(vec![ConfigError {
            key: key.to_owned(),
            message: message.to_owned(),
        }]);
    }
    let c = ConnectorConfig {
        name: name.to_owned(),
        props,
    };
    let class = c.class().map(str::to_owned);
    match class.as_deref().and_then(Kind::of) {
        Some(Kind::Sink) => SinkConfig::parse(&c, worker).map(Validated::Sink),
        Some(Kind::Source) => SourceConfig::parse(&c, worker).map(Validated::Source),
        None => Err(vec![ConfigError {
            key: "connector.class".into(),
            message: match class {
                Some(other) => {
                    format!("{other:?} is not provided here; use {SINK_CLASS} or {SOURCE_CLASS}")
                }
                None => "is required".into(),
            },
        }]),
    }
}

enum Validated {
    Sink(SinkConfig),
    Source(SourceConfig),
}

impl Validated {
    fn kind(&self) -> Kind {
        match self {
            Validated::Sink(_) => Kind::Sink,
            Validated::Source(_) => Kind::Source,
        }
    }
}

fn connector_state(name: &str, e: &Entry, worker_id: &str) -> ConnectorState {
    let (state, trace) = match (&e.failure, e.target) {
        (Some(f), _) => ("FAILED", Some(f.clone())),
        (None, TargetState::Started) => ("RUNNING", None),
        (None, TargetState::Paused) => ("PAUSED", None),
        (None, TargetState::Stopped) => ("STOPPED", None),
    };
    ConnectorState {
        name: name.to_owned(),
        kind: e.kind,
        state,
        trace,
        worker_id: worker_id.to_owned(),
        tasks: vec![],
    }
}

fn paused() -> TaskRecord {
    TaskRecord {
        state: "PAUSED".into(),
        trace: None,
        diffusion_connected: false,
        note: None,
    }
}

/// The task this worker holds for a connector, if any: none while stopped, nor for a
/// source in a cluster that another worker runs.
fn local_task(e: &Entry, clustered: bool) -> Option<TaskRecord> {
    match (e.target, &e.task) {
        (TargetState::Stopped, _) => None,
        (TargetState::Paused, _) if clustered && e.kind == Kind::Source => None,
        (TargetState::Paused, _) => Some(paused()),
        (TargetState::Started, Some(t)) if t.is_standby() => None,
        (TargetState::Started, Some(t)) => {
            let s = t.status.borrow();
            let trace = match &s.state {
                TaskState::Failed(why) => Some(why.clone()),
                _ => None,
            };
            Some(TaskRecord {
                state: s.state.name().into(),
                trace,
                diffusion_connected: s.diffusion_connected,
                note: s.note.clone(),
            })
        }
        (TargetState::Started, None) => Some(TaskRecord {
            state: if e.failure.is_some() {
                "FAILED"
            } else {
                "UNASSIGNED"
            }
            .into(),
            trace: e.failure.clone(),
            diffusion_connected: false,
            note: None,
        }),
    }
}

/// Kafka Connect's answers when a sink's offsets cannot be changed (`verb`: alter, reset).
fn offsets_error(name: &str, verb: &str, e: OffsetsError) -> HerderError {
    HerderError::Internal(match e {
        OffsetsError::Busy { .. } => format!(
            "Failed to {verb} consumer group offsets for connector {name} either because its tasks \
             haven't stopped completely yet or the connector was resumed before the request to \
             {verb} its offsets could be successfully completed. If the connector is in a stopped \
             state, this operation can be safely retried. If it doesn't eventually succeed, the \
             Connect cluster may need to be restarted to get rid of the zombie sink tasks. (A \
             stopped sink of a standalone worker stays in its group, a static member, for the \
             consumer's session.timeout.ms.)"
        ),
        OffsetsError::Kafka(why) => {
            format!("Failed to {verb} consumer group offsets for sink connector {name}: {why}")
        }
    })
}

/// Secrets masked, unless the value is a config provider reference (which is no secret).
pub fn masked(config: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    config
        .iter()
        .map(|(k, v)| {
            let shown = if is_sensitive(k) && !v.trim_start().starts_with("${") {
                MASK.to_owned()
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect()
}

/// A config read back from the API and sent again carries the mask: keep the secret.
fn keep_masked_secrets(new: &mut BTreeMap<String, String>, old: &BTreeMap<String, String>) {
    for (k, v) in new.iter_mut() {
        if v == MASK && is_sensitive(k) {
            if let Some(secret) = old.get(k) {
                v.clone_from(secret);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_unless_references_and_survive_a_round_trip() {
        let config: BTreeMap<String, String> = [
            ("diffusion.password".to_owned(), "s3cret".to_owned()),
            ("ssl.key.password".to_owned(), "${env:KEY_PW}".to_owned()),
            ("diffusion.url".to_owned(), "ws://x".to_owned()),
        ]
        .into();
        let shown = masked(&config);
        assert_eq!(shown["diffusion.password"], MASK);
        assert_eq!(shown["ssl.key.password"], "${env:KEY_PW}");
        assert_eq!(shown["diffusion.url"], "ws://x");
        let mut back = shown.clone();
        keep_masked_secrets(&mut back, &config);
        assert_eq!(back, config);
    }
}
