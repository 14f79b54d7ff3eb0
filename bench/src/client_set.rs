//! Set-throughput of one client against the embedded server, pipelined, beside the same
//! work done by the official Python SDK in the same run.

use std::time::Instant;

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use futures_util::StreamExt;

use crate::support::{per_sec, ServerProcess};
use crate::Row;

const TOPICS: usize = 100;

pub async fn run(smoke: bool) -> Result<Vec<Row>, String> {
    let n: usize = if smoke { 2_000 } else { 200_000 };
    let server = ServerProcess::start()?;
    let s = Session::connect(&server.url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    for t in 0..TOPICS {
        s.add_topic(
            &format!("set/{t}"),
            TopicSpecification::new(TopicType::Json),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    let start = Instant::now();
    let mut results = futures_util::stream::iter(0..n)
        .map(|i| {
            let s = s.clone();
            async move {
                s.set(
                    &format!("set/{}", i % TOPICS),
                    &Value::Json(serde_json::json!({"n": i, "v": "abcdefgh"})),
                )
                .await
            }
        })
        .buffer_unordered(1024);
    while let Some(r) = results.next().await {
        r.map_err(|e| e.to_string())?;
    }
    let ours_secs = start.elapsed().as_secs_f64();
    s.close().await;

    // The Python SDK does a tenth of the work: its rate is what we compare.
    let py_n = (n / 10).max(500);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/set_throughput.py");
    let url = server.url.clone();
    let run = tokio::task::spawn_blocking(move || {
        test_support::sdk::python(&script, &[&url, &py_n.to_string()])
    })
    .await
    .map_err(|e| e.to_string())?;
    if !run.output.status.success() {
        return Err(format!("python baseline failed: {}", run.stderr()));
    }
    let py_secs: f64 = run
        .stdout()
        .trim()
        .parse()
        .map_err(|_| format!("python printed {:?}", run.stdout()))?;
    let ours = n as f64 / ours_secs;
    let python = py_n as f64 / py_secs;
    Ok(vec![Row {
        name: format!("client set throughput, pipelined ({n} sets; Python {py_n})"),
        ours: per_sec(n as u64, ours_secs),
        baseline: format!("{} (official Python SDK)", per_sec(py_n as u64, py_secs)),
        ratio: format!("{:.1}x", ours / python),
        target: "-".into(),
    }])
}
