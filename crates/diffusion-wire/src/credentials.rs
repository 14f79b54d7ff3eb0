//! Credentials as they travel in the `password` connection parameter: base64 of a type byte
//! (0 none, 1 plain password, 2 custom bytes), then the bytes with a varint length.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use crate::codec::{DecodeError, Reader, Writer};

/// The credentials a session authenticates with, sent in the `password` connection parameter.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Type 0: no credentials (an empty parameter), as for an anonymous session.
    None,
    /// Type 1: a plain-text password; an empty one is sent as `None`.
    Password(String),
    /// Type 2: opaque bytes for a custom authenticator.
    Custom(Vec<u8>),
}

// Never print a secret, even in debug logs.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::None => f.write_str("Credentials::None"),
            Credentials::Password(_) => f.write_str("Credentials::Password(***)"),
            Credentials::Custom(_) => f.write_str("Credentials::Custom(***)"),
        }
    }
}

impl Credentials {
    /// The value of the `password` connection parameter.
    pub fn to_param(&self) -> String {
        let (ty, bytes): (u8, &[u8]) = match self {
            Credentials::None => return String::new(),
            Credentials::Password(p) if p.is_empty() => return String::new(),
            Credentials::Password(p) => (1, p.as_bytes()),
            Credentials::Custom(b) => (2, b),
        };
        let mut w = Writer::with_capacity(bytes.len() + 6);
        w.byte(ty).bytes(bytes);
        B64.encode(w.finish())
    }

    /// Decodes the `password` parameter (base64 of type byte and length-prefixed bytes); empty
    /// means `None`.
    pub fn from_param(param: &str) -> Result<Self, DecodeError> {
        if param.is_empty() {
            return Ok(Credentials::None);
        }
        let raw = B64
            .decode(param)
            .map_err(|e| DecodeError::Invalid(format!("credentials are not base64: {e}")))?;
        let mut r = Reader::new(&raw);
        let ty = r.byte("credentials type")?;
        let bytes = r.bytes("credentials")?.to_vec();
        r.finish("credentials")?;
        match ty {
            0 => Ok(Credentials::None),
            1 => String::from_utf8(bytes)
                .map(Credentials::Password)
                .map_err(|_| DecodeError::InvalidUtf8("password")),
            2 => Ok(Credentials::Custom(bytes)),
            other => Err(DecodeError::Unexpected {
                what: "credentials type",
                value: other.into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_sdk_encoding() {
        // Both SDKs send this for "password"; the Python SDK sends `AQRub3Bl` for "nope".
        assert_eq!(
            Credentials::Password("password".into()).to_param(),
            "AQhwYXNzd29yZA=="
        );
        assert_eq!(
            Credentials::from_param("AQRub3Bl").unwrap(),
            Credentials::Password("nope".into())
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Credentials::from_param("!!!").is_err());
        assert!(Credentials::from_param("CQ==").is_err());
    }
}
