//! The config topic: connector configs, target states and restart requests as records, the
//! one ordered history every worker of the cluster applies.
//!
//! Keys are `connector-<name>` (value: config and target state; a tombstone deletes) and
//! `restart-<name>` (acted on only by workers reading it live, never replayed on start).
//! The values are our own JSON, not Kafka Connect's internal format: do not share the topic
//! with a Java Connect cluster.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use connectors::kafka::KafkaSettings;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::ClusterError;
use super::ClusterSettings;
use crate::config_store::TargetState;
use crate::herder::Herder;

/// How long a REST write waits for its record to come back through the topic (longer
/// than a task may take to stop, which applying a change can involve).
const READ_BACK_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq)]
pub enum ConfigRecord {
    Connector {
        name: String,
        config: BTreeMap<String, String>,
        target: TargetState,
    },
    Deleted {
        name: String,
    },
    /// Restart the connector's tasks: on every worker, or on `worker` only.
    Restart {
        name: String,
        only_failed: bool,
        worker: Option<String>,
    },
    /// Empty the connector's active topics (KIP-558) on every worker.
    TopicsReset {
        name: String,
    },
}

#[derive(Serialize, Deserialize)]
struct ConnectorValue {
    /// As given: config provider references stay references.
    config: BTreeMap<String, String>,
    target: TargetState,
}

#[derive(Serialize, Deserialize)]
struct RestartValue {
    only_failed: bool,
    worker: Option<String>,
}

impl ConfigRecord {
    fn encode(&self) -> (String, Option<Vec<u8>>) {
        // Serialising maps of strings and enums cannot fail.
        match self {
            ConfigRecord::Connector {
                name,
                config,
                target,
            } => (
                format!("connector-{name}"),
                serde_json::to_vec(&ConnectorValue {
                    config: config.clone(),
                    target: *target,
                })
                .ok(),
            ),
            ConfigRecord::Deleted { name } => (format!("connector-{name}"), None),
            // A value, not a tombstone, so compaction keeps the latest one.
            ConfigRecord::TopicsReset { name } => {
                (format!("topics-reset-{name}"), Some(b"{}".to_vec()))
            }
            ConfigRecord::Restart {
                name,
                only_failed,
                worker,
            } => (
                format!("restart-{name}"),
                serde_json::to_vec(&RestartValue {
                    only_failed: *only_failed,
                    worker: worker.clone(),
                })
                .ok(),
            ),
        }
    }

    fn decode(key: &[u8], value: Option<&[u8]>) -> Result<ConfigRecord, String> {
        let key_text = std::str::from_utf8(key).unwrap_or_default();
        if let Some(name) = key_text.strip_prefix("topics-reset-") {
            return Ok(ConfigRecord::TopicsReset {
                name: name.to_owned(),
            });
        }
        let key = std::str::from_utf8(key).map_err(|_| "key is not UTF-8".to_owned())?;
        if let Some(name) = key.strip_prefix("connector-") {
            let name = name.to_owned();
            return match value {
                None => Ok(ConfigRecord::Deleted { name }),
                Some(v) => {
                    let v: ConnectorValue =
                        serde_json::from_slice(v).map_err(|e| format!("{key}: {e}"))?;
                    Ok(ConfigRecord::Connector {
                        name,
                        config: v.config,
                        target: v.target,
                    })
                }
            };
        }
        if let Some(name) = key.strip_prefix("restart-") {
            let v: RestartValue = serde_json::from_slice(value.unwrap_or(b"null"))
                .map_err(|e| format!("{key}: {e}"))?;
            return Ok(ConfigRecord::Restart {
                name: name.to_owned(),
                only_failed: v.only_failed,
                worker: v.worker,
            });
        }
        Err(format!("{key}: not a record this worker knows"))
    }
}

/// The writing side, held by the herder.
pub struct ConfigLog {
    producer: FutureProducer,
    topic: String,
    /// The offset of the last record this worker applied.
    applied: watch::Receiver<i64>,
}

/// The reading side: applies every record to the herder, in order.
pub struct ConfigReader {
    consumer: StreamConsumer,
    topic: String,
    applied: watch::Sender<i64>,
}

pub async fn open(
    kafka: &KafkaSettings,
    s: &ClusterSettings,
) -> Result<(ConfigLog, ConfigReader), ClusterError> {
    let compact = [("cleanup.policy", "compact")];
    kafka
        .create_topic_with(&s.config_topic, 1, s.replication, &compact)
        .await
        .map_err(|source| ClusterError::Topic {
            key: "config.storage.topic",
            source,
        })?;
    let producer: FutureProducer = kafka
        .producer()
        .set("linger.ms", "0")
        .create()
        .map_err(ClusterError::kafka("create the config topic's producer"))?;
    let consumer = super::topic_reader(kafka, s, &s.config_topic)?;
    let (tx, rx) = watch::channel(-1);
    Ok((
        ConfigLog {
            producer,
            topic: s.config_topic.clone(),
            applied: rx,
        },
        ConfigReader {
            consumer,
            topic: s.config_topic.clone(),
            applied: tx,
        },
    ))
}

impl ConfigLog {
    /// Appends a record and waits until this worker has applied it, so that the REST call
    /// that caused it sees its effect.
    pub async fn write(&self, record: &ConfigRecord) -> Result<(), ClusterError> {
        let (key, value) = record.encode();
        let mut r: FutureRecord<'_, String, Vec<u8>> = FutureRecord::to(&self.topic).key(&key);
        if let Some(v) = &value {
            r = r.payload(v);
        }
        let delivery = self
            .producer
            .send(r, Duration::from_secs(10))
            .await
            .map_err(|(source, _)| ClusterError::Kafka {
                what: format!("write to the config topic {}", self.topic),
                source,
            })?;
        let mut applied = self.applied.clone();
        tokio::time::timeout(
            READ_BACK_TIMEOUT,
            applied.wait_for(|o| *o >= delivery.offset),
        )
        .await
        .map_err(|_| ClusterError::NotReadBack {
            topic: self.topic.clone(),
            after: READ_BACK_TIMEOUT,
        })?
        .map_err(|_| ClusterError::ReaderStopped)?;
        Ok(())
    }
}

impl ConfigReader {
    /// Applies what the topic holds now, before the worker serves its API: the cluster's
    /// connectors start here. Restart requests from the past are skipped.
    pub async fn catch_up(&mut self, herder: &Herder) -> Result<usize, ClusterError> {
        let (consumer, topic) = (&self.consumer, self.topic.clone());
        let (_, high) = tokio::task::block_in_place(|| {
            consumer.fetch_watermarks(&topic, 0, Duration::from_secs(30))
        })
        .map_err(ClusterError::kafka(format!("read the end of {topic}")))?;
        let mut n = 0;
        while *self.applied.borrow() < high - 1 {
            let m = self
                .consumer
                .recv()
                .await
                .map_err(ClusterError::kafka(format!("read {topic}")))?;
            n += self.apply(&m, herder, false).await as usize;
        }
        Ok(n)
    }

    /// Applies records as they come, for as long as the worker runs.
    pub async fn follow(self, herder: Arc<Herder>) {
        loop {
            match self.consumer.recv().await {
                Ok(m) => {
                    self.apply(&m, &herder, true).await;
                }
                Err(e) => {
                    tracing::warn!(topic = %self.topic, error = %e, "config topic read error");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn apply(
        &self,
        m: &rdkafka::message::BorrowedMessage<'_>,
        herder: &Herder,
        live: bool,
    ) -> bool {
        let applied = match ConfigRecord::decode(m.key().unwrap_or_default(), m.payload()) {
            Ok(record) => {
                herder.apply(record, live).await;
                true
            }
            Err(e) => {
                tracing::warn!(topic = %self.topic, offset = m.offset(), "skipped a config record: {e}");
                false
            }
        };
        self.applied.send_replace(m.offset());
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let records = [
            ConfigRecord::Connector {
                name: "s 1".into(),
                config: [("topics".to_owned(), "a".to_owned())].into(),
                target: TargetState::Paused,
            },
            ConfigRecord::Deleted { name: "s 1".into() },
            ConfigRecord::Restart {
                name: "x".into(),
                only_failed: true,
                worker: Some("h:8083".into()),
            },
        ];
        for r in records {
            let (key, value) = r.encode();
            assert_eq!(
                ConfigRecord::decode(key.as_bytes(), value.as_deref()).unwrap(),
                r
            );
        }
        assert!(ConfigRecord::decode(b"session-key", Some(b"{}")).is_err());
        assert!(ConfigRecord::decode(b"connector-x", Some(b"not json")).is_err());
    }
}
