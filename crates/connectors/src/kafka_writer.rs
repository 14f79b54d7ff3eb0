//! The source's way into Kafka: an idempotent librdkafka producer whose acknowledgements
//! arrive by callback on the producer's own thread and are counted, not one future per
//! record, so the hot path is a queue insert. Failures are kept for the task to judge
//! (`errors.tolerance`), and a notification wakes it whenever something settles.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientConfig, ClientContext};
use tokio::sync::Notify;

use crate::kafka_context::KafkaContext;
use crate::source::SourceMetrics;
use crate::task_error::TaskError;

struct Acks {
    metrics: Arc<SourceMetrics>,
    failed: AtomicU64,
    /// Refusals, each with its record's token (0: untracked).
    failures: Mutex<VecDeque<(String, usize)>>,
    /// Tokens of tracked records Kafka acknowledged, not yet taken.
    acknowledged: Mutex<Vec<usize>>,
    settled: Notify,
}

struct Context(Arc<Acks>, KafkaContext);

impl ClientContext for Context {
    fn error(&self, error: KafkaError, reason: &str) {
        self.1.error(error, reason);
    }
}

impl ProducerContext for Context {
    /// A token for records whose offsets are tracked ([`Submitted`](crate::source::submitted)),
    /// 0 for the rest.
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, token: usize) {
        match result {
            Ok(_) => {
                self.0
                    .metrics
                    .records_acknowledged
                    .fetch_add(1, Ordering::Relaxed);
                if token != 0 {
                    self.0.acknowledged.lock().unwrap().push(token);
                }
            }
            Err((e, m)) => {
                self.0.failed.fetch_add(1, Ordering::Relaxed);
                let why = format!("Kafka did not take a record for {}: {e}", m.topic());
                self.0.failures.lock().unwrap().push_back((why, token));
            }
        }
        self.0.settled.notify_one();
    }
}

/// What a record carries besides its key and value: its timestamp (`None`: the
/// producer's clock) and its offset-tracking token (0: none).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stamp {
    pub(crate) timestamp_ms: Option<i64>,
    pub(crate) token: usize,
}

pub(crate) enum SendError {
    /// librdkafka's queue is full: wait for acknowledgements and send again.
    QueueFull,
    Other(String),
}

pub(crate) struct KafkaWriter {
    producer: Arc<ThreadedProducer<Context>>,
    acks: Arc<Acks>,
    sent: u64,
}

impl KafkaWriter {
    pub(crate) fn new(
        config: &ClientConfig,
        metrics: Arc<SourceMetrics>,
    ) -> Result<KafkaWriter, TaskError> {
        let acks = Arc::new(Acks {
            metrics,
            failed: AtomicU64::new(0),
            failures: Mutex::new(VecDeque::new()),
            acknowledged: Mutex::new(Vec::new()),
            settled: Notify::new(),
        });
        let producer = config
            .create_with_context(Context(acks.clone(), KafkaContext::default()))
            .map_err(|source| TaskError::KafkaClient {
                client: "producer",
                source,
            })?;
        Ok(KafkaWriter {
            producer: Arc::new(producer),
            acks,
            sent: 0,
        })
    }

    /// Sends one record; `token` (0: none) comes back from [`take_acknowledged`](Self::take_acknowledged)
    /// or with its failure.
    pub(crate) fn send(
        &mut self,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: Option<&OwnedHeaders>,
        stamp: Stamp,
    ) -> Result<(), SendError> {
        let mut record: BaseRecord<'_, [u8], [u8], usize> =
            BaseRecord::with_opaque_to(topic, stamp.token);
        if let Some(t) = stamp.timestamp_ms {
            record = record.timestamp(t);
        }
        if let Some(h) = headers {
            record = record.headers(h.clone());
        }
        if let Some(k) = key {
            record = record.key(k);
        }
        if let Some(v) = value {
            record = record.payload(v);
        }
        match self.producer.send(record) {
            Ok(()) => {
                self.sent += 1;
                Ok(())
            }
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                Err(SendError::QueueFull)
            }
            Err((e, _)) => Err(SendError::Other(format!("cannot send to {topic}: {e}"))),
        }
    }

    /// Records sent and not yet acknowledged or failed.
    pub(crate) fn outstanding(&self) -> u64 {
        let acked = self
            .acks
            .metrics
            .records_acknowledged
            .load(Ordering::Relaxed);
        self.sent
            .saturating_sub(acked + self.acks.failed.load(Ordering::Relaxed))
    }

    /// The next failed delivery, if any, with its token.
    pub(crate) fn next_failure(&self) -> Option<(String, usize)> {
        self.acks.failures.lock().unwrap().pop_front()
    }

    /// The tokens of tracked records acknowledged since the last call.
    pub(crate) fn take_acknowledged(&self) -> Vec<usize> {
        std::mem::take(&mut *self.acks.acknowledged.lock().unwrap())
    }

    /// Hears the producer's errors that retrying will not cure (see [`KafkaContext`]).
    pub(crate) fn context(&self) -> KafkaContext {
        self.producer.context().1.clone()
    }

    /// Resolves when some record settled since the last call.
    pub(crate) async fn settled(&self) {
        self.acks.settled.notified().await
    }

    /// Waits (bounded) until everything sent has settled; off the executor, as
    /// librdkafka's flush blocks.
    pub(crate) async fn flush(&self, timeout: Duration) -> Result<(), TaskError> {
        let p = self.producer.clone();
        let flushed = tokio::task::spawn_blocking(move || p.flush(timeout)).await;
        match flushed {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(TaskError::KafkaDelivery(format!(
                "Kafka did not acknowledge everything within {timeout:?}: {e}"
            ))),
            Err(e) => Err(TaskError::KafkaDelivery(format!(
                "the flush did not finish: {e}"
            ))),
        }
    }
}
