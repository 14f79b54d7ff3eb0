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
use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
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
    while want.iter().any(|(k, v)| latest.get(k) != Some(v)) {
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
