//! A small, fast hasher for the tree's hot maps (sessions by id, subscribers, topics by
//! path), in the style of rustc's FxHash: std's default SipHash is built to resist
//! flooding by chosen keys, at several times the cost per lookup, and every update looks
//! up its topic, its subscribers' sessions and their queues. Session ids are the server's
//! own counter; topic paths come from authenticated clients of a server meant for local
//! runs, demos and tests.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// FxHash-style: each word is folded in with a rotate, xor and multiply.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        while let Some((word, rest)) = bytes.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*word));
            bytes = rest;
        }
        if bytes.len() >= 4 {
            let (word, rest) = bytes.split_first_chunk::<4>().expect("4 bytes");
            self.add(u64::from(u32::from_le_bytes(*word)));
            bytes = rest;
        }
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; hashbrown takes its bucket from them
        // and its tag from the top 7, so mix the high half down.
        self.hash ^ (self.hash >> 32)
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
pub(crate) type FxHashMap<K, V> = HashMap<K, V, FxBuild>;
pub(crate) type FxHashSet<T> = HashSet<T, FxBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_with_paths_and_ids() {
        let mut m: FxHashMap<String, u64> = FxHashMap::default();
        for i in 0..10_000u64 {
            m.insert(format!("source/bench/K{i:04}"), i);
        }
        for i in 0..10_000u64 {
            assert_eq!(m.get(format!("source/bench/K{i:04}").as_str()), Some(&i));
        }
        let s: FxHashSet<u64> = (0..1000).collect();
        assert!((0..1000).all(|i| s.contains(&i)) && !s.contains(&1000));
    }
}
