//! One publisher, 100 subscribers, a steady 10k updates/s through the embedded server:
//! delivered updates per second against what was offered, delivery latency, server memory
//! under load and per idle session.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use diffusion_client::{Session, SessionOptions, TopicEvent, TopicSpecification, TopicType, Value};
use tokio::sync::Mutex;

use crate::support::{per_sec, quantile, ServerProcess};
use crate::Row;

const SUBSCRIBERS: usize = 100;
const TOPICS: usize = 10;
const RATE: u64 = 10_000;

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

pub async fn run(smoke: bool) -> Result<Vec<Row>, String> {
    let secs = if smoke { 1 } else { 10 };
    let server = ServerProcess::start()?;
    let rss_idle = server.rss_kib();
    let connect = || Session::connect(&server.url, "admin", "password", SessionOptions::default());
    let publisher = connect().await.map_err(|e| e.to_string())?;
    for t in 0..TOPICS {
        publisher
            .add_and_set(
                &format!("bench/{t}"),
                TopicSpecification::new(TopicType::Json),
                &Value::Json(serde_json::json!({"t": 0})),
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let delivered_count = Arc::new(AtomicU64::new(0));
    let mut subscribers = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..SUBSCRIBERS {
        let s = connect().await.map_err(|e| e.to_string())?;
        let mut events = s.take_events().unwrap();
        s.subscribe("?bench/").await.map_err(|e| e.to_string())?;
        let latencies = latencies.clone();
        let count = delivered_count.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(e) = events.recv().await {
                if let TopicEvent::Value {
                    value: Value::Json(j),
                    ..
                } = e
                {
                    let t = j["t"].as_u64().unwrap_or(0);
                    if t > 0 {
                        mine.push(now_micros().saturating_sub(t));
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies.lock().await.append(&mut mine);
        }));
        subscribers.push(s);
    }

    // Paced publishing: a batch every millisecond, pipelined.
    let total = RATE * secs;
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut sent = 0u64;
    let mut pending = futures_util::stream::FuturesUnordered::new();
    let mut peak_rss = 0;
    while sent < total {
        tick.tick().await;
        let due = (start.elapsed().as_secs_f64() * RATE as f64) as u64;
        while sent < due.min(total) {
            let p = publisher.clone();
            let topic = format!("bench/{}", sent as usize % TOPICS);
            pending.push(async move {
                p.set(&topic, &Value::Json(serde_json::json!({"t": now_micros(), "pad": "0123456789abcdef0123456789abcdef"}))).await
            });
            sent += 1;
        }
        while let Some(Some(r)) =
            futures_util::FutureExt::now_or_never(futures_util::StreamExt::next(&mut pending))
        {
            r.map_err(|e| e.to_string())?;
        }
        if sent.is_multiple_of(1000) {
            peak_rss = peak_rss.max(server.rss_kib());
        }
    }
    while let Some(r) = futures_util::StreamExt::next(&mut pending).await {
        r.map_err(|e| e.to_string())?;
    }
    let publish_secs = start.elapsed().as_secs_f64();
    // Wait for every delivery (or 30 s), then close everything so the collectors finish.
    let offered = total * SUBSCRIBERS as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while delivered_count.load(Ordering::Relaxed) < offered && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drain_secs = start.elapsed().as_secs_f64();
    for s in &subscribers {
        s.close().await;
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut lat = std::mem::take(&mut *latencies.lock().await);
    lat.sort_unstable();
    let delivered = lat.len() as u64;

    // Memory per idle session: open many, read the server's RSS.
    let idle_n = if smoke { 50 } else { 1000 };
    let before = server.rss_kib();
    let mut idle = Vec::new();
    for _ in 0..idle_n {
        idle.push(connect().await.map_err(|e| e.to_string())?);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = server.rss_kib();
    let per_session = (after.saturating_sub(before) as f64 * 1024.0 / idle_n as f64) as u64;

    let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
    Ok(vec![
        Row {
            name: format!("fan-out: {RATE} updates/s to {SUBSCRIBERS} subscribers, delivered"),
            ours: per_sec(delivered, drain_secs),
            baseline: format!("{} offered", per_sec(offered, publish_secs)),
            ratio: format!("{:.3}", delivered as f64 / offered as f64),
            target: "1.000 (nothing lost)".into(),
        },
        Row {
            name: "fan-out delivery latency p50 / p99 / p99.9 / max".into(),
            ours: format!(
                "{} / {} / {} / {}",
                ms(quantile(&lat, 0.5)),
                ms(quantile(&lat, 0.99)),
                ms(quantile(&lat, 0.999)),
                ms(*lat.last().unwrap_or(&0))
            ),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "-".into(),
        },
        Row {
            name: "server RSS idle / peak under fan-out".into(),
            ours: format!("{} KiB / {} KiB", rss_idle, peak_rss),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "bounded".into(),
        },
        Row {
            name: format!("server memory per idle session ({idle_n} sessions)"),
            ours: format!("{per_session} B"),
            baseline: "-".into(),
            ratio: "-".into(),
            target: "-".into(),
        },
    ])
}
