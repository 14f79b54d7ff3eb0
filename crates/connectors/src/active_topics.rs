//! The Kafka topics a connector has used (Kafka Connect's active topics, KIP-558): a sink's
//! are the topics of the records it read, a source's those it wrote to. The set outlives
//! task restarts and is emptied only by a reset (`PUT /connectors/{name}/topics/reset`),
//! after which the tasks record the topics they use from then on.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One connector's active topics, shared by its tasks and the REST API.
#[derive(Clone, Default)]
pub struct ActiveTopics(Arc<Shared>);

#[derive(Default)]
struct Shared {
    topics: Mutex<BTreeSet<String>>,
    /// Moves on each reset, so tasks know to record again what they had recorded.
    resets: AtomicU64,
}

impl ActiveTopics {
    /// The topics, sorted.
    pub fn list(&self) -> Vec<String> {
        self.0.lock().iter().cloned().collect()
    }

    /// Forgets every topic (the tasks record those they go on using).
    pub fn reset(&self) {
        let mut topics = self.0.lock();
        topics.clear();
        self.0.resets.fetch_add(1, Ordering::Release);
    }

    /// A task's recorder.
    pub fn recorder(&self) -> TopicRecorder {
        TopicRecorder {
            shared: self.clone(),
            seen: foldhash::HashSet::default(),
            last: String::new(),
            resets: u64::MAX,
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.topics.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A task's side: called for every record, it takes the shared lock only for a topic it
/// has not recorded since the last reset.
pub struct TopicRecorder {
    shared: ActiveTopics,
    /// Looked up per record: foldhash rather than SipHash.
    seen: foldhash::HashSet<String>,
    /// The topic recorded last (empty: none since the last reset); records mostly come
    /// in runs of one topic, and comparing with it is cheaper than hashing the name.
    last: String,
    resets: u64,
}

impl TopicRecorder {
    /// Notes that a record of `topic` was read (sink) or written (source).
    pub fn record(&mut self, topic: &str) {
        let resets = self.shared.0.resets.load(Ordering::Acquire);
        if resets != self.resets {
            self.resets = resets;
            self.seen.clear();
            self.last.clear();
        } else if !topic.is_empty() && self.last == topic {
            return;
        }
        if !self.seen.contains(topic) {
            self.seen.insert(topic.to_owned());
            self.shared.0.lock().insert(topic.to_owned());
        }
        self.last.clear();
        self.last.push_str(topic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_recorded_once_and_again_after_a_reset() {
        let active = ActiveTopics::default();
        let mut a = active.recorder();
        let mut b = active.recorder();
        a.record("prices");
        a.record("prices");
        b.record("trades");
        assert_eq!(active.list(), ["prices", "trades"]);
        active.reset();
        assert!(active.list().is_empty());
        a.record("prices");
        assert_eq!(active.list(), ["prices"]);
        // A recorder made before the reset still records after it.
        b.record("trades");
        assert_eq!(active.list(), ["prices", "trades"]);
    }
}
