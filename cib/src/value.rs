//! Pacemaker's spellings of booleans, membership stamps and name/value sets.

use crate::xml::Element;

/// Pacemaker's `crm_is_true`: `true`, `on`, `yes`, `y`, `1` (any case) are true.
pub fn is_true(value: &str) -> bool {
    ["true", "on", "yes", "y", "1"]
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t))
}

/// Reads a Pacemaker duration (`10`, `10s`, `500ms`, `2min`, `1h`) as milliseconds; `None`
/// for any other spelling (ISO 8601 `PT5S` included) or an overflow.
pub(crate) fn duration_ms(spec: &str) -> Option<u64> {
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(spec.len());
    let number: u64 = spec.get(..end)?.parse().ok()?;
    let factor = match spec.get(end..)?.trim() {
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// A `node_state` membership field (`in_ccm`, `crmd`).
///
/// Pacemaker up to 2.1.6 writes words (`true`/`false`, `online`/`offline`); newer versions
/// write the time the node joined (seconds since the epoch) or `0` when it is not a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// Not a member (`false`, `offline`, `0`, or anything unrecognized).
    No,
    /// A member, written as a word.
    Yes,
    /// A member since this time (seconds since the epoch).
    Since(u64),
}

impl Membership {
    /// Reads an `in_ccm`-style value (`true`/`false` or a timestamp).
    pub fn from_in_ccm(value: &str) -> Self {
        Self::from_word_or_time(value, is_true(value))
    }

    /// Reads a `crmd`-style value (`online`/`offline` or a timestamp).
    pub fn from_crmd(value: &str) -> Self {
        Self::from_word_or_time(value, value.eq_ignore_ascii_case("online"))
    }

    fn from_word_or_time(value: &str, word_true: bool) -> Self {
        match value.parse::<u64>() {
            Ok(0) => Self::No,
            // `1` is also the word "true" for in_ccm; a timestamp is never that small.
            Ok(1) if word_true => Self::Yes,
            Ok(time) => Self::Since(time),
            Err(_) if word_true => Self::Yes,
            Err(_) => Self::No,
        }
    }

    /// Whether the field says "member".
    pub fn is_member(self) -> bool {
        !matches!(self, Self::No)
    }
}

/// Name/value pairs from `instance_attributes`, `meta_attributes` and the like, in
/// document order. Lookups return the first occurrence, as Pacemaker does for sets
/// without rules. `Debug` redacts values whose names look secret (passwords, keys).
///
/// Stored as one string holding every name and value back to back, plus where each ends:
/// a CIB holds thousands of these sets, and two allocations per set instead of two per
/// pair is a good part of the parse time.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NvPairs {
    text: String,
    /// (end of the name, end of the value) in `text`, pair by pair.
    ends: Vec<(usize, usize)>,
}

/// Whether a parameter name looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["passw", "secret", "hexadecimal_kg", "token", "key"]
        .iter()
        .any(|s| name.contains(s))
}

impl std::fmt::Debug for NvPairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in self.iter() {
            if is_secret_name(k) {
                map.entry(&k, &secret::Redacted);
            } else {
                map.entry(&k, &v);
            }
        }
        map.finish()
    }
}

impl NvPairs {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Whether `name` is set to a true value.
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(is_true)
    }

    /// All pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let name = self.text.get(start..name_end).unwrap_or_default();
            let value = self.text.get(name_end..value_end).unwrap_or_default();
            start = value_end;
            (name, value)
        })
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends a pair (later duplicates never shadow earlier ones).
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// Adds every `nvpair` of every `set_name` child of `parent` that has no rule.
    /// Sets guarded by rules are skipped and counted in `skipped_rules`.
    pub(crate) fn extend_from_sets(
        &mut self,
        parent: Element<'_>,
        set_name: &str,
        skipped_rules: &mut Vec<String>,
    ) {
        for set in parent.children_named(set_name) {
            if set.child("rule").is_some() {
                skipped_rules.push(set.describe());
                continue;
            }
            for (name, value) in pairs(set) {
                self.push(name, value);
            }
        }
    }

    /// Pairs from the `set_name` sets of `parent` (rules skipped).
    pub(crate) fn from_sets(
        parent: Element<'_>,
        set_name: &str,
        skipped: &mut Vec<String>,
    ) -> Self {
        // Sized first, so each set costs exactly two allocations.
        let (mut count, mut bytes) = (0, 0);
        for set in parent.children_named(set_name) {
            for (name, value) in pairs(set) {
                count += 1;
                bytes += name.len() + value.len();
            }
        }
        let mut all = Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        };
        all.extend_from_sets(parent, set_name, skipped);
        all
    }
}

/// The (name, value) of each `nvpair` of a set that has both.
fn pairs<'d>(set: Element<'d>) -> impl Iterator<Item = (&'d str, &'d str)> {
    set.children_named("nvpair")
        .filter_map(|pair| Some((pair.attr("name")?, pair.attr("value")?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms("10s"), Some(10_000));
        assert_eq!(duration_ms("10"), Some(10_000));
        assert_eq!(duration_ms("0"), Some(0));
        assert_eq!(duration_ms("2min"), Some(120_000));
        assert_eq!(duration_ms("500ms"), Some(500));
        assert_eq!(duration_ms("PT5S"), None);
        assert_eq!(duration_ms("99999999999999999999h"), None);
    }

    #[test]
    fn debug_redacts_secret_looking_values() {
        let mut pairs = NvPairs::default();
        pairs.push("password", "hunter2");
        pairs.push("passwd", "hunter3");
        pairs.push("hexadecimal_kg", "abcd");
        pairs.push("ip", "192.0.2.1");
        let text = format!("{pairs:?}");
        assert!(!text.contains("hunter") && !text.contains("abcd"), "{text}");
        assert!(text.contains("192.0.2.1"));
    }

    #[test]
    fn booleans_follow_crm_is_true() {
        for t in ["true", "TRUE", "on", "yes", "y", "1"] {
            assert!(is_true(t), "{t}");
        }
        for f in ["false", "off", "no", "0", "", "member", "2"] {
            assert!(!is_true(f), "{f}");
        }
    }

    #[test]
    fn membership_words_and_timestamps() {
        assert_eq!(Membership::from_in_ccm("true"), Membership::Yes);
        assert_eq!(Membership::from_in_ccm("false"), Membership::No);
        assert_eq!(Membership::from_in_ccm("1"), Membership::Yes);
        assert_eq!(Membership::from_in_ccm("0"), Membership::No);
        assert_eq!(
            Membership::from_in_ccm("1700000000"),
            Membership::Since(1_700_000_000)
        );
        assert_eq!(Membership::from_crmd("online"), Membership::Yes);
        assert_eq!(Membership::from_crmd("offline"), Membership::No);
        assert_eq!(
            Membership::from_crmd("1700000000"),
            Membership::Since(1_700_000_000)
        );
        assert!(!Membership::from_crmd("0").is_member());
    }
}
