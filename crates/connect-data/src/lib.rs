//! The Kafka Connect data model: schemas, values, the converter abstraction and Kafka's
//! own converters that turn record bytes into them (`StringConverter`, `JsonConverter`,
//! `ByteArrayConverter`; registry converters live in `registry-converters`), plus
//! the conversion of a value to the JSON (as CBOR) that a Diffusion JSON topic holds.
//!
//! The source direction: a Diffusion value as Connect data with an inferred schema
//! (`from_diffusion`), written to record bytes by the same converters (`serialize`).
//!
//! Layer: knows nothing of Kafka clients or Diffusion sessions; `diffusion-wire` is used
//! only for its JSON-to-CBOR encoding, so that sink values match the SDKs' byte for byte.

#![warn(missing_docs)]

pub mod builtin;
pub mod converter;
pub mod float;
pub mod from_diffusion;
pub mod lookup;
pub mod schema;
pub mod serialize;
pub mod to_diffusion;
pub mod value;

pub use builtin::BuiltinConverter;
pub use converter::{ConvertError, Converter, ConverterError, Input, SharedConverter};
pub use from_diffusion::{from_diffusion, infer_schema};
pub use schema::{Field, Schema, SchemaType};
pub use to_diffusion::{to_diffusion_cbor, ConversionError};
pub use value::{SchemaAndValue, Value};
