//! The sink's counters, which the worker exposes (Prometheus, the live page) and logs.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use super::latency::LatencyHistogram;

/// Counters a worker exposes and logs.
#[derive(Debug)]
pub struct SinkMetrics {
    /// Records taken from Kafka, whatever became of them.
    pub records_read: AtomicU64,
    /// Records whose update Diffusion confirmed.
    pub records_confirmed: AtomicU64,
    /// Records that took the error path (converter, destination or Diffusion refusal).
    pub records_failed: AtomicU64,
    /// Records replaced, while they waited, by a newer record for the same destination
    /// (`diffusion.conflation=latest`); settled when that one is confirmed.
    pub records_superseded: AtomicU64,
    /// Failed records the dead-letter topic acknowledged.
    pub records_dead_lettered: AtomicU64,
    /// Seconds from sending an update to Diffusion's confirmation.
    pub publish_latency: LatencyHistogram,
    /// The Kafka timestamp (ms) of the last record Diffusion confirmed; 0 before any.
    pub last_record_timestamp_ms: AtomicI64,
    /// Records in the assigned partitions beyond the consumer's position (-1: unknown).
    pub consumer_lag: AtomicI64,
}

impl Default for SinkMetrics {
    fn default() -> Self {
        SinkMetrics {
            records_read: AtomicU64::new(0),
            records_confirmed: AtomicU64::new(0),
            records_failed: AtomicU64::new(0),
            records_superseded: AtomicU64::new(0),
            records_dead_lettered: AtomicU64::new(0),
            // 0.25 ms to ~8 s.
            publish_latency: LatencyHistogram::default(),
            last_record_timestamp_ms: AtomicI64::new(0),
            consumer_lag: AtomicI64::new(-1),
        }
    }
}

impl SinkMetrics {
    /// Diffusion confirmed a record's update, sent at `sent_at`.
    pub(super) fn confirmed(&self, sent_at: Instant, timestamp_ms: Option<i64>) {
        self.records_confirmed.fetch_add(1, Ordering::Relaxed);
        self.publish_latency.observe(sent_at.elapsed());
        if let Some(ts) = timestamp_ms {
            self.last_record_timestamp_ms.store(ts, Ordering::Relaxed);
        }
    }
}
