//! The worker itself: `GET /health` (KIP-1017) and the log levels, `GET /admin/loggers`,
//! `GET|PUT /admin/loggers/{logger}` (KIP-495), with Connect's shapes and codes.

use std::sync::Arc;
use std::time::Duration;

use super::path::Path;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value as J};

use super::query::Params;
use super::{Api, ApiError};
use crate::logging::{loggers, LoggerLevel};

/// How long the herder may take to answer before the worker counts as unhealthy.
const HEALTH_PROBE: Duration = Duration::from_secs(10);

/// 200 when the herder answers (the REST API starts once the worker has started), 500 when
/// it does not within 10 s.
pub async fn health(State(api): State<Arc<Api>>) -> Response {
    match tokio::time::timeout(HEALTH_PROBE, api.herder.names()).await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({"status": "healthy",
                        "message": "Worker has completed startup and is ready to handle requests."})),
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"status": "unhealthy",
                        "message": "Worker was unable to handle this request and may be unable to handle other requests."})),
        )
            .into_response(),
    }
}

fn level_json(l: &LoggerLevel) -> J {
    json!({"level": l.level, "last_modified": l.last_modified})
}

fn no_loggers() -> ApiError {
    ApiError(
        StatusCode::INTERNAL_SERVER_ERROR,
        "logging was not initialised".into(),
    )
}

pub async fn all_loggers() -> Result<Json<J>, ApiError> {
    let l = loggers().ok_or_else(no_loggers)?;
    let all: serde_json::Map<String, J> = l
        .all()
        .iter()
        .map(|(k, v)| (k.clone(), level_json(v)))
        .collect();
    Ok(Json(J::Object(all)))
}

pub async fn logger(Path(name): Path<String>) -> Result<Json<J>, ApiError> {
    let l = loggers().ok_or_else(no_loggers)?;
    l.level(&name)
        .map(|level| Json(level_json(&level)))
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("Logger {name} not found.")))
}

/// `{"level": "DEBUG"}`: `?scope=worker` (the default, and what any other scope means)
/// answers the loggers changed; `?scope=cluster` answers 204. Either way the level is set
/// on this worker only: workers of a cluster are set one by one.
pub async fn set_logger(
    Path(name): Path<String>,
    query: RawQuery,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let l = loggers().ok_or_else(no_loggers)?;
    let body: J = serde_json::from_slice(&bytes).unwrap_or(J::Null);
    let Some(level) = body.get("level").and_then(J::as_str) else {
        return Err(ApiError::bad_request(
            "Desired 'level' parameter was not specified in request.",
        ));
    };
    let affected = l
        .set(&name, level)
        .map_err(|e| ApiError(StatusCode::NOT_FOUND, e.to_string()))?;
    let cluster = Params::parse(query)
        .first("scope")
        .is_some_and(|s| s.eq_ignore_ascii_case("cluster"));
    if cluster {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(json!(affected)).into_response())
}
