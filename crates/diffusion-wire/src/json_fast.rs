//! JSON text to CBOR in one pass over the bytes, for the plain records a sink sees almost
//! always: no escapes in strings, integers that fit 64 bits, short floats, small objects
//! without repeated keys. Anything else is declined, and
//! [`json_text_to_cbor`](crate::json_text::json_text_to_cbor) takes serde_json's path for
//! it, which also gives the errors. serde_json driving a ciborium encoder cost the sink
//! ~5,800 instructions per ~100-byte record; this pass ~3,600 at first (bench/profile.sh,
//! issue 23), ~2,040 since strings, numbers and the repeated-key check were made cheaper
//! (counted by examples/json_cbor_count.rs, which gave the same ~3,600 for the first).
//!
//! What is accepted is written byte for byte as serde_json's path writes it (a property
//! test holds them equal): each item's CBOR head in its shortest form (as ciborium
//! writes it), text as one definite-length string, objects and arrays as
//! indefinite-length ones, a non-negative integer as major type 0, a negative one as
//! major type 1, a float through [`write_double`](crate::float::write_double) after
//! Rust's correctly rounded parse (serde_json's `float_roundtrip` rounds the same way).

use crate::cbor_head;
use crate::float::{double_item, short_decimal_item};

/// Deeper nesting is declined (serde_json's own limit is 128).
const MAX_DEPTH: usize = 32;

/// Objects with more keys are declined: serde_json's path leaves them to the tree.
const MAX_KEYS: usize = crate::json_text::MAX_CHECKED_KEYS;

/// Float lexemes longer than this are declined, so only ordinary ones take this path.
const MAX_FLOAT_TEXT: usize = 32;

/// Appends the CBOR for `text` to `out` and returns true, or returns false when `text` is
/// not in the plain subset (or not JSON at all); `out` then holds a partial item that the
/// caller must truncate.
pub(crate) fn transcode(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mut p = Pass { text, at: 0, out };
    p.skip_space();
    // A record is an object almost always: straight to the object loop.
    let done = if p.peek() == Some(b'{') {
        p.object(1)
    } else {
        p.value(0)
    };
    done.is_some() && {
        p.skip_space();
        p.at == text.len()
    }
}

/// Two bits of 64 for `key`, from its length and its first and last bytes (a repeat has
/// the same bits; distinct keys mostly have a bit the other has not): two 6-bit slices of
/// a Fibonacci hash of the three. With one bit, a key of six often found another's set
/// (one in five objects: the bench's "ts" had "ask"'s) and was compared with every key
/// before it; with two, about one in twenty.
fn key_bits(key: &[u8]) -> u64 {
    let first = u64::from(key.first().copied().unwrap_or(0));
    let last = u64::from(key.last().copied().unwrap_or(0));
    let h = (first | last << 8 | (key.len() as u64) << 16).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    1 << (h >> 58) | 1 << ((h >> 52) & 63)
}

/// Strings up to this long are written by a move of this many bytes (below 24: their
/// head is one byte).
const SHORT: usize = 16;

/// Appends the first `len` bytes of `bytes`: as a move of all `N` then cut to length (a
/// fixed-size move, not a call to memcpy) when `out` has the room, else exactly, so that
/// a buffer sized to the text (as the sink sizes it) is not grown for the slack.
#[inline(always)]
fn put_cut<const N: usize>(out: &mut Vec<u8>, bytes: &[u8; N], len: usize) {
    let at = out.len();
    if out.capacity() - at >= N {
        out.extend_from_slice(bytes);
        out.truncate(at + len);
    } else {
        out.extend_from_slice(&bytes[..len]);
    }
}

/// Each byte's top bit.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// In the eight bytes of `w` (little-endian), the top bit set of each byte that ends a
/// plain string's text: a quote, a backslash, a control character (below 0x20). Exact
/// from the lowest set bit up to the first such byte; above it a flag may be false (a
/// borrow out of a zero byte), which only the lowest is used for. A byte of 0x80 and up
/// is never flagged: `!x` clears its top bit in each test.
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte is zero in `x` where `x - 1` borrows and `x` had no top bit.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    // Below 0x20 where subtracting 0x20 borrows, again only for bytes below 0x80.
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    (zero(quote) | zero(backslash) | control) & HIGH_BITS
}

/// Takes the decimal digits of `text` from `i` into `m` (ten times it plus each digit,
/// wrapping past 19 digits, where the caller does not use it); returns where they end.
/// Each digit is widened before the test: one instruction a digit fewer.
#[inline(always)]
fn digits(text: &[u8], mut i: usize, m: &mut u64) -> usize {
    while let Some(d) = text
        .get(i)
        .map(|&b| u64::from(b).wrapping_sub(u64::from(b'0')))
    {
        if d > 9 {
            break;
        }
        *m = m.wrapping_mul(10).wrapping_add(d);
        i += 1;
    }
    i
}

struct Pass<'a> {
    text: &'a [u8],
    at: usize,
    out: &'a mut Vec<u8>,
}

impl Pass<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// JSON's whitespace, as serde_json skips it.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// One value, after any whitespace. `None`: declined.
    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => {
                self.string_item()?;
                Some(())
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'n' => self.literal(b"null", 0xf6),
            b't' => self.literal(b"true", 0xf5),
            b'f' => self.literal(b"false", 0xf4),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], cbor: u8) -> Option<()> {
        if !self.text[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.out.push(cbor);
        Some(())
    }

    // Not inlined into `value`, so a scalar's `value` does not pay the object loop's
    // register saves and stack frame.
    #[inline(never)]
    fn object(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.out.push(0xbf); // a map of indefinite length
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            self.out.push(0xff);
            return Some(());
        }
        // Where each key sits in the text (keys have no escapes here, so their text is
        // their value), to find a repeat, which serde_json's path handles. `seen` has the
        // bits of each key's `key_bits` set: a key with a bit clear is new without
        // comparing it to each before it (a slice comparison and a memcmp each, a sixth
        // of the pass on a record of 6 keys); both set is a repeat or a collision, told
        // apart by comparing.
        // Only where each starts: a key with no escapes ends at the first quote, so
        // another is the same key when it has the same bytes followed by a quote.
        let mut keys = [0u32; MAX_KEYS];
        let mut n = 0;
        let mut seen = 0u64;
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') || n == MAX_KEYS {
                return None;
            }
            let (start, end) = self.string_item()?;
            let key = &self.text[start..end];
            let bits = key_bits(key);
            if seen & bits == bits
                && keys[..n].iter().any(|&s| {
                    let s = s as usize;
                    self.text.get(s..s + key.len()) == Some(key)
                        && self.text.get(s + key.len()) == Some(&b'"')
                })
            {
                return None;
            }
            seen |= bits;
            keys[n] = u32::try_from(start).ok()?;
            n += 1;
            self.skip_space();
            if self.peek() != Some(b':') {
                return None;
            }
            self.at += 1;
            // The usual members' values here, without `value`'s call and dispatch.
            self.skip_space();
            match self.peek() {
                Some(b'"') => {
                    self.string_item()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => self.value(depth)?,
            }
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.at += 1;
        self.out.push(0xff);
        Some(())
    }

    #[inline(never)]
    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.out.push(0x9f); // an array of indefinite length
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            self.out.push(0xff);
            return Some(());
        }
        loop {
            self.value(depth)?;
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.at += 1;
        self.out.push(0xff);
        Some(())
    }

    /// A string at `self.at` (its opening quote): where its text starts and ends.
    /// Declined with an escape or a control character (serde_json's path decodes the
    /// first and rejects the second); non-ASCII text must be valid UTF-8.
    /// Not inlined: only strings past `SHORT` bytes come here (see `string_item`), and
    /// inlined into the object loop its scan took registers the loop then spilled for
    /// every member.
    #[inline(never)]
    fn string(&mut self) -> Option<(usize, usize)> {
        let text = self.text;
        let start = self.at + 1;
        let mut i = start;
        // The bytes before the end, OR-ed: any with its top bit set is not ASCII.
        let mut seen = 0u64;
        // Eight bytes a word while eight remain: a byte at a time (a bounds check and
        // a three-way match each) was an eighth of the pass.
        while let Some(&word) = text.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
            let w = u64::from_le_bytes(word);
            let ends = special_bytes(w);
            if ends == 0 {
                seen |= w;
                i += 8;
                continue;
            }
            // The lowest flag is the first special byte (little-endian: the first in the
            // text); only the bytes before it are the string's.
            let k = ends.trailing_zeros() / 8;
            seen |= w & ((1u64 << (8 * k)) - 1);
            i += k as usize;
            break;
        }
        loop {
            match *text.get(i)? {
                b'"' => break,
                b'\\' | 0x00..=0x1f => return None,
                b => seen |= u64::from(b),
            }
            i += 1;
        }
        if seen & HIGH_BITS != 0 {
            std::str::from_utf8(&text[start..i]).ok()?;
        }
        self.at = i + 1;
        Some((start, i))
    }

    /// A string at `self.at` (its opening quote), scanned and written: where its text
    /// starts and ends. As [`string`](Self::string) then [`text_item`](Self::text_item),
    /// but a string that ends within the next `SHORT` bytes (keys, symbols) takes one
    /// load of them for both: the general scan's set-up and its last byte's second look
    /// were most of a short string's cost.
    #[inline(always)]
    fn string_item(&mut self) -> Option<(usize, usize)> {
        let start = self.at + 1;
        let rest = self.text.get(start..)?;
        // Near the end of the text, its rest padded with zeros: a zero is a control
        // character, so a string the text does not close is declined, as `string`
        // declines it.
        let mut padded = [0; SHORT];
        let chunk = match rest.first_chunk::<SHORT>() {
            Some(chunk) => chunk,
            None => {
                padded[..rest.len()].copy_from_slice(rest);
                &padded
            }
        };
        let (first, second) = chunk.split_at(8);
        let first = u64::from_le_bytes(first.try_into().ok()?);
        let second = u64::from_le_bytes(second.try_into().ok()?);
        // The first special byte (see `special_bytes`), and the bytes before it.
        let ends = special_bytes(first);
        let found = if ends != 0 {
            let k = ends.trailing_zeros() / 8;
            Some((k as usize, first & ((1u64 << (8 * k)) - 1)))
        } else {
            let ends = special_bytes(second);
            let k = ends.trailing_zeros() / 8;
            (ends != 0).then(|| (8 + k as usize, first | (second & ((1u64 << (8 * k)) - 1))))
        };
        if let Some((len, before)) = found {
            // A backslash or a control character: declined, as `string` declines.
            if chunk[len] != b'"' {
                return None;
            }
            if before & HIGH_BITS != 0 {
                std::str::from_utf8(&chunk[..len]).ok()?;
            }
            // The one-byte head and the string as one fixed-size move, cut to length.
            let mut item = [0; SHORT + 1];
            item[0] = 0x60 | len as u8;
            item[1..].copy_from_slice(chunk);
            put_cut(self.out, &item, 1 + len);
            self.at = start + len + 1;
            return Some((start, start + len));
        }
        // No end within `SHORT` bytes (never so when padded): the general scan.
        let (start, end) = self.string()?;
        self.text_item(start, end);
        Some((start, end))
    }

    #[inline(always)]
    fn text_item(&mut self, start: usize, end: usize) {
        let len = end - start;
        match self.text.get(start..start + SHORT) {
            Some(text) if len <= SHORT => {
                // A short string (keys, symbols) and its one-byte head as one move of a
                // fixed size, then cut to length: a call for the head and a call to
                // memcpy for the text were a fifth of the pass.
                let mut item = [0; SHORT + 1];
                item[0] = 0x60 | len as u8;
                item[1..].copy_from_slice(text);
                put_cut(self.out, &item, 1 + len);
            }
            _ => {
                self.head(3, len as u64);
                self.out.extend_from_slice(&self.text[start..end]);
            }
        }
    }

    /// A CBOR head, as [`cbor_head::put`] writes it, without a call for heads of up to
    /// three bytes (string lengths, most integers).
    #[inline(always)]
    fn head(&mut self, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => self.out.push(m | n as u8),
            24..=0xff => self.out.extend_from_slice(&[m | 24, n as u8]),
            0x100..=0xffff => {
                let [a, b] = (n as u16).to_be_bytes();
                self.out.extend_from_slice(&[m | 25, a, b]);
            }
            _ => cbor_head::put(self.out, major, n),
        }
    }

    /// A number by JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    /// Its digits are taken into a mantissa (and exponent) as they are scanned, not
    /// scanned and then read again.
    #[inline(never)]
    fn number(&mut self) -> Option<()> {
        let text = self.text;
        let negative = self.peek() == Some(b'-');
        let int_start = self.at + usize::from(negative);
        let mut i = int_start;
        // The digits so far as a number; wraps past 19 digits, where it is not used.
        let mut m = 0u64;
        match text.get(i)? {
            b'0' => {
                i += 1;
                // A leading zero followed by digits is an error: serde_json's to give.
                if let Some(b'0'..=b'9') = text.get(i) {
                    return None;
                }
            }
            b'1'..=b'9' => i = digits(text, i, &mut m),
            _ => return None,
        }
        let int_end = i;
        let mut fraction_digits = 0;
        if text.get(i) == Some(&b'.') {
            i += 1;
            let fraction_start = i;
            i = digits(text, i, &mut m);
            fraction_digits = i - fraction_start;
            if fraction_digits == 0 {
                return None;
            }
        }
        // The exponent's value, and whether it has at most 3 digits (so is that value).
        let mut exponent = None;
        if let Some(b'e' | b'E') = text.get(i) {
            i += 1;
            let sign = match text.get(i) {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => 0,
            };
            i += usize::from(sign != 0);
            let digits_start = i;
            let mut e = 0i64;
            while let Some(&d @ b'0'..=b'9') = text.get(i) {
                // Saturates: only up to 3 digits are used.
                e = (e * 10 + i64::from(d - b'0')).min(1 << 32);
                i += 1;
            }
            let digits = i - digits_start;
            if digits == 0 {
                return None;
            }
            exponent = Some((if sign < 0 { -e } else { e }, digits <= 3));
        }
        self.at = i;
        if fraction_digits != 0 || exponent.is_some() {
            let significant = int_end - int_start + fraction_digits;
            // The magnitude; the sign goes on after, as both parsers put it on.
            let (f, short) = match exact_float(significant, m, fraction_digits, exponent) {
                // Exactly the double nearest to m * 10^e (|e| <= 22): a short decimal,
                // for `short_decimal_item`, when m has at most 6 digits.
                Some(f) => (f, m < 1_000_000),
                None => {
                    let lexeme = &text[int_start..i];
                    if lexeme.len() > MAX_FLOAT_TEXT {
                        return None;
                    }
                    // ASCII by the grammar above.
                    let f: f64 = std::str::from_utf8(lexeme).ok()?.parse().ok()?;
                    // Out of range is serde_json's error to give. (Clinger's path stays
                    // below 10^15 * 10^22.)
                    if !f.is_finite() {
                        return None;
                    }
                    (f, false)
                }
            };
            let f = if negative { -f } else { f };
            if f64::from(f as f32).to_bits() != f.to_bits() {
                // Not exactly a single (most decimals): 64 bits, as `double_item` writes
                // it, in one fixed-size append.
                let [a, b, c, d, e, g, h, i] = f.to_bits().to_be_bytes();
                self.out.extend_from_slice(&[0xfb, a, b, c, d, e, g, h, i]);
                return Some(());
            }
            let (item, len) = if short {
                short_decimal_item(f)
            } else {
                double_item(f)
            };
            put_cut(self.out, &item, len);
            return Some(());
        }
        // Up to 19 digits cannot overflow; past that, an integer above u64 becomes a float
        // on serde_json's path, which takes it.
        let n = if int_end - int_start <= 19 {
            m
        } else {
            text[int_start..int_end].iter().try_fold(0u64, |n, &d| {
                n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })?
        };
        if !negative {
            self.head(0, n);
        } else if n == 0 || n > 1 << 63 {
            // -0 is a float (-0.0) to serde_json, and below i64::MIN too.
            return None;
        } else {
            // -n is written as major type 1 with n - 1, as ciborium writes an i64.
            self.head(1, n - 1);
        }
        Some(())
    }
}

/// The magnitude of a float of `significant` digits (integer part and fraction) that
/// read as `m`, the last `fraction_digits` of them after the point, with `exponent` (its
/// value, and whether it had at most 3 digits), if the digits number at most 15 and the
/// decimal exponent is within 22 either side: as one correctly rounded operation on two
/// exact doubles (Clinger's fast path; Rust's parser, and serde_json's, take it too): so
/// the same double, without the general parser's set-up. `None` for the rest, which the
/// general parser takes.
fn exact_float(
    significant: usize,
    m: u64,
    fraction_digits: usize,
    exponent: Option<(i64, bool)>,
) -> Option<f64> {
    /// Exact doubles: 10^22 < 2^53 * 2^22 is the largest power of ten a double holds.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    // Below 10^15 < 2^53: exact in a double.
    if significant > 15 {
        return None;
    }
    let mut e10 = -(fraction_digits as i64);
    if let Some((e, short)) = exponent {
        if !short {
            return None;
        }
        e10 += e;
    }
    // Through i64 (m < 10^15): one conversion instruction, where u64's takes six.
    let m = m as i64 as f64;
    match e10 {
        0..=22 => Some(m * POW10[e10 as usize]),
        -22..=-1 => Some(m / POW10[-e10 as usize]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::transcode;
    use crate::json_text::{via_serde, Transcoded};

    /// Both paths on `text`: this one's CBOR if it took it, and serde_json's result.
    fn both(text: &str) -> (Option<Vec<u8>>, Result<Transcoded, String>, Vec<u8>) {
        let mut fast = Vec::new();
        let fast = transcode(text.as_bytes(), &mut fast).then_some(fast);
        let mut slow = Vec::new();
        let r = via_serde(text.as_bytes(), &mut slow).map_err(|e| e.to_string());
        (fast, r, slow)
    }

    /// What this path writes, when it takes `text`, is what serde_json's path writes.
    fn agree(text: &str) -> Result<(), String> {
        match both(text) {
            (None, ..) => Ok(()),
            (Some(fast), Ok(Transcoded::Done), slow) if fast == slow => Ok(()),
            (fast, r, slow) => Err(format!(
                "{text:?}: this path {fast:x?}, serde_json's {r:?} {slow:x?}"
            )),
        }
    }

    #[test]
    fn plain_records_take_this_path() {
        for text in [
            r#"{"sym":"K0001","bid":100.25,"ask":100.26,"seq":7,"ts":1732492800000,"venue":"XLON"}"#,
            " [1, -1, 0, 18446744073709551615, -9223372036854775808, 1.5, 1e300, -0.0, 0.1] ",
            r#"{"n":null,"t":true,"f":false,"e":{},"l":[],"s":"é😀","x":[{"a":[]}]}"#,
            "3",
            "\"text\"",
            "1e-400",
            "0e999",
            "-1E+2",
            "[100.25, 100.26, 0.1, -0.0, 0.0e5, 1e22, 1e23, 1e-22, 4.9e-324, 1.7976931348623157e308]",
            "[123456789012345.6, 9007199254740993.0, 0.30000000000000004, 2.5e-3, 12345e-25]",
        ] {
            assert!(both(text).0.is_some(), "{text}");
            agree(text).unwrap();
        }
    }

    #[test]
    fn the_rest_is_declined() {
        for text in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "nul",
            "nulls",
            "1e400",
            "-0",
            "01",
            "1.",
            ".5",
            "1e",
            "-",
            "18446744073709551616",
            "123456789012345678901",
            "-9223372036854775809",
            r#""a\"b""#,
            "\"\u{1}\"",
            r#"{"a":1,"a":2}"#,
            r#"{"ask":1,"ts":2,"bid":{},"ts":3}"#,
            r#"{"":1,"b":2,"":3}"#,
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ] {
            assert_eq!(both(text).0, None, "{text:?}");
        }
        let many: Vec<String> = (0..33).map(|i| format!("\"k{i}\":{i}")).collect();
        assert_eq!(both(&format!("{{{}}}", many.join(","))).0, None);
        let most: Vec<String> = (0..32).map(|i| format!("\"k{i}\":{i}")).collect();
        agree(&format!("{{{}}}", most.join(","))).unwrap();
        assert!(both(&format!("{{{}}}", most.join(","))).0.is_some());
    }

    /// The fixed-size moves do not grow a buffer sized to the text, as the sink sizes
    /// it, when the CBOR fits.
    #[test]
    fn a_buffer_sized_to_the_text_is_not_grown() {
        for text in [
            r#"{"sym":"K0001","bid":100.25,"ask":100.26,"seq":7,"ts":1732492800000,"venue":"XLON"}"#,
            r#"{"a":"b"}"#,
            r#"["a","bc",1,"def"]"#,
            r#""0123456789abcd""#,
        ] {
            let mut out = Vec::with_capacity(text.len());
            assert!(transcode(text.as_bytes(), &mut out), "{text}");
            assert!(out.len() <= text.len(), "{text}");
            assert_eq!(out.capacity(), text.len(), "{text}");
        }
    }

    #[test]
    fn invalid_utf8_is_declined() {
        let mut out = Vec::new();
        assert!(!transcode(b"\"\xff\"", &mut out));
        assert!(!transcode(b"\"\xc3\"", &mut out));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        #[test]
        fn agrees_with_serde_json_on_json(j in crate::value::tests::json_strategy(), pretty: bool) {
            let text = if pretty {
                serde_json::to_string_pretty(&j).unwrap()
            } else {
                serde_json::to_string(&j).unwrap()
            };
            proptest::prop_assert_eq!(agree(&text), Ok(()));
        }

        #[test]
        fn agrees_with_serde_json_on_numbers(
            text in "-?(0|[1-9][0-9]{0,21})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?"
        ) {
            proptest::prop_assert_eq!(agree(&text), Ok(()));
        }

        #[test]
        fn agrees_with_serde_json_on_short_decimals(
            text in "-?(0|[1-9][0-9]{0,8})\\.[0-9]{1,9}([eE][+-]?[0-9]{1,2})?"
        ) {
            proptest::prop_assert_eq!(agree(&text), Ok(()));
            let mut out = Vec::new();
            proptest::prop_assert!(transcode(text.as_bytes(), &mut out));
        }

        #[test]
        fn agrees_with_serde_json_on_floats(f: f64) {
            proptest::prop_assert_eq!(agree(&format!("{f:e}")), Ok(()));
            proptest::prop_assert_eq!(agree(&format!("{f}")), Ok(()));
        }

        #[test]
        fn agrees_with_serde_json_on_json_like_text(text in "[\\[\\]{}:,\" \\\\a0-9.eE+-ntrufls\u{e9}\u{1}]{0,40}") {
            proptest::prop_assert_eq!(agree(&text), Ok(()));
        }

        /// Strings long enough to be scanned a word at a time, with what ends or
        /// declines them anywhere in a word, and text after them or not.
        #[test]
        fn agrees_with_serde_json_on_strings(
            text in "\\[?\"[a-z \\\\\"\u{0}\u{1}\u{1f}\u{7f}\u{e9}\u{20ac}\u{1f600}]{0,30}\"?(,\"b\"\\])?"
        ) {
            proptest::prop_assert_eq!(agree(&text), Ok(()));
            // And nothing plain is declined.
            let (fast, slow, _) = both(&text);
            if slow.is_ok() && !text.contains(['\\', '\u{0}', '\u{1}', '\u{1f}']) {
                proptest::prop_assert!(fast.is_some(), "{:?} declined", text);
            }
        }

        #[test]
        fn agrees_with_serde_json_on_any_text(text in "\\PC{0,40}") {
            proptest::prop_assert_eq!(agree(&text), Ok(()));
        }
    }
}
