//! Error reasons carried by service error messages: an int32 code and a description.
//! The codes are the ones the SDKs map to typed exceptions.

use crate::codec::{DecodeError, Reader, Writer};

/// A Diffusion error reason: the code the SDKs map to a typed error, and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReason {
    /// The reason code; see the associated constants for the ones this project uses.
    pub code: i32,
    /// Human-readable text for logs; the code, not this, says what went wrong.
    pub description: String,
}

impl ErrorReason {
    /// The connection failed while the request was outstanding.
    pub const COMMUNICATION_FAILURE: i32 = 100;
    /// The session closed before the request was answered.
    pub const SESSION_CLOSED: i32 = 101;
    /// The request was not answered in time.
    pub const REQUEST_TIME_OUT: i32 = 102;
    /// The principal lacks the permission the request needs.
    pub const ACCESS_DENIED: i32 = 103;
    /// The receiver does not implement the requested service or feature (our server sends it
    /// for any update constraint but "unconstrained").
    pub const UNSUPPORTED: i32 = 104;
    /// A handler on the receiving side failed while processing the request.
    pub const CALLBACK_EXCEPTION: i32 = 105;
    /// The request's payload could not be decoded or is not valid.
    pub const INVALID_DATA: i32 = 106;
    /// A value's encoding does not match the topic's type.
    pub const INCOMPATIBLE_DATATYPE: i32 = 108;
    /// The receiver had no handler for the message.
    pub const UNHANDLED_MESSAGE: i32 = 109;
    /// A path in the request is not valid.
    pub const INVALID_PATH: i32 = 202;
    /// The update does not suit the topic (for example the wrong type for SET_TOPIC).
    pub const INCOMPATIBLE_UPDATE: i32 = 500;
    /// The update could not be applied.
    pub const UPDATE_FAILED: i32 = 501;
    /// No topic exists at the path.
    pub const NO_SUCH_TOPIC: i32 = 9000;
    /// A time series request (append, edit, range query) named a topic that is not a time
    /// series topic.
    pub const NOT_A_TIME_SERIES_TOPIC: i32 = 9001;
    /// A time series edit named an original event the series does not hold.
    pub const NO_SUCH_EVENT: i32 = 9002;
    /// A topic already exists at the path with a different specification (TOPIC_ADD,
    /// ADD_AND_SET_TOPIC).
    pub const TOPIC_EXISTS_MISMATCH: i32 = 9004;
    /// The topic path is not valid.
    pub const TOPIC_PATH_INVALID: i32 = 9005;
    /// The topic specification is not valid (for example an unknown type or property value).
    pub const TOPIC_SPECIFICATION_INVALID: i32 = 9006;
    /// A topic of an incompatible kind already exists at the path.
    pub const INCOMPATIBLE_TOPIC_EXISTS: i32 = 9010;
    /// Adding the topic failed for a reason not covered by another code.
    pub const UNEXPECTED_TOPIC_ADD_FAILURE: i32 = 9011;
    /// The update constraint was not satisfied.
    pub const UNSATISFIED_CONSTRAINT: i32 = 9012;

    /// A reason with this code and description.
    pub fn new(code: i32, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    /// Appends the reason as it follows an error message: int32 code, then the description.
    pub fn encode(&self, w: &mut Writer) {
        w.int32(self.code).string(&self.description);
    }

    /// Reads a reason written by `encode`: int32 code, then the description. A SERVICE_ERROR
    /// frame, where the description after the code is optional, is read by
    /// [`Message::decode`](crate::Message::decode) instead.
    pub fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            code: r.int32("error reason code")?,
            description: r.string("error reason description")?,
        })
    }
}

impl std::fmt::Display for ErrorReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (reason {})", self.description, self.code)
    }
}
