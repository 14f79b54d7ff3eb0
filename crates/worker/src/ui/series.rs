//! `/ui/series`: the last minutes of every connector's rates, kept in the worker so a page
//! opened now shows history, not only what happens while it is open.
//!
//! Once a second the worker reads the tasks' existing counters (the same atomics `/metrics`
//! reads; nothing is added on the hot path) and keeps the differences in a ring of
//! [`KEEP`] samples. A connector without a running task (paused, stopped, failed) gets
//! zero rates, so its chart drops to 0 instead of just ending.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::herder::{Herder, TaskMetrics, TaskSnapshot};
use crate::rest::Api;

/// Samples kept: ten minutes at one a second (a few hundred bytes per connector each).
pub const KEEP: usize = 600;
const INTERVAL: Duration = Duration::from_secs(1);

/// One connector's task at one sample. Rates are per second over the last interval;
/// gauges are `None` where they do not apply (a source has no consumer lag) or are unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Point {
    /// Records taken in: a sink's read from Kafka, a source's updates from Diffusion.
    pub r#in: f64,
    /// Records delivered: a sink's confirmed by Diffusion, a source's acknowledged by Kafka.
    pub out: f64,
    pub errors: f64,
    pub dead_lettered: f64,
    /// The sink's publish latency over the interval, in milliseconds.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub lag: Option<i64>,
    /// Seconds since the Kafka timestamp of the last record the sink delivered.
    pub age_s: Option<f64>,
    /// Whether a task was running (false: paused, stopped, failed or standing by).
    pub running: bool,
}

#[derive(Clone, Debug)]
struct Sample {
    at_ms: i64,
    /// Connector name to its task 0 (one task per connector per worker).
    tasks: BTreeMap<String, (&'static str, Point)>,
}

/// What the previous sample read, to take differences from.
struct Previous {
    /// The task's metrics; a different `Arc` means the task was restarted and its counters
    /// started again from zero.
    metrics: TaskMetrics,
    counters: [u64; 4],
    buckets: Vec<(f64, u64)>,
}

#[derive(Default)]
struct Inner {
    samples: VecDeque<Sample>,
    previous: BTreeMap<String, Previous>,
}

/// The ring, shared by the sampler and the endpoint.
#[derive(Default)]
pub struct Series {
    inner: Mutex<Inner>,
}

impl Series {
    /// Samples `herder` every second until it is dropped.
    pub fn start(herder: &Arc<Herder>) -> Arc<Series> {
        let series = Arc::new(Series::default());
        let (s, h): (Arc<Series>, Weak<Herder>) = (series.clone(), Arc::downgrade(herder));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                let Some(herder) = h.upgrade() else { return };
                let names = herder.names().await;
                let tasks = herder.snapshot().await;
                drop(herder);
                s.sample(now_ms(), &names, &tasks);
            }
        });
        series
    }

    /// Takes one sample: every connector in `names`, with the counters of those in `tasks`.
    pub fn sample(&self, at_ms: i64, names: &[String], tasks: &[TaskSnapshot]) {
        let mut inner = self
            .inner
            .lock()
            .expect("the series lock is never poisoned");
        let seconds = inner.samples.back().map_or(INTERVAL.as_secs_f64(), |s| {
            ((at_ms - s.at_ms) as f64 / 1000.0).max(0.001)
        });
        let mut sample = Sample {
            at_ms,
            tasks: BTreeMap::new(),
        };
        for name in names {
            let Some(task) = tasks.iter().find(|t| &t.connector == name) else {
                inner.previous.remove(name);
                sample.tasks.insert(
                    name.clone(),
                    (kind_of_stopped(&inner, name), Point::default()),
                );
                continue;
            };
            let (kind, counters, buckets) = read(&task.metrics);
            let before = inner
                .previous
                .get(name)
                .filter(|p| same_task(&p.metrics, &task.metrics));
            let rate = |i: usize| {
                let was = before.map_or(0, |p| p.counters[i]);
                counters[i].saturating_sub(was) as f64 / seconds
            };
            let mut point = Point {
                r#in: rate(0),
                out: rate(1),
                errors: rate(2),
                dead_lettered: rate(3),
                running: task.state == crate::herder::State::Running,
                ..Point::default()
            };
            if let TaskMetrics::Sink(m) = &task.metrics {
                let delta = bucket_delta(&buckets, before.map(|p| p.buckets.as_slice()));
                point.p50_ms = quantile(&delta, 0.5).map(|s| s * 1000.0);
                point.p99_ms = quantile(&delta, 0.99).map(|s| s * 1000.0);
                let lag = m.consumer_lag.load(Ordering::Relaxed);
                point.lag = (lag >= 0).then_some(lag);
                let ts = m.last_record_timestamp_ms.load(Ordering::Relaxed);
                point.age_s = (ts > 0).then(|| (at_ms - ts).max(0) as f64 / 1000.0);
            }
            sample.tasks.insert(name.clone(), (kind, point));
            inner.previous.insert(
                name.clone(),
                Previous {
                    metrics: task.metrics.clone(),
                    counters,
                    buckets,
                },
            );
        }
        inner.previous.retain(|n, _| names.contains(n));
        if inner.samples.len() == KEEP {
            inner.samples.pop_front();
        }
        inner.samples.push_back(sample);
    }

    /// The samples taken after `since_ms`, one column per measure and connector (compact,
    /// and what a chart draws from).
    pub fn since(&self, since_ms: i64) -> SeriesView {
        let inner = self
            .inner
            .lock()
            .expect("the series lock is never poisoned");
        let samples: Vec<&Sample> = inner
            .samples
            .iter()
            .filter(|s| s.at_ms > since_ms)
            .collect();
        let mut connectors: BTreeMap<String, Columns> = BTreeMap::new();
        for (i, s) in samples.iter().enumerate() {
            for (name, (kind, p)) in &s.tasks {
                let c = connectors.entry(name.clone()).or_default();
                c.kind = *kind;
                c.push(i, p.clone());
            }
        }
        for c in connectors.values_mut() {
            c.pad(samples.len());
        }
        SeriesView {
            interval_ms: INTERVAL.as_millis() as u64,
            keep: KEEP,
            t: samples.iter().map(|s| s.at_ms).collect(),
            connectors,
        }
    }
}

/// The kind last seen for a connector whose task is gone, so its zeros chart as before.
fn kind_of_stopped(inner: &Inner, name: &str) -> &'static str {
    inner
        .samples
        .iter()
        .rev()
        .find_map(|s| s.tasks.get(name).map(|(k, _)| *k))
        .unwrap_or("")
}

fn same_task(a: &TaskMetrics, b: &TaskMetrics) -> bool {
    match (a, b) {
        (TaskMetrics::Sink(a), TaskMetrics::Sink(b)) => Arc::ptr_eq(a, b),
        (TaskMetrics::Source(a), TaskMetrics::Source(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

/// Counters in [`Point`]'s order (in, out, errors, dead-lettered), and the sink's latency
/// buckets.
fn read(m: &TaskMetrics) -> (&'static str, [u64; 4], Vec<(f64, u64)>) {
    let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    match m {
        TaskMetrics::Sink(m) => (
            "sink",
            [
                l(&m.records_read),
                l(&m.records_confirmed),
                l(&m.records_failed),
                l(&m.records_dead_lettered),
            ],
            m.publish_latency.cumulative(),
        ),
        TaskMetrics::Source(m) => (
            "source",
            [
                l(&m.updates_received),
                l(&m.records_acknowledged),
                l(&m.records_failed),
                0,
            ],
            Vec::new(),
        ),
    }
}

/// What the buckets gained since `before` (all of them when the task is new).
fn bucket_delta(now: &[(f64, u64)], before: Option<&[(f64, u64)]>) -> Vec<(f64, u64)> {
    now.iter()
        .enumerate()
        .map(|(i, (le, n))| {
            let was = before.and_then(|b| b.get(i)).map_or(0, |(_, n)| *n);
            (*le, n.saturating_sub(was))
        })
        .collect()
}

/// The `q` quantile of cumulative buckets, interpolated within its bucket as Prometheus's
/// `histogram_quantile` does; `None` without observations.
pub fn quantile(buckets: &[(f64, u64)], q: f64) -> Option<f64> {
    let total = buckets.last()?.1;
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut lower = (0.0, 0u64);
    for &(le, n) in buckets {
        if n as f64 >= rank {
            if le.is_infinite() {
                return Some(lower.0);
            }
            let inside = (n - lower.1) as f64;
            let fraction = if inside > 0.0 {
                (rank - lower.1 as f64) / inside
            } else {
                1.0
            };
            return Some(lower.0 + (le - lower.0) * fraction);
        }
        lower = (le, n);
    }
    Some(lower.0)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The JSON `/ui/series` answers: sample times and, per connector, one array per measure
/// aligned with them (`null` where the connector did not exist yet).
#[derive(Debug, Serialize)]
pub struct SeriesView {
    pub interval_ms: u64,
    pub keep: usize,
    pub t: Vec<i64>,
    pub connectors: BTreeMap<String, Columns>,
}

#[derive(Debug, Default, Serialize)]
pub struct Columns {
    pub kind: &'static str,
    pub task: u32,
    pub r#in: Vec<Option<f64>>,
    pub out: Vec<Option<f64>>,
    pub errors: Vec<Option<f64>>,
    pub dead_lettered: Vec<Option<f64>>,
    pub p50_ms: Vec<Option<f64>>,
    pub p99_ms: Vec<Option<f64>>,
    pub lag: Vec<Option<i64>>,
    pub age_s: Vec<Option<f64>>,
    pub running: Vec<Option<bool>>,
}

impl Columns {
    fn push(&mut self, i: usize, p: Point) {
        self.pad(i);
        self.r#in.push(Some(p.r#in));
        self.out.push(Some(p.out));
        self.errors.push(Some(p.errors));
        self.dead_lettered.push(Some(p.dead_lettered));
        self.p50_ms.push(p.p50_ms);
        self.p99_ms.push(p.p99_ms);
        self.lag.push(p.lag);
        self.age_s.push(p.age_s);
        self.running.push(Some(p.running));
    }

    /// Fills with `null` up to `len` samples.
    fn pad(&mut self, len: usize) {
        while self.r#in.len() < len {
            self.r#in.push(None);
            self.out.push(None);
            self.errors.push(None);
            self.dead_lettered.push(None);
            self.p50_ms.push(None);
            self.p99_ms.push(None);
            self.lag.push(None);
            self.age_s.push(None);
            self.running.push(None);
        }
    }
}

#[derive(Deserialize)]
pub struct SinceQuery {
    /// Only samples taken after this time (ms since the epoch): the page asks for what it
    /// has not seen yet.
    since: Option<i64>,
}

pub async fn series(State(api): State<Arc<Api>>, Query(q): Query<SinceQuery>) -> Json<SeriesView> {
    Json(api.series.since(q.since.unwrap_or(i64::MIN)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::herder::State as TaskState;
    use connectors::sink::SinkMetrics;

    fn sink(m: &Arc<SinkMetrics>) -> TaskSnapshot {
        TaskSnapshot {
            connector: "s".into(),
            state: TaskState::Running,
            diffusion_connected: true,
            metrics: TaskMetrics::Sink(m.clone()),
        }
    }

    #[test]
    fn rates_are_differences_and_a_paused_connector_reads_zero() {
        let series = Series::default();
        let m = Arc::new(SinkMetrics::default());
        let names = ["s".to_owned()];
        series.sample(1_000, &names, &[sink(&m)]);
        m.records_read.fetch_add(30, Ordering::Relaxed);
        m.records_confirmed.fetch_add(20, Ordering::Relaxed);
        for _ in 0..20 {
            m.publish_latency.observe(Duration::from_millis(2));
        }
        series.sample(3_000, &names, &[sink(&m)]);
        // Paused: no task.
        series.sample(4_000, &names, &[]);
        let v = series.since(0);
        assert_eq!(v.t, [1_000, 3_000, 4_000]);
        let c = &v.connectors["s"];
        assert_eq!(c.kind, "sink");
        assert_eq!(c.r#in, [Some(0.0), Some(15.0), Some(0.0)]);
        assert_eq!(c.out, [Some(0.0), Some(10.0), Some(0.0)]);
        let p50 = c.p50_ms[1].unwrap();
        assert!((1.0..=2.0).contains(&p50), "{p50}");
        assert_eq!(c.p50_ms[2], None);
        assert_eq!(c.running, [Some(true), Some(true), Some(false)]);
        // Only what is new.
        assert_eq!(series.since(3_000).t, [4_000]);
    }

    #[test]
    fn a_restarted_task_counts_from_zero_and_the_ring_is_bounded() {
        let series = Series::default();
        let names = ["s".to_owned()];
        let old = Arc::new(SinkMetrics::default());
        old.records_read.fetch_add(1_000, Ordering::Relaxed);
        series.sample(0, &names, &[sink(&old)]);
        let new = Arc::new(SinkMetrics::default());
        new.records_read.fetch_add(5, Ordering::Relaxed);
        series.sample(1_000, &names, &[sink(&new)]);
        assert_eq!(series.since(0).connectors["s"].r#in, [Some(5.0)]);
        for i in 0..(KEEP as i64 + 10) {
            series.sample(2_000 + i * 1_000, &names, &[sink(&new)]);
        }
        assert_eq!(series.since(i64::MIN).t.len(), KEEP);
    }

    /// Reported, not judged (timings belong to benchmarks): what one sample of a sink and
    /// a source costs the worker, once a second.
    #[test]
    fn what_a_sample_costs() {
        let series = Series::default();
        let names = ["s".to_owned(), "t".to_owned()];
        let m = Arc::new(SinkMetrics::default());
        let source = TaskSnapshot {
            connector: "t".into(),
            state: TaskState::Running,
            diffusion_connected: true,
            metrics: TaskMetrics::Source(Arc::default()),
        };
        let tasks = [sink(&m), source];
        let n = 2_000;
        let started = std::time::Instant::now();
        for i in 0..n {
            m.publish_latency.observe(Duration::from_millis(1));
            series.sample(i * 1_000, &names, &tasks);
        }
        eprintln!(
            "one sample of a sink and a source: {:?}",
            started.elapsed() / n as u32
        );
        assert_eq!(series.since(i64::MIN).t.len(), KEEP);
    }

    #[test]
    fn quantiles_interpolate_within_a_bucket() {
        let b = [(1.0, 0), (2.0, 10), (4.0, 10), (f64::INFINITY, 10)];
        assert_eq!(quantile(&b, 0.5), Some(1.5));
        assert_eq!(quantile(&[(1.0, 0), (f64::INFINITY, 0)], 0.5), None);
    }
}
