//! The Diffusion sink and source connectors, configured exactly as the Java connector is.
//!
//! Layer: turns Kafka records into Diffusion updates (and back) using `connect-data` for
//! the data model and `diffusion-client` for Diffusion; the `worker` runs them.

// Errors here end a task or refuse a config: rare, so they carry librdkafka's error
// (80 bytes) whole rather than boxed at every site; the happy path returns `Ok(())`.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod active_topics;
pub mod config;
pub mod converters;
pub mod definitions;
mod diffusion;
pub mod errors;
pub mod kafka;
pub mod kafka_context;
mod kafka_writer;
pub mod keys;
pub mod pattern;
pub mod sink;
pub mod source;
pub mod source_config;
pub mod source_offsets;
pub mod status;
pub mod task_error;
pub mod topic_name;

pub use config::{ConfigError, ConnectorConfig, SinkConfig};
pub use sink::run_sink;
pub use source::run_source;
pub use source_config::SourceConfig;
pub use status::{TaskState, TaskStatus};
pub use task_error::TaskError;

/// `connector.class` of the sink (Kafka to Diffusion): the Java connector's class name, so
/// configs written for it run here unchanged.
pub const SINK_CLASS: &str = "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector";
/// `connector.class` of the source (Diffusion to Kafka): the Java connector's class name,
/// so configs written for it run here unchanged.
pub const SOURCE_CLASS: &str =
    "com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector";
