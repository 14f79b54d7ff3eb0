//! Typed client errors, each carrying the server's reason where there is one.

use diffusion_wire::ErrorReason;

/// Why a session could not be opened or a request failed; each variant is one a caller may act on
/// differently.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server refused the principal or password (response code 116); retrying will not help.
    #[error("authentication failed for principal {principal:?}")]
    AuthenticationFailed {
        /// The principal that was refused.
        principal: String,
    },
    /// The principal lacks the permission for the request (reason 103).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The server refused a topic path (reasons 202, 9005).
    #[error("invalid topic path: {0}")]
    InvalidPath(String),
    /// A topic already exists at the path with another type or properties (reasons 9004, 9010).
    #[error("a topic already exists with another specification: {0}")]
    IncompatibleExistingTopic(String),
    /// The value does not suit the topic: another type, or an encoding the server refused (reasons
    /// 500, 108).
    #[error("the update does not fit the topic: {0}")]
    IncompatibleUpdate(String),
    /// No topic exists at the path (reason 9000).
    #[error("no such topic: {0}")]
    NoSuchTopic(String),
    /// A time series request (append, edit, query) named a topic that is not a time series
    /// topic (reason 9001).
    #[error("not a time series topic (reason 9001): {0}")]
    NotATimeSeriesTopic(String),
    /// An edit named an original event the time series does not hold (reason 9002).
    #[error("no such time series event (reason 9002): {0}")]
    NoSuchEvent(String),
    /// A value, selector or request was refused before or by the server: it does not encode, is
    /// larger than the server's maximum message, or the server found its data invalid (reason 106).
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// A service error with a reason code that has no variant of its own, with the server's reason.
    #[error("the server refused the request: {0}")]
    Server(ErrorReason),
    /// A connect, a wait for an in-flight slot or a response took longer than its timeout.
    #[error("{what} timed out after {after_ms} ms")]
    Timeout {
        /// What was waited for, e.g. `"connect"` or `"set topic"`.
        what: &'static str,
        /// The timeout that expired, in milliseconds.
        after_ms: u64,
    },
    /// The connection dropped while the request was outstanding; it may have been applied or not.
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    /// The WebSocket connection or the handshake failed (bad URL, unreachable server, closed
    /// early).
    #[error("cannot connect to {url}: {why}")]
    Connect {
        /// The URL as the caller gave it.
        url: String,
        /// The WebSocket or network error.
        why: String,
    },
    /// The TLS setup for a `wss://` URL failed (unreadable or empty CA file, no trusted roots).
    #[error("TLS: {0}")]
    Tls(String),
    /// The server answered the handshake with a failure code other than authentication (e.g.
    /// rejected, not ready).
    #[error("the server refused the connection: {0}")]
    Refused(String),
    /// The server sent something this client cannot decode (a malformed response or handshake).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The session was closed (by [`Session::close`](crate::Session::close) or for good after a
    /// failure).
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
            ErrorReason::NOT_A_TIME_SERIES_TOPIC => ClientError::NotATimeSeriesTopic(d),
            ErrorReason::NO_SUCH_EVENT => ClientError::NoSuchEvent(d),
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
