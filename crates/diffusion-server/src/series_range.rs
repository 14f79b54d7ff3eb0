//! Time series range expressions, the values of `TIME_SERIES_RETAINED_RANGE` and
//! `TIME_SERIES_SUBSCRIPTION_RANGE`: clauses `limit <n>` and `last <n><unit>` (units `ms`,
//! `s`, `h`, as the SDKs document), any order, any case. With both clauses, the narrower
//! range wins: an event is kept only if both keep it.

/// A window at the end of a series: the latest `limit` events, and/or the events no older
/// than `last_ms` before the latest event's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Window {
    pub(crate) limit: Option<u64>,
    pub(crate) last_ms: Option<i64>,
}

impl Window {
    /// What a time series retains when `TIME_SERIES_RETAINED_RANGE` is not set: its ten
    /// latest events (documented by both SDKs).
    pub(crate) const DEFAULT_RETAINED: Window = Window {
        limit: Some(10),
        last_ms: None,
    };
}

/// Why a range expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RangeError {
    #[error("expected `limit <count>` or `last <duration>` clauses, found {0:?}")]
    Clause(String),
    #[error("{0:?} is not a count")]
    Count(String),
    #[error("{0:?} is not a duration (a whole number then ms, s or h)")]
    Duration(String),
    #[error("the {0} clause is given twice")]
    Repeated(&'static str),
    #[error("an empty range expression")]
    Empty,
}

pub(crate) fn parse(text: &str) -> Result<Window, RangeError> {
    let mut w = Window::default();
    let mut words = text.split_whitespace();
    let mut any = false;
    while let Some(word) = words.next() {
        any = true;
        let arg = words.next().unwrap_or("");
        match word.to_ascii_lowercase().as_str() {
            "limit" => {
                let n = arg
                    .parse::<u64>()
                    .map_err(|_| RangeError::Count(arg.into()))?;
                if w.limit.replace(n).is_some() {
                    return Err(RangeError::Repeated("limit"));
                }
            }
            "last" => {
                let ms = duration_ms(arg).ok_or_else(|| RangeError::Duration(arg.into()))?;
                if w.last_ms.replace(ms).is_some() {
                    return Err(RangeError::Repeated("last"));
                }
            }
            _ => return Err(RangeError::Clause(word.into())),
        }
    }
    if !any {
        return Err(RangeError::Empty);
    }
    Ok(w)
}

fn duration_ms(s: &str) -> Option<i64> {
    let s = s.to_ascii_lowercase();
    let digits = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(digits);
    let n: i64 = n.parse().ok()?;
    let factor = match unit {
        "ms" => 1,
        "s" => 1_000,
        "h" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_forms() {
        let w = |limit, last_ms| Window { limit, last_ms };
        assert_eq!(parse("limit 5"), Ok(w(Some(5), None)));
        assert_eq!(parse("last 10s"), Ok(w(None, Some(10_000))));
        assert_eq!(parse("last 10s limit 5"), Ok(w(Some(5), Some(10_000))));
        assert_eq!(parse("LIMIT 5 LAST 10S"), Ok(w(Some(5), Some(10_000))));
        assert_eq!(parse("last 1h"), Ok(w(None, Some(3_600_000))));
        assert_eq!(parse("last 250ms"), Ok(w(None, Some(250))));
        assert_eq!(parse("limit 0"), Ok(w(Some(0), None)));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "limit",
            "limit -1",
            "limit x",
            "last 10",
            "last 10d",
            "last s",
            "first 3",
            "limit 1 limit 2",
            "last 1s last 2s",
            "last 99999999999999999h",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
