//! An embedded Diffusion-compatible server.
//!
//! It speaks the Diffusion wire protocol (from `diffusion-wire`) over WebSocket well enough
//! for the official SDKs and our own client: principals with passwords, a topic tree of JSON,
//! string, int64, double, binary and time series topics, subscriptions by selector with
//! values and deltas, time series appends, edits and range queries, and removal. It is for
//! local runs, demos and tests, not a replacement for a Diffusion server in production (no
//! persistence, clustering or security roles).

#![warn(missing_docs)]

mod config;
mod fx;
mod removal;
mod series;
mod series_range;
mod server;
mod session;
mod tidy;
mod tls;
mod tree;

pub use config::{ConfigError, ServerConfig, TlsFiles};
pub use server::{Server, ServerHandle};
pub use tree::ServerStats;
