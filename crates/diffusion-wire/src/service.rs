//! Service identifiers and the request/response payloads of the services the connectors
//! and the embedded server use. Every payload decodes strictly: trailing bytes are an error,
//! so a layout mismatch between protocol versions shows up instead of passing silently.

use bytes::Bytes;

use crate::codec::{DecodeError, Reader, Writer};
use crate::topic::{TopicSpecification, TopicType};

/// Subscribes the session to the topics a selector matches, now and later (client to server).
pub const SUBSCRIBE: i32 = 3;
/// Removes a selection made by SUBSCRIBE and unsubscribes its topics (client to server).
pub const UNSUBSCRIBE: i32 = 4;
/// Tells a session it is no longer subscribed to a topic id, and why (server to client).
pub const NOTIFY_UNSUBSCRIPTION: i32 = 42;
/// Keep-alive the server sends every ping period; the JavaScript SDK closes without it.
pub const SYSTEM_PING: i32 = 55;
/// Round-trip check a client sends; answered with an empty response.
pub const USER_PING: i32 = 56;
/// Removes the topics a selector matches; answered with the count removed.
pub const TOPIC_REMOVAL: i32 = 83;
/// Queries a range of a time series topic's events; answered with a `RangeQueryResult`.
pub const RANGE_QUERY: i32 = 84;
/// Appends an event to a time series topic; answered with the event's metadata.
pub const TIME_SERIES_APPEND: i32 = 99;
/// Appends an edit of an original event to a time series topic; answered with its metadata.
pub const TIME_SERIES_EDIT: i32 = 100;
/// Tells a session it is now subscribed to a topic and gives the topic's id (server to client).
pub const NOTIFY_SUBSCRIPTION: i32 = 87;
/// Creates a topic at a path with a specification; answered with an `AddTopicResult`.
pub const TOPIC_ADD: i32 = 112;
/// Sets the value of an existing topic; answered with an empty response.
pub const SET_TOPIC: i32 = 118;
/// Creates a topic if absent and sets its value in one request; answered with an `AddTopicResult`.
pub const ADD_AND_SET_TOPIC: i32 = 122;
/// TIME_SERIES_APPEND with the caller's timestamp; answered with the event's metadata.
pub const TIME_SERIES_TIMESTAMP_APPEND: i32 = 166;

/// Human-readable service name for logs and errors.
pub fn name(service: i32) -> &'static str {
    match service {
        SUBSCRIBE => "SUBSCRIBE",
        UNSUBSCRIBE => "UNSUBSCRIBE",
        NOTIFY_UNSUBSCRIPTION => "NOTIFY_UNSUBSCRIPTION",
        SYSTEM_PING => "SYSTEM_PING",
        USER_PING => "USER_PING",
        TOPIC_REMOVAL => "TOPIC_REMOVAL",
        RANGE_QUERY => "RANGE_QUERY",
        TIME_SERIES_APPEND => "TIME_SERIES_APPEND",
        TIME_SERIES_EDIT => "TIME_SERIES_EDIT",
        TIME_SERIES_TIMESTAMP_APPEND => "TIME_SERIES_TIMESTAMP_APPEND",
        NOTIFY_SUBSCRIPTION => "NOTIFY_SUBSCRIPTION",
        TOPIC_ADD => "TOPIC_ADD",
        SET_TOPIC => "SET_TOPIC",
        ADD_AND_SET_TOPIC => "ADD_AND_SET_TOPIC",
        _ => "UNKNOWN",
    }
}

/// A payload with one wire layout.
pub trait Payload: Sized {
    /// Appends the payload's fields to `w`.
    fn write(&self, w: &mut Writer);
    /// Reads the payload's fields from `r`, leaving anything after them unread.
    fn read(r: &mut Reader) -> Result<Self, DecodeError>;

    /// The payload alone, ready to follow a service request or response header.
    fn encode(&self) -> Bytes {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    /// Reads a whole payload; bytes left after it are an error (a layout mismatch).
    fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let v = Self::read(&mut r)?;
        r.finish(std::any::type_name::<Self>())?;
        Ok(v)
    }
}

/// An update constraint: a one-of whose tag 0 is "unconstrained". Other constraints are
/// kept as raw bytes (tag included) so they round-trip; they always end a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateConstraint {
    /// Tag 0: the update applies whatever the topic's current state (what both SDKs send by
    /// default).
    Unconstrained,
    /// Any other constraint, kept as its raw bytes from the tag to the end of the payload.
    Other(Bytes),
}

impl Payload for UpdateConstraint {
    fn write(&self, w: &mut Writer) {
        match self {
            UpdateConstraint::Unconstrained => {
                w.byte(0);
            }
            UpdateConstraint::Other(raw) => {
                w.raw(raw);
            }
        }
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let rest = r.rest();
        match rest {
            [] => Err(DecodeError::Truncated("update constraint")),
            [0] => Ok(UpdateConstraint::Unconstrained),
            _ => Ok(UpdateConstraint::Other(Bytes::copy_from_slice(rest))),
        }
    }
}

/// A single selector string: the TOPIC_REMOVAL request, and SUBSCRIBE / UNSUBSCRIBE up to
/// protocol 25 (see [`TopicSelection`] for later versions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorRequest(pub String);

impl Payload for SelectorRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.0);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self(r.string("topic selector")?))
    }
}

/// SUBSCRIBE and UNSUBSCRIBE: a selector, followed from protocol 26 on by a scope (empty for
/// the default scope). Protocol 25 (Python 6.12) sends the selector alone, protocol 29
/// (JavaScript 6.12) both, so the scope is read when present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSelection {
    /// The topic selector, as text (see `Selector`).
    pub selector: String,
    /// The selection scope (protocol 26 on); `None` when absent, as in protocol 25.
    pub scope: Option<String>,
}

impl Payload for TopicSelection {
    fn write(&self, w: &mut Writer) {
        w.string(&self.selector);
        if let Some(scope) = &self.scope {
            w.string(scope);
        }
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let selector = r.string("topic selector")?;
        let scope = if r.is_empty() {
            None
        } else {
            Some(r.string("selection scope")?)
        };
        Ok(Self { selector, scope })
    }
}

/// The TOPIC_ADD request: create a topic with this specification at this path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicAddRequest {
    /// Where to create the topic (a topic path, no leading `/` required).
    pub path: String,
    /// The topic's type and properties; an existing topic must match them to count as `Exists`.
    pub specification: TopicSpecification,
}

impl Payload for TopicAddRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path);
        self.specification.encode(w);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.string("topic path")?,
            specification: TopicSpecification::decode(r)?,
        })
    }
}

/// The SET_TOPIC request: set the value of an existing topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetTopicRequest {
    /// Path of the topic to set, which must already exist.
    pub path: String,
    /// The topic's type, which must be the type of the existing topic.
    pub topic_type: TopicType,
    /// The new value in the topic type's encoding (CBOR, or raw bytes for binary topics).
    pub value: Bytes,
    /// Condition the topic must meet for the update to apply; unconstrained by default.
    pub constraint: UpdateConstraint,
}

impl SetTopicRequest {
    /// Writes an unconstrained request from borrowed parts, as [`Payload::write`] writes
    /// the struct: for a sender that frames it straight from its own path and value.
    pub fn write_unconstrained(w: &mut Writer, path: &str, topic_type: TopicType, value: &[u8]) {
        w.string(path).byte(topic_type.to_byte()).bytes(value);
        UpdateConstraint::Unconstrained.write(w);
    }

    /// About how many bytes the payload takes, to size its buffer.
    pub fn size_hint(path: &str, value: &[u8]) -> usize {
        path.len() + value.len() + 12
    }
}

impl Payload for SetTopicRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path)
            .byte(self.topic_type.to_byte())
            .bytes(&self.value);
        self.constraint.write(w);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        SetTopicView::read(r).map(SetTopicView::into_request)
    }
}

/// A [`SetTopicRequest`] borrowed from its payload: what the server reads for every
/// update, without copying the path into a `String` it only looks up, nor the value
/// before it knows it will keep it (issue 23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetTopicView<'a> {
    /// Path of the topic to set, which must already exist.
    pub path: &'a str,
    /// The topic's type, which must be the type of the existing topic.
    pub topic_type: TopicType,
    /// The new value in the topic type's encoding (CBOR, or raw bytes for binary topics).
    pub value: &'a [u8],
    /// Condition the topic must meet for the update to apply; unconstrained by default.
    pub constraint: UpdateConstraint,
}

impl<'a> SetTopicView<'a> {
    /// Reads a whole payload as [`SetTopicRequest::decode`] does (which reads through
    /// this): the same fields, checks and errors.
    pub fn decode(buf: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let v = Self::read(&mut r)?;
        r.finish(std::any::type_name::<SetTopicRequest>())?;
        Ok(v)
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.str("topic path")?,
            topic_type: TopicType::from_byte(r.byte("topic type")?)?,
            value: r.bytes("value")?,
            constraint: UpdateConstraint::read(r)?,
        })
    }

    /// The request, owning its path and value.
    pub fn into_request(self) -> SetTopicRequest {
        SetTopicRequest {
            path: self.path.to_owned(),
            topic_type: self.topic_type,
            value: Bytes::copy_from_slice(self.value),
            constraint: self.constraint,
        }
    }
}

/// The ADD_AND_SET_TOPIC request: create the topic if it is absent, then set its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddAndSetRequest {
    /// Path of the topic to create or set.
    pub path: String,
    /// The specification used if the topic has to be created; an existing topic must match it.
    pub specification: TopicSpecification,
    /// The new value in the topic type's encoding (CBOR, or raw bytes for binary topics).
    pub value: Bytes,
    /// Condition the topic must meet for the update to apply; unconstrained by default.
    pub constraint: UpdateConstraint,
}

impl Payload for AddAndSetRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path);
        self.specification.encode(w);
        w.bytes(&self.value);
        self.constraint.write(w);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.string("topic path")?,
            specification: TopicSpecification::decode(r)?,
            value: Bytes::copy_from_slice(r.bytes("value")?),
            constraint: UpdateConstraint::read(r)?,
        })
    }
}

/// The answer to TOPIC_ADD and ADD_AND_SET_TOPIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddTopicResult {
    /// Byte 0: the topic did not exist and was created (and, for ADD_AND_SET_TOPIC, set).
    Created,
    /// Byte 1: a topic with the same specification already existed (for ADD_AND_SET_TOPIC, it was
    /// set).
    Exists,
}

impl Payload for AddTopicResult {
    fn write(&self, w: &mut Writer) {
        w.byte(match self {
            AddTopicResult::Created => 0,
            AddTopicResult::Exists => 1,
        });
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        match r.byte("add topic result")? {
            0 => Ok(AddTopicResult::Created),
            1 => Ok(AddTopicResult::Exists),
            other => Err(DecodeError::Unexpected {
                what: "add topic result",
                value: other.into(),
            }),
        }
    }
}

/// The answer to TOPIC_REMOVAL: how many topics were removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemovalCount(pub i32);

impl Payload for RemovalCount {
    fn write(&self, w: &mut Writer) {
        w.int32(self.0);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self(r.int32("removed count")?))
    }
}

/// Server to client: the session is now subscribed to a topic, known by `topic_id` in
/// value and delta messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySubscription {
    /// The server-chosen id (positive) by which later values, deltas and unsubscriptions name the
    /// topic.
    pub topic_id: i32,
    /// The topic's path, as the server names it (no leading `/`).
    pub path: String,
    /// The topic's type and properties, so the client knows how to decode its values.
    pub specification: TopicSpecification,
}

impl Payload for NotifySubscription {
    fn write(&self, w: &mut Writer) {
        w.int32(self.topic_id).string(&self.path);
        self.specification.encode(w);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            topic_id: r.int32("topic id")?,
            path: r.string("topic path")?,
            specification: TopicSpecification::decode(r)?,
        })
    }
}

/// Why a session stopped being subscribed to a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeReason {
    /// 0: this session unsubscribed.
    Requested,
    /// 1: another session or the server unsubscribed it.
    Control,
    /// 2: the topic was removed.
    Removal,
    /// 3: the session lost permission to read the topic.
    Authorization,
    /// Any other reason code (4 unknown, 5 back pressure, 6 branch mappings, ...), kept as
    /// received.
    Other(u8),
}

impl UnsubscribeReason {
    /// The reason's wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            UnsubscribeReason::Requested => 0,
            UnsubscribeReason::Control => 1,
            UnsubscribeReason::Removal => 2,
            UnsubscribeReason::Authorization => 3,
            UnsubscribeReason::Other(b) => b,
        }
    }
    /// The reason for a wire byte; codes without a variant become `Other`.
    pub fn from_byte(b: u8) -> Self {
        match b {
            0 => UnsubscribeReason::Requested,
            1 => UnsubscribeReason::Control,
            2 => UnsubscribeReason::Removal,
            3 => UnsubscribeReason::Authorization,
            other => UnsubscribeReason::Other(other),
        }
    }
}

/// The NOTIFY_UNSUBSCRIPTION request: the topic id is dead for the session from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyUnsubscription {
    /// The id from the topic's NOTIFY_SUBSCRIPTION.
    pub topic_id: i32,
    /// Why the session is no longer subscribed.
    pub reason: UnsubscribeReason,
}

impl Payload for NotifyUnsubscription {
    fn write(&self, w: &mut Writer) {
        w.int32(self.topic_id).byte(self.reason.to_byte());
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            topic_id: r.int32("topic id")?,
            reason: UnsubscribeReason::from_byte(r.byte("unsubscribe reason")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_request_from_borrowed_parts_is_the_struct_s() {
        let req = SetTopicRequest {
            path: "a/b/é".into(),
            topic_type: TopicType::Json,
            value: Bytes::from_static(&[0xbf, 0x61, 0x61, 0x01, 0xff]),
            constraint: UpdateConstraint::Unconstrained,
        };
        let mut w = Writer::new();
        SetTopicRequest::write_unconstrained(&mut w, &req.path, req.topic_type, &req.value);
        assert_eq!(w.finish(), req.encode());
    }

    proptest::proptest! {
        /// The borrowed reading gives the struct's fields, or the struct's error.
        #[test]
        fn a_set_request_viewed_is_the_struct_decoded(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
            path in ".{0,6}", value in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6),
            t in 0u8..12, constraint in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3),
        ) {
            let mut w = Writer::new();
            w.string(&path).byte(t).bytes(&value).raw(&constraint);
            for buf in [&bytes[..], &w.finish()[..]] {
                let whole = SetTopicRequest::decode(buf);
                let view = SetTopicView::decode(buf).map(SetTopicView::into_request);
                proptest::prop_assert_eq!(view, whole);
            }
        }
    }
}
