//! The Kafka Connect data model: schemas, values and the String and JSON converters.
//!
//! Layer: knows nothing of Diffusion or Kafka I/O; used by `connectors`. Not yet implemented
//! (issue 5).
