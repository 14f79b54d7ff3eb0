//! What a record asks of Diffusion: its key and value converted, its destination resolved
//! and checked, its value in Diffusion's JSON form (CBOR).

use std::borrow::Cow;

use bytes::Bytes;
use connect_data::lookup::{lookup_cbor, Found, ValuePath};
use connect_data::{
    to_diffusion_cbor, BuiltinConverter, ConvertError, Schema, SchemaAndValue, SchemaType, Value,
};
use diffusion_client::{TopicType, Value as WireValue};
use rdkafka::message::{BorrowedHeaders, Headers};
use transforms::{ConnectRecord, Header};

use crate::config::SinkConfig;
use crate::converters::Side;
use crate::errors::{RecordError, Stage};
use crate::pattern::{validate_path, Context, Fields};

/// CBOR `null`: what a tombstone sets by default.
const CBOR_NULL: &[u8] = &[0xf6];

/// One Diffusion request; kept until confirmed so it can be sent again after a
/// reconnection.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Update {
    /// Set the topic at `path` (created on first sight, of `topic_type`) to `value`, in
    /// that type's wire form (CBOR; bytes as they are for BINARY).
    Set {
        path: String,
        value: Bytes,
        topic_type: TopicType,
        /// `Some`: the topic is a time series whose events are of `topic_type`, and
        /// `value` is appended as an event rather than set.
        append: Option<Append>,
    },
    /// Remove the topic at `path` and those below it (a tombstone with
    /// `diffusion.tombstone.behavior=remove`).
    Remove { path: String },
}

/// An event appended to a time series topic (`diffusion.topic.type=TIME_SERIES`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Append {
    /// The record's Kafka timestamp, the event's timestamp (`None`: the server's clock).
    pub(super) timestamp_ms: Option<i64>,
}

/// A record as the sink reads it: borrowed from the consumer, nothing copied.
pub(super) struct Record<'a> {
    pub(super) topic: &'a str,
    pub(super) partition: i32,
    pub(super) offset: i64,
    pub(super) timestamp: Option<i64>,
    pub(super) key: Option<&'a [u8]>,
    pub(super) value: Option<&'a [u8]>,
    /// Its headers, read only if the destination names one.
    pub(super) headers: Option<&'a BorrowedHeaders>,
}

/// Where `${header.<name>}` reads: the Kafka record's headers, or the transformed ones.
enum HeaderSource<'a> {
    Kafka(Option<&'a BorrowedHeaders>),
    Connect(&'a [Header]),
}

/// The record's parts that field and header tokens read.
struct RecordFields<'a> {
    key: &'a SchemaAndValue,
    value: &'a ReadValue,
    headers: HeaderSource<'a>,
}

impl Fields for RecordFields<'_> {
    fn key_field(&self, path: &ValuePath) -> Found {
        self.key.lookup(path)
    }

    fn value_field(&self, path: &ValuePath) -> Found {
        match self.value {
            // Plain JSON: read from its CBOR, no tree built. The CBOR was written here,
            // so it is well formed.
            ReadValue::Cbor(cbor) => lookup_cbor(cbor, path).unwrap_or(Found::Missing),
            ReadValue::Connect(v) => v.lookup(path),
        }
    }

    fn header(&self, name: &str) -> Found {
        // The last of that name, as Connect's `Headers.lastWithName`.
        let h = match &self.headers {
            HeaderSource::Connect(headers) => {
                return match headers.iter().rev().find(|h| h.key == name) {
                    None => Found::Missing,
                    Some(h) => match &h.value.value {
                        Value::String(s) => Found::Text(s.clone()),
                        Value::Bytes(b) => std::str::from_utf8(b)
                            .map_or(Found::Composite, |t| Found::Text(t.to_owned())),
                        _ => h.value.found(),
                    },
                };
            }
            HeaderSource::Kafka(None) => return Found::Missing,
            HeaderSource::Kafka(Some(h)) => h,
        };
        let last = (0..h.count())
            .rev()
            .filter_map(|i| h.try_get(i))
            .find(|h| h.key == name);
        match last {
            None => Found::Missing,
            Some(h) => match h.value {
                None => Found::Null,
                Some(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => Found::Text(text.to_owned()),
                    Err(_) => Found::Composite,
                },
            },
        }
    }
}

/// A record's key as the sink read it.
enum ReadKey<'a> {
    Connect(Box<SchemaAndValue>),
    /// Only its text (`None` for a null key), straight from the bytes: when no transform
    /// runs, the destination reads no more of the key than `${key}` and the key converter
    /// can give it (a `StringConverter`), the Connect value is not built (its string copy
    /// and moves were ~200 instructions per record, bench/profile.sh).
    Text(Option<&'a str>),
}

/// A record's value as the sink read it.
enum ReadValue {
    /// Already the Diffusion CBOR (plain JSON, see `BuiltinConverter::json_cbor`).
    Cbor(Vec<u8>),
    Connect(Box<SchemaAndValue>),
}

/// What a record comes to.
#[derive(Debug)]
pub(super) enum Prepared {
    /// An update for Diffusion.
    Update(Update),
    /// A transform dropped it (`Filter`): nothing for Diffusion, its offset settles.
    Dropped,
}

/// Why a record was not prepared, and so what the task does next.
#[derive(Debug)]
pub(super) enum NotPrepared {
    /// This record's failure: its error path.
    Failed(RecordError),
    /// That side's converter must fetch first (a schema from the registry); then prepare
    /// again.
    Fetch(Side),
    /// That side's converter cannot reach a service it needs: retry, skip nothing.
    Unavailable(Side, String),
    /// That side's converter cannot work at all: the task fails.
    Fatal(Side, String),
}

impl From<RecordError> for NotPrepared {
    fn from(e: RecordError) -> Self {
        NotPrepared::Failed(e)
    }
}

impl NotPrepared {
    /// A converter's error on `side` of a record.
    pub(super) fn converting(side: Side, e: ConvertError) -> NotPrepared {
        let (stage, what) = match side {
            Side::Key => (Stage::KeyConverter, "key"),
            Side::Value => (Stage::ValueConverter, "value"),
        };
        match e {
            ConvertError::Record(e) => NotPrepared::Failed(RecordError {
                stage,
                message: format!("{what}: {e}"),
                thrown_by: None,
            }),
            ConvertError::NotReady => NotPrepared::Fetch(side),
            ConvertError::Unavailable(why) => NotPrepared::Unavailable(side, why),
            ConvertError::Fatal(why) => NotPrepared::Fatal(side, why),
        }
    }
}

/// Converts `record`, runs the connector's transforms, and resolves its destination.
/// `max_message_size`: the server's limit, if it gave one: an update above it would close
/// the session (and be sent again after every reconnection), so it is this record's
/// failure instead.
pub(super) fn prepare(
    c: &SinkConfig,
    record: &Record<'_>,
    max_message_size: Option<u32>,
) -> Result<Prepared, NotPrepared> {
    let connect_key = || {
        c.key_converter
            .to_connect(record.topic, record.key)
            .map_err(|e| NotPrepared::converting(Side::Key, e))
    };
    let connect_value = || {
        c.value_converter
            .to_connect(record.topic, record.value)
            .map_err(|e| NotPrepared::converting(Side::Value, e))
    };
    if c.transforms.is_empty() {
        let key = match key_text(c, record.key) {
            Some(text) => ReadKey::Text(text.map_err(|e| NotPrepared::converting(Side::Key, e))?),
            None => ReadKey::Connect(Box::new(connect_key()?)),
        };
        // Plain JSON to a JSON topic goes to CBOR without a Connect value in between
        // (schemaless: no version); everything else through the Connect value.
        let fast = match c.topic_type {
            TopicType::Json => c.value_converter.json_cbor(record.value),
            _ => None,
        };
        let value = match fast {
            Some(cbor) => ReadValue::Cbor(cbor),
            None => ReadValue::Connect(Box::new(connect_value()?)),
        };
        let headers = HeaderSource::Kafka(record.headers);
        let tombstone = record.value.is_none();
        let at = At {
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            timestamp: record.timestamp,
        };
        return Ok(Prepared::Update(finish(
            c,
            at,
            key,
            value,
            tombstone,
            headers,
            max_message_size,
        )?));
    }
    // Transforms run on Connect records, after the converters, as in Kafka Connect.
    let input = ConnectRecord {
        topic: record.topic.to_owned(),
        partition: Some(record.partition),
        offset: Some(record.offset),
        timestamp: record.timestamp,
        key: connect_key()?,
        value: connect_value()?,
        headers: connect_headers(record.headers),
    };
    let out = match c.transforms.apply(input) {
        Ok(Some(out)) => out,
        Ok(None) => return Ok(Prepared::Dropped),
        Err(e) => {
            return Err(NotPrepared::Failed(RecordError {
                stage: Stage::Transformation,
                message: e.message,
                thrown_by: Some((e.class, e.exception)),
            }))
        }
    };
    let tombstone = out.value.is_null();
    // Taken apart, so the key and value move on rather than being copied per record.
    let ConnectRecord {
        topic,
        partition,
        timestamp,
        key,
        value,
        headers,
        ..
    } = out;
    let at = At {
        topic: &topic,
        partition: partition.unwrap_or(record.partition),
        offset: record.offset,
        timestamp,
    };
    Ok(Prepared::Update(finish(
        c,
        at,
        ReadKey::Connect(Box::new(key)),
        ReadValue::Connect(Box::new(value)),
        tombstone,
        HeaderSource::Connect(&headers),
        max_message_size,
    )?))
}

/// The key's text straight from its bytes (see [`ReadKey::Text`]), when that is all the
/// destination needs and the key converter gives it; `None` otherwise.
fn key_text<'a>(
    c: &SinkConfig,
    key: Option<&'a [u8]>,
) -> Option<Result<Option<&'a str>, ConvertError>> {
    if c.destination.reads_key_data() {
        return None;
    }
    // A null key goes the usual way: what it converts to is the converter's to say.
    c.key_converter.text(key?).map(|text| text.map(Some))
}

/// Where a record is, as the destination's tokens see it (after any routing transform).
struct At<'a> {
    topic: &'a str,
    partition: i32,
    offset: i64,
    timestamp: Option<i64>,
}

/// The record's headers as Connect values: text as optional strings, other bytes as
/// optional bytes (what `${header.<name>}`, `DropHeaders` and `HasHeaderKey` need).
fn connect_headers(headers: Option<&BorrowedHeaders>) -> Vec<Header> {
    let Some(h) = headers else {
        return Vec::new();
    };
    (0..h.count())
        .filter_map(|i| h.try_get(i))
        .map(|h| {
            let value = match h.value {
                None => SchemaAndValue {
                    schema: Some(Schema::new(SchemaType::String).optional()),
                    value: Value::Null,
                },
                Some(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => SchemaAndValue {
                        schema: Some(Schema::new(SchemaType::String).optional()),
                        value: Value::String(text.to_owned()),
                    },
                    Err(_) => SchemaAndValue {
                        schema: Some(Schema::new(SchemaType::Bytes).optional()),
                        value: Value::Bytes(bytes.to_vec()),
                    },
                },
            };
            Header {
                key: h.key.to_owned(),
                value,
            }
        })
        .collect()
}

/// The destination and the update, from a converted (and transformed) record.
fn finish(
    c: &SinkConfig,
    at: At<'_>,
    key: ReadKey<'_>,
    value: ReadValue,
    tombstone: bool,
    headers: HeaderSource<'_>,
    max_message_size: Option<u32>,
) -> Result<Update, RecordError> {
    let no_key_data = SchemaAndValue::schemaless(Value::Null);
    let (key, key_text) = match &key {
        ReadKey::Connect(k) => (&**k, k.to_path_string()),
        // Never read as data: the destination has no key field or key version token.
        ReadKey::Text(text) => (&no_key_data, text.map(Cow::Borrowed)),
    };
    let fields = RecordFields {
        key,
        value: &value,
        headers,
    };
    let ctx = Context {
        topic: at.topic,
        key: key_text.as_deref(),
        key_version: key.schema.as_ref().and_then(|s| s.version),
        value_version: match &value {
            ReadValue::Cbor(_) => None,
            ReadValue::Connect(v) => v.schema.as_ref().and_then(|s| s.version),
        },
        partition: at.partition,
        offset: at.offset,
        timestamp: at.timestamp,
        fields: &fields,
    };
    let put = |message: String| RecordError {
        stage: Stage::TaskPut,
        message,
        thrown_by: None,
    };
    let path = c
        .destination
        .resolve(&ctx)
        .map_err(|e| put(format!("diffusion.destination: {e}")))?;
    validate_path(&path).map_err(put)?;
    let topic_type = c.topic_type;
    let append = c.time_series.then_some(Append {
        timestamp_ms: at.timestamp,
    });
    if tombstone {
        if c.tombstone_removes {
            return Ok(Update::Remove { path });
        }
        // CBOR null: a JSON topic's null, "no value" for string, int64 and double topics.
        if topic_type == TopicType::Binary {
            return Err(put(
                "value: null, which a BINARY topic cannot hold (diffusion.tombstone.behavior=remove removes the topic instead)".into(),
            ));
        }
        return Ok(Update::Set {
            path,
            value: Bytes::from_static(CBOR_NULL),
            topic_type,
            append,
        });
    }
    let cbor = match value {
        ReadValue::Cbor(cbor) => cbor,
        ReadValue::Connect(value) if topic_type == TopicType::Json => {
            to_diffusion_cbor(&value).map_err(|e| put(format!("value: {e}")))?
        }
        ReadValue::Connect(value) => typed(&value, topic_type)
            .map_err(|e| put(format!("value: {e}")))?
            .to_vec(),
    };
    if let Some(max) = max_message_size {
        let size = cbor.len() + path.len() + 64;
        if size > max as usize {
            return Err(put(format!(
                "the update is about {size} bytes; Diffusion at {} takes messages of at most {max} bytes",
                c.diffusion.url
            )));
        }
    }
    Ok(Update::Set {
        path,
        value: Bytes::from(cbor),
        topic_type,
        append,
    })
}

/// A record value as a string, int64, double or binary topic's value
/// (`diffusion.topic.type`); the error names what it is and the type that cannot hold it.
fn typed(v: &SchemaAndValue, t: TopicType) -> Result<Bytes, String> {
    use serde_json::Value as J;
    let refuse = |what: &str| {
        format!(
            "{what} cannot be the value of a topic of type {} (diffusion.topic.type)",
            t.to_string().to_uppercase()
        )
    };
    let wire = match (t, &v.value) {
        (TopicType::String, Value::String(s) | Value::Json(J::String(s))) => {
            WireValue::String(s.clone())
        }
        (TopicType::String, Value::Json(j)) => WireValue::String(j.to_string()),
        (TopicType::String, Value::Struct(_) | Value::Map(_) | Value::Array(_)) => {
            let text = BuiltinConverter::Json {
                schemas_enable: false,
            }
            .from_connect(v)
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
            WireValue::String(String::from_utf8_lossy(&text).into_owned())
        }
        (TopicType::String, _) => {
            WireValue::String(v.to_path_string().unwrap_or_default().into_owned())
        }
        (TopicType::Int64, Value::Int8(n)) => WireValue::Int64(i64::from(*n)),
        (TopicType::Int64, Value::Int16(n)) => WireValue::Int64(i64::from(*n)),
        (TopicType::Int64, Value::Int32(n)) => WireValue::Int64(i64::from(*n)),
        (TopicType::Int64, Value::Int64(n)) => WireValue::Int64(*n),
        (TopicType::Int64, Value::Json(J::Number(n))) if n.is_i64() => {
            WireValue::Int64(n.as_i64().expect("is_i64"))
        }
        (TopicType::Double, Value::Int8(n)) => WireValue::Double(f64::from(*n)),
        (TopicType::Double, Value::Int16(n)) => WireValue::Double(f64::from(*n)),
        (TopicType::Double, Value::Int32(n)) => WireValue::Double(f64::from(*n)),
        (TopicType::Double, Value::Int64(n)) => WireValue::Double(*n as f64),
        (TopicType::Double, Value::Float32(f)) => {
            WireValue::Double(connect_data::float::single_to_double(*f))
        }
        (TopicType::Double, Value::Float64(f)) => WireValue::Double(*f),
        (TopicType::Double, Value::Json(J::Number(n))) => {
            WireValue::Double(n.as_f64().ok_or_else(|| refuse("a number out of range"))?)
        }
        (TopicType::Double, Value::Decimal { unscaled, scale }) => WireValue::Double(
            connect_data::value::decimal_string(*unscaled, *scale)
                .parse()
                .map_err(|_| refuse("a decimal out of range"))?,
        ),
        (TopicType::Binary, Value::Bytes(b)) => WireValue::Binary(Bytes::from(b.clone())),
        (TopicType::Binary, Value::String(s) | Value::Json(J::String(s))) => {
            WireValue::Binary(Bytes::from(s.clone().into_bytes()))
        }
        (_, other) => return Err(refuse(kind(other))),
    };
    wire.encode().map_err(|e| e.to_string())
}

/// What a value is, for an error.
fn kind(v: &Value) -> &'static str {
    use serde_json::Value as J;
    match v {
        Value::Null | Value::Json(J::Null) => "null",
        Value::Boolean(_) | Value::Json(J::Bool(_)) => "a boolean",
        Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_) => "an integer",
        Value::Float32(_) | Value::Float64(_) | Value::Decimal { .. } => "a fractional number",
        Value::Json(J::Number(_)) => "a number",
        Value::String(_) | Value::Json(J::String(_)) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Array(_) | Value::Json(J::Array(_)) => "an array",
        Value::Map(_) | Value::Json(J::Object(_)) => "a map",
        Value::Struct(_) => "a struct",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::ConnectorConfig;

    fn config(extra: &[(&str, &str)]) -> SinkConfig {
        let mut props: BTreeMap<String, String> = [
            ("connector.class", crate::SINK_CLASS),
            ("topics", "orders"),
            ("diffusion.url", "ws://127.0.0.1:8080"),
            ("diffusion.username", "admin"),
            ("diffusion.password", "password"),
            ("diffusion.destination", "kafka/${topic}/${key}"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("value.converter.schemas.enable", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in extra {
            props.insert((*k).into(), (*v).into());
        }
        let c = ConnectorConfig {
            name: "s".into(),
            props,
        };
        SinkConfig::parse(&c, &BTreeMap::new()).expect("a valid config")
    }

    /// The record's failure, which `prepared` must be.
    fn failed(prepared: Result<Prepared, NotPrepared>) -> RecordError {
        match prepared {
            Err(NotPrepared::Failed(e)) => e,
            other => panic!("expected a failed record, got {other:?}"),
        }
    }

    fn update(c: &SinkConfig, r: &Record<'_>) -> Update {
        match prepare(c, r, None).unwrap() {
            Prepared::Update(u) => u,
            Prepared::Dropped => panic!("dropped"),
        }
    }

    fn record<'a>(key: &'a str, value: Option<&'a str>) -> Record<'a> {
        Record {
            topic: "orders",
            partition: 2,
            offset: 7,
            timestamp: Some(1_700_000_000_000),
            key: Some(key.as_bytes()),
            value: value.map(str::as_bytes),
            headers: None,
        }
    }

    #[test]
    fn a_json_record_sets_its_destination_to_its_cbor() {
        let c = config(&[]);
        let u = update(&c, &record("k1", Some(r#"{"a":1}"#)));
        // {"a": 1} in CBOR as the official SDKs write it: an indefinite-length map,
        // text "a", unsigned 1, break.
        assert_eq!(
            u,
            Update::Set {
                path: "kafka/orders/k1".into(),
                value: Bytes::from_static(&[0xbf, 0x61, b'a', 0x01, 0xff]),
                topic_type: TopicType::Json,
                append: None,
            }
        );
    }

    #[test]
    fn a_tombstone_sets_null_or_removes() {
        let set = update(&config(&[]), &record("k", None));
        assert_eq!(
            set,
            Update::Set {
                path: "kafka/orders/k".into(),
                value: Bytes::from_static(CBOR_NULL),
                topic_type: TopicType::Json,
                append: None,
            }
        );
        let c = config(&[("diffusion.tombstone.behavior", "remove")]);
        let removed = update(&c, &record("k", None));
        assert_eq!(
            removed,
            Update::Remove {
                path: "kafka/orders/k".into()
            }
        );
    }

    /// `${key}` alone takes the key's text straight from its bytes (ReadKey::Text); a
    /// transform makes it build the Connect key. Both give the same paths and failures.
    #[test]
    fn the_keys_text_without_its_connect_value_gives_what_the_connect_value_gives() {
        // A transform that changes nothing the destination reads: the Connect path.
        let through_connect = [
            ("transforms", "h"),
            (
                "transforms.h.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.h.header", "x"),
            ("transforms.h.value.literal", "y"),
        ];
        let (text, connect) = (config(&[]), config(&through_connect));
        let with_key = |key: Option<&'static [u8]>| Record {
            key,
            ..record("", Some("1"))
        };
        for key in [&b"k1"[..], b"a/b", "é".as_bytes(), b""] {
            let r = with_key(Some(key));
            match (prepare(&text, &r, None), prepare(&connect, &r, None)) {
                (Ok(Prepared::Update(a)), Ok(Prepared::Update(b))) => assert_eq!(a, b),
                (Err(NotPrepared::Failed(a)), Err(NotPrepared::Failed(b))) => {
                    assert_eq!((a.stage, a.message), (b.stage, b.message))
                }
                other => panic!("{key:?}: {other:?}"),
            }
        }
        // Not UTF-8: the key converter's failure, word for word.
        let bad = with_key(Some(&[0xff, 0xfe]));
        let (a, b) = (
            failed(prepare(&text, &bad, None)),
            failed(prepare(&connect, &bad, None)),
        );
        assert_eq!(a.stage, Stage::KeyConverter);
        assert_eq!((a.stage, a.message), (b.stage, b.message));
        // A null key cannot fill ${key} either way.
        let (a, b) = (
            failed(prepare(&text, &with_key(None), None)),
            failed(prepare(&connect, &with_key(None), None)),
        );
        assert_eq!((a.stage, a.message), (b.stage, b.message));
    }

    #[test]
    fn a_bad_value_fails_at_the_value_converter() {
        let e = failed(prepare(&config(&[]), &record("k", Some("{not json")), None));
        assert_eq!(e.stage, Stage::ValueConverter);
        assert!(e.message.starts_with("value: "), "{}", e.message);
    }

    #[test]
    fn an_update_above_the_servers_limit_fails_at_task_put() {
        let big = format!("\"{}\"", "x".repeat(2000));
        let e = failed(prepare(&config(&[]), &record("k", Some(&big)), Some(1024)));
        assert_eq!(e.stage, Stage::TaskPut);
        assert!(e.message.contains("at most 1024 bytes"), "{}", e.message);
        assert!(prepare(&config(&[]), &record("k", Some(&big)), Some(1 << 20)).is_ok());
    }

    #[test]
    fn a_destination_that_is_not_a_valid_path_fails_at_task_put() {
        let e = failed(prepare(&config(&[]), &record("", Some("1")), None));
        assert_eq!(e.stage, Stage::TaskPut, "{}", e.message);
    }

    #[test]
    fn transforms_run_between_the_converters_and_the_destination() {
        let c = config(&[
            ("diffusion.destination", "t/${topic}/${value.sku}"),
            ("transforms", "drop,pick,route"),
            (
                "transforms.drop.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.drop.predicate", "tomb"),
            (
                "transforms.pick.type",
                "org.apache.kafka.connect.transforms.ExtractField$Value",
            ),
            ("transforms.pick.field", "order"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.replacement", "routed-$1"),
            ("predicates", "tomb"),
            (
                "predicates.tomb.type",
                "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
            ),
        ]);
        let u = update(
            &c,
            &record("a", Some(r#"{"order":{"sku":"A","n":1},"meta":1}"#)),
        );
        assert_eq!(
            u,
            Update::Set {
                path: "t/routed-orders/A".into(),
                value: Bytes::from(
                    connect_data::to_diffusion_cbor(&SchemaAndValue::schemaless(Value::Json(
                        serde_json::json!({"sku":"A","n":1})
                    )))
                    .unwrap()
                ),
                topic_type: TopicType::Json,
                append: None,
            }
        );
        assert!(matches!(
            prepare(&c, &record("b", None), None).unwrap(),
            Prepared::Dropped
        ));
        let e = failed(prepare(&c, &record("c", Some("42")), None));
        assert_eq!(e.stage, Stage::Transformation);
        assert_eq!(
            e.thrown_by.unwrap().0,
            "org.apache.kafka.connect.transforms.ExtractField$Value"
        );
    }

    #[test]
    fn typed_topics_take_values_their_type_can_hold_and_refuse_the_rest() {
        let wire = |t: &str, v: Option<&str>| {
            let c = config(&[("diffusion.topic.type", t)]);
            prepare(&c, &record("k", v), None)
        };
        let set = |t: &str, v: Option<&str>| match wire(t, v).unwrap() {
            Prepared::Update(Update::Set {
                value, topic_type, ..
            }) => (topic_type, value),
            other => panic!("{other:?}"),
        };
        let enc = |v: WireValue| v.encode().unwrap();
        assert_eq!(
            set("string", Some(r#""abc""#)),
            (TopicType::String, enc(WireValue::String("abc".into())))
        );
        assert_eq!(
            set("STRING", Some(r#"{"a":1}"#)),
            (
                TopicType::String,
                enc(WireValue::String(r#"{"a":1}"#.into()))
            )
        );
        assert_eq!(
            set("STRING", Some("1.5")),
            (TopicType::String, enc(WireValue::String("1.5".into())))
        );
        assert_eq!(
            set("INT64", Some("42")),
            (TopicType::Int64, enc(WireValue::Int64(42)))
        );
        assert_eq!(
            set("DOUBLE", Some("42")),
            (TopicType::Double, enc(WireValue::Double(42.0)))
        );
        assert_eq!(
            set("DOUBLE", Some("0.1")),
            (TopicType::Double, enc(WireValue::Double(0.1)))
        );
        assert_eq!(
            set("BINARY", Some(r#""hi""#)),
            (TopicType::Binary, Bytes::from_static(b"hi"))
        );
        // No value for string, int64 and double: CBOR null, as the SDKs write it.
        assert_eq!(
            set("INT64", None),
            (TopicType::Int64, Bytes::from_static(CBOR_NULL))
        );
        for (t, v, what) in [
            (
                "INT64",
                "1.5",
                "a number cannot be the value of a topic of type INT64",
            ),
            (
                "INT64",
                r#""x""#,
                "a string cannot be the value of a topic of type INT64",
            ),
            (
                "DOUBLE",
                "true",
                "a boolean cannot be the value of a topic of type DOUBLE",
            ),
            (
                "BINARY",
                "7",
                "a number cannot be the value of a topic of type BINARY",
            ),
        ] {
            let e = failed(wire(t, Some(v)));
            assert_eq!(e.stage, Stage::TaskPut);
            assert!(
                e.message.contains(what) && e.message.contains("diffusion.topic.type"),
                "{}",
                e.message
            );
        }
        assert!(failed(wire("BINARY", None))
            .message
            .contains("BINARY topic cannot hold"));
    }
}
