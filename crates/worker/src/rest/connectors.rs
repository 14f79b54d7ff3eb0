//! `/connectors/...`: create, read, update, delete, status, lifecycle and offsets.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value as J};

use super::{Api, ApiError};
use crate::config_store::TargetState;
use crate::herder::{ConnectorState, Herder, Kind, TaskReport};

type Result<T> = std::result::Result<T, ApiError>;

fn body(bytes: &Bytes) -> Result<J> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))
}

/// Config values as Connect takes them: strings (numbers and booleans are accepted too).
fn config_map(j: &J) -> Result<BTreeMap<String, String>> {
    let o = j
        .as_object()
        .ok_or_else(|| ApiError::bad_request("A connector config must be a JSON object"))?;
    o.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            J::String(s) => Ok((k.clone(), s.clone())),
            J::Number(_) | J::Bool(_) => Ok((k.clone(), v.to_string())),
            other => Err(ApiError::bad_request(format!(
                "{k}: values must be strings, not {other}"
            ))),
        })
        .collect()
}

async fn info_json(h: &Herder, name: &str) -> Result<J> {
    let config = h.config(name).await?;
    let kind = h.kind(name).await?;
    let tasks: Vec<J> = h
        .state(name)
        .await?
        .tasks
        .iter()
        .map(|t| json!({"connector": name, "task": t.id}))
        .collect();
    Ok(json!({"name": name, "config": config, "tasks": tasks, "type": kind.name()}))
}

fn task_status_json(t: &TaskReport) -> J {
    let mut j = json!({"id": t.id, "state": t.state, "worker_id": t.worker_id});
    if let Some(trace) = &t.trace {
        j["trace"] = J::from(trace.as_str());
    }
    // Beyond Connect's shape (clients ignore unknown fields): is Diffusion reachable, and
    // why a running task makes no progress.
    if t.state == "RUNNING" || t.state == "UNASSIGNED" {
        j["diffusion_connection"] = J::from(if t.diffusion_connected {
            "CONNECTED"
        } else {
            "DISCONNECTED"
        });
    }
    if let Some(note) = &t.note {
        j["note"] = J::from(note.as_str());
    }
    j
}

fn status_json(s: &ConnectorState) -> J {
    let mut connector = json!({"state": s.state, "worker_id": s.worker_id});
    if let Some(trace) = &s.trace {
        connector["trace"] = J::from(trace.as_str());
    }
    let tasks: Vec<J> = s.tasks.iter().map(task_status_json).collect();
    json!({"name": s.name, "connector": connector, "tasks": tasks, "type": s.kind.name()})
}

pub async fn list(State(api): State<Arc<Api>>, query: axum::extract::RawQuery) -> Result<Json<J>> {
    // `?expand=status&expand=info`: repeated keys, which serde_urlencoded cannot collect.
    let expand: Vec<String> = query
        .0
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("expand="))
        .map(str::to_owned)
        .collect();
    let names = api.herder.names().await;
    if expand.is_empty() {
        return Ok(Json(json!(names)));
    }
    let mut out = serde_json::Map::new();
    for name in names {
        let mut entry = serde_json::Map::new();
        if expand.iter().any(|e| e == "status") {
            let s = api.herder.state(&name).await?;
            entry.insert("status".into(), status_json(&s));
        }
        if expand.iter().any(|e| e == "info") {
            entry.insert("info".into(), info_json(&api.herder, &name).await?);
        }
        out.insert(name, J::Object(entry));
    }
    Ok(Json(J::Object(out)))
}

pub async fn create(State(api): State<Arc<Api>>, bytes: Bytes) -> Result<Response> {
    let j = body(&bytes)?;
    let name = j.get("name").and_then(J::as_str).map(str::to_owned);
    let config = match j.get("config") {
        Some(c) => config_map(c)?,
        None => {
            return Err(ApiError::bad_request(
                "A connector is {\"name\": ..., \"config\": {...}}",
            ))
        }
    };
    let name = name
        .or_else(|| config.get("name").cloned())
        .ok_or_else(|| ApiError::bad_request("Connector name must be given"))?;
    if config.get("name").is_some_and(|n| *n != name) {
        return Err(ApiError::bad_request(
            "Connector name configuration does not match the connector name in the request",
        ));
    }
    api.herder.put(&name, config, true).await?;
    Ok((
        StatusCode::CREATED,
        Json(info_json(&api.herder, &name).await?),
    )
        .into_response())
}

pub async fn info(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    Ok(Json(info_json(&api.herder, &name).await?))
}

pub async fn config(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    Ok(Json(json!(api.herder.config(&name).await?)))
}

pub async fn put_config(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    let config = config_map(&body(&bytes)?)?;
    if config.get("name").is_some_and(|n| *n != name) {
        return Err(ApiError::bad_request(
            "Connector name configuration does not match the connector name in the URL",
        ));
    }
    let created = api.herder.put(&name, config, false).await?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(info_json(&api.herder, &name).await?)).into_response())
}

pub async fn patch_config(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Json<J>> {
    let j = body(&bytes)?;
    let o = j
        .as_object()
        .ok_or_else(|| ApiError::bad_request("A config patch must be a JSON object"))?;
    let mut patch = BTreeMap::new();
    for (k, v) in o {
        let v = match v {
            J::Null => None,
            J::String(s) => Some(s.clone()),
            J::Number(_) | J::Bool(_) => Some(v.to_string()),
            other => {
                return Err(ApiError::bad_request(format!(
                    "{k}: values must be strings or null, not {other}"
                )))
            }
        };
        patch.insert(k.clone(), v);
    }
    api.herder.patch(&name, patch).await?;
    Ok(Json(info_json(&api.herder, &name).await?))
}

pub async fn delete(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<StatusCode> {
    api.herder.delete(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn status(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    let s = api.herder.state(&name).await?;
    Ok(Json(status_json(&s)))
}

pub async fn tasks(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    let config = api.herder.config(&name).await?;
    let tasks: Vec<J> = api
        .herder
        .state(&name)
        .await?
        .tasks
        .iter()
        .map(|t| json!({"id": {"connector": name, "task": t.id}, "config": config}))
        .collect();
    Ok(Json(J::Array(tasks)))
}

pub async fn task_status(
    State(api): State<Arc<Api>>,
    Path((name, task)): Path<(String, u32)>,
) -> Result<Json<J>> {
    let s = api.herder.state(&name).await?;
    s.tasks
        .iter()
        .find(|t| t.id == task)
        .map(|t| Json(task_status_json(t)))
        .ok_or_else(|| {
            ApiError(
                StatusCode::NOT_FOUND,
                format!(
                    "Task {name}-{task} not found: the connector has {} task(s) now",
                    s.tasks.len()
                ),
            )
        })
}

pub async fn restart_task(
    State(api): State<Arc<Api>>,
    Path((name, task)): Path<(String, u32)>,
) -> Result<StatusCode> {
    api.herder.restart_task(&name, task).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct RestartQuery {
    #[serde(default, rename = "includeTasks")]
    include_tasks: bool,
    #[serde(default, rename = "onlyFailed")]
    only_failed: bool,
}

/// Without parameters: 204. With `includeTasks` or `onlyFailed`: 202 and the status, as
/// Connect answers (KIP-745).
pub async fn restart(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    Query(q): Query<RestartQuery>,
) -> Result<Response> {
    api.herder.restart(&name, q.only_failed).await?;
    if !q.include_tasks && !q.only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let s = api.herder.state(&name).await?;
    Ok((StatusCode::ACCEPTED, Json(status_json(&s))).into_response())
}

async fn target(api: &Api, name: &str, t: TargetState) -> Result<StatusCode> {
    api.herder.set_target(name, t).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn pause(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<StatusCode> {
    target(&api, &name, TargetState::Paused).await
}

pub async fn resume(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<StatusCode> {
    target(&api, &name, TargetState::Started).await
}

pub async fn stop(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<StatusCode> {
    target(&api, &name, TargetState::Stopped).await
}

/// A sink's committed consumer offsets (KIP-875's shape); a source has none, since
/// Diffusion updates carry no position to resume from.
pub async fn offsets(State(api): State<Arc<Api>>, Path(name): Path<String>) -> Result<Json<J>> {
    let offsets: Vec<J> = match api.herder.kind(&name).await? {
        Kind::Source => vec![],
        Kind::Sink => api
            .herder
            .sink_offsets(&name)
            .await?
            .into_iter()
            .map(|(topic, partition, offset)| {
                json!({"partition": {"kafka_topic": topic, "kafka_partition": partition},
                       "offset": {"kafka_offset": offset}})
            })
            .collect(),
    };
    Ok(Json(json!({"offsets": offsets})))
}
