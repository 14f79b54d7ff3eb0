//! The source suite: Diffusion updates into Kafka.
//!
//! A Rust publisher in this process sets 1M updates on 1,000 JSON topics; the bridge under
//! test (our source in a child process with JSON values, again with Avro values on a
//! fresh server, then the Python bridge) subscribes to them and produces each to Kafka. Both children speak one line protocol on stdout, so one
//! publisher loop paces both: `ready` once subscribed, `count N` as updates arrive, and
//! a last line with their figures.

use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connectors::source::SourceMetrics;
use connectors::status::StatusHandle;
use connectors::SourceConfig;
use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType};
use test_support::{unique_name, Broker};
use tokio::sync::watch;

use super::*;
use crate::support::{per_sec, ServerProcess};
use crate::Row;

pub const SOURCE_CHILD: &str = "source-child";

fn cores() -> f64 {
    std::thread::available_parallelism().map_or(1, |n| n.get()) as f64
}

/// A fresh server's topics: a publisher session on `server` and the `KEYS` JSON topics it
/// sets, created without values (so a subscriber's first updates are the run's).
async fn topics(server: &ServerProcess) -> Result<(Session, Vec<String>), String> {
    let publisher = Session::connect(&server.url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let paths = add_topics(&publisher).await?;
    Ok((publisher, paths))
}

/// The `KEYS` JSON topics the source suite publishes on, added by `publisher` without
/// values; their paths.
pub(crate) async fn add_topics(publisher: &Session) -> Result<Vec<String>, String> {
    let paths: Vec<String> = (0..KEYS).map(|k| format!("source/bench/K{k:04}")).collect();
    for p in &paths {
        publisher
            .add_topic(p, TopicSpecification::new(TopicType::Json))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(paths)
}

/// One run of our source, in a child process, on `server`'s `paths`.
struct OursRun {
    secs: f64,
    rss: String,
    cpu: Cpu,
    server_cpu: f64,
    publisher_cpu: f64,
}

/// Runs our source child (with `extra` `KEY=VALUE;...` for its connector) into a new Kafka
/// topic while `publisher` sets the `n` `values` on `paths`.
#[allow(clippy::too_many_arguments)]
async fn run_ours(
    bootstrap: &str,
    server: &ServerProcess,
    publisher: &Session,
    paths: &[String],
    values: &[bytes::Bytes],
    n: u64,
    extra: Option<&str>,
) -> Result<OursRun, String> {
    // Its last line: `done END_MICROS PEAK_RSS_KIB USER_SECS/SYSTEM_SECS`.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.args([
        SOURCE_CHILD,
        bootstrap,
        &unique_name("bench-source"),
        &server.url,
        &n.to_string(),
    ])
    .args(extra)
    .env("RUST_LOG", "warn");
    let mut child = Reporting::spawn(cmd, "the source")?;
    child.ready().await?;
    let start = now_micros();
    let (server_cpu, publisher_cpu) = (server.cpu_secs(), cpu_secs());
    publish(publisher, paths, values, n, &child.count, 8_000).await?;
    let last = child.finish().await?;
    let (server_cpu, publisher_cpu) = (server.cpu_secs() - server_cpu, cpu_secs() - publisher_cpu);
    let fields: Vec<&str> = last.split_whitespace().collect();
    let (end, rss, cpu) = match fields[..] {
        ["done", end, rss, cpu] => (end, rss, cpu),
        _ => return Err(format!("the source child printed {last:?}")),
    };
    Ok(OursRun {
        secs: (end.parse::<u64>().map_err(|e| e.to_string())? - start) as f64 / 1e6,
        rss: rss.to_owned(),
        cpu: Cpu::parse_field(cpu)?,
        server_cpu,
        publisher_cpu,
    })
}

pub async fn source(smoke: bool) -> Result<Vec<Row>, String> {
    let n: u64 = if smoke { 5_000 } else { 1_000_000 };
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let registry = start_registry().await?;
    let server = ServerProcess::start()?;
    let (publisher, paths) = topics(&server).await?;
    // Values encoded up front: the publisher's own work is not what is measured.
    let values: Vec<bytes::Bytes> = (0..n).map(|i| json_cbor(&record(i as usize).1)).collect();

    // Ours, with JSON values.
    let OursRun {
        secs: ours_secs,
        rss,
        cpu: ours_cpu,
        server_cpu,
        publisher_cpu,
    } = run_ours(&bootstrap, &server, &publisher, &paths, &values, n, None).await?;

    // Ours again with Avro values through Confluent's AvroConverter, which registers the
    // schema on its first record and then serves it from its cache; on a fresh server, as
    // the JSON run had. The records' objects mix value types, so their inferred Connect
    // schema is none and the converter writes them as Confluent's schemaless
    // `io.confluent.connect.avro.Anything` record (as Confluent's converter does).
    let avro = {
        let avro_server = ServerProcess::start()?;
        let (avro_publisher, avro_paths) = topics(&avro_server).await?;
        let run = run_ours(
            &bootstrap,
            &avro_server,
            &avro_publisher,
            &avro_paths,
            &values,
            n,
            Some(&avro_converter_pairs(&registry.url())),
        )
        .await?;
        avro_publisher.close().await;
        run
    };
    drop(registry);

    // The straightforward Python bridge on a slice of the same work, same publisher:
    // its last line is its seconds from first update to last acknowledgement.
    let py_n = (n / 20).max(1000);
    let kafka_topic = unique_name("bench-py-source");
    // The broker does not create topics on first use; a user would have created it.
    broker.create_topic(&kafka_topic, 1).await;
    let mut cmd = Command::new(test_support::tools_dir().join("venv/bin/python"));
    cmd.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/bridge_source.py"))
        .args([
            &server.url,
            "?source/bench/",
            &bootstrap,
            &kafka_topic,
            &py_n.to_string(),
        ]);
    let mut child = Reporting::spawn(cmd, "the Python source bridge")?;
    child.ready().await?;
    // It reports every 1,000: stay within 5,000 of that, below the server's limit.
    publish(&publisher, &paths, &values, py_n, &child.count, 5_000).await?;
    let last = child.finish().await?;
    let py_secs: f64 = last
        .trim()
        .parse()
        .map_err(|_| format!("the Python bridge printed {last:?}"))?;
    publisher.close().await;

    // The baseline writes the records the source wrote (its keys, its JSON text) straight
    // to Kafka, from this process, otherwise idle now. They are made before the clock
    // starts: making them is the bench's work, not the producer's (formatting them inside
    // the timed loop put ~2,000 instructions per record on the baseline's side).
    let base_topic = unique_name("bench-producer");
    broker.create_topic(&base_topic, 1).await;
    let (base_secs, base_cpu) = tokio::task::spawn_blocking(move || {
        let (keys, values) = super::profile_source::source_records(n as usize);
        let cpu = Cpu::now();
        let secs = produce(&bootstrap, &base_topic, n as usize, |i| {
            (&keys[i % KEYS], &values[i])
        });
        let cpu = Cpu::now().since(cpu);
        drop((keys, values));
        (secs, cpu)
    })
    .await
    .map_err(|e| e.to_string())?;
    let ratio_py = (n as f64 / ours_secs) / (py_n as f64 / py_secs);
    let per_record = |cpu: f64| format!("{:.2} µs", cpu * 1e6 / n as f64);
    let (base_cpu, ours_cpu_split, ours_cpu) = (base_cpu, ours_cpu, ours_cpu.total());
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
        Row {
            name:
                "source CPU time per record (its process: Diffusion client, conversion, librdkafka)"
                    .into(),
            // Split user / system: callgrind's instruction counts
            // (bench/profile-source.sh) see the user part only.
            ours: ours_cpu_split.per_record(n as usize),
            baseline: format!("{} (bare BaseProducer)", base_cpu.per_record(n as usize)),
            ratio: format!("{:.2}x", ours_cpu / base_cpu.total()),
            target: "<= 1.4x".into(),
        },
        Row {
            name: "source: Avro output (AvroConverter, auto-registered; mixed-type objects as Confluent's Anything record) vs JSON output, same run".into(),
            ours: format!("{} ({})", per_sec(n, avro.secs), per_record(avro.cpu.total())),
            baseline: format!("{} ({}) (JSON)", per_sec(n, ours_secs), per_record(ours_cpu)),
            ratio: format!("{:.2}", ours_secs / avro.secs),
            target: "-".into(),
        },
        Row {
            name:
                "CPU time per update along the source's path: publisher / Diffusion server / source"
                    .into(),
            ours: format!(
                "{} / {} / {}",
                per_record(publisher_cpu),
                per_record(server_cpu),
                per_record(ours_cpu)
            ),
            // What the target leaves: every core's time at 0.8 of the bare producer's rate.
            baseline: format!(
                "{} (all {} cores at 0.8 of the bare producer's rate)",
                per_record(cores() * base_secs / 0.8),
                cores()
            ),
            ratio: "-".into(),
            target: "-".into(),
        },
        Row {
            name: "source process peak RSS".into(),
            ours: format!("{rss} KiB"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "bounded".into(),
        },
    ])
}

/// Sets `n` updates round-robin on `paths`, up to 1,024 unanswered, staying within
/// `window` of what the bridge reports received: like any Diffusion publisher it must
/// not outrun its subscribers, or the server closes the session whose queue overflows
/// (as Diffusion does).
pub(crate) async fn publish(
    publisher: &Session,
    paths: &[String],
    values: &[bytes::Bytes],
    n: u64,
    received: &AtomicU64,
    window: u64,
) -> Result<(), String> {
    let mut pending = VecDeque::new();
    for i in 0..n {
        while i > received.load(Ordering::Relaxed) + window {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let set = publisher
            .start_set_raw(
                &paths[i as usize % KEYS],
                TopicType::Json,
                values[i as usize].clone(),
            )
            .await
            .map_err(|e| e.to_string())?;
        pending.push_back(set);
        if pending.len() >= 1024 {
            let front = pending.pop_front().unwrap();
            front.wait().await.map_err(|e| e.to_string())?;
        }
    }
    for set in pending {
        set.wait().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A bridge process reporting on stdout: `ready`, then `count N`, then its figures.
pub(super) struct Reporting {
    what: &'static str,
    child: Child,
    pub(super) count: Arc<AtomicU64>,
    ready: Option<tokio::sync::oneshot::Receiver<()>>,
    reader: std::thread::JoinHandle<String>,
}

impl Reporting {
    pub(super) fn spawn(mut cmd: Command, what: &'static str) -> Result<Reporting, String> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        let count = Arc::new(AtomicU64::new(0));
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
        Ok(Reporting {
            what,
            child,
            count,
            ready: Some(ready_rx),
            reader,
        })
    }

    pub(super) async fn ready(&mut self) -> Result<(), String> {
        let rx = self.ready.take().ok_or("ready twice")?;
        tokio::time::timeout(Duration::from_secs(60), rx)
            .await
            .map_err(|_| format!("{} did not subscribe within 60 s", self.what))?
            .map_err(|_| format!("{} exited before subscribing", self.what))
    }

    /// Waits for the process to exit; its last line.
    pub(super) async fn finish(self) -> Result<String, String> {
        let Reporting {
            what,
            mut child,
            reader,
            ..
        } = self;
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let last = reader.join().map_err(|_| "reader thread".to_owned())?;
        if !status.success() {
            return Err(format!("{what} failed ({status})"));
        }
        Ok(last)
    }
}

/// Child mode: run the source until `n` records are acknowledged by Kafka, reporting as
/// `Reporting` expects; the last line is `done END_MICROS PEAK_RSS_KIB CPU_SECS`, the CPU
/// time counted from `ready`. `KEY=VALUE;...`, if given, are the connector's (replacing
/// `config()`'s).
pub fn source_child(args: &[String]) -> ExitCode {
    let (bootstrap, topic, url, n, extra) = match args {
        [b, t, u, n] => (b, t, u, n, None),
        [b, t, u, n, extra] => (b, t, u, n, Some(extra)),
        _ => {
            eprintln!("usage: bench source-child BOOTSTRAP TOPIC URL N [KEY=VALUE;...]");
            return ExitCode::FAILURE;
        }
    };
    let n: u64 = n.parse().expect("N");
    child_runtime().block_on(async {
        let mut c = config(
            connectors::SOURCE_CLASS,
            url,
            &[
                ("kafka.topic", topic),
                ("diffusion.selector", "?source/bench/"),
            ],
        );
        for (k, v) in extra
            .iter()
            .flat_map(|e| e.split(';'))
            .filter_map(|kv| kv.split_once('='))
        {
            c.props.insert(k.to_owned(), v.to_owned());
        }
        let config = SourceConfig::parse(&c, &BTreeMap::new()).expect("source config");
        let (stop, stop_rx) = watch::channel(false);
        let (status, mut status_rx) = StatusHandle::new();
        let metrics = Arc::new(SourceMetrics::default());
        let task = tokio::spawn(connectors::run_source(
            config,
            kafka(bootstrap),
            status,
            stop_rx,
            metrics.clone(),
            None,
        ));
        let _ = status_rx
            .wait_for(|s| s.state == connectors::TaskState::Running)
            .await;
        // The initial (empty) subscriptions settle before timing starts.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let cpu = Cpu::now();
        println!("ready");
        let mut reported = 0;
        while metrics.records_acknowledged.load(Ordering::Relaxed) < n {
            if task.is_finished() {
                eprintln!("[bench] the source stopped early: {:?}", task.await);
                std::process::exit(1);
            }
            let received = metrics.updates_received.load(Ordering::Relaxed);
            if received != reported {
                println!("count {received}");
                reported = received;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        println!(
            "done {} {} {}",
            now_micros(),
            peak_rss_kib(),
            Cpu::now().since(cpu).to_field()
        );
        let _ = stop.send(true);
        let _ = task.await;
    });
    ExitCode::SUCCESS
}
