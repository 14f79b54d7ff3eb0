//! The source connector's config: the Java connector's keys (`diffusion.selector`,
//! `diffusion.poll.interval`, `diffusion.poll.size`, `kafka.topic`) plus Kafka Connect's
//! converters, `errors.*` and topic creation (KIP-158), validated up front.

use std::collections::BTreeMap;

use connect_data::SharedConverter;

use crate::converters::Side;
use diffusion_client::Selector;

use crate::config::{
    converter, diffusion_settings, error_policy, ConfigError, ConnectorConfig, DiffusionSettings,
    ErrorPolicy,
};
use crate::definitions::*;
use crate::keys::Reader;
use crate::topic_name::TopicNamePattern;

/// A source connector's config (Diffusion to Kafka), typed: what the source task runs
/// with. [`SourceConfig::parse`] makes it from a [`ConnectorConfig`], every key checked
/// first.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// The connector's name, in every log line.
    pub name: String,
    /// The Diffusion server subscribed to.
    pub diffusion: DiffusionSettings,
    /// `diffusion.selector`: the topic selector subscribed to (e.g. `?source/kafka/.*`),
    /// checked to parse as one.
    pub selector: String,
    /// How long to wait for updates before an empty poll is counted; 0: never (no idle
    /// wake-ups at all).
    pub poll_interval_ms: u64,
    /// Most records handed to the producer in one batch.
    pub poll_size: usize,
    /// `kafka.topic`: the Kafka topic each Diffusion topic path's records go to.
    pub kafka_topic: TopicNamePattern,
    /// `key.converter` (or the worker's): writes the record key, the Diffusion topic path
    /// as a string.
    pub key_converter: SharedConverter,
    /// `value.converter` (or the worker's): writes the record value from the topic's
    /// value.
    pub value_converter: SharedConverter,
    /// `tasks.max`: accepted for compatibility, but one task runs (a topic selector
    /// cannot be split between tasks); above 1 is logged.
    pub tasks_max: u32,
    /// `errors.*`: whether a failed record stops the task or is skipped (and logged); a
    /// source has no dead-letter topic.
    pub errors: ErrorPolicy,
    /// `topic.creation.default.partitions`: partitions of the Kafka topics the source
    /// creates when missing; -1 is the broker's default, 0 is refused.
    pub topic_partitions: i32,
    /// `topic.creation.default.replication.factor`: replication factor of the Kafka topics
    /// the source creates when missing; -1 is the broker's default, 0 is refused.
    pub topic_replication: i32,
    /// The connector's transforms (`transforms`, `predicates`), applied before the
    /// converters as in Kafka Connect; empty: the fast path.
    pub transforms: std::sync::Arc<transforms::Chain>,
    /// Most records sent to Kafka and not yet acknowledged: beyond it the connector stops
    /// reading from Diffusion, so memory stays bounded when Kafka is slow or down.
    pub max_in_flight: usize,
    /// `offset.flush.interval.ms`: how often the offsets of time series events Kafka
    /// acknowledged are stored.
    pub offset_flush_interval_ms: u64,
    /// What is accepted, as the Java connector accepts it, but worth saying: logged when
    /// the config is parsed (so at every start).
    pub warnings: Vec<ConfigError>,
}

impl SourceConfig {
    /// Validates a source config; `defaults` are the worker's properties (converters).
    pub fn parse(
        c: &ConnectorConfig,
        defaults: &BTreeMap<String, String>,
    ) -> Result<SourceConfig, Vec<ConfigError>> {
        let mut r = Reader::new(&c.props, defaults);
        let diffusion = diffusion_settings(&mut r);
        let selector = r.read(&DIFFUSION_SELECTOR);
        if !selector.is_empty() {
            if let Err(e) = Selector::parse(&selector) {
                r.error(
                    DIFFUSION_SELECTOR.name(),
                    format!("{selector:?} is not a valid topic selector: {e}"),
                );
            }
        }
        // 0 is what the Java connector's tests use: accepted, and it means no idle wake-ups.
        let poll_interval_ms = r.read(&DIFFUSION_POLL_INTERVAL);
        let poll_size = r.read(&DIFFUSION_POLL_SIZE);
        let topic_text = r.read(&KAFKA_TOPIC);
        let kafka_topic = match TopicNamePattern::parse(&topic_text) {
            Ok(p) => p,
            Err(e) => {
                if !topic_text.is_empty() {
                    r.error(KAFKA_TOPIC.name(), e);
                }
                TopicNamePattern::parse("invalid").unwrap()
            }
        };
        let chain = match transforms::Chain::from_config(&c.props) {
            Ok(chain) => chain,
            Err(errors) => {
                for e in errors {
                    r.error(&e.key, e.message);
                }
                transforms::Chain::empty()
            }
        };
        let mut warnings = Vec::new();
        warnings.extend(
            kafka_topic
                .warnings()
                .into_iter()
                .map(|message| ConfigError {
                    key: KAFKA_TOPIC.name().into(),
                    message,
                }),
        );
        let key_converter = converter(&mut r, &KEY_CONVERTER, Side::Key);
        let value_converter = converter(&mut r, &VALUE_CONVERTER, Side::Value);
        let tasks_max = r.read(&TASKS_MAX);
        let errors = error_policy(&mut r);
        if errors.dlq_topic.is_some() {
            r.error(
                ERRORS_DEADLETTERQUEUE_TOPIC_NAME.name(),
                "dead-letter topics are for sink connectors; a source's failed records are logged (errors.log.enable=true)",
            );
        }
        let topic_partitions = r.read(&TOPIC_CREATION_DEFAULT_PARTITIONS);
        let topic_replication = r.read(&TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR);
        if topic_partitions == 0 || topic_replication == 0 {
            r.error(
                TOPIC_CREATION_DEFAULT_PARTITIONS.name(),
                "must be -1 (the broker's default) or at least 1",
            );
        }
        let max_in_flight = r.read(&SOURCE_MAX_BUFFERED_RECORDS);
        let offset_flush_interval_ms = r.read(&OFFSET_FLUSH_INTERVAL_MS);
        r.finish()?;
        crate::config::log_warnings(&c.name, &warnings);
        Ok(SourceConfig {
            name: c.name.clone(),
            diffusion,
            selector,
            poll_interval_ms,
            poll_size,
            kafka_topic,
            key_converter,
            value_converter,
            tasks_max,
            errors,
            topic_partitions,
            topic_replication,
            max_in_flight,
            offset_flush_interval_ms,
            transforms: std::sync::Arc::new(chain),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_source() -> ConnectorConfig {
        let props = [
            ("tasks.max", "1"),
            ("connector.class", crate::SOURCE_CLASS),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("kafka.topic", "diffusion.price"),
            ("diffusion.url", "ws://diffusion:8080"),
            ("diffusion.username", "admin"),
            ("diffusion.password", "password"),
            ("diffusion.selector", "?source/kafka/.*"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        ConnectorConfig {
            name: "DiffusionSourceConnector".into(),
            props,
        }
    }

    #[test]
    fn the_seed_sample_is_valid_with_the_documented_defaults() {
        let c = SourceConfig::parse(&seed_source(), &BTreeMap::new()).unwrap();
        assert_eq!(c.poll_interval_ms, 1000);
        assert_eq!(c.poll_size, 128);
        assert_eq!(
            c.kafka_topic.resolve("source/kafka/price").unwrap(),
            "diffusion.price"
        );
        assert_eq!(
            format!("{:?}", c.value_converter),
            format!(
                "{:?}",
                connect_data::BuiltinConverter::Json {
                    schemas_enable: true
                }
            )
        );
    }

    #[test]
    fn every_bad_key_is_named() {
        let mut c = seed_source();
        c.props.insert("diffusion.selector".into(), "?a/[".into());
        c.props.insert("kafka.topic".into(), " ".into());
        c.props.insert("diffusion.poll.size".into(), "0".into());
        c.props
            .insert("diffusion.poll.interval".into(), "soon".into());
        c.props.insert("errors.tolerance".into(), "all".into());
        c.props
            .insert("errors.deadletterqueue.topic.name".into(), "dlq".into());
        let errors = SourceConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "diffusion.selector",
                "diffusion.poll.interval",
                "diffusion.poll.size",
                "kafka.topic",
                "errors.deadletterqueue.topic.name"
            ]
        );
        assert!(errors[3].message.contains("required"));
    }

    #[test]
    fn what_the_java_connector_accepts_is_accepted() {
        let mut c = seed_source();
        c.props.insert("kafka.topic".into(), "x_${key}".into());
        c.props.insert("diffusion.poll.interval".into(), "0".into());
        let parsed = SourceConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert_eq!(parsed.poll_interval_ms, 0);
        // The token, and the fixed name it makes, which Kafka refuses.
        assert_eq!(parsed.warnings.len(), 2);
        assert_eq!(parsed.warnings[0].key, "kafka.topic");
        assert!(parsed.warnings[0].message.contains("${key}"));
        assert!(parsed.warnings[1]
            .message
            .contains("every record will fail"));
        c.props
            .insert("diffusion.poll.interval".into(), "-1".into());
        let errors = SourceConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        assert_eq!(errors[0].key, "diffusion.poll.interval");
    }
}
