//! Connect schemas, as Kafka Connect defines them and as the JsonConverter writes them in
//! its `{"schema": ..., "payload": ...}` envelope.

use std::collections::BTreeMap;

pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
pub const DATE: &str = "org.apache.kafka.connect.data.Date";
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaType {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl SchemaType {
    /// The name in the JsonConverter's envelope.
    pub fn json_name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    pub fn from_json_name(s: &str) -> Option<Self> {
        Some(match s {
            "int8" => SchemaType::Int8,
            "int16" => SchemaType::Int16,
            "int32" => SchemaType::Int32,
            "int64" => SchemaType::Int64,
            "float" => SchemaType::Float32,
            "double" => SchemaType::Float64,
            "boolean" => SchemaType::Boolean,
            "string" => SchemaType::String,
            "bytes" => SchemaType::Bytes,
            "array" => SchemaType::Array,
            "map" => SchemaType::Map,
            "struct" => SchemaType::Struct,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub schema: Schema,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub schema_type: SchemaType,
    pub optional: bool,
    /// The default value, as JSON (as the envelope carries it).
    pub default: Option<serde_json::Value>,
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    pub parameters: BTreeMap<String, String>,
    /// Struct fields, in order.
    pub fields: Vec<Field>,
    /// Array items, or map values.
    pub value_schema: Option<Box<Schema>>,
    pub key_schema: Option<Box<Schema>>,
}

impl Schema {
    pub fn new(schema_type: SchemaType) -> Self {
        Schema {
            schema_type,
            optional: false,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: BTreeMap::new(),
            fields: Vec::new(),
            value_schema: None,
            key_schema: None,
        }
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    pub fn field(mut self, name: &str, schema: Schema) -> Self {
        self.fields.push(Field {
            name: name.to_owned(),
            schema,
        });
        self
    }

    pub fn logical_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn items(mut self, items: Schema) -> Self {
        self.value_schema = Some(Box::new(items));
        self
    }

    pub fn map_of(keys: Schema, values: Schema) -> Self {
        let mut s = Schema::new(SchemaType::Map);
        s.key_schema = Some(Box::new(keys));
        s.value_schema = Some(Box::new(values));
        s
    }

    /// The `schema` half of a JsonConverter envelope, with Kafka's field order (type,
    /// then fields/items/keys/values, optional, name, version, doc, parameters, default)
    /// so that our records are byte-identical to what Kafka Connect writes.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value as J};
        let mut o = Map::new();
        o.insert("type".into(), J::from(self.schema_type.json_name()));
        match self.schema_type {
            SchemaType::Struct => {
                let fields = self
                    .fields
                    .iter()
                    .map(|f| {
                        let mut j = f.schema.to_json();
                        if let J::Object(o) = &mut j {
                            o.insert("field".into(), J::from(f.name.as_str()));
                        }
                        j
                    })
                    .collect();
                o.insert("fields".into(), J::Array(fields));
            }
            // An inferred nested structure has no element schema: null, as Kafka writes it.
            SchemaType::Array => {
                let items = self.value_schema.as_ref().map_or(J::Null, |s| s.to_json());
                o.insert("items".into(), items);
            }
            SchemaType::Map => {
                let keys = self.key_schema.as_ref().map_or(J::Null, |s| s.to_json());
                let values = self.value_schema.as_ref().map_or(J::Null, |s| s.to_json());
                o.insert("keys".into(), keys);
                o.insert("values".into(), values);
            }
            _ => {}
        }
        o.insert("optional".into(), J::Bool(self.optional));
        if let Some(n) = &self.name {
            o.insert("name".into(), J::from(n.as_str()));
        }
        if let Some(v) = self.version {
            o.insert("version".into(), J::from(v));
        }
        if let Some(d) = &self.doc {
            o.insert("doc".into(), J::from(d.as_str()));
        }
        if !self.parameters.is_empty() {
            let p = self
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), J::from(v.as_str())))
                .collect();
            o.insert("parameters".into(), J::Object(p));
        }
        if let Some(d) = &self.default {
            o.insert("default".into(), d.clone());
        }
        J::Object(o)
    }

    /// Parses the `schema` half of a JsonConverter envelope.
    pub fn from_json(j: &serde_json::Value) -> Result<Schema, String> {
        let o = j.as_object().ok_or("a schema must be a JSON object")?;
        let ty = o
            .get("type")
            .and_then(|t| t.as_str())
            .ok_or("a schema needs a \"type\" string")?;
        let schema_type =
            SchemaType::from_json_name(ty).ok_or_else(|| format!("unknown schema type {ty:?}"))?;
        let mut s = Schema::new(schema_type);
        s.optional = o.get("optional").and_then(|v| v.as_bool()).unwrap_or(false);
        s.default = o.get("default").filter(|d| !d.is_null()).cloned();
        s.name = o.get("name").and_then(|v| v.as_str()).map(str::to_owned);
        s.version = o.get("version").and_then(|v| v.as_i64()).map(|v| v as i32);
        s.doc = o.get("doc").and_then(|v| v.as_str()).map(str::to_owned);
        if let Some(p) = o.get("parameters").and_then(|p| p.as_object()) {
            for (k, v) in p {
                let v = v
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string());
                s.parameters.insert(k.clone(), v);
            }
        }
        match schema_type {
            SchemaType::Struct => {
                let fields = o
                    .get("fields")
                    .and_then(|f| f.as_array())
                    .ok_or("a struct schema needs \"fields\"")?;
                for f in fields {
                    let name = f
                        .get("field")
                        .and_then(|n| n.as_str())
                        .ok_or("a struct field needs a \"field\" name")?;
                    s.fields.push(Field {
                        name: name.to_owned(),
                        schema: Schema::from_json(f).map_err(|e| format!("field {name:?}: {e}"))?,
                    });
                }
            }
            SchemaType::Array => {
                let items = o.get("items").ok_or("an array schema needs \"items\"")?;
                s.value_schema = sub_schema(items, "items")?;
            }
            SchemaType::Map => {
                let keys = o.get("keys").ok_or("a map schema needs \"keys\"")?;
                let values = o.get("values").ok_or("a map schema needs \"values\"")?;
                s.key_schema = sub_schema(keys, "keys")?;
                s.value_schema = sub_schema(values, "values")?;
            }
            _ => {}
        }
        Ok(s)
    }
}

/// An element schema; null (what Kafka writes for an inferred nested structure) is none,
/// and the elements are then read schemaless.
fn sub_schema(j: &serde_json::Value, what: &str) -> Result<Option<Box<Schema>>, String> {
    if j.is_null() {
        return Ok(None);
    }
    Schema::from_json(j)
        .map(|s| Some(Box::new(s)))
        .map_err(|e| format!("{what}: {e}"))
}
