//! A fast hasher for the node-state replay's small lookup tables (resource and node ids).
//!
//! The keys come from the CIB, which a root-owned daemon writes, and the tables live for
//! one query, so the standard library's DoS-resistant SipHash buys nothing here and costs
//! a fifth of the query. Each word is folded in with one wide multiply (the scheme of
//! `foldhash` and `ahash`'s fallback), which mixes every input bit into every output bit.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` keyed with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// An empty [`FastMap`] with room for `capacity` entries.
pub(crate) fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

/// One xor and one folded 64x64->128-bit multiply per word.
#[derive(Debug, Default, Clone, Copy)]
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
        let hash = |k: &str| {
            let mut h = FastHasher::default();
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
