//! Java's number and text conversions as Kafka's `Cast` and `MaskField` use them:
//! `Double.toString`/`Float.toString`, `Integer.parseInt`-style parsing, `Double.parseDouble`
//! and `Float.parseFloat` (whitespace, `NaN`, `Infinity`, hex floats, `f`/`d` suffixes),
//! `new BigDecimal(String)` with its `longValue()`/`doubleValue()`, the narrowing of
//! `BigDecimal` values, and `Values.dateFormatFor`.

use crate::date_format::DateFormat;

/// Java's `Double.toString(x)` (JDK 19 and later: the shortest decimal that reads back
/// as `x`, closest to it; plain from 10^-3 up to 10^7, else `d.dddE-n`).
pub(crate) fn double_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = x.abs();
    let (mut digits, exp) = sci_digits(&format!("{a:e}"));
    if digits.len() == 1 {
        // Java picks among 1- and 2-digit decimals the one closest to x.
        let (two, two_exp) = sci_digits(&format!("{a:.1e}"));
        if two_exp == exp && two != format!("{digits}0") && format!("{a:.1e}").parse() == Ok(a) {
            digits = two;
        }
    }
    java_layout(x < 0.0, &digits, exp, (1e-3..1e7).contains(&a))
}

/// Java's `Float.toString(x)`: as [`double_to_string`] with a float's digits.
pub(crate) fn float_to_string(x: f32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = x.abs();
    let (mut digits, exp) = sci_digits(&format!("{a:e}"));
    if digits.len() == 1 {
        let (two, two_exp) = sci_digits(&format!("{a:.1e}"));
        if two_exp == exp
            && two != format!("{digits}0")
            && format!("{a:.1e}").parse::<f32>() == Ok(a)
        {
            digits = two;
        }
    }
    java_layout(x < 0.0, &digits, exp, (1e-3..1e7).contains(&a))
}

/// The significant digits (no trailing zeros beyond the first) and decimal exponent of
/// Rust's `{:e}` form (`1.2345e-5` gives ("12345", -5)).
fn sci_digits(s: &str) -> (String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let mut digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    (digits, exp.parse().unwrap_or(0))
}

/// Java's layout of digits `d1d2...` x 10^exp (the first digit's place).
fn java_layout(neg: bool, digits: &str, exp: i32, plain: bool) -> String {
    let sign = if neg { "-" } else { "" };
    if plain {
        if exp >= 0 {
            let e = exp as usize;
            let int: String = if digits.len() > e + 1 {
                digits[..=e].to_owned()
            } else {
                format!("{digits}{}", "0".repeat(e + 1 - digits.len()))
            };
            let frac = if digits.len() > e + 1 {
                &digits[e + 1..]
            } else {
                "0"
            };
            return format!("{sign}{int}.{frac}");
        }
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
    format!("{sign}{}.{rest}E{exp}", &digits[..1])
}

/// Java's `Long.parseLong`/`Integer.parseInt`/`Short.parseShort`/`Byte.parseByte` (radix
/// 10): an optional sign, then ASCII digits only, within `min..=max`.
pub(crate) fn parse_integer(s: &str, min: i64, max: i64) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: i128 = 0;
    for b in digits.bytes() {
        n = n * 10 + i128::from(b - b'0');
        if n > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let n = if neg { -n } else { n };
    (i128::from(min)..=i128::from(max))
        .contains(&n)
        .then_some(n as i64)
}

/// Java's `Double.parseDouble`.
pub(crate) fn parse_double(s: &str) -> Option<f64> {
    Some(match parse_java_float(s)? {
        JavaFloat::NaN => f64::NAN,
        JavaFloat::Infinite(neg) => signed(neg, f64::INFINITY),
        JavaFloat::Decimal(text) => text.parse().ok()?,
        JavaFloat::Hex { neg, m, sticky, e2 } => signed(neg, binary_to_float(m, sticky, e2, 53)),
    })
}

/// Java's `Float.parseFloat` (rounded straight to a float, not through a double).
pub(crate) fn parse_float(s: &str) -> Option<f32> {
    Some(match parse_java_float(s)? {
        JavaFloat::NaN => f32::NAN,
        JavaFloat::Infinite(neg) => signed(neg, f64::INFINITY) as f32,
        JavaFloat::Decimal(text) => text.parse().ok()?,
        JavaFloat::Hex { neg, m, sticky, e2 } => {
            // Exact: the value already has a float's precision and range.
            signed(neg, binary_to_float(m, sticky, e2, 24)) as f32
        }
    })
}

fn signed(neg: bool, x: f64) -> f64 {
    if neg {
        -x
    } else {
        x
    }
}

enum JavaFloat {
    NaN,
    Infinite(bool),
    /// A decimal Rust's parser reads as Java does (correctly rounded).
    Decimal(String),
    /// `m` (plus a nonzero tail when `sticky`) x 2^`e2`.
    Hex {
        neg: bool,
        m: u64,
        sticky: bool,
        e2: i64,
    },
}

/// Java's `FloatingDecimal.readJavaFormatString` grammar.
fn parse_java_float(s: &str) -> Option<JavaFloat> {
    let s = s.trim_matches(|c: char| c <= ' ');
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "NaN" {
        return Some(JavaFloat::NaN);
    }
    if rest == "Infinity" {
        return Some(JavaFloat::Infinite(neg));
    }
    let b = rest.as_bytes();
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        return parse_hex(neg, &rest[2..]);
    }
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int = &rest[int_start..i];
    let mut frac = "";
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = &rest[f..i];
    }
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            exp = (exp * 10 + i64::from(b[i] - b'0')).min(1_000_000_000);
            i += 1;
        }
        if i == e {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    if i < b.len() && matches!(b[i], b'f' | b'F' | b'd' | b'D') {
        i += 1;
    }
    if i != b.len() {
        return None;
    }
    let sign = if neg { "-" } else { "" };
    let int = if int.is_empty() { "0" } else { int };
    let frac = if frac.is_empty() { "0" } else { frac };
    Some(JavaFloat::Decimal(format!("{sign}{int}.{frac}e{exp}")))
}

/// A hex float after `0x`: hex digits with an optional point, then a mandatory binary
/// exponent `p[+-]n`, then an optional `f`/`d` suffix.
fn parse_hex(neg: bool, s: &str) -> Option<JavaFloat> {
    let b = s.as_bytes();
    let mut i = 0;
    let (mut m, mut sticky, mut e2, mut any) = (0u64, false, 0i64, false);
    let mut seen_point = false;
    while i < b.len() {
        let c = b[i];
        if c == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else {
            break;
        };
        any = true;
        if m >> 60 == 0 {
            m = m << 4 | u64::from(d);
            if seen_point {
                e2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                e2 += 4;
            }
        }
        i += 1;
    }
    if !any || i >= b.len() || (b[i] != b'p' && b[i] != b'P') {
        return None;
    }
    i += 1;
    let eneg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut exp: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        exp = (exp * 10 + i64::from(b[i] - b'0')).min(1_000_000_000);
        i += 1;
    }
    if i == start {
        return None;
    }
    if i < b.len() && matches!(b[i], b'f' | b'F' | b'd' | b'D') {
        i += 1;
    }
    if i != b.len() {
        return None;
    }
    e2 += if eneg { -exp } else { exp };
    Some(JavaFloat::Hex { neg, m, sticky, e2 })
}

/// `m` (with a nonzero tail beyond it when `sticky`) x 2^`e2`, rounded to nearest-even
/// with `bits` of precision (53: double, 24: float) and that format's range.
fn binary_to_float(m: u64, sticky: bool, e2: i64, bits: i64) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let (emin, emax) = if bits == 53 {
        (-1022i64, 1023i64)
    } else {
        (-126, 127)
    };
    let lz = i64::from(m.leading_zeros());
    let m = m << lz;
    let e2 = e2 - lz;
    // The value is in [2^top, 2^(top+1)).
    let top = e2 + 63;
    let keep = if top >= emin {
        bits
    } else {
        bits - (emin - top)
    };
    if keep < 0 {
        return 0.0;
    }
    let drop = 64 - keep;
    let (mut q, half, below) = if drop >= 64 {
        (0u64, m >> 63 == 1, m << 1 != 0 || sticky)
    } else {
        let q = m >> drop;
        let rem = m & ((1u64 << drop) - 1);
        let half = rem >> (drop - 1) & 1 == 1;
        let below = rem & ((1u64 << (drop - 1)) - 1) != 0 || sticky;
        (q, half, below)
    };
    if half && (below || q & 1 == 1) {
        q += 1;
    }
    let scale = top - keep + 1;
    if top > emax || (q >> bits == 1 && top + 1 > emax) {
        return f64::INFINITY;
    }
    (q as f64) * pow2(scale)
}

fn pow2(k: i64) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// Java's `new BigDecimal(String)`: the digits of the unscaled value and the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BigDecimal {
    neg: bool,
    /// Decimal digits of |unscaled|, leading zeros removed ("0" for zero).
    digits: String,
    scale: i64,
}

impl BigDecimal {
    pub(crate) fn parse(s: &str) -> Option<BigDecimal> {
        let (neg, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (mant, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let exp: i64 = match exp {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let v: i64 = digits.parse().ok().filter(|v| *v <= i64::from(i32::MAX))?;
                if e.starts_with('-') {
                    -v
                } else {
                    v
                }
            }
        };
        let scale = frac.len() as i64 - exp;
        if i32::try_from(scale).is_err() {
            return None;
        }
        let all = format!("{int}{frac}");
        let digits = all.trim_start_matches('0');
        Some(BigDecimal {
            neg,
            digits: if digits.is_empty() { "0" } else { digits }.to_owned(),
            scale,
        })
    }

    /// `longValue()`: truncated toward zero, then the low 64 bits.
    pub(crate) fn long_value(&self) -> i64 {
        let kept = if self.scale > 0 {
            let drop = self.scale as usize;
            if drop >= self.digits.len() {
                return 0;
            }
            &self.digits[..self.digits.len() - drop]
        } else {
            &self.digits[..]
        };
        let mut n: u64 = 0;
        for b in kept.bytes() {
            n = n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        }
        if self.scale < 0 {
            n = n.wrapping_mul(wrapping_pow10(-self.scale));
        }
        let n = n as i64;
        if self.neg {
            n.wrapping_neg()
        } else {
            n
        }
    }

    /// `doubleValue()`: correctly rounded.
    pub(crate) fn double_value(&self) -> f64 {
        let sign = if self.neg { "-" } else { "" };
        format!("{sign}{}e{}", self.digits, -self.scale)
            .parse()
            .unwrap_or(0.0)
    }

    /// As a Connect Decimal (unscaled, scale); `None` beyond 128 bits.
    pub(crate) fn to_decimal(&self) -> Option<(i128, i32)> {
        let u: i128 = self.digits.parse().ok()?;
        Some((if self.neg { -u } else { u }, self.scale as i32))
    }
}

/// 10^k modulo 2^64.
fn wrapping_pow10(k: i64) -> u64 {
    if k >= 64 {
        return 0;
    }
    (0..k).fold(1u64, |a, _| a.wrapping_mul(10))
}

/// A Connect Decimal's `longValue()` (truncated toward zero, low 64 bits); `intValue()`,
/// `shortValue()` and `byteValue()` are its low bits.
pub(crate) fn decimal_long_value(unscaled: i128, scale: i32) -> i64 {
    if scale > 0 {
        if scale > 38 {
            return 0;
        }
        (unscaled / 10i128.pow(scale as u32)) as i64
    } else {
        let k = -i64::from(scale);
        let p = if k >= 128 {
            0
        } else {
            (0..k).fold(1i128, |a, _| a.wrapping_mul(10))
        };
        unscaled.wrapping_mul(p) as i64
    }
}

/// A Connect Decimal's `doubleValue()`.
pub(crate) fn decimal_double_value(unscaled: i128, scale: i32) -> f64 {
    format!("{unscaled}e{}", -i64::from(scale))
        .parse()
        .unwrap_or(0.0)
}

/// A Connect Decimal's `floatValue()` (rounded straight to a float).
pub(crate) fn decimal_float_value(unscaled: i128, scale: i32) -> f32 {
    format!("{unscaled}e{}", -i64::from(scale))
        .parse()
        .unwrap_or(0.0)
}

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Kafka's `Values.dateFormatFor(d).format(d)` in UTC: time only below one day (negative
/// values included), date only at exact midnights, else date and time.
pub(crate) fn format_date(millis: i64) -> String {
    let pattern = if millis < MILLIS_PER_DAY {
        "HH:mm:ss.SSS'Z'"
    } else if millis % MILLIS_PER_DAY == 0 {
        "yyyy-MM-dd"
    } else {
        "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
    };
    DateFormat::parse(pattern)
        .expect("a valid pattern")
        .format(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_and_floats_print_as_java() {
        let d = double_to_string;
        assert_eq!(d(100.0), "100.0");
        assert_eq!(d(1e20), "1.0E20");
        assert_eq!(d(1e-4), "1.0E-4");
        assert_eq!(d(0.001), "0.001");
        assert_eq!(d(1234567.0), "1234567.0");
        assert_eq!(d(12345678.9), "1.23456789E7");
        assert_eq!(d(1e7), "1.0E7");
        assert_eq!(d(-0.5), "-0.5");
        assert_eq!(d(-0.0), "-0.0");
        assert_eq!(d(f64::NAN), "NaN");
        assert_eq!(d(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(d(4.9e-324), "4.9E-324");
        assert_eq!(d(1.7976931348623157e308), "1.7976931348623157E308");
        assert_eq!(d(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(1.4e-45), "1.4E-45");
        assert_eq!(float_to_string(3.0e10), "3.0E10");
    }

    #[test]
    fn parses_as_java() {
        assert_eq!(parse_integer("12", -128, 127), Some(12));
        assert_eq!(parse_integer("+12", -128, 127), Some(12));
        assert_eq!(parse_integer(" 12", -128, 127), None);
        assert_eq!(parse_integer("300", -128, 127), None);
        assert_eq!(parse_integer("-", -128, 127), None);
        assert_eq!(
            parse_integer("-9223372036854775808", i64::MIN, i64::MAX),
            Some(i64::MIN)
        );
        assert_eq!(
            parse_integer("9223372036854775808", i64::MIN, i64::MAX),
            None
        );
        assert_eq!(parse_double(" 1.5 "), Some(1.5));
        assert_eq!(parse_double("1d"), Some(1.0));
        assert_eq!(parse_double("1e3"), Some(1000.0));
        assert_eq!(parse_double(".5"), Some(0.5));
        assert_eq!(parse_double("1."), Some(1.0));
        assert_eq!(parse_double("0x1p3"), Some(8.0));
        assert_eq!(parse_double("-0x1.8p1"), Some(-3.0));
        assert_eq!(parse_double("0x1p-1074"), Some(f64::from_bits(1)));
        assert_eq!(parse_double("0x1p-1075"), Some(0.0));
        assert_eq!(parse_double("0x1p1024"), Some(f64::INFINITY));
        assert_eq!(parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_double("NaN").unwrap().is_nan());
        assert_eq!(parse_double("inf"), None);
        assert_eq!(parse_double("1e"), None);
        assert_eq!(parse_double("."), None);
        assert_eq!(parse_double("0x1"), None);
        assert_eq!(parse_float("0.1f"), Some(0.1));
        assert_eq!(parse_float("0x1p-149"), Some(f32::from_bits(1)));
    }

    #[test]
    fn big_decimals_as_java() {
        let b = |s: &str| BigDecimal::parse(s).unwrap();
        assert_eq!(b("12.7").long_value(), 12);
        assert_eq!(b("-12.7").long_value(), -12);
        assert_eq!(b("300").long_value() as i8, 44);
        assert_eq!(b("1e3").long_value(), 1000);
        assert_eq!(b("1e100").long_value(), 0);
        assert_eq!(b("18446744073709551617").long_value(), 1);
        assert_eq!(b("1.5e2").to_decimal(), Some((15, -1)));
        assert_eq!(b("12.50").to_decimal(), Some((1250, 2)));
        assert_eq!(b("0.1").double_value(), 0.1);
        assert!(BigDecimal::parse(" 1").is_none());
        assert!(BigDecimal::parse("NaN").is_none());
        assert!(BigDecimal::parse("1e").is_none());
        assert!(BigDecimal::parse(".").is_none());
        assert_eq!(decimal_long_value(12345, 2), 123);
        assert_eq!(decimal_long_value(-12345, 2), -123);
        assert_eq!(decimal_long_value(5, -2), 500);
    }

    #[test]
    fn dates_format_by_their_millis() {
        assert_eq!(format_date(5000), "00:00:05.000Z");
        assert_eq!(format_date(-1), "23:59:59.999Z");
        assert_eq!(format_date(19000 * MILLIS_PER_DAY), "2022-01-08");
        assert_eq!(format_date(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
