//! The task that owns a session's connection: the handshake, reading and writing frames,
//! answering the server's notifications and pings, and reconnecting with back-off.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use diffusion_wire::connection::{
    ConnectionRequest, ConnectionResponse, ResponseCode, CAPABILITY_UNIFIED, CAPABILITY_ZLIB,
    CLIENT_VERSION,
};
use diffusion_wire::service::{self, NotifySubscription, NotifyUnsubscription, Payload};
use diffusion_wire::{
    delta, Credentials, ErrorReason, Message, RawEvent, TimeSeriesEvent, TopicSpecification,
    TopicType, Value, ValueError,
};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::error::ClientError;
use crate::id_hash::TopicIdMap;
use crate::options::SessionOptions;
use crate::session::{SessionState, Shared, TopicEvent};
use crate::upgrade;
use crate::websocket::{Incoming, WebSocket, WsError};

/// What the read buffer grows by when it runs short. tungstenite zero-filled this much
/// of its read buffer before every read: its default, 128 KiB, cost the sink ~2,200
/// instructions per record (7% of its CPU, bench/profile.sh) while its reads averaged
/// ~600 bytes of confirmations; our frame layer does not fill it, and 16 KiB holds
/// many reads' worth. A longer frame is still read whole (the buffer grows to it).
const READ_BUFFER: usize = 16 * 1024;

/// Everything needed to (re)connect.
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) principal: String,
    pub(crate) password: String,
    pub(crate) options: SessionOptions,
}

/// The endpoint the SDKs use: the user's URL with `/diffusion` appended.
fn endpoint(url: &str) -> String {
    let base = url.trim_end_matches('/');
    if base.ends_with("/diffusion") {
        base.to_owned()
    } else {
        format!("{base}/diffusion")
    }
}

/// An open session's socket, and how long it may stay silent before it counts as dead.
pub(crate) struct Connected {
    pub(crate) ws: WebSocket,
    pub(crate) idle_limit: Option<Duration>,
    /// The largest message the server takes (0: not said).
    pub(crate) max_message_size: u32,
}

/// The server pings every `ping_period`; two and a half periods without a word mean the
/// connection is dead even if TCP has not noticed (a silent network partition).
fn idle_limit(ping_period_ms: u64) -> Option<Duration> {
    (ping_period_ms > 0).then(|| Duration::from_millis(ping_period_ms.saturating_mul(5) / 2))
}

/// Opens the WebSocket and performs the Diffusion handshake, sending the connection
/// parameters as HTTP headers in the order and form the Python SDK uses.
pub(crate) async fn connect(t: &Target) -> Result<Connected, ClientError> {
    let url = endpoint(&t.url);
    let connect_err = |why: String| ClientError::Connect {
        url: t.url.clone(),
        why,
    };
    let mut req = url
        .as_str()
        .into_client_request()
        .map_err(|e| connect_err(e.to_string()))?;
    let params = ConnectionRequest {
        version: CLIENT_VERSION,
        // The Python SDK's client type: we speak exactly its protocol version.
        client_type: "PY".into(),
        capabilities: CAPABILITY_ZLIB | CAPABILITY_UNIFIED,
        principal: t.principal.clone(),
        credentials: Credentials::Password(t.password.clone()),
        reconnect_timeout_ms: 60_000,
        session_token: None,
        session_properties: Some(format!("\"$Environment\",\"{}\"", t.options.environment)),
    };
    for (k, v) in params.to_params() {
        let v = HeaderValue::from_str(&v)
            .map_err(|_| connect_err(format!("parameter {k} is not a valid header value")))?;
        req.headers_mut().insert(k, v);
    }
    let timeout = t.options.connect_timeout;
    let handshake = async {
        let tls = if url.starts_with("wss://") {
            Some(crate::tls::client_config(&t.options.tls)?)
        } else {
            None
        };
        let mut ws = upgrade::open(req, tls, READ_BUFFER)
            .await
            .map_err(connect_err)?;
        let first = match ws.read().await {
            Ok(Incoming::Binary(b)) => b,
            Ok(Incoming::Close(f)) => {
                return Err(connect_err(format!("closed during the handshake: {f:?}")))
            }
            Err(e) => return Err(connect_err(e.to_string())),
        };
        let resp = ConnectionResponse::decode(&first)
            .map_err(|e| ClientError::Protocol(format!("connection response: {e}")))?;
        match resp.code {
            ResponseCode::Ok
            | ResponseCode::Reconnected
            | ResponseCode::ReconnectedWithMessageLoss => Ok(Connected {
                ws,
                idle_limit: idle_limit(resp.session.as_ref().map_or(0, |s| s.ping_period_ms)),
                max_message_size: resp.session.as_ref().map_or(0, |s| s.max_message_size),
            }),
            ResponseCode::AuthenticationFailed => Err(ClientError::AuthenticationFailed {
                principal: t.principal.clone(),
            }),
            other => Err(ClientError::Refused(format!(
                "{other:?} (protocol version {})",
                resp.version
            ))),
        }
    };
    tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| ClientError::Timeout {
            what: "connect",
            after_ms: timeout.as_millis() as u64,
        })?
}

/// A subscribed topic, as the server numbered it for this session.
struct TopicState {
    /// Shared with each event: one count increment per update, not a copy of the text.
    path: Arc<str>,
    specification: TopicSpecification,
    /// The bytes of the last value, which deltas apply to.
    last: Option<Bytes>,
}

enum End {
    /// The user closed the session, or dropped every handle.
    Closed,
    Lost(String),
}

pub(crate) async fn run(
    target: Target,
    connection: Connected,
    shared: Arc<Shared>,
    mut out: mpsc::Receiver<Bytes>,
    events: mpsc::Sender<TopicEvent>,
    mut closing: watch::Receiver<bool>,
) {
    let Connected {
        mut ws,
        idle_limit: mut idle,
        max_message_size,
    } = connection;
    shared
        .max_message_size
        .store(max_message_size, Ordering::Relaxed);
    loop {
        let mut topics = TopicIdMap::default();
        let end = serve(
            idle,
            &mut ws,
            &shared,
            &mut out,
            &events,
            &mut closing,
            &mut topics,
        )
        .await;
        fail_pending(&shared, &end);
        // Frames queued for the lost connection belong to conversations just failed.
        while out.try_recv().is_ok() {}
        let why = match end {
            End::Closed => {
                let _ = ws.close().await;
                shared.state.send_replace(SessionState::Closed(None));
                return;
            }
            End::Lost(why) => why,
        };
        let Some(policy) = target.options.reconnect.clone() else {
            tracing::warn!(url = %target.url, reason = %why, "Diffusion connection lost");
            shared.state.send_replace(SessionState::Closed(Some(why)));
            return;
        };
        tracing::warn!(url = %target.url, reason = %why, "Diffusion connection lost: reconnecting");
        shared.state.send_replace(SessionState::Recovering);
        let started = Instant::now();
        let mut attempt = 0;
        ws = loop {
            let delay = policy.delay(attempt);
            attempt += 1;
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = closing.changed() => {
                    shared.state.send_replace(SessionState::Closed(None));
                    return;
                }
            }
            match connect(&target).await {
                Ok(c) => {
                    idle = c.idle_limit;
                    shared
                        .max_message_size
                        .store(c.max_message_size, Ordering::Relaxed);
                    break c.ws;
                }
                Err(e) => {
                    let gave_up = policy
                        .give_up_after
                        .is_some_and(|limit| started.elapsed() >= limit);
                    if gave_up || matches!(e, ClientError::AuthenticationFailed { .. }) {
                        tracing::error!(url = %target.url, error = %e, "giving up reconnecting");
                        shared
                            .state
                            .send_replace(SessionState::Closed(Some(e.to_string())));
                        return;
                    }
                    tracing::info!(url = %target.url, error = %e, attempt, "reconnection attempt failed");
                }
            }
        };
        // A new session: its subscriptions must be made again.
        let selectors = shared.selectors().clone();
        let mut resubscribed = true;
        for s in &selectors {
            let payload = service::TopicSelection {
                selector: s.clone(),
                scope: None,
            }
            .encode();
            let frame = Message::ServiceRequest {
                service: service::SUBSCRIBE,
                cid: shared.cid(),
                payload,
            }
            .encode();
            if ws.send(&frame).await.is_err() {
                resubscribed = false;
                break;
            }
        }
        if resubscribed {
            tracing::info!(url = %target.url, subscriptions = selectors.len(), "Diffusion connection re-established");
            shared.state.send_replace(SessionState::Connected);
        }
    }
}

fn fail_pending(shared: &Shared, end: &End) {
    let pending: Vec<_> = shared.conversations().drain().collect();
    for (_, c) in pending {
        let _ = c.reply.send(Err(match end {
            End::Closed => ClientError::Closed,
            End::Lost(why) => ClientError::ConnectionLost(why.clone()),
        }));
    }
}

async fn serve(
    idle_limit: Option<Duration>,
    ws: &mut WebSocket,
    shared: &Shared,
    out: &mut mpsc::Receiver<Bytes>,
    events: &mpsc::Sender<TopicEvent>,
    closing: &mut watch::Receiver<bool>,
    topics: &mut TopicIdMap<TopicState>,
) -> End {
    let mut last_heard = Instant::now();
    // One close wait and one idle timer for the connection, not new ones on each turn of
    // the loop: building them per frame registered and dropped a watch waiter and a timer
    // entry for every request and answer (bench/profile.sh). The timer is armed for the
    // limit after the last frame heard as of when it was armed; when it fires it is
    // re-armed from the latest frame, and only a real silence ends the connection.
    let closed = closing.changed();
    tokio::pin!(closed);
    let silence = idle_limit.unwrap_or(Duration::from_secs(3600));
    let idle = tokio::time::sleep(silence);
    tokio::pin!(idle);
    let mut outgoing = Vec::with_capacity(OUT_BATCH);
    loop {
        tokio::select! {
            _ = &mut closed => return End::Closed,
            _ = &mut idle, if idle_limit.is_some() => {
                let until = last_heard + silence;
                if Instant::now() >= until {
                    return End::Lost(format!("nothing heard from the server for {silence:?}"));
                }
                idle.as_mut().reset(tokio::time::Instant::from_std(until));
            }
            // Pipelined requests go out together, flushed once; taken from the queue in
            // runs (`recv_many`), not one `try_recv` each (~170 instructions a frame).
            n = out.recv_many(&mut outgoing, OUT_BATCH) => {
                if n == 0 {
                    return End::Closed;
                }
                for frame in outgoing.drain(..) {
                    ws.buffer_binary(&frame);
                }
                if let Err(e) = ws.flush().await {
                    return End::Lost(e.to_string());
                }
            }
            incoming = ws.read() => {
                last_heard = Instant::now();
                // Then the frames already read, without going round the select! (which
                // polls the close wait, the timer and the queue each time): up to
                // READ_BURST, so requests queued meanwhile still go out promptly. Only
                // what the buffer holds whole: the socket is read again by the select!.
                let mut incoming = incoming;
                let mut budget = READ_BURST;
                loop {
                    if let Err(end) = receive(incoming, ws, shared, events, topics).await {
                        return end;
                    }
                    budget -= 1;
                    // Checked before reading another: a frame read is a frame handled.
                    if budget == 0 {
                        break;
                    }
                    match ws.buffered() {
                        Ok(Some(next)) => incoming = Ok(next),
                        Ok(None) => break,
                        Err(e) => incoming = Err(e),
                    }
                }
                // The answers to what was read (notifications, pings) go out together.
                if ws.has_unsent() {
                    if let Err(e) = ws.flush().await {
                        return End::Lost(e.to_string());
                    }
                }
            }
        }
    }
}

/// Frames handled in one go before the connection's loop looks at its other work.
const READ_BURST: usize = 64;

/// Requests taken from the queue in one go, written together and flushed once.
const OUT_BATCH: usize = 256;

/// Acts on what the socket gave: a message is handled; the server's close or an error
/// ends the connection (pings are answered by the frame layer).
async fn receive(
    incoming: Result<Incoming, WsError>,
    ws: &mut WebSocket,
    shared: &Shared,
    events: &mpsc::Sender<TopicEvent>,
    topics: &mut TopicIdMap<TopicState>,
) -> Result<(), End> {
    match incoming {
        Ok(Incoming::Binary(b)) => handle(&b, ws, shared, events, topics)
            .await
            .map_err(End::Lost),
        Ok(Incoming::Close(f)) => {
            // The close's answer, which the frame layer buffered; the end is the same
            // whether it arrives or not.
            let _ = ws.flush().await;
            Err(End::Lost(format!("closed by the server: {f:?}")))
        }
        Err(e) => Err(End::Lost(e.to_string())),
    }
}

/// Handles one frame from the server. An error ends the connection.
async fn handle(
    frame: &Bytes,
    ws: &mut WebSocket,
    shared: &Shared,
    events: &mpsc::Sender<TopicEvent>,
    topics: &mut TopicIdMap<TopicState>,
) -> Result<(), String> {
    let msg =
        Message::decode(frame).map_err(|e| format!("malformed message from the server: {e}"))?;
    match msg {
        Message::ServiceResponse { cid, payload } => {
            if let Some(c) = shared.conversations().remove(&cid) {
                let _ = c.reply.send(Ok(payload));
            }
        }
        Message::ServiceError { cid, reason, .. } => {
            if let Some(c) = shared.conversations().remove(&cid) {
                let _ = c.reply.send(Err(ClientError::from_reason(reason)));
            }
        }
        Message::ServiceRequest {
            service,
            cid,
            payload,
        } => {
            let answer = match service {
                service::NOTIFY_SUBSCRIPTION => {
                    let n = NotifySubscription::decode(&payload)
                        .map_err(|e| format!("subscription notification: {e}"))?;
                    let path: Arc<str> = n.path.into();
                    let event = TopicEvent::Subscribed {
                        path: path.clone(),
                        specification: n.specification.clone(),
                    };
                    topics.insert(
                        n.topic_id,
                        TopicState {
                            path,
                            specification: n.specification,
                            last: None,
                        },
                    );
                    emit(events, event).await;
                    Message::ServiceResponse {
                        cid,
                        payload: Bytes::new(),
                    }
                }
                service::NOTIFY_UNSUBSCRIPTION => {
                    let n = NotifyUnsubscription::decode(&payload)
                        .map_err(|e| format!("unsubscription notification: {e}"))?;
                    if let Some(t) = topics.remove(&n.topic_id) {
                        emit(
                            events,
                            TopicEvent::Unsubscribed {
                                path: t.path,
                                reason: n.reason,
                            },
                        )
                        .await;
                    }
                    Message::ServiceResponse {
                        cid,
                        payload: Bytes::new(),
                    }
                }
                service::SYSTEM_PING | service::USER_PING => Message::ServiceResponse {
                    cid,
                    payload: Bytes::new(),
                },
                other => Message::ServiceError {
                    cid,
                    message: format!("service {other} is not handled by this client"),
                    reason: ErrorReason::new(ErrorReason::UNHANDLED_MESSAGE, "not handled"),
                },
            };
            // Sent with the burst's other answers (serve flushes after it).
            ws.buffer_binary(&answer.encode());
        }
        Message::TopicValue { topic_id, value } => {
            update(
                topic_id,
                Some(value),
                None,
                events,
                topics,
                shared.raw_values,
            )
            .await
        }
        Message::TopicDelta { topic_id, delta } => {
            update(
                topic_id,
                None,
                Some(delta),
                events,
                topics,
                shared.raw_values,
            )
            .await
        }
        Message::Abort => return Err("the server aborted the session".into()),
        Message::CloseRequest => return Err("the server closed the session".into()),
    }
    Ok(())
}

/// Applies a value or delta to a subscribed topic and emits the decoded value. A value
/// that cannot be decoded is logged and skipped: one bad update must not end the session.
async fn update(
    topic_id: i32,
    value: Option<Bytes>,
    delta: Option<Bytes>,
    events: &mpsc::Sender<TopicEvent>,
    topics: &mut TopicIdMap<TopicState>,
    raw: bool,
) {
    let Some(t) = topics.get_mut(&topic_id) else {
        tracing::debug!(
            topic_id,
            "update for a topic this session is not subscribed to"
        );
        return;
    };
    let bytes = match (value, delta) {
        (Some(v), _) => v,
        (None, Some(d)) => {
            let Some(old) = &t.last else {
                tracing::warn!(path = %t.path, "delta before any value: skipped");
                return;
            };
            match delta::apply(old, &d) {
                Ok(new) => Bytes::from(new),
                Err(e) => {
                    tracing::warn!(path = %t.path, error = %e, "bad delta: skipped");
                    return;
                }
            }
        }
        (None, None) => return,
    };
    t.last = Some(bytes.clone());
    let topic_type = t.specification.topic_type;
    if topic_type == TopicType::TimeSeries {
        // Raw or not, a time series value is an event: decoded here, since the event's
        // framing is this protocol's business, not the application's.
        match time_series_event(&t.specification, &bytes) {
            Ok(event) => {
                let path = t.path.clone();
                emit(
                    events,
                    TopicEvent::TimeSeries {
                        path,
                        event: Box::new(event),
                    },
                )
                .await;
            }
            Err(e) => {
                tracing::warn!(path = %t.path, error = %e, "undecodable time series event: skipped")
            }
        }
        return;
    }
    if raw {
        let path = t.path.clone();
        let event = TopicEvent::RawValue {
            path,
            topic_type,
            bytes,
        };
        emit(events, event).await;
        return;
    }
    match Value::decode(topic_type, &bytes) {
        Ok(value) => {
            let path = t.path.clone();
            emit(
                events,
                TopicEvent::Value {
                    path,
                    topic_type,
                    value,
                },
            )
            .await;
        }
        // A type this client does not decode (record, time series): the application
        // decides what to say about it, from the subscription's specification.
        Err(e @ ValueError::Unsupported(_)) => {
            tracing::debug!(path = %t.path, error = %e, "value of an unsupported type: skipped")
        }
        Err(e) => tracing::warn!(path = %t.path, error = %e, "undecodable value: skipped"),
    }
}

fn time_series_event(spec: &TopicSpecification, bytes: &[u8]) -> Result<TimeSeriesEvent, String> {
    let event_type = spec
        .event_type()
        .ok_or("the topic's TIME_SERIES_EVENT_VALUE_TYPE is missing or unknown")?;
    RawEvent::decode_topic_value(bytes)
        .map_err(|e| e.to_string())?
        .decode_value(event_type)
        .map_err(|e| e.to_string())
}

/// Waits for room: a slow consumer slows the socket reader instead of growing memory.
/// Tried without waiting first: there is room nearly always, and `send`'s future (a
/// semaphore acquisition polled through) cost ~150 instructions more per event on the
/// source's path (bench/profile-source.sh). Only this task sends, so the order is kept.
async fn emit(events: &mpsc::Sender<TopicEvent>, event: TopicEvent) {
    match events.try_send(event) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(event)) => {
            // Nobody listening (the receiver was dropped) is not an error.
            let _ = events.send(event).await;
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{endpoint, update, TopicState};
    use crate::id_hash::TopicIdMap;
    use crate::session::TopicEvent;
    use diffusion_wire::{TopicSpecification, TopicType, Value};

    /// SPEC 6.3 [V]: a string, int64 or double topic set to "no value" arrives as a
    /// TOPIC_VALUE of `f6`, which both SDKs report as null: an event, not a skipped update.
    #[tokio::test]
    async fn a_scalar_topic_with_no_value_is_delivered_as_null() {
        for t in [TopicType::String, TopicType::Int64, TopicType::Double] {
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let mut topics = TopicIdMap::default();
            topics.insert(
                2,
                TopicState {
                    path: "source/kafka/str".into(),
                    specification: TopicSpecification::new(t),
                    last: None,
                },
            );
            update(
                2,
                Some(bytes::Bytes::from_static(&[0xf6])),
                None,
                &tx,
                &mut topics,
                false,
            )
            .await;
            drop(tx);
            assert_eq!(
                rx.recv().await,
                Some(TopicEvent::Value {
                    path: "source/kafka/str".into(),
                    topic_type: t,
                    value: Value::Json(serde_json::Value::Null),
                }),
                "{t}"
            );
        }
    }

    #[test]
    fn endpoint_as_the_sdks_build_it() {
        assert_eq!(endpoint("ws://h:8080"), "ws://h:8080/diffusion");
        assert_eq!(endpoint("ws://h:8080/"), "ws://h:8080/diffusion");
        assert_eq!(endpoint("wss://h/diffusion"), "wss://h/diffusion");
    }
}
