//! Errors of the Avro mapping: each names where in the schema or value it happened (a path
//! such as `order.lines[2].price`, or `<root>` at the top) and what was wrong.

use thiserror::Error;

/// Why an Avro schema or value could not be mapped.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AvroError {
    /// The schema text is not an Avro schema (bad JSON, unknown type, missing name, ...).
    #[error("invalid Avro schema at {path}: {problem}")]
    InvalidSchema {
        /// Where in the schema.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The Avro schema is valid but has no Connect equivalent (a standalone null, a
    /// recursive record, clashing union branches, ...), as Confluent's AvroData refuses it.
    #[error("Avro schema at {path} has no Connect equivalent: {problem}")]
    Unsupported {
        /// Where in the schema.
        path: String,
        /// What Connect cannot express.
        problem: String,
    },
    /// The Connect schema cannot be written as Avro (a Decimal without a scale, ...).
    #[error("Connect schema at {path} cannot be written as Avro: {problem}")]
    InvalidConnectSchema {
        /// Where in the schema.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The Avro body does not match its schema (truncated, a bad union index, ...).
    #[error("malformed Avro data at {path}: {problem}")]
    Malformed {
        /// Where in the value.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// An Avro decimal whose unscaled value does not fit the 128 bits Connect data holds.
    #[error("Avro decimal at {path} has a {bytes}-byte unscaled value; at most 16 bytes (i128) are supported")]
    DecimalTooLarge {
        /// Where in the value.
        path: String,
        /// The unscaled value's length in bytes (after dropping sign bytes).
        bytes: usize,
    },
    /// The Connect value does not match its schema (a string for an int32, a null for a
    /// required field, a Decimal of another scale, ...).
    #[error("Connect value at {path} does not match its schema: {problem}")]
    ValueMismatch {
        /// Where in the value.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// A field path being walked, for error messages.
#[derive(Debug, Clone, Default)]
pub(crate) struct Path(String);

impl Path {
    pub(crate) fn root() -> Path {
        Path(String::new())
    }

    /// `parent.name`.
    pub(crate) fn field(&self, name: &str) -> Path {
        if self.0.is_empty() {
            Path(name.to_owned())
        } else {
            Path(format!("{}.{name}", self.0))
        }
    }

    /// `parent[i]`.
    pub(crate) fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }

    /// `parent<what>`, e.g. `<key>` of a map entry or `<union int>`.
    pub(crate) fn tag(&self, what: &str) -> Path {
        Path(format!("{}<{what}>", self.0))
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("<root>")
        } else {
            f.write_str(&self.0)
        }
    }
}

impl Path {
    pub(crate) fn invalid(&self, problem: impl Into<String>) -> AvroError {
        AvroError::InvalidSchema {
            path: self.to_string(),
            problem: problem.into(),
        }
    }
    pub(crate) fn unsupported(&self, problem: impl Into<String>) -> AvroError {
        AvroError::Unsupported {
            path: self.to_string(),
            problem: problem.into(),
        }
    }
    pub(crate) fn bad_connect(&self, problem: impl Into<String>) -> AvroError {
        AvroError::InvalidConnectSchema {
            path: self.to_string(),
            problem: problem.into(),
        }
    }
    pub(crate) fn malformed(&self, problem: impl Into<String>) -> AvroError {
        AvroError::Malformed {
            path: self.to_string(),
            problem: problem.into(),
        }
    }
    pub(crate) fn mismatch(&self, problem: impl Into<String>) -> AvroError {
        AvroError::ValueMismatch {
            path: self.to_string(),
            problem: problem.into(),
        }
    }
}
