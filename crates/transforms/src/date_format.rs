//! Java's `SimpleDateFormat` patterns (`yyyyMMdd`, `yyyy-MM-dd HH:mm`) in UTC and the
//! `en_US` locale: formatting epoch milliseconds (Kafka's `TimestampRouter`,
//! `TimestampConverter`) and parsing text back, leniently, as Java's `parse` does
//! (`TimestampConverter`, `Values.parseString`). Letters Java does not know are refused
//! with Java's message; `S` is whole milliseconds, zero-padded to its count.
//!
//! Dates before 1582-10-15 are in the Julian calendar, as in Java's `GregorianCalendar`.
//! Not reproduced: `Y` (week year) is read as `y`, and `z` parses only `UTC` and
//! `GMT[+-]hh:mm` (Java knows every zone name).

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
const SHORT_DAYS_FROM_SUNDAY: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAYS_FROM_SUNDAY: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
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
        let julian = days < CUTOVER;
        let (year, month, day) = if julian {
            julian_civil(days)
        } else {
            civil(days)
        };
        let first_of_year = if julian {
            julian_days(year, 1, 1)
        } else {
            days_from_civil(year, 1, 1).max(CUTOVER)
        };
        // Java prints the year of the era: 0 is 1 BC.
        let (era_ad, year) = if year > 0 {
            (true, year)
        } else {
            (false, 1 - year)
        };
        let (h, m, s, ms) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = (days + 3).rem_euclid(7) as usize;
        let day_of_year = days - first_of_year + 1;
        let pad = |v: i64, n: usize| format!("{v:0n$}");
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Literal(t) => out.push_str(t),
                Piece::Field(c, n) => {
                    let n = *n;
                    out.push_str(&match c {
                        'G' => if era_ad { "AD" } else { "BC" }.to_owned(),
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

/// 1582-10-15, the first Gregorian day, in days since the epoch.
const CUTOVER: i64 = -141_427;
/// Days from 0001-01-01 (Gregorian, day 1) to 1970-01-01: Java's fixed dates.
const EPOCH_OFFSET: i64 = 719_163;

/// Days since the epoch to (year, month, day) in the Julian calendar.
fn julian_civil(days: i64) -> (i64, i64, i64) {
    let c = days + 2_440_588 + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = d - 4800 + m.div_euclid(10);
    (year, month, day)
}

/// (year, month, day) in the Julian calendar to days since the epoch.
fn julian_days(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m).div_euclid(12);
    let y2 = y + 4800 - a;
    let m2 = m + 12 * a - 3;
    d + (153 * m2 + 2).div_euclid(5) + 365 * y2 + y2.div_euclid(4) - 32_083 - 2_440_588
}

// Java's Calendar field numbers, as the parser records them.
const ERA: usize = 0;
const YEAR: usize = 1;
const MONTH: usize = 2;
const WEEK_OF_YEAR: usize = 3;
const WEEK_OF_MONTH: usize = 4;
const DAY_OF_MONTH: usize = 5;
const DAY_OF_YEAR: usize = 6;
const DAY_OF_WEEK: usize = 7;
const DAY_OF_WEEK_IN_MONTH: usize = 8;
const AM_PM: usize = 9;
const HOUR: usize = 10;
const HOUR_OF_DAY: usize = 11;
const MINUTE: usize = 12;
const SECOND: usize = 13;
const MILLISECOND: usize = 14;
const ZONE_OFFSET: usize = 15;

/// The fields a parse set, each with the order it was set in (Java's stamps).
#[derive(Default)]
struct Fields {
    stamp: [u32; 16],
    value: [i64; 16],
    next: u32,
}

impl Fields {
    fn set(&mut self, field: usize, value: i64) {
        self.next += 1;
        self.stamp[field] = self.next;
        self.value[field] = value;
    }
    fn is_set(&self, f: usize) -> bool {
        self.stamp[f] != 0
    }
    fn get(&self, f: usize) -> i64 {
        self.value[f]
    }
}

/// Java's `getDayOfWeekDateOnOrBefore`: the last day on or before `fixed` whose day of
/// week (1 = Sunday) is `dow`; fixed dates count from 0001-01-01 (a Monday) as 1.
fn dow_on_or_before(fixed: i64, dow: i64) -> i64 {
    fixed - (fixed - (dow - 1)).rem_euclid(7)
}

/// A fixed date's (Java's day count from 0001-01-01 as 1) (year, month, day) in `julian` or
/// Gregorian reckoning.
fn fixed_of(julian: bool, y: i64, m: i64, d: i64) -> i64 {
    EPOCH_OFFSET
        + if julian {
            julian_days(y, m, d)
        } else {
            days_from_civil(y, m, d)
        }
}

fn month_length(julian: bool, year: i64, month0: i64) -> i64 {
    let (ny, nm) = if month0 == 11 {
        (year + 1, 1)
    } else {
        (year, month0 + 2)
    };
    fixed_of(julian, ny, nm, 1) - fixed_of(julian, year, month0 + 1, 1)
}

/// Which fields decide the date (Java's `Calendar.selectFields`, date and hour parts).
struct Selected {
    month: bool,
    dom: bool,
    wom: bool,
    doy: bool,
    dow: bool,
    hour_of_day: bool,
    am_pm: bool,
}

fn aggregate(a: u32, b: u32) -> u32 {
    if a == 0 || b == 0 {
        0
    } else {
        a.max(b)
    }
}

fn select(f: &Fields) -> Selected {
    let st = |x| f.stamp[x];
    let dow_stamp = st(DAY_OF_WEEK);
    let month_stamp = st(MONTH);
    let mut dom_stamp = st(DAY_OF_MONTH);
    let mut wom_stamp = aggregate(st(WEEK_OF_MONTH), dow_stamp);
    let mut dowim_stamp = aggregate(st(DAY_OF_WEEK_IN_MONTH), dow_stamp);
    let doy_stamp = st(DAY_OF_YEAR);
    let mut woy_stamp = aggregate(st(WEEK_OF_YEAR), dow_stamp);
    let mut best = dom_stamp
        .max(wom_stamp)
        .max(dowim_stamp)
        .max(doy_stamp)
        .max(woy_stamp);
    if best == 0 {
        wom_stamp = st(WEEK_OF_MONTH);
        dowim_stamp = st(DAY_OF_WEEK_IN_MONTH).max(dow_stamp);
        woy_stamp = st(WEEK_OF_YEAR);
        best = wom_stamp.max(dowim_stamp).max(woy_stamp);
        if best == 0 {
            dom_stamp = month_stamp;
            best = month_stamp;
        }
    }
    let mut s = Selected {
        month: false,
        dom: false,
        wom: false,
        doy: false,
        dow: false,
        hour_of_day: false,
        am_pm: false,
    };
    if best == dom_stamp
        || (best == wom_stamp && st(WEEK_OF_MONTH) >= st(WEEK_OF_YEAR))
        || (best == dowim_stamp && st(DAY_OF_WEEK_IN_MONTH) >= st(WEEK_OF_YEAR))
    {
        s.month = true;
        if best == dom_stamp {
            s.dom = true;
        } else {
            s.dow = dow_stamp != 0;
            if best == wom_stamp {
                s.wom = true;
            }
        }
    } else if best == doy_stamp {
        s.doy = true;
    } else {
        s.dow = dow_stamp != 0;
    }
    let hod = st(HOUR_OF_DAY);
    let hour = aggregate(st(HOUR), st(AM_PM));
    let mut best = hour.max(hod);
    if best == 0 {
        best = st(HOUR).max(st(AM_PM));
    }
    if best != 0 {
        if best == hod {
            s.hour_of_day = true;
        } else {
            s.am_pm = st(AM_PM) != 0;
        }
    }
    s
}

/// Java's `GregorianCalendar.getFixedDate` (lenient; Sunday starts the week, one day
/// makes a first week, as in `en_US`).
fn fixed_date(f: &Fields, s: &Selected, julian: bool, mut year: i64) -> i64 {
    let mut month = 0;
    if s.month {
        month = f.get(MONTH);
        year += month.div_euclid(12);
        month = month.rem_euclid(12);
    }
    let mut fixed = fixed_of(julian, year, month + 1, 1);
    if s.month {
        if s.dom {
            if f.is_set(DAY_OF_MONTH) {
                fixed += f.get(DAY_OF_MONTH) - 1;
            }
        } else if s.wom {
            let mut first = dow_on_or_before(fixed + 6, 1);
            if first - fixed >= 1 {
                first -= 7;
            }
            if s.dow {
                first = dow_on_or_before(first + 6, f.get(DAY_OF_WEEK));
            }
            fixed = first + 7 * (f.get(WEEK_OF_MONTH) - 1);
        } else {
            let dow = if s.dow { f.get(DAY_OF_WEEK) } else { 1 };
            let dowim = if f.is_set(DAY_OF_WEEK_IN_MONTH) {
                f.get(DAY_OF_WEEK_IN_MONTH)
            } else {
                1
            };
            fixed = if dowim >= 0 {
                dow_on_or_before(fixed + 7 * dowim - 1, dow)
            } else {
                let last = month_length(julian, year, month) + 7 * (dowim + 1);
                dow_on_or_before(fixed + last - 1, dow)
            };
        }
    } else if s.doy {
        fixed += f.get(DAY_OF_YEAR) - 1;
    } else {
        let mut first = dow_on_or_before(fixed + 6, 1);
        if first - fixed >= 1 {
            first -= 7;
        }
        if s.dow {
            let dow = f.get(DAY_OF_WEEK);
            if dow != 1 {
                first = dow_on_or_before(first + 6, dow);
            }
        }
        fixed = first + 7 * (f.get(WEEK_OF_YEAR) - 1);
    }
    fixed
}

/// Java's lenient `GregorianCalendar.computeTime` in UTC (or the parsed zone offset).
fn compute_time(f: &Fields) -> i64 {
    let s = select(f);
    let mut year = if f.is_set(YEAR) { f.get(YEAR) } else { 1970 };
    if f.is_set(ERA) && f.get(ERA) == 0 {
        year = 1 - year;
    }
    let mut time_of_day = if s.hour_of_day {
        f.get(HOUR_OF_DAY)
    } else {
        f.get(HOUR) + if s.am_pm { 12 * f.get(AM_PM) } else { 0 }
    };
    time_of_day = time_of_day * 60 + f.get(MINUTE);
    time_of_day = time_of_day * 60 + f.get(SECOND);
    time_of_day = time_of_day * 1000 + f.get(MILLISECOND);
    let mut fixed = time_of_day.div_euclid(86_400_000);
    let time_of_day = time_of_day.rem_euclid(86_400_000);
    let cutover = CUTOVER + EPOCH_OFFSET;
    let greg = fixed_date(f, &s, false, year);
    fixed += if year >= 1582 && fixed + greg >= cutover {
        greg
    } else {
        fixed_date(f, &s, true, year)
    };
    let zone = if f.is_set(ZONE_OFFSET) {
        f.get(ZONE_OFFSET)
    } else {
        0
    };
    (fixed - EPOCH_OFFSET) * 86_400_000 + time_of_day - zone
}

/// Java's `DecimalFormat` integer parse (grouping off): an optional `-` and ASCII digits;
/// `Number.intValue()` of the result (a long wraps, a larger number saturates).
fn parse_int(text: &[char], at: usize, end: usize) -> Option<(i64, usize)> {
    let mut i = at;
    let negative = i < end && text[i] == '-';
    if negative {
        i += 1;
    }
    let start = i;
    let mut v: i128 = 0;
    while i < end && text[i].is_ascii_digit() {
        v = (v * 10 + i128::from(text[i] as u8 - b'0')).min(i128::from(u64::MAX) * 16);
        i += 1;
    }
    if i == start {
        return None;
    }
    let v = if negative { -v } else { v };
    let int = match i64::try_from(v) {
        Ok(l) => i64::from(l as i32),
        Err(_) if v < 0 => i64::from(i32::MIN),
        Err(_) => i64::from(i32::MAX),
    };
    Some((int, i))
}

/// Java's `matchString`: the longest name matching at `at`, ignoring case.
fn match_names(text: &[char], at: usize, names: &[&str]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, n) in names.iter().enumerate() {
        let len = n.chars().count();
        if len == 0 || best.is_some_and(|(_, l)| l >= len) || at + len > text.len() {
            continue;
        }
        let region: String = text[at..at + len].iter().collect();
        if region.to_lowercase() == n.to_lowercase() {
            best = Some((i, len));
        }
    }
    best
}

/// Java's `subParseNumericZone`: `hh[[:]mm]` after a sign; the offset in ms and the end.
fn numeric_zone(
    text: &[char],
    at: usize,
    sign: i64,
    count: usize,
    colon: bool,
) -> Option<(i64, usize)> {
    let digit = |i: usize| {
        text.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| i64::from(*c as u8 - b'0'))
    };
    let mut i = at;
    let mut hours = digit(i)?;
    i += 1;
    match digit(i) {
        Some(d) => {
            hours = hours * 10 + d;
            i += 1;
        }
        None if count > 0 || !colon => return None,
        None => {}
    }
    if hours > 23 {
        return None;
    }
    let mut minutes = 0;
    if count != 1 {
        if colon {
            if text.get(i) != Some(&':') {
                return None;
            }
            i += 1;
        }
        minutes = digit(i)? * 10 + digit(i + 1)?;
        i += 2;
        if minutes > 59 {
            return None;
        }
    }
    Some(((minutes + hours * 60) * 60_000 * sign, i))
}

impl DateFormat {
    /// Java's `SimpleDateFormat.parse(text, pos)` from the start, lenient, in UTC: the
    /// epoch milliseconds and where parsing stopped (the rest is ignored); `None` where Java
    /// gives null (`parse(text)` then throws `ParseException`).
    pub(crate) fn parse_text(&self, text: &str) -> Option<(i64, usize)> {
        self.parse_with_century(text, default_century_start())
    }

    fn parse_with_century(&self, text: &str, century_start: (i64, i64)) -> Option<(i64, usize)> {
        let text: Vec<char> = text.chars().collect();
        let mut fields = Fields::default();
        let mut ambiguous = false;
        let mut at = 0;
        for (k, piece) in self.0.iter().enumerate() {
            match piece {
                Piece::Literal(t) => {
                    for c in t.chars() {
                        if text.get(at) != Some(&c) {
                            return None;
                        }
                        at += 1;
                    }
                }
                Piece::Field(c, count) => {
                    let obey = match self.0.get(k + 1) {
                        Some(Piece::Field(n, nc)) => match n {
                            'M' | 'L' => *nc <= 2,
                            'y' | 'd' | 'k' | 'H' | 'm' | 's' | 'S' | 'D' | 'F' | 'w' | 'W'
                            | 'h' | 'K' | 'Y' | 'u' => true,
                            _ => false,
                        },
                        _ => false,
                    };
                    let (end, amb) =
                        sub_parse(&text, at, *c, *count, obey, &mut fields, century_start.1)?;
                    ambiguous |= amb;
                    at = end;
                }
            }
        }
        let mut millis = compute_time(&fields);
        if ambiguous && millis < century_start.0 {
            fields.set(YEAR, fields.get(YEAR) + 100);
            millis = compute_time(&fields);
        }
        Some((millis, at))
    }
}

/// Java's default two-digit-year window: it starts 80 years before now (the instant and
/// its year).
fn default_century_start() -> (i64, i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let days = now.div_euclid(86_400_000);
    let (y, m, d) = civil(days);
    let (y, d) = if m == 2 && d == 29 {
        (y - 80, 28)
    } else {
        (y - 80, d)
    };
    let start = days_from_civil(y, m, d) * 86_400_000 + now.rem_euclid(86_400_000);
    (start, y)
}

/// One pattern field (Java's `subParse`): the end, and whether a two-digit year was
/// ambiguous; `None` when it does not parse.
fn sub_parse(
    text: &[char],
    start: usize,
    c: char,
    count: usize,
    obey: bool,
    f: &mut Fields,
    century_year: i64,
) -> Option<(usize, bool)> {
    let mut at = start;
    loop {
        match text.get(at) {
            None => return None,
            Some(' ') | Some('\t') => at += 1,
            Some(_) => break,
        }
    }
    let actual_start = at;
    let number = |at: usize| {
        if obey {
            if start + count > text.len() {
                return None;
            }
            parse_int(text, at, start + count)
        } else {
            parse_int(text, at, text.len())
        }
    };
    match c {
        'G' => {
            let (i, len) = match_names(text, start, &["BC", "AD"])?;
            f.set(ERA, i as i64);
            Some((start + len, false))
        }
        'y' | 'Y' => {
            let (mut v, end) = number(at)?;
            let mut ambiguous = false;
            if count <= 2
                && end - actual_start == 2
                && text[actual_start].is_ascii_digit()
                && text[actual_start + 1].is_ascii_digit()
            {
                let amb = century_year.rem_euclid(100);
                ambiguous = v == amb;
                v += century_year / 100 * 100 + if v < amb { 100 } else { 0 };
            }
            f.set(YEAR, v);
            Some((end, ambiguous))
        }
        'M' | 'L' if count <= 2 => {
            let (v, end) = number(at)?;
            f.set(MONTH, v - 1);
            Some((end, false))
        }
        'M' | 'L' => {
            let short: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
            let (i, len) =
                match_names(text, start, &MONTHS).or_else(|| match_names(text, start, &short))?;
            f.set(MONTH, i as i64);
            Some((start + len, false))
        }
        'k' => {
            let (v, end) = number(at)?;
            f.set(HOUR_OF_DAY, if v == 24 { 0 } else { v });
            Some((end, false))
        }
        'h' => {
            let (v, end) = number(at)?;
            f.set(HOUR, if v == 12 { 0 } else { v });
            Some((end, false))
        }
        'E' => {
            let (i, len) = match_names(text, start, &DAYS_FROM_SUNDAY)
                .or_else(|| match_names(text, start, &SHORT_DAYS_FROM_SUNDAY))?;
            f.set(DAY_OF_WEEK, i as i64 + 1);
            Some((start + len, false))
        }
        'a' => {
            let (i, len) = match_names(text, start, &["AM", "PM"])?;
            f.set(AM_PM, i as i64);
            Some((start + len, false))
        }
        'z' | 'Z' => {
            let sign = match text.get(at) {
                Some('+') => 1,
                Some('-') => -1,
                _ => 0,
            };
            if sign != 0 {
                let (off, end) = numeric_zone(text, at + 1, sign, 0, false)?;
                f.set(ZONE_OFFSET, off);
                return Some((end, false));
            }
            let upper: String = text[at..].iter().take(3).collect::<String>().to_uppercase();
            if upper == "GMT" {
                let after = at + 3;
                let sign = match text.get(after) {
                    Some('+') => 1,
                    Some('-') => -1,
                    _ => 0,
                };
                if sign == 0 {
                    f.set(ZONE_OFFSET, 0);
                    return Some((after, false));
                }
                let (off, end) = numeric_zone(text, after + 1, sign, 0, true)?;
                f.set(ZONE_OFFSET, off);
                return Some((end, false));
            }
            if upper == "UTC" {
                f.set(ZONE_OFFSET, 0);
                return Some((at + 3, false));
            }
            None
        }
        'X' => {
            let sign = match text.get(at)? {
                'Z' => {
                    f.set(ZONE_OFFSET, 0);
                    return Some((at + 1, false));
                }
                '+' => 1,
                '-' => -1,
                _ => return None,
            };
            let (off, end) = numeric_zone(text, at + 1, sign, count, count == 3)?;
            f.set(ZONE_OFFSET, off);
            Some((end, false))
        }
        _ => {
            let (v, end) = number(at)?;
            match c {
                'u' => f.set(
                    DAY_OF_WEEK,
                    if v == 7 {
                        1
                    } else if (1..7).contains(&v) {
                        v + 1
                    } else {
                        v
                    },
                ),
                _ => {
                    let field = match c {
                        'd' => DAY_OF_MONTH,
                        'H' => HOUR_OF_DAY,
                        'm' => MINUTE,
                        's' => SECOND,
                        'S' => MILLISECOND,
                        'D' => DAY_OF_YEAR,
                        'F' => DAY_OF_WEEK_IN_MONTH,
                        'w' => WEEK_OF_YEAR,
                        'W' => WEEK_OF_MONTH,
                        _ => HOUR, // 'K'
                    };
                    f.set(field, v);
                }
            }
            Some((end, false))
        }
    }
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
        assert_eq!(f("yyyy-MM-dd G", -12_219_292_800_001), "1582-10-04 AD");
        assert_eq!(f("yyyy-MM-dd G", -62_198_755_200_000), "0002-01-03 BC");
    }

    #[test]
    fn parses_as_javas_lenient_simple_date_format_in_utc() {
        let p = |pat: &str, t: &str| {
            DateFormat::parse(pat)
                .unwrap()
                .parse_with_century(t, (-757_382_400_000, 1946))
                .map(|(ms, _)| ms)
        };
        assert_eq!(p("yyyy-MM-dd", "2024-01-02"), Some(1_704_153_600_000));
        assert_eq!(
            p("yyyy-MM-dd HH:mm:ss", "2024-13-45 25:61:61"),
            Some(1_739_584_921_000)
        );
        assert_eq!(p("yyyy-MM-dd", "2024-01-02xyz"), Some(1_704_153_600_000));
        assert_eq!(p("yyyyMMdd", "20240102"), Some(1_704_153_600_000));
        assert_eq!(p("HH:mm:ss.S", "22:13:20.7"), Some(80_000_007));
        assert_eq!(p("dd MMM yy", "02 jan 24"), Some(1_704_153_600_000));
        assert_eq!(p("dd MMM yy", "02 Jan 47"), Some(-725_760_000_000));
        assert_eq!(
            p("yyyy-MM-dd'T'HH:mmX", "2024-01-02T01:00+01"),
            Some(1_704_153_600_000)
        );
        assert_eq!(p("hh a", "12 AM"), Some(0));
        assert_eq!(p("hh a", "01 pm"), Some(46_800_000));
        assert_eq!(p("yyyy-MM-dd", "2024/01/02"), None);
        assert_eq!(p("yyyy-MM-dd", ""), None);
        assert_eq!(p("yyyy-MM-dd", "1582-10-04"), Some(-12_219_379_200_000));
        assert_eq!(p("yyyy-MM-dd", "0000-01-01"), Some(-62_167_392_000_000));
    }
}
