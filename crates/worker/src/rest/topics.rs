//! A connector's active topics (KIP-558): `GET /connectors/{name}/topics` and
//! `PUT /connectors/{name}/topics/reset`, switched by the worker properties
//! `topic.tracking.enable` and `topic.tracking.allow.reset` (both true by default).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value as J};

use super::{Api, ApiError};

/// The worker's topic tracking settings.
#[derive(Debug, Clone, Copy)]
pub struct TopicTracking {
    pub enable: bool,
    pub allow_reset: bool,
}

impl TopicTracking {
    pub fn from_worker(props: &BTreeMap<String, String>) -> Result<TopicTracking, String> {
        let flag = |key: &str| -> Result<bool, String> {
            match props.get(key).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(true),
                Some(v) if v == "true" => Ok(true),
                Some(v) if v == "false" => Ok(false),
                Some(v) => Err(format!("{key}: must be true or false, not {v:?}")),
            }
        };
        Ok(TopicTracking {
            enable: flag("topic.tracking.enable")?,
            allow_reset: flag("topic.tracking.allow.reset")?,
        })
    }
}

/// `{"<name>": {"topics": [...]}}`; a connector that does not exist has none (Connect does
/// not check either).
pub async fn list(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<Json<J>, ApiError> {
    if !api.topic_tracking.enable {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.".into(),
        ));
    }
    let topics = api.herder.active_topics(&name).await;
    Ok(Json(json!({ name: {"topics": topics} })))
}

pub async fn reset(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !api.topic_tracking.enable {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.".into(),
        ));
    }
    if !api.topic_tracking.allow_reset {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "Topic tracking reset is disabled.".into(),
        ));
    }
    api.herder.reset_active_topics(&name).await?;
    Ok(StatusCode::ACCEPTED)
}
