//! Connector config files, in the forms users have: the REST API's
//! `{"name": ..., "config": {...}}`, the flat JSON Confluent Cloud takes (name beside the
//! other keys), or a `.properties` file with a `name` key.

use std::collections::BTreeMap;
use std::path::Path;

use connectors::ConnectorConfig;

use crate::error::FileError;

/// Reads a connector config file (JSON in either form, or `.properties`), config
/// provider references resolved.
pub fn load(path: &Path) -> Result<ConnectorConfig, FileError> {
    let invalid = |reason: String| FileError::Invalid {
        path: path.to_owned(),
        what: "connector config",
        reason,
    };
    let mut props = if path.extension().is_some_and(|e| e == "properties") {
        crate::properties::load(path)?
    } else {
        let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let j: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        from_json(&j).map_err(|e| invalid(e.to_string()))?
    };
    crate::properties::resolve_providers(&mut props).map_err(|e| invalid(e.to_string()))?;
    let name = props
        .remove("name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("the connector has no \"name\"".into()))?;
    Ok(ConnectorConfig { name, props })
}

/// Both JSON forms; values may be strings, numbers or booleans (Connect takes all three).
pub fn from_json(j: &serde_json::Value) -> Result<BTreeMap<String, String>, ShapeError> {
    let o = j.as_object().ok_or(ShapeError::NotAnObject)?;
    let mut props = BTreeMap::new();
    let (name, config) = match o.get("config") {
        Some(c) => (
            o.get("name"),
            c.as_object().ok_or(ShapeError::ConfigNotAnObject)?,
        ),
        None => (o.get("name"), o),
    };
    for (k, v) in config {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => v.to_string(),
            serde_json::Value::Null => continue,
            other => {
                return Err(ShapeError::NotAString {
                    key: k.clone(),
                    value: other.to_string(),
                })
            }
        };
        props.insert(k.clone(), v);
    }
    if let Some(n) = name.and_then(|n| n.as_str()) {
        props.insert("name".into(), n.to_owned());
    }
    Ok(props)
}

/// Why a JSON connector config is not in either form.
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    /// The document is not an object.
    #[error("a connector config must be a JSON object")]
    NotAnObject,
    /// `"config"` is there but not an object.
    #[error("\"config\" must be an object")]
    ConfigNotAnObject,
    /// A value is an array or an object.
    #[error("{key}: values must be strings, not {value}")]
    NotAString {
        /// The key.
        key: String,
        /// The value as JSON.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_json_forms() {
        let rest = json!({"name": "s", "config": {"tasks.max": "1", "topics": "price"}});
        let flat = json!({"name": "s", "tasks.max": 1, "topics": "price"});
        assert_eq!(from_json(&rest).unwrap(), from_json(&flat).unwrap());
        assert_eq!(from_json(&rest).unwrap()["name"], "s");
    }
}
