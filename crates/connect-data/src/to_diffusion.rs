//! A Connect value as the JSON a Diffusion JSON topic holds, written straight to CBOR:
//! primitives as themselves, arrays and maps in order, structs by their schema, bytes as
//! CBOR byte strings. A map key that is not a string fails the record (JSON objects have
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
            push(out, Header::Array(Some(items.len())));
            for (i, x) in items.iter().enumerate() {
                write(out, item_schema, x, &format!("{at}[{i}]"))?;
            }
        }
        Value::Map(entries) => {
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            push(out, Header::Map(Some(entries.len())));
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
        }
        Value::Struct(fields) => {
            let Some(s) = schema.filter(|s| s.schema_type == SchemaType::Struct) else {
                return Err(ConversionError(format!(
                    "{at} is a struct without a struct schema"
                )));
            };
            push(out, Header::Map(Some(fields.len())));
            for ((name, x), f) in fields.iter().zip(&s.fields) {
                text(out, name);
                write(out, Some(&f.schema), x, &format!("{at}.{name}"))?;
            }
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
    use crate::converter::Converter;
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
}
