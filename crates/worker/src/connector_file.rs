//! Connector config files, in the forms users have: the REST API's
//! `{"name": ..., "config": {...}}`, the flat JSON Confluent Cloud takes (name beside the
//! other keys), or a `.properties` file with a `name` key.

use std::collections::BTreeMap;
use std::path::Path;

use connectors::ConnectorConfig;

pub fn load(path: &Path) -> Result<ConnectorConfig, String> {
    let shown = path.display();
    let mut props = if path.extension().is_some_and(|e| e == "properties") {
        crate::properties::load(path)?
    } else {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let j: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{shown} is not valid JSON: {e}"))?;
        from_json(&j).map_err(|e| format!("{shown}: {e}"))?
    };
    crate::properties::resolve_providers(&mut props).map_err(|e| format!("{shown}: {e}"))?;
    let name = props
        .remove("name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| format!("{shown}: the connector has no \"name\""))?;
    Ok(ConnectorConfig { name, props })
}

/// Both JSON forms; values may be strings, numbers or booleans (Connect takes all three).
pub fn from_json(j: &serde_json::Value) -> Result<BTreeMap<String, String>, String> {
    let o = j
        .as_object()
        .ok_or("a connector config must be a JSON object")?;
    let mut props = BTreeMap::new();
    let (name, config) = match o.get("config") {
        Some(c) => (
            o.get("name"),
            c.as_object().ok_or("\"config\" must be an object")?,
        ),
        None => (o.get("name"), o),
    };
    for (k, v) in config {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => v.to_string(),
            serde_json::Value::Null => continue,
            other => return Err(format!("{k}: values must be strings, not {other}")),
        };
        props.insert(k.clone(), v);
    }
    if let Some(n) = name.and_then(|n| n.as_str()) {
        props.insert("name".into(), n.to_owned());
    }
    Ok(props)
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
