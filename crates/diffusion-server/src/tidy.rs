//! The `TIDY_ON_UNSUBSCRIBE` topic property: when a session unsubscribes from such a topic,
//! the topic's updates still queued for the session are dropped rather than delivered.
//!
//! That is what Diffusion documents for the property ("any updates for the topic that are
//! still queued for the session are removed"); it does not remove the topic. The tree queues
//! frames as encoded bytes, so it cannot reach into a session's queue; instead it notes the
//! topic here before it queues the unsubscription notification, and the session's writer,
//! which takes everything queued at once before writing, drops the topic's values and deltas
//! that come before that notification in what it took. What has already gone to the socket
//! stays sent, as in Diffusion what has left the server's queue does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use diffusion_wire::service::{self, NotifyUnsubscription, Payload};
use diffusion_wire::Message;

/// Topics of one session with a tidy unsubscription on its way through the queue.
#[derive(Default)]
pub(crate) struct Tidy {
    /// Set while `topics` has entries, so the writer's usual path costs one atomic load.
    pending: AtomicBool,
    topics: Mutex<Vec<i32>>,
}

impl Tidy {
    /// Called by the tree before it queues the unsubscription notification for `topic_id`.
    pub(crate) fn unsubscribing(&self, topic_id: i32) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.push(topic_id);
        self.pending.store(true, Ordering::Release);
    }

    /// Whether a tidy unsubscription has yet to be met in the queue.
    pub(crate) fn pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Drops from `batch` (frames in queue order) the values and deltas of topics that a later
    /// frame of the batch unsubscribes the session from.
    pub(crate) fn sweep(&self, batch: &mut Vec<Bytes>) {
        if !self.pending.load(Ordering::Acquire) {
            return;
        }
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        // Walk backwards: an unsubscription seen makes the same topic's earlier updates stale.
        let mut stale: Vec<i32> = Vec::new();
        let mut keep = vec![true; batch.len()];
        for (i, frame) in batch.iter().enumerate().rev() {
            match Message::decode(frame) {
                Ok(Message::ServiceRequest {
                    service: service::NOTIFY_UNSUBSCRIPTION,
                    payload,
                    ..
                }) => {
                    if let Ok(n) = NotifyUnsubscription::decode(&payload) {
                        if let Some(at) = topics.iter().position(|t| *t == n.topic_id) {
                            topics.swap_remove(at);
                            stale.push(n.topic_id);
                        }
                    }
                }
                Ok(Message::TopicValue { topic_id, .. } | Message::TopicDelta { topic_id, .. })
                    if stale.contains(&topic_id) =>
                {
                    keep[i] = false;
                }
                _ => {}
            }
        }
        if topics.is_empty() {
            self.pending.store(false, Ordering::Release);
        }
        let mut keep = keep.into_iter();
        batch.retain(|_| keep.next().unwrap_or(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diffusion_wire::service::UnsubscribeReason;

    fn value(topic_id: i32, v: &'static [u8]) -> Bytes {
        Message::TopicValue {
            topic_id,
            value: Bytes::from_static(v),
        }
        .encode()
    }

    fn unsub(topic_id: i32) -> Bytes {
        Message::ServiceRequest {
            service: service::NOTIFY_UNSUBSCRIPTION,
            cid: 1,
            payload: NotifyUnsubscription {
                topic_id,
                reason: UnsubscribeReason::Requested,
            }
            .encode(),
        }
        .encode()
    }

    #[test]
    fn drops_queued_updates_of_a_tidy_topic_before_its_unsubscription() {
        let tidy = Tidy::default();
        let mut batch = Vec::from([value(1, b"a"), value(2, b"b"), value(1, b"c"), unsub(1)]);
        // Not told of a tidy unsubscription: nothing is touched (nor decoded).
        tidy.sweep(&mut batch);
        assert_eq!(batch.len(), 4);
        tidy.unsubscribing(1);
        // Subscribed again after the unsubscription: that value is kept.
        batch.push(value(1, b"d"));
        tidy.sweep(&mut batch);
        assert_eq!(batch, [value(2, b"b"), unsub(1), value(1, b"d")]);
        assert!(!tidy.pending.load(Ordering::Acquire));
    }

    #[test]
    fn an_unsubscription_not_yet_taken_stays_pending() {
        let tidy = Tidy::default();
        tidy.unsubscribing(7);
        let mut batch = Vec::from([value(7, b"a")]);
        tidy.sweep(&mut batch);
        // Its notification is not in this batch, so the value is not known to be stale.
        assert_eq!(batch, [value(7, b"a")]);
        let mut next = Vec::from([value(7, b"b"), unsub(7)]);
        tidy.sweep(&mut next);
        assert_eq!(next, [unsub(7)]);
        assert!(!tidy.pending.load(Ordering::Acquire));
    }
}
