//! What a registry converter needs of a schema format (Avro, JSON Schema, Protobuf): read
//! a registered schema, map it to and from Connect schemas, and read and write payloads.
//! The converter ([`crate::RegistryConverter`]) does the rest (framing, registry, caches)
//! the same way for all three.

use connect_data::{Schema, SchemaAndValue};
use schema_registry::{RegisteredSchema, SchemaType};

/// A schema format of Confluent's registry.
pub trait Format: Send + Sync + 'static {
    /// A schema of this format, parsed once and cached.
    type Parsed: Send + Sync + 'static;

    /// The converter's class, e.g. `io.confluent.connect.avro.AvroConverter`.
    const CLASS: &'static str;

    /// The registry's name of the format.
    const SCHEMA_TYPE: SchemaType;

    /// Reads a schema as the registry holds it; `references` are the texts of the schemas
    /// it references, by reference name (a Protobuf import's file name), all of them
    /// (references of references too).
    fn parse(
        registered: &RegisteredSchema,
        references: &[(String, String)],
    ) -> Result<Self::Parsed, String>;

    /// Reads a payload (the bytes after the 5-byte header; for Protobuf, the message
    /// indexes and the message) written with `parsed`: the value with its Connect schema
    /// (Protobuf's depends on the message the indexes name).
    fn decode(parsed: &Self::Parsed, payload: &[u8]) -> Result<SchemaAndValue, String>;

    /// The schema of this format a Connect schema is written with, as Confluent's
    /// converter derives it.
    fn from_connect(schema: Option<&Schema>) -> Result<Self::Parsed, String>;

    /// The Connect schema values written with `parsed` must have (`use.latest.version`
    /// writes a record's data with a registered schema, its fields matched by name); `None`
    /// when the format has none to give (schemaless).
    fn connect_schema(parsed: &Self::Parsed) -> Option<Schema>;

    /// The schema text to register or look up.
    fn text(parsed: &Self::Parsed) -> &str;

    /// The record's name for `RecordNameStrategy` and `TopicRecordNameStrategy`.
    fn record_name(parsed: &Self::Parsed) -> Option<&str>;

    /// Writes `data` with `parsed`: the payload after the 5-byte header (for Protobuf,
    /// with the message indexes).
    fn encode(parsed: &Self::Parsed, data: &SchemaAndValue) -> Result<Vec<u8>, String>;
}
