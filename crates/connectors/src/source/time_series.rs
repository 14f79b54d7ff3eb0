//! Time series topics: every event reaches Kafka once, across the source's own restarts.
//!
//! A time series topic keeps a history of events numbered by sequence, so the source
//! keeps, per topic, the last sequence handed to Kafka, and stores it as the topic's
//! Connect offset (`{"topic": <path>}` → `{"sequence": N}`) once Kafka acknowledged
//! everything up to it. When the topic is subscribed (at start, or again after a
//! reconnection) and whenever an event arrives whose sequence is more than one past the
//! last, the events in between are queried from the server, page by page, and sent first:
//! so there is no gap, and an event at or below the last is a duplicate and dropped. What
//! the server's retention has already removed cannot be sent: that is logged and counted
//! (`events_missed`).
//!
//! A topic with no stored offset starts with what its subscription delivers (the topic's
//! `TIME_SERIES_SUBSCRIPTION_RANGE`, by default the latest event), as a new subscriber does.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use diffusion_client::TimeSeriesEvent;

use super::{Fate, Source, Update};
use crate::kafka_writer::Stamp;
use crate::source_offsets::{offset_sequence, partition_topic, SourceOffset};
use crate::task_error::TaskError;

/// Events asked for per range query: bounded memory while catching up.
const PAGE: u32 = 1000;

/// Per time series topic, the last sequence handed to Kafka (or stored when the task
/// started).
#[derive(Default)]
pub(super) struct Series {
    last: HashMap<Arc<str>, u64>,
}

impl Series {
    /// The offsets stored for this connector; entries that are not a time series topic's
    /// are ignored (and said so).
    pub(super) fn from_offsets(connector: &str, offsets: Vec<SourceOffset>) -> Series {
        let mut last = HashMap::new();
        for o in offsets {
            match (partition_topic(&o.partition), offset_sequence(&o.offset)) {
                (Some(path), Some(seq)) => {
                    last.insert(Arc::from(path), seq);
                }
                _ => {
                    tracing::warn!(connector = %connector, partition = %o.partition, offset = %o.offset,
                    "ignoring a stored offset that is not a time series topic's sequence")
                }
            }
        }
        Series { last }
    }

    /// How many topics have a sequence (stored or seen).
    pub(super) fn len(&self) -> usize {
        self.last.len()
    }

    /// The interned path, so per-record bookkeeping shares one allocation per topic.
    fn key(&self, path: &str) -> Arc<str> {
        self.last
            .get_key_value(path)
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| Arc::from(path))
    }
}

impl Source<'_> {
    /// A time series topic was subscribed: whatever was appended after its last sequence
    /// goes first.
    pub(super) async fn series_subscribed(&mut self, path: &str) -> Result<(), TaskError> {
        let key = self.series.key(path);
        if let Some(&last) = self.series.last.get(&key) {
            self.catch_up(&key, last, None).await?;
        }
        Ok(())
    }

    /// An event from the subscription: any it skipped are queried first; one already
    /// sent is dropped.
    pub(super) async fn series_event(
        &mut self,
        path: &str,
        event: TimeSeriesEvent,
    ) -> Result<(), TaskError> {
        let key = self.series.key(path);
        match self.series.last.get(&key) {
            Some(&last) if event.sequence <= last => {
                self.metrics
                    .events_duplicate
                    .fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Some(&last) if event.sequence > last + 1 => {
                self.catch_up(&key, last, Some(event.sequence)).await?;
            }
            _ => {}
        }
        self.emit(&key, event).await
    }

    /// Queries `path`'s events after `last` (up to, not including, `until`) and sends them.
    async fn catch_up(
        &mut self,
        path: &Arc<str>,
        last: u64,
        until: Option<u64>,
    ) -> Result<(), TaskError> {
        let mut from = last + 1;
        let mut queried = 0u64;
        loop {
            if until.is_some_and(|u| from >= u) || *self.stop.borrow() {
                break;
            }
            let page = self
                .session
                .query_from(path, from, PAGE)
                .await
                .map_err(|source| TaskError::DiffusionQuery {
                    path: path.to_string(),
                    source,
                })?;
            let first = page.events.first().map(|e| e.sequence);
            let end = until.unwrap_or(u64::MAX);
            let missed = match first {
                Some(f) => f.min(end).saturating_sub(from),
                None => until.map_or(0, |u| u.saturating_sub(from)),
            };
            if missed > 0 {
                self.metrics
                    .events_missed
                    .fetch_add(missed, Ordering::Relaxed);
                tracing::warn!(connector = %self.config.name, topic = %path, from, missed,
                    "events {from}..{} are no longer retained by Diffusion (TIME_SERIES_RETAINED_RANGE): they cannot reach Kafka",
                    from + missed - 1);
            }
            let more = page.more;
            let mut reached = false;
            for event in page.events {
                if event.sequence >= end {
                    reached = true;
                    break;
                }
                from = event.sequence + 1;
                queried += 1;
                self.emit(path, event).await?;
            }
            if !more || reached || first.is_none() {
                break;
            }
        }
        if queried > 0 {
            tracing::info!(connector = %self.config.name, topic = %path, after = last, events = queried,
                "caught up on a time series topic from its offset");
        }
        Ok(())
    }

    /// Sends one event (stamped with its time, its offset tracked), waiting first while
    /// `source.max.buffered.records` wait for Kafka.
    async fn emit(&mut self, path: &Arc<str>, event: TimeSeriesEvent) -> Result<(), TaskError> {
        let max = self.config.max_in_flight as u64;
        while self.kafka_writer.outstanding() >= max && !*self.stop.borrow() {
            let _ =
                tokio::time::timeout(Duration::from_millis(50), self.kafka_writer.settled()).await;
            self.judge_failures()?;
        }
        self.metrics
            .updates_received
            .fetch_add(1, Ordering::Relaxed);
        self.series.last.insert(path.clone(), event.sequence);
        let token = self.submitted.submit(path, event.sequence);
        let stamp = Stamp {
            timestamp_ms: Some(event.timestamp_ms),
            token,
        };
        let event_type = event.value.topic_type();
        match self
            .send(path, event_type, Update::Decoded(event.value), stamp)
            .await?
        {
            Fate::Sent => {}
            // Filtered by a transform: handled, so its offset may pass.
            Fate::Dropped => self.submitted.settle(token),
            // Stopping: not sent, so its offset must not pass (it is sent after a restart).
            Fate::Stopped => {}
            Fate::Failed(why) => {
                self.failed(format!("event {} of {path}: {why}", event.sequence))?;
                self.submitted.settle(token);
            }
        }
        Ok(())
    }

    /// Stores the offsets Kafka's acknowledgements made committable; a store that fails is
    /// logged and tried again at the next flush (the offsets stay committable).
    pub(super) async fn commit_offsets(&mut self) {
        for token in self.kafka_writer.take_acknowledged() {
            self.submitted.settle(token);
        }
        let Some(store) = self.offsets.clone() else {
            self.submitted.take();
            return;
        };
        let ready = self.submitted.take();
        if ready.is_empty() {
            return;
        }
        let offsets: Vec<SourceOffset> = ready
            .iter()
            .map(|(path, seq)| SourceOffset {
                partition: crate::source_offsets::topic_partition(path),
                offset: crate::source_offsets::sequence_offset(*seq),
            })
            .collect();
        let name = self.config.name.clone();
        let n = offsets.len();
        let stored = tokio::task::spawn_blocking(move || store.store(&name, &offsets)).await;
        match stored {
            Ok(Ok(())) => {
                tracing::debug!(connector = %self.config.name, topics = n, "source offsets stored")
            }
            Ok(Err(e)) => {
                tracing::warn!(connector = %self.config.name, "source offsets not stored (tried again at the next flush): {e}");
                self.submitted.restore(ready);
            }
            Err(e) => {
                tracing::warn!(connector = %self.config.name, "source offsets not stored: {e}");
                self.submitted.restore(ready);
            }
        }
    }
}
