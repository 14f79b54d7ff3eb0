//! Faults under a steady load (the CI form: seconds of load and outages; the long form is
//! `DKC_FAULT_SECS=60 cargo test -p connectors --test faults`): the Diffusion server
//! stopped and restarted, the broker killed and restarted (its log on disk, so data
//! survives), a slow Diffusion link. Afterwards nothing is lost: each Diffusion topic ends
//! at the last record produced for its key and every record is committed (sink); every
//! update published while the source was subscribed is in Kafka, duplicates counted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use connectors::config::ConnectorConfig;
use connectors::kafka::KafkaSettings;
use connectors::sink::SinkMetrics;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{SinkConfig, SourceConfig, TaskStatus};
use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::json;
use test_support::{unique_name, Broker};
use tokio::sync::watch;

/// This binary's own broker, which its tests kill and restart (with its data).
fn broker() -> &'static Broker {
    static B: OnceLock<Broker> = OnceLock::new();
    B.get_or_init(Broker::start)
}

/// The binary's tests take turns: each kills the broker or needs it up throughout, and
/// one test's outage falling into another's run broke that one's checks (a sink's final
/// commit, made while the source test had the broker down, was lost: its committed offset
/// stayed where it was before its own outages).
async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

fn load_secs() -> u64 {
    std::env::var("DKC_FAULT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6)
}

async fn diffusion_on(listen: &str) -> ServerHandle {
    Server::bind(ServerConfig {
        listen: listen.parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn props(pairs: &[(&str, &str)]) -> ConnectorConfig {
    ConnectorConfig {
        name: unique_name("fault"),
        props: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn kafka() -> KafkaSettings {
    KafkaSettings::from_worker(&[("bootstrap.servers".to_owned(), broker().bootstrap())].into())
        .unwrap()
}

/// Produces `{"n": i}` with key `k{i % keys}` at `rate` per second until `stop`, returning
/// how many were produced; a down broker just delays acknowledgements.
async fn steady_produce(topic: String, rate: u64, keys: i64, stop: watch::Receiver<bool>) -> i64 {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker().bootstrap())
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let per_tick = (rate / 100).max(1);
    let mut n: i64 = 0;
    let mut pending = Vec::new();
    while !*stop.borrow() {
        tick.tick().await;
        for _ in 0..per_tick {
            let v = json!({"n": n}).to_string();
            let key = format!("k{}", n % keys);
            // While the broker is down (a JVM restart on a loaded machine can take a
            // while) librdkafka's queue fills: wait for room rather than give up.
            let f = loop {
                match p.send_result(FutureRecord::to(&topic).key(&key).payload(&v)) {
                    Ok(f) => break f,
                    Err((
                        rdkafka::error::KafkaError::MessageProduction(
                            rdkafka::types::RDKafkaErrorCode::QueueFull,
                        ),
                        _,
                    )) => tokio::time::sleep(Duration::from_millis(100)).await,
                    Err((e, _)) => panic!("producing: {e}"),
                }
            };
            pending.push(f);
            n += 1;
        }
    }
    for f in pending {
        f.await.unwrap().map_err(|(e, _)| e).unwrap();
    }
    n
}

/// Waits for progress, not for a moment: limits are generous (minutes), because the JVM
/// broker, the server and the task share two cores with whatever else runs.
async fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sink_survives_diffusion_and_broker_outages_under_load() {
    let _turn = turn().await;
    const KEYS: i64 = 50;
    let secs = load_secs();
    let port = test_support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = diffusion_on(&listen).await;
    let topic = unique_name("steady");
    broker().create_topic(&topic, 1).await;
    let c = props(&[
        ("connector.class", connectors::SINK_CLASS),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("topics", &topic),
        ("diffusion.url", &server.url()),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.destination", "kafka/${topic}/${key}"),
        ("offset.flush.interval.ms", "200"),
    ]);
    let group = format!("connect-{}", c.name);
    let config = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (status, mut status_rx) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(connectors::run_sink(
        config,
        kafka(),
        status,
        stop_rx,
        metrics.clone(),
    ));

    let (stop_load, load_rx) = watch::channel(false);
    let load = tokio::spawn(steady_produce(topic.clone(), 5000, KEYS, load_rx));
    let confirmed = || metrics.records_confirmed.load(Ordering::Relaxed) as i64;

    // Diffusion goes away for a while and comes back (a new server: topics recreated).
    wait_until("first records confirmed", 120, || confirmed() > 1000).await;
    server.shutdown().await;
    status_rx
        .wait_for(|s: &TaskStatus| !s.diffusion_connected)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    server = diffusion_on(&listen).await;
    status_rx
        .wait_for(|s: &TaskStatus| s.diffusion_connected)
        .await
        .unwrap();

    // The broker dies and comes back with its data.
    let before = confirmed();
    wait_until("progress after Diffusion came back", 120, || {
        confirmed() > before + 1000
    })
    .await;
    broker().stop();
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    broker().resume();
    let before = confirmed();
    wait_until("progress after the broker came back", 180, || {
        confirmed() > before + 1000
    })
    .await;

    stop_load.send(true).unwrap();
    let n = load.await.unwrap();
    // A subscriber on the new server sees every key's last value.
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
    let want: BTreeMap<String, i64> = (n - KEYS..n)
        .map(|i| (format!("kafka/{topic}/k{}", i % KEYS), i))
        .collect();
    let mut latest = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while latest != want {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(TopicEvent::Value {
                path,
                value: Value::Json(j),
                ..
            })) => {
                latest.insert(path.to_string(), j["n"].as_i64().unwrap());
            }
            Ok(Some(_)) => {}
            _ => panic!(
                "final values not reached: {} of {} keys right",
                want.iter()
                    .filter(|(k, v)| latest.get(*k) == Some(v))
                    .count(),
                KEYS
            ),
        }
    }
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(
        broker().committed(&group, &topic).await,
        n,
        "every record committed once confirmed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_survives_broker_and_diffusion_outages_under_load() {
    let _turn = turn().await;
    let secs = load_secs();
    let port = test_support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = diffusion_on(&listen).await;
    let topic = unique_name("from-diffusion");
    let c = props(&[
        ("connector.class", connectors::SOURCE_CLASS),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("kafka.topic", &topic),
        ("diffusion.url", &server.url()),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.selector", "?source/"),
    ]);
    let config = SourceConfig::parse(&c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (status, mut status_rx) = StatusHandle::new();
    let metrics = Arc::new(SourceMetrics::default());
    let task = tokio::spawn(connectors::run_source(
        config,
        kafka(),
        status,
        stop_rx,
        metrics.clone(),
        None,
    ));
    status_rx
        .wait_for(|s: &TaskStatus| s.diffusion_connected)
        .await
        .unwrap();

    // A publisher at a steady 2,000 updates/s over 20 topics; it pauses only while the
    // Diffusion server is down (then the source is not subscribed to anything).
    let published = Arc::new(Mutex::new(BTreeSet::new()));
    let next = Arc::new(AtomicI64::new(0));
    let (pause, pause_rx) = watch::channel(false);
    let mut publisher = tokio::spawn(publish(
        server.url(),
        next.clone(),
        published.clone(),
        pause_rx,
    ));

    // The broker dies for a while: the source holds what it cannot send (bounded) and
    // resumes.
    let acked = || metrics.records_acknowledged.load(Ordering::Relaxed);
    wait_until("first records acknowledged", 120, || acked() > 1000).await;
    broker().stop();
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    broker().resume();
    let before = acked();
    wait_until("progress after the broker came back", 180, || {
        acked() > before + 1000
    })
    .await;

    // Diffusion goes away: the publisher stops; after the restart the source re-subscribes
    // and a new publisher carries on.
    pause.send(true).unwrap();
    publisher.await.unwrap();
    server.shutdown().await;
    status_rx
        .wait_for(|s: &TaskStatus| !s.diffusion_connected)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    server = diffusion_on(&listen).await;
    status_rx
        .wait_for(|s: &TaskStatus| s.diffusion_connected)
        .await
        .unwrap();
    // Give the re-subscription a moment to be in place before publishing again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (pause, pause_rx) = watch::channel(false);
    publisher = tokio::spawn(publish(
        server.url(),
        next.clone(),
        published.clone(),
        pause_rx,
    ));
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    pause.send(true).unwrap();
    publisher.await.unwrap();
    let published = published.lock().unwrap().clone();
    wait_until("every published update acknowledged", 180, || {
        acked() >= published.len() as u64
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();

    // Every update is in Kafka; duplicates (resent after the broker's restart) counted.
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker().bootstrap())
        .set("group.id", unique_name("fault-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic.as_str()]).unwrap();
    let mut seen = BTreeSet::new();
    let mut records = 0usize;
    while !published.is_subset(&seen) {
        let m = tokio::time::timeout(Duration::from_secs(120), c.recv())
            .await
            .unwrap_or_else(|_| panic!("missing {} updates", published.difference(&seen).count()))
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        seen.insert(v["n"].as_i64().unwrap());
        records += 1;
    }
    eprintln!(
        "source: {} updates published, {records} records read, {} duplicates",
        published.len(),
        records - seen.len()
    );
}

/// Publishes `{"n": i}` to 20 JSON topics, 2,000 a second, until paused, recording what
/// the server accepted.
async fn publish(
    url: String,
    next: Arc<AtomicI64>,
    published: Arc<Mutex<BTreeSet<i64>>>,
    mut pause: watch::Receiver<bool>,
) {
    let s = Session::connect(&url, "admin", "password", SessionOptions::default())
        .await
        .unwrap();
    let spec = TopicSpecification::new(TopicType::Json);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            _ = pause.changed() => break,
            _ = tick.tick() => {}
        }
        for _ in 0..20 {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let path = format!("source/t{}", i % 20);
            if s.add_and_set(&path, spec.clone(), &Value::Json(json!({"n": i})))
                .await
                .is_ok()
            {
                published.lock().unwrap().insert(i);
            }
        }
    }
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_diffusion_link_slows_the_sink_without_losing_anything() {
    let _turn = turn().await;
    const N: i64 = 1500;
    let server = diffusion_on("127.0.0.1:0").await;
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    proxy.set_delay(Duration::from_millis(200));
    let topic = unique_name("slow");
    broker().create_topic(&topic, 1).await;
    let url = format!("ws://{}", proxy.addr());
    let c = props(&[
        ("connector.class", connectors::SINK_CLASS),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("topics", &topic),
        ("diffusion.url", &url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.destination", "kafka/${topic}/${key}"),
        ("diffusion.max.in.flight", "64"),
    ]);
    let config = SinkConfig::parse(&c, &BTreeMap::new()).unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let (status, _) = StatusHandle::new();
    let metrics = Arc::new(SinkMetrics::default());
    let task = tokio::spawn(connectors::run_sink(
        config,
        kafka(),
        status,
        stop_rx,
        metrics.clone(),
    ));
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker().bootstrap())
        .create()
        .unwrap();
    for n in 0..N {
        let v = json!({"n": n}).to_string();
        p.send(
            FutureRecord::to(&topic)
                .key(&format!("k{}", n % 10))
                .payload(&v),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    }
    // Back-pressure: the sink reads no further than its in-flight window allows ahead of
    // what Diffusion confirmed, however far Kafka is ahead.
    let mut max_gap = 0;
    while metrics.records_confirmed.load(Ordering::Relaxed) < N as u64 {
        let read = metrics.records_read.load(Ordering::Relaxed);
        let confirmed = metrics.records_confirmed.load(Ordering::Relaxed);
        max_gap = max_gap.max(read.saturating_sub(confirmed));
        assert!(
            read - confirmed <= 64 + 1,
            "{read} read but only {confirmed} confirmed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(max_gap > 0, "the slow link never held anything up");
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
}
