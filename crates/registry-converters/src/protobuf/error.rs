//! The errors of the Protobuf mapping: each names the field (a dotted path from the
//! message) or the schema element, and the problem.

/// What went wrong reading or writing Protobuf data or schemas.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProtobufError {
    /// The schema text (or a reference) does not compile.
    #[error("invalid Protobuf schema: {0}")]
    InvalidSchema(String),
    /// The schema defines no message, so nothing can be read or written with it.
    #[error("the Protobuf schema defines no message")]
    NoMessage,
    /// The message indexes before the message bytes are malformed.
    #[error("bad message indexes: {0}")]
    BadIndexes(String),
    /// The message indexes name no message of the schema.
    #[error("the message indexes {0:?} name no message of the schema")]
    NoSuchMessage(Vec<i32>),
    /// The message bytes do not decode as the message.
    #[error("cannot decode message {message}: {reason}")]
    Decode {
        /// The message's full name.
        message: String,
        /// The decoder's complaint.
        reason: String,
    },
    /// A message refers to itself (directly or not); a Connect schema is a tree and cannot
    /// hold it (Confluent builds a cyclic schema).
    #[error("message {0} is recursive; a Connect schema cannot express it")]
    Recursive(String),
    /// A value in a field breaks the rules of its type (a bad date, an out-of-range
    /// timestamp, a decimal that does not fit).
    #[error("field {field}: {problem}")]
    BadValue {
        /// Dotted path of the field from the message.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The Connect schema has no Protobuf form (Confluent refuses it too).
    #[error("Connect schema at {path} cannot be written as Protobuf: {problem}")]
    UnsupportedSchema {
        /// Dotted path of the schema element from the root (`<root>` for the root).
        path: String,
        /// Why.
        problem: String,
    },
    /// There is no schema: Confluent's converter writes a null value as a null record and
    /// fails on any other schemaless value.
    #[error("a value without a schema cannot be written as Protobuf")]
    NoSchema,
    /// A null value: the converter writes it as a null record (a tombstone), not as bytes.
    #[error("a null value is written as a null record, not as Protobuf bytes")]
    NullValue,
    /// A Connect value does not match its schema, or the message field it goes to.
    #[error("field {field}: {problem}")]
    Mismatch {
        /// Dotted path of the field from the message.
        field: String,
        /// What does not match.
        problem: String,
    },
}
