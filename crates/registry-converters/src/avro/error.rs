//! Errors of the Avro mapping: each names where in the schema or value it happened (a path
//! such as `order.lines[2].price`, or `<root>` at the top) and what was wrong.

use std::borrow::Cow;

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

/// A field path being walked, for error messages: a chain of borrowed segments, rendered
/// only when an error names it (walking a value must not allocate per field).
#[derive(Debug, Clone)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone)]
enum Segment<'a> {
    Root,
    Field(Cow<'a, str>),
    Index(usize),
    Tag(Cow<'a, str>),
    Union(&'a str),
}

impl Default for Path<'_> {
    fn default() -> Self {
        Path::root()
    }
}

impl<'a> Path<'a> {
    pub(crate) fn root() -> Path<'static> {
        Path {
            parent: None,
            segment: Segment::Root,
        }
    }

    /// `parent.name`.
    pub(crate) fn field<'b>(&'b self, name: impl Into<Cow<'b, str>>) -> Path<'b> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name.into()),
        }
    }

    /// `parent[i]`.
    pub(crate) fn index(&self, i: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            segment: Segment::Index(i),
        }
    }

    /// `parent<what>`, e.g. `<key>` of a map entry or `<union int>`.
    pub(crate) fn tag<'b>(&'b self, what: impl Into<Cow<'b, str>>) -> Path<'b> {
        Path {
            parent: Some(self),
            segment: Segment::Tag(what.into()),
        }
    }

    /// `parent<union name>`: the union branch `name`.
    pub(crate) fn union<'b>(&'b self, name: &'b str) -> Path<'b> {
        Path {
            parent: Some(self),
            segment: Segment::Union(name),
        }
    }

    fn render(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.render(out);
        }
        match &self.segment {
            Segment::Root => {}
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Segment::Tag(what) => {
                out.push('<');
                out.push_str(what);
                out.push('>');
            }
            Segment::Union(name) => {
                out.push_str("<union ");
                out.push_str(name);
                out.push('>');
            }
        }
    }
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.render(&mut out);
        if out.is_empty() {
            f.write_str("<root>")
        } else {
            f.write_str(&out)
        }
    }
}

impl Path<'_> {
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
