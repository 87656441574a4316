//! A node's fail counts and last failures: the `fail-count-<rsc>[#<op>]` and
//! `last-failure-<rsc>[#<op>]` transient attributes, summed per resource id once per node,
//! so that each history on the node costs a lookup instead of a pass over every attribute
//! (a pass per history is quadratic in a node's attributes).

use crate::hash::{FastMap, fast_map};
use crate::value::NvPairs;

use super::online::score;

/// How many `#` in one attribute name are taken as the end of a resource id. Pacemaker's
/// ids cannot hold `#` (the schema makes them XML IDs), so one is enough for any CIB it
/// wrote; a few more keep to the letter of the old per-history match for odd ids without
/// letting a name made of `#` cost quadratic time.
const MAX_HASHES: usize = 4;

/// Fail count (summed scores) and last failure (latest time) per resource id.
#[derive(Debug, Default)]
pub(super) struct Failures<'a>(FastMap<&'a str, (i64, u64)>);

impl<'a> Failures<'a> {
    /// The failures recorded in a node's transient attributes.
    pub(super) fn of(transient: &'a NvPairs) -> Self {
        let mut by_rsc: FastMap<&'a str, (i64, u64)> = fast_map(0);
        for (name, value) in transient.iter() {
            if let Some(rest) = name.strip_prefix("fail-count-") {
                let count = score(value);
                for rsc in ids(rest) {
                    let entry = by_rsc.entry(rsc).or_default();
                    entry.0 = entry.0.saturating_add(count);
                }
            } else if let Some(rest) = name.strip_prefix("last-failure-") {
                let time = value.trim().parse().unwrap_or(0);
                for rsc in ids(rest) {
                    let entry = by_rsc.entry(rsc).or_default();
                    entry.1 = entry.1.max(time);
                }
            }
        }
        Self(by_rsc)
    }

    /// Resource `rsc`'s fail count and last failure (0 and 0 when none is recorded).
    pub(super) fn of_resource(&self, rsc: &str) -> (i64, u64) {
        self.0.get(rsc).copied().unwrap_or_default()
    }
}

/// The resource ids an attribute name (after its prefix) can be about: all of it, and the
/// part before each `#` (`rsc#op_interval`).
fn ids(rest: &str) -> impl Iterator<Item = &str> {
    rest.match_indices('#')
        .take(MAX_HASHES)
        .filter_map(|(at, _)| rest.get(..at))
        .chain(std::iter::once(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(pairs: &[(&str, &str)]) -> Failures<'static> {
        let mut transient = NvPairs::default();
        for (name, value) in pairs {
            transient.push(name, value);
        }
        Failures::of(Box::leak(Box::new(transient)))
    }

    #[test]
    fn sums_counts_and_keeps_the_latest_failure_per_resource() {
        let f = failures(&[
            ("fail-count-db#start_0", "1"),
            ("fail-count-db#monitor_10000", "INFINITY"),
            ("last-failure-db#start_0", "1700000000"),
            ("last-failure-db#monitor_10000", "1700000100"),
            ("fail-count-dbx", "2"),
            ("fail-count-web", "3"),
            ("shutdown", "0"),
        ]);
        assert_eq!(f.of_resource("db"), (1_000_001, 1_700_000_100));
        assert_eq!(f.of_resource("dbx"), (2, 0));
        assert_eq!(f.of_resource("web"), (3, 0));
        assert_eq!(f.of_resource("d"), (0, 0));
        assert_eq!(f.of_resource("db#start_0"), (1, 1_700_000_000));
    }

    #[test]
    fn a_name_made_of_hashes_costs_a_bounded_number_of_ids() {
        let name = format!("fail-count-{}", "#".repeat(100_000));
        let f = failures(&[(&name, "1")]);
        assert_eq!(f.0.len(), MAX_HASHES + 1);
    }
}
