//! The worker against a broker that requires SASL SCRAM-SHA-256, configured the Kafka
//! Connect way (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config` with a
//! ScramLoginModule line whose password comes from `${env:...}`): records flow; with a
//! wrong password the task fails saying the credentials were refused.

use std::process::{Command, Stdio};
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use test_support::broker::Storage;
use test_support::{free_port, unique_name, Broker, Process};

fn worker(dir: &std::path::Path, password: &str) -> Process {
    Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .env("DKC_TEST_KAFKA_PW", password)
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sasl_scram_to_the_broker() {
    let dir = test_support::tls::temp_dir("sasl");
    let broker = Broker::start(Storage::Sqlite(dir.join("broker/sasl.db")));
    let topic = unique_name("sasl");
    broker.create_topic(&topic, 1).await;
    broker.require_scram_user("alice", "Kafka-S3cret");
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let port = free_port();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"${{env:DKC_TEST_KAFKA_PW}}\";\n",
            broker.bootstrap()
        ),
    )
    .unwrap();
    let name = unique_name("sasl-sink");
    let sink = serde_json::json!({"name": name, "config": {
        "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "topics": topic, "diffusion.url": server.url(), "diffusion.username": "admin",
        "diffusion.password": "password", "diffusion.destination": "kafka/${topic}"
    }});
    std::fs::write(dir.join("sink.json"), sink.to_string()).unwrap();

    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher.subscribe(&format!(">kafka/{topic}")).await.unwrap();
    let mut w = worker(&dir, "Kafka-S3cret");
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "SCRAM-SHA-256")
        .set("sasl.username", "alice")
        .set("sasl.password", "Kafka-S3cret")
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::to(&topic).key("k").payload(r#"{"n":1}"#),
            Duration::from_secs(20),
        )
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("no value through SASL")
            .unwrap();
        if let TopicEvent::Value {
            value: Value::Json(j),
            ..
        } = e
        {
            assert_eq!(j, serde_json::json!({"n": 1}));
            break;
        }
    }
    assert!(w.signal(libc::SIGTERM).success());

    // The wrong password: the task fails and says why.
    let mut w = worker(&dir, "Wr0ngPw-123");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://127.0.0.1:{port}/connectors/{name}/status");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        let s = tokio::task::block_in_place(|| {
            agent
                .get(&url)
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
        });
        if let Some(s) = s.filter(|s| s.contains("FAILED")) {
            break s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a wrong Kafka password did not fail the task"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(status.contains("credentials"), "{status}");
    assert!(
        !status.contains("Wr0ngPw-123"),
        "the password leaked: {status}"
    );
    assert!(w.signal(libc::SIGTERM).success());
}
