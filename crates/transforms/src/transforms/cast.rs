//! `Cast$Key` / `$Value`: casts the whole key or value (`spec=int32`) or named top-level
//! fields (`spec=a:int8,b:string`) to a primitive type, with Java's conversions (integers
//! wrap, floats truncate and saturate through `int`, `Double.toString` text, ...).

use connect_data::builtin::value_from_json;
use connect_data::schema::{DATE, TIME, TIMESTAMP};
use connect_data::value::decimal_string;
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};
use serde_json::Value as J;

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::java_num;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{
    add_field, check_required, is_null, java_type, require_map, require_struct, Side,
};
use crate::transforms::{sided, Transform};

const PURPOSE: &str = "cast types";
const INPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";
const OUTPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";

/// Casts fields or the whole value.
pub(crate) struct Cast {
    side: Side,
    /// The whole-value type, if the spec is one.
    whole: Option<SchemaType>,
    /// Field casts (the last of a repeated field wins).
    fields: Vec<(String, SchemaType)>,
    defaults: bool,
}

/// `Schema.Type.valueOf(name)`.
fn schema_type(name: &str) -> Option<SchemaType> {
    use SchemaType as T;
    Some(match name {
        "INT8" => T::Int8,
        "INT16" => T::Int16,
        "INT32" => T::Int32,
        "INT64" => T::Int64,
        "FLOAT32" => T::Float32,
        "FLOAT64" => T::Float64,
        "BOOLEAN" => T::Boolean,
        "STRING" => T::String,
        "BYTES" => T::Bytes,
        "ARRAY" => T::Array,
        "MAP" => T::Map,
        "STRUCT" => T::Struct,
        _ => return None,
    })
}

/// Java's `String.split(":")`: no match gives the whole text; trailing empty parts go.
fn java_split_colon(s: &str) -> Vec<&str> {
    if !s.contains(':') {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// A parsed spec: the whole-value type, or the field casts.
type Spec = (Option<SchemaType>, Vec<(String, SchemaType)>);

/// Kafka's `Cast.parseFieldTypes`: the first problem as its message.
fn parse_spec(list: &[String]) -> Result<Spec, String> {
    let mut whole = None;
    let mut fields: Vec<(String, SchemaType)> = Vec::new();
    let target = |text: &str| -> Result<SchemaType, String> {
        let upper = text.trim().to_uppercase();
        let t = schema_type(&upper).ok_or_else(|| {
            format!(
                "Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type.{upper} for configuration Invalid type found in casting spec: {}",
                text.trim()
            )
        })?;
        if matches!(
            t,
            SchemaType::Bytes | SchemaType::Array | SchemaType::Map | SchemaType::Struct
        ) {
            return Err(format!(
                "Cast transformation does not support casting to {}; supported types are {OUTPUT_TYPES}",
                java_type(t)
            ));
        }
        Ok(t)
    };
    for e in list {
        match java_split_colon(e).as_slice() {
            [t] => whole = Some(target(t)?),
            [field, t] => {
                let t = target(t)?;
                let field = field.trim();
                fields.retain(|(f, _)| f != field);
                fields.push((field.to_owned(), t));
            }
            [] => return Err("Index 1 out of bounds for length 0".into()),
            _ => {
                return Err(format!(
                    "Invalid value [{}] for configuration renames: Invalid rename mapping: {e}",
                    list.join(", ")
                ))
            }
        }
    }
    if whole.is_some() && list.len() > 1 {
        return Err("Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec".into());
    }
    Ok((whole, fields))
}

impl Cast {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let spec = match p.list("spec") {
            None => {
                p.required("spec");
                None
            }
            Some(list) if list.is_empty() => {
                p.error("spec", "Must specify at least one field to cast.");
                None
            }
            Some(list) => match parse_spec(&list) {
                Ok(s) => Some(s),
                Err(why) => {
                    p.error("spec", why);
                    None
                }
            },
        };
        let defaults = p.boolean("replace.null.with.default", true);
        let (whole, fields) = spec?;
        Some(Box::new(Cast {
            side,
            whole,
            fields,
            defaults,
        }))
    }

    fn field_type(&self, name: &str) -> Option<SchemaType> {
        self.fields.iter().find(|(f, _)| f == name).map(|(_, t)| *t)
    }

    /// Kafka's `getOrBuildSchema`.
    fn output_schema(&self, schema: &Schema) -> Result<Schema, Failure> {
        let mut out = match self.whole {
            Some(t) => {
                let mut s = Schema::new(t);
                s.name.clone_from(&schema.name);
                s.version = schema.version;
                s.doc.clone_from(&schema.doc);
                s.parameters.clone_from(&schema.parameters);
                s
            }
            None => {
                if schema.schema_type != SchemaType::Struct {
                    return Err(Failure::data("Cannot list fields on non-struct type"));
                }
                let mut out = crate::side::struct_like(schema);
                for f in &schema.fields {
                    let fs = match self.field_type(&f.name) {
                        Some(t) => {
                            let mut fs = Schema::new(t);
                            fs.optional = f.schema.optional;
                            if let Some(d) = &f.schema.default {
                                let v = default_value(&f.schema, d);
                                fs.default =
                                    Some(default_json(&cast_value(Some(&f.schema), &v, t)?));
                            }
                            fs
                        }
                        None => f.schema.clone(),
                    };
                    add_field(&mut out, &f.name, fs)?;
                }
                out
            }
        };
        out.optional = schema.optional;
        if let Some(d) = &schema.default {
            let v = default_value(schema, d);
            out.default = Some(default_json(&cast_value(
                Some(schema),
                &v,
                out.schema_type,
            )?));
        }
        Ok(out)
    }
}

/// A schema's JSON default as a value of it.
fn default_value(schema: &Schema, d: &J) -> Value {
    value_from_json(schema, d.clone()).unwrap_or(Value::Null)
}

/// A cast result as a schema default (the envelope's JSON).
fn default_json(v: &Value) -> J {
    to_json(v)
}

/// A cast result (a primitive) as schemaless JSON: a float as the decimal Java writes.
fn to_json(v: &Value) -> J {
    match v {
        Value::Int8(n) => (*n).into(),
        Value::Int16(n) => (*n).into(),
        Value::Int32(n) => (*n).into(),
        Value::Int64(n) => (*n).into(),
        Value::Float32(f) => {
            serde_json::Number::from_f64(connect_data::float::single_to_double(*f))
                .map_or(J::Null, J::Number)
        }
        Value::Float64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Boolean(b) => J::Bool(*b),
        Value::String(s) => J::String(s.clone()),
        _ => J::Null,
    }
}

/// A value as Kafka's Cast sees its Java object.
enum Java {
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Decimal(i128, i32),
    Bool(bool),
    Str(String),
    Bytes(Vec<u8>),
    /// A `java.util.Date` (Date, Time, Timestamp), epoch millis.
    Date(i64),
}

fn unexpected(class: &str) -> Failure {
    Failure::data(format!(
        "Unexpected type in Cast transformation: class {class}"
    ))
}

/// Kafka's `castValueToType(schema, value, target)`.
fn cast_value(schema: Option<&Schema>, v: &Value, target: SchemaType) -> Result<Value, Failure> {
    if is_null(v) {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(s) => s.schema_type,
        None => match v {
            Value::Json(J::Number(n)) if n.is_f64() => SchemaType::Float64,
            Value::Json(J::Number(_)) => SchemaType::Int64,
            Value::Json(J::String(_)) => SchemaType::String,
            Value::Json(J::Bool(_)) => SchemaType::Boolean,
            Value::Json(J::Array(_)) => SchemaType::Array,
            _ => SchemaType::Map,
        },
    };
    if matches!(
        inferred,
        SchemaType::Array | SchemaType::Map | SchemaType::Struct
    ) {
        return Err(Failure::data(format!(
            "Cast transformation does not support casting from {}; supported types are {INPUT_TYPES}",
            java_type(inferred)
        )));
    }
    let name = schema.and_then(|s| s.name.as_deref());
    let mut x = match v {
        Value::Int8(n) => Java::Byte(*n),
        Value::Int16(n) => Java::Short(*n),
        Value::Int32(n) if name == Some(DATE) => Java::Date(i64::from(*n) * 86_400_000),
        Value::Int32(n) if name == Some(TIME) => Java::Date(i64::from(*n)),
        Value::Int32(n) => Java::Int(*n),
        Value::Int64(n) if name == Some(TIMESTAMP) => Java::Date(*n),
        Value::Int64(n) => Java::Long(*n),
        Value::Float32(f) => Java::Float(*f),
        Value::Float64(f) => Java::Double(*f),
        Value::Boolean(b) | Value::Json(J::Bool(b)) => Java::Bool(*b),
        Value::String(s) | Value::Json(J::String(s)) => Java::Str(s.clone()),
        Value::Bytes(b) => Java::Bytes(b.clone()),
        Value::Decimal { unscaled, scale } => Java::Decimal(*unscaled, *scale),
        Value::Json(J::Number(n)) => match n.as_i64() {
            Some(i) => Java::Long(i),
            None => match n.as_u64() {
                Some(u) => Java::Long(u as i64),
                None => Java::Double(n.as_f64().unwrap_or(0.0)),
            },
        },
        other => return Err(unexpected(crate::side::java_class(other))),
    };
    // Logical values are first encoded, except for a cast to string.
    if target != SchemaType::String {
        if let Java::Date(ms) = x {
            x = match name {
                Some(DATE) => Java::Int(ms.div_euclid(86_400_000) as i32),
                Some(TIME) => Java::Int(ms as i32),
                _ => Java::Long(ms),
            };
        }
    }
    let too_big = |s: &str| {
        Failure::data(format!(
            "Value ({s}) was out of range for requested data type"
        ))
    };
    let int_of = |s: &str, min: i64, max: i64| {
        java_num::parse_integer(s, min, max).ok_or_else(|| too_big(s))
    };
    Ok(match target {
        SchemaType::Int8 => Value::Int8(match &x {
            Java::Str(s) => int_of(s, i8::MIN.into(), i8::MAX.into())? as i8,
            other => int_value(other)? as i8,
        }),
        SchemaType::Int16 => Value::Int16(match &x {
            Java::Str(s) => int_of(s, i16::MIN.into(), i16::MAX.into())? as i16,
            other => int_value(other)? as i16,
        }),
        SchemaType::Int32 => Value::Int32(match &x {
            Java::Str(s) => int_of(s, i32::MIN.into(), i32::MAX.into())? as i32,
            other => int_value(other)?,
        }),
        SchemaType::Int64 => Value::Int64(match &x {
            Java::Str(s) => int_of(s, i64::MIN, i64::MAX)?,
            other => long_value(other)?,
        }),
        SchemaType::Float32 => Value::Float32(match &x {
            Java::Str(s) => java_num::parse_float(s).ok_or_else(|| too_big(s))?,
            Java::Float(f) => *f,
            Java::Double(d) => *d as f32,
            Java::Decimal(u, s) => java_num::decimal_float_value(*u, *s),
            Java::Bool(b) => f32::from(u8::from(*b)),
            other => long_value(other)? as f32,
        }),
        SchemaType::Float64 => Value::Float64(match &x {
            Java::Str(s) => java_num::parse_double(s).ok_or_else(|| too_big(s))?,
            Java::Float(f) => f64::from(*f),
            Java::Double(d) => *d,
            Java::Decimal(u, s) => java_num::decimal_double_value(*u, *s),
            Java::Bool(b) => f64::from(u8::from(*b)),
            other => long_value(other)? as f64,
        }),
        SchemaType::Boolean => Value::Boolean(match &x {
            Java::Str(s) => s.eq_ignore_ascii_case("true"),
            Java::Bool(b) => *b,
            other => long_value(other)? != 0,
        }),
        SchemaType::String => Value::String(match &x {
            Java::Byte(n) => n.to_string(),
            Java::Short(n) => n.to_string(),
            Java::Int(n) => n.to_string(),
            Java::Long(n) => n.to_string(),
            Java::Float(f) => java_num::float_to_string(*f),
            Java::Double(d) => java_num::double_to_string(*d),
            Java::Decimal(u, s) => decimal_string(*u, *s),
            Java::Bool(b) => b.to_string(),
            Java::Str(s) => s.clone(),
            Java::Bytes(b) => base64(b),
            Java::Date(ms) => java_num::format_date(*ms),
        }),
        other => {
            return Err(Failure::data(format!(
                "{} is not supported in the Cast transformation.",
                java_type(other)
            )))
        }
    })
}

/// `Number.intValue()` (floats truncate and saturate; NaN is 0), or 1/0 for a Boolean.
fn int_value(x: &Java) -> Result<i32, Failure> {
    Ok(match x {
        Java::Float(f) => *f as i32,
        Java::Double(d) => *d as i32,
        other => long_value(other)? as i32,
    })
}

/// `Number.longValue()`, or 1/0 for a Boolean.
fn long_value(x: &Java) -> Result<i64, Failure> {
    Ok(match x {
        Java::Byte(n) => i64::from(*n),
        Java::Short(n) => i64::from(*n),
        Java::Int(n) => i64::from(*n),
        Java::Long(n) => *n,
        Java::Float(f) => *f as i64,
        Java::Double(d) => *d as i64,
        Java::Decimal(u, s) => java_num::decimal_long_value(*u, *s),
        Java::Bool(b) => i64::from(*b),
        Java::Bytes(_) => return Err(unexpected("[B")),
        Java::Str(_) => return Err(unexpected("java.lang.String")),
        Java::Date(_) => return Err(unexpected("java.util.Date")),
    })
}

/// Standard Base64 with padding (`java.util.Base64.getEncoder()`).
fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Transform for Cast {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.Cast$Key",
            "org.apache.kafka.connect.transforms.Cast$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        if is_null(&part.value) {
            return Ok(Some(r));
        }
        let out = match &part.schema {
            None => match self.whole {
                Some(t) => SchemaAndValue::schemaless(Value::Json(to_json(&cast_value(
                    None,
                    &part.value,
                    t,
                )?))),
                None => {
                    let map = require_map(&part.value, PURPOSE)?;
                    let mut out = map.clone();
                    for (f, t) in &self.fields {
                        let v = Value::Json(map.get(f).cloned().unwrap_or(J::Null));
                        out.insert(f.clone(), to_json(&cast_value(None, &v, *t)?));
                    }
                    SchemaAndValue::schemaless(Value::Json(J::Object(out)))
                }
            },
            Some(schema) => {
                let out_schema = self.output_schema(schema)?;
                match self.whole {
                    Some(t) => SchemaAndValue {
                        value: cast_value(Some(schema), &part.value, t)?,
                        schema: Some(out_schema),
                    },
                    None => {
                        let fields = require_struct(&part.value, PURPOSE)?;
                        let mut values = Vec::with_capacity(schema.fields.len());
                        for (f, out_f) in schema.fields.iter().zip(&out_schema.fields) {
                            let v = struct_field(schema, fields, &f.name, self.defaults);
                            let v = match self.field_type(&f.name) {
                                Some(t) => cast_value(Some(&f.schema), &v, t)?,
                                None => v,
                            };
                            check_required(&f.name, &out_f.schema, &v)?;
                            values.push((f.name.clone(), v));
                        }
                        SchemaAndValue {
                            schema: Some(out_schema),
                            value: Value::Struct(values),
                        }
                    }
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_java() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn narrowing_as_java() {
        let c = |v: Value, t| cast_value(None, &Value::Json(to_json(&v)), t).unwrap();
        assert_eq!(c(Value::Float64(300.7), SchemaType::Int8), Value::Int8(44));
        assert_eq!(c(Value::Float64(1e10), SchemaType::Int8), Value::Int8(-1));
        assert_eq!(
            c(Value::Float64(-70000.9), SchemaType::Int16),
            Value::Int16(-4464)
        );
        assert_eq!(
            c(Value::Float64(-1e10), SchemaType::Int32),
            Value::Int32(i32::MIN)
        );
        assert_eq!(
            c(Value::Float64(1e30), SchemaType::Int64),
            Value::Int64(i64::MAX)
        );
        assert_eq!(c(Value::Int64(300), SchemaType::Int8), Value::Int8(44));
        assert_eq!(
            c(Value::Float64(0.5), SchemaType::Boolean),
            Value::Boolean(false)
        );
    }
}
