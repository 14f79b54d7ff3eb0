//! The sink's publish latency: a Prometheus histogram (0.25 ms to ~8 s, doubling, then
//! +Inf) counted with atomics.
//!
//! prometheus-client's `Histogram` takes a write lock for every observation, and the sink
//! observes once per record (~130 instructions a record, bench/profile.sh). Here an
//! observation is a search of 16 bounds and three atomic adds; it is encoded as the same
//! Prometheus histogram, bucket for bucket.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::histogram::exponential_buckets;
use prometheus_client::metrics::MetricType;

/// Finite bucket bounds; one more bucket holds what is above the last.
const BOUNDS: usize = 16;

/// Seconds from sending an update to Diffusion's confirmation.
#[derive(Debug)]
pub struct LatencyHistogram {
    bounds: [f64; BOUNDS],
    /// Per bucket (not cumulative); the last is above every bound.
    counts: [AtomicU64; BOUNDS + 1],
    /// The sum of the observations in seconds, as `f64` bits.
    sum: AtomicU64,
    count: AtomicU64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        let mut bounds = [0.0; BOUNDS];
        for (b, v) in bounds
            .iter_mut()
            .zip(exponential_buckets(0.00025, 2.0, BOUNDS as u16))
        {
            *b = v;
        }
        LatencyHistogram {
            bounds,
            counts: Default::default(),
            sum: AtomicU64::new(0f64.to_bits()),
            count: AtomicU64::new(0),
        }
    }
}

impl LatencyHistogram {
    /// Counts one latency: in the first bucket whose bound is at least it, as
    /// prometheus-client's histogram does.
    pub fn observe(&self, latency: Duration) {
        let v = latency.as_secs_f64();
        let i = self.bounds.iter().position(|&b| b >= v).unwrap_or(BOUNDS);
        self.counts[i].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        // One writer per sink task: the exchange succeeds the first time.
        let _ = self.sum.fetch_update(Relaxed, Relaxed, |s| {
            Some((f64::from_bits(s) + v).to_bits())
        });
    }

    /// Each bucket's upper bound (`f64::INFINITY` last) with the observations at or
    /// below it (cumulative, as Prometheus shows them).
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        self.per_bucket(f64::INFINITY)
            .into_iter()
            .map(|(le, n)| {
                total += n;
                (le, total)
            })
            .collect()
    }

    /// Each bucket's bound (`last` for the one above them all) and its own count.
    fn per_bucket(&self, last: f64) -> Vec<(f64, u64)> {
        self.bounds
            .iter()
            .copied()
            .chain(std::iter::once(last))
            .zip(&self.counts)
            .map(|(le, n)| (le, n.load(Relaxed)))
            .collect()
    }
}

impl EncodeMetric for LatencyHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        // prometheus-client's own histogram gives `f64::MAX` as the last bound, which its
        // encoders write as +Inf.
        encoder.encode_histogram::<NoLabelSet>(
            f64::from_bits(self.sum.load(Relaxed)),
            self.count.load(Relaxed),
            &self.per_bucket(f64::MAX),
            None,
        )
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::metrics::histogram::Histogram;

    use super::*;

    /// The text Prometheus gets from `metric`, registered as "h".
    fn text(metric: impl EncodeMetric + Send + Sync + std::fmt::Debug + 'static) -> String {
        let mut registry = prometheus_client::registry::Registry::default();
        registry.register("h", "", metric);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
        out
    }

    #[test]
    fn encodes_as_prometheus_clients_histogram_with_the_same_observations() {
        let ours = LatencyHistogram::default();
        let theirs = Histogram::new(exponential_buckets(0.00025, 2.0, 16));
        for ms in [
            0.0, 0.1, 0.25, 0.3, 1.0, 2.5, 7.0, 100.0, 8192.0, 9000.0, 60000.0,
        ] {
            let d = Duration::from_secs_f64(ms / 1000.0);
            ours.observe(d);
            theirs.observe(d.as_secs_f64());
        }
        assert_eq!(text(ours), text(theirs));
    }

    #[test]
    fn cumulative_counts_end_with_everything() {
        let h = LatencyHistogram::default();
        h.observe(Duration::from_micros(100));
        h.observe(Duration::from_millis(1));
        h.observe(Duration::from_secs(100));
        let c = h.cumulative();
        assert_eq!(c.len(), 17);
        assert_eq!(c[0], (0.00025, 1));
        assert_eq!(c[2], (0.001, 2));
        assert_eq!(c[15].1, 2);
        assert_eq!(c[16], (f64::INFINITY, 3));
    }
}
