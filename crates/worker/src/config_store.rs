//! Where a `worker` keeps its connectors' configs and target states across restarts: one
//! JSON file, replaced atomically (write a temporary file, then rename) so that a crash
//! mid-write leaves the previous version. A multi-worker mode would keep these in Kafka
//! Connect's compacted config topic instead (`config.storage.topic`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::FileError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetState {
    Started,
    Paused,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredConnector {
    /// As given, config provider references unresolved (secrets stay out of the file).
    pub config: BTreeMap<String, String>,
    pub target_state: TargetState,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    connectors: BTreeMap<String, StoredConnector>,
}

pub struct ConfigStore {
    path: PathBuf,
}

impl ConfigStore {
    pub fn new(path: PathBuf) -> ConfigStore {
        ConfigStore { path }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The stored connectors; none if the file does not exist yet.
    pub fn load(&self) -> Result<BTreeMap<String, StoredConnector>, FileError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<File>(&bytes)
                .map(|f| f.connectors)
                .map_err(|e| FileError::Invalid {
                    path: self.path.clone(),
                    what: "connector store",
                    reason: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(source) => Err(FileError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    pub fn save(&self, connectors: &BTreeMap<String, StoredConnector>) -> Result<(), FileError> {
        let file = File {
            connectors: connectors.clone(),
        };
        // Strings and plain enums only: serialising cannot fail.
        let text = serde_json::to_vec_pretty(&file).expect("a store serialises");
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, &self.path))
            .map_err(|source| FileError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("dkc-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = ConfigStore::new(dir.join("connectors.json"));
        let _ = std::fs::remove_file(store.path());
        assert!(store.load().unwrap().is_empty());
        let c: BTreeMap<String, StoredConnector> = [(
            "s".to_owned(),
            StoredConnector {
                config: [("diffusion.password".to_owned(), "${env:PW}".to_owned())].into(),
                target_state: TargetState::Paused,
            },
        )]
        .into();
        store.save(&c).unwrap();
        assert_eq!(store.load().unwrap(), c);
        assert!(std::fs::read_to_string(store.path())
            .unwrap()
            .contains("\"PAUSED\""));
    }
}
