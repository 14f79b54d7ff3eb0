//! Distributed mode: several workers form one Connect cluster, and Kafka is the only thing
//! they share. There is no cluster manager of our own:
//!
//! - Connector configs and target states are records in a compacted config topic
//!   (`config.storage.topic`). A REST write on any worker appends a record and answers once
//!   that worker has read it back; every worker applies the same records in the same order,
//!   so every worker holds the same connectors.
//! - A sink runs one task on every worker, all in the connector's consumer group
//!   (`connect-<name>`): Kafka's group protocol spreads the partitions and moves them when a
//!   worker leaves or dies.
//! - A source runs on exactly one worker: each worker joins a per-source consumer group over
//!   a one-partition topic, and the member that owns partition 0 runs it
//!   ([`election`]). When it dies the broker expires it after `session.timeout.ms` and
//!   another member is given the partition.
//! - Each worker writes its tasks' states to the compacted status topic
//!   (`status.storage.topic`) every `heartbeat.interval.ms`; any worker's REST API reports
//!   the cluster from what it reads there ([`status_log`]).

pub mod config_log;
pub mod election;
pub mod status_log;

use std::collections::BTreeMap;
use std::time::Duration;

use connectors::kafka::{KafkaSettings, TopicError};
use connectors::keys::{Importance::*, Key, Reader, Rule};
use connectors::ConfigError;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};

/// The worker properties of distributed mode (Kafka Connect's names and defaults).
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    /// `group.id`: the cluster's name; every internal group and topic derives from it.
    pub group_id: String,
    pub config_topic: String,
    pub offset_topic: String,
    pub status_topic: String,
    /// `*.storage.replication.factor`; -1 takes the broker's default.
    pub replication: i32,
    /// How long a silent worker (or source runner) keeps its work.
    pub session_timeout: Duration,
    /// How often a worker says it is alive and what its tasks are doing.
    pub heartbeat: Duration,
}

/// `group.id`: required in distributed mode (its absence means standalone elsewhere).
const GROUP_ID: Key<Option<String>> = Key::new(
    "group.id",
    Rule::Text,
    None,
    High,
    "Cluster",
    "The cluster's name, the same on every worker; every internal group and topic derives from it.",
);
const CONFIG_STORAGE_TOPIC: Key<String> = Key::new(
    "config.storage.topic",
    Rule::Text,
    Some("connect-configs"),
    High,
    "Cluster",
    "The compacted topic of connector configs and target states.",
);
const OFFSET_STORAGE_TOPIC: Key<String> = Key::new(
    "offset.storage.topic",
    Rule::Text,
    Some("connect-offsets"),
    Low,
    "Cluster",
    "The compacted topic of source offsets (time series topics resume from them), in Kafka Connect's key/value layout.",
);
const STATUS_STORAGE_TOPIC: Key<String> = Key::new(
    "status.storage.topic",
    Rule::Text,
    Some("connect-status"),
    High,
    "Cluster",
    "The compacted topic where each worker reports its tasks.",
);
const CONFIG_STORAGE_REPLICATION_FACTOR: Key<i32> = Key::new(
    "config.storage.replication.factor",
    Rule::Number {
        min: -1,
        long: false,
    },
    Some("-1"),
    Low,
    "Cluster",
    "Replication factor of the internal topics the worker creates; -1: the broker's default.",
);
const SESSION_TIMEOUT_MS: Key<u64> = Key::new(
    "session.timeout.ms",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("10000"),
    Medium,
    "Cluster",
    "How long a silent worker (or source runner) keeps its work.",
);
const HEARTBEAT_INTERVAL_MS: Key<u64> = Key::new(
    "heartbeat.interval.ms",
    Rule::Number {
        min: 1,
        long: false,
    },
    Some("3000"),
    Medium,
    "Cluster",
    "How often a worker says it is alive and what its tasks are doing; below session.timeout.ms.",
);

impl ClusterSettings {
    /// The distributed mode's worker properties, every bad key named.
    pub fn from_worker(
        props: &BTreeMap<String, String>,
    ) -> Result<ClusterSettings, Vec<ConfigError>> {
        let none = BTreeMap::new();
        let mut r = Reader::new(props, &none);
        let session_timeout = Duration::from_millis(r.read(&SESSION_TIMEOUT_MS));
        let heartbeat = Duration::from_millis(r.read(&HEARTBEAT_INTERVAL_MS));
        let replication = r.read(&CONFIG_STORAGE_REPLICATION_FACTOR);
        if replication == 0 {
            r.error(
                CONFIG_STORAGE_REPLICATION_FACTOR.name(),
                "must be -1 (the broker's default) or at least 1",
            );
        }
        if heartbeat >= session_timeout {
            r.error(
                HEARTBEAT_INTERVAL_MS.name(),
                format!(
                    "must be below session.timeout.ms ({} ms)",
                    session_timeout.as_millis()
                ),
            );
        }
        let group_id = r.read(&GROUP_ID).unwrap_or_else(|| {
            r.error(
                GROUP_ID.name(),
                "is required in distributed mode: the cluster's name, the same on every worker (e.g. connect-cluster)",
            );
            String::new()
        });
        let s = ClusterSettings {
            config_topic: r.read(&CONFIG_STORAGE_TOPIC),
            offset_topic: r.read(&OFFSET_STORAGE_TOPIC),
            status_topic: r.read(&STATUS_STORAGE_TOPIC),
            group_id,
            replication,
            session_timeout,
            heartbeat,
        };
        for (key, topic) in [
            (&CONFIG_STORAGE_TOPIC, &s.config_topic),
            (&OFFSET_STORAGE_TOPIC, &s.offset_topic),
            (&STATUS_STORAGE_TOPIC, &s.status_topic),
        ] {
            if let Err(e) = connectors::topic_name::check(topic) {
                r.error(key.name(), e);
            }
        }
        r.finish()?;
        Ok(s)
    }
}

/// Why the cluster's topics could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// One of the internal topics is missing and could not be created.
    #[error("{key}: {source}")]
    Topic {
        /// The worker property naming it (`config.storage.topic`, ...).
        key: &'static str,
        /// Why it could not be created.
        #[source]
        source: TopicError,
    },
    /// A Kafka client could not be created or used.
    #[error("cannot {what}: {source}")]
    Kafka {
        /// What was being done (`read connect-configs`, ...).
        what: String,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// A change was written but this worker did not read it back in time (the REST call
    /// that made it cannot say it took effect).
    #[error("written to {topic} but not read back within {after:?}")]
    NotReadBack {
        /// The config topic.
        topic: String,
        /// How long it waited.
        after: Duration,
    },
    /// The config topic's reader stopped.
    #[error("the config topic reader stopped")]
    ReaderStopped,
}

impl ClusterError {
    fn kafka(what: impl Into<String>) -> impl FnOnce(KafkaError) -> ClusterError {
        let what = what.into();
        move |source| ClusterError::Kafka { what, source }
    }
}

/// A consumer that reads one of the cluster's topics from the start, outside any group.
fn topic_reader(
    kafka: &KafkaSettings,
    s: &ClusterSettings,
    topic: &str,
) -> Result<StreamConsumer, ClusterError> {
    let mut cc = kafka.consumer(&format!("{}-readers", s.group_id));
    cc.remove("group.instance.id");
    let consumer: StreamConsumer = cc
        .create()
        .map_err(ClusterError::kafka(format!("create a reader of {topic}")))?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .map_err(ClusterError::kafka(format!("read {topic}")))?;
    consumer
        .assign(&tpl)
        .map_err(ClusterError::kafka(format!("read {topic}")))?;
    Ok(consumer)
}

/// A legal Kafka topic name made from anything: other characters become `_`, and when
/// that changed the name a short hash of the original keeps distinct names distinct.
pub fn topic_name(raw: &str) -> String {
    let clean = connectors::topic_name::sanitise(raw);
    if clean == raw && !raw.is_empty() && raw.len() <= 200 {
        return clean;
    }
    // FNV-1a: stable across versions and platforms, unlike std's hasher.
    let hash = raw.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let head: String = clean.chars().take(200).collect();
    format!("{head}-{:08x}", hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_are_legal_and_distinct() {
        assert_eq!(topic_name("prices.sink-1"), "prices.sink-1");
        let a = topic_name("a/b");
        let b = topic_name("a b");
        assert!(a.starts_with("a_b-") && b.starts_with("a_b-"));
        assert_ne!(a, b);
        assert!(topic_name(&"x".repeat(300)).len() <= 249);
    }

    #[test]
    fn settings_name_each_bad_key() {
        let props: BTreeMap<String, String> = [
            ("session.timeout.ms", "1000"),
            ("heartbeat.interval.ms", "3000"),
            ("status.storage.topic", "bad topic"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let errors = ClusterSettings::from_worker(&props).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            ["heartbeat.interval.ms", "group.id", "status.storage.topic"]
        );
        let ok: BTreeMap<String, String> = [("group.id".to_owned(), "c".to_owned())].into();
        let s = ClusterSettings::from_worker(&ok).unwrap();
        assert_eq!(s.config_topic, "connect-configs");
        assert_eq!(s.session_timeout, Duration::from_secs(10));
    }
}
