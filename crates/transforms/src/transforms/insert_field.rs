//! `InsertField$Key` / `$Value`: adds the record's topic, partition, offset, timestamp or a
//! static value as fields (`topic.field`, ...; a trailing `!` makes the field required, `?`
//! or nothing optional).

use connect_data::schema::TIMESTAMP;
use connect_data::{Schema, SchemaAndValue, SchemaType, Value};

use crate::error::Failure;
use crate::field_path::struct_field;
use crate::props::Props;
use crate::record::ConnectRecord;
use crate::side::{add_field, is_null, require_map, require_struct, struct_like, Side};
use crate::transforms::{sided, Transform};

/// A field to insert: its name and whether it is optional.
#[derive(Debug, Clone)]
struct Spec {
    name: String,
    optional: bool,
}

impl Spec {
    fn parse(text: &str) -> Spec {
        if let Some(name) = text.strip_suffix('?') {
            Spec {
                name: name.into(),
                optional: true,
            }
        } else if let Some(name) = text.strip_suffix('!') {
            Spec {
                name: name.into(),
                optional: false,
            }
        } else {
            Spec {
                name: text.into(),
                optional: true,
            }
        }
    }

    fn schema(&self, t: SchemaType) -> Schema {
        let s = Schema::new(t);
        if self.optional {
            s.optional()
        } else {
            s
        }
    }
}

/// Adds record metadata as fields.
pub(crate) struct InsertField {
    side: Side,
    topic: Option<Spec>,
    partition: Option<Spec>,
    offset: Option<Spec>,
    timestamp: Option<Spec>,
    static_field: Option<(Spec, String)>,
    defaults: bool,
}

impl InsertField {
    pub(crate) fn build(p: &mut Props, side: Side) -> Option<Box<dyn Transform>> {
        let spec = |p: &Props, k: &str| p.string(k).map(|v| Spec::parse(&v));
        let (topic, partition, offset, timestamp) = (
            spec(p, "topic.field"),
            spec(p, "partition.field"),
            spec(p, "offset.field"),
            spec(p, "timestamp.field"),
        );
        let static_field = spec(p, "static.field");
        let static_value = p.string("static.value");
        let defaults = p.boolean("replace.null.with.default", true);
        let static_field = match (static_field, static_value) {
            (Some(f), Some(v)) => Some((f, v)),
            (Some(_), None) => {
                p.error("static.value", "Invalid value null for configuration static.value: No value specified for static field");
                return None;
            }
            (None, _) => None,
        };
        if topic.is_none()
            && partition.is_none()
            && offset.is_none()
            && timestamp.is_none()
            && static_field.is_none()
        {
            p.error("topic.field", "No field insertion configured");
            return None;
        }
        Some(Box::new(InsertField {
            side,
            topic,
            partition,
            offset,
            timestamp,
            static_field,
            defaults,
        }))
    }

    fn offset_of(&self, r: &ConnectRecord) -> Result<Option<i64>, Failure> {
        match (&self.offset, r.offset) {
            (None, _) => Ok(None),
            (Some(_), Some(o)) => Ok(Some(o)),
            (Some(_), None) => Err(Failure::data(
                "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord",
            )),
        }
    }
}

impl Transform for InsertField {
    fn class(&self) -> &'static str {
        sided(
            self.side,
            "org.apache.kafka.connect.transforms.InsertField$Key",
            "org.apache.kafka.connect.transforms.InsertField$Value",
        )
    }

    fn apply(&self, mut r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        let part = self.side.of(&r);
        if is_null(&part.value) {
            return Ok(Some(r));
        }
        let offset = self.offset_of(&r)?;
        let out = match &part.schema {
            None => {
                let mut m = require_map(&part.value, "field insertion")?.clone();
                if let Some(s) = &self.topic {
                    m.insert(s.name.clone(), r.topic.clone().into());
                }
                if let (Some(s), Some(p)) = (&self.partition, r.partition) {
                    m.insert(s.name.clone(), p.into());
                }
                if let (Some(s), Some(o)) = (&self.offset, offset) {
                    m.insert(s.name.clone(), o.into());
                }
                if let (Some(s), Some(t)) = (&self.timestamp, r.timestamp) {
                    m.insert(s.name.clone(), t.into());
                }
                if let Some((s, v)) = &self.static_field {
                    m.insert(s.name.clone(), v.clone().into());
                }
                SchemaAndValue::schemaless(Value::Json(serde_json::Value::Object(m)))
            }
            Some(schema) => {
                let fields = require_struct(&part.value, "field insertion")?;
                let mut out_schema = struct_like(schema);
                let mut values = Vec::new();
                for f in &schema.fields {
                    add_field(&mut out_schema, &f.name, f.schema.clone())?;
                    values.push((
                        f.name.clone(),
                        struct_field(schema, fields, &f.name, self.defaults),
                    ));
                }
                if let Some(s) = &self.topic {
                    add_field(&mut out_schema, &s.name, s.schema(SchemaType::String))?;
                    values.push((s.name.clone(), Value::String(r.topic.clone())));
                }
                if let Some(s) = &self.partition {
                    add_field(&mut out_schema, &s.name, s.schema(SchemaType::Int32))?;
                    values.push((
                        s.name.clone(),
                        r.partition.map_or(Value::Null, Value::Int32),
                    ));
                }
                if let Some(s) = &self.offset {
                    add_field(&mut out_schema, &s.name, s.schema(SchemaType::Int64))?;
                    values.push((s.name.clone(), offset.map_or(Value::Null, Value::Int64)));
                }
                if let Some(s) = &self.timestamp {
                    let mut ts = s.schema(SchemaType::Int64).named(TIMESTAMP);
                    ts.version = Some(1);
                    add_field(&mut out_schema, &s.name, ts)?;
                    values.push((
                        s.name.clone(),
                        r.timestamp.map_or(Value::Null, Value::Int64),
                    ));
                }
                if let Some((s, v)) = &self.static_field {
                    add_field(&mut out_schema, &s.name, s.schema(SchemaType::String))?;
                    values.push((s.name.clone(), Value::String(v.clone())));
                }
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
