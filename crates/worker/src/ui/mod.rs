//! `/ui`: a console for people: each connector's state and actions (through the REST API,
//! as any client), its rates over the last minutes as charts, and the Diffusion topic tree
//! with live values.
//!
//! The page and its scripts are ours, compiled in, and talk only to this worker: nothing
//! is fetched from elsewhere. The charts are plain SVG drawn by the page's own script.
//! The page polls `/ui/stats` and `/ui/series` once a second and reads `/ui/events`, a
//! stream; `/ui` and its static files are the only paths served without the REST API's
//! basic authentication, which the page asks for and sends with each request.

mod samples;
pub mod series;
mod topics;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::herder::TaskMetrics;
use crate::rest::Api;

pub use samples::samples;
pub use series::{series, Series};
pub use topics::{events, topics, TopicFeed, UiDiffusion};

/// The page's static files: (name under `/ui/static/`, content type, text). One idea per
/// script; they share globals in this order.
const STATIC: [(&str, &str, &str); 6] = [
    ("console.css", "text/css", include_str!("console.css")),
    ("api.js", JS, include_str!("api.js")),
    ("charts.js", JS, include_str!("charts.js")),
    ("connectors.js", JS, include_str!("connectors.js")),
    ("editor.js", JS, include_str!("editor.js")),
    ("tree.js", JS, include_str!("tree.js")),
];
const JS: &str = "text/javascript; charset=utf-8";

/// Paths served without basic authentication: the page's HTML and scripts hold no data;
/// the page then asks for credentials itself (the browser's own dialog cannot be styled,
/// and would not cover the event stream).
pub fn is_public(path: &str) -> bool {
    path == "/ui"
        || path
            .strip_prefix("/ui/static/")
            .is_some_and(|name| STATIC.iter().any(|(n, _, _)| *n == name))
}

pub async fn page() -> impl IntoResponse {
    Html(include_str!("index.html"))
}

pub async fn static_file(Path(name): Path<String>) -> Response {
    match STATIC.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, text)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *text,
        )
            .into_response(),
        None => crate::rest::ApiError(StatusCode::NOT_FOUND, "HTTP 404 Not Found".into())
            .into_response(),
    }
}

/// Connectors with their state, task state and trace, and counters; rates are in
/// `/ui/series`.
pub async fn stats(State(api): State<Arc<Api>>) -> Json<serde_json::Value> {
    let mut out = Vec::new();
    for name in api.herder.names().await {
        let Ok(s) = api.herder.state(&name).await else {
            continue;
        };
        let task = s.tasks.first();
        out.push(json!({
            "name": name, "type": s.kind.name(), "state": s.state,
            "task_state": task.map(|t| t.state), "trace": task.and_then(|t| t.trace.clone()).or(s.trace.clone()),
            "diffusion_connected": task.is_some_and(|t| t.diffusion_connected),
            "note": task.and_then(|t| t.note.clone()),
        }));
    }
    for snap in api.herder.snapshot().await {
        let l = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
        let counters = match &snap.metrics {
            TaskMetrics::Sink(m) => json!({
                "in": l(&m.records_read), "out": l(&m.records_confirmed),
                "errors": l(&m.records_failed), "dead_lettered": l(&m.records_dead_lettered),
            }),
            TaskMetrics::Source(m) => json!({
                "in": l(&m.updates_received), "out": l(&m.records_acknowledged),
                "errors": l(&m.records_failed),
            }),
        };
        if let Some(c) = out
            .iter_mut()
            .find(|c| c["name"] == snap.connector.as_str())
        {
            c["counters"] = counters;
        }
    }
    Json(json!({
        "connectors": out,
        "topics_enabled": api.topics.is_some(),
        "auth": api.auth.is_some(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
