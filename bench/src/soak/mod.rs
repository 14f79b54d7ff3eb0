//! The soak suite (issue 26): an hour under load with faults injected while it runs.
//!
//! The worker binary runs in `standalone` mode with a sink and a source, against a broker
//! of the suite's own (so it can be restarted) and the embedded Diffusion server run as its
//! own process (`diffusion-kafka-connect diffusion-server --listen` on a fixed port, so a
//! restarted one comes back where the connectors expect it). This process produces
//! `rate` records/s over 1,000 keys into the sink's topic and publishes `rate` updates/s
//! over 1,000 Diffusion topics under the source's selector, each carrying its sequence
//! number and creation time; a Diffusion subscriber and a Kafka consumer follow the two
//! directions live for the rates and lags. RSS and open file descriptors of the worker,
//! the Diffusion server and the broker are sampled every 10 s.
//!
//! Faults, at fixed fractions of the run: SIGKILL of the Diffusion server (restarted on the
//! same port) at 20%, a broker restart at 35%, a worker SIGTERM and restart at 50%, a pause
//! and resume of the sink at 65%, a config update of the source (through the REST API) at
//! 80%. Checked at the end: every sink topic holds its key's last record; every update the
//! server confirmed is in Kafka, except those published while the source was not
//! subscribed (from a fault that unsubscribes it until `excuse` after its recovery; they
//! are counted); no task FAILED. An SVG plot of RSS, rates and lag is written.
//!
//! `--smoke`: 24 s at 500/s each way, samples every second, every fault but the broker
//! restart (the shared broker is used: a second JVM start does not fit in CI's minute).
//! `DKC_SOAK_MINUTES` overrides the duration (fractions allowed), `DKC_SOAK_PLOT` the plot's
//! path (default `bench/soak.svg`; in smoke mode the temp dir).

mod plot;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::ClientConfig;
use test_support::{unique_name, Broker};

use crate::support::rss_kib;
use crate::Row;

const KEYS: usize = 1000;
const SINK: &str = "soak-sink";
const SOURCE: &str = "soak-source";
/// Records the source may hold for Kafka (`source.max.buffered.records`): 30 s at the
/// full rate. librdkafka's own queue is allowed twice that.
const SOURCE_BUFFER: u64 = 150_000;
const PROCESSES: [&str; 3] = ["worker", "Diffusion server", "broker"];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fault {
    DiffusionKill,
    BrokerRestart,
    WorkerRestart,
    PauseResume,
    ConfigUpdate,
}

impl Fault {
    fn label(self) -> &'static str {
        match self {
            Fault::DiffusionKill => "Diffusion SIGKILL",
            Fault::BrokerRestart => "broker restart",
            Fault::WorkerRestart => "worker SIGTERM+restart",
            Fault::PauseResume => "sink pause/resume",
            Fault::ConfigUpdate => "source config update",
        }
    }

    /// Whether the source is not subscribed for a while after it.
    fn unsubscribes_source(self) -> bool {
        matches!(
            self,
            Fault::DiffusionKill | Fault::WorkerRestart | Fault::ConfigUpdate
        )
    }
}

/// A child process, killed (SIGKILL) when dropped unless it has already exited.
struct Kid {
    child: Child,
}

impl Kid {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then up to `within` for a clean exit; SIGKILL after that. True if it
    /// exited cleanly.
    fn terminate(&mut self, within: Duration) -> bool {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// What the run's tasks share: live counters, the processes' pids, the stop flags.
#[derive(Default)]
struct Live {
    produced: AtomicU64,
    produce_errors: AtomicU64,
    sink_seen: AtomicU64,
    sink_lag_ms: AtomicU64,
    published: AtomicU64,
    source_seen: AtomicU64,
    source_lag_ms: AtomicU64,
    failed_seen: AtomicU64,
    /// Stops the load (producer, publisher, sampler, live subscriber).
    stop: AtomicBool,
    /// Stops the Kafka consumer of the source's topic, once drained.
    stop_consumer: AtomicBool,
    pids: Mutex<[Option<u32>; 3]>,
}

struct Sample {
    t: f64,
    rss_kib: [u64; 3],
    fds: [u64; 3],
    rates: [f64; 4],
    lags_ms: [u64; 2],
}

fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// A process's descriptors by kind (socket, pipe, anon_inode:[eventfd], or the file).
fn fd_kinds(pid: u32) -> BTreeMap<String, u64> {
    let mut kinds = BTreeMap::new();
    for e in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let target = std::fs::read_link(e.path())
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        // socket:[123] and pipe:[456]: the kind, not the inode.
        let kind = match target.split_once(":[") {
            Some((k, _)) if k == "socket" || k == "pipe" => k.to_owned(),
            _ => target,
        };
        *kinds.entry(kind).or_insert(0) += 1;
    }
    kinds
}

fn fd_count(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count() as u64)
}

/// The broker's JVM: the process whose command line runs `kafka.Kafka` from `dir`.
fn broker_pid(dir: &Path) -> Option<u32> {
    let dir = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let cmd = String::from_utf8_lossy(&cmd);
        (cmd.contains("kafka.Kafka") && cmd.contains(&dir)).then_some(pid)
    })
}

/// The worker binary beside this one.
fn worker_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .ok_or("no directory")?
        .join("diffusion-kafka-connect");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: build it first (cargo build [--release] -p worker)",
            bin.display()
        ))
    }
}

fn log_file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// The embedded server on `port`, up once it accepts connections. A just-killed one's port
/// may take a moment to be free: retried for 20 s.
fn start_server(bin: &Path, port: u16, log: &Path) -> Result<Kid, String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut kid = Kid {
            child: Command::new(bin)
                .args(["diffusion-server", "--listen", &format!("127.0.0.1:{port}")])
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                // The binary logs to stdout: both streams go to the log.
                .stdout(log_file(log)?)
                .stderr(log_file(log)?)
                .spawn()
                .map_err(|e| format!("cannot start the Diffusion server: {e}"))?,
        };
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(kid);
            }
            if let Ok(Some(_)) = kid.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the Diffusion server did not listen on 127.0.0.1:{port} within 20 s; its log: {}",
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The worker in standalone mode with the run's files, up once both connectors answer.
fn start_worker(bin: &Path, dir: &Path, rest: &str) -> Result<Kid, String> {
    let log = dir.join("worker.log");
    let kid = Kid {
        child: Command::new(bin)
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .arg(dir.join("source.json"))
            // DKC_SOAK_WORKER_LOG: the worker's RUST_LOG, for an investigation (e.g.
            // `warn,memory=debug` logs the heap after each trim).
            .env(
                "RUST_LOG",
                std::env::var("DKC_SOAK_WORKER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            // The binary logs to stdout: both streams go to the log.
            .stdout(log_file(&log)?)
            .stderr(log_file(&log)?)
            .spawn()
            .map_err(|e| format!("cannot start the worker: {e}"))?,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let up = [SINK, SOURCE]
            .iter()
            .all(|c| rest_get(&format!("{rest}/connectors/{c}/status")).is_ok());
        if up {
            return Ok(kid);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the worker's connectors did not answer on {rest} within 60 s; its log: {}",
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn rest_get(url: &str) -> Result<serde_json::Value, String> {
    ureq::get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?
        .body_mut()
        .read_json()
        .map_err(|e| format!("GET {url}: {e}"))
}

fn rest_put(url: &str, body: Option<&serde_json::Value>) -> Result<(), String> {
    let req = ureq::put(url);
    match body {
        Some(b) => req.send_json(b),
        None => req.send_empty(),
    }
    .map(drop)
    .map_err(|e| format!("PUT {url}: {e}"))
}

/// Tasks (and connectors) reported FAILED by `GET /connectors?expand=status`.
fn failed(rest: &str) -> Result<u64, String> {
    let all = rest_get(&format!("{rest}/connectors?expand=status"))?;
    let mut n = 0;
    for c in all.as_object().into_iter().flat_map(|o| o.values()) {
        let status = &c["status"];
        let states = std::iter::once(&status["connector"]).chain(
            status["tasks"]
                .as_array()
                .map(|t| t.iter())
                .into_iter()
                .flatten(),
        );
        n += states.filter(|s| s["state"] == "FAILED").count() as u64;
    }
    Ok(n)
}

struct Delivery(Arc<Live>);

impl rdkafka::ClientContext for Delivery {}

impl rdkafka::producer::ProducerContext for Delivery {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &rdkafka::message::DeliveryResult<'_>, _: ()) {
        if result.is_err() {
            self.0.produce_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Produces `rate` records/s over `KEYS` keys until told to stop; returns how many.
fn produce(bootstrap: &str, topic: &str, rate: u64, live: Arc<Live>) -> Result<u64, String> {
    let p: BaseProducer<Delivery> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "2000000")
        .set("log_level", "3")
        .create_with_context(Delivery(live.clone()))
        .map_err(|e| format!("producer: {e}"))?;
    let start = Instant::now();
    let mut sent = 0u64;
    while !live.stop.load(Ordering::Relaxed) {
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        while sent < due {
            let key = format!("K{:04}", sent as usize % KEYS);
            let v = format!(
                r#"{{"seq":{sent},"t":{},"pad":"0123456789abcdef0123456789abcdef"}}"#,
                now_micros()
            );
            if p.send(BaseRecord::to(topic).key(&key).payload(&v)).is_err() {
                // The queue is full (the broker is down): wait for room.
                p.poll(Duration::from_millis(10));
                continue;
            }
            sent += 1;
            live.produced.store(sent, Ordering::Relaxed);
        }
        p.poll(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
    }
    p.flush(Duration::from_secs(120))
        .map_err(|e| format!("flushing the producer: {e}"))?;
    Ok(sent)
}

/// What the publisher did: per sequence number (key `seq % KEYS`), when it was sent (ms
/// since the run's start) and whether the server confirmed it.
struct Published {
    at_ms: Vec<u32>,
    confirmed: Vec<bool>,
}

async fn connect(url: &str) -> Result<Session, String> {
    let options = SessionOptions {
        reconnect: None,
        ..SessionOptions::default()
    };
    Session::connect(url, "admin", "password", options)
        .await
        .map_err(|e| e.to_string())
}

/// Sets `rate` updates/s over `KEYS` topics under `source/soak/` until told to stop,
/// reconnecting (and re-creating the topics, with add-and-set) after the server's kill.
async fn publish(url: String, rate: u64, live: Arc<Live>, start: Instant) -> Published {
    let paths: Vec<String> = (0..KEYS).map(|k| format!("source/soak/K{k:04}")).collect();
    let mut out = Published {
        at_ms: Vec::new(),
        confirmed: Vec::new(),
    };
    let mut session: Option<Session> = None;
    let mut pending = VecDeque::new();
    let began = Instant::now();
    let mut slot = 0u64;
    while !live.stop.load(Ordering::Relaxed) {
        let due = (began.elapsed().as_secs_f64() * rate as f64) as u64;
        let s = match &session {
            Some(s) => s.clone(),
            None => match connect(&url).await {
                Ok(s) => {
                    session = Some(s.clone());
                    s
                }
                Err(_) => {
                    slot = due;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        while slot < due {
            slot += 1;
            let seq = out.at_ms.len();
            let value = serde_json::json!({"seq": seq, "t": now_micros()});
            let Ok(value) = Value::Json(value).encode() else {
                continue;
            };
            match s
                .start_add_and_set_raw(
                    &paths[seq % KEYS],
                    TopicSpecification::new(TopicType::Json),
                    value,
                )
                .await
            {
                Ok(p) => {
                    out.at_ms.push(start.elapsed().as_millis() as u32);
                    out.confirmed.push(false);
                    pending.push_back((seq, p));
                }
                Err(_) => {
                    session = None;
                    slot = due;
                    break;
                }
            }
            while pending.len() >= 512 {
                let (seq, p) = pending.pop_front().unwrap();
                if p.wait().await.is_ok() {
                    out.confirmed[seq] = true;
                    live.published.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for (seq, p) in pending {
        if p.wait().await.is_ok() {
            out.confirmed[seq] = true;
            live.published.fetch_add(1, Ordering::Relaxed);
        }
    }
    if let Some(s) = session {
        s.close().await;
    }
    out
}

/// Follows the sink's topics for the live rate and lag, reconnecting after the server's
/// kill.
async fn follow_sink(url: String, live: Arc<Live>) {
    while !live.stop.load(Ordering::Relaxed) {
        let Ok(s) = connect(&url).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let Some(mut events) = s.take_events() else {
            return;
        };
        if s.subscribe("?sink/soak/").await.is_err() {
            continue;
        }
        while !live.stop.load(Ordering::Relaxed) {
            match tokio::time::timeout(Duration::from_millis(500), events.recv()).await {
                Ok(Some(TopicEvent::Value {
                    value: Value::Json(j),
                    ..
                })) => {
                    live.sink_seen.fetch_add(1, Ordering::Relaxed);
                    if let Some(t) = j["t"].as_u64() {
                        let lag = now_micros().saturating_sub(t) / 1000;
                        live.sink_lag_ms.fetch_max(lag, Ordering::Relaxed);
                    }
                }
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => break,
            }
        }
        s.close().await;
    }
}

/// Reads the source's Kafka topic from the start until told to stop; returns which
/// sequence numbers it saw.
fn consume(bootstrap: &str, topic: &str, live: Arc<Live>) -> Result<Vec<bool>, String> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique_name("soak-check"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("log_level", "3")
        .create()
        .map_err(|e| format!("consumer: {e}"))?;
    c.subscribe(&[topic])
        .map_err(|e| format!("subscribe: {e}"))?;
    let mut seen = Vec::new();
    while !live.stop_consumer.load(Ordering::Relaxed) {
        let Some(Ok(m)) = c.poll(Duration::from_millis(100)) else {
            continue;
        };
        let Some(Ok(v)) = m.payload().map(serde_json::from_slice::<serde_json::Value>) else {
            continue;
        };
        if let Some(seq) = v["seq"].as_u64() {
            let seq = seq as usize;
            if seen.len() <= seq {
                seen.resize(seq + 1, false);
            }
            seen[seq] = true;
            live.source_seen.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(t) = v["t"].as_u64() {
            let lag = now_micros().saturating_sub(t) / 1000;
            live.source_lag_ms.fetch_max(lag, Ordering::Relaxed);
        }
    }
    Ok(seen)
}

/// Samples every `every` until told to stop.
async fn sample(
    live: Arc<Live>,
    rest: String,
    every: Duration,
    start: Instant,
    fd_log: PathBuf,
) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut fd_kinds_seen: [BTreeMap<String, u64>; 3] = Default::default();
    let counters = |l: &Live| {
        [
            l.produced.load(Ordering::Relaxed),
            l.sink_seen.load(Ordering::Relaxed),
            l.published.load(Ordering::Relaxed),
            l.source_seen.load(Ordering::Relaxed),
        ]
    };
    let mut last = (Instant::now(), counters(&live));
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    while !live.stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let pids = *live.pids.lock().unwrap();
        let now = counters(&live);
        let dt = last.0.elapsed().as_secs_f64().max(1e-3);
        let mut rates = [0.0; 4];
        for i in 0..4 {
            rates[i] = now[i].saturating_sub(last.1[i]) as f64 / dt;
        }
        last = (Instant::now(), now);
        let url = rest.clone();
        if let Ok(Ok(n)) = tokio::task::spawn_blocking(move || failed(&url)).await {
            live.failed_seen.fetch_max(n, Ordering::Relaxed);
        }
        // What a process's descriptors are, written whenever that changes: a growing count
        // then says what grows.
        for (i, pid) in pids.iter().enumerate() {
            let kinds = pid.map(fd_kinds).unwrap_or_default();
            if kinds != fd_kinds_seen[i] {
                let line = format!(
                    "{:.0} s {}: {}\n",
                    start.elapsed().as_secs_f64(),
                    PROCESSES[i],
                    kinds
                        .iter()
                        .map(|(k, n)| format!("{k} x{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let _ = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&fd_log)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
                fd_kinds_seen[i] = kinds;
            }
        }
        out.push(Sample {
            t: start.elapsed().as_secs_f64(),
            rss_kib: pids.map(|p| p.map_or(0, rss_kib)),
            fds: pids.map(|p| p.map_or(0, fd_count)),
            rates,
            lags_ms: [
                live.sink_lag_ms.swap(0, Ordering::Relaxed),
                live.source_lag_ms.swap(0, Ordering::Relaxed),
            ],
        });
    }
    out
}

fn write_configs(
    dir: &Path,
    bootstrap: &str,
    rest_port: u16,
    diffusion: &str,
    in_topic: &str,
    out_topic: &str,
    flush_ms: u64,
) -> Result<(), String> {
    let common = serde_json::json!({
        "tasks.max": "1",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "diffusion.url": diffusion,
        "diffusion.username": "admin",
        "diffusion.password": "password",
    });
    let with = |pairs: serde_json::Value| {
        let mut c = common.clone();
        for (k, v) in pairs.as_object().into_iter().flatten() {
            c[k] = v.clone();
        }
        c
    };
    let sink = serde_json::json!({"name": SINK, "config": with(serde_json::json!({
        "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
        "topics": in_topic,
        "diffusion.destination": "sink/soak/${key}",
    }))});
    let source = serde_json::json!({"name": SOURCE, "config": with(serde_json::json!({
        "connector.class": "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
        "kafka.topic": out_topic,
        "diffusion.selector": "?source/soak/",
        // A value topic's intermediate updates exist only in flight: while Kafka is down
        // the source must hold them all or lose them (the server drops a session that
        // stops reading). The broker restart below keeps Kafka away for ~20 s: 100,000
        // updates at 5,000/s, so the buffer is sized for 30 s (the default holds 2 s).
        "source.max.buffered.records": SOURCE_BUFFER.to_string(),
    }))});
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("writing {name}: {e}"))
    };
    write(
        "worker.properties",
        format!(
            "bootstrap.servers={bootstrap}\nlisteners=http://127.0.0.1:{rest_port}\noffset.flush.interval.ms={flush_ms}\n\
             producer.queue.buffering.max.messages={}\n",
            SOURCE_BUFFER * 2
        ),
    )?;
    write("sink.json", sink.to_string())?;
    write("source.json", source.to_string())
}

/// The sink's topics' values once they stop changing or all are at their key's last
/// record: how many of the `KEYS` are not.
async fn sink_final(url: &str, last: &[Option<u64>], within: Duration) -> Result<usize, String> {
    let s = connect(url).await?;
    let mut events = s.take_events().ok_or("no events")?;
    s.subscribe("?sink/soak/")
        .await
        .map_err(|e| format!("subscribing to the sink's topics: {e}"))?;
    let mut at: HashMap<usize, u64> = HashMap::new();
    let wrong = |at: &HashMap<usize, u64>| {
        (0..KEYS)
            .filter(|k| last[*k].is_some() && at.get(k).copied() != last[*k])
            .count()
    };
    let deadline = tokio::time::Instant::now() + within;
    while wrong(&at) > 0 {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(TopicEvent::Value {
                path,
                value: Value::Json(j),
                ..
            })) => {
                let key = path
                    .rsplit_once("/K")
                    .and_then(|(_, k)| k.parse::<usize>().ok());
                if let (Some(k), Some(seq)) = (key, j["seq"].as_u64()) {
                    at.insert(k, seq);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    s.close().await;
    Ok(wrong(&at))
}

pub async fn soak(smoke: bool) -> Result<Vec<Row>, String> {
    let minutes: Option<f64> = match std::env::var("DKC_SOAK_MINUTES") {
        Ok(m) => Some(
            m.parse()
                .map_err(|_| format!("DKC_SOAK_MINUTES={m:?} is not a number of minutes"))?,
        ),
        Err(_) => None,
    };
    let (secs, rate, every) = if smoke {
        (
            minutes.map_or(24.0, |m| m * 60.0),
            500u64,
            Duration::from_secs(1),
        )
    } else {
        (
            minutes.unwrap_or(60.0) * 60.0,
            5_000,
            Duration::from_secs(10),
        )
    };
    let faults: Vec<(f64, Fault)> = [
        (0.20, Fault::DiffusionKill),
        (0.35, Fault::BrokerRestart),
        (0.50, Fault::WorkerRestart),
        (0.65, Fault::PauseResume),
        (0.80, Fault::ConfigUpdate),
    ]
    .into_iter()
    .filter(|(_, f)| !(smoke && *f == Fault::BrokerRestart))
    .collect();
    // How long after a fault's recovery the source may still be resubscribing.
    let excuse = (secs * 0.1).clamp(5.0, 60.0);
    let bin = worker_binary()?;
    let dir = test_support::tls::temp_dir("soak");
    eprintln!(
        "[bench] soak: {:.0} s at {rate}/s each way; logs in {}",
        secs,
        dir.display()
    );

    // A broker of our own, so it can be restarted (the shared one in smoke mode).
    let own = if smoke {
        None
    } else {
        Some(tokio::task::block_in_place(Broker::start))
    };
    let broker: &Broker = match &own {
        Some(b) => b,
        None => tokio::task::block_in_place(Broker::shared),
    };
    let bootstrap = broker.bootstrap();
    let broker_dir = broker
        .log_path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let in_topic = unique_name("soak-in");
    let out_topic = unique_name("soak-out");
    broker.create_topic(&in_topic, 1).await;
    broker.create_topic(&out_topic, 1).await;

    let diffusion_port = test_support::free_port();
    let url = format!("ws://127.0.0.1:{diffusion_port}");
    let server_log = dir.join("diffusion-server.log");
    let mut server =
        tokio::task::block_in_place(|| start_server(&bin, diffusion_port, &server_log))?;
    let rest_port = test_support::free_port();
    let rest = format!("http://127.0.0.1:{rest_port}");
    write_configs(
        &dir,
        &bootstrap,
        rest_port,
        &url,
        &in_topic,
        &out_topic,
        if smoke { 1000 } else { 5000 },
    )?;
    let mut worker = tokio::task::block_in_place(|| start_worker(&bin, &dir, &rest))?;

    let live = Arc::new(Live::default());
    *live.pids.lock().unwrap() = [
        Some(worker.pid()),
        Some(server.pid()),
        broker_pid(&broker_dir),
    ];
    // Give the source a moment to subscribe before the publisher starts.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start = Instant::now();
    let consumer = {
        let (b, t, l) = (bootstrap.clone(), out_topic.clone(), live.clone());
        std::thread::spawn(move || consume(&b, &t, l))
    };
    let producer = {
        let (b, t, l) = (bootstrap.clone(), in_topic.clone(), live.clone());
        std::thread::spawn(move || produce(&b, &t, rate, l))
    };
    let publisher = tokio::spawn(publish(url.clone(), rate, live.clone(), start));
    let follower = tokio::spawn(follow_sink(url.clone(), live.clone()));
    let sampler = tokio::spawn(sample(
        live.clone(),
        rest.clone(),
        every,
        start,
        dir.join("fds.log"),
    ));

    // The faults: (start s, recovered s, what).
    let mut done: Vec<(f64, f64, Fault)> = Vec::new();
    let mut notes = Vec::new();
    for (frac, fault) in &faults {
        tokio::time::sleep_until((start + Duration::from_secs_f64(secs * frac)).into()).await;
        let t0 = start.elapsed().as_secs_f64();
        eprintln!("[bench] soak: {} at {t0:.0} s", fault.label());
        let result: Result<(), String> = match fault {
            Fault::DiffusionKill => tokio::task::block_in_place(|| {
                let _ = server.child.kill();
                let _ = server.child.wait();
                server = start_server(&bin, diffusion_port, &server_log)?;
                live.pids.lock().unwrap()[1] = Some(server.pid());
                Ok(())
            }),
            Fault::BrokerRestart => tokio::task::block_in_place(|| {
                broker.stop();
                broker.resume();
                live.pids.lock().unwrap()[2] = broker_pid(&broker_dir);
                Ok(())
            }),
            Fault::WorkerRestart => tokio::task::block_in_place(|| {
                if !worker.terminate(Duration::from_secs(60)) {
                    notes.push("the worker did not exit cleanly on SIGTERM".to_owned());
                }
                worker = start_worker(&bin, &dir, &rest)?;
                live.pids.lock().unwrap()[0] = Some(worker.pid());
                Ok(())
            }),
            Fault::PauseResume => {
                let pause = Duration::from_secs_f64((secs * 0.02).clamp(1.0, 30.0));
                tokio::task::block_in_place(|| {
                    rest_put(&format!("{rest}/connectors/{SINK}/pause"), None)
                })?;
                tokio::time::sleep(pause).await;
                tokio::task::block_in_place(|| {
                    rest_put(&format!("{rest}/connectors/{SINK}/resume"), None)
                })
            }
            Fault::ConfigUpdate => tokio::task::block_in_place(|| {
                let path = format!("{rest}/connectors/{SOURCE}/config");
                let mut config = rest_get(&path)?;
                config["diffusion.poll.size"] = "256".into();
                rest_put(&path, Some(&config))
            }),
        };
        if let Err(e) = result {
            live.stop.store(true, Ordering::Relaxed);
            live.stop_consumer.store(true, Ordering::Relaxed);
            return Err(format!("{} at {t0:.0} s: {e}", fault.label()));
        }
        done.push((t0, start.elapsed().as_secs_f64(), *fault));
    }
    tokio::time::sleep_until((start + Duration::from_secs_f64(secs)).into()).await;
    live.stop.store(true, Ordering::Relaxed);
    let samples = sampler.await.map_err(|e| e.to_string())?;
    let published = publisher.await.map_err(|e| e.to_string())?;
    let _ = follower.await;
    let produced = tokio::task::spawn_blocking(move || producer.join())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the producer panicked".to_owned())??;

    // Drain: the source's topic until every confirmed update is in or nothing new comes
    // for 5 s; then the sink's topics at their keys' last records.
    let drain = Duration::from_secs(if smoke { 15 } else { 120 });
    let confirmed = published.confirmed.iter().filter(|c| **c).count() as u64;
    let deadline = Instant::now() + drain;
    let mut quiet_since = (Instant::now(), live.source_seen.load(Ordering::Relaxed));
    while Instant::now() < deadline {
        let seen = live.source_seen.load(Ordering::Relaxed);
        if seen != quiet_since.1 {
            quiet_since = (Instant::now(), seen);
        }
        if seen >= confirmed || quiet_since.0.elapsed() > Duration::from_secs(5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    live.stop_consumer.store(true, Ordering::Relaxed);
    let seen = tokio::task::spawn_blocking(move || consumer.join())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the consumer panicked".to_owned())??;
    let last: Vec<Option<u64>> = (0..KEYS as u64)
        .map(|k| (produced > k).then(|| (produced - 1 - k) / KEYS as u64 * KEYS as u64 + k))
        .collect();
    let sink_wrong = sink_final(&url, &last, drain).await?;
    let failed_end = tokio::task::block_in_place(|| failed(&rest))?;
    if !tokio::task::block_in_place(|| worker.terminate(Duration::from_secs(60))) {
        notes.push("the worker did not exit cleanly on the final SIGTERM".to_owned());
    }
    drop(server);

    // The source: confirmed updates not in Kafka, excused in the windows when it was not
    // subscribed.
    let windows: Vec<(u32, u32)> = done
        .iter()
        .filter(|(_, _, f)| f.unsubscribes_source())
        .map(|(t0, t1, _)| ((t0 * 1000.0) as u32, ((t1 + excuse) * 1000.0) as u32))
        .collect();
    let (mut lost, mut excused) = (0u64, 0u64);
    let mut first_lost = None;
    for (seq, ok) in published.confirmed.iter().enumerate() {
        if !ok || seen.get(seq).copied().unwrap_or(false) {
            continue;
        }
        let at = published.at_ms[seq];
        if windows.iter().any(|(a, b)| (*a..=*b).contains(&at)) {
            excused += 1;
        } else {
            lost += 1;
            first_lost.get_or_insert((seq, at));
        }
    }

    // The plot.
    let plot_path = std::env::var_os("DKC_SOAK_PLOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            if smoke {
                std::env::temp_dir().join("dkc-soak-smoke.svg")
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("soak.svg")
            }
        });
    let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
    let series = |names: &[&str], f: &dyn Fn(&Sample, usize) -> f64| -> Vec<plot::Series> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| plot::Series {
                name: (*n).to_owned(),
                colour: colours[i],
                points: samples.iter().map(|s| (s.t, f(s, i))).collect(),
            })
            .collect()
    };
    let panels = [
        // Ours on a scale of their own: beside the broker's JVM they would be flat lines.
        plot::Panel {
            title: "RSS: worker and Diffusion server".into(),
            unit: "MiB".into(),
            series: series(&PROCESSES[..2], &|s, i| s.rss_kib[i] as f64 / 1024.0),
        },
        plot::Panel {
            title: "RSS: broker (JVM, -Xmx512m)".into(),
            unit: "MiB".into(),
            series: series(&PROCESSES[2..], &|s, _| s.rss_kib[2] as f64 / 1024.0),
        },
        plot::Panel {
            title: "rates".into(),
            unit: "per second".into(),
            series: series(
                &[
                    "produced to Kafka",
                    "sink: seen in Diffusion",
                    "published to Diffusion",
                    "source: seen in Kafka",
                ],
                &|s, i| s.rates[i],
            ),
        },
        plot::Panel {
            title: "open file descriptors".into(),
            unit: "fds".into(),
            series: series(&PROCESSES, &|s, i| s.fds[i] as f64),
        },
        plot::Panel {
            title: "lag, creation to seen, most in each sample".into(),
            unit: "ms".into(),
            series: series(&["sink", "source"], &|s, i| s.lags_ms[i] as f64),
        },
    ];
    let marks: Vec<(f64, String)> = done
        .iter()
        .map(|(t, _, f)| (*t, f.label().to_owned()))
        .collect();
    let length = if secs < 120.0 {
        format!("{secs:.0} s")
    } else {
        format!("{:.0} min", secs / 60.0)
    };
    let title = format!("soak: {length} at {rate}/s each way, {KEYS} keys / topics");
    std::fs::write(&plot_path, plot::svg(&title, secs, &panels, &marks))
        .map_err(|e| format!("writing {}: {e}", plot_path.display()))?;
    let png_path = plot_path.with_extension("png");
    let png = !smoke
        && tokio::task::block_in_place(|| {
            plot::png(&plot_path, &png_path, plot::size(panels.len()))
        });

    // The rows.
    let at = |t: f64| {
        samples
            .iter()
            .min_by(|a, b| (a.t - t).abs().total_cmp(&(b.t - t).abs()))
    };
    let base = at(secs / 6.0);
    let end = samples.last();
    let mut rows = Vec::new();
    let base_label = if smoke || minutes.is_some() {
        format!("at {:.0} s", secs / 6.0)
    } else {
        "at minute 10".into()
    };
    for (i, name) in PROCESSES.iter().enumerate() {
        let b = base.map_or(0, |s| s.rss_kib[i]);
        let late = samples
            .iter()
            .filter(|s| s.t >= secs / 2.0)
            .map(|s| s.rss_kib[i])
            .max()
            .unwrap_or(0);
        // The broker is a JVM given -Xmx512m: its heap grows towards that and a restart
        // starts it again, so its RSS is shown, not judged.
        let judged = i != 2;
        rows.push(Row {
            name: format!("soak: {name} RSS, max of the last half vs {base_label}"),
            ours: format!("{:.1} MiB", late as f64 / 1024.0),
            baseline: format!("{:.1} MiB", b as f64 / 1024.0),
            ratio: format!("{:.3}", late as f64 / b.max(1) as f64),
            target: if judged {
                "<= 1.10"
            } else {
                "- (JVM heap, -Xmx512m)"
            }
            .into(),
        });
    }
    for (i, name) in PROCESSES.iter().enumerate() {
        let b = base.map_or(0, |s| s.fds[i]);
        let late = samples
            .iter()
            .filter(|s| s.t >= secs / 2.0)
            .map(|s| s.fds[i]);
        let (lo, hi) = (late.clone().min().unwrap_or(0), late.max().unwrap_or(0));
        let e = end.map_or(0, |s| s.fds[i]);
        rows.push(Row {
            name: format!("soak: {name} open fds, end vs {base_label} (last half {lo}..{hi})"),
            ours: e.to_string(),
            baseline: b.to_string(),
            ratio: format!("{:+}", e as i64 - b as i64),
            target: "flat".into(),
        });
    }
    let produce_errors = live.produce_errors.load(Ordering::Relaxed);
    rows.push(Row {
        name: format!(
            "soak: sink, Diffusion topics not at their key's last record (of {KEYS}; {produced} records produced, {produce_errors} refused by Kafka)"
        ),
        ours: sink_wrong.to_string(),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "0".into(),
    });
    rows.push(Row {
        name: format!(
            "soak: source, confirmed updates missing from Kafka while subscribed (of {confirmed}; {excused} excused while unsubscribed, {} s after each recovery{})",
            excuse,
            first_lost.map_or(String::new(), |(seq, at)| format!("; first lost #{seq} at {:.1} s", at as f64 / 1000.0))
        ),
        ours: lost.to_string(),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "0".into(),
    });
    rows.push(Row {
        name: format!(
            "soak: FAILED tasks at the end (most seen at once while running: {})",
            live.failed_seen.load(Ordering::Relaxed)
        ),
        ours: failed_end.to_string(),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "0".into(),
    });
    let fault_list: Vec<String> = done
        .iter()
        .map(|(t0, t1, f)| format!("{} {t0:.0}-{t1:.0} s", f.label()))
        .chain(notes)
        .collect();
    rows.push(Row {
        name: format!(
            "soak: plot of RSS, rates, fds, lag; faults: {}",
            fault_list.join(", ")
        ),
        ours: if png {
            format!("{} (and .png)", plot_path.display())
        } else {
            plot_path.display().to_string()
        },
        baseline: "-".into(),
        ratio: "-".into(),
        target: "-".into(),
    });
    Ok(rows)
}
