//! A Connect value as the JSON a Diffusion JSON topic holds, written straight to CBOR:
//! primitives as themselves, arrays and maps in order, structs by their schema, bytes as
//! CBOR byte strings. Arrays, maps and structs are indefinite-length items, as the official
//! SDKs and [`diffusion_wire::value::json_to_cbor`] write them, so a typed value's bytes
//! equal those of the same value as JSON. A map key that is not a string fails the record (JSON objects have
//! string keys), as does a null where the schema is required.
//!
//! Unlike the Java connector, FLOAT64 keeps full double precision (it went through a
//! 32-bit float there), written in the shortest CBOR width that reads back unchanged
//! ([`crate::float`]). Logical types as the Java connector writes them (its `RecordToJSON`
//! goes through Kafka's `Values.convertToInteger`/`convertToLong`): Date the number of days
//! since the epoch (`Date.fromLogical`), Time the milliseconds since midnight, Timestamp
//! the milliseconds since the epoch. Decimal becomes a number (exact up to what a double
//! holds), where the Java connector failed the record.

use ciborium_ll::{Encoder, Header};

use crate::schema::{Schema, SchemaType};
use crate::value::{decimal_string, SchemaAndValue, Value};

/// Why a Connect value cannot be written as a JSON topic's value (a non-string map key, a null for
/// a required schema, a struct without a struct schema).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConversionError(pub String);

/// The value as the CBOR a Diffusion JSON topic holds, following its schema where it has one
/// (see the module docs).
pub fn to_diffusion_cbor(sv: &SchemaAndValue) -> Result<Vec<u8>, ConversionError> {
    let mut out = Vec::with_capacity(64);
    write(&mut out, sv.schema.as_ref(), &sv.value, "value")?;
    Ok(out)
}

fn push(out: &mut Vec<u8>, h: Header) {
    // Writing into a Vec cannot fail.
    Encoder::from(&mut *out).push(h).unwrap();
}

fn text(out: &mut Vec<u8>, s: &str) {
    Encoder::from(&mut *out).text(s, None).unwrap();
}

fn int(out: &mut Vec<u8>, n: i64) {
    push(
        out,
        if n >= 0 {
            Header::Positive(n as u64)
        } else {
            Header::Negative(!(n as u64))
        },
    );
}

fn write(
    out: &mut Vec<u8>,
    schema: Option<&Schema>,
    v: &Value,
    at: &str,
) -> Result<(), ConversionError> {
    match v {
        Value::Null => {
            if let Some(s) = schema.filter(|s| !s.optional && s.default.is_none()) {
                return Err(ConversionError(format!(
                    "{at} is null but its {} schema is required",
                    s.schema_type.json_name()
                )));
            }
            push(out, Header::Simple(ciborium_ll::simple::NULL));
        }
        Value::Json(j) => diffusion_wire::value::json_to_cbor(j, out),
        Value::Boolean(b) => push(
            out,
            Header::Simple(if *b {
                ciborium_ll::simple::TRUE
            } else {
                ciborium_ll::simple::FALSE
            }),
        ),
        Value::Int8(n) => int(out, (*n).into()),
        Value::Int16(n) => int(out, (*n).into()),
        // Date (days), Time (ms of the day) and Timestamp (ms) are their integers.
        Value::Int32(n) => int(out, (*n).into()),
        Value::Int64(n) => int(out, *n),
        // A single is read back as its shortest decimal, so any exact width will do.
        Value::Float32(f) => push(out, Header::Float(f64::from(*f))),
        Value::Float64(f) => crate::float::write_double(out, *f),
        Value::String(s) => text(out, s),
        Value::Bytes(b) => Encoder::from(&mut *out).bytes(b, None).unwrap(),
        Value::Decimal { unscaled, scale } => {
            let f: f64 = decimal_string(*unscaled, *scale)
                .parse()
                .unwrap_or(f64::NAN);
            crate::float::write_double(out, f);
        }
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema.as_deref());
            push(out, Header::Array(None));
            for (i, x) in items.iter().enumerate() {
                write(out, item_schema, x, &format!("{at}[{i}]"))?;
            }
            push(out, Header::Break);
        }
        Value::Map(entries) => {
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            push(out, Header::Map(None));
            for (k, x) in entries {
                let key = match k {
                    Value::String(s) | Value::Json(serde_json::Value::String(s)) => s,
                    other => {
                        return Err(ConversionError(format!(
                        "{at} is a map with a non-string key ({}); JSON objects need string keys",
                        describe(other)
                    )))
                    }
                };
                text(out, key);
                write(out, value_schema, x, &format!("{at}.{key}"))?;
            }
            push(out, Header::Break);
        }
        Value::Struct(fields) => {
            let Some(s) = schema.filter(|s| s.schema_type == SchemaType::Struct) else {
                return Err(ConversionError(format!(
                    "{at} is a struct without a struct schema"
                )));
            };
            // Every field the value has, each by the schema's field at its position (as the
            // JsonConverter's payload does); a field beyond the schema's goes by its value.
            push(out, Header::Map(None));
            for (i, (name, x)) in fields.iter().enumerate() {
                text(out, name);
                let field_schema = s.fields.get(i).map(|f| &f.schema);
                write(out, field_schema, x, &format!("{at}.{name}"))?;
            }
            push(out, Header::Break);
        }
    }
    Ok(())
}

fn describe(v: &Value) -> String {
    match v {
        Value::Json(j) => j.to_string(),
        Value::Int8(n) => n.to_string(),
        Value::Int16(n) => n.to_string(),
        Value::Int32(n) => n.to_string(),
        Value::Int64(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::BuiltinConverter as Converter;
    use serde_json::json;

    /// Converts through CBOR and back to JSON, as a Diffusion subscriber would see it.
    fn seen(sv: &SchemaAndValue) -> serde_json::Value {
        diffusion_wire::value::cbor_slice_to_json(&to_diffusion_cbor(sv).unwrap()).unwrap()
    }

    fn envelope(s: &str) -> SchemaAndValue {
        Converter::Json {
            schemas_enable: true,
        }
        .to_connect(Some(s.as_bytes()))
        .unwrap()
    }

    #[test]
    fn schemaless_json_is_sent_as_it_came() {
        let sv = Converter::Json {
            schemas_enable: false,
        }
        .to_connect(Some(br#"{"b":1,"a":[true,null,2.5]}"#))
        .unwrap();
        let bytes = to_diffusion_cbor(&sv).unwrap();
        // Byte for byte what the official SDKs would write for the same JSON, key order kept.
        assert_eq!(
            bytes,
            diffusion_wire::Value::Json(json!({"b":1,"a":[true,null,2.5]}))
                .encode()
                .unwrap()
                .to_vec()
        );
    }

    #[test]
    fn each_schema_kind() {
        let sv = envelope(
            r#"{"schema":{"type":"struct","fields":[
              {"type":"int8","field":"i8"},{"type":"int16","field":"i16"},{"type":"int32","field":"i32"},
              {"type":"int64","field":"i64"},{"type":"float","field":"f32"},{"type":"double","field":"f64"},
              {"type":"boolean","field":"b"},{"type":"string","field":"s"},{"type":"bytes","field":"raw"},
              {"type":"array","items":{"type":"int32"},"field":"arr"},
              {"type":"map","keys":{"type":"string"},"values":{"type":"int64"},"field":"m"},
              {"type":"string","optional":true,"field":"opt"},
              {"type":"int32","name":"org.apache.kafka.connect.data.Date","field":"date"},
              {"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","field":"ts"},
              {"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"},"field":"dec"}
            ]},"payload":{"i8":-8,"i16":16,"i32":32,"i64":9007199254740993,"f32":1.5,"f64":0.1,"b":true,
              "s":"x","raw":"AAE=","arr":[1,2],"m":{"k":1},"opt":null,"date":1,"ts":1700000000000,"dec":"MDk="}}"#,
        );
        assert_eq!(
            seen(&sv),
            json!({"i8":-8,"i16":16,"i32":32,"i64":9007199254740993u64,"f32":1.5,"f64":0.1,"b":true,"s":"x",
                   "raw":[0,1],"arr":[1,2],"m":{"k":1},"opt":null,"date":1,"ts":1700000000000u64,"dec":123.45})
        );
    }

    #[test]
    fn float64_keeps_full_precision() {
        let sv = envelope(r#"{"schema":{"type":"double"},"payload":0.30000000000000004}"#);
        assert_eq!(seen(&sv), json!(0.30000000000000004));
    }

    #[test]
    fn non_string_map_keys_and_required_nulls_fail_the_record() {
        let sv = envelope(
            r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1,"a"]]}"#,
        );
        assert!(to_diffusion_cbor(&sv)
            .unwrap_err()
            .0
            .contains("non-string key (1)"));
        let sv = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String)),
            value: Value::Null,
        };
        assert!(to_diffusion_cbor(&sv).unwrap_err().0.contains("required"));
        let sv = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String).optional()),
            value: Value::Null,
        };
        assert_eq!(seen(&sv), serde_json::Value::Null);
    }

    /// The CBOR the official SDKs write for the same JSON (indefinite-length maps and arrays).
    fn sdk_bytes(j: serde_json::Value) -> Vec<u8> {
        diffusion_wire::Value::Json(j).encode().unwrap().to_vec()
    }

    #[test]
    fn typed_values_are_byte_for_byte_what_the_json_path_writes() {
        let inner = Schema::new(SchemaType::Struct)
            .field("x", Schema::new(SchemaType::Boolean))
            .field("y", Schema::new(SchemaType::String).optional());
        let schema = Schema::new(SchemaType::Struct)
            .field("id", Schema::new(SchemaType::Int32))
            .field("price", Schema::new(SchemaType::Float64))
            .field(
                "tags",
                Schema::new(SchemaType::Array).items(Schema::new(SchemaType::String)),
            )
            .field(
                "attrs",
                Schema::map_of(
                    Schema::new(SchemaType::String),
                    Schema::new(SchemaType::Int64),
                ),
            )
            .field("inner", inner.clone())
            .field("rows", Schema::new(SchemaType::Array).items(inner));
        let inner_value = |x: bool, y: Option<&str>| {
            Value::Struct(vec![
                ("x".into(), Value::Boolean(x)),
                (
                    "y".into(),
                    y.map_or(Value::Null, |y| Value::String(y.into())),
                ),
            ])
        };
        let sv = SchemaAndValue {
            schema: Some(schema),
            value: Value::Struct(vec![
                ("id".into(), Value::Int32(-7)),
                ("price".into(), Value::Float64(1.5)),
                (
                    "tags".into(),
                    Value::Array(vec![Value::String("a".into()), Value::String("b".into())]),
                ),
                (
                    "attrs".into(),
                    Value::Map(vec![
                        (Value::String("k".into()), Value::Int64(5_000_000_000)),
                        (Value::String("j".into()), Value::Int64(0)),
                    ]),
                ),
                ("inner".into(), inner_value(true, None)),
                (
                    "rows".into(),
                    Value::Array(vec![inner_value(false, Some("z")), inner_value(true, None)]),
                ),
            ]),
        };
        let bytes = to_diffusion_cbor(&sv).unwrap();
        assert_eq!(
            bytes,
            sdk_bytes(
                json!({"id":-7,"price":1.5,"tags":["a","b"],"attrs":{"k":5_000_000_000u64,"j":0},
                "inner":{"x":true,"y":null},"rows":[{"x":false,"y":"z"},{"x":true,"y":null}]})
            )
        );
        // Indefinite-length, as the SDKs write them: bf .. ff and 9f .. ff.
        assert_eq!((bytes[0], bytes[bytes.len() - 1]), (0xbf, 0xff));
        let empty = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::Array).items(Schema::new(SchemaType::Int32))),
            value: Value::Array(vec![]),
        };
        assert_eq!(to_diffusion_cbor(&empty).unwrap(), vec![0x9f, 0xff]);
    }

    #[test]
    fn a_struct_whose_field_count_differs_from_its_schema_is_still_well_formed() {
        let schema = Schema::new(SchemaType::Struct).field("a", Schema::new(SchemaType::Int32));
        // More value fields than the schema has: each is written (the extra one by its value,
        // as the JsonConverter payload does), and the map is complete.
        let more = SchemaAndValue {
            schema: Some(schema.clone()),
            value: Value::Struct(vec![
                ("a".into(), Value::Int32(1)),
                ("b".into(), Value::String("x".into())),
            ]),
        };
        assert_eq!(seen(&more), json!({"a":1,"b":"x"}));
        // Fewer value fields than the schema: the ones it has.
        let schema2 = schema.field("b", Schema::new(SchemaType::Int32));
        let fewer = SchemaAndValue {
            schema: Some(schema2),
            value: Value::Struct(vec![("a".into(), Value::Int32(1))]),
        };
        assert_eq!(seen(&fewer), json!({"a":1}));
    }
}
