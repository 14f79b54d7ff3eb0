//! Why a chain cannot be built (a config error, naming the key) or a record could not be
//! transformed (the record's failure, stage `TRANSFORMATION`).

/// One problem with one config key, with Kafka Connect's message where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    /// The full key (`transforms.route.regex`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// A transform (or its predicate) failed on a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransformError {
    /// The transform's class, as Kafka Connect reports it in the dead-letter topic's
    /// `__connect.errors.class.name` (also when its predicate failed).
    pub class: &'static str,
    /// The Java exception Kafka's transform throws for it
    /// (`org.apache.kafka.connect.errors.DataException`, ...).
    pub exception: &'static str,
    /// Kafka's message for it.
    pub message: String,
}

/// Kafka's `DataException`.
pub(crate) const DATA_EXCEPTION: &str = "org.apache.kafka.connect.errors.DataException";
/// Java's `IllegalArgumentException`.
pub(crate) const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";
/// Java's `IndexOutOfBoundsException`.
pub(crate) const INDEX_OUT_OF_BOUNDS: &str = "java.lang.IndexOutOfBoundsException";

/// A failure of one transform on one record, before the chain names the class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) exception: &'static str,
    pub(crate) message: String,
}

impl Failure {
    /// Kafka's `DataException(message)`.
    pub(crate) fn data(message: impl Into<String>) -> Failure {
        Failure {
            exception: DATA_EXCEPTION,
            message: message.into(),
        }
    }
}
