//! `MaskField$Key` / `$Value`: replaces the listed top-level fields with their type's
//! "empty" value (`0`, `false`, `""`, an empty list or map, the epoch), or with
//! `replacement` converted to the field's type.

use connect_data::schema::{DATE, TIME, TIMESTAMP};
use connect_data::{Schema, SchemaAndValue, Value};
use serde_json::Value as J;

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::java_num::BigDecimal;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{check_required, java_class, require_map, require_struct, Side};
use crate::transforms::{sided, Transform};

const PURPOSE: &str = "mask fields";

/// Masks fields.
pub(crate) struct MaskField {
    side: Side,
    fields: Vec<String>,
    replacement: Option<String>,
    defaults: bool,
}

impl MaskField {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let fields = p.required_list("fields");
        let replacement = p.string("replacement");
        if replacement.as_deref() == Some("") {
            p.invalid("replacement", "", "String must be non-empty");
        }
        let defaults = p.boolean("replace.null.with.default", true);
        Some(Box::new(MaskField {
            side,
            fields,
            replacement,
            defaults,
        }))
    }

    /// Kafka's `masked(value)`; `schema` is the field's (it tells a Date from an Integer).
    fn masked(&self, schema: Option<&Schema>, v: &Value) -> Result<Value, Failure> {
        let name = schema.and_then(|s| s.name.as_deref());
        let is_date = match v {
            Value::Int32(_) => matches!(name, Some(DATE | TIME)),
            Value::Int64(_) => name == Some(TIMESTAMP),
            _ => false,
        };
        let class = if is_date {
            "java.util.Date"
        } else {
            java_class(v)
        };
        let Some(r) = &self.replacement else {
            return Ok(match v {
                Value::Null | Value::Json(J::Null) => Value::Null,
                Value::Boolean(_) => Value::Boolean(false),
                Value::Int8(_) => Value::Int8(0),
                Value::Int16(_) => Value::Int16(0),
                Value::Int32(_) => Value::Int32(0),
                Value::Int64(_) => Value::Int64(0),
                Value::Float32(_) => Value::Float32(0.0),
                Value::Float64(_) => Value::Float64(0.0),
                Value::String(_) => Value::String(String::new()),
                Value::Decimal { .. } => Value::Decimal {
                    unscaled: 0,
                    scale: 0,
                },
                Value::Array(_) => Value::Array(Vec::new()),
                Value::Map(_) => Value::Map(Vec::new()),
                Value::Json(j) => Value::Json(match j {
                    J::Bool(_) => J::Bool(false),
                    J::Number(n) if n.is_f64() => J::from(0.0),
                    J::Number(_) => J::from(0),
                    J::String(_) => J::from(""),
                    J::Array(_) => J::Array(Vec::new()),
                    _ => J::Object(serde_json::Map::new()),
                }),
                Value::Bytes(_) | Value::Struct(_) => {
                    return Err(Failure::data(format!(
                        "Cannot mask value of type: class {class}"
                    )))
                }
            });
        };
        let not_a_number = || {
            Failure::data(format!(
                "Unable to convert {r} (class java.lang.String) to a number"
            ))
        };
        let number = || BigDecimal::parse(r).ok_or_else(not_a_number);
        Ok(match v {
            Value::Null | Value::Json(J::Null) => Value::Null,
            _ if is_date => {
                return Err(Failure::data(format!(
                    "Cannot mask value of type class {class} with custom replacement."
                )))
            }
            Value::Int8(_) => Value::Int8(number()?.long_value() as i8),
            Value::Int16(_) => Value::Int16(number()?.long_value() as i16),
            Value::Int32(_) => Value::Int32(number()?.long_value() as i32),
            Value::Int64(_) => Value::Int64(number()?.long_value()),
            Value::Float32(_) => Value::Float32(number()?.double_value() as f32),
            Value::Float64(_) => Value::Float64(number()?.double_value()),
            Value::String(_) => Value::String(r.clone()),
            Value::Json(J::String(_)) => Value::Json(J::String(r.clone())),
            Value::Json(J::Number(n)) if n.is_f64() => Value::Json(
                serde_json::Number::from_f64(number()?.double_value()).map_or(J::Null, J::Number),
            ),
            Value::Json(J::Number(_)) => Value::Json(J::from(number()?.long_value())),
            Value::Decimal { .. } => {
                let (unscaled, scale) = BigDecimal::parse(r)
                    .and_then(|b| b.to_decimal())
                    .ok_or_else(|| {
                        Failure::data(format!(
                            "Unable to convert {r} (class java.lang.String) to number"
                        ))
                    })?;
                Value::Decimal { unscaled, scale }
            }
            _ => {
                return Err(Failure::data(format!(
                    "Cannot mask value of type class {class} with custom replacement."
                )))
            }
        })
    }
}

impl Transform for MaskField {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.MaskField$Key",
            "org.apache.kafka.connect.transforms.MaskField$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let out = match &part.schema {
            None => {
                let map = require_map(&part.value, PURPOSE)?;
                let mut out = map.clone();
                for f in &self.fields {
                    let v = Value::Json(map.get(f).cloned().unwrap_or(J::Null));
                    let masked = match self.masked(None, &v)? {
                        Value::Json(j) => j,
                        _ => J::Null,
                    };
                    out.insert(f.clone(), masked);
                }
                SchemaAndValue::schemaless(Value::Json(J::Object(out)))
            }
            Some(schema) => {
                let fields = require_struct(&part.value, PURPOSE)?;
                let mut values = Vec::with_capacity(schema.fields.len());
                for f in &schema.fields {
                    let v = struct_field(schema, fields, &f.name, self.defaults);
                    let v = if self.fields.contains(&f.name) {
                        self.masked(Some(&f.schema), &v)?
                    } else {
                        v
                    };
                    check_required(&f.name, &f.schema, &v)?;
                    values.push((f.name.clone(), v));
                }
                SchemaAndValue {
                    schema: Some(schema.clone()),
                    value: Value::Struct(values),
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}
