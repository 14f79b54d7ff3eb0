//! The sink against a real broker (Apache Kafka, over TCP with librdkafka) and the embedded
//! Diffusion server over WebSocket.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use connectors::config::{ConnectorConfig, SinkConfig};
use connectors::kafka::KafkaSettings;
use connectors::sink::{run_sink, SinkMetrics};
use connectors::status::StatusHandle;
use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::json;
use test_support::{sdk, unique_name, Broker};
use tokio::sync::watch;

async fn diffusion() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// The seed README's sample sink config, pointed at our broker's topic and our server.
fn seed_sink(name: &str, topic: &str, url: &str, destination: &str) -> ConnectorConfig {
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
        ("topics", topic),
        ("diffusion.url", url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.destination", destination),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    ConnectorConfig {
        name: name.to_owned(),
        props,
    }
}

fn kafka() -> KafkaSettings {
    KafkaSettings::from_worker(
        &[("bootstrap.servers".to_owned(), Broker::shared().bootstrap())].into(),
    )
    .unwrap()
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<SinkMetrics>,
    status: watch::Receiver<connectors::TaskStatus>,
}

fn start(c: &ConnectorConfig) -> Running {
    let config = SinkConfig::parse(c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, status) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(run_sink(config, kafka(), handle, stop_rx, metrics.clone()));
    Running {
        stop,
        task,
        metrics,
        status,
    }
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

/// Waits until the subscriber has seen `want` as the latest value of every path in it.
async fn expect_values(
    events: &mut tokio::sync::mpsc::Receiver<TopicEvent>,
    want: &BTreeMap<String, serde_json::Value>,
) {
    let mut latest = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while want.iter().any(|(k, v)| latest.get(k.as_str()) != Some(v)) {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; latest {latest:?}, want {want:?}"))
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

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_sample_reaches_the_official_python_sdk() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("price");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let sink = start(&seed_sink(&name, &topic, &server.url(), "kafka/${topic}"));

    // The official Python SDK watches ?kafka/.* until it sees the last price.
    let (url, path) = (server.url(), format!("kafka/{topic}"));
    let watcher = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "watch.py"),
            &[&url, "?kafka/.*", &path, "99"],
        )
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let records: Vec<String> = (0..100)
        .map(|n| json!({"sym": "ABC", "n": n, "bid": 1.25}).to_string())
        .collect();
    let pairs: Vec<(Option<&str>, Option<&str>)> = records
        .iter()
        .map(|r| (Some("ABC"), Some(r.as_str())))
        .collect();
    produce(&topic, &pairs).await;

    let run = watcher.await.unwrap();
    run.assert_success();
    let last = run.lines().last().cloned().unwrap_or_default();
    assert_eq!(
        last,
        format!(r#"kafka/{topic} {{"bid": 1.25, "n": 99, "sym": "ABC"}}"#)
    );

    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    assert_eq!(
        sink.metrics
            .records_confirmed
            .load(std::sync::atomic::Ordering::Relaxed),
        100
    );
    assert_eq!(sink.status.borrow().state, connectors::TaskState::Stopped);
    // Everything was confirmed, so everything is committed once the sink stops.
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        100
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn topic_and_key_tokens_fan_out_one_diffusion_topic_per_key() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("fan");
    broker.create_topic(&topic, 3).await;
    let name = unique_name("sink");
    let sink = start(&seed_sink(
        &name,
        &topic,
        &server.url(),
        "kafka/${topic}/${key}",
    ));
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher
        .subscribe(&format!("?kafka/{topic}/"))
        .await
        .unwrap();

    let mut records = Vec::new();
    let mut want = BTreeMap::new();
    for n in 0..300 {
        let key = format!("k{}", n % 10);
        let v = json!({"n": n});
        want.insert(format!("kafka/{topic}/{key}"), v.clone());
        records.push((key, v.to_string()));
    }
    let pairs: Vec<(Option<&str>, Option<&str>)> = records
        .iter()
        .map(|(k, v)| (Some(k.as_str()), Some(v.as_str())))
        .collect();
    produce(&topic, &pairs).await;
    // Every key's topic ends with the last value produced for that key: order kept per key.
    expect_values(&mut events, &want).await;
    assert_eq!(server.stats().topics, 10);
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
}

/// A record with headers: key, value, `(name, value)` headers.
type Headed<'a> = (&'a str, String, &'a [(&'a str, &'a str)]);

/// Produces `(key, value, headers)` records to partition 0.
async fn produce_with_headers(topic: &str, records: &[Headed<'_>]) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .create()
        .unwrap();
    for (k, v, headers) in records {
        let mut h = rdkafka::message::OwnedHeaders::new();
        for (name, value) in *headers {
            h = h.insert(rdkafka::message::Header {
                key: name,
                value: Some(*value),
            });
        }
        let r = FutureRecord::to(topic)
            .partition(0)
            .key(*k)
            .payload(v)
            .headers(h);
        p.send(r, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
}

/// Issue 25: value fields (nested), headers and the partition fill the destination; a
/// field's '/' stays in one segment; the official Python SDK sees the paths.
#[tokio::test(flavor = "multi_thread")]
async fn record_fields_and_headers_fill_the_destination_the_official_sdk_sees() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("fields");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let pattern = "d/${topic}/${value.exchange}/${value.symbol}/${value.venue.id}/${header.region}/${partition}";
    let sink = start(&seed_sink(&name, &topic, &server.url(), pattern));
    let last_path = format!("d/{topic}/XLON/VOD/7/eu/0");
    let (url, selector, watched) = (server.url(), format!("?d/{topic}/"), last_path.clone());
    let watcher = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "watch.py"),
            &[&url, &selector, &watched, "3", "2"],
        )
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let value = |exchange: &str, symbol: &str, venue: i64, n: i64| {
        json!({"exchange": exchange, "symbol": symbol, "venue": {"id": venue}, "n": n}).to_string()
    };
    produce_with_headers(
        &topic,
        &[
            ("a", value("XLON", "VOD", 7, 1), &[("region", "eu")]),
            ("b", value("XNYS", "A/B", 8, 2), &[("region", "us")]),
            (
                "c",
                value("XLON", "VOD", 7, 3),
                &[("region", "x"), ("region", "eu")],
            ),
        ],
    )
    .await;
    let run = watcher.await.unwrap();
    run.assert_success();
    let lines = run.lines();
    assert!(
        lines.contains(&format!(r#"d/{topic}/XNYS/A%2FB/8/us/0 {{"exchange": "XNYS", "n": 2, "symbol": "A/B", "venue": {{"id": 8}}}}"#)),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{last_path} ")) && l.contains(r#""n": 3"#)),
        "{lines:?}"
    );
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    assert_eq!(server.stats().topics, 2);
}

/// Issue 25: a missing field fails the record (errors tolerated: the rest flow on), or
/// with `unresolved=keep` stays in the path as text; array elements and key fields fill.
#[tokio::test(flavor = "multi_thread")]
async fn missing_fields_fail_or_stay_as_text_and_arrays_and_key_fields_fill() {
    use std::sync::atomic::Ordering::Relaxed;
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("missing");
    broker.create_topic(&topic, 1).await;
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher.subscribe(&format!("?m/{topic}/")).await.unwrap();
    let records = [
        (r#"{"region":"eu"}"#, json!({"items": ["x", "y"], "n": 1})),
        (r#"{"region":"us"}"#, json!({"n": 2})),
    ];
    let pairs: Vec<(String, String)> = records
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let pairs: Vec<(Option<&str>, Option<&str>)> = pairs
        .iter()
        .map(|(k, v)| (Some(k.as_str()), Some(v.as_str())))
        .collect();
    produce(&topic, &pairs).await;
    let mut sinks = Vec::new();
    for (mode, tolerance) in [("fail", "all"), ("keep", "none")] {
        let mut c = seed_sink(
            &unique_name("sink"),
            &topic,
            &server.url(),
            &format!("m/{topic}/{mode}/${{key.region}}/${{value.items[1]}}"),
        );
        c.props.insert(
            "key.converter".into(),
            "org.apache.kafka.connect.json.JsonConverter".into(),
        );
        c.props
            .insert("key.converter.schemas.enable".into(), "false".into());
        c.props
            .insert("diffusion.destination.unresolved".into(), mode.into());
        c.props.insert("errors.tolerance".into(), tolerance.into());
        sinks.push(start(&c));
    }
    let want: BTreeMap<String, serde_json::Value> = [
        (
            format!("m/{topic}/fail/eu/y"),
            json!({"items": ["x", "y"], "n": 1}),
        ),
        (
            format!("m/{topic}/keep/eu/y"),
            json!({"items": ["x", "y"], "n": 1}),
        ),
        (
            format!("m/{topic}/keep/us/${{value.items[1]}}"),
            json!({"n": 2}),
        ),
    ]
    .into();
    expect_values(&mut events, &want).await;
    let fail = &sinks[0];
    wait_for("the failing sink settles both", || {
        fail.metrics.records_confirmed.load(Relaxed) + fail.metrics.records_failed.load(Relaxed)
            == 2
    })
    .await;
    assert_eq!(fail.metrics.records_failed.load(Relaxed), 1);
    assert_eq!(server.stats().topics, 3);
    for s in sinks {
        s.stop.send(true).unwrap();
        s.task.await.unwrap().unwrap();
    }
}

/// Issue 18: Kafka's transforms shape records between the converters and Diffusion: a
/// tombstone filtered out, a field extracted, the topic routed (`${topic}` sees the new
/// name); a record a transform fails on goes to the dead-letter topic with stage
/// TRANSFORMATION and the transform's class; every offset is committed.
#[tokio::test(flavor = "multi_thread")]
async fn transforms_shape_records_before_they_reach_diffusion() {
    use std::sync::atomic::Ordering::Relaxed;
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("smt");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let dlq = unique_name("dlq");
    let mut c = seed_sink(&name, &topic, &server.url(), "t/${topic}/${value.sku}");
    for (k, v) in [
        ("transforms", "drop,pick,route"),
        (
            "transforms.drop.type",
            "org.apache.kafka.connect.transforms.Filter",
        ),
        ("transforms.drop.predicate", "tomb"),
        (
            "transforms.pick.type",
            "org.apache.kafka.connect.transforms.ExtractField$Value",
        ),
        ("transforms.pick.field", "order"),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter",
        ),
        ("transforms.route.regex", "(.*)"),
        ("transforms.route.replacement", "routed-$1"),
        ("predicates", "tomb"),
        (
            "predicates.tomb.type",
            "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        ),
        ("errors.tolerance", "all"),
        ("errors.deadletterqueue.topic.name", dlq.as_str()),
        ("errors.deadletterqueue.context.headers.enable", "true"),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
    ] {
        c.props.insert(k.into(), v.into());
    }
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher
        .subscribe(&format!("?t/routed-{topic}/"))
        .await
        .unwrap();
    let sink = start(&c);
    produce(
        &topic,
        &[
            (Some("a"), Some(r#"{"order":{"sku":"A","n":1},"meta":1}"#)),
            (Some("b"), None),
            (Some("c"), Some("42")),
            (Some("d"), Some(r#"{"order":{"sku":"B","n":2}}"#)),
        ],
    )
    .await;
    let want: BTreeMap<String, serde_json::Value> = [
        (format!("t/routed-{topic}/A"), json!({"sku": "A", "n": 1})),
        (format!("t/routed-{topic}/B"), json!({"sku": "B", "n": 2})),
    ]
    .into();
    expect_values(&mut events, &want).await;
    let dlq_consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    dlq_consumer.subscribe(&[&dlq]).unwrap();
    let m = tokio::time::timeout(Duration::from_secs(30), dlq_consumer.recv())
        .await
        .unwrap()
        .unwrap();
    let header = |k: &str| {
        m.headers()
            .unwrap()
            .iter()
            .find(|h| h.key == k)
            .map(|h| String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned())
            .unwrap_or_default()
    };
    assert_eq!(m.payload(), Some(&b"42"[..]), "the original record");
    assert_eq!(header("__connect.errors.stage"), "TRANSFORMATION");
    assert_eq!(
        header("__connect.errors.class.name"),
        "org.apache.kafka.connect.transforms.ExtractField$Value"
    );
    assert_eq!(
        header("__connect.errors.exception.message"),
        "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Long"
    );
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    assert_eq!(sink.metrics.records_confirmed.load(Relaxed), 2);
    assert_eq!(sink.metrics.records_failed.load(Relaxed), 1);
    assert_eq!(server.stats().topics, 2);
    assert_eq!(
        broker.committed(&format!("connect-{name}"), &topic).await,
        4
    );
}

/// Issue 21 (item 1): `diffusion.topic.type`: the sink creates and sets string, int64,
/// double and binary topics; the official Python SDK subscribes to each by its type.
#[tokio::test(flavor = "multi_thread")]
async fn typed_topics_reach_the_official_sdk_as_their_type() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("typed");
    broker.create_topic(&topic, 1).await;
    let mut sinks = Vec::new();
    for t in ["STRING", "INT64", "DOUBLE", "BINARY"] {
        let destination = format!("typed/{topic}/{}/${{key}}", t.to_lowercase());
        let mut c = seed_sink(&unique_name("sink"), &topic, &server.url(), &destination);
        c.props.insert("diffusion.topic.type".into(), t.into());
        if t == "BINARY" {
            c.props.insert(
                "value.converter".into(),
                "org.apache.kafka.connect.storage.StringConverter".into(),
            );
        }
        sinks.push(start(&c));
    }
    let (url, selector) = (server.url(), format!("?typed/{topic}/"));
    let watcher = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "watch_typed.py"),
            &[&url, &selector, "4"],
        )
    });
    produce(&topic, &[(Some("k1"), Some("42"))]).await;
    let run = watcher.await.unwrap();
    run.assert_success();
    let mut lines = run.lines();
    lines.sort();
    assert_eq!(
        lines,
        [
            format!("typed/{topic}/binary/k1 binary \"42\""),
            format!("typed/{topic}/double/k1 double 42.0"),
            format!("typed/{topic}/int64/k1 int64 42"),
            format!("typed/{topic}/string/k1 string \"42\""),
        ]
    );
    for s in sinks {
        s.stop.send(true).unwrap();
        s.task.await.unwrap().unwrap();
    }
}

/// Issue 21 (item 2, in part): `diffusion.topic.properties` go with the topics the sink
/// creates; the embedded server keeps DONT_RETAIN_VALUE's promise: a subscriber present
/// gets the value, a later one none.
#[tokio::test(flavor = "multi_thread")]
async fn topic_properties_go_with_the_topics_the_sink_creates() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("props");
    broker.create_topic(&topic, 1).await;
    let mut c = seed_sink(
        &unique_name("sink"),
        &topic,
        &server.url(),
        "p/${topic}/${key}",
    );
    c.props.insert(
        "diffusion.topic.properties".into(),
        "DONT_RETAIN_VALUE=true, publish_values_only=TRUE".into(),
    );
    let sink = start(&c);
    let watch = |selector: String| {
        let url = server.url();
        async move {
            let s = Session::connect(&url, "admin", "password", SessionOptions::default())
                .await
                .unwrap();
            let events = s.take_events().unwrap();
            s.subscribe(&selector).await.unwrap();
            (s, events)
        }
    };
    let (_early, mut events) = watch(format!("?p/{topic}/")).await;
    produce(&topic, &[(Some("k1"), Some(r#"{"n":1}"#))]).await;
    let mut spec = None;
    let mut value = None;
    while value.is_none() {
        match tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            TopicEvent::Subscribed { specification, .. } => spec = Some(specification),
            TopicEvent::Value { value: v, .. } => value = Some(v),
            _ => {}
        }
    }
    let spec = spec.unwrap();
    assert_eq!(
        spec.properties,
        [
            ("DONT_RETAIN_VALUE".to_owned(), "true".to_owned()),
            ("PUBLISH_VALUES_ONLY".to_owned(), "true".to_owned())
        ]
    );
    assert_eq!(value, Some(Value::Json(json!({"n": 1}))));
    // A later subscriber is told of the topic but gets no value: none was kept.
    let (_late, mut late) = watch(format!("?p/{topic}/")).await;
    let first = tokio::time::timeout(Duration::from_secs(30), late.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(first, TopicEvent::Subscribed { .. }), "{first:?}");
    let next = tokio::time::timeout(Duration::from_secs(2), late.recv()).await;
    assert!(next.is_err(), "a value was kept: {next:?}");
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_record_fails_the_task_when_errors_are_not_tolerated() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("strict");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let sink = start(&seed_sink(&name, &topic, &server.url(), "kafka/${topic}"));
    produce(
        &topic,
        &[
            (Some("a"), Some(r#"{"ok":1}"#)),
            (Some("a"), Some("{not json")),
            (Some("a"), Some(r#"{"ok":2}"#)),
        ],
    )
    .await;
    let err = tokio::time::timeout(Duration::from_secs(30), sink.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, connectors::TaskError::RecordFailed { .. }),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains(&format!("{topic}-0@1")), "{err}");
    assert!(
        err.contains("VALUE_CONVERTER") && err.contains("invalid JSON"),
        "{err}"
    );
    assert!(matches!(
        sink.status.borrow().state,
        connectors::TaskState::Failed(_)
    ));
    // The good record before it was confirmed and committed; the bad one was not.
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tolerated_bad_records_go_to_the_dead_letter_topic_and_the_rest_flow_on() {
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("lenient");
    let dlq = unique_name("dlq");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let mut c = seed_sink(&name, &topic, &server.url(), "kafka/${topic}/${key}");
    for (k, v) in [
        ("errors.tolerance", "all"),
        ("errors.log.enable", "true"),
        ("errors.deadletterqueue.topic.name", dlq.as_str()),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("errors.deadletterqueue.context.headers.enable", "true"),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
    ] {
        c.props.insert(k.into(), v.into());
    }
    let sink = start(&c);
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher
        .subscribe(&format!("?kafka/{topic}/"))
        .await
        .unwrap();
    produce(
        &topic,
        &[
            (Some("good"), Some(r#"{"n":1}"#)),
            (Some("bad"), Some("{not json")),
            (None, Some(r#"{"n":"no key for ${key}"}"#)),
            (Some("good"), Some(r#"{"n":2}"#)),
        ],
    )
    .await;
    expect_values(
        &mut events,
        &[(format!("kafka/{topic}/good"), json!({"n": 2}))].into(),
    )
    .await;

    // Both bad records are in the dead-letter topic, with Connect's context headers.
    let dlq_consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    dlq_consumer.subscribe(&[&dlq]).unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let m = tokio::time::timeout(Duration::from_secs(30), dlq_consumer.recv())
            .await
            .unwrap()
            .unwrap();
        let headers: BTreeMap<String, String> = m
            .headers()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h.key.to_owned(),
                    String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                )
            })
            .collect();
        seen.push((
            m.payload().map(|p| String::from_utf8_lossy(p).into_owned()),
            headers,
        ));
    }
    assert_eq!(seen[0].0.as_deref(), Some("{not json"));
    assert_eq!(seen[0].1["__connect.errors.topic"], topic);
    assert_eq!(seen[0].1["__connect.errors.offset"], "1");
    assert_eq!(seen[0].1["__connect.errors.stage"], "VALUE_CONVERTER");
    assert_eq!(seen[0].1["__connect.errors.connector.name"], name);
    assert_eq!(seen[1].1["__connect.errors.stage"], "TASK_PUT");
    assert!(
        seen[1].1["__connect.errors.exception.message"].contains("${key}"),
        "{:?}",
        seen[1].1
    );
    assert_eq!(
        sink.metrics
            .records_dead_lettered
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );

    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    // All four settled (two confirmed, two dead-lettered): all committed.
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_cut_mid_stream_lose_nothing_and_commit_only_confirmed() {
    const N: i64 = 3000;
    const KEYS: i64 = 50;
    let broker = Broker::shared();
    let server = diffusion().await;
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    let topic = unique_name("cut");
    broker.create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let url = format!("ws://{}", proxy.addr());
    let sink = start(&seed_sink(&name, &topic, &url, "kafka/${topic}/${key}"));
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher
        .subscribe(&format!("?kafka/{topic}/"))
        .await
        .unwrap();

    let producer = tokio::spawn({
        let topic = topic.clone();
        async move {
            for chunk in 0..(N / 100) {
                let records: Vec<(String, String)> = (chunk * 100..(chunk + 1) * 100)
                    .map(|n| (format!("k{}", n % KEYS), json!({"n": n}).to_string()))
                    .collect();
                let pairs: Vec<(Option<&str>, Option<&str>)> = records
                    .iter()
                    .map(|(k, v)| (Some(k.as_str()), Some(v.as_str())))
                    .collect();
                produce(&topic, &pairs).await;
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        }
    });
    // Cut every connection to Diffusion, repeatedly, while records flow.
    for _ in 0..4 {
        let before = sink
            .metrics
            .records_confirmed
            .load(std::sync::atomic::Ordering::Relaxed);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while sink
            .metrics
            .records_confirmed
            .load(std::sync::atomic::Ordering::Relaxed)
            < before + 200
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no progress after a cut"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        proxy.cut();
    }
    producer.await.unwrap();
    let want: BTreeMap<String, serde_json::Value> = (N - KEYS..N)
        .map(|n| (format!("kafka/{topic}/k{}", n % KEYS), json!({"n": n})))
        .collect();
    expect_values(&mut events, &want).await;
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    // Everything was eventually confirmed (resent after each cut), so all is committed.
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        N
    );
}

/// Kafka's contract for a consumer: partitions taken away in a rebalance have what was
/// confirmed for them committed as they go, so the member that takes them over does not
/// read those records again. The periodic commit (`offset.flush.interval.ms`, ten minutes
/// here) is far off: only the revocation can have committed.
#[tokio::test(flavor = "multi_thread")]
async fn partitions_taken_away_in_a_rebalance_are_committed_as_they_go() {
    use std::sync::atomic::Ordering::Relaxed;
    let broker = Broker::shared();
    let server = diffusion().await;
    let topic = unique_name("rebalance");
    broker.create_topic(&topic, 2).await;
    let name = unique_name("sink");
    let group = format!("connect-{name}");
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .unwrap();
    let produce_to_both = |from: usize, to: usize| {
        let (p, topic) = (p.clone(), topic.clone());
        async move {
            for n in from..to {
                for partition in 0..2 {
                    let value = json!({ "n": n }).to_string();
                    let key = format!("k{partition}-{n}");
                    let r = FutureRecord::to(&topic)
                        .partition(partition)
                        .key(&key)
                        .payload(&value);
                    p.send(r, Duration::from_secs(10))
                        .await
                        .map_err(|(e, _)| e)
                        .unwrap();
                }
            }
        }
    };
    let confirmed = |r: &[&Running]| -> u64 {
        r.iter()
            .map(|r| r.metrics.records_confirmed.load(Relaxed))
            .sum()
    };
    let mut config = seed_sink(&name, &topic, &server.url(), "kafka/${topic}/${key}");
    // Ten minutes: however slow the machine, no periodic commit comes before the check.
    config
        .props
        .insert("offset.flush.interval.ms".into(), "600000".into());
    produce_to_both(0, 10).await;
    let a = start(&config);
    wait_for("A confirms all 20", || confirmed(&[&a]) == 20).await;
    let nothing_yet = broker.committed_partitions(&group, &topic, 2).await;
    assert!(
        nothing_yet.iter().all(|&o| o < 0),
        "committed before any revocation: {nothing_yet:?}"
    );
    // B joins the group: A's partitions are revoked (and one comes back to it).
    let b = start(&config);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let committed = broker.committed_partitions(&group, &topic, 2).await;
        if committed == [10, 10] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revocation did not commit A's confirmed offsets: {committed:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    produce_to_both(10, 11).await;
    wait_for("the new records confirmed", || confirmed(&[&a, &b]) == 22).await;
    let read = a.metrics.records_read.load(Relaxed) + b.metrics.records_read.load(Relaxed);
    assert_eq!(read, 22, "B read again records A had confirmed");
    for r in [a, b] {
        r.stop.send(true).unwrap();
        r.task.await.unwrap().unwrap();
    }
    assert_eq!(
        broker.committed_partitions(&group, &topic, 2).await,
        [11, 11]
    );
}

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_records_and_bad_keys_take_the_error_path_and_the_rest_flow_on() {
    let broker = Broker::shared();
    // A server that takes messages of at most 1 MiB (as Diffusion servers are configured).
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_message_size: 1024 * 1024,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let topic = unique_name("corpus");
    let dlq = unique_name("corpus-dlq");
    // Kafka takes records of at most 1 MB unless the topic says more.
    broker
        .create_topic_with(&topic, 1, &[("max.message.bytes", "20000000")])
        .await;
    let name = unique_name("sink");
    let mut c = seed_sink(&name, &topic, &server.url(), "kafka/${topic}/${key}");
    for (k, v) in [
        ("errors.tolerance", "all"),
        ("errors.deadletterqueue.topic.name", dlq.as_str()),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("errors.deadletterqueue.context.headers.enable", "true"),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
    ] {
        c.props.insert(k.into(), v.into());
    }
    let sink = start(&c);
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher
        .subscribe(&format!("?kafka/{topic}/"))
        .await
        .unwrap();

    // A 10 MB record, a key that is not UTF-8, then a good record.
    let big = json!({"blob": "x".repeat(10 * 1024 * 1024)}).to_string();
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("message.max.bytes", "20000000")
        .create()
        .unwrap();
    let send = |key: &'static [u8], value: String| {
        let p = p.clone();
        let topic = topic.clone();
        async move {
            p.send(
                FutureRecord::to(&topic).key(key).payload(&value),
                Duration::from_secs(30),
            )
            .await
            .map_err(|(e, _)| e)
            .unwrap();
        }
    };
    send(b"big", big).await;
    send(&[0xff, 0xfe, 0x00], r#"{"n":1}"#.to_owned()).await;
    send(b"good", r#"{"n":2}"#.to_owned()).await;
    expect_values(
        &mut events,
        &[(format!("kafka/{topic}/good"), json!({"n": 2}))].into(),
    )
    .await;

    let dlq_consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    dlq_consumer.subscribe(&[&dlq]).unwrap();
    let mut stages = Vec::new();
    while stages.len() < 2 {
        let m = tokio::time::timeout(Duration::from_secs(30), dlq_consumer.recv())
            .await
            .unwrap()
            .unwrap();
        let header = |name: &str| {
            m.headers()
                .unwrap()
                .iter()
                .find(|h| h.key == name)
                .map(|h| String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned())
                .unwrap_or_default()
        };
        stages.push((
            header("__connect.errors.offset"),
            header("__connect.errors.stage"),
            header("__connect.errors.exception.message"),
        ));
    }
    assert_eq!(stages[0].0, "0");
    assert_eq!(stages[0].1, "TASK_PUT");
    assert!(
        stages[0].2.contains("at most 1048576 bytes"),
        "{:?}",
        stages[0]
    );
    assert_eq!(stages[1].0, "1");
    assert_eq!(stages[1].1, "KEY_CONVERTER");
    assert!(stages[1].2.contains("UTF-8"), "{:?}", stages[1]);
    assert_eq!(sink.status.borrow().state, connectors::TaskState::Running);
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sink_reaches_a_wss_server_with_a_private_ca() {
    let pki = test_support::tls::TestPki::create(&test_support::tls::temp_dir("sink-pki"));
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some(diffusion_server::TlsFiles {
            cert_chain: pki.server_cert.clone(),
            private_key: pki.server_key.clone(),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let url = format!("wss://localhost:{}", server.local_addr().port());
    let topic = unique_name("wss");
    Broker::shared().create_topic(&topic, 1).await;
    let mut c = seed_sink(&unique_name("sink"), &topic, &url, "kafka/${topic}");
    c.props.insert(
        "diffusion.ssl.ca.location".into(),
        pki.ca_cert.display().to_string(),
    );
    let sink = start(&c);
    let trusting = SessionOptions {
        tls: diffusion_client::TlsOptions {
            ca_file: Some(pki.ca_cert.clone()),
            system_roots: false,
        },
        ..SessionOptions::default()
    };
    let watcher = Session::connect(&url, "admin", "password", trusting)
        .await
        .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher.subscribe(&format!(">kafka/{topic}")).await.unwrap();
    produce(&topic, &[(Some("k"), Some(r#"{"over":"tls"}"#))]).await;
    expect_values(
        &mut events,
        &[(format!("kafka/{topic}"), json!({"over": "tls"}))].into(),
    )
    .await;
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();

    // A CA file that is not there is named by validation.
    c.props.insert(
        "diffusion.ssl.ca.location".into(),
        "/nonexistent/ca.pem".into(),
    );
    let errors = SinkConfig::parse(&c, &BTreeMap::new()).unwrap_err();
    assert_eq!(errors[0].key, "diffusion.ssl.ca.location");
}

/// A window above the Diffusion client's default of 1,024 requests in flight: the session
/// takes the sink's window. Before, the sink stalled for good once more than 1,024 updates
/// awaited Diffusion: it waited for a request slot that only its own unread responses held.
/// Diffusion is held silent (a frozen link) while 3,000 records arrive, then let go.
#[tokio::test(flavor = "multi_thread")]
async fn a_window_larger_than_the_clients_default_does_not_stall() {
    const N: usize = 3000;
    let server = diffusion().await;
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    let topic = unique_name("window");
    Broker::shared().create_topic(&topic, 1).await;
    let name = unique_name("sink");
    let url = format!("ws://{}", proxy.addr());
    let mut c = seed_sink(&name, &topic, &url, "kafka/${topic}/${key}");
    c.props
        .insert("diffusion.max.in.flight".into(), "4096".into());
    c.props
        .insert("offset.flush.interval.ms".into(), "200".into());
    let mut sink = start(&c);
    sink.status
        .wait_for(|s| s.state == connectors::TaskState::Running && s.diffusion_connected)
        .await
        .unwrap();
    proxy.freeze();
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .create()
        .unwrap();
    let sent: Vec<_> = (0..N)
        .map(|i| {
            let (k, v) = (format!("k{i}"), format!("{{\"n\":{i}}}"));
            p.send_result(FutureRecord::to(&topic).key(&k).payload(&v))
                .map_err(|(e, _)| e)
                .unwrap()
        })
        .collect();
    for d in sent {
        d.await.unwrap().map_err(|(e, _)| e).unwrap();
    }
    let read = || {
        sink.metrics
            .records_read
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while read() < 2000 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sink stopped reading at {} records with Diffusion silent",
            read()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.thaw();
    let confirmed = || {
        sink.metrics
            .records_confirmed
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while confirmed() < N as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stalled at {} of {N} confirmed",
            confirmed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sink.stop.send(true).unwrap();
    sink.task.await.unwrap().unwrap();
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        N as i64
    );
}
