//! Java's `SimpleDateFormat` patterns (`yyyyMMdd`, `yyyy-MM-dd HH:mm`), formatting epoch
//! milliseconds in UTC, as Kafka's `TimestampRouter` does. Letters Java does not know are
//! refused with Java's message; `S` is whole milliseconds, zero-padded to its count.

/// A parsed pattern.
#[derive(Debug, Clone)]
pub(crate) struct DateFormat(Vec<Piece>);

#[derive(Debug, Clone)]
enum Piece {
    Literal(String),
    Field(char, usize),
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl DateFormat {
    /// Parses a pattern; the error is Java's (`Illegal pattern character 'q'`,
    /// `Unterminated quote`).
    pub(crate) fn parse(pattern: &str) -> Result<DateFormat, String> {
        let mut pieces = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    pieces.push(Piece::Literal("'".into()));
                    i += 2;
                    continue;
                }
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            text.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            text.push(c);
                            i += 1;
                        }
                    }
                }
                pieces.push(Piece::Literal(text));
            } else if c.is_ascii_alphabetic() {
                if !"GyYMLwWDdFEuaHkKhmsSzZX".contains(c) {
                    return Err(format!("Illegal pattern character '{c}'"));
                }
                let n = chars[i..].iter().take_while(|&&x| x == c).count();
                pieces.push(Piece::Field(c, n));
                i += n;
            } else {
                pieces.push(Piece::Literal(c.to_string()));
                i += 1;
            }
        }
        Ok(DateFormat(pieces))
    }

    /// `millis` since the epoch, in UTC.
    pub(crate) fn format(&self, millis: i64) -> String {
        let days = millis.div_euclid(86_400_000);
        let ms_of_day = millis.rem_euclid(86_400_000);
        let (year, month, day) = civil(days);
        let (h, m, s, ms) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = (days + 3).rem_euclid(7) as usize;
        let day_of_year = days - days_from_civil(year, 1, 1) + 1;
        let pad = |v: i64, n: usize| format!("{v:0n$}");
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Literal(t) => out.push_str(t),
                Piece::Field(c, n) => {
                    let n = *n;
                    out.push_str(&match c {
                        'G' => if year > 0 { "AD" } else { "BC" }.to_owned(),
                        'y' | 'Y' if n == 2 => pad(year.rem_euclid(100), 2),
                        'y' | 'Y' => pad(year, n),
                        'u' => pad(weekday as i64 + 1, n),
                        'M' | 'L' => match n {
                            1 | 2 => pad(month, n),
                            3 => MONTHS[(month - 1) as usize][..3].to_owned(),
                            _ => MONTHS[(month - 1) as usize].to_owned(),
                        },
                        'd' => pad(day, n),
                        'D' => pad(day_of_year, n),
                        'E' if n <= 3 => DAYS[weekday][..3].to_owned(),
                        'E' => DAYS[weekday].to_owned(),
                        'a' => if h < 12 { "AM" } else { "PM" }.to_owned(),
                        'H' => pad(h, n),
                        'k' => pad(if h == 0 { 24 } else { h }, n),
                        'K' => pad(h % 12, n),
                        'h' => pad(if h % 12 == 0 { 12 } else { h % 12 }, n),
                        'm' => pad(m, n),
                        's' => pad(s, n),
                        'S' => pad(ms, n),
                        'z' => if n >= 4 {
                            "Coordinated Universal Time"
                        } else {
                            "UTC"
                        }
                        .to_owned(),
                        'Z' => "+0000".to_owned(),
                        'X' => "Z".to_owned(),
                        // Week-based fields (w, W, F): ISO-like approximations.
                        'w' => pad((day_of_year - 1) / 7 + 1, n),
                        'W' | 'F' => pad((day - 1) / 7 + 1, n),
                        _ => String::new(),
                    });
                }
            }
        }
        out
    }
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's algorithm.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_javas_simple_date_format_in_utc() {
        let f = |p: &str, ms: i64| DateFormat::parse(p).unwrap().format(ms);
        assert_eq!(f("yyyyMMdd", 1_700_000_000_000), "20231114");
        assert_eq!(f("yyyy-MM-dd HH", 1_700_000_000_000), "2023-11-14 22");
        assert_eq!(
            f("yyyy-MM-dd'T'HH:mm:ss.SSS", 1_700_000_000_123),
            "2023-11-14T22:13:20.123"
        );
        assert_eq!(f("SSSSSS", 123), "000123");
        assert_eq!(f("S", 7), "7");
        assert_eq!(f("EEE, d MMM yy", 0), "Thu, 1 Jan 70");
        assert_eq!(f("''yy''", 0), "'70'");
        assert_eq!(f("yyyyMMdd", -1), "19691231");
        assert_eq!(
            DateFormat::parse("yyyyq").unwrap_err(),
            "Illegal pattern character 'q'"
        );
    }
}
