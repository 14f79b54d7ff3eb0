//! Confluent's ProtobufConverter data mapping (`ProtobufData`), both ways, with Confluent's
//! default configuration. The registry framing (magic byte and schema id) is not here: a
//! payload is what follows it, the message indexes and then the message.
//!
//! Protobuf to Connect ([`decode`]):
//! - The message the indexes name is a STRUCT named by its simple name (not optional); a
//!   wrapper message (`google.protobuf.StringValue`, ...) read at the top is its primitive
//!   (wrapper.for.raw.primitives=true; UInt32Value and UInt64Value are INT64).
//! - Every field is optional and carries the parameter `io.confluent.connect.protobuf.Tag` =
//!   its number. Real oneofs come first, each an optional STRUCT field `<oneof>_<index>`
//!   named `io.confluent.connect.protobuf.Union.<oneof>` whose members are its fields; the
//!   other fields follow in declaration order.
//! - Scalars: see [`rules::SCALARS`] (uint32/fixed32/uint64/sint64/fixed64/sfixed64 are INT64,
//!   sint32/sfixed32 INT32, each with the parameter `io.confluent.connect.protobuf.Type`);
//!   `(confluent.field_meta).params` `connect.type` int8/int16 gives INT8/INT16.
//! - An enum is a STRING named by the enum's simple name with the parameters
//!   `io.confluent.connect.protobuf.Enum` = that name and `...Enum.<SYMBOL>` = number.
//! - `repeated` is an optional ARRAY of optional elements; a map field (a repeated `...Entry`
//!   message of `key` and `value`) is a MAP named after the entry (`FooBarEntry`: `foo_bar`).
//! - `confluent.type.Decimal` is Decimal (scale and precision from the field's meta params),
//!   `google.type.Date` Date, `google.type.TimeOfDay` Time, `google.protobuf.Timestamp`
//!   Timestamp (ms, truncated); each with version 1. Other messages, wrappers included, are
//!   structs.
//! - Values: unset scalars, enums and repeated fields are their defaults; unset messages, proto3
//!   `optional` and proto2 optional fields (optional.for.proto2=true) are null.
//!
//! Connect to Protobuf ([`ProtobufSchema::from_connect`], [`encode`]): see `from_connect`.
//!
//! Configuration options left out (the defaults are built in): `enhanced.protobuf.schema.support`,
//! `scrub.invalid.names`, `int.for.enums`, `optional.for.nullables`, `optional.for.proto2`
//! (always true), `wrapper.for.nullables`, `wrapper.for.raw.primitives` (always true),
//! `generate.struct.for.nulls`, `generate.index.for.unions` (always true), `flatten.unions`,
//! `generalized.sum.type.support`, `ignore.default.for.nullables`, `schemas.cache.config`
//! (one Connect schema per message, cached in the [`ProtobufSchema`]).
//!
//! Where we differ from Confluent, and why:
//! - A recursive message is an error ([`ProtobufError::Recursive`]): a Connect schema here is a
//!   tree (Confluent builds a cyclic one).
//! - Map entries come in key order (prost-reflect keeps maps in a hash map; Java's HashMap
//!   order is arbitrary too).
//! - Dates are proleptic Gregorian (Java's Calendar switches to Julian before 1582).
//! - A Decimal message with empty value bytes is 0 (Java throws).
//! - Schema generation: oneof members without a Tag parameter take the next field number
//!   (Confluent writes 0, which no Protobuf compiler accepts); Connect defaults are not written
//!   (proto3 has none); a root Decimal/Date/Time/Timestamp is refused (Confluent writes a
//!   logical message under a wrapper schema).

mod builtin;
mod decode;
mod encode;
mod error;
mod format;
mod from_connect;
pub mod indexes;
pub mod rules;
mod schema;
mod to_connect;
mod values;

pub use decode::decode;
pub use encode::encode;
pub use error::ProtobufError;
pub use format::{Protobuf, PROTOBUF_CONVERTER};
pub use schema::ProtobufSchema;

impl ProtobufSchema {
    /// fromConnectSchema: the .proto file (proto3) Confluent generates for a Connect schema,
    /// writing values as its root message. A primitive is written as its wrapper message of
    /// `google/protobuf/wrappers.proto` (that file's text is the schema: STRING is
    /// `google.protobuf.StringValue`, indexes `[7]`). `None`, an ARRAY or a MAP is refused,
    /// as Confluent refuses them.
    pub fn from_connect(
        schema: Option<&connect_data::Schema>,
    ) -> Result<ProtobufSchema, ProtobufError> {
        from_connect::from_connect(schema)
    }
}
