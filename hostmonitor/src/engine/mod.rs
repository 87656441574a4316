//! The decision state machine: events in, actions out, time injected.
//!
//! ```text
//!  alerts ─┐                                       ┌─> Persist(update)   (durable first)
//! corosync ┼─> Event ─> Engine::on_event(now, ..) ─┼─> Notify(notification) ─> Masakari
//! reconcile┘     ^       Engine::on_timeout(now)   ├─> NotifyProcess(..)  ─> Masakari
//! (+Services)    │       Engine::poll_timeout()    ├─> CheckPower(node)   (IPMI, optional)
//!  delivery ─────┘                                 └─> Report(..)         (logs, metrics)
//! ```
//!
//! No I/O, no clock, no tasks: the daemon feeds [`Event`]s with the current
//! [`Timestamp`], carries out the [`Action`]s in order, and calls
//! [`Engine::on_timeout`] at [`Engine::poll_timeout`].
//!
//! ```
//! use hostmonitor::engine::{
//!     Action, Config, Engine, Event, FenceHistory, FenceOutcome, NodeKind, NodeView, Snapshot,
//!     Timestamp,
//! };
//!
//! let mut engine = Engine::new(Config::default());
//! let t = |s: u64| Timestamp::from_unix(1_700_000_000 + s, 0);
//! let compute = |online| NodeView {
//!     name: "compute-1".into(),
//!     kind: NodeKind::Remote,
//!     online,
//!     unclean: !online,
//!     fencing: FenceHistory::default(),
//! };
//! let snapshot = Snapshot {
//!     taken_at: t(0),
//!     local_node: "controller-1".into(),
//!     quorate: true,
//!     nodes: vec![compute(true)],
//! };
//! engine.on_event(t(0), Event::Snapshot(snapshot));
//! engine.on_event(t(1), Event::NodeLost { node: "compute-1".into() });
//! let fenced = Event::Fencing {
//!     target: "compute-1".into(),
//!     outcome: FenceOutcome::Succeeded,
//!     at: t(5),
//! };
//! for action in engine.on_event(t(5), fenced) {
//!     match action {
//!         Action::Persist(_update) => { /* store it durably before going on */ }
//!         Action::Notify(n) => assert_eq!(n.id.as_str(), "compute-1/1/stopped-normal"),
//!         Action::NotifyProcess(_) => { /* a PROCESS notification: sent the same way */ }
//!         Action::CheckPower { node } => { /* IPMI power status, then Event::PowerOff */ }
//!         Action::Report(report) => println!("{:?}: {report}", report.level()),
//!     }
//! }
//! // Run `engine.on_timeout(now)` when `engine.poll_timeout()` comes due.
//! ```
//!
//! # The safety rule
//!
//! A `STOPPED`/`OFFLINE`/`NORMAL` notification (on which Masakari evacuates) is handed out
//! for a host only while the host is lost and a successful fence of it (or, if
//! [`Config::power_off_confirms`], an IPMI power-off) finished *after the host was last
//! seen online*. Fence times are Pacemaker's; "seen online" is when an alert or corosync
//! said so, or when a reconcile showing it online was taken (all clocks NTP-synchronised).
//! So an old fence repeated by the fence history never confirms a new loss, and a host
//! seen online again after its fence needs a new fence. Failure or timeout of fencing
//! gives at most `UNKNOWN` ([`FailurePolicy`]).
//!
//! # Exactly once
//!
//! Each episode (one loss of one host) yields at most one notification of each kind, with
//! a stable [`NotificationId`] and `generated_time`. What changed in the durable
//! [`Record`] is emitted for persisting ahead of any notification it covers (one small
//! [`HostRecord`] per host, suited to a CIB node attribute each). A restored engine
//! re-sends what was pending or in flight with the same `generated_time`, so Masakari's
//! duplicate check (same host, type and payload within its detection interval of
//! `generated_time`) answers 409, which counts as delivered. Facts repeated by alerts and
//! reconciles are the same facts: they do not start new episodes. A reconcile's view of a
//! node's membership is ignored if a newer fact about that node was already applied (an
//! alert or corosync event that arrived after the reconcile began, or a later reconcile).
//!
//! While a host stays online, the time it was last seen is not rewritten: a record changes
//! only when something a decision reads changes. It is persisted on every transition, and
//! again when the host is seen online after a fence or power-off the engine knows of, so a
//! restored engine orders every known fence against the last sighting as the running one
//! did. What remains is a fence that completed before a host's last sighting but that no
//! reconcile had shown by then (crm_mon lists the fencer's history with the node states,
//! so only a lagging fencer history) and that a monitor restarted since learns of: it is
//! judged against the last persisted sighting. [`Config::persist_every_sighting`] closes
//! that window at the cost of a write per online host per reconcile.
//!
//! # Dismissal
//!
//! An operator may end an episode's notifications early ([`Command::Dismiss`]): what of it is
//! pending is dropped and nothing more is sent for it, not even its `STARTED`. The dismissal is
//! part of the host's [`HostRecord`], so a restored engine keeps it; the host's next loss is a new
//! episode and clears it.
//!
//! # Process episodes
//!
//! Beside each host's failure episodes, the engine keeps one episode series per watched
//! compute service on it, keyed (host, process name), fed by [`Event::Services`]: one
//! `PROCESS` `STOPPED` when Pacemaker gives up on the service on a host that is itself online
//! (with quorum), one `STARTED` when it runs there again; nothing for a failure Pacemaker's
//! restart recovers; a host that goes down closes its process episodes unsent (its
//! `COMPUTE_HOST` notification covers it). They live in the host's [`HostRecord`] with their own
//! outbox, so they are exactly once across restarts and failover like the host's, and the
//! mass-failure guard counts a host with an open process episode as failed. See `process`.
//!
//! # Holding
//!
//! Nothing is sent while the local node lacks quorum or while the mass-failure guard
//! holds; held notifications go out when that ends, if they are still true (a host back
//! online before its `STOPPED` went out gets neither `STOPPED` nor `STARTED`).

mod action;
mod config;
mod dismissal;
mod event;
mod guard;
mod host;
mod machine;
mod process;
mod record;
mod status;

pub use action::{Action, Confirmation, Ignored, Level, NotDismissed, Report};
pub use config::{Config, FailurePolicy, MassFailure, Watch};
pub use event::{Command, Event, FenceHistory, FenceOutcome, NodeKind, NodeView, Snapshot};
pub use machine::Engine;
pub use masakari_client::time::{CalendarError, YEARS};
pub use masakari_client::{
    ClusterStatus, DeliveryOutcome, HostEvent, HostPayload, HostStatus, Iso8601, NotificationBody,
    NotificationId, NotificationRequest, NotificationType, Retry, Timestamp,
};
pub use process::{ProcessNotification, ProcessState, ServiceView};
pub use record::{GuardRecord, HostRecord, Record, RecordError, RecordUpdate};
pub use status::{HostState, HostView, PendingView, ServiceStatus, Status};

/// A notification about a compute host (`COMPUTE_HOST`), as the engine hands it out.
pub type Notification = masakari_client::Notification<HostPayload>;

#[cfg(test)]
mod tests;
