//! `/connectors/...`: create, read, update, delete, status and lifecycle.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::path::Path;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value as J};

use super::query::Params;
use super::{Api, ApiError};
use crate::config_store::TargetState;
use crate::herder::{ConnectorState, Herder, HerderError, State as TaskStateName, TaskReport};

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
    if matches!(t.state, TaskStateName::Running | TaskStateName::Unassigned) {
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

/// Names, or with `?expand=status` / `?expand=info` (repeatable) a map of each connector's
/// status and info; one deleted meanwhile is left out, as Connect does.
pub async fn list(State(api): State<Arc<Api>>, query: RawQuery) -> Result<Json<J>> {
    let params = Params::parse(query);
    let names = api.herder.names().await;
    if !params.has("expand") {
        return Ok(Json(json!(names)));
    }
    let expand = params.all("expand");
    let mut out = serde_json::Map::new();
    'names: for name in names {
        let mut entry = serde_json::Map::new();
        for e in &expand {
            let value = match *e {
                "status" => api.herder.state(&name).await.map(|s| status_json(&s)),
                "info" => info_json(&api.herder, &name).await.map_err(|e| match e {
                    ApiError(StatusCode::NOT_FOUND, m) => HerderError::NotFound(m),
                    ApiError(_, m) => HerderError::Internal(m),
                }),
                _ => continue,
            };
            match value {
                Ok(v) => {
                    entry.insert((*e).to_owned(), v);
                }
                Err(HerderError::NotFound(_)) => continue 'names,
                Err(other) => return Err(other.into()),
            }
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
    // Connect's `initial_state` (KIP-980): create it stopped, e.g. to set its offsets first.
    let initial = match j.get("initial_state").and_then(J::as_str) {
        None => TargetState::Started,
        Some(s) if s.eq_ignore_ascii_case("running") => TargetState::Started,
        Some(s) if s.eq_ignore_ascii_case("paused") => TargetState::Paused,
        Some(s) if s.eq_ignore_ascii_case("stopped") => TargetState::Stopped,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "initial_state: {other:?} is not one of RUNNING, PAUSED, STOPPED"
            )))
        }
    };
    api.herder.put(&name, config, true, initial).await?;
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
    let created = api
        .herder
        .put(&name, config, false, TargetState::Started)
        .await?;
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
        .map(|t| {
            // A task's config is its connector's plus the class that runs it, as Connect's.
            let mut config = config.clone();
            let class = config.get("connector.class").cloned().unwrap_or_default();
            config.insert("task.class".into(), task_class(&class));
            json!({"id": {"connector": name, "task": t.id}, "config": config})
        })
        .collect();
    Ok(Json(J::Array(tasks)))
}

/// The task class Connect would report for a connector class (the Java connector's).
fn task_class(connector_class: &str) -> String {
    match connector_class.strip_suffix("Connector") {
        Some(base) if !base.is_empty() => format!("{base}Task"),
        _ => connector_class.to_owned(),
    }
}

/// A task id from the path; one that is not a number is an unknown task (404, as Jersey).
fn task_id(name: &str, task: &str) -> Result<u32> {
    task.parse().map_err(|_| {
        ApiError(
            StatusCode::NOT_FOUND,
            format!("Task {name}-{task} not found"),
        )
    })
}

pub async fn task_status(
    State(api): State<Arc<Api>>,
    Path((name, task)): Path<(String, String)>,
) -> Result<Json<J>> {
    let task = task_id(&name, &task)?;
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
    Path((name, task)): Path<(String, String)>,
) -> Result<StatusCode> {
    let task = task_id(&name, &task)?;
    api.herder.restart_task(&name, task).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Without `includeTasks` or `onlyFailed` (read as Connect reads them: `true` in any case):
/// 204. With either: 202 and the restart plan, Connect's status with what restarts marked
/// `RESTARTING` (KIP-745). The connector and its task are one here, so restarting "the
/// connector only" restarts its task too.
pub async fn restart(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    query: RawQuery,
) -> Result<Response> {
    let params = Params::parse(query);
    let (include_tasks, only_failed) = (params.flag("includeTasks"), params.flag("onlyFailed"));
    let before = api.herder.state(&name).await?;
    api.herder.restart(&name, only_failed).await?;
    if !include_tasks && !only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut plan = before;
    let restarts = |state: TaskStateName| !only_failed || state == TaskStateName::Failed;
    if restarts(plan.state) {
        plan.state = TaskStateName::Restarting;
    }
    if include_tasks {
        for t in plan.tasks.iter_mut().filter(|t| restarts(t.state)) {
            t.state = TaskStateName::Restarting;
            t.trace = None;
        }
    }
    Ok((StatusCode::ACCEPTED, Json(status_json(&plan))).into_response())
}

async fn target(api: &Api, name: &str, t: TargetState) -> Result<StatusCode> {
    api.herder.set_target(name, t).await?;
    // Connect answers a stop with 204 (its method returns nothing), pause and resume 202.
    Ok(match t {
        TargetState::Stopped => StatusCode::NO_CONTENT,
        _ => StatusCode::ACCEPTED,
    })
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
