//! Our client sends what the official Python SDK sends. Both perform the connectors'
//! operations through a recording proxy in front of the embedded server; the frames must be
//! equal but for what legitimately varies (conversation ids, the `$Environment` session
//! property, and the order in which notification answers interleave with requests).

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig};
use diffusion_wire::Message;
use serde_json::json;
use test_support::proxy::{Recorded, RecordingProxy};
use test_support::{sdk, unique_name};

/// A client's side of one connection: its handshake parameters and its frames, with
/// conversation ids replaced by their order of appearance.
#[derive(Debug, PartialEq)]
struct Wire {
    params: Vec<(String, String)>,
    requests: Vec<String>,
    answers: Vec<String>,
}

fn wire(log: Vec<Recorded>, prefix: &str) -> Wire {
    let mut params = Vec::new();
    let mut requests = Vec::new();
    let mut answers = Vec::new();
    for r in log {
        match r {
            Recorded::Handshake { headers, .. } => {
                for (k, v) in headers {
                    match k.as_str() {
                        "v" | "ca" | "username" | "r" | "password" | "ty" => params.push((k, v)),
                        // The environment names the client; the form must match.
                        "sp" => params.push((k, v.split(',').next().unwrap().to_owned())),
                        _ => {}
                    }
                }
            }
            Recorded::ClientToServer { bytes, .. } => {
                let shown = match Message::decode(&bytes.into()).expect("client frames decode") {
                    Message::ServiceRequest {
                        service, payload, ..
                    } => format!("request {service} {}", hex(&payload))
                        .replace(&hex(prefix.as_bytes()), "<prefix>"),
                    Message::ServiceResponse { payload, .. } => format!("answer {}", hex(&payload)),
                    other => format!("{other:?}"),
                };
                if shown.starts_with("answer") {
                    answers.push(shown)
                } else {
                    requests.push(shown)
                }
            }
            Recorded::ServerToClient { .. } => {}
        }
    }
    params.sort();
    answers.sort();
    Wire {
        params,
        requests,
        answers,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn our_frames_equal_the_python_sdks() {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let proxy = RecordingProxy::start(server.local_addr()).await;

    // The same prefix length for both, so that length-prefixed paths compare equal.
    let py_prefix = unique_name("fpy");
    let rs_prefix = unique_name("frs");
    assert_eq!(py_prefix.len(), rs_prefix.len());
    let (url, p) = (proxy.url(), py_prefix.clone());
    let run = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "operations.py"),
            &[&url, &p],
        )
    })
    .await
    .unwrap();
    run.assert_success();
    assert_eq!(run.lines(), ["removed 1"]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let python = wire(proxy.take(), &py_prefix);

    let p = &rs_prefix;
    let s = Session::connect(&proxy.url(), "admin", "password", SessionOptions::default())
        .await
        .unwrap();
    let mut events = s.take_events().unwrap();
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    s.add_topic(
        &format!("{p}/price"),
        TopicSpecification::new(TopicType::Json),
    )
    .await
    .unwrap();
    s.set(
        &format!("{p}/price"),
        &Value::Json(json!({"bid": 1.5, "ask": 1.6, "sym": "ABC"})),
    )
    .await
    .unwrap();
    for v in [
        Value::String("hello".into()),
        Value::Int64(42),
        Value::Double(2.5),
    ] {
        let name = match v.topic_type() {
            TopicType::String => "s",
            TopicType::Int64 => "i",
            _ => "d",
        };
        s.add_and_set(
            &format!("{p}/{name}"),
            TopicSpecification::new(v.topic_type()),
            &v,
        )
        .await
        .unwrap();
    }
    let j = Value::Json(json!({"a": [1, {"b": null}], "n": -3}));
    s.add_and_set(
        &format!("{p}/j"),
        TopicSpecification::new(TopicType::Json),
        &j,
    )
    .await
    .unwrap();
    s.subscribe(&format!("?{p}/.*")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    s.unsubscribe(&format!("?{p}/.*")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(s.remove(&format!(">{p}/s")).await.unwrap(), 1);
    s.close().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let ours = wire(proxy.take(), &rs_prefix);

    assert_eq!(ours.params, python.params, "handshake parameters");
    assert_eq!(ours.requests, python.requests, "requests");
    assert_eq!(
        ours.answers, python.answers,
        "answers to the server's notifications"
    );
    // add, set, 4 x add-and-set, subscribe, unsubscribe, remove; and the notification
    // answers (subscription and unsubscription of 5 topics each).
    assert_eq!(python.requests.len(), 9, "{:#?}", python.requests);
    assert_eq!(python.answers.len(), 10, "{:#?}", python.answers);
}
