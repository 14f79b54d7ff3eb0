//! Subject name strategies: under which registry subject the schema of a record's key or
//! value is registered and looked up.

use std::fmt;
use std::str::FromStr;

/// The package of Confluent's strategy classes, which configs name in full.
const CONFLUENT_PACKAGE: &str = "io.confluent.kafka.serializers.subject.";

/// A subject name could not be made, or a strategy name is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// The strategy needs the schema's record name and the schema has none (a primitive
    /// Avro schema, a JSON schema without `title`).
    #[error("the {strategy} subject name strategy needs a named schema (a record), and this schema has no name")]
    NoRecordName {
        /// The strategy's class name.
        strategy: &'static str,
    },
    /// The configured strategy is not one of Confluent's three.
    #[error("unknown subject name strategy {0:?}; expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (in package {CONFLUENT_PACKAGE})")]
    Unknown(String),
}

/// Confluent's subject name strategies.
///
/// Confluent 8.x defaults to `AssociatedNameStrategy`, which asks the registry for a
/// topic association; it is not supported, and the default here is Kafka Connect's
/// long-standing [`TopicName`](SubjectNameStrategy::TopicName).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` / `<topic>-value`: one schema history per topic.
    #[default]
    TopicName,
    /// The schema's record name: one history per record type, whatever the topic.
    RecordName,
    /// `<topic>-<record name>`: several record types per topic, each with its history.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// Confluent's simple class name of the strategy.
    pub fn class_name(self) -> &'static str {
        match self {
            SubjectNameStrategy::TopicName => "TopicNameStrategy",
            SubjectNameStrategy::RecordName => "RecordNameStrategy",
            SubjectNameStrategy::TopicRecordName => "TopicRecordNameStrategy",
        }
    }

    /// Whether the subject depends on the schema's record name (and so the caller must
    /// supply it).
    pub fn needs_record_name(self) -> bool {
        self != SubjectNameStrategy::TopicName
    }

    /// The subject for a key (`is_key`) or value of `topic` whose schema is named
    /// `record_name` (Avro: the record's full name; Protobuf: the message's full name; JSON
    /// Schema: its `title`; `None` when the schema has no name).
    pub fn subject(
        self,
        topic: &str,
        is_key: bool,
        record_name: Option<&str>,
    ) -> Result<String, SubjectError> {
        let name = || {
            record_name
                .filter(|n| !n.is_empty())
                .ok_or(SubjectError::NoRecordName {
                    strategy: self.class_name(),
                })
        };
        Ok(match self {
            SubjectNameStrategy::TopicName => {
                format!("{topic}-{}", if is_key { "key" } else { "value" })
            }
            SubjectNameStrategy::RecordName => name()?.to_owned(),
            SubjectNameStrategy::TopicRecordName => format!("{topic}-{}", name()?),
        })
    }
}

impl FromStr for SubjectNameStrategy {
    type Err = SubjectError;

    /// Reads Confluent's class name, in full (`io.confluent.kafka.serializers.subject.
    /// TopicNameStrategy`) or bare (`TopicNameStrategy`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.trim();
        let bare = bare.strip_prefix(CONFLUENT_PACKAGE).unwrap_or(bare);
        [
            SubjectNameStrategy::TopicName,
            SubjectNameStrategy::RecordName,
            SubjectNameStrategy::TopicRecordName,
        ]
        .into_iter()
        .find(|s| s.class_name() == bare)
        .ok_or_else(|| SubjectError::Unknown(s.to_owned()))
    }
}

impl fmt::Display for SubjectNameStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{CONFLUENT_PACKAGE}{}", self.class_name())
    }
}

#[cfg(test)]
mod tests {
    use super::SubjectNameStrategy::*;
    use super::*;

    #[test]
    fn topic_name() {
        assert_eq!(
            TopicName.subject("orders", true, None).unwrap(),
            "orders-key"
        );
        assert_eq!(
            TopicName
                .subject("orders", false, Some("ex.Order"))
                .unwrap(),
            "orders-value"
        );
    }

    #[test]
    fn record_names() {
        assert_eq!(
            RecordName
                .subject("orders", false, Some("ex.Order"))
                .unwrap(),
            "ex.Order"
        );
        assert_eq!(
            TopicRecordName
                .subject("orders", true, Some("ex.Order"))
                .unwrap(),
            "orders-ex.Order"
        );
        for strategy in [RecordName, TopicRecordName] {
            for name in [None, Some("")] {
                let e = strategy.subject("orders", false, name).unwrap_err();
                assert_eq!(
                    e,
                    SubjectError::NoRecordName {
                        strategy: strategy.class_name()
                    }
                );
                assert!(e.to_string().contains(strategy.class_name()));
            }
        }
    }

    #[test]
    fn parses_class_names() {
        for s in [TopicName, RecordName, TopicRecordName] {
            assert_eq!(s.to_string().parse::<SubjectNameStrategy>().unwrap(), s);
            assert_eq!(s.class_name().parse::<SubjectNameStrategy>().unwrap(), s);
        }
        assert_eq!(
            "io.confluent.kafka.serializers.subject.TopicNameStrategy"
                .parse::<SubjectNameStrategy>()
                .unwrap(),
            TopicName
        );
        assert!(matches!(
            "io.confluent.kafka.serializers.subject.AssociatedNameStrategy"
                .parse::<SubjectNameStrategy>(),
            Err(SubjectError::Unknown(_))
        ));
        assert!("topicnamestrategy".parse::<SubjectNameStrategy>().is_err());
        assert!(TopicRecordName.needs_record_name() && !TopicName.needs_record_name());
    }
}
