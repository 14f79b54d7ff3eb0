//! Confluent's wire framing of registry-encoded records: a magic byte 0, the schema id as
//! 4 big-endian bytes, then the payload. For Protobuf the payload starts with the message
//! indexes: the path of the record's message type in its `.proto` file.
//!
//! Everything here reads bytes from Kafka, which anyone may have written: it returns errors,
//! never panics, and allocates no more than the input could justify.

/// The first byte of every framed record (Confluent's format version 0).
pub const MAGIC: u8 = 0;

/// The length of the header: the magic byte and the 4-byte schema id.
pub const HEADER_LEN: usize = 5;

/// The longest zig-zag varint of a 32-bit number.
const MAX_VARINT_LEN: usize = 5;

/// Bytes that are not a registry-framed record, or bad Protobuf message indexes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// No bytes at all (a null-free empty record cannot carry a schema id).
    #[error(
        "the record is empty; expected Confluent's registry framing (magic byte 0 and a schema id)"
    )]
    Empty,
    /// The first byte is not the magic byte 0: not written by a registry serializer (or by
    /// one with another format).
    #[error("unknown magic byte 0x{0:02x}; expected 0x00 (Confluent's registry framing)")]
    BadMagic(u8),
    /// Fewer than the 5 header bytes.
    #[error(
        "the record has {0} bytes, fewer than the 5-byte header of Confluent's registry framing"
    )]
    TooShort(usize),
    /// The Protobuf message indexes end in the middle of a varint.
    #[error("the Protobuf message indexes end in the middle of a number")]
    TruncatedIndexes,
    /// A varint longer than a 32-bit number allows.
    #[error("a Protobuf message index is longer than a 32-bit number")]
    VarintTooLong,
    /// The number of message indexes is negative, or more than the bytes that follow
    /// could hold.
    #[error("the Protobuf message index count {count} is impossible with {available} bytes left")]
    BadIndexCount {
        /// The count read.
        count: i32,
        /// The bytes after the count.
        available: usize,
    },
}

/// Appends the 5-byte header for schema `id` to `out`; the payload follows.
pub fn frame(id: u32, out: &mut Vec<u8>) {
    out.push(MAGIC);
    out.extend_from_slice(&id.to_be_bytes());
}

/// Splits a framed record into its schema id and payload.
pub fn unframe(bytes: &[u8]) -> Result<(u32, &[u8]), FrameError> {
    match bytes {
        [] => Err(FrameError::Empty),
        [magic, ..] if *magic != MAGIC => Err(FrameError::BadMagic(*magic)),
        [_, a, b, c, d, payload @ ..] => Ok((u32::from_be_bytes([*a, *b, *c, *d]), payload)),
        short => Err(FrameError::TooShort(short.len())),
    }
}

/// Reads the Protobuf message indexes at the start of a payload (after the header): the
/// indexes and the message bytes after them.
///
/// The encoding is a zig-zag varint count then that many zig-zag varint indexes; a count of
/// 0 stands for `[0]` (the first message of the file), the common case kept to one byte.
pub fn read_message_indexes(bytes: &[u8]) -> Result<(Vec<i32>, &[u8]), FrameError> {
    let (count, mut rest) = read_zigzag(bytes)?;
    if count == 0 {
        return Ok((vec![0], rest));
    }
    // Every index takes at least one byte: a count beyond that is corrupt, and must not
    // size an allocation.
    let available = rest.len();
    let count = usize::try_from(count)
        .ok()
        .filter(|&n| n <= available)
        .ok_or(FrameError::BadIndexCount { count, available })?;
    let mut indexes = Vec::with_capacity(count);
    for _ in 0..count {
        let (index, after) = read_zigzag(rest)?;
        indexes.push(index);
        rest = after;
    }
    Ok((indexes, rest))
}

/// Appends Protobuf message `indexes` to `out`, as [`read_message_indexes`] reads them.
/// `[0]` (and `[]`, which means the same: the first message) is the single byte 0.
pub fn write_message_indexes(indexes: &[i32], out: &mut Vec<u8>) {
    if indexes.is_empty() || indexes == [0] {
        out.push(0);
        return;
    }
    // No real message path has 2^31 levels; saturate rather than panic on one.
    write_zigzag(i32::try_from(indexes.len()).unwrap_or(i32::MAX), out);
    for &index in indexes {
        write_zigzag(index, out);
    }
}

/// Reads a zig-zag varint (as Kafka's `ByteUtils.readVarint`): the number and what follows.
fn read_zigzag(bytes: &[u8]) -> Result<(i32, &[u8]), FrameError> {
    let mut raw: u32 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(MAX_VARINT_LEN) {
        // The fifth byte may only carry the top 4 bits of a 32-bit number.
        if i == MAX_VARINT_LEN - 1 && byte > 0x0f {
            return Err(FrameError::VarintTooLong);
        }
        raw |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let value = ((raw >> 1) as i32) ^ -((raw & 1) as i32);
            return Ok((value, &bytes[i + 1..]));
        }
    }
    if bytes.len() >= MAX_VARINT_LEN {
        Err(FrameError::VarintTooLong)
    } else {
        Err(FrameError::TruncatedIndexes)
    }
}

/// Writes `value` as a zig-zag varint.
fn write_zigzag(value: i32, out: &mut Vec<u8>) {
    let mut raw = ((value << 1) ^ (value >> 31)) as u32;
    while raw >= 0x80 {
        out.push((raw as u8 & 0x7f) | 0x80);
        raw >>= 7;
    }
    out.push(raw as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn golden_protobuf_second_message() {
        // What confluent-kafka's ProtobufSerializer writes for the 2nd message of a file
        // with schema id 5 (docs/design/schema-registry-plan.md, section 2).
        let bytes = [0x00, 0x00, 0x00, 0x00, 0x05, 0x02, 0x02, 0x08, 0x01];
        let (id, payload) = unframe(&bytes).unwrap();
        assert_eq!(id, 5);
        let (indexes, message) = read_message_indexes(payload).unwrap();
        assert_eq!(indexes, [1]);
        assert_eq!(message, [0x08, 0x01]);

        let mut out = Vec::new();
        frame(5, &mut out);
        write_message_indexes(&[1], &mut out);
        out.extend_from_slice(&[0x08, 0x01]);
        assert_eq!(out, bytes);
    }

    #[test]
    fn first_message_is_one_zero_byte() {
        for indexes in [&[0][..], &[]] {
            let mut out = Vec::new();
            write_message_indexes(indexes, &mut out);
            assert_eq!(out, [0]);
        }
        assert_eq!(read_message_indexes(&[0, 9]).unwrap(), (vec![0], &[9][..]));
        // Nested message 0 of message 0 is written in full.
        let mut out = Vec::new();
        write_message_indexes(&[0, 0], &mut out);
        assert_eq!(out, [4, 0, 0]);
    }

    #[test]
    fn header() {
        let mut out = vec![0xaa];
        frame(0x0102_0304, &mut out);
        assert_eq!(out, [0xaa, 0, 1, 2, 3, 4]);
        assert_eq!(unframe(&[0, 0, 0, 1, 0]).unwrap(), (256, &[][..]));
    }

    #[test]
    fn header_errors() {
        assert_eq!(unframe(&[]), Err(FrameError::Empty));
        assert_eq!(
            unframe(&[0x7b, 0, 0, 0, 0]),
            Err(FrameError::BadMagic(0x7b))
        );
        assert!(FrameError::BadMagic(0x7b).to_string().contains("0x7b"));
        assert_eq!(unframe(&[0, 0, 0, 1]), Err(FrameError::TooShort(4)));
        assert_eq!(unframe(&[0]), Err(FrameError::TooShort(1)));
    }

    #[test]
    fn index_errors() {
        assert_eq!(read_message_indexes(&[]), Err(FrameError::TruncatedIndexes));
        assert_eq!(
            read_message_indexes(&[0x80]),
            Err(FrameError::TruncatedIndexes)
        );
        // A count of 2 with one index.
        assert_eq!(
            read_message_indexes(&[4, 2]),
            Err(FrameError::BadIndexCount {
                count: 2,
                available: 1
            })
        );
        // A negative count (-1).
        assert_eq!(
            read_message_indexes(&[1, 2]),
            Err(FrameError::BadIndexCount {
                count: -1,
                available: 1
            })
        );
        // A hostile count (i32::MAX) must fail before allocating.
        assert_eq!(
            read_message_indexes(&[0xfe, 0xff, 0xff, 0xff, 0x0f]),
            Err(FrameError::BadIndexCount {
                count: i32::MAX,
                available: 0
            })
        );
        assert_eq!(
            read_message_indexes(&[0xff; 6]),
            Err(FrameError::VarintTooLong)
        );
        assert_eq!(
            read_message_indexes(&[0xff, 0xff, 0xff, 0xff, 0x10]),
            Err(FrameError::VarintTooLong)
        );
    }

    #[test]
    fn zigzag_extremes() {
        for v in [0, -1, 1, 63, -64, 64, i32::MAX, i32::MIN] {
            let mut out = Vec::new();
            write_zigzag(v, &mut out);
            assert!(out.len() <= MAX_VARINT_LEN);
            assert_eq!(read_zigzag(&out).unwrap(), (v, &[][..]));
        }
    }

    proptest! {
        #[test]
        fn frame_round_trip(id: u32, payload: Vec<u8>) {
            let mut out = Vec::new();
            frame(id, &mut out);
            out.extend_from_slice(&payload);
            prop_assert_eq!(unframe(&out).unwrap(), (id, &payload[..]));
        }

        #[test]
        fn indexes_round_trip(indexes in prop::collection::vec(any::<i32>(), 1..20), rest: Vec<u8>) {
            let mut out = Vec::new();
            write_message_indexes(&indexes, &mut out);
            out.extend_from_slice(&rest);
            let (read, after) = read_message_indexes(&out).unwrap();
            prop_assert_eq!(read, indexes);
            prop_assert_eq!(after, &rest[..]);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes: Vec<u8>) {
            if let Ok((_, payload)) = unframe(&bytes) {
                prop_assert_eq!(payload.len() + HEADER_LEN, bytes.len());
            }
            if let Ok((indexes, rest)) = read_message_indexes(&bytes) {
                prop_assert!(indexes.len() <= bytes.len());
                prop_assert!(rest.len() < bytes.len());
            }
        }
    }
}
