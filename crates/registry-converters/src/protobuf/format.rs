//! Protobuf as a registry converter's format: `io.confluent.connect.protobuf.ProtobufConverter`.

use connect_data::{Schema, SchemaAndValue};
use schema_registry::{RegisteredSchema, SchemaType};

use super::{decode, encode, ProtobufSchema};
use crate::format::Format;

/// Confluent's ProtobufConverter's format.
#[derive(Debug)]
pub struct Protobuf;

/// The class `key.converter`/`value.converter` names it by.
pub const PROTOBUF_CONVERTER: &str = "io.confluent.connect.protobuf.ProtobufConverter";

impl Format for Protobuf {
    type Parsed = ProtobufSchema;
    const CLASS: &'static str = PROTOBUF_CONVERTER;
    const SCHEMA_TYPE: SchemaType = SchemaType::Protobuf;

    fn parse(
        registered: &RegisteredSchema,
        references: &[(String, String)],
    ) -> Result<ProtobufSchema, String> {
        ProtobufSchema::parse(&registered.schema, references).map_err(|e| e.to_string())
    }

    fn decode(parsed: &ProtobufSchema, payload: &[u8]) -> Result<SchemaAndValue, String> {
        decode(parsed, payload).map_err(|e| e.to_string())
    }

    fn from_connect(schema: Option<&Schema>) -> Result<ProtobufSchema, String> {
        ProtobufSchema::from_connect(schema).map_err(|e| e.to_string())
    }

    fn connect_schema(parsed: &ProtobufSchema) -> Option<Schema> {
        let message = parsed.message_at(parsed.root_path()).ok()?;
        parsed.connect_schema(&message).ok()
    }

    fn text(parsed: &ProtobufSchema) -> &str {
        parsed.text()
    }

    fn record_name(parsed: &ProtobufSchema) -> Option<&str> {
        parsed.record_name()
    }

    fn encode(parsed: &ProtobufSchema, data: &SchemaAndValue) -> Result<Vec<u8>, String> {
        encode(parsed, data).map_err(|e| e.to_string())
    }
}
