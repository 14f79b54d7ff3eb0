//! A source's offsets, as Kafka Connect keeps them: per source partition (a JSON map, here
//! `{"topic": <Diffusion path>}`, the Java connector's own partition map) an offset (a JSON
//! map, here `{"sequence": N, "timestamp": T}` for a time series topic: the last event
//! handed to Kafka and acknowledged by it; the timestamp is optional when set by hand).
//!
//! Where they are kept is the worker's business (a file in `standalone` and `worker` mode,
//! the offsets topic in `distributed` mode), behind [`OffsetStore`]; the entries use
//! Connect's layout in both, a key `["<connector>", <partition>]` and a value `<offset>`,
//! both JSON, so one format serves the file, the topic and the REST API.
//!
//! Calls are synchronous: a store is read once when a task starts and written once per
//! `offset.flush.interval.ms`, so callers run them on a blocking thread.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value as J};

/// One source partition's offset; `offset` null forgets the partition (a tombstone).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceOffset {
    /// The source partition, e.g. `{"topic": "prices/EURUSD"}`.
    pub partition: J,
    /// The offset, e.g. `{"sequence": 41}`; null: none.
    pub offset: J,
}

/// Why offsets could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum OffsetStoreError {
    /// The file could not be read or written.
    #[error("offset file {path}: {source}")]
    Io {
        /// The file (`offset.storage.file.filename`).
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file or topic holds something that is not Connect's layout.
    #[error("offsets in {place} cannot be read: {why}")]
    Corrupt {
        /// The file or topic.
        place: String,
        /// What is wrong.
        why: String,
    },
    /// The offsets topic could not be read or written.
    #[error("offsets topic {topic}: {why}")]
    Kafka {
        /// `offset.storage.topic`.
        topic: String,
        /// librdkafka's reason.
        why: String,
    },
}

/// Where a worker keeps its sources' offsets.
pub trait OffsetStore: Send + Sync + 'static {
    /// Every offset stored for `connector`.
    fn load(&self, connector: &str) -> Result<Vec<SourceOffset>, OffsetStoreError>;
    /// Stores `offsets` (null offsets remove their partition), durably before returning.
    fn store(&self, connector: &str, offsets: &[SourceOffset]) -> Result<(), OffsetStoreError>;
}

/// A source task's store, if the worker keeps offsets (none: a restarted source starts
/// from what its subscription delivers).
pub type SharedOffsetStore = Option<Arc<dyn OffsetStore>>;

/// Connect's key for a connector's partition: `["<connector>", <partition>]` as JSON text.
pub fn key_bytes(connector: &str, partition: &J) -> Vec<u8> {
    json!([connector, partition]).to_string().into_bytes()
}

/// The connector and partition of a key written by [`key_bytes`] (or by Kafka Connect);
/// None for anything else.
pub fn parse_key(bytes: &[u8]) -> Option<(String, J)> {
    match serde_json::from_slice::<J>(bytes).ok()? {
        J::Array(mut a) if a.len() == 2 => {
            let partition = a.pop()?;
            let connector = a.pop()?.as_str()?.to_owned();
            Some((connector, partition))
        }
        _ => None,
    }
}

/// The source partition of a Diffusion topic (the Java connector's map).
pub fn topic_partition(path: &str) -> J {
    json!({ "topic": path })
}

/// The path of a source partition made by [`topic_partition`].
pub fn partition_topic(partition: &J) -> Option<&str> {
    partition.get("topic")?.as_str()
}

/// A time series offset: the last sequence number acknowledged by Kafka.
pub fn sequence_offset(sequence: u64) -> J {
    json!({ "sequence": sequence })
}

/// A time series offset with the event's timestamp too, so a resuming source can tell the
/// same topic from one removed and added again (whose sequences start again from 0).
pub fn event_offset(sequence: u64, timestamp_ms: i64) -> J {
    json!({ "sequence": sequence, "timestamp": timestamp_ms })
}

/// The timestamp of an offset made by [`event_offset`], if it has one.
pub fn offset_timestamp(offset: &J) -> Option<i64> {
    match offset.get("timestamp")? {
        J::Number(n) => n.as_i64(),
        J::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The sequence of an offset made by [`sequence_offset`] (a number, or its text).
pub fn offset_sequence(offset: &J) -> Option<u64> {
    match offset.get("sequence")? {
        J::Number(n) => n.as_u64(),
        J::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Offsets in memory: what a store holds, keyed by Connect's key bytes. The file store
/// keeps one of these and writes it through; tests use it alone.
#[derive(Default)]
pub struct MemoryOffsetStore {
    entries: Mutex<BTreeMap<Vec<u8>, J>>,
}

impl MemoryOffsetStore {
    /// Applies one entry as read back from a file or topic (null value: removed).
    pub fn apply(&self, key: Vec<u8>, value: J) {
        let mut e = self.entries.lock().unwrap();
        if value.is_null() {
            e.remove(&key);
        } else {
            e.insert(key, value);
        }
    }

    /// Every entry, for writing a file out.
    pub fn entries(&self) -> Vec<(Vec<u8>, J)> {
        let e = self.entries.lock().unwrap();
        e.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl OffsetStore for MemoryOffsetStore {
    fn load(&self, connector: &str) -> Result<Vec<SourceOffset>, OffsetStoreError> {
        let e = self.entries.lock().unwrap();
        Ok(e.iter()
            .filter_map(|(k, v)| {
                let (c, partition) = parse_key(k)?;
                (c == connector).then(|| SourceOffset {
                    partition,
                    offset: v.clone(),
                })
            })
            .collect())
    }

    fn store(&self, connector: &str, offsets: &[SourceOffset]) -> Result<(), OffsetStoreError> {
        for o in offsets {
            self.apply(key_bytes(connector, &o.partition), o.offset.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_use_connects_layout() {
        let k = key_bytes("src", &topic_partition("a/b"));
        assert_eq!(k, br#"["src",{"topic":"a/b"}]"#);
        let (c, p) = parse_key(&k).unwrap();
        assert_eq!(c, "src");
        assert_eq!(partition_topic(&p), Some("a/b"));
        assert_eq!(parse_key(b"{}"), None);
        assert_eq!(parse_key(b"[1, {}]"), None);
        assert_eq!(parse_key(b"not json"), None);
    }

    #[test]
    fn sequences_read_as_numbers_or_text() {
        assert_eq!(offset_sequence(&sequence_offset(41)), Some(41));
        assert_eq!(offset_sequence(&json!({"sequence": "7"})), Some(7));
        assert_eq!(offset_sequence(&json!({"sequence": -1})), None);
        assert_eq!(offset_sequence(&json!({})), None);
    }

    #[test]
    fn memory_store_keeps_each_connectors_own_and_forgets_on_null() {
        let s = MemoryOffsetStore::default();
        let o = |p: &str, n: u64| SourceOffset {
            partition: topic_partition(p),
            offset: sequence_offset(n),
        };
        s.store("a", &[o("x", 1), o("y", 2)]).unwrap();
        s.store("b", &[o("x", 9)]).unwrap();
        s.store("a", &[o("x", 3)]).unwrap();
        let mut a = s.load("a").unwrap();
        a.sort_by_key(|e| e.partition.to_string());
        assert_eq!(a, vec![o("x", 3), o("y", 2)]);
        s.store(
            "a",
            &[SourceOffset {
                partition: topic_partition("x"),
                offset: J::Null,
            }],
        )
        .unwrap();
        assert_eq!(s.load("a").unwrap(), vec![o("y", 2)]);
        assert_eq!(s.load("b").unwrap(), vec![o("x", 9)]);
    }
}
