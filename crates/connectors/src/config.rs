//! Connector configs with Kafka Connect's and the Java connector's key names, validated
//! up front: every problem is reported with the key it concerns, before anything starts.

use std::collections::BTreeMap;

use connect_data::Converter;

use crate::pattern::Pattern;

/// One problem with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A password or other secret: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[hidden]")
    }
}

/// Keys whose values are secrets, in logs and API answers.
pub fn is_sensitive(key: &str) -> bool {
    key == "diffusion.password"
        || key.ends_with(".password")
        || key == "sasl.jaas.config"
        || key.ends_with(".sasl.jaas.config")
}

/// A connector as the REST API and config files carry it: a name and string properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorConfig {
    pub name: String,
    pub props: BTreeMap<String, String>,
}

impl ConnectorConfig {
    pub fn class(&self) -> Option<&str> {
        self.props.get("connector.class").map(String::as_str)
    }

    /// The properties with secrets masked, for logs.
    pub fn redacted(&self) -> BTreeMap<String, String> {
        self.props
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if is_sensitive(k) {
                        "[hidden]".into()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct DiffusionSettings {
    pub url: String,
    pub username: String,
    pub password: Secret,
    /// `diffusion.ssl.ca.location`: a PEM file of CAs trusted for `wss://` besides the
    /// system's (a private CA of an on-prem server).
    pub ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Topics {
    List(Vec<String>),
    /// A regular expression over topic names (`topics.regex`).
    Regex(String),
}

#[derive(Debug, Clone)]
pub struct ErrorPolicy {
    /// `errors.tolerance=all`: bad records go to the error path and the rest flow on.
    pub tolerate_all: bool,
    pub log: bool,
    pub log_include_messages: bool,
    pub dlq_topic: Option<String>,
    pub dlq_context_headers: bool,
    pub dlq_replication_factor: i32,
}

#[derive(Debug, Clone)]
pub struct SinkConfig {
    pub name: String,
    pub topics: Topics,
    pub diffusion: DiffusionSettings,
    pub destination: Pattern,
    pub key_converter: Converter,
    pub value_converter: Converter,
    pub tasks_max: u32,
    pub errors: ErrorPolicy,
    /// `diffusion.tombstone.behavior=remove`: a null value removes the topic.
    pub tombstone_removes: bool,
    /// Most Diffusion updates awaiting confirmation at once.
    pub max_in_flight: usize,
    /// How often confirmed offsets are committed (the worker's `offset.flush.interval.ms`).
    pub commit_interval_ms: u64,
    /// What is accepted, as the Java connector accepts it, but worth saying: logged when
    /// the config is parsed (so at every start).
    pub warnings: Vec<ConfigError>,
}

/// Reads keys, collecting every error rather than stopping at the first.
pub(crate) struct Reader<'a> {
    pub(crate) props: &'a BTreeMap<String, String>,
    pub(crate) defaults: &'a BTreeMap<String, String>,
    pub(crate) errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.props
            .get(key)
            .or_else(|| self.defaults.get(key))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    pub(crate) fn error(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    pub(crate) fn required(&mut self, key: &str) -> String {
        match self.get(key) {
            Some(v) => v.to_owned(),
            None => {
                self.error(key, "is required (no default)");
                String::new()
            }
        }
    }

    pub(crate) fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None => default,
            Some("true") => true,
            Some("false") => false,
            Some(other) => {
                self.error(key, format!("must be true or false, not {other:?}"));
                default
            }
        }
    }

    pub(crate) fn number<T>(&mut self, key: &str, default: T, min: T) -> T
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        match self.get(key) {
            None => default,
            Some(v) => match v.parse::<T>() {
                Ok(n) if n >= min => n,
                _ => {
                    self.error(
                        key,
                        format!("must be a whole number of at least {min}, not {v:?}"),
                    );
                    default
                }
            },
        }
    }

    pub(crate) fn one_of(
        &mut self,
        key: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> &'static str {
        match self.get(key) {
            None => default,
            Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(v)) {
                Some(a) => a,
                None => {
                    self.error(
                        key,
                        format!("must be one of {}, not {v:?}", allowed.join(", ")),
                    );
                    default
                }
            },
        }
    }

    pub(crate) fn converter(&mut self, key: &str) -> Converter {
        let Some(class) = self.get(key) else {
            self.error(
                key,
                "is required (set it in the connector config or the worker properties)",
            );
            return Converter::String;
        };
        let schemas = self.get(&format!("{key}.schemas.enable"));
        match Converter::from_class(class, schemas) {
            Ok(c) => c,
            Err(e) => {
                self.error(key, e);
                Converter::String
            }
        }
    }
}

/// Kafka Connect keys a config may carry that are not applied here: a warning each.
pub(crate) fn unapplied_keys(r: &Reader) -> Vec<ConfigError> {
    ["transforms", "predicates"]
        .into_iter()
        .filter(|k| r.get(k).is_some())
        .map(|k| ConfigError {
            key: k.to_owned(),
            message: "single message transforms are not applied by this connector; records go as they are".into(),
        })
        .collect()
}

/// Logs what a config accepts but should say, one line per warning.
pub(crate) fn log_warnings(name: &str, warnings: &[ConfigError]) {
    for w in warnings {
        tracing::warn!(connector = %name, key = %w.key, "{}", w.message);
    }
}

/// The settings shared by the sink and the source.
pub(crate) fn diffusion_settings(r: &mut Reader) -> DiffusionSettings {
    let url = r.required("diffusion.url");
    if !(url.is_empty() || url.starts_with("ws://") || url.starts_with("wss://")) {
        r.error(
            "diffusion.url",
            format!("must be a ws:// or wss:// URL, not {url:?}"),
        );
    }
    let ca_file = r
        .get("diffusion.ssl.ca.location")
        .map(std::path::PathBuf::from);
    if let Some(ca) = &ca_file {
        if !ca.is_file() {
            r.error(
                "diffusion.ssl.ca.location",
                format!("{} is not a readable file", ca.display()),
            );
        }
    }
    DiffusionSettings {
        url,
        username: r.required("diffusion.username"),
        password: Secret(r.required("diffusion.password")),
        ca_file,
    }
}

pub(crate) fn error_policy(r: &mut Reader) -> ErrorPolicy {
    let tolerate_all = r.one_of("errors.tolerance", "none", &["none", "all"]) == "all";
    let dlq_topic = r
        .get("errors.deadletterqueue.topic.name")
        .map(str::to_owned);
    if dlq_topic.is_some() && !tolerate_all {
        r.error(
            "errors.deadletterqueue.topic.name",
            "needs errors.tolerance=all: with tolerance none the first bad record stops the task",
        );
    }
    ErrorPolicy {
        tolerate_all,
        log: r.boolean("errors.log.enable", false),
        log_include_messages: r.boolean("errors.log.include.messages", false),
        dlq_topic,
        dlq_context_headers: r.boolean("errors.deadletterqueue.context.headers.enable", false),
        dlq_replication_factor: r.number("errors.deadletterqueue.topic.replication.factor", 3, 1),
    }
}

impl SinkConfig {
    /// Validates a sink config. `defaults` are the worker's properties, from which
    /// `key.converter` and `value.converter` are inherited as in Kafka Connect.
    pub fn parse(
        c: &ConnectorConfig,
        defaults: &BTreeMap<String, String>,
    ) -> Result<SinkConfig, Vec<ConfigError>> {
        let mut r = Reader {
            props: &c.props,
            defaults,
            errors: Vec::new(),
        };
        let topics = match (r.get("topics"), r.get("topics.regex")) {
            (Some(_), Some(_)) => {
                r.error("topics", "set topics or topics.regex, not both");
                Topics::List(vec![])
            }
            (Some(list), None) => {
                let list: Vec<String> = list
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect();
                for t in &list {
                    if t.len() > 249
                        || !t
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    {
                        r.error("topics", format!("{t:?} is not a valid Kafka topic name"));
                    }
                }
                Topics::List(list)
            }
            (None, Some(re)) => {
                if let Err(e) = regex::Regex::new(re) {
                    r.error(
                        "topics.regex",
                        format!("is not a valid regular expression: {e}"),
                    );
                }
                Topics::Regex(re.to_owned())
            }
            (None, None) => {
                r.error("topics", "is required (or topics.regex)");
                Topics::List(vec![])
            }
        };
        let diffusion = diffusion_settings(&mut r);
        let keep = r.one_of(
            "diffusion.destination.unresolved",
            "fail",
            &["fail", "keep"],
        ) == "keep";
        let destination_text = r.required("diffusion.destination");
        let destination = match Pattern::parse(&destination_text, keep) {
            Ok(p) => p,
            Err(e) => {
                if !destination_text.is_empty() {
                    r.error("diffusion.destination", e);
                }
                Pattern::parse("invalid", false).unwrap()
            }
        };
        let mut warnings = unapplied_keys(&r);
        warnings.extend(destination
            .unknown_tokens()
            .iter()
            .map(|t| ConfigError {
                key: "diffusion.destination".into(),
                message: format!(
                    "{t} is not a token (the tokens are ${{topic}}, ${{key}}, ${{key.version}} and ${{value.version}}); \
                     it stays in every Diffusion topic path as text, as in the Java connector"
                ),
            }));
        let key_converter = r.converter("key.converter");
        let value_converter = r.converter("value.converter");
        let tasks_max = r.number("tasks.max", 1u32, 1);
        let errors = error_policy(&mut r);
        let tombstone_removes =
            r.one_of("diffusion.tombstone.behavior", "null", &["null", "remove"]) == "remove";
        let max_in_flight = r.number("diffusion.max.in.flight", 1024usize, 1);
        let commit_interval_ms = r.number("offset.flush.interval.ms", 60_000u64, 1);
        if r.errors.is_empty() {
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
                max_in_flight,
                commit_interval_ms,
                warnings,
            })
        } else {
            Err(r.errors)
        }
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
            c.value_converter,
            Converter::Json {
                schemas_enable: false
            }
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
        c.props.insert("transforms".into(), "route".into());
        let parsed = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
        assert_eq!(parsed.warnings[0].key, "transforms");
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
}
