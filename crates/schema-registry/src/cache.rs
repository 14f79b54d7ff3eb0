//! A bounded map that forgets its oldest entries: the client's caches must not grow with
//! every schema a long-running task ever sees, and the entries are cheap to fetch again.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

/// A map of at most `capacity` entries; inserting beyond that evicts the oldest insertion.
/// Locked for each call only, so no lock is ever held across an await.
pub(crate) struct BoundedCache<K, V> {
    capacity: usize,
    inner: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    map: HashMap<K, V>,
    /// Keys in insertion order, for eviction.
    order: VecDeque<K>,
}

impl<K: Clone + Hash + Eq, V: Clone> BoundedCache<K, V> {
    /// A cache of at most `capacity` entries (0: caches nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        BoundedCache {
            capacity,
            inner: Mutex::new(Entries {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries<K, V>> {
        // A panic elsewhere while holding the lock leaves the map consistent (every
        // mutation is a single call), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `key`, if cached.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().map.get(key).cloned()
    }

    /// Caches `value` under `key`, evicting the oldest entries beyond the capacity.
    pub(crate) fn insert(&self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        if entries.map.insert(key.clone(), value).is_none() {
            entries.order.push_back(key);
        }
        while entries.map.len() > self.capacity {
            match entries.order.pop_front() {
                Some(oldest) => {
                    entries.map.remove(&oldest);
                }
                None => break,
            }
        }
    }

    /// Forgets `key`.
    pub(crate) fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.lock();
        if entries.map.remove(key).is_some() {
            entries.order.retain(|k| k.borrow() != key);
        }
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_oldest() {
        let c = BoundedCache::new(2);
        c.insert(1, "a");
        c.insert(2, "b");
        c.insert(1, "a2");
        c.insert(3, "c");
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&1), None);
        assert_eq!(c.get(&2), Some("b"));
        assert_eq!(c.get(&3), Some("c"));
        c.remove(&2);
        assert_eq!(c.get(&2), None);
        c.insert(4, "d");
        assert_eq!(c.get(&3), Some("c"));
    }

    #[test]
    fn zero_capacity_caches_nothing() {
        let c = BoundedCache::new(0);
        c.insert(1, 1);
        assert_eq!(c.get(&1), None);
    }
}
