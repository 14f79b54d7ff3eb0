//! The Java connector's own test cases for its data conversions, with their inputs and
//! expected outputs, against our code: `RecordToJSONTest` (a sink record's value to the
//! Diffusion JSON it sets), `JSONToSchemaValueTest` (a Diffusion JSON value to the schema
//! and value of a source record) and `RoundTripParsingTest` (one, then the other), in
//! diffusiondata/diffusion-kafka-connect, `src/test/java/com/diffusiondata/connect/diffusion/data/`.
//!
//! A Java value with a schema is a [`SchemaAndValue`] with one (what the JsonConverter's
//! envelope gives); a schemaless Java value (`Integer`, `List`, `Map`) is what the
//! JsonConverter gives for plain JSON. Java compares the text `JSON.toJsonString()` prints,
//! which reads a 16- or 32-bit CBOR float as a Java `Float`; [`java_text`] prints our CBOR
//! the same way. Where we differ on purpose the test asserts our behaviour, and
//! docs/MIGRATING.md gives the reason.

use connect_data::float::single_to_double;
use connect_data::{
    from_diffusion, to_diffusion_cbor, BuiltinConverter, Schema, SchemaAndValue, SchemaType, Value,
};
use diffusion_wire::TopicType;
use proptest::prelude::*;
use serde_json::{json, Value as J};

// ---- helpers ---------------------------------------------------------------------------

fn schema(t: SchemaType) -> Schema {
    Schema::new(t)
}

fn array_of(items: Schema) -> Schema {
    Schema::new(SchemaType::Array).items(items)
}

fn with(schema: Schema, value: Value) -> SchemaAndValue {
    SchemaAndValue {
        schema: Some(schema),
        value,
    }
}

fn schemaless(value: Value) -> SchemaAndValue {
    SchemaAndValue::schemaless(value)
}

fn ints(v: &[i32]) -> Value {
    Value::Array(v.iter().map(|n| Value::Int32(*n)).collect())
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// `{"foo":1,"bar":2,"baz":3}` as a Connect map (Java's `LinkedHashMap`).
fn foo_bar_baz() -> Value {
    Value::Map(vec![
        (string("foo"), Value::Int32(1)),
        (string("bar"), Value::Int32(2)),
        (string("baz"), Value::Int32(3)),
    ])
}

/// The struct of the Java tests: `foo` string, `bar` int32, `baz` array of int32.
fn foo_bar_baz_struct(items: &[i32]) -> SchemaAndValue {
    let s = Schema::new(SchemaType::Struct)
        .field("foo", schema(SchemaType::String))
        .field("bar", schema(SchemaType::Int32))
        .field("baz", array_of(schema(SchemaType::Int32)));
    with(
        s,
        Value::Struct(vec![
            ("foo".into(), string("hello world")),
            ("bar".into(), Value::Int32(123)),
            ("baz".into(), ints(items)),
        ]),
    )
}

/// What the JsonConverter reads from a record's bytes: `envelope` with schemas.enable.
fn envelope(text: &str) -> SchemaAndValue {
    BuiltinConverter::Json {
        schemas_enable: true,
    }
    .to_connect(Some(text.as_bytes()))
    .unwrap()
}

/// Plain JSON, schemas.enable=false: a schemaless value.
const PLAIN: BuiltinConverter = BuiltinConverter::Json {
    schemas_enable: false,
};

/// The Diffusion JSON text Java's `JSON.toJsonString()` prints for our CBOR: a 16- or
/// 32-bit float as a Java `Float` prints, so as `single_to_double` reads it.
fn java_text(cbor: &[u8]) -> String {
    let mut pos = 0;
    let mut out = String::new();
    item(cbor, &mut pos, &mut out);
    assert_eq!(pos, cbor.len(), "trailing bytes in {cbor:02x?}");
    out
}

fn argument(b: &[u8], pos: &mut usize, info: u8) -> Option<u64> {
    let n = match info {
        0..=23 => return Some(u64::from(info)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        31 => return None,
        other => panic!("bad CBOR additional info {other}"),
    };
    let mut v = 0u64;
    for byte in &b[*pos..*pos + n] {
        v = v << 8 | u64::from(*byte);
    }
    *pos += n;
    Some(v)
}

fn item(b: &[u8], pos: &mut usize, out: &mut String) {
    let initial = b[*pos];
    *pos += 1;
    let (major, info) = (initial >> 5, initial & 0x1f);
    let arg = argument(b, pos, info);
    let elements = |b: &[u8], pos: &mut usize, out: &mut String, pairs: bool| {
        let mut i = 0u64;
        loop {
            match arg {
                Some(n) if i == n => break,
                None if b[*pos] == 0xff => {
                    *pos += 1;
                    break;
                }
                _ => {}
            }
            if i > 0 {
                out.push(',');
            }
            item(b, pos, out);
            if pairs {
                out.push(':');
                item(b, pos, out);
            }
            i += 1;
        }
    };
    match major {
        0 => out.push_str(&arg.unwrap().to_string()),
        1 => out.push_str(&(-1 - i128::from(arg.unwrap())).to_string()),
        3 => {
            let n = arg.expect("definite text") as usize;
            let s = std::str::from_utf8(&b[*pos..*pos + n]).unwrap();
            *pos += n;
            out.push_str(&serde_json::to_string(s).unwrap());
        }
        4 => {
            out.push('[');
            elements(b, pos, out, false);
            out.push(']');
        }
        5 => {
            out.push('{');
            elements(b, pos, out, true);
            out.push('}');
        }
        7 => match info {
            20 => out.push_str("false"),
            21 => out.push_str("true"),
            22 => out.push_str("null"),
            25 => {
                let single = half(arg.unwrap() as u16);
                out.push_str(&serde_json::to_string(&single_to_double(single)).unwrap())
            }
            26 => {
                let single = f32::from_bits(arg.unwrap() as u32);
                out.push_str(&serde_json::to_string(&single_to_double(single)).unwrap())
            }
            27 => out.push_str(&serde_json::to_string(&f64::from_bits(arg.unwrap())).unwrap()),
            other => panic!("CBOR simple value {other}"),
        },
        other => panic!("CBOR major type {other} in a JSON value"),
    }
}

fn half(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1f;
    let frac = f32::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f32.powi(-24),
        e => (1.0 + frac / 1024.0) * 2f32.powi(i32::from(e) - 15),
    }
}

/// What the sink sets for a value, as Java prints it.
fn sink_text(sv: &SchemaAndValue) -> String {
    java_text(&to_diffusion_cbor(sv).unwrap())
}

/// Java's `assertWithAndWithoutSchema`: the value with its schema, the same value with none,
/// and, where JSON can carry it, the same value as plain JSON (both of the sink's paths:
/// straight to CBOR, and through the Connect value) all give `want`.
fn assert_with_and_without_schema(sv: SchemaAndValue, plain_json: Option<&str>, want: &str) {
    assert_eq!(sink_text(&sv), want, "with schema: {sv:?}");
    let bare = schemaless(sv.value.clone());
    assert_eq!(sink_text(&bare), want, "without schema: {bare:?}");
    if let Some(text) = plain_json {
        let fast = PLAIN.json_cbor(Some(text.as_bytes())).unwrap();
        assert_eq!(java_text(&fast), want, "plain JSON {text}");
        let read = PLAIN.to_connect(Some(text.as_bytes())).unwrap();
        assert_eq!(
            sink_text(&read),
            want,
            "plain JSON {text} as a Connect value"
        );
    }
}

/// What the source makes of a Diffusion JSON value: decoded as the source decodes it,
/// with its schema inferred.
fn source_reads(cbor: &[u8]) -> SchemaAndValue {
    from_diffusion(diffusion_wire::Value::decode(TopicType::Json, cbor).unwrap())
}

/// A Diffusion JSON value made from JSON text, as `JSON_TYPE.fromJsonString` makes one.
fn diffusion_json(text: &str) -> Vec<u8> {
    let j: J = serde_json::from_str(text).unwrap();
    let mut out = Vec::new();
    diffusion_wire::value::json_to_cbor(&j, &mut out);
    out
}

// ---- RecordToJSONTest ------------------------------------------------------------------

/// RecordToJSONTest#testParsePrimitivesWithSchema
#[test]
fn java_record_to_json_parse_primitives_with_schema() {
    use SchemaType::*;
    assert_with_and_without_schema(
        with(schema(Boolean), Value::Boolean(true)),
        Some("true"),
        "true",
    );
    assert_with_and_without_schema(
        with(schema(Boolean), Value::Boolean(false)),
        Some("false"),
        "false",
    );
    assert_with_and_without_schema(with(schema(Int8), Value::Int8(7)), Some("7"), "7");
    assert_with_and_without_schema(with(schema(Int16), Value::Int16(7)), Some("7"), "7");
    assert_with_and_without_schema(with(schema(Int32), Value::Int32(7)), Some("7"), "7");
    assert_with_and_without_schema(
        with(schema(Int64), Value::Int64(777_777_777_777_777)),
        Some("777777777777777"),
        "777777777777777",
    );
    // FLOAT32 schema with a Java Double; FLOAT64 with a Java float; FLOAT64 with a double.
    assert_with_and_without_schema(
        with(schema(Float32), Value::Float64(7.7)),
        Some("7.7"),
        "7.7",
    );
    assert_with_and_without_schema(with(schema(Float64), Value::Float32(7.7)), None, "7.7");
    assert_with_and_without_schema(
        with(schema(Float64), Value::Float64(7.7)),
        Some("7.7"),
        "7.7",
    );
    assert_with_and_without_schema(
        with(schema(String), string("hello world")),
        Some("\"hello world\""),
        "\"hello world\"",
    );
    // The same through the JsonConverter's envelope; a FLOAT32 is sent as Java sends it, a
    // 32-bit float: the bytes Java's test gets.
    assert_eq!(
        sink_text(&envelope(r#"{"schema":{"type":"int8"},"payload":7}"#)),
        "7"
    );
    let float = envelope(r#"{"schema":{"type":"float"},"payload":7.7}"#);
    assert_eq!(
        to_diffusion_cbor(&float).unwrap(),
        [0xfa, 0x40, 0xf6, 0x66, 0x66]
    );
    assert_eq!(sink_text(&float), "7.7");
    // A FLOAT64 keeps full precision (Java wrote it as a 32-bit float: 7.699999809265137
    // for 7.700000000000001; see MIGRATING.md).
    let double = envelope(r#"{"schema":{"type":"double"},"payload":7.700000000000001}"#);
    assert_eq!(sink_text(&double), "7.700000000000001");
}

/// RecordToJSONTest#testParseArray
#[test]
fn java_record_to_json_parse_array() {
    assert_with_and_without_schema(
        with(array_of(schema(SchemaType::Int32)), ints(&[1, 2, 3, 4, 5])),
        Some("[1,2,3,4,5]"),
        "[1,2,3,4,5]",
    );
}

/// RecordToJSONTest#testParseNestedArray
#[test]
fn java_record_to_json_parse_nested_array() {
    let nested = Value::Array(vec![ints(&[1, 2, 3]), ints(&[4, 5, 6])]);
    assert_with_and_without_schema(
        with(array_of(array_of(schema(SchemaType::Int32))), nested),
        Some("[[1,2,3],[4,5,6]]"),
        "[[1,2,3],[4,5,6]]",
    );
    let sv = envelope(
        r#"{"schema":{"type":"array","items":{"type":"array","items":{"type":"int32"}}},"payload":[[1,2,3],[4,5,6]]}"#,
    );
    assert_eq!(sink_text(&sv), "[[1,2,3],[4,5,6]]");
}

/// RecordToJSONTest#testParseNestedArrayWithPartialSchema
#[test]
fn java_record_to_json_parse_nested_array_with_partial_schema() {
    // array(type(ARRAY)): the inner arrays have no item schema.
    let nested = Value::Array(vec![ints(&[1, 2, 3]), ints(&[4, 5, 6])]);
    assert_with_and_without_schema(
        with(array_of(schema(SchemaType::Array)), nested),
        Some("[[1,2,3],[4,5,6]]"),
        "[[1,2,3],[4,5,6]]",
    );
    // As Kafka's JsonConverter writes that schema: "items": null below the top.
    let sv = envelope(
        r#"{"schema":{"type":"array","items":{"type":"array","items":null}},"payload":[[1,2,3],[4,5,6]]}"#,
    );
    assert_eq!(sink_text(&sv), "[[1,2,3],[4,5,6]]");
}

/// RecordToJSONTest#testParseMap
#[test]
fn java_record_to_json_parse_map() {
    let s = Schema::map_of(schema(SchemaType::String), schema(SchemaType::Int32));
    assert_with_and_without_schema(
        with(s, foo_bar_baz()),
        Some(r#"{"foo":1,"bar":2,"baz":3}"#),
        r#"{"foo":1,"bar":2,"baz":3}"#,
    );
}

/// RecordToJSONTest#testParseMapWithNonPrimitiveKeyThrows
#[test]
fn java_record_to_json_parse_map_with_non_primitive_key_throws() {
    // A schemaless map keyed by lists ({[1]:1,[2]:2,[3]:3}): JSON cannot carry it, so
    // only a Connect value can; the record fails.
    let map = Value::Map(
        (1..=3)
            .map(|n| (Value::Array(vec![Value::Int32(n)]), Value::Int32(n)))
            .collect(),
    );
    let e = to_diffusion_cbor(&schemaless(map)).unwrap_err();
    assert!(e.0.contains("non-string key"), "{e}");
}

/// RecordToJSONTest#testParseNestedMap
#[test]
fn java_record_to_json_parse_nested_map() {
    let inner = Schema::map_of(schema(SchemaType::String), schema(SchemaType::Int32));
    let s = Schema::map_of(schema(SchemaType::String), inner);
    let value = Value::Map(vec![
        (string("foo"), foo_bar_baz()),
        (string("bar"), foo_bar_baz()),
    ]);
    let want = r#"{"foo":{"foo":1,"bar":2,"baz":3},"bar":{"foo":1,"bar":2,"baz":3}}"#;
    assert_with_and_without_schema(with(s, value), Some(want), want);
}

/// RecordToJSONTest#testParseNestedMapWithPartialSchema
#[test]
fn java_record_to_json_parse_nested_map_with_partial_schema() {
    // map(STRING, type(MAP)): the inner maps have no key or value schema.
    let s = Schema::map_of(schema(SchemaType::String), schema(SchemaType::Map));
    let value = Value::Map(vec![
        (string("foo"), foo_bar_baz()),
        (string("bar"), foo_bar_baz()),
    ]);
    let want = r#"{"foo":{"foo":1,"bar":2,"baz":3},"bar":{"foo":1,"bar":2,"baz":3}}"#;
    assert_with_and_without_schema(with(s, value), Some(want), want);
    let sv = envelope(&format!(
        r#"{{"schema":{{"type":"map","keys":{{"type":"string"}},"values":{{"type":"map","keys":null,"values":null}}}},"payload":{want}}}"#
    ));
    assert_eq!(sink_text(&sv), want);
}

/// RecordToJSONTest#testParseStruct
#[test]
fn java_record_to_json_parse_struct() {
    assert_eq!(
        sink_text(&foo_bar_baz_struct(&[1, 2, 3])),
        r#"{"foo":"hello world","bar":123,"baz":[1,2,3]}"#
    );
}

/// RecordToJSONTest#testParseStructWithoutSchemaThrows
#[test]
fn java_record_to_json_parse_struct_without_schema_throws() {
    let sv = schemaless(foo_bar_baz_struct(&[1, 2, 3]).value);
    let e = to_diffusion_cbor(&sv).unwrap_err();
    assert!(e.0.contains("struct without a struct schema"), "{e}");
}

/// Not a Java test case (none covers logical types): Date, Time and Timestamp as the Java
/// connector writes them (RecordToJSON → Values.convertToInteger/convertToLong): days
/// since the epoch, milliseconds since midnight, milliseconds since the epoch.
#[test]
fn dates_times_and_timestamps_are_written_as_the_java_connector_writes_them() {
    let date = envelope(
        r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1},"payload":19723}"#,
    );
    assert_eq!(sink_text(&date), "19723");
    let time = envelope(
        r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time","version":1},"payload":45296789}"#,
    );
    assert_eq!(sink_text(&time), "45296789");
    let ts = envelope(
        r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":1704067200000}"#,
    );
    assert_eq!(sink_text(&ts), "1704067200000");
}

// ---- JSONToSchemaValueTest -------------------------------------------------------------

fn assert_schema_and_value(want_schema: Option<Schema>, want_value: J, text: &str) {
    let got = source_reads(&diffusion_json(text));
    assert_eq!(got.schema, want_schema, "{text}");
    assert_eq!(got.value, Value::Json(want_value), "{text}");
}

/// JSONToSchemaValueTest#testPrimitives
#[test]
fn java_json_to_schema_value_primitives() {
    assert_schema_and_value(None, J::Null, "null");
    assert_schema_and_value(Some(schema(SchemaType::Boolean)), json!(true), "true");
    assert_schema_and_value(Some(schema(SchemaType::Boolean)), json!(false), "false");
    assert_schema_and_value(Some(schema(SchemaType::Int32)), json!(123), "123");
    assert_schema_and_value(Some(schema(SchemaType::Float64)), json!(123.456), "123.456");
    assert_schema_and_value(
        Some(schema(SchemaType::String)),
        json!("hello world"),
        "\"hello world\"",
    );
    // The Java SDK writes that double in 8 bytes; the Python and JavaScript SDKs too (it
    // has no shorter exact form). Either way: FLOAT64.
    let mut java_sdk = vec![0xfb];
    java_sdk.extend_from_slice(&123.456f64.to_bits().to_be_bytes());
    assert_eq!(diffusion_json("123.456"), java_sdk);
}

/// JSONToSchemaValueTest#testArray
#[test]
fn java_json_to_schema_value_array() {
    assert_schema_and_value(
        Some(array_of(schema(SchemaType::Int32))),
        json!([4, 5, 6]),
        "[4,5,6]",
    );
}

/// JSONToSchemaValueTest#testMixedArray
#[test]
fn java_json_to_schema_value_mixed_array() {
    assert_schema_and_value(
        None,
        json!([4, "hello world", true]),
        r#"[4,"hello world",true]"#,
    );
}

/// JSONToSchemaValueTest#testNestedArray
#[test]
fn java_json_to_schema_value_nested_array() {
    // array(type(ARRAY)): the inner arrays' items are not typed.
    assert_schema_and_value(
        Some(array_of(schema(SchemaType::Array))),
        json!([[1, 2, 3], [4, 5, 6]]),
        "[[1,2,3],[4,5,6]]",
    );
}

/// JSONToSchemaValueTest#testObject
#[test]
fn java_json_to_schema_value_object() {
    let text = r#"{"foo":"hello world","bar":123,"baz":[4,5,6]}"#;
    // Java compares HashMaps; serde_json's maps compare regardless of order too.
    assert_schema_and_value(
        None,
        json!({"bar": 123, "baz": [4, 5, 6], "foo": "hello world"}),
        text,
    );
    // Ours keeps the publisher's order (Java's HashMap order was arbitrary).
    let Value::Json(J::Object(o)) = source_reads(&diffusion_json(text)).value else {
        panic!("an object");
    };
    assert_eq!(o.keys().collect::<Vec<_>>(), ["foo", "bar", "baz"]);
}

/// JSONToSchemaValueTest#testNestedObject
#[test]
fn java_json_to_schema_value_nested_object() {
    assert_schema_and_value(
        None,
        json!({"foo": {"foo": "hello world", "bar": 123, "baz": [4, 5, 6]}}),
        r#"{"foo":{"foo":"hello world","bar":123,"baz":[4,5,6]}}"#,
    );
}

/// Not a Java test case: what the official Python and JavaScript SDKs send for 1.5 (a
/// 16-bit float) and what a Java `float` becomes (a 32-bit float) are FLOAT64, read as
/// Java prints them (123.456f is 123.456, not 123.45600128173828).
#[test]
fn single_precision_floats_from_diffusion_are_float64_read_as_java_prints_them() {
    let half = source_reads(&[0xf9, 0x3e, 0x00]);
    assert_eq!(half.schema, Some(schema(SchemaType::Float64)));
    assert_eq!(half.value, Value::Json(json!(1.5)));
    let mut single = vec![0xfa];
    single.extend_from_slice(&123.456f32.to_bits().to_be_bytes());
    let single = source_reads(&single);
    assert_eq!(single.schema, Some(schema(SchemaType::Float64)));
    assert_eq!(single.value, Value::Json(json!(123.456)));
    // Plain JSON text, as the source writes it when the value converter has no schemas.
    let mut text = Vec::new();
    diffusion_wire::value::cbor_slice_to_json_text(&[0xfa, 0x40, 0xf6, 0x66, 0x66], &mut text)
        .unwrap();
    assert_eq!(String::from_utf8(text).unwrap(), "7.7");
}

// ---- RoundTripParsingTest --------------------------------------------------------------

/// Sink, then source: the value as the sink sets it, read back as the source reads it.
fn sink_then_source(sv: &SchemaAndValue) -> SchemaAndValue {
    source_reads(&to_diffusion_cbor(sv).unwrap())
}

/// Java's `assertRoundTrip`: `from` comes back as (`to_schema`, `to_value`), and that pair
/// comes back as itself.
fn assert_round_trip(from: SchemaAndValue, to_schema: Option<Schema>, to_value: J) {
    let first = sink_then_source(&from);
    assert_eq!(first.schema, to_schema, "{from:?}");
    assert_eq!(first.value, Value::Json(to_value), "{from:?}");
    assert_eq!(
        sink_then_source(&first),
        first,
        "the second pass of {from:?}"
    );
}

/// RoundTripParsingTest#testPrimitives
#[test]
fn java_round_trip_parsing_primitives() {
    use SchemaType::*;
    assert_round_trip(schemaless(Value::Null), None, J::Null);
    assert_round_trip(
        with(schema(Boolean), Value::Boolean(true)),
        Some(schema(Boolean)),
        json!(true),
    );
    assert_round_trip(
        with(schema(Boolean), Value::Boolean(false)),
        Some(schema(Boolean)),
        json!(false),
    );
    assert_round_trip(
        with(schema(Int32), Value::Int32(123)),
        Some(schema(Int32)),
        json!(123),
    );
    // Java: FLOAT32 and 123.456f back. Ours: FLOAT64 (a float's width says nothing of the
    // publisher's type, see MIGRATING.md), and the value reads the same: 123.456.
    assert_round_trip(
        with(schema(Float32), Value::Float32(123.456)),
        Some(schema(Float64)),
        json!(123.456),
    );
    assert_round_trip(
        with(schema(String), string("hello world")),
        Some(schema(String)),
        json!("hello world"),
    );
}

/// RoundTripParsingTest#testArray
#[test]
fn java_round_trip_parsing_array() {
    let s = array_of(schema(SchemaType::Int32));
    assert_round_trip(with(s.clone(), ints(&[1, 2, 3])), Some(s), json!([1, 2, 3]));
}

/// RoundTripParsingTest#testNestedArray
#[test]
fn java_round_trip_parsing_nested_array() {
    assert_round_trip(
        with(
            array_of(array_of(schema(SchemaType::Int32))),
            Value::Array(vec![ints(&[1, 2, 3]), ints(&[4, 5, 6])]),
        ),
        Some(array_of(schema(SchemaType::Array))),
        json!([[1, 2, 3], [4, 5, 6]]),
    );
}

/// RoundTripParsingTest#testMap
#[test]
fn java_round_trip_parsing_map() {
    // A HashMap given "foo" three times: {"foo":3}.
    let s = Schema::map_of(schema(SchemaType::String), schema(SchemaType::Int32));
    assert_round_trip(
        with(
            s.clone(),
            Value::Map(vec![(string("foo"), Value::Int32(3))]),
        ),
        Some(s),
        json!({"foo": 3}),
    );
}

/// RoundTripParsingTest#testNestedMap
#[test]
fn java_round_trip_parsing_nested_map() {
    let inner = Schema::map_of(schema(SchemaType::String), schema(SchemaType::Int32));
    let value = Value::Map(
        ["foo", "bar", "baz"]
            .iter()
            .map(|k| (string(k), foo_bar_baz()))
            .collect(),
    );
    let m = json!({"foo": 1, "bar": 2, "baz": 3});
    assert_round_trip(
        with(Schema::map_of(schema(SchemaType::String), inner), value),
        Some(Schema::map_of(
            schema(SchemaType::String),
            schema(SchemaType::Map),
        )),
        json!({"foo": m, "bar": m, "baz": m}),
    );
}

/// RoundTripParsingTest#testStruct
#[test]
fn java_round_trip_parsing_struct() {
    // A struct cannot be synthesised from JSON: a map with no schema comes back.
    assert_round_trip(
        foo_bar_baz_struct(&[1, 2, 3]),
        None,
        json!({"foo": "hello world", "bar": 123, "baz": [1, 2, 3]}),
    );
}

proptest! {
    /// Not a Java test case: a FLOAT64 value goes through the sink and the source
    /// unchanged, whatever its bits (decision: full double precision, and a float's
    /// shortest decimal never changes a value written from a double).
    #[test]
    fn a_float64_survives_the_sink_and_the_source(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assume!(x.is_finite());
        let back = sink_then_source(&with(schema(SchemaType::Float64), Value::Float64(x)));
        let Value::Json(J::Number(n)) = back.value else { panic!("a number") };
        let got = n.as_f64().unwrap();
        prop_assert_eq!(got.to_bits(), x.to_bits(), "{} came back as {}", x, got);
    }
}
