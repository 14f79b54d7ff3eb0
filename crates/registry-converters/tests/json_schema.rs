//! JSON Schema mapping (Confluent's JsonSchemaData) against tables of schemas as Confluent's
//! JsonSchemaConverter registers them and as people write them, with Confluent's Python
//! serdes and the `jsonschema` package (Draft 7) as referee of every schema and body.

use std::path::PathBuf;

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};
use proptest::prelude::*;
use registry_converters::json_schema::{decode, encode, JsonSchema, JsonSchemaError};
use serde_json::{json, Value as J};

const ONE_OF: &str = "io.confluent.connect.json.OneOf";
const ENUM: &str = "io.confluent.connect.json.Enum";

fn t(ty: SchemaType) -> Schema {
    Schema::new(ty)
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

fn with_params(mut schema: Schema, params: &[(&str, &str)]) -> Schema {
    for (k, v) in params {
        schema.parameters.insert((*k).into(), (*v).into());
    }
    schema
}

fn decimal(scale: i32) -> Schema {
    with_params(
        t(SchemaType::Bytes).named(DECIMAL),
        &[("scale", &scale.to_string())],
    )
}

/// Runs the referee over (name, schema text, body text) cases; panics with every failure.
fn referee(cases: &[(String, String, String)]) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!(
        "json_schema_referee_{}_{n}.json",
        std::process::id()
    ));
    let list: Vec<J> = cases
        .iter()
        .map(|(n, s, b)| json!({"name": n, "schema": s, "body": b}))
        .collect();
    std::fs::write(&file, serde_json::to_vec(&list).unwrap()).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/json_schema_referee.py");
    let run = test_support::registry::python_referee(&script, &[file.to_str().unwrap()]);
    run.assert_success();
    let lines = run.lines();
    assert_eq!(
        lines.len(),
        cases.len(),
        "one line per case:\n{}",
        run.stdout()
    );
    let failures: Vec<&String> = lines
        .iter()
        .filter(|l| serde_json::from_str::<J>(l).unwrap()["ok"] != J::Bool(true))
        .collect();
    assert!(failures.is_empty(), "the referee refused:\n{failures:#?}");
    let _ = std::fs::remove_file(file);
}

/// Schemas as Confluent's JsonSchemaConverter registers them and as people write them,
/// a body each, and the Connect schema and value they read as.
fn decode_table() -> Vec<(&'static str, J, J, Option<Schema>, Value)> {
    let mut optional_string = t(SchemaType::String);
    optional_string.optional = true;
    let confluent_struct = t(SchemaType::Struct)
        .named("Order")
        .field("id", t(SchemaType::Int32))
        .field("small", t(SchemaType::Int8))
        .field("short", t(SchemaType::Int16))
        .field("ratio", t(SchemaType::Float32))
        .field("price", decimal(2))
        .field("note", optional_string.clone())
        .field("raw", t(SchemaType::Bytes))
        .field("day", t(SchemaType::Int32).named(DATE))
        .field("at", t(SchemaType::Int32).named(TIME))
        .field("ts", t(SchemaType::Int64).named(TIMESTAMP));
    let mut versioned = t(SchemaType::String).named("Code");
    versioned.version = Some(3);
    versioned.doc = Some("a code".into());
    versioned.parameters.insert("origin".into(), "test".into());
    let mut union = t(SchemaType::Struct).named(ONE_OF);
    union.optional = true;
    for (i, ty) in [SchemaType::Int64, SchemaType::String]
        .into_iter()
        .enumerate()
    {
        let mut f = t(ty);
        f.optional = true;
        union = union.field(&format!("{ONE_OF}.field.{i}"), f);
    }
    let mut enum_schema = with_params(
        t(SchemaType::String),
        &[
            (ENUM, ""),
            (&format!("{ENUM}.red"), "red"),
            (&format!("{ENUM}.green"), "green"),
        ],
    );
    enum_schema.name = Some("Colour".into());
    let mut defaulted = t(SchemaType::Int64);
    defaulted.default = Some(json!(7));
    vec![
        (
            "Confluent's struct of every primitive and logical type, fields by connect.index",
            json!({"type": "object", "title": "Order", "properties": {
                "ts": {"type": "integer", "title": TIMESTAMP, "connect.type": "int64", "connect.index": 9},
                "id": {"type": "integer", "connect.type": "int32", "connect.index": 0},
                "small": {"type": "integer", "connect.type": "int8", "connect.index": 1},
                "short": {"type": "integer", "connect.type": "int16", "connect.index": 2},
                "ratio": {"type": "number", "connect.type": "float32", "connect.index": 3},
                "price": {"type": "string", "title": DECIMAL, "connect.type": "bytes",
                          "connect.parameters": {"scale": "2"}, "connect.index": 4},
                "note": {"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 5},
                "raw": {"type": "string", "connect.type": "bytes", "connect.index": 6},
                "day": {"type": "integer", "title": DATE, "connect.type": "int32", "connect.index": 7},
                "at": {"type": "integer", "title": TIME, "connect.type": "int32", "connect.index": 8}
            }}),
            json!({"id": 7, "small": -3, "short": 300, "ratio": 0.5, "price": "MDk=",
                   "note": null, "raw": "AQID", "day": 19000, "at": 3600000, "ts": 1700000000000i64}),
            Some(confluent_struct),
            Value::Struct(vec![
                ("id".into(), Value::Int32(7)),
                ("small".into(), Value::Int8(-3)),
                ("short".into(), Value::Int16(300)),
                ("ratio".into(), Value::Float32(0.5)),
                ("price".into(), Value::Decimal { unscaled: 12345, scale: 2 }),
                ("note".into(), Value::Null),
                ("raw".into(), Value::Bytes(vec![1, 2, 3])),
                ("day".into(), Value::Int32(19000)),
                ("at".into(), Value::Int32(3_600_000)),
                ("ts".into(), Value::Int64(1_700_000_000_000)),
            ]),
        ),
        (
            "hand-written: integer is INT64, number FLOAT64, properties in document order, required ignored",
            json!({"type": "object", "required": ["b"], "properties": {
                "b": {"type": "integer"}, "a": {"type": "number"}, "c": {"type": "boolean"}}}),
            json!({"b": 5000000000i64, "a": 1.5, "c": true}),
            Some(t(SchemaType::Struct)
                .field("b", t(SchemaType::Int64))
                .field("a", t(SchemaType::Float64))
                .field("c", t(SchemaType::Boolean))),
            Value::Struct(vec![
                ("b".into(), Value::Int64(5_000_000_000)),
                ("a".into(), Value::Float64(1.5)),
                ("c".into(), Value::Boolean(true)),
            ]),
        ),
        (
            "a missing property is null, or its default",
            json!({"type": "object", "properties": {
                "a": {"type": "string"}, "n": {"type": "integer", "default": 7}}}),
            json!({}),
            Some(t(SchemaType::Struct).field("a", t(SchemaType::String)).field("n", defaulted)),
            Value::Struct(vec![("a".into(), Value::Null), ("n".into(), Value::Int64(7))]),
        ),
        (
            "a map as Confluent writes one with string keys: an object with connect.type map",
            json!({"type": "object", "additionalProperties": {"type": "number", "connect.type": "float64"},
                   "connect.type": "map"}),
            json!({"bid": 1.5, "ask": 2.0}),
            Some(Schema::map_of(t(SchemaType::String), t(SchemaType::Float64))),
            Value::Map(vec![(s("bid"), Value::Float64(1.5)), (s("ask"), Value::Float64(2.0))]),
        ),
        (
            "a map with int keys: an array of key/value objects with connect.type map",
            json!({"type": "array", "connect.type": "map", "items": {"type": "object", "properties": {
                "key": {"type": "integer", "connect.type": "int32", "connect.index": 0},
                "value": {"type": "string", "connect.index": 1}}}}),
            json!([{"key": 1, "value": "a"}, {"key": 2, "value": "b"}]),
            Some(Schema::map_of(t(SchemaType::Int32), t(SchemaType::String))),
            Value::Map(vec![(Value::Int32(1), s("a")), (Value::Int32(2), s("b"))]),
        ),
        (
            "an array of optional nested structs",
            json!({"type": "array", "items": {"oneOf": [{"type": "null"},
                {"type": "object", "title": "Point", "properties": {
                    "x": {"type": "integer", "connect.type": "int32", "connect.index": 0},
                    "y": {"type": "integer", "connect.type": "int32", "connect.index": 1}}}]}}),
            json!([{"x": 1, "y": 2}, null]),
            Some(t(SchemaType::Array).items({
                let mut p = t(SchemaType::Struct)
                    .named("Point")
                    .field("x", t(SchemaType::Int32))
                    .field("y", t(SchemaType::Int32));
                p.optional = true;
                p
            })),
            Value::Array(vec![
                Value::Struct(vec![("x".into(), Value::Int32(1)), ("y".into(), Value::Int32(2))]),
                Value::Null,
            ]),
        ),
        (
            "title, connect.version, description and connect.parameters",
            json!({"type": "string", "title": "Code", "connect.version": 3, "description": "a code",
                   "connect.parameters": {"origin": "test"}}),
            json!("X1"),
            Some(versioned),
            s("X1"),
        ),
        (
            "an enum: a string with Confluent's Enum parameters",
            json!({"title": "Colour", "enum": ["red", "green"]}),
            json!("green"),
            Some(enum_schema),
            s("green"),
        ),
        (
            "a oneOf of null, integer and string: an optional OneOf struct",
            json!({"oneOf": [{"type": "null"}, {"type": "integer"}, {"type": "string"}]}),
            json!("x"),
            Some(union),
            Value::Struct(vec![(format!("{ONE_OF}.field.0"), Value::Null), (format!("{ONE_OF}.field.1"), s("x"))]),
        ),
        (
            "type [string, null]: an optional string",
            json!({"type": ["string", "null"]}),
            json!(null),
            Some(optional_string.clone()),
            Value::Null,
        ),
        (
            "allOf of objects is merged; $ref to definitions expanded",
            json!({"definitions": {"Id": {"type": "integer", "connect.type": "int32"}},
                   "allOf": [{"type": "object", "properties": {"id": {"$ref": "#/definitions/Id"}}},
                             {"type": "object", "properties": {"name": {"type": "string"}}}]}),
            json!({"id": 1, "name": "n"}),
            Some(t(SchemaType::Struct).field("id", t(SchemaType::Int32)).field("name", t(SchemaType::String))),
            Value::Struct(vec![("id".into(), Value::Int32(1)), ("name".into(), s("n"))]),
        ),
        (
            "{} accepts anything: no Connect schema, the value as JSON",
            json!({}),
            json!({"symbol": "ACME", "price": 1.5}),
            None,
            Value::Json(json!({"symbol": "ACME", "price": 1.5})),
        ),
    ]
}

#[test]
fn decodes_confluent_and_hand_written_schemas() {
    let mut cases = Vec::new();
    for (name, schema, body, want_schema, want_value) in decode_table() {
        let parsed =
            JsonSchema::parse(&schema.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.connect_schema(), want_schema.as_ref(), "{name}");
        let got =
            decode(&parsed, body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, want_value, "{name}");
        cases.push((name.to_owned(), schema.to_string(), body.to_string()));
    }
    referee(&cases);
}

#[test]
fn record_name_is_the_title() {
    let s = JsonSchema::parse(r#"{"type":"object","title":"com.example.Order","properties":{}}"#)
        .unwrap();
    assert_eq!(s.record_name(), Some("com.example.Order"));
    assert_eq!(
        JsonSchema::parse(r#"{"type":"string"}"#)
            .unwrap()
            .record_name(),
        None
    );
}

/// Connect schemas and values written as Confluent writes them; the schema text and the
/// body checked by the referee, and read back.
#[test]
fn encodes_as_confluent_writes() {
    let mut optional_int = t(SchemaType::Int32);
    optional_int.optional = true;
    let order = t(SchemaType::Struct)
        .named("Order")
        .field("id", t(SchemaType::Int64))
        .field("qty", optional_int)
        .field("price", decimal(2))
        .field(
            "tags",
            Schema::map_of(t(SchemaType::Int32), t(SchemaType::String)),
        )
        .field("ratio", t(SchemaType::Float32));
    let sv = SchemaAndValue {
        schema: Some(order.clone()),
        value: Value::Struct(vec![
            ("id".into(), Value::Int64(1)),
            ("qty".into(), Value::Null),
            (
                "price".into(),
                Value::Decimal {
                    unscaled: 12345,
                    scale: 2,
                },
            ),
            ("tags".into(), Value::Map(vec![(Value::Int32(1), s("a"))])),
            ("ratio".into(), Value::Float32(0.1)),
        ]),
    };
    let js = JsonSchema::from_connect(Some(&order)).unwrap();
    assert_eq!(
        serde_json::from_str::<J>(js.text()).unwrap(),
        json!({"type": "object", "properties": {
            "id": {"type": "integer", "connect.type": "int64", "connect.index": 0},
            "qty": {"oneOf": [{"type": "null"}, {"type": "integer", "connect.type": "int32"}], "connect.index": 1},
            "price": {"type": "string", "connect.type": "bytes", "title": DECIMAL,
                      "connect.parameters": {"scale": "2"}, "connect.index": 2},
            "tags": {"type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": "integer", "connect.type": "int32", "connect.index": 0},
                        "value": {"type": "string", "connect.index": 1}}},
                     "connect.type": "map", "connect.index": 3},
            "ratio": {"type": "number", "connect.type": "float32", "connect.index": 4}},
            "title": "Order"})
    );
    assert_eq!(js.connect_schema(), Some(&order));
    assert_eq!(js.record_name(), Some("Order"));
    let body = encode(&js, &sv).unwrap().unwrap();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"{"id":1,"qty":null,"price":"MDk=","tags":[{"key":1,"value":"a"}],"ratio":0.1}"#
    );
    assert_eq!(decode(&js, &body).unwrap(), sv.value);

    // The source connector's values: JSON with an inferred schema, or none.
    let inferred = connect_data::from_diffusion::infer_schema(&json!({"bid": 1.5, "ask": 2}));
    assert_eq!(inferred, None, "mixed int and float: no schema");
    let prices = json!({"bid": 1.5, "ask": 2.5});
    let map = SchemaAndValue {
        schema: connect_data::from_diffusion::infer_schema(&prices),
        value: Value::Json(prices.clone()),
    };
    let map_schema = JsonSchema::from_connect(map.schema.as_ref()).unwrap();
    let map_body = encode(&map_schema, &map).unwrap().unwrap();
    assert_eq!(map_body, br#"{"bid":1.5,"ask":2.5}"#);
    let mixed = json!({"symbol": "ACME", "price": 1.5, "legs": [1, "a"]});
    let none = SchemaAndValue::schemaless(Value::Json(mixed.clone()));
    let any = JsonSchema::from_connect(None).unwrap();
    assert_eq!(any.text(), "{}");
    assert_eq!(any.connect_schema(), None);
    let mixed_body = encode(&any, &none).unwrap().unwrap();
    assert_eq!(decode(&any, &mixed_body).unwrap(), Value::Json(mixed));
    // A null with no schema is a tombstone; an optional null is the body null.
    assert_eq!(
        encode(&any, &SchemaAndValue::schemaless(Value::Null)).unwrap(),
        None
    );
    let mut opt = t(SchemaType::String);
    opt.optional = true;
    let opt_js = JsonSchema::from_connect(Some(&opt)).unwrap();
    let null = SchemaAndValue {
        schema: Some(opt),
        value: Value::Null,
    };
    assert_eq!(encode(&opt_js, &null).unwrap(), Some(b"null".to_vec()));

    referee(&[
        (
            "struct".into(),
            js.text().into(),
            String::from_utf8(body).unwrap(),
        ),
        (
            "inferred map".into(),
            map_schema.text().into(),
            String::from_utf8(map_body).unwrap(),
        ),
        (
            "schemaless".into(),
            any.text().into(),
            String::from_utf8(mixed_body).unwrap(),
        ),
        ("optional null".into(), opt_js.text().into(), "null".into()),
    ]);
}

#[test]
fn errors_name_the_place_and_the_problem() {
    let e = JsonSchema::parse(
        r#"{"type":"object","properties":{"a":{"type":"integer","connect.type":"int128"}}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&e, JsonSchemaError::Schema { path, .. } if path == "#/properties/a/connect.type"),
        "{e}"
    );
    assert!(e.to_string().contains("int128"), "{e}");
    let e = JsonSchema::parse(r##"{"definitions":{"N":{"type":"object","properties":{"next":{"$ref":"#/definitions/N"}}}},"$ref":"#/definitions/N"}"##)
        .unwrap_err();
    assert!(e.to_string().contains("recursive"), "{e}");
    let js = JsonSchema::parse(r#"{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer","connect.type":"int8"}}}}"#)
        .unwrap();
    let e = decode(&js, br#"{"a":[1,300]}"#).unwrap_err();
    assert_eq!(
        e,
        JsonSchemaError::Value {
            path: "$.a[1]".into(),
            problem: "expected an integer in -128..=127, found 300".into()
        }
    );
    let e = decode(&js, br#"{"a":"x"}"#).unwrap_err();
    assert!(
        e.to_string().contains("$.a") && e.to_string().contains("an array"),
        "{e}"
    );
    assert!(matches!(
        decode(&js, b"\xff{"),
        Err(JsonSchemaError::BodySyntax(_))
    ));
    let required = JsonSchema::parse(r#"{"type":"string"}"#).unwrap();
    assert!(
        decode(&required, b"null").is_ok(),
        "a null body is a null record"
    );
    let e = JsonSchema::parse(r#"{"type":"object","properties":{"x":{}}}"#).unwrap_err();
    assert!(e.to_string().contains("#/properties/x"), "{e}");
}

/// Connect schemas and values the property tests generate: structs of every primitive,
/// logical types, optional fields, arrays, maps of both forms and nested structs.
fn leaf() -> impl Strategy<Value = (Schema, BoxedStrategy<Value>)> {
    prop_oneof![
        Just((
            t(SchemaType::Boolean),
            any::<bool>().prop_map(Value::Boolean).boxed()
        )),
        Just((
            t(SchemaType::Int8),
            any::<i8>().prop_map(Value::Int8).boxed()
        )),
        Just((
            t(SchemaType::Int16),
            any::<i16>().prop_map(Value::Int16).boxed()
        )),
        Just((
            t(SchemaType::Int32),
            any::<i32>().prop_map(Value::Int32).boxed()
        )),
        Just((
            t(SchemaType::Int64),
            any::<i64>().prop_map(Value::Int64).boxed()
        )),
        Just((
            t(SchemaType::Float32),
            (-1e30f32..1e30).prop_map(Value::Float32).boxed()
        )),
        Just((
            t(SchemaType::Float64),
            (-1e300f64..1e300).prop_map(Value::Float64).boxed()
        )),
        Just((
            t(SchemaType::String),
            ".{0,8}".prop_map(Value::String).boxed()
        )),
        Just((
            t(SchemaType::Bytes),
            proptest::collection::vec(any::<u8>(), 0..8)
                .prop_map(Value::Bytes)
                .boxed()
        )),
        (0i32..6).prop_map(|scale| (
            decimal(scale),
            any::<i64>()
                .prop_map(move |u| Value::Decimal {
                    unscaled: u.into(),
                    scale
                })
                .boxed()
        )),
        Just((
            t(SchemaType::Int32).named(DATE),
            any::<i32>().prop_map(Value::Int32).boxed()
        )),
        Just((
            t(SchemaType::Int64).named(TIMESTAMP),
            any::<i64>().prop_map(Value::Int64).boxed()
        )),
    ]
}

fn typed() -> impl Strategy<Value = (Schema, BoxedStrategy<Value>)> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|(s, v)| {
                (
                    t(SchemaType::Array).items(s),
                    proptest::collection::vec(v, 0..3)
                        .prop_map(Value::Array)
                        .boxed(),
                )
            }),
            inner.clone().prop_map(|(s, v)| {
                let entries = proptest::collection::vec(("[a-z]{1,4}", v), 0..3).prop_map(|es| {
                    let mut seen = std::collections::BTreeSet::new();
                    Value::Map(
                        es.into_iter()
                            .filter(|(k, _)| seen.insert(k.clone()))
                            .map(|(k, x)| (Value::String(k), x))
                            .collect(),
                    )
                });
                (Schema::map_of(t(SchemaType::String), s), entries.boxed())
            }),
            inner.clone().prop_map(|(s, v)| {
                let entries = proptest::collection::vec((any::<i32>(), v), 0..3).prop_map(|es| {
                    Value::Map(es.into_iter().map(|(k, x)| (Value::Int32(k), x)).collect())
                });
                (Schema::map_of(t(SchemaType::Int32), s), entries.boxed())
            }),
            (
                proptest::collection::vec((inner, any::<bool>()), 1..4),
                "[A-Z][a-z]{0,5}"
            )
                .prop_map(|(fields, name)| {
                    let mut schema = t(SchemaType::Struct).named(&name);
                    let mut values = Vec::new();
                    for (i, ((mut fs, fv), optional)) in fields.into_iter().enumerate() {
                        let field = format!("f{i}");
                        fs.optional = optional;
                        schema = schema.field(&field, fs);
                        let v = if optional {
                            prop_oneof![1 => Just(Value::Null), 3 => fv].boxed()
                        } else {
                            fv
                        };
                        values.push(v.prop_map(move |x| (field.clone(), x)).boxed());
                    }
                    (schema, values.prop_map(Value::Struct).boxed())
                }),
        ]
    })
}

fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    typed().prop_flat_map(|(s, v)| (Just(s), v))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decode_of_encode_is_the_value((schema, value) in schema_and_value()) {
        let js = JsonSchema::from_connect(Some(&schema)).unwrap();
        prop_assert_eq!(js.connect_schema(), Some(&schema));
        let again = JsonSchema::parse(js.text()).unwrap();
        prop_assert_eq!(again.connect_schema(), Some(&schema));
        let sv = SchemaAndValue { schema: Some(schema), value: value.clone() };
        let body = encode(&js, &sv).unwrap().unwrap();
        prop_assert_eq!(decode(&again, &body).unwrap(), value);
    }

    #[test]
    fn hostile_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..64)) {
        for (_, s, _, _, _) in decode_table() {
            let js = JsonSchema::parse(&s.to_string()).unwrap();
            let _ = decode(&js, &body);
        }
    }

    #[test]
    fn hostile_schemas_never_panic(text in "[\\[\\]{}\":,a-z0-9#/$ -]{0,80}") {
        if let Ok(js) = JsonSchema::parse(&text) {
            let _ = decode(&js, b"{\"a\":[1,{\"b\":null}]}");
        }
    }

    #[test]
    fn any_json_reads_and_writes_through_any_table_schema(j in arbitrary_json()) {
        let body = j.to_string();
        for (_, s, _, _, _) in decode_table() {
            let js = JsonSchema::parse(&s.to_string()).unwrap();
            let _ = decode(&js, body.as_bytes());
            let sv = SchemaAndValue { schema: js.connect_schema().cloned(), value: Value::Json(j.clone()) };
            let _ = encode(&js, &sv);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        (-1e10f64..1e10).prop_map(J::from),
        "[a-z]{0,4}".prop_map(J::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            proptest::collection::vec(("[a-z]{1,3}", inner), 0..4)
                .prop_map(|es| J::Object(es.into_iter().collect())),
        ]
    })
}

/// A sample of generated schemas and bodies, each validated by the referee.
#[test]
fn generated_schemas_and_bodies_pass_the_referee() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::default());
    let mut cases = Vec::new();
    for i in 0..48 {
        let (schema, value) = schema_and_value().new_tree(&mut runner).unwrap().current();
        let js = JsonSchema::from_connect(Some(&schema)).unwrap();
        let sv = SchemaAndValue {
            schema: Some(schema),
            value,
        };
        let body = encode(&js, &sv).unwrap().unwrap();
        cases.push((
            format!("generated {i}"),
            js.text().to_owned(),
            String::from_utf8(body).unwrap(),
        ));
    }
    referee(&cases);
}
