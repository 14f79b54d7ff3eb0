//! `HeaderFrom$Key` / `$Value`: fields of the key or value copied or moved into headers
//! (`fields` and `headers` pair up in order; `operation` is `move` or `copy`). Headers are
//! appended; a tombstone is an error, as in Kafka.

use connect_data::{Schema, SchemaAndValue, Value};

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::{ConnectRecord, Header};
use crate::side::{
    add_field, check_required, java_type, require_map, require_struct, struct_like, Side,
};
use crate::transforms::{sided, Transform};

/// Copies or moves fields into headers.
pub(crate) struct HeaderFrom {
    side: Side,
    fields: Vec<String>,
    headers: Vec<String>,
    moving: bool,
    defaults: bool,
}

/// Java's `ConnectSchema.toString()`.
pub(crate) fn schema_string(s: &Schema) -> String {
    match &s.name {
        Some(n) => format!("Schema{{{n}:{}}}", java_type(s.schema_type)),
        None => format!("Schema{{{}}}", java_type(s.schema_type)),
    }
}

impl HeaderFrom {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let list = |p: &mut Props, key: &str| -> Option<Vec<String>> {
            if p.string(key).is_none() {
                p.required(key);
                return None;
            }
            let l = p.list(key).unwrap_or_default();
            if l.is_empty() {
                p.invalid(key, "[]", "Empty list");
                return None;
            }
            Some(l)
        };
        let fields = list(p, "fields");
        let headers = list(p, "headers");
        let operation = p.required("operation");
        let moving = match operation.as_deref() {
            Some("move") => Some(true),
            Some("copy") => Some(false),
            Some(other) => {
                let other = other.to_owned();
                p.invalid("operation", &other, "String must be one of: move, copy");
                None
            }
            None => None,
        };
        let defaults = p.boolean("replace.null.with.default", true);
        let (fields, headers, moving) = (fields?, headers?, moving?);
        if fields.len() != headers.len() {
            p.error(
                "fields",
                "'fields' config must have the same number of elements as 'headers' config.",
            );
            return None;
        }
        Some(Box::new(HeaderFrom {
            side,
            fields,
            headers,
            moving,
            defaults,
        }))
    }

    fn purpose(&self) -> &'static str {
        if self.moving {
            "header move"
        } else {
            "header copy"
        }
    }
}

impl Transform for HeaderFrom {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.HeaderFrom$Key",
            "org.apache.kafka.connect.transforms.HeaderFrom$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let mut added = Vec::new();
        let out = match &part.schema {
            None => {
                let original = require_map(&part.value, self.purpose())?;
                let mut m = original.clone();
                for (f, h) in self.fields.iter().zip(&self.headers) {
                    let v = original.get(f).cloned();
                    if self.moving {
                        m.remove(f);
                    }
                    let value = match v {
                        None | Some(serde_json::Value::Null) => Value::Null,
                        Some(v) => Value::Json(v),
                    };
                    added.push(Header {
                        key: h.clone(),
                        value: SchemaAndValue::schemaless(value),
                    });
                }
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(m)))
            }
            Some(schema) => {
                let values = require_struct(&part.value, self.purpose())?;
                let out = if self.moving {
                    let mut out_schema = struct_like(schema);
                    let mut out_values = Vec::new();
                    for f in &schema.fields {
                        if self.fields.contains(&f.name) {
                            continue;
                        }
                        add_field(&mut out_schema, &f.name, f.schema.clone())?;
                        let v = struct_field(schema, values, &f.name, self.defaults);
                        check_required(&f.name, &f.schema, &v)?;
                        out_values.push((f.name.clone(), v));
                    }
                    SchemaAndValue {
                        schema: Some(out_schema),
                        value: Value::Struct(out_values),
                    }
                } else {
                    part.clone()
                };
                for (f, h) in self.fields.iter().zip(&self.headers) {
                    let Some(field) = schema.fields.iter().find(|x| &x.name == f) else {
                        return Err(Failure {
                            exception: "java.lang.NullPointerException",
                            message: "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" because the return value of \"org.apache.kafka.connect.data.Schema.field(String)\" is null".into(),
                        });
                    };
                    let v = struct_field(schema, values, f, self.defaults);
                    if matches!(v, Value::Null) && !field.schema.optional {
                        return Err(Failure::data(format!(
                            "A null value requires an optional schema but was {}",
                            schema_string(&field.schema)
                        )));
                    }
                    added.push(Header {
                        key: h.clone(),
                        value: SchemaAndValue {
                            schema: Some(field.schema.clone()),
                            value: v,
                        },
                    });
                }
                out
            }
        };
        self.side.set(&mut r, out);
        r.headers.extend(added);
        Ok(Some(r))
    }
}
