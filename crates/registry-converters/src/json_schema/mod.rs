//! Confluent's JsonSchemaConverter data mapping (`io.confluent.connect.json.JsonSchemaData`),
//! both directions, with Confluent's default configuration:
//!
//! | option | default | here |
//! |---|---|---|
//! | `object.additional.properties` | true | yes: structs leave `additionalProperties` open |
//! | `use.optional.for.nonrequired` | false | yes: `required` is ignored |
//! | `decimal.format` | BASE64 | yes: a Decimal is a base64 string (a JSON number is read too) |
//! | `flatten.singleton.unions` | true | yes: a one-branch `oneOf` is that branch |
//! | `preserve.additional.properties` | false | yes: undeclared properties are dropped |
//! | `ignore.modern.dialects` | false | nothing to ignore: draft keywords are read as draft 7 |
//! | `generalized.sum.type.support` | false | yes: unions are `io.confluent.connect.json.OneOf` |
//! | `ignore.default.for.nullables` | false | yes: a null with a default writes the default |
//!
//! Not implemented (an error names the place): the other values of those options;
//! recursive schemas (`$ref` cycles, which Confluent marks with an
//! `io.confluent.connect.json.Id` parameter) and `$ref`s to other documents (schema
//! references); tuple `items`; a property that accepts any value (`{}`) inside a struct or
//! union (Confluent's `ConnectVariant`: a struct of Parquet-variant bytes).
//!
//! Schemaless values, where Connect has no type: a schema that accepts anything (`{}`,
//! `true`, or `{"title": ...}` alone) at the top is read with no Connect schema and the
//! value as [`connect_data::Value::Json`]; as array items or map values, the elements
//! are JSON. Writing, no Connect schema gives the schema `{}` and the value as plain JSON.
//! Confluent 8.x differs in both: it reads `{}` as a `org.apache.kafka.connect.data.Variant`
//! struct, and a null Connect schema fails its serializer (it registers no schema).
//!
//! Where Confluent coerces a value of the wrong JSON type silently, we refuse it (see
//! [`decode`](decode::decode)). Confluent's deserializer does not validate a body against
//! its schema unless `json.fail.invalid.schema`=true (default false), so no validator is
//! used here.

mod decode;
mod encode;
mod error;
mod format;
mod schema;
mod types;

pub use decode::decode;
pub use encode::encode;
pub use error::JsonSchemaError;
pub use format::{Json, JSON_SCHEMA_CONVERTER};

use connect_data::Schema;

/// A JSON Schema document with its Connect schema.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchema {
    text: String,
    json: serde_json::Value,
    connect: Option<Schema>,
}

impl JsonSchema {
    /// Parses a JSON Schema's text and maps it to Connect (Confluent's `toConnectSchema`).
    pub fn parse(text: &str) -> Result<JsonSchema, JsonSchemaError> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| JsonSchemaError::SchemaSyntax(e.to_string()))?;
        let connect = schema::to_connect(&json)?;
        Ok(JsonSchema {
            text: text.to_owned(),
            json,
            connect,
        })
    }

    /// The JSON Schema Confluent's `fromConnectSchema` gives for a Connect schema; no
    /// schema gives `{}` (see the module docs).
    pub fn from_connect(schema: Option<&Schema>) -> Result<JsonSchema, JsonSchemaError> {
        let json = schema::from_connect(schema)?;
        // Read back, so that `connect_schema` is what a reader of this text gets.
        let connect = schema::to_connect(&json)?;
        Ok(JsonSchema {
            text: json.to_string(),
            json,
            connect,
        })
    }

    /// The Connect schema; `None` when the JSON Schema accepts any value.
    pub fn connect_schema(&self) -> Option<&Schema> {
        self.connect.as_ref()
    }

    /// The JSON text, as given to [`JsonSchema::parse`] or as written by
    /// [`JsonSchema::from_connect`]: what is registered.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The schema document.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }

    /// The top-level `title`, the record name RecordNameStrategy uses.
    pub fn record_name(&self) -> Option<&str> {
        self.json.get("title").and_then(|t| t.as_str())
    }
}
