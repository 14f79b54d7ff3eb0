//! Why a sink or source task failed: what the worker reports as the task's FAILED trace.
//!
//! Every variant is a reason the task cannot go on by itself; what may pass (a broker or
//! Diffusion unreachable for a while) is retried inside the task and never becomes one.

use diffusion_client::ClientError;
use rdkafka::error::KafkaError;

use crate::errors::DeadLetterError;
use crate::kafka::TopicError;

/// A task's failure, with its cause as the error source.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Diffusion refused something no retry cures: credentials, permissions, a closed
    /// session, a request it cannot take.
    #[error("Diffusion at {url}: {source}")]
    Diffusion {
        /// The server's URL, so the operator knows which one.
        url: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
    /// The Diffusion session closed for good while updates waited for it.
    #[error("the Diffusion session closed: {}", .0.as_deref().unwrap_or_default())]
    SessionClosed(Option<String>),
    /// The source's session ended (its event stream closed).
    #[error("the Diffusion session to {url} closed")]
    SessionEnded {
        /// The server's URL.
        url: String,
    },
    /// Diffusion refused the source's subscription.
    #[error("cannot subscribe to {selector:?}: {source}")]
    DiffusionSubscribe {
        /// The topic selector as configured.
        selector: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
    /// A time series topic's events could not be queried to catch up from its offset.
    #[error("cannot query the time series topic {path:?}: {source}")]
    DiffusionQuery {
        /// The topic.
        path: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
    /// The worker's store of source offsets could not be read when the task started.
    #[error("cannot read the stored source offsets: {0}")]
    OffsetStore(String),
    /// A source record could not be delivered and `errors.tolerance` is `none`.
    #[error("{why} (errors.tolerance is none)")]
    Undeliverable {
        /// Which update or record, and why.
        why: String,
    },
    /// A converter cannot work at all (its registry refused the credentials).
    #[error("the {side} converter: {why}")]
    Converter {
        /// `key` or `value`.
        side: &'static str,
        /// What the converter said.
        why: String,
    },
    /// Stopped while a converter's registry was unreachable (the record waiting for it was
    /// not committed).
    #[error("stopped while a converter's schema registry was unreachable; the waiting record was not committed")]
    StoppedWhileRegistryUnavailable,
    /// Stopped while Diffusion was unreachable (nothing unconfirmed was committed).
    #[error("stopped while Diffusion was unreachable; nothing unconfirmed was committed")]
    StoppedWhileDisconnected,
    /// librdkafka said something no retry cures (a refused login, an untrusted
    /// certificate); the text is the context's (see `kafka_context`).
    #[error("{0}")]
    KafkaIncurable(String),
    /// The consumer was refused its credentials or its topics.
    #[error("Kafka refused the credentials: {0}")]
    KafkaCredentials(#[source] KafkaError),
    /// A Kafka client could not be built from the settings.
    #[error("cannot create the Kafka {client}: {source}")]
    KafkaClient {
        /// Which client: `consumer` or `producer`.
        client: &'static str,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// The subscription was refused (an invalid regular expression, for one).
    #[error("cannot subscribe to {topics}: {source}")]
    Subscribe {
        /// The topics or pattern as configured.
        topics: String,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// Kafka did not acknowledge what was produced.
    #[error("{0}")]
    KafkaDelivery(String),
    /// A Kafka topic the task needs could not be created.
    #[error(transparent)]
    Topic(#[from] TopicError),
    /// A record failed and `errors.tolerance` is `none`.
    #[error("record {record} failed at {stage} and errors.tolerance is none: {message}")]
    RecordFailed {
        /// The record's coordinates (`topic-partition@offset`), or the Diffusion topic.
        record: String,
        /// Connect's name for the stage (`VALUE_CONVERTER`, `TASK_PUT`).
        stage: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// The error path itself failed.
    #[error(transparent)]
    DeadLetter(#[from] DeadLetterError),
}
