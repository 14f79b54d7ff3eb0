//! Confluent's registry converters end to end: a real Schema Registry (Karapace), a real
//! broker (Apache Kafka), the embedded Diffusion server, and Confluent's own serializers
//! and deserializers (confluent-kafka, Python) as the referee of the bytes: records they
//! write reach Diffusion as the right JSON; records our source writes, they read back.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use connectors::config::{ConnectorConfig, SinkConfig};
use connectors::kafka::KafkaSettings;
use connectors::sink::{run_sink, SinkMetrics};
use connectors::source::{run_source, SourceMetrics};
use connectors::status::StatusHandle;
use connectors::{SourceConfig, TaskState, TaskStatus};
use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value as J};
use test_support::registry::python_referee;
use test_support::{unique_name, Broker, SchemaRegistry};
use tokio::sync::watch;

const AVRO: &str = "io.confluent.connect.avro.AvroConverter";
const JSON_SCHEMA: &str = "io.confluent.connect.json.JsonSchemaConverter";
const PROTOBUF: &str = "io.confluent.connect.protobuf.ProtobufConverter";

async fn diffusion() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn kafka() -> KafkaSettings {
    KafkaSettings::from_worker(
        &[("bootstrap.servers".to_owned(), Broker::shared().bootstrap())].into(),
    )
    .unwrap()
}

fn config(name: &str, class: &str, props: &[(&str, &str)]) -> ConnectorConfig {
    let mut all: BTreeMap<String, String> = [
        ("connector.class", class),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in props {
        all.insert((*k).to_owned(), (*v).to_owned());
    }
    ConnectorConfig {
        name: name.to_owned(),
        props: all,
    }
}

struct Task<M> {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<M>,
    status: watch::Receiver<TaskStatus>,
}

impl<M> Task<M> {
    async fn stop(self) -> Arc<M> {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
        self.metrics
    }
}

fn start_sink(c: &ConnectorConfig) -> Task<SinkMetrics> {
    let config = SinkConfig::parse(c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, status) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(run_sink(config, kafka(), handle, stop_rx, metrics.clone()));
    Task {
        stop,
        task,
        metrics,
        status,
    }
}

async fn start_source(c: &ConnectorConfig) -> Task<SourceMetrics> {
    let config = SourceConfig::parse(c, &BTreeMap::new()).unwrap();
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
        Duration::from_secs(20),
        status.wait_for(|s| s.state == TaskState::Running),
    )
    .await
    .expect("the source did not start")
    .unwrap();
    Task {
        stop,
        task,
        metrics,
        status,
    }
}

/// Runs a referee script (`tests/registry/<name>`) to success; its output lines.
async fn referee(name: &str, args: Vec<String>) -> Vec<String> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/registry")
        .join(name);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = python_referee(&script, &args);
        run.assert_success();
        run.lines()
    })
    .await
    .unwrap()
}

/// Subscribes to `selector` with our client; its events.
async fn watch_topics(
    server: &ServerHandle,
    selector: &str,
) -> (Session, tokio::sync::mpsc::Receiver<TopicEvent>) {
    let s = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let events = s.take_events().unwrap();
    s.subscribe(selector).await.unwrap();
    (s, events)
}

/// Waits until every path in `want` has held its value.
async fn expect_values(
    events: &mut tokio::sync::mpsc::Receiver<TopicEvent>,
    want: &BTreeMap<String, J>,
) {
    let mut latest = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while want.iter().any(|(k, v)| latest.get(k.as_str()) != Some(v)) {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; latest {latest:#?}, want {want:#?}"))
            .unwrap();
        if let TopicEvent::Value {
            path,
            value: Value::Json(j),
            ..
        } = e
        {
            latest.insert(path, j);
        }
    }
}

/// The JSON our sink gives the referee's Avro order `n` (produce.py): the decimal as
/// its number, the timestamp in epoch milliseconds, the enum as its symbol, as the Java
/// connector writes Connect data.
fn avro_order(n: i64) -> J {
    json!({
        "id": n,
        "sym": "ABC",
        "price": 12.34 + n as f64,
        "at": (1_700_000_000 + n) * 1000,
        "side": if n % 2 == 0 { "BUY" } else { "SELL" },
        "tags": [format!("t{n}")],
        "note": if n % 2 == 0 { J::Null } else { json!("odd") },
        "qty": n + 1,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn avro_from_confluents_serializer_reaches_diffusion_as_json() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let topic = unique_name("orders");
    broker.create_topic(&topic, 1).await;
    let out = referee(
        "produce.py",
        vec![
            broker.bootstrap(),
            registry.url(),
            topic.clone(),
            "avro".into(),
            "10".into(),
        ],
    )
    .await;
    assert_eq!(out.last().map(String::as_str), Some("sent 10"), "{out:?}");

    let (_watcher, mut events) = watch_topics(&server, &format!("?avro/{topic}/")).await;
    let url = registry.url();
    let sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "avro/${topic}/${key}"),
            ("value.converter", AVRO),
            ("value.converter.schema.registry.url", &url),
        ],
    ));
    let want: BTreeMap<String, J> = (0..10)
        .map(|n| (format!("avro/{topic}/{n}"), avro_order(n)))
        .collect();
    expect_values(&mut events, &want).await;
    let metrics = sink.stop().await;
    assert_eq!(metrics.records_confirmed.load(Ordering::Relaxed), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_schema_from_confluents_serializer_reaches_diffusion_as_json() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let topic = unique_name("orders");
    broker.create_topic(&topic, 1).await;
    let out = referee(
        "produce.py",
        vec![
            broker.bootstrap(),
            registry.url(),
            topic.clone(),
            "json".into(),
            "6".into(),
        ],
    )
    .await;
    assert_eq!(out.last().map(String::as_str), Some("sent 6"), "{out:?}");

    let (_watcher, mut events) = watch_topics(&server, &format!("?js/{topic}/")).await;
    let url = registry.url();
    let sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "js/${topic}/${key}"),
            ("value.converter", JSON_SCHEMA),
            ("value.converter.schema.registry.url", &url),
        ],
    ));
    let want: BTreeMap<String, J> = (0..6)
        .map(|n| {
            let value = json!({
                "id": n,
                "sym": "ABC",
                "price": 12.34 + n as f64,
                "side": if n % 2 == 0 { "BUY" } else { "SELL" },
                "tags": [format!("t{n}")],
                "note": if n % 2 == 0 { J::Null } else { json!("odd") },
            });
            (format!("js/{topic}/{n}"), value)
        })
        .collect();
    expect_values(&mut events, &want).await;
    let metrics = sink.stop().await;
    assert_eq!(metrics.records_confirmed.load(Ordering::Relaxed), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn protobuf_from_confluents_serializer_reaches_diffusion_as_json() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let topic = unique_name("orders");
    broker.create_topic(&topic, 1).await;
    let out = referee(
        "produce.py",
        vec![
            broker.bootstrap(),
            registry.url(),
            topic.clone(),
            "protobuf".into(),
            "4".into(),
        ],
    )
    .await;
    assert_eq!(out.last().map(String::as_str), Some("sent 4"), "{out:?}");

    let (_watcher, mut events) = watch_topics(&server, &format!("?pb/{topic}/")).await;
    let url = registry.url();
    let sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "pb/${topic}/${key}"),
            ("value.converter", PROTOBUF),
            ("value.converter.schema.registry.url", &url),
        ],
    ));
    // Every field, as Confluent's converter reads proto3: unset scalars at their
    // defaults, an unset message null, the Timestamp in epoch milliseconds, the map an
    // object, the enum its name.
    let want: BTreeMap<String, J> = (0..4i64)
        .map(|n| {
            let value = json!({
                "id": n,
                "sym": "ABC",
                "price": 12.5 + n as f64,
                "side": if n % 2 == 0 { "BUY" } else { "SELL" },
                "tags": [format!("t{n}")],
                "at": (1_700_000_000 + n) * 1000,
                "venue": if n % 2 == 1 { json!({"mic": "XLON"}) } else { J::Null },
                "qty": {"lot": n + 1},
            });
            (format!("pb/{topic}/{n}"), value)
        })
        .collect();
    expect_values(&mut events, &want).await;
    let metrics = sink.stop().await;
    assert_eq!(metrics.records_confirmed.load(Ordering::Relaxed), 4);
}

/// The official Diffusion Python SDK publishes `values` (JSON texts) to `path`.
async fn publish(server: &ServerHandle, path: &str, values: &[&str]) {
    let script = test_support::sdk::script(env!("CARGO_MANIFEST_DIR"), "publish.py");
    let mut args = vec![server.url(), path.to_owned()];
    args.extend(values.iter().map(|v| (*v).to_owned()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        test_support::sdk::python(&script, &args).assert_success();
    })
    .await
    .unwrap();
}

/// Our source writes Diffusion's JSON values with `class`; Confluent's deserializer reads
/// them back; the registry holds the subject TopicNameStrategy names.
async fn source_round_trip(class: &str, format: &str) {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    // The mixed object's schema (Avro's Anything) is not BACKWARD compatible with the map
    // before it, so the registry's default would refuse it (the record then fails with the
    // registry's reason, as with Confluent's converter); sources whose values change shape
    // need a compatibility that allows it.
    let (code, reply) = registry.call("PUT", "/config", Some(&json!({"compatibility": "NONE"})));
    assert_eq!(code, 200, "{reply}");
    let server = diffusion().await;
    let id = unique_name("src");
    let kafka_topic = format!("{id}-out");
    let url = registry.url();
    let source = start_source(&config(
        &unique_name("source"),
        connectors::SOURCE_CLASS,
        &[
            ("diffusion.url", &server.url()),
            ("diffusion.selector", &format!("?{id}/")),
            ("kafka.topic", &kafka_topic),
            ("value.converter", class),
            ("value.converter.schema.registry.url", &url),
        ],
    ))
    .await;
    // Uniform objects (a map of longs), then one of mixed values (no Connect schema).
    publish(
        &server,
        &format!("{id}/a"),
        &[r#"{"x":1,"y":2}"#, r#"{"x":3,"y":4}"#],
    )
    .await;
    publish(
        &server,
        &format!("{id}/b"),
        &[r#"{"sym":"ABC","n":7,"bid":1.25}"#],
    )
    .await;
    let lines = referee(
        "consume.py",
        vec![
            broker.bootstrap(),
            url,
            kafka_topic.clone(),
            format.into(),
            "3".into(),
        ],
    )
    .await;
    assert_eq!(
        lines[0],
        format!(r#"{id}/a {{"x": 1, "y": 2}}"#),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        format!(r#"{id}/a {{"x": 3, "y": 4}}"#),
        "{lines:#?}"
    );
    assert!(lines[2].starts_with(&format!("{id}/b ")), "{lines:#?}");
    assert!(
        lines[2].contains("ABC") && lines[2].contains("1.25"),
        "the mixed object read back: {lines:#?}"
    );
    assert_eq!(
        lines[3],
        format!(r#"subjects ["{kafka_topic}-value"]"#),
        "{lines:#?}"
    );
    let metrics = source.stop().await;
    assert_eq!(metrics.records_acknowledged.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_writes_avro_that_confluents_deserializer_reads() {
    source_round_trip(AVRO, "avro").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_writes_json_schema_that_confluents_deserializer_reads() {
    source_round_trip(JSON_SCHEMA, "json").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_writes_protobuf_that_confluents_deserializer_reads() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let id = unique_name("src");
    let kafka_topic = format!("{id}-out");
    let url = registry.url();
    let source = start_source(&config(
        &unique_name("source"),
        connectors::SOURCE_CLASS,
        &[
            ("diffusion.url", &server.url()),
            ("diffusion.selector", &format!("?{id}/")),
            ("kafka.topic", &kafka_topic),
            ("value.converter", PROTOBUF),
            ("value.converter.schema.registry.url", &url),
        ],
    ))
    .await;
    // A string topic: Confluent writes a primitive as its wrapper message.
    let publisher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let path = format!("{id}/greeting");
    publisher
        .add_topic(
            &path,
            diffusion_client::TopicSpecification::new(diffusion_client::TopicType::String),
        )
        .await
        .unwrap();
    for text in ["hello", "world"] {
        publisher
            .set(&path, &Value::String(text.into()))
            .await
            .unwrap();
    }
    let lines = referee(
        "consume.py",
        vec![
            broker.bootstrap(),
            url,
            kafka_topic.clone(),
            "protobuf".into(),
            "2".into(),
        ],
    )
    .await;
    assert_eq!(
        lines[0],
        format!(
            r#"{path} {{"message": "google.protobuf.StringValue", "value": {{"value": "hello"}}}}"#
        ),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        format!(
            r#"{path} {{"message": "google.protobuf.StringValue", "value": {{"value": "world"}}}}"#
        )
    );
    assert_eq!(lines[2], format!(r#"subjects ["{kafka_topic}-value"]"#));
    source.stop().await;
}

/// Produces raw `(key, value)` records.
async fn produce_raw(topic: &str, records: &[(&str, &[u8])]) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .create()
        .unwrap();
    for (k, v) in records {
        let r: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic).key(*k).payload(*v);
        p.send(r, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
}

/// The records of `topic` with their headers, as text.
async fn read_with_headers(topic: &str, n: usize) -> Vec<BTreeMap<String, String>> {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let mut out = Vec::new();
    while out.len() < n {
        let m = tokio::time::timeout(Duration::from_secs(60), c.recv())
            .await
            .expect("dead-letter records")
            .unwrap();
        let mut h: BTreeMap<String, String> = m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_owned(),
                            String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        h.insert(
            "key".into(),
            String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned(),
        );
        out.push(h);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn unframed_bytes_and_unknown_ids_go_to_the_dead_letter_topic_and_the_rest_flow_on() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let topic = unique_name("orders");
    let dlq = unique_name("dlq");
    broker.create_topic(&topic, 1).await;
    // Not framed (no magic byte); framed with an id the registry never gave; then good.
    produce_raw(
        &topic,
        &[
            ("plain", b"{\"id\":1}"),
            ("unknown", &[0, 0x7f, 0, 0, 1, 2, 4]),
        ],
    )
    .await;
    referee(
        "produce.py",
        vec![
            broker.bootstrap(),
            registry.url(),
            topic.clone(),
            "avro".into(),
            "2".into(),
        ],
    )
    .await;
    let (_watcher, mut events) = watch_topics(&server, &format!("?bad/{topic}/")).await;
    let url = registry.url();
    let sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "bad/${topic}/${key}"),
            ("value.converter", AVRO),
            ("value.converter.schema.registry.url", &url),
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", &dlq),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ],
    ));
    let want: BTreeMap<String, J> = (0..2)
        .map(|n| (format!("bad/{topic}/{n}"), avro_order(n)))
        .collect();
    expect_values(&mut events, &want).await;
    let dead = read_with_headers(&dlq, 2).await;
    assert_eq!(dead[0]["key"], "plain");
    assert_eq!(dead[0]["__connect.errors.stage"], "VALUE_CONVERTER");
    assert!(
        dead[0]["__connect.errors.exception.message"].contains("magic"),
        "{:?}",
        dead[0]
    );
    assert_eq!(dead[1]["key"], "unknown");
    assert!(
        dead[1]["__connect.errors.exception.message"].contains("not in the registry"),
        "{:?}",
        dead[1]
    );
    let metrics = sink.stop().await;
    assert_eq!(metrics.records_confirmed.load(Ordering::Relaxed), 2);
    assert_eq!(metrics.records_dead_lettered.load(Ordering::Relaxed), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_registry_holds_records_back_until_it_answers_and_skips_none() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start(broker);
    let server = diffusion().await;
    let topic = unique_name("orders");
    broker.create_topic(&topic, 1).await;
    referee(
        "produce.py",
        vec![
            broker.bootstrap(),
            registry.url(),
            topic.clone(),
            "avro".into(),
            "5".into(),
        ],
    )
    .await;
    registry.stop();
    let (_watcher, mut events) = watch_topics(&server, &format!("?wait/{topic}/")).await;
    let url = registry.url();
    let mut sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "wait/${topic}/${key}"),
            ("value.converter", AVRO),
            ("value.converter.schema.registry.url", &url),
        ],
    ));
    // The task runs and says why nothing moves.
    let note = tokio::time::timeout(
        Duration::from_secs(60),
        sink.status
            .wait_for(|s| s.note.as_deref().is_some_and(|n| n.contains("retrying"))),
    )
    .await
    .expect("a note saying the registry is retried")
    .unwrap()
    .clone();
    assert_eq!(note.state, TaskState::Running);
    assert!(note.note.unwrap().contains(&url));
    assert_eq!(sink.metrics.records_confirmed.load(Ordering::Relaxed), 0);
    // Back on the same port and topic: same ids, and every record arrives.
    let registry_back = tokio::task::spawn_blocking(move || {
        registry.resume();
        registry
    })
    .await
    .unwrap();
    let want: BTreeMap<String, J> = (0..5)
        .map(|n| (format!("wait/{topic}/{n}"), avro_order(n)))
        .collect();
    expect_values(&mut events, &want).await;
    assert_eq!(sink.status.borrow().note, None);
    let metrics = sink.stop().await;
    assert_eq!(metrics.records_confirmed.load(Ordering::Relaxed), 5);
    drop(registry_back);
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_fail_the_task_with_the_reason() {
    let broker = Broker::shared();
    let registry = SchemaRegistry::start_with(
        broker,
        test_support::registry::RegistryOptions {
            user: Some("alice:secret".into()),
            ..Default::default()
        },
    );
    let server = diffusion().await;
    let topic = unique_name("orders");
    broker.create_topic(&topic, 1).await;
    produce_raw(&topic, &[("k", &[0, 0, 0, 0, 1, 2])]).await;
    let url = registry.url();
    let sink = start_sink(&config(
        &unique_name("sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", &topic),
            ("diffusion.url", &server.url()),
            ("diffusion.destination", "auth/${key}"),
            ("value.converter", AVRO),
            ("value.converter.schema.registry.url", &url),
            ("value.converter.basic.auth.credentials.source", "USER_INFO"),
            ("value.converter.basic.auth.user.info", "alice:wrong"),
        ],
    ));
    let result = tokio::time::timeout(Duration::from_secs(60), sink.task)
        .await
        .expect("the task fails")
        .unwrap();
    let why = result
        .expect_err("refused credentials fail the task")
        .to_string();
    assert!(
        why.contains("401") && why.contains("value converter"),
        "{why}"
    );
    assert!(
        !why.contains("wrong"),
        "the password is not in the reason: {why}"
    );
    assert!(matches!(sink.status.borrow().state, TaskState::Failed(_)));
}
