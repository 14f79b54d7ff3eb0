//! The source against the embedded Diffusion server over WebSocket and a real broker
//! (Apache Kafka, over TCP with librdkafka), with the official Python SDK as an independent
//! publisher.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use connectors::config::ConnectorConfig;
use connectors::kafka::KafkaSettings;
use connectors::source::{run_source, SourceMetrics};
use connectors::status::StatusHandle;
use connectors::{SourceConfig, TaskState, TaskStatus};
use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use serde_json::json;
use test_support::{sdk, unique_name, Broker};
use tokio::sync::watch;

async fn diffusion_on(listen: &str) -> ServerHandle {
    Server::bind(ServerConfig {
        listen: listen.parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// The seed README's sample source config, pointed at our server, with `extra` on top.
fn seed_source(name: &str, url: &str, extra: &[(&str, &str)]) -> ConnectorConfig {
    let mut props: BTreeMap<String, String> = [
        ("tasks.max", "1"),
        ("connector.class", connectors::SOURCE_CLASS),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("kafka.topic", "diffusion.price"),
        ("diffusion.url", url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.selector", "?source/kafka/.*"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        props.insert((*k).to_owned(), (*v).to_owned());
    }
    ConnectorConfig {
        name: name.to_owned(),
        props,
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<SourceMetrics>,
    status: watch::Receiver<TaskStatus>,
}

impl Running {
    async fn stop(self) -> Arc<SourceMetrics> {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
        assert_eq!(self.status.borrow().state, TaskState::Stopped);
        self.metrics
    }

    async fn running(&mut self) {
        tokio::time::timeout(
            Duration::from_secs(20),
            self.status.wait_for(|s| s.state == TaskState::Running),
        )
        .await
        .expect("the source did not start")
        .unwrap();
    }
}

async fn start(c: &ConnectorConfig) -> Running {
    let config = SourceConfig::parse(c, &BTreeMap::new()).unwrap();
    let kafka = KafkaSettings::from_worker(
        &[("bootstrap.servers".to_owned(), Broker::shared().bootstrap())].into(),
    )
    .unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, status) = StatusHandle::new();
    let metrics = Arc::new(SourceMetrics::default());
    let task = tokio::spawn(run_source(
        config,
        kafka,
        handle,
        stop_rx,
        metrics.clone(),
        None,
    ));
    let mut r = Running {
        stop,
        task,
        metrics,
        status,
    };
    r.running().await;
    r
}

/// Reads `n` records of `topic` from the start: (key, value) as text.
async fn consume(topic: &str, n: usize) -> Vec<(String, Option<String>)> {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    // The source creates its topics; wait for this one to exist.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    c.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    while got.len() < n {
        let m = match tokio::time::timeout_at(deadline, c.recv()).await {
            Ok(Ok(m)) => m,
            Ok(Err(_)) => continue,
            Err(_) => panic!("{topic}: {} of {n} records within 30 s: {got:?}", got.len()),
        };
        let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
        got.push((text(m.key()).unwrap_or_default(), text(m.payload())));
    }
    got
}

/// The headers of the first record of `topic`.
async fn consume_headers(topic: &str) -> Vec<(String, Option<String>)> {
    use rdkafka::message::Headers;
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let m = tokio::time::timeout(Duration::from_secs(30), c.recv())
        .await
        .unwrap()
        .unwrap();
    m.headers()
        .map(|h| {
            h.iter()
                .map(|h| {
                    let v = h.value.map(|v| String::from_utf8_lossy(v).into_owned());
                    (h.key.to_owned(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn publisher(url: &str) -> Session {
    Session::connect(url, "admin", "password", SessionOptions::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_sample_carries_official_sdk_updates_into_kafka() {
    let server = diffusion_on("127.0.0.1:0").await;
    let source = start(&seed_source(&unique_name("source"), &server.url(), &[])).await;

    // The official Python SDK creates source/kafka/price and sets three values.
    let url = server.url();
    let run = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "publish.py"),
            &[
                &url,
                "source/kafka/price",
                r#"{"bid": 1.25, "ask": 1.5}"#,
                r#"{"sym": "ABC", "bid": 1.25}"#,
                r#"{"bid": 2.5, "ask": 3.0}"#,
            ],
        )
    })
    .await
    .unwrap();
    run.assert_success();

    let got = consume("diffusion.price", 3).await;
    let key = "source/kafka/price".to_owned();
    let map = r#"{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"double","optional":false},"optional":false}"#;
    assert_eq!(
        got,
        vec![
            (
                key.clone(),
                Some(format!(
                    r#"{{"schema":{map},"payload":{{"bid":1.25,"ask":1.5}}}}"#
                ))
            ),
            // Mixed value types: no schema can be inferred, as in Kafka Connect.
            (
                key.clone(),
                Some(r#"{"schema":null,"payload":{"sym":"ABC","bid":1.25}}"#.to_owned())
            ),
            (
                key,
                Some(format!(
                    r#"{{"schema":{map},"payload":{{"bid":2.5,"ask":3.0}}}}"#
                ))
            ),
        ]
    );
    let m = source.stop().await;
    assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_topic_type_and_the_seed_examples_table() {
    let server = diffusion_on("127.0.0.1:0").await;
    // `diffusion_${topic}` for foo/bar is diffusion_foo_bar; `${topic}` is foo_bar.
    let with_prefix = start(&seed_source(
        &unique_name("source"),
        &server.url(),
        &[
            ("kafka.topic", "diffusion_${topic}"),
            ("diffusion.selector", ">foo/bar"),
        ],
    ))
    .await;
    let plain = start(&seed_source(
        &unique_name("source"),
        &server.url(),
        &[
            ("kafka.topic", "${topic}"),
            ("diffusion.selector", "?types/"),
            ("value.converter.schemas.enable", "false"),
        ],
    ))
    .await;
    let p = publisher(&server.url()).await;
    p.add_and_set(
        "foo/bar",
        TopicSpecification::new(TopicType::Json),
        &Value::Json(json!([1, 2])),
    )
    .await
    .unwrap();
    let values = [
        ("types/json", Value::Json(json!({"a": [1, "x"]}))),
        ("types/string", Value::String("hello".into())),
        ("types/int64", Value::Int64(5_000_000_000)),
        ("types/double", Value::Double(2.5)),
        ("types/binary", Value::Binary(vec![1u8, 2, 255].into())),
    ];
    for (path, v) in &values {
        p.add_and_set(path, TopicSpecification::new(v.topic_type()), v)
            .await
            .unwrap();
    }

    assert_eq!(
        consume("diffusion_foo_bar", 1).await,
        vec![(
            "foo/bar".to_owned(),
            Some(r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2]}"#.to_owned())
        )]
    );
    let expect = [
        ("types_json", r#"{"a":[1,"x"]}"#),
        ("types_string", r#""hello""#),
        ("types_int64", "5000000000"),
        ("types_double", "2.5"),
        ("types_binary", r#""AQL/""#),
    ];
    for ((path, _), (topic, value)) in values.iter().zip(expect) {
        assert_eq!(
            consume(topic, 1).await,
            vec![((*path).to_owned(), Some(value.to_owned()))],
            "{path}"
        );
    }
    with_prefix.stop().await;
    plain.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_size_bounds_batches_and_idle_polls_are_counted() {
    let server = diffusion_on("127.0.0.1:0").await;
    let topic = unique_name("batched");
    let source = start(&seed_source(
        &unique_name("source"),
        &server.url(),
        &[
            ("kafka.topic", topic.as_str()),
            ("diffusion.poll.size", "10"),
            ("diffusion.poll.interval", "50"),
        ],
    ))
    .await;
    // Idle: empty polls are counted while nothing arrives.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while source.metrics.empty_polls.load(Ordering::Relaxed) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no empty poll counted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = publisher(&server.url()).await;
    let spec = TopicSpecification::new(TopicType::Json);
    let n = 500;
    for i in 0..n {
        // Pipelined: the updates arrive faster than they are sent on.
        let path = format!("source/kafka/k{}", i % 20);
        p.add_and_set(&path, spec.clone(), &Value::Json(json!({"n": i})))
            .await
            .unwrap();
    }
    let got = consume(&topic, n).await;
    // Per Diffusion topic, the order is kept.
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for (k, v) in &got {
        let v: serde_json::Value = serde_json::from_str(v.as_deref().unwrap()).unwrap();
        let i = v["payload"]["n"].as_i64().unwrap();
        assert!(
            last.insert(k.clone(), i).unwrap_or(-1) < i,
            "{k}: out of order at {i}"
        );
    }
    let m = source.stop().await;
    assert_eq!(m.updates_received.load(Ordering::Relaxed), n as u64);
    let largest = m.largest_batch.load(Ordering::Relaxed);
    assert!((1..=10).contains(&largest), "largest batch {largest}");
    assert!(m.batches.load(Ordering::Relaxed) >= n as u64 / 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_diffusion_restart_is_survived_and_later_updates_arrive() {
    let port = test_support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = diffusion_on(&listen).await;
    let topic = unique_name("restarted");
    let mut source = start(&seed_source(
        &unique_name("source"),
        &server.url(),
        &[("kafka.topic", topic.as_str())],
    ))
    .await;
    let spec = TopicSpecification::new(TopicType::Json);
    let p = publisher(&server.url()).await;
    p.add_and_set(
        "source/kafka/a",
        spec.clone(),
        &Value::Json(json!({"n": 1})),
    )
    .await
    .unwrap();
    assert_eq!(consume(&topic, 1).await.len(), 1);

    server.shutdown().await;
    source
        .status
        .wait_for(|s| !s.diffusion_connected)
        .await
        .unwrap();
    let server = diffusion_on(&listen).await;
    source.running().await;
    source
        .status
        .wait_for(|s| s.diffusion_connected)
        .await
        .unwrap();
    // A new publisher on the new server; the source re-subscribes by itself. Its
    // subscription may reach the new server after the first set (a subscriber gets the
    // current value, not the history), so the second set waits for the first to arrive.
    let p = publisher(&server.url()).await;
    for n in 2..=3 {
        p.add_and_set(
            "source/kafka/a",
            spec.clone(),
            &Value::Json(json!({"n": n})),
        )
        .await
        .unwrap();
        consume(&topic, n as usize).await;
    }
    let got = consume(&topic, 3).await;
    let ns: Vec<i64> = got
        .iter()
        .map(|(_, v)| {
            serde_json::from_str::<serde_json::Value>(v.as_deref().unwrap()).unwrap()["payload"]
                ["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ns.last(), Some(&3), "{ns:?}");
    assert!(ns.contains(&2), "{ns:?}");
    source.stop().await;
}

/// Issue 18: a source applies Kafka's transforms before its converters: values hoisted
/// into a field, the topic routed (and created), records filtered by a predicate.
#[tokio::test(flavor = "multi_thread")]
async fn transforms_shape_source_records_before_the_converters() {
    let server = diffusion_on("127.0.0.1:0").await;
    let base = unique_name("src-smt");
    let topic_pattern = format!("{base}.${{topic}}");
    let source = start(&seed_source(
        &unique_name("source"),
        &server.url(),
        &[
            ("kafka.topic", topic_pattern.as_str()),
            ("value.converter.schemas.enable", "false"),
            ("transforms", "skip,wrap,route,mark"),
            (
                "transforms.mark.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.mark.header", "origin"),
            ("transforms.mark.value.literal", "diffusion"),
            (
                "transforms.skip.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.skip.predicate", "noisy"),
            (
                "transforms.wrap.type",
                "org.apache.kafka.connect.transforms.HoistField$Value",
            ),
            ("transforms.wrap.field", "price"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "(.*)_noisy|(.*)"),
            ("transforms.route.replacement", "$2.routed"),
            ("predicates", "noisy"),
            (
                "predicates.noisy.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ),
            ("predicates.noisy.pattern", ".*_noisy"),
        ],
    ))
    .await;
    let p = publisher(&server.url()).await;
    for (path, v) in [
        ("source/kafka/noisy", json!({"bid": 9.0})),
        ("source/kafka/price", json!({"bid": 1.25})),
    ] {
        p.add_topic(path, TopicSpecification::new(TopicType::Json))
            .await
            .unwrap();
        p.set(path, &Value::Json(v)).await.unwrap();
    }
    let routed = format!("{base}.source_kafka_price.routed");
    let got = consume(&routed, 1).await;
    assert_eq!(
        consume_headers(&routed).await,
        [("origin".to_owned(), Some("diffusion".to_owned()))]
    );
    assert_eq!(
        got,
        [(
            "source/kafka/price".to_owned(),
            Some(r#"{"price":{"bid":1.25}}"#.to_owned())
        )]
    );
    let m = source.stop().await;
    assert_eq!(m.records_acknowledged.load(Ordering::Relaxed), 1);
    assert_eq!(m.records_failed.load(Ordering::Relaxed), 0);
}
