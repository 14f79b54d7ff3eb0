//! Conflation while behind (`diffusion.conflation=latest`): records wait here, in read
//! order, while the in-flight window is full; a newer record for the same destination
//! path from the same partition replaces a waiting older one, which is then superseded.
//!
//! Diffusion keeps only a topic's latest value, so a sink catching up on a backlog need
//! not send values no subscriber would see: every topic still ends at its last record,
//! and subscribers never see an older value after a newer one (one waiting update per
//! path at a time, and updates leave in order). Removals are barriers: a record after a
//! waiting removal of its path waits behind it rather than replacing it. A superseded
//! record settles with its superseder (see `offsets.rs` for what may be committed).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::prepare::Update;
use super::publish::{Origin, Wait, Work};

/// What a waiting slot is keyed by: destination path, Kafka topic, partition.
type Key = (String, Arc<str>, i32);

/// A record waiting for room in the window.
pub(super) struct Waiting {
    pub(super) origin: Origin,
    pub(super) work: Work,
    /// What its record waits for besides Diffusion (the dead-letter acknowledgement).
    pub(super) wait: Option<Wait>,
    /// Offsets (same topic and partition) of the records it replaced.
    pub(super) superseded: Vec<i64>,
}

/// Records waiting for room in the window, at most `max`.
pub(super) struct Pending {
    queue: VecDeque<Waiting>,
    /// The sequence number of the queue's front; slot `n` is `queue[n - front]`.
    front: u64,
    /// The waiting update of each key, by sequence number.
    by_key: HashMap<Key, u64>,
    max: usize,
}

impl Pending {
    /// An empty queue of at most `max` waiting records (distinct destinations, once
    /// conflated).
    pub(super) fn new(max: usize) -> Pending {
        Pending {
            queue: VecDeque::new(),
            front: 0,
            by_key: HashMap::new(),
            max: max.max(1),
        }
    }

    /// Whether another record may wait.
    pub(super) fn has_room(&self) -> bool {
        self.queue.len() < self.max
    }

    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Adds a record; returns how many records it superseded (0 or 1).
    pub(super) fn push(&mut self, origin: Origin, work: Work, wait: Option<Wait>) -> usize {
        let key = match &work {
            Work::Update(Update::Set { path, .. }) | Work::Update(Update::Remove { path }) => {
                Some((path.clone(), origin.topic.clone(), origin.partition))
            }
            _ => None,
        };
        if let (Some(key), Work::Update(Update::Set { .. }), None) = (&key, &work, &wait) {
            if let Some(&seq) = self.by_key.get(key) {
                let slot = &mut self.queue[(seq - self.front) as usize];
                if let Work::Update(Update::Set { .. }) = slot.work {
                    // The newer record takes the older one's place in the queue.
                    slot.superseded.push(slot.origin.offset);
                    slot.origin = origin;
                    slot.work = work;
                    return 1;
                }
            }
        }
        let seq = self.front + self.queue.len() as u64;
        match (&key, &work) {
            (Some(key), Work::Update(Update::Set { .. })) => {
                self.by_key.insert(key.clone(), seq);
            }
            // A removal: later records of its path wait behind it.
            (Some(key), _) => {
                self.by_key.remove(key);
            }
            _ => {}
        }
        self.queue.push_back(Waiting {
            origin,
            work,
            wait,
            superseded: Vec::new(),
        });
        0
    }

    /// The oldest waiting record, to send.
    pub(super) fn pop(&mut self) -> Option<Waiting> {
        let w = self.queue.pop_front()?;
        let seq = self.front;
        self.front += 1;
        if let Work::Update(Update::Set { path, .. }) = &w.work {
            let key = (path.clone(), w.origin.topic.clone(), w.origin.partition);
            if self.by_key.get(&key) == Some(&seq) {
                self.by_key.remove(&key);
            }
        }
        Some(w)
    }

    /// Forgets the waiting records of partitions no longer assigned (another member
    /// reads them from the committed offset now; sending these later could set an older
    /// value after its newer one). Returns how many were dropped.
    pub(super) fn purge(&mut self, revoked: &[(String, i32)]) -> usize {
        let gone = |o: &Origin| {
            revoked
                .iter()
                .any(|(t, p)| **t == *o.topic && *p == o.partition)
        };
        let before = self.queue.len();
        let kept: Vec<Waiting> = self.queue.drain(..).filter(|w| !gone(&w.origin)).collect();
        self.by_key.clear();
        self.front = 0;
        for w in kept {
            let seq = self.front + self.queue.len() as u64;
            if let Work::Update(Update::Set { path, .. }) = &w.work {
                self.by_key.insert(
                    (path.clone(), w.origin.topic.clone(), w.origin.partition),
                    seq,
                );
            }
            self.queue.push_back(w);
        }
        before - self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use diffusion_client::TopicType;

    use super::*;

    fn origin(partition: i32, offset: i64) -> Origin {
        Origin {
            topic: Arc::from("t"),
            partition,
            offset,
            timestamp_ms: None,
            info: None,
        }
    }

    fn set(path: &str, v: &str) -> Work {
        Work::Update(Update::Set {
            path: path.into(),
            value: Bytes::from(v.to_owned()),
            topic_type: TopicType::Json,
            append: None,
        })
    }

    /// (offset, path, value, superseded) of everything waiting, in order.
    fn drain(p: &mut Pending) -> Vec<(i64, String, String, Vec<i64>)> {
        std::iter::from_fn(|| p.pop())
            .map(|w| match w.work {
                Work::Update(Update::Set { path, value, .. }) => (
                    w.origin.offset,
                    path,
                    String::from_utf8(value.to_vec()).unwrap(),
                    w.superseded,
                ),
                Work::Update(Update::Remove { path }) => {
                    (w.origin.offset, path, "REMOVE".into(), w.superseded)
                }
                _ => (w.origin.offset, String::new(), "OTHER".into(), w.superseded),
            })
            .collect()
    }

    #[test]
    fn a_newer_record_replaces_the_waiting_one_in_its_place() {
        let mut p = Pending::new(10);
        assert_eq!(p.push(origin(0, 1), set("a", "1"), None), 0);
        assert_eq!(p.push(origin(0, 2), set("b", "1"), None), 0);
        assert_eq!(p.push(origin(0, 3), set("a", "2"), None), 1);
        assert_eq!(p.push(origin(0, 4), set("a", "3"), None), 1);
        assert_eq!(p.len(), 2);
        assert_eq!(
            drain(&mut p),
            vec![
                (4, "a".into(), "3".into(), vec![1, 3]),
                (2, "b".into(), "1".into(), vec![]),
            ]
        );
        // Once sent, a path's next record waits anew.
        p.push(origin(0, 5), set("a", "4"), None);
        assert_eq!(drain(&mut p), vec![(5, "a".into(), "4".into(), vec![])]);
    }

    #[test]
    fn other_partitions_removals_and_failed_records_are_not_conflated() {
        let mut p = Pending::new(10);
        p.push(origin(0, 1), set("a", "1"), None);
        assert_eq!(
            p.push(origin(1, 1), set("a", "x"), None),
            0,
            "another partition"
        );
        p.push(
            origin(0, 2),
            Work::Update(Update::Remove { path: "a".into() }),
            None,
        );
        assert_eq!(
            p.push(origin(0, 3), set("a", "2"), None),
            0,
            "behind the removal"
        );
        assert_eq!(p.push(origin(0, 4), set("a", "3"), None), 1);
        p.push(origin(0, 5), Work::Reported, None);
        let got = drain(&mut p);
        assert_eq!(
            got.iter().map(|g| (g.0, g.2.as_str())).collect::<Vec<_>>(),
            vec![(1, "1"), (1, "x"), (2, "REMOVE"), (4, "3"), (5, "OTHER")]
        );
    }

    #[test]
    fn revoked_partitions_waiting_records_are_dropped_and_the_rest_still_conflate() {
        let mut p = Pending::new(10);
        p.push(origin(0, 1), set("a", "1"), None);
        p.push(origin(1, 1), set("b", "1"), None);
        p.push(origin(0, 2), set("c", "1"), None);
        assert_eq!(p.purge(&[("t".into(), 1)]), 1);
        assert_eq!(p.push(origin(0, 3), set("c", "2"), None), 1);
        assert_eq!(
            drain(&mut p),
            vec![
                (1, "a".into(), "1".into(), vec![]),
                (3, "c".into(), "2".into(), vec![2]),
            ]
        );
    }

    #[test]
    fn room_is_counted_in_waiting_records() {
        let mut p = Pending::new(2);
        p.push(origin(0, 1), set("a", "1"), None);
        assert!(p.has_room());
        p.push(origin(0, 2), set("b", "1"), None);
        assert!(!p.has_room());
        // Conflating takes no room.
        p.push(origin(0, 3), set("b", "2"), None);
        assert_eq!(p.len(), 2);
    }
}
