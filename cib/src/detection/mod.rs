//! How soon Pacemaker finds a remote node that hangs or is cut off.
//!
//! A compute that dies with its network up resets its connection and is lost at once. One that
//! hangs, or whose network drops everything, sends nothing: the cluster finds it only when its
//! connection resource's recurring monitor (a poke over the connection) gets no answer within
//! the op's timeout. The monitor runs every `interval`, so in the worst case the fault comes just
//! after a poke was answered: found after `interval + timeout`, then fenced. The timeout is the
//! op's own, else `op_defaults`' `timeout`, else Pacemaker's 20 s. Without a recurring monitor
//! only TCP's own retransmission limit (many minutes) ends the connection.
//!
//! What the failure then leads to (`response`): fenced, after any fencing delay, or not at
//! all (fencing off, an unmanaged connection, an `on-fail` that replaces the reset, no
//! device). [`RemoteWatch::fence_within_ms`] adds the two: how long until a hung compute is
//! fenced, and so notified.

mod response;

pub use response::{NotFenced, Response};

use crate::Cib;
use crate::resources::{OpConfig, Resource};
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
    /// What the monitor's failure leads to.
    pub response: Response,
}

impl RemoteWatch {
    /// The longest from a hang to its fence starting (watchdog fencing: completing): the
    /// monitor's worst case plus the fencing delay. None when it is never fenced or a value
    /// is unreadable.
    pub fn fence_within_ms(&self) -> Option<u64> {
        match self.response {
            Response::Fenced { delay_ms, .. } => {
                self.monitor.worst_case_ms()?.checked_add(delay_ms)
            }
            Response::NotFenced(_) | Response::Unreadable { .. } => None,
        }
    }
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
            .map(|r| {
                let (monitor, op) = self.monitor_of(r);
                RemoteWatch {
                    remote: r.id.clone(),
                    response: self.response_of(r, op),
                    monitor,
                    reconnect_interval_ms: r.params.get("reconnect_interval").and_then(duration_ms),
                }
            })
            .collect()
    }

    /// The resource's most frequent recurring monitor, and its op.
    fn monitor_of<'r>(&self, resource: &'r Resource) -> (Monitor, Option<&'r OpConfig>) {
        let mut best: Option<(Monitor, &OpConfig)> = None;
        for op in resource.ops.iter().filter(|op| op.name == "monitor") {
            let Some(interval_ms) = duration_ms(&op.interval) else {
                return (unreadable("interval", &op.interval), Some(op));
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
                    None => return (unreadable("timeout", t), Some(op)),
                },
            };
            let candidate = Monitor::Every {
                interval_ms,
                timeout_ms,
            };
            if best
                .as_ref()
                .is_none_or(|(b, _)| candidate.worst_case_ms() < b.worst_case_ms())
            {
                best = Some((candidate, op));
            }
        }
        match best {
            Some((monitor, op)) => (monitor, Some(op)),
            None => (Monitor::None, None),
        }
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
        fenced_cib("", op_defaults, remotes)
    }

    /// Fencing on (with `options`), a device for every host with `device_params`.
    fn fenced_cib(options: &str, op_defaults: &str, resources: &str) -> Cib {
        Cib::parse(&format!(
            "<cib><configuration><crm_config><cluster_property_set id=\"o\">\
             <nvpair id=\"s\" name=\"stonith-enabled\" value=\"true\"/>{options}\
             </cluster_property_set></crm_config>{op_defaults}<nodes/><resources>{resources}\
             <primitive id=\"other\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\
             </resources><constraints/></configuration><status/></cib>"
        ))
        .unwrap()
    }

    fn device(params: &str) -> String {
        format!(
            "<primitive id=\"fence\" class=\"stonith\" type=\"fence_ipmilan\">\
             <instance_attributes id=\"f-ia\">\
             <nvpair id=\"f-hl\" name=\"pcmk_host_list\" value=\"compute1 compute2\"/>{params}\
             </instance_attributes></primitive>"
        )
    }

    fn nvpair(name: &str, value: &str) -> String {
        format!("<nvpair id=\"{name}\" name=\"{name}\" value=\"{value}\"/>")
    }

    const SHIPPED_OPS: &str = "<op id=\"m\" name=\"monitor\" interval=\"3s\" timeout=\"5s\"/>";

    #[test]
    fn fencing_delays_add_to_the_time_until_a_hung_compute_is_fenced() {
        let plain = fenced_cib("", "", &(remote("compute1", "", SHIPPED_OPS) + &device("")));
        let watch = &plain.remote_watches()[0];
        assert_eq!(
            watch.response,
            Response::Fenced {
                delay_ms: 0,
                watchdog: false
            }
        );
        assert_eq!(watch.fence_within_ms(), Some(8000));
        let delays =
            nvpair("pcmk_delay_base", "compute2:9s;compute1:2s") + &nvpair("pcmk_delay_max", "5s");
        let delayed = fenced_cib(
            "",
            "",
            &(remote("compute1", "", SHIPPED_OPS) + &device(&delays)),
        );
        assert_eq!(delayed.remote_watches()[0].fence_within_ms(), Some(15_000));
    }

    #[test]
    fn with_no_device_only_the_watchdog_fences_after_its_timeout() {
        let none = fenced_cib("", "", &remote("compute1", "", SHIPPED_OPS)).remote_watches();
        assert_eq!(none[0].response, Response::NotFenced(NotFenced::NoDevice));
        assert_eq!(none[0].fence_within_ms(), None);
        let watchdog = nvpair("stonith-watchdog-timeout", "10s");
        let sbd = fenced_cib(&watchdog, "", &remote("compute1", "", SHIPPED_OPS)).remote_watches();
        assert_eq!(
            sbd[0].response,
            Response::Fenced {
                delay_ms: 10_000,
                watchdog: true
            }
        );
        assert_eq!(sbd[0].fence_within_ms(), Some(18_000));
    }

    #[test]
    fn an_on_fail_an_unmanaged_connection_or_fencing_off_never_fence_it() {
        let ops =
            "<op id=\"m\" name=\"monitor\" interval=\"3s\" timeout=\"5s\" on-fail=\"restart\"/>";
        let restart = fenced_cib("", "", &(remote("compute1", "", ops) + &device("")));
        let watch = &restart.remote_watches()[0];
        assert_eq!(
            watch.response,
            Response::NotFenced(NotFenced::OnFail("restart".into()))
        );
        assert_eq!(watch.fence_within_ms(), None);
        let unmanaged = format!(
            "<primitive id=\"compute1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\
             <meta_attributes id=\"u\"><nvpair id=\"u1\" name=\"is-managed\" value=\"false\"/>\
             </meta_attributes><operations>{SHIPPED_OPS}</operations></primitive>"
        );
        let watches = fenced_cib("", "", &(unmanaged + &device(""))).remote_watches();
        assert_eq!(watches[0].monitor.worst_case_ms(), Some(8000));
        assert_eq!(
            watches[0].response,
            Response::NotFenced(NotFenced::Unmanaged)
        );
        let off = nvpair("stonith-enabled", "false");
        let cib = Cib::parse(&format!(
            "<cib><configuration><crm_config><cluster_property_set id=\"o\">{off}\
             </cluster_property_set></crm_config><nodes/><resources>{}</resources>\
             </configuration><status/></cib>",
            remote("compute1", "", SHIPPED_OPS) + &device("")
        ))
        .unwrap();
        assert_eq!(
            cib.remote_watches()[0].response,
            Response::NotFenced(NotFenced::FencingDisabled)
        );
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
                response: Response::NotFenced(NotFenced::NoDevice),
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
