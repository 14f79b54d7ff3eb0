//! A record as transforms see it: Kafka Connect's `ConnectRecord` (a `SinkRecord` in a
//! sink, a `SourceRecord` in a source).

use connect_data::SchemaAndValue;

/// One header: a key and a Connect value.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header's key; several headers may share one.
    pub key: String,
    /// Its value and schema.
    pub value: SchemaAndValue,
}

/// A record between converters and connector.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// The Kafka topic: read from (sink) or to write to (source); routers change it.
    pub topic: String,
    /// The Kafka partition, if known.
    pub partition: Option<i32>,
    /// The offset in its partition: a sink record's; `None` for a source record (which
    /// some transforms refuse, as Kafka's do).
    pub offset: Option<i64>,
    /// The Kafka timestamp, epoch milliseconds.
    pub timestamp: Option<i64>,
    /// The key and its schema.
    pub key: SchemaAndValue,
    /// The value and its schema; a null value is a tombstone.
    pub value: SchemaAndValue,
    /// The headers, in order.
    pub headers: Vec<Header>,
}

impl ConnectRecord {
    /// Whether this is a sink record (it has an offset).
    pub fn is_sink(&self) -> bool {
        self.offset.is_some()
    }
}
