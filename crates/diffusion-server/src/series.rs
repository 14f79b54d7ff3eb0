//! The events of one time series topic: appends and edits, the retained range, what a new
//! subscriber is sent first, and range queries.
//!
//! Each event is encoded once, when it is added, into the TOPIC_VALUE body subscribers
//! receive; that one `Bytes` is shared by every subscriber's frame and by query results
//! (which reuse the value slice of it), so an append costs the event's own allocations only.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use diffusion_wire::timeseries::{
    self, EventMetadata, Point, PointType, QueryType, RangeQueryRequest, RangeQueryResult,
};
use diffusion_wire::topic::{TIME_SERIES_RETAINED_RANGE, TIME_SERIES_SUBSCRIPTION_RANGE};
use diffusion_wire::{ErrorReason, TopicSpecification, TopicType, Value, Writer};

use crate::series_range::{self, Window};

/// One stored event.
pub(crate) struct Stored {
    pub(crate) metadata: EventMetadata,
    pub(crate) original: Option<EventMetadata>,
    /// The event as a subscriber's TOPIC_VALUE body.
    pub(crate) topic_value: Bytes,
    /// The value's bytes: a slice of `topic_value`.
    value: Bytes,
}

pub(crate) struct Series {
    pub(crate) event_type: TopicType,
    retained: Window,
    /// `None`: the default, the latest event (or none, with PUBLISH_VALUES_ONLY).
    subscription: Option<Window>,
    /// Delta streams are on unless PUBLISH_VALUES_ONLY: then a new subscriber always gets at
    /// least the latest event.
    latest_always: bool,
    events: VecDeque<Stored>,
    next_sequence: u64,
}

fn invalid_spec(why: String) -> ErrorReason {
    ErrorReason::new(ErrorReason::TOPIC_SPECIFICATION_INVALID, why)
}

fn invalid_query(why: impl Into<String>) -> ErrorReason {
    ErrorReason::new(ErrorReason::INVALID_DATA, why)
}

impl Series {
    /// The series for a new TIME_SERIES topic, or why its specification is refused: the event
    /// value type must be one of JSON, string, int64, double and binary, and the range
    /// properties must parse.
    pub(crate) fn new(spec: &TopicSpecification) -> Result<Series, ErrorReason> {
        let event_type = spec.event_type().ok_or_else(|| {
            invalid_spec(format!(
                "a time series topic needs TIME_SERIES_EVENT_VALUE_TYPE of json, string, int64, double or binary (got {:?})",
                spec.property(diffusion_wire::topic::TIME_SERIES_EVENT_VALUE_TYPE)
            ))
        })?;
        let range = |key: &str| -> Result<Option<Window>, ErrorReason> {
            spec.property(key)
                .map(|text| {
                    series_range::parse(text)
                        .map_err(|e| invalid_spec(format!("invalid {key} {text:?}: {e}")))
                })
                .transpose()
        };
        let retained = range(TIME_SERIES_RETAINED_RANGE)?.unwrap_or(Window::DEFAULT_RETAINED);
        let subscription = range(TIME_SERIES_SUBSCRIPTION_RANGE)?;
        let values_only = spec
            .property("PUBLISH_VALUES_ONLY")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Ok(Series {
            event_type,
            retained,
            subscription,
            latest_always: !values_only,
            events: VecDeque::new(),
            next_sequence: 0,
        })
    }

    /// Adds an original event, applies the retained range, and returns the new event.
    /// `timestamp_ms` given by the caller may not be earlier than the latest event's; the
    /// server's clock is held to the same rule, so timestamps never go backwards.
    pub(crate) fn append(
        &mut self,
        value: &[u8],
        author: &str,
        now_ms: i64,
        timestamp_ms: Option<i64>,
    ) -> Result<&Stored, ErrorReason> {
        self.check_value(value)?;
        let latest = self.events.back().map(|e| e.metadata.timestamp_ms);
        let timestamp_ms = match (timestamp_ms, latest) {
            (Some(t), Some(l)) if t < l => {
                return Err(ErrorReason::new(
                    ErrorReason::INVALID_DATA,
                    format!("timestamp {t} is earlier than the latest event's ({l})"),
                ))
            }
            (Some(t), _) => t,
            (None, l) => now_ms.max(l.unwrap_or(i64::MIN)),
        };
        Ok(self.push(value, author, timestamp_ms, None))
    }

    /// Adds an edit of the original event `original_sequence`; error 9002 when the series
    /// holds no such original event (never held, no longer retained, or an edit).
    pub(crate) fn edit(
        &mut self,
        original_sequence: u64,
        value: &[u8],
        author: &str,
        now_ms: i64,
    ) -> Result<&Stored, ErrorReason> {
        let original = self
            .find(original_sequence)
            .filter(|e| e.original.is_none())
            .map(|e| e.metadata.clone())
            .ok_or_else(|| {
                ErrorReason::new(
                    ErrorReason::NO_SUCH_EVENT,
                    format!("no original event with sequence {original_sequence} is retained"),
                )
            })?;
        self.check_value(value)?;
        let latest = self
            .events
            .back()
            .map_or(i64::MIN, |e| e.metadata.timestamp_ms);
        Ok(self.push(value, author, now_ms.max(latest), Some(original)))
    }

    fn check_value(&self, value: &[u8]) -> Result<(), ErrorReason> {
        Value::validate(self.event_type, value)
            .map_err(|e| ErrorReason::new(ErrorReason::INVALID_DATA, e.to_string()))
    }

    fn find(&self, sequence: u64) -> Option<&Stored> {
        // Sequences are contiguous from the front's.
        let first = self.events.front()?.metadata.sequence;
        let i = sequence.checked_sub(first)?;
        self.events.get(usize::try_from(i).ok()?)
    }

    fn push(
        &mut self,
        value: &[u8],
        author: &str,
        timestamp_ms: i64,
        original: Option<EventMetadata>,
    ) -> &Stored {
        let metadata = EventMetadata {
            sequence: self.next_sequence,
            timestamp_ms,
            author: author.to_owned(),
        };
        self.next_sequence += 1;
        let mut w = Writer::with_capacity(value.len() + 2 * author.len() + 48);
        timeseries::write_event(&mut w, &metadata, original.as_ref(), value);
        let topic_value = w.finish();
        let value = topic_value.slice(topic_value.len() - value.len()..);
        self.events.push_back(Stored {
            metadata,
            original,
            topic_value,
            value,
        });
        self.retain();
        self.events.back().expect("just pushed")
    }

    /// Drops the events outside the retained range. The latest event is always kept, even
    /// with `limit 0`, so an append's answer names an event the series holds.
    fn retain(&mut self) {
        let Window { limit, last_ms } = self.retained;
        if let Some(limit) = limit {
            let keep = limit.max(1) as usize;
            while self.events.len() > keep {
                self.events.pop_front();
            }
        }
        if let Some(last) = last_ms {
            let newest = self.events.back().map_or(0, |e| e.metadata.timestamp_ms);
            while self
                .events
                .front()
                .is_some_and(|e| e.metadata.timestamp_ms < newest.saturating_sub(last))
            {
                self.events.pop_front();
            }
        }
    }

    /// The events a new subscriber is sent first, oldest first: the latest-edits view of the
    /// series (originals, and only the latest edit of each), cut to the subscription range;
    /// at least the latest event unless PUBLISH_VALUES_ONLY.
    pub(crate) fn subscription_events(&self) -> Vec<Bytes> {
        let Some(last) = self.events.back() else {
            return Vec::new();
        };
        let Some(window) = self.subscription else {
            return if self.latest_always {
                vec![last.topic_value.clone()]
            } else {
                Vec::new()
            };
        };
        let latest_edit = self.latest_edits();
        let view: Vec<&Stored> = self
            .events
            .iter()
            .filter(|e| !superseded(e, &latest_edit))
            .collect();
        let newest = last.metadata.timestamp_ms;
        let mut from = view
            .len()
            .saturating_sub(window.limit.map_or(usize::MAX, |l| l as usize));
        if let Some(ms) = window.last_ms {
            while from < view.len() && view[from].metadata.timestamp_ms < newest.saturating_sub(ms)
            {
                from += 1;
            }
        }
        if from == view.len() && self.latest_always {
            from = view.len() - 1;
        }
        view[from..].iter().map(|e| e.topic_value.clone()).collect()
    }

    /// For each original with edits, its latest edit's sequence.
    fn latest_edits(&self) -> HashMap<u64, u64> {
        let mut m = HashMap::new();
        for e in &self.events {
            if let Some(o) = &e.original {
                m.insert(o.sequence, e.metadata.sequence);
            }
        }
        m
    }

    /// Answers a range query: the result payload, at most `max_bytes` long. A result that
    /// would be longer stops at the last whole event that fits; its selected count still says
    /// how many events the query selected, so the SDKs report it incomplete, as they do for
    /// a `limit`.
    pub(crate) fn query(
        &self,
        q: &RangeQueryRequest,
        max_bytes: usize,
    ) -> Result<Bytes, ErrorReason> {
        let selected = self.select(q)?;
        let limit = usize::try_from(q.limit.max(0)).unwrap_or(usize::MAX);
        let mut take = selected.len().min(limit);
        // An upper bound on each event's share of the result, so the result never exceeds
        // `max_bytes`: a tag, two metadata of at most 10 + 10 bytes and a code of at most
        // 6, the value with a 5-byte length, and the author table entries it may add (at
        // most two, each a tag, a code, a 5-byte length and the name).
        let header = 16 + 10 + 5;
        let mut size = header;
        for (i, e) in selected.iter().take(take).enumerate() {
            let authors =
                e.metadata.author.len() + e.original.as_ref().map_or(0, |o| o.author.len());
            let cost = 1 + 2 * 26 + 5 + e.value.len() + 2 * 12 + authors;
            if size + cost > max_bytes {
                take = i;
                break;
            }
            size += cost;
        }
        let mut w = Writer::with_capacity(size);
        RangeQueryResult::write_events(
            &mut w,
            self.event_type,
            selected.len() as u64,
            selected[..take]
                .iter()
                .map(|e| (&e.metadata, e.original.as_ref(), &e.value[..])),
        );
        Ok(w.finish())
    }

    /// The events a query selects, in result order, before its limit.
    fn select(&self, q: &RangeQueryRequest) -> Result<Vec<&Stored>, ErrorReason> {
        let all: Vec<&Stored> = self.events.iter().collect();
        let originals: Vec<&Stored> = all
            .iter()
            .copied()
            .filter(|e| e.original.is_none())
            .collect();
        // The view range counts original events; the edit range counts events of any type.
        let view = bounds(&originals, q.view_range.anchor, q.view_range.span)?;
        let edit = bounds(&all, q.edit_range.anchor, q.edit_range.span)?;
        let in_view = |seq: u64| view.is_some_and(|(lo, hi)| (lo..=hi).contains(&seq));
        let in_edit = |seq: u64| edit.is_some_and(|(lo, hi)| (lo..=hi).contains(&seq));
        let latest = self.latest_edits_in(&all, &in_edit);
        Ok(match q.query_type {
            QueryType::Values => originals
                .iter()
                .filter(|o| in_view(o.metadata.sequence))
                .filter_map(|o| match latest.get(&o.metadata.sequence) {
                    Some(&edit_seq) => self.find(edit_seq),
                    None => in_edit(o.metadata.sequence).then_some(*o),
                })
                .collect(),
            QueryType::AllEdits | QueryType::LatestEdits => all
                .iter()
                .copied()
                .filter(|e| in_edit(e.metadata.sequence))
                .filter(|e| match &e.original {
                    None => in_view(e.metadata.sequence),
                    Some(o) => {
                        in_view(o.sequence)
                            && (q.query_type == QueryType::AllEdits
                                || latest.get(&o.sequence) == Some(&e.metadata.sequence))
                    }
                })
                .collect(),
        })
    }

    /// For each original, its latest edit among the events `in_edit` accepts.
    fn latest_edits_in(
        &self,
        all: &[&Stored],
        in_edit: &impl Fn(u64) -> bool,
    ) -> HashMap<u64, u64> {
        let mut m = HashMap::new();
        for e in all {
            if let Some(o) = &e.original {
                if in_edit(e.metadata.sequence) {
                    m.insert(o.sequence, e.metadata.sequence);
                }
            }
        }
        m
    }
}

fn superseded(e: &Stored, latest_edit: &HashMap<u64, u64>) -> bool {
    match &e.original {
        // An original with an edit is replaced by it.
        None => latest_edit.contains_key(&e.metadata.sequence),
        Some(o) => latest_edit.get(&o.sequence) != Some(&e.metadata.sequence),
    }
}

/// Where a point falls: an index into the list (possibly outside it), or a sequence or time
/// to find in it.
#[derive(Clone, Copy)]
enum Pos {
    Index(i64),
    Sequence(i64),
    Time(i64),
}

/// The first index at or after `p`, and the last at or before it (`None` when there is none).
fn at_or_after(list: &[&Stored], p: Pos) -> Option<usize> {
    let i = match p {
        Pos::Index(k) => k.max(0) as usize,
        Pos::Sequence(s) => list.partition_point(|e| (e.metadata.sequence as i64) < s),
        Pos::Time(t) => list.partition_point(|e| e.metadata.timestamp_ms < t),
    };
    (i < list.len()).then_some(i)
}

fn at_or_before(list: &[&Stored], p: Pos) -> Option<usize> {
    let after = match p {
        Pos::Index(k) => (k.saturating_add(1)).clamp(0, list.len() as i64) as usize,
        Pos::Sequence(s) => list.partition_point(|e| (e.metadata.sequence as i64) <= s),
        Pos::Time(t) => list.partition_point(|e| e.metadata.timestamp_ms <= t),
    };
    after.checked_sub(1)
}

/// The sequences, lowest and highest, of the events of `list` that a range selects: from
/// the anchor forwards to an end point after it, or backwards to one before it.
fn bounds(list: &[&Stored], anchor: Point, span: Point) -> Result<Option<(u64, u64)>, ErrorReason> {
    if list.is_empty() {
        return Ok(None);
    }
    let len = list.len() as i64;
    let last_ts = list[list.len() - 1].metadata.timestamp_ms;
    let a = match anchor.kind {
        PointType::AbsoluteStart => Pos::Index(0),
        PointType::AbsoluteSequence => Pos::Sequence(anchor.value),
        PointType::AbsoluteTime => Pos::Time(anchor.value),
        PointType::OffsetSequence => Pos::Index(len.saturating_sub(anchor.value)),
        PointType::OffsetTime => Pos::Time(last_ts.saturating_sub(anchor.value)),
        other => {
            return Err(invalid_query(format!(
                "{other:?} cannot be a range's anchor"
            )))
        }
    };
    let n = span.value;
    let idx = match span.kind {
        PointType::NextCount => {
            let Some(i) = at_or_after(list, a) else {
                return Ok(None);
            };
            (n > 0).then(|| (i, (i as i64).saturating_add(n - 1).min(len - 1) as usize))
        }
        PointType::PreviousCount => {
            let Some(i) = at_or_before(list, a) else {
                return Ok(None);
            };
            (n > 0).then(|| ((i as i64 - n + 1).max(0) as usize, i))
        }
        PointType::NextTime => {
            let Some(i) = at_or_after(list, a) else {
                return Ok(None);
            };
            let from = list[i].metadata.timestamp_ms;
            at_or_before(list, Pos::Time(from.saturating_add(n))).map(|j| (i, j))
        }
        PointType::PreviousTime => {
            let Some(i) = at_or_before(list, a) else {
                return Ok(None);
            };
            let to = list[i].metadata.timestamp_ms;
            at_or_after(list, Pos::Time(to.saturating_sub(n))).map(|j| (j, i))
        }
        absolute => {
            let end = match absolute {
                PointType::AbsoluteStart => Pos::Index(0),
                PointType::AbsoluteSequence => Pos::Sequence(n),
                PointType::AbsoluteTime => Pos::Time(n),
                PointType::OffsetSequence => Pos::Index(len - 1 - n.max(0)),
                PointType::OffsetTime => Pos::Time(last_ts.saturating_sub(n)),
                _ => unreachable!("relative spans are handled above"),
            };
            // Forwards when the end is after the anchor, else backwards. An end counted
            // from the end of the series (the default span, `untilLast`) only goes forwards:
            // an anchor past the last event selects nothing rather than the last event, so
            // a reader paging on from its last sequence + 1 gets nothing new twice.
            let from_end = matches!(absolute, PointType::OffsetSequence | PointType::OffsetTime);
            match (at_or_after(list, a), at_or_before(list, end)) {
                (Some(i), Some(j)) if j >= i => Some((i, j)),
                _ if from_end => None,
                _ => match (at_or_before(list, a), at_or_after(list, end)) {
                    (Some(i), Some(j)) if j <= i => Some((j, i)),
                    _ => None,
                },
            }
        }
    };
    Ok(idx.map(|(i, j)| (list[i].metadata.sequence, list[j].metadata.sequence)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diffusion_wire::service::Payload;
    use diffusion_wire::timeseries::{Range, RawEvent};

    fn series(props: &[(&str, &str)]) -> Series {
        let mut spec = TopicSpecification::time_series(TopicType::String);
        for (k, v) in props {
            spec = spec.with_property(*k, *v);
        }
        Series::new(&spec).unwrap()
    }

    fn s(text: &str) -> Vec<u8> {
        Value::String(text.into()).encode().unwrap().to_vec()
    }

    fn query(
        series: &Series,
        q: QueryType,
        view: Range,
        edit: Range,
        limit: i64,
    ) -> RangeQueryResult {
        let req = RangeQueryRequest {
            path: "p".into(),
            query_type: q,
            view_range: view,
            edit_range: edit,
            limit,
        };
        RangeQueryResult::decode(&series.query(&req, usize::MAX).unwrap()).unwrap()
    }

    fn seqs(r: &RangeQueryResult) -> Vec<u64> {
        r.events.iter().map(|e| e.metadata.sequence).collect()
    }

    fn point(kind: PointType, value: i64) -> Point {
        Point { value, kind }
    }

    /// The SDK documentation's example: A, B, then X and Y editing A.
    fn example() -> Series {
        let mut t = series(&[("TIME_SERIES_RETAINED_RANGE", "limit 100")]);
        t.append(&s("A"), "a", 1, None).unwrap();
        t.append(&s("B"), "a", 2, None).unwrap();
        t.edit(0, &s("X"), "b", 3).unwrap();
        t.edit(0, &s("Y"), "b", 4).unwrap();
        t
    }

    #[test]
    fn the_three_query_types_on_the_documented_example() {
        let t = example();
        let all = Range::ALL;
        assert_eq!(
            seqs(&query(&t, QueryType::Values, all, all, i64::MAX)),
            [3, 1]
        );
        assert_eq!(
            seqs(&query(&t, QueryType::AllEdits, all, all, i64::MAX)),
            [0, 1, 2, 3]
        );
        assert_eq!(
            seqs(&query(&t, QueryType::LatestEdits, all, all, i64::MAX)),
            [0, 1, 3]
        );
        let v = query(&t, QueryType::Values, all, all, i64::MAX);
        assert_eq!(v.events[0].original.as_ref().unwrap().sequence, 0);
        assert_eq!(v.events[0].value, s("Y"));
    }

    #[test]
    fn an_edit_of_an_unknown_or_edit_event_is_9002() {
        let mut t = example();
        for seq in [2, 9] {
            assert_eq!(
                t.edit(seq, &s("Z"), "a", 5).err().unwrap().code,
                ErrorReason::NO_SUCH_EVENT
            );
        }
    }

    #[test]
    fn ranges_by_sequence_count_and_time() {
        let mut t = series(&[("TIME_SERIES_RETAINED_RANGE", "limit 100")]);
        for i in 0..10 {
            t.append(&s(&i.to_string()), "a", 1000 + i * 10, None)
                .unwrap();
        }
        let r = |anchor, span| {
            seqs(&query(
                &t,
                QueryType::Values,
                Range { anchor, span },
                Range::ALL,
                i64::MAX,
            ))
        };
        use PointType::*;
        assert_eq!(r(point(AbsoluteSequence, 7), Point::END), [7, 8, 9]);
        assert_eq!(
            r(point(AbsoluteSequence, 2), point(NextCount, 3)),
            [2, 3, 4]
        );
        // Counts as large as a client may send do not overflow.
        assert_eq!(
            r(point(AbsoluteSequence, 8), point(NextCount, i64::MAX)),
            [8, 9]
        );
        assert_eq!(
            r(point(AbsoluteSequence, 1), point(PreviousCount, i64::MAX)),
            [0, 1]
        );
        assert_eq!(
            r(point(AbsoluteSequence, 2), point(AbsoluteSequence, 4)),
            [2, 3, 4]
        );
        assert_eq!(
            r(point(AbsoluteSequence, 4), point(AbsoluteSequence, 2)),
            [2, 3, 4]
        );
        assert_eq!(
            r(point(AbsoluteSequence, 4), point(PreviousCount, 2)),
            [3, 4]
        );
        assert_eq!(
            r(point(AbsoluteSequence, 5), Point::START),
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(r(point(AbsoluteTime, 1035), point(NextTime, 20)), [4, 5, 6]);
        assert_eq!(r(point(OffsetSequence, 2), Point::END), [8, 9]);
        assert_eq!(r(point(OffsetTime, 15), Point::END), [8, 9]);
        assert_eq!(r(Point::START, point(OffsetSequence, 8)), [0, 1]);
        assert_eq!(
            r(point(AbsoluteSequence, 20), Point::END),
            Vec::<u64>::new()
        );
        // A limit cuts the result and the selected count says so.
        let q = query(&t, QueryType::Values, Range::ALL, Range::ALL, 4);
        assert_eq!((seqs(&q), q.selected_count), (vec![0, 1, 2, 3], 10));
    }

    #[test]
    fn retention_by_limit_and_by_time() {
        let mut t = series(&[("TIME_SERIES_RETAINED_RANGE", "limit 3")]);
        for i in 0..5 {
            t.append(&s("x"), "a", i, None).unwrap();
        }
        assert_eq!(
            t.events
                .iter()
                .map(|e| e.metadata.sequence)
                .collect::<Vec<_>>(),
            [2, 3, 4]
        );
        let mut t = series(&[("TIME_SERIES_RETAINED_RANGE", "last 100ms limit 10")]);
        for ts in [0, 50, 120, 130, 200] {
            t.append(&s("x"), "a", ts, None).unwrap();
        }
        // Kept: no older than 200 - 100.
        assert_eq!(
            t.events
                .iter()
                .map(|e| e.metadata.timestamp_ms)
                .collect::<Vec<_>>(),
            [120, 130, 200]
        );
        // The default keeps ten.
        let mut t = series(&[]);
        for i in 0..15 {
            t.append(&s("x"), "a", i, None).unwrap();
        }
        assert_eq!(t.events.len(), 10);
    }

    #[test]
    fn timestamps_never_go_backwards() {
        let mut t = series(&[]);
        t.append(&s("x"), "a", 100, None).unwrap();
        assert_eq!(
            t.append(&s("x"), "a", 50, None)
                .unwrap()
                .metadata
                .timestamp_ms,
            100
        );
        assert_eq!(
            t.append(&s("x"), "a", 50, Some(500))
                .unwrap()
                .metadata
                .timestamp_ms,
            500
        );
        assert!(t.append(&s("x"), "a", 50, Some(499)).is_err());
    }

    #[test]
    fn what_a_new_subscriber_gets() {
        let decode = |v: Vec<Bytes>| -> Vec<u64> {
            v.iter()
                .map(|b| RawEvent::decode_topic_value(b).unwrap().metadata.sequence)
                .collect()
        };
        let fill = |t: &mut Series| {
            for i in 0..5 {
                t.append(&s("x"), "a", i * 1000, None).unwrap();
            }
            t.edit(3, &s("y"), "a", 5000).unwrap();
        };
        let mut t = series(&[]);
        assert!(t.subscription_events().is_empty());
        fill(&mut t);
        assert_eq!(decode(t.subscription_events()), [5]);
        let mut t = series(&[("PUBLISH_VALUES_ONLY", "true")]);
        fill(&mut t);
        assert!(t.subscription_events().is_empty());
        let mut t = series(&[("TIME_SERIES_SUBSCRIPTION_RANGE", "limit 3")]);
        fill(&mut t);
        // Latest edits: 0, 1, 2, 4 and 5 (the edit of 3); the last three.
        assert_eq!(decode(t.subscription_events()), [2, 4, 5]);
        let mut t = series(&[("TIME_SERIES_SUBSCRIPTION_RANGE", "last 1500ms")]);
        fill(&mut t);
        assert_eq!(decode(t.subscription_events()), [4, 5]);
    }

    #[test]
    fn a_result_is_cut_to_the_size_limit_but_counts_everything() {
        let mut t = series(&[("TIME_SERIES_RETAINED_RANGE", "limit 100")]);
        for _ in 0..50 {
            t.append(&s(&"x".repeat(100)), "a", 0, None).unwrap();
        }
        let req = RangeQueryRequest {
            path: "p".into(),
            query_type: QueryType::Values,
            view_range: Range::ALL,
            edit_range: Range::ALL,
            limit: i64::MAX,
        };
        let b = t.query(&req, 1000).unwrap();
        assert!(b.len() <= 1000, "{}", b.len());
        let r = RangeQueryResult::decode(&b).unwrap();
        assert_eq!(r.selected_count, 50);
        assert!(!r.events.is_empty() && r.events.len() < 50);
    }

    use proptest::strategy::Just;

    proptest::proptest! {
        /// Whatever a client asks, a query answers or refuses: no panic, no overflow, and
        /// every event returned is one the series holds, within the limit.
        #[test]
        fn any_query_is_answered_without_panicking(
            points in proptest::array::uniform4((
                proptest::prop_oneof![-3i64..8, proptest::num::i64::ANY, Just(i64::MAX), Just(i64::MIN)],
                0u8..9,
            )),
            q in 0u8..3,
            limit in proptest::num::i64::ANY,
        ) {
            let mut t = example();
            for i in 0..8 {
                t.append(&s("x"), "c", 10 + i, None).unwrap();
            }
            let p = |(value, kind): (i64, u8)| Point {
                value,
                kind: [
                    PointType::AbsoluteStart, PointType::AbsoluteSequence, PointType::AbsoluteTime,
                    PointType::OffsetSequence, PointType::OffsetTime, PointType::NextCount,
                    PointType::NextTime, PointType::PreviousCount, PointType::PreviousTime,
                ][kind as usize],
            };
            let req = RangeQueryRequest {
                path: "p".into(),
                query_type: [QueryType::Values, QueryType::AllEdits, QueryType::LatestEdits][q as usize],
                view_range: Range { anchor: p(points[0]), span: p(points[1]) },
                edit_range: Range { anchor: p(points[2]), span: p(points[3]) },
                limit,
            };
            if let Ok(b) = t.query(&req, usize::MAX) {
                let r = RangeQueryResult::decode(&b).unwrap();
                proptest::prop_assert!(r.events.len() as u64 <= r.selected_count);
                proptest::prop_assert!(r.events.len() as i64 <= limit.max(0));
                proptest::prop_assert!(r.events.iter().all(|e| e.metadata.sequence < 12));
            }
        }
    }

    #[test]
    fn specifications_are_checked() {
        let bad = |spec: TopicSpecification| Series::new(&spec).err().unwrap().code;
        assert_eq!(
            bad(TopicSpecification::new(TopicType::TimeSeries)),
            ErrorReason::TOPIC_SPECIFICATION_INVALID
        );
        assert_eq!(
            bad(TopicSpecification::time_series(TopicType::Json).with_retained_range("forever")),
            ErrorReason::TOPIC_SPECIFICATION_INVALID
        );
        assert_eq!(
            bad(TopicSpecification::time_series(TopicType::Json).with_subscription_range("limit")),
            ErrorReason::TOPIC_SPECIFICATION_INVALID
        );
    }
}
