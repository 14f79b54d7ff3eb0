//! The converter abstraction: how a connector's record keys and values become Connect data
//! and back, whatever the format (Kafka Connect's `Converter` interface).
//!
//! Conversion itself is synchronous, so the common case (Kafka's own converters, or a
//! registry converter whose schemas are cached) costs no future per record. A converter
//! that needs something it has not got yet (a schema by id from a registry) answers
//! [`ConvertError::NotReady`]; the caller then awaits [`Converter::fetch`] with the same
//! input and converts again. [`to_connect`] and [`from_connect`] do exactly that.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::value::SchemaAndValue;

/// Why record bytes could not be read or written by a converter; the text names the problem for the
/// log.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConverterError(pub String);

/// Why a conversion did not give a result, and so what the caller does next.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    /// This record cannot be converted (bad bytes, an unknown schema id, data its schema
    /// does not allow): its error path (`errors.tolerance`, the dead-letter topic).
    #[error("{0}")]
    Record(#[from] ConverterError),
    /// Something must be fetched first: await [`Converter::fetch`] with the same input,
    /// then convert again.
    #[error("the converter must fetch a schema first")]
    NotReady,
    /// A service the converter needs (a schema registry) cannot be reached now: retry
    /// with back-off, skip nothing. The text says which and why.
    #[error("{0}")]
    Unavailable(String),
    /// The converter cannot work at all (its credentials were refused): the task fails.
    #[error("{0}")]
    Fatal(String),
}

impl ConvertError {
    /// A record error with this message.
    pub fn record(message: impl Into<String>) -> ConvertError {
        ConvertError::Record(ConverterError(message.into()))
    }
}

/// What [`Converter::fetch`] must prepare for: the same input as the call that was not ready.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Record bytes to read (`to_connect`).
    Bytes(Option<&'a [u8]>),
    /// Connect data to write (`from_connect`).
    Data(&'a SchemaAndValue),
}

/// The future of a fetch.
pub type Fetch<'a> = Pin<Box<dyn Future<Output = Result<(), ConvertError>> + Send + 'a>>;

/// A converter shared by a connector's tasks.
pub type SharedConverter = Arc<dyn Converter>;

/// A Kafka Connect converter, for one side of the record (key or value), as a connector's
/// config names it by class. `topic` is the Kafka topic the record comes from or goes to
/// (registry subjects are named after it).
pub trait Converter: Send + Sync + fmt::Debug {
    /// The class name, as configured.
    fn class(&self) -> &str;

    /// Reads a record's key or value; `None` (a null key, a tombstone) is a null value.
    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>)
        -> Result<SchemaAndValue, ConvertError>;

    /// Writes a record's key or value; `None` is a null (a tombstone as a value).
    // Kafka Connect's name (`fromConnectData`): from Connect data, by this converter.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Option<Vec<u8>>, ConvertError>;

    /// Fetches what a conversion of `input` answered [`ConvertError::NotReady`] for.
    /// Converters that never answer so need not implement it.
    fn fetch<'a>(&'a self, topic: &'a str, input: Input<'a>) -> Fetch<'a> {
        let _ = (topic, input);
        Box::pin(std::future::ready(Ok(())))
    }

    /// The Diffusion CBOR of a record's value straight from its bytes, when this converter
    /// reads them as schemaless JSON; `None` when the Connect value must be built (see
    /// [`BuiltinConverter::json_cbor`](crate::builtin::BuiltinConverter::json_cbor)).
    fn json_cbor(&self, bytes: Option<&[u8]>) -> Option<Vec<u8>> {
        let _ = bytes;
        None
    }

    /// A record's key or value as text straight from its bytes, when this converter reads
    /// them as a string without a schema version (`StringConverter`): the same text as
    /// [`SchemaAndValue::to_path_string`](crate::value::SchemaAndValue::to_path_string) of
    /// [`to_connect`](Self::to_connect)'s value, the same error for bytes that are not
    /// text, without building the Connect value (`${key}` needs only the text). `None`
    /// when the Connect value must be built.
    fn text<'a>(&self, bytes: &'a [u8]) -> Option<Result<&'a str, ConvertError>> {
        let _ = bytes;
        None
    }

    /// Whether this converter writes a schemaless JSON value as the JSON text itself
    /// (`JsonConverter` with `schemas.enable=false`), so that a source may write a
    /// Diffusion JSON value's text without building Connect data.
    fn writes_plain_json(&self) -> bool {
        false
    }
}

/// Reads `bytes`, fetching first whatever the converter needs (once).
pub async fn to_connect(
    converter: &dyn Converter,
    topic: &str,
    bytes: Option<&[u8]>,
) -> Result<SchemaAndValue, ConvertError> {
    match converter.to_connect(topic, bytes) {
        Err(ConvertError::NotReady) => {
            converter.fetch(topic, Input::Bytes(bytes)).await?;
            converter.to_connect(topic, bytes).map_err(still_not_ready)
        }
        other => other,
    }
}

/// Writes `data`, fetching (or registering) first whatever the converter needs (once).
pub async fn from_connect(
    converter: &dyn Converter,
    topic: &str,
    data: &SchemaAndValue,
) -> Result<Option<Vec<u8>>, ConvertError> {
    match converter.from_connect(topic, data) {
        Err(ConvertError::NotReady) => {
            converter.fetch(topic, Input::Data(data)).await?;
            converter.from_connect(topic, data).map_err(still_not_ready)
        }
        other => other,
    }
}

/// A converter still not ready after its fetch succeeded is a bug in it; the record takes
/// the error path rather than looping.
fn still_not_ready(e: ConvertError) -> ConvertError {
    match e {
        ConvertError::NotReady => {
            ConvertError::record("the converter was still not ready after fetching what it needed")
        }
        other => other,
    }
}
