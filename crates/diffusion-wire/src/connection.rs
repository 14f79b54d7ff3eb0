//! The connection handshake: the parameters a client sends with the WebSocket upgrade
//! (HTTP headers from the Python SDK, URL query from the JavaScript SDK) and the server's
//! binary connection response.

use crate::codec::{DecodeError, Reader, Writer};
use crate::credentials::Credentials;

/// The first byte of every connection response.
pub const PROTOCOL_BYTE: u8 = b'#';
/// The protocol versions this codec speaks. Python 6.12 asks for 25, JavaScript 6.12 for 29;
/// the payloads used here are the same across that range.
pub const MIN_VERSION: u8 = 25;
/// The newest protocol version this codec speaks (the JavaScript SDK's).
pub const MAX_VERSION: u8 = 29;
/// The version our client asks for: the Python SDK's, whose frames are our reference.
pub const CLIENT_VERSION: u8 = 25;
/// Capability bits: 2 = zlib, 8 = unified.
pub const CAPABILITY_ZLIB: u32 = 2;
/// Capability bit 8, a "unified" client: both SDKs and our client set it.
pub const CAPABILITY_UNIFIED: u32 = 8;
/// Session tokens are opaque 24-byte values.
pub const TOKEN_LEN: usize = 24;

/// The code in byte 2 of the connection response: whether a session was opened, resumed or refused,
/// and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseCode {
    /// 100: a new session was opened.
    Ok,
    /// 102: the server does not support the requested protocol version; clients treat it as a
    /// failure.
    Downgrade,
    /// 105: an existing session was resumed by a reconnection.
    Reconnected,
    /// 106: a session was resumed, but messages sent while disconnected were lost.
    ReconnectedWithMessageLoss,
    /// 111: the server refused the connection.
    Rejected,
    /// 113: the server's licence allows no more sessions.
    LicenseExceeded,
    /// 114: the client asked to reconnect but the server does not support reconnection.
    ReconnectionUnsupported,
    /// 115: the handshake parameters were malformed.
    ConnectionProtocolError,
    /// 116: the principal or credentials were not accepted.
    AuthenticationFailed,
    /// 117: the session named by a reconnection's token no longer exists.
    UnknownSession,
    /// 118: reconnection failed because messages would have been lost.
    ReconnectionFailedMessageLoss,
    /// 119: the server is still starting up (REJECTED_SERVER_INITIALISING).
    ServerNotReady,
    /// Any other code, kept as received so that it can be reported.
    Other(u8),
}

impl ResponseCode {
    /// The code's wire byte (100-119); `Other` gives back its byte unchanged.
    pub fn to_byte(self) -> u8 {
        match self {
            ResponseCode::Ok => 100,
            ResponseCode::Downgrade => 102,
            ResponseCode::Reconnected => 105,
            ResponseCode::ReconnectedWithMessageLoss => 106,
            ResponseCode::Rejected => 111,
            ResponseCode::LicenseExceeded => 113,
            ResponseCode::ReconnectionUnsupported => 114,
            ResponseCode::ConnectionProtocolError => 115,
            ResponseCode::AuthenticationFailed => 116,
            ResponseCode::UnknownSession => 117,
            ResponseCode::ReconnectionFailedMessageLoss => 118,
            ResponseCode::ServerNotReady => 119,
            ResponseCode::Other(b) => b,
        }
    }

    /// The code for a wire byte; an unknown byte becomes `Other` rather than an error.
    pub fn from_byte(b: u8) -> Self {
        match b {
            100 => ResponseCode::Ok,
            102 => ResponseCode::Downgrade,
            105 => ResponseCode::Reconnected,
            106 => ResponseCode::ReconnectedWithMessageLoss,
            111 => ResponseCode::Rejected,
            113 => ResponseCode::LicenseExceeded,
            114 => ResponseCode::ReconnectionUnsupported,
            115 => ResponseCode::ConnectionProtocolError,
            116 => ResponseCode::AuthenticationFailed,
            117 => ResponseCode::UnknownSession,
            118 => ResponseCode::ReconnectionFailedMessageLoss,
            119 => ResponseCode::ServerNotReady,
            other => ResponseCode::Other(other),
        }
    }

    /// Whether a session exists after this response (the body follows the header).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            ResponseCode::Ok | ResponseCode::Reconnected | ResponseCode::ReconnectedWithMessageLoss
        )
    }
}

/// What a client asks for when it opens the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The protocol version the client asks for (`v`); the server answers with the same one or
    /// refuses.
    pub version: u8,
    /// `PY`, `WB` (JavaScript), ... Purely informational.
    pub client_type: String,
    /// Capability bit set (`ca`): `CAPABILITY_ZLIB` | `CAPABILITY_UNIFIED`.
    pub capabilities: u32,
    /// The principal (`username`); empty for an anonymous session.
    pub principal: String,
    /// The credentials (`password`), decoded from their base64 form.
    pub credentials: Credentials,
    /// How long the server should keep the session for a reconnection, in ms.
    pub reconnect_timeout_ms: u64,
    /// The session token, when this is a reconnection.
    pub session_token: Option<String>,
    /// Session properties, kept as sent: the SDKs use different textual forms.
    pub session_properties: Option<String>,
}

impl ConnectionRequest {
    /// Reads the parameters from name/value pairs: the HTTP headers, the URL query pairs,
    /// or both (query wins). Unknown names are ignored as a server ignores unknown headers.
    pub fn from_params<'a, I>(params: I) -> Result<Self, DecodeError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut req = ConnectionRequest {
            version: 0,
            client_type: String::new(),
            capabilities: 0,
            principal: String::new(),
            credentials: Credentials::None,
            reconnect_timeout_ms: 0,
            session_token: None,
            session_properties: None,
        };
        let mut saw_version = false;
        for (k, v) in params {
            match k.to_ascii_lowercase().as_str() {
                "v" => {
                    req.version = v.parse().map_err(|_| {
                        DecodeError::Invalid(format!("protocol version {v:?} is not a number"))
                    })?;
                    saw_version = true;
                }
                "ty" => req.client_type = v.to_owned(),
                "ca" => {
                    req.capabilities = v.parse().map_err(|_| {
                        DecodeError::Invalid(format!("capabilities {v:?} is not a number"))
                    })?
                }
                "username" => req.principal = v.to_owned(),
                "password" => req.credentials = Credentials::from_param(v)?,
                "r" => req.reconnect_timeout_ms = v.parse().unwrap_or(0),
                "c" => req.session_token = Some(v.to_owned()),
                "sp" => req.session_properties = Some(v.to_owned()),
                _ => {}
            }
        }
        if !saw_version {
            return Err(DecodeError::Invalid(
                "connection request has no protocol version (v)".into(),
            ));
        }
        Ok(req)
    }

    /// The parameters as the Python SDK sends them, in its order, for HTTP headers.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("v", self.version.to_string()),
            ("ca", self.capabilities.to_string()),
            ("username", self.principal.clone()),
            ("r", self.reconnect_timeout_ms.to_string()),
        ];
        let pw = self.credentials.to_param();
        if !pw.is_empty() {
            out.push(("password", pw));
        }
        if let Some(c) = &self.session_token {
            out.push(("c", c.clone()));
        }
        out.push(("ty", self.client_type.clone()));
        if let Some(sp) = &self.session_properties {
            out.push(("sp", sp.clone()));
        }
        out
    }
}

/// The server's first binary frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionResponse {
    /// The protocol version, echoed from the client's request.
    pub version: u8,
    /// Whether a session was opened, and if not, why.
    pub code: ResponseCode,
    /// Present when the code is a success.
    pub session: Option<SessionDetails>,
}

/// The tail of a successful connection response: the session's identity and its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDetails {
    /// The server part of the session id (first big-endian u64).
    pub server_id: u64,
    /// The value part of the session id (second big-endian u64); unique per server.
    pub session_id: u64,
    /// The opaque token a client presents (`c`) to reconnect to this session.
    pub token: [u8; TOKEN_LEN],
    /// How often the server pings the session, in milliseconds.
    pub ping_period_ms: u64,
    /// The largest message the server accepts, in bytes (for code 105 these bytes are the recovery
    /// sequence instead).
    pub max_message_size: u32,
}

impl ConnectionResponse {
    /// A refusal: the 3-byte response with no session details, after which the server closes.
    pub fn failure(version: u8, code: ResponseCode) -> Self {
        Self {
            version,
            code,
            session: None,
        }
    }

    /// The response as sent on the wire: 3 bytes, or 55 when a session follows.
    pub fn encode(&self) -> bytes::Bytes {
        let mut w = Writer::with_capacity(56);
        w.byte(PROTOCOL_BYTE)
            .byte(self.version)
            .byte(self.code.to_byte());
        if let Some(s) = &self.session {
            w.raw(&s.server_id.to_be_bytes())
                .raw(&s.session_id.to_be_bytes())
                .raw(&s.token)
                .raw(&s.ping_period_ms.to_be_bytes())
                .raw(&s.max_message_size.to_be_bytes());
        }
        w.finish()
    }

    /// Reads a connection response; a success code must be followed by exactly the 52-byte session
    /// details.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let pb = r.byte("protocol byte")?;
        if pb != PROTOCOL_BYTE {
            return Err(DecodeError::Unexpected {
                what: "protocol byte",
                value: pb.into(),
            });
        }
        let version = r.byte("protocol version")?;
        let code = ResponseCode::from_byte(r.byte("response code")?);
        let session = if code.is_success() {
            let be64 = |r: &mut Reader, what| -> Result<u64, DecodeError> {
                Ok(u64::from_be_bytes(r.take(8, what)?.try_into().unwrap()))
            };
            let server_id = be64(&mut r, "server id")?;
            let session_id = be64(&mut r, "session id")?;
            let token = r.take(TOKEN_LEN, "session token")?.try_into().unwrap();
            let ping_period_ms = be64(&mut r, "ping period")?;
            let max_message_size =
                u32::from_be_bytes(r.take(4, "maximum message size")?.try_into().unwrap());
            Some(SessionDetails {
                server_id,
                session_id,
                token,
                ping_period_ms,
                max_message_size,
            })
        } else {
            None
        };
        r.finish("connection response")?;
        Ok(Self {
            version,
            code,
            session,
        })
    }
}
