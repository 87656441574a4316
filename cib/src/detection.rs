//! How soon Pacemaker finds a remote node that hangs or is cut off.
//!
//! A compute that dies with its network up resets its connection and is lost at once. One that
//! hangs, or whose network drops everything, sends nothing: the cluster finds it only when its
//! connection resource's recurring monitor (a poke over the connection) gets no answer within
//! the op's timeout. The monitor runs every `interval`, so in the worst case the fault comes just
//! after a poke was answered: found after `interval + timeout`, then fenced. The timeout is the
//! op's own, else `op_defaults`' `timeout`, else Pacemaker's 20 s. Without a recurring monitor
//! only TCP's own retransmission limit (many minutes) ends the connection.

use crate::Cib;
use crate::resources::Resource;
use crate::value::duration_ms;

/// Pacemaker's timeout of an operation that sets none, with no `op_defaults` timeout either.
pub const DEFAULT_OP_TIMEOUT_MS: u64 = 20_000;

/// How one remote node's connection is watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteWatch {
    /// The remote node (its connection resource's id).
    pub remote: String,
    /// The connection's recurring monitor.
    pub monitor: Monitor,
    /// `reconnect_interval` in milliseconds, when set and readable: how often a fenced node's
    /// connection is tried again (it does not change how soon a hung node is found).
    pub reconnect_interval_ms: Option<u64>,
}

/// A connection resource's recurring monitor, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Monitor {
    /// A poke every `interval_ms`, failed when unanswered after `timeout_ms`.
    Every {
        /// The op's interval.
        interval_ms: u64,
        /// The op's timeout, or the default it falls back to.
        timeout_ms: u64,
    },
    /// No recurring monitor: a hung node is found only when TCP gives up on the connection.
    None,
    /// A duration Pacemaker's spelling allows that this crate does not read (ISO 8601 `PT5S`).
    Unreadable {
        /// `interval` or `timeout`.
        attribute: &'static str,
        /// The value as written.
        value: String,
    },
}

impl Monitor {
    /// The longest a hung node goes unnoticed: a poke just answered, the next one unanswered.
    pub fn worst_case_ms(&self) -> Option<u64> {
        match self {
            Self::Every {
                interval_ms,
                timeout_ms,
            } => interval_ms.checked_add(*timeout_ms),
            Self::None | Self::Unreadable { .. } => None,
        }
    }
}

impl Cib {
    /// Every remote connection resource (`ocf:pacemaker:remote`) and how it is watched.
    pub fn remote_watches(&self) -> Vec<RemoteWatch> {
        self.all_resources()
            .filter(|r| r.is_remote_connection())
            .map(|r| RemoteWatch {
                remote: r.id.clone(),
                monitor: self.monitor_of(r),
                reconnect_interval_ms: r.params.get("reconnect_interval").and_then(duration_ms),
            })
            .collect()
    }

    /// The resource's most frequent recurring monitor.
    fn monitor_of(&self, resource: &Resource) -> Monitor {
        let mut best: Option<Monitor> = None;
        for op in resource.ops.iter().filter(|op| op.name == "monitor") {
            let Some(interval_ms) = duration_ms(&op.interval) else {
                return unreadable("interval", &op.interval);
            };
            if interval_ms == 0 {
                continue;
            }
            let timeout = op
                .timeout
                .as_deref()
                .or_else(|| self.op_defaults.get("timeout"));
            let timeout_ms = match timeout {
                None => DEFAULT_OP_TIMEOUT_MS,
                Some(t) => match duration_ms(t) {
                    Some(ms) => ms,
                    None => return unreadable("timeout", t),
                },
            };
            let candidate = Monitor::Every {
                interval_ms,
                timeout_ms,
            };
            if best
                .as_ref()
                .is_none_or(|b| candidate.worst_case_ms() < b.worst_case_ms())
            {
                best = Some(candidate);
            }
        }
        best.unwrap_or(Monitor::None)
    }
}

fn unreadable(attribute: &'static str, value: &str) -> Monitor {
    Monitor::Unreadable {
        attribute,
        value: value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cib(op_defaults: &str, remotes: &str) -> Cib {
        Cib::parse(&format!(
            "<cib><configuration><crm_config/>{op_defaults}<nodes/><resources>{remotes}\
             <primitive id=\"other\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\
             </resources><constraints/></configuration><status/></cib>"
        ))
        .unwrap()
    }

    fn remote(id: &str, reconnect: &str, ops: &str) -> String {
        format!(
            "<primitive id=\"{id}\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\
             <instance_attributes id=\"{id}-ia\">{reconnect}</instance_attributes>\
             <operations>{ops}</operations></primitive>"
        )
    }

    #[test]
    fn the_shipped_settings_find_a_hung_compute_within_eight_seconds() {
        let reconnect = "<nvpair id=\"r\" name=\"reconnect_interval\" value=\"10s\"/>";
        let ops = "<op id=\"m\" name=\"monitor\" interval=\"3s\" timeout=\"5s\"/>";
        let watches = cib("", &remote("compute1", reconnect, ops)).remote_watches();
        assert_eq!(
            watches,
            [RemoteWatch {
                remote: "compute1".into(),
                monitor: Monitor::Every {
                    interval_ms: 3000,
                    timeout_ms: 5000
                },
                reconnect_interval_ms: Some(10_000),
            }]
        );
        assert_eq!(watches[0].monitor.worst_case_ms(), Some(8000));
    }

    #[test]
    fn a_timeout_comes_from_op_defaults_else_pacemakers_default() {
        let ops = "<op id=\"m\" name=\"monitor\" interval=\"60s\"/>";
        let none = cib("", &remote("c", "", ops)).remote_watches();
        assert_eq!(none[0].monitor.worst_case_ms(), Some(80_000));
        assert_eq!(none[0].reconnect_interval_ms, None);
        let defaults = "<op_defaults><meta_attributes id=\"od\">\
                        <nvpair id=\"t\" name=\"timeout\" value=\"1min\"/></meta_attributes></op_defaults>";
        let set = cib(defaults, &remote("c", "", ops)).remote_watches();
        assert_eq!(set[0].monitor.worst_case_ms(), Some(120_000));
    }

    #[test]
    fn the_most_frequent_monitor_counts_and_probes_do_not() {
        let ops = "<op id=\"p\" name=\"monitor\" interval=\"0\" timeout=\"1s\"/>\
                   <op id=\"a\" name=\"monitor\" interval=\"30s\" timeout=\"10s\"/>\
                   <op id=\"b\" name=\"monitor\" interval=\"5s\" timeout=\"5s\"/>\
                   <op id=\"s\" name=\"start\" interval=\"0\" timeout=\"60s\"/>";
        let watches = cib("", &remote("c", "", ops)).remote_watches();
        assert_eq!(watches[0].monitor.worst_case_ms(), Some(10_000));
    }

    #[test]
    fn no_monitor_and_unreadable_durations_have_no_bound() {
        let start_only = "<op id=\"s\" name=\"start\" interval=\"0\"/>";
        let iso = "<op id=\"m\" name=\"monitor\" interval=\"PT5S\"/>";
        let watches =
            cib("", &(remote("a", "", start_only) + &remote("b", "", iso))).remote_watches();
        assert_eq!(watches[0].monitor, Monitor::None);
        assert_eq!(
            watches[1].monitor,
            Monitor::Unreadable {
                attribute: "interval",
                value: "PT5S".into()
            }
        );
        assert!(watches.iter().all(|w| w.monitor.worst_case_ms().is_none()));
    }
}
