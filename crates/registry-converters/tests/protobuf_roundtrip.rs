//! Properties: decode(encode(x)) == x for generated Connect structs, through both a parsed
//! registry schema and the schema generated from the Connect schema; decode never panics.

use connect_data::{Schema, SchemaAndValue, Value};
use proptest::prelude::*;
use registry_converters::protobuf::{decode, encode, ProtobufSchema};

const SCHEMA: &str = r#"
syntax = "proto3";
package p;
import "confluent/type/decimal.proto";
import "google/protobuf/timestamp.proto";
import "google/type/date.proto";
message R {
  int32 i = 1;
  sint64 l = 2;
  uint32 u = 3;
  double d = 4;
  string s = 5;
  bytes b = 6;
  bool t = 7;
  repeated int64 xs = 8;
  map<string, string> m = 9;
  Sub sub = 10;
  oneof o {
    string os = 11;
    int32 oi = 12;
  }
  E e = 13;
  confluent.type.Decimal dec = 14;
  google.protobuf.Timestamp ts = 15;
  google.type.Date day = 16;
  repeated Sub subs = 17;
  message Sub { string a = 1; int32 n = 2; }
  enum E { ZERO = 0; ONE = 1; TWO = 2; }
}
"#;

fn st(fields: Vec<(&str, Value)>) -> Value {
    Value::Struct(fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect())
}

fn sub() -> impl Strategy<Value = Value> {
    (".{0,8}", any::<i32>())
        .prop_map(|(a, n)| st(vec![("a", Value::String(a)), ("n", Value::Int32(n))]))
}

fn value() -> impl Strategy<Value = Value> {
    let union = prop_oneof![
        Just(Value::Null),
        ".{0,5}".prop_map(|s| st(vec![("os", Value::String(s)), ("oi", Value::Null)])),
        any::<i32>().prop_map(|n| st(vec![("os", Value::Null), ("oi", Value::Int32(n))])),
    ];
    (
        (
            any::<i32>(),
            any::<i64>(),
            any::<u32>(),
            any::<f64>().prop_filter("NaN", |f| !f.is_nan()),
            ".{0,10}",
        ),
        (
            proptest::collection::vec(any::<u8>(), 0..10),
            any::<bool>(),
            proptest::collection::vec(any::<i64>(), 0..5),
        ),
        (
            proptest::collection::btree_map("[a-z]{0,4}", ".{0,4}", 0..4),
            proptest::option::of(sub()),
            union,
        ),
        (0..3usize, proptest::option::of((any::<i64>(), -5..10i32))),
        (
            proptest::option::of(-62_135_596_800_000i64..253_402_300_799_999),
            proptest::option::of(-719_162..2_932_896i32),
        ),
        proptest::collection::vec(sub(), 0..3),
    )
        .prop_map(
            |((i, l, u, d, s), (b, t, xs), (m, sb, o), (e, dec), (ts, day), subs)| {
                st(vec![
                    ("o_0", o),
                    ("i", Value::Int32(i)),
                    ("l", Value::Int64(l)),
                    ("u", Value::Int64(u.into())),
                    ("d", Value::Float64(d)),
                    ("s", Value::String(s)),
                    ("b", Value::Bytes(b)),
                    ("t", Value::Boolean(t)),
                    (
                        "xs",
                        Value::Array(xs.into_iter().map(Value::Int64).collect()),
                    ),
                    (
                        "m",
                        Value::Map(
                            m.into_iter()
                                .map(|(k, v)| (Value::String(k), Value::String(v)))
                                .collect(),
                        ),
                    ),
                    ("sub", sb.unwrap_or(Value::Null)),
                    ("e", Value::String(["ZERO", "ONE", "TWO"][e].into())),
                    (
                        "dec",
                        dec.map_or(Value::Null, |(u, s)| Value::Decimal {
                            unscaled: u.into(),
                            scale: s,
                        }),
                    ),
                    ("ts", ts.map_or(Value::Null, Value::Int64)),
                    ("day", day.map_or(Value::Null, Value::Int32)),
                    ("subs", Value::Array(subs)),
                ])
            },
        )
}

fn connect_schema(ps: &ProtobufSchema) -> Schema {
    // The Connect schema of the message, as decode gives it (read from an empty message).
    decode(ps, &[0]).unwrap().schema.unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decode_inverts_encode(v in value()) {
        let parsed = ProtobufSchema::parse(SCHEMA, &[]).unwrap();
        let schema = connect_schema(&parsed);
        let data = SchemaAndValue { schema: Some(schema.clone()), value: v };
        let bytes = encode(&parsed, &data).unwrap();
        prop_assert_eq!(&decode(&parsed, &bytes).unwrap(), &data);
        // Through the schema Confluent would generate for the same Connect schema.
        let generated = ProtobufSchema::from_connect(Some(&schema)).unwrap();
        let bytes = encode(&generated, &data).unwrap();
        let back = decode(&generated, &bytes).unwrap();
        prop_assert_eq!(&back.value, &data.value, "{}", generated.text());
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let parsed = ProtobufSchema::parse(SCHEMA, &[]).unwrap();
        let _ = decode(&parsed, &bytes);
        let mut framed = vec![0];
        framed.extend_from_slice(&bytes);
        let _ = decode(&parsed, &framed);
    }
}

#[test]
fn the_generated_schema_reads_back_as_the_same_connect_schema() {
    let parsed = ProtobufSchema::parse(SCHEMA, &[]).unwrap();
    let schema = connect_schema(&parsed);
    let generated = ProtobufSchema::from_connect(Some(&schema)).unwrap();
    let mut back = connect_schema(&generated);
    assert_eq!(generated.record_name(), Some("R"));
    back.name = schema.name.clone();
    assert_eq!(back, schema, "{}", generated.text());
}
