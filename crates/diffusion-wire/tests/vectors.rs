//! Every frame captured between the official SDKs and the recorder decodes into typed
//! values and re-encodes byte for byte.
//!
//! The vectors are copied from `shared/diffusion-protocol/vectors/`: the c2s frames are
//! exactly what the official Python and JavaScript SDKs sent.

use std::collections::HashMap;

use bytes::Bytes;
use diffusion_wire::connection::{ConnectionRequest, ConnectionResponse, ResponseCode};
use diffusion_wire::service::{self, Payload};
use diffusion_wire::{delta, ErrorReason, Message, TopicType, Value};
use serde_json::json;

fn unhex(s: &str) -> Bytes {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .into()
}

fn load(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["frames"].as_array().unwrap().clone()
}

/// Decodes a service payload by service and direction, re-encodes it, and returns a
/// readable form for assertions.
fn roundtrip_request(service: i32, payload: &[u8]) -> String {
    fn rt<P: Payload + std::fmt::Debug>(payload: &[u8]) -> String {
        let p =
            P::decode(payload).unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<P>()));
        assert_eq!(&p.encode()[..], payload, "{p:?} re-encodes differently");
        format!("{p:?}")
    }
    match service {
        service::TOPIC_ADD => rt::<service::TopicAddRequest>(payload),
        service::SET_TOPIC => rt::<service::SetTopicRequest>(payload),
        service::ADD_AND_SET_TOPIC => rt::<service::AddAndSetRequest>(payload),
        service::SUBSCRIBE | service::UNSUBSCRIBE => rt::<service::TopicSelection>(payload),
        service::TOPIC_REMOVAL => rt::<service::SelectorRequest>(payload),
        service::NOTIFY_SUBSCRIPTION => rt::<service::NotifySubscription>(payload),
        service::NOTIFY_UNSUBSCRIPTION => rt::<service::NotifyUnsubscription>(payload),
        other => panic!("no payload type for service {other}"),
    }
}

fn roundtrip_response(service: i32, payload: &[u8]) {
    match service {
        service::TOPIC_ADD | service::ADD_AND_SET_TOPIC => {
            let r = service::AddTopicResult::decode(payload).unwrap();
            assert_eq!(&r.encode()[..], payload);
        }
        service::TOPIC_REMOVAL => {
            let r = service::RemovalCount::decode(payload).unwrap();
            assert_eq!(&r.encode()[..], payload);
        }
        _ => assert!(
            payload.is_empty(),
            "service {service} answers with no payload"
        ),
    }
}

/// Walks a capture: checks every frame and returns what it saw, for per-SDK assertions.
fn walk(frames: &[serde_json::Value]) -> Vec<String> {
    let mut seen = Vec::new();
    // Conversation id -> service, per direction of the request.
    let mut c2s_requests: HashMap<i64, i32> = HashMap::new();
    let mut s2c_requests: HashMap<i64, i32> = HashMap::new();
    let mut values: HashMap<i32, Bytes> = HashMap::new();
    let mut types: HashMap<i32, TopicType> = HashMap::new();
    for f in frames {
        let dir = f["dir"].as_str().unwrap();
        if dir == "c2s-http" {
            let path = f["path"].as_str().unwrap();
            let query: Vec<(String, String)> = path
                .split_once('?')
                .map(|(_, q)| {
                    q.split('&')
                        .map(|kv| {
                            let (k, v) = kv.split_once('=').unwrap();
                            (k.to_owned(), percent_decode(v))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let headers = f["headers"].as_object().unwrap();
            let params = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                .chain(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let req = ConnectionRequest::from_params(params).unwrap();
            assert_eq!(req.principal, "admin");
            seen.push(format!("connect v{} {:?}", req.version, req.credentials));
            continue;
        }
        let bytes = unhex(f["hex"].as_str().unwrap());
        if let Some(what) = f.get("what") {
            let resp = ConnectionResponse::decode(&bytes).unwrap();
            assert_eq!(resp.encode(), bytes, "{what}");
            seen.push(format!("{:?}", resp.code));
            continue;
        }
        let msg = Message::decode(&bytes).unwrap();
        assert_eq!(msg.encode(), bytes, "{msg:?} re-encodes differently");
        let (mine, theirs) = if dir == "c2s" {
            (&mut c2s_requests, &mut s2c_requests)
        } else {
            (&mut s2c_requests, &mut c2s_requests)
        };
        match msg {
            Message::ServiceRequest {
                service,
                cid,
                payload,
            } => {
                mine.insert(cid, service);
                let text = roundtrip_request(service, &payload);
                if service == service::NOTIFY_SUBSCRIPTION {
                    let n = service::NotifySubscription::decode(&payload).unwrap();
                    types.insert(n.topic_id, n.specification.topic_type);
                }
                seen.push(format!("{dir} {} {text}", service::name(service)));
            }
            Message::ServiceResponse { cid, payload } => {
                let service = *theirs
                    .get(&cid)
                    .unwrap_or_else(|| panic!("response to unknown conversation {cid}"));
                roundtrip_response(service, &payload);
                seen.push(format!("{dir} response {}", service::name(service)));
            }
            Message::TopicValue { topic_id, value } => {
                let v = Value::decode(types[&topic_id], &value).unwrap();
                values.insert(topic_id, value);
                seen.push(format!("value {}", v.to_json()));
            }
            Message::TopicDelta { topic_id, delta } => {
                let new = delta::apply(&values[&topic_id], &delta).unwrap();
                let v = Value::decode(types[&topic_id], &new).unwrap();
                seen.push(format!("delta {}", v.to_json()));
            }
            other => seen.push(format!("{dir} {other:?}")),
        }
    }
    seen
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn python_sdk_frames_roundtrip() {
    let seen = walk(&load("python-sdk-6.12.2.json"));
    let text = seen.join("\n");
    assert!(
        text.contains("connect v25 Credentials::Password(***)"),
        "{text}"
    );
    assert!(text
        .contains(r#"path: "kafka/price", specification: TopicSpecification { topic_type: Json"#));
    assert!(text.contains(&format!("{:?}", ResponseCode::AuthenticationFailed)));
    assert!(text.contains(r#"value {"bid":1.5,"sym":"ABC"}"#), "{text}");
    assert!(text.contains(r#"delta {"bid":2.5,"sym":"ABC"}"#), "{text}");
    assert!(text.contains("reason: Removal"));
    assert!(text.contains(r#"TOPIC_REMOVAL SelectorRequest(">kafka/s")"#));
    // The second connection carried the wrong password.
    assert!(seen.iter().filter(|s| s.starts_with("connect v25")).count() == 2);
}

#[test]
fn javascript_sdk_frames_roundtrip() {
    let seen = walk(&load("js-sdk-6.12.1.json"));
    let text = seen.join("\n");
    assert!(
        text.contains("connect v29 Credentials::Password(***)"),
        "{text}"
    );
    assert!(text.contains("c2s SET_TOPIC"));
    assert!(text.contains("CloseRequest"));
}

#[test]
fn sdk_values_decode_to_json() {
    // The Python SDK's set of {"bid": 1.5, "ask": 1.6, "sym": "ABC"} on a JSON topic.
    let set = unhex("0b6b61666b612f70726963650f1ebf63626964f93e006361736bfb3ff999999999999a6373796d63414243ff00");
    let req = service::SetTopicRequest::decode(&set).unwrap();
    assert_eq!(req.topic_type, TopicType::Json);
    assert_eq!(
        Value::decode(TopicType::Json, &req.value)
            .unwrap()
            .to_json(),
        json!({"bid": 1.5, "ask": 1.6, "sym": "ABC"})
    );
}

/// SERVICE_ERROR frames from the SDK sessions in `shared/diffusion-protocol/vectors/`, copied
/// byte for byte from each frame's `hex`: SPEC.md §4.2's layout (cid, description, code and
/// nothing after), which both official SDKs accepted. (file, seq, hex, cid, code.)
const SDK_SESSION_SERVICE_ERRORS: [(&str, u64, &str, i64, i32); 4] = [
    (
        "python-6.12.2-session.json",
        58,
        "0711544120746f70696320636f756c64206e6f742062652061646465642062656361757365206f6e6520616c7265616479206578697374732077697468206120646966666572656e742073706563696669636174696f6eac46",
        17,
        ErrorReason::TOPIC_EXISTS_MISMATCH,
    ),
    (
        "python-6.12.2-session.json",
        60,
        "0712124e6f20746f7069632077617320666f756e64a846",
        18,
        ErrorReason::NO_SUCH_TOPIC,
    ),
    (
        "js-6.12.1-session.json",
        61,
        "0712544120746f70696320636f756c64206e6f742062652061646465642062656361757365206f6e6520616c7265616479206578697374732077697468206120646966666572656e742073706563696669636174696f6eac46",
        18,
        ErrorReason::TOPIC_EXISTS_MISMATCH,
    ),
    (
        "js-6.12.1-session.json",
        63,
        "0713124e6f20746f7069632077617320666f756e64a846",
        19,
        ErrorReason::NO_SUCH_TOPIC,
    ),
];

#[test]
fn sdk_session_service_errors_decode_as_our_layout_does() {
    for (file, seq, hex, cid, code) in SDK_SESSION_SERVICE_ERRORS {
        let text = match code {
            ErrorReason::NO_SUCH_TOPIC => "No topic was found",
            _ => "A topic could not be added because one already exists with a different specification",
        };
        let recorded = unhex(hex);
        // The same error as our server writes it: the description again after the code.
        let ours = Message::ServiceError {
            cid,
            message: text.into(),
            reason: ErrorReason::new(code, text),
        };
        let ours_bytes = ours.encode();
        assert_eq!(
            ours_bytes[..recorded.len()],
            recorded[..],
            "{file} seq {seq}: our layout starts with the recorded one"
        );
        assert!(ours_bytes.len() > recorded.len(), "{file} seq {seq}");
        assert_eq!(Message::decode(&ours_bytes).unwrap(), ours);
        assert_eq!(
            Message::decode(&recorded).unwrap_or_else(|e| panic!("{file} seq {seq}: {e}")),
            ours,
            "{file} seq {seq}"
        );
    }
}

/// Time series frames recorded between each official SDK and the embedded server (see
/// `diffusion-server/tests/sdk_time_series.rs`): the requests are what the SDKs sent, the
/// answers and events what they accepted and decoded as expected. Each decodes into its
/// typed form and re-encodes byte for byte.
#[test]
fn time_series_frames_from_both_sdks() {
    use diffusion_wire::timeseries as ts;
    fn rt<P: Payload + PartialEq + std::fmt::Debug>(payload: &[u8]) -> P {
        let p =
            P::decode(payload).unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<P>()));
        assert_eq!(&p.encode()[..], payload, "{p:?} re-encodes differently");
        p
    }
    for file in [
        "python-6.12.2-time-series.json",
        "js-6.12.1-time-series.json",
    ] {
        let frames = load(file);
        let mut kinds = std::collections::HashSet::new();
        for f in &frames {
            let what = f["what"].as_str().unwrap();
            let bytes = unhex(f["hex"].as_str().unwrap());
            let msg = Message::decode(&bytes).unwrap();
            assert_eq!(msg.encode(), bytes, "{file} {what}");
            match (what, msg) {
                ("TOPIC_ADD", Message::ServiceRequest { payload, .. }) => {
                    let r: service::TopicAddRequest = rt(&payload);
                    if r.specification.topic_type == TopicType::TimeSeries {
                        assert!(r.specification.event_type().is_some(), "{r:?}");
                    }
                }
                ("TIME_SERIES_APPEND", Message::ServiceRequest { payload, .. }) => {
                    rt::<ts::AppendRequest>(&payload);
                }
                ("TIME_SERIES_EDIT", Message::ServiceRequest { payload, .. }) => {
                    rt::<ts::EditRequest>(&payload);
                }
                ("TIME_SERIES_TIMESTAMP_APPEND", Message::ServiceRequest { payload, .. }) => {
                    let r: ts::TimestampAppendRequest = rt(&payload);
                    assert!(r.timestamp_ms > 1_700_000_000_000, "{r:?}");
                }
                ("RANGE_QUERY", Message::ServiceRequest { payload, .. }) => {
                    let q: ts::RangeQueryRequest = rt(&payload);
                    assert!(q.limit > 0);
                }
                ("NOTIFY_SUBSCRIPTION", Message::ServiceRequest { payload, .. }) => {
                    let n: service::NotifySubscription = rt(&payload);
                    assert_eq!(n.specification.event_type(), Some(TopicType::Json));
                }
                ("TOPIC_VALUE", Message::TopicValue { value, .. }) => {
                    let e = ts::RawEvent::decode_topic_value(&value).unwrap();
                    assert_eq!(e.encode_topic_value(), value);
                    e.decode_value(TopicType::Json).unwrap();
                }
                (
                    "TIME_SERIES_APPEND answer"
                    | "TIME_SERIES_TIMESTAMP_APPEND answer"
                    | "TIME_SERIES_EDIT answer",
                    Message::ServiceResponse { payload, .. },
                ) => {
                    let m: diffusion_wire::EventMetadata = rt(&payload);
                    assert_eq!(m.author, "admin");
                }
                ("RANGE_QUERY answer", Message::ServiceResponse { payload, .. }) => {
                    let r: ts::RangeQueryResult = rt(&payload);
                    assert!(r.selected_count >= r.events.len() as u64);
                }
                (
                    "TIME_SERIES_APPEND answer" | "TIME_SERIES_EDIT answer",
                    Message::ServiceError { reason, .. },
                ) => {
                    assert!(
                        [
                            ErrorReason::NOT_A_TIME_SERIES_TOPIC,
                            ErrorReason::NO_SUCH_EVENT
                        ]
                        .contains(&reason.code),
                        "{reason}"
                    );
                }
                (what, msg) => panic!("{file}: unexpected {what}: {msg:?}"),
            }
            kinds.insert(what.to_owned());
        }
        assert!(kinds.len() >= 11, "{file}: {kinds:?}");
    }
}

/// The range query requests exactly as each SDK builds them: the default query, and
/// `from(1).next(2)`. A point is an int64 value then a type byte; JavaScript's default
/// limit is 2^53 - 1, Python's 2^63 - 1.
#[test]
fn range_query_requests_as_the_sdks_build_them() {
    use diffusion_wire::timeseries::{Point, PointType, QueryType, Range, RangeQueryRequest};
    let find = |file: &str, n: usize| -> RangeQueryRequest {
        let f = load(file)
            .into_iter()
            .filter(|f| f["what"] == "RANGE_QUERY")
            .nth(n)
            .unwrap();
        match Message::decode(&unhex(f["hex"].as_str().unwrap())).unwrap() {
            Message::ServiceRequest { payload, .. } => RangeQueryRequest::decode(&payload).unwrap(),
            other => panic!("{other:?}"),
        }
    };
    for (file, limit) in [
        ("python-6.12.2-time-series.json", i64::MAX),
        ("js-6.12.1-time-series.json", (1 << 53) - 1),
    ] {
        let all = find(file, 0);
        assert_eq!(all.query_type, QueryType::Values);
        assert_eq!(
            (all.view_range, all.edit_range, all.limit),
            (Range::ALL, Range::ALL, limit)
        );
        let next = find(file, 1);
        assert_eq!(
            next.view_range,
            Range {
                anchor: Point {
                    value: 1,
                    kind: PointType::AbsoluteSequence
                },
                span: Point {
                    value: 2,
                    kind: PointType::NextCount
                },
            }
        );
        assert_eq!(find(file, 3).query_type, QueryType::AllEdits);
        assert_eq!(find(file, 4).limit, 2);
        // from(time): an absolute time anchor, in ms since the epoch.
        let from_time = find(file, 5).view_range.anchor;
        assert_eq!(from_time.kind, PointType::AbsoluteTime);
        assert!(from_time.value > 1_700_000_000_000);
        // fromStart().to(2) and fromLast(2).
        assert_eq!(
            find(file, 6).view_range,
            Range {
                anchor: Point::START,
                span: Point {
                    value: 2,
                    kind: PointType::AbsoluteSequence
                },
            }
        );
        assert_eq!(
            find(file, 7).view_range,
            Range {
                anchor: Point {
                    value: 2,
                    kind: PointType::OffsetSequence
                },
                span: Point::END,
            }
        );
    }
}
