//! Arithmetic of the logical types, both ways: Decimal bytes and precision, civil dates,
//! times of day and timestamps.

/// Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of
/// `google.protobuf.Timestamp` (protobuf-java's `Timestamps.checkValid`).
const TIMESTAMP_SECONDS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// A big-endian two's-complement integer (Java's `new BigInteger(bytes)`); empty bytes are 0
/// (Java refuses them), `None` when it does not fit in 128 bits.
pub fn unscaled_from_bytes(bytes: &[u8]) -> Option<i128> {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let fill = if negative { 0xff } else { 0 };
    // Leading sign bytes add nothing.
    let start = bytes.iter().position(|b| *b != fill).unwrap_or(bytes.len());
    let significant = &bytes[start..];
    let needs_sign_byte = significant
        .first()
        .is_some_and(|b| (b & 0x80 != 0) != negative);
    if significant.len() + usize::from(needs_sign_byte) > 16 {
        return None;
    }
    let mut buf = [fill; 16];
    buf[16 - significant.len()..].copy_from_slice(significant);
    Some(i128::from_be_bytes(buf))
}

/// Java's `BigInteger.toByteArray()`: the shortest big-endian two's complement.
pub fn unscaled_to_bytes(unscaled: i128) -> Vec<u8> {
    let all = unscaled.to_be_bytes();
    let fill = if unscaled < 0 { 0xff } else { 0 };
    let mut start = 0;
    while start < 15 && all[start] == fill && (all[start + 1] & 0x80 != 0) == (unscaled < 0) {
        start += 1;
    }
    all[start..].to_vec()
}

/// Java's `BigDecimal.precision()`: the number of digits of the unscaled value (1 for 0).
pub fn precision(unscaled: i128) -> u32 {
    let mut n = unscaled.unsigned_abs();
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// `new BigDecimal(unscaled, scale, new MathContext(precision))`: rounded half-up to
/// `precision` digits when it has more (precision 0 or less: unlimited).
pub fn round_to_precision(unscaled: i128, scale: i32, precision_: i64) -> Option<(i128, i32)> {
    if precision_ <= 0 {
        return Some((unscaled, scale));
    }
    let (mut u, mut s) = (unscaled, scale);
    while i64::from(precision(u)) > precision_ {
        let digits = i64::from(precision(u));
        let drop = (digits - precision_) as u32;
        let div = 10i128.pow(drop);
        let (q, r) = (u / div, u % div);
        // Half-up: away from zero when the dropped part is at least half.
        let twice = r.unsigned_abs() * 2;
        u = if twice >= div.unsigned_abs() {
            q + u.signum()
        } else {
            q
        };
        s = s.checked_sub(drop as i32)?;
    }
    Some((u, s))
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (year 1 or later).
pub fn date_to_days(year: i64, month: i64, day: i64) -> Option<i32> {
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
pub fn days_to_date(days: i32) -> (i32, i32, i32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month as i32, day as i32)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `LocalTime.of(h, m, s, nanos)` as milliseconds of the day (nanos truncated).
pub fn time_to_millis(hours: i64, minutes: i64, seconds: i64, nanos: i64) -> Option<i32> {
    let ok = (0..24).contains(&hours)
        && (0..60).contains(&minutes)
        && (0..60).contains(&seconds)
        && (0..1_000_000_000).contains(&nanos);
    ok.then(|| (((hours * 60 + minutes) * 60 + seconds) * 1000 + nanos / 1_000_000) as i32)
}

/// (hours, minutes, seconds, nanos) of a Connect Time; Confluent accepts 0..=86400000 ms
/// (86400000 being midnight again).
pub fn millis_to_time(millis: i32) -> Option<(i32, i32, i32, i32)> {
    let ms = i64::from(millis);
    if !(0..=MILLIS_PER_DAY).contains(&ms) {
        return None;
    }
    let ms = ms % MILLIS_PER_DAY;
    let s = ms / 1000;
    Some((
        (s / 3600) as i32,
        (s / 60 % 60) as i32,
        (s % 60) as i32,
        (ms % 1000 * 1_000_000) as i32,
    ))
}

/// `Timestamps.toMillis`: milliseconds since the epoch (nanos truncated); `None` outside the
/// valid range.
pub fn timestamp_to_millis(seconds: i64, nanos: i64) -> Option<i64> {
    if !TIMESTAMP_SECONDS.contains(&seconds) || !(0..1_000_000_000).contains(&nanos) {
        return None;
    }
    Some(seconds * 1000 + nanos / 1_000_000)
}

/// `Timestamps.fromMillis`: (seconds, nanos); `None` outside the valid range.
pub fn millis_to_timestamp(millis: i64) -> Option<(i64, i32)> {
    let seconds = millis.div_euclid(1000);
    let nanos = (millis.rem_euclid(1000) * 1_000_000) as i32;
    TIMESTAMP_SECONDS
        .contains(&seconds)
        .then_some((seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bytes_are_java_big_integers() {
        for (n, b) in [
            (0i128, vec![0u8]),
            (1, vec![1]),
            (127, vec![0x7f]),
            (128, vec![0, 0x80]),
            (-1, vec![0xff]),
            (-128, vec![0x80]),
            (-129, vec![0xff, 0x7f]),
            (12345, vec![0x30, 0x39]),
        ] {
            assert_eq!(unscaled_to_bytes(n), b, "{n}");
            assert_eq!(unscaled_from_bytes(&b), Some(n));
        }
        for n in [i128::MAX, i128::MIN, i128::MIN + 1, 1 << 100] {
            assert_eq!(unscaled_from_bytes(&unscaled_to_bytes(n)), Some(n));
        }
        assert_eq!(unscaled_from_bytes(&[]), Some(0));
        assert_eq!(unscaled_from_bytes(&[0, 0, 0, 5]), Some(5));
        assert_eq!(unscaled_from_bytes(&[1; 17]), None);
        assert_eq!(
            unscaled_from_bytes(&[0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            None
        );
    }

    #[test]
    fn precision_rounds_half_up() {
        assert_eq!(precision(0), 1);
        assert_eq!(precision(-12345), 5);
        assert_eq!(round_to_precision(12345, 2, 0), Some((12345, 2)));
        assert_eq!(round_to_precision(12345, 2, 3), Some((123, 0)));
        assert_eq!(round_to_precision(12355, 2, 3), Some((124, 0)));
        assert_eq!(round_to_precision(-12355, 2, 3), Some((-124, 0)));
        assert_eq!(round_to_precision(999, 0, 2), Some((10, -2)));
    }

    #[test]
    fn dates_times_and_timestamps() {
        assert_eq!(date_to_days(1970, 1, 1), Some(0));
        assert_eq!(date_to_days(2024, 2, 29), Some(19782));
        assert_eq!(date_to_days(2023, 2, 29), None);
        assert_eq!(date_to_days(0, 1, 1), None);
        assert_eq!(date_to_days(2024, 13, 1), None);
        for d in [-719_162, -1, 0, 1, 19782, 2_932_896] {
            let (y, m, dd) = days_to_date(d);
            assert_eq!(date_to_days(y.into(), m.into(), dd.into()), Some(d));
        }
        assert_eq!(time_to_millis(23, 59, 59, 999_999_999), Some(86_399_999));
        assert_eq!(time_to_millis(24, 0, 0, 0), None);
        assert_eq!(millis_to_time(3_723_004), Some((1, 2, 3, 4_000_000)));
        assert_eq!(millis_to_time(86_400_000), Some((0, 0, 0, 0)));
        assert_eq!(millis_to_time(-1), None);
        assert_eq!(timestamp_to_millis(-1, 999_000_000), Some(-1));
        assert_eq!(millis_to_timestamp(-1), Some((-1, 999_000_000)));
        assert_eq!(timestamp_to_millis(1, 1_000_000_000), None);
        assert_eq!(millis_to_timestamp(i64::MAX), None);
    }
}
