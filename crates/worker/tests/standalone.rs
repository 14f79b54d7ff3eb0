//! The binary in standalone mode with the seed's sample configs: killed with SIGKILL
//! mid-stream and restarted, every Diffusion topic still ends with the last value produced
//! for it, and nothing was committed that Diffusion had not confirmed. SIGTERM stops it
//! cleanly with everything committed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use test_support::{unique_name, Broker, Process};

fn write_configs(dir: &Path, bootstrap: &str, url: &str, topic: &str, name: &str) {
    std::fs::write(
        dir.join("worker.properties"),
        // No session timeout tuning: static membership lets the restarted worker back in at once.
        format!(
            "bootstrap.servers={bootstrap}\noffset.flush.interval.ms=200\nlisteners=http://127.0.0.1:{}\n",
            test_support::free_port()
        ),
    )
    .unwrap();
    // The seed README's sample sink, with our topic and server.
    let sink = serde_json::json!({
        "name": name,
        "config": {
            "tasks.max": "1",
            "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "topics": topic,
            "diffusion.url": url,
            "diffusion.username": "admin",
            "diffusion.password": "${env:DKC_TEST_DIFFUSION_PASSWORD}",
            "diffusion.destination": "kafka/${topic}/${key}"
        }
    });
    std::fs::write(dir.join("sink.json"), sink.to_string()).unwrap();
}

fn worker(dir: &Path) -> Process {
    Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .env("DKC_TEST_DIFFUSION_PASSWORD", "password")
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_and_restart_lose_nothing_and_commit_only_what_was_confirmed() {
    const N: i64 = 4000;
    const KEYS: i64 = 50;
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let topic = unique_name("killed");
    let name = unique_name("sink");
    broker.create_topic(&topic, 1).await;
    let dir = test_support::tls::temp_dir("standalone");
    write_configs(&dir, &broker.bootstrap(), &server.url(), &topic, &name);

    // A subscriber records the latest n per key and the highest n seen at all.
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
    let latest: Arc<Mutex<BTreeMap<String, i64>>> = Arc::default();
    let seen_max = Arc::new(Mutex::new(-1i64));
    tokio::spawn({
        let (latest, seen_max) = (latest.clone(), seen_max.clone());
        async move {
            while let Some(e) = events.recv().await {
                if let TopicEvent::Value {
                    path,
                    value: Value::Json(j),
                    ..
                } = e
                {
                    let n = j["n"].as_i64().unwrap();
                    latest.lock().unwrap().insert(path.to_string(), n);
                    let mut m = seen_max.lock().unwrap();
                    *m = (*m).max(n);
                }
            }
        }
    });

    let mut child = worker(&dir);
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .unwrap();
    let produce = tokio::spawn({
        let topic = topic.clone();
        async move {
            for n in 0..N {
                let key = format!("k{}", n % KEYS);
                let v = serde_json::json!({"n": n}).to_string();
                producer
                    .send(
                        FutureRecord::to(&topic).key(&key).payload(&v),
                        Duration::from_secs(10),
                    )
                    .await
                    .unwrap();
                if n % 100 == 0 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });

    // Kill it while records flow, once some have been delivered and committed.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while Broker::shared()
        .committed(&format!("connect-{name}"), &topic)
        .await
        < 300
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing committed within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.signal(libc::SIGKILL);
    let at_kill = Broker::shared()
        .committed(&format!("connect-{name}"), &topic)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let delivered = *seen_max.lock().unwrap();
    // Every committed record had reached Diffusion (so its subscribers) before the kill.
    assert!(
        delivered >= at_kill - 1,
        "committed up to offset {at_kill} but Diffusion only had n={delivered}"
    );
    assert!(
        at_kill < N,
        "the kill came after everything was done; the test proves nothing"
    );

    let mut child = worker(&dir);
    produce.await.unwrap();
    let want: BTreeMap<String, i64> = (N - KEYS..N)
        .map(|n| (format!("kafka/{topic}/k{}", n % KEYS), n))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while *latest.lock().unwrap() != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "final values not reached: {:?}",
            latest.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // SIGTERM: a clean exit with everything committed.
    let status = tokio::task::block_in_place(|| child.signal(libc::SIGTERM));
    assert!(status.success(), "{status}");
    assert_eq!(
        Broker::shared()
            .committed(&format!("connect-{name}"), &topic)
            .await,
        N
    );
}

#[test]
fn invalid_configs_are_refused_before_anything_starts_naming_each_key() {
    let dir = test_support::tls::temp_dir("invalid");
    std::fs::write(
        dir.join("worker.properties"),
        "offset.flush.interval.ms=1000\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sink.json"),
        r#"{"name":"s","config":{"connector.class":"com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "topics":"price","diffusion.url":"http://x","diffusion.destination":" "}}"#,
    )
    .unwrap();
    let run = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .output()
            .unwrap()
    };
    let out = run(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bootstrap.servers: is required"), "{err}");

    std::fs::write(
        dir.join("worker.properties"),
        "bootstrap.servers=127.0.0.1:1\n",
    )
    .unwrap();
    let out = run(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for key in [
        "diffusion.url:",
        "diffusion.username:",
        "diffusion.password:",
        "diffusion.destination:",
        "key.converter:",
    ] {
        assert!(err.contains(key), "{key} not named in:\n{err}");
    }

    // A source is validated the same way, alongside the sink.
    std::fs::write(
        dir.join("source.json"),
        r#"{"name":"src","config":{"connector.class":"com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
            "diffusion.url":"ws://localhost:8080","diffusion.username":"admin","diffusion.password":"password",
            "diffusion.selector":"?source/[","kafka.topic":" ",
            "key.converter":"org.apache.kafka.connect.storage.StringConverter",
            "value.converter":"org.apache.kafka.connect.json.JsonConverter"}}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
        .arg("standalone")
        .arg(dir.join("worker.properties"))
        .arg(dir.join("sink.json"))
        .arg(dir.join("source.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "src (",
        "diffusion.selector:",
        "kafka.topic:",
        "diffusion.destination:",
    ] {
        assert!(err.contains(needle), "{needle} not in:\n{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_the_logs_or_the_api() {
    const SECRET: &str = "Sup3r-S3cret-Pw";
    const WRONG: &str = "Wr0ng-S3cret-Pw";
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        principals: [("admin".to_owned(), SECRET.to_owned())].into(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let topic = unique_name("secret");
    broker.create_topic(&topic, 1).await;
    let dir = test_support::tls::temp_dir("secrets");
    let port = test_support::free_port();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n",
            broker.bootstrap()
        ),
    )
    .unwrap();
    let connector = |name: &str, password: &str| {
        serde_json::json!({"name": name, "config": {
            "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "topics": topic, "diffusion.url": server.url(), "diffusion.username": "admin",
            "diffusion.password": password, "diffusion.destination": "kafka/${topic}",
            "errors.log.enable": "true", "errors.log.include.messages": "true"
        }})
        .to_string()
    };
    std::fs::write(dir.join("good.json"), connector("good", SECRET)).unwrap();
    std::fs::write(dir.join("bad.json"), connector("bad", WRONG)).unwrap();
    let log = dir.join("worker.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut worker = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("good.json"))
            .arg(dir.join("bad.json"))
            .env("RUST_LOG", "trace")
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file)),
    );
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::to(&topic).key("k").payload(r#"{"n":1}"#),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    // Read every API answer that could carry a config or a failure's reason.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let mut answers = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = tokio::task::block_in_place(|| {
            agent
                .get(format!("{base}/connectors/bad/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
        });
        if status.as_deref().is_some_and(|s| s.contains("FAILED")) {
            answers.push_str(&status.unwrap());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the wrong password did not fail the task: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for path in [
        "/connectors?expand=info&expand=status",
        "/connectors/good/config",
        "/connectors/good/tasks",
        "/connectors/bad",
        "/metrics",
        "/ui/stats",
    ] {
        let body = tokio::task::block_in_place(|| {
            agent
                .get(format!("{base}{path}"))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap()
        });
        answers.push_str(&body);
    }
    assert!(answers.contains("[hidden]"), "{answers}");
    assert!(worker.signal(libc::SIGTERM).success());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.len() > 1000,
        "trace logging produced almost nothing: {logged}"
    );
    for secret in [SECRET, WRONG] {
        assert!(!logged.contains(secret), "{secret} appears in the log");
        assert!(
            !answers.contains(secret),
            "{secret} appears in an API answer"
        );
    }
}

/// A source killed with SIGKILL loses what it had not yet handed to Kafka (Diffusion keeps
/// no history to replay), but on restart its subscription delivers every topic's current
/// value again: Kafka ends up with the latest value of every Diffusion topic.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_source_restarts_and_kafka_gets_every_topics_latest_value() {
    const TOPICS: usize = 20;
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let dir = test_support::tls::temp_dir("source-kill");
    let kafka_topic = unique_name("from-diffusion");
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{}\n",
            broker.bootstrap(),
            test_support::free_port()
        ),
    )
    .unwrap();
    let source = serde_json::json!({"name": unique_name("source"), "config": {
        "connector.class": "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "kafka.topic": kafka_topic, "diffusion.url": server.url(), "diffusion.username": "admin",
        "diffusion.password": "password", "diffusion.selector": "?source/kafka/"
    }});
    std::fs::write(dir.join("source.json"), source.to_string()).unwrap();
    let start = || {
        Process::spawn(
            Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
                .arg("standalone")
                .arg(dir.join("worker.properties"))
                .arg(dir.join("source.json"))
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null()),
        )
    };
    let mut worker = start();
    let publisher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let spec = diffusion_client::TopicSpecification::new(diffusion_client::TopicType::Json);
    let mut n = 0i64;
    let mut publish = |count: usize| {
        let (p, spec) = (publisher.clone(), spec.clone());
        let first = n;
        n += count as i64;
        async move {
            for i in first..first + count as i64 {
                let path = format!("source/kafka/t{}", i as usize % TOPICS);
                p.add_and_set(
                    &path,
                    spec.clone(),
                    &Value::Json(serde_json::json!({"n": i})),
                )
                .await
                .unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    };
    // Give the first worker time to subscribe, publish, kill it mid-stream, publish on.
    tokio::time::sleep(Duration::from_secs(2)).await;
    publish(2000).await;
    worker.signal(libc::SIGKILL);
    publish(500).await;
    let mut worker = start();
    publish(500).await;
    let last = n;

    // The latest value of every topic reaches Kafka.
    let want: BTreeMap<String, i64> = (last - TOPICS as i64..last)
        .map(|i| (format!("source/kafka/t{}", i as usize % TOPICS), i))
        .collect();
    let c: rdkafka::consumer::StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    rdkafka::consumer::Consumer::subscribe(&c, &[kafka_topic.as_str()]).unwrap();
    let mut latest: BTreeMap<String, i64> = BTreeMap::new();
    while want.iter().any(|(k, v)| latest.get(k.as_str()) != Some(v)) {
        let m = tokio::time::timeout(Duration::from_secs(30), c.recv())
            .await
            .unwrap_or_else(|_| panic!("latest values missing: have {latest:?}"))
            .unwrap();
        use rdkafka::message::Message;
        let key = String::from_utf8(m.key().unwrap().to_vec()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        let i = v["n"].as_i64().unwrap();
        let e = latest.entry(key).or_insert(i);
        *e = (*e).max(i);
    }
    assert!(worker.signal(libc::SIGTERM).success());
}
