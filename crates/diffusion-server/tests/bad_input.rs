//! Bad input closes one session or gets an error response; the server keeps serving
//! everyone else. Driven over raw WebSockets so that the bytes are exactly what we choose.

use bytes::Bytes;
use diffusion_server::{Server, ServerConfig, ServerHandle};
use diffusion_wire::connection::{ConnectionResponse, ResponseCode};
use diffusion_wire::service::{self, Payload};
use diffusion_wire::{ErrorReason, Message, TopicSpecification, TopicType, Value};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Ws;

mod raw_session;

use raw_session::{open, Socket};

async fn server() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_message_size: 64 * 1024,
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

async fn next_message(ws: &mut Socket) -> Option<Message> {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
            .await
            .expect("server answered within 30 s")
        {
            Some(Ok(Ws::Binary(b))) => return Some(Message::decode(&b).unwrap()),
            Some(Ok(Ws::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

async fn request(ws: &mut Socket, service: i32, cid: i64, payload: Bytes) -> Message {
    ws.send(Ws::Binary(
        Message::ServiceRequest {
            service,
            cid,
            payload,
        }
        .encode(),
    ))
    .await
    .unwrap();
    next_message(ws).await.expect("a response, not a close")
}

fn error_code(m: &Message) -> i32 {
    match m {
        Message::ServiceError { reason, .. } => reason.code,
        other => panic!("expected a service error, got {other:?}"),
    }
}

/// A session that still works end to end: add-and-set, subscribe, receive the value.
async fn still_serves(server: &ServerHandle, path: &str) {
    let (mut ws, resp) = open(server, "password").await;
    assert_eq!(resp.code, ResponseCode::Ok);
    let value = Value::Json(serde_json::json!({"ok": true}))
        .encode()
        .unwrap();
    let add = service::AddAndSetRequest {
        path: path.into(),
        specification: TopicSpecification::new(TopicType::Json),
        value: value.clone(),
        constraint: service::UpdateConstraint::Unconstrained,
    };
    let r = request(&mut ws, service::ADD_AND_SET_TOPIC, 1, add.encode()).await;
    assert!(
        matches!(r, Message::ServiceResponse { cid: 1, .. }),
        "{r:?}"
    );
    let sub = service::TopicSelection {
        selector: format!(">{path}"),
        scope: None,
    };
    let r = request(&mut ws, service::SUBSCRIBE, 2, sub.encode()).await;
    assert!(
        matches!(r, Message::ServiceResponse { cid: 2, .. }),
        "{r:?}"
    );
    let Some(Message::ServiceRequest {
        service: service::NOTIFY_SUBSCRIPTION,
        ..
    }) = next_message(&mut ws).await
    else {
        panic!("no subscription notification")
    };
    let Some(Message::TopicValue { value: got, .. }) = next_message(&mut ws).await else {
        panic!("no value")
    };
    assert_eq!(got, value);
}

#[tokio::test]
async fn garbage_frames_close_only_that_session() {
    let server = server().await;
    let (mut good, _) = open(&server, "password").await;
    let garbage: [&[u8]; 4] = [&[0x42, 1, 2, 3], &[0x00], &[0x04, 0, 0], &[0x85, 0xff]];
    for g in garbage {
        let (mut ws, resp) = open(&server, "password").await;
        assert_eq!(resp.code, ResponseCode::Ok);
        ws.send(Ws::Binary(Bytes::copy_from_slice(g)))
            .await
            .unwrap();
        assert_eq!(
            next_message(&mut ws).await,
            None,
            "session survived {g:02x?}"
        );
    }
    // Text frames are not part of the protocol either.
    let (mut ws, _) = open(&server, "password").await;
    ws.send(Ws::Text("hello".into())).await.unwrap();
    assert_eq!(next_message(&mut ws).await, None);
    // Messages above the maximum size close the session.
    let (mut ws, _) = open(&server, "password").await;
    let _ = ws.send(Ws::Binary(vec![0u8; 128 * 1024].into())).await;
    assert_eq!(next_message(&mut ws).await, None);

    // The session opened first, and new ones, are unaffected.
    let r = request(&mut good, service::USER_PING, 7, Bytes::new()).await;
    assert!(
        matches!(r, Message::ServiceResponse { cid: 7, .. }),
        "{r:?}"
    );
    still_serves(&server, "bad/after-garbage").await;
}

#[tokio::test]
async fn bad_requests_get_error_responses_and_the_session_goes_on() {
    let server = server().await;
    let (mut ws, _) = open(&server, "password").await;
    let cases: Vec<(i32, Bytes, i32)> = vec![
        (9999, Bytes::new(), ErrorReason::UNSUPPORTED),
        (
            service::TOPIC_ADD,
            Bytes::from_static(&[0x05, b'a']),
            ErrorReason::INVALID_DATA,
        ),
        (
            service::TOPIC_ADD,
            service::TopicAddRequest {
                path: "a//b".into(),
                specification: TopicSpecification::new(TopicType::Json),
            }
            .encode(),
            ErrorReason::TOPIC_PATH_INVALID,
        ),
        (
            service::TOPIC_ADD,
            service::TopicAddRequest {
                path: "a/ts".into(),
                specification: TopicSpecification::new(TopicType::TimeSeries),
            }
            .encode(),
            ErrorReason::TOPIC_SPECIFICATION_INVALID,
        ),
        (
            service::SUBSCRIBE,
            service::TopicSelection {
                selector: "?a/(".into(),
                scope: None,
            }
            .encode(),
            ErrorReason::INVALID_DATA,
        ),
        (
            service::TOPIC_REMOVAL,
            service::SelectorRequest("".into()).encode(),
            ErrorReason::INVALID_DATA,
        ),
        (
            service::SET_TOPIC,
            service::SetTopicRequest {
                path: "no/such/topic".into(),
                topic_type: TopicType::Json,
                value: Value::Json(1.into()).encode().unwrap(),
                constraint: service::UpdateConstraint::Unconstrained,
            }
            .encode(),
            ErrorReason::NO_SUCH_TOPIC,
        ),
        (
            // Not CBOR: a JSON topic never holds bytes its subscribers cannot decode.
            service::ADD_AND_SET_TOPIC,
            service::AddAndSetRequest {
                path: "bad/json".into(),
                specification: TopicSpecification::new(TopicType::Json),
                value: Bytes::from_static(b"{not cbor"),
                constraint: service::UpdateConstraint::Unconstrained,
            }
            .encode(),
            ErrorReason::INVALID_DATA,
        ),
    ];
    for (i, (svc, payload, code)) in cases.into_iter().enumerate() {
        let r = request(&mut ws, svc, 100 + i as i64, payload).await;
        assert_eq!(error_code(&r), code, "case {i}: {r:?}");
    }
    // An existing topic re-added with another type is an error; with the same, it is not.
    let json = service::TopicAddRequest {
        path: "bad/t".into(),
        specification: TopicSpecification::new(TopicType::Json),
    };
    let string = service::TopicAddRequest {
        path: "bad/t".into(),
        specification: TopicSpecification::new(TopicType::String),
    };
    let r = request(&mut ws, service::TOPIC_ADD, 1, json.encode()).await;
    assert_eq!(
        r,
        Message::ServiceResponse {
            cid: 1,
            payload: service::AddTopicResult::Created.encode()
        }
    );
    let r = request(&mut ws, service::TOPIC_ADD, 2, json.encode()).await;
    assert_eq!(
        r,
        Message::ServiceResponse {
            cid: 2,
            payload: service::AddTopicResult::Exists.encode()
        }
    );
    let r = request(&mut ws, service::TOPIC_ADD, 3, string.encode()).await;
    assert_eq!(error_code(&r), ErrorReason::TOPIC_EXISTS_MISMATCH);
    still_serves(&server, "bad/after-errors").await;
}

#[tokio::test]
async fn wrong_password_and_wrong_path_are_refused() {
    let server = server().await;
    let (_, resp) = open(&server, "nope").await;
    // The exact frame the Python SDK reports as AUTHENTICATION_FAILED.
    assert_eq!(resp.encode()[..], [0x23, 25, 116]);

    let err = tokio_tungstenite::connect_async(format!("{}/elsewhere", server.url()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
    // A connection without parameters is refused with a protocol error, not a panic.
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/diffusion", server.url()))
        .await
        .unwrap();
    let Some(Ok(Ws::Binary(b))) = ws.next().await else {
        panic!("no response")
    };
    assert_eq!(
        ConnectionResponse::decode(&b).unwrap().code,
        ResponseCode::ConnectionProtocolError
    );
    still_serves(&server, "bad/after-refusals").await;
}
