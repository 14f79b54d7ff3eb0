//! A record body (UTF-8 JSON) to a Connect value typed by the schema: Confluent's
//! `toConnectData`.
//!
//! Where Confluent silently coerces a value of the wrong JSON type (Jackson's
//! `intValue()` of a string is 0, `textValue()` of a number is null, 300 as INT8 wraps to
//! 44, 1.5 as INT32 truncates to 1), we refuse it with an error naming the value's path:
//! the deserializer does not validate by default (`json.fail.invalid.schema`=false), so
//! such a body can only come from a producer that ignored the schema.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value as J;

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaType, Value};

use super::error::{field_path, index_path, JsonSchemaError};
use super::types::{KEY_FIELD, ONE_OF, VALUE_FIELD};
use super::JsonSchema;

type Result<T> = std::result::Result<T, JsonSchemaError>;

/// Reads a record body (the bytes after the 5-byte registry header): UTF-8 JSON, as a
/// Connect value typed by `schema`'s Connect schema. A JSON `null` body is a null value;
/// with no Connect schema (`{}`), the value is the JSON itself ([`Value::Json`]).
pub fn decode(schema: &JsonSchema, body: &[u8]) -> Result<Value> {
    let j: J =
        serde_json::from_slice(body).map_err(|e| JsonSchemaError::BodySyntax(e.to_string()))?;
    if j.is_null() {
        // Confluent's converter: a null value is a null record, whatever the schema.
        return Ok(Value::Null);
    }
    value(schema.connect_schema(), &j, "$")
}

/// A JSON value as Connect data of `schema` (schemaless when none).
pub(crate) fn value(schema: Option<&Schema>, j: &J, path: &str) -> Result<Value> {
    let Some(s) = schema else {
        return Ok(match j {
            J::Null => Value::Null,
            other => Value::Json(other.clone()),
        });
    };
    if j.is_null() {
        return null_value(s, path);
    }
    match s.name.as_deref() {
        Some(DECIMAL) => return decimal(s, j, path),
        Some(DATE | TIME) => {
            return int(j, path, i32::MIN.into(), i32::MAX.into()).map(|n| Value::Int32(n as i32))
        }
        Some(TIMESTAMP) => return int(j, path, i64::MIN, i64::MAX).map(Value::Int64),
        _ => {}
    }
    let wrong = || wrong_type(s, j, path);
    Ok(match s.schema_type {
        SchemaType::Boolean => Value::Boolean(j.as_bool().ok_or_else(wrong)?),
        SchemaType::Int8 => Value::Int8(int(j, path, i8::MIN.into(), i8::MAX.into())? as i8),
        SchemaType::Int16 => Value::Int16(int(j, path, i16::MIN.into(), i16::MAX.into())? as i16),
        SchemaType::Int32 => Value::Int32(int(j, path, i32::MIN.into(), i32::MAX.into())? as i32),
        SchemaType::Int64 => Value::Int64(int(j, path, i64::MIN, i64::MAX)?),
        SchemaType::Float32 => Value::Float32(j.as_f64().ok_or_else(wrong)? as f32),
        SchemaType::Float64 => Value::Float64(j.as_f64().ok_or_else(wrong)?),
        SchemaType::String => Value::String(j.as_str().ok_or_else(wrong)?.to_owned()),
        SchemaType::Bytes => Value::Bytes(base64_bytes(j, path)?),
        SchemaType::Array => {
            let items = j.as_array().ok_or_else(wrong)?;
            let item_schema = s.value_schema.as_deref();
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| value(item_schema, x, &index_path(path, i)))
                    .collect::<Result<_>>()?,
            )
        }
        SchemaType::Map => map(s, j, path)?,
        SchemaType::Struct if s.name.as_deref() == Some(ONE_OF) => {
            let (i, branch) = union_branch(s, j).ok_or_else(|| {
                JsonSchemaError::value(path, format!("{j} matches no branch of the oneOf"))
            })?;
            let mut fields: Vec<(String, Value)> = s
                .fields
                .iter()
                .map(|f| (f.name.clone(), Value::Null))
                .collect();
            fields[i].1 = value(Some(branch), j, path)?;
            Value::Struct(fields)
        }
        SchemaType::Struct => {
            let o = j.as_object().ok_or_else(wrong)?;
            let mut fields = Vec::with_capacity(s.fields.len());
            for f in &s.fields {
                let at = field_path(path, &f.name);
                let x = match o.get(&f.name) {
                    Some(x) => value(Some(&f.schema), x, &at)?,
                    // Missing is not null: the default if any, else null even when required.
                    None => match &f.schema.default {
                        Some(d) => value(Some(&without_default(&f.schema)), d, &at)?,
                        None => Value::Null,
                    },
                };
                fields.push((f.name.clone(), x));
            }
            Value::Struct(fields)
        }
    })
}

/// A JSON null: the default if the schema has one, null if it is optional.
fn null_value(s: &Schema, path: &str) -> Result<Value> {
    if let Some(d) = &s.default {
        return value(Some(&without_default(s)), d, path);
    }
    if s.optional {
        return Ok(Value::Null);
    }
    Err(JsonSchemaError::value(
        path,
        format!("null for a required {} schema", type_name(s)),
    ))
}

fn without_default(s: &Schema) -> Schema {
    let mut s = s.clone();
    s.default = None;
    s
}

/// A map: a JSON object when the keys are required strings, else an array of
/// `{"key": k, "value": v}` objects.
fn map(s: &Schema, j: &J, path: &str) -> Result<Value> {
    let (ks, vs) = (s.key_schema.as_deref(), s.value_schema.as_deref());
    let string_keys = ks.is_none_or(|k| k.schema_type == SchemaType::String && !k.optional);
    if string_keys {
        let o = j.as_object().ok_or_else(|| {
            JsonSchemaError::value(
                path,
                format!(
                    "a map with string keys must be a JSON object, not {}",
                    kind(j)
                ),
            )
        })?;
        return Ok(Value::Map(
            o.iter()
                .map(|(k, x)| {
                    Ok((
                        Value::String(k.clone()),
                        value(vs, x, &field_path(path, k))?,
                    ))
                })
                .collect::<Result<_>>()?,
        ));
    }
    let entries = j.as_array().ok_or_else(|| {
        JsonSchemaError::value(
            path,
            format!(
                "a map with non-string keys must be an array of key/value objects, not {}",
                kind(j)
            ),
        )
    })?;
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at = index_path(path, i);
        let o = e.as_object().filter(|o| o.len() == 2).ok_or_else(|| {
            JsonSchemaError::value(
                &at,
                "a map entry must be an object of exactly \"key\" and \"value\"",
            )
        })?;
        let k = o.get(KEY_FIELD).unwrap_or(&J::Null);
        let x = o.get(VALUE_FIELD).unwrap_or(&J::Null);
        out.push((
            value(ks, k, &field_path(&at, KEY_FIELD))?,
            value(vs, x, &field_path(&at, VALUE_FIELD))?,
        ));
    }
    Ok(Value::Map(out))
}

/// The branch of a oneOf a JSON value is read as: the first whose type the value has
/// (integers for INT*, numbers for FLOAT*, objects or arrays for MAP; as in Confluent,
/// BYTES and STRUCT branches never match this way, a base64 string being a string); else
/// the struct branch sharing the most property names with it (counted down nested
/// structs).
pub(crate) fn union_branch<'s>(s: &'s Schema, j: &J) -> Option<(usize, &'s Schema)> {
    let simple = s.fields.iter().position(|f| match f.schema.schema_type {
        SchemaType::Int8 | SchemaType::Int16 | SchemaType::Int32 | SchemaType::Int64 => {
            j.is_i64() || j.is_u64()
        }
        SchemaType::Float32 | SchemaType::Float64 => j.is_number(),
        SchemaType::Boolean => j.is_boolean(),
        SchemaType::String => j.is_string(),
        SchemaType::Bytes | SchemaType::Struct => false,
        SchemaType::Array => j.is_array(),
        SchemaType::Map => j.is_object() || j.is_array(),
    });
    if let Some(i) = simple {
        return Some((i, &s.fields[i].schema));
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, f) in s.fields.iter().enumerate() {
        let m = struct_match(&f.schema, j);
        if m > best.map_or(0, |(_, b)| b) {
            best = Some((i, m));
        }
    }
    best.map(|(i, _)| (i, &s.fields[i].schema))
}

fn struct_match(s: &Schema, j: &J) -> usize {
    let (SchemaType::Struct, Some(o)) = (s.schema_type, j.as_object()) else {
        return 0;
    };
    s.fields
        .iter()
        .filter_map(|f| o.get(&f.name).map(|x| 1 + struct_match(&f.schema, x)))
        .sum()
}

/// An integer in `lo..=hi`; an integral float (`1.0`) counts.
fn int(j: &J, path: &str, lo: i64, hi: i64) -> Result<i64> {
    let n = match j.as_i64() {
        Some(n) => Some(n),
        None => j
            .as_f64()
            .filter(|f| {
                f.fract() == 0.0 && *f >= -9.223_372_036_854_776e18 && *f < 9.223_372_036_854_776e18
            })
            .map(|f| f as i64),
    };
    n.filter(|n| (lo..=hi).contains(n)).ok_or_else(|| {
        JsonSchemaError::value(
            path,
            format!("expected an integer in {lo}..={hi}, found {j}"),
        )
    })
}

fn base64_bytes(j: &J, path: &str) -> Result<Vec<u8>> {
    let t = j.as_str().ok_or_else(|| {
        JsonSchemaError::value(
            path,
            format!("bytes must be a base64 string, not {}", kind(j)),
        )
    })?;
    B64.decode(t)
        .map_err(|e| JsonSchemaError::value(path, format!("bytes are not base64: {e}")))
}

/// A Decimal: base64 of the big-endian two's-complement unscaled value (decimal.format
/// BASE64, with the schema's `scale` parameter), or a JSON number (NUMERIC), whose own
/// digits give the scale.
fn decimal(s: &Schema, j: &J, path: &str) -> Result<Value> {
    if let J::Number(n) = j {
        let (unscaled, scale) = parse_decimal(&n.to_string()).ok_or_else(|| {
            JsonSchemaError::value(path, format!("the Decimal {n} does not fit 128 bits"))
        })?;
        return Ok(Value::Decimal { unscaled, scale });
    }
    let bytes = base64_bytes(j, path)?;
    let scale = s
        .parameters
        .get("scale")
        .and_then(|v| v.parse::<i32>().ok())
        .ok_or_else(|| {
            JsonSchemaError::value(
                path,
                "the Decimal schema has no integer \"scale\" parameter",
            )
        })?;
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(JsonSchemaError::value(
            path,
            format!(
                "a Decimal's unscaled value must be 1 to 16 bytes, not {}",
                bytes.len()
            ),
        ));
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut be = [fill; 16];
    be[16 - bytes.len()..].copy_from_slice(&bytes);
    Ok(Value::Decimal {
        unscaled: i128::from_be_bytes(be),
        scale,
    })
}

/// A JSON number's text as unscaled digits and scale, as Java's `BigDecimal` reads it
/// (`12.50` is 1250 scale 2, `1e3` is 1 scale -3).
pub(crate) fn parse_decimal(text: &str) -> Option<(i128, i32)> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int_part}{frac}");
    let unscaled = digits.parse::<i128>().ok()?;
    let scale = i32::try_from(frac.len()).ok()?.checked_sub(exp)?;
    Some((unscaled, scale))
}

fn wrong_type(s: &Schema, j: &J, path: &str) -> JsonSchemaError {
    JsonSchemaError::value(
        path,
        format!(
            "expected {} for a {} schema, found {}",
            expected(s),
            type_name(s),
            kind(j)
        ),
    )
}

fn expected(s: &Schema) -> &'static str {
    match s.schema_type {
        SchemaType::Boolean => "a boolean",
        SchemaType::Float32 | SchemaType::Float64 => "a number",
        SchemaType::String | SchemaType::Bytes => "a string",
        SchemaType::Array => "an array",
        SchemaType::Struct | SchemaType::Map => "an object",
        _ => "an integer",
    }
}

pub(crate) fn type_name(s: &Schema) -> String {
    match &s.name {
        Some(n) => format!("{} ({n})", s.schema_type.json_name()),
        None => s.schema_type.json_name().to_owned(),
    }
}

pub(crate) fn kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}
