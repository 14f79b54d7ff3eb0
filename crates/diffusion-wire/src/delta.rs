//! Binary deltas: a sequence of CBOR items applied to the previous value's bytes. A pair of
//! unsigned integers (start, length) copies that range of the old bytes; a byte string
//! inserts its bytes. A lone CBOR null means "no change".

use ciborium_ll::{Decoder, Encoder, Header};

/// Why a delta could not be applied to the previous value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// The delta is not a sequence of CBOR copy pairs and byte-string inserts.
    #[error("delta is not a sequence of CBOR copies and inserts: {0}")]
    Malformed(String),
    /// A copy pair reaches past the end of the old value.
    #[error("delta copies bytes {start}..{end} but the old value has {len} bytes")]
    OutOfRange {
        /// First byte of the copy, as an offset into the old value.
        start: u64,
        /// One past the last byte of the copy (`start + length`, saturating).
        end: u64,
        /// The old value's length in bytes.
        len: usize,
    },
}

/// Applies `delta` to `old`.
pub fn apply(old: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
    let malformed = |e: String| DeltaError::Malformed(e);
    let mut out = Vec::with_capacity(old.len() + delta.len());
    let mut pos = 0;
    while pos < delta.len() {
        let mut dec = Decoder::from(&delta[pos..]);
        let h = dec.pull().map_err(|e| malformed(format!("{e:?}")))?;
        match h {
            Header::Simple(ciborium_ll::simple::NULL) if pos == 0 => {
                if dec.offset() != delta.len() {
                    return Err(malformed("bytes after a no-change marker".into()));
                }
                return Ok(old.to_vec());
            }
            Header::Positive(start) => {
                let len = match dec.pull().map_err(|e| malformed(format!("{e:?}")))? {
                    Header::Positive(n) => n,
                    other => return Err(malformed(format!("copy length is {other:?}"))),
                };
                pos += dec.offset();
                let end = start.saturating_add(len);
                if end > old.len() as u64 {
                    return Err(DeltaError::OutOfRange {
                        start,
                        end,
                        len: old.len(),
                    });
                }
                out.extend_from_slice(&old[start as usize..end as usize]);
            }
            Header::Bytes(Some(n)) => {
                pos += dec.offset();
                let bytes = pos
                    .checked_add(n)
                    .and_then(|end| delta.get(pos..end))
                    .ok_or_else(|| malformed("insert runs past the end".into()))?;
                out.extend_from_slice(bytes);
                pos += bytes.len();
            }
            other => return Err(malformed(format!("unexpected item {other:?}"))),
        }
    }
    Ok(out)
}

/// Computes a delta turning `old` into `new`, or `None` when they are equal. The delta keeps
/// the common prefix and suffix and inserts what lies between: cheap (linear, no search) and
/// as small as a full diff for the usual case of a few changed fields in a record.
pub fn compute(old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    if old == new {
        return None;
    }
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = Vec::with_capacity(new.len() - prefix - suffix + 20);
    let mut enc = Encoder::from(&mut out);
    // Writing into a Vec cannot fail.
    if prefix > 0 {
        enc.push(Header::Positive(0)).unwrap();
        enc.push(Header::Positive(prefix as u64)).unwrap();
    }
    let middle = &new[prefix..new.len() - suffix];
    if !middle.is_empty() {
        enc.bytes(middle, None).unwrap();
    }
    if suffix > 0 {
        enc.push(Header::Positive((old.len() - suffix) as u64))
            .unwrap();
        enc.push(Header::Positive(suffix as u64)).unwrap();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_documented_example() {
        let d = compute(b"hello world", b"hello there world").unwrap();
        // 0, 6, b"there ", 6, 5
        let mut want = vec![0x00, 0x06, 0x46];
        want.extend_from_slice(b"there ");
        want.extend_from_slice(&[0x06, 0x05]);
        assert_eq!(d, want);
        assert_eq!(apply(b"hello world", &d).unwrap(), b"hello there world");
    }

    #[test]
    fn applies_the_sdk_delta() {
        // From the Python SDK vector: {"bid":1.5,"sym":"ABC"} -> {"bid":2.5,...} as doubles.
        let old = [
            0xa2, 0x63, 0x62, 0x69, 0x64, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x63, 0x73, 0x79,
            0x6d, 0x63, 0x41, 0x42, 0x43,
        ];
        let new = apply(&old, &[0x00, 0x06, 0x42, 0x40, 0x04, 0x08, 0x0e]).unwrap();
        assert_eq!(&new[6..8], &[0x40, 0x04]);
        assert_eq!(new.len(), old.len());
    }

    #[test]
    fn bad_deltas_are_errors() {
        assert!(apply(b"abc", &[0x00, 0x09]).is_err());
        assert!(apply(b"abc", &[0x00]).is_err());
        assert!(apply(b"abc", &[0x45, b'a']).is_err());
        assert!(apply(b"abc", &[0x61, b'a']).is_err());
        assert!(apply(
            b"abc",
            &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        )
        .is_err());
        assert_eq!(apply(b"abc", &[0xf6]).unwrap(), b"abc");
    }

    proptest! {
        #[test]
        fn apply_compute_roundtrip(a in proptest::collection::vec(any::<u8>(), 0..300),
                                   b in proptest::collection::vec(any::<u8>(), 0..300)) {
            match compute(&a, &b) {
                None => prop_assert_eq!(&a, &b),
                Some(d) => prop_assert_eq!(apply(&a, &d).unwrap(), b),
            }
        }

        #[test]
        fn small_edits_give_small_deltas(a in proptest::collection::vec(any::<u8>(), 50..300),
                                         at in 0usize..50, x: u8) {
            let mut b = a.clone();
            b[at] = x;
            if let Some(d) = compute(&a, &b) {
                prop_assert!(d.len() <= 16, "delta of {} bytes for a one-byte edit", d.len());
                prop_assert_eq!(apply(&a, &d).unwrap(), b);
            }
        }

        #[test]
        fn apply_never_panics(a in proptest::collection::vec(any::<u8>(), 0..64),
                              d in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = apply(&a, &d);
        }
    }
}
