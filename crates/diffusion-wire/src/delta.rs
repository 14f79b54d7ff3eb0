//! Binary deltas: a sequence of CBOR items applied to the previous value's bytes. A pair of
//! unsigned integers (start, length) copies that range of the old bytes; a byte string
//! inserts its bytes. A lone CBOR null means "no change".

use bytes::BufMut;

use crate::cbor_head;

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

/// Applies `delta` to `old`. Every update of a JSON topic after its first comes as a
/// delta, so this is on the source's hot path (issue 23): the heads are read here by hand,
/// as ciborium's `Decoder` read them (a test holds the two to the same answers), for
/// ~870 instructions less per ~100-byte record (bench/profile-source.sh).
pub fn apply(old: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
    let mut out = Vec::with_capacity(old.len() + delta.len());
    let mut pos = 0;
    while pos < delta.len() {
        let first = pos == 0;
        let (major, info, arg) = head(delta, &mut pos)?;
        match (major, arg) {
            // Simple value 22 (null), in either of its forms, alone.
            (7, Some(22)) if first && (info == 22 || info == 24) => {
                if pos != delta.len() {
                    return Err(DeltaError::Malformed(
                        "bytes after a no-change marker".into(),
                    ));
                }
                return Ok(old.to_vec());
            }
            (0, Some(start)) => {
                let len = match head(delta, &mut pos)? {
                    (0, _, Some(n)) => n,
                    (m, ..) => {
                        return Err(DeltaError::Malformed(format!(
                            "copy length is an item of major type {m}"
                        )))
                    }
                };
                copy(old, start, len, &mut out)?;
            }
            (2, Some(n)) => {
                let bytes = usize::try_from(n)
                    .ok()
                    .and_then(|n| pos.checked_add(n))
                    .and_then(|end| delta.get(pos..end))
                    .ok_or_else(|| DeltaError::Malformed("insert runs past the end".into()))?;
                out.extend_from_slice(bytes);
                pos += bytes.len();
            }
            (m, _) => {
                return Err(DeltaError::Malformed(format!(
                    "unexpected item of major type {m}, additional information {info}"
                )))
            }
        }
    }
    Ok(out)
}

/// A delta's copy instruction: `len` bytes of `old` from `start` onto `out`.
fn copy(old: &[u8], start: u64, len: u64, out: &mut Vec<u8>) -> Result<(), DeltaError> {
    let end = start.saturating_add(len);
    if end > old.len() as u64 {
        return Err(DeltaError::OutOfRange {
            start,
            end,
            len: old.len(),
        });
    }
    out.extend_from_slice(&old[start as usize..end as usize]);
    Ok(())
}

/// The CBOR head at `*pos` in `delta`, moving past it: major type, additional information
/// and argument (`None`: indefinite length, or a break).
fn head(delta: &[u8], pos: &mut usize) -> Result<(u8, u8, Option<u64>), DeltaError> {
    let truncated = || DeltaError::Malformed("truncated item".into());
    let b = *delta.get(*pos).ok_or_else(truncated)?;
    let (major, info) = (b >> 5, b & 0x1f);
    let width = match info {
        0..=23 => {
            *pos += 1;
            return Ok((major, info, Some(u64::from(info))));
        }
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        31 => {
            *pos += 1;
            return Ok((major, info, None));
        }
        _ => {
            return Err(DeltaError::Malformed(format!(
                "reserved additional information {info}"
            )))
        }
    };
    let arg = delta
        .get(*pos + 1..*pos + 1 + width)
        .ok_or_else(truncated)?;
    *pos += 1 + width;
    Ok((
        major,
        info,
        Some(arg.iter().fold(0u64, |n, &b| n << 8 | u64::from(b))),
    ))
}

/// Computes a delta turning `old` into `new`, or `None` when they are equal. The delta keeps
/// the common prefix and suffix and inserts what lies between: cheap (linear, no search) and
/// as small as a full diff for the usual case of a few changed fields in a record.
pub fn compute(old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    let d = Delta::between(old, new)?;
    let mut out = Vec::with_capacity(d.len());
    d.write(&mut out);
    Some(out)
}

/// A delta as [`compute`] makes it, not yet written: its size is known first, so a frame
/// can hold it in one buffer of exactly the right size (the server's cost per update,
/// issue 23), and a sender can choose the full value instead when it is not smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delta<'a> {
    /// Bytes kept from the start of the old value (copied as `0, prefix`).
    prefix: usize,
    /// The new bytes between the prefix and the suffix (inserted as a byte string).
    middle: &'a [u8],
    /// Where the kept suffix starts in the old value, and its length.
    suffix_at: usize,
    suffix: usize,
}

impl<'a> Delta<'a> {
    /// The delta turning `old` into `new`, or `None` when they are equal.
    pub fn between(old: &[u8], new: &'a [u8]) -> Option<Self> {
        let prefix = common_prefix(old, new);
        if prefix == old.len() && prefix == new.len() {
            return None;
        }
        let max_suffix = (old.len() - prefix).min(new.len() - prefix);
        let suffix = common_suffix(old, new, max_suffix);
        Some(Self {
            prefix,
            middle: &new[prefix..new.len() - suffix],
            suffix_at: old.len() - suffix,
            suffix,
        })
    }

    /// How many bytes [`write`](Self::write) writes.
    pub fn len(&self) -> usize {
        let mut n = 0;
        if self.prefix > 0 {
            n += 1 + cbor_head::len(self.prefix as u64);
        }
        if !self.middle.is_empty() {
            n += cbor_head::len(self.middle.len() as u64) + self.middle.len();
        }
        if self.suffix > 0 {
            n += cbor_head::len(self.suffix_at as u64) + cbor_head::len(self.suffix as u64);
        }
        n
    }

    /// Whether the delta is empty: never, as equal values have no delta.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the delta's CBOR items to `out`, their heads by hand (`cbor_head`): there
    /// are at most five, and ciborium's `Encoder` was a measurable part of a delta's cost.
    pub fn write(&self, out: &mut impl BufMut) {
        if self.prefix > 0 {
            out.put_u8(0);
            cbor_head::put(out, 0, self.prefix as u64);
        }
        if !self.middle.is_empty() {
            cbor_head::put(out, 2, self.middle.len() as u64);
            out.put_slice(self.middle);
        }
        if self.suffix > 0 {
            cbor_head::put(out, 0, self.suffix_at as u64);
            cbor_head::put(out, 0, self.suffix as u64);
        }
    }
}

/// How many leading bytes `a` and `b` share. Eight bytes at a time: the values are mostly
/// equal, and a byte-at-a-time loop was most of a delta's cost.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = word(&a[i..i + 8]) ^ word(&b[i..i + 8]);
        if x != 0 {
            // Little-endian: the first differing byte is the lowest non-zero one.
            return i + (x.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many trailing bytes `a` and `b` share, up to `max`; eight bytes at a time, as
/// [`common_prefix`].
fn common_suffix(a: &[u8], b: &[u8], max: usize) -> usize {
    let (a, b) = (&a[a.len() - max..], &b[b.len() - max..]);
    let mut i = 0;
    while i + 8 <= max {
        let x = word(&a[max - i - 8..max - i]) ^ word(&b[max - i - 8..max - i]);
        if x != 0 {
            // Little-endian: the last byte is the highest, so equal trailing bytes are
            // the leading zero bytes.
            return i + (x.leading_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < max && a[max - i - 1] == b[max - i - 1] {
        i += 1;
    }
    i
}

fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium_ll::{Decoder, Header};
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

    /// `apply` as it was first written: the heads read by ciborium's `Decoder`.
    fn reference_apply(old: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
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
                    copy(old, start, len, &mut out)?;
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

    /// `compute` as it was first written: byte-at-a-time, through ciborium's encoder.
    fn reference(old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
        use ciborium_ll::Encoder;
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
        let mut out = Vec::new();
        let mut enc = Encoder::from(&mut out);
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

        /// The word-at-a-time prefix and suffix and the hand-written heads give the bytes
        /// the straightforward version gave: byte-at-a-time and ciborium's encoder.
        #[test]
        fn compute_agrees_with_the_straightforward_version(
            a in proptest::collection::vec(0u8..4, 0..300),
            b in proptest::collection::vec(0u8..4, 0..300),
            cut in 0usize..300,
        ) {
            // Small alphabets and a shared head give long common runs, as real updates have.
            let mut b2 = a[..cut.min(a.len())].to_vec();
            b2.extend_from_slice(&b);
            for b in [&b, &b2] {
                let fast = compute(&a, b);
                prop_assert_eq!(&fast, &reference(&a, b));
                if let Some(d) = &fast {
                    prop_assert_eq!(Delta::between(&a, b).unwrap().len(), d.len());
                }
            }
        }

        #[test]
        fn long_copies_and_inserts_agree_with_the_straightforward_version(
            len in 0usize..70_000, at in 0usize..70_000, grow in 0usize..300
        ) {
            let a: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let mut b = a.clone();
            let at = at.min(len);
            b.splice(at..at, (0..grow).map(|i| i as u8));
            prop_assert_eq!(compute(&a, &b), reference(&a, &b));
        }

        /// The hand-read heads take and refuse what ciborium's `Decoder` did, with the
        /// same result; deltas made of valid items as well as of any bytes.
        #[test]
        fn apply_agrees_with_the_ciborium_version(
            a in proptest::collection::vec(any::<u8>(), 0..64),
            d in proptest::collection::vec(any::<u8>(), 0..64),
            items in proptest::collection::vec((0u64..80, 0u64..80, proptest::collection::vec(any::<u8>(), 0..30), 0u8..4), 0..6),
        ) {
            let mut made = Vec::new();
            for (start, len, bytes, kind) in items {
                match kind {
                    0 => { crate::cbor_head::put(&mut made, 0, start); crate::cbor_head::put(&mut made, 0, len); }
                    1 => { crate::cbor_head::put(&mut made, 2, bytes.len() as u64); made.extend_from_slice(&bytes); }
                    2 => made.extend_from_slice(&bytes[..bytes.len().min(3)]),
                    _ => made.extend_from_slice(&[0xf8, 0x16]),
                }
            }
            let fixed = [vec![0xf6], vec![0xf8, 0x16], vec![0xf8, 0x16, 0], vec![0x40, 0xf6], vec![0x40, 0xf8, 0x16]];
            for d in [&d, &made].into_iter().chain(&fixed) {
                let (fast, slow) = (apply(&a, d), reference_apply(&a, d));
                match (&fast, &slow) {
                    (Ok(f), Ok(s)) => prop_assert_eq!(f, s),
                    (Err(DeltaError::Malformed(_)), Err(DeltaError::Malformed(_))) => {}
                    (Err(f @ DeltaError::OutOfRange { .. }), Err(s @ DeltaError::OutOfRange { .. })) => {
                        prop_assert_eq!(f, s)
                    }
                    _ => prop_assert!(false, "{:?} vs {:?} for {:02x?}", fast, slow, d),
                }
            }
        }

        #[test]
        fn apply_never_panics(a in proptest::collection::vec(any::<u8>(), 0..64),
                              d in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = apply(&a, &d);
        }
    }
}
