//! `ExtractField$Key` / `$Value`: the key or value becomes one of its fields (`field`; a
//! nested path with `field.syntax.version=V2`).

use connect_data::{SchemaAndValue, Value};

use crate::error::{Failure, ILLEGAL_ARGUMENT};
use crate::field_path::FieldPath;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{is_null, require_map, require_struct, syntax_v2, Side};
use crate::transforms::{sided, Transform};

/// Takes one field.
pub(crate) struct ExtractField {
    side: Side,
    path: FieldPath,
    defaults: bool,
}

impl ExtractField {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let field = p.required("field");
        let v2 = syntax_v2(p);
        let defaults = p.boolean("replace.null.with.default", true);
        let field = field?;
        let path = if v2 {
            match FieldPath::v2(&field) {
                Ok(path) => path,
                Err(why) => {
                    p.error("field", why);
                    return None;
                }
            }
        } else {
            FieldPath::v1(&field)
        };
        Some(Box::new(ExtractField {
            side,
            path,
            defaults,
        }))
    }
}

impl Transform for ExtractField {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.ExtractField$Key",
            "org.apache.kafka.connect.transforms.ExtractField$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let out = match &part.schema {
            None if is_null(&part.value) => SchemaAndValue::schemaless(Value::Null),
            None => {
                let map = require_map(&part.value, "field extraction")?;
                let v = self.path.in_map(map)?;
                SchemaAndValue::schemaless(if v.is_null() {
                    Value::Null
                } else {
                    Value::Json(v)
                })
            }
            Some(schema) => {
                if !is_null(&part.value) {
                    require_struct(&part.value, "field extraction")?;
                }
                let Some(field_schema) = self.path.schema_in(schema) else {
                    return Err(Failure {
                        exception: ILLEGAL_ARGUMENT,
                        message: format!("Unknown field: {}", self.path.text),
                    });
                };
                let value = match &part.value {
                    Value::Struct(fields) => self.path.in_struct(schema, fields, self.defaults),
                    _ => Value::Null,
                };
                SchemaAndValue {
                    schema: Some(field_schema.clone()),
                    value,
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}
