//! `SetSchemaMetadata$Key` / `$Value`: a struct schema's name and/or version replaced.
//! As in Kafka (to 4.4.0), only struct schemas can be changed.

use connect_data::{SchemaAndValue, SchemaType, Value};

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{is_null, Side};
use crate::transforms::{sided, Transform};

/// Renames or re-versions a schema.
pub(crate) struct SetSchemaMetadata {
    side: Side,
    name: Option<String>,
    version: Option<i32>,
    defaults: bool,
}

impl SetSchemaMetadata {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let name = p.string("schema.name");
        let version = p.int("schema.version");
        let defaults = p.boolean("replace.null.with.default", true);
        if name.is_none() && version.is_none() {
            if p.string("schema.version").is_none() {
                p.error("schema.name", "Neither schema name nor version configured");
            }
            return None;
        }
        Some(Box::new(SetSchemaMetadata {
            side,
            name,
            version,
            defaults,
        }))
    }
}

impl Transform for SetSchemaMetadata {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let Some(schema) = &part.schema else {
            if is_null(&part.value) {
                return Ok(Some(r));
            }
            return Err(Failure::data(
                "Schema required for [updating schema metadata]",
            ));
        };
        if schema.schema_type != SchemaType::Struct {
            return Err(Failure::data("Cannot list fields on non-struct type"));
        }
        let mut out_schema = schema.clone();
        if let Some(n) = &self.name {
            out_schema.name = Some(n.clone());
        }
        if let Some(v) = self.version {
            out_schema.version = Some(v);
        }
        let value = match &part.value {
            Value::Struct(fields) => Value::Struct(
                schema
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            struct_field(schema, fields, &f.name, self.defaults),
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        self.side.set(
            &mut r,
            SchemaAndValue {
                schema: Some(out_schema),
                value,
            },
        );
        Ok(Some(r))
    }
}
