//! The converters Kafka Connect itself ships, named by their classes:
//!
//! - `org.apache.kafka.connect.storage.StringConverter`: UTF-8 text.
//! - `org.apache.kafka.connect.json.JsonConverter`: JSON; with `schemas.enable=true` (its
//!   default) the `{"schema": ..., "payload": ...}` envelope, else plain JSON.
//! - `org.apache.kafka.connect.converters.ByteArrayConverter`: the bytes as they are.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use crate::converter::{ConvertError, Converter, ConverterError};
use crate::schema::{self, Schema, SchemaType};
use crate::value::{SchemaAndValue, Value};

/// Class name of Kafka Connect's StringConverter (UTF-8 text).
pub const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";
/// Class name of Kafka Connect's JsonConverter (JSON, with or without the schema envelope).
pub const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
/// Class name of Kafka Connect's ByteArrayConverter (bytes as they are).
pub const BYTE_ARRAY_CONVERTER: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// One of Kafka Connect's own converters, chosen by class name: how a record's key or value
/// bytes become Connect data and back. Stateless: nothing to fetch, nothing cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinConverter {
    /// StringConverter: UTF-8 text as an optional STRING.
    String,
    /// JsonConverter: JSON, in the schema envelope when `schemas_enable`.
    Json {
        /// Whether records carry the `{"schema", "payload"}` envelope (`schemas.enable`,
        /// true by default).
        schemas_enable: bool,
    },
    /// ByteArrayConverter: the bytes as an optional BYTES value.
    ByteArray,
}

impl BuiltinConverter {
    /// The converter a config names: `class` is e.g. the value of `value.converter`, and
    /// `schemas_enable` the value of `value.converter.schemas.enable`, if set.
    pub fn from_class(
        class: &str,
        schemas_enable: Option<&str>,
    ) -> Result<BuiltinConverter, String> {
        match class.trim() {
            STRING_CONVERTER => Ok(BuiltinConverter::String),
            BYTE_ARRAY_CONVERTER => Ok(BuiltinConverter::ByteArray),
            JSON_CONVERTER => {
                let schemas_enable = match schemas_enable.map(|s| s.trim().to_ascii_lowercase()) {
                    None => true,
                    Some(s) if s == "true" => true,
                    Some(s) if s == "false" => false,
                    Some(other) => return Err(format!("schemas.enable must be true or false, not {other:?}")),
                };
                Ok(BuiltinConverter::Json { schemas_enable })
            }
            other => Err(format!(
                "converter class {other:?} is not available; use {STRING_CONVERTER}, {JSON_CONVERTER} or {BYTE_ARRAY_CONVERTER}"
            )),
        }
    }

    /// The Diffusion CBOR of a record's value straight from its bytes, when this converter
    /// reads them as schemaless JSON (`JsonConverter`, `schemas.enable=false`): the same
    /// bytes as [`to_diffusion_cbor`](crate::to_diffusion::to_diffusion_cbor) of
    /// [`to_connect`](Self::to_connect)'s value, without building that value, the sink's
    /// largest cost per record. `None` when that path must be taken: another converter, a
    /// null, invalid JSON (for its error), an object repeating a key.
    pub fn json_cbor(&self, bytes: Option<&[u8]>) -> Option<Vec<u8>> {
        match (self, bytes) {
            (
                BuiltinConverter::Json {
                    schemas_enable: false,
                },
                Some(bytes),
            ) => {
                let mut out = Vec::with_capacity(bytes.len());
                match diffusion_wire::json_text::json_text_to_cbor(bytes, &mut out) {
                    Ok(diffusion_wire::json_text::Transcoded::Done) => Some(out),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Reads a record's key or value. `None` (a null key, a tombstone) is a null value.
    pub fn to_connect(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConverterError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::schemaless(Value::Null));
        };
        match self {
            BuiltinConverter::String => string_text(bytes).map(|s| SchemaAndValue {
                schema: Some(Schema::new(SchemaType::String).optional()),
                value: Value::String(s.to_owned()),
            }),
            BuiltinConverter::ByteArray => Ok(SchemaAndValue {
                schema: Some(Schema::new(SchemaType::Bytes).optional()),
                value: Value::Bytes(bytes.to_vec()),
            }),
            BuiltinConverter::Json { schemas_enable } => {
                let j: serde_json::Value = serde_json::from_slice(bytes)
                    .map_err(|e| ConverterError(format!("invalid JSON: {e}")))?;
                if !schemas_enable {
                    return Ok(SchemaAndValue::schemaless(Value::Json(j)));
                }
                envelope(j)
            }
        }
    }
}

/// StringConverter's reading of `bytes`: UTF-8 text.
fn string_text(bytes: &[u8]) -> Result<&str, ConverterError> {
    std::str::from_utf8(bytes).map_err(|e| ConverterError(format!("not UTF-8 text: {e}")))
}

/// The JsonConverter's envelope: exactly the fields `schema` and `payload`.
fn envelope(j: serde_json::Value) -> Result<SchemaAndValue, ConverterError> {
    let err = |m: String| ConverterError(m);
    let serde_json::Value::Object(mut o) = j else {
        return Err(err(
            "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields; this is not an object \
             (set value.converter.schemas.enable=false for plain JSON)"
                .into(),
        ));
    };
    if o.len() != 2 || !o.contains_key("schema") || !o.contains_key("payload") {
        return Err(err(
            "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain \
             additional fields (set value.converter.schemas.enable=false for plain JSON)"
                .into(),
        ));
    }
    let payload = o.remove("payload").unwrap();
    match o.remove("schema").unwrap() {
        serde_json::Value::Null => Ok(SchemaAndValue::schemaless(Value::Json(payload))),
        s => {
            let schema = Schema::from_json(&s).map_err(|e| err(format!("bad schema: {e}")))?;
            let value = typed(&schema, payload).map_err(err)?;
            Ok(SchemaAndValue {
                schema: Some(schema),
                value,
            })
        }
    }
}

/// A JSON payload read by its schema, as Kafka's JsonConverter reads it (a null with a
/// default reads as the default); also how a schema's JSON default becomes a value.
pub fn value_from_json(schema: &Schema, j: serde_json::Value) -> Result<Value, String> {
    typed(schema, j)
}

fn typed(schema: &Schema, j: serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    if j.is_null() {
        if let Some(d) = &schema.default {
            return typed(schema, d.clone());
        }
        if schema.optional {
            return Ok(Value::Null);
        }
        return Err(format!(
            "null for a required {} schema",
            schema.schema_type.json_name()
        ));
    }
    let int = |j: &J| {
        j.as_i64()
            .ok_or_else(|| format!("expected an integer, got {j}"))
    };
    let ranged = |n: i64, min: i64, max: i64, t: &str| {
        if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(format!("{n} does not fit in {t}"))
        }
    };
    Ok(match schema.schema_type {
        SchemaType::Int8 => {
            Value::Int8(ranged(int(&j)?, i8::MIN.into(), i8::MAX.into(), "int8")? as i8)
        }
        SchemaType::Int16 => {
            Value::Int16(ranged(int(&j)?, i16::MIN.into(), i16::MAX.into(), "int16")? as i16)
        }
        SchemaType::Int32 => {
            Value::Int32(ranged(int(&j)?, i32::MIN.into(), i32::MAX.into(), "int32")? as i32)
        }
        SchemaType::Int64 => Value::Int64(int(&j)?),
        SchemaType::Float32 => Value::Float32(
            j.as_f64()
                .ok_or_else(|| format!("expected a number, got {j}"))? as f32,
        ),
        SchemaType::Float64 => Value::Float64(
            j.as_f64()
                .ok_or_else(|| format!("expected a number, got {j}"))?,
        ),
        SchemaType::Boolean => Value::Boolean(
            j.as_bool()
                .ok_or_else(|| format!("expected a boolean, got {j}"))?,
        ),
        SchemaType::String => match j {
            J::String(s) => Value::String(s),
            other => return Err(format!("expected a string, got {other}")),
        },
        SchemaType::Bytes => {
            let bytes = match &j {
                J::String(s) => B64
                    .decode(s)
                    .map_err(|e| format!("bytes are not base64: {e}"))?,
                // Decimals may be written as numbers (decimal.format=NUMERIC).
                J::Number(n) if schema.logical_name() == Some(schema::DECIMAL) => {
                    return decimal_from_number(&n.to_string(), scale(schema)?)
                }
                other => return Err(format!("expected base64 bytes, got {other}")),
            };
            if schema.logical_name() == Some(schema::DECIMAL) {
                Value::Decimal {
                    unscaled: twos_complement(&bytes)?,
                    scale: scale(schema)?,
                }
            } else {
                Value::Bytes(bytes)
            }
        }
        SchemaType::Array => {
            let Some(items) = schema.value_schema.as_deref() else {
                // No element schema (an inferred nested structure): read schemaless.
                return Ok(Value::Json(j));
            };
            match j {
                J::Array(a) => Value::Array(
                    a.into_iter()
                        .map(|x| typed(items, x))
                        .collect::<Result<_, _>>()?,
                ),
                other => return Err(format!("expected an array, got {other}")),
            }
        }
        SchemaType::Map => {
            let (Some(ks), Some(vs)) =
                (schema.key_schema.as_deref(), schema.value_schema.as_deref())
            else {
                return Ok(Value::Json(j));
            };
            match j {
                // String keys: a JSON object.
                J::Object(o) if ks.schema_type == SchemaType::String => Value::Map(
                    o.into_iter()
                        .map(|(k, v)| Ok((Value::String(k), typed(vs, v)?)))
                        .collect::<Result<_, String>>()?,
                ),
                // Other keys: an array of [key, value] pairs.
                J::Array(pairs) => Value::Map(
                    pairs
                        .into_iter()
                        .map(|p| match p {
                            J::Array(mut kv) if kv.len() == 2 => {
                                let v = kv.pop().unwrap();
                                let k = kv.pop().unwrap();
                                Ok((typed(ks, k)?, typed(vs, v)?))
                            }
                            other => Err(format!("map entry {other} is not a [key, value] pair")),
                        })
                        .collect::<Result<_, String>>()?,
                ),
                other => return Err(format!("expected a map, got {other}")),
            }
        }
        SchemaType::Struct => match j {
            J::Object(mut o) => Value::Struct(
                schema
                    .fields
                    .iter()
                    .map(|f| {
                        let v = o.remove(&f.name).unwrap_or(J::Null);
                        Ok((
                            f.name.clone(),
                            typed(&f.schema, v).map_err(|e| format!("field {:?}: {e}", f.name))?,
                        ))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            other => return Err(format!("expected a struct object, got {other}")),
        },
    })
}

fn scale(schema: &Schema) -> Result<i32, String> {
    schema
        .parameters
        .get("scale")
        .ok_or("a Decimal schema needs a \"scale\" parameter")?
        .parse()
        .map_err(|_| "the Decimal \"scale\" parameter is not an integer".to_owned())
}

/// A big-endian two's-complement integer (Java's BigInteger.toByteArray).
fn twos_complement(b: &[u8]) -> Result<i128, String> {
    if b.len() > 16 {
        return Err(format!("decimal of {} bytes is beyond 128 bits", b.len()));
    }
    let fill = if b.first().is_some_and(|x| x & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut buf = [fill; 16];
    buf[16 - b.len()..].copy_from_slice(b);
    Ok(i128::from_be_bytes(buf))
}

fn decimal_from_number(text: &str, scale: i32) -> Result<Value, String> {
    let f: f64 = text
        .parse()
        .map_err(|_| format!("{text} is not a decimal"))?;
    let unscaled = (f * 10f64.powi(scale)).round();
    if !unscaled.is_finite() || unscaled.abs() > 1e37 {
        return Err(format!("decimal {text} is out of range"));
    }
    Ok(Value::Decimal {
        unscaled: unscaled as i128,
        scale,
    })
}

impl Converter for BuiltinConverter {
    fn class(&self) -> &str {
        match self {
            BuiltinConverter::String => STRING_CONVERTER,
            BuiltinConverter::Json { .. } => JSON_CONVERTER,
            BuiltinConverter::ByteArray => BYTE_ARRAY_CONVERTER,
        }
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConvertError> {
        BuiltinConverter::to_connect(self, bytes).map_err(ConvertError::Record)
    }

    fn from_connect(
        &self,
        _topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConvertError> {
        BuiltinConverter::from_connect(self, data).map_err(ConvertError::Record)
    }

    fn json_cbor(&self, bytes: Option<&[u8]>) -> Option<Vec<u8>> {
        BuiltinConverter::json_cbor(self, bytes)
    }

    fn text<'a>(&self, bytes: &'a [u8]) -> Option<Result<&'a str, ConvertError>> {
        match self {
            BuiltinConverter::String => Some(string_text(bytes).map_err(ConvertError::Record)),
            _ => None,
        }
    }

    fn writes_plain_json(&self) -> bool {
        *self
            == BuiltinConverter::Json {
                schemas_enable: false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json(schemas: bool, s: &str) -> Result<SchemaAndValue, ConverterError> {
        BuiltinConverter::Json {
            schemas_enable: schemas,
        }
        .to_connect(Some(s.as_bytes()))
    }

    #[test]
    fn plain_json_goes_straight_to_the_cbor_the_connect_value_gives() {
        let plain = BuiltinConverter::Json {
            schemas_enable: false,
        };
        for text in [
            r#"{"sym":"K0001","bid":100.25,"nested":{"a":[1,-2,null,true]},"s":"\u00e9"}"#,
            "42",
            "null",
        ] {
            let via_connect =
                crate::to_diffusion_cbor(&plain.to_connect(Some(text.as_bytes())).unwrap())
                    .unwrap();
            assert_eq!(plain.json_cbor(Some(text.as_bytes())), Some(via_connect));
        }
        // The Connect path keeps these: its error, its collapsing of a repeated key, its
        // envelope, other converters, a tombstone.
        assert_eq!(plain.json_cbor(Some(b"{")), None);
        assert_eq!(plain.json_cbor(Some(br#"{"a":1,"a":2}"#)), None);
        assert_eq!(plain.json_cbor(None), None);
        let enveloped = BuiltinConverter::Json {
            schemas_enable: true,
        };
        assert_eq!(enveloped.json_cbor(Some(b"{}")), None);
        assert_eq!(BuiltinConverter::String.json_cbor(Some(b"\"x\"")), None);
    }

    #[test]
    fn classes_and_their_options() {
        assert_eq!(
            BuiltinConverter::from_class(JSON_CONVERTER, None),
            Ok(BuiltinConverter::Json {
                schemas_enable: true
            })
        );
        assert_eq!(
            BuiltinConverter::from_class(JSON_CONVERTER, Some("false")),
            Ok(BuiltinConverter::Json {
                schemas_enable: false
            })
        );
        assert!(BuiltinConverter::from_class(JSON_CONVERTER, Some("maybe")).is_err());
        assert!(
            BuiltinConverter::from_class("io.confluent.connect.avro.AvroConverter", None)
                .unwrap_err()
                .contains("AvroConverter")
        );
    }

    #[test]
    fn plain_json_and_envelopes() {
        assert_eq!(
            json(false, r#"{"a":1}"#).unwrap().value,
            Value::Json(json!({"a": 1}))
        );
        assert!(json(false, "{nope").unwrap_err().0.contains("invalid JSON"));
        // Kafka's JsonConverter envelope for a struct.
        let env = r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},
            {"type":"string","optional":true,"field":"name"},
            {"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,
             "parameters":{"scale":"2"},"field":"price"}],"optional":false,"name":"item","version":3},
            "payload":{"id":7,"name":null,"price":"MDk="}}"#;
        let sv = json(true, env).unwrap();
        assert_eq!(sv.schema.as_ref().unwrap().version, Some(3));
        assert_eq!(
            sv.value,
            Value::Struct(vec![
                ("id".into(), Value::Int32(7)),
                ("name".into(), Value::Null),
                (
                    "price".into(),
                    Value::Decimal {
                        unscaled: 12345,
                        scale: 2
                    }
                ),
            ])
        );
        assert!(json(true, r#"{"a":1}"#)
            .unwrap_err()
            .0
            .contains("\"schema\" and \"payload\""));
        assert!(json(true, r#"{"schema":{"type":"int8"},"payload":300}"#)
            .unwrap_err()
            .0
            .contains("int8"));
        assert!(json(true, r#"{"schema":{"type":"int32"},"payload":null}"#)
            .unwrap_err()
            .0
            .contains("required"));
        // A null schema carries a schemaless payload.
        assert_eq!(
            json(true, r#"{"schema":null,"payload":[1]}"#)
                .unwrap()
                .value,
            Value::Json(json!([1]))
        );
    }

    #[test]
    fn maps_with_non_string_keys_come_as_pairs() {
        let env = r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1,"a"],[2,"b"]]}"#;
        assert_eq!(
            json(true, env).unwrap().value,
            Value::Map(vec![
                (Value::Int32(1), Value::String("a".into())),
                (Value::Int32(2), Value::String("b".into()))
            ])
        );
    }

    #[test]
    fn strings_and_bytes() {
        assert_eq!(
            BuiltinConverter::String
                .to_connect(Some(b"hi"))
                .unwrap()
                .value,
            Value::String("hi".into())
        );
        assert!(BuiltinConverter::String
            .to_connect(Some(&[0xff, 0xfe]))
            .unwrap_err()
            .0
            .contains("UTF-8"));
        assert_eq!(
            BuiltinConverter::ByteArray
                .to_connect(Some(&[1, 2]))
                .unwrap()
                .value,
            Value::Bytes(vec![1, 2])
        );
        assert_eq!(
            BuiltinConverter::String.to_connect(None).unwrap().value,
            Value::Null
        );
    }
}
