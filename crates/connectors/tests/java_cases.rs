//! The Java connector's own test cases, with their inputs and expected outputs, against
//! our code: `TopicPathMappingTest` (patterns), the sink and source connector tests
//! (configs, tasks) and the sink and source task tests (against the embedded Diffusion
//! server and a real broker), in diffusiondata/diffusion-kafka-connect,
//! `src/test/java/com/diffusiondata/connect/diffusion/`. The data conversion cases are in
//! `crates/connect-data/tests/java_cases.rs`.
//!
//! The Java task tests mock the Diffusion client; here it is real, so "the client was
//! asked to update `topic`" becomes "a subscriber saw `topic` updated". The Java tests give
//! a task only the connector's own keys; Kafka Connect adds `topics` to a sink and the
//! worker's converters to both, and so do these tests. Where we differ on purpose the test
//! asserts our behaviour, and docs/MIGRATING.md gives the reason.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use connect_data::float::single_to_double;
use connect_data::{to_diffusion_cbor, Schema, SchemaAndValue, SchemaType, Value as Data};
use connectors::config::{ConnectorConfig, SinkConfig};
use connectors::definitions::keys;
use connectors::kafka::KafkaSettings;
use connectors::pattern::{Context, NoFields, Pattern};
use connectors::sink::{run_sink, SinkMetrics};
use connectors::source::{run_source, SourceMetrics};
use connectors::status::StatusHandle;
use connectors::topic_name::TopicNamePattern;
use connectors::{SourceConfig, TaskState, TaskStatus, SINK_CLASS, SOURCE_CLASS};
use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value as J};
use test_support::{unique_name, Broker};
use tokio::sync::{mpsc, watch};

const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";
const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";

// ---- TopicPathMappingTest: pathFromTopic (the source's kafka.topic) --------------------

fn path_from_topic(pattern: &str, topic_path: &str) -> String {
    TopicNamePattern::parse(pattern).unwrap().name(topic_path)
}

/// TopicPathMappingTest#canDeriveFromTopicPathNoOp
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_no_op() {
    assert_eq!(path_from_topic("foo", "foo/bar/baz"), "foo");
}

/// TopicPathMappingTest#canDeriveFromTopicPathReplaceSlash
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_replace_slash() {
    assert_eq!(path_from_topic("foo/bar/baz", "foo/bar/baz"), "foo_bar_baz");
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithTopicReplace
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_topic_replace() {
    assert_eq!(path_from_topic("${topic}", "foo/bar/baz"), "foo_bar_baz");
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithTopicAppend
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_topic_append() {
    assert_eq!(
        path_from_topic("root/${topic}", "foo/bar/baz"),
        "root_foo_bar_baz"
    );
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithTopicPrepend
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_topic_prepend() {
    assert_eq!(
        path_from_topic("${topic}/suffix", "foo/bar/baz"),
        "foo_bar_baz_suffix"
    );
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithTopicInsert
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_topic_insert() {
    assert_eq!(
        path_from_topic("a/${topic}/b", "foo/bar/baz"),
        "a_foo_bar_baz_b"
    );
}

/// The name Java gives for a pattern with an unknown token, which Kafka refuses: the
/// config is accepted with a warning, and each record fails naming the name and token.
fn assert_kept_but_refused(pattern: &str, want: &str, token: &str) {
    let p = TopicNamePattern::parse(pattern).unwrap();
    assert_eq!(p.name("foo/bar/baz"), want);
    let e = p.resolve("foo/bar/baz").unwrap_err();
    assert!(e.contains(&format!("{want:?}")) && e.contains(token), "{e}");
    assert!(
        p.warnings().iter().any(|w| w.contains(token)),
        "{:?}",
        p.warnings()
    );
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithUnknownToken
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_unknown_token() {
    assert_kept_but_refused("a/b/${foo.bar}", "a_b_${foo.bar}", "${foo.bar}");
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithKnownAndUnknownToken
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_known_and_unknown_token() {
    assert_kept_but_refused(
        "a/b/${foo.bar}/${topic}",
        "a_b_${foo.bar}_foo_bar_baz",
        "${foo.bar}",
    );
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithInapplicableToken
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_inapplicable_token() {
    assert_kept_but_refused("a/b/${key.version}", "a_b_${key.version}", "${key.version}");
}

/// TopicPathMappingTest#canDeriveFromTopicPathWithRepeatedToken
#[test]
fn java_topic_path_mapping_can_derive_from_topic_path_with_repeated_token() {
    assert_eq!(
        path_from_topic("${topic}${topic}", "foo/bar/baz"),
        "foo_bar_bazfoo_bar_baz"
    );
}

// ---- TopicPathMappingTest: pathFromRecord (the sink's diffusion.destination) -----------

/// A sink record as `SinkRecordBuilder` makes it: topic "topic", key "foo" and value "foo"
/// with `SchemaBuilder.string()` schemas, each replaceable with its schema.
struct Record {
    topic: &'static str,
    key: SchemaAndValue,
    value: SchemaAndValue,
}

fn string_schema(version: Option<i32>) -> Option<Schema> {
    let mut s = Schema::new(SchemaType::String);
    s.version = version;
    Some(s)
}

fn text(schema: Option<Schema>, s: &str) -> SchemaAndValue {
    SchemaAndValue {
        schema,
        value: Data::String(s.to_owned()),
    }
}

fn sink_record() -> Record {
    Record {
        topic: "topic",
        key: text(string_schema(None), "foo"),
        value: text(string_schema(None), "foo"),
    }
}

/// The context the sink gives the pattern for a record: the key's text, the key's and
/// the value's schema versions.
fn path_from_record(pattern: &str, r: &Record, keep: bool) -> Result<String, String> {
    let key = r.key.to_path_string();
    Pattern::parse(pattern, keep).unwrap().resolve(&Context {
        topic: r.topic,
        key: key.as_deref(),
        key_version: r.key.schema.as_ref().and_then(|s| s.version),
        value_version: r.value.schema.as_ref().and_then(|s| s.version),
        partition: 0,
        offset: 0,
        timestamp: None,
        fields: &NoFields,
    })
}

/// Java's result, in both of our modes (default `fail` and `keep`).
fn assert_path(pattern: &str, r: &Record, want: &str) {
    assert_eq!(
        path_from_record(pattern, r, false).unwrap(),
        want,
        "fail mode"
    );
    assert_eq!(
        path_from_record(pattern, r, true).unwrap(),
        want,
        "keep mode"
    );
}

/// Java leaves an unfillable token as text: so does keep mode; by default the record
/// fails, naming the token (deliberate, see MIGRATING.md).
fn assert_kept_as_text(pattern: &str, r: &Record, want: &str, token: &str) {
    assert_eq!(
        path_from_record(pattern, r, true).unwrap(),
        want,
        "keep mode"
    );
    let e = path_from_record(pattern, r, false).unwrap_err();
    assert!(e.contains(token), "{e}");
}

/// TopicPathMappingTest#canDeriveFromRecordNoOp
#[test]
fn java_topic_path_mapping_can_derive_from_record_no_op() {
    assert_path("foo/bar/baz", &sink_record(), "foo/bar/baz");
}

/// TopicPathMappingTest#canDeriveFromRecordWithTopic
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_topic() {
    let r = Record {
        topic: "kafka",
        ..sink_record()
    };
    assert_path("foo/bar/${topic}", &r, "foo/bar/kafka");
}

/// TopicPathMappingTest#canDeriveFromRecordWithKey
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key() {
    let r = Record {
        key: text(string_schema(None), "key"),
        ..sink_record()
    };
    assert_path("foo/bar/${key}", &r, "foo/bar/key");
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyVersion
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_version() {
    let r = Record {
        key: text(string_schema(Some(123)), "key"),
        ..sink_record()
    };
    assert_path("foo/bar/${key.version}", &r, "foo/bar/123");
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyAndVersion
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_and_version() {
    let r = Record {
        key: text(string_schema(Some(123)), "key"),
        ..sink_record()
    };
    assert_path("foo/bar/${key.version}/${key}", &r, "foo/bar/123/key");
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyNullSchema
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_null_schema() {
    let r = Record {
        key: text(None, "key"),
        ..sink_record()
    };
    assert_path("foo/bar/${key}", &r, "foo/bar/key");
    // A schemaless key as the JsonConverter reads it (schemas.enable=false, bytes "key").
    let r = Record {
        key: SchemaAndValue::schemaless(Data::Json(json!("key"))),
        ..sink_record()
    };
    assert_path("foo/bar/${key}", &r, "foo/bar/key");
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyVersionNullSchema
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_version_null_schema() {
    let r = Record {
        key: text(None, "key"),
        ..sink_record()
    };
    assert_kept_as_text(
        "foo/bar/${key.version}",
        &r,
        "foo/bar/${key.version}",
        "${key.version}",
    );
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyVersionNullVersion
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_version_null_version() {
    let r = Record {
        key: text(string_schema(None), "key"),
        ..sink_record()
    };
    assert_kept_as_text(
        "foo/bar/${key.version}",
        &r,
        "foo/bar/${key.version}",
        "${key.version}",
    );
}

/// TopicPathMappingTest#canDeriveFromRecordWithKeyAndVersionNullSchema
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_key_and_version_null_schema() {
    let r = Record {
        key: text(None, "key"),
        ..sink_record()
    };
    assert_kept_as_text(
        "foo/bar/${key}/${key.version}",
        &r,
        "foo/bar/key/${key.version}",
        "${key.version}",
    );
}

/// TopicPathMappingTest#canDeriveFromRecordWithValueVersion
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_value_version() {
    let r = Record {
        value: text(string_schema(Some(123)), "val"),
        ..sink_record()
    };
    assert_path("foo/bar/${value.version}", &r, "foo/bar/123");
}

/// TopicPathMappingTest#canDeriveFromRecordWithValueVersionNoSchema
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_value_version_no_schema() {
    let r = Record {
        value: text(None, "val"),
        ..sink_record()
    };
    assert_kept_as_text(
        "foo/bar/${value.version}",
        &r,
        "foo/bar/${value.version}",
        "${value.version}",
    );
}

/// TopicPathMappingTest#canDeriveFromRecordWithValueVersionNoVersion
#[test]
fn java_topic_path_mapping_can_derive_from_record_with_value_version_no_version() {
    let r = Record {
        value: text(string_schema(None), "val"),
        ..sink_record()
    };
    assert_kept_as_text(
        "foo/bar/${value.version}",
        &r,
        "foo/bar/${value.version}",
        "${value.version}",
    );
}

/// Not a Java test case: what `pathFromRecord` does for a null key (it fills `${topic}`
/// and returns), which keep mode matches exactly; by default a null key fails only a
/// pattern with `${key}`.
#[test]
fn a_null_key_in_keep_mode_fills_only_the_topic_as_java_does() {
    let r = Record {
        key: SchemaAndValue::schemaless(Data::Null),
        value: text(string_schema(Some(7)), "val"),
        topic: "kafka",
    };
    let pattern = "${topic}/${key}/${value.version}/${unknown}";
    assert_eq!(
        path_from_record(pattern, &r, true).unwrap(),
        "kafka/${key}/${value.version}/${unknown}"
    );
    assert!(path_from_record(pattern, &r, false)
        .unwrap_err()
        .contains("${key}"));
    assert_eq!(
        path_from_record("${topic}/${value.version}", &r, false).unwrap(),
        "kafka/7"
    );
}

// ---- The connector tests: configs and tasks --------------------------------------------

/// DiffusionSinkConnectorTest#setup and DiffusionSinkTaskTest#setUp: the Java test's
/// props, plus the `topics` Kafka Connect requires of every sink.
fn java_sink_props(
    url: &str,
    topics: &str,
    destination: &str,
    extra: &[(&str, &str)],
) -> ConnectorConfig {
    let mut props: BTreeMap<String, String> = [
        ("connector.class", SINK_CLASS),
        ("diffusion.url", url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.destination", destination),
        ("topics", topics),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        props.insert((*k).to_owned(), (*v).to_owned());
    }
    ConnectorConfig {
        name: unique_name("sink"),
        props,
    }
}

/// DiffusionSourceTaskTest#setUp: the Java test's props (poll interval 0 included).
fn java_source_props(url: &str, kafka_topic: &str, extra: &[(&str, &str)]) -> ConnectorConfig {
    let mut props: BTreeMap<String, String> = [
        ("connector.class", SOURCE_CLASS),
        ("diffusion.url", url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.selector", "topic"),
        ("kafka.topic", kafka_topic),
        ("diffusion.poll.interval", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        props.insert((*k).to_owned(), (*v).to_owned());
    }
    ConnectorConfig {
        name: unique_name("source"),
        props,
    }
}

/// The worker's converters, as Kafka Connect gives them to a connector that sets none:
/// keys as text, values in the JsonConverter's envelope (a schema, or `"schema": null`).
fn worker() -> BTreeMap<String, String> {
    [
        ("key.converter", STRING_CONVERTER),
        ("value.converter", JSON_CONVERTER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The source's worker: key and value in the JsonConverter's envelope, so that the tests
/// see the schemas Java's tests assert.
fn source_worker() -> BTreeMap<String, String> {
    [
        ("key.converter", JSON_CONVERTER),
        ("value.converter", JSON_CONVERTER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// DiffusionSinkConnectorTest#testTaskConfigs
#[test]
fn java_sink_connector_task_configs() {
    let c = java_sink_props(
        "ws://localhost:8080",
        "topic",
        "topic",
        &[("tasks.max", "1")],
    );
    let config = SinkConfig::parse(&c, &worker()).unwrap();
    // One task, configured with the props as given.
    assert_eq!(config.tasks_max, 1);
    assert_eq!(config.diffusion.url, "ws://localhost:8080");
    assert_eq!(config.diffusion.username, "admin");
    assert_eq!(config.diffusion.password.0, "password");
    assert_eq!(
        config
            .destination
            .resolve(&Context {
                topic: "t",
                key: None,
                key_version: None,
                value_version: None,
                partition: 0,
                offset: 0,
                timestamp: None,
                fields: &NoFields,
            })
            .unwrap(),
        "topic"
    );
    assert!(config.warnings.is_empty());
}

/// DiffusionSinkConnectorTest#testTaskConfigsWithMoreThanOne: 123 tasks asked for, one
/// task runs (and takes every partition: three here).
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_connector_task_configs_with_more_than_one() {
    let server = diffusion().await;
    let topic = unique_name("many");
    Broker::shared().create_topic(&topic, 3).await;
    let c = java_sink_props(
        &server.url(),
        &topic,
        "sunk/${key}",
        &[("tasks.max", "123")],
    );
    assert_eq!(SinkConfig::parse(&c, &worker()).unwrap().tasks_max, 123);
    let (_watcher, mut events) = watch(&server.url(), "?sunk/").await;
    let sink = start_sink(&c);
    let records: Vec<(String, String)> = (0..30)
        .map(|n| {
            (
                format!("k{n}"),
                format!(r#"{{"schema":null,"payload":{n}}}"#),
            )
        })
        .collect();
    let pairs: Vec<(Option<&str>, Option<&str>)> = records
        .iter()
        .map(|(k, v)| (Some(k.as_str()), Some(v.as_str())))
        .collect();
    produce(&topic, &pairs).await;
    let latest = latest_values(&mut events, 30).await;
    for n in 0..30 {
        assert_eq!(latest[&format!("sunk/k{n}")], n.to_string());
    }
    let m = sink.stop().await;
    assert_eq!(m.records_confirmed.load(Ordering::Relaxed), 30);
}

/// DiffusionSinkConnectorTest#testTaskClass: the sink class gives the sink's task (its
/// keys and its config), not the source's.
#[test]
fn java_sink_connector_task_class() {
    let names: Vec<&str> = keys(SINK_CLASS).iter().map(|k| k.name).collect();
    assert!(names.contains(&"diffusion.destination") && !names.contains(&"diffusion.selector"));
    let c = java_sink_props("ws://localhost:8080", "topic", "topic", &[]);
    assert!(SinkConfig::parse(&c, &worker()).is_ok());
    assert!(SourceConfig::parse(&c, &source_worker()).is_err());
}

/// DiffusionSourceConnectorTest#testTaskConfigs (its props: no poll interval)
#[test]
fn java_source_connector_task_configs() {
    let mut c = java_source_props("ws://localhost:8080", "topic", &[("tasks.max", "1")]);
    c.props.remove("diffusion.poll.interval");
    let config = SourceConfig::parse(&c, &source_worker()).unwrap();
    assert_eq!(config.tasks_max, 1);
    assert_eq!(config.selector, "topic");
    assert_eq!(config.kafka_topic.resolve("a/b").unwrap(), "topic");
    assert_eq!(config.poll_interval_ms, 1000);
    assert_eq!(config.poll_size, 128);
    assert!(config.warnings.is_empty());
}

/// DiffusionSourceConnectorTest#testTaskConfigsWithMoreThanOne: 123 tasks asked for, one
/// task runs.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_connector_task_configs_with_more_than_one() {
    let server = diffusion().await;
    let topic = unique_name("kafka");
    let c = java_source_props(&server.url(), &topic, &[("tasks.max", "123")]);
    assert_eq!(
        SourceConfig::parse(&c, &source_worker()).unwrap().tasks_max,
        123
    );
    let source = start_source(&c).await;
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    assert_eq!(consume(&topic, 1).await.len(), 1);
    source.stop().await;
}

/// DiffusionSourceConnectorTest#testTaskClass
#[test]
fn java_source_connector_task_class() {
    let names: Vec<&str> = keys(SOURCE_CLASS).iter().map(|k| k.name).collect();
    assert!(names.contains(&"diffusion.selector") && !names.contains(&"diffusion.destination"));
    let c = java_source_props("ws://localhost:8080", "topic", &[]);
    assert!(SourceConfig::parse(&c, &source_worker()).is_ok());
    assert!(SinkConfig::parse(&c, &worker()).is_err());
}

// ---- DiffusionSinkTaskTest -------------------------------------------------------------

/// DiffusionSinkTaskTest#testStart: the task starts with the Java test's props and
/// connects to Diffusion with them.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_start() {
    let server = diffusion().await;
    let topic = unique_name("start");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(&server.url(), &topic, "topic", &[]);
    let config = SinkConfig::parse(&c, &worker()).unwrap();
    assert_eq!(config.diffusion.url, server.url());
    let mut sink = start_sink(&c);
    sink.connected().await;
    assert_eq!(sink.status.borrow().state, TaskState::Running);
    assert_eq!(server.stats().sessions, 1);
    sink.stop().await;
}

/// DiffusionSinkTaskTest#testStop: stopping closes the Diffusion session.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_stop() {
    let server = diffusion().await;
    let topic = unique_name("stop");
    Broker::shared().create_topic(&topic, 1).await;
    let mut sink = start_sink(&java_sink_props(&server.url(), &topic, "topic", &[]));
    sink.connected().await;
    assert_eq!(server.stats().sessions, 1);
    sink.stop().await;
    wait_until("the session closed", || server.stats().sessions == 0).await;
}

/// DiffusionSinkTaskTest#testPutFailsWhenClosed: once the Diffusion session is closed for
/// good (here: the server restarted and refuses the principal), a record fails the task
/// and nothing reaches Diffusion.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_put_fails_when_closed() {
    let listen = free_listen();
    let server = diffusion_at(&listen, "password").await;
    let topic = unique_name("closed");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(&server.url(), &topic, "topic", &[]);
    let name = c.name.clone();
    let mut sink = start_sink(&c);
    sink.connected().await;
    server.shutdown().await;
    let server = diffusion_at(&listen, "changed").await;
    produce(
        &topic,
        &[(Some("foo"), Some(r#"{"schema":null,"payload":true}"#))],
    )
    .await;
    let err = tokio::time::timeout(Duration::from_secs(60), sink.task)
        .await
        .expect("the task fails")
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("closed") || err.contains("authentication"),
        "{err}"
    );
    assert!(matches!(sink.status.borrow().state, TaskState::Failed(_)));
    assert_eq!(server.stats().topics, 0, "no update reached Diffusion");
    assert!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await
            <= 0
    );
}

/// DiffusionSinkTaskTest#testPutFailsWithRetriableWhenDisconnected. Deliberately
/// different: Java throws a RetriableException and Connect redelivers; we keep the
/// record, reconnect and send it, and the task stays RUNNING meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_put_fails_with_retriable_when_disconnected() {
    let listen = free_listen();
    let server = diffusion_at(&listen, "password").await;
    let topic = unique_name("retry");
    Broker::shared().create_topic(&topic, 1).await;
    let mut sink = start_sink(&java_sink_props(&server.url(), &topic, "topic", &[]));
    sink.connected().await;
    server.shutdown().await;
    sink.status
        .wait_for(|s| !s.diffusion_connected)
        .await
        .unwrap();
    produce(
        &topic,
        &[(Some("foo"), Some(r#"{"schema":null,"payload":true}"#))],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sink.status.borrow().state, TaskState::Running);
    let server = diffusion_at(&listen, "password").await;
    let (_watcher, mut events) = watch(&server.url(), ">topic").await;
    assert_eq!(next_values(&mut events, "topic", 1).await, ["true"]);
    sink.stop().await;
}

/// The eight primitive records of DiffusionSinkTaskTest#testPutPrimitives (with schemas)
/// and #testPutSchemalessPrimitives, as JsonConverter envelopes.
const PRIMITIVE_SCHEMAS: [&str; 8] = [
    r#"{"type":"boolean"}"#,
    r#"{"type":"int8"}"#,
    r#"{"type":"int16"}"#,
    r#"{"type":"int32"}"#,
    r#"{"type":"int64"}"#,
    r#"{"type":"float"}"#,
    r#"{"type":"double"}"#,
    r#"{"type":"string"}"#,
];
const PRIMITIVES: [&str; 8] = [
    "true",
    "77",
    "777",
    "777777",
    "777777777777777",
    "7.7",
    "7.7",
    "\"hello world\"",
];

/// Sends `records` (values) through a sink with destination `topic` and returns the
/// values Diffusion's `topic` took, as Java prints them.
async fn put(
    records: &[String],
    extra: &[(&str, &str)],
    worker_props: BTreeMap<String, String>,
) -> Vec<String> {
    let server = diffusion().await;
    let topic = unique_name("put");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(&server.url(), &topic, "topic", extra);
    let config = SinkConfig::parse(&c, &worker_props).unwrap();
    let (_watcher, mut events) = watch(&server.url(), ">topic").await;
    let sink = start_parsed_sink(config);
    let pairs: Vec<(Option<&str>, Option<&str>)> = records
        .iter()
        .map(|v| (Some("foo"), Some(v.as_str())))
        .collect();
    produce(&topic, &pairs).await;
    let got = next_values(&mut events, "topic", records.len()).await;
    sink.stop().await;
    got
}

/// DiffusionSinkTaskTest#testPutPrimitives
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_put_primitives() {
    let records: Vec<String> = PRIMITIVE_SCHEMAS
        .iter()
        .zip(PRIMITIVES)
        .map(|(s, v)| format!(r#"{{"schema":{s},"payload":{v}}}"#))
        .collect();
    assert_eq!(put(&records, &[], worker()).await, PRIMITIVES);
}

/// DiffusionSinkTaskTest#testPutSchemalessPrimitives: plain JSON
/// (value.converter.schemas.enable=false).
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_put_schemaless_primitives() {
    let records: Vec<String> = PRIMITIVES.iter().map(|v| v.to_string()).collect();
    let mut w = worker();
    w.insert("value.converter.schemas.enable".into(), "false".into());
    assert_eq!(put(&records, &[], w).await, PRIMITIVES);
}

const STRUCT_SCHEMA: &str = r#"{"type":"struct","fields":[{"type":"string","field":"foo"},{"type":"int32","field":"bar"},{"type":"array","items":{"type":"int32"},"field":"baz"}]}"#;

/// DiffusionSinkTaskTest#testPutStruct
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_put_struct() {
    let record = format!(
        r#"{{"schema":{STRUCT_SCHEMA},"payload":{{"foo":"hello world","bar":123,"baz":[4,5,6]}}}}"#
    );
    assert_eq!(
        put(&[record], &[], worker()).await,
        [r#"{"foo":"hello world","bar":123,"baz":[4,5,6]}"#]
    );
}

/// DiffusionSinkTaskTest#testThrowsWithSchemalessStruct: no converter makes a struct
/// without its schema, so the conversion the sink runs is asked directly; the record
/// fails (at TASK_PUT, taking the error path).
#[test]
fn java_sink_task_throws_with_schemaless_struct() {
    let sv = SchemaAndValue::schemaless(Data::Struct(vec![
        ("foo".into(), Data::String("hello world".into())),
        ("bar".into(), Data::Int32(123)),
        (
            "baz".into(),
            Data::Array(vec![Data::Int32(4), Data::Int32(5), Data::Int32(6)]),
        ),
    ]));
    assert!(to_diffusion_cbor(&sv)
        .unwrap_err()
        .0
        .contains("struct without a struct schema"));
}

/// DiffusionSinkTaskTest#testFlushesPendingOffsets: two records are sent, their offsets
/// committed once Diffusion confirmed them, and a later commit finds nothing pending.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_flushes_pending_offsets() {
    let server = diffusion().await;
    let topic = unique_name("flush");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(
        &server.url(),
        &topic,
        "topic",
        &[("offset.flush.interval.ms", "100")],
    );
    let group = format!("connect-{}", c.name);
    let (_watcher, mut events) = watch(&server.url(), ">topic").await;
    let sink = start_sink(&c);
    produce(
        &topic,
        &[
            (Some("foo"), Some(r#"{"schema":null,"payload":true}"#)),
            (Some("foo"), Some(r#"{"schema":null,"payload":false}"#)),
        ],
    )
    .await;
    assert_eq!(
        next_values(&mut events, "topic", 2).await,
        ["true", "false"]
    );
    wait_for_commit(&group, &topic, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(Broker::shared().committed(&group, &topic).await, 2);
    let m = sink.stop().await;
    assert_eq!(m.records_confirmed.load(Ordering::Relaxed), 2);
    assert_eq!(Broker::shared().committed(&group, &topic).await, 2);
}

/// DiffusionSinkTaskTest#testThrowsOnFailedFlushPendingOffsets (whose mock never fails,
/// so it asserts nothing; what it meant): an update the Diffusion server refuses fails the
/// task, and its offset is not committed. Here `topic` was made a string topic after the
/// sink created it as JSON, so the sink's next update does not fit it.
#[tokio::test(flavor = "multi_thread")]
async fn java_sink_task_throws_on_failed_flush_pending_offsets() {
    let server = diffusion().await;
    let topic = unique_name("refused");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(
        &server.url(),
        &topic,
        "topic",
        &[("offset.flush.interval.ms", "100")],
    );
    let group = format!("connect-{}", c.name);
    let sink = start_sink(&c);
    produce(
        &topic,
        &[(Some("foo"), Some(r#"{"schema":null,"payload":true}"#))],
    )
    .await;
    wait_for_commit(&group, &topic, 1).await;
    let other = publisher(&server.url()).await;
    other.remove(">topic").await.unwrap();
    other
        .add_and_set(
            "topic",
            TopicSpecification::new(TopicType::String),
            &Value::String("mine".into()),
        )
        .await
        .unwrap();
    produce(
        &topic,
        &[(Some("foo"), Some(r#"{"schema":null,"payload":false}"#))],
    )
    .await;
    let err = tokio::time::timeout(Duration::from_secs(60), sink.task)
        .await
        .expect("the task fails")
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Diffusion refused the update") && err.contains(&format!("{topic}-0@1")),
        "{err}"
    );
    assert!(matches!(sink.status.borrow().state, TaskState::Failed(_)));
    assert_eq!(Broker::shared().committed(&group, &topic).await, 1);
}

// ---- DiffusionSourceTaskTest -----------------------------------------------------------

/// `defaultJson` of DiffusionSourceTaskTest.
const DEFAULT_JSON: &str = r#"{"foo":"hello world","bar":123,"baz":[4,5,6]}"#;

/// The record Java's `assertRecord` expects: a STRING key, the path, and the value with
/// no schema (a map of mixed types), as the JsonConverter writes them.
fn assert_record(got: &(String, Option<String>), path: &str) {
    let key: J = serde_json::from_str(&got.0).unwrap();
    assert_eq!(
        key,
        json!({"schema": {"type": "string", "optional": false}, "payload": path})
    );
    assert_eq!(
        got.1.as_deref().unwrap(),
        format!(r#"{{"schema":null,"payload":{DEFAULT_JSON}}}"#),
        "the publisher's key order is kept"
    );
}

/// DiffusionSourceTaskTest#testStart: the Java test's props (poll interval 0) start the
/// task, subscribed to `topic`.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_start() {
    let server = diffusion().await;
    let topic = unique_name("kafka");
    let c = java_source_props(&server.url(), &topic, &[]);
    let config = SourceConfig::parse(&c, &source_worker()).unwrap();
    assert_eq!(config.poll_interval_ms, 0);
    assert_eq!(config.selector, "topic");
    let source = start_source(&c).await;
    assert_eq!(server.stats().sessions, 1);
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    assert_record(&consume(&topic, 1).await[0], "topic");
    source.stop().await;
}

/// DiffusionSourceTaskTest#testStop: stopping closes the Diffusion session.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_stop() {
    let server = diffusion().await;
    let source = start_source(&java_source_props(
        &server.url(),
        &unique_name("kafka"),
        &[],
    ))
    .await;
    assert_eq!(server.stats().sessions, 1);
    source.stop().await;
    wait_until("the session closed", || server.stats().sessions == 0).await;
}

/// DiffusionSourceTaskTest#testThrowsConnectExceptionWhenClosed: once the session is
/// closed for good (the server restarted and refuses the principal), the task fails.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_throws_connect_exception_when_closed() {
    let listen = free_listen();
    let server = diffusion_at(&listen, "password").await;
    let source = start_source(&java_source_props(
        &server.url(),
        &unique_name("kafka"),
        &[],
    ))
    .await;
    server.shutdown().await;
    let _server = diffusion_at(&listen, "changed").await;
    let err = tokio::time::timeout(Duration::from_secs(60), source.task)
        .await
        .expect("the task fails")
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(err.contains("closed"), "{err}");
    assert!(matches!(source.status.borrow().state, TaskState::Failed(_)));
}

/// DiffusionSourceTaskTest#testThrowsRetriableExceptionWhenDisconnected. Deliberately
/// different: Java throws a RetriableException from poll; we stay RUNNING, reconnect,
/// subscribe again, and later updates arrive.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_throws_retriable_exception_when_disconnected() {
    let listen = free_listen();
    let server = diffusion_at(&listen, "password").await;
    let topic = unique_name("kafka");
    let mut source = start_source(&java_source_props(&server.url(), &topic, &[])).await;
    server.shutdown().await;
    source
        .status
        .wait_for(|s| !s.diffusion_connected)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(source.status.borrow().state, TaskState::Running);
    let server = diffusion_at(&listen, "password").await;
    source
        .status
        .wait_for(|s| s.diffusion_connected)
        .await
        .unwrap();
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    assert_record(&consume(&topic, 1).await[0], "topic");
    source.stop().await;
}

/// DiffusionSourceTaskTest#testPollNoMessages: nothing published, no record. With the
/// Java test's poll interval of 0 there are no idle wake-ups at all (no busy loop); with
/// an interval, empty polls are counted.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_no_messages() {
    let server = diffusion().await;
    let zero = start_source(&java_source_props(
        &server.url(),
        &unique_name("kafka"),
        &[],
    ))
    .await;
    let fifty = start_source(&java_source_props(
        &server.url(),
        &unique_name("kafka"),
        &[("diffusion.poll.interval", "50")],
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let zero = zero.stop().await;
    let fifty = fifty.stop().await;
    assert_eq!(zero.empty_polls.load(Ordering::Relaxed), 0);
    assert!(fifty.empty_polls.load(Ordering::Relaxed) >= 2);
    for m in [zero, fifty] {
        assert_eq!(m.updates_received.load(Ordering::Relaxed), 0);
        assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 0);
    }
}

/// DiffusionSourceTaskTest#testPollSingleMessage
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_single_message() {
    let server = diffusion().await;
    let topic = unique_name("kafka");
    let source = start_source(&java_source_props(&server.url(), &topic, &[])).await;
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    let got = consume(&topic, 1).await;
    assert_record(&got[0], "topic");
    source.stop().await;
}

/// DiffusionSourceTaskTest#testPollSingleMessageWithTopicToken: `kafka/${topic}` for the
/// path `foo` is `kafka_foo` (with a prefix of this run's own for `kafka`).
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_single_message_with_topic_token() {
    let server = diffusion().await;
    let prefix = unique_name("kafka");
    let c = java_source_props(
        &server.url(),
        &format!("{prefix}/${{topic}}"),
        &[("diffusion.selector", "foo")],
    );
    let source = start_source(&c).await;
    publish(&server.url(), "foo", DEFAULT_JSON, 1).await;
    let got = consume(&format!("{prefix}_foo"), 1).await;
    assert_record(&got[0], "foo");
    source.stop().await;
}

/// DiffusionSourceTaskTest#testPollSingleMessageWithUnknownToken. Java sends the record to
/// `kafka_${unknown}`, a name Kafka refuses (its test mocks Kafka). Ours: the config is
/// accepted with a warning, the name is the same, and the record fails saying so, once:
/// the task fails (errors.tolerance=none), or goes on without it (all).
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_single_message_with_unknown_token() {
    let server = diffusion().await;
    let strict = java_source_props(&server.url(), "kafka/${unknown}", &[]);
    let config = SourceConfig::parse(&strict, &source_worker()).unwrap();
    assert!(
        config.warnings[0].message.contains("${unknown}"),
        "{:?}",
        config.warnings
    );
    let lenient = java_source_props(
        &server.url(),
        "kafka/${unknown}",
        &[("errors.tolerance", "all")],
    );
    let strict = start_source(&strict).await;
    let lenient = start_source(&lenient).await;
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    let err = tokio::time::timeout(Duration::from_secs(30), strict.task)
        .await
        .expect("the task fails")
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"kafka_${unknown}\"") && err.contains("${unknown}"),
        "{err}"
    );
    wait_until("the record failed", || {
        lenient.metrics.records_failed.load(Ordering::Relaxed) == 1
    })
    .await;
    assert_eq!(lenient.status.borrow().state, TaskState::Running);
    let m = lenient.stop().await;
    assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 0);
}

/// DiffusionSourceTaskTest#testPollMultipleMessages
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_multiple_messages() {
    let server = diffusion().await;
    let topic = unique_name("kafka");
    let source = start_source(&java_source_props(&server.url(), &topic, &[])).await;
    publish(&server.url(), "topic", DEFAULT_JSON, 4).await;
    let got = consume(&topic, 4).await;
    for r in &got {
        assert_record(r, "topic");
    }
    let m = source.stop().await;
    assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 4);
}

/// DiffusionSourceTaskTest#testDrainQueueWhileDisconnected: an update received before the
/// session closed for good still reaches Kafka; then the task fails.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_drain_queue_while_disconnected() {
    let listen = free_listen();
    let server = diffusion_at(&listen, "password").await;
    let topic = unique_name("kafka");
    let source = start_source(&java_source_props(&server.url(), &topic, &[])).await;
    publish(&server.url(), "topic", DEFAULT_JSON, 1).await;
    wait_until("the update was received", || {
        source.metrics.updates_received.load(Ordering::Relaxed) == 1
    })
    .await;
    server.shutdown().await;
    let _server = diffusion_at(&listen, "changed").await;
    let err = tokio::time::timeout(Duration::from_secs(60), source.task)
        .await
        .expect("the task fails")
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(err.contains("closed"), "{err}");
    assert_eq!(
        source.metrics.records_acknowledged.load(Ordering::Relaxed),
        1
    );
    assert_record(&consume(&topic, 1).await[0], "topic");
}

/// DiffusionSourceTaskTest#testPollConstrainsBatchSizeMessages: with a poll size of 1,
/// four updates make four batches of one record, and nothing more comes.
#[tokio::test(flavor = "multi_thread")]
async fn java_source_task_poll_constrains_batch_size_messages() {
    let server = diffusion().await;
    let topic = unique_name("kafka");
    let source = start_source(&java_source_props(
        &server.url(),
        &topic,
        &[("diffusion.poll.size", "1")],
    ))
    .await;
    publish(&server.url(), "topic", DEFAULT_JSON, 4).await;
    for r in &consume(&topic, 4).await {
        assert_record(r, "topic");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let m = source.stop().await;
    assert_eq!(m.largest_batch.load(Ordering::Relaxed), 1);
    assert_eq!(m.updates_received.load(Ordering::Relaxed), 4);
    assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 4);
}

// ---- What the issue lists beyond the Java cases ----------------------------------------

/// Not a Java test case: a tombstone (null value) sets JSON null, as Java's `writeNull`
/// does; with `diffusion.tombstone.behavior=remove` it removes the Diffusion topic.
#[tokio::test(flavor = "multi_thread")]
async fn tombstones_set_json_null_or_remove_the_topic() {
    let server = diffusion().await;
    for remove in [false, true] {
        let topic = unique_name("tomb");
        Broker::shared().create_topic(&topic, 1).await;
        let extra: &[(&str, &str)] = if remove {
            &[("diffusion.tombstone.behavior", "remove")]
        } else {
            &[]
        };
        let c = java_sink_props(&server.url(), &topic, "tomb/${topic}", extra);
        let path = format!("tomb/{topic}");
        let (_watcher, mut events) = watch(&server.url(), &format!(">{path}")).await;
        let sink = start_sink(&c);
        produce(
            &topic,
            &[
                (Some("k"), Some(r#"{"schema":null,"payload":1}"#)),
                (Some("k"), None),
            ],
        )
        .await;
        assert_eq!(next_values(&mut events, &path, 1).await, ["1"]);
        if remove {
            match next_event(&mut events).await {
                TopicEvent::Unsubscribed { path: p, .. } => assert_eq!(*p, *path),
                other => panic!("{other:?} before the removal"),
            }
        } else {
            assert_eq!(next_values(&mut events, &path, 1).await, ["null"]);
        }
        let m = sink.stop().await;
        assert_eq!(m.records_confirmed.load(Ordering::Relaxed), 2);
    }
    assert_eq!(
        server.stats().topics,
        1,
        "the removed topic is gone, the other holds null"
    );
}

/// Not a Java test case: a Diffusion topic that already exists with another type refuses
/// the sink's record; with errors.tolerance=all it goes to the dead-letter topic, saying
/// why, and the other records flow on.
#[tokio::test(flavor = "multi_thread")]
async fn a_topic_that_exists_with_another_type_takes_the_error_path() {
    let server = diffusion().await;
    let topic = unique_name("typed");
    let dlq = unique_name("typed-dlq");
    Broker::shared().create_topic(&topic, 1).await;
    let other = publisher(&server.url()).await;
    other
        .add_and_set(
            &format!("typed/{topic}/taken"),
            TopicSpecification::new(TopicType::String),
            &Value::String("a string topic".into()),
        )
        .await
        .unwrap();
    let c = java_sink_props(
        &server.url(),
        &topic,
        "typed/${topic}/${key}",
        &[
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", dlq.as_str()),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ],
    );
    let (_watcher, mut events) = watch(&server.url(), &format!("?typed/{topic}/")).await;
    let sink = start_sink(&c);
    produce(
        &topic,
        &[
            (Some("taken"), Some(r#"{"schema":null,"payload":1}"#)),
            (Some("free"), Some(r#"{"schema":null,"payload":2}"#)),
        ],
    )
    .await;
    assert_eq!(
        next_values(&mut events, &format!("typed/{topic}/free"), 1).await,
        ["2"]
    );
    let dead = read_dead_letters(&dlq, 1).await;
    assert_eq!(dead[0]["__connect.errors.stage"], "TASK_PUT");
    assert!(
        dead[0]["__connect.errors.exception.message"].contains("Diffusion refused the update"),
        "{dead:?}"
    );
    let m = sink.stop().await;
    assert_eq!(m.records_dead_lettered.load(Ordering::Relaxed), 1);
    assert_eq!(m.records_failed.load(Ordering::Relaxed), 1);
}

/// Not a Java test case: RecordToJSONTest's nested arrays and maps, full and partial
/// schemas, through the running sink as Kafka's JsonConverter writes them.
#[tokio::test(flavor = "multi_thread")]
async fn nested_arrays_maps_and_partial_schemas_reach_diffusion_as_java_writes_them() {
    let nested_array = "[[1,2,3],[4,5,6]]";
    let nested_map = r#"{"foo":{"foo":1,"bar":2,"baz":3},"bar":{"foo":1,"bar":2,"baz":3}}"#;
    let records = [
        format!(
            r#"{{"schema":{{"type":"array","items":{{"type":"array","items":{{"type":"int32"}}}}}},"payload":{nested_array}}}"#
        ),
        format!(
            r#"{{"schema":{{"type":"array","items":{{"type":"array","items":null}}}},"payload":{nested_array}}}"#
        ),
        format!(
            r#"{{"schema":{{"type":"map","keys":{{"type":"string"}},"values":{{"type":"map","keys":{{"type":"string"}},"values":{{"type":"int32"}}}}}},"payload":{nested_map}}}"#
        ),
        format!(
            r#"{{"schema":{{"type":"map","keys":{{"type":"string"}},"values":{{"type":"map","keys":null,"values":null}}}},"payload":{nested_map}}}"#
        ),
        format!(r#"{{"schema":null,"payload":{nested_map}}}"#),
    ];
    assert_eq!(
        put(&records, &[], worker()).await,
        [
            nested_array,
            nested_array,
            nested_map,
            nested_map,
            nested_map
        ]
    );
}

/// Not a Java test case: keep mode through the running sink gives the Java connector's
/// paths: versions from the key's and value's schemas, `${key}` from a schemaless key, and
/// for a null key only `${topic}` filled.
#[tokio::test(flavor = "multi_thread")]
async fn keep_mode_gives_the_java_connectors_paths_through_the_sink() {
    let server = diffusion().await;
    let topic = unique_name("keep");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(
        &server.url(),
        &topic,
        "${topic}/${key}/${key.version}/${value.version}",
        &[
            ("diffusion.destination.unresolved", "keep"),
            ("key.converter", JSON_CONVERTER),
        ],
    );
    let (_watcher, mut events) = watch(&server.url(), &format!("?{topic}/")).await;
    let sink = start_sink(&c);
    produce(
        &topic,
        &[
            (
                Some(r#"{"schema":{"type":"string","version":123},"payload":"key"}"#),
                Some(r#"{"schema":{"type":"string","version":7},"payload":"val"}"#),
            ),
            (
                Some(r#"{"schema":null,"payload":"key"}"#),
                Some(r#"{"schema":null,"payload":"val"}"#),
            ),
            (
                None,
                Some(r#"{"schema":{"type":"string","version":7},"payload":"last"}"#),
            ),
        ],
    )
    .await;
    let latest = latest_values(&mut events, 3).await;
    assert_eq!(
        latest,
        [
            (format!("{topic}/key/123/7"), "\"val\"".to_owned()),
            (
                format!("{topic}/key/${{key.version}}/${{value.version}}"),
                "\"val\"".to_owned()
            ),
            (
                format!("{topic}/${{key}}/${{key.version}}/${{value.version}}"),
                "\"last\"".to_owned()
            ),
        ]
        .into_iter()
        .collect::<BTreeMap<_, _>>()
    );
    sink.stop().await;
}

/// Not a Java test case: an unknown `${...}` in `diffusion.destination` is accepted, as
/// Java accepts it, and stays in the path as text.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_destination_token_stays_in_the_path() {
    let server = diffusion().await;
    let topic = unique_name("unknown");
    Broker::shared().create_topic(&topic, 1).await;
    let c = java_sink_props(&server.url(), &topic, "${topic}/${part}", &[]);
    let config = SinkConfig::parse(&c, &worker()).unwrap();
    assert_eq!(config.warnings[0].key, "diffusion.destination");
    assert!(config.warnings[0].message.contains("${part}"));
    let (_watcher, mut events) = watch(&server.url(), &format!("?{topic}/")).await;
    let sink = start_sink(&c);
    produce(
        &topic,
        &[(Some("k"), Some(r#"{"schema":null,"payload":1}"#))],
    )
    .await;
    assert_eq!(
        next_values(&mut events, &format!("{topic}/${{part}}"), 1).await,
        ["1"]
    );
    sink.stop().await;
}

/// Not a Java test case (RoundTripParsingTest, end to end): records through the sink to
/// Diffusion and back through the source to Kafka keep their schema and value as the
/// round trip defines them (a nested structure's inner schema and a struct's schema are
/// not in JSON; a FLOAT32 comes back FLOAT64 with the value Java prints).
#[tokio::test(flavor = "multi_thread")]
async fn round_trips_through_the_sink_diffusion_and_the_source_keep_schema_and_value() {
    let server = diffusion().await;
    let into = unique_name("rt-in");
    let out = unique_name("rt-out");
    Broker::shared().create_topic(&into, 1).await;
    let source = start_source(&java_source_props(
        &server.url(),
        &out,
        &[("diffusion.selector", "?rt/")],
    ))
    .await;
    let sink = start_sink(&java_sink_props(&server.url(), &into, "rt/${key}", &[]));
    let int32 = r#"{"type":"int32","optional":false}"#;
    let string = r#"{"type":"string","optional":false}"#;
    // (key, the record's value, the schema and payload the source gives back)
    let cases: Vec<(&str, String, String)> = vec![
        ("null", r#"{"schema":null,"payload":null}"#.into(), "tombstone".into()),
        ("true", r#"{"schema":{"type":"boolean"},"payload":true}"#.into(), r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#.into()),
        ("int", r#"{"schema":{"type":"int32"},"payload":123}"#.into(), format!(r#"{{"schema":{int32},"payload":123}}"#)),
        ("float", r#"{"schema":{"type":"float"},"payload":123.456}"#.into(), r#"{"schema":{"type":"double","optional":false},"payload":123.456}"#.into()),
        ("double", r#"{"schema":{"type":"double"},"payload":0.1}"#.into(), r#"{"schema":{"type":"double","optional":false},"payload":0.1}"#.into()),
        ("string", r#"{"schema":{"type":"string"},"payload":"hello world"}"#.into(), format!(r#"{{"schema":{string},"payload":"hello world"}}"#)),
        ("array", r#"{"schema":{"type":"array","items":{"type":"int32"}},"payload":[1,2,3]}"#.into(),
            format!(r#"{{"schema":{{"type":"array","items":{int32},"optional":false}},"payload":[1,2,3]}}"#)),
        ("nested-array", r#"{"schema":{"type":"array","items":{"type":"array","items":{"type":"int32"}}},"payload":[[1,2,3],[4,5,6]]}"#.into(),
            r#"{"schema":{"type":"array","items":{"type":"array","items":null,"optional":false},"optional":false},"payload":[[1,2,3],[4,5,6]]}"#.into()),
        ("map", r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"foo":3}}"#.into(),
            format!(r#"{{"schema":{{"type":"map","keys":{string},"values":{int32},"optional":false}},"payload":{{"foo":3}}}}"#)),
        ("nested-map", r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}}},"payload":{"foo":{"foo":1,"bar":2,"baz":3},"bar":{"foo":1,"bar":2,"baz":3}}}"#.into(),
            format!(r#"{{"schema":{{"type":"map","keys":{string},"values":{{"type":"map","keys":null,"values":null,"optional":false}},"optional":false}},"payload":{{"foo":{{"foo":1,"bar":2,"baz":3}},"bar":{{"foo":1,"bar":2,"baz":3}}}}}}"#)),
        ("struct", format!(r#"{{"schema":{STRUCT_SCHEMA},"payload":{{"foo":"hello world","bar":123,"baz":[1,2,3]}}}}"#),
            r#"{"schema":null,"payload":{"foo":"hello world","bar":123,"baz":[1,2,3]}}"#.into()),
    ];
    let pairs: Vec<(Option<&str>, Option<&str>)> = cases
        .iter()
        .map(|(k, v, _)| (Some(*k), Some(v.as_str())))
        .collect();
    produce(&into, &pairs).await;
    let got: BTreeMap<String, String> = consume(&out, cases.len())
        .await
        .into_iter()
        .map(|(k, v)| {
            let key: J = serde_json::from_str(&k).unwrap();
            (
                key["payload"].as_str().unwrap().to_owned(),
                v.unwrap_or_else(|| "tombstone".into()),
            )
        })
        .collect();
    for (key, _, want) in &cases {
        assert_eq!(got[&format!("rt/{key}")], *want, "{key}");
    }
    sink.stop().await;
    source.stop().await;
}

// ---- helpers ---------------------------------------------------------------------------

async fn diffusion() -> ServerHandle {
    diffusion_at("127.0.0.1:0", "password").await
}

/// A server whose `admin` has this password: another password after a restart closes
/// a connector's session for good (its reconnection is refused).
async fn diffusion_at(listen: &str, password: &str) -> ServerHandle {
    Server::bind(ServerConfig {
        listen: listen.parse().unwrap(),
        principals: [("admin".to_owned(), password.to_owned())].into(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn free_listen() -> String {
    format!("127.0.0.1:{}", test_support::free_port())
}

fn kafka() -> KafkaSettings {
    KafkaSettings::from_worker(
        &[("bootstrap.servers".to_owned(), Broker::shared().bootstrap())].into(),
    )
    .unwrap()
}

struct RunningSink {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<SinkMetrics>,
    status: watch::Receiver<TaskStatus>,
}

impl RunningSink {
    async fn stop(self) -> Arc<SinkMetrics> {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
        assert_eq!(self.status.borrow().state, TaskState::Stopped);
        self.metrics
    }

    async fn connected(&mut self) {
        tokio::time::timeout(
            Duration::from_secs(30),
            self.status
                .wait_for(|s| s.state == TaskState::Running && s.diffusion_connected),
        )
        .await
        .expect("the sink did not start")
        .unwrap();
    }
}

fn start_sink(c: &ConnectorConfig) -> RunningSink {
    start_parsed_sink(SinkConfig::parse(c, &worker()).unwrap())
}

fn start_parsed_sink(config: SinkConfig) -> RunningSink {
    let (stop, stop_rx) = watch::channel(false);
    let (handle, status) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(run_sink(config, kafka(), handle, stop_rx, metrics.clone()));
    RunningSink {
        stop,
        task,
        metrics,
        status,
    }
}

struct RunningSource {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<SourceMetrics>,
    status: watch::Receiver<TaskStatus>,
}

impl RunningSource {
    async fn stop(self) -> Arc<SourceMetrics> {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
        assert_eq!(self.status.borrow().state, TaskState::Stopped);
        self.metrics
    }
}

/// Starts a source with the source worker's converters; returns once it is subscribed.
async fn start_source(c: &ConnectorConfig) -> RunningSource {
    let config = SourceConfig::parse(c, &source_worker()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, mut status) = StatusHandle::new();
    let metrics = Arc::new(SourceMetrics::default());
    let task = tokio::spawn(run_source(
        config,
        kafka(),
        handle,
        stop_rx,
        metrics.clone(),
        None,
    ));
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.state == TaskState::Running),
    )
    .await
    .expect("the source did not start")
    .unwrap();
    RunningSource {
        stop,
        task,
        metrics,
        status,
    }
}

async fn publisher(url: &str) -> Session {
    Session::connect(url, "admin", "password", SessionOptions::default())
        .await
        .unwrap()
}

/// Sets `json` on the JSON topic at `path` `times` times, as a Diffusion publisher.
async fn publish(url: &str, path: &str, json: &str, times: usize) {
    let p = publisher(url).await;
    let value = Value::Json(serde_json::from_str(json).unwrap());
    for _ in 0..times {
        p.add_and_set(path, TopicSpecification::new(TopicType::Json), &value)
            .await
            .unwrap();
    }
    p.close().await;
}

/// A subscriber that takes values undecoded, to print them as Java does.
async fn watch(url: &str, selector: &str) -> (Session, mpsc::Receiver<TopicEvent>) {
    let options = SessionOptions {
        raw_values: true,
        ..SessionOptions::default()
    };
    let s = Session::connect(url, "admin", "password", options)
        .await
        .unwrap();
    let events = s.take_events().unwrap();
    s.subscribe(selector).await.unwrap();
    (s, events)
}

async fn next_event(events: &mut mpsc::Receiver<TopicEvent>) -> TopicEvent {
    tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .expect("no Diffusion event within 30 s")
        .expect("the subscriber's session ended")
}

/// The next `n` values of `path`, as Java's `JSON.toJsonString()` prints them.
async fn next_values(events: &mut mpsc::Receiver<TopicEvent>, path: &str, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        if let TopicEvent::RawValue { path: p, bytes, .. } = next_event(events).await {
            if &*p == path {
                got.push(java_text(&bytes));
            }
        }
    }
    got
}

/// The latest value of each path once `paths` paths have one.
async fn latest_values(
    events: &mut mpsc::Receiver<TopicEvent>,
    paths: usize,
) -> BTreeMap<String, String> {
    let mut latest = BTreeMap::new();
    while latest.len() < paths {
        if let TopicEvent::RawValue { path, bytes, .. } = next_event(events).await {
            latest.insert(path.to_string(), java_text(&bytes));
        }
    }
    latest
}

async fn produce(topic: &str, records: &[(Option<&str>, Option<&str>)]) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .create()
        .unwrap();
    for (k, v) in records {
        let mut r: FutureRecord<'_, str, str> = FutureRecord::to(topic);
        if let Some(k) = k {
            r = r.key(k);
        }
        if let Some(v) = v {
            r = r.payload(v);
        }
        p.send(r, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
}

/// Reads `n` records of `topic` from the start: (key, value) as text.
async fn consume(topic: &str, n: usize) -> Vec<(String, Option<String>)> {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    while got.len() < n {
        let m = match tokio::time::timeout_at(deadline, c.recv()).await {
            Ok(Ok(m)) => m,
            Ok(Err(_)) => continue,
            Err(_) => panic!("{topic}: {} of {n} records within 60 s: {got:?}", got.len()),
        };
        let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
        got.push((text(m.key()).unwrap_or_default(), text(m.payload())));
    }
    got
}

/// The context headers of the first `n` records of a dead-letter topic.
async fn read_dead_letters(topic: &str, n: usize) -> Vec<BTreeMap<String, String>> {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    while got.len() < n {
        let m = tokio::time::timeout(Duration::from_secs(60), c.recv())
            .await
            .expect("a dead letter within 60 s")
            .unwrap();
        got.push(
            m.headers()
                .map(|h| {
                    h.iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        );
    }
    got
}

async fn wait_for_commit(group: &str, topic: &str, offset: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while Broker::shared().committed(group, topic).await < offset {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{group} never committed {offset}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within 30 s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The Diffusion JSON text Java's `JSON.toJsonString()` prints for CBOR: a 16- or 32-bit
/// float as a Java `Float` prints, so as `single_to_double` reads it.
fn java_text(cbor: &[u8]) -> String {
    fn argument(b: &[u8], pos: &mut usize, info: u8) -> Option<u64> {
        let n = match info {
            0..=23 => return Some(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return None,
            other => panic!("bad CBOR additional info {other}"),
        };
        let v = b[*pos..*pos + n]
            .iter()
            .fold(0u64, |v, x| v << 8 | u64::from(*x));
        *pos += n;
        Some(v)
    }
    fn half(h: u16) -> f32 {
        let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
        let frac = f32::from(h & 0x3ff);
        sign * match (h >> 10) & 0x1f {
            0 => frac * 2f32.powi(-24),
            e => (1.0 + frac / 1024.0) * 2f32.powi(i32::from(e) - 15),
        }
    }
    fn item(b: &[u8], pos: &mut usize, out: &mut String) {
        let initial = b[*pos];
        *pos += 1;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let arg = argument(b, pos, info);
        let mut elements = |pairs: bool, out: &mut String| {
            let mut i = 0u64;
            loop {
                match arg {
                    Some(n) if i == n => break,
                    None if b[*pos] == 0xff => {
                        *pos += 1;
                        break;
                    }
                    _ => {}
                }
                if i > 0 {
                    out.push(',');
                }
                item(b, pos, out);
                if pairs {
                    out.push(':');
                    item(b, pos, out);
                }
                i += 1;
            }
        };
        let float = |x: f64| serde_json::to_string(&x).unwrap();
        match major {
            0 => out.push_str(&arg.unwrap().to_string()),
            1 => out.push_str(&(-1 - i128::from(arg.unwrap())).to_string()),
            3 => {
                let n = arg.expect("definite text") as usize;
                out.push_str(
                    &serde_json::to_string(std::str::from_utf8(&b[*pos..*pos + n]).unwrap())
                        .unwrap(),
                );
                *pos += n;
            }
            4 => {
                out.push('[');
                elements(false, out);
                out.push(']');
            }
            5 => {
                out.push('{');
                elements(true, out);
                out.push('}');
            }
            7 => match info {
                20 => out.push_str("false"),
                21 => out.push_str("true"),
                22 => out.push_str("null"),
                25 => out.push_str(&float(single_to_double(half(arg.unwrap() as u16)))),
                26 => out.push_str(&float(single_to_double(
                    f32::from_bits(arg.unwrap() as u32),
                ))),
                27 => out.push_str(&float(f64::from_bits(arg.unwrap()))),
                other => panic!("CBOR simple value {other}"),
            },
            other => panic!("CBOR major type {other} in a JSON value"),
        }
    }
    let mut pos = 0;
    let mut out = String::new();
    item(cbor, &mut pos, &mut out);
    assert_eq!(pos, cbor.len());
    out
}
