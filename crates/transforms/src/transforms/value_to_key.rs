//! `ValueToKey`: the key becomes a struct (or map) of fields copied from the value, each
//! named by its config text (`fields`; nested paths with `field.syntax.version=V2`).

use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use crate::error::Failure;
use crate::field_path::FieldPath;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{add_field, check_required, require_map, require_struct, syntax_v2};
use crate::transforms::Transform;

/// Copies value fields into the key.
pub(crate) struct ValueToKey {
    paths: Vec<FieldPath>,
    defaults: bool,
}

impl ValueToKey {
    pub(crate) fn build(p: &mut Props) -> Option<Box<dyn Transform>> {
        let fields = p.required_list("fields");
        let v2 = syntax_v2(p);
        let defaults = p.boolean("replace.null.with.default", true);
        let mut paths = Vec::new();
        for f in &fields {
            if v2 {
                match FieldPath::v2(f) {
                    Ok(path) => paths.push(path),
                    Err(why) => p.error("fields", why),
                }
            } else {
                paths.push(FieldPath::v1(f));
            }
        }
        (!paths.is_empty() && paths.len() == fields.len())
            .then(|| Box::new(ValueToKey { paths, defaults }) as Box<dyn Transform>)
    }
}

const PURPOSE: &str = "copying fields from value to key";

impl Transform for ValueToKey {
    fn class(&self) -> &'static str {
        "org.apache.kafka.connect.transforms.ValueToKey"
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        r.key = match &r.value.schema {
            None => {
                let map = require_map(&r.value.value, PURPOSE)?;
                let mut key = serde_json::Map::new();
                for p in &self.paths {
                    key.insert(p.text.clone(), p.in_map(map)?);
                }
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(key)))
            }
            Some(schema) => {
                let fields = require_struct(&r.value.value, PURPOSE)?;
                let mut key_schema = Schema::new(SchemaType::Struct);
                let mut key = Vec::new();
                for p in &self.paths {
                    let Some(s) = p.schema_in(schema) else {
                        return Err(Failure::data(format!("Field does not exist: {}", p.text)));
                    };
                    add_field(&mut key_schema, &p.text, s.clone())?;
                    let v = p.in_struct(schema, fields, self.defaults);
                    check_required(&p.text, s, &v)?;
                    key.push((p.text.clone(), v));
                }
                SchemaAndValue {
                    schema: Some(key_schema),
                    value: Value::Struct(key),
                }
            }
        };
        Ok(Some(r))
    }
}
