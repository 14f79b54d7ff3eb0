//! The catch-up suite (issue 21): the sink catching up a backlog over a slow Diffusion
//! link, record by record and with conflation (`diffusion.conflation=latest`).
//!
//! A topic is pre-filled with `n` records over 1,000 keys; the sink (its own process, as
//! in the sink suite) reads it from the start into a fresh server behind a TCP proxy that
//! holds every 16 KiB chunk 5 ms (one direction at a time), which holds the plain sink
//! to a fixed update rate
//! (measured, in the row). Both runs end when every record is confirmed or superseded by
//! a confirmed one; then a subscriber checks each key's topic holds its last record.

use std::collections::BTreeMap;
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use test_support::tcp_proxy::TcpProxy;
use test_support::{unique_name, Broker};

use super::sink::run_child_counting;
use super::*;
use crate::support::{per_sec, ServerProcess};
use crate::Row;

/// One run: seconds, CPU seconds, records superseded, keys whose topic ended at its last
/// record.
struct Run {
    secs: f64,
    cpu: f64,
    superseded: u64,
    correct: usize,
}

pub async fn catchup(smoke: bool) -> Result<Vec<Row>, String> {
    let n = if smoke { 5_000 } else { 1_000_000 };
    let delay = Duration::from_millis(if smoke { 2 } else { 5 });
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-catchup");
    broker.create_topic(&topic, 1).await;
    let (b, t) = (bootstrap.clone(), topic.clone());
    tokio::task::spawn_blocking(move || produce(&b, &t, n, record))
        .await
        .map_err(|e| e.to_string())?;
    let plain = run(&bootstrap, &topic, n, delay, None).await?;
    let conflated = run(
        &bootstrap,
        &topic,
        n,
        delay,
        Some("diffusion.conflation=latest"),
    )
    .await?;
    let keys = KEYS.min(n);
    Ok(vec![Row {
        name: format!(
            "sink catching up {n} records over {keys} keys, link held {} ms per chunk each way: \
             conflation=latest ({} superseded, {}/{keys} topics at their last record) vs none \
             ({}/{keys})",
            delay.as_millis(),
            conflated.superseded,
            conflated.correct,
            plain.correct
        ),
        ours: format!(
            "{:.1} s ({}, {:.2} µs CPU)",
            conflated.secs,
            per_sec(n as u64, conflated.secs),
            conflated.cpu * 1e6 / n as f64
        ),
        baseline: format!(
            "{:.1} s ({}, {:.2} µs CPU)",
            plain.secs,
            per_sec(n as u64, plain.secs),
            plain.cpu * 1e6 / n as f64
        ),
        ratio: format!("{:.1}x", plain.secs / conflated.secs),
        target: ">= 10x".into(),
    }])
}

/// The sink over a fresh server behind a slowed link, until the backlog is settled.
async fn run(
    bootstrap: &str,
    topic: &str,
    n: usize,
    delay: Duration,
    extra: Option<&str>,
) -> Result<Run, String> {
    let server = ServerProcess::start()?;
    let upstream: std::net::SocketAddr = server
        .url
        .trim_start_matches("ws://")
        .parse()
        .map_err(|e| format!("server address: {e}"))?;
    let link = TcpProxy::start(upstream).await;
    link.set_delay(delay);
    let url = format!("ws://{}", link.addr());
    let (secs, _, cpu, superseded) = run_child_counting(bootstrap, topic, &url, n, extra).await?;
    let cpu = cpu.total();
    let correct = last_records(&server.url, topic, n).await?;
    Ok(Run {
        secs,
        cpu,
        superseded,
        correct,
    })
}

/// How many keys' topics hold their key's last record (subscribing straight to the
/// server, not through the slow link).
async fn last_records(url: &str, topic: &str, n: usize) -> Result<usize, String> {
    let want: BTreeMap<String, u64> = (n.saturating_sub(KEYS)..n)
        .map(|i| (format!("kafka/{topic}/{}", record(i).0), i as u64))
        .collect();
    let s = Session::connect(url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut events = s.take_events().ok_or("no event stream")?;
    s.subscribe(&format!("?kafka/{topic}/"))
        .await
        .map_err(|e| e.to_string())?;
    let mut got = BTreeMap::new();
    while got.len() < want.len() {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
            Ok(Some(TopicEvent::Value {
                path,
                value: Value::Json(j),
                ..
            })) => {
                got.insert(path, j["seq"].as_u64().unwrap_or(u64::MAX));
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    s.close().await;
    Ok(want
        .iter()
        .filter(|(p, i)| got.get(p.as_str()) == Some(i))
        .count())
}
