//! `HoistField$Key` / `$Value`: the key or value is wrapped in a struct (or map) of one
//! field, `field`.

use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use crate::error::Failure;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{as_json, check_required, Side};
use crate::transforms::{sided, Transform};

/// Wraps in one field.
pub(crate) struct HoistField {
    side: Side,
    field: String,
}

impl HoistField {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let field = p.required("field")?;
        Some(Box::new(HoistField { side, field }))
    }
}

impl Transform for HoistField {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.HoistField$Key",
            "org.apache.kafka.connect.transforms.HoistField$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        let out = match &part.schema {
            None => {
                let mut m = serde_json::Map::new();
                m.insert(self.field.clone(), as_json(&part.value));
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(m)))
            }
            Some(schema) => {
                check_required(&self.field, schema, &part.value)?;
                SchemaAndValue {
                    schema: Some(
                        Schema::new(SchemaType::Struct).field(&self.field, schema.clone()),
                    ),
                    value: Value::Struct(vec![(self.field.clone(), part.value.clone())]),
                }
            }
        };
        self.side.set(&mut r, out);
        Ok(Some(r))
    }
}
