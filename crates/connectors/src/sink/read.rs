//! The sink's Kafka side: its consumer (Connect's group, librdkafka committing what the
//! sink stores), the rebalance callback, the subscription and the lag.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::ClientContext;

use super::metrics::SinkMetrics;
use super::offsets::{on_revoke, Offsets};
use crate::config::{SinkConfig, Topics};
use crate::errors::RecordInfo;
use crate::kafka::KafkaSettings;
use crate::kafka_context::KafkaContext;
use crate::task_error::TaskError;

/// The sink's consumer.
pub(super) type SinkConsumer = StreamConsumer<SinkContext>;

/// The consumer's context: the incurable errors every task watches for, and the
/// rebalance callback that hands over what Diffusion confirmed for revoked partitions.
pub(super) struct SinkContext {
    pub(super) kafka: KafkaContext,
    offsets: Arc<Mutex<Offsets>>,
}

impl ClientContext for SinkContext {
    fn error(&self, error: KafkaError, reason: &str) {
        self.kafka.error(error, reason)
    }
}

impl ConsumerContext for SinkContext {
    // librdkafka calls this on the thread that polls (inside `recv`), before the
    // partitions are unassigned; storing is in memory, the commit is librdkafka's.
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(revoked) = rebalance {
            tracing::info!(
                partitions = revoked.count(),
                "partitions revoked; committing what Diffusion confirmed for them"
            );
            on_revoke(consumer, &self.offsets, revoked);
        }
    }
}

/// The consumer for `config`'s group (`connect-<name>`), subscribed to its topics.
pub(super) fn consumer(
    config: &SinkConfig,
    kafka: &KafkaSettings,
    offsets: Arc<Mutex<Offsets>>,
) -> Result<SinkConsumer, TaskError> {
    let mut settings = kafka.consumer(&group(&config.name));
    // librdkafka stops fetching for `fetch.queue.backoff.ms` (1 s by default) once its
    // queue holds `queued.min.messages`; Apache Kafka fills that queue faster than the
    // sink drains it, so the default held the sink to ~100k records/s (bench/RESULTS.md).
    // A short back-off keeps the queue fed; `consumer.fetch.queue.backoff.ms` overrides.
    if settings.get("fetch.queue.backoff.ms").is_none() {
        settings.set("fetch.queue.backoff.ms", "20");
    }
    // The sink's contract, whatever `consumer.*` says: nothing is committed that the
    // sink did not store, and what it stores is committed off the task's thread.
    settings
        .set("enable.auto.offset.store", "false")
        .set("enable.auto.commit", "true")
        .set(
            "auto.commit.interval.ms",
            config.commit_interval_ms.max(1).to_string(),
        );
    let consumer: SinkConsumer = settings
        .create_with_context(SinkContext {
            kafka: KafkaContext::default(),
            offsets,
        })
        .map_err(|source| TaskError::KafkaClient {
            client: "consumer",
            source,
        })?;
    subscribe(&consumer, &config.topics)?;
    Ok(consumer)
}

/// Kafka Connect's group for a sink connector.
pub(super) fn group(connector: &str) -> String {
    format!("connect-{connector}")
}

fn subscribe(consumer: &SinkConsumer, topics: &Topics) -> Result<(), TaskError> {
    match topics {
        Topics::List(list) => {
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            consumer.subscribe(&refs)
        }
        // librdkafka takes a subscription starting with ^ as a regular expression.
        Topics::Regex(re) => consumer.subscribe(&[&format!("^{}", re.trim_start_matches('^'))]),
    }
    .map_err(|source| TaskError::Subscribe {
        topics: format!("{topics:?}"),
        source,
    })
}

/// Whether a consumer error is a refusal no retry will cure.
pub(super) fn is_auth_failure(e: &KafkaError) -> bool {
    use rdkafka::error::RDKafkaErrorCode as C;
    matches!(
        e.rdkafka_error_code(),
        Some(
            C::Authentication
                | C::SaslAuthenticationFailed
                | C::TopicAuthorizationFailed
                | C::GroupAuthorizationFailed
        )
    )
}

/// The consumer lag, measured off the task (the broker is asked for each assigned
/// partition's high watermark): records not yet read.
pub(super) fn measure_lag(consumer: &Arc<SinkConsumer>, metrics: &Arc<SinkMetrics>) {
    let (consumer, metrics) = (consumer.clone(), metrics.clone());
    tokio::task::spawn_blocking(move || {
        let Ok(positions) = consumer.position() else {
            return;
        };
        let mut lag = 0i64;
        for e in positions.elements() {
            let Ok((low, high)) =
                consumer.fetch_watermarks(e.topic(), e.partition(), Duration::from_secs(2))
            else {
                return;
            };
            let at = match e.offset() {
                rdkafka::Offset::Offset(o) => o,
                _ => low,
            };
            lag += (high - at).max(0);
        }
        metrics.consumer_lag.store(lag, Ordering::Relaxed);
    });
}

/// A record's coordinates and bytes, for the error path.
pub(super) fn record_info(m: &BorrowedMessage<'_>) -> RecordInfo {
    RecordInfo {
        topic: m.topic().to_owned(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers: m
            .headers()
            .map(|h| {
                h.iter()
                    .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Commits what is stored, then leaves the group, both off the executor: the sink's
/// last offsets are committed before another member takes its partitions.
pub(super) async fn close(consumer: Arc<SinkConsumer>, connector: &str) {
    let connector = connector.to_owned();
    let _ = tokio::task::spawn_blocking(move || {
        if let Err(e) = consumer.commit_consumer_state(rdkafka::consumer::CommitMode::Sync) {
            // Nothing stored since the last commit is not a failure.
            if e.rdkafka_error_code() != Some(rdkafka::error::RDKafkaErrorCode::NoOffset) {
                tracing::warn!(connector = %connector, error = %e, "final offset commit failed");
            }
        }
        drop(consumer);
    })
    .await;
}
