//! The Avro mapping against an independent referee: fastavro (in the registry referee venv)
//! writes bodies that we decode, and reads bodies we encode with the schema text we
//! generate.

use std::path::PathBuf;

use connect_data::schema::{Schema, SchemaType, DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{SchemaAndValue, Value};
use registry_converters::avro::{decode, encode, AvroError, AvroSchema};
use serde_json::{json, Value as J};
use test_support::registry::python_referee;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/avro_referee.py")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(test_support::unique_name("avro-referee"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn s(t: SchemaType) -> Schema {
    Schema::new(t)
}

fn logical(t: SchemaType, name: &str) -> Schema {
    let mut x = Schema::new(t).named(name);
    x.version = Some(1);
    x
}

fn with_params(mut x: Schema, params: &[(&str, &str)]) -> Schema {
    for (k, v) in params {
        x.parameters.insert((*k).into(), (*v).into());
    }
    x
}

fn st(fields: &[(&str, Value)]) -> Value {
    Value::Struct(
        fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
    )
}

/// fastavro writes each case; we decode it and check the Connect schema and value.
#[test]
fn decodes_what_fastavro_writes() {
    let out = temp("cases.jsonl");
    python_referee(&script(), &["write", out.to_str().unwrap()]).assert_success();
    let cases: Vec<(String, String, Vec<u8>)> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let j: J = serde_json::from_str(l).unwrap();
            (
                j["name"].as_str().unwrap().to_owned(),
                j["schema"].as_str().unwrap().to_owned(),
                unhex(j["body"].as_str().unwrap()),
            )
        })
        .collect();
    assert!(cases.len() > 20, "{} cases", cases.len());
    let mut checked = 0;
    for (name, text, body) in &cases {
        let schema = AvroSchema::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = decode(&schema, body);
        let connect = schema.connect_schema().cloned();
        let (want_schema, want_value): (Schema, Result<Value, &str>) = match name.as_str() {
            "record" => {
                let mut i = s(SchemaType::Int32);
                i.default = Some(json!(7));
                let i = with_params(i, &[("io.confluent.connect.avro.field.default", "true")]);
                let rec = with_params(
                    s(SchemaType::Struct)
                        .field("l", s(SchemaType::Int64))
                        .field("s", s(SchemaType::String))
                        .field("b", s(SchemaType::Bytes))
                        .field("t", s(SchemaType::Boolean))
                        .field("f", s(SchemaType::Float32))
                        .field("d", s(SchemaType::Float64))
                        .field("i", i)
                        .named("test.ns.Everything"),
                    &[
                        ("io.confluent.connect.avro.record.doc", "all primitives"),
                        ("io.confluent.connect.avro.field.doc.l", "a long"),
                    ],
                );
                assert_eq!(schema.record_name(), Some("test.ns.Everything"));
                (
                    rec,
                    Ok(st(&[
                        ("l", Value::Int64(-5)),
                        ("s", Value::String("héllo".into())),
                        ("b", Value::Bytes(vec![0, 255])),
                        ("t", Value::Boolean(true)),
                        ("f", Value::Float32(1.5)),
                        ("d", Value::Float64(0.1)),
                        ("i", Value::Int32(42)),
                    ])),
                )
            }
            "optional_string" => (
                s(SchemaType::String).optional(),
                Ok(Value::String("x".into())),
            ),
            "optional_string_null" => (s(SchemaType::String).optional(), Ok(Value::Null)),
            "int_or_string" | "int_or_string_int" => {
                let u = s(SchemaType::Struct)
                    .field("int", s(SchemaType::Int32).optional())
                    .field("string", s(SchemaType::String).optional())
                    .named("io.confluent.connect.avro.Union");
                let v = if name == "int_or_string" {
                    st(&[
                        ("int", Value::Null),
                        ("string", Value::String("two".into())),
                    ])
                } else {
                    st(&[("int", Value::Int32(2)), ("string", Value::Null)])
                };
                (u, Ok(v))
            }
            "null_int_string" => (
                s(SchemaType::Struct)
                    .field("int", s(SchemaType::Int32).optional())
                    .field("string", s(SchemaType::String).optional())
                    .named("io.confluent.connect.avro.Union")
                    .optional(),
                Ok(Value::Null),
            ),
            "enum" => (
                with_params(
                    s(SchemaType::String).named("cards.Suit"),
                    &[
                        ("io.confluent.connect.avro.Enum", "cards.Suit"),
                        ("io.confluent.connect.avro.Enum.HEARTS", "HEARTS"),
                        ("io.confluent.connect.avro.Enum.SPADES", "SPADES"),
                        ("io.confluent.connect.avro.enum.doc.Suit", "suits"),
                        ("io.confluent.connect.avro.enum.default.Suit", "HEARTS"),
                    ],
                ),
                Ok(Value::String("SPADES".into())),
            ),
            "fixed" => (
                with_params(
                    s(SchemaType::Bytes).named("Four"),
                    &[("connect.fixed.size", "4")],
                ),
                Ok(Value::Bytes(b"abcd".to_vec())),
            ),
            "decimal_bytes" => (
                with_params(
                    logical(SchemaType::Bytes, DECIMAL),
                    &[("scale", "2"), ("connect.decimal.precision", "10")],
                ),
                Ok(Value::Decimal {
                    unscaled: -12345,
                    scale: 2,
                }),
            ),
            "decimal_fixed" => (
                with_params(
                    logical(SchemaType::Bytes, DECIMAL),
                    &[
                        ("scale", "3"),
                        ("connect.decimal.precision", "18"),
                        ("connect.fixed.size", "8"),
                    ],
                ),
                Ok(Value::Decimal {
                    unscaled: 12345,
                    scale: 3,
                }),
            ),
            "decimal_precision_64" => (
                with_params(logical(SchemaType::Bytes, DECIMAL), &[("scale", "0")]),
                Ok(Value::Decimal {
                    unscaled: 99,
                    scale: 0,
                }),
            ),
            "decimal_huge" => (
                with_params(
                    logical(SchemaType::Bytes, DECIMAL),
                    &[("scale", "0"), ("connect.decimal.precision", "60")],
                ),
                Err("DecimalTooLarge"),
            ),
            "date" => (logical(SchemaType::Int32, DATE), Ok(Value::Int32(19782))),
            "time_millis" => (
                logical(SchemaType::Int32, TIME),
                Ok(Value::Int32(3_723_004)),
            ),
            "timestamp_millis" => (
                logical(SchemaType::Int64, TIMESTAMP),
                Ok(Value::Int64(1_704_164_645_006)),
            ),
            "timestamp_micros" => (
                s(SchemaType::Int64),
                Ok(Value::Int64(1_700_000_000_000_000)),
            ),
            "array" => (
                s(SchemaType::Array).items(s(SchemaType::Int32)),
                Ok(Value::Array(vec![
                    Value::Int32(1),
                    Value::Int32(-2),
                    Value::Int32(3),
                ])),
            ),
            "map" => (
                Schema::map_of(s(SchemaType::String), s(SchemaType::Float64)),
                Ok(Value::Map(vec![
                    (Value::String("a".into()), Value::Float64(1.0)),
                    (Value::String("b".into()), Value::Float64(-2.5)),
                ])),
            ),
            "nested" => {
                let inner = s(SchemaType::Struct)
                    .field("x", s(SchemaType::Int32))
                    .named("Inner");
                let mut tags = s(SchemaType::Array).items(s(SchemaType::String));
                tags.default = Some(json!(["a"]));
                let tags =
                    with_params(tags, &[("io.confluent.connect.avro.field.default", "true")]);
                (
                    s(SchemaType::Struct)
                        .field("inner", inner.clone())
                        .field("again", inner.optional())
                        .field("tags", tags)
                        .named("Outer"),
                    Ok(st(&[
                        ("inner", st(&[("x", Value::Int32(1))])),
                        ("again", st(&[("x", Value::Int32(2))])),
                        (
                            "tags",
                            Value::Array(vec![
                                Value::String("p".into()),
                                Value::String("q".into()),
                            ]),
                        ),
                    ])),
                )
            }
            "connect_props" => {
                let mut named = with_params(s(SchemaType::String).named("my.Text"), &[("k", "v")]);
                named.doc = Some("text".into());
                named.version = Some(3);
                let mut dflt = s(SchemaType::Int64);
                dflt.default = Some(json!(9));
                (
                    // connect.name io.confluent.connect.avro.ConnectDefault: no name.
                    s(SchemaType::Struct)
                        .field("small", s(SchemaType::Int16))
                        .field("tiny", s(SchemaType::Int8))
                        .field("named", named)
                        .field("dflt", dflt),
                    Ok(st(&[
                        ("small", Value::Int16(-300)),
                        ("tiny", Value::Int8(5)),
                        ("named", Value::String("t".into())),
                        ("dflt", Value::Int64(1)),
                    ])),
                )
            }
            "map_entries" => (
                Schema::map_of(s(SchemaType::Int32), s(SchemaType::String)),
                Ok(Value::Map(vec![
                    (Value::Int32(1), Value::String("one".into())),
                    (Value::Int32(2), Value::String("two".into())),
                ])),
            ),
            "record_union" => {
                let p = s(SchemaType::Struct)
                    .field("p", s(SchemaType::Int32))
                    .named("P");
                let u = s(SchemaType::Struct)
                    .field("long", s(SchemaType::Int64).optional())
                    .field("P", p.optional())
                    .named("io.confluent.connect.avro.Union")
                    .optional();
                (
                    s(SchemaType::Struct).field("u", u).named("U"),
                    Ok(st(&[(
                        "u",
                        st(&[("long", Value::Null), ("P", st(&[("p", Value::Int32(3))]))]),
                    )])),
                )
            }
            other => panic!("no expectation for case {other}"),
        };
        assert_eq!(connect.as_ref(), Some(&want_schema), "{name}: schema");
        match (got, want_value) {
            (Ok(v), Ok(want)) => assert_eq!(v, want, "{name}: value"),
            (Err(e @ AvroError::DecimalTooLarge { .. }), Err("DecimalTooLarge")) => {
                assert!(e.to_string().contains("21-byte"), "{e}")
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
}

/// We encode Connect data with the schema we generate; fastavro reads it with that text.
#[test]
fn fastavro_reads_what_we_encode() {
    let item = s(SchemaType::Struct)
        .field("sku", s(SchemaType::String))
        .field("qty", s(SchemaType::Int16));
    let mut note = s(SchemaType::String).optional();
    note.default = Some(json!("none"));
    let price = with_params(logical(SchemaType::Bytes, DECIMAL), &[("scale", "2")]);
    let union = s(SchemaType::Struct)
        .field("int", s(SchemaType::Int32).optional())
        .field("string", s(SchemaType::String).optional())
        .named("io.confluent.connect.avro.Union")
        .optional();
    let order = s(SchemaType::Struct)
        .field("id", s(SchemaType::Int64))
        .field("tiny", s(SchemaType::Int8))
        .field("ok", s(SchemaType::Boolean))
        .field("ratio", s(SchemaType::Float32))
        .field("score", s(SchemaType::Float64).optional())
        .field("note", note)
        .field("raw", s(SchemaType::Bytes))
        .field("price", price)
        .field("day", logical(SchemaType::Int32, DATE))
        .field("at", logical(SchemaType::Int64, TIMESTAMP))
        .field("items", s(SchemaType::Array).items(item.clone()))
        .field("first", item.optional())
        .field(
            "attrs",
            Schema::map_of(s(SchemaType::String), s(SchemaType::String)),
        )
        .field(
            "by_code",
            Schema::map_of(s(SchemaType::Int32), s(SchemaType::String)),
        )
        .field("either", union)
        .named("shop.Order");
    let order_value = st(&[
        ("id", Value::Int64(1 << 40)),
        ("tiny", Value::Int8(-3)),
        ("ok", Value::Boolean(true)),
        ("ratio", Value::Float32(0.5)),
        ("score", Value::Null),
        ("note", Value::Null),
        ("raw", Value::Bytes(vec![1, 2, 255])),
        (
            "price",
            Value::Decimal {
                unscaled: -12345,
                scale: 2,
            },
        ),
        ("day", Value::Int32(19782)),
        ("at", Value::Int64(1_704_164_645_006)),
        (
            "items",
            Value::Array(vec![st(&[
                ("sku", Value::String("a".into())),
                ("qty", Value::Int16(2)),
            ])]),
        ),
        (
            "first",
            st(&[
                ("sku", Value::String("b".into())),
                ("qty", Value::Int16(-1)),
            ]),
        ),
        (
            "attrs",
            Value::Map(vec![(
                Value::String("colour".into()),
                Value::String("red".into()),
            )]),
        ),
        (
            "by_code",
            Value::Map(vec![(Value::Int32(7), Value::String("seven".into()))]),
        ),
        (
            "either",
            st(&[("int", Value::Null), ("string", Value::String("s".into()))]),
        ),
    ]);
    let order_read = json!({
        "id": 1u64 << 40, "tiny": -3, "ok": true, "ratio": 0.5, "score": null,
        "note": "none", "raw": {"$bytes": "0102ff"}, "price": {"$decimal": "-123.45"},
        "day": {"$time": "2024-02-29"}, "at": {"$time": "2024-01-02T03:04:05.006000+00:00"},
        "items": [{"sku": "a", "qty": 2}], "first": {"sku": "b", "qty": -1},
        "attrs": {"colour": "red"}, "by_code": [{"key": 7, "value": "seven"}], "either": "s"
    });
    let json_map = Schema::map_of(s(SchemaType::String), s(SchemaType::Float64));
    let cases: Vec<(&str, SchemaAndValue, J)> = vec![
        (
            "order",
            SchemaAndValue {
                schema: Some(order),
                value: order_value,
            },
            order_read,
        ),
        (
            "json_map",
            SchemaAndValue {
                schema: Some(json_map),
                value: Value::Json(json!({"bid": 1.5, "ask": 2.0})),
            },
            json!({"bid": 1.5, "ask": 2.0}),
        ),
        (
            "json_array",
            SchemaAndValue {
                schema: Some(s(SchemaType::Array).items(s(SchemaType::Int32).optional())),
                value: Value::Json(json!([1, null, 3])),
            },
            json!([1, null, 3]),
        ),
        (
            "schemaless_object",
            SchemaAndValue::schemaless(Value::Json(
                json!({"symbol": "ACME", "price": 1.5, "n": 5000000000i64}),
            )),
            json!({"boolean": null, "bytes": null, "double": null, "float": null, "int": null,
                   "long": null, "string": null, "array": null, "map": [
                {"key": {"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": null,
                         "string": "symbol", "array": null, "map": null},
                 "value": {"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": null,
                           "string": "ACME", "array": null, "map": null}},
                {"key": {"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": null,
                         "string": "price", "array": null, "map": null},
                 "value": {"boolean": null, "bytes": null, "double": 1.5, "float": null, "int": null, "long": null,
                           "string": null, "array": null, "map": null}},
                {"key": {"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": null,
                         "string": "n", "array": null, "map": null},
                 "value": {"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": 5000000000i64,
                           "string": null, "array": null, "map": null}}]}),
        ),
        (
            "nested_inferred",
            SchemaAndValue {
                // An array of arrays as from_diffusion infers it: the inner items have no schema.
                schema: Some(s(SchemaType::Array).items(s(SchemaType::Array))),
                value: Value::Json(json!([[1], ["a"]])),
            },
            json!([
                [{"boolean": null, "bytes": null, "double": null, "float": null, "int": 1, "long": null,
                  "string": null, "array": null, "map": null}],
                [{"boolean": null, "bytes": null, "double": null, "float": null, "int": null, "long": null,
                  "string": "a", "array": null, "map": null}]
            ]),
        ),
        (
            "int16",
            SchemaAndValue {
                schema: Some(s(SchemaType::Int16)),
                value: Value::Int16(-7),
            },
            json!(-7),
        ),
    ];
    let input = temp("encoded.jsonl");
    let output = input.with_file_name("read.jsonl");
    let mut lines = String::new();
    for (name, sv, _) in &cases {
        let schema =
            AvroSchema::from_connect(sv.schema.as_ref()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let body = encode(&schema, sv)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .expect("not null");
        // And back: our decoder reads it to the same value (typed where it was JSON).
        let back = decode(&schema, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Value::Struct(fields) = &sv.value {
            // Null fields with a default are written as the default (Connect's Struct.get).
            let mut want = fields.clone();
            want[5].1 = Value::String("none".into());
            assert_eq!(back, Value::Struct(want), "{name}: round trip");
        } else if !matches!(sv.value, Value::Json(_)) {
            assert_eq!(back, sv.value, "{name}: round trip");
        }
        lines.push_str(
            &json!({"name": name, "schema": schema.text(), "body": hex(&body)}).to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&input, lines).unwrap();
    python_referee(
        &script(),
        &["read", input.to_str().unwrap(), output.to_str().unwrap()],
    )
    .assert_success();
    let read: Vec<J> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(read.len(), cases.len());
    for ((name, _, want), got) in cases.iter().zip(&read) {
        assert_eq!(got["name"], json!(name));
        assert_eq!(&got["value"], want, "{name}: fastavro read");
    }
}
