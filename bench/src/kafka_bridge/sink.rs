//! The sink suite: Kafka -> Diffusion throughput and memory.

use std::collections::BTreeMap;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectors::kafka::KafkaSettings;
use connectors::status::StatusHandle;
use connectors::SinkConfig;
use test_support::{unique_name, Broker};
use tokio::sync::watch;

use super::*;
use crate::support::{per_sec, ServerProcess};
use crate::Row;

pub const SINK_CHILD: &str = "sink-child";

/// Issue 18's benchmark row: two of Kafka's transforms on every record.
const SMT_CHAIN: &str = "transforms=pick,route;\
    transforms.pick.type=org.apache.kafka.connect.transforms.ExtractField$Value;\
    transforms.pick.field=bid;\
    transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter;\
    transforms.route.regex=(.*);\
    transforms.route.replacement=routed-$1";

/// Issue 25's benchmark row: destinations from two fields of each record's value.
const FIELDS_PATTERN: &str = "kafka/${value.sym}/${value.venue}";

/// The Avro schema of `record`'s value: the same six fields, `ts` a timestamp-millis.
const RECORD_AVRO: &str = r#"{"type":"record","name":"Price","namespace":"bench","fields":[
    {"name":"sym","type":"string"},
    {"name":"bid","type":"double"},
    {"name":"ask","type":"double"},
    {"name":"seq","type":"long"},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"venue","type":"string"}]}"#;

/// `record(i)` with its value as Confluent frames Avro: magic byte 0, the schema's
/// registry `id` (4 bytes, big-endian), then the Avro binary body, encoded by the
/// `apache-avro` crate (not by the converter under test).
fn avro_record(
    writer: &apache_avro::writer::datum::GenericDatumWriter<'_>,
    id: u32,
    i: usize,
) -> (String, Vec<u8>) {
    use apache_avro::types::Value as A;
    let (key, json) = record(i);
    let v: serde_json::Value = serde_json::from_str(&json).expect("record JSON");
    let text = |f: &str| A::String(v[f].as_str().expect(f).to_owned());
    let long = |f: &str| v[f].as_i64().expect(f);
    let double = |f: &str| A::Double(v[f].as_f64().expect(f));
    let value = A::Record(vec![
        ("sym".into(), text("sym")),
        ("bid".into(), double("bid")),
        ("ask".into(), double("ask")),
        ("seq".into(), A::Long(long("seq"))),
        ("ts".into(), A::TimestampMillis(long("ts"))),
        ("venue".into(), text("venue")),
    ]);
    let mut framed = vec![0];
    framed.extend_from_slice(&id.to_be_bytes());
    framed.extend(writer.write_value_to_vec(value).expect("Avro body"));
    (key, framed)
}

/// Runs the sink in a child process until `n` records are confirmed: its seconds, peak
/// RSS (KiB) and CPU seconds. `extra`: `KEY=VALUE;...` for the child.
async fn run_child(
    bootstrap: &str,
    topic: &str,
    url: &str,
    n: usize,
    extra: Option<&str>,
) -> Result<(f64, String, Cpu), String> {
    run_child_counting(bootstrap, topic, url, n, extra)
        .await
        .map(|(secs, rss, cpu, _)| (secs, rss, cpu))
}

/// [`run_child`], also giving how many records were superseded (conflation): the child
/// stops once confirmed and superseded records make `n`.
pub(super) async fn run_child_counting(
    bootstrap: &str,
    topic: &str,
    url: &str,
    n: usize,
    extra: Option<&str>,
) -> Result<(f64, String, Cpu, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut args: Vec<String> = [SINK_CHILD, bootstrap, topic, url, &n.to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.map(str::to_owned));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .args(&args)
            .env("RUST_LOG", "warn")
            .stderr(Stdio::inherit())
            .output()
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let (Some(secs), Some(rss), Some(cpu), Some(superseded)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(format!("the sink child printed {text:?}"));
    };
    let secs: f64 = secs.parse().map_err(|_| format!("bad seconds {secs:?}"))?;
    let cpu = Cpu::parse_field(cpu)?;
    let superseded: u64 = superseded
        .parse()
        .map_err(|_| format!("bad superseded count {superseded:?}"))?;
    Ok((secs, rss.to_owned(), cpu, superseded))
}

/// Child mode: run the sink until `n` records are confirmed (or superseded by a confirmed
/// one, with conflation); print "SECS PEAK_RSS_KIB USER_SECS/SYSTEM_SECS SUPERSEDED".
pub fn sink_child(args: &[String]) -> ExitCode {
    let (bootstrap, topic, url, n, worker_extra) = match args {
        [b, t, u, n] => (b, t, u, n, None),
        [b, t, u, n, extra] => (b, t, u, n, Some(extra)),
        _ => {
            eprintln!("usage: bench sink-child BOOTSTRAP TOPIC URL N [KEY=VALUE;...]");
            return ExitCode::FAILURE;
        }
    };
    let n: u64 = n.parse().expect("N");
    child_runtime().block_on(async {
        let mut c = config(
            connectors::SINK_CLASS,
            url,
            &[
                ("topics", topic),
                ("diffusion.destination", "kafka/${topic}/${key}"),
                ("offset.flush.interval.ms", "1000"),
            ],
        );
        let mut worker: BTreeMap<String, String> =
            [("bootstrap.servers".to_owned(), bootstrap.clone())].into();
        // `diffusion.*`, `transforms*`, `predicates*` and `value.converter*` pairs are the
        // connector's (the last replacing `config()`'s JSON converter), the rest the
        // worker's.
        for kv in worker_extra
            .map(|e| e.split(';').collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if let Some((k, v)) = kv.split_once('=') {
                let connector = ["diffusion.", "transforms", "predicates", "value.converter"];
                let to = if connector.iter().any(|p| k.starts_with(p)) {
                    &mut c.props
                } else {
                    &mut worker
                };
                to.insert(k.to_owned(), v.to_owned());
            }
        }
        let config = SinkConfig::parse(&c, &BTreeMap::new()).expect("sink config");
        let (stop, stop_rx) = watch::channel(false);
        let (status, _) = StatusHandle::new();
        let metrics = Arc::new(connectors::sink::SinkMetrics::default());
        let kafka = KafkaSettings::from_worker(&worker).expect("worker settings");
        let (start, cpu) = (Instant::now(), Cpu::now());
        let task = tokio::spawn(connectors::run_sink(
            config,
            kafka,
            status,
            stop_rx,
            metrics.clone(),
        ));
        let settled = || {
            metrics.records_confirmed.load(Ordering::Relaxed)
                + metrics.records_superseded.load(Ordering::Relaxed)
        };
        while settled() < n {
            if task.is_finished() {
                eprintln!("[bench] the sink stopped early: {:?}", task.await);
                std::process::exit(1);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{secs} {} {} {}",
            peak_rss_kib(),
            Cpu::now().since(cpu).to_field(),
            metrics.records_superseded.load(Ordering::Relaxed)
        );
        let _ = stop.send(true);
        let _ = task.await;
    });
    ExitCode::SUCCESS
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

    // The same records as registry-framed Avro, on a topic of their own, their schema
    // registered as Confluent's serializer would (TopicNameStrategy: `<topic>-value`).
    let registry = start_registry().await?;
    let avro_topic = unique_name("bench-sink-avro");
    broker.create_topic(&avro_topic, 1).await;
    let schema = apache_avro::Schema::parse_str(RECORD_AVRO).map_err(|e| e.to_string())?;
    let (b, t) = (bootstrap.clone(), avro_topic.clone());
    let (registry, fill_secs) = tokio::task::spawn_blocking(move || {
        let id = registry.register(&format!("{t}-value"), "AVRO", RECORD_AVRO);
        let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
            .build()
            .expect("Avro writer");
        let secs = produce(&b, &t, n, |i| avro_record(&writer, id, i));
        (registry, secs)
    })
    .await
    .map_err(|e| e.to_string())?;
    eprintln!("[bench] pre-filled {n} Avro records in {fill_secs:.1} s");

    // Kafka's first read of fresh records is slow and uneven (210-550k/s over one day's
    // runs), the next ones steady (1.2-1.6M/s), and the sink reads after the baseline: a
    // first read, discarded, so that the baseline is what the broker allows once warm.
    // The Avro topic is read once too, so that both sink runs read warm records.
    let (b, t, ta) = (bootstrap.clone(), topic.clone(), avro_topic.clone());
    let (base_secs, base_cpu) = tokio::task::spawn_blocking(move || {
        consume(&b, &t, n);
        consume(&b, &ta, n);
        let cpu = Cpu::now();
        (consume(&b, &t, n), Cpu::now().since(cpu))
    })
    .await
    .map_err(|e| e.to_string())?;

    let (ours_secs, rss, ours_cpu) = run_child(&bootstrap, &topic, &server.url, n, None).await?;
    // The same records as Avro through Confluent's AvroConverter, on a fresh server: the
    // writer's schema is fetched by id once and cached, so this is the decoding's cost.
    let avro_server = ServerProcess::start()?;
    let (avro_secs, _, avro_cpu) = run_child(
        &bootstrap,
        &avro_topic,
        &avro_server.url,
        n,
        Some(&avro_converter_pairs(&registry.url())),
    )
    .await?;
    drop((avro_server, registry));
    // The same records to destinations from two value fields (issue 25), on a fresh
    // server: the cost of reading fields from each record's JSON.
    let fields_server = ServerProcess::start()?;
    let (fields_secs, _, fields_cpu) = run_child(
        &bootstrap,
        &topic,
        &fields_server.url,
        n,
        Some(&format!("diffusion.destination={FIELDS_PATTERN}")),
    )
    .await?;
    // The same records through two of Kafka's transforms (issue 18): a field extracted
    // from each value and the topic renamed; the JSON fast path is left for Connect data.
    let smt_server = ServerProcess::start()?;
    let (smt_secs, _, smt_cpu) =
        run_child(&bootstrap, &topic, &smt_server.url, n, Some(SMT_CHAIN)).await?;
    drop((server, fields_server, smt_server));

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
    let per_record = |cpu: Cpu| format!("{:.2} µs", cpu.total() * 1e6 / n as f64);
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
            name:
                "sink CPU time per record (its process: librdkafka, conversion, Diffusion client)"
                    .into(),
            // Split user / system: callgrind's instruction counts (bench/profile.sh)
            // see the user part only.
            ours: ours_cpu.per_record(n),
            baseline: format!("{} (bare BaseConsumer)", base_cpu.per_record(n)),
            ratio: format!("{:.2}x", ours_cpu.total() / base_cpu.total()),
            target: "<= 4x".into(),
        },
        Row {
            name: "sink: Avro values (AvroConverter, schema cached) vs the same records as JSON, same run".into(),
            ours: format!("{} ({})", per_sec(n as u64, avro_secs), per_record(avro_cpu)),
            baseline: format!("{} ({}) (JSON)", per_sec(n as u64, ours_secs), per_record(ours_cpu)),
            ratio: format!("{:.2}", ours_secs / avro_secs),
            target: ">= 0.8".into(),
        },
        Row {
            name: format!("sink, destination {FIELDS_PATTERN} (value fields; baseline kafka/${{topic}}/${{key}}, same run)"),
            ours: format!("{} ({})", per_sec(n as u64, fields_secs), per_record(fields_cpu)),
            baseline: format!("{} ({})", per_sec(n as u64, ours_secs), per_record(ours_cpu)),
            ratio: format!("{:.2}", ours_secs / fields_secs),
            target: "-".into(),
        },
        Row {
            name: "sink with transforms ExtractField$Value (bid) + RegexRouter (baseline: none, same run)".into(),
            ours: format!("{} ({})", per_sec(n as u64, smt_secs), per_record(smt_cpu)),
            baseline: format!("{} ({})", per_sec(n as u64, ours_secs), per_record(ours_cpu)),
            ratio: format!("{:.2}", ours_secs / smt_secs),
            target: "-".into(),
        },
        Row {
            name: "sink process peak RSS (at full speed)".into(),
            ours: format!("{rss} KiB"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "<= 48 MB".into(),
        },
    ])
}
