//! Helpers the worker's integration tests share.
#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use serde_json::Value as J;

/// Latest JSON value per Diffusion path, as a subscriber sees them.
pub type Latest = Arc<Mutex<BTreeMap<String, J>>>;

pub async fn watch(url: &str, selector: &str) -> (Session, Latest) {
    let s = Session::connect(url, "admin", "password", SessionOptions::default())
        .await
        .unwrap();
    let mut events = s.take_events().unwrap();
    s.subscribe(selector).await.unwrap();
    let latest: Latest = Arc::default();
    let l = latest.clone();
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            if let TopicEvent::Value {
                path,
                value: Value::Json(j),
                ..
            } = e
            {
                l.lock().unwrap().insert(path.to_string(), j);
            }
        }
    });
    (s, latest)
}

pub async fn wait_value(latest: &Latest, path: &str, want: J) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while latest.lock().unwrap().get(path) != Some(&want) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never became {want}: {:?}",
            latest.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
