//! The sink task: Kafka records in, Diffusion updates out, offsets committed only for what
//! Diffusion confirmed.
//!
//! One stage per file, in the order a record passes them:
//! - `read`: the Kafka consumer (Connect's group), its rebalance callback, the lag;
//! - `prepare`: key and value converted, destination resolved, the Diffusion update;
//! - `conflate`: with `diffusion.conflation=latest`, records waiting for the window, a
//!   newer one for a destination replacing a waiting older one;
//! - `publish`: the in-flight window: sent in order, confirmed in order, sent again
//!   after a reconnection;
//! - `offsets`: what may be committed (what settled), handed to librdkafka to commit;
//! - `metrics`: the counters the worker shows;
//! - `task`: the loop that joins them, and the error path.
//!
//! The window and the offsets take their Diffusion session and Kafka consumer through
//! small traits (`Publisher`, `OffsetStore`), so their state
//! machines have unit tests with in-memory stand-ins; `tests/sink.rs` runs the whole
//! task against Apache Kafka and our Diffusion server.

mod conflate;
mod event_time;
mod latency;
mod metrics;
mod offsets;
mod prepare;
mod publish;
mod read;
mod task;

pub use latency::LatencyHistogram;
pub use metrics::SinkMetrics;
pub use task::run_sink;
