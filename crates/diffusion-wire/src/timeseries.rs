//! Time series topics: events, the append / edit / range query services' payloads, and an
//! event as a subscriber receives it. Layouts are in `docs/design/time-series-protocol.md`,
//! read from both SDKs' serialisers and checked against both SDKs on the wire.

use bytes::Bytes;

use crate::codec::{DecodeError, Reader, Writer};
use crate::service::Payload;
use crate::topic::TopicType;
use crate::value::{Value, ValueError};

/// The data type name the SDKs put in time series requests and results for an event value
/// type (`json`, `string`, `int64`, `double`, `binary`); `None` for the types that cannot
/// be event types here.
pub fn data_type_name(t: TopicType) -> Option<&'static str> {
    match t {
        TopicType::Json => Some("json"),
        TopicType::String => Some("string"),
        TopicType::Int64 => Some("int64"),
        TopicType::Double => Some("double"),
        TopicType::Binary => Some("binary"),
        _ => None,
    }
}

/// The event value type a data type name stands for; names are case-insensitive, as the
/// SDKs' lookups are.
pub fn event_type_from_name(name: &str) -> Option<TopicType> {
    Some(match name.to_ascii_lowercase().as_str() {
        "json" => TopicType::Json,
        "string" => TopicType::String,
        "int64" => TopicType::Int64,
        "double" => TopicType::Double,
        "binary" => TopicType::Binary,
        _ => return None,
    })
}

fn read_event_type(r: &mut Reader) -> Result<TopicType, DecodeError> {
    let name = r.string("data type name")?;
    event_type_from_name(&name)
        .ok_or_else(|| DecodeError::Invalid(format!("unknown time series data type {name:?}")))
}

fn write_event_type(w: &mut Writer, t: TopicType) {
    // A type with no name cannot be an event type; the server and client never build one,
    // and writing its lower-case name keeps the frame well formed for the peer to refuse.
    w.string(data_type_name(t).unwrap_or(t.name()));
}

/// Who made an event and when: the server assigns all three fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventMetadata {
    /// Position in the series: 0 for the first event, then one more for each event,
    /// original or edit.
    pub sequence: u64,
    /// Server time the event was added, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// The principal of the session that added it (empty for an anonymous session).
    pub author: String,
}

impl Payload for EventMetadata {
    fn write(&self, w: &mut Writer) {
        w.int64(self.sequence as i64)
            .int64(self.timestamp_ms)
            .string(&self.author);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            sequence: r.int64("event sequence")? as u64,
            timestamp_ms: r.int64("event timestamp")?,
            author: r.string("event author")?,
        })
    }
}

/// An event with its value as the topic's event type encodes it: what the server stores and
/// what travels in topic values and query results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// This event's own metadata (for an edit: the edit's sequence, time and author).
    pub metadata: EventMetadata,
    /// For an edit, the original event it replaces; `None` for an original event.
    pub original: Option<EventMetadata>,
    /// The value's bytes (CBOR, or raw for binary event types).
    pub value: Bytes,
}

/// An event's tag in a topic value: 0 original, 1 edit.
const ORIGINAL_EVENT: u8 = 0;
const EDIT_EVENT: u8 = 1;

impl RawEvent {
    /// The event as a TOPIC_VALUE body for a time series subscriber: tag, the original's
    /// metadata for an edit, the metadata, then the value as length-prefixed bytes.
    pub fn encode_topic_value(&self) -> Bytes {
        let mut w = Writer::with_capacity(self.value.len() + self.metadata.author.len() + 24);
        self.write_topic_value(&mut w);
        w.finish()
    }

    /// Appends the topic value form (see [`encode_topic_value`](Self::encode_topic_value)).
    pub fn write_topic_value(&self, w: &mut Writer) {
        write_event(w, &self.metadata, self.original.as_ref(), &self.value);
    }

    /// Reads a topic value written by [`encode_topic_value`](Self::encode_topic_value); the
    /// whole value must be one event.
    pub fn decode_topic_value(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let original = match r.byte("event type")? {
            ORIGINAL_EVENT => None,
            EDIT_EVENT => Some(EventMetadata::read(&mut r)?),
            other => {
                return Err(DecodeError::Unexpected {
                    what: "event type",
                    value: other.into(),
                })
            }
        };
        let metadata = EventMetadata::read(&mut r)?;
        let value = Bytes::copy_from_slice(r.bytes("event value")?);
        r.finish("time series event")?;
        Ok(Self {
            metadata,
            original,
            value,
        })
    }

    /// The event with its value decoded as `event_type`.
    pub fn decode_value(self, event_type: TopicType) -> Result<TimeSeriesEvent, ValueError> {
        Ok(TimeSeriesEvent {
            value: Value::decode(event_type, &self.value)?,
            sequence: self.metadata.sequence,
            timestamp_ms: self.metadata.timestamp_ms,
            author: self.metadata.author,
            original: self.original,
        })
    }
}

/// Appends an event in its topic value form from its parts: the value comes last, so a
/// server can keep it as a slice of the one buffer.
pub fn write_event(
    w: &mut Writer,
    metadata: &EventMetadata,
    original: Option<&EventMetadata>,
    value: &[u8],
) {
    match original {
        None => {
            w.byte(ORIGINAL_EVENT);
        }
        Some(o) => {
            w.byte(EDIT_EVENT);
            o.write(w);
        }
    }
    metadata.write(w);
    w.bytes(value);
}

/// An event with its value decoded: what a client application sees.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeriesEvent {
    /// The event's sequence (for an edit, the edit's own).
    pub sequence: u64,
    /// When the server added it, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// The principal that added it.
    pub author: String,
    /// The value, decoded by the topic's event value type (JSON as `Value::Json`).
    pub value: Value,
    /// `Some` for an edit: the original event it replaces.
    pub original: Option<EventMetadata>,
}

/// TIME_SERIES_APPEND (99): add an event with the server's clock as its timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRequest {
    /// The time series topic's path.
    pub path: String,
    /// The event value type the value is encoded as; must be the topic's.
    pub event_type: TopicType,
    /// The value as `event_type` encodes it.
    pub value: Bytes,
}

impl Payload for AppendRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path);
        write_event_type(w, self.event_type);
        w.bytes(&self.value);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.string("topic path")?,
            event_type: read_event_type(r)?,
            value: Bytes::copy_from_slice(r.bytes("event value")?),
        })
    }
}

/// TIME_SERIES_TIMESTAMP_APPEND (166): an append with the caller's timestamp, which must not
/// be earlier than the latest event's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampAppendRequest {
    /// The append itself, laid out as in [`AppendRequest`].
    pub append: AppendRequest,
    /// The event's timestamp, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
}

impl Payload for TimestampAppendRequest {
    fn write(&self, w: &mut Writer) {
        self.append.write(w);
        w.int64(self.timestamp_ms);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            append: AppendRequest::read(r)?,
            timestamp_ms: r.int64("event timestamp")?,
        })
    }
}

/// TIME_SERIES_EDIT (100): add an event that replaces the value of an original event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    /// The time series topic's path.
    pub path: String,
    /// The event value type the value is encoded as; must be the topic's.
    pub event_type: TopicType,
    /// The sequence of the original event to edit (not of an edit).
    pub original_sequence: u64,
    /// The new value as `event_type` encodes it.
    pub value: Bytes,
}

impl Payload for EditRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path);
        write_event_type(w, self.event_type);
        w.int64(self.original_sequence as i64).bytes(&self.value);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        Ok(Self {
            path: r.string("topic path")?,
            event_type: read_event_type(r)?,
            original_sequence: r.int64("original sequence")? as u64,
            value: Bytes::copy_from_slice(r.bytes("event value")?),
        })
    }
}

/// What a range query returns: merged values, or original and edit events unmerged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    /// 0: original events in the view range, each replaced by its latest edit in the edit
    /// range, in original order (the SDKs' default).
    Values,
    /// 1: original events in the view range and all their edits, in sequence order.
    AllEdits,
    /// 2: original events in the view range and the latest edit of each, in sequence order.
    LatestEdits,
}

/// How a range point's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointType {
    /// 0: the start of the series (value ignored).
    AbsoluteStart,
    /// 1: an absolute sequence.
    AbsoluteSequence,
    /// 2: an absolute time, milliseconds since the epoch.
    AbsoluteTime,
    /// 3: this many events before the end.
    OffsetSequence,
    /// 4: this many milliseconds before the last event's timestamp.
    OffsetTime,
    /// 5: this many events after the anchor (a span only).
    NextCount,
    /// 6: this many milliseconds after the anchor (a span only).
    NextTime,
    /// 7: this many events before the anchor (a span only).
    PreviousCount,
    /// 8: this many milliseconds before the anchor (a span only).
    PreviousTime,
}

impl PointType {
    fn to_byte(self) -> u8 {
        self as u8
    }
    fn from_byte(b: u8) -> Result<Self, DecodeError> {
        use PointType::*;
        Ok(match b {
            0 => AbsoluteStart,
            1 => AbsoluteSequence,
            2 => AbsoluteTime,
            3 => OffsetSequence,
            4 => OffsetTime,
            5 => NextCount,
            6 => NextTime,
            7 => PreviousCount,
            8 => PreviousTime,
            other => {
                return Err(DecodeError::Unexpected {
                    what: "range point type",
                    value: other.into(),
                })
            }
        })
    }
}

/// One end of a range: a value and how to read it. On the wire: int64 value, then type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// A sequence, time, count or duration, as `kind` says.
    pub value: i64,
    /// How `value` is read.
    pub kind: PointType,
}

impl Point {
    /// The start of the series: the SDKs' default anchor.
    pub const START: Point = Point {
        value: 0,
        kind: PointType::AbsoluteStart,
    };
    /// The end of the series ("until 0 events before the end"): the SDKs' default span.
    pub const END: Point = Point {
        value: 0,
        kind: PointType::OffsetSequence,
    };
}

/// A range: where it starts, and where it ends relative to that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Where the range starts.
    pub anchor: Point,
    /// Where it ends: an absolute point, or relative to the anchor or the end.
    pub span: Point,
}

impl Range {
    /// The whole series: the SDKs' default view and edit range.
    pub const ALL: Range = Range {
        anchor: Point::START,
        span: Point::END,
    };
}

/// RANGE_QUERY (84): which events of a time series to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeQueryRequest {
    /// The time series topic's path.
    pub path: String,
    /// Merged values or unmerged edits.
    pub query_type: QueryType,
    /// Which original events.
    pub view_range: Range,
    /// Which edits (and, for edit queries, which events at all).
    pub edit_range: Range,
    /// The most events to return; the SDKs' default is `i64::MAX`.
    pub limit: i64,
}

fn write_point(w: &mut Writer, p: Point) {
    w.int64(p.value).byte(p.kind.to_byte());
}

fn read_point(r: &mut Reader) -> Result<Point, DecodeError> {
    Ok(Point {
        value: r.int64("range point")?,
        kind: PointType::from_byte(r.byte("range point type")?)?,
    })
}

fn read_range(r: &mut Reader) -> Result<Range, DecodeError> {
    Ok(Range {
        anchor: read_point(r)?,
        span: read_point(r)?,
    })
}

impl Payload for RangeQueryRequest {
    fn write(&self, w: &mut Writer) {
        w.string(&self.path);
        w.byte(match self.query_type {
            QueryType::Values => 0,
            QueryType::AllEdits => 1,
            QueryType::LatestEdits => 2,
        });
        for range in [self.view_range, self.edit_range] {
            write_point(w, range.anchor);
            write_point(w, range.span);
        }
        w.int64(self.limit);
    }
    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let path = r.string("topic path")?;
        let query_type = match r.byte("range query type")? {
            0 => QueryType::Values,
            1 => QueryType::AllEdits,
            2 => QueryType::LatestEdits,
            other => {
                return Err(DecodeError::Unexpected {
                    what: "range query type",
                    value: other.into(),
                })
            }
        };
        Ok(Self {
            path,
            query_type,
            view_range: read_range(r)?,
            edit_range: read_range(r)?,
            limit: r.int64("range query limit")?,
        })
    }
}

/// Entry tags of a range query result.
const RESULT_ORIGINAL: u8 = 0;
const RESULT_EDIT: u8 = 1;
const RESULT_OFFSETS: u8 = 2;
const RESULT_AUTHOR: u8 = 3;

/// The answer to RANGE_QUERY.
///
/// On the wire: the event type's name, the selected count (int64), then an int32 count of
/// entries, each a tag byte: 0 an original event (metadata with an author *code*, then the
/// value), 1 an edit (the original's metadata, then the edit's, then the value), 2 offsets
/// added to every later sequence and timestamp, 3 an author code and the author it stands
/// for. Authors are codes so that a long result names each principal once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeQueryResult {
    /// The topic's event value type.
    pub event_type: TopicType,
    /// How many events the query selected before `limit` cut them: more than
    /// `events.len()` means the result is incomplete (the SDKs' `isComplete` is equality).
    pub selected_count: u64,
    /// The events returned, in result order.
    pub events: Vec<RawEvent>,
}

impl RangeQueryResult {
    /// Appends the result with one author entry per distinct author, first, and no offsets.
    /// The SDKs disagree on an author code with no entry (JS reads it as UTF-8, Python as
    /// CBOR), so every code written has its entry. Codes are the author's index as one or
    /// more varint bytes.
    pub fn write_events<'a>(
        w: &mut Writer,
        event_type: TopicType,
        selected_count: u64,
        events: impl Iterator<Item = (&'a EventMetadata, Option<&'a EventMetadata>, &'a [u8])> + Clone,
    ) {
        write_event_type(w, event_type);
        w.int64(selected_count as i64);
        let mut authors: Vec<&str> = Vec::new();
        let mut count = 0usize;
        for (m, o, _) in events.clone() {
            count += 1;
            for a in std::iter::once(&m.author).chain(o.map(|o| &o.author)) {
                if !authors.contains(&a.as_str()) {
                    authors.push(a);
                }
            }
        }
        w.int32((authors.len() + count) as i32);
        let code = |w: &mut Writer, author: &str| {
            let i = authors.iter().position(|a| *a == author).unwrap_or(0);
            let mut c = Writer::with_capacity(2);
            c.varint_u64(i as u64);
            w.bytes(&c.finish());
        };
        for (i, a) in authors.iter().enumerate() {
            let mut c = Writer::with_capacity(2);
            c.varint_u64(i as u64);
            w.byte(RESULT_AUTHOR).bytes(&c.finish()).string(a);
        }
        let meta = |w: &mut Writer, m: &EventMetadata| {
            w.int64(m.sequence as i64).int64(m.timestamp_ms);
            code(w, &m.author);
        };
        for (m, o, value) in events {
            match o {
                None => {
                    w.byte(RESULT_ORIGINAL);
                }
                Some(o) => {
                    w.byte(RESULT_EDIT);
                    meta(w, o);
                }
            }
            meta(w, m);
            w.bytes(value);
        }
    }
}

impl Payload for RangeQueryResult {
    fn write(&self, w: &mut Writer) {
        Self::write_events(
            w,
            self.event_type,
            self.selected_count,
            self.events
                .iter()
                .map(|e| (&e.metadata, e.original.as_ref(), &e.value[..])),
        );
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let event_type = read_event_type(r)?;
        let selected_count = r.int64("selected count")? as u64;
        let n = r.int32("result entry count")?;
        if n < 0 || n as usize > r.remaining() {
            return Err(DecodeError::Truncated("result entry count"));
        }
        let mut offsets = (0i64, 0i64);
        let mut authors: Vec<(Vec<u8>, String)> = Vec::new();
        let mut events = Vec::with_capacity(n as usize);
        let meta = |r: &mut Reader,
                    offsets: (i64, i64),
                    authors: &[(Vec<u8>, String)]|
         -> Result<EventMetadata, DecodeError> {
            let sequence = r.int64("event sequence")?.wrapping_add(offsets.0) as u64;
            let timestamp_ms = r.int64("event timestamp")?.wrapping_add(offsets.1);
            let code = r.bytes("author code")?;
            let author = match authors.iter().find(|(c, _)| c == code) {
                Some((_, a)) => a.clone(),
                // No entry: read as UTF-8, as the JS SDK does.
                None => std::str::from_utf8(code)
                    .map_err(|_| DecodeError::InvalidUtf8("author code"))?
                    .to_owned(),
            };
            Ok(EventMetadata {
                sequence,
                timestamp_ms,
                author,
            })
        };
        for _ in 0..n {
            match r.byte("result entry tag")? {
                RESULT_ORIGINAL => {
                    let metadata = meta(r, offsets, &authors)?;
                    let value = Bytes::copy_from_slice(r.bytes("event value")?);
                    events.push(RawEvent {
                        metadata,
                        original: None,
                        value,
                    });
                }
                RESULT_EDIT => {
                    let original = meta(r, offsets, &authors)?;
                    let metadata = meta(r, offsets, &authors)?;
                    let value = Bytes::copy_from_slice(r.bytes("event value")?);
                    events.push(RawEvent {
                        metadata,
                        original: Some(original),
                        value,
                    });
                }
                RESULT_OFFSETS => {
                    offsets = (r.int64("sequence offset")?, r.int64("timestamp offset")?);
                }
                RESULT_AUTHOR => {
                    let code = r.bytes("author code")?.to_vec();
                    let author = r.string("author")?;
                    authors.push((code, author));
                }
                other => {
                    return Err(DecodeError::Unexpected {
                        what: "result entry tag",
                        value: other.into(),
                    })
                }
            }
        }
        Ok(Self {
            event_type,
            selected_count,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn meta(sequence: u64, timestamp_ms: i64, author: &str) -> EventMetadata {
        EventMetadata {
            sequence,
            timestamp_ms,
            author: author.into(),
        }
    }

    #[test]
    fn an_original_event_as_a_topic_value() {
        let e = RawEvent {
            metadata: meta(3, 1000, "admin"),
            original: None,
            value: Bytes::from_static(&[0x62, b'h', b'i']),
        };
        let b = e.encode_topic_value();
        assert_eq!(
            b.as_ref(),
            &[0, 3, 0xe8, 0x07, 5, b'a', b'd', b'm', b'i', b'n', 3, 0x62, b'h', b'i']
        );
        assert_eq!(RawEvent::decode_topic_value(&b).unwrap(), e);
    }

    #[test]
    fn an_edit_carries_the_original_first() {
        let e = RawEvent {
            metadata: meta(4, 2, "b"),
            original: Some(meta(1, 1, "a")),
            value: Bytes::from_static(&[0xf6]),
        };
        let b = e.encode_topic_value();
        assert_eq!(b.as_ref(), &[1, 1, 1, 1, b'a', 4, 2, 1, b'b', 1, 0xf6]);
        assert_eq!(RawEvent::decode_topic_value(&b).unwrap(), e);
        let decoded = e.decode_value(TopicType::Json).unwrap();
        assert_eq!(decoded.original, Some(meta(1, 1, "a")));
        assert_eq!(decoded.value, Value::Json(serde_json::Value::Null));
    }

    #[test]
    fn bad_event_tags_and_trailing_bytes_are_errors() {
        assert!(RawEvent::decode_topic_value(&[2, 0, 0, 0, 0]).is_err());
        assert!(RawEvent::decode_topic_value(&[0, 0, 0, 0, 0, 7]).is_err());
        assert!(RawEvent::decode_topic_value(&[]).is_err());
    }

    #[test]
    fn result_authors_are_coded_and_offsets_apply() {
        // Hand-built as a server may send it: offsets, an author entry, an uncoded author.
        let mut w = Writer::new();
        w.string("string").int64(2).int32(4);
        w.byte(RESULT_OFFSETS).int64(100).int64(5000);
        w.byte(RESULT_AUTHOR).bytes(&[0]).string("admin");
        w.byte(RESULT_ORIGINAL)
            .int64(1)
            .int64(2)
            .bytes(&[0])
            .bytes(&[0x60]);
        w.byte(RESULT_EDIT)
            .int64(1)
            .int64(2)
            .bytes(&[0])
            .int64(3)
            .int64(4)
            .bytes(b"bob")
            .bytes(&[0x61, b'x']);
        let r = RangeQueryResult::decode(&w.finish()).unwrap();
        assert_eq!(r.event_type, TopicType::String);
        assert_eq!(r.selected_count, 2);
        assert_eq!(r.events[0].metadata, meta(101, 5002, "admin"));
        assert_eq!(r.events[1].original, Some(meta(101, 5002, "admin")));
        assert_eq!(r.events[1].metadata, meta(103, 5004, "bob"));
    }

    #[test]
    fn unknown_data_types_are_refused() {
        let mut w = Writer::new();
        w.string("p").string("record_v2").bytes(&[]);
        assert!(AppendRequest::decode(&w.finish()).is_err());
        assert_eq!(event_type_from_name("JSON"), Some(TopicType::Json));
        assert_eq!(event_type_from_name("time_series"), None);
    }

    fn event_type() -> impl Strategy<Value = TopicType> {
        prop_oneof![
            Just(TopicType::Json),
            Just(TopicType::String),
            Just(TopicType::Int64),
            Just(TopicType::Double),
            Just(TopicType::Binary),
        ]
    }

    fn metadata() -> impl Strategy<Value = EventMetadata> {
        (any::<u64>(), any::<i64>(), "[a-z]{0,3}").prop_map(|(s, t, a)| meta(s, t, &a))
    }

    fn raw_event() -> impl Strategy<Value = RawEvent> {
        (
            metadata(),
            proptest::option::of(metadata()),
            proptest::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(|(metadata, original, v)| RawEvent {
                metadata,
                original,
                value: v.into(),
            })
    }

    fn point() -> impl Strategy<Value = Point> {
        (any::<i64>(), 0u8..9).prop_map(|(value, k)| Point {
            value,
            kind: PointType::from_byte(k).unwrap(),
        })
    }

    fn roundtrip<P: Payload + PartialEq + std::fmt::Debug>(p: &P) -> Result<(), TestCaseError> {
        let b = p.encode();
        prop_assert_eq!(&P::decode(&b).unwrap(), p);
        // Any cut is an error, never a panic or a different value.
        for cut in 0..b.len() {
            prop_assert!(P::decode(&b[..cut]).is_err());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn topic_values_roundtrip(e in raw_event()) {
            let b = e.encode_topic_value();
            prop_assert_eq!(RawEvent::decode_topic_value(&b).unwrap(), e);
        }

        #[test]
        fn requests_roundtrip(
            path in "[a-z/]{1,8}",
            t in event_type(),
            v in proptest::collection::vec(any::<u8>(), 0..8),
            seq in any::<u64>(),
            ts in any::<i64>(),
            points in proptest::array::uniform4(point()),
            q in 0u8..3,
            limit in any::<i64>(),
        ) {
            let append = AppendRequest { path: path.clone(), event_type: t, value: v.clone().into() };
            roundtrip(&append)?;
            roundtrip(&TimestampAppendRequest { append, timestamp_ms: ts })?;
            roundtrip(&EditRequest { path: path.clone(), event_type: t, original_sequence: seq, value: v.into() })?;
            roundtrip(&RangeQueryRequest {
                path,
                query_type: [QueryType::Values, QueryType::AllEdits, QueryType::LatestEdits][q as usize],
                view_range: Range { anchor: points[0], span: points[1] },
                edit_range: Range { anchor: points[2], span: points[3] },
                limit,
            })?;
            roundtrip(&meta(seq, ts, "x"))?;
        }

        #[test]
        fn results_roundtrip(t in event_type(), n in any::<u64>(), events in proptest::collection::vec(raw_event(), 0..6)) {
            roundtrip(&RangeQueryResult { event_type: t, selected_count: n, events })?;
        }
    }
}
