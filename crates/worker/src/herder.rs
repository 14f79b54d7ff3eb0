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

mod error;
mod kind;
mod offsets;
mod secrets;
mod status;
mod tasks;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use connectors::active_topics::ActiveTopics;
use connectors::kafka::KafkaSettings;
use connectors::source_offsets::OffsetStore;
use connectors::{ConfigError, TaskState};
use tokio::sync::{Mutex, MutexGuard};

pub use error::HerderError;
pub use kind::{validate_alone, Kind};
pub use secrets::masked;
pub use status::{ConnectorState, State, TaskReport, TaskSnapshot};
pub use tasks::TaskMetrics;

use crate::cluster::config_log::{ConfigLog, ConfigRecord};
use crate::cluster::status_log::{StatusView, TaskRecord};
use crate::cluster::ClusterSettings;
use crate::config_store::{ConfigStore, StoredConnector, TargetState};
use kind::{parse, Validated};
use secrets::keep_masked_secrets;
use status::{connector_state, local_task, paused};
use tasks::Task;

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

/// A change under way: alone, `changes` is held from the checks to the apply, so changes
/// happen one at a time; in a cluster nothing is held (see [`Herder::submit`]).
struct Change<'a>(#[allow(dead_code)] Option<MutexGuard<'a, ()>>);

/// The worker's connectors: the one place they are created, changed, started and stopped.
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
    /// Where sources keep their offsets (a file, memory, or the offsets topic).
    offsets: Arc<dyn OffsetStore>,
    pub worker_id: String,
}

impl Herder {
    pub fn new(
        kafka: KafkaSettings,
        worker: BTreeMap<String, String>,
        store: Option<ConfigStore>,
        cluster: Option<ClusterLink>,
        offsets: Arc<dyn OffsetStore>,
        worker_id: String,
    ) -> Herder {
        Herder {
            connectors: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(()),
            kafka,
            worker,
            store,
            cluster,
            offsets,
            worker_id,
        }
    }

    pub fn cluster(&self) -> Option<&ClusterLink> {
        self.cluster.as_ref()
    }

    /// Starts the connectors the store remembers, each in its target state; one that no
    /// longer validates is reported FAILED with the reason rather than stopping the worker.
    pub async fn restore(&self) -> Result<usize, HerderError> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let stored = store.load()?;
        let _change = self.changes.lock().await;
        for (name, s) in &stored {
            self.apply_connector(name, s.config.clone(), s.target_state)
                .await?;
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
        Ok(store.save(&stored)?)
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
        let change = self.begin().await;
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
        let record = ConfigRecord::Connector {
            name: name.to_owned(),
            config,
            target,
        };
        self.submit(&change, record).await?;
        tracing::info!(connector = %name, "{}", if created { "created" } else { "config updated" });
        Ok(created)
    }

    /// Begins a change. Alone, `changes` is held until the change is applied, so its
    /// checks and its effect are one step. In a cluster the change is applied when read
    /// back from the config topic, under `changes`: holding it here would wait for ourselves.
    async fn begin(&self) -> Change<'_> {
        Change(match self.cluster {
            None => Some(self.changes.lock().await),
            Some(_) => None,
        })
    }

    /// Makes a change begun with [`Herder::begin`]: in a cluster it is appended to the
    /// config topic, and every worker (this one included) applies it as it reads it back,
    /// in the same order everywhere; alone it is applied here at once.
    async fn submit(&self, _change: &Change<'_>, record: ConfigRecord) -> Result<(), HerderError> {
        match &self.cluster {
            Some(c) => Ok(c.log.write(&record).await?),
            None => self.apply_record(record, true).await,
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
        if let Err(e) = self.apply_record(record, live).await {
            tracing::error!("cannot apply a config topic record: {e}");
        }
    }

    /// Applies a change, read back from the config topic or made alone. The caller holds
    /// `changes`.
    async fn apply_record(&self, record: ConfigRecord, live: bool) -> Result<(), HerderError> {
        match record {
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

    /// Deletes a connector (its task stopped first).
    pub async fn delete(&self, name: &str) -> Result<(), HerderError> {
        let change = self.begin().await;
        if !self.connectors.lock().await.contains_key(name) {
            return Err(HerderError::not_found(name));
        }
        let record = ConfigRecord::Deleted {
            name: name.to_owned(),
        };
        self.submit(&change, record).await
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
        let change = self.begin().await;
        let config = {
            let map = self.connectors.lock().await;
            let entry = map.get(name).ok_or_else(|| HerderError::not_found(name))?;
            if entry.target == target {
                return Ok(());
            }
            entry.config.clone()
        };
        let record = ConfigRecord::Connector {
            name: name.to_owned(),
            config,
            target,
        };
        self.submit(&change, record).await?;
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
        let change = self.begin().await;
        if !self.connectors.lock().await.contains_key(name) {
            return Err(HerderError::not_found(name));
        }
        let record = ConfigRecord::Restart {
            name: name.to_owned(),
            only_failed,
            worker,
        };
        self.submit(&change, record).await
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
        let change = self.begin().await;
        let record = ConfigRecord::TopicsReset {
            name: name.to_owned(),
        };
        self.submit(&change, record).await
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

    pub async fn snapshot(&self) -> Vec<TaskSnapshot> {
        let map = self.connectors.lock().await;
        map.iter()
            .filter_map(|(n, e)| {
                let t = e.task.as_ref().filter(|t| !t.is_standby())?;
                let s = t.status.borrow();
                Some(TaskSnapshot {
                    connector: n.clone(),
                    state: State::of(&s.state),
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
