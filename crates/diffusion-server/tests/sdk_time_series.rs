//! The official SDKs' time series features, as independent clients, against the embedded
//! server: appends of JSON and string events, an edit, range queries (from a sequence, for a
//! count, with a limit, edits unmerged), a value stream receiving the subscription range and
//! then each event in order, and the errors for a non-time-series topic and an unknown
//! event. Both SDK programs print the same lines (see `tests/sdk/time_series.py`).
//!
//! The session runs through a recording proxy: every time series request the SDK sent must
//! decode with our codec and re-encode byte for byte. Set `TS_VECTORS_OUT` to a file to
//! write the recorded frames there (how `diffusion-wire/tests/vectors/` got them).

use diffusion_server::{Server, ServerConfig};
use diffusion_wire::service::{self, Payload};
use diffusion_wire::timeseries as ts;
use diffusion_wire::Message;
use test_support::proxy::{Recorded, RecordingProxy};
use test_support::{sdk, unique_name};

/// `errors`: how the SDK reports the append to a JSON topic and the edit of an unknown
/// event (Python raises typed errors, JS rejects with the reason).
fn check(lines: &[String], p: &str, errors: [&str; 2]) {
    let all = lines.join("\n");
    let (j, s) = (format!("{p}/json"), format!("{p}/str"));
    let expected = [
        format!("append {j} 0 admin"),
        format!("append {j} 1 admin"),
        format!("append {j} 2 admin"),
        format!("append {j} 3 admin"),
        format!("edit {j} 4 1"),
        format!("append {s} 0 admin"),
        format!("append {s} 1 admin"),
        format!("append-at {s} 2 True"),
        // Values: the edit replaces its original, in original order.
        r#"query all 0={"n":0},4/1={"n":"one"},2={"n":2},3={"n":3} 4 True"#.to_owned(),
        r#"query from1next2 4/1={"n":"one"},2={"n":2} 2 True"#.to_owned(),
        r#"query from3 3={"n":3} 1 True"#.to_owned(),
        // Edits unmerged, in sequence order.
        r#"query edits 0={"n":0},1={"n":1},2={"n":2},3={"n":3},4/1={"n":"one"} 5 True"#.to_owned(),
        r#"query limit2 0={"n":0},4/1={"n":"one"} 4 False"#.to_owned(),
        // From the third append's time (original 1, edited later, is before it), from the
        // start to sequence 2, and the last two originals.
        r#"query fromtime3 3={"n":3} 1 True"#.to_owned(),
        r#"query to2 0={"n":0},4/1={"n":"one"},2={"n":2} 3 True"#.to_owned(),
        r#"query fromlast2 2={"n":2},3={"n":3} 2 True"#.to_owned(),
        r#"query str 0="s0",1="s1",2="s2" 3 True"#.to_owned(),
        format!("error append-json-topic {}", errors[0]),
        format!("error edit-unknown {}", errors[1]),
        // The subscription range (limit 2), then each new event in order.
        format!(r#"ev {j} 1 - {{"n":1}}"#),
        format!(r#"ev {j} 2 - {{"n":2}}"#),
        format!(r#"ev {j} 3 - {{"n":3}}"#),
        format!(r#"ev {j} 4 1 {{"n":"one"}}"#),
    ];
    assert_eq!(lines, expected, "\n{all}");
}

/// Every time series request decodes and re-encodes exactly; returns the recorded frames
/// as (direction, service or message name, hex) for the vectors file.
fn check_frames(recorded: &[Recorded]) -> Vec<serde_json::Value> {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut out = Vec::new();
    let mut requests = std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for r in recorded {
        let (dir, conn, bytes) = match r {
            Recorded::ClientToServer { conn, bytes } => ("c2s", conn, bytes),
            Recorded::ServerToClient { conn, bytes } => ("s2c", conn, bytes),
            Recorded::Handshake { .. } => continue,
        };
        let Ok(msg) = Message::decode(&bytes.clone().into()) else {
            continue; // the connection response
        };
        let name = match (&msg, dir) {
            (
                Message::ServiceRequest {
                    service,
                    cid,
                    payload,
                },
                "c2s",
            ) => {
                requests.insert((*conn, *cid), *service);
                fn rt<P: Payload + PartialEq + std::fmt::Debug>(payload: &[u8]) {
                    let p = P::decode(payload).unwrap_or_else(|e| panic!("{e}: {payload:02x?}"));
                    assert_eq!(&p.encode()[..], payload, "{p:?}");
                }
                match *service {
                    service::TIME_SERIES_APPEND => rt::<ts::AppendRequest>(payload),
                    service::TIME_SERIES_TIMESTAMP_APPEND => {
                        rt::<ts::TimestampAppendRequest>(payload)
                    }
                    service::TIME_SERIES_EDIT => rt::<ts::EditRequest>(payload),
                    service::RANGE_QUERY => rt::<ts::RangeQueryRequest>(payload),
                    _ => {}
                }
                service::name(*service).to_owned()
            }
            (Message::ServiceResponse { cid, .. }, "s2c")
            | (Message::ServiceError { cid, .. }, "s2c") => match requests.get(&(*conn, *cid)) {
                Some(s) => format!("{} answer", service::name(*s)),
                None => continue,
            },
            (
                Message::ServiceRequest {
                    service, payload, ..
                },
                "s2c",
            ) if *service == service::NOTIFY_SUBSCRIPTION => {
                let n = service::NotifySubscription::decode(payload).unwrap();
                if n.specification.topic_type != diffusion_wire::TopicType::TimeSeries {
                    continue;
                }
                "NOTIFY_SUBSCRIPTION".to_owned()
            }
            (Message::TopicValue { value, .. }, "s2c") => {
                ts::RawEvent::decode_topic_value(value).expect("a time series event");
                "TOPIC_VALUE".to_owned()
            }
            _ => continue,
        };
        let time_series = name.starts_with("TIME_SERIES")
            || name.starts_with("RANGE_QUERY")
            || name == "NOTIFY_SUBSCRIPTION"
            || name == "TOPIC_VALUE"
            || name == "TOPIC_ADD";
        if time_series && seen.insert((dir, name.clone(), hex(bytes))) {
            out.push(serde_json::json!({"dir": dir, "what": name, "hex": hex(bytes)}));
        }
    }
    for want in [
        "TIME_SERIES_APPEND",
        "TIME_SERIES_EDIT",
        "RANGE_QUERY",
        "TOPIC_VALUE",
    ] {
        assert!(out.iter().any(|f| f["what"] == want), "no {want} recorded");
    }
    out
}

async fn run(
    sdk_name: &str,
    errors: [&str; 2],
    run: impl FnOnce(String, String) -> sdk::SdkRun + Send + 'static,
) {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let proxy = RecordingProxy::start(server.local_addr()).await;
    let p = unique_name("ts");
    let (url, prefix) = (proxy.url(), p.clone());
    let done = tokio::task::spawn_blocking(move || run(url, prefix))
        .await
        .unwrap();
    done.assert_success();
    check(&done.lines(), &p, errors);
    let frames = check_frames(&proxy.take());
    if let Ok(path) = std::env::var("TS_VECTORS_OUT") {
        let doc = serde_json::json!({"sdk": sdk_name, "prefix": p, "frames": frames});
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn official_python_sdk_time_series() {
    let errors = ["IncompatibleTopicError", "NoSuchEventError"];
    run("python-6.12.2", errors, |url, p| {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "time_series.py"),
            &[&url, &p],
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn official_javascript_sdk_time_series() {
    run("js-6.12.1", ["9001", "9002"], |url, p| {
        sdk::node(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "time_series.js"),
            &[&url, &p],
        )
    })
    .await;
}
