//! The foundation works: the real broker carries records through librdkafka, and both
//! official Diffusion SDKs run.

use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use test_support::{sdk, unique_name, Broker};

#[tokio::test(flavor = "multi_thread")]
async fn produce_and_consume_through_the_broker() {
    let broker = Broker::shared();
    let topic = unique_name("roundtrip");
    broker.create_topic(&topic, 2).await;

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("enable.idempotence", "true")
        .set("compression.type", "lz4")
        .create()
        .unwrap();
    for i in 0..20 {
        let key = format!("k{i}");
        let payload = format!("{{\"n\":{i}}}");
        producer
            .send(
                FutureRecord::to(&topic)
                    .key(&key)
                    .payload(&payload)
                    .headers(OwnedHeaders::new().insert(Header {
                        key: "h",
                        value: Some("v"),
                    })),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", unique_name("group"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while seen.len() < 20 {
        let m = tokio::time::timeout_at(deadline, consumer.recv())
            .await
            .expect("records did not arrive within 60 s")
            .unwrap();
        let h = m.headers().expect("headers survive").get(0);
        assert_eq!((h.key, h.value), ("h", Some(&b"v"[..])));
        seen.insert(String::from_utf8(m.key().unwrap().to_vec()).unwrap());
        consumer.commit_message(&m, CommitMode::Sync).unwrap();
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn official_python_sdk_runs() {
    let run = sdk::python(&sdk::script(env!("CARGO_MANIFEST_DIR"), "hello.py"), &[]);
    run.assert_success();
    assert_eq!(run.lines(), ["python-sdk 6.12.2"]);
}

#[test]
fn official_javascript_sdk_runs() {
    let run = sdk::node(&sdk::script(env!("CARGO_MANIFEST_DIR"), "hello.js"), &[]);
    run.assert_success();
    assert_eq!(run.lines(), ["js-sdk 6.12.1"]);
}
