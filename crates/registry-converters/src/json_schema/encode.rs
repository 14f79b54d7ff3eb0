//! A Connect value to a record body (UTF-8 JSON): Confluent's `fromConnectData`.
//!
//! Struct fields are written in the schema's field order; a null in a required field
//! without a default is left out (Confluent's `fromConnectData` gives Java null, which
//! its object builder skips), a null in an optional one is written as `null`. A
//! [`Value::Json`] (the source connector's JSON topics) is read through the schema: its
//! struct fields picked by name in field order, integers range-checked, maps written in
//! the form the key schema asks.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{Map, Value as J};

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use super::decode::{kind, type_name, union_branch};
use super::error::{field_path, index_path, JsonSchemaError};
use super::types::{KEY_FIELD, ONE_OF, VALUE_FIELD};
use super::JsonSchema;

type Result<T> = std::result::Result<T, JsonSchemaError>;

/// Writes a record's key or value as the JSON body Confluent's JsonSchemaConverter writes
/// (to follow the 5-byte registry header). `None` is a Kafka null (a tombstone): a null
/// value with no schema, or a null for a required schema without a default, as Confluent
/// gives it; a null for an optional schema is the body `null`.
///
/// The value is written by its own Connect schema (`data.schema`), as Confluent does; when
/// it has none, by `schema`'s Connect schema if that has one (a value written against a
/// registered schema), else as plain JSON.
pub fn encode(schema: &JsonSchema, data: &SchemaAndValue) -> Result<Option<Vec<u8>>> {
    let s = data.schema.as_ref().or(schema.connect_schema());
    match connect_value(s, &data.value, "$")? {
        None => Ok(None),
        Some(j) => serde_json::to_vec(&j)
            .map(Some)
            .map_err(|e| JsonSchemaError::value("$", format!("cannot write JSON: {e}"))),
    }
}

/// A Connect value as JSON; `None` for Java's null (left out of objects).
fn connect_value(schema: Option<&Schema>, v: &Value, path: &str) -> Result<Option<J>> {
    match v {
        Value::Null => return null_out(schema, path),
        Value::Json(j) => return json_out(schema, j, path),
        _ => {}
    }
    let Some(s) = schema else {
        return schemaless(v, path).map(Some);
    };
    let mismatch = || {
        JsonSchemaError::value(
            path,
            format!("a {} schema cannot hold {}", type_name(s), value_kind(v)),
        )
    };
    match (s.name.as_deref(), v) {
        (Some(DECIMAL), Value::Decimal { unscaled, scale }) => {
            let want = s
                .parameters
                .get("scale")
                .and_then(|x| x.parse::<i32>().ok());
            if want != Some(*scale) {
                return Err(JsonSchemaError::value(
                    path,
                    format!("a Decimal of scale {scale} for a schema of scale {want:?}"),
                ));
            }
            return Ok(Some(J::from(B64.encode(big_integer_bytes(*unscaled)))));
        }
        (Some(DECIMAL), _) => return Err(mismatch()),
        (Some(DATE | TIME), Value::Int32(n)) => return Ok(Some(J::from(*n))),
        (Some(TIMESTAMP), Value::Int64(n)) => return Ok(Some(J::from(*n))),
        _ => {}
    }
    Ok(Some(match (s.schema_type, v) {
        (SchemaType::Boolean, Value::Boolean(b)) => J::Bool(*b),
        (SchemaType::Int8, Value::Int8(n)) => J::from(*n),
        (SchemaType::Int16, Value::Int16(n)) => J::from(*n),
        (SchemaType::Int32, Value::Int32(n)) => J::from(*n),
        (SchemaType::Int64, Value::Int64(n)) => J::from(*n),
        // Jackson writes a float as its shortest decimal (0.1, not 0.10000000149011612).
        (SchemaType::Float32, Value::Float32(f)) => {
            finite(connect_data::float::single_to_double(*f), path)?
        }
        (SchemaType::Float64, Value::Float64(f)) => finite(*f, path)?,
        (SchemaType::String, Value::String(t)) => J::from(t.as_str()),
        (SchemaType::Bytes, Value::Bytes(b)) => J::from(B64.encode(b)),
        (SchemaType::Array, Value::Array(items)) => {
            let item_schema = s.value_schema.as_deref();
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(connect_value(item_schema, x, &index_path(path, i))?.unwrap_or(J::Null));
            }
            J::Array(out)
        }
        (SchemaType::Map, Value::Map(entries)) => {
            let (ks, vs) = (s.key_schema.as_deref(), s.value_schema.as_deref());
            let pairs = entries
                .iter()
                .enumerate()
                .map(|(i, (k, x))| {
                    let at = index_path(path, i);
                    let k = connect_value(ks, k, &field_path(&at, KEY_FIELD))?.unwrap_or(J::Null);
                    let x = connect_value(vs, x, &field_path(&at, VALUE_FIELD))?.unwrap_or(J::Null);
                    Ok((k, x))
                })
                .collect::<Result<Vec<_>>>()?;
            map_out(ks, pairs, path)?
        }
        (SchemaType::Struct, Value::Struct(fields)) => {
            let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, x)| x);
            if s.name.as_deref() == Some(ONE_OF) {
                // A union writes its one non-null branch.
                for f in &s.fields {
                    match get(&f.name) {
                        None | Some(Value::Null) | Some(Value::Json(J::Null)) => continue,
                        Some(x) => {
                            return connect_value(Some(&f.schema), x, &field_path(path, &f.name))
                        }
                    }
                }
                return null_out(Some(s), path);
            }
            if let Some((extra, _)) = fields
                .iter()
                .find(|(n, _)| !s.fields.iter().any(|f| f.name == *n))
            {
                return Err(JsonSchemaError::value(
                    &field_path(path, extra),
                    "the struct's schema has no such field",
                ));
            }
            let mut o = Map::with_capacity(s.fields.len());
            for f in &s.fields {
                let x = get(&f.name).unwrap_or(&Value::Null);
                if let Some(j) = connect_value(Some(&f.schema), x, &field_path(path, &f.name))? {
                    o.insert(f.name.clone(), j);
                }
            }
            J::Object(o)
        }
        _ => return Err(mismatch()),
    }))
}

/// Java's null for a schema: its default, `null` if optional, else nothing.
fn null_out(schema: Option<&Schema>, path: &str) -> Result<Option<J>> {
    let Some(s) = schema else { return Ok(None) };
    if let Some(d) = &s.default {
        let mut plain = s.clone();
        plain.default = None;
        return json_out(Some(&plain), d, path);
    }
    Ok(s.optional.then_some(J::Null))
}

/// A map's entries as a JSON object when the keys are required strings (or, with no key
/// schema, all strings), else as `[{"key": k, "value": v}, ...]`.
fn map_out(ks: Option<&Schema>, pairs: Vec<(J, J)>, path: &str) -> Result<J> {
    let string_keys = match ks {
        Some(k) => k.schema_type == SchemaType::String && !k.optional,
        None => pairs.iter().all(|(k, _)| k.is_string()),
    };
    if string_keys {
        let mut o = Map::with_capacity(pairs.len());
        for (i, (k, x)) in pairs.into_iter().enumerate() {
            let J::String(k) = k else {
                return Err(JsonSchemaError::value(
                    &index_path(path, i),
                    "a string-keyed map has a non-string key",
                ));
            };
            o.insert(k, x);
        }
        return Ok(J::Object(o));
    }
    Ok(J::Array(
        pairs
            .into_iter()
            .map(|(k, x)| {
                let mut e = Map::with_capacity(2);
                e.insert(KEY_FIELD.into(), k);
                e.insert(VALUE_FIELD.into(), x);
                J::Object(e)
            })
            .collect(),
    ))
}

/// A value with no schema, typed by what it holds (Confluent: by its Java class).
fn schemaless(v: &Value, path: &str) -> Result<J> {
    Ok(match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int8(n) => J::from(*n),
        Value::Int16(n) => J::from(*n),
        Value::Int32(n) => J::from(*n),
        Value::Int64(n) => J::from(*n),
        Value::Float32(f) => finite(connect_data::float::single_to_double(*f), path)?,
        Value::Float64(f) => finite(*f, path)?,
        Value::String(t) => J::from(t.as_str()),
        Value::Bytes(b) => J::from(B64.encode(b)),
        Value::Json(j) => j.clone(),
        Value::Array(items) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| schemaless(x, &index_path(path, i)))
                .collect::<Result<_>>()?,
        ),
        Value::Map(entries) => {
            let pairs = entries
                .iter()
                .enumerate()
                .map(|(i, (k, x))| {
                    let at = index_path(path, i);
                    Ok((
                        schemaless(k, &field_path(&at, KEY_FIELD))?,
                        schemaless(x, &field_path(&at, VALUE_FIELD))?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            map_out(None, pairs, path)?
        }
        Value::Struct(_) | Value::Decimal { .. } => {
            return Err(JsonSchemaError::value(
                path,
                format!("{} needs a schema", value_kind(v)),
            ))
        }
    })
}

/// A JSON value (a [`Value::Json`] or a schema default) read through `schema` and written
/// as Confluent would write the Connect value it stands for; `None` for Java's null.
pub(crate) fn json_out(schema: Option<&Schema>, j: &J, path: &str) -> Result<Option<J>> {
    let Some(s) = schema else {
        return Ok((!j.is_null()).then(|| j.clone()));
    };
    if j.is_null() {
        return null_out(Some(s), path);
    }
    let wrong = || {
        JsonSchemaError::value(
            path,
            format!("a {} schema cannot hold {}", type_name(s), kind(j)),
        )
    };
    let int_in = |lo: i64, hi: i64| -> Result<J> {
        match j.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(j.clone()),
            _ => Err(JsonSchemaError::value(
                path,
                format!("expected an integer in {lo}..={hi}, found {j}"),
            )),
        }
    };
    match s.name.as_deref() {
        Some(DECIMAL) => {
            let t = j.as_str().ok_or_else(wrong)?;
            B64.decode(t).map_err(|e| {
                JsonSchemaError::value(path, format!("a Decimal must be base64: {e}"))
            })?;
            return Ok(Some(j.clone()));
        }
        Some(DATE | TIME) => return int_in(i32::MIN.into(), i32::MAX.into()).map(Some),
        Some(TIMESTAMP) => return int_in(i64::MIN, i64::MAX).map(Some),
        _ => {}
    }
    Ok(Some(match s.schema_type {
        SchemaType::Boolean if j.is_boolean() => j.clone(),
        SchemaType::Int8 => int_in(i8::MIN.into(), i8::MAX.into())?,
        SchemaType::Int16 => int_in(i16::MIN.into(), i16::MAX.into())?,
        SchemaType::Int32 => int_in(i32::MIN.into(), i32::MAX.into())?,
        SchemaType::Int64 => int_in(i64::MIN, i64::MAX)?,
        SchemaType::Float32 | SchemaType::Float64 if j.is_number() => j.clone(),
        SchemaType::String if j.is_string() => j.clone(),
        SchemaType::Bytes => {
            let t = j.as_str().ok_or_else(wrong)?;
            B64.decode(t)
                .map_err(|e| JsonSchemaError::value(path, format!("bytes must be base64: {e}")))?;
            j.clone()
        }
        SchemaType::Array => {
            let items = j.as_array().ok_or_else(wrong)?;
            let item_schema = s.value_schema.as_deref();
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(json_out(item_schema, x, &index_path(path, i))?.unwrap_or(J::Null));
            }
            J::Array(out)
        }
        SchemaType::Map => {
            let (ks, vs) = (s.key_schema.as_deref(), s.value_schema.as_deref());
            let mut pairs = Vec::new();
            match j {
                J::Object(o) => {
                    for (k, x) in o {
                        let at = field_path(path, k);
                        let key = json_out(ks, &J::from(k.as_str()), &at)?.unwrap_or(J::Null);
                        pairs.push((key, json_out(vs, x, &at)?.unwrap_or(J::Null)));
                    }
                }
                // The JsonConverter's form of a map with non-string keys: [[k, v], ...];
                // or already ours: [{"key": k, "value": v}, ...].
                J::Array(entries) => {
                    for (i, e) in entries.iter().enumerate() {
                        let at = index_path(path, i);
                        let (k, x) = match e {
                            J::Array(kv) if kv.len() == 2 => (&kv[0], &kv[1]),
                            J::Object(o)
                                if o.len() == 2
                                    && o.contains_key(KEY_FIELD)
                                    && o.contains_key(VALUE_FIELD) =>
                            {
                                (&o[KEY_FIELD], &o[VALUE_FIELD])
                            }
                            _ => return Err(JsonSchemaError::value(
                                &at,
                                "a map entry must be [key, value] or {\"key\": k, \"value\": v}",
                            )),
                        };
                        let key = json_out(ks, k, &field_path(&at, KEY_FIELD))?.unwrap_or(J::Null);
                        pairs.push((
                            key,
                            json_out(vs, x, &field_path(&at, VALUE_FIELD))?.unwrap_or(J::Null),
                        ));
                    }
                }
                _ => return Err(wrong()),
            }
            map_out(ks, pairs, path)?
        }
        SchemaType::Struct if s.name.as_deref() == Some(ONE_OF) => {
            let (i, branch) = union_branch(s, j).ok_or_else(|| {
                JsonSchemaError::value(path, format!("{j} matches no branch of the oneOf"))
            })?;
            return json_out(Some(branch), j, &field_path(path, &s.fields[i].name));
        }
        SchemaType::Struct => {
            let o = j.as_object().ok_or_else(wrong)?;
            let mut out = Map::with_capacity(s.fields.len());
            for f in &s.fields {
                let at = field_path(path, &f.name);
                if let Some(x) = json_out(Some(&f.schema), o.get(&f.name).unwrap_or(&J::Null), &at)?
                {
                    out.insert(f.name.clone(), x);
                }
            }
            J::Object(out)
        }
        _ => return Err(wrong()),
    }))
}

fn finite(f: f64, path: &str) -> Result<J> {
    serde_json::Number::from_f64(f)
        .map(J::Number)
        .ok_or_else(|| JsonSchemaError::value(path, format!("{f} has no JSON form")))
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Boolean(_) => "a boolean",
        Value::Int8(_) => "an int8",
        Value::Int16(_) => "an int16",
        Value::Int32(_) => "an int32",
        Value::Int64(_) => "an int64",
        Value::Float32(_) => "a float32",
        Value::Float64(_) => "a float64",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Struct(_) => "a struct",
        Value::Decimal { .. } => "a Decimal",
        Value::Json(_) => "JSON",
    }
}

/// Java's `BigInteger.toByteArray()`: the shortest big-endian two's complement.
fn big_integer_bytes(n: i128) -> Vec<u8> {
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
