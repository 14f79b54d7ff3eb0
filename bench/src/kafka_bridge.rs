//! The bridge's two directions against a real broker (tansu) and the embedded server,
//! each beside the bare librdkafka work it cannot beat, measured in the same run:
//! - sink: pre-filled JSON records to Diffusion (confirmed), vs a `BaseConsumer` only
//!   reading them;
//! - source: Diffusion updates from a Rust publisher into Kafka (acknowledged), vs a bare
//!   producer writing the same records.
//!
//! The sink runs in a child process (`bench sink-child ...`) so its peak RSS is its own.

use std::collections::BTreeMap;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectors::config::ConnectorConfig;
use connectors::kafka::KafkaSettings;
use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::{SinkConfig, SourceConfig};
use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Message};
use test_support::{unique_name, Broker};
use tokio::sync::watch;

use crate::support::{per_sec, ServerProcess};
use crate::Row;

pub const SINK_CHILD: &str = "sink-child";
const KEYS: usize = 1000;

/// A ~100-byte JSON price record.
fn record(i: usize) -> (String, String) {
    let key = format!("K{:04}", i % KEYS);
    let value = format!(
        r#"{{"sym":"{key}","bid":{:.2},"ask":{:.2},"seq":{i},"ts":1732492800000,"venue":"XLON"}}"#,
        100.0 + (i % 997) as f64 / 100.0,
        100.01 + (i % 997) as f64 / 100.0
    );
    (key, value)
}

fn kafka(bootstrap: &str) -> KafkaSettings {
    KafkaSettings::from_worker(&[("bootstrap.servers".to_owned(), bootstrap.to_owned())].into())
        .expect("kafka settings")
}

fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
    ConnectorConfig {
        name: unique_name("bench"),
        props: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// Produces `n` records as fast as librdkafka allows; returns the seconds taken.
fn produce(
    bootstrap: &str,
    topic: &str,
    n: usize,
    records: impl Fn(usize) -> (String, String),
) -> f64 {
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer");
    let start = Instant::now();
    for i in 0..n {
        let (k, v) = records(i);
        loop {
            match p.send(BaseRecord::to(topic).key(&k).payload(&v)) {
                Ok(()) => break,
                Err((_, _)) => {
                    p.poll(Duration::from_millis(5));
                }
            }
        }
        if i % 10_000 == 0 {
            p.poll(Duration::ZERO);
        }
    }
    p.flush(Duration::from_secs(120)).expect("flush");
    start.elapsed().as_secs_f64()
}

/// The sink baseline: a bare consumer in a fresh group reading `n` records.
fn consume(bootstrap: &str, topic: &str, n: usize) -> f64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique_name("bench-baseline"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let start = Instant::now();
    c.subscribe(&[topic]).expect("subscribe");
    let mut got = 0;
    while got < n {
        match c.poll(Duration::from_millis(100)) {
            Some(Ok(_)) => got += 1,
            Some(Err(e)) => eprintln!("[bench] baseline consumer: {e}"),
            None => {}
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "baseline stalled at {got}"
        );
    }
    start.elapsed().as_secs_f64()
}

/// Child mode: run the sink until `n` records are confirmed; print "SECS PEAK_RSS_KIB".
pub fn sink_child(args: &[String]) -> ExitCode {
    let (bootstrap, topic, url, n, worker_extra) = match args {
        [b, t, u, n] => (b, t, u, n, None),
        [b, t, u, n, extra] => (b, t, u, n, Some(extra)),
        _ => {
            eprintln!("usage: bench sink-child BOOTSTRAP TOPIC URL N [KEY=VALUE,...]");
            return ExitCode::FAILURE;
        }
    };
    let n: u64 = n.parse().expect("N");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let c = config(&[
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
            ("topics", topic),
            ("diffusion.url", url),
            ("diffusion.username", "admin"),
            ("diffusion.password", "password"),
            ("diffusion.destination", "kafka/${topic}/${key}"),
            ("offset.flush.interval.ms", "1000"),
        ]);
        let config = SinkConfig::parse(&c, &BTreeMap::new()).expect("sink config");
        let (stop, stop_rx) = watch::channel(false);
        let (status, _) = StatusHandle::new();
        let metrics = Arc::new(connectors::sink::SinkMetrics::default());
        let mut worker: BTreeMap<String, String> =
            [("bootstrap.servers".to_owned(), bootstrap.clone())].into();
        for kv in worker_extra
            .map(|e| e.split(',').collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if let Some((k, v)) = kv.split_once('=') {
                worker.insert(k.to_owned(), v.to_owned());
            }
        }
        let kafka = KafkaSettings::from_worker(&worker).expect("worker settings");
        let start = Instant::now();
        let task = tokio::spawn(connectors::run_sink(
            config,
            kafka,
            status,
            stop_rx,
            metrics.clone(),
        ));
        while metrics.records_confirmed.load(Ordering::Relaxed) < n {
            if task.is_finished() {
                eprintln!("[bench] the sink stopped early: {:?}", task.await);
                std::process::exit(1);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let secs = start.elapsed().as_secs_f64();
        println!("{secs} {}", peak_rss_kib());
        let _ = stop.send(true);
        let _ = task.await;
    });
    ExitCode::SUCCESS
}

/// VmHWM: this process's peak resident set, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

pub async fn sink(smoke: bool) -> Result<Vec<Row>, String> {
    let n = if smoke { 5_000 } else { 1_000_000 };
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-sink");
    let topic_name = topic.clone();
    broker.create_topic(&topic, 1).await;
    let server = ServerProcess::start()?;
    let (b, t) = (bootstrap.clone(), topic.clone());
    let fill_secs = tokio::task::spawn_blocking(move || produce(&b, &t, n, record))
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("[bench] pre-filled {n} records in {fill_secs:.1} s");

    let (b, t) = (bootstrap.clone(), topic.clone());
    let base_secs = tokio::task::spawn_blocking(move || consume(&b, &t, n))
        .await
        .map_err(|e| e.to_string())?;

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .args([SINK_CHILD, &bootstrap, &topic, &server.url, &n.to_string()])
            .env("RUST_LOG", "warn")
            .stderr(Stdio::inherit())
            .output()
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let (Some(secs), Some(rss)) = (fields.next(), fields.next()) else {
        return Err(format!("the sink child printed {text:?}"));
    };
    let ours_secs: f64 = secs.parse().map_err(|_| format!("bad seconds {secs:?}"))?;

    // The straightforward Python bridge does a slice of the same work.
    let py_n = (n / 20).max(1000);
    let py_server = ServerProcess::start()?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/bridge_sink.py");
    let (b, t, u) = (
        broker.bootstrap(),
        topic_name.clone(),
        py_server.url.clone(),
    );
    let run = tokio::task::spawn_blocking(move || {
        test_support::sdk::python(&script, &[&b, &t, &u, &py_n.to_string()])
    })
    .await
    .map_err(|e| e.to_string())?;
    if !run.output.status.success() {
        return Err(format!("the Python sink bridge failed: {}", run.stderr()));
    }
    let py_secs: f64 = run
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("the Python bridge printed {:?}", run.stdout()))?;
    let ours_rate = n as f64 / ours_secs;
    let py_rate = py_n as f64 / py_secs;
    Ok(vec![
        Row {
            name: format!(
                "sink vs a Python bridge (confluent-kafka + official SDK; Python does {py_n})"
            ),
            ours: per_sec(n as u64, ours_secs),
            baseline: format!("{} (Python bridge)", per_sec(py_n as u64, py_secs)),
            ratio: format!("{:.1}x", ours_rate / py_rate),
            target: ">= 20x".into(),
        },
        Row {
            name: format!("sink: {n} JSON records (~100 B, {KEYS} keys) to Diffusion, confirmed"),
            ours: per_sec(n as u64, ours_secs),
            baseline: format!(
                "{} (bare BaseConsumer, read only)",
                per_sec(n as u64, base_secs)
            ),
            ratio: format!("{:.2}", base_secs / ours_secs),
            target: ">= 0.8".into(),
        },
        Row {
            name: "sink process peak RSS".into(),
            ours: format!("{rss} KiB"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "bounded".into(),
        },
    ])
}

pub async fn source(smoke: bool) -> Result<Vec<Row>, String> {
    let n: u64 = if smoke { 5_000 } else { 1_000_000 };
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-source");
    let server = ServerProcess::start()?;
    let publisher = Session::connect(&server.url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let paths: Vec<String> = (0..KEYS).map(|k| format!("source/bench/K{k:04}")).collect();
    for p in &paths {
        publisher
            .add_topic(p, TopicSpecification::new(TopicType::Json))
            .await
            .map_err(|e| e.to_string())?;
    }
    let c = config(&[
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
        ("kafka.topic", topic.as_str()),
        ("diffusion.url", server.url.as_str()),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
        ("diffusion.selector", "?source/bench/"),
    ]);
    let config = SourceConfig::parse(&c, &BTreeMap::new()).map_err(|e| format!("{e:?}"))?;
    let (stop, stop_rx) = watch::channel(false);
    let (status, mut status_rx) = StatusHandle::new();
    let metrics = Arc::new(SourceMetrics::default());
    let task = tokio::spawn(connectors::run_source(
        config,
        kafka(&bootstrap),
        status,
        stop_rx,
        metrics.clone(),
    ));
    status_rx
        .wait_for(|s| s.state == connectors::TaskState::Running)
        .await
        .map_err(|e| e.to_string())?;
    // The initial (empty) subscriptions settle before timing starts.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Values encoded up front: the publisher's own work is not what is measured.
    let values: Vec<bytes::Bytes> = (0..n).map(|i| json_cbor(&record(i as usize).1)).collect();
    let start = Instant::now();
    let mut pending = std::collections::VecDeque::new();
    for i in 0..n {
        // Like any Diffusion publisher, stay within what subscribers take: the server
        // closes a session whose queue overflows, as Diffusion does.
        while i - metrics.updates_received.load(Ordering::Relaxed) > 8_000 {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let p = publisher
            .start_set_raw(
                &paths[i as usize % KEYS],
                TopicType::Json,
                values[i as usize].clone(),
            )
            .await
            .map_err(|e| e.to_string())?;
        pending.push_back(p);
        if pending.len() >= 1024 {
            pending
                .pop_front()
                .unwrap()
                .wait()
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    for p in pending {
        p.wait().await.map_err(|e| e.to_string())?;
    }
    while metrics.records_acknowledged.load(Ordering::Relaxed) < n {
        if task.is_finished() {
            return Err(format!("the source stopped early: {:?}", task.await));
        }
        if start.elapsed() > Duration::from_secs(600) {
            return Err(format!(
                "source stalled at {}",
                metrics.records_acknowledged.load(Ordering::Relaxed)
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ours_secs = start.elapsed().as_secs_f64();
    let _ = stop.send(true);
    let _ = task.await;

    // The straightforward Python bridge on a slice of the same work, same publisher.
    let py_n = (n / 20).max(1000);
    let py_secs = python_source(&server.url, &publisher, &paths, &values, &bootstrap, py_n).await?;
    publisher.close().await;

    // The baseline writes the same keys and values straight to Kafka.
    let base_topic = unique_name("bench-producer");
    broker.create_topic(&base_topic, 1).await;
    let base_secs = tokio::task::spawn_blocking(move || {
        produce(&bootstrap, &base_topic, n as usize, |i| {
            (format!("source/bench/K{:04}", i % KEYS), record(i).1)
        })
    })
    .await
    .map_err(|e| e.to_string())?;
    let ratio_py = (n as f64 / ours_secs) / (py_n as f64 / py_secs);
    Ok(vec![
        Row {
            name: format!(
                "source vs a Python bridge (official SDK + confluent-kafka; Python does {py_n})"
            ),
            ours: per_sec(n, ours_secs),
            baseline: format!("{} (Python bridge)", per_sec(py_n, py_secs)),
            ratio: format!("{ratio_py:.1}x"),
            target: ">= 20x".into(),
        },
        Row {
            name: format!("source: {n} Diffusion updates ({KEYS} topics) into Kafka, acknowledged"),
            ours: per_sec(n, ours_secs),
            baseline: format!(
                "{} (bare BaseProducer, same records)",
                per_sec(n, base_secs)
            ),
            ratio: format!("{:.2}", base_secs / ours_secs),
            target: ">= 0.8".into(),
        },
    ])
}

/// The CBOR a JSON topic holds for this JSON text.
fn json_cbor(json: &str) -> bytes::Bytes {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    diffusion_client::Value::Json(v).encode().expect("cbor")
}

fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// End-to-end latency: records produced to Kafka at a steady 10k/s, each carrying its
/// sequence number and creation time, measured when a Diffusion subscriber receives it
/// through the sink (running in its own process, whose peak RSS is reported too).
///
/// Two clocks start each record: its creation (the producer's `send`), which includes the
/// producer's batching, and the broker's acknowledgement, from which on the record is in
/// Kafka and the rest is the bridge's (plus the broker's fetch path, which the bare
/// consumer baseline pays too). The target is judged on the second.
pub async fn latency(smoke: bool) -> Result<Vec<Row>, String> {
    const RATE: u64 = 10_000;
    let secs = if smoke { 2 } else { 30 };
    let n = RATE * secs;
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-latency");
    broker.create_topic(&topic, 1).await;
    let server = ServerProcess::start()?;

    let subscriber = Session::connect(&server.url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut events = subscriber.take_events().ok_or("no events")?;
    subscriber
        .subscribe(&format!("?kafka/{topic}/"))
        .await
        .map_err(|e| e.to_string())?;
    let collector = tokio::spawn(async move {
        let mut received = Vec::with_capacity(n as usize);
        while let Some(e) = events.recv().await {
            if let diffusion_client::TopicEvent::Value {
                value: diffusion_client::Value::Json(j),
                ..
            } = e
            {
                if let Some(seq) = j["seq"].as_u64() {
                    received.push((seq, now_micros()));
                    if received.len() as u64 == n {
                        break;
                    }
                }
            }
        }
        received
    });

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = {
        let (b, t, u) = (bootstrap.clone(), topic.clone(), server.url.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(exe)
                .args([SINK_CHILD, &b, &t, &u, &n.to_string(), FETCH_WAIT])
                .env("RUST_LOG", "warn")
                .stderr(Stdio::inherit())
                .output()
        })
    };
    // Let the sink join its group and reach the end of the empty topic.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let (b, t) = (bootstrap.clone(), topic.clone());
    let produced = tokio::task::spawn_blocking(move || paced_produce(&b, &t, n, RATE))
        .await
        .map_err(|e| e.to_string())?;

    let received = tokio::time::timeout(Duration::from_secs(60), collector)
        .await
        .map_err(|_| "not every record reached the subscriber within 60 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let out = child
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rss = text.split_whitespace().nth(1).unwrap_or("?").to_owned();
    subscriber.close().await;
    let ours = Latencies::of(&produced, &received);

    // The same load read by a bare consumer: what the broker alone allows.
    let base_topic = unique_name("bench-latency-bare");
    broker.create_topic(&base_topic, 1).await;
    let base = tokio::task::spawn_blocking(move || bare_latency(&bootstrap, &base_topic, n, RATE))
        .await
        .map_err(|e| e.to_string())?;
    let ratio = |ours: &[u64], base: &[u64]| {
        format!(
            "{:.2} (p99)",
            crate::support::quantile(base, 0.99) as f64
                / crate::support::quantile(ours, 0.99).max(1) as f64
        )
    };
    let received = ours.from_ack.len();
    Ok(vec![
        Row {
            name: format!(
                "latency, Kafka acknowledged produce -> Diffusion subscriber, {RATE}/s for {secs} s ({received} of {n} received): p50 / p99 / p99.9 / max"
            ),
            ours: summary(&ours.from_ack),
            baseline: format!("{} (bare consumer, ack -> poll)", summary(&base.from_ack)),
            ratio: ratio(&ours.from_ack, &base.from_ack),
            target: "p99 < 5 ms".into(),
        },
        Row {
            name: "the same from the producer's send (adds its linger.ms=5 batching)".into(),
            ours: summary(&ours.from_send),
            baseline: format!("{} (bare consumer, send -> poll)", summary(&base.from_send)),
            ratio: ratio(&ours.from_send, &base.from_send),
            target: "-".into(),
        },
        Row {
            name: "sink process peak RSS at 10k records/s".into(),
            ours: format!("{rss} KiB"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "bounded".into(),
        },
    ])
}

/// The consumers' `fetch.wait.max.ms`, the sink's and the baseline's alike. The test
/// broker holds every fetch for its whole wait, even when data is there (Kafka answers as
/// soon as data arrives, so its default of 500 ms costs nothing there): keep it short.
const FETCH_WAIT: &str = "consumer.fetch.wait.max.ms=1";

fn summary(l: &[u64]) -> String {
    let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
    let q = |x| crate::support::quantile(l, x);
    format!(
        "{} / {} / {} / {}",
        ms(q(0.5)),
        ms(q(0.99)),
        ms(q(0.999)),
        ms(*l.last().unwrap_or(&0))
    )
}

/// When each record was sent and acknowledged, by sequence number (µs since the epoch).
struct Produced {
    sent: Vec<u64>,
    acked: Vec<u64>,
}

/// Sorted latencies of the received records, from send and from acknowledgement.
struct Latencies {
    from_send: Vec<u64>,
    from_ack: Vec<u64>,
}

impl Latencies {
    fn of(produced: &Produced, received: &[(u64, u64)]) -> Latencies {
        let (mut from_send, mut from_ack) = (Vec::new(), Vec::new());
        for &(seq, at) in received {
            let seq = seq as usize;
            from_send.push(at.saturating_sub(produced.sent[seq]));
            // A consumer may see a record a moment before its producer hears the
            // acknowledgement: that counts as no delay.
            from_ack.push(at.saturating_sub(produced.acked[seq]));
        }
        from_send.sort_unstable();
        from_ack.sort_unstable();
        Latencies {
            from_send,
            from_ack,
        }
    }
}

/// Records the moment the broker acknowledged each record (the delivery opaque is its
/// sequence number).
struct AckClock(std::sync::Mutex<Vec<u64>>);

impl rdkafka::ClientContext for AckClock {}

impl rdkafka::producer::ProducerContext for AckClock {
    type DeliveryOpaque = usize;
    fn delivery(&self, result: &rdkafka::message::DeliveryResult<'_>, seq: usize) {
        if result.is_ok() {
            self.0.lock().unwrap()[seq] = now_micros();
        }
    }
}

/// Produces `n` small records at `rate` per second, each carrying its sequence number and
/// creation time. `linger.ms` is librdkafka's default, 5: the test broker's in-memory log
/// lists every batch of a partition on each fetch, so one batch per record (linger 0) has
/// it fall seconds behind within 30 s, bare consumer and sink alike.
fn paced_produce(bootstrap: &str, topic: &str, n: u64, rate: u64) -> Produced {
    let p: BaseProducer<AckClock> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .create_with_context(AckClock(std::sync::Mutex::new(vec![0; n as usize])))
        .expect("producer");
    let mut sent_at = vec![0; n as usize];
    let start = Instant::now();
    let mut sent = 0u64;
    while sent < n {
        let due = ((start.elapsed().as_secs_f64() * rate as f64) as u64).min(n);
        while sent < due {
            let key = format!("K{:04}", sent as usize % KEYS);
            let now = now_micros();
            let v = format!(
                r#"{{"t":{now},"seq":{sent},"pad":"0123456789abcdef0123456789abcdef0123456789"}}"#
            );
            let record = BaseRecord::with_opaque_to(topic, sent as usize)
                .key(&key)
                .payload(&v);
            if p.send(record).is_err() {
                break;
            }
            sent_at[sent as usize] = now;
            sent += 1;
        }
        // Serve acknowledgements, then sleep: `poll` with a timeout spins through its last
        // partial millisecond (rdkafka 0.39 rounds the remainder down to a 0 ms poll and
        // loops), which here took a whole core the broker and the bridge need.
        p.poll(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(1));
    }
    p.flush(Duration::from_secs(30)).expect("flush");
    let acked = std::mem::take(&mut *p.context().0.lock().unwrap());
    Produced {
        sent: sent_at,
        acked,
    }
}

/// The latency baseline: the paced load read by a bare consumer with the same fetch wait
/// as the sink's.
fn bare_latency(bootstrap: &str, topic: &str, n: u64, rate: u64) -> Latencies {
    let (key, wait) = FETCH_WAIT.split_once('=').expect("key=value");
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique_name("bench-latency"))
        .set("auto.offset.reset", "earliest")
        .set(key.trim_start_matches("consumer."), wait)
        .create()
        .expect("consumer");
    c.subscribe(&[topic]).expect("subscribe");
    // Joined, and positioned at the end of the empty topic, before the load starts (as the
    // sink is): otherwise the first records wait for the group join.
    let joined = Instant::now() + Duration::from_secs(30);
    while c.assignment().map_or(0, |a| a.count()) == 0 && Instant::now() < joined {
        let _ = c.poll(Duration::from_millis(100));
    }
    let _ = c.poll(Duration::from_secs(1));
    let (b, t) = (bootstrap.to_owned(), topic.to_owned());
    let producer = std::thread::spawn(move || paced_produce(&b, &t, n, rate));
    let mut received = Vec::with_capacity(n as usize);
    let deadline = Instant::now() + Duration::from_secs(n / rate + 60);
    while (received.len() as u64) < n && Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(100)) {
            let seq = m
                .payload()
                .and_then(|p| serde_json::from_slice::<serde_json::Value>(p).ok())
                .and_then(|j| j["seq"].as_u64());
            if let Some(seq) = seq {
                received.push((seq, now_micros()));
            }
        }
    }
    let produced = producer.join().expect("producer thread");
    Latencies::of(&produced, &received)
}

/// Runs the Python source bridge and publishes `n` updates to it, paced by the count it
/// reports; returns its seconds from first update to last acknowledgement.
async fn python_source(
    url: &str,
    publisher: &Session,
    paths: &[String],
    values: &[bytes::Bytes],
    bootstrap: &str,
    n: u64,
) -> Result<f64, String> {
    use std::io::BufRead;
    let kafka_topic = unique_name("bench-py-source");
    // The broker does not create topics on first use; a user would have created it.
    Broker::shared().create_topic(&kafka_topic, 1).await;
    let py = test_support::tools_dir().join("venv/bin/python");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/bridge_source.py");
    let mut child = Command::new(py)
        .arg(script)
        .args([
            url,
            "?source/bench/",
            bootstrap,
            &kafka_topic,
            &n.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the Python source bridge: {e}"))?;
    let stdout = child.stdout.take().unwrap();
    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let reader = {
        let count = count.clone();
        std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            let mut last = String::new();
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if line == "ready" {
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                } else if let Some(c) = line.strip_prefix("count ") {
                    count.store(c.parse().unwrap_or(0), Ordering::Relaxed);
                } else {
                    last = line;
                }
            }
            last
        })
    };
    tokio::time::timeout(Duration::from_secs(60), ready_rx)
        .await
        .map_err(|_| "the Python bridge did not subscribe within 60 s".to_owned())?
        .map_err(|_| "the Python bridge exited before subscribing".to_owned())?;
    for i in 0..n {
        // It reports every 1,000: stay within 5,000 of that, below the server's limit.
        while i > count.load(Ordering::Relaxed) + 5_000 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let k = i as usize % KEYS;
        publisher
            .start_set_raw(&paths[k], TopicType::Json, values[i as usize].clone())
            .await
            .map_err(|e| e.to_string())?;
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let last = reader.join().map_err(|_| "reader thread".to_owned())?;
    if !status.success() {
        return Err(format!("the Python source bridge failed ({status})"));
    }
    last.trim()
        .parse()
        .map_err(|_| format!("the Python bridge printed {last:?}"))
}

/// Memory while Diffusion stalls under load: the sink (its own process) takes records at
/// 10k/s while its Diffusion link is frozen for 10 s (a proxy that stops forwarding),
/// then thawed; every record must still be confirmed. RSS before, during and after.
pub async fn stall(smoke: bool) -> Result<Vec<Row>, String> {
    let (rate, before, frozen, after) = if smoke {
        (2_000u64, 2, 2, 2)
    } else {
        (10_000, 5, 10, 5)
    };
    let n = rate * (before + frozen + after);
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-stall");
    broker.create_topic(&topic, 1).await;
    let server = ServerProcess::start()?;
    let upstream: std::net::SocketAddr = server
        .url
        .trim_start_matches("ws://")
        .parse()
        .map_err(|e| format!("server address: {e}"))?;
    let proxy = test_support::tcp_proxy::TcpProxy::start(upstream).await;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args([
            SINK_CHILD,
            &bootstrap,
            &topic,
            &format!("ws://{}", proxy.addr()),
            &n.to_string(),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (b, t) = (bootstrap.clone(), topic.clone());
    let producing = tokio::task::spawn_blocking(move || paced_produce(&b, &t, n, rate));
    tokio::time::sleep(Duration::from_secs(before)).await;
    let rss_before = crate::support::rss_kib(pid);
    proxy.freeze();
    let mut rss_stalled = 0;
    for _ in 0..frozen * 10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        rss_stalled = rss_stalled.max(crate::support::rss_kib(pid));
    }
    proxy.thaw();
    producing.await.map_err(|e| e.to_string())?;
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("the sink did not confirm every record after the stall".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let peak = text.split_whitespace().nth(1).unwrap_or("?").to_owned();
    Ok(vec![Row {
        name: format!("sink RSS with Diffusion stalled {frozen} s at {rate} records/s: before / during / peak (all {n} confirmed after)"),
        ours: format!("{rss_before} KiB / {rss_stalled} KiB / {peak} KiB"),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "bounded".into(),
    }])
}
