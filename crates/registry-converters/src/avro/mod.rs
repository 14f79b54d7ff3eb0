//! Confluent's `AvroConverter` data mapping (`io.confluent.connect.avro.AvroData`), both
//! directions, with Confluent's DEFAULT `AvroDataConfig` (the rules and the Confluent
//! commit they were read from are in [`rules`]). The registry framing (magic byte and
//! schema ID) is not here: bodies are the Avro binary after Confluent's 5-byte header.
//!
//! - [`AvroSchema::parse`]: registry schema text to its Connect schema (`toConnectSchema`).
//! - [`AvroSchema::from_connect`]: the Avro schema Confluent would register for a Connect
//!   schema (`fromConnectSchema`), `connect.*` props included.
//! - [`decode`]: Avro body to Connect value (`toConnectData`).
//! - [`encode`]: Connect value to Avro body (`fromConnectData`).
//!
//! Schemaless data (no Connect schema, as the source connector gives mixed JSON) is what
//! Confluent writes for a null schema: the record `io.confluent.connect.avro.Anything` with
//! one optional field per kind of value (boolean, bytes, double, float, int, long, string,
//! array of Anything, map as an array of Anything key/value entries). Reading that schema
//! back gives no Connect schema and schemaless values, as Confluent does.
//!
//! Not implemented (non-default options): enhanced.avro.schema.support (enums written as
//! Avro enums, full names as union fields), generalized.sum.type.support,
//! scrub.invalid.names, allow.optional.map.keys, flatten.singleton.unions=false,
//! discard.type.doc.default, ignore.default.for.nullables, connect.meta.data=false; the
//! Variant logical type; recursive (self-referencing) records, which Connect schemas here
//! cannot express.

mod codec;
mod decode;
mod encode;
mod error;
mod format;
mod from_connect_schema;
mod model;
pub mod rules;
mod to_connect_schema;

use connect_data::{Schema, SchemaAndValue, Value};

pub use error::AvroError;
use error::Path;
pub use format::{Avro, AVRO_CONVERTER};
use model::{Kind, Model};

/// An Avro schema as the registry holds it, with its Connect schema.
#[derive(Debug, Clone)]
pub struct AvroSchema {
    /// apache-avro's reading of the text (a second opinion that the text is valid Avro).
    parsed: apache_avro::Schema,
    /// Our own tree of the text, keeping the custom props apache-avro drops.
    model: Model,
    text: String,
    connect: Option<Schema>,
}

impl AvroSchema {
    /// Reads registry schema text and maps it to Connect (`toConnectSchema`).
    pub fn parse(text: &str) -> Result<AvroSchema, AvroError> {
        let json: serde_json::Value = serde_json::from_str(text).or_else(|e| {
            // A bare primitive name ("string") is valid Avro schema text too.
            serde_json::from_str(&format!("\"{}\"", text.trim()))
                .map_err(|_| Path::root().invalid(format!("not JSON: {e}")))
        })?;
        let model = Model::parse(&json)?;
        let parsed = apache_avro::Schema::parse(&json)
            .map_err(|e| Path::root().invalid(format!("apache-avro refuses it: {e}")))?;
        let connect = to_connect_schema::to_connect(&model)?;
        Ok(AvroSchema {
            parsed,
            model,
            text: text.to_owned(),
            connect,
        })
    }

    /// The Avro schema Confluent writes for a Connect schema (`fromConnectSchema`); `None`
    /// is schemaless data, Confluent's `io.confluent.connect.avro.Anything` record.
    pub fn from_connect(schema: Option<&Schema>) -> Result<AvroSchema, AvroError> {
        let json = from_connect_schema::from_connect(schema)?;
        AvroSchema::parse(&json.to_string())
    }

    /// The Connect schema; `None` for schemaless data (the `Anything` record).
    pub fn connect_schema(&self) -> Option<&Schema> {
        self.connect.as_ref()
    }

    /// The schema text, as given or as [`AvroSchema::from_connect`] wrote it: what to
    /// register.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// apache-avro's parse of the text (e.g. for its canonical form).
    pub fn avro(&self) -> &apache_avro::Schema {
        &self.parsed
    }

    /// The full name of a record, enum or fixed at the top (RecordNameStrategy's subject);
    /// `None` for other schemas.
    pub fn record_name(&self) -> Option<&str> {
        match self.model.root.kind {
            Kind::Named(i) => Some(&self.model.named[i].full_name),
            _ => None,
        }
    }
}

/// An Avro binary body (after the registry header) as a Connect value typed by
/// `schema.connect_schema()` (`toConnectData`). Never panics on hostile bytes.
pub fn decode(schema: &AvroSchema, body: &[u8]) -> Result<Value, AvroError> {
    let v = codec::read(&schema.model, body)?;
    decode::to_connect_value(
        &schema.model,
        &schema.model.root,
        schema.connect.as_ref(),
        v,
        &Path::root(),
    )
}

/// A Connect value as an Avro binary body for `schema` (`fromConnectData`); `None` for a
/// null value, which Confluent writes as a null record (a tombstone) whatever its schema,
/// but only when the schema allows null (an optional schema, or none).
///
/// `Value::Json` is read through `data.schema` (as the JsonConverter's envelope carries
/// it); without a schema the value is written in Confluent's `Anything` record, so
/// `schema` must be that (see [`AvroSchema::from_connect`] with `None`).
pub fn encode(schema: &AvroSchema, data: &SchemaAndValue) -> Result<Option<Vec<u8>>, AvroError> {
    let root = Path::root();
    if data.is_null() {
        return match &data.schema {
            Some(s) if !s.optional => Err(root.mismatch(format!(
                "null for a required {} schema",
                s.schema_type.json_name()
            ))),
            _ => Ok(None),
        };
    }
    let v = encode::to_avro_value(
        &schema.model,
        &schema.model.root,
        data.schema.as_ref(),
        &data.value,
        &root,
    )?;
    let mut out = Vec::new();
    codec::write(&schema.model, &schema.model.root, &v, &mut out, &root)?;
    Ok(Some(out))
}
