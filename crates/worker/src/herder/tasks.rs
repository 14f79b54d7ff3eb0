//! Starting and stopping a connector's task on this worker: a sink's consumer task, a
//! source's task (alone, or elected in a cluster), each reporting into its status.

use std::sync::Arc;
use std::time::Duration;

use connectors::sink::SinkMetrics;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{SinkConfig, SourceConfig, TaskState, TaskStatus};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::kind::Validated;
use super::{Entry, Herder};

/// A task's counters, for the metrics endpoint and the live page.
#[derive(Clone)]
pub enum TaskMetrics {
    /// A sink's.
    Sink(Arc<SinkMetrics>),
    /// A source's.
    Source(Arc<SourceMetrics>),
}

/// A connector's running task on this worker.
pub(super) struct Task {
    stop: watch::Sender<bool>,
    /// The task; its failure is in its status already.
    join: JoinHandle<()>,
    pub(super) status: watch::Receiver<TaskStatus>,
    pub(super) metrics: TaskMetrics,
    /// A source in a cluster: true while another worker runs it and this one waits.
    standby: Option<watch::Receiver<bool>>,
}

impl Task {
    pub(super) fn is_standby(&self) -> bool {
        self.standby.as_ref().is_some_and(|s| *s.borrow())
    }
}

/// How long a stopping task may take to confirm and commit what is in flight.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

impl Herder {
    fn start_task(&self, name: &str, entry: &mut Entry) -> Result<(), String> {
        let validated = self.parse(name, &entry.config).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            format!("invalid config: {}", list.join("; "))
        })?;
        let (handle, status) = StatusHandle::with_topics(entry.topics.clone());
        let task = match validated {
            Validated::Sink(config) => self.start_sink(config, handle, status),
            Validated::Source(config) => self.start_source(name, config, handle, status),
        };
        tracing::info!(connector = %name, kind = entry.kind.name(), "task started");
        entry.failure = None;
        entry.task = Some(task);
        Ok(())
    }

    /// A sink's task. In a cluster too: the sink's consumer group spreads the partitions
    /// over the workers, and Kafka moves a dead worker's to the others.
    fn start_sink(
        &self,
        config: SinkConfig,
        handle: StatusHandle,
        status: watch::Receiver<TaskStatus>,
    ) -> Task {
        let (stop, stop_rx) = watch::channel(false);
        let metrics = Arc::new(SinkMetrics::default());
        let run =
            connectors::run_sink(config, self.kafka.clone(), handle, stop_rx, metrics.clone());
        Task {
            stop,
            join: tokio::spawn(async move {
                let _ = run.await;
            }),
            status,
            metrics: TaskMetrics::Sink(metrics),
            standby: None,
        }
    }

    /// A source's task: here, or in a cluster on the one worker elected to run it (the
    /// others stand by).
    fn start_source(
        &self,
        name: &str,
        config: SourceConfig,
        handle: StatusHandle,
        status: watch::Receiver<TaskStatus>,
    ) -> Task {
        let (stop, stop_rx) = watch::channel(false);
        let metrics = Arc::new(SourceMetrics::default());
        let Some(c) = &self.cluster else {
            let run = connectors::run_source(
                config,
                self.kafka.clone(),
                handle,
                stop_rx,
                metrics.clone(),
                Some(self.offsets.clone()),
            );
            return Task {
                stop,
                join: tokio::spawn(async move {
                    let _ = run.await;
                }),
                status,
                metrics: TaskMetrics::Source(metrics),
                standby: None,
            };
        };
        let (standby_tx, standby_rx) = watch::channel(false);
        let (kafka, task_metrics) = (self.kafka.clone(), metrics.clone());
        let offsets = self.offsets.clone();
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
                    task_metrics.clone(),
                    Some(offsets.clone()),
                )
            },
        );
        Task {
            stop,
            join: tokio::spawn(async move {
                if let Err(e) = run.await {
                    report.set_state(TaskState::Failed(e.to_string()));
                }
            }),
            status,
            metrics: TaskMetrics::Source(metrics),
            standby: Some(standby_rx),
        }
    }

    /// Starts the task, or records why it cannot start (reported as FAILED).
    pub(super) fn start_or_fail(&self, name: &str, entry: &mut Entry) {
        if let Err(e) = self.start_task(name, entry) {
            tracing::error!(connector = %name, "cannot start: {e}");
            entry.failure = Some(e);
        }
    }

    /// Stops a task gracefully: it confirms and commits what is in flight, within a bound.
    pub(super) async fn stop(name: &str, task: Task) {
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
    pub(super) async fn stop_task_of(&self, name: &str) {
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
}
