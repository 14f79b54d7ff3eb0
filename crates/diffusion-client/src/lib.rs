//! A Rust Diffusion client: sessions, topic control and subscriptions over WebSocket.
//!
//! It sends exactly what the official Python SDK sends (protocol 25; see the frame
//! comparison test), so it works with the servers that SDK works with. One task per session
//! owns the socket; callers talk to it through bounded channels, so memory stays bounded:
//! in-flight requests are limited by a semaphore, and a consumer that does not keep up
//! with topic events slows the socket reader rather than growing a queue.

#![warn(missing_docs)]

mod driver;
mod error;
mod id_hash;
mod options;
mod session;
mod slots;
mod tls;
mod upgrade;
mod websocket;

pub use diffusion_wire::service::{AddTopicResult, UnsubscribeReason};
pub use diffusion_wire::value::cbor_slice_to_json_text;
pub use diffusion_wire::{
    EventMetadata, Selector, SelectorError, TimeSeriesEvent, TopicSpecification, TopicType, Value,
};
pub use error::ClientError;
pub use options::{ReconnectPolicy, SessionOptions};
pub use session::{Pending, QueryPage, Session, SessionState, TopicEvent};
pub use tls::TlsOptions;
