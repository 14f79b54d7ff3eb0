//! Connector configs with Kafka Connect's and the Java connector's key names, validated
//! up front: every problem is reported with the key it concerns, before anything starts.

use std::collections::BTreeMap;

use std::sync::Arc;

use connect_data::{BuiltinConverter, SharedConverter};

use crate::converters::{ConverterConfigError, Side};

use crate::definitions::*;
use crate::keys::{Key, Reader};
use crate::pattern::{Escape, Pattern};

/// One problem with one key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    /// The config key concerned, as the user wrote it (e.g. `diffusion.url`), so the REST
    /// API and logs can point at the setting to change.
    pub key: String,
    /// What is wrong with the key's value, or what to set; reads after the key name.
    pub message: String,
}

/// What logs and API answers show instead of a secret.
pub const MASK: &str = "[hidden]";

/// A password or other secret: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

/// Keys whose values are secrets, in logs and API answers.
pub fn is_sensitive(key: &str) -> bool {
    key == DIFFUSION_PASSWORD.name()
        || key.ends_with(".password")
        || key == "sasl.jaas.config"
        || key.ends_with(".sasl.jaas.config")
        // A registry converter's `user:password` (Confluent's PASSWORD key).
        || key.ends_with("basic.auth.user.info")
}

/// A connector as the REST API and config files carry it: a name and string properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorConfig {
    /// The connector's name (Connect's `name`), unique in the worker; the sink's consumer
    /// group is derived from it (`connect-{name}`).
    pub name: String,
    /// Every property as given, unparsed and unvalidated (secrets included: print
    /// [`redacted`](Self::redacted) instead).
    pub props: BTreeMap<String, String>,
}

impl ConnectorConfig {
    /// The `connector.class` property, which decides whether this is the sink
    /// ([`SINK_CLASS`](crate::SINK_CLASS)) or the source; `None` when the config has none.
    pub fn class(&self) -> Option<&str> {
        self.props.get(CONNECTOR_CLASS.name()).map(String::as_str)
    }

    /// The properties with secrets masked, for logs.
    pub fn redacted(&self) -> BTreeMap<String, String> {
        self.props
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if is_sensitive(k) {
                        MASK.into()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }
}

/// How to reach and log in to the Diffusion server: the `diffusion.*` connection keys both
/// connectors share.
#[derive(Debug, Clone)]
pub struct DiffusionSettings {
    /// `diffusion.url`: the server's WebSocket URL, `ws://` or `wss://` (checked when parsed).
    pub url: String,
    /// `diffusion.username`: the principal the session authenticates as.
    pub username: String,
    /// `diffusion.password`: the principal's password; [`Secret`] keeps it out of `Debug`
    /// output and so out of logs.
    pub password: Secret,
    /// `diffusion.ssl.ca.location`: a PEM file of CAs trusted for `wss://` besides the
    /// system's (a private CA of an on-prem server).
    pub ca_file: Option<std::path::PathBuf>,
}

/// Which Kafka topics the sink reads: Kafka Connect's `topics` or `topics.regex`, exactly
/// one of which a sink config sets.
#[derive(Debug, Clone, PartialEq)]
pub enum Topics {
    /// Named topics (`topics`, comma-separated), each checked to be a legal Kafka topic
    /// name.
    List(Vec<String>),
    /// A regular expression over topic names (`topics.regex`).
    Regex(String),
}

/// What happens to a record that cannot be delivered: Kafka Connect's `errors.*` keys.
#[derive(Debug, Clone)]
pub struct ErrorPolicy {
    /// `errors.tolerance=all`: bad records go to the error path and the rest flow on.
    pub tolerate_all: bool,
    /// `errors.log.enable`: each record skipped under `tolerate_all` is logged at error
    /// level (a record that fails the task is in the task's failure instead).
    pub log: bool,
    /// `errors.log.include.messages`: the sink's log line also carries the record's key
    /// and value, which may be sensitive, hence off by default; the source logs only why.
    pub log_include_messages: bool,
    /// `errors.deadletterqueue.topic.name`: the Kafka topic failed sink records are copied
    /// to. Only with `tolerate_all` (refused otherwise); a source config refuses it.
    pub dlq_topic: Option<String>,
    /// `errors.deadletterqueue.context.headers.enable`: dead-lettered records carry Kafka
    /// Connect's `__connect.errors.*` headers (origin, stage, message).
    pub dlq_context_headers: bool,
    /// `errors.deadletterqueue.topic.replication.factor`: used only when the dead-letter
    /// topic is missing and the sink creates it (with one partition); at least 1.
    pub dlq_replication_factor: i32,
}

/// A sink connector's config (Kafka to Diffusion), typed: what the sink task runs with.
/// [`SinkConfig::parse`] makes it from a [`ConnectorConfig`], every key checked first.
#[derive(Debug, Clone)]
pub struct SinkConfig {
    /// The connector's name: in every log line, and the consumer group `connect-{name}`.
    pub name: String,
    /// The Kafka topics read.
    pub topics: Topics,
    /// The Diffusion server the updates go to.
    pub diffusion: DiffusionSettings,
    /// `diffusion.destination`: the Diffusion topic path pattern each record resolves.
    pub destination: Pattern,
    /// `key.converter` (or the worker's): turns record key bytes into Connect data, which
    /// fills `${key}` and `${key.version}`.
    pub key_converter: SharedConverter,
    /// `value.converter` (or the worker's): turns record value bytes into the Diffusion
    /// JSON value.
    pub value_converter: SharedConverter,
    /// `tasks.max`: accepted for compatibility, but one task runs whatever it says (one
    /// ordered stream keeps each Diffusion topic's updates in order); above 1 is logged.
    pub tasks_max: u32,
    /// What happens to records that cannot be converted or that Diffusion refuses.
    pub errors: ErrorPolicy,
    /// `diffusion.topic.type`: the type of the topics the sink creates and sets; for
    /// time series topics, the type of their events (`diffusion.time.series.event.type`),
    /// which decides how values are converted either way.
    pub topic_type: diffusion_client::TopicType,
    /// `diffusion.topic.type=TIME_SERIES`: each record is appended as an event of
    /// `topic_type` rather than set as the topic's value.
    pub time_series: bool,
    /// `diffusion.topic.properties`: the specification properties of the topics the sink
    /// creates, as (upper-case name, value) pairs.
    pub topic_properties: Vec<(String, String)>,
    /// `diffusion.tombstone.behavior=remove`: a null value removes the topic.
    pub tombstone_removes: bool,
    /// The connector's transforms (`transforms`, `predicates`), applied after the
    /// converters; empty: records take the fast path.
    pub transforms: std::sync::Arc<transforms::Chain>,
    /// Most Diffusion updates awaiting confirmation at once.
    pub max_in_flight: usize,
    /// `diffusion.conflation=latest`: the most records waiting for the window, conflated
    /// by destination; `None`: no conflation (every record is sent).
    pub conflation: Option<usize>,
    /// How often confirmed offsets are committed (the worker's `offset.flush.interval.ms`).
    pub commit_interval_ms: u64,
    /// What is accepted, as the Java connector accepts it, but worth saying: logged when
    /// the config is parsed (so at every start).
    pub warnings: Vec<ConfigError>,
}

/// A converter from its class key (`key.converter`, `value.converter`) and the keys under
/// it (`value.converter.schemas.enable`, `value.converter.schema.registry.url`, ...); the
/// worker's when the connector names none, as in Kafka Connect.
pub(crate) fn converter(
    r: &mut Reader,
    class: &Key<Option<String>>,
    side: Side,
) -> SharedConverter {
    let Some(name) = r.read(class) else {
        r.error(
            class.name(),
            "is required (set it in the connector config or the worker properties)",
        );
        return Arc::new(BuiltinConverter::String);
    };
    let props = r.prefixed(class.name(), &format!("{}.", class.name()));
    match crate::converters::build(&name, &props, side) {
        Ok(c) => c,
        Err(ConverterConfigError { key, message }) => {
            let key = match key {
                Some(k) => format!("{}.{k}", class.name()),
                None => class.name().to_owned(),
            };
            r.error(&key, message);
            Arc::new(BuiltinConverter::String)
        }
    }
}

/// `diffusion.topic.properties`: `NAME=value` pairs, names and values checked.
/// The time series ranges are taken only for time series topics (Diffusion refuses them
/// on others).
fn topic_properties(r: &mut Reader, time_series: bool) -> Vec<(String, String)> {
    const BOOLEAN: [&str; 5] = [
        "DONT_RETAIN_VALUE",
        "PUBLISH_VALUES_ONLY",
        "TIDY_ON_UNSUBSCRIBE",
        "VALIDATE_VALUES",
        "PERSISTENT",
    ];
    let choices = |name: &str| -> Option<&'static [&'static str]> {
        Some(match name {
            "CONFLATION" => &["off", "conflate", "unsubscribe", "always"],
            "COMPRESSION" => &["off", "low", "medium", "high"],
            "PRIORITY" => &["low", "default", "high"],
            _ => return None,
        })
    };
    let key = DIFFUSION_TOPIC_PROPERTIES.name();
    let mut out = Vec::new();
    for pair in r.read(&DIFFUSION_TOPIC_PROPERTIES) {
        let Some((name, value)) = pair.split_once('=') else {
            r.error(key, format!("{pair:?} is not NAME=value"));
            continue;
        };
        let (name, value) = (name.trim().to_ascii_uppercase(), value.trim());
        if BOOLEAN.contains(&name.as_str()) {
            if !["true", "false"]
                .iter()
                .any(|b| b.eq_ignore_ascii_case(value))
            {
                r.error(key, format!("{name} must be true or false, not {value:?}"));
                continue;
            }
            out.push((name, value.to_ascii_lowercase()));
        } else if let Some(allowed) = choices(&name) {
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(value)) {
                Some(v) => out.push((name, (*v).to_owned())),
                None => r.error(
                    key,
                    format!(
                        "{name} must be one of {}, not {value:?}",
                        allowed.join(", ")
                    ),
                ),
            }
        } else if name == "REMOVAL" || name == "OWNER" {
            out.push((name, value.to_owned()));
        } else if name == "TIME_SERIES_RETAINED_RANGE" || name == "TIME_SERIES_SUBSCRIPTION_RANGE" {
            if time_series {
                out.push((name, value.to_owned()));
            } else {
                r.error(
                    key,
                    format!("{name} is for time series topics (diffusion.topic.type=TIME_SERIES)"),
                );
            }
        } else {
            r.error(
                key,
                format!("{name} is not a topic property the sink sets (DONT_RETAIN_VALUE, PUBLISH_VALUES_ONLY, TIDY_ON_UNSUBSCRIBE, VALIDATE_VALUES, PERSISTENT, CONFLATION, COMPRESSION, PRIORITY, REMOVAL, OWNER; for time series TIME_SERIES_RETAINED_RANGE, TIME_SERIES_SUBSCRIPTION_RANGE)"),
            );
        }
    }
    out
}

/// Logs what a config accepts but should say, one line per warning.
pub(crate) fn log_warnings(name: &str, warnings: &[ConfigError]) {
    for w in warnings {
        tracing::warn!(connector = %name, key = %w.key, "{}", w.message);
    }
}

/// The settings shared by the sink and the source.
pub(crate) fn diffusion_settings(r: &mut Reader) -> DiffusionSettings {
    let url = r.read(&DIFFUSION_URL);
    if !(url.is_empty() || url.starts_with("ws://") || url.starts_with("wss://")) {
        r.error(
            DIFFUSION_URL.name(),
            format!("must be a ws:// or wss:// URL, not {url:?}"),
        );
    }
    let ca_file = r
        .read(&DIFFUSION_SSL_CA_LOCATION)
        .map(std::path::PathBuf::from);
    if let Some(ca) = &ca_file {
        if !ca.is_file() {
            r.error(
                DIFFUSION_SSL_CA_LOCATION.name(),
                format!("{} is not a readable file", ca.display()),
            );
        }
    }
    DiffusionSettings {
        url,
        username: r.read(&DIFFUSION_USERNAME),
        password: r.read(&DIFFUSION_PASSWORD),
        ca_file,
    }
}

pub(crate) fn error_policy(r: &mut Reader) -> ErrorPolicy {
    let tolerate_all = r.read(&ERRORS_TOLERANCE) == "all";
    let dlq_topic = r.read(&ERRORS_DEADLETTERQUEUE_TOPIC_NAME);
    if dlq_topic.is_some() && !tolerate_all {
        r.error(
            ERRORS_DEADLETTERQUEUE_TOPIC_NAME.name(),
            "needs errors.tolerance=all: with tolerance none the first bad record stops the task",
        );
    }
    // Accepted for compatibility (Diffusion operations are retried across reconnections),
    // but a value that is not a number of milliseconds is still an error, as in Connect.
    r.read(&ERRORS_RETRY_TIMEOUT);
    ErrorPolicy {
        tolerate_all,
        log: r.read(&ERRORS_LOG_ENABLE),
        log_include_messages: r.read(&ERRORS_LOG_INCLUDE_MESSAGES),
        dlq_topic,
        dlq_context_headers: r.read(&ERRORS_DEADLETTERQUEUE_CONTEXT_HEADERS_ENABLE),
        dlq_replication_factor: r.read(&ERRORS_DEADLETTERQUEUE_TOPIC_REPLICATION_FACTOR),
    }
}

impl SinkConfig {
    /// Validates a sink config. `defaults` are the worker's properties, from which
    /// `key.converter` and `value.converter` are inherited as in Kafka Connect.
    pub fn parse(
        c: &ConnectorConfig,
        defaults: &BTreeMap<String, String>,
    ) -> Result<SinkConfig, Vec<ConfigError>> {
        let mut r = Reader::new(&c.props, defaults);
        let topics = match (r.read(&TOPICS), r.read(&TOPICS_REGEX)) {
            (list, Some(_)) if !list.is_empty() => {
                r.error(TOPICS.name(), "set topics or topics.regex, not both");
                Topics::List(vec![])
            }
            (list, None) if !list.is_empty() => {
                for t in &list {
                    if let Err(e) = crate::topic_name::check(t) {
                        r.error(TOPICS.name(), e);
                    }
                }
                Topics::List(list)
            }
            (_, Some(re)) => {
                if let Err(e) = regex::Regex::new(&re) {
                    r.error(
                        TOPICS_REGEX.name(),
                        format!("is not a valid regular expression: {e}"),
                    );
                }
                Topics::Regex(re)
            }
            (_, None) => {
                r.error(TOPICS.name(), "is required (or topics.regex)");
                Topics::List(vec![])
            }
        };
        let diffusion = diffusion_settings(&mut r);
        let keep = r.read(&DIFFUSION_DESTINATION_UNRESOLVED) == "keep";
        let escape = match r.read(&DIFFUSION_DESTINATION_ESCAPE) {
            "fail" => Escape::Fail,
            _ => Escape::Percent,
        };
        let destination_text = r.read(&DIFFUSION_DESTINATION);
        let destination = match Pattern::parse_with(&destination_text, keep, escape) {
            Ok(p) => p,
            Err(e) => {
                if !destination_text.is_empty() {
                    r.error(DIFFUSION_DESTINATION.name(), e);
                }
                Pattern::parse("invalid", false).unwrap()
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
        warnings.extend(destination
            .unknown_tokens()
            .iter()
            .map(|t| ConfigError {
                key: DIFFUSION_DESTINATION.name().into(),
                message: format!(
                    "{t} is not a token (the tokens are ${{topic}}, ${{key}}, ${{key.version}}, ${{value.version}}, \
                     ${{value.<path>}}, ${{key.<path>}}, ${{header.<name>}}, ${{partition}}, ${{offset}} and ${{timestamp}}); \
                     it stays in every Diffusion topic path as text, as in the Java connector"
                ),
            }));
        let key_converter = converter(&mut r, &KEY_CONVERTER, Side::Key);
        let value_converter = converter(&mut r, &VALUE_CONVERTER, Side::Value);
        let tasks_max = r.read(&TASKS_MAX);
        let errors = error_policy(&mut r);
        let tombstone_removes = r.read(&DIFFUSION_TOMBSTONE_BEHAVIOR) == "remove";
        let value_type = |name: &str| match name {
            "STRING" => diffusion_client::TopicType::String,
            "INT64" => diffusion_client::TopicType::Int64,
            "DOUBLE" => diffusion_client::TopicType::Double,
            "BINARY" => diffusion_client::TopicType::Binary,
            _ => diffusion_client::TopicType::Json,
        };
        let time_series = r.read(&DIFFUSION_TOPIC_TYPE) == "TIME_SERIES";
        let event_type = r.read(&DIFFUSION_TIME_SERIES_EVENT_TYPE);
        let topic_type = if time_series {
            value_type(event_type)
        } else {
            value_type(r.read(&DIFFUSION_TOPIC_TYPE))
        };
        let topic_properties = topic_properties(&mut r, time_series);
        let max_in_flight = r.read(&DIFFUSION_MAX_IN_FLIGHT);
        let conflation = (r.read(&DIFFUSION_CONFLATION) == "latest")
            .then(|| r.read(&DIFFUSION_CONFLATION_MAX_PENDING));
        if time_series && conflation.is_some() {
            r.error(
                DIFFUSION_CONFLATION.name(),
                "latest cannot be used with diffusion.topic.type=TIME_SERIES: every record is an event to append, none supersedes another",
            );
        }
        let commit_interval_ms = r.read(&OFFSET_FLUSH_INTERVAL_MS);
        r.finish()?;
        log_warnings(&c.name, &warnings);
        Ok(SinkConfig {
            name: c.name.clone(),
            topics,
            diffusion,
            destination,
            key_converter,
            value_converter,
            tasks_max,
            errors,
            tombstone_removes,
            topic_type,
            time_series,
            topic_properties,
            max_in_flight,
            conflation,
            commit_interval_ms,
            transforms: std::sync::Arc::new(chain),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_sink() -> ConnectorConfig {
        let props: BTreeMap<String, String> = [
            ("tasks.max", "1"),
            (
                "connector.class",
                "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            ),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("value.converter.schemas.enable", "false"),
            ("topics", "price"),
            ("diffusion.url", "ws://diffusion:8080"),
            ("diffusion.username", "admin"),
            ("diffusion.password", "password"),
            ("diffusion.destination", "kafka/${topic}"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        ConnectorConfig {
            name: "DiffusionSinkConnector".into(),
            props,
        }
    }

    #[test]
    fn the_seed_sample_is_valid() {
        let c = SinkConfig::parse(&seed_sink(), &BTreeMap::new()).unwrap();
        assert_eq!(c.topics, Topics::List(vec!["price".into()]));
        assert_eq!(
            format!("{:?}", c.value_converter),
            format!(
                "{:?}",
                connect_data::BuiltinConverter::Json {
                    schemas_enable: false
                }
            )
        );
        assert!(
            !format!("{c:?}").contains("password\""),
            "the password never prints"
        );
    }

    #[test]
    fn every_bad_key_is_named() {
        let mut c = seed_sink();
        c.props.remove("diffusion.username");
        c.props.insert("diffusion.url".into(), "http://x".into());
        c.props.insert("diffusion.destination".into(), " ".into());
        c.props.insert("errors.tolerance".into(), "some".into());
        c.props
            .insert("value.converter".into(), "AvroConverter".into());
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "diffusion.url",
                "diffusion.username",
                "diffusion.destination",
                "value.converter",
                "errors.tolerance"
            ]
        );
        assert!(errors[2].message.contains("required"));
    }

    #[test]
    fn unknown_tokens_are_accepted_with_a_warning() {
        let mut c = seed_sink();
        c.props.insert(
            "diffusion.destination".into(),
            "kafka/${nope}/${topic}".into(),
        );
        let parsed = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(parsed.warnings[0].key, "diffusion.destination");
        assert!(parsed.warnings[0].message.contains("${nope}"));
        assert!(SinkConfig::parse(&seed_sink(), &BTreeMap::new())
            .unwrap()
            .warnings
            .is_empty());
    }

    #[test]
    fn transforms_are_read_and_every_bad_key_named() {
        let mut c = seed_sink();
        c.props
            .insert("transforms".into(), "route,pick,cast".into());
        c.props.insert(
            "transforms.route.type".into(),
            "org.apache.kafka.connect.transforms.RegexRouter".into(),
        );
        c.props
            .insert("transforms.route.regex".into(), "(.*)".into());
        c.props.insert(
            "transforms.pick.type".into(),
            "org.apache.kafka.connect.transforms.ExtractField".into(),
        );
        c.props.insert(
            "transforms.cast.type".into(),
            "org.apache.kafka.connect.transforms.Cast$Value".into(),
        );
        c.props
            .insert("transforms.nope.type".into(), "com.example.Nope".into());
        c.props
            .insert("transforms".into(), "route,pick,cast,nope".into());
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "transforms.route.replacement",
                "transforms.pick.type",
                "transforms.cast.spec",
                "transforms.nope.type"
            ]
        );
        assert!(
            errors[1].message.contains("abstract"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[2]
                .message
                .starts_with("Missing required configuration \"transforms.cast.spec\""),
            "{}",
            errors[2].message
        );
        assert!(
            errors[3].message.contains("could not be found"),
            "{}",
            errors[3].message
        );
        c.props.insert("transforms".into(), "route".into());
        c.props
            .insert("transforms.route.replacement".into(), "x-$1".into());
        let parsed = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert!(!parsed.transforms.is_empty());
    }

    #[test]
    fn topic_properties_are_checked_by_name_and_value() {
        let mut c = seed_sink();
        c.props.insert(
            "diffusion.topic.properties".into(),
            "dont_retain_value=TRUE, CONFLATION=Always, REMOVAL=when no updates for 10m".into(),
        );
        let parsed = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert_eq!(
            parsed.topic_properties,
            [
                ("DONT_RETAIN_VALUE".to_owned(), "true".to_owned()),
                ("CONFLATION".to_owned(), "always".to_owned()),
                ("REMOVAL".to_owned(), "when no updates for 10m".to_owned())
            ]
        );
        c.props.insert(
            "diffusion.topic.properties".into(),
            "PERSISTENT=maybe,COLOUR=blue,CONFLATION".into(),
        );
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        assert_eq!(errors.len(), 3);
        assert!(errors.iter().all(|e| e.key == "diffusion.topic.properties"));
        assert!(errors[0]
            .message
            .contains("PERSISTENT must be true or false"));
        assert!(errors[1].message.contains("COLOUR is not a topic property"));
        assert!(errors[2].message.contains("is not NAME=value"));
    }

    #[test]
    fn a_malformed_field_token_is_named_at_start() {
        let mut c = seed_sink();
        c.props
            .insert("diffusion.destination".into(), "kafka/${value.a[x]}".into());
        c.props
            .insert("diffusion.destination.escape".into(), "sometimes".into());
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            ["diffusion.destination.escape", "diffusion.destination"]
        );
        assert!(
            errors[1].message.contains("${value.a[x]}"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn converters_come_from_the_worker_when_the_connector_has_none() {
        let mut c = seed_sink();
        c.props.remove("key.converter");
        let worker: BTreeMap<String, String> = [(
            "key.converter".to_owned(),
            "org.apache.kafka.connect.storage.StringConverter".to_owned(),
        )]
        .into();
        assert!(SinkConfig::parse(&c, &worker).is_ok());
        assert_eq!(
            SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err()[0].key,
            "key.converter"
        );
    }

    #[test]
    fn a_registry_converter_takes_the_keys_under_its_class_key_from_where_the_class_came() {
        let avro = "io.confluent.connect.avro.AvroConverter";
        // Named by the connector: its own keys.
        let mut c = seed_sink();
        c.props.insert("value.converter".into(), avro.into());
        c.props.insert(
            "value.converter.schema.registry.url".into(),
            "http://127.0.0.1:1".into(),
        );
        let parsed = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert_eq!(parsed.value_converter.class(), avro);
        // Without the URL: the error names the prefixed key.
        c.props.remove("value.converter.schema.registry.url");
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        assert_eq!(errors[0].key, "value.converter.schema.registry.url");
        // The worker's URL does not configure the connector's own converter...
        let worker: BTreeMap<String, String> = [
            ("value.converter".to_owned(), avro.to_owned()),
            (
                "value.converter.schema.registry.url".to_owned(),
                "http://127.0.0.1:1".to_owned(),
            ),
        ]
        .into();
        assert!(SinkConfig::parse(&c, &worker).is_err());
        // ...but configures the worker's converter, when the connector names none.
        c.props.remove("value.converter");
        c.props.remove("value.converter.schemas.enable");
        let parsed = SinkConfig::parse(&c, &worker).unwrap();
        assert_eq!(parsed.value_converter.class(), avro);
        // A bad value is named with its prefix, and the secret is not echoed.
        c.props.insert("value.converter".into(), avro.into());
        c.props.insert(
            "value.converter.schema.registry.url".into(),
            "http://127.0.0.1:1".into(),
        );
        c.props.insert(
            "value.converter.basic.auth.credentials.source".into(),
            "SASL".into(),
        );
        let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
        assert_eq!(
            errors[0].key,
            "value.converter.basic.auth.credentials.source"
        );
        assert!(is_sensitive("value.converter.basic.auth.user.info"));
    }
}
