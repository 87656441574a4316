//! What the engine can be told to do differently; every field has a documented default.

use std::collections::BTreeMap;
use std::time::Duration;

use super::event::NodeKind;
use masakari_client::Retry;

/// The engine's settings. [`Config::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The node the monitor runs on, never reported. Reconcile snapshots also name it;
    /// both are excluded. Default: none (taken from snapshots).
    pub local_node: Option<String>,
    /// Which kinds of nodes are watched. Default: remotes and guests, not members.
    pub watch: Watch,
    /// How long after a loss the engine waits for fencing to be confirmed before it
    /// applies [`Config::on_fence_failure`]. Default: 120 s.
    pub fence_timeout: Duration,
    /// What to send when fencing failed or timed out. Default: [`FailurePolicy::SendUnknown`].
    pub on_fence_failure: FailurePolicy,
    /// Whether a power-off confirmation from the daemon's own IPMI check confirms a
    /// lost host like a successful fence does (the engine then asks for the check with
    /// [`Action::CheckPower`](super::Action::CheckPower)). Default: false.
    pub power_off_confirms: bool,
    /// The mass-failure guard.
    pub mass_failure: MassFailure,
    /// Delivery retries: backoff, and when an undelivered notification is overdue.
    pub retry: Retry,
    /// The name Masakari knows a node's hypervisor by, where it is not the Pacemaker node
    /// name (node name -> Masakari host name). Only the notification's `hostname` uses it:
    /// episodes, records and notification ids stay keyed by the node name. Default: empty.
    pub host_names: BTreeMap<String, String>,
    /// Whether every sighting of an online host is persisted, rather than only its transitions
    /// and its sightings after a known fence. Default: false, so an idle cluster costs no write;
    /// see "Exactly once" in the engine's docs for the window that true closes.
    pub persist_every_sighting: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            local_node: None,
            watch: Watch::default(),
            fence_timeout: Duration::from_secs(120),
            on_fence_failure: FailurePolicy::SendUnknown,
            power_off_confirms: false,
            mass_failure: MassFailure::default(),
            retry: Retry::default(),
            host_names: BTreeMap::new(),
            persist_every_sighting: false,
        }
    }
}

impl Config {
    /// The host name a notification about node `name` carries.
    pub(crate) fn masakari_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.host_names.get(name).map_or(name, String::as_str)
    }

    /// Whether a node of `kind` named `name` is watched (the local node never is).
    pub(crate) fn watches(&self, name: &str, kind: NodeKind) -> bool {
        self.local_node.as_deref() != Some(name) && self.watch.covers(kind)
    }
}

/// Which kinds of nodes the engine watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// pacemaker-remote nodes. Default: true.
    pub remotes: bool,
    /// Guest nodes (virtual machines run as resources). Default: true.
    pub guests: bool,
    /// Full cluster members (corosync nodes). Default: false.
    pub members: bool,
}

impl Default for Watch {
    fn default() -> Self {
        Self {
            remotes: true,
            guests: true,
            members: false,
        }
    }
}

impl Watch {
    fn covers(self, kind: NodeKind) -> bool {
        match kind {
            NodeKind::Remote => self.remotes,
            NodeKind::Guest => self.guests,
            NodeKind::Member => self.members,
        }
    }
}

/// What happens when a lost host's fencing fails or does not finish in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Send `STOPPED`/`OFFLINE`/`UNKNOWN` (Masakari records it and does not evacuate),
    /// and still send `NORMAL` if a fence succeeds later.
    SendUnknown,
    /// Send nothing; keep waiting for a successful fence.
    KeepWaiting,
}

/// The mass-failure guard: when too many watched hosts are lost at once, the failure is
/// more likely on the monitor's side, so notifications are held until an operator
/// releases them or the share of lost hosts drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MassFailure {
    /// The guard trips when more than this percentage of the watched hosts was lost
    /// within [`MassFailure::window`]. 100 disables it. Default: 50.
    pub percent: u8,
    /// How close together the losses must be. Default: 120 s.
    pub window: Duration,
    /// The guard never trips for fewer lost hosts than this, so one of two hosts failing
    /// in a small cluster is reported. Default: 3.
    pub min_hosts: usize,
}

impl Default for MassFailure {
    fn default() -> Self {
        Self {
            percent: 50,
            window: Duration::from_secs(120),
            min_hosts: 3,
        }
    }
}

impl MassFailure {
    /// Whether `lost` of `watched` hosts is more than the guard allows.
    pub(crate) fn exceeded(&self, lost: usize, watched: usize) -> bool {
        lost >= self.min_hosts
            && lost.saturating_mul(100) > usize::from(self.percent).saturating_mul(watched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_and_guests_are_watched_by_default() {
        let config = Config::default();
        assert!(config.watches("c1", NodeKind::Remote));
        assert!(config.watches("g1", NodeKind::Guest));
        assert!(!config.watches("ctl1", NodeKind::Member));
    }

    #[test]
    fn members_are_watched_when_configured_but_never_the_local_node() {
        let config = Config {
            local_node: Some("ctl1".into()),
            watch: Watch {
                members: true,
                ..Watch::default()
            },
            ..Config::default()
        };
        assert!(config.watches("ctl2", NodeKind::Member));
        assert!(!config.watches("ctl1", NodeKind::Member));
    }

    #[test]
    fn mass_failure_needs_more_than_the_share_and_the_minimum() {
        let guard = MassFailure::default();
        assert!(
            !guard.exceeded(50, 100),
            "exactly half is not more than half"
        );
        assert!(guard.exceeded(51, 100));
        assert!(!guard.exceeded(5, 100), "a rack of 5% is not held");
        assert!(!guard.exceeded(2, 2), "fewer than min_hosts never trips");
        assert!(guard.exceeded(3, 4));
        assert!(
            !MassFailure {
                percent: 100,
                ..guard
            }
            .exceeded(10, 10)
        );
    }
}
