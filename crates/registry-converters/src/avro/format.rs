//! Avro as a registry converter's format: `io.confluent.connect.avro.AvroConverter`.

use connect_data::{Schema, SchemaAndValue};
use schema_registry::{RegisteredSchema, SchemaType};

use super::{decode, encode, AvroSchema};
use crate::format::Format;

/// Confluent's AvroConverter's format.
#[derive(Debug)]
pub struct Avro;

/// The class `key.converter`/`value.converter` names it by.
pub const AVRO_CONVERTER: &str = "io.confluent.connect.avro.AvroConverter";

impl Format for Avro {
    type Parsed = AvroSchema;
    const CLASS: &'static str = AVRO_CONVERTER;
    const SCHEMA_TYPE: SchemaType = SchemaType::Avro;

    fn parse(
        registered: &RegisteredSchema,
        references: &[(String, String)],
    ) -> Result<AvroSchema, String> {
        if !references.is_empty() {
            // Named types defined in other subjects: not read yet (say so, not misread).
            return Err(format!(
                "it references other schemas ({}), which this converter does not read yet",
                references
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        AvroSchema::parse(&registered.schema).map_err(|e| e.to_string())
    }

    fn decode(parsed: &AvroSchema, payload: &[u8]) -> Result<SchemaAndValue, String> {
        Ok(SchemaAndValue {
            schema: parsed.connect_schema().cloned(),
            value: decode(parsed, payload).map_err(|e| e.to_string())?,
        })
    }

    fn from_connect(schema: Option<&Schema>) -> Result<AvroSchema, String> {
        AvroSchema::from_connect(schema).map_err(|e| e.to_string())
    }

    fn connect_schema(parsed: &AvroSchema) -> Option<Schema> {
        parsed.connect_schema().cloned()
    }

    fn text(parsed: &AvroSchema) -> &str {
        parsed.text()
    }

    fn record_name(parsed: &AvroSchema) -> Option<&str> {
        parsed.record_name()
    }

    fn encode(parsed: &AvroSchema, data: &SchemaAndValue) -> Result<Vec<u8>, String> {
        // The converter writes nulls itself; a value here is never null.
        encode(parsed, data)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "a null cannot be written here".to_owned())
    }
}
