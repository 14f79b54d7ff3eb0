//! Error reasons carried by service error messages: an int32 code and a description.
//! The codes are the ones the SDKs map to typed exceptions.

use crate::codec::{DecodeError, Reader, Writer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReason {
    pub code: i32,
    pub description: String,
}

impl ErrorReason {
    pub const COMMUNICATION_FAILURE: i32 = 100;
    pub const SESSION_CLOSED: i32 = 101;
    pub const REQUEST_TIME_OUT: i32 = 102;
    pub const ACCESS_DENIED: i32 = 103;
    pub const UNSUPPORTED: i32 = 104;
    pub const CALLBACK_EXCEPTION: i32 = 105;
    pub const INVALID_DATA: i32 = 106;
    pub const INCOMPATIBLE_DATATYPE: i32 = 108;
    pub const UNHANDLED_MESSAGE: i32 = 109;
    pub const INVALID_PATH: i32 = 202;
    pub const INCOMPATIBLE_UPDATE: i32 = 500;
    pub const UPDATE_FAILED: i32 = 501;
    pub const NO_SUCH_TOPIC: i32 = 9000;
    pub const TOPIC_EXISTS_MISMATCH: i32 = 9004;
    pub const TOPIC_PATH_INVALID: i32 = 9005;
    pub const TOPIC_SPECIFICATION_INVALID: i32 = 9006;
    pub const INCOMPATIBLE_TOPIC_EXISTS: i32 = 9010;
    pub const UNEXPECTED_TOPIC_ADD_FAILURE: i32 = 9011;
    pub const UNSATISFIED_CONSTRAINT: i32 = 9012;

    pub fn new(code: i32, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    pub fn encode(&self, w: &mut Writer) {
        w.int32(self.code).string(&self.description);
    }

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
