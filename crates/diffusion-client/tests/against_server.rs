//! The client against the embedded server over real WebSockets: every operation the
//! connectors use, typed errors, subscriptions with deltas, and surviving a server restart.

use std::net::SocketAddr;
use std::time::Duration;

use diffusion_client::{
    AddTopicResult, ClientError, ReconnectPolicy, Session, SessionOptions, SessionState,
    TopicEvent, TopicSpecification, TopicType, UnsubscribeReason, Value,
};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use serde_json::json;
use tokio::sync::mpsc::Receiver;

async fn server_on(addr: SocketAddr) -> ServerHandle {
    Server::bind(ServerConfig {
        listen: addr,
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

async fn session(server: &ServerHandle) -> Session {
    connect(&server.url(), SessionOptions::default()).await
}

/// A session as the admin principal at `url`.
async fn connect(url: &str, options: SessionOptions) -> Session {
    Session::connect(url, "admin", "password", options)
        .await
        .unwrap()
}

async fn next(events: &mut Receiver<TopicEvent>) -> TopicEvent {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event within 10 s")
        .expect("the event stream is open")
}

fn spec(t: TopicType) -> TopicSpecification {
    TopicSpecification::new(t)
}

#[tokio::test]
async fn topic_control_and_typed_errors() {
    let server = server_on("127.0.0.1:0".parse().unwrap()).await;
    let bad = Session::connect(&server.url(), "admin", "wrong", SessionOptions::default()).await;
    assert!(
        matches!(bad, Err(ClientError::AuthenticationFailed { .. })),
        "{:?}",
        bad.err()
    );

    let s = session(&server).await;
    assert_eq!(
        s.add_topic("c/json", spec(TopicType::Json)).await.unwrap(),
        AddTopicResult::Created
    );
    assert_eq!(
        s.add_topic("c/json", spec(TopicType::Json)).await.unwrap(),
        AddTopicResult::Exists
    );
    let e = s
        .add_topic("c/json", spec(TopicType::String))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ClientError::IncompatibleExistingTopic(_)),
        "{e}"
    );
    s.set("c/json", &Value::Json(json!({"a": 1})))
        .await
        .unwrap();
    let e = s
        .set("c/json", &Value::String("x".into()))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::IncompatibleUpdate(_)), "{e}");
    let e = s.set("c/missing", &Value::Int64(1)).await.unwrap_err();
    assert!(matches!(e, ClientError::NoSuchTopic(_)), "{e}");
    let e = s
        .add_topic("c//bad", spec(TopicType::Json))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidPath(_)), "{e}");
    let e = s.subscribe("?c/(").await.unwrap_err();
    assert!(e.to_string().contains("?c/("), "{e}");

    for v in [
        Value::String("s".into()),
        Value::Int64(-7),
        Value::Double(0.1),
        Value::Binary(bytes::Bytes::from_static(b"\x00\xff")),
    ] {
        let path = format!("c/{}", v.topic_type());
        assert_eq!(
            s.add_and_set(&path, spec(v.topic_type()), &v)
                .await
                .unwrap(),
            AddTopicResult::Created
        );
        assert_eq!(
            s.add_and_set(&path, spec(v.topic_type()), &v)
                .await
                .unwrap(),
            AddTopicResult::Exists
        );
    }
    assert_eq!(s.remove("?c/.*").await.unwrap(), 5);
    assert_eq!(server.stats().topics, 0);
    s.close().await;
    assert_eq!(*s.state().borrow(), SessionState::Closed(None));
    assert!(matches!(
        s.set("c/json", &Value::Int64(1)).await,
        Err(ClientError::Closed)
    ));
}

#[tokio::test]
async fn subscriptions_deliver_values_and_deltas_in_order() {
    let server = server_on("127.0.0.1:0".parse().unwrap()).await;
    let publisher = session(&server).await;
    let subscriber = session(&server).await;
    let mut events = subscriber.take_events().unwrap();
    assert!(subscriber.take_events().is_none(), "one consumer only");

    publisher
        .add_and_set(
            "s/a",
            spec(TopicType::Json),
            &Value::Json(json!({"n": 0, "pad": "x".repeat(200)})),
        )
        .await
        .unwrap();
    subscriber.subscribe("?s//").await.unwrap();
    assert_eq!(
        next(&mut events).await,
        TopicEvent::Subscribed {
            path: "s/a".into(),
            specification: spec(TopicType::Json)
        }
    );
    let mut want = vec![json!({"n": 0, "pad": "x".repeat(200)})];
    for n in 1..50 {
        let v = json!({"n": n, "pad": "x".repeat(200)});
        publisher.set("s/a", &Value::Json(v.clone())).await.unwrap();
        want.push(v);
    }
    for w in want {
        match next(&mut events).await {
            TopicEvent::Value {
                path,
                value: Value::Json(j),
                ..
            } => {
                assert_eq!(&*path, "s/a");
                assert_eq!(j, w);
            }
            other => panic!("{other:?}"),
        }
    }
    // Those updates were small changes to a large value: they travelled as deltas.
    assert!(server.stats().deltas_sent >= 49, "{:?}", server.stats());

    // A topic added later joins the subscription.
    publisher
        .add_and_set("s/b/c", spec(TopicType::Int64), &Value::Int64(5))
        .await
        .unwrap();
    assert!(
        matches!(next(&mut events).await, TopicEvent::Subscribed { path, .. } if &*path == "s/b/c")
    );
    assert!(matches!(
        next(&mut events).await,
        TopicEvent::Value {
            value: Value::Int64(5),
            ..
        }
    ));

    subscriber.unsubscribe("?s//").await.unwrap();
    let mut gone = vec![];
    for _ in 0..2 {
        match next(&mut events).await {
            TopicEvent::Unsubscribed {
                path,
                reason: UnsubscribeReason::Requested,
            } => gone.push(path.to_string()),
            other => panic!("{other:?}"),
        }
    }
    gone.sort();
    assert_eq!(gone, ["s/a", "s/b/c"]);
}

#[tokio::test]
async fn a_server_restart_is_survived_and_the_subscription_resumes() {
    let port = test_support::free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = server_on(addr).await;
    let options = SessionOptions {
        reconnect: Some(ReconnectPolicy {
            initial_delay: Duration::from_millis(50),
            ..ReconnectPolicy::default()
        }),
        ..SessionOptions::default()
    };
    let client = Session::connect(&server.url(), "admin", "password", options)
        .await
        .unwrap();
    let mut state = client.state();
    let mut events = client.take_events().unwrap();
    client.subscribe("?r/.*").await.unwrap();
    client
        .add_and_set(
            "r/x",
            spec(TopicType::String),
            &Value::String("before".into()),
        )
        .await
        .unwrap();
    assert!(matches!(
        next(&mut events).await,
        TopicEvent::Subscribed { .. }
    ));
    assert_eq!(
        next(&mut events).await,
        TopicEvent::Value {
            path: "r/x".into(),
            topic_type: TopicType::String,
            value: Value::String("before".into())
        }
    );

    server.shutdown().await;
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| *s == SessionState::Recovering),
    )
    .await
    .unwrap()
    .unwrap();
    let server = server_on(addr).await;
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| *s == SessionState::Connected),
    )
    .await
    .unwrap()
    .unwrap();

    // The new server knows nothing; a value published there reaches the resubscribed client.
    let publisher = session(&server).await;
    publisher
        .add_and_set(
            "r/x",
            spec(TopicType::String),
            &Value::String("after".into()),
        )
        .await
        .unwrap();
    assert!(
        matches!(next(&mut events).await, TopicEvent::Subscribed { path, .. } if &*path == "r/x")
    );
    assert_eq!(
        next(&mut events).await,
        TopicEvent::Value {
            path: "r/x".into(),
            topic_type: TopicType::String,
            value: Value::String("after".into())
        }
    );
    // Requests work again on the new connection.
    assert_eq!(client.remove(">r/x").await.unwrap(), 1);
}

#[tokio::test]
async fn unreachable_servers_fail_with_a_clear_error() {
    let port = test_support::free_port();
    let options = SessionOptions {
        connect_timeout: Duration::from_secs(2),
        ..SessionOptions::default()
    };
    let e = Session::connect(
        &format!("ws://127.0.0.1:{port}"),
        "admin",
        "password",
        options,
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(e, ClientError::Connect { .. }), "{e}");
    assert!(e.to_string().contains(&port.to_string()), "{e}");
}

#[tokio::test]
async fn a_silent_connection_is_declared_dead_and_replaced() {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ping_period: Duration::from_millis(100),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    let options = SessionOptions {
        reconnect: Some(ReconnectPolicy {
            initial_delay: Duration::from_millis(20),
            ..ReconnectPolicy::default()
        }),
        ..SessionOptions::default()
    };
    let client = connect(&format!("ws://{}", proxy.addr()), options).await;
    let mut state = client.state();
    proxy.freeze();
    // Pings stop arriving: after two and a half periods the client gives up on the socket.
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == SessionState::Recovering),
    )
    .await
    .expect("declared dead within 5 s")
    .unwrap();
    proxy.thaw();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == SessionState::Connected),
    )
    .await
    .expect("reconnected")
    .unwrap();
    client
        .add_and_set("k/a", spec(TopicType::Int64), &Value::Int64(1))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_one_of_many_pipelined_requests_is_answered() {
    // Far more answers than the connection handles in one go (its read burst), so answers
    // arrive in runs that cross that limit: each must reach its request.
    let server = server_on("127.0.0.1:0".parse().unwrap()).await;
    let options = SessionOptions {
        max_in_flight: 4_096,
        ..SessionOptions::default()
    };
    let client = connect(&server.url(), options).await;
    client
        .add_topic("p/a", spec(TopicType::Int64))
        .await
        .unwrap();
    let value = Value::Int64(7).encode().unwrap();
    let mut pending = Vec::new();
    for _ in 0..2_000 {
        pending.push(
            client
                .start_set_raw("p/a", TopicType::Int64, value.clone())
                .await
                .unwrap(),
        );
    }
    for (i, p) in pending.into_iter().enumerate() {
        tokio::time::timeout(Duration::from_secs(10), p)
            .await
            .unwrap_or_else(|_| panic!("request {i} unanswered after 10 s"))
            .unwrap();
    }
}

#[tokio::test]
async fn an_answer_looked_at_without_waiting_is_none_until_in_and_a_refusal_its_error() {
    let server = server_on("127.0.0.1:0".parse().unwrap()).await;
    let client = connect(&server.url(), SessionOptions::default()).await;
    client
        .add_topic("t/a", spec(TopicType::Int64))
        .await
        .unwrap();
    // Frozen link: nothing can be in yet.
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    let slow = connect(&format!("ws://{}", proxy.addr()), SessionOptions::default()).await;
    proxy.freeze();
    let value = Value::Int64(7).encode().unwrap();
    let mut held = slow
        .start_set_raw("t/a", TopicType::Int64, value.clone())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        held.try_answer().is_none(),
        "answered through a frozen link"
    );

    let until_answered = |mut p: diffusion_client::Pending<()>| async move {
        loop {
            if let Some(answer) = p.try_answer() {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    let set = client
        .start_set_raw("t/a", TopicType::Int64, value.clone())
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), until_answered(set)).await;
    answer.expect("answered").expect("the set is confirmed");
    // A string for an int64 topic: the server's refusal, as `wait` would give it.
    let wrong = Value::String("x".into()).encode().unwrap();
    let refused = client
        .start_set_raw("t/a", TopicType::Int64, wrong.clone())
        .await
        .unwrap();
    let looked = tokio::time::timeout(Duration::from_secs(10), until_answered(refused))
        .await
        .expect("answered");
    let waited = client
        .start_set_raw("t/a", TopicType::Int64, wrong)
        .await
        .unwrap()
        .wait()
        .await;
    assert_eq!(
        format!("{:?}", looked.expect_err("refused")),
        format!("{:?}", waited.expect_err("refused"))
    );
}

#[tokio::test]
async fn an_unanswered_request_times_out_and_frees_its_slot() {
    let server = server_on("127.0.0.1:0".parse().unwrap()).await;
    let proxy = test_support::tcp_proxy::TcpProxy::start(server.local_addr()).await;
    let options = SessionOptions {
        request_timeout: Duration::from_millis(300),
        max_in_flight: 1,
        ..SessionOptions::default()
    };
    let client = connect(&format!("ws://{}", proxy.addr()), options).await;
    proxy.freeze();
    let started = std::time::Instant::now();
    // Without the session's sweep the request would wait for ever; with it, the answer
    // comes a tenth of the timeout after it at most, plus scheduling (the bound is loose
    // so a busy machine does not fail it).
    let e = tokio::time::timeout(
        Duration::from_secs(30),
        client.add_and_set("t/a", spec(TopicType::Int64), &Value::Int64(1)),
    )
    .await
    .expect("an answer, the timeout's, within 30 s")
    .unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(e, ClientError::Timeout { after_ms: 300, .. }),
        "{e}"
    );
    assert!(
        waited >= Duration::from_millis(300),
        "not before the timeout: {waited:?}"
    );
    // The only in-flight slot was given back: the next request is sent, and answered once
    // the connection flows again.
    proxy.thaw();
    client
        .add_and_set("t/b", spec(TopicType::Int64), &Value::Int64(2))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_above_the_servers_message_size_fails_alone() {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_message_size: 64 * 1024,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let s = session(&server).await;
    assert_eq!(s.max_message_size(), Some(64 * 1024));
    let spec = TopicSpecification::new(TopicType::String);
    let big = Value::String("x".repeat(100 * 1024));
    match s.add_and_set("big", spec.clone(), &big).await {
        Err(ClientError::InvalidValue(why)) => assert!(why.contains("at most 65536"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Nothing was sent: the session is still connected and works.
    assert_eq!(*s.state().borrow(), SessionState::Connected);
    s.add_and_set("small", spec, &Value::String("ok".into()))
        .await
        .unwrap();
}
