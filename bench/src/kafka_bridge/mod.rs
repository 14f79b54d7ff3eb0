//! The bridge's two directions against Apache Kafka and the embedded server,
//! each beside the bare librdkafka work it cannot beat, measured in the same run; the
//! bridge runs in a child process (`bench sink-child ...`, `bench source-child ...`) so its
//! peak RSS and CPU time are its own. One suite per file:
//! - `sink`: pre-filled JSON records to Diffusion (confirmed), vs a `BaseConsumer` only
//!   reading them, and vs a Python bridge; the same records as registry-framed Avro
//!   (AvroConverter, a Schema Registry on the same broker) vs the JSON run;
//! - `source`: Diffusion updates from a Rust publisher into Kafka (acknowledged), vs a
//!   bare producer writing the same records, and vs a Python bridge; Avro output
//!   (AvroConverter) vs the JSON run;
//! - `latency`: Kafka -> Diffusion subscriber at a steady rate, vs a bare consumer;
//! - `stall`: the sink's memory while its Diffusion link is frozen under load;
//! - `catchup`: a backlog caught up over a slow Diffusion link, with and without
//!   conflation.
//!
//! `profile.rs` holds the child modes of `bench/profile.sh` (callgrind), `profile_source.rs`
//! those of `bench/profile-source.sh`.
//!
//! This file holds what they share: the records, the connector configs, the bare clients.

mod catchup;
mod latency;
mod profile;
mod profile_source;
mod sink;
mod source;
pub(crate) use source::{add_topics, publish};
mod stall;

pub use catchup::catchup;
pub use latency::latency;
pub use profile::{consume_child, profile_topics, CONSUME_CHILD, PROFILE_TOPICS};
pub use profile_source::{produce_child, source_driver, PRODUCE_CHILD, SOURCE_DRIVER};
pub use sink::{sink, sink_child, SINK_CHILD};
pub use source::{source, source_child, SOURCE_CHILD};
pub use stall::stall;

use std::time::{Duration, Instant};

use connectors::config::ConnectorConfig;
use connectors::kafka::KafkaSettings;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use test_support::unique_name;

pub(crate) const KEYS: usize = 1000;

/// A ~100-byte JSON price record.
pub(crate) fn record(i: usize) -> (String, String) {
    let key = format!("K{:04}", i % KEYS);
    let value = format!(
        r#"{{"sym":"{key}","bid":{:.2},"ask":{:.2},"seq":{i},"ts":1732492800000,"venue":"XLON"}}"#,
        100.0 + (i % 997) as f64 / 100.0,
        100.01 + (i % 997) as f64 / 100.0
    );
    (key, value)
}

/// Confluent's Avro converter (crates/registry-converters), for the rows beside JSON.
const AVRO_CONVERTER: &str = "io.confluent.connect.avro.AvroConverter";

/// The `KEY=VALUE;...` that a child passes to its connector for Avro values through the
/// registry at `registry_url`; they replace `config()`'s JSON value converter.
fn avro_converter_pairs(registry_url: &str) -> String {
    format!("value.converter={AVRO_CONVERTER};value.converter.schema.registry.url={registry_url}")
}

/// Starts a Schema Registry (Karapace) on the shared broker, off the async threads: it
/// blocks until the registry answers.
async fn start_registry() -> Result<test_support::SchemaRegistry, String> {
    tokio::task::spawn_blocking(|| {
        test_support::SchemaRegistry::start(test_support::Broker::shared())
    })
    .await
    .map_err(|e| format!("starting the Schema Registry: {e}"))
}

fn kafka(bootstrap: &str) -> KafkaSettings {
    KafkaSettings::from_worker(&[("bootstrap.servers".to_owned(), bootstrap.to_owned())].into())
        .expect("kafka settings")
}

/// A connector of `class` on the embedded server at `url`, with string keys and schemaless
/// JSON values (what the Java connector's README samples use), plus its own `pairs`.
fn config(class: &str, url: &str, pairs: &[(&str, &str)]) -> ConnectorConfig {
    let common = [
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
        ("diffusion.url", url),
        ("diffusion.username", "admin"),
        ("diffusion.password", "password"),
    ];
    ConnectorConfig {
        name: unique_name("bench"),
        props: common
            .iter()
            .chain(pairs)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// The runtime of a child process (`sink-child`, `source-child`).
fn child_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Produces `n` records (keys and values as text or bytes, owned or borrowed) as fast as
/// librdkafka allows; returns the seconds taken.
fn produce<K: rdkafka::message::ToBytes, V: rdkafka::message::ToBytes>(
    bootstrap: &str,
    topic: &str,
    n: usize,
    records: impl Fn(usize) -> (K, V),
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

/// The CBOR a JSON topic holds for this JSON text.
pub(crate) fn json_cbor(json: &str) -> bytes::Bytes {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    diffusion_client::Value::Json(v).encode().expect("cbor")
}

fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// CPU time a process used, as the kernel splits it: in user space (what callgrind's
/// instruction counts see) and in the kernel (system calls: sockets, wake-ups), seconds.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cpu {
    pub user: f64,
    pub system: f64,
}

impl Cpu {
    /// This process so far (all threads).
    pub fn now() -> Cpu {
        // SAFETY: getrusage only writes the struct it is given.
        let usage = unsafe {
            let mut usage = std::mem::zeroed::<libc::rusage>();
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            usage
        };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Cpu {
            user: secs(usage.ru_utime),
            system: secs(usage.ru_stime),
        }
    }

    pub fn total(self) -> f64 {
        self.user + self.system
    }

    /// What was used since `earlier`.
    pub fn since(self, earlier: Cpu) -> Cpu {
        Cpu {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }

    /// As a child prints it for its parent: "USER SYSTEM".
    pub fn to_field(self) -> String {
        format!("{:.3}/{:.3}", self.user, self.system)
    }

    pub fn parse_field(s: &str) -> Result<Cpu, String> {
        let bad = || format!("bad CPU time {s:?} (USER/SYSTEM seconds)");
        let (u, k) = s.split_once('/').ok_or_else(bad)?;
        Ok(Cpu {
            user: u.parse().map_err(|_| bad())?,
            system: k.parse().map_err(|_| bad())?,
        })
    }

    /// Per record of `n`: "2.00 µs (user 1.80 + system 0.20)".
    pub fn per_record(self, n: usize) -> String {
        let us = |s: f64| s * 1e6 / n as f64;
        format!(
            "{:.2} µs (user {:.2} + system {:.2})",
            us(self.total()),
            us(self.user),
            us(self.system)
        )
    }
}

/// CPU time (user + system, all threads) this process has used so far, in seconds.
fn cpu_secs() -> f64 {
    Cpu::now().total()
}

/// When each record was sent and acknowledged, by sequence number (µs since the epoch).
struct Produced {
    sent: Vec<u64>,
    acked: Vec<u64>,
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
/// creation time, with `linger.ms` 5 (librdkafka's default, spelled out because the second
/// latency row names it).
fn paced_produce(bootstrap: &str, topic: &str, n: u64, rate: u64) -> Produced {
    let p: BaseProducer<AckClock> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .create_with_context(AckClock(std::sync::Mutex::new(vec![0; n as usize])))
        .expect("producer");
    let mut sent_at = vec![0; n as usize];
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Acknowledgements are served (and time-stamped) by a thread of their own, blocked
        // in `poll` until one arrives: served between sends, they were stamped up to a
        // sleep (~1 ms) late. Its spin through the last partial millisecond of each 100 ms
        // (see below) is 1% of a core.
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                p.poll(Duration::from_millis(100));
            }
        });
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
            // Sleep rather than `poll` with a timeout: that spins through its last partial
            // millisecond (rdkafka 0.39 rounds the remainder down to a 0 ms poll and loops),
            // which here took a whole core the broker and the bridge need.
            std::thread::sleep(Duration::from_millis(1));
        }
        p.flush(Duration::from_secs(30)).expect("flush");
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let acked = std::mem::take(&mut *p.context().0.lock().unwrap());
    Produced {
        sent: sent_at,
        acked,
    }
}
