//! Why the worker cannot start or go on: what `main` prints before it exits with 1. Each
//! variant names what to fix (a file, a key, a port); the source says what went wrong.

use std::net::SocketAddr;
use std::path::PathBuf;

use connectors::ConfigError;

use crate::cluster::ClusterError;
use crate::herder::HerderError;

/// A file the worker reads or writes (properties, connector configs, the connector store).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// It could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// It could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Its content is not what it should be.
    #[error("{} is not a valid {what}: {reason}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What it should have been (`properties file`, `connector config`, ...).
        what: &'static str,
        /// Where and why it is not.
        reason: String,
    },
}

/// Why a command (`standalone`, `worker`, `distributed`, `demo`, `diffusion-server`) stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// A file could not be used.
    #[error(transparent)]
    File(#[from] FileError),
    /// A properties or connector file with bad keys, every one named.
    #[error("{} is not valid:\n{}", .path.display(), list(.errors))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// One entry per bad key.
        errors: Vec<ConfigError>,
    },
    /// One bad setting (a worker property).
    #[error("{0}")]
    Setting(ConfigError),
    /// Connector config files with bad keys, every one named, before anything started.
    #[error("invalid connector config:\n{}", invalid_connectors(.0))]
    InvalidConnectors(Vec<InvalidConnector>),
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(&'static str),
    /// The REST API (or the Diffusion server) could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The cluster's topics could not be used.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// A connector could not be created or started.
    #[error("{name}: {source}")]
    Connector {
        /// The connector.
        name: String,
        /// Why.
        #[source]
        source: HerderError,
    },
    /// Kafka cannot be reached or used (the demo's check, its sample producer).
    #[error("{what}: {reason}")]
    Kafka {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// The embedded Diffusion server or the demo's publisher failed.
    #[error("{what}: {reason}")]
    Diffusion {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
}

impl From<ConfigError> for WorkerError {
    fn from(e: ConfigError) -> Self {
        WorkerError::Setting(e)
    }
}

/// A connector config file whose keys do not validate.
#[derive(Debug)]
pub struct InvalidConnector {
    /// The connector's name.
    pub name: String,
    /// Its file.
    pub path: PathBuf,
    /// One entry per bad key.
    pub errors: Vec<ConfigError>,
}

fn invalid_connectors(all: &[InvalidConnector]) -> String {
    let each: Vec<String> = all
        .iter()
        .map(|c| format!("{} ({}):\n{}", c.name, c.path.display(), list(&c.errors)))
        .collect();
    each.join("\n")
}

/// One problem per line, indented, for a file with several.
pub(crate) fn list(errors: &[ConfigError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
    lines.join("\n")
}
