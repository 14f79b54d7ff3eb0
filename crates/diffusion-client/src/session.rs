//! The public face of a session: requests, subscriptions, events and state.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use diffusion_wire::service::{self, AddTopicResult, Payload, UnsubscribeReason};
use diffusion_wire::timeseries::{self as ts, Point, PointType, QueryType, Range};
use diffusion_wire::{
    EventMetadata, Message, TimeSeriesEvent, TopicSpecification, TopicType, Value, Writer,
};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot, watch};

use crate::driver;
use crate::error::ClientError;
use crate::id_hash::CidMap;
use crate::options::SessionOptions;
use crate::slots::{Slot, Slots};

/// Where a session is in its life. Observe changes with [`Session::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Connecting for the first time; `Session::connect` has not returned yet.
    Connecting,
    /// Connected: requests go out at once. Entered again when a recovery succeeds.
    Connected,
    /// The connection dropped; reconnecting with back-off. Requests wait or fail.
    Recovering,
    /// Closed by [`Session::close`] (no reason) or for good after a failure.
    Closed(Option<String>),
}

/// What a subscription delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum TopicEvent {
    /// The session is now subscribed to a topic; its values follow as `Value` or `RawValue`
    /// events, or, for a time series topic, as `TimeSeries` events.
    Subscribed {
        /// The topic's path as the server names it (no leading `/`).
        path: Arc<str>,
        /// The topic's type and properties, as the server reported them.
        specification: TopicSpecification,
    },
    /// A topic's new value (deltas already applied).
    Value {
        /// The topic's path as the server names it (no leading `/`).
        path: Arc<str>,
        /// The topic's type, which decided how `value` was decoded.
        topic_type: TopicType,
        /// The value, decoded as `topic_type` says; `Value::Json(Null)` when a string, int64
        /// or double topic was set to "no value" (CBOR null), which the SDKs report as null.
        value: Value,
    },
    /// A topic's new value as the server encodes it (deltas already applied), instead of
    /// `Value`, when the session was opened with `SessionOptions::raw_values`: for
    /// consumers that can use the bytes as they are (e.g. CBOR straight to JSON text).
    RawValue {
        /// The topic's path as the server names it (no leading `/`).
        path: Arc<str>,
        /// The topic's type, which says how to read `bytes`.
        topic_type: TopicType,
        /// The value's wire bytes (CBOR, or raw for binary topics).
        bytes: Bytes,
    },
    /// An event of a time series topic: each event of the subscription range first, then
    /// each append and edit, in sequence order. Time series topics produce only these, never
    /// `Value` or `RawValue`.
    TimeSeries {
        /// The topic's path as the server names it (no leading `/`).
        path: Arc<str>,
        /// The event, its value decoded by the topic's event value type. Boxed: the event
        /// (152 bytes) made every event this size, and the values of other topics, the
        /// common case, were copied through `memcpy` at each move (the source's path).
        event: Box<TimeSeriesEvent>,
    },
    /// The session is no longer subscribed to the topic (no more events for it unless it is
    /// subscribed again).
    Unsubscribed {
        /// The topic's path as the server names it (no leading `/`).
        path: Arc<str>,
        /// Why: requested by this session, the topic was removed, and so on.
        reason: UnsubscribeReason,
    },
}

pub(crate) type Reply = oneshot::Sender<Result<Bytes, ClientError>>;

/// A request awaiting its answer.
pub(crate) struct Conversation {
    pub(crate) reply: Reply,
    /// When the request times out: the session's request timeout after it was sent.
    deadline: Instant,
    /// The request, for the timeout's error.
    what: &'static str,
}

/// State shared by the session handle and its driver task.
pub(crate) struct Shared {
    pub(crate) conversations: Mutex<CidMap<Conversation>>,
    pub(crate) next_cid: AtomicI64,
    pub(crate) state: watch::Sender<SessionState>,
    /// Selectors to re-subscribe after a reconnection that got a new session.
    pub(crate) selectors: Mutex<Vec<String>>,
    /// The server's largest message, from the handshake (0: not said).
    pub(crate) max_message_size: AtomicU32,
    /// Emit `RawValue` events instead of decoded `Value`s.
    pub(crate) raw_values: bool,
}

impl Shared {
    pub(crate) fn cid(&self) -> i64 {
        self.next_cid.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn conversations(&self) -> std::sync::MutexGuard<'_, CidMap<Conversation>> {
        self.conversations.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn selectors(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.selectors.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Inner {
    shared: Arc<Shared>,
    /// Frames for the driver to send. Only handles hold senders: when the last handle is
    /// dropped the driver sees the channel close and ends the session.
    out: mpsc::Sender<Bytes>,
    slots: Arc<Slots>,
    events: Mutex<Option<mpsc::Receiver<TopicEvent>>>,
    closing: watch::Sender<bool>,
    options: SessionOptions,
}

/// A Diffusion session. Cheap to clone; all clones share one connection.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl Session {
    /// Connects and authenticates. Fails at once on a bad URL, an unreachable server or
    /// wrong credentials; later connection losses are handled as `options.reconnect` says.
    pub async fn connect(
        url: &str,
        principal: &str,
        password: &str,
        options: SessionOptions,
    ) -> Result<Session, ClientError> {
        let (state, _) = watch::channel(SessionState::Connecting);
        let shared = Arc::new(Shared {
            conversations: Mutex::new(CidMap::default()),
            next_cid: AtomicI64::new(1),
            state,
            selectors: Mutex::new(Vec::new()),
            max_message_size: AtomicU32::new(0),
            raw_values: options.raw_values,
        });
        let target = driver::Target {
            url: url.to_owned(),
            principal: principal.to_owned(),
            password: password.to_owned(),
            options: options.clone(),
        };
        let connection = driver::connect(&target).await?;
        shared
            .max_message_size
            .store(connection.max_message_size, Ordering::Relaxed);
        shared.state.send_replace(SessionState::Connected);
        let (out, out_rx) = mpsc::channel(options.max_in_flight.max(1));
        let (events_tx, events_rx) = mpsc::channel(options.event_queue.max(1));
        let (closing, closing_rx) = watch::channel(false);
        tokio::spawn(expire(Arc::downgrade(&shared), options.request_timeout));
        tokio::spawn(driver::run(
            target,
            connection,
            shared.clone(),
            out_rx,
            events_tx,
            closing_rx,
        ));
        Ok(Session {
            inner: Arc::new(Inner {
                shared,
                out,
                slots: Slots::new(options.max_in_flight),
                events: Mutex::new(Some(events_rx)),
                closing,
                options,
            }),
        })
    }

    /// The largest message the server accepts, as it said in the handshake; a request
    /// above it fails with `InvalidValue` instead of being sent (the server would close
    /// the session).
    pub fn max_message_size(&self) -> Option<u32> {
        match self.inner.shared.max_message_size.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// The session's state now and as it changes.
    pub fn state(&self) -> watch::Receiver<SessionState> {
        self.inner.shared.state.subscribe()
    }

    /// The stream of topic events, for the one consumer that will read it. Read it
    /// promptly once subscribed: when it is full the socket reader waits, which delays
    /// responses too.
    pub fn take_events(&self) -> Option<mpsc::Receiver<TopicEvent>> {
        self.inner
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Creates a topic at `path`; `Exists` when an identical topic is there,
    /// `IncompatibleExistingTopic` when a different one is.
    pub async fn add_topic(
        &self,
        path: &str,
        specification: TopicSpecification,
    ) -> Result<AddTopicResult, ClientError> {
        let req = service::TopicAddRequest {
            path: path.to_owned(),
            specification,
        };
        let body = self
            .request(service::TOPIC_ADD, req.encode(), "add topic")
            .await?;
        decode(&body)
    }

    /// Sets the value of an existing topic, whose type must be `value`'s; fails with `NoSuchTopic`
    /// if there is none.
    pub async fn set(&self, path: &str, value: &Value) -> Result<(), ClientError> {
        let req = service::SetTopicRequest {
            path: path.to_owned(),
            topic_type: value.topic_type(),
            value: encode(value)?,
            constraint: service::UpdateConstraint::Unconstrained,
        };
        self.request(service::SET_TOPIC, req.encode(), "set topic")
            .await?;
        Ok(())
    }

    /// Creates the topic if needed and sets its value, in one round trip.
    pub async fn add_and_set(
        &self,
        path: &str,
        specification: TopicSpecification,
        value: &Value,
    ) -> Result<AddTopicResult, ClientError> {
        if specification.topic_type != value.topic_type() {
            return Err(ClientError::IncompatibleUpdate(format!(
                "a {} value for a {} topic at {path}",
                value.topic_type(),
                specification.topic_type
            )));
        }
        let req = service::AddAndSetRequest {
            path: path.to_owned(),
            specification,
            value: encode(value)?,
            constraint: service::UpdateConstraint::Unconstrained,
        };
        let body = self
            .request(
                service::ADD_AND_SET_TOPIC,
                req.encode(),
                "add and set topic",
            )
            .await?;
        decode(&body)
    }

    /// Removes the topics a selector matches; returns how many were removed.
    pub async fn remove(&self, selector: &str) -> Result<i32, ClientError> {
        let body = self
            .request(
                service::TOPIC_REMOVAL,
                service::SelectorRequest(selector.to_owned()).encode(),
                "remove topics",
            )
            .await?;
        let service::RemovalCount(n) = decode(&body)?;
        Ok(n)
    }

    /// Subscribes; matching topics, now and later, arrive as [`TopicEvent`]s. The
    /// selector is kept and re-subscribed if the session has to be re-established.
    pub async fn subscribe(&self, selector: &str) -> Result<(), ClientError> {
        validate_selector(selector)?;
        self.request(service::SUBSCRIBE, selection(selector), "subscribe")
            .await?;
        let mut s = self.inner.shared.selectors();
        if !s.iter().any(|x| x == selector) {
            s.push(selector.to_owned());
        }
        Ok(())
    }

    /// Removes a subscription made by [`subscribe`](Self::subscribe) with the same selector
    /// text and stops re-subscribing it; the server then unsubscribes its topics.
    pub async fn unsubscribe(&self, selector: &str) -> Result<(), ClientError> {
        validate_selector(selector)?;
        self.inner.shared.selectors().retain(|x| x != selector);
        self.request(service::UNSUBSCRIBE, selection(selector), "unsubscribe")
            .await?;
        Ok(())
    }

    /// Closes the session and waits until the driver has let go of the connection.
    pub async fn close(&self) {
        let _ = self.inner.closing.send(true);
        let mut state = self.state();
        let _ = state
            .wait_for(|s| matches!(s, SessionState::Closed(_)))
            .await;
    }

    async fn request(
        &self,
        service: i32,
        payload: Bytes,
        what: &'static str,
    ) -> Result<Bytes, ClientError> {
        self.start(service, payload, what).await?.wait().await
    }

    /// Sends a request and returns at once with its pending answer. Requests are sent in
    /// the order `start` calls complete, so a caller that awaits each `start` before the
    /// next keeps its updates in order while many are in flight.
    async fn start(
        &self,
        service: i32,
        payload: Bytes,
        what: &'static str,
    ) -> Result<PendingRaw, ClientError> {
        self.start_written(
            service,
            payload.len(),
            |w| {
                w.raw(&payload);
            },
            what,
        )
        .await
    }

    /// [`start`](Self::start) with the payload written by `payload` straight into the
    /// frame (about `payload_size` bytes): one buffer per request, not the payload's own
    /// and then the frame's copy of it.
    async fn start_written(
        &self,
        service: i32,
        payload_size: usize,
        payload: impl FnOnce(&mut Writer),
        what: &'static str,
    ) -> Result<PendingRaw, ClientError> {
        let timeout = self.inner.options.request_timeout;
        let timed_out = || ClientError::Timeout {
            what,
            after_ms: timeout.as_millis() as u64,
        };
        // A free slot and room in the queue are the common case: taken without a timer
        // (building the two timeouts' Sleeps cost ~200 instructions per request though
        // neither waited, bench/profile.sh); only a wait is timed.
        let slot = match self.inner.slots.try_take() {
            Some(slot) => slot,
            None => tokio::time::timeout(timeout, self.inner.slots.take())
                .await
                .map_err(|_| timed_out())?,
        };
        match self.enqueue(slot, service, payload_size, payload, what)? {
            Enqueued::Sent(pending) => Ok(pending),
            Enqueued::Full {
                frame,
                cid,
                pending,
            } => match tokio::time::timeout(timeout, self.inner.out.send(frame)).await {
                Ok(Ok(())) => Ok(pending),
                failed => {
                    self.inner.shared.conversations().remove(&cid);
                    Err(match failed {
                        Err(_) => timed_out(),
                        _ => ClientError::Closed,
                    })
                }
            },
        }
    }

    /// [`start_written`](Self::start_written) when it need not wait: `None` (nothing
    /// sent, `payload` perhaps called) when every in-flight slot is taken. A caller that
    /// keeps many requests in flight sends most of them this way, with no future per
    /// request (bench/profile.sh).
    fn try_start_written(
        &self,
        service: i32,
        payload_size: usize,
        payload: impl FnOnce(&mut Writer),
        what: &'static str,
    ) -> Result<Option<PendingRaw>, ClientError> {
        let Some(slot) = self.inner.slots.try_take() else {
            return Ok(None);
        };
        match self.enqueue(slot, service, payload_size, payload, what)? {
            Enqueued::Sent(pending) => Ok(Some(pending)),
            // Not expected: the queue has a place for each slot. Taken back, so the
            // caller's waiting path sends it again.
            Enqueued::Full { cid, .. } => {
                self.inner.shared.conversations().remove(&cid);
                Ok(None)
            }
        }
    }

    /// Registers a request holding `slot` and queues its frame for the driver.
    fn enqueue(
        &self,
        slot: Slot,
        service: i32,
        payload_size: usize,
        payload: impl FnOnce(&mut Writer),
        what: &'static str,
    ) -> Result<Enqueued, ClientError> {
        if let SessionState::Closed(_) = *self.inner.shared.state.borrow() {
            return Err(ClientError::Closed);
        }
        let shared = &self.inner.shared;
        let cid = shared.cid();
        let (reply, rx) = oneshot::channel();
        let conversation = Conversation {
            reply,
            deadline: Instant::now() + self.inner.options.request_timeout,
            what,
        };
        shared.conversations().insert(cid, conversation);
        let frame = Message::service_request(service, cid, payload_size, payload);
        let max = shared.max_message_size.load(Ordering::Relaxed) as usize;
        if max > 0 && frame.len() > max {
            shared.conversations().remove(&cid);
            return Err(ClientError::InvalidValue(format!(
                "the {what} request is {} bytes; the server takes messages of at most {max}",
                frame.len()
            )));
        }
        let pending = PendingRaw {
            rx,
            what,
            _slot: slot,
        };
        match self.inner.out.try_send(frame) {
            Ok(()) => Ok(Enqueued::Sent(pending)),
            Err(TrySendError::Closed(_)) => {
                shared.conversations().remove(&cid);
                Err(ClientError::Closed)
            }
            Err(TrySendError::Full(frame)) => Ok(Enqueued::Full {
                frame,
                cid,
                pending,
            }),
        }
    }

    /// [`start_set_raw`](Self::start_set_raw) when it need not wait: `None` (nothing sent)
    /// when every in-flight slot is taken; then await `start_set_raw`.
    pub fn try_start_set_raw(
        &self,
        path: &str,
        topic_type: TopicType,
        value: &[u8],
    ) -> Result<Option<Pending<()>>, ClientError> {
        Ok(self
            .try_start_written(
                service::SET_TOPIC,
                service::SetTopicRequest::size_hint(path, value),
                |w| service::SetTopicRequest::write_unconstrained(w, path, topic_type, value),
                "set topic",
            )?
            .map(|raw| Pending {
                raw,
                decode: |_| Ok(()),
            }))
    }

    /// [`set`](Self::set) with a value already encoded (CBOR for JSON topics), returning
    /// once the request is sent; await the result for the server's confirmation.
    pub async fn start_set_raw(
        &self,
        path: &str,
        topic_type: TopicType,
        value: Bytes,
    ) -> Result<Pending<()>, ClientError> {
        let raw = self
            .start_written(
                service::SET_TOPIC,
                service::SetTopicRequest::size_hint(path, &value),
                |w| service::SetTopicRequest::write_unconstrained(w, path, topic_type, &value),
                "set topic",
            )
            .await?;
        Ok(Pending {
            raw,
            decode: |_| Ok(()),
        })
    }

    /// [`add_and_set`](Self::add_and_set) with a value already encoded; see
    /// [`start_set_raw`](Self::start_set_raw).
    pub async fn start_add_and_set_raw(
        &self,
        path: &str,
        specification: TopicSpecification,
        value: Bytes,
    ) -> Result<Pending<AddTopicResult>, ClientError> {
        let req = service::AddAndSetRequest {
            path: path.to_owned(),
            specification,
            value,
            constraint: service::UpdateConstraint::Unconstrained,
        };
        let raw = self
            .start(
                service::ADD_AND_SET_TOPIC,
                req.encode(),
                "add and set topic",
            )
            .await?;
        Ok(Pending { raw, decode })
    }

    /// [`remove`](Self::remove), returning once the request is sent.
    pub async fn start_remove(&self, selector: &str) -> Result<Pending<i32>, ClientError> {
        let raw = self
            .start(
                service::TOPIC_REMOVAL,
                service::SelectorRequest(selector.to_owned()).encode(),
                "remove topics",
            )
            .await?;
        Ok(Pending {
            raw,
            decode: |b| decode::<service::RemovalCount>(b).map(|c| c.0),
        })
    }
}

/// A request's frame, queued or not yet.
enum Enqueued {
    Sent(PendingRaw),
    /// The queue was full: `frame` still to send; `cid` is registered.
    Full {
        frame: Bytes,
        cid: i64,
        pending: PendingRaw,
    },
}

/// One page of a time series query: see [`Session::query_from`].
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage {
    /// The events, in sequence order: originals and edits (an edit has `original: Some`).
    /// When the first one's sequence is above the `from_sequence` asked for, the events
    /// between are no longer retained (or never existed): a gap.
    pub events: Vec<TimeSeriesEvent>,
    /// Whether the query stopped at its limit, or at the server's largest message: page on
    /// from the last event's sequence + 1.
    pub more: bool,
}

impl Session {
    /// Appends one event; resolves to the new event's metadata. The value's type must be
    /// the topic's event value type (`NotATimeSeriesTopic` if the topic is not a time series).
    pub async fn append(&self, path: &str, value: &Value) -> Result<EventMetadata, ClientError> {
        self.start_append_raw(path, value.topic_type(), encode(value)?, None)
            .await?
            .wait()
            .await
    }

    /// [`append`](Self::append) with the value already encoded for `event_type` (CBOR, or
    /// raw bytes for binary), returning once the request is sent, like
    /// [`start_set_raw`](Self::start_set_raw). With `timestamp_ms` the event gets that
    /// timestamp (TIME_SERIES_TIMESTAMP_APPEND), which may not be earlier than the latest
    /// event's; without it, the server's clock.
    pub async fn start_append_raw(
        &self,
        path: &str,
        event_type: TopicType,
        bytes: Bytes,
        timestamp_ms: Option<i64>,
    ) -> Result<Pending<EventMetadata>, ClientError> {
        event_type_name(event_type)?;
        let append = ts::AppendRequest {
            path: path.to_owned(),
            event_type,
            value: bytes,
        };
        let raw = match timestamp_ms {
            None => {
                self.start(
                    service::TIME_SERIES_APPEND,
                    append.encode(),
                    "time series append",
                )
                .await?
            }
            Some(timestamp_ms) => {
                let req = ts::TimestampAppendRequest {
                    append,
                    timestamp_ms,
                };
                self.start(
                    service::TIME_SERIES_TIMESTAMP_APPEND,
                    req.encode(),
                    "time series append",
                )
                .await?
            }
        };
        Ok(Pending { raw, decode })
    }

    /// Appends an edit of the original event `original_sequence`, replacing its value;
    /// resolves to the edit's own metadata. `NoSuchEvent` when the series does not hold that
    /// original event.
    pub async fn edit(
        &self,
        path: &str,
        original_sequence: u64,
        value: &Value,
    ) -> Result<EventMetadata, ClientError> {
        let event_type = value.topic_type();
        event_type_name(event_type)?;
        let req = ts::EditRequest {
            path: path.to_owned(),
            event_type,
            original_sequence,
            value: encode(value)?,
        };
        let body = self
            .request(service::TIME_SERIES_EDIT, req.encode(), "time series edit")
            .await?;
        decode(&body)
    }

    /// Events of `path` with sequence >= `from_sequence`, at most `limit`, in sequence
    /// order: every original and every edit as its own event, as a subscriber receives them.
    /// `more` says the query stopped at `limit` (or at the server's largest message); page on
    /// from the last sequence + 1. A first event above `from_sequence` shows a gap: the
    /// lowest sequence still retained.
    ///
    /// On the wire this is an "all edits" range query over the whole view range, with the
    /// edit range from `from_sequence`: it selects exactly the events from that sequence on,
    /// including edits of originals before it.
    pub async fn query_from(
        &self,
        path: &str,
        from_sequence: u64,
        limit: u32,
    ) -> Result<QueryPage, ClientError> {
        let req = ts::RangeQueryRequest {
            path: path.to_owned(),
            query_type: QueryType::AllEdits,
            view_range: Range::ALL,
            edit_range: Range {
                anchor: Point {
                    value: i64::try_from(from_sequence).unwrap_or(i64::MAX),
                    kind: PointType::AbsoluteSequence,
                },
                span: Point::END,
            },
            limit: i64::from(limit),
        };
        let body = self
            .request(service::RANGE_QUERY, req.encode(), "time series query")
            .await?;
        let result: ts::RangeQueryResult = decode(&body)?;
        let more = result.selected_count > result.events.len() as u64;
        let event_type = result.event_type;
        let events = result
            .events
            .into_iter()
            .map(|e| {
                e.decode_value(event_type).map_err(|err| {
                    ClientError::Protocol(format!("a time series event of {path}: {err}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(QueryPage { events, more })
    }
}

/// Refuses an event type no time series can have, before the server does.
fn event_type_name(t: TopicType) -> Result<&'static str, ClientError> {
    ts::data_type_name(t).ok_or_else(|| {
        ClientError::InvalidValue(format!(
            "{t} cannot be a time series event type (json, string, int64, double or binary)"
        ))
    })
}

/// A request that has been sent; its answer is awaited with [`Pending::wait`]. It holds one
/// of the session's in-flight slots until then.
///
/// The wait needs no timer of its own: the session's [`expire`] answers a request that
/// outlives the request timeout with `Timeout` (a timer per request cost its registration
/// and removal in tokio's timer wheel for most requests, bench/profile.sh).
pub(crate) struct PendingRaw {
    rx: oneshot::Receiver<Result<Bytes, ClientError>>,
    what: &'static str,
    _slot: Slot,
}

impl PendingRaw {
    async fn wait(self) -> Result<Bytes, ClientError> {
        match self.rx.await {
            Ok(result) => result,
            Err(_) => Err(ClientError::ConnectionLost(format!(
                "{}: no response",
                self.what
            ))),
        }
    }
}

/// How often [`expire`] looks: a tenth of the timeout (a request times out at most that
/// much late), between 10 ms and 1 s.
fn expiry_tick(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// The session's request timeout: answers each request that has waited longer with
/// `Timeout`, until the session is gone or closed. One task per session, scanning the
/// in-flight requests (at most `max_in_flight`) a few times per timeout.
async fn expire(shared: Weak<Shared>, timeout: Duration) {
    let mut tick = tokio::time::interval(expiry_tick(timeout));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if let SessionState::Closed(_) = *shared.state.borrow() {
            return;
        }
        let now = Instant::now();
        let late: Vec<Conversation> = shared
            .conversations()
            .extract_if(|_, c| c.deadline <= now)
            .map(|(_, c)| c)
            .collect();
        for c in late {
            let _ = c.reply.send(Err(ClientError::Timeout {
                what: c.what,
                after_ms: timeout.as_millis() as u64,
            }));
        }
    }
}

/// The answer to a request sent with one of the `start_*` methods.
pub struct Pending<T> {
    raw: PendingRaw,
    decode: fn(&[u8]) -> Result<T, ClientError>,
}

impl<T> Pending<T> {
    /// Waits for the server's answer, until the session's request timeout from when the request was
    /// sent.
    pub async fn wait(self) -> Result<T, ClientError> {
        self.await
    }

    /// The answer if it is in, without waiting: `None` while it is still to come. For a
    /// caller that looks at many pending answers in turn: no waker is registered and no
    /// task budget spent (polling with a no-op waker cost ~150 instructions more per
    /// answer, bench/profile.sh). Like the future, it gives the answer once: once it has
    /// given `Some`, it is not to be asked again (it would say no answer came).
    pub fn try_answer(&mut self) -> Option<Result<T, ClientError>> {
        use oneshot::error::TryRecvError;
        Some(match self.raw.rx.try_recv() {
            Err(TryRecvError::Empty) => return None,
            Ok(answer) => self.answered(answer),
            Err(TryRecvError::Closed) => self.unanswered(),
        })
    }

    fn answered(&self, answer: Result<Bytes, ClientError>) -> Result<T, ClientError> {
        answer.and_then(|body| (self.decode)(&body))
    }

    fn unanswered(&self) -> Result<T, ClientError> {
        Err(ClientError::ConnectionLost(format!(
            "{}: no response",
            self.raw.what
        )))
    }
}

/// A pending answer is itself a future (`Unpin`, needing no box), for a caller that keeps
/// many in flight and polls them in turn; the same as [`Pending::wait`].
impl<T> Future for Pending<T> {
    type Output = Result<T, ClientError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Poll::Ready(match ready!(Pin::new(&mut this.raw.rx).poll(cx)) {
            Ok(answer) => this.answered(answer),
            Err(_) => this.unanswered(),
        })
    }
}

fn selection(selector: &str) -> Bytes {
    // Protocol 25 carries the selector alone (no scope).
    service::TopicSelection {
        selector: selector.to_owned(),
        scope: None,
    }
    .encode()
}

/// Rejects a selector locally, with the reason, before the server does so less helpfully.
fn validate_selector(selector: &str) -> Result<(), ClientError> {
    diffusion_wire::Selector::parse(selector)
        .map(|_| ())
        .map_err(|e| ClientError::InvalidValue(e.to_string()))
}

fn encode(value: &Value) -> Result<Bytes, ClientError> {
    value
        .encode()
        .map_err(|e| ClientError::InvalidValue(e.to_string()))
}

fn decode<P: Payload>(body: &[u8]) -> Result<P, ClientError> {
    P::decode(body).map_err(|e| ClientError::Protocol(format!("unexpected response: {e}")))
}
