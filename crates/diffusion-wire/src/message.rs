//! Protocol messages: one per WebSocket binary frame, the first byte naming the type.
//!
//! The top bit of the type byte marks a zlib-compressed body. Neither our server nor our
//! client compresses, but a real server may compress what it sends to clients that declare
//! the zlib capability (as the SDKs do), so decoding inflates such bodies.

use bytes::Bytes;

use crate::codec::{varint_len, DecodeError, Reader, Writer};
use crate::delta::Delta;
use crate::error::ErrorReason;

/// Type byte of a service request: service id, conversation id, then the request payload.
pub const SERVICE_REQUEST: u8 = 0;
/// Type byte of a full topic value sent to a subscriber (server to client).
pub const TOPIC_VALUE: u8 = 4;
/// Type byte of a binary delta against a subscriber's last value (server to client).
pub const TOPIC_DELTA: u8 = 5;
/// Type byte of a successful answer to a service request, matched by conversation id.
pub const SERVICE_RESPONSE: u8 = 6;
/// Type byte of a failed answer to a service request: conversation id, a description, the
/// error reason's code, and (only in our layout) the reason's own description.
pub const SERVICE_ERROR: u8 = 7;
/// Type byte the server sends just before it closes the session; the client must not reconnect.
pub const ABORT: u8 = 28;
/// Type byte the JavaScript SDK sends to ask the server to close the session.
pub const CLOSE_REQUEST: u8 = 29;
const COMPRESSED: u8 = 0x80;
/// A compressed body may not inflate beyond this: a guard against zip bombs.
pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// A service request's service id, conversation id and payload, as
/// [`Message::service_request_parts`] reads them.
pub type RequestParts<'a> = (i32, i64, &'a [u8]);

/// One protocol message: the decoded form of one WebSocket binary frame after the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request to a service; either side may send one. `payload` is the service's request.
    ServiceRequest {
        /// The service being called (an id from [`crate::service`]), e.g. 112 for TOPIC_ADD.
        service: i32,
        /// Conversation id, chosen by the sender from its own counter (1, 2, ...); echoed in the
        /// answer.
        cid: i64,
        /// The request payload, to the end of the frame; its layout depends on `service`.
        payload: Bytes,
    },
    /// The successful answer to the request with the same conversation id.
    ServiceResponse {
        /// Conversation id of the request this answers.
        cid: i64,
        /// The response payload, to the end of the frame; empty for "void" services.
        payload: Bytes,
    },
    /// The failed answer to the request with the same conversation id.
    ServiceError {
        /// Conversation id of the request this answers.
        cid: i64,
        /// Human-readable description of the failure, read before the reason's code.
        message: String,
        /// The error code that the SDKs map to typed exceptions, and its description: the
        /// string after the code, or `message` again when the frame ends at the code
        /// (SPEC.md §4.2's layout; see [`Message::decode`]).
        reason: ErrorReason,
    },
    /// A full value for a subscribed topic. The topic id is a 4-byte big-endian int.
    TopicValue {
        /// The server-assigned id from the topic's NOTIFY_SUBSCRIPTION; only meaningful within this
        /// session.
        topic_id: i32,
        /// The topic's serialised value, to the end of the frame (CBOR except for binary topics).
        value: Bytes,
    },
    /// A binary delta against the last value the receiver holds for the topic.
    TopicDelta {
        /// The server-assigned id from the topic's NOTIFY_SUBSCRIPTION.
        topic_id: i32,
        /// The binary delta (see [`crate::delta`]), to the end of the frame.
        delta: Bytes,
    },
    /// The server is closing the session (sent just before the WebSocket closes); no reconnection.
    Abort,
    /// The client asks the server to close the session (sent by the JavaScript SDK only).
    CloseRequest,
}

impl Message {
    /// Decodes one frame. `frame` is shared so that payloads are slices, not copies.
    pub fn decode(frame: &Bytes) -> Result<Self, DecodeError> {
        match frame.first() {
            Some(&ty) if ty & COMPRESSED != 0 => {
                let mut plain = vec![ty & !COMPRESSED];
                inflate(&frame[1..], &mut plain)?;
                Self::decode_plain(&Bytes::from(plain))
            }
            _ => Self::decode_plain(frame),
        }
    }

    /// A service request's service, conversation id and payload, borrowed from `frame`;
    /// `None` when the frame is not an uncompressed service request (then
    /// [`decode`](Self::decode) it). The same reading and errors as `decode`, without
    /// making the payload a `Bytes` (a reference count taken and dropped): what a server
    /// reads for every update (issue 23).
    pub fn service_request_parts(frame: &[u8]) -> Option<Result<RequestParts<'_>, DecodeError>> {
        if frame.first() != Some(&SERVICE_REQUEST) {
            return None;
        }
        let mut r = Reader::new(&frame[1..]);
        Some((|| {
            let service = r.int32("service id")?;
            let cid = r.int64("conversation id")?;
            Ok((service, cid, r.rest()))
        })())
    }

    fn decode_plain(frame: &Bytes) -> Result<Self, DecodeError> {
        let mut r = Reader::new(frame);
        let ty = r.byte("message type")?;
        let rest = |r: &Reader| frame.slice(r.position()..);
        let msg = match ty {
            SERVICE_REQUEST => {
                let service = r.int32("service id")?;
                let cid = r.int64("conversation id")?;
                Message::ServiceRequest {
                    service,
                    cid,
                    payload: rest(&r),
                }
            }
            SERVICE_RESPONSE => {
                let cid = r.int64("conversation id")?;
                Message::ServiceResponse {
                    cid,
                    payload: rest(&r),
                }
            }
            SERVICE_ERROR => {
                // Two layouts are accepted. SPEC.md §4.2's: cid, description, code and
                // nothing after, as in the SDK sessions recorded in
                // shared/diffusion-protocol/vectors (both SDKs accepted those frames; the
                // spec reads the SDKs' sources as writing it too when a client reports an
                // error). Ours, which `encode` writes and both SDKs accept: the same with the
                // reason's own description after the code. Without that string the reason
                // takes the message as its description (our server writes the same text in
                // both), so both layouts of one error decode alike. Anything after the
                // string is still an error.
                let cid = r.int64("conversation id")?;
                let message = r.string("error message")?;
                let code = r.int32("error reason code")?;
                let description = if r.is_empty() {
                    message.clone()
                } else {
                    r.string("error reason description")?
                };
                let reason = ErrorReason::new(code, description);
                r.finish("service error")?;
                Message::ServiceError {
                    cid,
                    message,
                    reason,
                }
            }
            TOPIC_VALUE | TOPIC_DELTA => {
                let id = i32::from_be_bytes(r.take(4, "topic id")?.try_into().unwrap());
                let body = rest(&r);
                if ty == TOPIC_VALUE {
                    Message::TopicValue {
                        topic_id: id,
                        value: body,
                    }
                } else {
                    Message::TopicDelta {
                        topic_id: id,
                        delta: body,
                    }
                }
            }
            ABORT => Message::Abort,
            CLOSE_REQUEST => Message::CloseRequest,
            other => {
                return Err(DecodeError::Unexpected {
                    what: "message type",
                    value: other.into(),
                })
            }
        };
        Ok(msg)
    }

    /// The frame as it goes on the wire, never compressed.
    pub fn encode(&self) -> Bytes {
        let mut w;
        match self {
            Message::ServiceRequest {
                service,
                cid,
                payload,
            } => {
                w = Writer::with_capacity(payload.len() + 12);
                w.byte(SERVICE_REQUEST)
                    .int32(*service)
                    .int64(*cid)
                    .raw(payload);
            }
            Message::ServiceResponse { cid, payload } => {
                // Exactly, as every set is answered so: spare room would cost an
                // allocation in `finish`.
                w = Writer::with_capacity(1 + varint_len(*cid as u64) + payload.len());
                w.byte(SERVICE_RESPONSE).int64(*cid).raw(payload);
            }
            Message::ServiceError {
                cid,
                message,
                reason,
            } => {
                w = Writer::new();
                w.byte(SERVICE_ERROR).int64(*cid).string(message);
                reason.encode(&mut w);
            }
            Message::TopicValue { topic_id, value } => {
                w = Writer::with_capacity(value.len() + 5);
                w.byte(TOPIC_VALUE).raw(&topic_id.to_be_bytes()).raw(value);
            }
            Message::TopicDelta { topic_id, delta } => {
                w = Writer::with_capacity(delta.len() + 5);
                w.byte(TOPIC_DELTA).raw(&topic_id.to_be_bytes()).raw(delta);
            }
            Message::Abort => {
                w = Writer::new();
                w.byte(ABORT);
            }
            Message::CloseRequest => {
                w = Writer::new();
                w.byte(CLOSE_REQUEST);
            }
        }
        w.finish()
    }

    /// A service request's frame with its payload written by `payload` straight after
    /// the header, in one buffer of `payload_size` (a hint) plus the header: the same
    /// bytes as [`Message::encode`] of a `ServiceRequest`, without encoding the payload
    /// on its own first and copying it (a sender's cost per request, issue 23).
    pub fn service_request(
        service: i32,
        cid: i64,
        payload_size: usize,
        payload: impl FnOnce(&mut Writer),
    ) -> Bytes {
        // The header: a type byte and two varints of at most ten bytes each.
        let mut w = Writer::with_capacity(payload_size + 21);
        w.byte(SERVICE_REQUEST).int32(service).int64(cid);
        payload(&mut w);
        w.finish()
    }
}

impl Message {
    /// The frame of a [`Message::TopicDelta`] carrying `delta`, written straight into one
    /// buffer of exactly its size: the bytes [`Message::encode`] gives, without the delta
    /// first built on its own and copied (the server's cost per update, issue 23).
    pub fn topic_delta(topic_id: i32, delta: &Delta) -> Bytes {
        let mut w = Writer::with_capacity(5 + delta.len());
        w.byte(TOPIC_DELTA).raw(&topic_id.to_be_bytes());
        delta.write(w.buf_mut());
        w.finish()
    }
}

fn inflate(body: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    use std::io::Read;
    let mut z = flate2::read::ZlibDecoder::new(body).take(MAX_INFLATED + 1);
    z.read_to_end(out)
        .map_err(|e| DecodeError::Invalid(format!("compressed message does not inflate: {e}")))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(DecodeError::Invalid(format!(
            "compressed message inflates beyond {MAX_INFLATED} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_framed_in_one_buffer_is_the_encoded_one() {
        for (service, cid, payload) in [
            (118, 1, &b"\x05a/b/c\x00"[..]),
            (-1, i64::MIN, b""),
            (112, 300, b"x"),
        ] {
            let whole = Message::ServiceRequest {
                service,
                cid,
                payload: Bytes::copy_from_slice(payload),
            }
            .encode();
            let framed = Message::service_request(service, cid, 0, |w| {
                w.raw(payload);
            });
            assert_eq!(framed, whole);
        }
    }

    #[test]
    fn a_delta_framed_in_one_buffer_is_the_encoded_one() {
        let old = b"{\"sym\":\"K0001\",\"bid\":100.25,\"seq\":17}";
        for new in [
            &b"{\"sym\":\"K0001\",\"bid\":100.5,\"seq\":18}"[..],
            b"",
            b"{",
        ] {
            let delta = Delta::between(old, new).unwrap();
            let whole = Message::TopicDelta {
                topic_id: -2,
                delta: crate::delta::compute(old, new).unwrap().into(),
            }
            .encode();
            assert_eq!(Message::topic_delta(-2, &delta), whole);
        }
    }

    #[test]
    fn responses_sized_exactly_decode() {
        for cid in [0, 1, 127, 128, 120_000, i64::MAX, -1] {
            for payload in [Bytes::new(), Bytes::from_static(b"\x01\x02")] {
                let len = 1 + varint_len(cid as u64) + payload.len();
                let m = Message::ServiceResponse { cid, payload };
                let frame = m.encode();
                assert_eq!(frame.len(), len);
                assert_eq!(Message::decode(&frame).unwrap(), m);
            }
        }
    }

    proptest::proptest! {
        /// The borrowed reading of a request is `decode`'s, and answers for every request.
        #[test]
        fn request_parts_are_the_decoded_request(
            frame in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
            service: i32, cid: i64, payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4),
        ) {
            let request = Message::service_request(service, cid, 0, |w| {
                w.raw(&payload);
            });
            for frame in [Bytes::from(frame), request] {
                let decoded = Message::decode(&frame);
                match Message::service_request_parts(&frame) {
                    None => {
                        let request = matches!(decoded, Ok(Message::ServiceRequest { .. }));
                        // Only a compressed request is left to `decode`.
                        proptest::prop_assert!(!request || frame[0] & COMPRESSED != 0);
                        proptest::prop_assert_ne!(frame.first(), Some(&SERVICE_REQUEST));
                    }
                    Some(parts) => proptest::prop_assert_eq!(
                        parts.map(|(service, cid, payload)| Message::ServiceRequest {
                            service,
                            cid,
                            payload: Bytes::copy_from_slice(payload),
                        }),
                        decoded
                    ),
                }
            }
        }
    }

    #[test]
    fn compressed_bodies_are_inflated() {
        use std::io::Write;
        let plain = Message::TopicValue {
            topic_id: 7,
            value: Bytes::from_static(b"\x65hello"),
        }
        .encode();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&plain[1..]).unwrap();
        let mut frame = vec![plain[0] | COMPRESSED];
        frame.extend(z.finish().unwrap());
        assert_eq!(Message::decode(&frame.into()).unwrap().encode(), plain);
    }

    #[test]
    fn garbage_is_an_error() {
        for frame in [
            &b""[..],
            &[0x01],
            &[0x00, 0xff],
            &[0x04, 0, 0],
            &[0x85, 1, 2, 3, 4],
        ] {
            assert!(Message::decode(&Bytes::copy_from_slice(frame)).is_err());
        }
    }

    #[test]
    fn service_error_roundtrip() {
        let m = Message::ServiceError {
            cid: 9,
            message: "nope".into(),
            reason: ErrorReason::new(ErrorReason::TOPIC_EXISTS_MISMATCH, "mismatch"),
        };
        assert_eq!(Message::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn service_error_without_the_reason_description_takes_the_message() {
        // SPEC.md §4.2's layout: cid 18, "No topic was found", 9000, nothing after.
        let spec = {
            let mut w = Writer::new();
            w.byte(SERVICE_ERROR)
                .int64(18)
                .string("No topic was found")
                .int32(ErrorReason::NO_SUCH_TOPIC);
            w.finish()
        };
        assert_eq!(
            Message::decode(&spec).unwrap(),
            Message::ServiceError {
                cid: 18,
                message: "No topic was found".into(),
                reason: ErrorReason::new(ErrorReason::NO_SUCH_TOPIC, "No topic was found"),
            }
        );
    }

    #[test]
    fn service_error_with_anything_else_after_the_code_is_an_error() {
        let ours = Message::ServiceError {
            cid: 9,
            message: "nope".into(),
            reason: ErrorReason::new(ErrorReason::TOPIC_EXISTS_MISMATCH, "mismatch"),
        }
        .encode();
        // A byte after the reason's description.
        let mut longer = ours.to_vec();
        longer.push(0);
        assert!(Message::decode(&Bytes::from(longer)).is_err());
        // The reason's description cut short.
        let cut = ours.slice(..ours.len() - 1);
        assert!(Message::decode(&cut).is_err());
        // A lone byte after the code: a string's length with no text.
        let mut w = Writer::new();
        w.byte(SERVICE_ERROR)
            .int64(9)
            .string("nope")
            .int32(9004)
            .byte(3);
        assert!(Message::decode(&w.finish()).is_err());
    }
}
