//! Connect schemas, as Kafka Connect defines them and as the JsonConverter writes them in
//! its `{"schema": ..., "payload": ...}` envelope.

use std::collections::BTreeMap;

/// Logical name of a Decimal: BYTES holding a big-endian two's-complement unscaled integer, with a
/// `scale` parameter.
pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
/// Logical name of a Date: INT32 days since the Unix epoch.
pub const DATE: &str = "org.apache.kafka.connect.data.Date";
/// Logical name of a Time: INT32 milliseconds since midnight.
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
/// Logical name of a Timestamp: INT64 milliseconds since the Unix epoch.
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";

/// A Connect schema's physical type; logical types (Decimal, Date, ...) are one of these plus a
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaType {
    /// 8-bit signed integer (`int8`).
    Int8,
    /// 16-bit signed integer (`int16`).
    Int16,
    /// 32-bit signed integer (`int32`); also Date and Time.
    Int32,
    /// 64-bit signed integer (`int64`); also Timestamp.
    Int64,
    /// IEEE 754 single-precision float (`float` in the envelope).
    Float32,
    /// IEEE 754 double-precision float (`double` in the envelope).
    Float64,
    /// `true` or `false` (`boolean`).
    Boolean,
    /// UTF-8 text (`string`).
    String,
    /// Raw bytes, base64 in JSON (`bytes`); also Decimal.
    Bytes,
    /// A list of values of the `value_schema` (`array`; `items` in the envelope).
    Array,
    /// Entries from `key_schema` to `value_schema` (`map`).
    Map,
    /// Named fields in a fixed order, each with its own schema (`struct`).
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

    /// The type for a name in the JsonConverter's envelope (`float` is FLOAT32, `double` FLOAT64);
    /// `None` for an unknown name.
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

/// One field of a struct schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name within its struct (the envelope's `field`); values are keyed by it.
    pub name: String,
    /// The field's own schema.
    pub schema: Schema,
}

/// A Connect schema: a type, whether null is allowed, and the optional name, version,
/// documentation, parameters and element schemas.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// The physical type; a logical type is marked by `name` on top of it.
    pub schema_type: SchemaType,
    /// Whether the value may be null; required (false) unless set.
    pub optional: bool,
    /// The default value, as JSON (as the envelope carries it).
    pub default: Option<serde_json::Value>,
    /// Logical type or record name, e.g. [`DECIMAL`] or a struct's name.
    pub name: Option<String>,
    /// The schema's version, when the producer gave one.
    pub version: Option<i32>,
    /// Free-text documentation carried with the schema.
    pub doc: Option<String>,
    /// String parameters of a logical type, e.g. Decimal's `scale`; sorted by name.
    pub parameters: BTreeMap<String, String>,
    /// Struct fields, in order.
    pub fields: Vec<Field>,
    /// Array items, or map values.
    pub value_schema: Option<Box<Schema>>,
    /// Map keys; only for MAP (`None` for an inferred nested map, whose entries are then
    /// schemaless).
    pub key_schema: Option<Box<Schema>>,
}

impl Schema {
    /// A required schema of `schema_type` with no name, parameters or element schemas.
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

    /// Makes the schema optional (null allowed); builder style.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Gives the schema a logical or record name; builder style.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Appends a struct field; builder style.
    pub fn field(mut self, name: &str, schema: Schema) -> Self {
        self.fields.push(Field {
            name: name.to_owned(),
            schema,
        });
        self
    }

    /// The schema's logical or record name, if any (e.g. [`DECIMAL`]).
    pub fn logical_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Sets the element schema of an array; builder style.
    pub fn items(mut self, items: Schema) -> Self {
        self.value_schema = Some(Box::new(items));
        self
    }

    /// A required map schema from `keys` to `values`.
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
