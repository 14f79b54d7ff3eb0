//! The sink task: Kafka records in, Diffusion updates out, offsets committed only for what
//! Diffusion confirmed.
//!
//! Records are converted and sent in the order they are read, with up to
//! `diffusion.max.in.flight` updates awaiting confirmation; confirmations are taken in the
//! same order, so per-partition offsets settle in order and each Diffusion topic sees its
//! updates in order. If the Diffusion connection drops, the client reconnects and every
//! unconfirmed update is sent again, in order (a duplicate is harmless: Diffusion keeps the
//! last value), and nothing unconfirmed is committed meanwhile.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use connect_data::{to_diffusion_cbor, SchemaAndValue};
use diffusion_client::{ClientError, Session, SessionState, TopicSpecification, TopicType};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use tokio::sync::watch;

use crate::active_topics::TopicRecorder;
use crate::config::{SinkConfig, Topics};
use crate::diffusion::{connect, report_connection};
use crate::errors::{ErrorReporter, RecordError, RecordInfo, Stage};
use crate::kafka::KafkaSettings;
use crate::kafka_context::KafkaContext;
use crate::offsets::Offsets;
use crate::pattern::{validate_path, Context};
use crate::status::{StatusHandle, TaskState};

/// Counters a worker exposes and logs.
#[derive(Debug)]
pub struct SinkMetrics {
    pub records_read: AtomicU64,
    pub records_confirmed: AtomicU64,
    pub records_failed: AtomicU64,
    pub records_dead_lettered: AtomicU64,
    /// Seconds from sending an update to Diffusion's confirmation.
    pub publish_latency: Histogram,
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
            records_dead_lettered: AtomicU64::new(0),
            // 0.25 ms to ~8 s.
            publish_latency: Histogram::new(exponential_buckets(0.00025, 2.0, 16)),
            last_record_timestamp_ms: AtomicI64::new(0),
            consumer_lag: AtomicI64::new(-1),
        }
    }
}

/// CBOR `null`: what a tombstone sets by default.
const CBOR_NULL: &[u8] = &[0xf6];

/// What one record asks of Diffusion; kept so it can be sent again after a reconnection.
enum Work {
    Set {
        path: String,
        value: Bytes,
    },
    Remove {
        path: String,
    },
    /// Nothing for Diffusion: the record went to the error path.
    Reported,
    /// A record that fails the task once everything before it has settled.
    Fatal(String),
}

enum Ack {
    Done,
    /// The topic now exists (it was created or already there).
    Known(String),
    Forgotten(String),
}

/// Why an in-flight record did not settle.
enum Failure {
    Diffusion(ClientError),
    DeadLetter(String),
}

type Wait = Pin<Box<dyn Future<Output = Result<Ack, Failure>> + Send>>;

struct InFlight {
    topic: String,
    partition: i32,
    offset: i64,
    /// The record's Kafka timestamp, for the age of what was last delivered.
    timestamp_ms: Option<i64>,
    /// When its update was first sent, for the publish latency.
    sent_at: Instant,
    info: Option<RecordInfo>,
    work: Work,
    wait: Wait,
}

fn done() -> Wait {
    Box::pin(async { Ok(Ack::Done) })
}

/// Sends one update; returns once it is on its way.
async fn dispatch(
    session: &Session,
    work: &Work,
    known: &HashSet<String>,
) -> Result<Wait, ClientError> {
    Ok(match work {
        Work::Set { path, value } if known.contains(path) => {
            let p = session
                .start_set_raw(path, TopicType::Json, value.clone())
                .await?;
            Box::pin(async move {
                p.wait()
                    .await
                    .map(|_| Ack::Done)
                    .map_err(Failure::Diffusion)
            })
        }
        // First sight of a path: create the topic as JSON and set it in one round trip.
        Work::Set { path, value } => {
            let p = session
                .start_add_and_set_raw(
                    path,
                    TopicSpecification::new(TopicType::Json),
                    value.clone(),
                )
                .await?;
            let path = path.clone();
            Box::pin(async move {
                p.wait()
                    .await
                    .map(|_| Ack::Known(path))
                    .map_err(Failure::Diffusion)
            })
        }
        Work::Remove { path } => {
            let p = session.start_remove(&format!(">{path}")).await?;
            let path = path.clone();
            Box::pin(async move {
                p.wait()
                    .await
                    .map(|_| Ack::Forgotten(path))
                    .map_err(Failure::Diffusion)
            })
        }
        Work::Reported | Work::Fatal(_) => done(),
    })
}

/// Runs the sink until `stop` is set (graceful: in-flight updates are confirmed and
/// committed first) or it fails (the reason is returned and reported as FAILED).
pub async fn run_sink(
    config: SinkConfig,
    kafka: KafkaSettings,
    status: StatusHandle,
    mut stop: watch::Receiver<bool>,
    metrics: Arc<SinkMetrics>,
) -> Result<(), String> {
    let result = Sink::start(&config, &kafka, &status, &mut stop, metrics).await;
    let result = match result {
        Ok(Some(mut sink)) => sink.run(&mut stop).await,
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match &result {
        Ok(()) => status.set_state(TaskState::Stopped),
        Err(e) => {
            tracing::error!(connector = %config.name, "task FAILED: {e}");
            status.set_state(TaskState::Failed(e.clone()));
        }
    }
    result
}

struct Sink<'a> {
    config: &'a SinkConfig,
    session: Session,
    consumer: Arc<StreamConsumer<KafkaContext>>,
    reporter: ErrorReporter,
    metrics: Arc<SinkMetrics>,
    known: HashSet<String>,
    offsets: Offsets,
    inflight: VecDeque<InFlight>,
    /// The Kafka timestamp of the record being taken.
    timestamp_ms: Option<i64>,
    /// A record failed and errors are not tolerated: read no more.
    poisoned: bool,
    /// The connector's active topics.
    active: TopicRecorder,
}

impl<'a> Sink<'a> {
    async fn start(
        config: &'a SinkConfig,
        kafka: &KafkaSettings,
        status: &'a StatusHandle,
        stop: &mut watch::Receiver<bool>,
        metrics: Arc<SinkMetrics>,
    ) -> Result<Option<Sink<'a>>, String> {
        if config.tasks_max > 1 {
            tracing::info!(connector = %config.name, tasks_max = config.tasks_max,
                "running one task: Diffusion topics have no partitions, so one ordered stream per connector keeps updates in order");
        }
        let Some(session) = connect(
            &config.diffusion,
            &config.name,
            stop,
            false,
            config.max_in_flight,
        )
        .await?
        else {
            return Ok(None);
        };
        report_connection(&session, status);
        let group = format!("connect-{}", config.name);
        let consumer: StreamConsumer<KafkaContext> = kafka
            .consumer(&group)
            .create_with_context(KafkaContext::default())
            .map_err(|e| format!("cannot create the Kafka consumer: {e}"))?;
        subscribe(&consumer, &config.topics)?;
        let reporter = ErrorReporter::new(config.errors.clone(), &config.name, kafka).await?;
        status.set_state(TaskState::Running);
        tracing::info!(connector = %config.name, topics = ?config.topics, url = %config.diffusion.url, group = %group, "sink started");
        Ok(Some(Sink {
            config,
            session,
            consumer: Arc::new(consumer),
            reporter,
            metrics,
            known: HashSet::new(),
            offsets: Offsets::default(),
            inflight: VecDeque::new(),
            timestamp_ms: None,
            poisoned: false,
            active: status.topic_recorder(),
        }))
    }

    async fn run(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), String> {
        let mut commit =
            tokio::time::interval(Duration::from_millis(self.config.commit_interval_ms));
        let mut progress = tokio::time::interval(Duration::from_secs(10));
        progress.tick().await;
        let mut lag = tokio::time::interval(Duration::from_secs(5));
        let mut last = (Instant::now(), 0u64);
        let max = self.config.max_in_flight;
        // Its own handle, so a record borrowed from it does not borrow `self`.
        let consumer = self.consumer.clone();
        // One wait for the whole run, not a new subscription per record.
        let context = consumer.context().clone();
        let fatal = context.fatal();
        tokio::pin!(fatal);
        let outcome = loop {
            tokio::select! {
                biased;
                _ = stop.changed() => break Ok(()),
                why = &mut fatal => break Err(why),
                settled = async { (&mut self.inflight.front_mut().unwrap().wait).await }, if !self.inflight.is_empty() => {
                    if let Err(e) = self.settle(settled, stop).await {
                        break Err(e);
                    }
                }
                msg = consumer.recv(), if self.inflight.len() < max && !self.poisoned => match msg {
                    Ok(m) => {
                        if let Err(e) = self.take(&m).await {
                            break Err(e);
                        }
                    }
                    // Wrong credentials do not pass by retrying: say so and stop.
                    Err(e) if is_auth_failure(&e) => break Err(format!("Kafka refused the credentials: {e}")),
                    Err(e) => tracing::warn!(connector = %self.config.name, error = %e, "Kafka consumer error"),
                },
                _ = commit.tick() => self.commit(CommitMode::Async),
                _ = lag.tick() => measure_lag(&self.consumer, &self.metrics),
                _ = progress.tick() => {
                    let n = self.metrics.records_confirmed.load(Ordering::Relaxed);
                    let rate = (n - last.1) as f64 / last.0.elapsed().as_secs_f64();
                    tracing::info!(connector = %self.config.name,
                        read = self.metrics.records_read.load(Ordering::Relaxed), confirmed = n,
                        failed = self.metrics.records_failed.load(Ordering::Relaxed),
                        in_flight = self.inflight.len(), "{rate:.0} records/s to Diffusion");
                    last = (Instant::now(), n);
                }
            }
        };
        if outcome.is_ok() {
            // Graceful: let what is in flight be confirmed (bounded), commit, leave.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            while let Some(front) = self.inflight.front_mut() {
                match tokio::time::timeout_at(deadline, &mut front.wait).await {
                    Ok(Ok(ack)) => self.confirm(ack),
                    Ok(Err(_)) | Err(_) => break,
                }
            }
        }
        self.commit(CommitMode::Sync);
        self.session.close().await;
        tracing::info!(connector = %self.config.name, "sink stopped; offsets committed up to the last confirmed record");
        outcome
    }

    fn commit(&mut self, mode: CommitMode) {
        // A partition another member owns now is its to commit: records of it settling
        // here after the rebalance must not move its offset (back).
        if let Ok(owned) = self.consumer.assignment() {
            self.offsets
                .retain(|t, p| owned.find_partition(t, p).is_some());
        }
        if let Some(tpl) = self.offsets.to_commit() {
            match self.consumer.commit(&tpl, mode) {
                Ok(()) => self.offsets.mark_committed(&tpl),
                Err(e) => {
                    tracing::warn!(connector = %self.config.name, error = %e, "offset commit failed; will retry")
                }
            }
        }
    }

    /// The front record's update was answered.
    fn confirm(&mut self, ack: Ack) {
        let front = self.inflight.pop_front().expect("a front");
        match ack {
            Ack::Known(p) => {
                self.known.insert(p);
            }
            Ack::Forgotten(p) => {
                self.known.remove(&p);
            }
            Ack::Done => {}
        }
        if matches!(front.work, Work::Set { .. } | Work::Remove { .. }) {
            self.metrics
                .records_confirmed
                .fetch_add(1, Ordering::Relaxed);
            self.metrics
                .publish_latency
                .observe(front.sent_at.elapsed().as_secs_f64());
            if let Some(ts) = front.timestamp_ms {
                self.metrics
                    .last_record_timestamp_ms
                    .store(ts, Ordering::Relaxed);
            }
        }
        self.offsets
            .settle(&front.topic, front.partition, front.offset);
    }

    async fn settle(
        &mut self,
        result: Result<Ack, Failure>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), String> {
        if let Some(InFlight {
            work: Work::Fatal(why),
            ..
        }) = self.inflight.front()
        {
            return Err(why.clone());
        }
        let result = match result {
            Ok(ack) => Ok(ack),
            Err(Failure::DeadLetter(why)) => {
                let f = self.inflight.front().expect("a front");
                return Err(format!(
                    "record {}-{}@{} could not be written to the dead-letter topic: {why}",
                    f.topic, f.partition, f.offset
                ));
            }
            Err(Failure::Diffusion(e)) => Err(e),
        };
        match result {
            Ok(ack) => {
                self.confirm(ack);
                Ok(())
            }
            Err(e) if e.is_transient() || matches!(e, ClientError::NoSuchTopic(_)) => {
                if let (
                    ClientError::NoSuchTopic(_),
                    Some(InFlight {
                        work: Work::Set { path, .. },
                        ..
                    }),
                ) = (&e, self.inflight.front())
                {
                    // Removed behind our back: create it again.
                    let path = path.clone();
                    self.known.remove(&path);
                } else {
                    tracing::warn!(connector = %self.config.name, error = %e, in_flight = self.inflight.len(),
                        "Diffusion updates unconfirmed; sending them again once reconnected");
                    self.wait_connected(stop).await?;
                }
                self.resend().await
            }
            // The record cannot go to this topic (wrong type, bad path, bad value).
            Err(
                e @ (ClientError::InvalidPath(_)
                | ClientError::IncompatibleExistingTopic(_)
                | ClientError::IncompatibleUpdate(_)
                | ClientError::InvalidValue(_)),
            ) => {
                let front = self.inflight.front().expect("a front");
                let err = RecordError {
                    stage: Stage::TaskPut,
                    message: format!("Diffusion refused the update: {e}"),
                };
                let info = front.info.clone();
                let coordinates = format!("{}-{}@{}", front.topic, front.partition, front.offset);
                if !self.reporter.tolerates() {
                    return Err(format!("record {coordinates}: {}", err.message));
                }
                self.metrics.records_failed.fetch_add(1, Ordering::Relaxed);
                if let Some(info) = info {
                    if let Some(delivery) = self.reporter.report(&info, &err)? {
                        delivery
                            .await
                            .map_err(|_| "dead-letter producer closed".to_owned())?
                            .map_err(|(e, _)| format!("dead-letter delivery failed: {e}"))?;
                        self.metrics
                            .records_dead_lettered
                            .fetch_add(1, Ordering::Relaxed);
                    }
                }
                self.confirm(Ack::Done);
                Ok(())
            }
            // Permissions, a closed session, anything else: the task cannot go on.
            Err(e) => Err(format!("Diffusion at {}: {e}", self.config.diffusion.url)),
        }
    }

    async fn wait_connected(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), String> {
        let mut state = self.session.state();
        tokio::select! {
            r = state.wait_for(|s| matches!(s, SessionState::Connected | SessionState::Closed(_))) => {
                match r.map(|s| s.clone()) {
                    Ok(SessionState::Connected) => Ok(()),
                    Ok(SessionState::Closed(why)) => Err(format!("the Diffusion session closed: {}", why.unwrap_or_default())),
                    _ => Err("the Diffusion session is gone".into()),
                }
            }
            _ = stop.changed() => Err("stopped while Diffusion was unreachable; nothing unconfirmed was committed".into()),
        }
    }

    /// Sends every unconfirmed update again, in the original order.
    async fn resend(&mut self) -> Result<(), String> {
        for i in 0..self.inflight.len() {
            // Release the old request's slot before taking a new one.
            self.inflight[i].wait = done();
            let wait = loop {
                match dispatch(&self.session, &self.inflight[i].work, &self.known).await {
                    Ok(w) => break w,
                    Err(e) if e.is_transient() => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    Err(e) => {
                        return Err(format!("Diffusion at {}: {e}", self.config.diffusion.url))
                    }
                }
            };
            self.inflight[i].wait = wait;
        }
        Ok(())
    }

    /// Converts one record and sends its update.
    async fn take(&mut self, m: &BorrowedMessage<'_>) -> Result<(), String> {
        self.metrics.records_read.fetch_add(1, Ordering::Relaxed);
        let (topic, partition, offset) = (m.topic().to_owned(), m.partition(), m.offset());
        self.active.record(&topic);
        self.timestamp_ms = m.timestamp().to_millis();
        let work = match self.prepare(m) {
            Ok(work) => work,
            Err(err) => {
                let info = record_info(m);
                self.metrics.records_failed.fetch_add(1, Ordering::Relaxed);
                if !self.reporter.tolerates() {
                    // Fail once everything before this record has settled and is committed.
                    self.poisoned = true;
                    let why = format!(
                        "record {} failed at {} and errors.tolerance is none: {}",
                        info.coordinates(),
                        err.stage.name(),
                        err.message
                    );
                    self.push(topic, partition, offset, None, Work::Fatal(why), done());
                    return Ok(());
                }
                let wait: Wait = match self.reporter.report(&info, &err)? {
                    Some(delivery) => {
                        let metrics = self.metrics.clone();
                        Box::pin(async move {
                            match delivery.await {
                                Ok(Ok(_)) => {
                                    metrics
                                        .records_dead_lettered
                                        .fetch_add(1, Ordering::Relaxed);
                                    Ok(Ack::Done)
                                }
                                // The record must not be committed without reaching the DLQ.
                                Ok(Err((e, _))) => Err(Failure::DeadLetter(e.to_string())),
                                Err(_) => {
                                    Err(Failure::DeadLetter("the producer was closed".into()))
                                }
                            }
                        })
                    }
                    None => done(),
                };
                self.push(topic, partition, offset, Some(info), Work::Reported, wait);
                return Ok(());
            }
        };
        let wait = loop {
            match dispatch(&self.session, &work, &self.known).await {
                Ok(w) => break w,
                // Not even sent: wait for the connection and try again.
                Err(e) if e.is_transient() => {
                    tracing::warn!(connector = %self.config.name, error = %e, "cannot send to Diffusion; waiting for the connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(format!("Diffusion at {}: {e}", self.config.diffusion.url)),
            }
        };
        let info = Some(record_info(m)).filter(|_| self.reporter.tolerates());
        self.push(topic, partition, offset, info, work, wait);
        Ok(())
    }

    fn push(
        &mut self,
        topic: String,
        partition: i32,
        offset: i64,
        info: Option<RecordInfo>,
        work: Work,
        wait: Wait,
    ) {
        self.inflight.push_back(InFlight {
            topic,
            partition,
            offset,
            timestamp_ms: self.timestamp_ms,
            sent_at: Instant::now(),
            info,
            work,
            wait,
        });
    }

    fn prepare(&self, m: &BorrowedMessage<'_>) -> Result<Work, RecordError> {
        let c = self.config;
        let key = c
            .key_converter
            .to_connect(m.key())
            .map_err(|e| RecordError {
                stage: Stage::KeyConverter,
                message: format!("key: {e}"),
            })?;
        // Plain JSON goes to CBOR without a Connect value in between (schemaless: no
        // version); everything else through the Connect value.
        let value = match c.value_converter.json_cbor(m.payload()) {
            Some(cbor) => ReadValue::Cbor(cbor),
            None => {
                let read = c.value_converter.to_connect(m.payload());
                ReadValue::Connect(Box::new(read.map_err(|e| RecordError {
                    stage: Stage::ValueConverter,
                    message: format!("value: {e}"),
                })?))
            }
        };
        let key_text = key.to_path_string();
        let ctx = Context {
            topic: m.topic(),
            key: key_text.as_deref(),
            key_version: key.schema.as_ref().and_then(|s| s.version),
            value_version: match &value {
                ReadValue::Cbor(_) => None,
                ReadValue::Connect(v) => v.schema.as_ref().and_then(|s| s.version),
            },
        };
        let put = |message: String| RecordError {
            stage: Stage::TaskPut,
            message,
        };
        let path = c
            .destination
            .resolve(&ctx)
            .map_err(|e| put(format!("diffusion.destination: {e}")))?;
        validate_path(&path).map_err(put)?;
        if m.payload().is_none() {
            return Ok(if c.tombstone_removes {
                Work::Remove { path }
            } else {
                Work::Set {
                    path,
                    value: Bytes::from_static(CBOR_NULL),
                }
            });
        }
        let cbor = match value {
            ReadValue::Cbor(cbor) => cbor,
            ReadValue::Connect(value) => {
                to_diffusion_cbor(&value).map_err(|e| put(format!("value: {e}")))?
            }
        };
        // Above the server's message size the update would close the session (and be
        // sent again after every reconnection): it is this record's failure instead.
        if let Some(max) = self.session.max_message_size() {
            let size = cbor.len() + path.len() + 64;
            if size > max as usize {
                return Err(put(format!(
                    "the update is about {size} bytes; Diffusion at {} takes messages of at most {max} bytes",
                    c.diffusion.url
                )));
            }
        }
        Ok(Work::Set {
            path,
            value: Bytes::from(cbor),
        })
    }
}

/// A record's value as the sink read it.
enum ReadValue {
    /// Already the Diffusion CBOR (plain JSON, see `Converter::json_cbor`).
    Cbor(Vec<u8>),
    Connect(Box<SchemaAndValue>),
}

fn subscribe(consumer: &StreamConsumer<KafkaContext>, topics: &Topics) -> Result<(), String> {
    match topics {
        Topics::List(list) => {
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            consumer.subscribe(&refs)
        }
        // librdkafka takes a subscription starting with ^ as a regular expression.
        Topics::Regex(re) => consumer.subscribe(&[&format!("^{}", re.trim_start_matches('^'))]),
    }
    .map_err(|e| format!("cannot subscribe to {topics:?}: {e}"))
}

fn is_auth_failure(e: &rdkafka::error::KafkaError) -> bool {
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
fn measure_lag(consumer: &Arc<StreamConsumer<KafkaContext>>, metrics: &Arc<SinkMetrics>) {
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

fn record_info(m: &BorrowedMessage<'_>) -> RecordInfo {
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
