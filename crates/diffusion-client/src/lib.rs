//! A Rust Diffusion client: sessions, topic control and subscriptions over WebSocket.
//!
//! Layer: built on `diffusion-wire`; used by `connectors`. Not yet implemented (issue 4).
