//! Which offsets may be committed: per partition, the offset after the last record whose
//! fate is settled (confirmed by Diffusion, or sent to the error path). Records settle in
//! the order they were read, so this is simply the latest settled offset plus one.

use std::collections::BTreeMap;

use rdkafka::{Offset, TopicPartitionList};

#[derive(Debug, Default)]
pub struct Offsets {
    settled: BTreeMap<(String, i32), i64>,
    committed: BTreeMap<(String, i32), i64>,
}

impl Offsets {
    pub fn settle(&mut self, topic: &str, partition: i32, offset: i64) {
        match self.settled.get_mut(&(topic.to_owned(), partition)) {
            Some(o) => *o = (*o).max(offset + 1),
            None => {
                self.settled
                    .insert((topic.to_owned(), partition), offset + 1);
            }
        }
    }

    /// Offsets settled since the last commit, ready for `commit`; `None` if nothing moved.
    pub fn to_commit(&self) -> Option<TopicPartitionList> {
        let mut tpl = TopicPartitionList::new();
        for ((t, p), o) in &self.settled {
            if self.committed.get(&(t.clone(), *p)) != Some(o) {
                tpl.add_partition_offset(t, *p, Offset::Offset(*o)).ok()?;
            }
        }
        (tpl.count() > 0).then_some(tpl)
    }

    pub fn mark_committed(&mut self, tpl: &TopicPartitionList) {
        for e in tpl.elements() {
            if let Offset::Offset(o) = e.offset() {
                self.committed
                    .insert((e.topic().to_owned(), e.partition()), o);
            }
        }
    }

    /// Forgets partitions this consumer no longer owns.
    pub fn retain(&mut self, owned: impl Fn(&str, i32) -> bool) {
        self.settled.retain(|(t, p), _| owned(t, *p));
        self.committed.retain(|(t, p), _| owned(t, *p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_what_moved() {
        let mut o = Offsets::default();
        assert!(o.to_commit().is_none());
        o.settle("t", 0, 4);
        o.settle("t", 0, 5);
        o.settle("t", 1, 9);
        let tpl = o.to_commit().unwrap();
        assert_eq!(
            tpl.find_partition("t", 0).unwrap().offset(),
            Offset::Offset(6)
        );
        assert_eq!(
            tpl.find_partition("t", 1).unwrap().offset(),
            Offset::Offset(10)
        );
        o.mark_committed(&tpl);
        assert!(o.to_commit().is_none());
        o.settle("t", 1, 10);
        assert_eq!(o.to_commit().unwrap().count(), 1);
    }
}
