//! `Flatten$Key` / `$Value`: nested maps (schemaless) or structs (with a schema) flattened
//! into one level, each name the path of names joined by `delimiter` (default `.`).
//!
//! As Kafka's (to 4.4.0):
//! * a tombstone is left as it is (its schema too);
//! * schemaless: the output map keeps the input's order; a nested map is flattened, an
//!   empty one leaves nothing; arrays are copied as they are (not looked into); a later
//!   entry of the same name overwrites an earlier one;
//! * with a schema: a nested struct's fields are flattened depth-first in declaration
//!   order; a field under an optional struct is made optional; a field without a default
//!   takes its parent struct default's value, if any; values always have defaults applied
//!   (there is no `replace.null.with.default`); every field under a null struct stays null;
//!   a MAP field is refused; a name made twice is the schema builder's error; the output
//!   schema keeps the input's name, version, doc and parameters, and is required without
//!   a default.

use connect_data::{Schema, SchemaAndValue, SchemaType, Value};
use serde_json::{Map, Value as J};

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{
    add_field, check_required, is_null, java_type, require_map, require_struct, struct_like, Side,
};
use crate::transforms::{sided, Transform};

/// Flattens nested maps or structs.
pub(crate) struct Flatten {
    side: Side,
    delimiter: String,
}

impl Flatten {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let delimiter = p.string("delimiter").unwrap_or_else(|| ".".to_owned());
        Some(Box::new(Flatten { side, delimiter }))
    }

    /// Kafka's `fieldName(prefix, name)`.
    fn name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    /// Schemaless: the entries of `map` under `prefix` into `out`.
    fn flatten_map(&self, map: &Map<String, J>, prefix: &str, out: &mut Map<String, J>) {
        for (k, v) in map {
            let name = self.name(prefix, k);
            match v {
                J::Object(inner) => self.flatten_map(inner, &name, out),
                other => {
                    out.insert(name, other.clone());
                }
            }
        }
    }

    /// The flattened fields of struct `schema` under `prefix`, into `out`: optional if an
    /// ancestor is, defaults from `parent_default` (a struct default, as JSON) where the
    /// field has none.
    fn flatten_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        out: &mut Schema,
        optional: bool,
        parent_default: Option<&J>,
    ) -> Result<(), Failure> {
        for f in &schema.fields {
            let name = self.name(prefix, &f.name);
            let optional = optional || f.schema.optional;
            let default = match &f.schema.default {
                Some(d) if !d.is_null() => Some(d),
                _ => parent_default
                    .and_then(|p| p.get(&f.name))
                    .filter(|d| !d.is_null()),
            };
            match f.schema.schema_type {
                SchemaType::Struct => {
                    self.flatten_schema(&f.schema, &name, out, optional, default)?;
                }
                SchemaType::Map => return Err(map_refused(&name)),
                _ => {
                    // Kafka's SchemaUtil.copySchemaBasics: type (and an array's items),
                    // name, version, doc and parameters.
                    let mut leaf = Schema::new(f.schema.schema_type);
                    leaf.value_schema.clone_from(&f.schema.value_schema);
                    leaf.name.clone_from(&f.schema.name);
                    leaf.version = f.schema.version;
                    leaf.doc.clone_from(&f.schema.doc);
                    leaf.parameters.clone_from(&f.schema.parameters);
                    leaf.optional = optional;
                    leaf.default = default.cloned();
                    add_field(out, &name, leaf)?;
                }
            }
        }
        Ok(())
    }

    /// The flattened values of a struct of `schema` under `prefix`, into `out` (whose
    /// fields are `out_schema`'s, all null until set).
    fn flatten_struct(
        &self,
        schema: &Schema,
        fields: &[(String, Value)],
        prefix: &str,
        out_schema: &Schema,
        out: &mut [(String, Value)],
    ) -> Result<(), Failure> {
        for f in &schema.fields {
            let name = self.name(prefix, &f.name);
            // Kafka's Struct.get / getStruct: the field's own default for a null.
            let v = struct_field(schema, fields, &f.name, true);
            match f.schema.schema_type {
                SchemaType::Struct => {
                    if let Value::Struct(inner) = &v {
                        self.flatten_struct(&f.schema, inner, &name, out_schema, out)?;
                    }
                }
                SchemaType::Map => return Err(map_refused(&name)),
                _ => {
                    let i = out_schema
                        .fields
                        .iter()
                        .position(|o| o.name == name)
                        .expect("the flattened schema has every leaf");
                    check_required(&name, &out_schema.fields[i].schema, &v)?;
                    out[i].1 = v;
                }
            }
        }
        Ok(())
    }
}

/// Kafka's refusal of a MAP field in a record with a schema.
fn map_refused(name: &str) -> Failure {
    Failure::data(format!(
        "Flatten transformation does not support {} for record with schemas (for field {name}).",
        java_type(SchemaType::Map)
    ))
}

impl Transform for Flatten {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.Flatten$Key",
            "org.apache.kafka.connect.transforms.Flatten$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        if is_null(&part.value) {
            return Ok(Some(r));
        }
        let out = match &part.schema {
            None => {
                let map = require_map(&part.value, "flattening")?;
                let mut out = Map::new();
                self.flatten_map(map, "", &mut out);
                SchemaAndValue::schemaless(Value::Json(J::Object(out)))
            }
            Some(schema) => {
                let fields = require_struct(&part.value, "flattening")?;
                let mut out_schema = struct_like(schema);
                self.flatten_schema(
                    schema,
                    "",
                    &mut out_schema,
                    schema.optional,
                    schema.default.as_ref().filter(|d| !d.is_null()),
                )?;
                let mut values: Vec<(String, Value)> = out_schema
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), Value::Null))
                    .collect();
                self.flatten_struct(schema, fields, "", &out_schema, &mut values)?;
                SchemaAndValue {
                    schema: Some(out_schema),
                    value: Value::Struct(values),
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A struct default passed down, as Kafka's `buildUpdatedSchema` does (the referee
    /// cannot build such a schema: Kafka's JsonConverter refuses struct defaults).
    #[test]
    fn a_parent_struct_default_is_passed_to_its_fields() {
        let inner = Schema::new(SchemaType::Struct)
            .field("b", Schema::new(SchemaType::Int32))
            .field("c", {
                let mut c = Schema::new(SchemaType::String).optional();
                c.default = Some(json!("own"));
                c
            })
            .field(
                "d",
                Schema::new(SchemaType::Struct).field("e", Schema::new(SchemaType::Int64)),
            );
        let mut a = inner.optional();
        a.default = Some(json!({"b": 4, "c": "parent", "d": {"e": 9}}));
        let schema = Schema::new(SchemaType::Struct).field("a", a);
        let record = ConnectRecord {
            topic: "t".into(),
            partition: None,
            offset: Some(0),
            timestamp: None,
            key: SchemaAndValue::schemaless(Value::Null),
            value: SchemaAndValue {
                schema: Some(schema),
                value: Value::Struct(vec![("a".into(), Value::Null)]),
            },
            headers: Vec::new(),
        };
        let f = Flatten {
            side: Side::Value,
            delimiter: "_".into(),
        };
        let out = f.apply(record).unwrap().unwrap().value;
        let s = out.schema.unwrap();
        let got: Vec<_> = s
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.schema.optional, f.schema.default.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("a_b", true, Some(json!(4))),
                ("a_c", true, Some(json!("own"))),
                ("a_d_e", true, Some(json!(9))),
            ]
        );
        // getStruct reads the null `a` as its default.
        assert_eq!(
            out.value,
            Value::Struct(vec![
                ("a_b".into(), Value::Int32(4)),
                ("a_c".into(), Value::String("parent".into())),
                ("a_d_e".into(), Value::Int64(9)),
            ])
        );
    }
}
