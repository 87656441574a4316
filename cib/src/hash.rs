//! A fast hasher for the node-state replay's lookup tables (resource and node ids).
//!
//! The tables live for one query, and the standard library's SipHash costs a fifth of it.
//! Each word is folded in with one wide multiply (the scheme of `foldhash` and `ahash`'s
//! fallback). The keys come from the CIB, which should be trusted but is parsed as if it
//! were hostile: each table starts its hashes from a seed drawn from the standard
//! library's random keys, so ids cannot be written in advance to collide and make the
//! tables quadratic.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// A `HashMap` keyed with [`FastHasher`], seeded per table.
pub(crate) type FastMap<K, V> = HashMap<K, V, FastState>;

/// An empty [`FastMap`] with room for `capacity` entries.
pub(crate) fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, FastState::default())
}

/// Builds the [`FastHasher`]s of one table, all from the table's random seed.
#[derive(Debug, Clone)]
pub(crate) struct FastState(u64);

impl Default for FastState {
    fn default() -> Self {
        Self(RandomState::new().hash_one(SEED))
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// One xor and one folded 64x64->128-bit multiply per word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(SEED);
        // Both halves: the high one carries the low input bits up, the low one the rest.
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Whole words, then the last (overlapping) word: no byte-by-byte copy of a tail,
        // which costs a call and a stalled load per key.
        if let Some(last) = bytes.last_chunk::<8>() {
            let mut chunks = bytes.chunks_exact(8);
            for chunk in &mut chunks {
                self.add(word(chunk));
            }
            if !chunks.remainder().is_empty() {
                self.add(u64::from_le_bytes(*last));
            }
        } else if let (Some(first), Some(last)) = (bytes.first_chunk(), bytes.last_chunk()) {
            let (first, last) = (u32::from_le_bytes(*first), u32::from_le_bytes(*last));
            self.add(u64::from(first) | (u64::from(last) << 32) ^ (bytes.len() as u64) << 59);
        } else {
            let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
            let half = bytes.len() / 2;
            let len = bytes.len() as u64;
            self.add(
                byte(0) | byte(half) << 8 | byte(bytes.len().wrapping_sub(1)) << 16 | len << 24,
            );
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A little-endian word from eight bytes.
fn word(chunk: &[u8]) -> u64 {
    chunk
        .first_chunk::<8>()
        .map_or(0, |w| u64::from_le_bytes(*w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_keys_apart() {
        let mut map: FastMap<String, usize> = FastMap::default();
        for i in 0..1000 {
            map.insert(format!("cmp{i}"), i);
        }
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get("cmp417"), Some(&417));
        assert_eq!(map.get("cmp1000"), None);
    }

    #[test]
    fn short_and_overlapping_keys_differ() {
        let keys = [
            "",
            "a",
            "ab",
            "abc",
            "aaaa",
            "aaaaa",
            "abcdefgh",
            "abcdefghi",
            "bcdefghi",
        ];
        let state = FastState::default();
        let hash = |k: &str| {
            let mut h = state.build_hasher();
            h.write(k.as_bytes());
            h.finish()
        };
        for (i, a) in keys.iter().enumerate() {
            for b in keys.iter().skip(i + 1) {
                assert_ne!(hash(a), hash(b), "{a:?} {b:?}");
            }
        }
    }
}
