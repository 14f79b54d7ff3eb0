//! The one table between Connect's types and JSON Schema's, and the `connect.*` keywords
//! Confluent's JsonSchemaData writes and reads.

use connect_data::SchemaType;

/// `connect.type`: the Connect type a JSON `integer`, `number`, `string`, `object` or
/// `array` stands for.
pub(crate) const CONNECT_TYPE: &str = "connect.type";
/// `connect.index`: a struct field's position (and a union branch's).
pub(crate) const CONNECT_INDEX: &str = "connect.index";
/// `connect.version`: the Connect schema's version.
pub(crate) const CONNECT_VERSION: &str = "connect.version";
/// `connect.parameters`: the Connect schema's parameters (string to string).
pub(crate) const CONNECT_PARAMETERS: &str = "connect.parameters";
/// `connect.type` of a map: an object of string keys, or an array of key/value objects.
pub(crate) const CONNECT_TYPE_MAP: &str = "map";

/// Parameters under this prefix are Confluent's own and are not written as
/// `connect.parameters`.
pub(crate) const NAMESPACE: &str = "io.confluent.connect.json";
/// The name of the struct a `oneOf`/`anyOf` becomes.
pub(crate) const ONE_OF: &str = "io.confluent.connect.json.OneOf";
/// The parameter marking an enum string; `ENUM.<symbol>` parameters hold the symbols.
pub(crate) const ENUM: &str = "io.confluent.connect.json.Enum";
/// Connect's generalized enum parameter, which Confluent also writes as a JSON `enum`.
pub(crate) const GENERALIZED_ENUM: &str = "org.apache.kafka.connect.data.Enum";
/// The enum symbol standing for JSON null.
pub(crate) const NULL_SYMBOL: &str = "<NULL>";
/// Field names of a map entry when a map is an array of objects.
pub(crate) const KEY_FIELD: &str = "key";
/// See [`KEY_FIELD`].
pub(crate) const VALUE_FIELD: &str = "value";

/// A Connect primitive as JSON Schema writes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Primitive {
    /// The Connect type.
    pub connect: SchemaType,
    /// The JSON Schema `type` it is written as.
    pub json_type: &'static str,
    /// The `connect.type` written beside it (none: the JSON type alone says it).
    pub connect_type: Option<&'static str>,
}

/// Every Connect primitive. Reading, `connect.type` picks the row whatever the JSON type
/// (Confluent reads `connect.type` on any `integer` or `number`, and `bytes` on a
/// `string`); with no `connect.type`, `integer` is INT64, `number` FLOAT64, `string`
/// STRING and `boolean` BOOLEAN.
pub(crate) const PRIMITIVES: &[Primitive] = &[
    row(SchemaType::Int8, "integer", Some("int8")),
    row(SchemaType::Int16, "integer", Some("int16")),
    row(SchemaType::Int32, "integer", Some("int32")),
    row(SchemaType::Int64, "integer", Some("int64")),
    row(SchemaType::Float32, "number", Some("float32")),
    row(SchemaType::Float64, "number", Some("float64")),
    row(SchemaType::Boolean, "boolean", None),
    row(SchemaType::String, "string", None),
    // BASE64 Decimals too (decimal.format=NUMERIC would write them as `number`).
    row(SchemaType::Bytes, "string", Some("bytes")),
];

const fn row(connect: SchemaType, json_type: &'static str, ct: Option<&'static str>) -> Primitive {
    Primitive {
        connect,
        json_type,
        connect_type: ct,
    }
}

/// The row of a Connect primitive; `None` for ARRAY, MAP and STRUCT.
pub(crate) fn primitive(t: SchemaType) -> Option<&'static Primitive> {
    PRIMITIVES.iter().find(|p| p.connect == t)
}

/// The Connect type a `connect.type` names on an `integer`/`number`, if it is one of them.
pub(crate) fn numeric_connect_type(ct: &str) -> Option<SchemaType> {
    PRIMITIVES
        .iter()
        .find(|p| p.connect_type == Some(ct) && p.connect != SchemaType::Boolean)
        .map(|p| p.connect)
}

/// The Connect type of a JSON `type` with no `connect.type`.
pub(crate) fn default_for_json_type(json_type: &str) -> Option<SchemaType> {
    Some(match json_type {
        "integer" => SchemaType::Int64,
        "number" => SchemaType::Float64,
        "string" => SchemaType::String,
        "boolean" => SchemaType::Boolean,
        _ => return None,
    })
}
