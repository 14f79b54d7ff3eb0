//! A sink connector's offsets are its consumer group's (`connect-<name>`) committed
//! offsets: read at any time, altered or reset while the connector is stopped (Kafka
//! Connect's `GET|PATCH|DELETE /connectors/{name}/offsets`, KIP-875).
//!
//! Altering commits the given offsets as a consumer outside the group (what Kafka allows
//! for a group with no members); a partition given no offset is set to its log start, where
//! the sink begins when nothing is committed (`auto.offset.reset=earliest`). Resetting
//! deletes the group, as Connect does. Both fail with `Busy` while the group still has a
//! member: in `standalone` and `worker` mode the sink is a static member, which Kafka keeps
//! for `session.timeout.ms` after it stopped.

use std::time::Duration;

use connectors::config::Topics;
use connectors::kafka::KafkaSettings;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};

/// One partition's offset in an alteration: `None` sets it back to the log start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: Option<i64>,
}

/// Why offsets could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum OffsetsError {
    /// The group still has a member (a task still stopping, or a static member that Kafka
    /// keeps until its session times out): try again later.
    #[error("the consumer group {group} still has a member")]
    Busy { group: String },
    #[error("Kafka: {0}")]
    Kafka(String),
}

/// The consumer group of a sink connector.
pub fn group_of(connector: &str) -> String {
    format!("connect-{connector}")
}

/// The group's committed offsets for the partitions of the topics the sink reads.
pub async fn read(
    kafka: &KafkaSettings,
    group: &str,
    topics: Topics,
) -> Result<Vec<(String, i32, i64)>, OffsetsError> {
    let cc = outsider(kafka, group);
    let read = move || -> Result<Vec<(String, i32, i64)>, String> {
        let c: BaseConsumer = cc.create().map_err(|e| e.to_string())?;
        let md = c
            .fetch_metadata(None, Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        let re = match &topics {
            Topics::Regex(r) => {
                Some(regex::Regex::new(&format!("^(?:{r})$")).map_err(|e| e.to_string())?)
            }
            Topics::List(_) => None,
        };
        let mut tpl = TopicPartitionList::new();
        for t in md.topics() {
            let wanted = match (&topics, &re) {
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
    blocking(read).await?.map_err(OffsetsError::Kafka)
}

/// Commits the given offsets for the group, which must have no member.
pub async fn alter(
    kafka: &KafkaSettings,
    group: &str,
    offsets: Vec<PartitionOffset>,
) -> Result<(), OffsetsError> {
    let cc = outsider(kafka, group);
    let group = group.to_owned();
    let commit = move || -> Result<(), OffsetsError> {
        let c: BaseConsumer = cc
            .create()
            .map_err(|e| OffsetsError::Kafka(e.to_string()))?;
        let mut tpl = TopicPartitionList::new();
        for p in &offsets {
            let offset = match p.offset {
                Some(o) => o,
                None => {
                    c.fetch_watermarks(&p.topic, p.partition, Duration::from_secs(10))
                        .map_err(|e| {
                            OffsetsError::Kafka(format!(
                                "the log start of {}-{}: {e}",
                                p.topic, p.partition
                            ))
                        })?
                        .0
                }
            };
            tpl.add_partition_offset(&p.topic, p.partition, Offset::Offset(offset))
                .map_err(|e| OffsetsError::Kafka(e.to_string()))?;
        }
        c.commit(&tpl, CommitMode::Sync).map_err(|e| match e {
            KafkaError::ConsumerCommit(
                RDKafkaErrorCode::UnknownMemberId
                | RDKafkaErrorCode::IllegalGeneration
                | RDKafkaErrorCode::RebalanceInProgress,
            ) => OffsetsError::Busy {
                group: group.clone(),
            },
            e => OffsetsError::Kafka(e.to_string()),
        })
    };
    blocking(commit).await?
}

/// Deletes the group and with it every committed offset; a group that does not exist is
/// already reset.
pub async fn reset(kafka: &KafkaSettings, group: &str) -> Result<(), OffsetsError> {
    let admin: AdminClient<DefaultClientContext> = kafka
        .admin()
        .create()
        .map_err(|e| OffsetsError::Kafka(e.to_string()))?;
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin
        .delete_groups(&[group], &opts)
        .await
        .map_err(|e| OffsetsError::Kafka(e.to_string()))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((g, RDKafkaErrorCode::NonEmptyGroup)) => {
                return Err(OffsetsError::Busy { group: g })
            }
            Err((g, e)) => return Err(OffsetsError::Kafka(format!("deleting group {g}: {e}"))),
        }
    }
    Ok(())
}

/// A consumer of the group's offsets that never joins it.
fn outsider(kafka: &KafkaSettings, group: &str) -> rdkafka::ClientConfig {
    let mut cc = kafka.consumer(group);
    cc.remove("group.instance.id");
    cc
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, OffsetsError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| OffsetsError::Kafka(e.to_string()))
}
