//! The worker against Apache Kafka's secured listeners, configured the Kafka Connect way
//! (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config` with a ScramLoginModule line
//! whose password comes from `${env:...}`, a PEM `ssl.truststore.location`): over SSL and
//! over SASL_SSL with SCRAM-SHA-512 (a user added through the Admin API) the sink and the
//! source both carry records; a wrong password or a certificate the worker does not trust
//! fails both tasks, with the reason in their status and no secret in it.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::json;
use test_support::rest::RestClient;
use test_support::{free_port, unique_name, Broker, Process};

const USER: &str = "alice";
const PASSWORD: &str = "Kafka-S3cret";

/// This binary's broker, with SSL and SASL_SSL listeners and the user `alice`.
fn broker() -> &'static Broker {
    static B: OnceLock<Broker> = OnceLock::new();
    B.get_or_init(|| {
        let b = Broker::start_secured();
        b.create_scram_user(USER, PASSWORD);
        b
    })
}

/// How the worker reaches Kafka in one test.
struct Security {
    bootstrap: String,
    /// Worker properties after `bootstrap.servers` and `listeners`.
    props: String,
    /// `${env:DKC_TEST_KAFKA_PW}` in `props` reads this.
    password: &'static str,
}

fn ssl(ca: &Path) -> Security {
    Security {
        bootstrap: broker().ssl_bootstrap(),
        props: format!(
            "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location={}\n",
            ca.display()
        ),
        password: "",
    }
}

fn sasl_ssl(password: &'static str) -> Security {
    Security {
        bootstrap: broker().sasl_ssl_bootstrap(),
        props: format!(
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
             username=\"{USER}\" password=\"${{env:DKC_TEST_KAFKA_PW}}\";\n\
             ssl.truststore.type=PEM\nssl.truststore.location={}\n",
            broker().ca_cert().display()
        ),
        password,
    }
}

/// A standalone worker running one sink (Kafka `in` -> Diffusion `kafka/<in>`) and one
/// source (Diffusion `?source/<tag>/` -> Kafka `out`), reaching Kafka as `security` says.
struct Setup {
    _server: ServerHandle,
    url: String,
    rest: RestClient,
    worker: Process,
    tag: String,
    topic_in: String,
    topic_out: String,
    sink: String,
    source: String,
}

async fn start(security: Security) -> Setup {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let url = server.url();
    let dir = test_support::tls::temp_dir("kafka-security");
    let tag = unique_name("sec");
    let (topic_in, topic_out) = (format!("{tag}-in"), format!("{tag}-out"));
    broker().create_topic(&topic_in, 1).await;
    broker().create_topic(&topic_out, 1).await;
    let port = free_port();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n{}",
            security.bootstrap, security.props
        ),
    )
    .unwrap();
    let (sink, source) = (format!("{tag}-sink"), format!("{tag}-source"));
    let common = json!({
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "diffusion.url": url, "diffusion.username": "admin", "diffusion.password": "password",
    });
    let with = |extra: serde_json::Value| {
        let mut c = common.clone();
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    std::fs::write(
        dir.join("sink.json"),
        json!({"name": sink, "config": with(json!({
            "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "topics": topic_in, "diffusion.destination": "kafka/${topic}",
        }))})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("source.json"),
        json!({"name": source, "config": with(json!({
            "connector.class": "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector",
            "kafka.topic": topic_out, "diffusion.selector": format!("?source/{tag}/"),
        }))})
        .to_string(),
    )
    .unwrap();
    let worker = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .arg(dir.join("source.json"))
            .env("DKC_TEST_KAFKA_PW", security.password)
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    );
    let rest = RestClient::new(port);
    rest.wait_up().await;
    Setup {
        _server: server,
        url,
        rest,
        worker,
        tag,
        topic_in,
        topic_out,
        sink,
        source,
    }
}

/// Records flow both ways through the worker.
async fn records_flow(mut s: Setup) {
    // Kafka -> Diffusion.
    let (_watcher, latest) = common::watch(&s.url, &format!(">kafka/{}", s.topic_in)).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker().bootstrap())
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::to(&s.topic_in).key("k").payload(r#"{"n":1}"#),
            Duration::from_secs(30),
        )
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    common::wait_value(&latest, &format!("kafka/{}", s.topic_in), json!({"n": 1})).await;

    // Diffusion -> Kafka: the source is subscribed once it reports RUNNING; publish until
    // a value arrives (the first may come before its subscription).
    let reader: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker().bootstrap())
        .set("group.id", unique_name("reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    reader.subscribe(&[s.topic_out.as_str()]).unwrap();
    let publisher = Session::connect(&s.url, "admin", "password", SessionOptions::default())
        .await
        .unwrap();
    let path = format!("source/{}/price", s.tag);
    publisher
        .add_and_set(
            &path,
            TopicSpecification::new(TopicType::Json),
            &Value::Json(json!({"bid": 7})),
        )
        .await
        .unwrap();
    let m = tokio::time::timeout(Duration::from_secs(60), reader.recv())
        .await
        .expect("no record from the source within 60 s")
        .unwrap();
    assert_eq!(m.key(), Some(path.as_bytes()));
    let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
    assert_eq!(v, json!({"bid": 7}));
    for name in [&s.sink, &s.source] {
        let st = s.rest.get(&format!("/connectors/{name}/status"));
        assert_eq!(st["tasks"][0]["state"], "RUNNING", "{st}");
    }
    assert!(s.worker.signal(libc::SIGTERM).success());
}

/// Both tasks fail, each status naming the reason (`reason` in its trace), no secret shown.
async fn both_tasks_fail(mut s: Setup, reason: &str, secret: &str) {
    for name in [s.sink.clone(), s.source.clone()] {
        let status = s
            .rest
            .wait_for(
                &format!("/connectors/{name}/status"),
                Duration::from_secs(120),
                &format!("{name} FAILED"),
                |j| j["tasks"][0]["state"] == "FAILED",
            )
            .await;
        let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
        assert!(
            trace.to_lowercase().contains(reason),
            "{name}: the reason does not say {reason:?}: {status}"
        );
        if !secret.is_empty() {
            assert!(
                !status.to_string().contains(secret),
                "a secret leaked: {status}"
            );
        }
    }
    assert!(s.worker.signal(libc::SIGTERM).success());
}

#[tokio::test(flavor = "multi_thread")]
async fn sink_and_source_over_ssl() {
    let s = start(ssl(broker().ca_cert())).await;
    records_flow(s).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sink_and_source_over_sasl_ssl_with_scram_sha_512() {
    let s = start(sasl_ssl(PASSWORD)).await;
    records_flow(s).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_fails_both_tasks_saying_so() {
    let s = start(sasl_ssl("Wr0ngPw-123")).await;
    both_tasks_fail(s, "credentials", "Wr0ngPw-123").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_broker_certificate_fails_both_tasks_saying_so() {
    // A CA of its own, which did not sign the broker's certificate.
    let other = test_support::tls::TestPki::create(&test_support::tls::temp_dir("other-ca"));
    let s = start(ssl(&other.ca_cert)).await;
    both_tasks_fail(s, "certificate", "").await;
}
