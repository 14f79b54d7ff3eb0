//! The source task: Diffusion updates in, Kafka records out.
//!
//! One subscription to `diffusion.selector`; each value becomes a record keyed by its
//! topic path, sent with an idempotent producer (ordered per key, so per Diffusion topic).
//! Batches of at most `diffusion.poll.size` updates are taken as they arrive; after
//! `diffusion.poll.interval` without any, an empty poll is counted (0: never). At most
//! `source.max.buffered.records` records wait for Kafka's acknowledgement: beyond that the
//! task stops reading the Diffusion stream, which stops the client's socket reader, so a
//! slow or absent Kafka costs bounded memory instead of the Java connector's unbounded
//! queue, and the status says why. The Diffusion client re-subscribes after a reconnection.

use std::collections::HashSet;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_data::{
    from_diffusion, BuiltinConverter, ConvertError, Input, Schema, SchemaAndValue, SchemaType,
    Value,
};
use diffusion_client::cbor_slice_to_json_text;
use diffusion_client::{Session, TopicEvent, TopicType};
use tokio::sync::{mpsc, watch};

use crate::active_topics::TopicRecorder;
use crate::converters::Side;
use crate::diffusion::{connect, report_connection};
use crate::kafka::KafkaSettings;
use crate::kafka_writer::{KafkaWriter, SendError, Stamp};
use crate::source_config::SourceConfig;
use crate::source_offsets::SharedOffsetStore;
use crate::status::{StatusHandle, TaskState};
use crate::task_error::TaskError;
use rdkafka::message::OwnedHeaders;
use transforms::{ConnectRecord, Header};

pub(crate) mod submitted;
mod time_series;

use submitted::Submitted;
use time_series::Series;

/// Counters a worker exposes and logs; tests read batching and back-off from them.
#[derive(Debug, Default)]
pub struct SourceMetrics {
    /// Topic values taken from Diffusion, of topic types the source converts (updates of
    /// skipped topics are not counted).
    pub updates_received: AtomicU64,
    /// Records Kafka acknowledged (counted in the producer's delivery callback).
    pub records_acknowledged: AtomicU64,
    /// Updates that did not become an acknowledged record: not convertible, no legal
    /// topic name, or refused by Kafka. Counted whether or not errors are tolerated.
    pub records_failed: AtomicU64,
    /// Batches of updates taken from the Diffusion stream (each at most
    /// `diffusion.poll.size`).
    pub batches: AtomicU64,
    /// The most updates taken in one batch so far.
    pub largest_batch: AtomicU64,
    /// Poll intervals that passed with no update at all.
    pub empty_polls: AtomicU64,
    /// Diffusion topics subscribed to whose type the source cannot take (only JSON,
    /// string, int64, double, binary and time series are), each counted once.
    pub topics_skipped: AtomicU64,
    /// Time series events that could not be sent because the server no longer retained
    /// them when the source caught up (after a long stop, or a short retained range).
    pub events_missed: AtomicU64,
    /// Time series events delivered again by a subscription (after a reconnection or a
    /// catch-up) and dropped, as already sent.
    pub events_duplicate: AtomicU64,
}

/// Runs the source until `stop` is set (graceful: records already sent are acknowledged
/// first, and their time series offsets stored) or it fails (the reason is returned and
/// reported as FAILED). `offsets`: the worker's store of source offsets (time series
/// topics resume from theirs); none: nothing is resumed.
pub async fn run_source(
    config: SourceConfig,
    kafka: KafkaSettings,
    status: StatusHandle,
    mut stop: watch::Receiver<bool>,
    metrics: Arc<SourceMetrics>,
    offsets: SharedOffsetStore,
) -> Result<(), TaskError> {
    let result = match Source::start(&config, kafka, &status, &mut stop, metrics, offsets).await {
        Ok(Some(mut source)) => {
            let r = source.run(&mut stop).await;
            source.session.close().await;
            r
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match &result {
        Ok(()) => status.set_state(TaskState::Stopped),
        Err(e) => {
            tracing::error!(connector = %config.name, "task FAILED: {e}");
            status.set_state(TaskState::Failed(e.to_string()));
        }
    }
    result
}

struct Source<'a> {
    config: &'a SourceConfig,
    kafka: KafkaSettings,
    status: &'a StatusHandle,
    session: Session,
    events: mpsc::Receiver<TopicEvent>,
    kafka_writer: KafkaWriter,
    metrics: Arc<SourceMetrics>,
    /// Kafka topics known to exist (created if they were missing).
    topics: HashSet<String>,
    /// Diffusion path to Kafka topic and record key, worked out once per path. Looked up
    /// per record: foldhash rather than SipHash, and shared, not cloned, per record.
    routes: foldhash::HashMap<String, Arc<Route>>,
    /// Paths of topics whose type the source cannot take, warned about once.
    skipped: HashSet<String>,
    /// The connector's active topics: those written to.
    active: TopicRecorder,
    /// Watched while a converter's registry is unreachable, so a stop is not held up.
    stop: watch::Receiver<bool>,
    /// Time series topics' last sequences.
    series: Series,
    /// Time series events sent and not yet committable.
    submitted: Submitted<time_series::Mark>,
    /// Where time series offsets are stored.
    offsets: SharedOffsetStore,
    /// The last record value's buffer, taken again for the next value written as JSON
    /// text: one buffer per task rather than an allocation (and its regrowths) per record.
    scratch: Vec<u8>,
}

/// The largest value buffer kept for reuse: one huge value does not pin its memory.
const SCRATCH_MAX: usize = 64 * 1024;

/// What converting a record's key or value came to.
enum Converted {
    /// The bytes to write (`None`: a null).
    Bytes(Option<Vec<u8>>),
    /// This record's failure, with the reason.
    Failed(String),
    /// A stop came while the converter's registry was unreachable.
    Stopped,
}

impl<'a> Source<'a> {
    async fn start(
        config: &'a SourceConfig,
        kafka: KafkaSettings,
        status: &'a StatusHandle,
        stop: &mut watch::Receiver<bool>,
        metrics: Arc<SourceMetrics>,
        offsets: SharedOffsetStore,
    ) -> Result<Option<Source<'a>>, TaskError> {
        if config.tasks_max > 1 {
            tracing::info!(connector = %config.name, tasks_max = config.tasks_max,
                "running one task: a Diffusion topic selector cannot be split between tasks");
        }
        let kafka_writer = KafkaWriter::new(&kafka.producer(), metrics.clone())?;
        // Read before subscribing: the first events of a topic are judged against these.
        let series = match &offsets {
            Some(store) => {
                let (store, name) = (store.clone(), config.name.clone());
                let stored = tokio::task::spawn_blocking(move || store.load(&name))
                    .await
                    .map_err(|e| TaskError::OffsetStore(e.to_string()))?
                    .map_err(|e| TaskError::OffsetStore(e.to_string()))?;
                Series::from_offsets(&config.name, stored)
            }
            None => Series::default(),
        };
        if series.len() > 0 {
            tracing::info!(connector = %config.name, topics = series.len(),
                "resuming time series topics from their stored offsets");
        }
        // Values undecoded: plain JSON goes from CBOR to text without a tree.
        let Some(session) = connect(&config.diffusion, &config.name, stop, true, 0).await? else {
            return Ok(None);
        };
        report_connection(&session, status);
        let events = session
            .take_events()
            .expect("a new session's events are there to take");
        session
            .subscribe(&config.selector)
            .await
            .map_err(|source| TaskError::DiffusionSubscribe {
                selector: config.selector.clone(),
                source,
            })?;
        status.set_state(TaskState::Running);
        tracing::info!(connector = %config.name, selector = %config.selector,
            url = %config.diffusion.url, "source started");
        Ok(Some(Source {
            config,
            kafka,
            status,
            session,
            events,
            kafka_writer,
            metrics,
            topics: HashSet::new(),
            routes: foldhash::HashMap::default(),
            skipped: HashSet::new(),
            active: status.topic_recorder(),
            stop: stop.clone(),
            series,
            submitted: Submitted::default(),
            offsets,
            scratch: Vec::new(),
        }))
    }

    async fn run(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), TaskError> {
        let interval = Duration::from_millis(self.config.poll_interval_ms);
        let mut idle = pin!(tokio::time::sleep(interval));
        let mut progress = tokio::time::interval(Duration::from_secs(10));
        progress.tick().await;
        let mut flush =
            tokio::time::interval(Duration::from_millis(self.config.offset_flush_interval_ms));
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        flush.tick().await;
        let mut last = (Instant::now(), 0u64);
        let mut batch = Vec::with_capacity(self.config.poll_size);
        let max = self.config.max_in_flight as u64;
        let mut waiting = false;
        // One wait for the whole run, not a new subscription per batch.
        let kafka = self.kafka_writer.context();
        let fatal = kafka.fatal();
        tokio::pin!(fatal);
        // Likewise one wait for a stop, not a waiter registered and dropped per turn.
        let stopped = stop.changed();
        tokio::pin!(stopped);
        let outcome = loop {
            if let Err(e) = self.judge_failures() {
                break Err(e);
            }
            let full = self.kafka_writer.outstanding() >= max;
            if full != waiting {
                waiting = full;
                self.status.set_note(full.then(|| {
                    format!("waiting for Kafka: {max} records not yet acknowledged; not reading from Diffusion meanwhile")
                }));
            }
            tokio::select! {
                biased;
                _ = &mut stopped => break Ok(()),
                why = &mut fatal => break Err(TaskError::KafkaIncurable(why)),
                // Woken by any acknowledgement; a timeout re-checks in case one raced.
                _ = tokio::time::timeout(Duration::from_millis(50), self.kafka_writer.settled()), if full => {}
                n = self.events.recv_many(&mut batch, self.config.poll_size), if !full => {
                    if n == 0 {
                        break Err(TaskError::SessionEnded { url: self.config.diffusion.url.clone() });
                    }
                    self.metrics.batches.fetch_add(1, Ordering::Relaxed);
                    self.metrics.largest_batch.fetch_max(n as u64, Ordering::Relaxed);
                    if let Err(e) = self.take(&mut batch).await {
                        break Err(e);
                    }
                    idle.as_mut().reset(tokio::time::Instant::now() + interval);
                }
                // 0: no idle wake-ups at all (a zero timer would spin a core).
                _ = &mut idle, if !interval.is_zero() => {
                    self.metrics.empty_polls.fetch_add(1, Ordering::Relaxed);
                    idle.as_mut().reset(tokio::time::Instant::now() + interval);
                }
                _ = flush.tick() => self.commit_offsets().await,
                _ = progress.tick() => {
                    let n = self.metrics.records_acknowledged.load(Ordering::Relaxed);
                    let rate = (n - last.1) as f64 / last.0.elapsed().as_secs_f64();
                    tracing::info!(connector = %self.config.name,
                        received = self.metrics.updates_received.load(Ordering::Relaxed), acknowledged = n,
                        failed = self.metrics.records_failed.load(Ordering::Relaxed),
                        in_flight = self.kafka_writer.outstanding(), "{rate:.0} records/s to Kafka");
                    last = (Instant::now(), n);
                }
            }
        };
        // Whatever was sent gets its acknowledgement before we go, and the offsets it makes
        // committable are stored (up to a failed record at most: one not tolerated never
        // settles).
        if let Err(e) = self.kafka_writer.flush(Duration::from_secs(30)).await {
            tracing::warn!(connector = %self.config.name, "{e}");
        }
        let judged = self.judge_failures();
        self.commit_offsets().await;
        judged?;
        if outcome.is_ok() {
            tracing::info!(connector = %self.config.name, "source stopped; every record sent was acknowledged");
        }
        outcome
    }

    /// Deliveries Kafka refused: fatal unless errors are tolerated (then their offsets may
    /// pass). Acknowledged records' offsets are settled here too, every turn of the loop,
    /// so only records still in flight are tracked.
    fn judge_failures(&mut self) -> Result<(), TaskError> {
        while let Some((why, token)) = self.kafka_writer.next_failure() {
            self.failed(why)?;
            self.submitted.settle(token);
        }
        for token in self.kafka_writer.take_acknowledged() {
            self.submitted.settle(token);
        }
        Ok(())
    }

    /// A record that cannot be delivered: fatal unless errors are tolerated.
    fn failed(&self, why: String) -> Result<(), TaskError> {
        self.metrics.records_failed.fetch_add(1, Ordering::Relaxed);
        if !self.config.errors.tolerate_all {
            return Err(TaskError::Undeliverable { why });
        }
        if self.config.errors.log {
            tracing::error!(connector = %self.config.name, "record skipped: {why}");
        }
        Ok(())
    }

    async fn take(&mut self, batch: &mut Vec<TopicEvent>) -> Result<(), TaskError> {
        for event in batch.drain(..) {
            let (path, topic_type, value) = match event {
                TopicEvent::RawValue {
                    path,
                    topic_type,
                    bytes,
                } => (path, topic_type, Update::Raw(bytes)),
                TopicEvent::Value {
                    path,
                    topic_type,
                    value,
                } => (path, topic_type, Update::Decoded(value)),
                TopicEvent::Subscribed {
                    path,
                    specification,
                } => {
                    if specification.topic_type == TopicType::TimeSeries {
                        self.series_subscribed(&path).await?;
                    } else if !accepted(specification.topic_type)
                        && self.skipped.insert(path.to_string())
                    {
                        self.metrics.topics_skipped.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(connector = %self.config.name, topic = %path, topic_type = %specification.topic_type,
                            "skipping this topic: the source takes JSON, string, int64, double, binary and time series topics");
                    }
                    continue;
                }
                TopicEvent::TimeSeries { path, event } => {
                    self.series_event(&path, *event).await?;
                    continue;
                }
                TopicEvent::Unsubscribed { path, reason } => {
                    tracing::debug!(connector = %self.config.name, topic = %path, ?reason, "unsubscribed");
                    continue;
                }
            };
            if !accepted(topic_type) {
                continue;
            }
            self.metrics
                .updates_received
                .fetch_add(1, Ordering::Relaxed);
            if let Fate::Failed(why) = self
                .send(&path, topic_type, value, Stamp::default())
                .await?
            {
                self.failed(format!("update of {path}: {why}"))?;
            }
        }
        Ok(())
    }

    /// The Kafka topic and record key for a Diffusion path, worked out once per path (the
    /// topic created if it is missing); or what became of a record that has none.
    async fn route(&mut self, path: &str) -> Result<Result<Arc<Route>, Fate>, TaskError> {
        if let Some(route) = self.routes.get(path) {
            return Ok(Ok(route.clone()));
        }
        let topic = match self.config.kafka_topic.resolve(path) {
            Ok(t) => t,
            Err(e) => return Ok(Err(Fate::Failed(format!("kafka.topic: {e}")))),
        };
        let key = SchemaAndValue {
            schema: Some(Schema::new(SchemaType::String)),
            value: Value::String(path.to_owned()),
        };
        let key = match self.convert(Side::Key, &topic, &key).await? {
            Converted::Bytes(k) => k,
            Converted::Failed(why) => return Ok(Err(Fate::Failed(why))),
            Converted::Stopped => return Ok(Err(Fate::Stopped)),
        };
        if !self.topics.contains(&topic) {
            self.kafka
                .create_topic_if_missing(
                    &topic,
                    self.config.topic_partitions,
                    self.config.topic_replication,
                )
                .await?;
            tracing::info!(connector = %self.config.name, topic = %topic, "writing to Kafka topic");
            self.topics.insert(topic.clone());
        }
        let route = Arc::new(Route { topic, key });
        self.routes.insert(path.to_owned(), route.clone());
        Ok(Ok(route))
    }

    /// The record value for an update. Plain JSON from a JSON topic, for a converter that
    /// writes it as it is, goes from CBOR straight to text; anything else through Connect
    /// data and the value converter.
    async fn value(
        &mut self,
        topic: &str,
        topic_type: TopicType,
        update: Update,
    ) -> Result<Converted, TaskError> {
        let value = match update {
            Update::Raw(bytes) => {
                if topic_type == TopicType::Json && self.config.value_converter.writes_plain_json()
                {
                    let mut text = std::mem::take(&mut self.scratch);
                    text.clear();
                    // JSON text is rarely more than twice its CBOR: one reservation.
                    text.reserve(2 * bytes.len());
                    if let Err(e) = cbor_slice_to_json_text(&bytes, &mut text) {
                        return Ok(Converted::Failed(format!("JSON value: {e}")));
                    }
                    // A null value without a schema is a tombstone, as Kafka writes it.
                    return Ok(Converted::Bytes((text != b"null").then_some(text)));
                }
                match diffusion_client::Value::decode(topic_type, &bytes) {
                    Ok(v) => v,
                    Err(e) => return Ok(Converted::Failed(e.to_string())),
                }
            }
            Update::Decoded(v) => v,
        };
        Ok(
            match self
                .convert(Side::Value, topic, &from_diffusion(value))
                .await?
            {
                Converted::Failed(why) => Converted::Failed(format!("{why} ({topic_type} topic)")),
                other => other,
            },
        )
    }

    /// Writes `data` through `side`'s converter for Kafka topic `topic`, letting the
    /// converter fetch or register what it needs (a schema) and retrying while its
    /// registry is unreachable. An error: the converter cannot work at all.
    async fn convert(
        &mut self,
        side: Side,
        topic: &str,
        data: &SchemaAndValue,
    ) -> Result<Converted, TaskError> {
        let converter = match side {
            Side::Key => self.config.key_converter.clone(),
            Side::Value => self.config.value_converter.clone(),
        };
        let name = match side {
            Side::Key => "key",
            Side::Value => "value",
        };
        let mut failures = 0u32;
        loop {
            let result = match converter.from_connect(topic, data) {
                Err(ConvertError::NotReady) => {
                    match converter.fetch(topic, Input::Data(data)).await {
                        Ok(()) => converter.from_connect(topic, data),
                        Err(e) => Err(e),
                    }
                }
                other => other,
            };
            match result {
                Ok(bytes) => {
                    if failures > 0 {
                        self.status.set_note(None);
                    }
                    return Ok(Converted::Bytes(bytes));
                }
                Err(ConvertError::Record(e)) => {
                    return Ok(Converted::Failed(format!("{name} converter: {e}")))
                }
                Err(ConvertError::NotReady) => {
                    return Ok(Converted::Failed(format!(
                        "{name} converter: still not ready after fetching what it needed"
                    )))
                }
                Err(ConvertError::Fatal(why)) => {
                    return Err(TaskError::Converter { side: name, why })
                }
                Err(ConvertError::Unavailable(why)) => {
                    failures = failures.saturating_add(1);
                    let pause = crate::converters::retry_pause(failures);
                    let note = format!("{name} converter: {why}; retrying in {pause:?}");
                    tracing::warn!(connector = %self.config.name, "{note}");
                    self.status.set_note(Some(note));
                    tokio::select! {
                        _ = self.stop.changed() => return Ok(Converted::Stopped),
                        _ = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
    }

    /// Converts and sends one update. An error stops the task (Kafka unusable); a failed
    /// fate is this record's problem.
    async fn send(
        &mut self,
        path: &str,
        topic_type: TopicType,
        update: Update,
        stamp: Stamp,
    ) -> Result<Fate, TaskError> {
        if !self.config.transforms.is_empty() {
            return self.send_transformed(path, topic_type, update, stamp).await;
        }
        let route = match self.route(path).await? {
            Ok(route) => route,
            // Not routed (no entry in `routes`): nothing more to do for this record.
            Err(fate) => return Ok(fate),
        };
        let Route { topic, key } = &*route;
        let value = match self.value(topic, topic_type, update).await? {
            Converted::Bytes(v) => v,
            Converted::Failed(why) => return Ok(Fate::Failed(why)),
            Converted::Stopped => return Ok(Fate::Stopped),
        };
        let fate = self
            .produce(topic, key.as_deref(), value.as_deref(), None, stamp)
            .await;
        // librdkafka copied the value: its buffer serves the next one.
        if let Some(v) = value.filter(|v| v.capacity() <= SCRATCH_MAX) {
            self.scratch = v;
        }
        fate
    }

    /// As Kafka Connect does for a source: the record goes through the transforms
    /// (`transforms`) before the converters; a routed record's topic is created if
    /// missing; a dropped one is not sent.
    async fn send_transformed(
        &mut self,
        path: &str,
        topic_type: TopicType,
        update: Update,
        stamp: Stamp,
    ) -> Result<Fate, TaskError> {
        let topic = match self.config.kafka_topic.resolve(path) {
            Ok(t) => t,
            Err(e) => return Ok(Fate::Failed(format!("kafka.topic: {e}"))),
        };
        let value = match update {
            Update::Decoded(v) => v,
            Update::Raw(bytes) => match diffusion_client::Value::decode(topic_type, &bytes) {
                Ok(v) => v,
                Err(e) => return Ok(Fate::Failed(e.to_string())),
            },
        };
        let record = ConnectRecord {
            topic,
            partition: None,
            offset: None,
            timestamp: stamp.timestamp_ms,
            key: SchemaAndValue {
                schema: Some(Schema::new(SchemaType::String)),
                value: Value::String(path.to_owned()),
            },
            value: from_diffusion(value),
            headers: Vec::new(),
        };
        let r = match self.config.transforms.apply(record) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Fate::Dropped),
            Err(e) => {
                return Ok(Fate::Failed(format!(
                    "stage TRANSFORMATION, {}: {}",
                    e.class, e.message
                )))
            }
        };
        let key = match self.convert(Side::Key, &r.topic, &r.key).await? {
            Converted::Bytes(k) => k,
            Converted::Failed(why) => return Ok(Fate::Failed(why)),
            Converted::Stopped => return Ok(Fate::Stopped),
        };
        let value = match self.convert(Side::Value, &r.topic, &r.value).await? {
            Converted::Bytes(v) => v,
            Converted::Failed(why) => return Ok(Fate::Failed(why)),
            Converted::Stopped => return Ok(Fate::Stopped),
        };
        let headers = match kafka_headers(&r.headers) {
            Ok(h) => h,
            Err(e) => return Ok(Fate::Failed(format!("header converter: {e}"))),
        };
        if !self.topics.contains(&r.topic) {
            if let Err(e) = crate::topic_name::check(&r.topic) {
                return Ok(Fate::Failed(e));
            }
            self.kafka
                .create_topic_if_missing(
                    &r.topic,
                    self.config.topic_partitions,
                    self.config.topic_replication,
                )
                .await?;
            tracing::info!(connector = %self.config.name, topic = %r.topic, "writing to Kafka topic");
            self.topics.insert(r.topic.clone());
        }
        let stamp = Stamp {
            timestamp_ms: r.timestamp,
            ..stamp
        };
        self.produce(
            &r.topic,
            key.as_deref(),
            value.as_deref(),
            headers.as_ref(),
            stamp,
        )
        .await
    }

    /// Sends one record, waiting while librdkafka's queue is full.
    async fn produce(
        &mut self,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: Option<&OwnedHeaders>,
        stamp: Stamp,
    ) -> Result<Fate, TaskError> {
        loop {
            match self.kafka_writer.send(topic, key, value, headers, stamp) {
                Ok(()) => {
                    self.active.record(topic);
                    return Ok(Fate::Sent);
                }
                // librdkafka's own queue is full: wait for acknowledgements.
                Err(SendError::QueueFull) => {
                    let _ = tokio::time::timeout(
                        Duration::from_millis(100),
                        self.kafka_writer.settled(),
                    )
                    .await;
                    self.judge_failures()?;
                }
                Err(SendError::Other(why)) => return Ok(Fate::Failed(why)),
            }
        }
    }
}

/// Transformed headers as Kafka header bytes: text as it is, other values in their
/// string form (Kafka Connect's `SimpleHeaderConverter`), null as a null value.
fn kafka_headers(headers: &[Header]) -> Result<Option<OwnedHeaders>, String> {
    if headers.is_empty() {
        return Ok(None);
    }
    let mut out = OwnedHeaders::new_with_capacity(headers.len());
    for h in headers {
        let bytes = if h.value.is_null() {
            None
        } else {
            BuiltinConverter::String
                .from_connect(&h.value)
                .map_err(|e| format!("{}: {e}", h.key))?
        };
        out = out.insert(rdkafka::message::Header {
            key: &h.key,
            value: bytes.as_deref(),
        });
    }
    Ok(Some(out))
}

/// What became of one update: sent, or failed for a reason of its own (the task goes on
/// if errors are tolerated).
enum Fate {
    Sent,
    /// A transform dropped it (`Filter`): nothing sent, nothing wrong.
    Dropped,
    /// A stop came while a converter's registry was unreachable: not sent.
    Stopped,
    Failed(String),
}

/// An update as the client delivered it.
enum Update {
    Raw(bytes::Bytes),
    Decoded(diffusion_client::Value),
}

/// Where a Diffusion path's records go, and their key.
struct Route {
    topic: String,
    key: Option<Vec<u8>>,
}

fn accepted(t: TopicType) -> bool {
    matches!(
        t,
        TopicType::Json
            | TopicType::String
            | TopicType::Int64
            | TopicType::Double
            | TopicType::Binary
            | TopicType::TimeSeries
    )
}
