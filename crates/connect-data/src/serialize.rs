//! Converters in the other direction: Connect data to Kafka record bytes, as a source
//! connector's records are written (Kafka Connect's `Converter.fromConnectData`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value as J;

use crate::builtin::BuiltinConverter;
use crate::converter::ConverterError;
use crate::schema::{Schema, SchemaType};
use crate::value::{decimal_string, SchemaAndValue, Value};

impl BuiltinConverter {
    /// Writes a record's key or value. `None` is a null (a tombstone when it is the value):
    /// like Kafka's converters, a null value without a schema is written as null.
    pub fn from_connect(&self, sv: &SchemaAndValue) -> Result<Option<Vec<u8>>, ConverterError> {
        if sv.is_null() && sv.schema.is_none() {
            return Ok(None);
        }
        match self {
            BuiltinConverter::String => Ok(string_form(&sv.value)?.map(String::into_bytes)),
            BuiltinConverter::ByteArray => match &sv.value {
                Value::Bytes(b) => Ok(Some(b.clone())),
                Value::Null | Value::Json(J::Null) => Ok(None),
                other => Err(ConverterError(format!(
                    "ByteArrayConverter writes only bytes, not {}; use StringConverter or JsonConverter",
                    kind(other)
                ))),
            },
            BuiltinConverter::Json { schemas_enable } => {
                let payload = payload(sv.schema.as_ref(), &sv.value)?;
                let j = if *schemas_enable {
                    let mut o = serde_json::Map::with_capacity(2);
                    o.insert(
                        "schema".into(),
                        sv.schema.as_ref().map_or(J::Null, Schema::to_json),
                    );
                    o.insert("payload".into(), payload);
                    J::Object(o)
                } else {
                    payload
                };
                serde_json::to_vec(&j)
                    .map(Some)
                    .map_err(|e| ConverterError(format!("cannot write JSON: {e}")))
            }
        }
    }
}

/// What StringConverter writes: text as it is; other values as JSON text (Java would
/// write its `toString()`, e.g. `{a=1}` for a map, which nothing downstream can parse).
fn string_form(v: &Value) -> Result<Option<String>, ConverterError> {
    Ok(Some(match v {
        Value::Null | Value::Json(J::Null) => return Ok(None),
        Value::String(s) | Value::Json(J::String(s)) => s.clone(),
        Value::Bytes(_) => {
            return Err(ConverterError(
                "StringConverter cannot write binary values; use ByteArrayConverter".into(),
            ))
        }
        Value::Decimal { unscaled, scale } => decimal_string(*unscaled, *scale),
        other => payload(None, other)?.to_string(),
    }))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Json(J::Object(_)) | Value::Map(_) => "a map",
        Value::Json(J::Array(_)) | Value::Array(_) => "an array",
        Value::Json(J::String(_)) | Value::String(_) => "a string",
        Value::Json(J::Number(_)) => "a number",
        Value::Json(J::Bool(_)) | Value::Boolean(_) => "a boolean",
        Value::Struct(_) => "a struct",
        _ => "this value",
    }
}

/// The JsonConverter's payload for a value, by its schema when it has one (Kafka's
/// `convertToJson`): bytes and decimals as base64, maps with string keys as objects and
/// other maps as `[key, value]` pairs, structs as objects in field order.
fn payload(schema: Option<&Schema>, v: &Value) -> Result<J, ConverterError> {
    let err = |m: String| ConverterError(m);
    Ok(match v {
        Value::Null => match schema {
            Some(s) if s.default.is_some() => s.default.clone().unwrap(),
            Some(s) if !s.optional => {
                return Err(err(format!(
                    "null for a required {} schema",
                    s.schema_type.json_name()
                )))
            }
            _ => J::Null,
        },
        Value::Boolean(b) => J::Bool(*b),
        Value::Int8(n) => J::from(*n),
        Value::Int16(n) => J::from(*n),
        Value::Int32(n) => J::from(*n),
        Value::Int64(n) => J::from(*n),
        // As Kafka's JsonConverter writes a Java float: its shortest decimal (0.1, not
        // 0.10000000149011612).
        Value::Float32(f) => J::from(crate::float::single_to_double(*f)),
        Value::Float64(f) => J::from(*f),
        Value::String(s) => J::from(s.as_str()),
        Value::Bytes(b) => J::from(B64.encode(b)),
        Value::Decimal { unscaled, .. } => J::from(B64.encode(java_big_integer_bytes(*unscaled))),
        Value::Json(j) => j.clone(),
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema.as_deref());
            J::Array(
                items
                    .iter()
                    .map(|x| payload(item_schema, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(entries) => {
            let (ks, vs) = match schema {
                Some(s) => (s.key_schema.as_deref(), s.value_schema.as_deref()),
                None => (None, None),
            };
            let string_keys = match ks {
                Some(k) => k.schema_type == SchemaType::String,
                None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
            };
            if string_keys {
                let mut o = serde_json::Map::with_capacity(entries.len());
                for (k, x) in entries {
                    let Value::String(k) = k else {
                        return Err(err(
                            "a map with a string key schema has a non-string key".into()
                        ));
                    };
                    o.insert(k.clone(), payload(vs, x)?);
                }
                J::Object(o)
            } else {
                J::Array(
                    entries
                        .iter()
                        .map(|(k, x)| Ok(J::Array(vec![payload(ks, k)?, payload(vs, x)?])))
                        .collect::<Result<_, ConverterError>>()?,
                )
            }
        }
        Value::Struct(fields) => {
            let mut o = serde_json::Map::with_capacity(fields.len());
            for (i, (name, x)) in fields.iter().enumerate() {
                let fs = schema.and_then(|s| s.fields.get(i)).map(|f| &f.schema);
                o.insert(name.clone(), payload(fs, x)?);
            }
            J::Object(o)
        }
    })
}

/// Java's `BigInteger.toByteArray()`: the shortest big-endian two's complement.
fn java_big_integer_bytes(n: i128) -> Vec<u8> {
    let b = n.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (x, next) = (b[start], b[start + 1]);
        let redundant = (x == 0 && next & 0x80 == 0) || (x == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    b[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(c: BuiltinConverter, sv: &SchemaAndValue) -> String {
        String::from_utf8(c.from_connect(sv).unwrap().unwrap()).unwrap()
    }

    #[test]
    fn json_envelopes_as_kafka_writes_them() {
        let key = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String)),
            value: Value::String("source/kafka/price".into()),
        };
        assert_eq!(
            text(
                BuiltinConverter::Json {
                    schemas_enable: true
                },
                &key
            ),
            r#"{"schema":{"type":"string","optional":false},"payload":"source/kafka/price"}"#
        );
        let map = SchemaAndValue {
            schema: Some(Schema::map_of(
                Schema::new(SchemaType::String),
                Schema::new(SchemaType::Float64),
            )),
            value: Value::Json(json!({"bid": 1.5, "ask": 2.0})),
        };
        assert_eq!(
            text(
                BuiltinConverter::Json {
                    schemas_enable: true
                },
                &map
            ),
            r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"double","optional":false},"optional":false},"payload":{"bid":1.5,"ask":2.0}}"#
        );
        assert_eq!(
            text(
                BuiltinConverter::Json {
                    schemas_enable: false
                },
                &map
            ),
            r#"{"bid":1.5,"ask":2.0}"#
        );
        let schemaless = SchemaAndValue::schemaless(Value::Json(json!([1, "a"])));
        assert_eq!(
            text(
                BuiltinConverter::Json {
                    schemas_enable: true
                },
                &schemaless
            ),
            r#"{"schema":null,"payload":[1,"a"]}"#
        );
        // No schema and no value: a tombstone, as Kafka's JsonConverter writes it.
        let null = SchemaAndValue::schemaless(Value::Json(J::Null));
        assert_eq!(
            BuiltinConverter::Json {
                schemas_enable: true
            }
            .from_connect(&null)
            .unwrap(),
            None
        );
    }

    #[test]
    fn structs_maps_decimals_and_bytes() {
        let schema = Schema::new(SchemaType::Struct)
            .field("id", Schema::new(SchemaType::Int32))
            .field(
                "tags",
                Schema::map_of(
                    Schema::new(SchemaType::Int32),
                    Schema::new(SchemaType::String),
                ),
            )
            .field("raw", Schema::new(SchemaType::Bytes).optional())
            .named("item");
        let sv = SchemaAndValue {
            schema: Some(schema),
            value: Value::Struct(vec![
                ("id".into(), Value::Int32(7)),
                (
                    "tags".into(),
                    Value::Map(vec![(Value::Int32(1), Value::String("a".into()))]),
                ),
                ("raw".into(), Value::Bytes(vec![1, 2, 3])),
            ]),
        };
        let out = text(
            BuiltinConverter::Json {
                schemas_enable: true,
            },
            &sv,
        );
        assert_eq!(
            out,
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false,"field":"tags"},{"type":"bytes","optional":true,"field":"raw"}],"optional":false,"name":"item"},"payload":{"id":7,"tags":[[1,"a"]],"raw":"AQID"}}"#
        );
        // Our own reader takes it back.
        let back = BuiltinConverter::Json {
            schemas_enable: true,
        }
        .to_connect(Some(out.as_bytes()))
        .unwrap();
        assert_eq!(back.value, sv.value);
        assert_eq!(java_big_integer_bytes(12345), vec![0x30, 0x39]);
        assert_eq!(java_big_integer_bytes(128), vec![0x00, 0x80]);
        assert_eq!(java_big_integer_bytes(-1), vec![0xff]);
        assert_eq!(java_big_integer_bytes(0), vec![0x00]);
    }

    #[test]
    fn a_float32_is_written_as_its_shortest_decimal_as_kafka_writes_it() {
        let sv = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Float32)),
            value: Value::Float32(0.1),
        };
        let out = BuiltinConverter::Json {
            schemas_enable: false,
        }
        .from_connect(&sv)
        .unwrap()
        .unwrap();
        assert_eq!(out, b"0.1");
    }

    #[test]
    fn strings_and_byte_arrays() {
        let s = SchemaAndValue::schemaless(Value::Json(json!("hello")));
        assert_eq!(text(BuiltinConverter::String, &s), "hello");
        let n = SchemaAndValue::schemaless(Value::Json(json!({"a": 1})));
        assert_eq!(text(BuiltinConverter::String, &n), r#"{"a":1}"#);
        let b = SchemaAndValue::schemaless(Value::Bytes(vec![0, 255]));
        assert_eq!(
            BuiltinConverter::ByteArray.from_connect(&b).unwrap(),
            Some(vec![0, 255])
        );
        let e = BuiltinConverter::ByteArray.from_connect(&n).unwrap_err();
        assert!(
            e.0.contains("ByteArrayConverter") && e.0.contains("map"),
            "{e}"
        );
        assert!(BuiltinConverter::String.from_connect(&b).is_err());
    }
}
