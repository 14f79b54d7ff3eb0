//! The Diffusion wire protocol as a pure codec.
//!
//! Everything here turns bytes into typed values and back; nothing opens a socket or
//! spawns a task, so the client, the server and the fuzz targets share one definition of
//! the protocol. The layout follows what the official SDKs put on the wire (see
//! `shared/diffusion-protocol/NOTES.md` and the vectors under `tests/`).

#![warn(missing_docs)]

mod cbor_head;
pub mod codec;
pub mod connection;
pub mod credentials;
pub mod delta;
pub mod error;
pub mod float;
mod json_fast;
pub mod json_text;
pub mod message;
pub mod path;
pub mod selector;
pub mod service;
pub mod timeseries;
pub mod topic;
pub mod value;
pub mod value_path;

pub use codec::{DecodeError, Reader, Writer};
pub use connection::{ConnectionRequest, ConnectionResponse, ResponseCode};
pub use credentials::Credentials;
pub use error::ErrorReason;
pub use message::Message;
pub use selector::{Selector, SelectorError};
pub use timeseries::{EventMetadata, RawEvent, TimeSeriesEvent};
pub use topic::{TopicSpecification, TopicType};
pub use value::{Value, ValueError};
