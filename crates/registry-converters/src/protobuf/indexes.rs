//! Confluent's message indexes: the path of a message type in its .proto file (index among the
//! top-level messages, then among each level's nested messages), written after the 5-byte
//! registry header and before the message bytes.
//!
//! Format: a zig-zag varint count, then that many zig-zag varint indexes. The most common path,
//! `[0]` (the first message), is written as the single byte `0x00`, and a count of 0 reads as
//! `[0]`.

use super::error::ProtobufError;

/// The deepest path we accept: far beyond any real nesting, and small enough that a hostile
/// count cannot make us allocate much.
pub const MAX_DEPTH: usize = 100;

/// Reads the message indexes at the start of `payload`: the path and the number of bytes
/// they took.
pub fn read(payload: &[u8]) -> Result<(Vec<i32>, usize), ProtobufError> {
    let mut pos = 0;
    let count = read_zigzag(payload, &mut pos)?;
    if count == 0 {
        return Ok((vec![0], pos));
    }
    if count < 0 || count as usize > MAX_DEPTH {
        return Err(ProtobufError::BadIndexes(format!(
            "count {count} is not between 0 and {MAX_DEPTH}"
        )));
    }
    let mut path = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let i = read_zigzag(payload, &mut pos)?;
        let i = i32::try_from(i)
            .ok()
            .filter(|i| *i >= 0)
            .ok_or_else(|| ProtobufError::BadIndexes(format!("index {i} is out of range")))?;
        path.push(i);
    }
    Ok((path, pos))
}

/// Writes `path` as message indexes (`[0]` as the single byte 0).
pub fn write(path: &[i32], out: &mut Vec<u8>) {
    if path == [0] {
        out.push(0);
        return;
    }
    write_zigzag(path.len() as i64, out);
    for &i in path {
        write_zigzag(i64::from(i), out);
    }
}

fn read_zigzag(buf: &[u8], pos: &mut usize) -> Result<i64, ProtobufError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *buf
            .get(*pos)
            .ok_or_else(|| ProtobufError::BadIndexes("the payload ends inside them".into()))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
        }
    }
    Err(ProtobufError::BadIndexes(
        "a varint is longer than 10 bytes".into(),
    ))
}

fn write_zigzag(v: i64, out: &mut Vec<u8>) {
    let mut u = ((v << 1) ^ (v >> 63)) as u64;
    while u >= 0x80 {
        out.push((u as u8 & 0x7f) | 0x80);
        u >>= 7;
    }
    out.push(u as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &[i32]) -> Vec<u8> {
        let mut out = Vec::new();
        write(path, &mut out);
        out
    }

    #[test]
    fn first_message_is_one_zero_byte() {
        assert_eq!(bytes(&[0]), [0]);
        assert_eq!(read(&[0, 0xff]).unwrap(), (vec![0], 1));
    }

    #[test]
    fn paths_are_zigzag_count_then_indexes() {
        // As confluent-kafka writes the second message: count 1, index 1.
        assert_eq!(bytes(&[1]), [2, 2]);
        assert_eq!(bytes(&[1, 0]), [4, 2, 0]);
        assert_eq!(bytes(&[0, 70]), [4, 0, 0x8c, 0x01]);
        for path in [vec![1], vec![1, 0], vec![0, 70, 3], vec![i32::MAX]] {
            let b = bytes(&path);
            assert_eq!(read(&b).unwrap(), (path, b.len()));
        }
    }

    #[test]
    fn hostile_indexes_are_refused_without_allocating() {
        // A count of about 2^62.
        let mut b = Vec::new();
        write_zigzag(i64::MAX / 2, &mut b);
        assert!(matches!(read(&b), Err(ProtobufError::BadIndexes(_))));
        assert!(read(&[1]).is_err()); // count -1
        assert!(read(&[2]).is_err()); // truncated
        assert!(read(&[2, 1]).is_err()); // index -1
        assert!(read(&[0xff; 11]).is_err());
        assert!(read(&[]).is_err());
    }
}
