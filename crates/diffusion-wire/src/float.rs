//! Floating-point numbers in the CBOR of Diffusion JSON values.
//!
//! CBOR has three float widths. The official Python and JavaScript SDKs write every JSON
//! number in the shortest width that holds it exactly (1.5 is a 16-bit half), and the Java
//! connector writes every Connect FLOAT32 and FLOAT64 value as a 32-bit float. So the width
//! says nothing of the publisher's type.
//!
//! Reading: a 16- or 32-bit float is taken as the decimal it stands for, not its binary
//! expansion: the double nearest to its shortest decimal form ([`single_to_double`]):
//! `123.456f32` becomes `123.456`, not `123.45600128173828`, and reads in Kafka as Java's
//! `Float.toString` prints it.
//!
//! Writing: a double goes in the shortest width that reads back, by that rule, as the same
//! double ([`write_double`]). Almost always the shortest exact width, as the SDKs choose;
//! but a double that is exactly some float while its decimal form is longer than the
//! float's (`123.45600128173828`) is written as a 64-bit float, or reading would change it.
//! So a double written here always reads back unchanged (a property test holds it).

use std::fmt::Write as _;

/// The double nearest to the shortest decimal that reads back as `f` in single precision:
/// how a 16- or 32-bit CBOR float is read. NaN and the infinities are only widened.
pub fn single_to_double(f: f32) -> f64 {
    if !f.is_finite() {
        return f64::from(f);
    }
    // Whole numbers up to 2^24 are their own shortest decimal.
    if f.fract() == 0.0 && f.abs() <= 16_777_216.0 {
        return f64::from(f);
    }
    let mut text = Digits::default();
    // `{:e}` of a float is its shortest round-trip decimal, e.g. 1.23456e2.
    write!(text, "{f:e}").expect("a float's digits fit in 32 bytes");
    text.as_str()
        .parse()
        .expect("Rust reads back the floats it writes")
}

/// Whether `x` must be written as a 64-bit float to read back unchanged: it is exactly
/// some single-precision float, whose shortest decimal is another double.
pub fn needs_double_width(x: f64) -> bool {
    if !x.is_finite() {
        return false;
    }
    let single = x as f32;
    f64::from(single) == x && single_to_double(single).to_bits() != x.to_bits()
}

/// Writes `x` as CBOR in the shortest width that reads back as `x` (see the module doc).
pub fn write_double(out: &mut Vec<u8>, x: f64) {
    let (item, len) = double_item(x);
    out.extend_from_slice(&item[..len]);
}

/// The CBOR item [`write_double`] writes for `x`, in the first `len` bytes.
pub(crate) fn double_item(x: f64) -> ([u8; 9], usize) {
    if !x.is_finite() {
        // Not on a hot path: ciborium's encoding of NaN and the infinities, as before.
        let mut item = [0; 9];
        let mut out = &mut item[..];
        ciborium_ll::Encoder::from(&mut out)
            .push(ciborium_ll::Header::Float(x))
            .expect("a float's item fits in 9 bytes");
        let len = 9 - out.len();
        return (item, len);
    }
    finite_item(x, needs_double_width)
}

/// [`double_item`] for a double read from a decimal of at most 6 significant digits
/// between 10^-22 and 10^28 (the nearest double to it), which never needs the double
/// width, so [`needs_double_width`] (formatting and parsing a float) is not asked.
///
/// Why: say the double `x` nearest to such a decimal `d` is exactly a single `s`. The
/// range is well inside the singles' normal range, and `d` is within half a double's
/// ulp of `s`, so it rounds to `s` as a single too. Two decimals of at most 6
/// significant digits differ by at least 10^(k-6) near 10^k (10^(k-5) within a decade),
/// more than a single's ulp there (at most 2^-23 * 10^k < 0.12 * 10^(k-6)), so `d` is
/// the only one that rounds to `s`: it is `s`'s shortest decimal, and reading it back
/// (`single_to_double`) gives `x` again. A property test checks it.
pub(crate) fn short_decimal_item(x: f64) -> ([u8; 9], usize) {
    finite_item(x, |_| false)
}

/// The item for finite `x`: 64 bits if it is not exactly a single or `wide` says it must
/// be, else the shortest exact width.
#[inline(always)]
fn finite_item(x: f64, wide: impl Fn(f64) -> bool) -> ([u8; 9], usize) {
    let mut item = [0xfb, 0, 0, 0, 0, 0, 0, 0, 0];
    let single = x as f32;
    // Not exactly a single, or exactly one that must go wide anyway: 64 bits.
    if f64::from(single).to_bits() != x.to_bits() || wide(x) {
        item[1..].copy_from_slice(&x.to_bits().to_be_bytes());
        return (item, 9);
    }
    if let Some(half) = exact_half(single) {
        item[0] = 0xf9;
        item[1..3].copy_from_slice(&half.to_be_bytes());
        return (item, 3);
    }
    item[0] = 0xfa;
    item[1..5].copy_from_slice(&single.to_bits().to_be_bytes());
    (item, 5)
}

/// The bits of the half-precision float equal to finite `f`, if there is one: the
/// shortest exact width ciborium chooses, decided without its round trip through the
/// `half` crate's conversion (~100 instructions a float on the sink's path).
fn exact_half(f: f32) -> Option<u16> {
    let bits = f.to_bits();
    let sign = (bits >> 16) as u16 & 0x8000;
    let biased = (bits >> 23) & 0xff;
    let fraction = bits & 0x7f_ffff;
    if biased == 0 {
        // Zero is a half; a single's subnormals are all below the smallest half.
        return (fraction == 0).then_some(sign);
    }
    let exponent = biased as i32 - 127;
    match exponent {
        // A normal half: 10 bits of fraction, the low 13 of the single's must be 0.
        -14..=15 => (fraction & 0x1fff == 0)
            .then(|| sign | ((exponent + 15) as u16) << 10 | (fraction >> 13) as u16),
        // A subnormal half, k * 2^-24 with k < 2^10: the significand 1.fraction times
        // 2^exponent is k when shifted right by -(exponent + 1), with nothing lost.
        -24..=-15 => {
            let significand = fraction | 1 << 23;
            let shift = -(exponent + 1) as u32;
            (significand & ((1 << shift) - 1) == 0).then(|| sign | (significand >> shift) as u16)
        }
        _ => None,
    }
}

/// A float's decimal text, on the stack.
#[derive(Default)]
struct Digits {
    buf: [u8; 32],
    len: usize,
}

impl Digits {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("digits are ASCII")
    }
}

impl std::fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How a reader applying [`single_to_double`] reads one CBOR float.
    fn read(bytes: &[u8]) -> f64 {
        match bytes[0] {
            0xf9 => single_to_double(half_to_single(u16::from_be_bytes([bytes[1], bytes[2]]))),
            0xfa => single_to_double(f32::from_bits(u32::from_be_bytes(
                bytes[1..5].try_into().unwrap(),
            ))),
            0xfb => f64::from_bits(u64::from_be_bytes(bytes[1..9].try_into().unwrap())),
            other => panic!("not a CBOR float: {other:#x}"),
        }
    }

    fn half_to_single(h: u16) -> f32 {
        let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
        let exp = (h >> 10) & 0x1f;
        let frac = f32::from(h & 0x3ff);
        sign * match exp {
            0 => frac * 2f32.powi(-24),
            31 if frac == 0.0 => f32::INFINITY,
            31 => f32::NAN,
            e => (1.0 + frac / 1024.0) * 2f32.powi(i32::from(e) - 15),
        }
    }

    /// The shortest exact width, as the official SDKs (and ciborium) write a double.
    fn shortest_exact(x: f64) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium_ll::Encoder::from(&mut out)
            .push(ciborium_ll::Header::Float(x))
            .unwrap();
        out
    }

    fn written(x: f64) -> Vec<u8> {
        let mut out = Vec::new();
        write_double(&mut out, x);
        out
    }

    #[test]
    fn singles_read_as_java_prints_them() {
        assert_eq!(single_to_double(123.456), 123.456);
        assert_eq!(single_to_double(7.7), 7.7);
        assert_eq!(single_to_double(0.1), 0.1);
        assert_eq!(single_to_double(1.5), 1.5);
        assert_eq!(single_to_double(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(single_to_double(3.4028235e38), 3.4028235e38);
        assert_eq!(single_to_double(16_777_216.0), 16_777_216.0);
        assert!(single_to_double(f32::NAN).is_nan());
        assert_eq!(single_to_double(f32::INFINITY), f64::INFINITY);
        // A half: 0.1 has no exact half; the nearest half reads as a float prints it.
        assert_eq!(read(&[0xf9, 0x2e, 0x66]), 0.099975586);
    }

    #[test]
    fn doubles_take_the_shortest_width_that_reads_back() {
        assert_eq!(written(1.5), [0xf9, 0x3e, 0x00]);
        assert_eq!(written(100.25), [0xf9, 0x56, 0x44]);
        assert_eq!(written(1000.0625), [0xfa, 0x44, 0x7a, 0x04, 0x00]);
        assert_eq!(written(0.1).len(), 9);
        // Exactly the float 123.456f, but not the double 123.456: 64 bits, or it would
        // read as 123.456.
        let widened = f64::from(123.456f32);
        assert_eq!(widened, 123.45600128173828);
        assert_eq!(shortest_exact(widened).len(), 5);
        assert_eq!(written(widened).len(), 9);
        assert_eq!(read(&written(widened)), widened);
    }

    /// What the hand-written widths choose is what ciborium chose before them: the
    /// shortest exact width, unless the double must go wide.
    fn agrees_with_ciborium(x: f64) -> Result<(), TestCaseError> {
        let expected = if needs_double_width(x) {
            let mut out = vec![0xfb];
            out.extend_from_slice(&x.to_bits().to_be_bytes());
            out
        } else {
            shortest_exact(x)
        };
        prop_assert_eq!(written(x), expected, "{:e} ({:#x})", x, x.to_bits());
        Ok(())
    }

    #[test]
    fn widths_are_ciboriums_at_the_edges() {
        for x in [
            0.0,
            -0.0,
            1.0,
            65504.0,
            65505.0,
            65520.0,
            6.103515625e-5,
            5.960464477539063e-8,
            -5.960464477539063e-8,
            2.980232238769531e-8,
            8.940696716308594e-8,
            1.1920928955078125e-7,
            1e-40,
            f64::from(f32::MAX),
            f64::from(f32::MIN_POSITIVE),
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            agrees_with_ciborium(x).unwrap();
        }
    }

    /// Every half and its neighbours among the singles (where a width changes).
    #[test]
    fn widths_are_ciboriums_for_every_half() {
        for bits in 0..=u16::MAX {
            let h = half_to_single(bits).to_bits() as i32;
            for nudge in -2..=2 {
                let single = f32::from_bits(h.wrapping_add(nudge) as u32);
                agrees_with_ciborium(f64::from(single)).unwrap();
            }
        }
    }

    /// The same where it matters: doubles that are exactly a single whose shortest
    /// decimal has at most 6 digits (such as 101.25), here every single of up to 12
    /// significant bits across the exponents where they occur.
    #[test]
    fn short_singles_never_need_the_double_width() {
        let mut short = 0;
        for j in 0u32..1 << 12 {
            for p in -12..=24 {
                let f = j as f32 * 2f32.powi(p);
                let text = format!("{f:e}");
                let (mantissa, exponent) = text.split_once('e').unwrap();
                let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
                let exponent: i32 = exponent.parse().unwrap();
                if digits > 6 || !(-22..=27).contains(&exponent) {
                    continue;
                }
                short += 1;
                let x: f64 = text.parse().unwrap();
                assert!(!needs_double_width(x), "{text}");
                assert_eq!(short_decimal_item(x), double_item(x), "{text}");
            }
        }
        assert!(short > 10_000, "{short}");
    }

    proptest! {
        /// A short decimal's double never needs the double width, as
        /// `short_decimal_item` takes it.
        #[test]
        fn short_decimals_never_need_the_double_width(m in 0u64..1_000_000, e in -22i32..=22, neg: bool) {
            let x: f64 = format!("{}{m}e{e}", if neg { "-" } else { "" }).parse().unwrap();
            prop_assert!(!needs_double_width(x), "{}e{}", m, e);
            prop_assert_eq!(short_decimal_item(x), double_item(x));
        }

        #[test]
        fn widths_are_ciboriums_for_any_double(bits in any::<u64>()) {
            agrees_with_ciborium(f64::from_bits(bits))?;
        }

        #[test]
        fn widths_are_ciboriums_for_singles(bits in any::<u32>()) {
            agrees_with_ciborium(f64::from(f32::from_bits(bits)))?;
        }

        /// Nothing written from a double changes on the way back, whatever its bits.
        #[test]
        fn a_written_double_reads_back_unchanged(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            prop_assert_eq!(read(&written(x)).to_bits(), x.to_bits());
        }

        /// The same for doubles near single-precision values, where the rule matters.
        #[test]
        fn doubles_near_singles_read_back_unchanged(bits in any::<u32>(), nudge in -2i64..=2) {
            let f = f32::from_bits(bits);
            prop_assume!(f.is_finite());
            let x = f64::from_bits((f64::from(f).to_bits() as i64 + nudge) as u64);
            prop_assume!(x.is_finite());
            prop_assert_eq!(read(&written(x)).to_bits(), x.to_bits());
        }

        /// What the SDKs write (the shortest exact width) for a number of up to 6
        /// significant digits, as JSON text has them, reads back unchanged too.
        #[test]
        fn sdk_written_short_decimals_read_back_unchanged(digits in 0u32..1_000_000, exp in -40i32..38, neg: bool) {
            let text = format!("{}{digits}e{exp}", if neg { "-" } else { "" });
            let x: f64 = text.parse().unwrap();
            prop_assert_eq!(read(&shortest_exact(x)).to_bits(), x.to_bits(), "{}", text);
        }

        /// A single-precision float reads as a double that is the same float again.
        #[test]
        fn a_single_reads_as_itself(bits in any::<u32>()) {
            let f = f32::from_bits(bits);
            prop_assume!(f.is_finite());
            prop_assert_eq!((single_to_double(f) as f32).to_bits(), f.to_bits());
        }
    }
}
