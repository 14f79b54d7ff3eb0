//! What can go wrong between JSON Schema and Connect data, each naming where.

/// A JSON Schema that has no Connect form, or a value that does not fit its schema.
///
/// Schema paths are JSON Pointers into the schema document (`#/properties/a/oneOf/1`);
/// value paths start at `$` (`$.a[3].b`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonSchemaError {
    /// The schema text is not JSON.
    #[error("the JSON Schema is not JSON: {0}")]
    SchemaSyntax(String),
    /// The schema is JSON but has no Connect form (or is not a schema at all).
    #[error("JSON Schema at {path}: {problem}")]
    Schema {
        /// Where in the schema document (a JSON Pointer).
        path: String,
        /// What is wrong there.
        problem: String,
    },
    /// The record body is not UTF-8 JSON.
    #[error("the record body is not JSON: {0}")]
    BodySyntax(String),
    /// A value (read or written) does not fit its schema.
    #[error("value at {path}: {problem}")]
    Value {
        /// Where in the value (`$` is the whole value).
        path: String,
        /// What is wrong there.
        problem: String,
    },
}

impl JsonSchemaError {
    pub(crate) fn schema(path: &str, problem: impl Into<String>) -> Self {
        JsonSchemaError::Schema {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }

    pub(crate) fn value(path: &str, problem: impl Into<String>) -> Self {
        JsonSchemaError::Value {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }
}

/// A JSON Pointer one step down (`~` and `/` escaped as RFC 6901 says).
pub(crate) fn pointer(path: &str, step: &str) -> String {
    format!("{path}/{}", step.replace('~', "~0").replace('/', "~1"))
}

/// A value path one field down.
pub(crate) fn field_path(path: &str, name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty() {
        format!("{path}.{name}")
    } else {
        format!("{path}[{}]", serde_json::Value::from(name))
    }
}

/// A value path one element down.
pub(crate) fn index_path(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}
