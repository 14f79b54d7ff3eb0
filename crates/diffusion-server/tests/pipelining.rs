//! A publisher pipelines its requests: many arrive in one read, and the session handles
//! them in turns of several frames at a time. Every one must be answered, in order, and
//! every update delivered, however many arrive at once. Driven over raw WebSockets so that
//! all the requests go out in one write.

use bytes::Bytes;
use diffusion_server::{Server, ServerConfig};
use diffusion_wire::service::{self, Payload};
use diffusion_wire::{Message, TopicSpecification, TopicType, Value};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Ws;

mod raw_session;

use raw_session::{open, Socket};

/// The next message, answering the server's pings.
async fn next_message(ws: &mut Socket) -> Message {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
            .await
            .expect("a message within 30 s")
        {
            Some(Ok(Ws::Binary(b))) => match Message::decode(&b).unwrap() {
                Message::ServiceRequest {
                    service: service::SYSTEM_PING,
                    cid,
                    ..
                } => {
                    let pong = Message::ServiceResponse {
                        cid,
                        payload: Bytes::new(),
                    };
                    ws.send(Ws::Binary(pong.encode())).await.unwrap();
                }
                m => return m,
            },
            Some(Ok(Ws::Ping(_) | Ws::Pong(_))) => {}
            other => panic!("the session ended: {other:?}"),
        }
    }
}

fn request(service: i32, cid: i64, payload: Bytes) -> Ws {
    Ws::Binary(
        Message::ServiceRequest {
            service,
            cid,
            payload,
        }
        .encode(),
    )
}

#[tokio::test]
async fn hundreds_of_requests_written_at_once_are_all_answered_in_order() {
    const TOPICS: i64 = 10;
    const SETS: i64 = 1000;
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let mut publisher = open(&server, "password").await.0;
    let mut subscriber = open(&server, "password").await.0;
    for t in 0..TOPICS {
        let add = service::TopicAddRequest {
            path: format!("pipe/{t}"),
            specification: TopicSpecification::new(TopicType::Json),
        };
        publisher
            .send(request(service::TOPIC_ADD, t + 1, add.encode()))
            .await
            .unwrap();
        assert!(matches!(
            next_message(&mut publisher).await,
            Message::ServiceResponse { .. }
        ));
    }
    let selection = service::TopicSelection {
        selector: "?pipe/".into(),
        scope: None,
    };
    subscriber
        .send(request(service::SUBSCRIBE, 1, selection.encode()))
        .await
        .unwrap();
    let mut subscribed = 0;
    while subscribed < TOPICS {
        match next_message(&mut subscriber).await {
            Message::ServiceRequest {
                service: service::NOTIFY_SUBSCRIPTION,
                cid,
                ..
            } => {
                subscribed += 1;
                let ack = Message::ServiceResponse {
                    cid,
                    payload: Bytes::new(),
                };
                subscriber.send(Ws::Binary(ack.encode())).await.unwrap();
            }
            Message::ServiceResponse { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    // Every set queued, then written with one flush: the server reads them in bulk.
    for i in 0..SETS {
        let value = Value::Json(serde_json::json!({ "i": i, "pad": "0123456789" }));
        let set = service::SetTopicRequest {
            path: format!("pipe/{}", i % TOPICS),
            topic_type: TopicType::Json,
            value: value.encode().unwrap(),
            constraint: service::UpdateConstraint::Unconstrained,
        };
        publisher
            .feed(request(service::SET_TOPIC, 1000 + i, set.encode()))
            .await
            .unwrap();
    }
    publisher.flush().await.unwrap();
    for i in 0..SETS {
        match next_message(&mut publisher).await {
            Message::ServiceResponse { cid, .. } => assert_eq!(cid, 1000 + i),
            other => panic!("set {i}: expected its response, got {other:?}"),
        }
    }
    let mut updates = 0;
    while updates < SETS {
        match next_message(&mut subscriber).await {
            Message::TopicValue { .. } | Message::TopicDelta { .. } => updates += 1,
            other => panic!("after {updates} updates: unexpected {other:?}"),
        }
    }
    let stats = server.stats();
    assert_eq!(stats.values_sent + stats.deltas_sent, SETS as u64);
    assert_eq!(stats.slow_sessions_closed, 0);
}
