//! The sink task's loop: reads records, prepares and publishes them, settles their offsets,
//! and takes failed records down the error path (`errors.tolerance`, dead-letter topic).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_data::Input;
use diffusion_client::ClientError;
use futures_util::FutureExt;
use futures_util::StreamExt;
use rdkafka::consumer::{Consumer, MessageStream};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use tokio::sync::watch;

use super::conflate::Pending;
use super::metrics::SinkMetrics;
use super::offsets::{store_settled, Offsets};
use super::prepare::{prepare, NotPrepared, Prepared, Record};
use super::publish::{ready, DiffusionTopics, Entry, Failure, Origin, Settled, Wait, Window, Work};
use super::read::{self, SinkConsumer, SinkContext};
use crate::active_topics::TopicRecorder;
use crate::config::SinkConfig;
use crate::converters::Side;
use crate::diffusion::{connect, report_connection};
use crate::errors::{ErrorReporter, RecordError, RecordInfo, Stage};
use crate::kafka::KafkaSettings;
use crate::status::{StatusHandle, TaskState};
use crate::task_error::TaskError;

/// How often settled offsets are handed to librdkafka, which commits them every
/// `offset.flush.interval.ms`: often enough that a commit carries what settled just
/// before it, rarely enough to cost nothing per record.
const STORE_INTERVAL: Duration = Duration::from_millis(100);

/// With conflation, reading pauses while this many records are read and unsettled (each
/// tracked in 16 bytes until it settles: 16 MB at most).
const OUTSTANDING_MAX: usize = 1_000_000;

/// Rounds of settling and reading between two looks at the stop, the fatal-error watch
/// and the timers (see `Sink::burst`): a round takes ~3 µs, so a stop waits ~0.2 ms.
const BURST: usize = 64;

/// A record's fate is settled: counted, and its offset (with those it superseded) may be
/// committed.
fn settled(metrics: &SinkMetrics, offsets: &Mutex<Offsets>, entry: &Entry) {
    if let Work::Update(_) = entry.work {
        metrics.confirmed(entry.sent_at, entry.origin.timestamp_ms);
    }
    settle_offsets(offsets, entry);
}

/// A record's offset (with those it superseded) may be committed.
fn settle_offsets(offsets: &Mutex<Offsets>, entry: &Entry) {
    let o = &entry.origin;
    let mut offsets = offsets.lock().expect("offsets lock");
    offsets.settle(&o.topic, o.partition, o.offset);
    for &superseded in &entry.superseded {
        offsets.settle(&o.topic, o.partition, superseded);
    }
}

/// What fetching for a converter came to.
enum Fetched {
    /// Prepare the record again.
    Ready,
    /// The record itself is at fault (an id the registry does not know): its error path.
    Failed(RecordError),
    /// A stop came while the registry was unreachable.
    Stopped,
}

/// A side's name in notes and errors.
fn side_name(side: Side) -> &'static str {
    match side {
        Side::Key => "key",
        Side::Value => "value",
    }
}

/// Runs the sink until `stop` is set (graceful: in-flight updates are confirmed and
/// committed first) or it fails (the reason is returned and reported as FAILED).
pub async fn run_sink(
    config: SinkConfig,
    kafka: KafkaSettings,
    status: StatusHandle,
    mut stop: watch::Receiver<bool>,
    metrics: Arc<SinkMetrics>,
) -> Result<(), TaskError> {
    let result = match Sink::start(&config, &kafka, &status, &mut stop, metrics).await {
        Ok(Some(sink)) => sink.run(&mut stop).await,
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

struct Sink<'a> {
    config: &'a SinkConfig,
    window: Window<DiffusionTopics>,
    consumer: Arc<SinkConsumer>,
    offsets: Arc<Mutex<Offsets>>,
    reporter: ErrorReporter,
    metrics: Arc<SinkMetrics>,
    /// A record failed and errors are not tolerated: read no more.
    poisoned: bool,
    /// The connector's active topics.
    active: TopicRecorder,
    /// The topic of the last record read, shared by the records after it (most records
    /// come from the topic of the one before).
    last_topic: Arc<str>,
    status: &'a StatusHandle,
    /// With `diffusion.conflation=latest`: records waiting for room in the window.
    pending: Option<Pending>,
    /// Registry failures in a row, for the back-off.
    registry_failures: u32,
    /// Watched while a converter's registry is unreachable, so a stop is not held up.
    stop: watch::Receiver<bool>,
}

impl<'a> Sink<'a> {
    async fn start(
        config: &'a SinkConfig,
        kafka: &KafkaSettings,
        status: &'a StatusHandle,
        stop: &mut watch::Receiver<bool>,
        metrics: Arc<SinkMetrics>,
    ) -> Result<Option<Sink<'a>>, TaskError> {
        if config.tasks_max > 1 {
            tracing::info!(connector = %config.name, tasks_max = config.tasks_max,
                "running one task: Diffusion topics have no partitions, so one ordered stream per connector keeps updates in order");
        }
        let d = &config.diffusion;
        let Some(session) = connect(d, &config.name, stop, false, config.max_in_flight).await?
        else {
            return Ok(None);
        };
        report_connection(&session, status);
        let offsets = Arc::new(Mutex::new(match config.conflation {
            Some(_) => Offsets::tracking(),
            None => Offsets::default(),
        }));
        let consumer = read::consumer(config, kafka, offsets.clone())?;
        let reporter = ErrorReporter::new(config.errors.clone(), &config.name, kafka).await?;
        status.set_state(TaskState::Running);
        tracing::info!(connector = %config.name, topics = ?config.topics, url = %d.url,
            group = %read::group(&config.name), "sink started");
        Ok(Some(Sink {
            config,
            window: Window::new(
                DiffusionTopics {
                    session,
                    properties: config.topic_properties.clone(),
                    event_clock: Default::default(),
                },
                &config.name,
                &d.url,
                config.max_in_flight,
            ),
            consumer: Arc::new(consumer),
            offsets,
            reporter,
            metrics,
            poisoned: false,
            active: status.topic_recorder(),
            last_topic: Arc::from(""),
            status,
            pending: config.conflation.map(Pending::new),
            registry_failures: 0,
            stop: stop.clone(),
        }))
    }

    async fn run(mut self, stop: &mut watch::Receiver<bool>) -> Result<(), TaskError> {
        let mut store = tokio::time::interval(STORE_INTERVAL);
        let mut progress = tokio::time::interval(Duration::from_secs(10));
        progress.tick().await;
        let mut lag = tokio::time::interval(Duration::from_secs(5));
        let mut last = (Instant::now(), 0u64);
        // Its own handle, so a record borrowed from it does not borrow `self`.
        let consumer = self.consumer.clone();
        // One wait for the whole run, not a new subscription per record.
        let kafka = consumer.context().kafka.clone();
        let fatal = kafka.fatal();
        tokio::pin!(fatal);
        // Likewise one wait for a stop, on a receiver of its own (`settle` borrows `stop`):
        // a `changed()` made on each turn of the loop registered and dropped a waiter per
        // turn, ~500 instructions per record (bench/profile.sh).
        let mut stop_seen = stop.clone();
        let stopped = stop_seen.changed();
        tokio::pin!(stopped);
        // One message stream for the run: `recv` makes one per call, registering and
        // removing a waker slot under the consumer's lock each time (~250 instructions
        // per record, bench/profile.sh).
        let mut messages = consumer.stream();
        let outcome = loop {
            tokio::select! {
                biased;
                _ = &mut stopped => break Ok(()),
                why = &mut fatal => break Err(TaskError::KafkaIncurable(why)),
                answer = self.window.next(), if !self.window.is_empty() => {
                    if let Err(e) = self.answered(answer, stop).await {
                        break Err(e);
                    }
                    if let Err(e) = self.burst(&mut messages, stop).await {
                        break Err(e);
                    }
                }
                Some(msg) = messages.next(), if self.can_read() => {
                    if let Err(e) = self.received(msg).await {
                        break Err(e);
                    }
                    if let Err(e) = self.burst(&mut messages, stop).await {
                        break Err(e);
                    }
                }
                _ = store.tick() => store_settled(&*self.consumer, &self.offsets),
                _ = lag.tick() => read::measure_lag(&self.consumer, &self.metrics),
                _ = progress.tick() => {
                    let n = self.metrics.records_confirmed.load(Ordering::Relaxed);
                    let rate = (n - last.1) as f64 / last.0.elapsed().as_secs_f64();
                    tracing::info!(connector = %self.config.name,
                        read = self.metrics.records_read.load(Ordering::Relaxed), confirmed = n,
                        superseded = self.metrics.records_superseded.load(Ordering::Relaxed),
                        failed = self.metrics.records_failed.load(Ordering::Relaxed),
                        in_flight = self.window.len(),
                        waiting = self.pending.as_ref().map_or(0, Pending::len),
                        "{rate:.0} records/s to Diffusion");
                    last = (Instant::now(), n);
                }
            }
        };
        if outcome.is_ok() {
            // Graceful: let what is in flight be confirmed (bounded), then commit.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            for entry in self.window.drain(deadline).await {
                self.done(&entry);
            }
        }
        store_settled(&*self.consumer, &self.offsets);
        drop(messages);
        drop(consumer);
        let Sink {
            config,
            window,
            consumer,
            ..
        } = self;
        read::close(consumer, &config.name).await;
        window.publisher().session.close().await;
        tracing::info!(connector = %config.name, "sink stopped; offsets committed up to the last confirmed record");
        outcome
    }

    /// A record's fate is settled: its offset may be committed, with those of the records
    /// it superseded.
    fn done(&mut self, entry: &Entry) {
        settled(&self.metrics, &self.offsets, entry);
    }

    /// Whether another record may be read: room in the window, or (conflating) room to
    /// wait and not too many records unsettled.
    fn can_read(&self) -> bool {
        if self.poisoned {
            return false;
        }
        match &self.pending {
            None => self.window.has_room(),
            Some(p) => {
                (self.window.has_room() || p.has_room())
                    && self.offsets.lock().expect("offsets lock").outstanding() < OUTSTANDING_MAX
            }
        }
    }

    /// Settles the front entry with its `answer`, then refills the window from the
    /// records waiting for room (conflation). A confirmation, the usual answer, settles
    /// the entry where it is in the window: taking it out through `settle` moved the
    /// whole entry five times (~350 instructions per record, bench/profile.sh).
    async fn answered(
        &mut self,
        answer: Result<(), Failure>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), TaskError> {
        // The entry's borrow ends before any await: entries are `Send`, not `Sync`.
        let confirmed = answer.is_ok()
            && match self.window.front_confirmable() {
                Some(front) => {
                    settled(&self.metrics, &self.offsets, front);
                    true
                }
                None => false,
            };
        if confirmed {
            self.window.pop_confirmed();
        } else {
            self.settle(answer, stop).await?;
        }
        if self.pending.is_some() {
            self.feed().await?;
        }
        Ok(())
    }

    /// Takes a record the consumer gave, or says why it gave none.
    async fn received(
        &mut self,
        msg: Result<BorrowedMessage<'_>, KafkaError>,
    ) -> Result<(), TaskError> {
        match msg {
            Ok(m) => {
                self.take(&m).await?;
                if self.pending.is_some() {
                    self.feed().await?;
                }
                Ok(())
            }
            // Wrong credentials do not pass by retrying: say so and stop.
            Err(e) if read::is_auth_failure(&e) => Err(TaskError::KafkaCredentials(e)),
            Err(e) => {
                tracing::warn!(connector = %self.config.name, error = %e, "Kafka consumer error");
                Ok(())
            }
        }
    }

    /// After an event of the run's `select!`: settles the answers already in and takes
    /// the records already read, as long as either is there without waiting (at most
    /// `BURST` rounds, so the stop, the fatal-error watch and the timers are looked at
    /// between bursts). The `select!` polls all its branches per event, each wait for a
    /// stop or a fatal error locking its waiter list: per record, not per burst, that
    /// was ~1,000 instructions (bench/profile.sh). `now_or_never` polls with a no-op
    /// waker: a wait not ready here is polled again by the `select!` with the real one.
    async fn burst(
        &mut self,
        messages: &mut MessageStream<'_, SinkContext>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), TaskError> {
        for _ in 0..BURST {
            let mut progressed = false;
            if let Some(answer) = self.window.next_ready() {
                self.answered(answer, stop).await?;
                progressed = true;
            }
            if self.can_read() {
                if let Some(Some(msg)) = messages.next().now_or_never() {
                    self.received(msg).await?;
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(())
    }

    /// With conflation: moves waiting records into the window while it has room, after
    /// forgetting those of partitions revoked meanwhile. It follows every record and
    /// every answer: callers look at `pending` first, so that without conflation no
    /// future is made (~150 instructions per record for the two, bench/profile.sh).
    async fn feed(&mut self) -> Result<(), TaskError> {
        let Some(pending) = &mut self.pending else {
            return Ok(());
        };
        let revoked = self.offsets.lock().expect("offsets lock").take_revoked();
        if !revoked.is_empty() {
            let dropped = pending.purge(&revoked);
            tracing::info!(connector = %self.config.name, dropped,
                "waiting records of revoked partitions dropped; their new owner reads them from the committed offset");
        }
        while self.window.has_room() {
            let Some(w) = pending.pop() else { break };
            match w.work {
                Work::Update(update) => {
                    self.window
                        .send_superseding(w.origin, update, w.superseded)
                        .await?
                }
                work => self
                    .window
                    .push(w.origin, work, w.wait.unwrap_or_else(ready)),
            }
        }
        Ok(())
    }

    /// Hands a record to the window, or with conflation to the records waiting for it.
    fn enqueue(&mut self, origin: Origin, work: Work, wait: Wait) {
        match &mut self.pending {
            None => self.window.push(origin, work, wait),
            Some(p) => {
                p.push(origin, work, Some(wait));
            }
        }
    }

    async fn settle(
        &mut self,
        answer: Result<(), Failure>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), TaskError> {
        match self.window.settle(answer, stop).await? {
            Settled::Done(entry) => self.done(&entry),
            Settled::Resent => {}
            // The record cannot go to this topic (wrong type, bad path, bad value).
            Settled::Refused(entry, e) => self.refused(entry, e).await?,
        }
        Ok(())
    }

    async fn refused(&mut self, entry: Entry, e: ClientError) -> Result<(), TaskError> {
        let err = RecordError {
            stage: Stage::TaskPut,
            message: format!("Diffusion refused the update: {e}"),
            thrown_by: None,
        };
        if !self.reporter.tolerates() {
            return Err(TaskError::RecordFailed {
                record: entry.origin.coordinates(),
                stage: err.stage.name(),
                message: err.message,
            });
        }
        self.metrics.records_failed.fetch_add(1, Ordering::Relaxed);
        if let Some(info) = &entry.origin.info {
            if let Some(delivery) = self.reporter.report(info, &err)? {
                let delivered = match delivery.await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err((e, _))) => Err(e.to_string()),
                    Err(_) => Err("the producer was closed".to_owned()),
                };
                delivered.map_err(|reason| crate::errors::DeadLetterError::Delivery {
                    record: entry.origin.coordinates(),
                    reason,
                })?;
                self.metrics
                    .records_dead_lettered
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
        settle_offsets(&self.offsets, &entry);
        Ok(())
    }

    /// Converts one record and sends its update, or takes it down the error path.
    async fn take(&mut self, m: &BorrowedMessage<'_>) -> Result<(), TaskError> {
        self.metrics.records_read.fetch_add(1, Ordering::Relaxed);
        // Once per record: rdkafka's `topic()` measures and checks the name's UTF-8 on
        // each call (~140 instructions), and this took it three times.
        let topic = m.topic();
        self.active.record(topic);
        if *self.last_topic != *topic {
            self.last_topic = Arc::from(topic);
        }
        let mut origin = Origin {
            topic: self.last_topic.clone(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp_ms: m.timestamp().to_millis(),
            info: None,
        };
        if self.pending.is_some() {
            self.offsets
                .lock()
                .expect("offsets lock")
                .read(topic, origin.partition, origin.offset);
        }
        let record = Record {
            topic,
            partition: origin.partition,
            offset: origin.offset,
            timestamp: origin.timestamp_ms,
            key: m.key(),
            value: m.payload(),
            // Read only when something reads them: the destination or a transform.
            headers: if self.config.destination.reads_headers()
                || !self.config.transforms.is_empty()
            {
                m.headers()
            } else {
                None
            },
        };
        let max_message_size = self.window.publisher().session.max_message_size();
        let prepared = loop {
            match prepare(self.config, &record, max_message_size) {
                Err(NotPrepared::Fetch(side)) => match self.fetch(side, &record).await? {
                    Fetched::Ready => {}
                    Fetched::Failed(e) => break Err(e),
                    // Not sent, so its offset never settles: read again after a restart.
                    Fetched::Stopped => return Ok(()),
                },
                Err(NotPrepared::Unavailable(side, why)) => {
                    if !self.unavailable(side, &why).await {
                        return Ok(());
                    }
                }
                Err(NotPrepared::Fatal(side, why)) => {
                    return Err(TaskError::Converter {
                        side: side_name(side),
                        why,
                    })
                }
                Err(NotPrepared::Failed(e)) => break Err(e),
                Ok(p) => break Ok(p),
            }
        };
        match prepared {
            Ok(Prepared::Update(update)) => {
                // Kept only when a refusal could still take it down the error path.
                if self.reporter.tolerates() {
                    origin.info = Some(Box::new(read::record_info(m)));
                }
                match &mut self.pending {
                    None => match self.window.try_send(origin, update) {
                        Ok(()) => Ok(()),
                        Err((origin, update)) => self.window.send(origin, update).await,
                    },
                    Some(p) => {
                        let superseded = p.push(origin, Work::Update(update), None);
                        self.metrics
                            .records_superseded
                            .fetch_add(superseded as u64, Ordering::Relaxed);
                        Ok(())
                    }
                }
            }
            // Filtered out: nothing for Diffusion, the offset settles in turn.
            Ok(Prepared::Dropped) => {
                self.enqueue(origin, Work::Dropped, ready());
                Ok(())
            }
            Err(err) => self.failed(origin, read::record_info(m), err),
        }
    }

    /// Lets `side`'s converter fetch what `record` needs (a schema by id), retrying while
    /// its registry is unreachable.
    async fn fetch(&mut self, side: Side, record: &Record<'_>) -> Result<Fetched, TaskError> {
        let (converter, bytes) = match side {
            Side::Key => (&self.config.key_converter, record.key),
            Side::Value => (&self.config.value_converter, record.value),
        };
        loop {
            let e = match converter.fetch(record.topic, Input::Bytes(bytes)).await {
                Ok(()) => {
                    if self.registry_failures > 0 {
                        self.registry_failures = 0;
                        self.status.set_note(None);
                    }
                    return Ok(Fetched::Ready);
                }
                Err(e) => e,
            };
            match NotPrepared::converting(side, e) {
                NotPrepared::Failed(e) => return Ok(Fetched::Failed(e)),
                NotPrepared::Unavailable(side, why) => {
                    if !self.unavailable(side, &why).await {
                        return Ok(Fetched::Stopped);
                    }
                }
                NotPrepared::Fatal(side, why) => {
                    return Err(TaskError::Converter {
                        side: side_name(side),
                        why,
                    })
                }
                NotPrepared::Fetch(_) => {
                    return Ok(Fetched::Failed(RecordError {
                        stage: match side {
                            Side::Key => Stage::KeyConverter,
                            Side::Value => Stage::ValueConverter,
                        },
                        message: "the converter asked to fetch again after fetching".into(),
                        thrown_by: None,
                    }))
                }
            }
        }
    }

    /// A converter cannot reach its registry: said in the status and the log, then a
    /// pause that grows to a ceiling; nothing is skipped. False: a stop ended the wait.
    async fn unavailable(&mut self, side: Side, why: &str) -> bool {
        self.registry_failures = self.registry_failures.saturating_add(1);
        let pause = crate::converters::retry_pause(self.registry_failures);
        let note = format!(
            "{} converter: {why}; retrying in {pause:?}",
            side_name(side)
        );
        tracing::warn!(connector = %self.config.name, "{note}");
        self.status.set_note(Some(note));
        tokio::select! {
            _ = self.stop.changed() => false,
            _ = tokio::time::sleep(pause) => true,
        }
    }

    /// A record failed before reaching Diffusion.
    fn failed(
        &mut self,
        mut origin: Origin,
        info: RecordInfo,
        err: RecordError,
    ) -> Result<(), TaskError> {
        self.metrics.records_failed.fetch_add(1, Ordering::Relaxed);
        if !self.reporter.tolerates() {
            // Fail once everything before this record has settled and is committed.
            self.poisoned = true;
            let why = TaskError::RecordFailed {
                record: info.coordinates(),
                stage: err.stage.name(),
                message: err.message,
            };
            self.enqueue(origin, Work::Fatal(why), ready());
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
                            Ok(())
                        }
                        // The record must not be committed without reaching the DLQ.
                        Ok(Err((e, _))) => Err(Failure::DeadLetter(e.to_string())),
                        Err(_) => Err(Failure::DeadLetter("the producer was closed".into())),
                    }
                })
            }
            None => ready(),
        };
        origin.info = Some(Box::new(info));
        self.enqueue(origin, Work::Reported, wait);
        Ok(())
    }
}
