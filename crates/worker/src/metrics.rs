//! `GET /metrics`: Prometheus text, per connector and task, read from the tasks' counters
//! at scrape time (a collector, so nothing is copied on the hot path).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::herder::{State as TaskState, TaskMetrics, TaskSnapshot};
use crate::rest::Api;

#[derive(Debug)]
struct Tasks(
    Vec<(String, TaskState, bool, Counters)>,
    Vec<(String, Arc<connectors::sink::SinkMetrics>)>,
);

#[derive(Debug, Default)]
struct Counters {
    kind: &'static str,
    values: Vec<(&'static str, &'static str, u64)>,
}

fn counters(m: &TaskMetrics) -> Counters {
    let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    match m {
        TaskMetrics::Sink(m) => Counters {
            kind: "sink",
            values: vec![
                (
                    "records_read",
                    "Kafka records read by the sink",
                    l(&m.records_read),
                ),
                (
                    "records_confirmed",
                    "Records whose Diffusion update was confirmed",
                    l(&m.records_confirmed),
                ),
                (
                    "records_failed",
                    "Records that failed conversion or delivery",
                    l(&m.records_failed),
                ),
                (
                    "records_dead_lettered",
                    "Records written to the dead-letter topic",
                    l(&m.records_dead_lettered),
                ),
                (
                    "records_superseded",
                    "Records replaced while waiting by a newer one for the same destination (conflation)",
                    l(&m.records_superseded),
                ),
            ],
        },
        TaskMetrics::Source(m) => Counters {
            kind: "source",
            values: vec![
                (
                    "updates_received",
                    "Diffusion updates received by the source",
                    l(&m.updates_received),
                ),
                (
                    "records_acknowledged",
                    "Records Kafka acknowledged",
                    l(&m.records_acknowledged),
                ),
                (
                    "records_failed",
                    "Updates that could not be converted or delivered",
                    l(&m.records_failed),
                ),
                ("batches", "Batches handed to the producer", l(&m.batches)),
                (
                    "empty_polls",
                    "Poll intervals without any update",
                    l(&m.empty_polls),
                ),
                (
                    "topics_skipped",
                    "Diffusion topics of a type the source does not take",
                    l(&m.topics_skipped),
                ),
                (
                    "events_missed",
                    "Time series events the server no longer retained when the source caught up",
                    l(&m.events_missed),
                ),
                (
                    "events_duplicate",
                    "Time series events delivered again and dropped as already sent",
                    l(&m.events_duplicate),
                ),
            ],
        },
    }
}

impl Collector for Tasks {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let labels = |c: &str| {
            vec![
                ("connector".to_owned(), c.to_owned()),
                ("task".to_owned(), "0".to_owned()),
            ]
        };
        // Counters, grouped by name so each family is described once.
        let mut names: Vec<(String, &'static str)> = Vec::new();
        for (_, _, _, c) in &self.0 {
            for (n, help, _) in &c.values {
                let full = format!("{}_{n}", c.kind);
                if !names.iter().any(|(x, _)| *x == full) {
                    names.push((full, help));
                }
            }
        }
        for (full, help) in &names {
            let counter = ConstCounter::new(0u64);
            let mut family = encoder.encode_descriptor(full, help, None, counter.metric_type())?;
            for (connector, _, _, c) in &self.0 {
                for (n, _, v) in &c.values {
                    if format!("{}_{n}", c.kind) == *full {
                        let l = labels(connector);
                        ConstCounter::new(*v).encode(family.encode_family(&l)?)?;
                    }
                }
            }
        }
        let g = ConstGauge::new(0i64);
        let mut up = encoder.encode_descriptor(
            "diffusion_connected",
            "1 when the task's Diffusion session is connected",
            None,
            g.metric_type(),
        )?;
        for (connector, _, connected, _) in &self.0 {
            let l = labels(connector);
            ConstGauge::new(i64::from(*connected)).encode(up.encode_family(&l)?)?;
        }
        // The sink's publish latency (its own histogram) and the age of what it delivered.
        if !self.1.is_empty() {
            let h = prometheus_client::metrics::histogram::Histogram::new([1.0]);
            let mut family = encoder.encode_descriptor(
                "sink_publish_latency_seconds",
                "Time from sending an update to Diffusion's confirmation",
                None,
                h.metric_type(),
            )?;
            for (connector, m) in &self.1 {
                let l = labels(connector);
                m.publish_latency.encode(family.encode_family(&l)?)?;
            }
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            let mut lag = encoder.encode_descriptor(
                "sink_consumer_lag",
                "Records in the sink's assigned partitions beyond its consumer position",
                None,
                ConstGauge::new(0i64).metric_type(),
            )?;
            for (connector, m) in &self.1 {
                let n = m.consumer_lag.load(Ordering::Relaxed);
                if n >= 0 {
                    let l = labels(connector);
                    ConstGauge::new(n).encode(lag.encode_family(&l)?)?;
                }
            }
            let gauge = ConstGauge::new(0.0f64);
            let mut age = encoder.encode_descriptor(
                "sink_last_record_age_seconds",
                "Now minus the Kafka timestamp of the last record Diffusion confirmed: how far behind the sink is",
                None,
                gauge.metric_type(),
            )?;
            for (connector, m) in &self.1 {
                let ts = m.last_record_timestamp_ms.load(Ordering::Relaxed);
                if ts > 0 {
                    let l = labels(connector);
                    ConstGauge::new((now_ms - ts).max(0) as f64 / 1000.0)
                        .encode(age.encode_family(&l)?)?;
                }
            }
        }
        let mut state = encoder.encode_descriptor(
            "task_running",
            "1 when the task is RUNNING (state label: its state)",
            None,
            g.metric_type(),
        )?;
        for (connector, s, _, _) in &self.0 {
            let mut l = labels(connector);
            l.push(("state".to_owned(), s.name().to_owned()));
            ConstGauge::new(i64::from(*s == TaskState::Running))
                .encode(state.encode_family(&l)?)?;
        }
        Ok(())
    }
}

pub fn render(snapshot: Vec<TaskSnapshot>) -> String {
    let mut registry = Registry::with_prefix("dkc");
    let sinks = snapshot
        .iter()
        .filter_map(|t| match &t.metrics {
            TaskMetrics::Sink(m) => Some((t.connector.clone(), m.clone())),
            TaskMetrics::Source(_) => None,
        })
        .collect();
    let tasks = snapshot
        .into_iter()
        .map(|t| {
            (
                t.connector,
                t.state,
                t.diffusion_connected,
                counters(&t.metrics),
            )
        })
        .collect();
    registry.register_collector(Box::new(Tasks(tasks, sinks)));
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

pub async fn scrape(State(api): State<Arc<Api>>) -> impl IntoResponse {
    let body = render(api.herder.snapshot().await);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
