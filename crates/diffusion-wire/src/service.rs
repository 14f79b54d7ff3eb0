//! Service identifiers and the request/response payloads of the services the connectors
//! and the embedded server use. Every payload decodes strictly: trailing bytes are an error,
//! so a layout mismatch between protocol versions shows up instead of passing silently.

use bytes::Bytes;

use crate::codec::{DecodeError, Reader, Writer};
use crate::topic::{TopicSpecification, TopicType};

pub const SUBSCRIBE: i32 = 3;
pub const UNSUBSCRIBE: i32 = 4;
pub const NOTIFY_UNSUBSCRIPTION: i32 = 42;
pub const SYSTEM_PING: i32 = 55;
pub const USER_PING: i32 = 56;
pub const TOPIC_REMOVAL: i32 = 83;
pub const NOTIFY_SUBSCRIPTION: i32 = 87;
pub const TOPIC_ADD: i32 = 112;
pub const SET_TOPIC: i32 = 118;
pub const ADD_AND_SET_TOPIC: i32 = 122;

/// Human-readable service name for logs and errors.
pub fn name(service: i32) -> &'static str {
    match service {
        SUBSCRIBE => "SUBSCRIBE",
        UNSUBSCRIBE => "UNSUBSCRIBE",
        NOTIFY_UNSUBSCRIPTION => "NOTIFY_UNSUBSCRIPTION",
        SYSTEM_PING => "SYSTEM_PING",
        USER_PING => "USER_PING",
        TOPIC_REMOVAL => "TOPIC_REMOVAL",
        NOTIFY_SUBSCRIPTION => "NOTIFY_SUBSCRIPTION",
        TOPIC_ADD => "TOPIC_ADD",
        SET_TOPIC => "SET_TOPIC",
        ADD_AND_SET_TOPIC => "ADD_AND_SET_TOPIC",
        _ => "UNKNOWN",
    }
}

/// A payload with one wire layout.
pub trait Payload: Sized {
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader) -> Result<Self, DecodeError>;

    fn encode(&self) -> Bytes {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

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
    Unconstrained,
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
    pub selector: String,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicAddRequest {
    pub path: String,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetTopicRequest {
    pub path: String,
    pub topic_type: TopicType,
    pub value: Bytes,
    pub constraint: UpdateConstraint,
}

impl Payload for SetTopicRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path)
            .byte(self.topic_type.to_byte())
            .bytes(&self.value);
        self.constraint.write(w);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.string("topic path")?,
            topic_type: TopicType::from_byte(r.byte("topic type")?)?,
            value: Bytes::copy_from_slice(r.bytes("value")?),
            constraint: UpdateConstraint::read(r)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddAndSetRequest {
    pub path: String,
    pub specification: TopicSpecification,
    pub value: Bytes,
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
    Created,
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
    pub topic_id: i32,
    pub path: String,
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
    Requested,
    Control,
    Removal,
    Authorization,
    Other(u8),
}

impl UnsubscribeReason {
    pub fn to_byte(self) -> u8 {
        match self {
            UnsubscribeReason::Requested => 0,
            UnsubscribeReason::Control => 1,
            UnsubscribeReason::Removal => 2,
            UnsubscribeReason::Authorization => 3,
            UnsubscribeReason::Other(b) => b,
        }
    }
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyUnsubscription {
    pub topic_id: i32,
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
