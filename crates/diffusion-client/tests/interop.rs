//! Our client and the official SDKs, through the embedded server, each way: what the Rust
//! client publishes reaches the SDKs, and what the SDKs publish (arriving as JSON deltas)
//! reaches the Rust client, complete and in order.

use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig};
use serde_json::json;
use test_support::{sdk, unique_name};

async fn next(events: &mut tokio::sync::mpsc::Receiver<TopicEvent>) -> TopicEvent {
    tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .expect("event in time")
        .expect("open")
}

async fn interop(peer: &'static str, run: fn(String, String) -> sdk::SdkRun) {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let p = unique_name("interop");
    let s = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = s.take_events().unwrap();
    s.subscribe(&format!(">{p}/ready")).await.unwrap();
    s.subscribe(&format!("?{p}/py/")).await.unwrap();
    let (url, prefix) = (server.url(), p.clone());
    let sdk_run = tokio::task::spawn_blocking(move || run(url, prefix));

    // The SDK has subscribed once it sets the ready topic.
    loop {
        if let TopicEvent::Value { path, value, .. } = next(&mut events).await {
            assert_eq!(*path, format!("{p}/ready"));
            assert_eq!(value, Value::String(peer.into()));
            break;
        }
    }
    let mut expected_by_sdk = Vec::new();
    for (name, v) in [
        ("string", Value::String("from rust".into())),
        ("int", Value::Int64(-42)),
        ("double", Value::Double(1.25)),
        ("binary", Value::Binary(bytes::Bytes::from_static(b"bytes"))),
    ] {
        let path = format!("{p}/rs/{name}");
        s.add_and_set(&path, TopicSpecification::new(v.topic_type()), &v)
            .await
            .unwrap();
        expected_by_sdk.push(format!(
            "val {path} {}",
            match &v {
                Value::Binary(_) => "\"bytes\"".to_owned(),
                other => other.to_json().to_string(),
            }
        ));
    }
    for n in 0..20 {
        let v = json!({"n": n, "pad": "r".repeat(300)});
        s.add_and_set(
            &format!("{p}/rs/json"),
            TopicSpecification::new(TopicType::Json),
            &Value::Json(v.clone()),
        )
        .await
        .unwrap();
        expected_by_sdk.push(format!(
            "val {p}/rs/json {}",
            serde_json::to_string(&v).unwrap()
        ));
    }

    // What the SDK published, in order, deltas applied by our client.
    let mut got = Vec::new();
    while got.len() < 21 {
        match next(&mut events).await {
            TopicEvent::Value { path, value, .. } => got.push((path.to_string(), value)),
            TopicEvent::Subscribed { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    for (n, (path, value)) in got.iter().take(20).enumerate() {
        assert_eq!(path, &format!("{p}/py/json"));
        assert_eq!(value, &Value::Json(json!({"n": n, "pad": "p".repeat(300)})));
    }
    assert_eq!(
        got[20],
        (
            format!("{p}/py/string"),
            Value::String(format!("from {peer}"))
        )
    );
    assert!(server.stats().deltas_sent >= 19, "{:?}", server.stats());

    let run = sdk_run.await.unwrap();
    run.assert_success();
    let seen: Vec<String> = run
        .lines()
        .into_iter()
        .map(|l| {
            // Both SDKs sort keys; normalise spacing through serde_json.
            let mut parts = l.splitn(3, ' ');
            let (kind, path, value) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            format!(
                "{kind} {path} {}",
                serde_json::from_str::<serde_json::Value>(value).unwrap()
            )
        })
        .collect();
    // Values per topic arrive in order; the interleaving across topics is free.
    for topic in ["string", "int", "double", "binary", "json"] {
        let key = format!("val {p}/rs/{topic} ");
        let want: Vec<&String> = expected_by_sdk
            .iter()
            .filter(|l| l.starts_with(&key))
            .collect();
        let have: Vec<&String> = seen.iter().filter(|l| l.starts_with(&key)).collect();
        assert_eq!(have, want, "{peer} SDK, topic {topic}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_official_python_sdk() {
    interop("python", |url, p| {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "interop.py"),
            &[&url, &p],
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_official_javascript_sdk() {
    interop("javascript", |url, p| {
        sdk::node(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "interop.js"),
            &[&url, &p],
        )
    })
    .await;
}
