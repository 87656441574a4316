//! A fixed set of names, built at compile time, looked up with one hash and (nearly always)
//! one comparison.
//!
//! The parser asks, for each of the hundreds of thousands of attributes in a large CIB,
//! whether the model reads it. A `match` on strings compiles to a jump on the length and
//! then comparisons, and the jump is mispredicted on most attributes; a hash of the length
//! and two bytes lands on an empty slot or on the one name worth comparing.

/// Slots in a set: a power of two, at least twice the names in any set, so probes are short.
const SLOTS: usize = 128;

/// A set of names (see the module docs).
#[derive(Debug)]
pub(crate) struct NameSet {
    /// Each name at its hash, or the first free slot after it; `""` marks a free slot.
    slots: [&'static str; SLOTS],
}

impl NameSet {
    /// The set of `names` (none empty, at most half of [`SLOTS`]; checked at compile time).
    // Evaluated at compile time, where an index out of range or a bad set fails the build.
    #[allow(clippy::indexing_slicing, clippy::panic)]
    pub(crate) const fn new(names: &[&'static str]) -> Self {
        assert!(names.len() * 2 <= SLOTS, "too many names for the set");
        let mut slots = [""; SLOTS];
        let mut n = 0;
        while n < names.len() {
            let name = names[n];
            assert!(!name.is_empty(), "empty name in a set");
            let mut slot = hash(name.as_bytes());
            while !slots[slot].is_empty() {
                slot = (slot + 1) % SLOTS;
            }
            slots[slot] = name;
            n += 1;
        }
        Self { slots }
    }

    /// Whether `name` is in the set.
    #[inline]
    pub(crate) fn contains(&self, name: &str) -> bool {
        let mut slot = hash(name.as_bytes());
        // The set is at most half full, so a free slot ends every probe.
        for _ in 0..SLOTS {
            match self.slots.get(slot) {
                Some(&"") => return false,
                Some(&found) if found == name => return true,
                Some(_) => slot = (slot + 1) % SLOTS,
                None => return false,
            }
        }
        false
    }
}

/// The slot a name starts probing from: its length, first and last bytes.
#[inline]
const fn hash(bytes: &[u8]) -> usize {
    let (first, last) = match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => (first as usize, last as usize),
        _ => (0, 0),
    };
    (bytes.len() * 37 + first * 11 + last) % SLOTS
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: NameSet = NameSet::new(&["id", "operation", "op-status", "call-id", "rc-code"]);

    #[test]
    fn holds_its_names_and_nothing_else() {
        for name in ["id", "operation", "op-status", "call-id", "rc-code"] {
            assert!(SET.contains(name), "{name}");
        }
        for name in [
            "",
            "i",
            "di",
            "idx",
            "operatioN",
            "op-digest",
            "call-ie",
            "x",
        ] {
            assert!(!SET.contains(name), "{name}");
        }
    }

    #[test]
    fn a_half_full_set_holds_every_name_and_ends_every_probe() {
        let names: Vec<&'static str> = (0..SLOTS / 2)
            .map(|i| &*Box::leak(format!("n{i}").into_boxed_str()))
            .collect();
        let set = NameSet::new(&names);
        assert!(names.iter().all(|name| set.contains(name)));
        assert!(!set.contains("n64") && !set.contains("m1") && !set.contains(""));
    }
}
