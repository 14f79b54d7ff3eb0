//! An embedded Diffusion-compatible server.
//!
//! It speaks the Diffusion wire protocol (from `diffusion-wire`) over WebSocket well enough
//! for the official SDKs and our own client: principals with passwords, a topic tree of JSON,
//! string, int64, double and binary topics, subscriptions by selector with values and
//! deltas, and removal. It is for local runs, demos and tests, not a replacement for a
//! Diffusion server in production (no persistence, clustering, security roles or
//! time series).

#![warn(missing_docs)]

mod config;
mod removal;
mod server;
mod session;
mod tidy;
mod tls;
mod tree;

pub use config::{ConfigError, ServerConfig, TlsFiles};
pub use server::{Server, ServerHandle};
pub use tree::ServerStats;
