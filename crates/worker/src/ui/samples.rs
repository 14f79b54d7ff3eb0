//! `/ui/samples`: the repository's sample connector configs (`config/sink.json`,
//! `config/source.json`, compiled in), for the page's "new connector" form to start from.
//! Their `diffusion.url` is the Diffusion server the page watches (`ui.diffusion.url`)
//! when one is set: in the demo that is the embedded server, where the sample's
//! `ws://localhost:8080` would reach nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::json;

use crate::rest::Api;

const SAMPLES: [(&str, &str); 2] = [
    (
        "config/sink.json",
        include_str!("../../../../config/sink.json"),
    ),
    (
        "config/source.json",
        include_str!("../../../../config/source.json"),
    ),
];

pub async fn samples(State(api): State<Arc<Api>>) -> Json<serde_json::Value> {
    let url = api.topics.as_ref().map(|t| t.url().to_owned());
    let list: Vec<serde_json::Value> = SAMPLES
        .iter()
        .filter_map(|(file, text)| {
            // Compiled in from config/; a test creates connectors from the same files.
            let mut j: serde_json::Value = serde_json::from_str(text).ok()?;
            if let (Some(url), Some(c)) = (&url, j["config"].as_object_mut()) {
                c.insert("diffusion.url".into(), json!(url));
            }
            j["file"] = json!(file);
            Some(j)
        })
        .collect();
    Json(json!({ "samples": list }))
}
