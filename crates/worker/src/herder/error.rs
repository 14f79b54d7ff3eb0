//! What a herder operation answers when it cannot do what was asked; the REST API maps each
//! kind to its status code.

use connectors::ConfigError;

use crate::cluster::ClusterError;
use crate::error::FileError;

/// Why a change or query was refused.
#[derive(Debug, thiserror::Error)]
pub enum HerderError {
    /// No such connector (or task): 404.
    #[error("{0}")]
    NotFound(String),
    /// The connector exists already: 409.
    #[error("{0}")]
    Conflict(String),
    /// A config that does not validate: one entry per key (400).
    #[error("invalid config: {}", list(.0))]
    Invalid(Vec<ConfigError>),
    /// The request cannot be honoured as asked (wrong state, wrong kind): 400.
    #[error("{0}")]
    BadRequest(String),
    /// Kafka failed, with Connect's text for it: 500.
    #[error("{0}")]
    Internal(String),
    /// The cluster's config topic could not take the change: 500.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The connector store could not be written: 500.
    #[error(transparent)]
    Store(#[from] FileError),
}

fn list(errors: &[ConfigError]) -> String {
    let list: Vec<String> = errors.iter().map(ConfigError::to_string).collect();
    list.join("; ")
}

impl HerderError {
    /// Connect's answer for a connector that does not exist.
    pub(super) fn not_found(name: &str) -> HerderError {
        HerderError::NotFound(format!("Connector {name} not found"))
    }
}
