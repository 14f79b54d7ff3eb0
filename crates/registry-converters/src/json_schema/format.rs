//! JSON Schema as a registry converter's format: `io.confluent.connect.json.JsonSchemaConverter`.

use connect_data::{Schema, SchemaAndValue};
use schema_registry::{RegisteredSchema, SchemaType};

use super::{decode, encode, JsonSchema};
use crate::format::Format;

/// Confluent's JsonSchemaConverter's format.
#[derive(Debug)]
pub struct Json;

/// The class `key.converter`/`value.converter` names it by.
pub const JSON_SCHEMA_CONVERTER: &str = "io.confluent.connect.json.JsonSchemaConverter";

impl Format for Json {
    type Parsed = JsonSchema;
    const CLASS: &'static str = JSON_SCHEMA_CONVERTER;
    const SCHEMA_TYPE: SchemaType = SchemaType::Json;

    fn parse(
        registered: &RegisteredSchema,
        references: &[(String, String)],
    ) -> Result<JsonSchema, String> {
        if !references.is_empty() {
            // `$ref`s to other documents: not read yet (say so, not misread).
            return Err(format!(
                "it references other schemas ({}), which this converter does not read yet",
                references
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        JsonSchema::parse(&registered.schema).map_err(|e| e.to_string())
    }

    fn decode(parsed: &JsonSchema, payload: &[u8]) -> Result<SchemaAndValue, String> {
        Ok(SchemaAndValue {
            schema: parsed.connect_schema().cloned(),
            value: decode(parsed, payload).map_err(|e| e.to_string())?,
        })
    }

    fn from_connect(schema: Option<&Schema>) -> Result<JsonSchema, String> {
        JsonSchema::from_connect(schema).map_err(|e| e.to_string())
    }

    fn connect_schema(parsed: &JsonSchema) -> Option<Schema> {
        parsed.connect_schema().cloned()
    }

    fn text(parsed: &JsonSchema) -> &str {
        parsed.text()
    }

    fn record_name(parsed: &JsonSchema) -> Option<&str> {
        parsed.record_name()
    }

    fn encode(parsed: &JsonSchema, data: &SchemaAndValue) -> Result<Vec<u8>, String> {
        // The converter writes nulls itself; a value here is never null.
        encode(parsed, data)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "a null cannot be written here".to_owned())
    }
}
