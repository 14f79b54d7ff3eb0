//! The error path for records that cannot be delivered: `errors.tolerance`, logging, and
//! the dead-letter topic with Kafka Connect's context headers.

use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

use rdkafka::error::KafkaError;

use crate::config::ErrorPolicy;
use crate::kafka::{KafkaSettings, TopicError};

/// Why the error path itself failed: a record that cannot reach the dead-letter topic must
/// not be committed, so each of these fails the task.
#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    /// The dead-letter topic is missing and could not be created.
    #[error("dead-letter topic: {0}")]
    Topic(#[source] TopicError),
    /// The dead-letter producer could not be built from the settings.
    #[error("dead-letter producer: {0}")]
    Producer(#[source] KafkaError),
    /// The producer did not take the record (queue full, record too large).
    #[error("cannot send {record} to the dead-letter topic {topic}: {source}")]
    Send {
        /// The failed record's coordinates (`topic-partition@offset`).
        record: String,
        /// The dead-letter topic.
        topic: String,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// The broker did not acknowledge the record.
    #[error("record {record} could not be written to the dead-letter topic: {reason}")]
    Delivery {
        /// The failed record's coordinates (`topic-partition@offset`).
        record: String,
        /// Why (the broker's error, or the producer closing).
        reason: String,
    },
}

/// Where in the pipeline a record failed, named as Kafka Connect names its stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The key converter could not read the record's key bytes.
    KeyConverter,
    /// The value converter could not read the record's value bytes.
    ValueConverter,
    /// Everything after conversion: the destination could not be resolved or is not a
    /// valid path, the value has no Diffusion form or is too large, or Diffusion refused
    /// the update (Connect's stage for a sink task's `put`).
    TaskPut,
    /// A transform (or its predicate) failed on the record (`transforms`).
    Transformation,
}

impl Stage {
    /// Kafka Connect's name for the stage (`KEY_CONVERTER`, `VALUE_CONVERTER`, `TASK_PUT`),
    /// as it appears in logs, task failures and the `__connect.errors.stage` header.
    pub fn name(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::TaskPut => "TASK_PUT",
            Stage::Transformation => "TRANSFORMATION",
        }
    }
}

/// Why one record could not be delivered: the record's own problem, which takes the error
/// path (`errors.tolerance`) rather than necessarily failing the task.
#[derive(Debug, Clone)]
pub struct RecordError {
    /// Where it failed.
    pub stage: Stage,
    /// What went wrong, for the log, the task's failure and the dead-letter headers
    /// (`__connect.errors.exception.message`).
    pub message: String,
    /// What threw it, when not the connector itself: a transform's class and the Java
    /// exception Kafka's transform throws (the dead-letter topic's
    /// `__connect.errors.class.name` and `__connect.errors.exception.class.name`).
    pub thrown_by: Option<(&'static str, &'static str)>,
}

/// A record's coordinates and original bytes, for the log and the dead-letter topic.
#[derive(Debug, Clone)]
pub struct RecordInfo {
    /// The Kafka topic the record was read from.
    pub topic: String,
    /// Its partition in that topic.
    pub partition: i32,
    /// Its offset in that partition.
    pub offset: i64,
    /// The key bytes as read, before any converter (`None`: a null key); dead-lettered as
    /// they are.
    pub key: Option<Vec<u8>>,
    /// The value bytes as read, before any converter (`None`: a tombstone); dead-lettered
    /// as they are.
    pub value: Option<Vec<u8>>,
    /// The record's headers in order, names with their values (`None`: a null value);
    /// copied to the dead-letter record ahead of the context headers.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl RecordInfo {
    /// `topic-partition@offset`: how logs and errors name the record.
    pub fn coordinates(&self) -> String {
        format!("{}-{}@{}", self.topic, self.partition, self.offset)
    }
}

/// A sink task's error path, applying its [`ErrorPolicy`]: logs failed records and copies
/// them to the dead-letter topic when there is one.
pub struct ErrorReporter {
    policy: ErrorPolicy,
    connector: String,
    producer: Option<FutureProducer>,
}

/// The largest record the dead-letter topic and its producer take (100 MiB, the broker's
/// largest request by default).
const DLQ_MAX_RECORD_BYTES: &str = "104857600";

impl ErrorReporter {
    /// Creates the dead-letter topic if it is missing, and its producer.
    pub async fn new(
        policy: ErrorPolicy,
        connector: &str,
        kafka: &KafkaSettings,
    ) -> Result<ErrorReporter, DeadLetterError> {
        let producer = match &policy.dlq_topic {
            None => None,
            Some(topic) => {
                // A record the broker took for its topic must fit the dead-letter topic
                // too, whose broker default (`message.max.bytes`, 1 MB) may be smaller
                // than the input topic's limit; librdkafka's own 1 MB default likewise.
                kafka
                    .create_topic_with(
                        topic,
                        1,
                        policy.dlq_replication_factor,
                        &[("max.message.bytes", DLQ_MAX_RECORD_BYTES)],
                    )
                    .await
                    .map_err(DeadLetterError::Topic)?;
                let mut config = kafka.producer();
                if config.get("message.max.bytes").is_none() {
                    config.set("message.max.bytes", DLQ_MAX_RECORD_BYTES);
                }
                Some(config.create().map_err(DeadLetterError::Producer)?)
            }
        };
        Ok(ErrorReporter {
            policy,
            connector: connector.to_owned(),
            producer,
        })
    }

    /// Whether a failed record is skipped (`errors.tolerance=all`) rather than failing the
    /// task.
    pub fn tolerates(&self) -> bool {
        self.policy.tolerate_all
    }

    /// Logs the failure if asked to, and sends the record to the dead-letter topic if there
    /// is one; the returned future completes when the broker has it.
    pub fn report(
        &self,
        r: &RecordInfo,
        e: &RecordError,
    ) -> Result<Option<DeliveryFuture>, DeadLetterError> {
        if self.policy.log {
            if self.policy.log_include_messages {
                tracing::error!(connector = %self.connector, record = %r.coordinates(), stage = e.stage.name(),
                    key = ?r.key.as_deref().map(String::from_utf8_lossy), value = ?r.value.as_deref().map(String::from_utf8_lossy),
                    "record failed: {}", e.message);
            } else {
                tracing::error!(connector = %self.connector, record = %r.coordinates(), stage = e.stage.name(),
                    "record failed: {}", e.message);
            }
        }
        let (Some(producer), Some(topic)) = (&self.producer, &self.policy.dlq_topic) else {
            return Ok(None);
        };
        let mut headers = OwnedHeaders::new();
        for (k, v) in &r.headers {
            headers = headers.insert(Header {
                key: k,
                value: v.as_deref(),
            });
        }
        if self.policy.dlq_context_headers {
            let partition = r.partition.to_string();
            let offset = r.offset.to_string();
            let context = [
                ("__connect.errors.topic", r.topic.as_str()),
                ("__connect.errors.partition", &partition),
                ("__connect.errors.offset", &offset),
                ("__connect.errors.connector.name", &self.connector),
                ("__connect.errors.task.id", "0"),
                ("__connect.errors.stage", e.stage.name()),
                (
                    "__connect.errors.class.name",
                    e.thrown_by.map_or(crate::SINK_CLASS, |t| t.0),
                ),
                (
                    "__connect.errors.exception.class.name",
                    e.thrown_by
                        .map_or("org.apache.kafka.connect.errors.DataException", |t| t.1),
                ),
                ("__connect.errors.exception.message", &e.message),
                ("__connect.errors.exception.stacktrace", &e.message),
            ];
            for (k, v) in context {
                headers = headers.insert(Header {
                    key: k,
                    value: Some(v.as_bytes()),
                });
            }
        }
        let mut rec: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(topic).headers(headers);
        if let Some(k) = &r.key {
            rec = rec.key(k.as_slice());
        }
        if let Some(v) = &r.value {
            rec = rec.payload(v.as_slice());
        }
        producer
            .send_result(rec)
            .map(Some)
            .map_err(|(source, _)| DeadLetterError::Send {
                record: r.coordinates(),
                topic: topic.clone(),
                source,
            })
    }
}
