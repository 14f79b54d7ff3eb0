//! Confluent's registry converters, named by their classes:
//! `io.confluent.connect.avro.AvroConverter`, `io.confluent.connect.json.JsonSchemaConverter`
//! and `io.confluent.connect.protobuf.ProtobufConverter`.
//!
//! Layer: Connect data (`connect-data`) on one side, the registry client
//! (`schema-registry`) on the other; the connectors see only `connect-data`'s converter
//! trait.

#![warn(missing_docs)]

pub mod avro;
