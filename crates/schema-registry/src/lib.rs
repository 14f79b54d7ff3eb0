//! Confluent's Schema Registry as the registry converters use it: a client of its REST API
//! ([`SchemaRegistryClient`]), the converter settings it takes ([`RegistryConfig`]),
//! Confluent's wire framing of registry-encoded records ([`wire`]) and its subject name
//! strategies ([`SubjectNameStrategy`]).
//!
//! Layer: knows nothing of Connect data, Kafka clients or Diffusion; the converters in
//! `registry-converters` build on it.
//!
//! Not supported (yet): Confluent 8.x schema GUIDs in record headers and its
//! `AssociatedNameStrategy`, bearer and SASL-inherited auth, client certificates, proxies.

#![warn(missing_docs)]

mod cache;
pub mod client;
pub mod config;
pub mod subject;
pub mod wire;

pub use client::{
    Reference, RegisteredSchema, RegistryError, SchemaRegistryClient, SchemaType, SubjectVersion,
};
pub use config::{ConfigError, Credentials, CredentialsSource, RegistryConfig, RegistryUrl};
pub use subject::{SubjectError, SubjectNameStrategy};
pub use wire::{frame, read_message_indexes, unframe, write_message_indexes, FrameError};
