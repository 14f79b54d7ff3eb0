//! Connect to Protobuf values (Confluent's `fromConnectData`, default config): a Connect value
//! written as the schema's root message, fields found by name.
//!
//! `Value::Json` (the source connector's schemaless-typed values) is read through the schema:
//! a JSON object is a STRUCT's fields or a MAP's entries, numbers must fit the type.

use std::collections::HashMap;

use connect_data::{Schema, SchemaAndValue, SchemaType, Value};
use prost_reflect::prost::Message as _;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, Value as PValue,
};
use serde_json::Value as J;

use super::error::ProtobufError;
use super::indexes;
use super::rules::{self, Logical};
use super::schema::ProtobufSchema;
use super::values;

/// fromConnectData: the message indexes of the schema's root message, then the message bytes.
pub fn encode(schema: &ProtobufSchema, data: &SchemaAndValue) -> Result<Vec<u8>, ProtobufError> {
    let connect = data.schema.as_ref().ok_or(ProtobufError::NoSchema)?;
    if data.is_null() {
        return Err(ProtobufError::NullValue);
    }
    let value = typed(connect, &data.value, "")?;
    let root = schema.message_at(schema.root_path())?;
    let message = if connect.schema_type == SchemaType::Struct {
        let Value::Struct(fields) = &value else {
            return Err(mismatch("", "a struct schema needs a struct value"));
        };
        struct_message(&root, connect, fields, "")?
    } else {
        // A primitive root is its wrapper message.
        let field = root
            .get_field_by_name("value")
            .filter(|_| rules::unwrapped(root.full_name()).is_some())
            .ok_or_else(|| {
                mismatch(
                    "",
                    format!(
                        "a {} is written as a wrapper message, not {}",
                        connect.schema_type.json_name(),
                        root.full_name()
                    ),
                )
            })?;
        let mut m = DynamicMessage::new(root.clone());
        if let Some(v) = field_value(&field, connect, &value, "value")? {
            set(&mut m, &field, v, "value")?;
        }
        m
    };
    let mut out = Vec::with_capacity(message.encoded_len() + 4);
    indexes::write(schema.root_path(), &mut out);
    message.encode(&mut out).expect("a Vec grows");
    Ok(out)
}

fn mismatch(path: &str, problem: impl Into<String>) -> ProtobufError {
    ProtobufError::Mismatch {
        field: if path.is_empty() {
            "<root>".into()
        } else {
            path.into()
        },
        problem: problem.into(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn set(
    m: &mut DynamicMessage,
    f: &FieldDescriptor,
    v: PValue,
    path: &str,
) -> Result<(), ProtobufError> {
    m.try_set_field(f, v)
        .map_err(|e| mismatch(path, format!("does not fit field {}: {e}", f.full_name())))
}

fn struct_message(
    desc: &MessageDescriptor,
    schema: &Schema,
    values: &[(String, Value)],
    path: &str,
) -> Result<DynamicMessage, ProtobufError> {
    let mut m = DynamicMessage::new(desc.clone());
    for f in &schema.fields {
        let v = values
            .iter()
            .find(|(n, _)| *n == f.name)
            .map(|(_, v)| v)
            .unwrap_or(&Value::Null);
        if matches!(v, Value::Null) {
            continue;
        }
        let p = join(path, &f.name);
        let union = f.schema.schema_type == SchemaType::Struct
            && f.schema
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with(rules::UNION_PREFIX));
        let (field, member_schema, member_value, p) = if union {
            let Value::Struct(members) = v else {
                return Err(mismatch(&p, "a union needs a struct value"));
            };
            let Some((name, mv)) = members.iter().find(|(_, x)| !matches!(x, Value::Null)) else {
                return Err(mismatch(&p, "Cannot find non-null field"));
            };
            let ms = f
                .schema
                .fields
                .iter()
                .find(|x| x.name == *name)
                .ok_or_else(|| mismatch(&p, format!("{name} is not a member of the union")))?;
            let field = desc.get_field_by_name(name).ok_or_else(|| {
                mismatch(
                    &p,
                    format!("Cannot find field with name {name} in {}", desc.full_name()),
                )
            })?;
            (field, &ms.schema, mv, join(path, name))
        } else {
            let field = desc.get_field_by_name(&f.name).ok_or_else(|| {
                mismatch(
                    &p,
                    format!(
                        "Cannot find field with name {} in {}",
                        f.name,
                        desc.full_name()
                    ),
                )
            })?;
            (field, &f.schema, v, p)
        };
        if let Some(x) = field_value(&field, member_schema, member_value, &p)? {
            set(&mut m, &field, x, &p)?;
        }
    }
    Ok(m)
}

/// The field value of a Connect value (`None`: leave unset, e.g. an empty array).
fn field_value(
    field: &FieldDescriptor,
    schema: &Schema,
    v: &Value,
    path: &str,
) -> Result<Option<PValue>, ProtobufError> {
    if matches!(v, Value::Null) {
        return Ok(None);
    }
    match (schema.schema_type, v) {
        (SchemaType::Array, Value::Array(items)) => {
            if items.is_empty() {
                return Ok(None);
            }
            let item_schema = schema
                .value_schema
                .as_deref()
                .ok_or_else(|| mismatch(path, "an array without an element schema"))?;
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let x = element(field, &field.kind(), item_schema, x, &p)?.ok_or_else(|| {
                    mismatch(&p, "a null element; Protobuf lists cannot hold null")
                })?;
                out.push(x);
            }
            Ok(Some(PValue::List(out)))
        }
        (SchemaType::Map, Value::Map(entries)) => {
            let Kind::Message(entry) = field.kind() else {
                return Err(mismatch(
                    path,
                    format!("a map for field {}, which is not a map", field.full_name()),
                ));
            };
            let (ks, vs) = match (schema.key_schema.as_deref(), schema.value_schema.as_deref()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(mismatch(path, "a map without key and value schemas")),
            };
            let kf = entry
                .get_field_by_name("key")
                .ok_or_else(|| mismatch(path, "the entry has no key"))?;
            let vf = entry
                .get_field_by_name("value")
                .ok_or_else(|| mismatch(path, "the entry has no value"))?;
            let kp = join(path, "key");
            let vp = join(path, "value");
            if field.is_map() {
                let mut out = HashMap::with_capacity(entries.len());
                for (k, x) in entries {
                    let key = element(&kf, &kf.kind(), ks, k, &kp)?
                        .unwrap_or_else(|| PValue::default_value_for_field(&kf));
                    let key = map_key(key).ok_or_else(|| mismatch(&kp, "not a valid map key"))?;
                    let value = element(&vf, &vf.kind(), vs, x, &vp)?
                        .unwrap_or_else(|| PValue::default_value_for_field(&vf));
                    out.insert(key, value);
                }
                Ok(Some(PValue::Map(out)))
            } else {
                let mut out = Vec::with_capacity(entries.len());
                for (k, x) in entries {
                    let mut e = DynamicMessage::new(entry.clone());
                    if let Some(key) = element(&kf, &kf.kind(), ks, k, &kp)? {
                        set(&mut e, &kf, key, &kp)?;
                    }
                    if let Some(value) = field_value(&vf, vs, x, &vp)? {
                        set(&mut e, &vf, value, &vp)?;
                    }
                    out.push(PValue::Message(e));
                }
                Ok(Some(PValue::List(out)))
            }
        }
        _ => element(field, &field.kind(), schema, v, path),
    }
}

fn map_key(v: PValue) -> Option<MapKey> {
    Some(match v {
        PValue::Bool(b) => MapKey::Bool(b),
        PValue::I32(n) => MapKey::I32(n),
        PValue::I64(n) => MapKey::I64(n),
        PValue::U32(n) => MapKey::U32(n),
        PValue::U64(n) => MapKey::U64(n),
        PValue::String(s) => MapKey::String(s),
        _ => return None,
    })
}

/// One value of the field's kind (a list element, a map key or value, or a singular field).
fn element(
    field: &FieldDescriptor,
    kind: &Kind,
    schema: &Schema,
    v: &Value,
    path: &str,
) -> Result<Option<PValue>, ProtobufError> {
    if matches!(v, Value::Null) {
        return Ok(None);
    }
    if let Some(l) = rules::logical_for_connect(schema.name.as_deref()) {
        let Kind::Message(m) = kind else {
            return Err(mismatch(
                path,
                format!(
                    "a {} for field {}, which is not a message",
                    rules::logical_row(l).0,
                    field.full_name()
                ),
            ));
        };
        return logical(l, m, v, path).map(|m| Some(PValue::Message(m)));
    }
    if schema.schema_type == SchemaType::Struct {
        let (Kind::Message(m), Value::Struct(fields)) = (kind, v) else {
            return Err(mismatch(
                path,
                "a struct needs a struct value and a message field",
            ));
        };
        return struct_message(m, schema, fields, path).map(|m| Some(PValue::Message(m)));
    }
    if schema.schema_type == SchemaType::Array || schema.schema_type == SchemaType::Map {
        // An array or map as a map value.
        return field_value(field, schema, v, path);
    }
    if let (Kind::Enum(e), Value::String(symbol)) = (kind, v) {
        let number = schema
            .parameters
            .get(&format!("{}.{symbol}", rules::ENUM))
            .and_then(|n| n.parse::<i32>().ok())
            .or_else(|| e.get_value_by_name(symbol).map(|x| x.number()))
            .ok_or_else(|| {
                mismatch(
                    path,
                    format!("{symbol:?} is not a symbol of enum {}", e.full_name()),
                )
            })?;
        return Ok(Some(PValue::EnumNumber(number)));
    }
    let n: Option<i128> = match v {
        Value::Int8(n) => Some((*n).into()),
        Value::Int16(n) => Some((*n).into()),
        Value::Int32(n) => Some((*n).into()),
        Value::Int64(n) => Some((*n).into()),
        _ => None,
    };
    let wrong = || {
        mismatch(
            path,
            format!("{} cannot be written to a {kind:?} field", kind_of(v)),
        )
    };
    let out = match (kind, v) {
        (Kind::Int32 | Kind::Sint32 | Kind::Sfixed32, _) if n.is_some() => PValue::I32(
            i32::try_from(n.unwrap()).map_err(|_| mismatch(path, "out of range for int32"))?,
        ),
        (Kind::Enum(_), _) if n.is_some() => PValue::EnumNumber(
            i32::try_from(n.unwrap()).map_err(|_| mismatch(path, "out of range for an enum"))?,
        ),
        // Confluent casts an INT64 to int for uint32/fixed32: the low 32 bits.
        (Kind::Uint32 | Kind::Fixed32, _) if n.is_some() => PValue::U32(n.unwrap() as u32),
        (Kind::Int64 | Kind::Sint64 | Kind::Sfixed64, _) if n.is_some() => {
            PValue::I64(n.unwrap() as i64)
        }
        (Kind::Uint64 | Kind::Fixed64, _) if n.is_some() => PValue::U64(n.unwrap() as i64 as u64),
        (Kind::Float, Value::Float32(f)) => PValue::F32(*f),
        (Kind::Float, Value::Float64(f)) => PValue::F32(*f as f32),
        (Kind::Double, Value::Float64(f)) => PValue::F64(*f),
        (Kind::Double, Value::Float32(f)) => PValue::F64(f64::from(*f)),
        (Kind::Float, _) if n.is_some() => PValue::F32(n.unwrap() as f32),
        (Kind::Double, _) if n.is_some() => PValue::F64(n.unwrap() as f64),
        (Kind::Bool, Value::Boolean(b)) => PValue::Bool(*b),
        (Kind::String, Value::String(s)) => PValue::String(s.clone()),
        (Kind::Bytes, Value::Bytes(b)) => PValue::Bytes(b.clone().into()),
        _ => return Err(wrong()),
    };
    Ok(Some(out))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Boolean(_) => "a boolean",
        Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_) => "an integer",
        Value::Float32(_) | Value::Float64(_) => "a float",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Struct(_) => "a struct",
        Value::Decimal { .. } => "a decimal",
        Value::Json(_) => "JSON",
    }
}

fn logical(
    l: Logical,
    desc: &MessageDescriptor,
    v: &Value,
    path: &str,
) -> Result<DynamicMessage, ProtobufError> {
    let (_, _, expected, _) = rules::logical_row(l);
    if desc.full_name() != expected {
        return Err(mismatch(
            path,
            format!(
                "a {expected} cannot be written to a {} field",
                desc.full_name()
            ),
        ));
    }
    let mut m = DynamicMessage::new(desc.clone());
    let mut put = |name: &str, x: PValue| -> Result<(), ProtobufError> {
        let f = desc.get_field_by_name(name).expect("well-known fields");
        set(&mut m, &f, x, path)
    };
    match (l, v) {
        (Logical::Decimal, Value::Decimal { unscaled, scale }) => {
            put(
                "value",
                PValue::Bytes(values::unscaled_to_bytes(*unscaled).into()),
            )?;
            put("precision", PValue::U32(values::precision(*unscaled)))?;
            put("scale", PValue::I32(*scale))?;
        }
        (Logical::Date, Value::Int32(days)) => {
            let (y, mo, d) = values::days_to_date(*days);
            put("year", PValue::I32(y))?;
            put("month", PValue::I32(mo))?;
            put("day", PValue::I32(d))?;
        }
        (Logical::Time, Value::Int32(ms)) => {
            let (h, mi, s, n) = values::millis_to_time(*ms).ok_or_else(|| {
                mismatch(
                    path,
                    "Time values must use number of millis greater than 0 and less than 86400000",
                )
            })?;
            put("hours", PValue::I32(h))?;
            put("minutes", PValue::I32(mi))?;
            put("seconds", PValue::I32(s))?;
            put("nanos", PValue::I32(n))?;
        }
        (Logical::Timestamp, Value::Int64(ms)) => {
            let (s, n) = values::millis_to_timestamp(*ms)
                .ok_or_else(|| mismatch(path, "the timestamp is outside 0001-01-01..9999-12-31"))?;
            put("seconds", PValue::I64(s))?;
            put("nanos", PValue::I32(n))?;
        }
        _ => {
            return Err(mismatch(
                path,
                format!("{} is not a {}", kind_of(v), rules::logical_row(l).0),
            ))
        }
    }
    Ok(m)
}

/// The value with every `Value::Json` below it read through the schema.
fn typed(schema: &Schema, v: &Value, path: &str) -> Result<Value, ProtobufError> {
    Ok(match v {
        Value::Json(j) => from_json(schema, j, path)?,
        Value::Array(items) => {
            let s = schema.value_schema.as_deref();
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| match s {
                        Some(s) => typed(s, x, &format!("{path}[{i}]")),
                        None => Ok(x.clone()),
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(entries) => {
            let (ks, vs) = (schema.key_schema.as_deref(), schema.value_schema.as_deref());
            let mut out = Vec::with_capacity(entries.len());
            for (k, x) in entries {
                let k = match ks {
                    Some(s) => typed(s, k, &join(path, "key"))?,
                    None => k.clone(),
                };
                let x = match vs {
                    Some(s) => typed(s, x, &join(path, "value"))?,
                    None => x.clone(),
                };
                out.push((k, x));
            }
            Value::Map(out)
        }
        Value::Struct(fields) => Value::Struct(
            fields
                .iter()
                .map(|(n, x)| match schema.fields.iter().find(|f| f.name == *n) {
                    Some(f) => typed(&f.schema, x, &join(path, n)).map(|x| (n.clone(), x)),
                    None => Ok((n.clone(), x.clone())),
                })
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn from_json(schema: &Schema, j: &J, path: &str) -> Result<Value, ProtobufError> {
    let wrong = || {
        mismatch(
            path,
            format!("JSON {j} is not a {}", schema.schema_type.json_name()),
        )
    };
    if j.is_null() {
        return Ok(Value::Null);
    }
    let int = |min: i64, max: i64| -> Result<i64, ProtobufError> {
        j.as_i64()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(wrong)
    };
    Ok(match schema.schema_type {
        SchemaType::Int8 => Value::Int8(int(i8::MIN.into(), i8::MAX.into())? as i8),
        SchemaType::Int16 => Value::Int16(int(i16::MIN.into(), i16::MAX.into())? as i16),
        SchemaType::Int32 => Value::Int32(int(i32::MIN.into(), i32::MAX.into())? as i32),
        SchemaType::Int64 => Value::Int64(int(i64::MIN, i64::MAX)?),
        SchemaType::Float32 => Value::Float32(j.as_f64().ok_or_else(wrong)? as f32),
        SchemaType::Float64 => Value::Float64(j.as_f64().ok_or_else(wrong)?),
        SchemaType::Boolean => Value::Boolean(j.as_bool().ok_or_else(wrong)?),
        SchemaType::String => Value::String(j.as_str().ok_or_else(wrong)?.to_owned()),
        SchemaType::Bytes => return Err(mismatch(path, "JSON cannot hold bytes")),
        SchemaType::Array => {
            let items = j.as_array().ok_or_else(wrong)?;
            let s = schema
                .value_schema
                .as_deref()
                .ok_or_else(|| mismatch(path, "an array without an element schema"))?;
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| from_json(s, x, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        SchemaType::Map => {
            let o = j.as_object().ok_or_else(wrong)?;
            let (ks, vs) = match (schema.key_schema.as_deref(), schema.value_schema.as_deref()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(mismatch(path, "a map without key and value schemas")),
            };
            let mut out = Vec::with_capacity(o.len());
            for (k, x) in o {
                let key = from_json(ks, &J::String(k.clone()), &join(path, k))?;
                out.push((key, from_json(vs, x, &join(path, k))?));
            }
            Value::Map(out)
        }
        SchemaType::Struct => {
            let o = j.as_object().ok_or_else(wrong)?;
            let mut out = Vec::with_capacity(schema.fields.len());
            for f in &schema.fields {
                let p = join(path, &f.name);
                let x = match o.get(&f.name) {
                    Some(x) => from_json(&f.schema, x, &p)?,
                    None => Value::Null,
                };
                out.push((f.name.clone(), x));
            }
            Value::Struct(out)
        }
    })
}
