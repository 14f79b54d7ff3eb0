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
//!
//! A topic removed and added again numbers its events from 0, so a sequence alone could
//! make every new event look already sent. The offset keeps the event's timestamp too, and
//! each time the topic is subscribed the source reads the event at its last sequence: if it
//! is not there (nothing at or after it) or has another timestamp, the topic is a new one
//! and all its retained events are sent, from the first.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use diffusion_client::TimeSeriesEvent;

use super::{Fate, Source, Update};
use crate::kafka_writer::Stamp;
use crate::source_offsets::{
    event_offset, offset_sequence, offset_timestamp, partition_topic, SourceOffset,
};
use crate::task_error::TaskError;

/// Events asked for per range query: bounded memory while catching up.
const PAGE: u32 = 1000;

/// The last event of a topic handed to Kafka (or stored when the task started).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Mark {
    pub(super) sequence: u64,
    /// `None` for an offset set by hand without one.
    pub(super) timestamp_ms: Option<i64>,
}

/// Per time series topic, its last event handed to Kafka.
#[derive(Default)]
pub(super) struct Series {
    last: HashMap<Arc<str>, Mark>,
}

impl Series {
    /// The offsets stored for this connector; entries that are not a time series topic's
    /// are ignored (and said so).
    pub(super) fn from_offsets(connector: &str, offsets: Vec<SourceOffset>) -> Series {
        let mut last = HashMap::new();
        for o in offsets {
            match (partition_topic(&o.partition), offset_sequence(&o.offset)) {
                (Some(path), Some(sequence)) => {
                    let timestamp_ms = offset_timestamp(&o.offset);
                    last.insert(
                        Arc::from(path),
                        Mark {
                            sequence,
                            timestamp_ms,
                        },
                    );
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
    /// A time series topic was subscribed: whatever was appended after its last event
    /// goes first (all its events, if it is not the topic that event came from).
    pub(super) async fn series_subscribed(&mut self, path: &str) -> Result<(), TaskError> {
        let key = self.series.key(path);
        let Some(mark) = self.series.last.get(&key).copied() else {
            return Ok(());
        };
        let page = self.query(&key, mark.sequence, 1).await?;
        let same = match page.events.first() {
            Some(e) if e.sequence == mark.sequence => {
                mark.timestamp_ms.is_none_or(|t| t == e.timestamp_ms)
            }
            // The event itself aged out, later ones are there: the same topic, a gap.
            Some(e) => e.sequence > mark.sequence,
            None => false,
        };
        if same {
            self.catch_up(&key, mark.sequence + 1, None).await
        } else {
            tracing::warn!(connector = %self.config.name, topic = %path, sequence = mark.sequence,
                "this time series topic no longer has the event last sent to Kafka: it was removed and added again (or emptied); sending its events from the first");
            self.series.last.remove(&key);
            self.catch_up(&key, 0, None).await
        }
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
            Some(last) if event.sequence <= last.sequence => {
                self.metrics
                    .events_duplicate
                    .fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Some(last) if event.sequence > last.sequence + 1 => {
                let from = last.sequence + 1;
                self.catch_up(&key, from, Some(event.sequence)).await?;
            }
            _ => {}
        }
        self.emit(&key, event).await
    }

    async fn query(
        &self,
        path: &Arc<str>,
        from: u64,
        limit: u32,
    ) -> Result<diffusion_client::QueryPage, TaskError> {
        self.session
            .query_from(path, from, limit)
            .await
            .map_err(|source| TaskError::DiffusionQuery {
                path: path.to_string(),
                source,
            })
    }

    /// Queries `path`'s events from sequence `start` (up to, not including, `until`) and
    /// sends them.
    async fn catch_up(
        &mut self,
        path: &Arc<str>,
        start: u64,
        until: Option<u64>,
    ) -> Result<(), TaskError> {
        let mut from = start;
        let mut queried = 0u64;
        loop {
            if until.is_some_and(|u| from >= u) || *self.stop.borrow() {
                break;
            }
            let page = self.query(path, from, PAGE).await?;
            let first = page.events.first().map(|e| e.sequence);
            let end = until.unwrap_or(u64::MAX);
            // From 0 (a topic new to the source), what retention dropped was never ours.
            let missed = match first {
                _ if start == 0 && queried == 0 => 0,
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
            tracing::info!(connector = %self.config.name, topic = %path, from = start, events = queried,
                "caught up on a time series topic");
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
        let mark = Mark {
            sequence: event.sequence,
            timestamp_ms: Some(event.timestamp_ms),
        };
        self.series.last.insert(path.clone(), mark);
        let token = self.submitted.submit(path, mark);
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
            .map(|(path, mark)| SourceOffset {
                partition: crate::source_offsets::topic_partition(path),
                offset: match mark.timestamp_ms {
                    Some(t) => event_offset(mark.sequence, t),
                    None => crate::source_offsets::sequence_offset(mark.sequence),
                },
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
