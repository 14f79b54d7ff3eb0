//! The `REMOVAL` topic property: Diffusion's removal policy language, parsed when a topic is
//! added and evaluated by the server's timer.
//!
//! A policy reads `when <conditions> [remove '<selector>']`. The conditions supported here
//! are Diffusion's
//!
//! * `time after <epoch ms>` or `time after '<RFC 1123 date>'`,
//! * `[local] subscriptions < <n> for <period> [after <period>]`,
//! * `no updates for <period> [after <period>]`,
//! * `this session closes`,
//!
//! combined with `and`, `or` and parentheses (`and` binds tighter). Periods are a number and
//! a unit with no space between: `10s`, `5m`, `2h`, `1d`. `no [local] session has '<filter>'`
//! needs session filters and session properties, which the embedded server does not have:
//! such a policy is refused rather than accepted and never acted on. Keywords are matched
//! without regard to case.
//!
//! A `for` period counts from the later of the moment its condition began (the last update;
//! the moment subscriptions dropped below `n`) and the end of the `after` grace period, which
//! starts when the topic is created. Diffusion additionally starts a `for` period that is
//! joined by `and` to `time after` only once that time has passed; here each condition is
//! timed on its own.

use std::time::{Duration, Instant};

use diffusion_wire::Selector;

use crate::tree::SessionId;

/// Parentheses deeper than this are refused, so that no text can exhaust the parser's stack.
const MAX_DEPTH: usize = 32;

/// Why a `REMOVAL` property was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PolicyError {
    /// The text ended, or had something else, where the grammar needs a particular thing.
    #[error("expected {expected} at offset {at}, found {found}")]
    Expected {
        expected: String,
        found: String,
        at: usize,
    },
    /// A quote with no closing quote.
    #[error("unterminated quote at offset {0}")]
    UnterminatedQuote(usize),
    /// A character that starts no token of the language.
    #[error("unexpected character {0:?} at offset {1}")]
    UnexpectedChar(char, usize),
    /// A number with a unit that is not `s`, `m`, `h` or `d`, or too large a number.
    #[error("bad period {0:?}: a number and one of the units s, m, h, d with no space, as 10s")]
    BadPeriod(String),
    /// A number too large for the server.
    #[error("number {0} is out of range")]
    OutOfRange(String),
    /// A `time after` date that is not in RFC 1123 form.
    #[error("bad date {0:?}: expected RFC 1123 form, as 'Tue, 3 Jun 2018 11:05:30 GMT'")]
    BadDate(String),
    /// The `remove` clause's selector does not parse.
    #[error("bad selector in the remove clause: {0}")]
    BadSelector(String),
    /// `time after`, `subscriptions` and `no updates` may each appear once.
    #[error("the '{0}' condition may appear only once")]
    Repeated(&'static str),
    /// A condition of the language the embedded server does not evaluate.
    #[error("'{0}' conditions are not supported by the embedded server")]
    Unsupported(&'static str),
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    #[error("parentheses nested more than {0} deep")]
    TooDeep(usize),
}

/// A parsed removal policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) condition: Condition,
    /// The topics to remove when the condition holds; `None` means the topic itself.
    pub(crate) remove: Option<Selector>,
}

/// One condition or a combination of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Condition {
    /// The wall clock is past this many milliseconds since the epoch.
    TimeAfter(u64),
    /// Fewer than `below` subscribers for `period`, checked from `after` past creation.
    /// (`local` is accepted and means nothing here: there are no remote servers.)
    Subscriptions {
        below: u64,
        period: Duration,
        after: Duration,
    },
    /// No update for `period`, checked from `after` past creation.
    NoUpdates { period: Duration, after: Duration },
    /// The session that added the topic has closed.
    ThisSessionCloses,
    /// Both hold.
    And(Box<Condition>, Box<Condition>),
    /// Either holds.
    Or(Box<Condition>, Box<Condition>),
}

/// What a policy is judged on at one tick, besides the topic's own [`Watch`].
pub(crate) struct Now {
    pub(crate) instant: Instant,
    /// Wall-clock milliseconds since the epoch, for `time after`.
    pub(crate) epoch_ms: u64,
    /// The topic's subscriber count.
    pub(crate) subscribers: usize,
    /// Whether the session that added the topic is still open.
    pub(crate) creator_open: bool,
}

/// A topic's policy and the history it is judged on.
#[derive(Debug)]
pub(crate) struct Watch {
    pub(crate) policy: Policy,
    /// The session that added the topic, for `this session closes`.
    pub(crate) creator: SessionId,
    created: Instant,
    last_update: Instant,
    /// The last moment the topic had at least the `subscriptions` threshold; `None` if never.
    last_full: Option<Instant>,
}

impl Watch {
    pub(crate) fn new(policy: Policy, creator: SessionId, now: Instant) -> Self {
        Self {
            policy,
            creator,
            created: now,
            last_update: now,
            last_full: None,
        }
    }

    /// Records an update of the topic.
    pub(crate) fn updated(&mut self, now: Instant) {
        self.last_update = now;
    }

    /// Records a change of the subscriber count from `before`: if the topic was at or above
    /// the threshold until now, the period below it starts now. Called on every change, so a
    /// subscription that comes and goes between two ticks still restarts the period.
    pub(crate) fn subscribers_changed(&mut self, before: usize, now: Instant) {
        if let Some(below) = self.policy.condition.subscriptions_threshold() {
            if before as u64 >= below {
                self.last_full = Some(now);
            }
        }
    }

    /// Whether the policy's condition holds.
    pub(crate) fn holds(&self, now: &Now) -> bool {
        self.eval(&self.policy.condition, now)
    }

    fn eval(&self, c: &Condition, now: &Now) -> bool {
        // A `for` period runs from the later of the condition's start and the grace period's end.
        let elapsed = |since: Instant, period: Duration, after: Duration| {
            let start = since.max(self.created + after);
            now.instant >= start + period
        };
        match c {
            Condition::TimeAfter(ms) => now.epoch_ms >= *ms,
            Condition::Subscriptions {
                below,
                period,
                after,
            } => {
                (now.subscribers as u64) < *below
                    && elapsed(self.last_full.unwrap_or(self.created), *period, *after)
            }
            Condition::NoUpdates { period, after } => elapsed(self.last_update, *period, *after),
            Condition::ThisSessionCloses => !now.creator_open,
            Condition::And(a, b) => self.eval(a, now) && self.eval(b, now),
            Condition::Or(a, b) => self.eval(a, now) || self.eval(b, now),
        }
    }
}

impl Condition {
    fn subscriptions_threshold(&self) -> Option<u64> {
        match self {
            Condition::Subscriptions { below, .. } => Some(*below),
            Condition::And(a, b) | Condition::Or(a, b) => a
                .subscriptions_threshold()
                .or_else(|| b.subscriptions_threshold()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Number(String),
    Period(String),
    Quoted(String),
    Open,
    Close,
    Less,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) | Token::Number(w) | Token::Period(w) => format!("{w:?}"),
            Token::Quoted(q) => format!("quoted {q:?}"),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::Less => "'<'".into(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(Token, usize)>, PolicyError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let token = match c {
            '(' => {
                chars.next();
                Token::Open
            }
            ')' => {
                chars.next();
                Token::Close
            }
            '<' => {
                chars.next();
                Token::Less
            }
            '\'' | '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(PolicyError::UnterminatedQuote(at)),
                        // A backslash escapes a quote or a backslash, as Diffusion documents.
                        Some((_, '\\')) => match chars.next() {
                            Some((_, e)) => s.push(e),
                            None => return Err(PolicyError::UnterminatedQuote(at)),
                        },
                        Some((_, q)) if q == c => break,
                        Some((_, other)) => s.push(other),
                    }
                }
                Token::Quoted(s)
            }
            c if c.is_ascii_digit() => {
                let mut s = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_ascii_alphanumeric() {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                if s.bytes().all(|b| b.is_ascii_digit()) {
                    Token::Number(s)
                } else {
                    Token::Period(s)
                }
            }
            c if c.is_alphabetic() => {
                let mut s = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_alphanumeric() {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                Token::Word(s)
            }
            other => return Err(PolicyError::UnexpectedChar(other, at)),
        };
        out.push((token, at));
    }
    Ok(out)
}

/// Parses a `REMOVAL` property value.
pub(crate) fn parse(text: &str) -> Result<Policy, PolicyError> {
    let mut p = Parser {
        tokens: lex(text)?,
        pos: 0,
        end: text.len(),
        seen: Vec::new(),
    };
    p.keyword("when")?;
    let condition = p.or(0)?;
    let remove = if p.peek_keyword("remove") {
        p.pos += 1;
        let s = p.quoted("a quoted topic selector")?;
        Some(Selector::parse(&s).map_err(|e| PolicyError::BadSelector(e.to_string()))?)
    } else {
        None
    };
    if let Some((t, at)) = p.tokens.get(p.pos) {
        return Err(PolicyError::Expected {
            expected: "'and', 'or', 'remove' or the end".into(),
            found: t.describe(),
            at: *at,
        });
    }
    Ok(Policy { condition, remove })
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    end: usize,
    /// Conditions that may appear once, as met so far.
    seen: Vec<&'static str>,
}

impl Parser {
    fn next(&mut self, expected: &'static str) -> Result<(Token, usize), PolicyError> {
        match self.tokens.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.clone())
            }
            None => Err(PolicyError::Expected {
                expected: expected.into(),
                found: "the end".into(),
                at: self.end,
            }),
        }
    }

    fn unexpected(expected: &'static str, (t, at): (Token, usize)) -> PolicyError {
        PolicyError::Expected {
            expected: expected.into(),
            found: t.describe(),
            at,
        }
    }

    fn peek_keyword(&self, k: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some((Token::Word(w), _)) if w.eq_ignore_ascii_case(k))
    }

    fn keyword(&mut self, k: &'static str) -> Result<(), PolicyError> {
        let quoted = || format!("'{k}'");
        match self.tokens.get(self.pos).cloned() {
            Some((Token::Word(w), _)) if w.eq_ignore_ascii_case(k) => {
                self.pos += 1;
                Ok(())
            }
            Some((t, at)) => Err(PolicyError::Expected {
                expected: quoted(),
                found: t.describe(),
                at,
            }),
            None => Err(PolicyError::Expected {
                expected: quoted(),
                found: "the end".into(),
                at: self.end,
            }),
        }
    }

    fn quoted(&mut self, expected: &'static str) -> Result<String, PolicyError> {
        match self.next(expected)? {
            (Token::Quoted(s), _) => Ok(s),
            other => Err(Self::unexpected(expected, other)),
        }
    }

    fn once(&mut self, name: &'static str) -> Result<(), PolicyError> {
        if self.seen.contains(&name) {
            return Err(PolicyError::Repeated(name));
        }
        self.seen.push(name);
        Ok(())
    }

    fn or(&mut self, depth: usize) -> Result<Condition, PolicyError> {
        let mut c = self.and(depth)?;
        while self.peek_keyword("or") {
            self.pos += 1;
            c = Condition::Or(Box::new(c), Box::new(self.and(depth)?));
        }
        Ok(c)
    }

    fn and(&mut self, depth: usize) -> Result<Condition, PolicyError> {
        let mut c = self.primary(depth)?;
        while self.peek_keyword("and") {
            self.pos += 1;
            c = Condition::And(Box::new(c), Box::new(self.primary(depth)?));
        }
        Ok(c)
    }

    fn primary(&mut self, depth: usize) -> Result<Condition, PolicyError> {
        const A_CONDITION: &str =
            "a condition ('time after', 'subscriptions', 'no updates', 'this session closes') or '('";
        let (t, at) = self.next(A_CONDITION)?;
        let word = match &t {
            Token::Open => {
                if depth >= MAX_DEPTH {
                    return Err(PolicyError::TooDeep(MAX_DEPTH));
                }
                let c = self.or(depth + 1)?;
                return match self.next("')'")? {
                    (Token::Close, _) => Ok(c),
                    other => Err(Self::unexpected("')'", other)),
                };
            }
            Token::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(Self::unexpected(A_CONDITION, (t, at))),
        };
        match word.as_str() {
            "time" => {
                self.once("time after")?;
                self.keyword("after")?;
                match self.next("a time: epoch milliseconds or a quoted RFC 1123 date")? {
                    (Token::Number(n), _) => Ok(Condition::TimeAfter(
                        n.parse().map_err(|_| PolicyError::OutOfRange(n))?,
                    )),
                    (Token::Quoted(d), _) => Ok(Condition::TimeAfter(
                        rfc1123_ms(&d).ok_or(PolicyError::BadDate(d))?,
                    )),
                    other => Err(Self::unexpected(
                        "epoch milliseconds or a quoted RFC 1123 date",
                        other,
                    )),
                }
            }
            "local" | "subscriptions" => {
                if word == "local" {
                    self.keyword("subscriptions")?;
                }
                self.once("subscriptions")?;
                match self.next("'<'")? {
                    (Token::Less, _) => {}
                    other => return Err(Self::unexpected("'<'", other)),
                }
                let below = match self.next("a number of subscriptions")? {
                    (Token::Number(n), _) => n.parse().map_err(|_| PolicyError::OutOfRange(n))?,
                    other => return Err(Self::unexpected("a number of subscriptions", other)),
                };
                let (period, after) = self.periods()?;
                Ok(Condition::Subscriptions {
                    below,
                    period,
                    after,
                })
            }
            "no" => {
                if self.peek_keyword("updates") {
                    self.pos += 1;
                    self.once("no updates")?;
                    let (period, after) = self.periods()?;
                    Ok(Condition::NoUpdates { period, after })
                } else if self.peek_keyword("session") || self.peek_keyword("local") {
                    Err(PolicyError::Unsupported("no session has"))
                } else {
                    let found = self.next("'updates' or 'session'")?;
                    Err(Self::unexpected("'updates' or 'session'", found))
                }
            }
            "this" => {
                self.keyword("session")?;
                self.keyword("closes")?;
                Ok(Condition::ThisSessionCloses)
            }
            _ => Err(Self::unexpected(A_CONDITION, (t, at))),
        }
    }

    /// `for <period> [after <period>]`.
    fn periods(&mut self) -> Result<(Duration, Duration), PolicyError> {
        self.keyword("for")?;
        let period = self.period()?;
        let after = if self.peek_keyword("after") {
            self.pos += 1;
            self.period()?
        } else {
            Duration::ZERO
        };
        Ok((period, after))
    }

    fn period(&mut self) -> Result<Duration, PolicyError> {
        match self.next("a period, as 10s")? {
            (Token::Period(p), _) => period(&p).ok_or(PolicyError::BadPeriod(p)),
            other => Err(Self::unexpected("a period, as 10s", other)),
        }
    }
}

/// `10s`, `5m`, `2h`, `1d`. Periods past a century are refused: no timer needs them, and
/// `Instant` arithmetic on them could overflow.
fn period(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok()?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let secs = n.checked_mul(scale)?;
    (secs <= 100 * 365 * 86_400).then(|| Duration::from_secs(secs))
}

/// Milliseconds since the epoch of an RFC 1123 date, as Java's `RFC_1123_DATE_TIME` reads
/// it: `[Day, ]d Mon yyyy HH:mm[:ss] (GMT|±HHMM)`. The day name, when given, is checked to
/// be one but not against the date.
fn rfc1123_ms(text: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let rest = match text.split_once(',') {
        Some((day, rest)) if DAYS.contains(&day.trim()) => rest,
        Some(_) => return None,
        None => text,
    };
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, time, zone] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str, len: std::ops::RangeInclusive<usize>| -> Option<i64> {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let day = num(day, 1..=2)?;
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let year = num(year, 4..=4)?;
    let hms: Vec<&str> = time.split(':').collect();
    let (h, m, s) = match hms.as_slice() {
        [h, m] => (num(h, 2..=2)?, num(m, 2..=2)?, 0),
        [h, m, s] => (num(h, 2..=2)?, num(m, 2..=2)?, num(s, 2..=2)?),
        _ => return None,
    };
    let offset_secs = match *zone {
        "GMT" => 0,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let hh = num(&z[1..3], 2..=2)?;
            let mm = num(&z[3..5], 2..=2)?;
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (hh * 3600 + mm * 60)
        }
        _ => return None,
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > month_days[(month - 1) as usize] || h > 23 || m > 59 || s > 59 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s - offset_secs;
    u64::try_from(secs).ok()?.checked_mul(1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn parses_each_condition() {
        assert_eq!(
            parse("when time after 1518780068112").unwrap().condition,
            Condition::TimeAfter(1_518_780_068_112)
        );
        assert_eq!(
            parse("when subscriptions < 2 for 20m after 1h")
                .unwrap()
                .condition,
            Condition::Subscriptions {
                below: 2,
                period: secs(1200),
                after: secs(3600)
            }
        );
        assert_eq!(
            parse("WHEN local subscriptions<1 for 10s")
                .unwrap()
                .condition,
            Condition::Subscriptions {
                below: 1,
                period: secs(10),
                after: Duration::ZERO
            }
        );
        assert_eq!(
            parse("when no updates for 15m after 1d").unwrap().condition,
            Condition::NoUpdates {
                period: secs(900),
                after: secs(86_400)
            }
        );
        assert_eq!(
            parse("when this session closes").unwrap().condition,
            Condition::ThisSessionCloses
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_regroup() {
        let t = || Box::new(Condition::TimeAfter(1));
        let s = || {
            Box::new(Condition::Subscriptions {
                below: 2,
                period: secs(600),
                after: secs(3600),
            })
        };
        let u = || {
            Box::new(Condition::NoUpdates {
                period: secs(1200),
                after: Duration::ZERO,
            })
        };
        assert_eq!(
            parse("when time after 1 and subscriptions < 2 for 10m after 1h or no updates for 20m")
                .unwrap()
                .condition,
            Condition::Or(Box::new(Condition::And(t(), s())), u())
        );
        assert_eq!(
            parse(
                "when time after 1 and (subscriptions < 2 for 10m after 1h or no updates for 20m)"
            )
            .unwrap()
            .condition,
            Condition::And(t(), Box::new(Condition::Or(s(), u())))
        );
    }

    #[test]
    fn reads_rfc_1123_dates_and_the_remove_clause() {
        let p = parse(r#"when time after "Tue, 3 Jun 2018 11:05:30 GMT" remove "*alpha/beta//""#)
            .unwrap();
        // 2018-06-03T11:05:30Z
        assert_eq!(p.condition, Condition::TimeAfter(1_528_023_930_000));
        assert_eq!(p.remove.unwrap().as_str(), "*alpha/beta//");
        // Without the day name, without seconds, with an offset.
        assert_eq!(
            rfc1123_ms("3 Jun 2018 12:05 +0100"),
            Some(1_528_023_900_000)
        );
        assert_eq!(rfc1123_ms("Thu, 1 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            rfc1123_ms("Thu, 29 Feb 2024 00:00:00 GMT"),
            Some(1_709_164_800_000)
        );
        for bad in [
            "30 Feb 2024 00:00 GMT",
            "Xyz, 1 Jan 2020 00:00 GMT",
            "1 Jan 2020 24:00 GMT",
            "1 January 2020 00:00 GMT",
            "1 Jan 2020 00:00 CET",
            "1 Jan 1969 00:00 GMT",
        ] {
            assert_eq!(rfc1123_ms(bad), None, "{bad}");
        }
        // Escaped quotes inside a quoted selector.
        let p = parse(r"when this session closes remove '?a\'b/'").unwrap();
        assert_eq!(p.remove.unwrap().as_str(), "?a'b/");
    }

    #[test]
    fn refuses_bad_policies_with_a_reason() {
        let err = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            err("time after 5"),
            r#"expected 'when' at offset 0, found "time""#
        );
        assert_eq!(
            err("when"),
            "expected a condition ('time after', 'subscriptions', 'no updates', 'this session \
             closes') or '(' at offset 4, found the end"
        );
        assert_eq!(
            err("when no updates for 10"),
            r#"expected a period, as 10s at offset 20, found "10""#
        );
        assert_eq!(
            err("when no updates for 10x"),
            r#"bad period "10x": a number and one of the units s, m, h, d with no space, as 10s"#
        );
        assert_eq!(
            err("when no updates for 10 s"),
            r#"expected a period, as 10s at offset 20, found "10""#
        );
        assert_eq!(
            err("when no updates for 1s or no updates for 2s"),
            "the 'no updates' condition may appear only once"
        );
        assert_eq!(
            err("when no session has '$Principal is \"a\"'"),
            "'no session has' conditions are not supported by the embedded server"
        );
        assert!(err("when time after 1 remove '?('").starts_with("bad selector"));
        assert!(err("when time after 1 extra").starts_with("expected 'and', 'or', 'remove'"));
        assert_eq!(err("when time after 'x"), "unterminated quote at offset 16");
        assert_eq!(
            err("when time after 1 & 2"),
            "unexpected character '&' at offset 18"
        );
        assert_eq!(
            err("when time after 99999999999999999999"),
            "number 99999999999999999999 is out of range"
        );
        assert_eq!(
            err(&format!("when {}time after 1", "(".repeat(40))),
            "parentheses nested more than 32 deep"
        );
        assert!(err("when (time after 1").starts_with("expected ')'"));
        assert_eq!(
            err("when no updates for 99999999d"),
            r#"bad period "99999999d": a number and one of the units s, m, h, d with no space, as 10s"#
        );
    }

    fn now(instant: Instant, subscribers: usize) -> Now {
        Now {
            instant,
            epoch_ms: 0,
            subscribers,
            creator_open: true,
        }
    }

    #[test]
    fn no_updates_counts_from_the_last_update_and_the_grace_period() {
        let t0 = Instant::now();
        let mut w = Watch::new(parse("when no updates for 2s").unwrap(), 1, t0);
        assert!(!w.holds(&now(t0 + secs(1), 0)));
        w.updated(t0 + secs(1));
        assert!(!w.holds(&now(t0 + secs(2), 0)));
        assert!(w.holds(&now(t0 + secs(3), 0)));

        let w = Watch::new(parse("when no updates for 2s after 10s").unwrap(), 1, t0);
        assert!(!w.holds(&now(t0 + secs(11), 0)));
        assert!(w.holds(&now(t0 + secs(12), 0)));
    }

    #[test]
    fn subscriptions_below_counts_from_the_last_moment_at_the_threshold() {
        let t0 = Instant::now();
        let mut w = Watch::new(parse("when subscriptions < 1 for 2s").unwrap(), 1, t0);
        w.subscribers_changed(0, t0 + secs(1)); // 0 -> 1
        assert!(!w.holds(&now(t0 + secs(5), 1)));
        w.subscribers_changed(1, t0 + secs(5)); // 1 -> 0
        assert!(!w.holds(&now(t0 + secs(6), 0)));
        assert!(w.holds(&now(t0 + secs(7), 0)));
        // Never subscribed: the period runs from creation.
        let w = Watch::new(parse("when subscriptions < 1 for 2s").unwrap(), 1, t0);
        assert!(w.holds(&now(t0 + secs(2), 0)));
    }

    #[test]
    fn time_after_and_this_session_closes() {
        let t0 = Instant::now();
        let w = Watch::new(parse("when time after 1000").unwrap(), 1, t0);
        let at = |epoch_ms| Now {
            epoch_ms,
            ..now(t0, 0)
        };
        assert!(!w.holds(&at(999)));
        assert!(w.holds(&at(1000)));
        let w = Watch::new(
            parse("when this session closes and time after 1000").unwrap(),
            1,
            t0,
        );
        assert!(!w.holds(&at(2000)));
        assert!(w.holds(&Now {
            creator_open: false,
            ..at(2000)
        }));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
            let _ = parse(&text);
        }

        #[test]
        fn policy_like_text_never_panics(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "when", "time", "after", "subscriptions", "<", "no", "updates", "for",
                    "and", "or", "(", ")", "remove", "'?a/'", "10s", "5", "this", "session",
                    "closes", "local", "\"Tue, 3 Jun 2018 11:05:30 GMT\"", "99999999999999999999d",
                ]),
                0..20,
            )
        ) {
            let _ = parse(&words.join(" "));
        }
    }
}
