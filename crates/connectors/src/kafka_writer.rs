//! The source's way into Kafka: an idempotent librdkafka producer whose acknowledgements
//! arrive by callback on the producer's own thread and are counted, not one future per
//! record, so the hot path is a queue insert. Failures are kept for the task to judge
//! (`errors.tolerance`), and a notification wakes it whenever something settles.

use std::collections::VecDeque;
use std::ffi::{c_void, CString};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::bindings as rdsys;
use rdkafka::error::{IsError, KafkaError, RDKafkaErrorCode};
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

/// The application's handle on a librdkafka topic, made once per topic name.
struct TopicHandle(NonNull<rdsys::rd_kafka_topic_t>);

// SAFETY: librdkafka's topic handles are refcounted and may be used from any thread.
unsafe impl Send for TopicHandle {}
unsafe impl Sync for TopicHandle {}

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: made by `rd_kafka_topic_new`, given up once, here.
        unsafe { rdsys::rd_kafka_topic_destroy(self.0.as_ptr()) }
    }
}

pub(crate) struct KafkaWriter {
    /// Handles of the topics written to, by name. Declared before `producer`, so they
    /// are given up before the producer is destroyed.
    topics: foldhash::HashMap<Box<str>, TopicHandle>,
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
            topics: foldhash::HashMap::default(),
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
        if headers.is_none() {
            if let Some(rkt) = self.topic_handle(topic) {
                return self.send_to(rkt, topic, key, value, stamp);
            }
        }
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

    /// This producer's handle on `topic`, made on first use; `None` if librdkafka will not
    /// make one (the name is not valid), and then `send` goes rdkafka's way, which says
    /// why.
    fn topic_handle(&mut self, topic: &str) -> Option<NonNull<rdsys::rd_kafka_topic_t>> {
        if let Some(h) = self.topics.get(topic) {
            return Some(h.0);
        }
        let name = CString::new(topic).ok()?;
        // SAFETY: the client pointer is valid while `self.producer` lives; a null config
        // takes the producer's default topic config, as naming the topic per record does.
        let rkt = unsafe {
            rdsys::rd_kafka_topic_new(
                self.producer.client().native_ptr(),
                name.as_ptr(),
                ptr::null_mut(),
            )
        };
        let handle = TopicHandle(NonNull::new(rkt)?);
        let rkt = handle.0;
        self.topics.insert(topic.into(), handle);
        Some(rkt)
    }

    /// [`send`](Self::send) for a record without headers, to a topic by its handle. What
    /// rdkafka's `BaseProducer::send` does, less the topic's name: it makes a C string of
    /// the name for each record and librdkafka then looks the topic up by it (~450
    /// instructions per record, bench/profile-source.sh); rdkafka has no send by handle.
    fn send_to(
        &mut self,
        rkt: NonNull<rdsys::rd_kafka_topic_t>,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        stamp: Stamp,
    ) -> Result<(), SendError> {
        use rdsys::rd_kafka_vtype_t::*;
        let bytes = |b: Option<&[u8]>| {
            b.map_or((ptr::null_mut(), 0), |b| {
                (b.as_ptr() as *mut c_void, b.len())
            })
        };
        let (value_ptr, value_len) = bytes(value);
        let (key_ptr, key_len) = bytes(key);
        // SAFETY: the arguments rdkafka's `send` gives, with the same types: librdkafka
        // copies the key and value before returning (`RD_KAFKA_MSG_F_COPY`); the opaque is
        // the token as a pointer's value, which is how rdkafka passes a `usize` opaque
        // and reads it back in the delivery report (`Context::delivery`); `rkt` is this
        // producer's, alive while `self.topics` holds it.
        let err = unsafe {
            rdsys::rd_kafka_producev(
                self.producer.client().native_ptr(),
                RD_KAFKA_VTYPE_RKT,
                rkt.as_ptr(),
                RD_KAFKA_VTYPE_PARTITION,
                -1i32,
                RD_KAFKA_VTYPE_MSGFLAGS,
                rdsys::RD_KAFKA_MSG_F_COPY,
                RD_KAFKA_VTYPE_VALUE,
                value_ptr,
                value_len,
                RD_KAFKA_VTYPE_KEY,
                key_ptr,
                key_len,
                RD_KAFKA_VTYPE_OPAQUE,
                stamp.token as *mut c_void,
                RD_KAFKA_VTYPE_TIMESTAMP,
                stamp.timestamp_ms.unwrap_or(0),
                RD_KAFKA_VTYPE_END,
            )
        };
        if !err.is_error() {
            self.sent += 1;
            return Ok(());
        }
        match RDKafkaErrorCode::from(err) {
            RDKafkaErrorCode::QueueFull => Err(SendError::QueueFull),
            code => Err(SendError::Other(format!(
                "cannot send to {topic}: {}",
                KafkaError::MessageProduction(code)
            ))),
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
