//! Which offsets may be committed: per partition, the offset after the last record whose
//! fate is settled (confirmed by Diffusion, or sent to the error path). Records settle in
//! the order they were read, so this is simply the latest settled offset plus one.
//!
//! With conflation (`diffusion.conflation=latest`) they do not: a waiting record replaced by
//! a newer one for the same destination settles when that newer one is confirmed, which
//! may be after records read between them. Then every record read is tracked until it
//! settles, and the offset committed is that of the first one still unsettled: nothing is
//! committed past a record that was neither confirmed nor superseded by a confirmed one.
//!
//! Committing is librdkafka's: the sink *stores* settled offsets
//! (`enable.auto.offset.store=false`) and librdkafka commits what is stored from its own
//! thread (`enable.auto.commit=true`, every `offset.flush.interval.ms`), again when
//! partitions are taken away, and once more when the consumer closes. So no commit runs
//! on the async executor, and Kafka's contract for a consumer holds: when partitions are
//! revoked, the rebalance callback ([`on_revoke`]) stores what Diffusion confirmed for
//! them, and librdkafka commits it before the partitions go to another member. librdkafka
//! refuses offsets of partitions this consumer no longer owns, so a record of a revoked
//! partition settling late cannot move another member's offset (back).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaResult;
use rdkafka::{Offset, TopicPartitionList};

/// A partition's records read and not yet all settled, in offset order, each with whether
/// it has settled.
type Unsettled = VecDeque<(i64, bool)>;

/// Settled offsets, and what of them librdkafka already has.
#[derive(Debug, Default)]
pub(super) struct Offsets {
    /// Topic → partition → the offset after the last settled record.
    settled: BTreeMap<String, BTreeMap<i32, i64>>,
    /// What was last handed to librdkafka, per partition.
    stored: BTreeMap<(String, i32), i64>,
    /// With conflation, the records read and not yet settled, per partition, in offset
    /// order, each with whether it has settled; `None` without conflation.
    outstanding: Option<BTreeMap<(String, i32), Unsettled>>,
    /// How many records `outstanding` holds.
    outstanding_len: usize,
    /// Partitions revoked since the task last asked (with conflation: their waiting
    /// records must not be sent, another member has them now).
    revoked: Vec<(String, i32)>,
}

impl Offsets {
    /// Offsets for a sink that conflates: records may settle out of read order.
    pub(super) fn tracking() -> Offsets {
        Offsets {
            outstanding: Some(BTreeMap::new()),
            ..Offsets::default()
        }
    }

    /// A record was read (noted only when tracking).
    pub(super) fn read(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(outstanding) = &mut self.outstanding {
            outstanding
                .entry((topic.to_owned(), partition))
                .or_default()
                .push_back((offset, false));
            self.outstanding_len += 1;
        }
    }

    /// Records read and not settled (0 unless tracking).
    pub(super) fn outstanding(&self) -> usize {
        self.outstanding_len
    }

    /// The partitions revoked since the last call.
    pub(super) fn take_revoked(&mut self) -> Vec<(String, i32)> {
        std::mem::take(&mut self.revoked)
    }

    /// The record at `offset` settled.
    pub(super) fn settle(&mut self, topic: &str, partition: i32, offset: i64) {
        if self.outstanding.is_some() {
            return self.settle_tracked(topic, partition, offset);
        }
        // Looked up by `&str`: no allocation per record once the topic is known.
        let partitions = match self.settled.get_mut(topic) {
            Some(p) => p,
            None => self.settled.entry(topic.to_owned()).or_default(),
        };
        let next = partitions.entry(partition).or_insert(offset + 1);
        *next = (*next).max(offset + 1);
    }

    /// Marks `offset` settled; what may be committed moves to the first record still
    /// unsettled. A record not tracked (its partition was revoked since) moves nothing.
    fn settle_tracked(&mut self, topic: &str, partition: i32, offset: i64) {
        let Some(outstanding) = &mut self.outstanding else {
            return;
        };
        let Some(queue) = outstanding.get_mut(&(topic.to_owned(), partition)) else {
            return;
        };
        let Ok(i) = queue.binary_search_by_key(&offset, |(o, _)| *o) else {
            return;
        };
        queue[i].1 = true;
        let mut next = None;
        while let Some(&(o, true)) = queue.front() {
            queue.pop_front();
            self.outstanding_len -= 1;
            next = Some(o + 1);
        }
        if let Some(next) = next {
            let partitions = self.settled.entry(topic.to_owned()).or_default();
            let at = partitions.entry(partition).or_insert(next);
            *at = (*at).max(next);
        }
    }

    /// Offsets settled since they were last stored; `None` if nothing moved.
    pub(super) fn to_store(&self) -> Option<TopicPartitionList> {
        self.select(|_, _| true)
    }

    fn select(&self, wanted: impl Fn(&str, i32) -> bool) -> Option<TopicPartitionList> {
        let mut tpl = TopicPartitionList::new();
        for (t, partitions) in &self.settled {
            for (&p, &o) in partitions {
                if wanted(t, p) && self.stored.get(&(t.clone(), p)) != Some(&o) {
                    tpl.add_partition_offset(t, p, Offset::Offset(o)).ok()?;
                }
            }
        }
        (tpl.count() > 0).then_some(tpl)
    }

    /// librdkafka has these offsets (or refused them for good: partitions not ours).
    pub(super) fn mark_stored(&mut self, tpl: &TopicPartitionList) {
        for e in tpl.elements() {
            if let Offset::Offset(o) = e.offset() {
                self.stored.insert((e.topic().to_owned(), e.partition()), o);
            }
        }
    }

    /// The partitions in `revoked` are no longer ours: returns what was settled for them
    /// and not yet stored, and forgets them.
    pub(super) fn revoke(&mut self, revoked: &TopicPartitionList) -> Option<TopicPartitionList> {
        let gone = |t: &str, p: i32| revoked.find_partition(t, p).is_some();
        let last = self.select(gone);
        for (t, partitions) in self.settled.iter_mut() {
            partitions.retain(|p, _| !gone(t, *p));
        }
        self.settled.retain(|_, partitions| !partitions.is_empty());
        self.stored.retain(|(t, p), _| !gone(t, *p));
        if let Some(outstanding) = &mut self.outstanding {
            let before: usize = outstanding.values().map(VecDeque::len).sum();
            outstanding.retain(|(t, p), _| !gone(t, *p));
            let after: usize = outstanding.values().map(VecDeque::len).sum();
            self.outstanding_len -= before - after;
            self.revoked.extend(
                revoked
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_owned(), e.partition())),
            );
        }
        last
    }
}

/// Where settled offsets go: librdkafka's offset store in production (it refuses
/// partitions the consumer does not own), an in-memory stand-in in the unit tests.
pub(super) trait OffsetStore {
    /// Stores `tpl`'s offsets for the next commit.
    fn store(&self, tpl: &TopicPartitionList) -> KafkaResult<()>;
}

impl<C: ConsumerContext> OffsetStore for BaseConsumer<C> {
    fn store(&self, tpl: &TopicPartitionList) -> KafkaResult<()> {
        self.store_offsets(tpl)
    }
}

impl<C: ConsumerContext + 'static> OffsetStore for StreamConsumer<C> {
    fn store(&self, tpl: &TopicPartitionList) -> KafkaResult<()> {
        self.store_offsets(tpl)
    }
}

/// Hands what settled since last time to `store`, for librdkafka's next commit.
pub(super) fn store_settled(store: &impl OffsetStore, offsets: &Mutex<Offsets>) {
    let mut offsets = offsets.lock().expect("offsets lock");
    let Some(tpl) = offsets.to_store() else {
        return;
    };
    // A partial refusal is for partitions revoked meanwhile: theirs to commit, not ours.
    if let Err(e) = store.store(&tpl) {
        tracing::debug!(error = %e, "offsets not stored (partitions no longer assigned)");
    }
    offsets.mark_stored(&tpl);
}

/// The rebalance callback's part: before `revoked` go to another member, stores what
/// Diffusion confirmed for them so librdkafka commits it as it lets them go.
pub(super) fn on_revoke(
    store: &impl OffsetStore,
    offsets: &Mutex<Offsets>,
    revoked: &TopicPartitionList,
) {
    let last = offsets.lock().expect("offsets lock").revoke(revoked);
    if let Some(tpl) = last {
        if let Err(e) = store.store(&tpl) {
            tracing::warn!(error = %e, "offsets of revoked partitions not stored");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use rdkafka::error::{KafkaError, RDKafkaErrorCode};

    use super::*;

    /// librdkafka's offset store as far as the sink sees it: keeps offsets of assigned
    /// partitions, refuses others.
    #[derive(Default)]
    struct Store {
        assigned: RefCell<Vec<(String, i32)>>,
        stored: RefCell<BTreeMap<(String, i32), i64>>,
    }

    impl Store {
        fn assign(&self, t: &str, p: i32) {
            self.assigned.borrow_mut().push((t.into(), p));
        }
        fn unassign(&self, t: &str, p: i32) {
            self.assigned.borrow_mut().retain(|a| a != &(t.into(), p));
        }
        fn get(&self, t: &str, p: i32) -> Option<i64> {
            self.stored.borrow().get(&(t.into(), p)).copied()
        }
    }

    impl OffsetStore for Store {
        fn store(&self, tpl: &TopicPartitionList) -> KafkaResult<()> {
            let mut any = false;
            for e in tpl.elements() {
                let key = (e.topic().to_owned(), e.partition());
                if self.assigned.borrow().contains(&key) {
                    if let Offset::Offset(o) = e.offset() {
                        self.stored.borrow_mut().insert(key, o);
                        any = true;
                    }
                }
            }
            if any {
                Ok(())
            } else {
                Err(KafkaError::StoreOffset(RDKafkaErrorCode::State))
            }
        }
    }

    fn offset(tpl: &TopicPartitionList, t: &str, p: i32) -> Offset {
        tpl.find_partition(t, p).unwrap().offset()
    }

    #[test]
    fn stores_only_what_moved() {
        let mut o = Offsets::default();
        assert!(o.to_store().is_none());
        o.settle("t", 0, 4);
        o.settle("t", 0, 5);
        o.settle("t", 1, 9);
        let tpl = o.to_store().unwrap();
        assert_eq!(offset(&tpl, "t", 0), Offset::Offset(6));
        assert_eq!(offset(&tpl, "t", 1), Offset::Offset(10));
        o.mark_stored(&tpl);
        assert!(o.to_store().is_none());
        o.settle("t", 1, 10);
        assert_eq!(o.to_store().unwrap().count(), 1);
    }

    #[test]
    fn an_offset_never_moves_back() {
        let mut o = Offsets::default();
        o.settle("t", 0, 7);
        o.settle("t", 0, 3);
        assert_eq!(offset(&o.to_store().unwrap(), "t", 0), Offset::Offset(8));
    }

    #[test]
    fn revocation_stores_what_was_confirmed_for_the_revoked_partitions_only() {
        let store = Store::default();
        store.assign("t", 0);
        store.assign("t", 1);
        let offsets = Mutex::new(Offsets::default());
        offsets.lock().unwrap().settle("t", 0, 10);
        offsets.lock().unwrap().settle("t", 1, 20);
        let mut revoked = TopicPartitionList::new();
        revoked.add_partition("t", 1);
        on_revoke(&store, &offsets, &revoked);
        // Partition 1's confirmed offset is stored at once, for the commit on unassign;
        // partition 0 waits for the next periodic store.
        assert_eq!(store.get("t", 1), Some(21));
        assert_eq!(store.get("t", 0), None);
        store.unassign("t", 1);
        let left = offsets.lock().unwrap().to_store().unwrap();
        assert_eq!(left.count(), 1);
        assert_eq!(offset(&left, "t", 0), Offset::Offset(11));
    }

    #[test]
    fn a_record_of_a_revoked_partition_settling_late_does_not_move_its_offset() {
        let store = Store::default();
        store.assign("t", 0);
        let offsets = Mutex::new(Offsets::default());
        offsets.lock().unwrap().settle("t", 0, 4);
        let mut revoked = TopicPartitionList::new();
        revoked.add_partition("t", 0);
        on_revoke(&store, &offsets, &revoked);
        store.unassign("t", 0);
        assert_eq!(store.get("t", 0), Some(5));
        // Records 5 and 6 were in flight when the partition went; they settle now.
        offsets.lock().unwrap().settle("t", 0, 6);
        store_settled(&store, &offsets);
        assert_eq!(store.get("t", 0), Some(5), "another member owns it now");
        // And it is not offered again and again.
        assert!(offsets.lock().unwrap().to_store().is_none());
    }

    #[test]
    fn tracked_offsets_stop_at_the_first_record_not_settled() {
        let mut o = Offsets::tracking();
        for offset in 5..10 {
            o.read("t", 0, offset);
        }
        assert_eq!(o.outstanding(), 5);
        // 5 was superseded by 9, which is confirmed first; 6..8 are still in flight.
        o.settle("t", 0, 9);
        o.settle("t", 0, 5);
        assert_eq!(offset(&o.to_store().unwrap(), "t", 0), Offset::Offset(6));
        o.settle("t", 0, 7);
        assert_eq!(offset(&o.to_store().unwrap(), "t", 0), Offset::Offset(6));
        o.settle("t", 0, 6);
        assert_eq!(offset(&o.to_store().unwrap(), "t", 0), Offset::Offset(8));
        o.settle("t", 0, 8);
        assert_eq!(offset(&o.to_store().unwrap(), "t", 0), Offset::Offset(10));
        assert_eq!(o.outstanding(), 0);
    }

    #[test]
    fn tracked_partitions_revoked_are_forgotten_and_reported_once() {
        let store = Store::default();
        store.assign("t", 0);
        store.assign("t", 1);
        let offsets = Mutex::new(Offsets::tracking());
        for p in 0..2 {
            offsets.lock().unwrap().read("t", p, 3);
            offsets.lock().unwrap().read("t", p, 4);
        }
        offsets.lock().unwrap().settle("t", 1, 3);
        let mut revoked = TopicPartitionList::new();
        revoked.add_partition("t", 1);
        on_revoke(&store, &offsets, &revoked);
        assert_eq!(store.get("t", 1), Some(4));
        let mut o = offsets.lock().unwrap();
        assert_eq!(o.outstanding(), 2);
        assert_eq!(o.take_revoked(), vec![("t".to_owned(), 1)]);
        assert!(o.take_revoked().is_empty());
        // A late answer for the revoked partition moves nothing.
        o.settle("t", 1, 4);
        assert!(o.to_store().is_none());
    }

    #[test]
    fn revoking_partitions_with_nothing_settled_stores_nothing() {
        let store = Store::default();
        store.assign("t", 0);
        let offsets = Mutex::new(Offsets::default());
        let mut revoked = TopicPartitionList::new();
        revoked.add_partition("t", 0);
        on_revoke(&store, &offsets, &revoked);
        assert_eq!(store.get("t", 0), None);
    }
}
