//! A connector's active topics (KIP-558): `GET /connectors/{name}/topics` and
//! `PUT /connectors/{name}/topics/reset`, switched by the worker properties
//! `topic.tracking.enable` and `topic.tracking.allow.reset` (both true by default).

use std::collections::BTreeMap;

use crate::worker_keys::{TOPIC_TRACKING_ALLOW_RESET, TOPIC_TRACKING_ENABLE};
use connectors::ConfigError;
use std::sync::Arc;

use super::path::Path;
use axum::extract::State;
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
    /// The worker's `topic.tracking.*` properties.
    pub fn from_worker(
        props: &BTreeMap<String, String>,
    ) -> Result<TopicTracking, Vec<ConfigError>> {
        let mut r = crate::worker_keys::reader(props);
        let t = TopicTracking {
            enable: r.read(&TOPIC_TRACKING_ENABLE),
            allow_reset: r.read(&TOPIC_TRACKING_ALLOW_RESET),
        };
        r.finish()?;
        Ok(t)
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
