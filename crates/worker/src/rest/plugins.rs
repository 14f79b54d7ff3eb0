//! `/connector-plugins`: the two connectors, and config validation with one entry per key
//! in Connect's `ConfigInfos` shape, errors attached to the key they concern.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::path::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use connectors::config::MASK;
use connectors::definitions::keys;
use connectors::keys::Rule;
use connectors::{SINK_CLASS, SOURCE_CLASS};
use serde_json::{json, Value as J};

use super::{Api, ApiError};
use crate::herder::Kind;

pub async fn list() -> Json<J> {
    let version = env!("CARGO_PKG_VERSION");
    Json(json!([
        {"class": SINK_CLASS, "type": "sink", "version": version},
        {"class": SOURCE_CLASS, "type": "source", "version": version},
    ]))
}

pub async fn validate(
    State(api): State<Arc<Api>>,
    Path(class): Path<String>,
    bytes: Bytes,
) -> Result<Json<J>, ApiError> {
    let kind = Kind::of(&class).ok_or_else(|| {
        ApiError(
            axum::http::StatusCode::NOT_FOUND,
            format!(
                "Failed to find any class that implements Connector and which name matches {class}"
            ),
        )
    })?;
    let full_class = match kind {
        Kind::Sink => SINK_CLASS,
        Kind::Source => SOURCE_CLASS,
    };
    let j: J = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))?;
    let o = j
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The config to validate must be a JSON object"))?;
    let config: BTreeMap<String, String> = o
        .iter()
        .filter_map(|(k, v)| match v {
            J::String(s) => Some((k.clone(), s.clone())),
            J::Null => None,
            other => Some((k.clone(), other.to_string())),
        })
        .collect();
    if let Some(c) = config.get("connector.class") {
        if Kind::of(c) != Some(kind) {
            return Err(ApiError::bad_request(
                "Included connector type does not match request type",
            ));
        }
    }
    let mut config_with_class = config.clone();
    config_with_class
        .entry("connector.class".into())
        .or_insert_with(|| full_class.into());
    let name = config.get("name").cloned().unwrap_or_default();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if name.trim().is_empty() {
        errors
            .entry("name".into())
            .or_default()
            .push("Missing required configuration \"name\" which has no default value.".into());
    }
    if let Err(list) = api.herder.validate(&name, &config_with_class) {
        for e in list {
            errors.entry(e.key).or_default().push(e.message);
        }
    }
    let defs = keys(full_class);
    let mut groups: Vec<&str> = Vec::new();
    let mut configs = Vec::new();
    for (order, d) in defs.iter().enumerate() {
        if !groups.contains(&d.group) {
            groups.push(d.group);
        }
        let shown = config.get(d.name).map(|v| {
            if d.rule == Rule::Password {
                MASK.to_owned()
            } else {
                v.clone()
            }
        });
        configs.push(json!({
            "definition": {
                "name": d.name, "type": d.kind(), "required": d.required(),
                "default_value": d.default, "importance": d.importance.name(), "documentation": d.doc,
                "group": d.group, "width": "NONE", "display_name": d.name, "dependents": [],
                "order": order + 1,
            },
            "value": {
                "name": d.name, "value": shown.or(d.default.map(str::to_owned)),
                "recommended_values": [], "errors": errors.remove(d.name).unwrap_or_default(), "visible": true,
            }
        }));
    }
    // Errors on keys without a definition here (e.g. a worker-level key) still show.
    for (key, errs) in errors {
        configs.push(json!({
            "definition": {"name": key, "type": "STRING", "required": false, "default_value": null,
                "importance": "LOW", "documentation": "", "group": null, "width": "NONE",
                "display_name": key, "dependents": [], "order": -1},
            "value": {"name": key, "value": config.get(&key), "recommended_values": [], "errors": errs, "visible": true}
        }));
    }
    let error_count: usize = configs
        .iter()
        .map(|c| c["value"]["errors"].as_array().map_or(0, Vec::len))
        .sum();
    Ok(Json(
        json!({"name": full_class, "error_count": error_count, "groups": groups, "configs": configs}),
    ))
}
