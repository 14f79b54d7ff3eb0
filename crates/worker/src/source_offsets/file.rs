//! Source offsets in a local file (`offset.storage.file.filename`), for `standalone` and
//! `worker` mode, as Kafka Connect's standalone worker keeps them. Kafka Connect's file is
//! a Java-serialized map; ours is JSON in Connect's key/value layout
//! (`{"offsets": [{"key": ["<connector>", {"topic": ...}], "value": {"sequence": N}}]}`),
//! readable and editable by hand. The whole file is rewritten on each store (one entry per
//! Diffusion topic, written once per `offset.flush.interval.ms`): to a temporary file,
//! synced, then renamed over the old one, so a crash leaves the old offsets or the new.

use std::io::Write;
use std::path::{Path, PathBuf};

use connectors::source_offsets::{
    key_bytes, MemoryOffsetStore, OffsetStore, OffsetStoreError, SourceOffset,
};
use serde_json::{json, Value as J};

/// Offsets kept in memory and written through to one file.
pub struct FileOffsetStore {
    path: PathBuf,
    memory: MemoryOffsetStore,
    /// One writer at a time: two tasks storing at once must not interleave renames.
    write: std::sync::Mutex<()>,
}

impl FileOffsetStore {
    /// Reads the file if it exists (a missing file is an empty store).
    pub fn open(path: &Path) -> Result<FileOffsetStore, OffsetStoreError> {
        let memory = MemoryOffsetStore::default();
        let io = |source| OffsetStoreError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                for (key, value) in parse(&bytes).map_err(|why| OffsetStoreError::Corrupt {
                    place: path.display().to_string(),
                    why,
                })? {
                    memory.apply(key, value);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        Ok(FileOffsetStore {
            path: path.to_owned(),
            memory,
            write: std::sync::Mutex::new(()),
        })
    }

    fn write_out(&self) -> Result<(), OffsetStoreError> {
        let _one = self.write.lock().unwrap();
        let io = |source| OffsetStoreError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let entries: Vec<J> = self
            .memory
            .entries()
            .into_iter()
            .map(|(k, v)| {
                // Keys are JSON text made by key_bytes (or read from this file).
                let key: J = serde_json::from_slice(&k).unwrap_or(J::Null);
                json!({"key": key, "value": v})
            })
            .collect();
        let text = serde_json::to_vec_pretty(&json!({ "offsets": entries }))
            .expect("JSON values serialise");
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&text).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

/// The entries of a file written by [`FileOffsetStore`]: (key bytes, value).
fn parse(bytes: &[u8]) -> Result<Vec<(Vec<u8>, J)>, String> {
    let j: J = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let entries = j
        .get("offsets")
        .and_then(J::as_array)
        .ok_or("no \"offsets\" list")?;
    entries
        .iter()
        .map(|e| {
            let key = e.get("key").ok_or("an entry without \"key\"")?;
            let (Some(connector), Some(partition)) = (
                key.get(0).and_then(J::as_str),
                key.get(1).filter(|p| p.is_object()),
            ) else {
                return Err(format!("key {key} is not [\"<connector>\", {{...}}]"));
            };
            let value = e.get("value").cloned().unwrap_or(J::Null);
            Ok((key_bytes(connector, partition), value))
        })
        .collect()
}

impl OffsetStore for FileOffsetStore {
    fn load(&self, connector: &str) -> Result<Vec<SourceOffset>, OffsetStoreError> {
        self.memory.load(connector)
    }

    fn store(&self, connector: &str, offsets: &[SourceOffset]) -> Result<(), OffsetStoreError> {
        self.memory.store(connector, offsets)?;
        self.write_out()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connectors::source_offsets::{sequence_offset, topic_partition};

    fn o(path: &str, n: u64) -> SourceOffset {
        SourceOffset {
            partition: topic_partition(path),
            offset: sequence_offset(n),
        }
    }

    #[test]
    fn offsets_survive_reopening_and_nulls_remove() {
        let dir = std::env::temp_dir().join(format!("dkc-offsets-{}", std::process::id()));
        let path = dir.join("sub").join("connect.offsets");
        let _ = std::fs::remove_dir_all(&dir);
        let s = FileOffsetStore::open(&path).unwrap();
        assert!(s.load("a").unwrap().is_empty());
        s.store("a", &[o("x", 1), o("y/z", 2)]).unwrap();
        s.store("b", &[o("x", 7)]).unwrap();
        s.store("a", &[o("x", 5)]).unwrap();
        let again = FileOffsetStore::open(&path).unwrap();
        let mut a = again.load("a").unwrap();
        a.sort_by_key(|e| e.partition.to_string());
        assert_eq!(a, vec![o("x", 5), o("y/z", 2)]);
        again
            .store(
                "a",
                &[SourceOffset {
                    partition: topic_partition("x"),
                    offset: J::Null,
                }],
            )
            .unwrap();
        let third = FileOffsetStore::open(&path).unwrap();
        assert_eq!(third.load("a").unwrap(), vec![o("y/z", 2)]);
        assert_eq!(third.load("b").unwrap(), vec![o("x", 7)]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""sequence": 7"#), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_that_is_not_ours_is_named() {
        let path = std::env::temp_dir().join(format!("dkc-offsets-bad-{}", std::process::id()));
        std::fs::write(&path, b"\xac\xed\x00\x05java serialization").unwrap();
        let e = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(
            e.contains(&path.display().to_string()) && e.contains("not JSON"),
            "{e}"
        );
        std::fs::write(&path, br#"{"offsets": [{"key": "x"}]}"#).unwrap();
        let e = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(e.contains("is not [\"<connector>\""), "{e}");
        let _ = std::fs::remove_file(&path);
    }
}
