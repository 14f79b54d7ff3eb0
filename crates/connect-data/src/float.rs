//! Floating-point numbers between Connect values and the CBOR in Diffusion JSON topics:
//! `diffusion_wire::float`'s rules (a half or single reads as the double nearest its
//! shortest decimal; a double is written in the shortest width that reads back unchanged),
//! which the sink's writer and the source's reader share.

pub use diffusion_wire::float::{needs_double_width, single_to_double, write_double};
