//! A source on time series topics loses nothing across its own death: the worker binary is
//! SIGKILLed while a publisher keeps appending, and started again (standalone: the same
//! worker, offsets in `offset.storage.file.filename`; distributed: another worker takes the
//! source over, offsets in the offsets topic). Kafka ends holding every event appended
//! from the first one the source saw, each once, except the events sent after the last
//! stored offset and before the kill (at-least-once: they come again, and are counted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::consumer::{BaseConsumer, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use serde_json::{json, Value as J};
use test_support::rest::RestClient;
use test_support::{unique_name, Broker, Process};

const TOPICS: usize = 4;
/// Appends per second, over all topics.
const RATE: u64 = 400;
const FLUSH_MS: u64 = 200;

fn source_config(name: &str, url: &str, prefix: &str, out: &str) -> J {
    json!({"name": name, "config": {
        "connector.class": "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "kafka.topic": out,
        "diffusion.url": url,
        "diffusion.username": "admin",
        "diffusion.password": "password",
        "diffusion.selector": format!("?{prefix}/"),
    }})
}

fn spawn(args: &[&Path], mode: &str) -> Process {
    Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg(mode)
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    )
}

/// Appends `{"n": k}` events to `TOPICS` time series topics at `RATE` until told to stop;
/// returns how many each topic got (its events are n = 0..count).
async fn publish(url: String, prefix: String, stop: Arc<AtomicBool>) -> Vec<u64> {
    let s = Session::connect(&url, "admin", "password", SessionOptions::default())
        .await
        .unwrap();
    let paths: Vec<String> = (0..TOPICS).map(|t| format!("{prefix}/t{t}")).collect();
    for p in &paths {
        let spec =
            TopicSpecification::time_series(TopicType::Json).with_retained_range("limit 100000");
        s.add_topic(p, spec).await.unwrap();
    }
    let mut counts = vec![0u64; TOPICS];
    let start = Instant::now();
    let mut sent = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let due = (start.elapsed().as_secs_f64() * RATE as f64) as u64;
        while sent < due {
            let t = (sent % TOPICS as u64) as usize;
            s.append(&paths[t], &Value::Json(json!({"n": counts[t]})))
                .await
                .unwrap();
            counts[t] += 1;
            sent += 1;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    counts
}

/// Every record of `topic` (one partition): (offset, key, n).
fn read_all(bootstrap: &str, topic: &str, want: u64) -> Vec<(i64, String, u64)> {
    let c: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique_name("ts-check"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    c.subscribe(&[topic]).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut quiet = Instant::now();
        while Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(500), c.recv()).await {
                Ok(Ok(m)) => {
                    let key = String::from_utf8(m.key().unwrap().to_vec()).unwrap();
                    let v: J = serde_json::from_slice(m.payload().unwrap()).unwrap();
                    out.push((m.offset(), key, v["n"].as_u64().unwrap()));
                    quiet = Instant::now();
                }
                _ if out.len() as u64 >= want && quiet.elapsed() > Duration::from_secs(3) => break,
                _ => {}
            }
        }
        out
    })
}

/// Polls `done` (a blocking check) until it holds; fails naming `what` after 120 s.
async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !tokio::task::block_in_place(&done) {
        assert!(Instant::now() < deadline, "{what}: not within 120 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn high_watermark(bootstrap: &str, topic: &str) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique_name("hw"))
        .create()
        .unwrap();
    c.fetch_watermarks(topic, 0, Duration::from_secs(10))
        .unwrap()
        .1
}

/// What Kafka holds against what was appended: per topic, every n from the first seen to
/// the last appended must be there; returns the duplicates, checking each is an event
/// written before the kill (offset below `kill_hw`) and again after it.
fn judge(records: &[(i64, String, u64)], prefix: &str, counts: &[u64], kill_hw: i64) -> usize {
    let mut duplicates = 0;
    for (t, &count) in counts.iter().enumerate() {
        let path = format!("{prefix}/t{t}");
        let mine: Vec<(i64, u64)> = records
            .iter()
            .filter(|(_, k, _)| *k == path)
            .map(|(o, _, n)| (*o, *n))
            .collect();
        let first = mine.iter().map(|(_, n)| *n).min().expect("no records");
        let mut seen: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
        for (o, n) in &mine {
            seen.entry(*n).or_default().push(*o);
        }
        let missing: Vec<u64> = (first..count).filter(|n| !seen.contains_key(n)).collect();
        assert!(
            missing.is_empty(),
            "{path}: {} events missing from Kafka (first {:?}); {count} appended, first seen {first}",
            missing.len(),
            &missing[..missing.len().min(10)]
        );
        for (n, offsets) in &seen {
            if offsets.len() > 1 {
                assert!(
                    offsets.len() == 2 && offsets[0] < kill_hw && offsets[1] >= kill_hw,
                    "{path}: event n={n} at offsets {offsets:?}; only an event sent before the kill (below offset {kill_hw}) may come again after it"
                );
                duplicates += 1;
            }
        }
    }
    duplicates
}

/// Reads `out` to its end and judges it against what was appended (see [`judge`]); the
/// duplicates are what was sent after the last stored offset: a flush interval's worth
/// plus Kafka's acknowledgement delay, bounded at 5 s of events so a busy machine's slow
/// acknowledgements do not fail it (`judge` has already checked each is a pre-kill event).
async fn check(bootstrap: &str, out: &str, prefix: &str, counts: &[u64], kill_hw: i64, mode: &str) {
    let total: u64 = counts.iter().sum();
    let (b, topic) = (bootstrap.to_owned(), out.to_owned());
    let records = tokio::task::spawn_blocking(move || read_all(&b, &topic, total))
        .await
        .unwrap();
    let duplicates = judge(&records, prefix, counts, kill_hw);
    eprintln!(
        "[time_series] {mode}: {total} events appended, {} records in Kafka, {duplicates} sent again after the SIGKILL (offsets flushed every {FLUSH_MS} ms)",
        records.len()
    );
    assert!(
        duplicates as u64 <= 5 * RATE,
        "{duplicates} duplicates: more than 5 s of events"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn standalone_a_sigkilled_source_resumes_from_its_offsets_file_with_every_event_in_kafka() {
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let dir = test_support::tls::temp_dir("ts-standalone");
    let prefix = unique_name("tsk");
    let out = unique_name("ts-out");
    broker.create_topic(&out, 1).await;
    let port = test_support::free_port();
    let offsets = dir.join("connect.offsets");
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\noffset.flush.interval.ms={FLUSH_MS}\noffset.storage.file.filename={}\n",
            broker.bootstrap(),
            offsets.display()
        ),
    )
    .unwrap();
    let name = unique_name("ts-source");
    std::fs::write(
        dir.join("source.json"),
        source_config(&name, &server.url(), &prefix, &out).to_string(),
    )
    .unwrap();
    let files = [dir.join("worker.properties"), dir.join("source.json")];
    let args: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let api = RestClient::new(port);

    let mut worker = spawn(&args, "standalone");
    api.wait_up().await;
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    let stop = Arc::new(AtomicBool::new(false));
    let publisher = tokio::spawn(publish(server.url(), prefix.clone(), stop.clone()));
    // Until an offset is stored (however busy the machine), then a second more, so events
    // past it are in flight when the worker dies.
    wait_until("an offset stored before the kill", || {
        std::fs::read_to_string(&offsets).is_ok_and(|f| f.contains("\"sequence\""))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    worker.signal(libc::SIGKILL);
    // Whatever the dead producer had in flight has landed or never will.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let kill_hw = high_watermark(&broker.bootstrap(), &out);
    assert!(kill_hw > 0, "nothing reached Kafka before the kill");
    let stored = std::fs::read_to_string(&offsets).expect("offsets stored before the kill");
    assert!(stored.contains("\"sequence\""), "{stored}");
    // The publisher goes on appending while the source is dead.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _worker = spawn(&args, "standalone");
    api.wait_up().await;
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let counts = publisher.await.unwrap();
    check(
        &broker.bootstrap(),
        &out,
        &prefix,
        &counts,
        kill_hw,
        "standalone",
    )
    .await;

    // The offsets through the REST API (KIP-875): listed; on the stopped source, one
    // altered, one forgotten, then all reset.
    let path = |p: &str| format!("/connectors/{name}{p}");
    let listed = api.get(&path("/offsets"));
    assert_eq!(
        listed["offsets"].as_array().map(Vec::len),
        Some(TOPICS),
        "{listed}"
    );
    let t0 = format!("{prefix}/t0");
    let (code, j) = api.call(
        "PATCH",
        &path("/offsets"),
        Some(json!({"offsets": [{"partition": {"topic": t0}, "offset": {"sequence": 3}}]})),
    );
    assert_eq!(
        code, 400,
        "a running connector's offsets are not changed: {j}"
    );
    assert_eq!(api.call("PUT", &path("/stop"), None).0, 204);
    api.wait_state(&name, "STOPPED", None).await;
    let (code, j) = api.call(
        "PATCH",
        &path("/offsets"),
        Some(json!({"offsets": [
            {"partition": {"topic": t0}, "offset": {"sequence": 3}},
            {"partition": {"topic": format!("{prefix}/t1")}, "offset": null}]})),
    );
    assert_eq!(code, 200, "{j}");
    let after = api.get(&path("/offsets"));
    let entries = after["offsets"].as_array().unwrap();
    assert_eq!(entries.len(), TOPICS - 1, "{after}");
    assert!(
        entries.contains(&json!({"partition": {"topic": t0}, "offset": {"sequence": 3}})),
        "{after}"
    );
    let (code, j) = api.call(
        "PATCH",
        &path("/offsets"),
        Some(json!({"offsets": [{"partition": {"kafka_topic": "x", "kafka_partition": 0}, "offset": null}]})),
    );
    assert_eq!(code, 400, "a sink's shape for a source: {j}");
    assert_eq!(api.call("DELETE", &path("/offsets"), None).0, 200);
    assert_eq!(api.get(&path("/offsets")), json!({"offsets": []}));
    let file = std::fs::read_to_string(&offsets).unwrap();
    assert!(!file.contains("sequence"), "{file}");
}

#[tokio::test(flavor = "multi_thread")]
async fn distributed_a_source_moved_to_another_worker_resumes_from_the_offsets_topic() {
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let dir = test_support::tls::temp_dir("ts-distributed");
    let cluster = unique_name("ts-cluster");
    let prefix = unique_name("tsd");
    let out = unique_name("ts-dout");
    broker.create_topic(&out, 1).await;
    let mut workers = Vec::new();
    for _ in 0..2 {
        let port = test_support::free_port();
        let props = dir.join(format!("worker-{port}.properties"));
        std::fs::write(
            &props,
            format!(
                "bootstrap.servers={}\ngroup.id={cluster}\nconfig.storage.topic={cluster}-configs\n\
                 offset.storage.topic={cluster}-offsets\nstatus.storage.topic={cluster}-status\n\
                 listeners=http://127.0.0.1:{port}\nsession.timeout.ms=6000\nheartbeat.interval.ms=1000\n\
                 offset.flush.interval.ms={FLUSH_MS}\n",
                broker.bootstrap()
            ),
        )
        .unwrap();
        let process = spawn(&[props.as_path()], "distributed");
        let api = RestClient::new(port);
        api.wait_up().await;
        workers.push((format!("127.0.0.1:{port}"), api, Some(process)));
    }
    let name = unique_name("ts-dsource");
    let (code, j) = workers[0].1.call(
        "POST",
        "/connectors",
        Some(source_config(&name, &server.url(), &prefix, &out)),
    );
    assert_eq!(code, 201, "{j}");
    let running_on = |s: &J| -> BTreeSet<String> {
        s["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["state"] == "RUNNING")
            .map(|t| t["worker_id"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let status_path = format!("/connectors/{name}/status");
    let s = workers[1]
        .1
        .wait_for(
            &status_path,
            Duration::from_secs(60),
            "the source running",
            |s| running_on(s).len() == 1,
        )
        .await;
    let runner = running_on(&s).into_iter().next().unwrap();
    let (dead, alive) = if workers[0].0 == runner {
        (0, 1)
    } else {
        (1, 0)
    };

    let stop = Arc::new(AtomicBool::new(false));
    let publisher = tokio::spawn(publish(server.url(), prefix.clone(), stop.clone()));
    // Until the source has written to Kafka (however busy the machine), then a second more.
    let (bootstrap, topic) = (broker.bootstrap(), out.clone());
    wait_until("records in Kafka before the kill", || {
        high_watermark(&bootstrap, &topic) > 0
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    workers[dead].2.take().unwrap().signal(libc::SIGKILL);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let kill_hw = high_watermark(&broker.bootstrap(), &out);
    assert!(kill_hw > 0, "nothing reached Kafka before the kill");
    let survivor = workers[alive].0.clone();
    workers[alive]
        .1
        .wait_for(
            &status_path,
            Duration::from_secs(60),
            "the source taken over by the other worker",
            |s| running_on(s) == BTreeSet::from([survivor.clone()]),
        )
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let counts = publisher.await.unwrap();
    check(
        &broker.bootstrap(),
        &out,
        &prefix,
        &counts,
        kill_hw,
        "distributed",
    )
    .await;
    // The offsets are in the cluster's topic, readable through the survivor's API.
    let offsets = workers[alive].1.get(&format!("/connectors/{name}/offsets"));
    let listed = offsets["offsets"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(listed, TOPICS, "{offsets}");
}
