//! The mapping rules between Protobuf and Connect, in one place (Confluent's `ProtobufData`
//! with its default configuration). The converters in `to_connect`, `from_connect` and
//! `encode` look everything up here.

use connect_data::schema::{DATE, DECIMAL, TIME, TIMESTAMP};
use connect_data::SchemaType;
use prost_reflect::Kind;

/// The Connect parameter naming an enum (`io.confluent.connect.protobuf.Enum`); each symbol
/// is a parameter `<this>.<SYMBOL>` = its number.
pub const ENUM: &str = "io.confluent.connect.protobuf.Enum";
/// Name prefix of the struct that holds a oneof: `<this>.<oneof name>`.
pub const UNION_PREFIX: &str = "io.confluent.connect.protobuf.Union.";
/// The Connect parameter holding a field's number.
pub const TAG: &str = "io.confluent.connect.protobuf.Tag";
/// The Connect parameter holding the Protobuf type of an integer other than int32 and int64.
pub const TYPE: &str = "io.confluent.connect.protobuf.Type";
/// Decimal precision as a Connect parameter.
pub const CONNECT_PRECISION: &str = "connect.decimal.precision";
/// Decimal scale as a Connect parameter.
pub const CONNECT_SCALE: &str = "scale";
/// The `(confluent.field_meta)` param key marking an int32 that is an INT8/INT16 in Connect.
pub const CONNECT_TYPE: &str = "connect.type";
/// `(confluent.field_meta)` param keys of a Decimal field.
pub const META_PRECISION: &str = "precision";
/// See [`META_PRECISION`].
pub const META_SCALE: &str = "scale";
/// The `(confluent.field_meta)` extension.
pub const FIELD_META: &str = "confluent.field_meta";
/// Import of `(confluent.field_meta)`.
pub const META_FILE: &str = "confluent/meta.proto";
/// Name given to the n-th unnamed struct (`ConnectDefault1`, ...).
pub const DEFAULT_NAME: &str = "ConnectDefault";
/// Suffix of a map's entry message.
pub const MAP_ENTRY_SUFFIX: &str = "Entry";

/// Protobuf scalar types: their keyword, the Connect type, and the `Type` parameter Confluent
/// adds (none for int32 and int64, which are the defaults of INT32 and INT64).
pub const SCALARS: &[(&str, SchemaType, bool)] = &[
    ("int32", SchemaType::Int32, false),
    ("sint32", SchemaType::Int32, true),
    ("sfixed32", SchemaType::Int32, true),
    ("uint32", SchemaType::Int64, true),
    ("fixed32", SchemaType::Int64, true),
    ("int64", SchemaType::Int64, false),
    ("uint64", SchemaType::Int64, true),
    ("sint64", SchemaType::Int64, true),
    ("fixed64", SchemaType::Int64, true),
    ("sfixed64", SchemaType::Int64, true),
    ("float", SchemaType::Float32, false),
    ("double", SchemaType::Float64, false),
    ("bool", SchemaType::Boolean, false),
    ("string", SchemaType::String, false),
    ("bytes", SchemaType::Bytes, false),
];

/// The keyword of a scalar kind; `None` for messages and enums.
pub fn scalar_keyword(kind: &Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Int32 => "int32",
        Kind::Sint32 => "sint32",
        Kind::Sfixed32 => "sfixed32",
        Kind::Uint32 => "uint32",
        Kind::Fixed32 => "fixed32",
        Kind::Int64 => "int64",
        Kind::Uint64 => "uint64",
        Kind::Sint64 => "sint64",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed64 => "sfixed64",
        Kind::Float => "float",
        Kind::Double => "double",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(_) | Kind::Enum(_) => return None,
    })
}

/// The Connect type of a scalar keyword and whether Confluent records the keyword in the
/// `Type` parameter.
pub fn scalar_rule(keyword: &str) -> Option<(SchemaType, bool)> {
    SCALARS
        .iter()
        .find(|(k, _, _)| *k == keyword)
        .map(|(_, t, p)| (*t, *p))
}

/// The keyword Confluent writes for a Connect primitive type, given its `Type` parameter.
pub fn keyword_for(schema_type: SchemaType, type_param: Option<&str>) -> Option<&'static str> {
    if let Some(p) = type_param {
        if let Some((k, t, _)) = SCALARS.iter().find(|(k, _, _)| *k == p) {
            if *t == schema_type {
                return Some(k);
            }
        }
    }
    Some(match schema_type {
        SchemaType::Int8 | SchemaType::Int16 | SchemaType::Int32 => "int32",
        SchemaType::Int64 => "int64",
        SchemaType::Float32 => "float",
        SchemaType::Float64 => "double",
        SchemaType::Boolean => "bool",
        SchemaType::String => "string",
        SchemaType::Bytes => "bytes",
        SchemaType::Array | SchemaType::Map | SchemaType::Struct => return None,
    })
}

/// A Connect logical type that is a Protobuf message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logical {
    /// `confluent.type.Decimal` (bytes value, uint32 precision, int32 scale).
    Decimal,
    /// `google.type.Date` (year, month, day).
    Date,
    /// `google.type.TimeOfDay` (hours, minutes, seconds, nanos).
    Time,
    /// `google.protobuf.Timestamp` (seconds, nanos).
    Timestamp,
}

/// Each logical type: the Connect name, the Connect physical type, the Protobuf message and
/// the file that declares it.
pub const LOGICALS: &[(Logical, &str, SchemaType, &str, &str)] = &[
    (
        Logical::Decimal,
        DECIMAL,
        SchemaType::Bytes,
        "confluent.type.Decimal",
        "confluent/type/decimal.proto",
    ),
    (
        Logical::Date,
        DATE,
        SchemaType::Int32,
        "google.type.Date",
        "google/type/date.proto",
    ),
    (
        Logical::Time,
        TIME,
        SchemaType::Int32,
        "google.type.TimeOfDay",
        "google/type/timeofday.proto",
    ),
    (
        Logical::Timestamp,
        TIMESTAMP,
        SchemaType::Int64,
        "google.protobuf.Timestamp",
        "google/protobuf/timestamp.proto",
    ),
];

/// The logical type a message full name stands for.
pub fn logical_for_message(full_name: &str) -> Option<Logical> {
    LOGICALS.iter().find(|l| l.3 == full_name).map(|l| l.0)
}

/// The logical type a Connect schema name stands for.
pub fn logical_for_connect(name: Option<&str>) -> Option<Logical> {
    let name = name?;
    LOGICALS.iter().find(|l| l.1 == name).map(|l| l.0)
}

/// The row of a logical type.
pub fn logical_row(l: Logical) -> (&'static str, SchemaType, &'static str, &'static str) {
    let row = LOGICALS
        .iter()
        .find(|r| r.0 == l)
        .expect("every logical has a row");
    (row.1, row.2, row.3, row.4)
}

/// The wrapper messages: full name, index in `google/protobuf/wrappers.proto`, and the Connect
/// type a root wrapper unwraps to (wrapper.for.raw.primitives=true). The first wrapper of a
/// Connect type is the one a root primitive of that type is written as.
pub const WRAPPERS: &[(&str, i32, SchemaType)] = &[
    ("google.protobuf.DoubleValue", 0, SchemaType::Float64),
    ("google.protobuf.FloatValue", 1, SchemaType::Float32),
    ("google.protobuf.Int64Value", 2, SchemaType::Int64),
    ("google.protobuf.UInt64Value", 3, SchemaType::Int64),
    ("google.protobuf.Int32Value", 4, SchemaType::Int32),
    ("google.protobuf.UInt32Value", 5, SchemaType::Int64),
    ("google.protobuf.BoolValue", 6, SchemaType::Boolean),
    ("google.protobuf.StringValue", 7, SchemaType::String),
    ("google.protobuf.BytesValue", 8, SchemaType::Bytes),
];

/// The Connect type a root wrapper message unwraps to.
pub fn unwrapped(full_name: &str) -> Option<SchemaType> {
    WRAPPERS.iter().find(|w| w.0 == full_name).map(|w| w.2)
}

/// The wrapper message (full name, index) a root Connect primitive is written as: INT8 and
/// INT16 as Int32Value, the rest as their own wrapper.
pub fn wrapper_for(schema_type: SchemaType) -> Option<(&'static str, i32)> {
    let t = match schema_type {
        SchemaType::Int8 | SchemaType::Int16 => SchemaType::Int32,
        SchemaType::Array | SchemaType::Map | SchemaType::Struct => return None,
        t => t,
    };
    WRAPPERS.iter().find(|w| w.2 == t).map(|w| (w.0, w.1))
}

/// A map field's Connect name from its entry message's name (Confluent's `toMapField`:
/// `FooBarEntry` is `foo_bar`).
pub fn map_field_name(entry: &str) -> String {
    match entry.strip_suffix(MAP_ENTRY_SUFFIX) {
        Some(stem) => upper_camel_to_lower_underscore(stem),
        None => entry.to_owned(),
    }
}

/// A map's entry message name from the map's Connect name (Confluent's `toMapEntry`:
/// `foo_bar` is `FooBarEntry`, a name without `_` only gains the suffix).
pub fn map_entry_name(map: &str) -> String {
    if map.contains('_') {
        format!("{}{MAP_ENTRY_SUFFIX}", lower_underscore_to_upper_camel(map))
    } else {
        format!("{map}{MAP_ENTRY_SUFFIX}")
    }
}

/// Guava's `UPPER_CAMEL.to(LOWER_UNDERSCORE, s)`: an underscore before each upper-case
/// letter but the first, all lower case.
fn upper_camel_to_lower_underscore(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Guava's `LOWER_UNDERSCORE.to(UPPER_CAMEL, s)`: each `_`-separated word capitalised, the
/// rest lower case.
fn lower_underscore_to_upper_camel(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_names_follow_guava() {
        assert_eq!(map_field_name("FooBarEntry"), "foo_bar");
        assert_eq!(map_field_name("TagsEntry"), "tags");
        assert_eq!(map_entry_name("foo_bar"), "FooBarEntry");
        assert_eq!(map_entry_name("tags"), "tagsEntry");
        assert_eq!(map_entry_name("ConnectDefault2"), "ConnectDefault2Entry");
    }

    #[test]
    fn scalar_table() {
        assert_eq!(scalar_rule("uint32"), Some((SchemaType::Int64, true)));
        assert_eq!(scalar_rule("int64"), Some((SchemaType::Int64, false)));
        assert_eq!(
            keyword_for(SchemaType::Int64, Some("sint64")),
            Some("sint64")
        );
        assert_eq!(
            keyword_for(SchemaType::Int64, Some("sint32")),
            Some("int64")
        );
        assert_eq!(
            wrapper_for(SchemaType::Int16),
            Some(("google.protobuf.Int32Value", 4))
        );
        assert_eq!(
            wrapper_for(SchemaType::String),
            Some(("google.protobuf.StringValue", 7))
        );
    }
}
