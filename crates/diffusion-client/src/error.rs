//! Typed client errors, each carrying the server's reason where there is one.

use diffusion_wire::ErrorReason;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("authentication failed for principal {principal:?}")]
    AuthenticationFailed { principal: String },
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    #[error("invalid topic path: {0}")]
    InvalidPath(String),
    #[error("a topic already exists with another specification: {0}")]
    IncompatibleExistingTopic(String),
    #[error("the update does not fit the topic: {0}")]
    IncompatibleUpdate(String),
    #[error("no such topic: {0}")]
    NoSuchTopic(String),
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error("the server refused the request: {0}")]
    Server(ErrorReason),
    #[error("{what} timed out after {after_ms} ms")]
    Timeout { what: &'static str, after_ms: u64 },
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    #[error("cannot connect to {url}: {why}")]
    Connect { url: String, why: String },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the server refused the connection: {0}")]
    Refused(String),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("the session is closed")]
    Closed,
}

impl ClientError {
    /// Maps a service error reason to the error a caller can act on.
    pub fn from_reason(reason: ErrorReason) -> Self {
        let d = reason.description.clone();
        match reason.code {
            ErrorReason::ACCESS_DENIED => ClientError::PermissionDenied(d),
            ErrorReason::INVALID_PATH | ErrorReason::TOPIC_PATH_INVALID => {
                ClientError::InvalidPath(d)
            }
            ErrorReason::TOPIC_EXISTS_MISMATCH | ErrorReason::INCOMPATIBLE_TOPIC_EXISTS => {
                ClientError::IncompatibleExistingTopic(d)
            }
            ErrorReason::INCOMPATIBLE_UPDATE | ErrorReason::INCOMPATIBLE_DATATYPE => {
                ClientError::IncompatibleUpdate(d)
            }
            ErrorReason::NO_SUCH_TOPIC => ClientError::NoSuchTopic(d),
            ErrorReason::INVALID_DATA => ClientError::InvalidValue(d),
            _ => ClientError::Server(reason),
        }
    }

    /// Whether retrying the same request later may succeed (the connection, not the
    /// request, was the problem).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Timeout { .. }
                | ClientError::ConnectionLost(_)
                | ClientError::Connect { .. }
        )
    }
}
