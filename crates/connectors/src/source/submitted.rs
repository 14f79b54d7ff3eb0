//! Which time series offsets may be stored: Kafka acknowledges records in its own time,
//! and an offset says "everything of this topic up to here is in Kafka", so a topic's
//! offset moves only over an unbroken run of acknowledged records (Kafka Connect's
//! `SubmittedRecords`). Each record sent for a time series event gets a token, carried
//! through librdkafka's delivery callback; the task hands the settled tokens back here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Events sent to Kafka whose offsets are not yet committable, per Diffusion topic; `O` is
/// what an event's offset holds (its sequence and time).
pub(crate) struct Submitted<O> {
    next: usize,
    /// Per topic path, its records in send order: (token, the event's offset).
    per_topic: HashMap<Arc<str>, VecDeque<(usize, O)>>,
    /// Token to its topic, for the tokens not yet settled.
    topic_of: HashMap<usize, Arc<str>>,
    /// Settled tokens waiting for the records ahead of them.
    settled: HashSet<usize>,
    /// Per topic, the offset of the last record such that it and all before it settled,
    /// since the last [`take`](Self::take).
    committable: HashMap<Arc<str>, O>,
}

impl<O> Default for Submitted<O> {
    fn default() -> Self {
        Submitted {
            next: 0,
            per_topic: HashMap::new(),
            topic_of: HashMap::new(),
            settled: HashSet::new(),
            committable: HashMap::new(),
        }
    }
}

impl<O: Copy> Submitted<O> {
    /// A token for the record of an event of `path` (never 0, which librdkafka's callback
    /// reports for records that are not tracked).
    pub(crate) fn submit(&mut self, path: &Arc<str>, offset: O) -> usize {
        self.next += 1;
        let token = self.next;
        self.per_topic
            .entry(path.clone())
            .or_default()
            .push_back((token, offset));
        self.topic_of.insert(token, path.clone());
        token
    }

    /// A record was acknowledged by Kafka, or failed and the failure was tolerated: either
    /// way it no longer holds its topic's offset back.
    pub(crate) fn settle(&mut self, token: usize) {
        let Some(path) = self.topic_of.remove(&token) else {
            return;
        };
        self.settled.insert(token);
        let Some(queue) = self.per_topic.get_mut(&path) else {
            return;
        };
        while let Some(&(t, offset)) = queue.front() {
            if !self.settled.remove(&t) {
                break;
            }
            queue.pop_front();
            self.committable.insert(path.clone(), offset);
        }
        if queue.is_empty() {
            self.per_topic.remove(&path);
        }
    }

    /// The offsets that became committable since the last call.
    pub(crate) fn take(&mut self) -> Vec<(Arc<str>, O)> {
        self.committable.drain().collect()
    }

    /// Offsets taken but not stored after all: committable again, unless a later one
    /// became committable meanwhile (it is newer, whatever its sequence: a topic removed
    /// and added again numbers its events from 0).
    pub(crate) fn restore(&mut self, offsets: Vec<(Arc<str>, O)>) {
        for (path, offset) in offsets {
            self.committable.entry(path).or_insert(offset);
        }
    }

    /// Records sent and not yet settled.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.topic_of.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_offset_moves_only_over_settled_records() {
        let mut s = Submitted::<u64>::default();
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        let a1 = s.submit(&a, 1);
        let b7 = s.submit(&b, 7);
        let a2 = s.submit(&a, 2);
        let a3 = s.submit(&a, 3);
        s.settle(a2);
        s.settle(a3);
        assert!(s.take().is_empty(), "a1 holds a back");
        s.settle(b7);
        assert_eq!(s.take(), vec![(b.clone(), 7)]);
        s.settle(a1);
        assert_eq!(s.take(), vec![(a.clone(), 3)]);
        assert!(s.take().is_empty());
        assert_eq!(s.pending(), 0);
        s.settle(a1); // twice, or unknown: nothing
        assert!(s.take().is_empty());
    }

    proptest! {
        /// Whatever order Kafka settles records in, a topic's committable offset is the
        /// sequence of its last record such that it and every earlier one settled.
        #[test]
        fn committable_is_the_settled_prefix(
            topics in proptest::collection::vec(0usize..3, 1..40),
            order in proptest::collection::vec(any::<proptest::sample::Index>(), 0..40),
        ) {
            let mut s = Submitted::<u64>::default();
            let names: Vec<Arc<str>> = (0..3).map(|i| Arc::from(format!("t{i}"))).collect();
            let mut sent = Vec::new(); // (token, topic, sequence)
            for (i, t) in topics.iter().enumerate() {
                let seq = 100 + i as u64;
                sent.push((s.submit(&names[*t], seq), *t, seq));
            }
            let mut settled = HashSet::new();
            let mut best: HashMap<usize, u64> = HashMap::new();
            for ix in order {
                let (token, _, _) = sent[ix.index(sent.len())];
                s.settle(token);
                settled.insert(token);
                for (path, seq) in s.take() {
                    let t = names.iter().position(|n| *n == path).unwrap();
                    best.insert(t, seq);
                }
            }
            for t in 0..3 {
                let expected = sent.iter().filter(|(_, tt, _)| *tt == t)
                    .take_while(|(tok, _, _)| settled.contains(tok))
                    .last().map(|(_, _, seq)| *seq);
                prop_assert_eq!(best.get(&t).copied(), expected);
            }
        }
    }
}
