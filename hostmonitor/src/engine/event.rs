//! What the engine is told: facts from Pacemaker and corosync, delivery results and
//! operator commands.

use serde::{Deserialize, Serialize};

use super::process::ServiceView;
use masakari_client::Timestamp;
use masakari_client::{DeliveryOutcome, NotificationId};

/// One input to [`Engine::on_event`](super::Engine::on_event).
///
/// Node and quorum facts from alerts and corosync are real-time: they describe the
/// moment they are handed in. A [`Snapshot`] describes the moment it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The node left the cluster (a Pacemaker `node` alert with desc `lost`, or a
    /// corosync member left).
    NodeLost {
        /// The node's name.
        node: String,
    },
    /// The node is a member (a `node` alert with desc `member`, or a corosync member joined).
    NodeMember {
        /// The node's name.
        node: String,
    },
    /// Pacemaker reports a fencing operation on `target` finished (a `fencing` alert).
    /// Only operations that leave the target off or reset it (`off`, `reboot`) may be
    /// passed: an `on` (unfencing) proves nothing about a lost host.
    Fencing {
        /// The fenced node.
        target: String,
        /// Whether it succeeded.
        outcome: FenceOutcome,
        /// When it finished, by Pacemaker's clock (`CRM_alert_timestamp_epoch`/`_usec`).
        at: Timestamp,
    },
    /// The daemon's IPMI check, asked for with [`Action::CheckPower`](super::Action::CheckPower),
    /// found the node's chassis powered off. Counts as a confirmed fence only when
    /// [`Config::power_off_confirms`](super::Config::power_off_confirms) is set.
    PowerOff {
        /// The node whose chassis is off.
        node: String,
    },
    /// The cluster as a reconcile read it.
    Snapshot(Snapshot),
    /// The watched compute services on every host, as the same reconcile read them (handed
    /// in right after its [`Event::Snapshot`]). Judged only while the local partition is
    /// quorate; a host not listed keeps its services' episodes as they are.
    Services(Vec<ServiceView>),
    /// Corosync's quorum on the local node changed.
    Quorum {
        /// Whether the local node's partition is quorate.
        quorate: bool,
    },
    /// The outcome of delivering a [`Notification`](super::Notification).
    Delivery {
        /// Which notification.
        id: NotificationId,
        /// What the API said.
        outcome: DeliveryOutcome,
    },
    /// An operator's command.
    Command(Command),
}

/// Whether a fencing operation succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FenceOutcome {
    /// The target is confirmed off (or was reset).
    Succeeded,
    /// The operation failed; Pacemaker may try again.
    Failed,
}

/// The cluster as one reconcile read it (CIB status, quorum and fence history).
///
/// It must be complete: a watched node missing from it is taken to have been removed
/// from the cluster (kept, so its notification ids never repeat, but no longer counted
/// as watched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// When the daemon started reading, by the same clock it passes as `now`. A node's
    /// membership (and the quorum) in the snapshot is ignored when a newer fact about it
    /// was applied: a real-time one that arrived at or after this time, or a reconcile
    /// taken later. Fence histories and sightings online are always used.
    pub taken_at: Timestamp,
    /// The node the monitor runs on (never reported).
    pub local_node: String,
    /// Whether the cluster partition of the local node has quorum.
    pub quorate: bool,
    /// Every node in the cluster configuration.
    pub nodes: Vec<NodeView>,
}

/// One node in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    /// The node's name (for a remote node, its connection resource's id).
    pub name: String,
    /// What kind of node it is.
    pub kind: NodeKind,
    /// Whether it is online.
    pub online: bool,
    /// Whether Pacemaker considers it unclean (it needs fencing).
    pub unclean: bool,
    /// Its fence history.
    pub fencing: FenceHistory,
}

/// The fence history of one node, from the fencer: `off` and `reboot` operations only
/// (never `on`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FenceHistory {
    /// When the latest successful fence of the node finished.
    pub last_success: Option<Timestamp>,
    /// When the latest failed fence of the node finished.
    pub last_failure: Option<Timestamp>,
    /// Whether a fence of the node is in progress.
    pub pending: bool,
}

/// What kind of cluster node a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A full cluster member (runs corosync).
    Member,
    /// A pacemaker-remote node.
    Remote,
    /// A guest node (a virtual machine run as a resource).
    Guest,
}

/// An operator's command to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Release the notifications held by the mass-failure guard. The guard stays
    /// disarmed until the share of lost hosts drops below its threshold again.
    ReleaseHold,
    /// Drop the pending notifications of a host's current failure episode, and send nothing
    /// more for that episode (not its `STARTED` either). The dismissal is part of the host's
    /// durable record; the host's next loss is a new episode, notified as usual. Answered by
    /// [`Report::Dismissed`](super::Report::Dismissed) or
    /// [`Report::NotDismissed`](super::Report::NotDismissed).
    Dismiss {
        /// The host's node name.
        host: String,
        /// The episode the operator means (as `status` showed it); refused if the host is in
        /// another one by now. `None`: whichever is current.
        episode: Option<u64>,
    },
    /// The same for one watched compute service's process episode on a host (see `process`):
    /// its pending `PROCESS` notifications are dropped and nothing more is sent for that episode,
    /// not its `STARTED` either; the next time Pacemaker gives up on it there is a new episode.
    DismissProcess {
        /// The host's node name.
        host: String,
        /// The process name, as `status` shows it.
        process: String,
        /// The process episode the operator means; refused if it is another by now. `None`:
        /// whichever is current.
        episode: Option<u64>,
    },
}
