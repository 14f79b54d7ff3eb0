//! `/ui`: a page showing the connectors (state, rates, errors) and the Diffusion topic
//! tree with live values.
//!
//! The page is ours and talks only to this worker: `/ui/stats` for the connectors and
//! `/ui/events`, a Server-Sent Events stream of topic values that the worker reads from
//! Diffusion with its own client. The official Diffusion JavaScript client could do the
//! latter in the browser, but it is proprietary and may not be bundled or served by us;
//! SSE needs no library at all, works through any HTTP proxy, and keeps the Diffusion
//! credentials on the server.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::Json;
use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use futures_util::Stream;
use serde_json::json;
use tokio::sync::broadcast;

use crate::herder::TaskMetrics;
use crate::rest::Api;

/// Where the page's topic view comes from (`ui.diffusion.*` worker properties; the demo
/// sets them to its embedded server).
#[derive(Clone)]
pub struct UiDiffusion {
    pub url: String,
    pub username: String,
    pub password: String,
    pub selector: String,
}

impl UiDiffusion {
    pub fn from_worker(props: &BTreeMap<String, String>) -> Option<UiDiffusion> {
        use crate::worker_keys::*;
        let mut r = reader(props);
        let ui = UiDiffusion {
            url: r.read(&UI_DIFFUSION_URL)?,
            username: r.read(&UI_DIFFUSION_USERNAME),
            password: r.read(&UI_DIFFUSION_PASSWORD),
            selector: r.read(&UI_DIFFUSION_SELECTOR),
        };
        Some(ui)
    }
}

/// The latest value of every topic, and a broadcast of each change.
pub struct TopicFeed {
    latest: Mutex<BTreeMap<String, String>>,
    changes: broadcast::Sender<(String, String)>,
}

impl TopicFeed {
    /// Subscribes with its own session (reconnecting as the client does) and keeps the
    /// latest values; a closed session is retried every few seconds.
    pub fn start(d: UiDiffusion) -> Arc<TopicFeed> {
        let (changes, _) = broadcast::channel(1024);
        let feed = Arc::new(TopicFeed {
            latest: Mutex::new(BTreeMap::new()),
            changes,
        });
        let f = feed.clone();
        tokio::spawn(async move {
            loop {
                // This loop reconnects (and shows the topics afresh), so the session does not.
                let options = SessionOptions {
                    reconnect: None,
                    ..SessionOptions::default()
                };
                match Session::connect(&d.url, &d.username, &d.password, options).await {
                    Ok(s) => {
                        if let Some(mut events) = s.take_events() {
                            if let Err(e) = s.subscribe(&d.selector).await {
                                tracing::warn!(url = %d.url, error = %e, "UI topic view: cannot subscribe");
                            }
                            while let Some(e) = events.recv().await {
                                f.take(e);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::debug!(url = %d.url, error = %e, "UI topic view: Diffusion not reachable")
                    }
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        feed
    }

    fn take(&self, e: TopicEvent) {
        match e {
            TopicEvent::Value { path, value, .. } => {
                let text = match value {
                    Value::Json(j) => j.to_string(),
                    Value::String(s) => serde_json::Value::String(s).to_string(),
                    Value::Int64(n) => n.to_string(),
                    Value::Double(f) => json!(f).to_string(),
                    Value::Binary(b) => json!(format!("<{} bytes>", b.len())).to_string(),
                };
                self.latest
                    .lock()
                    .unwrap()
                    .insert(path.clone(), text.clone());
                let _ = self.changes.send((path, text));
            }
            TopicEvent::Unsubscribed { path, .. } => {
                self.latest.lock().unwrap().remove(&path);
                let _ = self.changes.send((path, String::new()));
            }
            // This session decodes values; raw ones never come.
            TopicEvent::Subscribed { .. } | TopicEvent::RawValue { .. } => {}
        }
    }
}

pub async fn page() -> impl IntoResponse {
    Html(include_str!("ui.html"))
}

/// Connectors with their state and counters; the page turns counters into rates.
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
        let counters = match &snap.metrics {
            TaskMetrics::Sink(m) => json!({
                "in": m.records_read.load(std::sync::atomic::Ordering::Relaxed),
                "out": m.records_confirmed.load(std::sync::atomic::Ordering::Relaxed),
                "errors": m.records_failed.load(std::sync::atomic::Ordering::Relaxed),
            }),
            TaskMetrics::Source(m) => json!({
                "in": m.updates_received.load(std::sync::atomic::Ordering::Relaxed),
                "out": m.records_acknowledged.load(std::sync::atomic::Ordering::Relaxed),
                "errors": m.records_failed.load(std::sync::atomic::Ordering::Relaxed),
            }),
        };
        if let Some(c) = out
            .iter_mut()
            .find(|c| c["name"] == snap.connector.as_str())
        {
            c["counters"] = counters;
        }
    }
    Json(json!({"connectors": out, "topics_enabled": api.topics.is_some()}))
}

/// `event: value`, data `{"path": ..., "value": <JSON text or null when removed>}`; the
/// current values first, then each change as it happens.
pub async fn events(
    State(api): State<Arc<Api>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (snapshot, rx) = match &api.topics {
        Some(feed) => {
            let rx = feed.changes.subscribe();
            let snapshot: Vec<(String, String)> = feed
                .latest
                .lock()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (snapshot, Some(rx))
        }
        None => (Vec::new(), None),
    };
    let event = |path: &str, value: &str| {
        let value: serde_json::Value = if value.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(value).unwrap_or_default()
        };
        Ok(Event::default()
            .event("value")
            .data(json!({"path": path, "value": value}).to_string()))
    };
    let first = futures_util::stream::iter(snapshot.into_iter().map(move |(p, v)| event(&p, &v)));
    let live = futures_util::stream::unfold(rx, move |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await {
                Ok((p, v)) => return Some((event(&p, &v), Some(rx))),
                // A slow page skips intermediate values; the next one is current again.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures_util::StreamExt::chain(first, live)).keep_alive(KeepAlive::default())
}
