//! The topic tree and who is subscribed to what.
//!
//! One lock guards topics and subscriptions together, so a subscription and a concurrent
//! update can never interleave wrongly: a new subscriber gets the current value, then every
//! later update, in order. Nothing in here blocks: frames go to each session's bounded
//! outbox with `try_send`, and a session whose outbox is full is closed rather than allowed
//! to grow the server's memory or stall publishers.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use diffusion_wire::service::{
    self, AddTopicResult, NotifySubscription, NotifyUnsubscription, Payload, UnsubscribeReason,
};
use diffusion_wire::timeseries::RangeQueryRequest;
use diffusion_wire::{
    delta::Delta, path, ErrorReason, EventMetadata, Message, Selector, TopicSpecification,
    TopicType, Value,
};
use tokio::sync::{mpsc, Notify};

use crate::fx::{FxHashMap, FxHashSet};
use crate::removal::{self, Watch};
use crate::series::Series;
use crate::tidy::Tidy;

pub(crate) type SessionId = u64;

struct Topic {
    id: i32,
    spec: TopicSpecification,
    value: Option<Bytes>,
    /// Whether values are kept (not `DONT_RETAIN_VALUE`), read once from `spec`.
    retains: bool,
    /// Whether updates may go as deltas (JSON and binary topics).
    deltas: bool,
    subscribers: FxHashSet<SessionId>,
    /// The REMOVAL policy and what it is judged on; `None` for most topics.
    removal: Option<Box<Watch>>,
    /// The events of a TIME_SERIES topic (whose `value` stays `None`); `None` otherwise.
    series: Option<Box<Series>>,
}

impl Topic {
    fn add_subscriber(&mut self, sid: SessionId) -> bool {
        let before = self.subscribers.len();
        let added = self.subscribers.insert(sid);
        if let (true, Some(w)) = (added, &mut self.removal) {
            w.subscribers_changed(before, Instant::now());
        }
        added
    }

    fn drop_subscriber(&mut self, sid: SessionId) -> bool {
        let before = self.subscribers.len();
        let dropped = self.subscribers.remove(&sid);
        if let (true, Some(w)) = (dropped, &mut self.removal) {
            w.subscribers_changed(before, Instant::now());
        }
        dropped
    }
}

/// What the tree knows of a session: where to send its frames and what it asked for.
pub(crate) struct SessionEntry {
    outbox: mpsc::Sender<Bytes>,
    /// Woken when the tree gives up on the session (outbox full).
    kill: Arc<Notify>,
    /// Told of unsubscriptions from TIDY_ON_UNSUBSCRIBE topics; shared with the writer.
    tidy: Arc<Tidy>,
    selectors: Vec<Selector>,
    /// Conversation ids for the server's own requests (notifications) to this session.
    next_cid: i64,
}

impl SessionEntry {
    pub(crate) fn new(outbox: mpsc::Sender<Bytes>, kill: Arc<Notify>, tidy: Arc<Tidy>) -> Self {
        Self {
            outbox,
            kill,
            tidy,
            selectors: Vec::new(),
            next_cid: 1,
        }
    }

    fn notification(&mut self, service: i32, payload: Bytes) -> Bytes {
        let cid = self.next_cid;
        self.next_cid += 1;
        Message::ServiceRequest {
            service,
            cid,
            payload,
        }
        .encode()
    }
}

/// Counters for tests, benchmarks and logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServerStats {
    /// How many topics exist when the snapshot is taken.
    pub topics: usize,
    /// How many sessions are open (admitted, not yet closed) when the snapshot is taken.
    pub sessions: usize,
    /// Topic value messages queued to subscribers.
    pub values_sent: u64,
    /// Topic delta messages queued to subscribers.
    pub deltas_sent: u64,
    /// Sessions closed because they could not keep up.
    pub slow_sessions_closed: u64,
}

#[derive(Default)]
pub(crate) struct Tree {
    stats: ServerStats,
    /// The topics by path: looked up by every update, so hashed.
    topics: FxHashMap<String, Topic>,
    /// The same paths in order, for what visits topics by selector (subscriptions,
    /// removals), which Diffusion does in path order.
    paths: BTreeSet<String>,
    next_topic_id: i32,
    sessions: FxHashMap<SessionId, SessionEntry>,
    /// Sessions found too slow while delivering; closed once delivery is done.
    overflowed: Vec<SessionId>,
    /// Paths of the topics with a REMOVAL policy still to act on, so the timer visits only
    /// them and does nothing at all when there are none.
    watched: BTreeSet<String>,
}

impl Tree {
    pub(crate) fn add_session(&mut self, id: SessionId, entry: SessionEntry) {
        self.sessions.insert(id, entry);
    }

    pub(crate) fn remove_session(&mut self, id: SessionId) {
        if self.sessions.remove(&id).is_some() {
            for t in self.topics.values_mut() {
                t.drop_subscriber(id);
            }
        }
    }

    pub(crate) fn stats(&self) -> ServerStats {
        ServerStats {
            topics: self.topics.len(),
            sessions: self.sessions.len(),
            ..self.stats
        }
    }

    /// Adds a topic for session `creator`. Adding one that exists with the same
    /// specification is not an error.
    pub(crate) fn add(
        &mut self,
        raw_path: &str,
        spec: TopicSpecification,
        creator: SessionId,
    ) -> Result<AddTopicResult, ErrorReason> {
        let p = valid_path(raw_path)?;
        valid_type(spec.topic_type)?;
        let policy = removal_policy(&spec)?;
        let series = match spec.topic_type {
            TopicType::TimeSeries => Some(Box::new(Series::new(&spec)?)),
            _ => None,
        };
        if let Some(t) = self.topics.get(&p) {
            return if t.spec.same_as(&spec) {
                Ok(AddTopicResult::Exists)
            } else {
                Err(ErrorReason::new(
                    ErrorReason::TOPIC_EXISTS_MISMATCH,
                    format!(
                        "topic {p} exists as {} with other properties than requested ({})",
                        t.spec.topic_type, spec.topic_type
                    ),
                ))
            };
        }
        self.next_topic_id += 1;
        let id = self.next_topic_id;
        let removal = policy.map(|policy| {
            self.watched.insert(p.clone());
            Box::new(Watch::new(policy, creator, Instant::now()))
        });
        let retains = !is_true(&spec, "DONT_RETAIN_VALUE");
        let deltas = matches!(spec.topic_type, TopicType::Json | TopicType::Binary);
        self.paths.insert(p.clone());
        self.topics.insert(
            p.clone(),
            Topic {
                id,
                spec,
                value: None,
                retains,
                deltas,
                subscribers: FxHashSet::default(),
                removal,
                series,
            },
        );
        // Existing subscriptions pick up the new topic.
        let interested: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.selectors.iter().any(|sel| sel.matches(&p)))
            .map(|(id, _)| *id)
            .collect();
        for sid in interested {
            self.subscribe_one(sid, &p);
        }
        self.close_overflowed();
        Ok(AddTopicResult::Created)
    }

    /// Sets the value of an existing topic and delivers it to the subscribers.
    pub(crate) fn set(
        &mut self,
        raw_path: &str,
        topic_type: TopicType,
        value: Bytes,
    ) -> Result<(), ErrorReason> {
        // A path the tree holds is normalised and valid, so when the request names one
        // exactly (as clients do), normalising it would give it back unchanged: skip that.
        let Tree {
            topics,
            sessions,
            stats,
            overflowed,
            ..
        } = self;
        let normalised;
        let (p, t) = match topics.get_mut(raw_path) {
            Some(t) => (raw_path, t),
            None => {
                normalised = valid_path(raw_path)?;
                let Some(t) = topics.get_mut(&normalised) else {
                    return Err(ErrorReason::new(
                        ErrorReason::NO_SUCH_TOPIC,
                        format!("no topic at {normalised}"),
                    ));
                };
                (normalised.as_str(), t)
            }
        };
        if t.spec.topic_type != topic_type {
            return Err(ErrorReason::new(
                ErrorReason::INCOMPATIBLE_UPDATE,
                format!(
                    "topic {p} is a {} topic, the update is {topic_type}",
                    t.spec.topic_type
                ),
            ));
        }
        valid_value(topic_type, &value)?;
        publish(t, sessions, stats, overflowed, value);
        self.close_overflowed();
        Ok(())
    }

    /// Adds the topic if needed, then sets it: the sink's one round trip per record.
    pub(crate) fn add_and_set(
        &mut self,
        raw_path: &str,
        spec: TopicSpecification,
        value: Bytes,
        creator: SessionId,
    ) -> Result<AddTopicResult, ErrorReason> {
        let p = valid_path(raw_path)?;
        valid_type(spec.topic_type)?;
        valid_value(spec.topic_type, &value)?;
        let result = match self.topics.get(&p) {
            Some(t) if t.spec.topic_type != spec.topic_type => {
                return Err(ErrorReason::new(
                    ErrorReason::INCOMPATIBLE_TOPIC_EXISTS,
                    format!(
                        "topic {p} exists as a {} topic, not {}",
                        t.spec.topic_type, spec.topic_type
                    ),
                ))
            }
            Some(_) => AddTopicResult::Exists,
            None => {
                // The value goes in before subscribers are told, so they get it at once.
                self.add(&p, spec, creator)?;
                AddTopicResult::Created
            }
        };
        self.publish(&p, value);
        Ok(result)
    }

    /// Removes every topic the selector matches; returns how many.
    pub(crate) fn remove(&mut self, selector: &Selector) -> i32 {
        let doomed: Vec<String> = self
            .paths
            .iter()
            .filter(|p| selector.matches(p))
            .cloned()
            .collect();
        for p in &doomed {
            let t = self.topics.remove(p).expect("listed above");
            self.paths.remove(p);
            self.watched.remove(p);
            let payload = NotifyUnsubscription {
                topic_id: t.id,
                reason: UnsubscribeReason::Removal,
            }
            .encode();
            for sid in t.subscribers {
                self.send_notification(sid, service::NOTIFY_UNSUBSCRIPTION, payload.clone());
            }
        }
        self.close_overflowed();
        doomed.len() as i32
    }

    pub(crate) fn subscribe(&mut self, sid: SessionId, selector: Selector) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let matching: Vec<String> = self
            .paths
            .iter()
            .filter(|p| selector.matches(p))
            .cloned()
            .collect();
        if !s.selectors.contains(&selector) {
            s.selectors.push(selector);
        }
        for p in matching {
            self.subscribe_one(sid, &p);
        }
        self.close_overflowed();
    }

    pub(crate) fn unsubscribe(&mut self, sid: SessionId, selector: &Selector) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        s.selectors.retain(|x| x != selector);
        let remaining = s.selectors.clone();
        let mut dropped = Vec::new();
        for p in &self.paths {
            let t = self.topics.get_mut(p).expect("paths and topics agree");
            if t.subscribers.contains(&sid)
                && selector.matches(p)
                && !remaining.iter().any(|r| r.matches(p))
            {
                t.drop_subscriber(sid);
                dropped.push(t.id);
                if is_true(&t.spec, "TIDY_ON_UNSUBSCRIBE") {
                    s.tidy.unsubscribing(t.id);
                }
            }
        }
        for topic_id in dropped {
            let payload = NotifyUnsubscription {
                topic_id,
                reason: UnsubscribeReason::Requested,
            }
            .encode();
            self.send_notification(sid, service::NOTIFY_UNSUBSCRIPTION, payload);
        }
        self.close_overflowed();
    }

    /// Subscribes one session to one topic: the notification, then the current value.
    fn subscribe_one(&mut self, sid: SessionId, p: &str) {
        let Some(t) = self.topics.get_mut(p) else {
            return;
        };
        if !t.add_subscriber(sid) {
            return;
        }
        let payload = NotifySubscription {
            topic_id: t.id,
            path: p.to_owned(),
            specification: t.spec.clone(),
        }
        .encode();
        let topic_id = t.id;
        let value = t.value.clone();
        // A time series sends its subscription range, one event per value message.
        let events = t.series.as_ref().map(|s| s.subscription_events());
        self.send_notification(sid, service::NOTIFY_SUBSCRIPTION, payload);
        for value in value.into_iter().chain(events.into_iter().flatten()) {
            self.stats.values_sent += 1;
            self.send(sid, Message::TopicValue { topic_id, value }.encode());
        }
    }

    /// [`publish`] to the topic at `p`, if there is one.
    fn publish(&mut self, p: &str, value: Bytes) {
        let Some(t) = self.topics.get_mut(p) else {
            return;
        };
        publish(
            t,
            &self.sessions,
            &mut self.stats,
            &mut self.overflowed,
            value,
        );
        self.close_overflowed();
    }

    /// The time series topic at `raw_path`, checked for the event type a request encodes
    /// its value as: 9000 if there is no topic, 9001 if it is not a time series, 108 if its
    /// events are of another type.
    fn series_mut(
        &mut self,
        raw_path: &str,
        event_type: Option<TopicType>,
    ) -> Result<&mut Topic, ErrorReason> {
        let p = valid_path(raw_path)?;
        let Some(t) = self.topics.get_mut(&p) else {
            return Err(ErrorReason::new(
                ErrorReason::NO_SUCH_TOPIC,
                format!("no topic at {p}"),
            ));
        };
        let Some(series) = &t.series else {
            return Err(ErrorReason::new(
                ErrorReason::NOT_A_TIME_SERIES_TOPIC,
                format!(
                    "topic {p} is a {} topic, not a time series topic",
                    t.spec.topic_type
                ),
            ));
        };
        if let Some(given) = event_type.filter(|e| *e != series.event_type) {
            return Err(ErrorReason::new(
                ErrorReason::INCOMPATIBLE_DATATYPE,
                format!(
                    "time series {p} holds {} events, the request is {given}",
                    series.event_type
                ),
            ));
        }
        Ok(t)
    }

    /// Appends an event (an edit when `original` is given) and sends it to the subscribers.
    pub(crate) fn append(
        &mut self,
        update: SeriesUpdate<'_>,
    ) -> Result<EventMetadata, ErrorReason> {
        let now = epoch_ms(SystemTime::now());
        let t = self.series_mut(update.path, Some(update.event_type))?;
        let series = t.series.as_mut().expect("checked by series_mut");
        let event = match update.original {
            None => series.append(update.value, update.author, now, update.timestamp_ms)?,
            Some(seq) => series.edit(seq, update.value, update.author, now)?,
        };
        let metadata = event.metadata.clone();
        let value = event.topic_value.clone();
        if let Some(w) = &mut t.removal {
            w.updated(Instant::now());
        }
        if t.subscribers.is_empty() {
            return Ok(metadata);
        }
        // One frame for every subscriber: events are always whole values, never deltas.
        let frame = Message::TopicValue {
            topic_id: t.id,
            value,
        }
        .encode();
        let subscribers: Vec<SessionId> = t.subscribers.iter().copied().collect();
        self.stats.values_sent += subscribers.len() as u64;
        for sid in subscribers {
            self.send(sid, frame.clone());
        }
        self.close_overflowed();
        Ok(metadata)
    }

    /// Answers a range query with a result payload of at most `max_bytes`.
    pub(crate) fn range_query(
        &mut self,
        q: &RangeQueryRequest,
        max_bytes: usize,
    ) -> Result<Bytes, ErrorReason> {
        let t = self.series_mut(&q.path, None)?;
        t.series
            .as_ref()
            .expect("checked by series_mut")
            .query(q, max_bytes)
    }

    /// Acts on the REMOVAL policies that hold at `now`: each removes its `remove` clause's
    /// topics, or its own topic, telling their subscribers as [`Tree::remove`] does. A policy
    /// acts once; its topic, if its `remove` clause spared it, is no longer watched.
    pub(crate) fn expire(&mut self, now: Instant, wall: SystemTime) {
        if self.watched.is_empty() {
            return;
        }
        let epoch_ms = epoch_ms(wall) as u64;
        let mut due = Vec::new();
        for p in &self.watched {
            let Some(w) = self
                .topics
                .get(p)
                .and_then(|t| t.removal.as_deref().map(|w| (t, w)))
            else {
                continue;
            };
            let (t, w) = w;
            let facts = removal::Now {
                instant: now,
                epoch_ms,
                subscribers: t.subscribers.len(),
                creator_open: self.sessions.contains_key(&w.creator),
            };
            if w.holds(&facts) {
                due.push((p.clone(), w.policy.remove.clone()));
            }
        }
        for (p, selector) in due {
            self.watched.remove(&p);
            let selector = match selector {
                Some(s) => s,
                // A path selector names exactly this topic.
                None => match Selector::parse(&format!(">{p}")) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(path = %p, error = %e, "cannot select a topic to remove it");
                        continue;
                    }
                },
            };
            let n = self.remove(&selector);
            tracing::debug!(path = %p, removed = n, "removal policy acted");
        }
    }

    /// Queues a system ping, which the client answers; keeps idle connections alive
    /// through proxies.
    pub(crate) fn ping(&mut self, sid: SessionId) {
        self.send_notification(sid, service::SYSTEM_PING, Bytes::new());
        self.close_overflowed();
    }

    fn send_notification(&mut self, sid: SessionId, service: i32, payload: Bytes) {
        if let Some(s) = self.sessions.get_mut(&sid) {
            let frame = s.notification(service, payload);
            self.send(sid, frame);
        }
    }

    fn send(&mut self, sid: SessionId, frame: Bytes) {
        send(&self.sessions, &mut self.overflowed, sid, frame);
    }

    fn close_overflowed(&mut self) {
        for sid in std::mem::take(&mut self.overflowed) {
            if let Some(s) = self.sessions.get(&sid) {
                tracing::warn!(
                    session = sid,
                    "session's outbound queue is full: closing it"
                );
                self.stats.slow_sessions_closed += 1;
                s.kill.notify_one();
            }
            self.remove_session(sid);
        }
    }
}

/// Stores the value in `t` and sends it to every subscriber: as a delta where the topic
/// type allows one and it is smaller, else in full. One frame is encoded for all of them,
/// since every subscriber holds the same previous value. Sessions whose queue is full are
/// left in `overflowed`, for [`Tree::close_overflowed`].
fn publish(
    t: &mut Topic,
    sessions: &FxHashMap<SessionId, SessionEntry>,
    stats: &mut ServerStats,
    overflowed: &mut Vec<SessionId>,
    value: Bytes,
) {
    if let Some(w) = &mut t.removal {
        w.updated(Instant::now());
    }
    // DONT_RETAIN_VALUE: the value goes to the subscribers of the moment and is not
    // kept, so a later subscriber gets none and every update is sent whole.
    if t.subscribers.is_empty() {
        if t.retains {
            t.value = Some(value);
        }
        return;
    }
    let old = t.value.as_deref().filter(|_| t.retains && t.deltas);
    let delta = old
        .and_then(|o| Delta::between(o, &value))
        .filter(|d| d.len() < value.len());
    let n = t.subscribers.len() as u64;
    // The value is moved, not shared, into the tree: a clone of a `Bytes` made from a
    // `Vec` costs an allocation.
    let mut frame = match delta {
        Some(d) => {
            stats.deltas_sent += n;
            // Written straight into the frame, sized exactly.
            let frame = Message::topic_delta(t.id, &d);
            if t.retains {
                t.value = Some(value);
            }
            frame
        }
        None => {
            stats.values_sent += n;
            let message = Message::TopicValue {
                topic_id: t.id,
                value,
            };
            let frame = message.encode();
            if let (true, Message::TopicValue { value, .. }) = (t.retains, message) {
                t.value = Some(value);
            }
            frame
        }
    };
    // Every subscriber but the last gets a reference to the frame, the last the frame.
    let mut rest = t.subscribers.len();
    for &sid in &t.subscribers {
        rest -= 1;
        let frame = if rest == 0 {
            std::mem::take(&mut frame)
        } else {
            frame.clone()
        };
        send(sessions, overflowed, sid, frame);
    }
}

/// Queues `frame` for session `sid`, noting it in `overflowed` if its queue is full.
fn send(
    sessions: &FxHashMap<SessionId, SessionEntry>,
    overflowed: &mut Vec<SessionId>,
    sid: SessionId,
    frame: Bytes,
) {
    if let Some(s) = sessions.get(&sid) {
        if s.outbox.try_send(frame).is_err() {
            overflowed.push(sid);
        }
    }
}

/// An append or edit of a time series topic, as a session asks for it.
pub(crate) struct SeriesUpdate<'a> {
    pub(crate) path: &'a str,
    pub(crate) event_type: TopicType,
    pub(crate) value: &'a [u8],
    /// The session's principal.
    pub(crate) author: &'a str,
    /// The caller's timestamp (TIME_SERIES_TIMESTAMP_APPEND); `None` for the server's clock.
    pub(crate) timestamp_ms: Option<i64>,
    /// The original event's sequence, for an edit.
    pub(crate) original: Option<u64>,
}

fn epoch_ms(wall: SystemTime) -> i64 {
    wall.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn valid_path(raw: &str) -> Result<String, ErrorReason> {
    path::normalise(raw)
        .map_err(|e| ErrorReason::new(ErrorReason::TOPIC_PATH_INVALID, e.to_string()))
}

/// Whether a boolean property is set to true (the SDKs send `true` or `TRUE`).
fn is_true(spec: &TopicSpecification, key: &str) -> bool {
    spec.properties
        .iter()
        .any(|(k, v)| k == key && v.eq_ignore_ascii_case("true"))
}

/// The topic's REMOVAL policy, if it has one; a policy that does not parse refuses the
/// topic, as a Diffusion server refuses it.
fn removal_policy(spec: &TopicSpecification) -> Result<Option<removal::Policy>, ErrorReason> {
    let Some((_, text)) = spec.properties.iter().find(|(k, _)| k == "REMOVAL") else {
        return Ok(None);
    };
    removal::parse(text).map(Some).map_err(|e| {
        ErrorReason::new(
            ErrorReason::TOPIC_SPECIFICATION_INVALID,
            format!("invalid REMOVAL property {text:?}: {e}"),
        )
    })
}

fn valid_type(t: TopicType) -> Result<(), ErrorReason> {
    match t {
        TopicType::Json
        | TopicType::String
        | TopicType::Int64
        | TopicType::Double
        | TopicType::Binary
        | TopicType::TimeSeries => Ok(()),
        other => Err(ErrorReason::new(
            ErrorReason::TOPIC_SPECIFICATION_INVALID,
            format!("{other} topics are not supported by the embedded server"),
        )),
    }
}

/// Rejects values that are not valid for the topic type, as a Diffusion server validates
/// JSON and scalar updates, so subscribers never receive bytes they cannot decode.
fn valid_value(t: TopicType, value: &[u8]) -> Result<(), ErrorReason> {
    Value::validate(t, value)
        .map_err(|e| ErrorReason::new(ErrorReason::INVALID_DATA, e.to_string()))
}
