//! Time series topics, our client against the embedded server: append, timestamped append,
//! edit, paged queries, retention gaps, subscriptions (subscription range, then each event
//! in order), and the typed errors 9001 and 9002.

use std::time::Duration;

use bytes::Bytes;
use diffusion_client::{
    ClientError, EventMetadata, Session, SessionOptions, TimeSeriesEvent, TopicEvent,
    TopicSpecification, TopicType, Value,
};
use diffusion_server::{Server, ServerConfig, ServerHandle};
use serde_json::json;
use tokio::sync::mpsc::Receiver;

async fn server() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

async fn session(server: &ServerHandle, options: SessionOptions) -> Session {
    Session::connect(&server.url(), "admin", "password", options)
        .await
        .unwrap()
}

async fn next(events: &mut Receiver<TopicEvent>) -> TopicEvent {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event within 10 s")
        .expect("the event stream is open")
}

/// The next time series event, skipping the subscription notice.
async fn next_event(events: &mut Receiver<TopicEvent>) -> (String, TimeSeriesEvent) {
    loop {
        match next(events).await {
            TopicEvent::TimeSeries { path, event } => return (path.to_string(), *event),
            TopicEvent::Subscribed { .. } => continue,
            other => panic!("expected a time series event, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn append_edit_and_query_json_events() {
    let server = server().await;
    let s = session(&server, SessionOptions::default()).await;
    s.add_topic(
        "ts/json",
        TopicSpecification::time_series(TopicType::Json).with_retained_range("limit 100"),
    )
    .await
    .unwrap();
    let mut appended = Vec::new();
    for i in 0..5 {
        appended.push(
            s.append("ts/json", &Value::Json(json!({"i": i})))
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        appended.iter().map(|m| m.sequence).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert!(appended.iter().all(|m| m.author == "admin"));
    assert!(appended
        .windows(2)
        .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms));

    let edit = s
        .edit("ts/json", 1, &Value::Json(json!({"i": "one"})))
        .await
        .unwrap();
    assert_eq!(edit.sequence, 5);

    // Paging by two: every event, original and edit, once, in sequence order.
    let mut seen = Vec::new();
    let mut from = 0;
    loop {
        let page = s.query_from("ts/json", from, 2).await.unwrap();
        assert!(page.events.len() <= 2);
        seen.extend(page.events.iter().cloned());
        match page.events.last() {
            Some(last) if page.more => from = last.sequence + 1,
            _ => break,
        }
    }
    assert_eq!(
        seen.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(seen[3].value, Value::Json(json!({"i": 3})));
    assert_eq!(seen[3].original, None);
    assert_eq!(seen[5].value, Value::Json(json!({"i": "one"})));
    assert_eq!(
        seen[5].original,
        Some(EventMetadata {
            sequence: 1,
            timestamp_ms: appended[1].timestamp_ms,
            author: "admin".into()
        })
    );
    // From the middle, and past the end.
    let page = s.query_from("ts/json", 4, 10).await.unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [4, 5]
    );
    assert!(!page.more);
    let page = s.query_from("ts/json", 6, 10).await.unwrap();
    assert!(page.events.is_empty() && !page.more);
    s.close().await;
    server.shutdown().await;
}

#[tokio::test]
async fn explicit_timestamps_and_raw_pipelined_appends() {
    let server = server().await;
    let s = session(&server, SessionOptions::default()).await;
    s.add_topic("ts/str", TopicSpecification::time_series(TopicType::String))
        .await
        .unwrap();
    // Sent back to back, answered in order.
    let mut pending = Vec::new();
    for (i, ts) in [(0, 1_000), (1, 1_000), (2, 2_500)] {
        let bytes = Value::String(format!("v{i}")).encode().unwrap();
        pending.push(
            s.start_append_raw("ts/str", TopicType::String, bytes, Some(ts))
                .await
                .unwrap(),
        );
    }
    let mut got = Vec::new();
    for p in pending {
        got.push(p.wait().await.unwrap());
    }
    assert_eq!(
        got.iter()
            .map(|m| (m.sequence, m.timestamp_ms))
            .collect::<Vec<_>>(),
        [(0, 1_000), (1, 1_000), (2, 2_500)]
    );
    // Earlier than the latest event: refused, and nothing is added.
    let earlier = s
        .start_append_raw(
            "ts/str",
            TopicType::String,
            Value::String("late".into()).encode().unwrap(),
            Some(2_000),
        )
        .await
        .unwrap()
        .wait()
        .await;
    assert!(
        matches!(earlier, Err(ClientError::InvalidValue(_))),
        "{earlier:?}"
    );
    // Bytes that are not a string event are refused too.
    let bad = s
        .start_append_raw(
            "ts/str",
            TopicType::String,
            Bytes::from_static(&[0xff]),
            None,
        )
        .await
        .unwrap()
        .wait()
        .await;
    assert!(matches!(bad, Err(ClientError::InvalidValue(_))), "{bad:?}");
    let page = s.query_from("ts/str", 0, 100).await.unwrap();
    assert_eq!(
        page.events
            .iter()
            .map(|e| e.value.clone())
            .collect::<Vec<_>>(),
        ["v0", "v1", "v2"].map(|v| Value::String(v.into()))
    );
    s.close().await;
    server.shutdown().await;
}

#[tokio::test]
async fn retention_drops_the_oldest_and_a_query_shows_the_gap() {
    let server = server().await;
    let s = session(&server, SessionOptions::default()).await;
    s.add_topic(
        "ts/kept",
        TopicSpecification::time_series(TopicType::Int64).with_retained_range("limit 3"),
    )
    .await
    .unwrap();
    for i in 0..7 {
        s.append("ts/kept", &Value::Int64(i)).await.unwrap();
    }
    // Asked from 1, which is gone: the page starts at the lowest retained sequence.
    let page = s.query_from("ts/kept", 1, 10).await.unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    assert_eq!(page.events[0].value, Value::Int64(4));
    // An edit of a dropped event names no event the series holds.
    let gone = s.edit("ts/kept", 1, &Value::Int64(10)).await;
    assert!(
        matches!(&gone, Err(ClientError::NoSuchEvent(why)) if why.contains('1')),
        "{gone:?}"
    );
    assert!(gone.unwrap_err().to_string().contains("9002"));
    // Nor may an edit be edited.
    let edit = s.edit("ts/kept", 5, &Value::Int64(50)).await.unwrap();
    let of_edit = s.edit("ts/kept", edit.sequence, &Value::Int64(0)).await;
    assert!(
        matches!(of_edit, Err(ClientError::NoSuchEvent(_))),
        "{of_edit:?}"
    );
    s.close().await;
    server.shutdown().await;
}

#[tokio::test]
async fn time_series_errors_are_typed() {
    let server = server().await;
    let s = session(&server, SessionOptions::default()).await;
    s.add_topic("ts/plain", TopicSpecification::new(TopicType::Json))
        .await
        .unwrap();
    let e = s
        .append("ts/plain", &Value::Json(json!(1)))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::NotATimeSeriesTopic(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("9001") && text.contains("not a time series topic"),
        "{text}"
    );
    let q = s.query_from("ts/plain", 0, 1).await.unwrap_err();
    assert!(matches!(q, ClientError::NotATimeSeriesTopic(_)), "{q:?}");
    let missing = s.append("ts/none", &Value::Json(json!(1))).await;
    assert!(
        matches!(missing, Err(ClientError::NoSuchTopic(_))),
        "{missing:?}"
    );
    // A value of another type than the series' events.
    s.add_topic("ts/dbl", TopicSpecification::time_series(TopicType::Double))
        .await
        .unwrap();
    let wrong = s.append("ts/dbl", &Value::String("x".into())).await;
    assert!(
        matches!(wrong, Err(ClientError::IncompatibleUpdate(_))),
        "{wrong:?}"
    );
    // Specifications the server cannot serve are refused when added.
    for bad in [
        TopicSpecification::new(TopicType::TimeSeries),
        TopicSpecification::time_series(TopicType::Json).with_retained_range("for ever"),
    ] {
        let e = s.add_topic("ts/bad", bad).await.unwrap_err();
        assert!(
            matches!(&e, ClientError::Server(r) if r.code == 9006),
            "{e:?}"
        );
    }
    s.close().await;
    server.shutdown().await;
}

#[tokio::test]
async fn subscribers_get_the_subscription_range_then_each_event_in_order() {
    let server = server().await;
    let publisher = session(&server, SessionOptions::default()).await;
    publisher
        .add_topic(
            "ts/sub",
            TopicSpecification::time_series(TopicType::String)
                .with_retained_range("limit 50")
                .with_subscription_range("limit 3"),
        )
        .await
        .unwrap();
    for i in 0..5 {
        publisher
            .append("ts/sub", &Value::String(format!("e{i}")))
            .await
            .unwrap();
    }
    // Raw values asked for: time series topics still arrive as decoded events.
    let options = SessionOptions {
        raw_values: true,
        ..SessionOptions::default()
    };
    let subscriber = session(&server, options).await;
    let mut events = subscriber.take_events().unwrap();
    subscriber.subscribe(">ts/sub").await.unwrap();
    match next(&mut events).await {
        TopicEvent::Subscribed {
            path,
            specification,
        } => {
            assert_eq!(&*path, "ts/sub");
            assert_eq!(specification.event_type(), Some(TopicType::String));
        }
        other => panic!("{other:?}"),
    }
    for want in [2, 3, 4] {
        let (path, e) = next_event(&mut events).await;
        assert_eq!(path, "ts/sub");
        assert_eq!(
            (e.sequence, e.value),
            (want, Value::String(format!("e{want}")))
        );
    }
    // Then each new event, appends and edits, in order.
    for i in 5..40 {
        publisher
            .append("ts/sub", &Value::String(format!("e{i}")))
            .await
            .unwrap();
    }
    publisher
        .edit("ts/sub", 10, &Value::String("ten".into()))
        .await
        .unwrap();
    for want in 5..40 {
        let (_, e) = next_event(&mut events).await;
        assert_eq!(e.sequence, want);
        assert_eq!(e.author, "admin");
    }
    let (_, edit) = next_event(&mut events).await;
    assert_eq!(edit.sequence, 40);
    assert_eq!(edit.original.map(|o| o.sequence), Some(10));
    assert_eq!(edit.value, Value::String("ten".into()));
    subscriber.close().await;
    publisher.close().await;
    server.shutdown().await;
}

#[tokio::test]
async fn binary_and_double_events_and_the_default_subscription_range() {
    let server = server().await;
    let s = session(&server, SessionOptions::default()).await;
    s.add_topic("ts/bin", TopicSpecification::time_series(TopicType::Binary))
        .await
        .unwrap();
    s.add_topic("ts/d", TopicSpecification::time_series(TopicType::Double))
        .await
        .unwrap();
    for i in 0..3u8 {
        s.append("ts/bin", &Value::Binary(Bytes::from(vec![i; 3])))
            .await
            .unwrap();
        s.append("ts/d", &Value::Double(f64::from(i) + 0.5))
            .await
            .unwrap();
    }
    let mut events = s.take_events().unwrap();
    s.subscribe("?ts/.*").await.unwrap();
    // By default a new subscriber gets the latest event of each series only.
    let mut latest = Vec::new();
    for _ in 0..2 {
        latest.push(next_event(&mut events).await);
    }
    latest.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(latest[0].0, "ts/bin");
    assert_eq!(latest[0].1.value, Value::Binary(Bytes::from(vec![2; 3])));
    assert_eq!(latest[1].0, "ts/d");
    assert_eq!(latest[1].1.value, Value::Double(2.5));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), events.recv())
            .await
            .is_err(),
        "nothing more"
    );
    s.close().await;
    server.shutdown().await;
}
