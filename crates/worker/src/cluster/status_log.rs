//! The status topic: every worker writes, under `worker-<id>`, what its tasks are doing,
//! every `heartbeat.interval.ms`; every worker reads all of them. A worker whose latest
//! record is older than `session.timeout.ms` is gone (killed, or cut off), and its tasks
//! are no longer reported; a worker that stops cleanly writes a tombstone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use connectors::kafka::KafkaSettings;
use rdkafka::consumer::StreamConsumer;
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde::{Deserialize, Serialize};

use super::{ClusterError, ClusterSettings};
use crate::herder::Herder;

/// One task as its worker reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub state: crate::herder::State,
    pub trace: Option<String>,
    pub diffusion_connected: bool,
    pub note: Option<String>,
}

/// A worker's record: the connectors it runs a task of, and how each task is doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRecord {
    pub worker_id: String,
    pub tasks: BTreeMap<String, TaskRecord>,
    /// The Kafka topics each connector's task used on this worker (KIP-558).
    #[serde(default)]
    pub active_topics: BTreeMap<String, Vec<String>>,
}

pub struct StatusView {
    workers: Mutex<HashMap<String, (Instant, WorkerRecord)>>,
    /// Keys of the workers live at the last check, to log one vanishing.
    live: Mutex<BTreeSet<String>>,
    /// Set once this worker has said it is leaving: it writes no more records. Writes
    /// take it in turn, so no record can follow the leaving one.
    retired: tokio::sync::Mutex<bool>,
    liveness: Duration,
    producer: FutureProducer,
    topic: String,
    pub worker_id: String,
}

pub struct StatusReader {
    consumer: StreamConsumer,
}

pub async fn open(
    kafka: &KafkaSettings,
    s: &ClusterSettings,
    worker_id: &str,
) -> Result<(Arc<StatusView>, StatusReader), ClusterError> {
    kafka
        .create_topic_with(
            &s.status_topic,
            1,
            s.replication,
            &[("cleanup.policy", "compact")],
        )
        .await
        .map_err(|source| ClusterError::Topic {
            key: "status.storage.topic",
            source,
        })?;
    let producer: FutureProducer = kafka
        .producer()
        .set("linger.ms", "0")
        .create()
        .map_err(ClusterError::kafka("create the status topic's producer"))?;
    let consumer = super::topic_reader(kafka, s, &s.status_topic)?;
    Ok((
        Arc::new(StatusView {
            workers: Mutex::new(HashMap::new()),
            live: Mutex::new(BTreeSet::new()),
            retired: tokio::sync::Mutex::new(false),
            liveness: s.session_timeout,
            producer,
            topic: s.status_topic.clone(),
            worker_id: worker_id.to_owned(),
        }),
        StatusReader { consumer },
    ))
}

impl StatusView {
    /// The other workers heard from within the session timeout, by worker id.
    pub fn others(&self) -> Vec<WorkerRecord> {
        let workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
        let mut live: Vec<WorkerRecord> = workers
            .values()
            .filter(|(seen, r)| seen.elapsed() < self.liveness && r.worker_id != self.worker_id)
            .map(|(_, r)| r.clone())
            .collect();
        live.sort_by(|a, b| a.worker_id.cmp(&b.worker_id));
        live
    }

    /// Notes workers gone silent (killed, or cut off) since the last check, and says who.
    /// Nothing needs doing about them: the broker expires their group memberships after
    /// `session.timeout.ms` and hands their partitions (sinks, source runners) on.
    fn check_departures(&self) -> Vec<String> {
        let now: BTreeSet<String> = {
            let workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
            workers
                .iter()
                .filter(|(_, (seen, r))| {
                    seen.elapsed() < self.liveness && r.worker_id != self.worker_id
                })
                .map(|(k, _)| k.clone())
                .collect()
        };
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let gone: Vec<String> = live.difference(&now).cloned().collect();
        *live = now;
        gone
    }

    fn heard(&self, key: &str, age: Duration, record: Option<WorkerRecord>) {
        let mut workers = self.workers.lock().unwrap_or_else(|p| p.into_inner());
        match record {
            Some(r) => {
                let seen = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
                workers.insert(key.to_owned(), (seen, r));
            }
            None => {
                // Left cleanly: not to be reported as gone silent.
                workers.remove(key);
                self.live
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(key);
            }
        }
    }

    async fn write(&self, value: Option<Vec<u8>>) -> Result<(), KafkaError> {
        let mut retired = self.retired.lock().await;
        if *retired {
            return Ok(());
        }
        *retired = value.is_none();
        let key = format!("worker-{}", self.worker_id);
        let mut r: FutureRecord<'_, String, Vec<u8>> = FutureRecord::to(&self.topic).key(&key);
        if let Some(v) = &value {
            r = r.payload(v);
        }
        self.producer
            .send(r, Duration::from_secs(5))
            .await
            .map(|_| ())
            .map_err(|(e, _)| e)
    }

    /// Tells the cluster this worker left (a clean stop), so nobody waits out its timeout.
    pub async fn retire(&self) {
        if let Err(e) = self.write(None).await {
            tracing::warn!(topic = %self.topic, "could not write this worker's leaving: {e}");
        }
    }
}

impl StatusReader {
    pub async fn follow(self, view: Arc<StatusView>) {
        loop {
            match self.consumer.recv().await {
                Ok(m) => {
                    let Some(key) = m.key().and_then(|k| std::str::from_utf8(k).ok()) else {
                        continue;
                    };
                    let now_ms = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_millis() as i64)
                        .unwrap_or(0);
                    let age = m
                        .timestamp()
                        .to_millis()
                        .map(|ts| Duration::from_millis(now_ms.saturating_sub(ts).max(0) as u64))
                        .unwrap_or_default();
                    let record = match m.payload() {
                        None => None,
                        Some(p) => match serde_json::from_slice::<WorkerRecord>(p) {
                            Ok(r) => Some(r),
                            Err(e) => {
                                tracing::warn!(key, "skipped a status record: {e}");
                                continue;
                            }
                        },
                    };
                    view.heard(key, age, record);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "status topic read error");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// Writes this worker's record every `every`, for as long as the worker runs.
pub async fn publish(view: Arc<StatusView>, herder: Arc<Herder>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    let mut failing = false;
    loop {
        tick.tick().await;
        let record = WorkerRecord {
            worker_id: view.worker_id.clone(),
            tasks: herder.local_tasks().await,
            active_topics: herder.local_active_topics().await,
        };
        let value = serde_json::to_vec(&record).ok();

        for gone in view.check_departures() {
            tracing::warn!(worker = %gone.trim_start_matches("worker-"),
                "a worker went silent without leaving; its sink partitions and sources move to the live workers");
        }
        match view.write(value).await {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(topic = %view.topic, "cannot write this worker's status: {e}");
            }
            Err(_) => {}
        }
    }
}
