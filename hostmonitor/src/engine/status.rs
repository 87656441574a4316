//! What the monitor sees, for the `status` subcommand (human-readable or JSON).

use serde::{Deserialize, Serialize};

use super::event::NodeKind;
use super::host::{Host, Phase};
use masakari_client::Timestamp;
use masakari_client::{Entry, HostPayload, Kind, NotificationId, ProcessPayload, Retry};

/// The engine's view of the cluster and its pending notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Whether the local node has quorum (unknown until corosync or a reconcile says).
    pub quorate: Option<bool>,
    /// Whether the mass-failure guard holds notifications.
    pub mass_failure_hold: bool,
    /// The watched hosts, by name.
    pub hosts: Vec<HostView>,
}

/// One watched host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostView {
    /// Its node name.
    pub name: String,
    /// What kind of node it is.
    pub kind: NodeKind,
    /// Whether the last reconcile listed it.
    pub present: bool,
    /// Where it is.
    pub state: HostState,
    /// Its failure episode in progress or last ended (0 before the first).
    pub episode: u64,
    /// When it was last seen online.
    pub last_online: Option<Timestamp>,
    /// Notifications waiting for delivery, oldest first.
    pub pending: Vec<PendingView>,
    /// Whether an operator dismissed the current episode: nothing more is sent for it (absent
    /// from a daemon that predates dismissals).
    #[serde(default)]
    pub dismissed: bool,
    /// Its watched compute services (see `process`), by process name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<ServiceStatus>,
}

/// Where a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HostState {
    /// Offline since it was first seen; never reported.
    Unobserved,
    /// Online.
    Online,
    /// Lost.
    Lost {
        /// Since when.
        since: Timestamp,
        /// Whether it is confirmed off.
        confirmed: bool,
        /// Whether fencing is overdue.
        overdue: bool,
    },
}

/// A notification waiting for delivery (`COMPUTE_HOST`, or `PROCESS` with a
/// [`ProcessPayload`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView<P = HostPayload> {
    /// Its id.
    pub id: NotificationId,
    /// What it says.
    pub payload: P,
    /// How many times it has been sent.
    pub attempts: u32,
    /// Whether a delivery is under way.
    pub in_flight: bool,
    /// When the next retry is due, if it waits for one.
    pub retry_at: Option<Timestamp>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Whether it is overdue: more retries failed than the alert threshold (it is still retried).
    pub overdue: bool,
}

/// One watched compute service on a host: its latest process episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// The process name the watched resource stands for.
    pub process_name: String,
    /// Its latest episode on this host (0: none yet).
    pub episode: u64,
    /// While that episode is open (Pacemaker gave up on it there): since when.
    pub gave_up_since: Option<Timestamp>,
    /// Its notifications waiting for delivery, oldest first.
    pub pending: Vec<PendingView<ProcessPayload>>,
    /// Whether an operator dismissed its latest episode: nothing more is sent for it.
    #[serde(default)]
    pub dismissed: bool,
}

impl<P: Clone> PendingView<P> {
    fn of<K: Kind<Payload = P>>(e: &Entry<K>, retry: &Retry) -> Self {
        Self {
            id: e.notification.id.clone(),
            payload: e.notification.payload.clone(),
            attempts: e.attempts,
            in_flight: e.in_flight,
            retry_at: e.due,
            last_error: e.last_error.clone(),
            overdue: retry.overdue(e.attempts.saturating_sub(u32::from(e.in_flight))),
        }
    }
}

impl HostView {
    pub(crate) fn new(name: &str, host: &Host, retry: &Retry) -> Self {
        let state = match &host.phase {
            Phase::Unobserved => HostState::Unobserved,
            Phase::Online => HostState::Online,
            Phase::Lost(lost) => HostState::Lost {
                since: lost.since,
                confirmed: lost.confirmed,
                overdue: lost.timed_out,
            },
        };
        let pending = host.outbox.iter().map(|e| PendingView::of(e, retry));
        let processes = host
            .processes
            .0
            .iter()
            .map(|(name, service)| ServiceStatus {
                process_name: name.clone(),
                episode: service.episode,
                gave_up_since: service.since,
                pending: service
                    .outbox
                    .iter()
                    .map(|e| PendingView::of(e, retry))
                    .collect(),
                dismissed: service.dismissed == Some(service.episode),
            });
        Self {
            name: name.to_owned(),
            kind: host.kind,
            present: host.present,
            state,
            episode: host.episode,
            last_online: host.last_online,
            pending: pending.collect(),
            dismissed: host.is_dismissed(host.episode),
            processes: processes.collect(),
        }
    }
}
