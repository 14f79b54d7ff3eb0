//! Worker properties, as Kafka Connect names them, mapped onto librdkafka settings.
//!
//! Connect's Java client names mostly match librdkafka's (`bootstrap.servers`,
//! `security.protocol`, `sasl.mechanism`, `client.id`); the Java-only forms are translated:
//! `sasl.jaas.config` (PLAIN and SCRAM login modules) to `sasl.username`/`sasl.password`,
//! a PEM `ssl.truststore.location` to `ssl.ca.location`. `consumer.*`, `producer.*` and
//! `admin.*` overrides pass through to that client, prefix removed.

use std::collections::BTreeMap;

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::ClientConfig;

use crate::config::ConfigError;

/// The worker's Kafka client settings, translated to librdkafka's names and kept per
/// client (common, consumer, producer, admin), from which each client's config is built.
/// `Debug` shows only `bootstrap.servers`: the settings may hold SASL passwords.
#[derive(Clone, Default)]
pub struct KafkaSettings {
    common: BTreeMap<String, String>,
    consumer: BTreeMap<String, String>,
    producer: BTreeMap<String, String>,
    admin: BTreeMap<String, String>,
}

// Settings may hold SASL passwords.
impl std::fmt::Debug for KafkaSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSettings")
            .field("bootstrap.servers", &self.common.get("bootstrap.servers"))
            .finish_non_exhaustive()
    }
}

const PASS_THROUGH: [&str; 10] = [
    "bootstrap.servers",
    "security.protocol",
    "sasl.mechanism",
    "client.id",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.key.password",
    "sasl.username",
    "sasl.password",
];

impl KafkaSettings {
    /// Reads the worker properties (Connect's names): `bootstrap.servers` is required, the
    /// Java-only forms are translated, `consumer.`/`producer.`/`admin.` overrides are kept
    /// for that client, and other keys (converters, the worker's own) are ignored. Every
    /// problem is reported, each with its key.
    pub fn from_worker(
        props: &BTreeMap<String, String>,
    ) -> Result<KafkaSettings, Vec<ConfigError>> {
        let mut s = KafkaSettings::default();
        let mut errors = Vec::new();
        let mut err = |key: &str, message: String| {
            errors.push(ConfigError {
                key: key.into(),
                message,
            })
        };
        match props.get("bootstrap.servers").map(|v| v.trim()) {
            Some(v) if !v.is_empty() => {}
            _ => err(
                "bootstrap.servers",
                "is required: the Kafka brokers to connect to, e.g. 127.0.0.1:9092".into(),
            ),
        }
        for (k, v) in props {
            if PASS_THROUGH.contains(&k.as_str()) {
                s.common.insert(k.clone(), v.trim().to_owned());
            } else if let Some(rest) = k.strip_prefix("consumer.") {
                s.consumer.insert(rest.to_owned(), v.clone());
            } else if let Some(rest) = k.strip_prefix("producer.") {
                s.producer.insert(rest.to_owned(), v.clone());
            } else if let Some(rest) = k.strip_prefix("admin.") {
                s.admin.insert(rest.to_owned(), v.clone());
            }
        }
        if let Some(jaas) = props.get("sasl.jaas.config") {
            match jaas_credentials(jaas) {
                Some((user, password)) => {
                    s.common.insert("sasl.username".into(), user);
                    s.common.insert("sasl.password".into(), password);
                }
                None => err(
                    "sasl.jaas.config",
                    "only PlainLoginModule and ScramLoginModule with username=\"…\" password=\"…\" are understood".into(),
                ),
            }
        }
        if let Some(loc) = props.get("ssl.truststore.location") {
            let ty = props
                .get("ssl.truststore.type")
                .map(|t| t.to_ascii_uppercase());
            if ty.as_deref() == Some("PEM") || loc.ends_with(".pem") || loc.ends_with(".crt") {
                s.common.insert("ssl.ca.location".into(), loc.clone());
            } else {
                err(
                    "ssl.truststore.location",
                    "librdkafka reads PEM, not JKS or PKCS12: give a PEM CA file and ssl.truststore.type=PEM".into(),
                );
            }
        }
        if props
            .get("ssl.endpoint.identification.algorithm")
            .is_some_and(|v| v.trim().is_empty())
        {
            s.common.insert(
                "ssl.endpoint.identification.algorithm".into(),
                "none".into(),
            );
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }

    /// Sets a consumer setting unless the worker properties already chose one
    /// (`consumer.KEY`); an empty choice removes the setting.
    pub fn default_consumer_setting(&mut self, key: &str, value: &str) {
        match self.consumer.get(key).map(String::as_str) {
            Some("") => {
                self.consumer.remove(key);
            }
            Some(_) => {}
            None => {
                self.consumer.insert(key.into(), value.into());
            }
        }
    }

    /// `bootstrap.servers` as configured (comma-separated `host:port`s), for messages and
    /// the worker's own clients; empty only for settings not made by [`from_worker`](Self::from_worker).
    pub fn bootstrap_servers(&self) -> &str {
        self.common
            .get("bootstrap.servers")
            .map(String::as_str)
            .unwrap_or("")
    }

    fn build(&self, specific: &BTreeMap<String, String>) -> ClientConfig {
        let mut c = ClientConfig::new();
        for (k, v) in self.common.iter().chain(specific) {
            c.set(k, v);
        }
        c
    }

    /// A consumer for a sink connector: Connect's group name, no automatic commits (offsets
    /// are committed only once Diffusion confirmed), and from the earliest offset when the
    /// group has none, as Connect's sink consumers do.
    pub fn consumer(&self, group: &str) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            // librdkafka prefetches up to 64 MB per consumer by default; while Diffusion
            // stalls that is what the process grows by. 16 MB is still over a second of
            // records at full speed. `consumer.queued.max.messages.kbytes` overrides it.
            .set("queued.max.messages.kbytes", "16384")
            // And it keeps fetching until a partition has 100,000 records queued: for
            // ~100-byte records that queue (each record with its ~300 bytes of librdkafka
            // bookkeeping) was half the sink's peak RSS, 68 MB in the 1M-record suite;
            // 20,000 (two 1 MB fetches of such records, ~65 ms at full speed) gave 32 MB
            // and no less throughput (bench/RESULTS.md). `consumer.queued.min.messages`
            // overrides it.
            .set("queued.min.messages", "20000");
        for (k, v) in self.common.iter().chain(&self.consumer) {
            c.set(k, v);
        }
        c
    }

    /// A producer config: the common settings with the `producer.*` overrides. Unless
    /// those choose otherwise it is idempotent (no duplicates or reordering on retries)
    /// and partitions keys as Java's producer does (`murmur2_random`).
    pub fn producer(&self) -> ClientConfig {
        let mut c = self.build(&self.producer);
        if c.get("enable.idempotence").is_none() {
            c.set("enable.idempotence", "true");
        }
        // Java's partitioner, so a key lands where Kafka Connect's producer would put it.
        if c.get("partitioner").is_none() {
            c.set("partitioner", "murmur2_random");
        }
        c
    }

    /// An admin client config (topic creation): the common settings with the `admin.*`
    /// overrides.
    pub fn admin(&self) -> ClientConfig {
        self.build(&self.admin)
    }

    /// Creates a topic unless it exists: many clusters (most managed services) do not
    /// create topics on first use (`auto.create.topics.enable=false`). `replication` -1 is the broker's default.
    pub async fn create_topic_if_missing(
        &self,
        topic: &str,
        partitions: i32,
        replication: i32,
    ) -> Result<(), TopicError> {
        self.create_topic_with(topic, partitions, replication, &[])
            .await
    }

    /// As `create_topic_if_missing`, with topic configs (e.g. `cleanup.policy=compact`).
    pub async fn create_topic_with(
        &self,
        topic: &str,
        partitions: i32,
        replication: i32,
        configs: &[(&str, &str)],
    ) -> Result<(), TopicError> {
        let admin: AdminClient<DefaultClientContext> =
            self.admin().create().map_err(TopicError::Admin)?;
        let mut new = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
        for (k, v) in configs {
            new = new.set(k, v);
        }
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let results =
            admin
                .create_topics(&[new], &opts)
                .await
                .map_err(|e| TopicError::Request {
                    topic: topic.to_owned(),
                    source: e,
                })?;
        for r in results {
            match r {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => return Err(TopicError::Refused { topic, code }),
            }
        }
        Ok(())
    }
}

/// Why a topic could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    /// The admin client could not be built from the settings.
    #[error("Kafka admin client: {0}")]
    Admin(#[source] KafkaError),
    /// The request did not get an answer (brokers unreachable, timed out).
    #[error("cannot create topic {topic}: {source}")]
    Request {
        /// The topic asked for.
        topic: String,
        /// What librdkafka said.
        #[source]
        source: KafkaError,
    },
    /// The broker answered no (not authorised, invalid settings, too many partitions).
    #[error("cannot create topic {topic}: {code}")]
    Refused {
        /// The topic asked for.
        topic: String,
        /// The broker's error code.
        code: RDKafkaErrorCode,
    },
}

/// `username="u" password="p"` from a JAAS login module line.
fn jaas_credentials(jaas: &str) -> Option<(String, String)> {
    if !(jaas.contains("PlainLoginModule") || jaas.contains("ScramLoginModule")) {
        return None;
    }
    let field = |name: &str| {
        let start = jaas.find(&format!("{name}=\""))? + name.len() + 2;
        let end = jaas[start..].find('"')?;
        Some(jaas[start..start + end].to_owned())
    };
    Some((field("username")?, field("password")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_connect_names_to_librdkafka() {
        let props: BTreeMap<String, String> = [
            ("bootstrap.servers", "b:9092"),
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "PLAIN"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
            ),
            ("ssl.truststore.location", "/etc/ca.pem"),
            ("consumer.fetch.max.bytes", "1000"),
            ("producer.linger.ms", "5"),
            ("key.converter", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let s = KafkaSettings::from_worker(&props).unwrap();
        let c = s.consumer("connect-x");
        assert_eq!(c.get("sasl.username"), Some("u"));
        assert_eq!(c.get("sasl.password"), Some("p"));
        assert_eq!(c.get("ssl.ca.location"), Some("/etc/ca.pem"));
        assert_eq!(c.get("fetch.max.bytes"), Some("1000"));
        assert_eq!(c.get("linger.ms"), None);
        assert_eq!(c.get("key.converter"), None);
        assert_eq!(s.producer().get("linger.ms"), Some("5"));
        assert!(!format!("{s:?}").contains("\"p\""));
    }

    #[test]
    fn missing_bootstrap_and_jks_are_named() {
        let props: BTreeMap<String, String> = [(
            "ssl.truststore.location".to_owned(),
            "/etc/trust.jks".to_owned(),
        )]
        .into();
        let e = KafkaSettings::from_worker(&props).unwrap_err();
        assert_eq!(e[0].key, "bootstrap.servers");
        assert_eq!(e[1].key, "ssl.truststore.location");
    }
}
