//! Confluent's registry converters, named by their classes:
//! `io.confluent.connect.avro.AvroConverter`, `io.confluent.connect.json.JsonSchemaConverter`
//! and `io.confluent.connect.protobuf.ProtobufConverter`.
//!
//! Layer: Connect data (`connect-data`) on one side, the registry client
//! (`schema-registry`) on the other; the connectors see only `connect-data`'s converter
//! trait. Each format maps schemas and payloads ([`Format`]); [`RegistryConverter`] frames
//! them and asks the registry, the same for all.

#![warn(missing_docs)]

pub mod avro;
mod build;
mod converter;
mod format;
pub mod json_schema;
mod project;
pub mod protobuf;
mod schema_key;

pub use build::{build, CLASSES};
pub use converter::RegistryConverter;
pub use format::Format;
