//! The official Diffusion Java SDK, as an independent client, against the embedded server:
//! `scripts/java-sdk/DiffusionJavaCheck.java` (compiled by `scripts/setup.sh` against the
//! SDK from Maven Central) prints one line per fact it observed, and each test compares the
//! whole list.
//!
//! - conformance: a wrong password refused; topics of each type added (and an existing one);
//!   values set; two sessions subscribed by path, pattern and selector set (one before the
//!   topics existed) receiving the initial values and then every update in order, deltas
//!   applied by the SDK; removal with unsubscription; a fetch (refused: the embedded server
//!   has no fetch service); 100 topics x 100 updates complete and in order.
//! - time series: appends (one with the caller's timestamp), an edit, range queries, a time
//!   series stream receiving the subscription range and then each new event in order, and
//!   the errors for an append to a JSON topic and an edit of an unknown event.
//!
//! The time series test runs through a recording proxy: it also checks the protocol version
//! the SDK asked for in its WebSocket upgrade (28), and that every time series request it
//! sent decodes with our codec and re-encodes byte for byte.

use diffusion_server::{Server, ServerConfig, ServerHandle};
use diffusion_wire::service::{self, Payload};
use diffusion_wire::timeseries as ts;
use diffusion_wire::Message;
use test_support::proxy::{Recorded, RecordingProxy};
use test_support::{sdk, unique_name};

/// The protocol version the Java SDK 6.11.5 (`JAVA_SDK_VERSION` in `scripts/setup.sh`) asks
/// for, in its upgrade request's `v` header; its client type (`ty`) is `WJ`.
const JAVA_PROTOCOL: &str = "28";

async fn server() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// Runs the Java program in `mode` against `url` and returns the lines it printed.
async fn run_java(mode: &'static str, url: String, p: &str) -> Vec<String> {
    let prefix = p.to_owned();
    let done = tokio::task::spawn_blocking(move || sdk::java(mode, &[&url, &prefix]))
        .await
        .unwrap();
    done.assert_success();
    done.lines()
}

#[tokio::test(flavor = "multi_thread")]
async fn official_java_sdk() {
    let server = server().await;
    let p = unique_name("java");
    let lines = run_java("conformance", server.url(), &p).await;
    let expected = [
        "auth AuthenticationException".to_owned(),
        // Adding an existing topic with the same specification is not an error.
        format!("add {p}/json CREATED"),
        format!("add {p}/json EXISTS"),
        format!("add {p}/string CREATED"),
        format!("add {p}/int CREATED"),
        format!("add {p}/double CREATED"),
        format!("add {p}/binary CREATED"),
        "removed 2".to_owned(),
        // The embedded server has no fetch service: the SDK reports the refusal.
        "fetch refused SessionException".to_owned(),
    ]
    .into_iter()
    // 100 topics x 100 updates: every value received, in order.
    .chain((0..100).map(|i| format!("load {p}/load/{i} 100 true")))
    .chain([
        // Per session, then per topic: the subscription, every value in order, and the
        // unsubscription of the removed topics. a subscribed with `?p/.*//` before the
        // topics existed; b by path, full-path pattern and selector set after the first
        // JSON value was set, so int, double and binary are not b's.
        format!("a sub {p}/binary BINARY"),
        format!(r#"a val {p}/binary "raw""#),
        format!("a sub {p}/double DOUBLE"),
        format!("a val {p}/double 2.5"),
        format!("a unsub {p}/double REMOVAL"),
        format!("a sub {p}/int INT64"),
        format!("a val {p}/int 42"),
        format!("a unsub {p}/int REMOVAL"),
        format!("a sub {p}/json JSON"),
        format!(r#"a val {p}/json {{"bid":1.5,"sym":"ABC"}}"#),
        format!(r#"a val {p}/json {{"bid":2.5,"sym":"ABC"}}"#),
        format!(r#"a val {p}/json {{"bid":3.5,"sym":"ABC"}}"#),
        format!("a sub {p}/string STRING"),
        format!(r#"a val {p}/string "hello""#),
        format!(r#"a val {p}/string "world""#),
        format!("b sub {p}/json JSON"),
        format!(r#"b val {p}/json {{"bid":1.5,"sym":"ABC"}}"#),
        format!(r#"b val {p}/json {{"bid":2.5,"sym":"ABC"}}"#),
        format!(r#"b val {p}/json {{"bid":3.5,"sym":"ABC"}}"#),
        format!("b sub {p}/string STRING"),
        format!(r#"b val {p}/string "hello""#),
        format!(r#"b val {p}/string "world""#),
    ])
    .collect::<Vec<_>>();
    assert_eq!(lines, expected, "\n{}", lines.join("\n"));
    let stats = server.stats();
    // The SDK applied the server's deltas: the values above are right only if it did.
    assert!(stats.deltas_sent > 0, "{stats:?}");
    assert_eq!(stats.slow_sessions_closed, 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn official_java_sdk_time_series() {
    let server = server().await;
    let p = unique_name("java-ts");
    let proxy = RecordingProxy::start(server.local_addr()).await;
    let lines = run_java("time-series", proxy.url(), &p).await;
    let (j, s) = (format!("{p}/json"), format!("{p}/str"));
    let expected = [
        format!("append {j} 0 admin"),
        format!("append {j} 1 admin"),
        format!("append {j} 2 admin"),
        format!("append {j} 3 admin"),
        format!("edit {j} 4 1"),
        format!("append {s} 0 admin"),
        format!("append {s} 1 admin"),
        // Appended with the caller's timestamp, which the event keeps.
        format!("append-at {s} 2 true"),
        // Values: the edit replaces its original, in original order.
        r#"query all 0={"n":0},4/1={"n":"one"},2={"n":2},3={"n":3} 4 true"#.to_owned(),
        r#"query fromstart 0={"n":0},4/1={"n":"one"},2={"n":2},3={"n":3} 4 true"#.to_owned(),
        r#"query from1next2 4/1={"n":"one"},2={"n":2} 2 true"#.to_owned(),
        r#"query from3 3={"n":3} 1 true"#.to_owned(),
        // Edits unmerged, in sequence order.
        r#"query edits 0={"n":0},1={"n":1},2={"n":2},3={"n":3},4/1={"n":"one"} 5 true"#.to_owned(),
        r#"query limit2 0={"n":0},4/1={"n":"one"} 4 false"#.to_owned(),
        // From the fourth append's time (original 1, edited later, is before it), from the
        // start to sequence 2, and the last two originals.
        r#"query fromtime3 3={"n":3} 1 true"#.to_owned(),
        r#"query to2 0={"n":0},4/1={"n":"one"},2={"n":2} 3 true"#.to_owned(),
        r#"query fromlast2 2={"n":2},3={"n":3} 2 true"#.to_owned(),
        r#"query str 0="s0",1="s1",2="s2" 3 true"#.to_owned(),
        "error append-json-topic IncompatibleTopicException".to_owned(),
        "error edit-unknown NoSuchEventException".to_owned(),
        // The subscription range (limit 2), then each new event in order.
        format!(r#"ev {j} 1 - {{"n":1}}"#),
        format!(r#"ev {j} 2 - {{"n":2}}"#),
        format!(r#"ev {j} 3 - {{"n":3}}"#),
        format!(r#"ev {j} 4 1 {{"n":"one"}}"#),
    ];
    assert_eq!(lines, expected, "\n{}", lines.join("\n"));
    check_frames(&proxy.take());
    server.shutdown().await;
}

/// Both connections asked for protocol 28 as a Java client; every time series request the
/// Java SDK sent decodes with our codec and re-encodes byte for byte, and every topic value the server sent on the time series topic decodes as an
/// event; each kind of request was seen.
fn check_frames(recorded: &[Recorded]) {
    fn round_trip<P: Payload + PartialEq + std::fmt::Debug>(payload: &[u8]) {
        let p = P::decode(payload).unwrap_or_else(|e| panic!("{e}: {payload:02x?}"));
        assert_eq!(&p.encode()[..], payload, "{p:?}");
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut series_ids = std::collections::HashSet::new();
    let mut connections = 0;
    for r in recorded {
        let (c2s, conn, bytes) = match r {
            Recorded::ClientToServer { conn, bytes } => (true, *conn, bytes),
            Recorded::ServerToClient { conn, bytes } => (false, *conn, bytes),
            Recorded::Handshake { headers, .. } => {
                let header = |name: &str| {
                    headers
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                };
                assert_eq!(header("v"), Some(JAVA_PROTOCOL), "{headers:?}");
                assert_eq!(header("ty"), Some("WJ"), "{headers:?}");
                connections += 1;
                continue;
            }
        };
        let Ok(msg) = Message::decode(&bytes.clone().into()) else {
            continue; // the connection response
        };
        match msg {
            Message::ServiceRequest {
                service, payload, ..
            } if c2s => {
                match service {
                    service::TIME_SERIES_APPEND => round_trip::<ts::AppendRequest>(&payload),
                    service::TIME_SERIES_TIMESTAMP_APPEND => {
                        round_trip::<ts::TimestampAppendRequest>(&payload)
                    }
                    service::TIME_SERIES_EDIT => round_trip::<ts::EditRequest>(&payload),
                    service::RANGE_QUERY => round_trip::<ts::RangeQueryRequest>(&payload),
                    _ => continue,
                }
                seen.insert(service::name(service));
            }
            Message::ServiceRequest {
                service, payload, ..
            } if service == service::NOTIFY_SUBSCRIPTION => {
                let n = service::NotifySubscription::decode(&payload).unwrap();
                if n.specification.topic_type == diffusion_wire::TopicType::TimeSeries {
                    series_ids.insert((conn, n.topic_id));
                    seen.insert("NOTIFY_SUBSCRIPTION");
                }
            }
            Message::TopicValue { topic_id, value } if series_ids.contains(&(conn, topic_id)) => {
                ts::RawEvent::decode_topic_value(&value).expect("a time series event");
                seen.insert("TOPIC_VALUE");
            }
            _ => {}
        }
    }
    assert_eq!(connections, 2, "sessions a and b");
    let seen: Vec<&str> = seen.into_iter().collect();
    assert_eq!(
        seen,
        [
            "NOTIFY_SUBSCRIPTION",
            "RANGE_QUERY",
            "TIME_SERIES_APPEND",
            "TIME_SERIES_EDIT",
            "TIME_SERIES_TIMESTAMP_APPEND",
            "TOPIC_VALUE"
        ]
    );
}
