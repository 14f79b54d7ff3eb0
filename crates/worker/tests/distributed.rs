//! Three `distributed` workers on loopback as one cluster, against the real broker and the
//! embedded Diffusion server: a connector created through one worker is visible and
//! controllable through the others; a sink over a 6-partition topic runs a task on every
//! worker, and when one worker is killed (SIGKILL) under load its partitions move and every
//! Diffusion topic still ends at its last value; a source runs on exactly one worker, and
//! when that worker is killed another takes over and updates keep reaching Kafka.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value as J};
use test_support::rest::RestClient;
use test_support::{unique_name, Broker, Process};

mod common;
use common::watch;

const SESSION_TIMEOUT_MS: u64 = 6000;

struct Worker {
    api: RestClient,
    id: String,
    process: Process,
}

fn start_worker(dir: &Path, cluster: &str, bootstrap: &str) -> Worker {
    let port = test_support::free_port();
    let props = dir.join(format!("worker-{port}.properties"));
    std::fs::write(
        &props,
        format!(
            "bootstrap.servers={bootstrap}\ngroup.id={cluster}\n\
             config.storage.topic={cluster}-configs\noffset.storage.topic={cluster}-offsets\n\
             status.storage.topic={cluster}-status\nlisteners=http://127.0.0.1:{port}\n\
             session.timeout.ms={SESSION_TIMEOUT_MS}\nheartbeat.interval.ms=1000\n\
             offset.flush.interval.ms=200\n"
        ),
    )
    .unwrap();
    let process = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("distributed")
            .arg(&props)
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    );
    Worker {
        api: RestClient::new(port),
        id: format!("127.0.0.1:{port}"),
        process,
    }
}

/// Worker ids of the connector's tasks in the given state, as `api` reports them.
fn task_workers(status: &J, state: &str) -> BTreeSet<String> {
    status["tasks"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .filter(|t| t["state"] == state)
                .map(|t| t["worker_id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Records this worker's sink task has read (its own /metrics).
fn records_read(w: &Worker, name: &str) -> u64 {
    let (_, m) = w.api.call("GET", "/metrics", None);
    let needle = format!("dkc_sink_records_read_total{{connector=\"{name}\",task=\"0\"}} ");
    m.as_str()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix(needle.as_str())))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn three_workers_share_sinks_move_sources_and_lose_nothing() {
    const N: i64 = 6000;
    const KEYS: i64 = 60;
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let cluster = unique_name("cluster");
    let dir = test_support::tls::temp_dir("distributed");
    let mut workers: Vec<Worker> = (0..3)
        .map(|_| start_worker(&dir, &cluster, &broker.bootstrap()))
        .collect();
    for w in &workers {
        w.api.wait_up().await;
    }

    // A sink created through worker A is visible through B and controllable through C.
    let topic = unique_name("spread");
    broker.create_topic(&topic, 6).await;
    let sink = unique_name("sink");
    let (status, j) = workers[0].api.call(
        "POST",
        "/connectors",
        Some(json!({"name": sink, "config": {
            "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "topics": topic, "diffusion.url": server.url(), "diffusion.username": "admin",
            "diffusion.password": "password", "diffusion.destination": "kafka/${topic}/${key}"
        }})),
    );
    assert_eq!(status, 201, "{j}");
    // Every worker applies the config topic on its own: B sees it within moments.
    let within = Duration::from_secs(60);
    let info = workers[1]
        .api
        .wait_for(
            &format!("/connectors/{sink}"),
            within,
            "the sink seen through B",
            |_| true,
        )
        .await;
    assert_eq!(info["config"]["topics"], topic.as_str());
    let all: BTreeSet<String> = workers.iter().map(|w| w.id.clone()).collect();
    let running_everywhere = |s: &J| task_workers(s, "RUNNING") == all;
    let status_path = format!("/connectors/{sink}/status");
    workers[1]
        .api
        .wait_for(
            &status_path,
            within,
            "a sink task on every worker",
            running_everywhere,
        )
        .await;
    let (status, _) = workers[2]
        .api
        .call("PUT", &format!("/connectors/{sink}/pause"), None);
    assert_eq!(status, 202);
    workers[0]
        .api
        .wait_for(&status_path, within, "paused everywhere", |s| {
            s["connector"]["state"] == "PAUSED" && task_workers(s, "PAUSED") == all
        })
        .await;
    let (status, _) = workers[1]
        .api
        .call("PUT", &format!("/connectors/{sink}/resume"), None);
    assert_eq!(status, 202);
    workers[2]
        .api
        .wait_for(
            &status_path,
            within,
            "resumed everywhere",
            running_everywhere,
        )
        .await;

    // A source created through B runs on exactly one worker.
    let source = unique_name("source");
    let kafka_topic = unique_name("from-diffusion");
    let (status, j) = workers[1].api.call(
        "POST",
        "/connectors",
        Some(json!({"name": source, "config": {
            "connector.class": "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "kafka.topic": kafka_topic, "diffusion.url": server.url(), "diffusion.username": "admin",
            "diffusion.password": "password", "diffusion.selector": "?dsource/"
        }})),
    );
    assert_eq!(status, 201, "{j}");
    let source_path = format!("/connectors/{source}/status");
    let s = workers[0]
        .api
        .wait_for(
            &source_path,
            within,
            "the source running on one worker",
            |s| {
                s["tasks"].as_array().map(Vec::len) == Some(1)
                    && task_workers(s, "RUNNING").len() == 1
            },
        )
        .await;
    let runner = task_workers(&s, "RUNNING").into_iter().next().unwrap();

    // Load into the sink; once every worker has read some of it, kill one that does not
    // run the source.
    let (_watcher, latest) = watch(&server.url(), &format!("?kafka/{topic}/")).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .unwrap();
    let produce = tokio::spawn({
        let topic = topic.clone();
        async move {
            for n in 0..N {
                let key = format!("k{}", n % KEYS);
                let v = json!({"n": n}).to_string();
                producer
                    .send(
                        FutureRecord::to(&topic).key(&key).payload(&v),
                        Duration::from_secs(10),
                    )
                    .await
                    .unwrap();
                if n % 100 == 0 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    let deadline = tokio::time::Instant::now() + within;
    while workers.iter().any(|w| records_read(w, &sink) == 0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not every worker read from the topic: {:?}",
            workers
                .iter()
                .map(|w| records_read(w, &sink))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !produce.is_finished(),
        "the load ended before the kill; the test proves nothing"
    );
    let victim = workers.iter().position(|w| w.id != runner).unwrap();
    let mut killed = workers.remove(victim);
    let group = format!("connect-{sink}");
    let killed_at = tokio::time::Instant::now();
    killed.process.signal(libc::SIGKILL);
    // Kafka hands the dead worker's partitions on once its session times out: measured as
    // the time until every partition's committed offset moves past where it was.
    let at_kill = broker.committed_partitions(&group, &topic, 6).await;
    loop {
        let now = broker.committed_partitions(&group, &topic, 6).await;
        if now.iter().zip(&at_kill).all(|(n, k)| n > k) {
            break;
        }
        assert!(
            killed_at.elapsed() < within,
            "not every partition progressed after the kill: {at_kill:?} -> {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let moved = killed_at.elapsed();
    produce.await.unwrap();
    let load_ended = killed_at.elapsed();
    let want: BTreeMap<String, J> = (N - KEYS..N)
        .map(|n| (format!("kafka/{topic}/k{}", n % KEYS), json!({"n": n})))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while *latest.lock().unwrap() != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "final values not reached after the kill: {:?}",
            latest.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "sink: every partition committed anew {moved:?} after the kill (session.timeout.ms {SESSION_TIMEOUT_MS}); \
         every Diffusion topic at its last value {:?} after it (the load ended {load_ended:?} after it)",
        killed_at.elapsed()
    );
    let survivors: BTreeSet<String> = workers.iter().map(|w| w.id.clone()).collect();
    workers[0]
        .api
        .wait_for(
            &status_path,
            within,
            "the killed worker's task gone from the status",
            |s| task_workers(s, "RUNNING") == survivors,
        )
        .await;

    // Restarting one task, through a worker that does not run it, restarts that task only
    // (a restarted task starts its counters afresh).
    let (on, other) = (1, 0);
    let s = workers[0].api.get(&status_path);
    let id = s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["worker_id"] == workers[on].id.as_str())
        .map(|t| t["id"].as_u64().unwrap())
        .unwrap();
    let (on_before, other_before) = (
        records_read(&workers[on], &sink),
        records_read(&workers[other], &sink),
    );
    assert!(on_before > 0 && other_before > 0);
    let (status, j) = workers[other].api.call(
        "POST",
        &format!("/connectors/{sink}/tasks/{id}/restart"),
        None,
    );
    assert_eq!(status, 204, "{j}");
    let deadline = tokio::time::Instant::now() + within;
    while records_read(&workers[on], &sink) >= on_before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "task {id} was not restarted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        records_read(&workers[other], &sink) >= other_before,
        "the other task restarted too"
    );
    workers[0]
        .api
        .wait_for(
            &status_path,
            within,
            "running again after the restart",
            |s| task_workers(s, "RUNNING") == survivors,
        )
        .await;

    // The source's worker killed: another runs it, and updates keep reaching Kafka.
    let publisher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let spec = TopicSpecification::new(TopicType::Json);
    let publish = |i: i64| {
        let (p, spec) = (publisher.clone(), spec.clone());
        async move {
            p.add_and_set(
                &format!("dsource/t{}", i % 5),
                spec,
                &Value::Json(json!({"n": i})),
            )
            .await
            .unwrap();
        }
    };
    let reader: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    let seen_max = Arc::new(Mutex::new(-1i64));
    for i in 0..50 {
        publish(i).await;
    }
    // The source creates its Kafka topic; subscribe once it exists.
    tokio::time::sleep(Duration::from_secs(1)).await;
    reader.subscribe(&[kafka_topic.as_str()]).unwrap();
    tokio::spawn({
        let seen_max = seen_max.clone();
        async move {
            loop {
                if let Ok(m) = reader.recv().await {
                    let v: J =
                        serde_json::from_slice(m.payload().unwrap_or(b"null")).unwrap_or(J::Null);
                    if let Some(i) = v["n"].as_i64() {
                        let mut s = seen_max.lock().unwrap();
                        *s = (*s).max(i);
                    }
                }
            }
        }
    });
    let wait_seen = |at_least: i64, what: &'static str| {
        let seen_max = seen_max.clone();
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while *seen_max.lock().unwrap() < at_least {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{what}: Kafka has n <= {}",
                    seen_max.lock().unwrap()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    wait_seen(49, "updates before the kill").await;
    // Still on exactly one worker after the first kill's rebalances; kill that one.
    let s = workers[0].api.get(&source_path);
    let running = task_workers(&s, "RUNNING");
    assert_eq!(running.len(), 1, "the source must run on one worker: {s}");
    let runner = running.into_iter().next().unwrap();
    let at = workers.iter().position(|w| w.id == runner).unwrap();
    let mut killed = workers.remove(at);
    let killed_at = tokio::time::Instant::now();
    killed.process.signal(libc::SIGKILL);
    let last = workers[0].id.clone();
    workers[0]
        .api
        .wait_for(
            &source_path,
            within,
            "the source moved to the last worker",
            |s| task_workers(s, "RUNNING") == BTreeSet::from([last.clone()]),
        )
        .await;
    for i in 50..100 {
        publish(i).await;
    }
    wait_seen(99, "updates after the takeover").await;
    eprintln!(
        "source taken over and flowing {:?} after the kill",
        killed_at.elapsed()
    );

    // The last worker stops cleanly.
    let status = tokio::task::block_in_place(|| workers[0].process.signal(libc::SIGTERM));
    assert!(status.success(), "{status}");
}

#[test]
fn a_worker_without_a_cluster_name_is_refused_naming_the_key() {
    let dir = test_support::tls::temp_dir("distributed-invalid");
    let props = dir.join("worker.properties");
    std::fs::write(
        &props,
        "bootstrap.servers=127.0.0.1:1\nheartbeat.interval.ms=20000\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
        .arg("distributed")
        .arg(&props)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("group.id: is required"), "{err}");
    assert!(
        err.contains("heartbeat.interval.ms: must be below session.timeout.ms"),
        "{err}"
    );
}
