//! The Diffusion sink and source connectors.
//!
//! Layer: combines `diffusion-client` and `connect-data`; run by the `worker`. Not yet
//! implemented (issues 5 and 6).
