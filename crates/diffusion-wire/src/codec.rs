//! Primitive encodings shared by every message: LEB128 varints, length-prefixed bytes and
//! strings, and string maps.
//!
//! Integers are unsigned LEB128 of the two's-complement value (no zig-zag), so a negative
//! int64 takes ten bytes. This is hand-written rather than taken from a crate because the
//! protocol's rule (two's complement, truncated to the field's width) is specific to
//! Diffusion and the whole codec is a dozen lines.

use bytes::{BufMut, Bytes, BytesMut};

/// Why a frame could not be decoded. Carries enough context to name the bad field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame ended before the named field was complete.
    #[error("frame truncated while reading {0}")]
    Truncated(&'static str),
    /// A varint ran past ten bytes or past 64 bits, so it cannot be an int64.
    #[error("varint too long while reading {0}")]
    VarintOverflow(&'static str),
    /// A string field's bytes were not valid UTF-8.
    #[error("invalid UTF-8 in {0}")]
    InvalidUtf8(&'static str),
    /// A field decoded but its value is not one this protocol defines (an unknown tag or code).
    #[error("{what}: unexpected value {value}")]
    Unexpected {
        /// Names the field that held the value, as in the other variants.
        what: &'static str,
        /// The value read (a tag, type byte or code), widened to i64.
        value: i64,
    },
    /// Any other layout error, described in full (for example trailing bytes after a message).
    #[error("{0}")]
    Invalid(String),
}

/// A cursor over a received frame.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the first byte of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// How many bytes of the frame are left unread.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// How many bytes have been read so far: the offset of the next byte in the frame.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads one raw byte; `what` names the field in the error if the frame has ended.
    pub fn byte(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated(what))?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads exactly `n` raw bytes, borrowed from the frame, or fails with `Truncated(what)`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated(what));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Everything not yet read.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// Reads an unsigned LEB128 varint of at most ten bytes (64 bits).
    pub fn varint_u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte(what)?;
            if shift == 63 && b > 1 {
                return Err(DecodeError::VarintOverflow(what));
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(DecodeError::VarintOverflow(what))
    }

    /// Reads an int64: the varint's 64 bits as two's complement, so negatives take ten bytes.
    pub fn int64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        Ok(self.varint_u64(what)? as i64)
    }

    /// An int32 is the low 32 bits of the varint; negative values arrive sign-extended.
    pub fn int32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        Ok(self.varint_u64(what)? as i32)
    }

    /// A varint that must be a non-negative count or length that fits in memory.
    pub fn length(&mut self, what: &'static str) -> Result<usize, DecodeError> {
        let n = self.varint_u64(what)?;
        if n > self.remaining() as u64 {
            return Err(DecodeError::Truncated(what));
        }
        Ok(n as usize)
    }

    /// Reads length-prefixed bytes (a varint length then that many bytes), borrowed from the frame.
    pub fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.length(what)?;
        self.take(n, what)
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        self.str(what).map(str::to_owned)
    }

    /// Reads a length-prefixed UTF-8 string, borrowed from the frame.
    pub fn str(&mut self, what: &'static str) -> Result<&'a str, DecodeError> {
        let b = self.bytes(what)?;
        std::str::from_utf8(b).map_err(|_| DecodeError::InvalidUtf8(what))
    }

    /// Reads a string map: a varint count then that many key/value string pairs, in wire order.
    pub fn string_map(&mut self, what: &'static str) -> Result<Vec<(String, String)>, DecodeError> {
        // Each entry takes at least two bytes, which bounds the count by the frame size.
        let n = self.varint_u64(what)?;
        if n > self.remaining() as u64 / 2 {
            return Err(DecodeError::Truncated(what));
        }
        (0..n)
            .map(|_| Ok((self.string(what)?, self.string(what)?)))
            .collect()
    }

    /// Fails unless the whole frame was consumed: trailing bytes mean a layout mismatch.
    pub fn finish(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.remaining() != 0 {
            return Err(DecodeError::Invalid(format!(
                "{} unexpected trailing bytes after {what}",
                self.remaining()
            )));
        }
        Ok(())
    }
}

/// Builds an outgoing frame.
#[derive(Debug, Default)]
pub struct Writer {
    buf: BytesMut,
}

impl Writer {
    /// An empty frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty frame with room for `n` bytes, to avoid reallocating while writing a known size.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            buf: BytesMut::with_capacity(n),
        }
    }

    /// Appends one raw byte.
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.buf.put_u8(b);
        self
    }

    /// Appends raw bytes with no length prefix.
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.put_slice(b);
        self
    }

    /// Appends an unsigned LEB128 varint (one to ten bytes).
    pub fn varint_u64(&mut self, mut n: u64) -> &mut Self {
        while n >= 0x80 {
            self.buf.put_u8((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.buf.put_u8(n as u8);
        self
    }

    /// Appends an int64 as the varint of its two's-complement bits (ten bytes when negative).
    pub fn int64(&mut self, n: i64) -> &mut Self {
        self.varint_u64(n as u64)
    }

    /// Appends an int32 sign-extended to 64 bits, as the SDKs do (ten bytes when negative).
    pub fn int32(&mut self, n: i32) -> &mut Self {
        // Sign-extended, as the SDKs write an int32 through the same int64 path.
        self.varint_u64(i64::from(n) as u64)
    }

    /// Appends length-prefixed bytes: a varint length then the bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.varint_u64(b.len() as u64);
        self.raw(b)
    }

    /// Appends a length-prefixed UTF-8 string.
    pub fn string(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Appends a string map: a varint count then each key and value as strings, in slice order.
    pub fn string_map(&mut self, m: &[(String, String)]) -> &mut Self {
        self.varint_u64(m.len() as u64);
        for (k, v) in m {
            self.string(k).string(v);
        }
        self
    }

    /// How many bytes have been written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The finished frame, cheap to clone and send. A buffer filled to exactly its capacity
    /// becomes `Bytes` as it is; one with room to spare takes another allocation (for the
    /// shared header), so the frames sent for every update are sized exactly (issue 23).
    pub fn finish(self) -> Bytes {
        self.buf.freeze()
    }

    /// The buffer itself, for a writer of `BufMut` (a delta).
    pub(crate) fn buf_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }
}

/// How many bytes [`Writer::varint_u64`] writes for `n`.
pub fn varint_len(n: u64) -> usize {
    // Seven bits a byte; zero takes one.
    (64 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn negative_int64_takes_ten_bytes() {
        let mut w = Writer::new();
        w.int64(-1);
        let b = w.finish();
        assert_eq!(b.len(), 10);
        assert_eq!(Reader::new(&b).int64("x").unwrap(), -1);
    }

    #[test]
    fn overlong_varint_is_an_error_not_a_panic() {
        let b = [0xffu8; 11];
        assert!(matches!(
            Reader::new(&b).varint_u64("x"),
            Err(DecodeError::VarintOverflow(_))
        ));
    }

    #[test]
    fn length_beyond_frame_is_truncation() {
        let b = [0x05u8, b'a'];
        assert_eq!(
            Reader::new(&b).string("path"),
            Err(DecodeError::Truncated("path"))
        );
    }

    proptest! {
        #[test]
        fn varint_roundtrip(n: i64) {
            let mut w = Writer::new();
            w.int64(n);
            let b = w.finish();
            let mut r = Reader::new(&b);
            prop_assert_eq!(r.int64("n").unwrap(), n);
            prop_assert!(r.is_empty());
        }

        #[test]
        fn varint_len_is_what_is_written(n: u64, shift in 0u32..64) {
            for n in [n, n >> shift] {
                let mut w = Writer::new();
                w.varint_u64(n);
                prop_assert_eq!(varint_len(n), w.len());
            }
        }

        #[test]
        fn int32_roundtrip(n: i32) {
            let mut w = Writer::new();
            w.int32(n);
            let b = w.finish();
            prop_assert_eq!(Reader::new(&b).int32("n").unwrap(), n);
        }
    }
}
