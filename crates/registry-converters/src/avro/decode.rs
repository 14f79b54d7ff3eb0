//! Avro datum to Connect value: Confluent's `toConnectData`, walking the Avro schema and
//! the Connect schema made from it side by side.

use connect_data::schema::{Schema, SchemaType, DECIMAL};
use connect_data::Value;

use super::codec::AvroValue;
use super::error::{AvroError, Path};
use super::from_connect_schema::is_union;
use super::model::{Kind, Model, NamedDef, Node};
use super::rules as r;
use super::to_connect_schema::{branch_name, is_anything};

/// The Connect value of `v`, a datum of `node`, typed by `schema` (`None`: schemaless, the
/// `Anything` record).
pub(crate) fn to_connect_value(
    model: &Model,
    node: &Node,
    schema: Option<&Schema>,
    v: AvroValue,
    path: &Path,
) -> Result<Value, AvroError> {
    let Some(schema) = schema else {
        return anything_to_value(model, node, v, path);
    };
    let mismatch = || path.malformed("the datum does not match its schema");
    Ok(match (&node.kind, v) {
        (Kind::Union(members), AvroValue::Union(i, inner)) => {
            let member = members.get(i).ok_or_else(mismatch)?;
            if member.is_null() {
                return Ok(Value::Null);
            }
            if is_union(schema) {
                let name = branch_name(model, member);
                let mut inner = Some(*inner);
                let mut fields = Vec::with_capacity(schema.fields.len());
                for f in &schema.fields {
                    let v = if f.name == name && inner.is_some() {
                        let inner = inner.take().unwrap_or(AvroValue::Null);
                        let p = path.union(&name);
                        to_connect_value(model, member, Some(&f.schema), inner, &p)?
                    } else {
                        Value::Null
                    };
                    fields.push((f.name.clone(), v));
                }
                Value::Struct(fields)
            } else {
                to_connect_value(model, member, Some(schema), *inner, path)?
            }
        }
        (_, AvroValue::Null) => Value::Null,
        (_, AvroValue::Boolean(b)) => Value::Boolean(b),
        // Java's byteValue()/shortValue(): an out-of-range int is truncated.
        (_, AvroValue::Int(n)) => match schema.schema_type {
            SchemaType::Int8 => Value::Int8(n as i8),
            SchemaType::Int16 => Value::Int16(n as i16),
            _ => Value::Int32(n),
        },
        (_, AvroValue::Long(n)) => Value::Int64(n),
        (_, AvroValue::Float(f)) => Value::Float32(f),
        (_, AvroValue::Double(f)) => Value::Float64(f),
        (_, AvroValue::String(s)) => Value::String(s),
        (Kind::Named(i), AvroValue::Enum(index)) => match &model.named[*i].def {
            NamedDef::Enum { symbols, .. } => Value::String(symbols[index].clone()),
            _ => return Err(mismatch()),
        },
        (_, AvroValue::Bytes(b)) | (_, AvroValue::Fixed(b)) => {
            if schema.name.as_deref() == Some(DECIMAL) {
                let scale = schema
                    .parameters
                    .get(r::DECIMAL_SCALE)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                Value::Decimal {
                    unscaled: unscaled(&b, path)?,
                    scale,
                }
            } else {
                Value::Bytes(b)
            }
        }
        (Kind::Array(items), AvroValue::Array(xs)) if schema.schema_type == SchemaType::Map => {
            let Kind::Named(e) = items.kind else {
                return Err(mismatch());
            };
            let NamedDef::Record(fields) = &model.named[e].def else {
                return Err(mismatch());
            };
            let ki = fields
                .iter()
                .position(|f| f.name == "key")
                .ok_or_else(mismatch)?;
            let vi = fields
                .iter()
                .position(|f| f.name == "value")
                .ok_or_else(mismatch)?;
            let mut out = Vec::with_capacity(xs.len());
            for (n, x) in xs.into_iter().enumerate() {
                let AvroValue::Record(mut kv) = x else {
                    return Err(mismatch());
                };
                let p = path.index(n);
                let v = std::mem::replace(&mut kv[vi], AvroValue::Null);
                let k = std::mem::replace(&mut kv[ki], AvroValue::Null);
                let k = to_connect_value(
                    model,
                    &fields[ki].node,
                    schema.key_schema.as_deref(),
                    k,
                    &p.tag("key"),
                )?;
                let v = to_connect_value(
                    model,
                    &fields[vi].node,
                    schema.value_schema.as_deref(),
                    v,
                    &p.tag("value"),
                )?;
                out.push((k, v));
            }
            Value::Map(out)
        }
        (Kind::Array(items), AvroValue::Array(xs)) => {
            let es = schema.value_schema.as_deref();
            let mut out = Vec::with_capacity(xs.len());
            for (n, x) in xs.into_iter().enumerate() {
                out.push(to_connect_value(model, items, es, x, &path.index(n))?);
            }
            Value::Array(out)
        }
        (Kind::Map(values), AvroValue::Map(xs)) => {
            let vs = schema.value_schema.as_deref();
            let mut out = Vec::with_capacity(xs.len());
            for (k, x) in xs {
                let v = to_connect_value(model, values, vs, x, &path.field(&k))?;
                out.push((Value::String(k), v));
            }
            Value::Map(out)
        }
        (Kind::Named(i), AvroValue::Record(xs)) => {
            let NamedDef::Record(fields) = &model.named[*i].def else {
                return Err(mismatch());
            };
            let mut out = Vec::with_capacity(xs.len());
            for ((f, x), cf) in fields.iter().zip(xs).zip(&schema.fields) {
                let v =
                    to_connect_value(model, &f.node, Some(&cf.schema), x, &path.field(&f.name))?;
                out.push((cf.name.clone(), v));
            }
            Value::Struct(out)
        }
        _ => return Err(mismatch()),
    })
}

/// A big-endian two's-complement integer as i128 (Java's `new BigInteger(bytes)`).
fn unscaled(b: &[u8], path: &Path) -> Result<i128, AvroError> {
    if b.is_empty() {
        return Err(path.malformed("a decimal's unscaled value has zero bytes"));
    }
    let mut start = 0;
    while b.len() - start > 1 {
        let (x, next) = (b[start], b[start + 1]);
        if (x == 0 && next & 0x80 == 0) || (x == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    let digits = &b[start..];
    if digits.len() > 16 {
        return Err(AvroError::DecimalTooLarge {
            path: path.to_string(),
            bytes: digits.len(),
        });
    }
    let fill = if digits[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut full = [fill; 16];
    full[16 - digits.len()..].copy_from_slice(digits);
    Ok(i128::from_be_bytes(full))
}

/// A datum of Confluent's `Anything` record as a schemaless Connect value: the first field
/// set gives the value (none set: null).
fn anything_to_value(
    model: &Model,
    node: &Node,
    v: AvroValue,
    path: &Path,
) -> Result<Value, AvroError> {
    let bad = || path.malformed("schemaless data needs Confluent's Anything record");
    if !is_anything(model, node) {
        return Err(bad());
    }
    let Kind::Named(i) = node.kind else {
        return Err(bad());
    };
    let NamedDef::Record(fields) = &model.named[i].def else {
        return Err(bad());
    };
    let AvroValue::Record(xs) = v else {
        return Err(bad());
    };
    for (f, x) in fields.iter().zip(xs) {
        let x = match x {
            AvroValue::Union(_, inner) => *inner,
            other => other,
        };
        let value = match x {
            AvroValue::Null => continue,
            AvroValue::Boolean(b) => Value::Boolean(b),
            AvroValue::Bytes(b) | AvroValue::Fixed(b) => Value::Bytes(b),
            AvroValue::Double(d) => Value::Float64(d),
            AvroValue::Float(d) => Value::Float32(d),
            AvroValue::Int(n) => Value::Int32(n),
            AvroValue::Long(n) => Value::Int64(n),
            AvroValue::String(s) => Value::String(s),
            AvroValue::Array(items) if f.name == "array" => {
                let mut out = Vec::with_capacity(items.len());
                for (n, item) in items.into_iter().enumerate() {
                    out.push(anything_to_value(model, node, item, &path.index(n))?);
                }
                Value::Array(out)
            }
            AvroValue::Array(entries) if f.name == "map" => {
                let mut out = Vec::with_capacity(entries.len());
                for (n, e) in entries.into_iter().enumerate() {
                    let AvroValue::Record(kv) = e else {
                        return Err(bad());
                    };
                    let mut kv = kv.into_iter();
                    let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
                        return Err(bad());
                    };
                    let p = path.index(n);
                    out.push((
                        anything_to_value(model, node, k, &p.tag("key"))?,
                        anything_to_value(model, node, v, &p.tag("value"))?,
                    ));
                }
                Value::Map(out)
            }
            _ => return Err(bad()),
        };
        return Ok(value);
    }
    Ok(Value::Null)
}
