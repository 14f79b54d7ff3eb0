//! Time series topics through both connectors, against the embedded Diffusion server and
//! a real broker, with the official Python SDK as the independent peer: the sink's events
//! read back by the SDK's range query; the SDK's appends reaching Kafka through the source,
//! which resumes from its stored offsets after a stop (nothing lost, nothing twice) and
//! counts what the server's retention removed meanwhile.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectors::config::ConnectorConfig;
use connectors::kafka::KafkaSettings;
use connectors::sink::{run_sink, SinkMetrics};
use connectors::source::{run_source, SourceMetrics};
use connectors::source_offsets::{
    offset_sequence, partition_topic, MemoryOffsetStore, OffsetStore,
};
use connectors::status::StatusHandle;
use connectors::{SinkConfig, SourceConfig, TaskState};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Message, Timestamp};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
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

fn kafka() -> KafkaSettings {
    KafkaSettings::from_worker(
        &[("bootstrap.servers".to_owned(), Broker::shared().bootstrap())].into(),
    )
    .unwrap()
}

fn config(name: &str, class: &str, pairs: &[(&str, &str)]) -> ConnectorConfig {
    let mut props: BTreeMap<String, String> = [
        ("connector.class", class),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in pairs {
        props.insert((*k).to_owned(), (*v).to_owned());
    }
    ConnectorConfig {
        name: name.to_owned(),
        props,
    }
}

fn python(args: &[&str]) -> Vec<String> {
    let script = sdk::script(env!("CARGO_MANIFEST_DIR"), "time_series.py");
    let run = sdk::python(&script, args);
    run.assert_success();
    run.lines()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sink_appends_each_record_as_an_event_stamped_with_its_kafka_timestamp() {
    let server = diffusion().await;
    let broker = Broker::shared();
    let topic = unique_name("ts-sink");
    broker.create_topic(&topic, 1).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .unwrap();
    let base = 1_700_000_000_000i64;
    // Record 10's timestamp goes back (a producer's clock may): Diffusion refuses an event
    // earlier than the topic's latest, so it takes record 9's.
    let stamp = |n: i64| if n == 10 { base } else { base + n * 1000 };
    for n in 0..20i64 {
        let v = format!(r#"{{"n":{n}}}"#);
        producer
            .send(
                FutureRecord::to(&topic)
                    .key("k")
                    .payload(&v)
                    .timestamp(stamp(n)),
                Duration::from_secs(10),
            )
            .await
            .unwrap();
    }
    let c = config(
        &unique_name("ts-sink"),
        connectors::SINK_CLASS,
        &[
            ("topics", topic.as_str()),
            ("diffusion.url", server.url().as_str()),
            ("diffusion.destination", "ts/${topic}"),
            ("diffusion.topic.type", "TIME_SERIES"),
            ("diffusion.time.series.event.type", "JSON"),
            (
                "diffusion.topic.properties",
                "TIME_SERIES_RETAINED_RANGE=limit 1000",
            ),
        ],
    );
    let sink = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, _status) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(run_sink(sink, kafka(), handle, stop_rx, metrics.clone()));
    let path = format!("ts/{topic}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let events = loop {
        let lines: Vec<String> =
            tokio::task::block_in_place(|| python(&["query", server.url().as_str(), &path]));
        if lines.len() >= 20 || Instant::now() > deadline {
            break lines;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    let expected: Vec<String> = (0..20i64)
        .map(|n| {
            let t = if n == 10 { stamp(9) } else { stamp(n) };
            format!("ev {n} {t} {{\"n\":{n}}}")
        })
        .collect();
    assert_eq!(events, expected, "the SDK's range query of {path}");
    assert_eq!(metrics.records_failed.load(Ordering::Relaxed), 0);

    // Conflation cannot be asked for with time series, and ranges only with them: named.
    let mut bad = c.clone();
    bad.props
        .insert("diffusion.conflation".into(), "latest".into());
    let errors = SinkConfig::parse(&bad, &BTreeMap::new()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.key == "diffusion.conflation"),
        "{errors:?}"
    );
    let mut bad = c;
    bad.props
        .insert("diffusion.topic.type".into(), "JSON".into());
    let errors = SinkConfig::parse(&bad, &BTreeMap::new()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.key == "diffusion.topic.properties"
            && e.message.contains("TIME_SERIES_RETAINED_RANGE")),
        "{errors:?}"
    );
}

struct Source {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), connectors::TaskError>>,
    metrics: Arc<SourceMetrics>,
}

async fn start_source(c: &ConnectorConfig, store: Arc<MemoryOffsetStore>) -> Source {
    let config = SourceConfig::parse(c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (handle, mut status) = StatusHandle::new();
    let metrics = Arc::new(SourceMetrics::default());
    let store: Arc<dyn OffsetStore> = store;
    let task = tokio::spawn(run_source(
        config,
        kafka(),
        handle,
        stop_rx,
        metrics.clone(),
        Some(store),
    ));
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.state == TaskState::Running),
    )
    .await
    .expect("the source did not start")
    .unwrap();
    Source {
        stop,
        task,
        metrics,
    }
}

impl Source {
    async fn stop(self) -> Arc<SourceMetrics> {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
        self.metrics
    }
}

/// Reads `topic` from the start until `want` records arrived or 60 s passed: per key
/// (Diffusion path), the `n` of each record, in order, and each record's timestamp.
async fn read_kafka(topic: &str, want: usize) -> HashMap<String, Vec<(i64, i64)>> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .set("group.id", unique_name("ts-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut out: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    let mut got = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while got < want && Instant::now() < deadline {
        let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(1), consumer.recv()).await else {
            continue;
        };
        let key = String::from_utf8(m.key().unwrap().to_vec()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        let Timestamp::CreateTime(ts) = m.timestamp() else {
            panic!("record without a create time: {:?}", m.timestamp());
        };
        out.entry(key)
            .or_default()
            .push((v["n"].as_i64().unwrap(), ts));
        got += 1;
    }
    // Anything beyond `want` would be a duplicate: give it a moment to show.
    while let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(2), consumer.recv()).await {
        let key = String::from_utf8(m.key().unwrap().to_vec()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        out.entry(key)
            .or_default()
            .push((v["n"].as_i64().unwrap(), 0));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_resumes_each_time_series_topic_from_its_offset_with_nothing_lost_or_repeated() {
    let server = diffusion().await;
    let url = server.url();
    let prefix = unique_name("tsrc");
    let out = unique_name("ts-out");
    let (a, b, short) = (
        format!("{prefix}/a"),
        format!("{prefix}/b"),
        format!("{prefix}/short"),
    );
    let c = config(
        &unique_name("ts-source"),
        connectors::SOURCE_CLASS,
        &[
            ("kafka.topic", out.as_str()),
            ("diffusion.url", url.as_str()),
            ("diffusion.selector", &format!("?{prefix}/")),
            ("offset.flush.interval.ms", "100"),
        ],
    );
    let store = Arc::new(MemoryOffsetStore::default());
    // The topics exist before the source: with no offset it starts from what the
    // subscription delivers (the latest event, n = 4), as a new subscriber does.
    tokio::task::block_in_place(|| {
        python(&["append", url.as_str(), &a, "0", "5"]);
        python(&["append", url.as_str(), &short, "0", "5", "limit 10"]);
    });
    let source = start_source(&c, store.clone()).await;
    tokio::task::block_in_place(|| {
        python(&["append", url.as_str(), &a, "5", "45"]);
        python(&["append", url.as_str(), &b, "0", "50"]);
        python(&["append", url.as_str(), &short, "5", "5"]);
    });
    let seen = read_kafka(&out, 46 + 50 + 6).await;
    let n_of = |path: &str| -> Vec<i64> {
        seen.get(path)
            .map(|v| v.iter().map(|(n, _)| *n).collect())
            .unwrap_or_default()
    };
    assert_eq!(n_of(&a), (4..50).collect::<Vec<_>>());
    assert_eq!(n_of(&b), (0..50).collect::<Vec<_>>());
    assert_eq!(n_of(&short), (4..10).collect::<Vec<_>>());
    // The record's timestamp is the event's: within the test's run, not the producer's 0.
    assert!(seen[&b].iter().all(|(_, ts)| *ts > 1_700_000_000_000));
    let metrics = source.stop().await;
    assert_eq!(metrics.events_missed.load(Ordering::Relaxed), 0);

    // Stopped: offsets stored for all three (sequence = n here: each topic's first event
    // was n = 0).
    let stored: HashMap<String, u64> = store
        .load(&c.name)
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                partition_topic(&o.partition).unwrap().to_owned(),
                offset_sequence(&o.offset).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stored,
        HashMap::from([(a.clone(), 49), (b.clone(), 49), (short.clone(), 9)])
    );

    // Appended while the source is stopped: a and b all retained, short only its last 10.
    tokio::task::block_in_place(|| {
        python(&["append", url.as_str(), &a, "50", "30"]);
        python(&["append", url.as_str(), &b, "50", "30"]);
        python(&["append", url.as_str(), &short, "10", "30"]);
    });
    let source = start_source(&c, store.clone()).await;
    tokio::task::block_in_place(|| python(&["append", url.as_str(), &b, "80", "20"]));
    let seen = read_kafka(&out, 46 + 50 + 6 + 30 + 50 + 10).await;
    let n_of = |path: &str| -> Vec<i64> {
        seen.get(path)
            .map(|v| v.iter().map(|(n, _)| *n).collect())
            .unwrap_or_default()
    };
    assert_eq!(n_of(&a), (4..80).collect::<Vec<_>>(), "a: once each");
    assert_eq!(n_of(&b), (0..100).collect::<Vec<_>>(), "b: once each");
    // short kept only its last 10 (sequences 30..39, n 30..39): 10..29 were gone.
    let expected_short: Vec<i64> = (4..10).chain(30..40).collect();
    assert_eq!(n_of(&short), expected_short);
    let metrics = source.stop().await;
    assert_eq!(metrics.events_missed.load(Ordering::Relaxed), 20);

    // b removed and added again while the source is stopped: its events are numbered from
    // 0 again, below the stored offset (99). The source sees it is another topic (the event
    // at the stored sequence is gone) and sends its events from the first.
    let s = diffusion_client::Session::connect(
        &url,
        "admin",
        "password",
        diffusion_client::SessionOptions::default(),
    )
    .await
    .unwrap();
    s.remove(&format!(">{b}")).await.unwrap();
    s.close().await;
    tokio::task::block_in_place(|| python(&["append", url.as_str(), &b, "1000", "5"]));
    let source = start_source(&c, store.clone()).await;
    let seen = read_kafka(&out, 46 + 50 + 6 + 30 + 50 + 10 + 5).await;
    let b_events: Vec<i64> = seen[&b].iter().map(|(n, _)| *n).collect();
    assert_eq!(
        b_events,
        (0..100).chain(1000..1005).collect::<Vec<_>>(),
        "b, then the new b's events once each"
    );
    source.stop().await;
}
