//! The names and tables of Confluent's AvroData mapping in one place (read from
//! `avro-data/src/main/java/io/confluent/connect/avro/AvroData.java`, confluentinc/
//! schema-registry commit 794611bd86d1ce0422581269e2b13a2ab010c7fb), with the DEFAULT
//! `AvroDataConfig`: connect.meta.data=true, enhanced.avro.schema.support=false,
//! scrub.invalid.names=false, generalized.sum.type.support=false,
//! allow.optional.map.keys=false, flatten.singleton.unions=true,
//! discard.type.doc.default=false, ignore.default.for.nullables=false.

use connect_data::schema::{SchemaType, DATE, DECIMAL, TIME, TIMESTAMP};

/// Confluent's namespace for the records it invents.
pub const NAMESPACE: &str = "io.confluent.connect.avro";
/// An unnamed struct's record name; the 2nd, 3rd, ... in one schema get 2, 3, ...
pub const DEFAULT_NAME: &str = "ConnectDefault";
/// `io.confluent.connect.avro.ConnectDefault`: names starting with it are dropped on read.
pub const DEFAULT_FULL_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// The record of a map written as an array of entries.
pub const MAP_ENTRY: &str = "MapEntry";
/// The Connect struct that stands for a general Avro union.
pub const UNION: &str = "io.confluent.connect.avro.Union";
/// The Avro record Confluent writes for schemaless (null-schema) Connect data.
pub const ANYTHING: &str = "io.confluent.connect.avro.Anything";

/// Schema properties Confluent writes on Avro nodes when connect.meta.data is on.
pub const CONNECT_NAME: &str = "connect.name";
/// `connect.doc`.
pub const CONNECT_DOC: &str = "connect.doc";
/// `connect.version`.
pub const CONNECT_VERSION: &str = "connect.version";
/// `connect.default`.
pub const CONNECT_DEFAULT: &str = "connect.default";
/// `connect.parameters`.
pub const CONNECT_PARAMETERS: &str = "connect.parameters";
/// `connect.type`.
pub const CONNECT_TYPE: &str = "connect.type";
/// `connect.internal.type`.
pub const CONNECT_INTERNAL_TYPE: &str = "connect.internal.type";
/// Avro props starting with this are copied to Connect parameters, and back.
pub const AVRO_PROP_PREFIX: &str = "avro";

/// Connect parameters Confluent sets.
pub const FIXED_SIZE: &str = "connect.fixed.size";
/// `connect.decimal.precision`.
pub const DECIMAL_PRECISION: &str = "connect.decimal.precision";
/// `scale`.
pub const DECIMAL_SCALE: &str = "scale";
/// Precision written when the Connect schema gives none; not kept as a parameter on read.
pub const DECIMAL_PRECISION_DEFAULT: i64 = 64;
/// `io.confluent.connect.avro.record.doc`.
pub const RECORD_DOC: &str = "io.confluent.connect.avro.record.doc";
/// `io.confluent.connect.avro.field.doc.`.
pub const FIELD_DOC_PREFIX: &str = "io.confluent.connect.avro.field.doc.";
/// `io.confluent.connect.avro.field.default`.
pub const FIELD_DEFAULT_FLAG: &str = "io.confluent.connect.avro.field.default";
/// `io.confluent.connect.avro.Enum`.
pub const ENUM: &str = "io.confluent.connect.avro.Enum";
/// `io.confluent.connect.avro.enum.doc.`.
pub const ENUM_DOC_PREFIX: &str = "io.confluent.connect.avro.enum.doc.";
/// `io.confluent.connect.avro.enum.default.`.
pub const ENUM_DEFAULT_PREFIX: &str = "io.confluent.connect.avro.enum.default.";

/// Connect's physical types and the Avro primitive each is written as, with the
/// `connect.type` annotation for those Avro cannot express.
pub const PRIMITIVES: &[(SchemaType, &str, Option<&str>)] = &[
    (SchemaType::Int8, "int", Some("int8")),
    (SchemaType::Int16, "int", Some("int16")),
    (SchemaType::Int32, "int", None),
    (SchemaType::Int64, "long", None),
    (SchemaType::Float32, "float", None),
    (SchemaType::Float64, "double", None),
    (SchemaType::Boolean, "boolean", None),
    (SchemaType::String, "string", None),
    (SchemaType::Bytes, "bytes", None),
];

/// Connect's logical types over an integer, with their Avro `logicalType` and base type.
/// Other Avro logical types (time-micros, timestamp-micros, local-*, uuid) read as their
/// plain type.
pub const INT_LOGICALS: &[(&str, &str, &str)] = &[
    (DATE, "int", "date"),
    (TIME, "int", "time-millis"),
    (TIMESTAMP, "long", "timestamp-millis"),
];

/// Avro's `logicalType` for a Decimal (over bytes or fixed).
pub const DECIMAL_LOGICAL: &str = "decimal";
/// Connect's Decimal logical name (re-exported for one place of truth).
pub const DECIMAL_NAME: &str = DECIMAL;

/// The Avro primitive a Connect physical type is written as (`array`/`map`/`struct` have none).
pub fn avro_primitive(t: SchemaType) -> Option<(&'static str, Option<&'static str>)> {
    PRIMITIVES
        .iter()
        .find(|(c, _, _)| *c == t)
        .map(|(_, a, ct)| (*a, *ct))
}

/// The Connect type of an Avro int carrying `connect.type`.
pub fn int_connect_type(annotation: &str) -> Option<SchemaType> {
    PRIMITIVES
        .iter()
        .find(|(_, a, ct)| *a == "int" && *ct == Some(annotation))
        .map(|(c, _, _)| *c)
}

/// The Connect logical name of an Avro `logicalType` over `base` (`int` or `long`).
pub fn int_logical_to_connect(base: &str, logical: &str) -> Option<&'static str> {
    INT_LOGICALS
        .iter()
        .find(|(_, b, l)| *b == base && l.eq_ignore_ascii_case(logical))
        .map(|(c, _, _)| *c)
}

/// The Avro `logicalType` of a Connect logical name over an integer.
pub fn int_logical_from_connect(name: &str) -> Option<&'static str> {
    INT_LOGICALS
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(name))
        .map(|(_, _, l)| *l)
}
