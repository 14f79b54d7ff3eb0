//! One client session: the WebSocket handshake with its connection parameters,
//! authentication, then a loop answering service requests and forwarding the frames the
//! tree queued for this session.
//!
//! A bad frame ends this session only: it is logged with the reason, the WebSocket is
//! closed with a protocol-error status, and every other session carries on.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use diffusion_wire::connection::{
    ConnectionRequest, ConnectionResponse, ResponseCode, SessionDetails, MAX_VERSION, MIN_VERSION,
    TOKEN_LEN,
};
use diffusion_wire::service::{self, Payload, SelectorRequest};
use diffusion_wire::timeseries as ts;
use diffusion_wire::{Credentials, ErrorReason, Message, Selector};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch, Notify};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::WebSocketStream;

use crate::server::Shared;
use crate::tidy::Tidy;
use crate::tree::{SeriesUpdate, SessionEntry, SessionId};

pub(crate) async fn run<S>(
    stream: S,
    peer: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut params: Vec<(String, String)> = Vec::new();
    // The callback's signature, large error type included, is tungstenite's.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let path = req.uri().path();
        if path.trim_end_matches('/') != "/diffusion" {
            return Err(http_error(
                StatusCode::NOT_FOUND,
                "the Diffusion endpoint is /diffusion",
            ));
        }
        // The Python SDK sends its parameters as headers, the JavaScript SDK in the query.
        for (k, v) in req.headers() {
            if let Ok(v) = v.to_str() {
                params.push((k.as_str().to_owned(), v.to_owned()));
            }
        }
        if let Some(q) = req.uri().query() {
            params.extend(parse_query(q));
        }
        Ok(resp)
    };
    // tungstenite reads in 128 KiB chunks by default, allocated per connection: most of an
    // idle session's memory. Diffusion messages are small; 8 KiB keeps sessions cheap.
    let ws_config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(Some(shared.config.max_message_size as usize))
        .max_frame_size(Some(shared.config.max_message_size as usize));
    let ws =
        match tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(ws_config))
            .await
        {
            Ok(ws) => ws,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "WebSocket handshake failed");
                return;
            }
        };
    let request =
        ConnectionRequest::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let sid = shared.next_session.fetch_add(1, Ordering::Relaxed);
    match admit(&shared, request) {
        Ok((version, principal)) => {
            tracing::info!(%peer, session = sid, %principal, version, "session opened");
            serve(ws, sid, version, &principal, shared, stop).await;
            tracing::info!(session = sid, "session closed");
        }
        Err((version, code, why)) => {
            tracing::info!(%peer, ?code, reason = %why, "connection refused");
            let mut ws = ws;
            let _ = ws
                .send(Ws::Binary(
                    ConnectionResponse::failure(version, code).encode(),
                ))
                .await;
            let _ = ws.close(None).await;
        }
    }
}

fn http_error(status: StatusCode, why: &str) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(why.to_owned()));
    *r.status_mut() = status;
    r
}

/// Decides whether a connection becomes a session: returns the protocol version to answer
/// with, or the refusal to send.
fn admit(
    shared: &Shared,
    request: Result<ConnectionRequest, diffusion_wire::DecodeError>,
) -> Result<(u8, String), (u8, ResponseCode, String)> {
    let req = request.map_err(|e| {
        (
            MIN_VERSION,
            ResponseCode::ConnectionProtocolError,
            e.to_string(),
        )
    })?;
    // Answer each client in its own version: the SDKs reject any other.
    let version = req.version;
    if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
        return Err((
            version,
            ResponseCode::ConnectionProtocolError,
            format!("protocol version {version} not supported ({MIN_VERSION}..={MAX_VERSION})"),
        ));
    }
    if req.session_token.is_some() {
        // Sessions are not kept after their connection drops, so there is nothing to
        // resume; the client starts a new session instead.
        return Err((
            version,
            ResponseCode::UnknownSession,
            "unknown session token".into(),
        ));
    }
    let ok = match (
        &req.credentials,
        shared.config.principals.get(&req.principal),
    ) {
        (Credentials::Password(given), Some(expected)) => {
            constant_time_eq(given.as_bytes(), expected.as_bytes())
        }
        _ => false,
    };
    if !ok {
        return Err((
            version,
            ResponseCode::AuthenticationFailed,
            format!("bad credentials for principal {:?}", req.principal),
        ));
    }
    Ok((version, req.principal))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a session ended abnormally.
struct ProtocolViolation(String);

async fn serve<S>(
    mut ws: WebSocketStream<S>,
    sid: SessionId,
    version: u8,
    principal: &str,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let token: [u8; TOKEN_LEN] = {
        // Printable, as the Python SDK formats tokens as ASCII text.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        std::array::from_fn(|_| ALPHABET[rand::random_range(0..ALPHABET.len())])
    };
    let response = ConnectionResponse {
        version,
        code: ResponseCode::Ok,
        session: Some(SessionDetails {
            server_id: shared.server_id,
            session_id: sid,
            token,
            ping_period_ms: shared.config.ping_period.as_millis() as u64,
            max_message_size: shared.config.max_message_size,
        }),
    };
    // Registered before it is answered: a client holding its connection response is a
    // session of the server's (counted, reachable), whatever it does next.
    let queue = shared.config.session_queue;
    let (tx, mut rx) = mpsc::channel::<Bytes>(queue);
    let kill = Arc::new(Notify::new());
    let tidy = Arc::new(Tidy::default());
    shared.tree().add_session(
        sid,
        SessionEntry::new(tx.clone(), kill.clone(), tidy.clone()),
    );
    if ws.send(Ws::Binary(response.encode())).await.is_err() {
        shared.tree().remove_session(sid);
        return;
    }

    let (mut sink, mut stream) = ws.split();
    // The writer owns the socket's sending half, so a slow client slows only its own writer.
    let writer = tokio::spawn(async move {
        // Take whatever is queued, then write it and flush once: one system call for a
        // burst of updates instead of one per message. Taking it first also lets TIDY_ON_
        // UNSUBSCRIBE drop the updates queued ahead of their topic's unsubscription.
        // While a slow client holds up the writing, a tidy unsubscription can arrive: the
        // frames not yet written are swept again with whatever has been queued since.
        // `recv_many` takes them in one go, releasing the queue's permits once per batch.
        let mut batch = Vec::new();
        'outer: while rx.recv_many(&mut batch, queue).await > 0 {
            tidy.sweep(&mut batch);
            let mut next = 0;
            while next < batch.len() {
                let frame = std::mem::take(&mut batch[next]);
                next += 1;
                if sink.feed(Ws::Binary(frame)).await.is_err() {
                    break 'outer;
                }
                if tidy.pending() {
                    // The batch is again the frames not yet written, and what has come since.
                    batch.drain(..next);
                    next = 0;
                    let before = batch.len();
                    while let Ok(frame) = rx.try_recv() {
                        batch.push(frame);
                    }
                    if batch.len() > before {
                        tidy.sweep(&mut batch);
                    }
                }
            }
            batch.clear();
            if sink.flush().await.is_err() {
                break;
            }
        }
        sink
    });

    let mut ping = tokio::time::interval(shared.config.ping_period);
    ping.tick().await;
    let ended: Result<(), ProtocolViolation> = 'session: loop {
        let mut frame = tokio::select! {
            frame = stream.next() => frame,
            _ = ping.tick() => {
                shared.tree().ping(sid);
                continue;
            }
            _ = kill.notified() => {
                break Err(ProtocolViolation("outbound queue full: the client is not keeping up".into()));
            }
            _ = stop.changed() => break Ok(()),
        };
        // This frame, then those already read behind it (a publisher pipelines its
        // requests), without setting up the select again for each.
        let mut handled = 0;
        loop {
            match frame {
                Some(Ok(Ws::Binary(b))) => match handle(&b, sid, principal, &shared, &tx).await {
                    Ok(true) => {}
                    Ok(false) => break 'session Ok(()),
                    Err(v) => break 'session Err(v),
                },
                Some(Ok(Ws::Text(_))) => {
                    break 'session Err(ProtocolViolation(
                        "text frames are not part of the protocol".into(),
                    ));
                }
                Some(Ok(Ws::Close(_))) | None => break 'session Ok(()),
                Some(Ok(_)) => {} // WebSocket pings and pongs are answered by tungstenite.
                Some(Err(e)) => {
                    break 'session Err(ProtocolViolation(format!("WebSocket error: {e}")));
                }
            }
            handled += 1;
            if handled == FRAMES_PER_TURN {
                break;
            }
            match stream.next().now_or_never() {
                Some(next) => frame = next,
                None => break,
            }
        }
    };

    shared.tree().remove_session(sid);
    drop(tx);
    let close = match &ended {
        Ok(()) => None,
        Err(ProtocolViolation(why)) => {
            tracing::warn!(session = sid, reason = %why, "closing session");
            Some(CloseFrame {
                code: CloseCode::Protocol,
                reason: close_reason(why).into(),
            })
        }
    };
    let writer = tokio::time::timeout(std::time::Duration::from_secs(5), writer).await;
    if let Ok(Ok(sink)) = writer {
        if let Ok(mut ws) = sink.reunite(stream) {
            let _ = ws.close(close).await;
        }
    }
}

/// Most frames handled in one turn of a session's loop before it looks at its timer and
/// signals again.
const FRAMES_PER_TURN: usize = 64;

/// A close frame's reason text: at most 120 bytes, as a close reason must fit in a control
/// frame, cut at a character boundary (the reason may quote a client's text).
fn close_reason(why: &str) -> String {
    let mut end = why.len().min(120);
    while !why.is_char_boundary(end) {
        end -= 1;
    }
    why[..end].to_owned()
}

/// Handles one frame. `Ok(false)` ends the session cleanly.
async fn handle(
    frame: &Bytes,
    sid: SessionId,
    principal: &str,
    shared: &Shared,
    tx: &mpsc::Sender<Bytes>,
) -> Result<bool, ProtocolViolation> {
    let malformed = |e| ProtocolViolation(format!("malformed message: {e}"));
    // A service request, as nearly every frame is: read with its payload borrowed.
    if let Some(parts) = Message::service_request_parts(frame) {
        let (service, cid, payload) = parts.map_err(malformed)?;
        return request(service, cid, payload, sid, principal, shared, tx).await;
    }
    match Message::decode(frame).map_err(malformed)? {
        // A compressed one.
        Message::ServiceRequest {
            service,
            cid,
            payload,
        } => request(service, cid, &payload, sid, principal, shared, tx).await,
        // Answers to our notifications and pings: nothing more to do.
        Message::ServiceResponse { .. } => Ok(true),
        Message::ServiceError {
            message, reason, ..
        } => {
            tracing::debug!(session = sid, %message, %reason, "client reported an error");
            Ok(true)
        }
        Message::CloseRequest | Message::Abort => Ok(false),
        Message::TopicValue { .. } | Message::TopicDelta { .. } => Err(ProtocolViolation(
            "clients may not send topic value or delta messages".into(),
        )),
    }
}

/// Answers one service request.
async fn request(
    service: i32,
    cid: i64,
    payload: &[u8],
    sid: SessionId,
    principal: &str,
    shared: &Shared,
    tx: &mpsc::Sender<Bytes>,
) -> Result<bool, ProtocolViolation> {
    // Only (un)subscriptions wait (to queue their answer ahead of their
    // notifications); everything else is answered without an await, so the common
    // case does not set up their state.
    let answer = match service {
        service::SUBSCRIBE | service::UNSUBSCRIBE => {
            subscription(service, payload, sid, shared, tx, cid).await
        }
        _ => respond(service, payload, sid, principal, shared),
    };
    let reply = match answer {
        Ok(Some(body)) => Message::ServiceResponse { cid, payload: body },
        Ok(None) => return Ok(true), // already answered
        Err(reason) => {
            tracing::debug!(session = sid, service = service::name(service), %reason, "service error");
            Message::ServiceError {
                cid,
                message: reason.description.clone(),
                reason,
            }
        }
    };
    // Queued at once when there is room, as there nearly always is; else waits for it.
    match tx.try_send(reply.encode()) {
        Ok(()) => Ok(true),
        Err(mpsc::error::TrySendError::Full(frame)) => tx
            .send(frame)
            .await
            .map(|()| true)
            .map_err(|_| ProtocolViolation("session closed".into())),
        Err(mpsc::error::TrySendError::Closed(_)) => {
            Err(ProtocolViolation("session closed".into()))
        }
    }
}

fn parse<P: Payload>(payload: &[u8]) -> Result<P, ErrorReason> {
    parse_with(payload, P::decode)
}

/// [`parse`] with the payload's own decoder, for one that borrows from it.
fn parse_with<'a, T>(
    payload: &'a [u8],
    decode: impl FnOnce(&'a [u8]) -> Result<T, diffusion_wire::DecodeError>,
) -> Result<T, ErrorReason> {
    decode(payload).map_err(|e| {
        let shown = &payload[..payload.len().min(64)];
        let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
        ErrorReason::new(
            ErrorReason::INVALID_DATA,
            format!("malformed request ({e}): {hex}"),
        )
    })
}

fn selector(s: &str) -> Result<Selector, ErrorReason> {
    Selector::parse(s).map_err(|e| ErrorReason::new(ErrorReason::INVALID_DATA, e.to_string()))
}

/// A SUBSCRIBE or UNSUBSCRIBE request: its response is queued first, then the tree sends
/// the notifications, so the answer is always `Ok(None)` or an error.
async fn subscription(
    service: i32,
    payload: &[u8],
    sid: SessionId,
    shared: &Shared,
    tx: &mpsc::Sender<Bytes>,
    cid: i64,
) -> Result<Option<Bytes>, ErrorReason> {
    // Scopes (protocol 26+) are accepted and treated as the default scope.
    let r: service::TopicSelection = parse(payload)?;
    let sel = selector(&r.selector)?;
    let ack = Message::ServiceResponse {
        cid,
        payload: Bytes::new(),
    }
    .encode();
    tx.send(ack)
        .await
        .map_err(|_| ErrorReason::new(ErrorReason::SESSION_CLOSED, "session closed"))?;
    if service == service::SUBSCRIBE {
        shared.tree().subscribe(sid, sel);
    } else {
        shared.tree().unsubscribe(sid, &sel);
    }
    Ok(None)
}

/// Runs one service request other than a (un)subscription. `Ok(Some(payload))` is the
/// response body.
fn respond(
    service: i32,
    payload: &[u8],
    sid: SessionId,
    principal: &str,
    shared: &Shared,
) -> Result<Option<Bytes>, ErrorReason> {
    fn unconstrained(c: &service::UpdateConstraint) -> Result<(), ErrorReason> {
        match c {
            service::UpdateConstraint::Unconstrained => Ok(()),
            service::UpdateConstraint::Other(_) => Err(ErrorReason::new(
                ErrorReason::UNSUPPORTED,
                "update constraints are not supported by the embedded server",
            )),
        }
    }
    let empty = Ok(Some(Bytes::new()));
    match service {
        service::SYSTEM_PING | service::USER_PING => empty,
        service::TOPIC_ADD => {
            let r: service::TopicAddRequest = parse(payload)?;
            Ok(Some(
                shared.tree().add(&r.path, r.specification, sid)?.encode(),
            ))
        }
        service::SET_TOPIC => {
            // Borrowed from the payload: the path is only looked up, and the value is
            // copied once, to be kept.
            let r = parse_with(payload, service::SetTopicView::decode)?;
            unconstrained(&r.constraint)?;
            let value = Bytes::copy_from_slice(r.value);
            shared.tree().set(r.path, r.topic_type, value)?;
            empty
        }
        service::ADD_AND_SET_TOPIC => {
            let r: service::AddAndSetRequest = parse(payload)?;
            unconstrained(&r.constraint)?;
            Ok(Some(
                shared
                    .tree()
                    .add_and_set(&r.path, r.specification, r.value, sid)?
                    .encode(),
            ))
        }
        service::TOPIC_REMOVAL => {
            let SelectorRequest(s) = parse(payload)?;
            let sel = selector(&s)?;
            Ok(Some(
                service::RemovalCount(shared.tree().remove(&sel)).encode(),
            ))
        }
        service::TIME_SERIES_APPEND
        | service::TIME_SERIES_TIMESTAMP_APPEND
        | service::TIME_SERIES_EDIT => {
            let (append, timestamp_ms, original) = match service {
                service::TIME_SERIES_APPEND => (parse::<ts::AppendRequest>(payload)?, None, None),
                service::TIME_SERIES_TIMESTAMP_APPEND => {
                    let r: ts::TimestampAppendRequest = parse(payload)?;
                    (r.append, Some(r.timestamp_ms), None)
                }
                _ => {
                    let r: ts::EditRequest = parse(payload)?;
                    let append = ts::AppendRequest {
                        path: r.path,
                        event_type: r.event_type,
                        value: r.value,
                    };
                    (append, None, Some(r.original_sequence))
                }
            };
            let metadata = shared.tree().append(SeriesUpdate {
                path: &append.path,
                event_type: append.event_type,
                value: &append.value,
                author: principal,
                timestamp_ms,
                original,
            })?;
            Ok(Some(metadata.encode()))
        }
        service::RANGE_QUERY => {
            let r: ts::RangeQueryRequest = parse(payload)?;
            // The answer must fit in a message the client takes: ours, less its header.
            let max = (shared.config.max_message_size as usize).saturating_sub(16);
            Ok(Some(shared.tree().range_query(&r, max)?))
        }
        other => Err(ErrorReason::new(
            ErrorReason::UNSUPPORTED,
            format!("service {other} is not supported by the embedded server"),
        )),
    }
}

/// Splits a URL query into decoded pairs. Hand-written: percent-decoding is a few lines and
/// not worth a dependency for the one place the JavaScript SDK needs it.
fn parse_query(q: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    match u8::from_str_radix(
                        std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"),
                        16,
                    ) {
                        Ok(x) => {
                            out.push(x);
                            i += 3;
                            continue;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                other => out.push(other),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{close_reason, parse_query};

    #[test]
    fn a_long_close_reason_is_cut_at_a_character_boundary() {
        // Byte 120 falls inside the 2-byte 'é' that starts at byte 119.
        let why = format!("{}é and more", "x".repeat(119));
        let reason = close_reason(&why);
        assert_eq!(reason, "x".repeat(119));
        // Within 120 bytes it is kept whole; past them it is cut to 120.
        assert_eq!(close_reason("short é"), "short é");
        assert_eq!(close_reason(&"y".repeat(200)), "y".repeat(120));
        // Four-byte characters too: never more than 120 bytes, always valid text.
        let emoji = "🦀".repeat(40);
        assert_eq!(close_reason(&emoji), "🦀".repeat(30));
    }

    #[test]
    fn decodes_the_javascript_query() {
        let q = parse_query("ty=WB&v=29&password=AQhwYXNzd29yZA%3D%3D&bad=%zz&end=%4");
        assert_eq!(q[2], ("password".into(), "AQhwYXNzd29yZA==".into()));
        assert_eq!(q[3].1, "%zz");
        assert_eq!(q[4].1, "%4");
    }
}
