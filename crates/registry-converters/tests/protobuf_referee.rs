//! The Protobuf mapping against a real referee: Google's Python protobuf runtime (with
//! confluent-kafka's message-index code) writes the bytes we decode, and reads the bytes we
//! encode. The schema travels to Python as the FileDescriptorSet protox compiled from our text.

use std::path::PathBuf;

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};
use registry_converters::protobuf::{decode, encode, ProtobufError, ProtobufSchema};
use serde_json::{json, Value as J};

const ORDER: &str = r#"
syntax = "proto3";
package shop;

import "confluent/meta.proto";
import "confluent/type/decimal.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/type/date.proto";
import "google/type/timeofday.proto";

message Order {
  int32 id = 1;
  sint32 s32 = 2;
  uint32 u32 = 3;
  int64 i64 = 4;
  uint64 u64 = 5;
  float f = 6;
  double d = 7;
  bool b = 8;
  string name = 9;
  bytes data = 10;
  Status status = 11;
  repeated string tags = 12;
  map<string, int32> counts = 13;
  Inner inner = 14;
  oneof choice {
    string text = 15;
    int32 number = 16;
  }
  google.protobuf.Timestamp ts = 17;
  google.protobuf.StringValue note = 18;
  optional int32 maybe = 19;
  confluent.type.Decimal price = 20 [(confluent.field_meta) = { params: [{ key: "scale", value: "2" }, { key: "precision", value: "10" }] }];
  google.type.Date day = 21;
  google.type.TimeOfDay at = 22;
  int32 small = 23 [(confluent.field_meta) = { params: [{ key: "connect.type", value: "int16" }] }];
  repeated Inner inners = 24;

  message Inner {
    string x = 1;
  }
  enum Status {
    UNKNOWN = 0;
    ACTIVE = 1;
  }
}

message Second {
  string a = 1;
  message Nested {
    int32 z = 1;
  }
}
"#;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/protobuf_referee.py")
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Runs the referee in `mode` over `cases` for `schema`; its output lines.
fn referee(schema: &ProtobufSchema, mode: &str, cases: Vec<J>) -> Vec<String> {
    let spec = json!({"fds": b64(&schema.file_descriptor_set()), "cases": cases});
    let dir = std::env::temp_dir().join(format!("protobuf-referee-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{mode}-{:x}.json", rand_id()));
    std::fs::write(&path, spec.to_string()).unwrap();
    let run = test_support::registry::python_referee(&script(), &[mode, path.to_str().unwrap()]);
    run.assert_success();
    run.lines()
}

fn rand_id() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

fn opt(t: SchemaType, tag: u32) -> Schema {
    let mut s = Schema::new(t).optional();
    s.parameters
        .insert("io.confluent.connect.protobuf.Tag".into(), tag.to_string());
    s
}

fn param(mut s: Schema, k: &str, v: &str) -> Schema {
    s.parameters.insert(k.into(), v.into());
    s
}

fn logical(t: SchemaType, name: &str, tag: u32) -> Schema {
    let mut s = opt(t, tag).named(name);
    s.version = Some(1);
    s
}

const TYPE: &str = "io.confluent.connect.protobuf.Type";

/// The Connect schema Confluent's ProtobufData gives `shop.Order` (default config).
fn order_schema() -> Schema {
    let inner = || {
        Schema::new(SchemaType::Struct)
            .named("Inner")
            .field("x", opt(SchemaType::String, 1))
    };
    let mut status = opt(SchemaType::String, 11).named("Status");
    for (k, v) in [
        ("io.confluent.connect.protobuf.Enum", "Status"),
        ("io.confluent.connect.protobuf.Enum.UNKNOWN", "0"),
        ("io.confluent.connect.protobuf.Enum.ACTIVE", "1"),
    ] {
        status = param(status, k, v);
    }
    let mut tags = Schema::new(SchemaType::Array).items(Schema::new(SchemaType::String).optional());
    tags = param(tags.optional(), "io.confluent.connect.protobuf.Tag", "12");
    let mut counts =
        Schema::map_of(opt(SchemaType::String, 1), opt(SchemaType::Int32, 2)).named("counts");
    counts = param(counts.optional(), "io.confluent.connect.protobuf.Tag", "13");
    let mut inner_field = inner().optional();
    inner_field = param(inner_field, "io.confluent.connect.protobuf.Tag", "14");
    let choice = Schema::new(SchemaType::Struct)
        .named("io.confluent.connect.protobuf.Union.choice")
        .optional()
        .field("text", opt(SchemaType::String, 15))
        .field("number", opt(SchemaType::Int32, 16));
    let note = param(
        Schema::new(SchemaType::Struct)
            .named("StringValue")
            .field("value", opt(SchemaType::String, 1))
            .optional(),
        "io.confluent.connect.protobuf.Tag",
        "18",
    );
    let price = param(
        param(logical(SchemaType::Bytes, DECIMAL, 20), "scale", "2"),
        "connect.decimal.precision",
        "10",
    );
    let inners = param(
        Schema::new(SchemaType::Array)
            .items(inner().optional())
            .optional(),
        "io.confluent.connect.protobuf.Tag",
        "24",
    );
    Schema::new(SchemaType::Struct)
        .named("Order")
        .field("choice_0", choice)
        .field("id", opt(SchemaType::Int32, 1))
        .field("s32", param(opt(SchemaType::Int32, 2), TYPE, "sint32"))
        .field("u32", param(opt(SchemaType::Int64, 3), TYPE, "uint32"))
        .field("i64", opt(SchemaType::Int64, 4))
        .field("u64", param(opt(SchemaType::Int64, 5), TYPE, "uint64"))
        .field("f", opt(SchemaType::Float32, 6))
        .field("d", opt(SchemaType::Float64, 7))
        .field("b", opt(SchemaType::Boolean, 8))
        .field("name", opt(SchemaType::String, 9))
        .field("data", opt(SchemaType::Bytes, 10))
        .field("status", status)
        .field("tags", tags)
        .field("counts", counts)
        .field("inner", inner_field)
        .field("ts", logical(SchemaType::Int64, TIMESTAMP, 17))
        .field("note", note)
        .field("maybe", opt(SchemaType::Int32, 19))
        .field("price", price)
        .field("day", logical(SchemaType::Int32, DATE, 21))
        .field("at", logical(SchemaType::Int32, TIME, 22))
        .field("small", opt(SchemaType::Int16, 23))
        .field("inners", inners)
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

fn st(fields: Vec<(&str, Value)>) -> Value {
    Value::Struct(fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect())
}

#[test]
fn decodes_what_the_python_runtime_writes() {
    let schema = ProtobufSchema::parse(ORDER, &[]).unwrap();
    assert_eq!(schema.record_name(), Some("shop.Order"));
    assert!(schema.references().is_empty());
    let lines = referee(
        &schema,
        "serialize",
        vec![
            json!({"message": "shop.Order", "json": {
                "id": 7, "s32": -5, "u32": 4294967295u64, "i64": "-9000000000", "u64": "18446744073709551615",
                "f": 1.5, "d": 2.25, "b": true, "name": "widget", "data": "AQID", "status": "ACTIVE",
                "tags": ["a", "b"], "counts": {"z": 2, "a": 1}, "inner": {"x": "in"}, "number": 42,
                "ts": "2024-01-02T03:04:05.678901Z", "note": "hi", "maybe": 0,
                "price": {"value": "MDk=", "precision": 5, "scale": 2},
                "day": {"year": 2024, "month": 2, "day": 29},
                "at": {"hours": 1, "minutes": 2, "seconds": 3, "nanos": 4000000},
                "small": -300, "inners": [{"x": "p"}, {}]
            }}),
            json!({"message": "shop.Order", "json": {}}),
            json!({"message": "shop.Second", "json": {"a": "second"}}),
            json!({"message": "shop.Second.Nested", "json": {"z": -1}}),
        ],
    );
    assert_eq!(lines.len(), 4, "{lines:?}");

    // The first message: indexes [0] as the single byte 0.
    let full = unhex(&lines[0]);
    assert_eq!(full[0], 0);
    let got = decode(&schema, &full).unwrap();
    assert_eq!(got.schema.as_ref(), Some(&order_schema()));
    let expected = st(vec![
        (
            "choice_0",
            st(vec![("text", Value::Null), ("number", Value::Int32(42))]),
        ),
        ("id", Value::Int32(7)),
        ("s32", Value::Int32(-5)),
        ("u32", Value::Int64(4294967295)),
        ("i64", Value::Int64(-9000000000)),
        ("u64", Value::Int64(-1)),
        ("f", Value::Float32(1.5)),
        ("d", Value::Float64(2.25)),
        ("b", Value::Boolean(true)),
        ("name", s("widget")),
        ("data", Value::Bytes(vec![1, 2, 3])),
        ("status", s("ACTIVE")),
        ("tags", Value::Array(vec![s("a"), s("b")])),
        (
            "counts",
            Value::Map(vec![(s("a"), Value::Int32(1)), (s("z"), Value::Int32(2))]),
        ),
        ("inner", st(vec![("x", s("in"))])),
        ("ts", Value::Int64(1_704_164_645_678)),
        ("note", st(vec![("value", s("hi"))])),
        // proto3 optional set to its default: present.
        ("maybe", Value::Int32(0)),
        (
            "price",
            Value::Decimal {
                unscaled: 12345,
                scale: 2,
            },
        ),
        ("day", Value::Int32(19782)),
        ("at", Value::Int32(3_723_004)),
        ("small", Value::Int16(-300)),
        (
            "inners",
            Value::Array(vec![st(vec![("x", s("p"))]), st(vec![("x", s(""))])]),
        ),
    ]);
    assert_eq!(got.value, expected);

    // Nothing set: scalars, enums and repeated fields are their defaults, messages, the oneof
    // and the proto3 optional are null.
    let empty = decode(&schema, &unhex(&lines[1])).unwrap();
    assert_eq!(
        empty.value,
        st(vec![
            ("choice_0", Value::Null),
            ("id", Value::Int32(0)),
            ("s32", Value::Int32(0)),
            ("u32", Value::Int64(0)),
            ("i64", Value::Int64(0)),
            ("u64", Value::Int64(0)),
            ("f", Value::Float32(0.0)),
            ("d", Value::Float64(0.0)),
            ("b", Value::Boolean(false)),
            ("name", s("")),
            ("data", Value::Bytes(vec![])),
            ("status", s("UNKNOWN")),
            ("tags", Value::Array(vec![])),
            ("counts", Value::Map(vec![])),
            ("inner", Value::Null),
            ("ts", Value::Null),
            ("note", Value::Null),
            ("maybe", Value::Null),
            ("price", Value::Null),
            ("day", Value::Null),
            ("at", Value::Null),
            ("small", Value::Int16(0)),
            ("inners", Value::Array(vec![])),
        ])
    );

    // The second message: indexes [1]; a nested one [1, 0].
    let second = unhex(&lines[2]);
    assert_eq!(&second[..2], [2, 2]);
    let got = decode(&schema, &second).unwrap();
    assert_eq!(
        got.schema.unwrap(),
        Schema::new(SchemaType::Struct)
            .named("Second")
            .field("a", opt(SchemaType::String, 1))
    );
    assert_eq!(got.value, st(vec![("a", s("second"))]));
    let nested = unhex(&lines[3]);
    assert_eq!(&nested[..3], [4, 2, 0]);
    let got = decode(&schema, &nested).unwrap();
    assert_eq!(got.schema.unwrap().name.as_deref(), Some("Nested"));
    assert_eq!(got.value, st(vec![("z", Value::Int32(-1))]));

    // Indexes naming no message.
    assert_eq!(
        decode(&schema, &[2, 6]),
        Err(ProtobufError::NoSuchMessage(vec![3]))
    );
}

fn field(name: &str, s: Schema) -> (String, Schema) {
    (name.to_owned(), s)
}

/// A Connect struct as a source connector might write it, every kind of field.
fn connect_schema() -> Schema {
    let mut enum_schema = Schema::new(SchemaType::String).named("Colour").optional();
    for (k, v) in [
        ("io.confluent.connect.protobuf.Enum", "Colour"),
        ("io.confluent.connect.protobuf.Enum.RED", "0"),
        ("io.confluent.connect.protobuf.Enum.GREEN", "1"),
    ] {
        enum_schema = param(enum_schema, k, v);
    }
    let mut dec = Schema::new(SchemaType::Bytes).named(DECIMAL).optional();
    dec = param(dec, "scale", "3");
    let union = Schema::new(SchemaType::Struct)
        .named("io.confluent.connect.protobuf.Union.pick")
        .optional()
        .field("word", Schema::new(SchemaType::String).optional())
        .field("count", Schema::new(SchemaType::Int64).optional());
    let point = Schema::new(SchemaType::Struct)
        .named("com.example.Point")
        .optional()
        .field("x", Schema::new(SchemaType::Float64))
        .field("y", Schema::new(SchemaType::Float64));
    let unnamed = Schema::new(SchemaType::Struct)
        .optional()
        .field("k", Schema::new(SchemaType::String).optional());
    let fields = vec![
        field("tiny", Schema::new(SchemaType::Int8)),
        field("short", Schema::new(SchemaType::Int16)),
        field("int", Schema::new(SchemaType::Int32)),
        field("long", Schema::new(SchemaType::Int64)),
        field("float", Schema::new(SchemaType::Float32)),
        field("double", Schema::new(SchemaType::Float64)),
        field("flag", Schema::new(SchemaType::Boolean)),
        field("text", Schema::new(SchemaType::String).optional()),
        field("blob", Schema::new(SchemaType::Bytes).optional()),
        field(
            "list",
            Schema::new(SchemaType::Array).items(Schema::new(SchemaType::String)),
        ),
        field(
            "prices",
            Schema::map_of(
                Schema::new(SchemaType::String),
                Schema::new(SchemaType::Float64),
            ),
        ),
        field("point", point),
        field("point2", unnamed),
        field("pick", union),
        field("colour", enum_schema),
        field("amount", dec),
        field("day", Schema::new(SchemaType::Int32).named(DATE).optional()),
        field("at", Schema::new(SchemaType::Int32).named(TIME).optional()),
        field(
            "when",
            Schema::new(SchemaType::Int64).named(TIMESTAMP).optional(),
        ),
    ];
    let mut s = Schema::new(SchemaType::Struct).named("com.example.Reading");
    for (n, f) in fields {
        s = s.field(&n, f);
    }
    s
}

fn connect_value() -> Value {
    st(vec![
        ("tiny", Value::Int8(-3)),
        ("short", Value::Int16(1234)),
        ("int", Value::Int32(-70000)),
        ("long", Value::Int64(1 << 40)),
        ("float", Value::Float32(0.5)),
        ("double", Value::Float64(-1.25)),
        ("flag", Value::Boolean(true)),
        ("text", s("héllo")),
        ("blob", Value::Bytes(vec![0, 255])),
        ("list", Value::Array(vec![s("a"), s("b")])),
        (
            "prices",
            Value::Map(vec![
                (s("bid"), Value::Float64(1.5)),
                (s("ask"), Value::Float64(2.5)),
            ]),
        ),
        (
            "point",
            st(vec![("x", Value::Float64(1.0)), ("y", Value::Float64(2.0))]),
        ),
        ("point2", st(vec![("k", s("v"))])),
        (
            "pick",
            st(vec![("word", Value::Null), ("count", Value::Int64(9))]),
        ),
        ("colour", s("GREEN")),
        (
            "amount",
            Value::Decimal {
                unscaled: -12345,
                scale: 3,
            },
        ),
        ("day", Value::Int32(19782)),
        ("at", Value::Int32(3_723_004)),
        ("when", Value::Int64(-1)),
    ])
}

#[test]
fn the_python_runtime_reads_what_we_encode() {
    let connect = connect_schema();
    let schema = ProtobufSchema::from_connect(Some(&connect)).unwrap();
    let text = schema.text().to_owned();
    assert_eq!(schema.record_name(), Some("com.example.Reading"), "{text}");
    assert!(text.contains("package com.example;"), "{text}");
    assert!(text.contains("oneof pick {"), "{text}");
    assert!(
        text.contains("repeated ConnectDefault1Entry prices = 11;"),
        "{text}"
    );
    assert!(text.contains("ConnectDefault2 point2 = 13;"), "{text}");
    assert!(
        text.contains("import \"confluent/type/decimal.proto\";"),
        "{text}"
    );
    // All imports are files the registry knows: nothing to register.
    assert!(schema.references().is_empty());
    let data = SchemaAndValue {
        schema: Some(connect.clone()),
        value: connect_value(),
    };
    let bytes = encode(&schema, &data).unwrap();
    assert_eq!(bytes[0], 0, "the first message's indexes");

    let lines = referee(&schema, "deserialize", vec![json!({"hex": hex(&bytes)})]);
    let got: J = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(got["message"], "com.example.Reading");
    assert_eq!(
        got["json"],
        json!({
            "tiny": -3, "short": 1234, "int": -70000, "long": "1099511627776", "float": 0.5,
            "double": -1.25, "flag": true, "text": "héllo", "blob": "AP8=", "list": ["a", "b"],
            "prices": [{"key": "bid", "value": 1.5}, {"key": "ask", "value": 2.5}],
            "point": {"x": 1.0, "y": 2.0}, "point2": {"k": "v"}, "count": "9",
            "colour": "GREEN",
            // -12345 as Java's BigInteger.toByteArray(): cf c7; precision 5.
            "amount": {"value": "z8c=", "precision": 5, "scale": 3},
            "day": {"year": 2024, "month": 2, "day": 29},
            "at": {"hours": 1, "minutes": 2, "seconds": 3, "nanos": 4000000},
            "when": "1969-12-31T23:59:59.999Z"
        }),
        "{text}"
    );

    // And back: the Connect schema of the generated message, the same values.
    let back = decode(&schema, &bytes).unwrap();
    let Value::Struct(fields) = &back.value else {
        panic!()
    };
    assert_eq!(
        fields.iter().find(|(n, _)| n == "pick_0").unwrap().1,
        st(vec![("word", Value::Null), ("count", Value::Int64(9))])
    );
    assert_eq!(
        fields.iter().find(|(n, _)| n == "amount").unwrap().1,
        Value::Decimal {
            unscaled: -12345,
            scale: 3
        }
    );
}

#[test]
fn a_primitive_is_its_wrapper_message() {
    // MessageToDict writes a wrapper as its bare value.
    for (schema, value, message, index, json) in [
        (
            Schema::new(SchemaType::String),
            s("hello"),
            "google.protobuf.StringValue",
            7,
            json!("hello"),
        ),
        (
            Schema::new(SchemaType::Int64),
            Value::Int64(5),
            "google.protobuf.Int64Value",
            2,
            json!("5"),
        ),
        (
            Schema::new(SchemaType::Int16),
            Value::Int16(-2),
            "google.protobuf.Int32Value",
            4,
            json!(-2),
        ),
        (
            Schema::new(SchemaType::Float64),
            Value::Float64(0.25),
            "google.protobuf.DoubleValue",
            0,
            json!(0.25),
        ),
        (
            Schema::new(SchemaType::Bytes),
            Value::Bytes(vec![1]),
            "google.protobuf.BytesValue",
            8,
            json!("AQ=="),
        ),
        (
            Schema::new(SchemaType::Boolean),
            Value::Boolean(true),
            "google.protobuf.BoolValue",
            6,
            json!(true),
        ),
    ] {
        let ps = ProtobufSchema::from_connect(Some(&schema)).unwrap();
        assert_eq!(ps.record_name(), Some(message));
        assert!(ps.text().contains("package google.protobuf;"));
        let data = SchemaAndValue {
            schema: Some(schema.clone()),
            value: value.clone(),
        };
        let bytes = encode(&ps, &data).unwrap();
        if index != 0 {
            assert_eq!(&bytes[..2], [2, index * 2]);
        }
        let lines = referee(&ps, "deserialize", vec![json!({"hex": hex(&bytes)})]);
        let got: J = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(got, json!({"message": message, "json": json}));
        // Read back at the top, a wrapper is its primitive (INT16 comes back INT32).
        let back = decode(&ps, &bytes).unwrap();
        let expected_type = if schema.schema_type == SchemaType::Int16 {
            SchemaType::Int32
        } else {
            schema.schema_type
        };
        assert_eq!(back.schema, Some(Schema::new(expected_type)));
        if expected_type == schema.schema_type {
            assert_eq!(back.value, value);
        }
    }
}

#[test]
fn source_json_values_are_read_through_their_schema() {
    use connect_data::from_diffusion;
    use diffusion_wire::Value as D;
    // A JSON string: STRING, written as StringValue.
    let sv = from_diffusion(D::Json(json!("abc")));
    let ps = ProtobufSchema::from_connect(sv.schema.as_ref()).unwrap();
    let bytes = encode(&ps, &sv).unwrap();
    assert_eq!(decode(&ps, &bytes).unwrap().value, s("abc"));
    // A JSON number: INT32, written as Int32Value.
    let sv = from_diffusion(D::Json(json!(12)));
    let ps = ProtobufSchema::from_connect(sv.schema.as_ref()).unwrap();
    assert_eq!(ps.record_name(), Some("google.protobuf.Int32Value"));
    assert_eq!(
        decode(&ps, &encode(&ps, &sv).unwrap()).unwrap().value,
        Value::Int32(12)
    );
    // A JSON object of one type is a MAP, which Confluent cannot write at the top.
    let sv = from_diffusion(D::Json(json!({"bid": 1.5})));
    assert!(matches!(
        ProtobufSchema::from_connect(sv.schema.as_ref()),
        Err(ProtobufError::UnsupportedSchema { .. })
    ));
    // A mixed object has no schema at all.
    let sv = from_diffusion(D::Json(json!({"symbol": "ACME", "price": 1.5})));
    assert_eq!(
        ProtobufSchema::from_connect(sv.schema.as_ref()).unwrap_err(),
        ProtobufError::NoSchema
    );
    // A JSON object under a struct schema is its fields.
    let schema = Schema::new(SchemaType::Struct)
        .named("Quote")
        .field("symbol", Schema::new(SchemaType::String))
        .field("price", Schema::new(SchemaType::Float64))
        .field(
            "sizes",
            Schema::map_of(
                Schema::new(SchemaType::String),
                Schema::new(SchemaType::Int64),
            ),
        );
    let ps = ProtobufSchema::from_connect(Some(&schema)).unwrap();
    let sv = SchemaAndValue {
        schema: Some(schema),
        value: Value::Json(json!({"symbol": "ACME", "price": 1.5, "sizes": {"a": 1}})),
    };
    let bytes = encode(&ps, &sv).unwrap();
    let lines = referee(&ps, "deserialize", vec![json!({"hex": hex(&bytes)})]);
    let got: J = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(
        got["json"],
        json!({"symbol": "ACME", "price": 1.5, "sizes": [{"key": "a", "value": "1"}]})
    );
    // A number that does not fit is named.
    let bad = SchemaAndValue {
        schema: sv.schema.clone(),
        value: Value::Json(json!({"symbol": 5})),
    };
    let err = encode(&ps, &bad).unwrap_err().to_string();
    assert!(err.contains("symbol"), "{err}");
}
