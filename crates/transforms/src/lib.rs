//! Kafka Connect's Single Message Transforms and predicates: the class names, config keys
//! and results of Apache Kafka's own (`org.apache.kafka.connect.transforms.*`), applied to
//! records of the Connect data model (`connect-data`).
//!
//! A connector config names a chain (`transforms=a,b`, `transforms.a.type=<class>`,
//! `transforms.a.<key>`, `predicates=p`, `transforms.a.predicate=p`,
//! `transforms.a.negate`); [`Chain::from_config`] builds it, naming every bad key, and
//! [`Chain::apply`] runs a record through it: a transform may change the record, drop it
//! (`Filter`), or fail it (the caller's error path, stage `TRANSFORMATION`).
//!
//! Layer: knows the Connect data model only; the connectors apply the chain after the
//! converters in a sink and before them in a source, as Kafka Connect does. Tests hold
//! the results equal to Kafka's own transforms run on the same cases (`tests/kafka.rs`).

#![warn(missing_docs)]

mod chain;
mod date_format;
mod error;
mod field_path;
mod java_num;
mod java_regex;
mod predicates;
mod props;
mod record;
mod side;
mod transforms;
mod values_parse;

pub use chain::Chain;
pub use error::{ConfigError, TransformError};
pub use record::{ConnectRecord, Header};
