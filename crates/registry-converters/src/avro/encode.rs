//! Connect value to Avro datum: Confluent's `fromConnectData`. A `Value::Json` (what the
//! source connector produces for a Diffusion JSON topic) is read through its schema first,
//! as the JsonConverter's envelope would carry it; a value without a schema is written as
//! Confluent writes schemaless data, in its `io.confluent.connect.avro.Anything` record.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use connect_data::schema::{Schema, SchemaType, DECIMAL};
use connect_data::Value;
use serde_json::Value as J;

use super::codec::AvroValue;
use super::error::{AvroError, Path};
use super::from_connect_schema::is_union;
use super::model::{Kind, Model, NamedDef, Node};
use super::rules as r;
use super::to_connect_schema::{branch_name, is_anything};

/// The Avro datum of `v` (typed by `schema`, or schemaless) for `node`.
pub(crate) fn to_avro_value(
    model: &Model,
    node: &Node,
    schema: Option<&Schema>,
    v: &Value,
    path: &Path,
) -> Result<AvroValue, AvroError> {
    let Some(schema) = schema else {
        return anything(model, node, Any::Value(v), path);
    };
    if let Value::Json(j) = v {
        let typed = json_to_value(schema, j, path)?;
        return to_avro_value(model, node, Some(schema), &typed, path);
    }
    if let Kind::Union(members) = &node.kind {
        return union(model, members, schema, v, path);
    }
    let mismatch = |what: &str| {
        path.mismatch(format!(
            "{what} for a {} schema{}",
            schema.schema_type.json_name(),
            schema
                .name
                .as_ref()
                .map_or(String::new(), |n| format!(" ({n})"))
        ))
    };
    let is_decimal = schema.name.as_deref() == Some(DECIMAL);
    Ok(match (&node.kind, schema.schema_type, v) {
        (_, _, Value::Null) => {
            return Err(if schema.optional {
                path.mismatch("the Avro schema has no null branch for this optional value")
            } else {
                mismatch("null")
            })
        }
        (Kind::Boolean, SchemaType::Boolean, Value::Boolean(b)) => AvroValue::Boolean(*b),
        (Kind::Int, SchemaType::Int8, Value::Int8(n)) => AvroValue::Int(i32::from(*n)),
        (Kind::Int, SchemaType::Int16, Value::Int16(n)) => AvroValue::Int(i32::from(*n)),
        (Kind::Int, SchemaType::Int32, Value::Int32(n)) => AvroValue::Int(*n),
        (Kind::Long, SchemaType::Int64, Value::Int64(n)) => AvroValue::Long(*n),
        (Kind::Float, SchemaType::Float32, Value::Float32(f)) => AvroValue::Float(*f),
        (Kind::Double, SchemaType::Float64, Value::Float64(f)) => AvroValue::Double(*f),
        (Kind::String, SchemaType::String, Value::String(s)) => AvroValue::String(s.clone()),
        (Kind::Bytes, SchemaType::Bytes, Value::Bytes(b)) if !is_decimal => {
            AvroValue::Bytes(b.clone())
        }
        (Kind::Bytes, SchemaType::Bytes, Value::Decimal { unscaled, scale }) if is_decimal => {
            check_scale(schema, *scale, path)?;
            AvroValue::Bytes(big_integer_bytes(*unscaled))
        }
        (Kind::Array(items), SchemaType::Array, Value::Array(xs)) => {
            let es = schema.value_schema.as_deref();
            AvroValue::Array(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| to_avro_value(model, items, es, x, &path.index(i)))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Kind::Map(values), SchemaType::Map, Value::Map(entries)) => {
            let vs = schema.value_schema.as_deref();
            let mut out = Vec::with_capacity(entries.len());
            for (k, x) in entries {
                let k = match k {
                    Value::String(k) | Value::Json(J::String(k)) => k.clone(),
                    _ => return Err(path.mismatch("a non-string key in a string-keyed map")),
                };
                let x = to_avro_value(model, values, vs, x, &path.field(&k))?;
                out.push((k, x));
            }
            AvroValue::Map(out)
        }
        (Kind::Array(items), SchemaType::Map, Value::Map(entries)) => {
            let Kind::Named(e) = items.kind else {
                return Err(mismatch("a map"));
            };
            let NamedDef::Record(fields) = &model.named[e].def else {
                return Err(mismatch("a map"));
            };
            let mut out = Vec::with_capacity(entries.len());
            for (i, (k, x)) in entries.iter().enumerate() {
                let p = path.index(i);
                let mut record = Vec::with_capacity(fields.len());
                for f in fields {
                    record.push(match f.name.as_str() {
                        "key" => {
                            let ks = schema.key_schema.as_deref();
                            to_avro_value(model, &f.node, ks, k, &p.tag("key"))?
                        }
                        "value" => {
                            let vs = schema.value_schema.as_deref();
                            to_avro_value(model, &f.node, vs, x, &p.tag("value"))?
                        }
                        other => {
                            return Err(path.mismatch(format!(
                                "map entry records hold only key and value, not {other:?}"
                            )))
                        }
                    });
                }
                out.push(AvroValue::Record(record));
            }
            AvroValue::Array(out)
        }
        (Kind::Named(i), _, v) => match (&model.named[*i].def, schema.schema_type, v) {
            (NamedDef::Record(fields), SchemaType::Struct, Value::Struct(values)) => {
                if let Some((extra, _)) = values
                    .iter()
                    .find(|(n, _)| !schema.fields.iter().any(|f| f.name == *n))
                {
                    return Err(path
                        .field(extra)
                        .mismatch("no such field in the struct's schema"));
                }
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    let fpath = path.field(&f.name);
                    let cf = schema
                        .fields
                        .iter()
                        .find(|c| c.name == f.name)
                        .ok_or_else(|| fpath.mismatch("the Connect schema has no such field"))?;
                    let value = values
                        .iter()
                        .find(|(n, _)| *n == f.name)
                        .map_or(&Value::Null, |(_, v)| v);
                    // Connect's Struct.get gives the field's default for a null.
                    let defaulted;
                    let value = match (value, &cf.schema.default) {
                        (Value::Null, Some(d)) => {
                            defaulted = Value::Json(d.clone());
                            &defaulted
                        }
                        _ => value,
                    };
                    out.push(to_avro_value(
                        model,
                        &f.node,
                        Some(&cf.schema),
                        value,
                        &fpath,
                    )?);
                }
                AvroValue::Record(out)
            }
            (NamedDef::Enum { symbols, .. }, SchemaType::String, Value::String(s)) => {
                AvroValue::Enum(
                    symbols.iter().position(|x| x == s).ok_or_else(|| {
                        path.mismatch(format!("{s:?} is not a symbol of the enum"))
                    })?,
                )
            }
            (NamedDef::Fixed(size), SchemaType::Bytes, Value::Bytes(b)) if !is_decimal => {
                if b.len() != *size {
                    return Err(path.mismatch(format!("{} bytes for a fixed of {size}", b.len())));
                }
                AvroValue::Fixed(b.clone())
            }
            (NamedDef::Fixed(size), SchemaType::Bytes, Value::Decimal { unscaled, scale })
                if is_decimal =>
            {
                check_scale(schema, *scale, path)?;
                AvroValue::Fixed(pad(&big_integer_bytes(*unscaled), *size, path)?)
            }
            (_, _, v) => return Err(mismatch(kind(v))),
        },
        (_, _, v) => return Err(mismatch(kind(v))),
    })
}

/// A value for an Avro union: `[null, T]` for an optional schema, or the branch a Connect
/// union struct's set field names.
fn union(
    model: &Model,
    members: &[Node],
    schema: &Schema,
    v: &Value,
    path: &Path,
) -> Result<AvroValue, AvroError> {
    let null_branch = || {
        members
            .iter()
            .position(Node::is_null)
            .map(|i| AvroValue::Union(i, Box::new(AvroValue::Null)))
            .ok_or_else(|| path.mismatch("null for a required schema"))
    };
    if matches!(v, Value::Null) {
        if !schema.optional {
            return Err(path.mismatch(format!(
                "null for a required {} schema",
                schema.schema_type.json_name()
            )));
        }
        return null_branch();
    }
    if is_union(schema) {
        let Value::Struct(fields) = v else {
            return Err(path.mismatch(format!("{} for a union struct", kind(v))));
        };
        // The first field set chooses the branch (none set: null).
        for f in &schema.fields {
            let Some((_, x)) = fields.iter().find(|(n, x)| *n == f.name && !is_null(x)) else {
                continue;
            };
            let i = members
                .iter()
                .position(|m| !m.is_null() && branch_name(model, m) == f.name)
                .ok_or_else(|| {
                    path.mismatch(format!("the Avro union has no {:?} branch", f.name))
                })?;
            let p = path.union(&f.name);
            let inner = to_avro_value(model, &members[i], Some(&f.schema), x, &p)?;
            return Ok(AvroValue::Union(i, Box::new(inner)));
        }
        return null_branch();
    }
    // An optional value: the first non-null branch that takes it.
    let mut last = None;
    for (i, m) in members.iter().enumerate().filter(|(_, m)| !m.is_null()) {
        match to_avro_value(model, m, Some(schema), v, path) {
            Ok(x) => return Ok(AvroValue::Union(i, Box::new(x))),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| path.mismatch("the Avro union has only null")))
}

fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Json(J::Null))
}

fn kind(v: &Value) -> &'static str {
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
        Value::Decimal { .. } => "a decimal",
        Value::Json(_) => "JSON",
    }
}

/// Connect's `Decimal.fromLogical`: the value's scale must be the schema's.
fn check_scale(schema: &Schema, scale: i32, path: &Path) -> Result<(), AvroError> {
    let want: i32 = schema
        .parameters
        .get(r::DECIMAL_SCALE)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| path.bad_connect("a Decimal needs an integer \"scale\" parameter"))?;
    if want != scale {
        return Err(path.mismatch(format!(
            "a decimal of scale {scale} for a Decimal schema of scale {want}"
        )));
    }
    Ok(())
}

/// Java's `BigInteger.toByteArray()`: the shortest big-endian two's complement.
pub(crate) fn big_integer_bytes(n: i128) -> Vec<u8> {
    let b = n.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (x, next) = (b[start], b[start + 1]);
        if (x == 0 && next & 0x80 == 0) || (x == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    b[start..].to_vec()
}

/// Sign-extends a decimal's bytes to a fixed's size.
fn pad(b: &[u8], size: usize, path: &Path) -> Result<Vec<u8>, AvroError> {
    if b.len() > size {
        return Err(path.mismatch(format!(
            "a decimal of {} bytes for a fixed of {size}",
            b.len()
        )));
    }
    let fill = if b.first().is_some_and(|x| x & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut out = vec![fill; size - b.len()];
    out.extend_from_slice(b);
    Ok(out)
}

/// A JSON value read through its Connect schema (the JsonConverter envelope's conventions:
/// bytes and decimals as base64, non-string-keyed maps as `[key, value]` pairs; a decimal
/// may also be a JSON number).
pub(crate) fn json_to_value(schema: &Schema, j: &J, path: &Path) -> Result<Value, AvroError> {
    let bad = || {
        path.mismatch(format!(
            "JSON {} for a {} schema",
            short(j),
            schema.schema_type.json_name()
        ))
    };
    if j.is_null() {
        return Ok(Value::Null);
    }
    let int = |lo: i64, hi: i64| j.as_i64().filter(|n| (lo..=hi).contains(n)).ok_or_else(bad);
    Ok(match schema.schema_type {
        SchemaType::Int8 => Value::Int8(int(i8::MIN.into(), i8::MAX.into())? as i8),
        SchemaType::Int16 => Value::Int16(int(i16::MIN.into(), i16::MAX.into())? as i16),
        SchemaType::Int32 => Value::Int32(int(i32::MIN.into(), i32::MAX.into())? as i32),
        SchemaType::Int64 => Value::Int64(int(i64::MIN, i64::MAX)?),
        SchemaType::Float32 => Value::Float32(j.as_f64().ok_or_else(bad)? as f32),
        SchemaType::Float64 => Value::Float64(j.as_f64().ok_or_else(bad)?),
        SchemaType::Boolean => Value::Boolean(j.as_bool().ok_or_else(bad)?),
        SchemaType::String => Value::String(j.as_str().ok_or_else(bad)?.to_owned()),
        SchemaType::Bytes if schema.name.as_deref() == Some(DECIMAL) => {
            let scale: i32 = schema
                .parameters
                .get(r::DECIMAL_SCALE)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    path.bad_connect("a Decimal needs an integer \"scale\" parameter")
                })?;
            let unscaled = match j {
                J::String(s) => {
                    let b = B64.decode(s).map_err(|_| bad())?;
                    if b.is_empty() || b.len() > 16 {
                        return Err(bad());
                    }
                    let fill = if b[0] & 0x80 != 0 { 0xff } else { 0 };
                    let mut full = [fill; 16];
                    full[16 - b.len()..].copy_from_slice(&b);
                    i128::from_be_bytes(full)
                }
                J::Number(n) => rescale(&n.to_string(), scale).ok_or_else(bad)?,
                _ => return Err(bad()),
            };
            Value::Decimal { unscaled, scale }
        }
        SchemaType::Bytes => {
            Value::Bytes(B64.decode(j.as_str().ok_or_else(bad)?).map_err(|_| bad())?)
        }
        SchemaType::Array => {
            let xs = j.as_array().ok_or_else(bad)?;
            Value::Array(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| match schema.value_schema.as_deref() {
                        Some(es) => json_to_value(es, x, &path.index(i)),
                        None => Ok(Value::Json(x.clone())),
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        SchemaType::Map => {
            let element = |s: Option<&Schema>, x: &J, p: &Path| match s {
                Some(s) => json_to_value(s, x, p),
                None => Ok(Value::Json(x.clone())),
            };
            let (ks, vs) = (schema.key_schema.as_deref(), schema.value_schema.as_deref());
            match j {
                J::Object(o) => Value::Map(
                    o.iter()
                        .map(|(k, x)| {
                            Ok((Value::String(k.clone()), element(vs, x, &path.field(k))?))
                        })
                        .collect::<Result<_, AvroError>>()?,
                ),
                J::Array(pairs) => {
                    let mut out = Vec::with_capacity(pairs.len());
                    for (i, pair) in pairs.iter().enumerate() {
                        let p = path.index(i);
                        match pair.as_array().map(Vec::as_slice) {
                            Some([k, x]) => out.push((
                                element(ks, k, &p.tag("key"))?,
                                element(vs, x, &p.tag("value"))?,
                            )),
                            _ => return Err(p.mismatch("a map entry must be [key, value]")),
                        }
                    }
                    Value::Map(out)
                }
                _ => return Err(bad()),
            }
        }
        SchemaType::Struct => {
            let o = j.as_object().ok_or_else(bad)?;
            if let Some(extra) = o
                .keys()
                .find(|k| !schema.fields.iter().any(|f| f.name == **k))
            {
                return Err(path
                    .field(extra)
                    .mismatch("no such field in the struct's schema"));
            }
            Value::Struct(
                schema
                    .fields
                    .iter()
                    .map(|f| {
                        let x = o.get(&f.name).unwrap_or(&J::Null);
                        Ok((
                            f.name.clone(),
                            json_to_value(&f.schema, x, &path.field(&f.name))?,
                        ))
                    })
                    .collect::<Result<_, AvroError>>()?,
            )
        }
    })
}

fn short(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// A decimal number's text as an unscaled integer at `scale`, when exact.
fn rescale(text: &str, scale: i32) -> Option<i128> {
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: i128 = format!("{int}{frac}").parse().ok()?;
    // digits x 10^(exp - frac.len()) = unscaled x 10^-scale
    let shift = i64::from(scale) + i64::from(exp) - frac.len() as i64;
    if shift >= 0 {
        for _ in 0..shift {
            digits = digits.checked_mul(10)?;
        }
    } else {
        for _ in 0..-shift {
            if digits % 10 != 0 {
                return None;
            }
            digits /= 10;
        }
    }
    Some(if neg { -digits } else { digits })
}

/// Schemaless data in Confluent's `Anything` record: the one field of the value's kind set.
/// A schemaless value: Connect's, or a JSON node inside one (walked where it lies rather
/// than cloned into a Connect value at each level).
#[derive(Clone, Copy)]
enum Any<'v> {
    Value(&'v Value),
    Json(&'v J),
    /// An object's key.
    Str(&'v str),
}

fn anything(model: &Model, node: &Node, any: Any<'_>, path: &Path) -> Result<AvroValue, AvroError> {
    if !is_anything(model, node) {
        return Err(path.mismatch(
            "a value without a schema needs Confluent's io.confluent.connect.avro.Anything schema",
        ));
    }
    let Kind::Named(i) = node.kind else {
        unreachable!()
    };
    let NamedDef::Record(fields) = &model.named[i].def else {
        unreachable!()
    };
    let any = match any {
        Any::Value(Value::Json(j)) => Any::Json(j),
        other => other,
    };
    let (field, inner): (&str, AvroValue) = match any {
        Any::Value(Value::Null) | Any::Json(J::Null) => ("", AvroValue::Null),
        Any::Value(Value::Boolean(b)) | Any::Json(J::Bool(b)) => {
            ("boolean", AvroValue::Boolean(*b))
        }
        Any::Value(Value::Bytes(b)) => ("bytes", AvroValue::Bytes(b.clone())),
        Any::Value(Value::Float64(f)) => ("double", AvroValue::Double(*f)),
        Any::Value(Value::Float32(f)) => ("float", AvroValue::Float(*f)),
        Any::Value(Value::Int8(n)) => ("int", AvroValue::Int(i32::from(*n))),
        Any::Value(Value::Int16(n)) => ("int", AvroValue::Int(i32::from(*n))),
        Any::Value(Value::Int32(n)) => ("int", AvroValue::Int(*n)),
        Any::Value(Value::Int64(n)) => ("long", AvroValue::Long(*n)),
        Any::Value(Value::String(s)) | Any::Json(J::String(s)) => {
            ("string", AvroValue::String(s.clone()))
        }
        Any::Str(s) => ("string", AvroValue::String(s.to_owned())),
        // As Jackson reads a JSON number: int when it fits, else long, else double; an
        // integer beyond long is a BigInteger, which Confluent cannot write schemaless.
        Any::Json(J::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => match i32::try_from(i) {
                Ok(i) => ("int", AvroValue::Int(i)),
                Err(_) => ("long", AvroValue::Long(i)),
            },
            (None, _) if n.is_u64() => {
                return Err(path.mismatch(format!(
                    "{n} is beyond a long; schemaless data cannot hold it"
                )))
            }
            (None, Some(f)) => ("double", AvroValue::Double(f)),
            (None, None) => return Err(path.mismatch(format!("unreadable number {n}"))),
        },
        Any::Value(Value::Array(xs)) => (
            "array",
            AvroValue::Array(
                xs.iter()
                    .enumerate()
                    .map(|(n, x)| anything(model, node, Any::Value(x), &path.index(n)))
                    .collect::<Result<_, _>>()?,
            ),
        ),
        Any::Json(J::Array(xs)) => (
            "array",
            AvroValue::Array(
                xs.iter()
                    .enumerate()
                    .map(|(n, x)| anything(model, node, Any::Json(x), &path.index(n)))
                    .collect::<Result<_, _>>()?,
            ),
        ),
        Any::Value(Value::Map(entries)) => {
            let mut out = Vec::with_capacity(entries.len());
            for (n, (k, x)) in entries.iter().enumerate() {
                let p = path.index(n);
                out.push(AvroValue::Record(vec![
                    anything(model, node, Any::Value(k), &p.tag("key"))?,
                    anything(model, node, Any::Value(x), &p.tag("value"))?,
                ]));
            }
            ("map", AvroValue::Array(out))
        }
        Any::Json(J::Object(o)) => {
            let mut out = Vec::with_capacity(o.len());
            for (k, x) in o {
                let p = path.field(k.as_str());
                out.push(AvroValue::Record(vec![
                    anything(model, node, Any::Str(k), &p)?,
                    anything(model, node, Any::Json(x), &p)?,
                ]));
            }
            ("map", AvroValue::Array(out))
        }
        Any::Value(v @ (Value::Struct(_) | Value::Decimal { .. })) => {
            return Err(path.mismatch(format!(
                "{} needs a schema; Confluent writes only primitives, arrays and maps schemaless",
                kind(v)
            )))
        }
        Any::Value(Value::Json(_)) => unreachable!("a Connect JSON value is walked as JSON"),
    };
    let mut inner = Some(inner);
    let record = fields
        .iter()
        .map(|f| {
            let Kind::Union(members) = &f.node.kind else {
                return Err(path.mismatch("Confluent's Anything record has only optional fields"));
            };
            let null = members.iter().position(Node::is_null).unwrap_or(0);
            let set = members.iter().position(|m| !m.is_null()).unwrap_or(0);
            Ok(if f.name == field {
                AvroValue::Union(set, Box::new(inner.take().unwrap_or(AvroValue::Null)))
            } else {
                AvroValue::Union(null, Box::new(AvroValue::Null))
            })
        })
        .collect::<Result<_, AvroError>>()?;
    Ok(AvroValue::Record(record))
}
