//! The herder (Kafka Connect's name for it): the worker's connectors, their configs and
//! target states, and their running tasks. The REST API, standalone files and the
//! persisted store all go through it, so each connector has one source of truth.
//!
//! Each connector runs one task (task 0): a Diffusion topic selector cannot be split and a
//! sink's order per Diffusion topic needs one ordered stream. Pausing stops the task
//! gracefully (a sink commits what Diffusion confirmed; a source's consumer-less
//! subscription ends, so updates while paused are not read) and resuming starts it again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use connectors::config::is_sensitive;
use connectors::config::Topics;
use connectors::kafka::KafkaSettings;
use connectors::sink::SinkMetrics;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{
    ConfigError, ConnectorConfig, SinkConfig, SourceConfig, TaskState, TaskStatus, SINK_CLASS,
    SOURCE_CLASS,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::{watch, Mutex};

use crate::config_store::{ConfigStore, StoredConnector, TargetState};

/// What the API answers with when a secret is not shown.
pub const MASK: &str = "[hidden]";

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
    join: tokio::task::JoinHandle<Result<(), String>>,
    status: watch::Receiver<TaskStatus>,
    metrics: TaskMetrics,
}

struct Entry {
    /// As given (provider references unresolved).
    config: BTreeMap<String, String>,
    kind: Kind,
    target: TargetState,
    task: Option<Task>,
    /// Why the connector could not be started (e.g. a secret's variable is gone).
    failure: Option<String>,
}

/// One connector's state as the status endpoint reports it.
#[derive(Debug, Clone)]
pub struct ConnectorState {
    pub name: String,
    pub kind: Kind,
    pub state: &'static str,
    pub trace: Option<String>,
    /// Task 0, unless the connector is stopped.
    pub task: Option<TaskReport>,
}

#[derive(Debug, Clone)]
pub struct TaskReport {
    pub state: &'static str,
    pub trace: Option<String>,
    pub diffusion_connected: bool,
    pub note: Option<String>,
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
    pub worker_id: String,
}

/// How long a stopping task may take to confirm and commit what is in flight.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

impl Herder {
    pub fn new(
        kafka: KafkaSettings,
        worker: BTreeMap<String, String>,
        store: Option<ConfigStore>,
        worker_id: String,
    ) -> Herder {
        Herder {
            connectors: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(()),
            kafka,
            worker,
            store,
            worker_id,
        }
    }

    /// Starts the connectors the store remembers, each in its target state; one that no
    /// longer validates is reported FAILED with the reason rather than stopping the worker.
    pub async fn restore(&self) -> Result<usize, String> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let stored = store.load()?;
        let _change = self.changes.lock().await;
        let mut map = self.connectors.lock().await;
        for (name, s) in &stored {
            let kind = s
                .config
                .get("connector.class")
                .and_then(|c| Kind::of(c))
                .unwrap_or(Kind::Sink);
            let mut entry = Entry {
                config: s.config.clone(),
                kind,
                target: s.target_state,
                task: None,
                failure: None,
            };
            if entry.target == TargetState::Started {
                if let Err(e) = self.start_task(name, &mut entry) {
                    tracing::error!(connector = %name, "cannot start: {e}");
                    entry.failure = Some(e);
                }
            }
            map.insert(name.clone(), entry);
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
        let (handle, status) = StatusHandle::new();
        let (join, metrics) = match validated {
            Validated::Sink(config) => {
                let m = Arc::new(SinkMetrics::default());
                let run =
                    connectors::run_sink(config, self.kafka.clone(), handle, stop_rx, m.clone());
                (tokio::spawn(run), TaskMetrics::Sink(m))
            }
            Validated::Source(config) => {
                let m = Arc::new(SourceMetrics::default());
                let run =
                    connectors::run_source(config, self.kafka.clone(), handle, stop_rx, m.clone());
                (tokio::spawn(run), TaskMetrics::Source(m))
            }
        };
        tracing::info!(connector = %name, kind = entry.kind.name(), "task 0 started");
        entry.failure = None;
        entry.task = Some(Task {
            stop,
            join,
            status,
            metrics,
        });
        Ok(())
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
    pub async fn put(
        &self,
        name: &str,
        mut config: BTreeMap<String, String>,
        must_be_new: bool,
    ) -> Result<bool, HerderError> {
        if name.trim().is_empty() {
            return Err(HerderError::BadRequest(
                "Connector name must not be empty".into(),
            ));
        }
        let _change = self.changes.lock().await;
        let exists = {
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
            existing.is_some()
        };
        config.insert("name".into(), name.to_owned());
        let kind = self.validate(name, &config).map_err(HerderError::Invalid)?;
        if exists {
            self.stop_task_of(name).await;
        }
        let mut map = self.connectors.lock().await;
        let created = match map.get_mut(name) {
            Some(entry) => {
                entry.config = config;
                entry.kind = kind;
                entry.failure = None;
                if entry.target == TargetState::Started {
                    self.start_task(name, entry)
                        .map_err(HerderError::Internal)?;
                }
                tracing::info!(connector = %name, "config updated");
                false
            }
            None => {
                let mut entry = Entry {
                    config,
                    kind,
                    target: TargetState::Started,
                    task: None,
                    failure: None,
                };
                self.start_task(name, &mut entry)
                    .map_err(HerderError::Internal)?;
                map.insert(name.to_owned(), entry);
                tracing::info!(connector = %name, "created");
                true
            }
        };
        self.persist(&map)?;
        Ok(created)
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
        self.put(name, config, false).await.map(|_| ())
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

    /// Whether task 0 exists (it does not while the connector is STOPPED).
    pub async fn has_task(&self, name: &str) -> Result<bool, HerderError> {
        let map = self.connectors.lock().await;
        let e = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
        Ok(e.target != TargetState::Stopped)
    }

    pub async fn delete(&self, name: &str) -> Result<(), HerderError> {
        let _change = self.changes.lock().await;
        if !self.connectors.lock().await.contains_key(name) {
            return Err(HerderError::not_found(name));
        }
        self.stop_task_of(name).await;
        let mut map = self.connectors.lock().await;
        map.remove(name);
        self.persist(&map)?;
        tracing::info!(connector = %name, "deleted");
        Ok(())
    }

    /// Pause, resume or stop: the task stops or starts to match.
    pub async fn set_target(&self, name: &str, target: TargetState) -> Result<(), HerderError> {
        let _change = self.changes.lock().await;
        {
            let mut map = self.connectors.lock().await;
            let entry = map
                .get_mut(name)
                .ok_or_else(|| HerderError::not_found(name))?;
            if entry.target == target {
                return Ok(());
            }
            entry.target = target;
            if target == TargetState::Started && entry.task.is_none() {
                if let Err(e) = self.start_task(name, entry) {
                    entry.failure = Some(e);
                }
            }
            self.persist(&map)?;
        }
        if target != TargetState::Started {
            self.stop_task_of(name).await;
        }
        tracing::info!(connector = %name, ?target, "target state changed");
        Ok(())
    }

    /// Restarts task 0 (when `only_failed`, only if it failed).
    pub async fn restart(&self, name: &str, only_failed: bool) -> Result<(), HerderError> {
        let _change = self.changes.lock().await;
        {
            let map = self.connectors.lock().await;
            let entry = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
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
            if let Err(e) = self.start_task(name, entry) {
                entry.failure = Some(e);
            }
        }
        tracing::info!(connector = %name, "restarted");
        Ok(())
    }

    pub async fn state(&self, name: &str) -> Result<ConnectorState, HerderError> {
        let map = self.connectors.lock().await;
        let e = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
        Ok(state_of(name, e))
    }

    /// The committed offsets of a sink's consumer group, per topic partition it reads.
    pub async fn sink_offsets(&self, name: &str) -> Result<Vec<(String, i32, i64)>, HerderError> {
        let config = self.raw_config(name).await?;
        let Validated::Sink(sink) = self.parse(name, &config).map_err(HerderError::Invalid)? else {
            return Ok(vec![]);
        };
        let mut cc = self.kafka.consumer(&format!("connect-{name}"));
        // Only reading the group's commits: never a member of it.
        cc.remove("group.instance.id");
        let read = move || -> Result<Vec<(String, i32, i64)>, String> {
            let c: BaseConsumer = cc.create().map_err(|e| e.to_string())?;
            let md = c
                .fetch_metadata(None, Duration::from_secs(10))
                .map_err(|e| e.to_string())?;
            let re = match &sink.topics {
                Topics::Regex(r) => {
                    Some(regex::Regex::new(&format!("^(?:{})$", r)).map_err(|e| e.to_string())?)
                }
                Topics::List(_) => None,
            };
            let mut tpl = TopicPartitionList::new();
            for t in md.topics() {
                let wanted = match (&sink.topics, &re) {
                    (Topics::List(list), _) => list.iter().any(|l| l == t.name()),
                    (_, Some(re)) => re.is_match(t.name()),
                    _ => false,
                };
                if wanted {
                    for p in t.partitions() {
                        tpl.add_partition(t.name(), p.id());
                    }
                }
            }
            let committed = c
                .committed_offsets(tpl, Duration::from_secs(10))
                .map_err(|e| e.to_string())?;
            Ok(committed
                .elements()
                .iter()
                .filter_map(|e| match e.offset() {
                    Offset::Offset(o) => Some((e.topic().to_owned(), e.partition(), o)),
                    _ => None,
                })
                .collect())
        };
        tokio::task::spawn_blocking(read)
            .await
            .map_err(|e| HerderError::Internal(e.to_string()))?
            .map_err(|e| {
                HerderError::Internal(format!("cannot read the committed offsets from Kafka: {e}"))
            })
    }

    pub async fn snapshot(&self) -> Vec<TaskSnapshot> {
        let map = self.connectors.lock().await;
        map.iter()
            .filter_map(|(n, e)| {
                let t = e.task.as_ref()?;
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

fn state_of(name: &str, e: &Entry) -> ConnectorState {
    let (state, trace) = match (&e.failure, e.target) {
        (Some(f), _) => ("FAILED", Some(f.clone())),
        (None, TargetState::Started) => ("RUNNING", None),
        (None, TargetState::Paused) => ("PAUSED", None),
        (None, TargetState::Stopped) => ("STOPPED", None),
    };
    let task = match (e.target, &e.task) {
        (TargetState::Stopped, _) => None,
        (TargetState::Paused, _) => Some(TaskReport {
            state: "PAUSED",
            trace: None,
            diffusion_connected: false,
            note: None,
        }),
        (TargetState::Started, Some(t)) => {
            let s = t.status.borrow();
            let trace = match &s.state {
                TaskState::Failed(why) => Some(why.clone()),
                _ => None,
            };
            Some(TaskReport {
                state: s.state.name(),
                trace,
                diffusion_connected: s.diffusion_connected,
                note: s.note.clone(),
            })
        }
        (TargetState::Started, None) => Some(TaskReport {
            state: if e.failure.is_some() {
                "FAILED"
            } else {
                "UNASSIGNED"
            },
            trace: e.failure.clone(),
            diffusion_connected: false,
            note: None,
        }),
    };
    ConnectorState {
        name: name.to_owned(),
        kind: e.kind,
        state,
        trace,
        task,
    }
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
