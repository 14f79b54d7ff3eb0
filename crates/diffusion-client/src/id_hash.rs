//! The hasher of the client's maps keyed by protocol ids: conversation ids (to the
//! waiting request) and topic ids (to a subscribed topic's state).
//!
//! With std's default SipHash, the conversation map's insert and remove cost the sink
//! ~300 instructions per request; this hasher took 432 off the sink's total
//! (bench/profile.sh, issue 23), and on the topic map, looked up per update, ~120 off
//! the source's connection task (bench/profile-source.sh). The conversation ids are the session's own,
//! counted up from 1; topic ids are the server's numbering of the session's
//! subscriptions. Neither map takes input an attacker chooses freely: a server's message
//! can only look an id up, and the maps hold at most the in-flight requests and the
//! subscribed topics. One multiplication by an odd constant (Fibonacci hashing) spreads
//! consecutive ids over both the bucket bits and the control bits hashbrown takes from
//! the top.

use std::hash::{BuildHasherDefault, Hasher};

/// 2^64 / the golden ratio, odd.
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// See the module doc.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by i64 or i32 keys; correct for anything else.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(K);
    }

    fn write_i32(&mut self, n: i32) {
        self.write_i64(i64::from(n));
    }
}

/// A map keyed by conversation id.
pub(crate) type CidMap<V> = std::collections::HashMap<i64, V, BuildHasherDefault<IdHasher>>;

/// A map keyed by the server's topic id.
pub(crate) type TopicIdMap<V> = std::collections::HashMap<i32, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_spread_over_buckets_and_control_bits() {
        let hash = |n: i64| {
            let mut h = IdHasher::default();
            h.write_i64(n);
            h.finish()
        };
        let low: std::collections::HashSet<u64> = (1..=1024).map(|n| hash(n) & 1023).collect();
        assert_eq!(low.len(), 1024);
        let top: std::collections::HashSet<u64> = (1..=1024).map(|n| hash(n) >> 57).collect();
        assert!(top.len() > 100, "{}", top.len());
        let mut m = CidMap::default();
        for n in 0..10_000 {
            m.insert(n, n);
        }
        assert!((0..10_000).all(|n| m.remove(&n) == Some(n)));
    }
}
