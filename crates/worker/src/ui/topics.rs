//! The page's view of the Diffusion topic tree: the worker subscribes with its own client
//! session (`ui.diffusion.*`), keeps each topic's type, latest value, update count and
//! when it last changed, and hands them to the page as a snapshot (`/ui/topics`, which
//! takes a topic selector) and as a stream of changes (`/ui/events`).
//!
//! The official Diffusion JavaScript client could do this in the browser, but it is
//! proprietary and may not be bundled or served by us; the worker's session keeps the
//! Diffusion credentials on the server, and the page needs no library at all.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use diffusion_client::{Selector, Session, SessionOptions, TopicEvent, Value};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::broadcast;

use crate::rest::{Api, ApiError};

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

/// What the page shows of one topic.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TopicView {
    pub path: String,
    /// `json`, `string`, `int64`, `double`, `binary`, ...; empty until subscribed.
    #[serde(rename = "type")]
    pub topic_type: &'static str,
    /// The latest value; `null` when the topic was removed.
    pub value: serde_json::Value,
    /// Values seen since the worker subscribed: the page takes differences for a rate.
    pub updates: u64,
    /// When the value last changed (ms since the epoch).
    pub changed: i64,
}

/// At most this many topics in a `/ui/topics` answer: a browser tree of more than this is
/// not something to read, and a selector narrows it.
const MAX_TOPICS: usize = 2_000;

/// Every topic's latest state, and a broadcast of each change.
pub struct TopicFeed {
    latest: Mutex<BTreeMap<String, TopicView>>,
    changes: broadcast::Sender<TopicView>,
    /// Where it reads from, for the page to say.
    url: String,
}

impl TopicFeed {
    /// Subscribes with its own session and keeps the latest values; a closed session is
    /// retried every few seconds (the topics are then shown afresh).
    pub fn start(d: UiDiffusion) -> Arc<TopicFeed> {
        let (changes, _) = broadcast::channel(1024);
        let feed = Arc::new(TopicFeed {
            latest: Mutex::new(BTreeMap::new()),
            changes,
            url: d.url.clone(),
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
                                f.take(e, now_ms());
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

    /// The Diffusion server it reads.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, TopicView>> {
        self.latest
            .lock()
            .expect("the topic map lock is never poisoned")
    }

    fn take(&self, e: TopicEvent, at_ms: i64) {
        let view = match e {
            TopicEvent::Subscribed {
                path,
                specification,
            } => {
                let mut latest = self.lock();
                let v = latest.entry(path.to_string()).or_insert_with(|| TopicView {
                    path: path.to_string(),
                    changed: at_ms,
                    ..TopicView::default()
                });
                v.topic_type = specification.topic_type.name();
                // Shown once it has a value.
                return;
            }
            // A time series shows its latest event.
            TopicEvent::TimeSeries { path, event } => {
                return self.take(
                    TopicEvent::Value {
                        path,
                        topic_type: diffusion_client::TopicType::TimeSeries,
                        value: event.value,
                    },
                    at_ms,
                )
            }
            TopicEvent::Value {
                path,
                topic_type,
                value,
            } => {
                let value = match value {
                    Value::Json(j) => j,
                    Value::String(s) => serde_json::Value::String(s),
                    Value::Int64(n) => json!(n),
                    Value::Double(f) => json!(f),
                    Value::Binary(b) => json!(format!("<{} bytes>", b.len())),
                };
                let mut latest = self.lock();
                let v = latest.entry(path.to_string()).or_insert_with(|| TopicView {
                    path: path.to_string(),
                    ..TopicView::default()
                });
                v.topic_type = topic_type.name();
                v.value = value;
                v.updates += 1;
                v.changed = at_ms;
                v.clone()
            }
            TopicEvent::Unsubscribed { path, .. } => {
                self.lock().remove(&*path);
                TopicView {
                    path: path.to_string(),
                    changed: at_ms,
                    ..TopicView::default()
                }
            }
            // This session decodes values; raw ones never come.
            TopicEvent::RawValue { .. } => return,
        };
        let _ = self.changes.send(view);
    }

    /// The topics `selector` matches (all with a value when `None`), at most [`MAX_TOPICS`].
    fn matching(&self, selector: Option<&Selector>) -> (Vec<TopicView>, bool) {
        let latest = self.lock();
        let mut all = latest
            .values()
            .filter(|v| v.updates > 0 && selector.is_none_or(|s| s.matches(&v.path)));
        let topics: Vec<TopicView> = all.by_ref().take(MAX_TOPICS).cloned().collect();
        let truncated = all.next().is_some();
        (topics, truncated)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[derive(Deserialize)]
pub struct TopicsQuery {
    /// A Diffusion topic selector (`?kafka/.*`, `>kafka`, `*kafka//`, ...).
    selector: Option<String>,
}

/// `{"enabled", "url", "selector", "topics": [TopicView], "truncated"}`; a selector that
/// does not parse is a 400 naming why.
pub async fn topics(
    State(api): State<Arc<Api>>,
    Query(q): Query<TopicsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(feed) = &api.topics else {
        return Ok(Json(json!({"enabled": false, "topics": []})));
    };
    let selector = match q.selector.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(Selector::parse(s).map_err(|e| {
            ApiError(
                StatusCode::BAD_REQUEST,
                format!("Bad topic selector {s:?}: {e}"),
            )
        })?),
    };
    let (topics, truncated) = feed.matching(selector.as_ref());
    Ok(Json(json!({
        "enabled": true, "url": feed.url, "selector": selector.map(|s| s.to_string()),
        "topics": topics, "truncated": truncated,
    })))
}

/// `event: value`, data a [`TopicView`] (`value` null when the topic was removed): the
/// current values first, then each change as it happens.
pub async fn events(
    State(api): State<Arc<Api>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (snapshot, rx) = match &api.topics {
        Some(feed) => {
            let rx = feed.changes.subscribe();
            (feed.matching(None).0, Some(rx))
        }
        None => (Vec::new(), None),
    };
    let event = |v: &TopicView| {
        Ok(Event::default()
            .event("value")
            .data(serde_json::to_string(v).unwrap_or_default()))
    };
    let first = futures_util::stream::iter(snapshot.into_iter().map(move |v| event(&v)));
    let live = futures_util::stream::unfold(rx, move |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await {
                Ok(v) => return Some((event(&v), Some(rx))),
                // A slow page skips intermediate values; the next one is current again.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures_util::StreamExt::chain(first, live)).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diffusion_client::{TopicSpecification, TopicType};

    #[test]
    fn keeps_type_value_count_and_change_time_and_filters_by_selector() {
        let feed = TopicFeed {
            latest: Mutex::new(BTreeMap::new()),
            changes: broadcast::channel(4).0,
            url: "ws://x".into(),
        };
        feed.take(
            TopicEvent::Subscribed {
                path: "kafka/price".into(),
                specification: TopicSpecification::new(TopicType::Json),
            },
            1,
        );
        // Not shown before it has a value.
        assert!(feed.matching(None).0.is_empty());
        for (at, n) in [(2, 1), (3, 2)] {
            feed.take(
                TopicEvent::Value {
                    path: "kafka/price".into(),
                    topic_type: TopicType::Json,
                    value: Value::Json(json!({"seq": n})),
                },
                at,
            );
        }
        feed.take(
            TopicEvent::Value {
                path: "other/n".into(),
                topic_type: TopicType::Int64,
                value: Value::Int64(7),
            },
            4,
        );
        let (all, truncated) = feed.matching(None);
        assert_eq!(all.len(), 2);
        assert!(!truncated);
        let s = Selector::parse("?kafka/").unwrap();
        let (some, _) = feed.matching(Some(&s));
        assert_eq!(some.len(), 1);
        let v = &some[0];
        assert_eq!(
            (v.topic_type, v.updates, v.changed, v.value["seq"].as_i64()),
            ("json", 2, 3, Some(2))
        );
    }
}
