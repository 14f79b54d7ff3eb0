//! Who runs a source connector: a Diffusion selector cannot be split, so one worker of the
//! cluster runs it. Each worker joins a consumer group over a one-partition topic made for
//! that source; the member Kafka assigns partition 0 to runs the task. When that worker
//! dies, the broker expires it after `session.timeout.ms` and assigns the partition to
//! another member, which starts the source (its subscription delivers every topic's current
//! value again, so nothing published meanwhile is missed).
//!
//! The cooperative-sticky assignor keeps partition 0 where it is while its owner lives, so
//! a worker joining or leaving the cluster does not move a running source (a move would
//! re-subscribe elsewhere and send Kafka every topic's current value again).

use std::future::Future;
use std::time::Duration;

use connectors::kafka::{KafkaSettings, TopicError};
use connectors::TaskError;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use tokio::sync::watch;

use super::{topic_name, ClusterSettings};

/// Why this worker can no longer take part in choosing a source's runner, or why the
/// source it ran failed.
#[derive(Debug, thiserror::Error)]
pub enum ElectionError {
    /// The runner topic is missing and could not be created.
    #[error(transparent)]
    Topic(#[from] TopicError),
    /// The runner group's consumer could not be created or subscribed.
    #[error("cannot join the runner group {topic}: {source}")]
    Join {
        /// The runner topic (also the group's name).
        topic: String,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// The thread that follows the group could not be started.
    #[error("cannot start the runner group's thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The thread that follows the group ended while the connector runs.
    #[error("the runner group's thread ended")]
    ThreadEnded,
    /// The source task failed on this worker (boxed: it is large and rare).
    #[error(transparent)]
    Task(#[from] Box<TaskError>),
    /// The source task panicked or was cancelled.
    #[error("the source task ended abnormally: {0}")]
    Aborted(#[source] tokio::task::JoinError),
}

/// The topic and group through which a source's runner is chosen.
pub fn runner_topic(s: &ClusterSettings, connector: &str) -> String {
    topic_name(&format!("{}.source-runner.{connector}", s.group_id))
}

/// Follows this worker's membership of the runner group on a thread of its own (a
/// consumer must be polled to take part), and tells whether it owns partition 0.
fn leadership(
    kafka: &KafkaSettings,
    s: &ClusterSettings,
    topic: &str,
    mut stop: watch::Receiver<bool>,
) -> Result<watch::Receiver<bool>, ElectionError> {
    let mut cc = kafka.consumer(topic);
    cc.remove("group.instance.id");
    cc.set(
        "session.timeout.ms",
        s.session_timeout.as_millis().to_string(),
    )
    .set("heartbeat.interval.ms", s.heartbeat.as_millis().to_string())
    .set("partition.assignment.strategy", "cooperative-sticky");
    let joining = |source| ElectionError::Join {
        topic: topic.to_owned(),
        source,
    };
    let consumer: BaseConsumer = cc.create().map_err(joining)?;
    consumer.subscribe(&[topic]).map_err(joining)?;
    let (tx, rx) = watch::channel(false);
    let topic = topic.to_owned();
    std::thread::Builder::new()
        .name("source-runner".into())
        .spawn(move || {
            while !*stop.borrow_and_update() && !tx.is_closed() {
                // Nothing is ever written there: polling serves the group's rebalances.
                let _ = consumer.poll(Duration::from_millis(200));
                let owns = consumer
                    .assignment()
                    .is_ok_and(|a| a.find_partition(&topic, 0).is_some());
                if tx.send_if_modified(|l| std::mem::replace(l, owns) != owns) {
                    tracing::debug!(topic = %topic, owns, "runner group assignment changed");
                }
            }
            // Dropping the consumer leaves the group: a standby takes over at once.
            drop(consumer);
        })
        .map_err(ElectionError::Thread)?;
    Ok(rx)
}

/// Runs `task` while this worker is the source's runner, until `stop`. `standby` says
/// whether this worker is waiting rather than running. A task that fails ends this too
/// (reported FAILED as on any worker; a restart request tries again).
pub async fn run_elected<F, Fut>(
    kafka: KafkaSettings,
    settings: ClusterSettings,
    connector: String,
    mut stop: watch::Receiver<bool>,
    standby: watch::Sender<bool>,
    mut task: F,
) -> Result<(), ElectionError>
where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
{
    let topic = runner_topic(&settings, &connector);
    kafka
        .create_topic_if_missing(&topic, 1, settings.replication)
        .await?;
    let mut leader = leadership(&kafka, &settings, &topic, stop.clone())?;
    loop {
        standby.send_replace(true);
        tokio::select! {
            r = async { leader.wait_for(|l| *l).await.map(|_| ()) } => if r.is_err() { return Err(ElectionError::ThreadEnded) },
            _ = async { stop.wait_for(|s| *s).await.map(|_| ()) } => return Ok(()),
        }
        standby.send_replace(false);
        tracing::info!(connector = %connector, "this worker runs the source");
        let (task_stop, task_stop_rx) = watch::channel(false);
        let mut running = tokio::spawn(task(task_stop_rx));
        tokio::select! {
            r = &mut running => return ended(r),
            _ = async { leader.wait_for(|l| !*l).await.map(|_| ()) } => {
                tracing::warn!(connector = %connector, "another worker runs the source now; stopping here");
                let _ = task_stop.send(true);
                let _ = running.await;
            }
            _ = async { stop.wait_for(|s| *s).await.map(|_| ()) } => {
                let _ = task_stop.send(true);
                return ended(running.await);
            }
        }
    }
}

fn ended(r: Result<Result<(), TaskError>, tokio::task::JoinError>) -> Result<(), ElectionError> {
    match r {
        Ok(r) => r.map_err(|e| ElectionError::Task(Box::new(e))),
        Err(e) => Err(ElectionError::Aborted(e)),
    }
}
