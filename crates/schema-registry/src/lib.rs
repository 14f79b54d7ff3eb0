//! Confluent's Schema Registry as the registry converters use it.
//!
//! Layer: knows nothing of Connect data, Kafka clients or Diffusion; the converters in
//! `registry-converters` build on it.

#![warn(missing_docs)]
