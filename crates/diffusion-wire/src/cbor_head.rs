//! CBOR item heads written by hand, for the hot paths that write a few items and nothing
//! else (JSON text to CBOR, deltas): ciborium's `Encoder` costs more per item than the
//! item itself there (issue 23). Each head is in its shortest form, as ciborium writes it.

use bytes::BufMut;

/// Appends the head of major type `major` (0-7) with argument `n`.
#[inline]
pub(crate) fn put(out: &mut impl BufMut, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.put_u8(m | n as u8),
        24..=0xff => out.put_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.put_u8(m | 25);
            out.put_u16(n as u16);
        }
        0x1_0000..=0xffff_ffff => {
            out.put_u8(m | 26);
            out.put_u32(n as u32);
        }
        _ => {
            out.put_u8(m | 27);
            out.put_u64(n);
        }
    }
}

/// How many bytes [`put`] writes for argument `n`.
pub(crate) fn len(n: u64) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

#[cfg(test)]
mod tests {
    use ciborium_ll::{Encoder, Header};

    #[test]
    fn heads_of_every_width_are_ciboriums() {
        for n in [
            0u64,
            23,
            24,
            255,
            256,
            65535,
            65536,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
            u64::MAX,
        ] {
            for (major, header) in [
                (0, Header::Positive(n)),
                (1, Header::Negative(n)),
                (2, Header::Bytes(Some(n as usize))),
                (3, Header::Text(Some(n as usize))),
            ] {
                let mut mine = Vec::new();
                super::put(&mut mine, major, n);
                let mut theirs = Vec::new();
                Encoder::from(&mut theirs).push(header).unwrap();
                assert_eq!(mine, theirs, "major {major}, {n}");
                assert_eq!(super::len(n), mine.len(), "{n}");
            }
        }
    }
}
