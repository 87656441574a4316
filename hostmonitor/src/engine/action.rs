//! What the engine asks the daemon to do, and what it reports.

use std::fmt;
use std::time::Duration;

use super::Notification;
use super::process::ProcessNotification;
use super::record::RecordUpdate;
use masakari_client::{NotificationId, Timestamp};

pub use super::dismissal::NotDismissed;

/// One thing for the daemon to do. Carry the actions of one call out in order: a
/// [`Action::Persist`] comes before the notifications it covers, and must be durable
/// before they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Store these parts of the durable record (each replacing the stored part of the
    /// same name); a restarted engine resumes from the stored parts with
    /// [`Engine::restore`](super::Engine::restore).
    Persist(RecordUpdate),
    /// Deliver this notification to Masakari and report the outcome with
    /// [`Event::Delivery`](super::Event::Delivery). The engine sends it again after a
    /// transient failure; it never has two notifications of one host in flight.
    Notify(Notification),
    /// Deliver this `PROCESS` notification to Masakari and report the outcome with
    /// [`Event::Delivery`](super::Event::Delivery), as for [`Action::Notify`]. A host's host
    /// and process notifications are queued apart: one of each may be in flight at once.
    NotifyProcess(ProcessNotification),
    /// Check whether the node's chassis is powered off (IPMI, with the node's stonith
    /// device parameters) and report it with [`Event::PowerOff`](super::Event::PowerOff).
    CheckPower {
        /// The node to check.
        node: String,
    },
    /// Log this (and count it in metrics); [`Report::level`] says how loudly.
    Report(Report),
}

/// How loudly a [`Report`] should be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Detail for debugging.
    Debug,
    /// Normal operation.
    Info,
    /// Needs attention.
    Warn,
    /// Something an operator must act on.
    Error,
}

/// Something the engine decided or noticed, for logs, metrics and alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Report {
    /// A watched host was lost; failure episode `episode` begins.
    HostLost {
        /// The host.
        host: String,
        /// The episode number.
        episode: u64,
    },
    /// Pacemaker gave up on a watched service on an online host: process episode `episode`
    /// begins, and its `PROCESS` `STOPPED` is queued.
    ProcessGaveUp {
        /// The host.
        host: String,
        /// The process name the service stands for.
        process: String,
        /// The service's episode number on that host.
        episode: u64,
    },
    /// A process episode ended: the service runs there again, or the host itself is down
    /// (a host failure, notified as such).
    ProcessClosed {
        /// The host.
        host: String,
        /// The process name.
        process: String,
        /// The episode.
        episode: u64,
        /// Whether the service runs again (else the host is down).
        running_again: bool,
        /// Whether the episode's `STOPPED` had been sent (a `STARTED` follows if it runs again).
        stop_sent: bool,
    },
    /// A lost host is online again.
    HostBack {
        /// The host.
        host: String,
        /// Whether a `STOPPED` notification of the episode had been sent (a `STARTED`
        /// one follows).
        stop_sent: bool,
    },
    /// A host was offline when first seen; nothing is reported for it until it has
    /// been seen online.
    FirstSeenOffline {
        /// The host.
        host: String,
    },
    /// The lost host is confirmed off.
    FenceConfirmed {
        /// The host.
        host: String,
        /// What confirmed it.
        by: Confirmation,
    },
    /// The host was seen online after the fence that confirmed it, so that fence does
    /// not belong to its current loss; waiting for a new one.
    ConfirmationWithdrawn {
        /// The host.
        host: String,
    },
    /// Fencing of a lost host failed.
    FenceFailed {
        /// The host.
        host: String,
        /// When, by Pacemaker's clock.
        at: Timestamp,
    },
    /// A lost host was not confirmed off within the fence timeout.
    FenceTimedOut {
        /// The host.
        host: String,
        /// How long the engine waited.
        waited: Duration,
    },
    /// A lost host was not fenced within the fence timeout, and Pacemaker considers it
    /// cleanly stopped (no fencing expected); nothing is sent.
    LostCleanly {
        /// The host.
        host: String,
    },
    /// The local node lost quorum: nothing is sent until it returns.
    QuorumLost {
        /// Notifications waiting.
        pending: usize,
    },
    /// The local node has quorum (again).
    QuorumRegained {
        /// Notifications waiting.
        pending: usize,
    },
    /// Too many hosts failed at once (lost, or with a watched service Pacemaker gave up on): all
    /// notifications are held.
    MassFailureHold {
        /// Hosts failed now.
        lost: usize,
        /// Hosts watched.
        watched: usize,
    },
    /// The share of lost hosts dropped: held notifications go out.
    MassFailureReleased {
        /// Hosts lost now.
        lost: usize,
        /// Hosts watched.
        watched: usize,
    },
    /// An operator released the mass-failure hold.
    HoldReleasedByOperator {
        /// Hosts lost now.
        lost: usize,
        /// Hosts watched.
        watched: usize,
    },
    /// An operator asked to release a hold, but nothing was held.
    NothingHeld,
    /// The API stored the notification (202).
    Delivered {
        /// The notification.
        id: NotificationId,
    },
    /// The API already had the notification, or the host is on maintenance (409).
    AlreadyRecorded {
        /// The notification.
        id: NotificationId,
        /// The API's explanation.
        message: String,
    },
    /// The API refused the notification for good.
    Rejected {
        /// The notification.
        id: NotificationId,
        /// The HTTP status.
        status: u16,
        /// The API's explanation.
        message: String,
    },
    /// Delivery failed transiently and will be retried, however long it takes; past the
    /// alert threshold ([`Retry::alert_after`](masakari_client::Retry::alert_after)) it is
    /// overdue and reported at error level.
    RetryScheduled {
        /// The notification.
        id: NotificationId,
        /// Which retry comes next (1 for the first).
        retry: u32,
        /// How long until then.
        delay: Duration,
        /// Whether it is overdue.
        overdue: bool,
        /// What went wrong.
        reason: String,
    },
    /// A notification waiting for a retry was dropped because its episode is over (the host
    /// is back, or lost anew): what it said is no longer true; or because an operator dismissed
    /// its episode while it was being sent, and that attempt failed.
    Dropped {
        /// The notification.
        id: NotificationId,
        /// How many times it was sent.
        attempts: u32,
        /// What went wrong last.
        reason: String,
        /// Whether an operator dismissed it ([`Command::Dismiss`](super::Command::Dismiss)).
        dismissed: bool,
    },
    /// An operator dismissed a host's failure episode: its pending notifications are dropped
    /// and nothing more is sent for it; Masakari is not told (or told no more) of this failure.
    Dismissed {
        /// The host.
        host: String,
        /// The process name, when a process episode was dismissed (else the host's episode).
        process: Option<String>,
        /// The episode.
        episode: u64,
        /// The notifications dropped.
        dropped: Vec<NotificationId>,
        /// The one being sent at that moment: dropped if that attempt fails, stored if the API
        /// takes it.
        in_flight: Option<NotificationId>,
    },
    /// An operator's dismissal was refused; nothing changed.
    NotDismissed {
        /// The host named.
        host: String,
        /// Why.
        why: NotDismissed,
    },
    /// A watched node is no longer in the cluster configuration; forgotten.
    NodeRemoved {
        /// The node.
        host: String,
    },
    /// An event was ignored.
    Ignored(Ignored),
}

/// What confirmed a lost host is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Pacemaker fenced it at this time (by Pacemaker's clock).
    Fence(Timestamp),
    /// The daemon's IPMI check found it powered off at this time.
    PowerOff(Timestamp),
}

/// Why an event was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// The node is not watched, or not yet known from a reconcile.
    UnwatchedNode(String),
    /// A delivery result for a notification not in flight.
    StaleDelivery(NotificationId),
    /// A power-off confirmation while [`Config::power_off_confirms`](super::Config::power_off_confirms) is off.
    PowerOffNotTrusted(String),
}

impl Report {
    /// Whether this is the engine's answer to an operator's [`Command`](super::Command).
    pub fn answers_command(&self) -> bool {
        matches!(
            self,
            Self::Dismissed { .. }
                | Self::NotDismissed { .. }
                | Self::HoldReleasedByOperator { .. }
                | Self::NothingHeld
        )
    }

    /// How loudly to log this.
    pub fn level(&self) -> Level {
        match self {
            Self::Ignored(_) => Level::Debug,
            Self::HostLost { .. }
            | Self::HostBack { .. }
            | Self::ProcessClosed { .. }
            | Self::FenceConfirmed { .. }
            | Self::QuorumRegained { .. }
            | Self::NothingHeld
            | Self::NotDismissed { .. }
            | Self::Delivered { .. }
            | Self::AlreadyRecorded { .. }
            | Self::NodeRemoved { .. } => Level::Info,
            Self::FirstSeenOffline { .. }
            | Self::ConfirmationWithdrawn { .. }
            | Self::LostCleanly { .. }
            | Self::QuorumLost { .. }
            | Self::MassFailureReleased { .. }
            | Self::HoldReleasedByOperator { .. }
            | Self::RetryScheduled { overdue: false, .. }
            | Self::Dropped { .. } => Level::Warn,
            Self::FenceFailed { .. }
            | Self::ProcessGaveUp { .. }
            | Self::FenceTimedOut { .. }
            | Self::MassFailureHold { .. }
            | Self::Rejected { .. }
            | Self::Dismissed { .. }
            | Self::RetryScheduled { overdue: true, .. } => Level::Error,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HostLost { host, episode } => write!(
                f,
                "host {host} lost (episode {episode}); waiting for fencing"
            ),
            Self::ProcessGaveUp {
                host,
                process,
                episode,
            } => write!(
                f,
                "Pacemaker gave up on {process} on host {host} (process episode {episode}); sending PROCESS STOPPED"
            ),
            Self::ProcessClosed {
                host,
                process,
                episode,
                running_again,
                stop_sent,
            } => {
                let why = if *running_again {
                    "runs again"
                } else {
                    "is on a host that is down (a host failure)"
                };
                let then = match (running_again, stop_sent) {
                    (true, true) => "sending PROCESS STARTED",
                    (_, true) => "its PROCESS STOPPED was sent",
                    (_, false) => "nothing was sent",
                };
                write!(
                    f,
                    "{process} on host {host} {why} (process episode {episode} over); {then}"
                )
            }
            Self::HostBack {
                host,
                stop_sent: true,
            } => write!(f, "host {host} is online again; sending STARTED"),
            Self::HostBack {
                host,
                stop_sent: false,
            } => write!(
                f,
                "host {host} is online again before any notification; nothing sent"
            ),
            Self::FirstSeenOffline { host } => write!(
                f,
                "host {host} was offline when first seen; it is reported only after it has been seen online"
            ),
            Self::FenceConfirmed {
                host,
                by: Confirmation::Fence(at),
            } => write!(f, "host {host} fenced by Pacemaker at {at}"),
            Self::FenceConfirmed {
                host,
                by: Confirmation::PowerOff(at),
            } => write!(f, "host {host} confirmed powered off by IPMI at {at}"),
            Self::ConfirmationWithdrawn { host } => write!(
                f,
                "host {host} was seen online after its fence; waiting for a new fence"
            ),
            Self::FenceFailed { host, at } => write!(
                f,
                "FENCING FAILED for lost host {host} at {at}: no NORMAL notification until it succeeds"
            ),
            Self::FenceTimedOut { host, waited } => write!(
                f,
                "host {host} lost {}s ago and still not fenced: no NORMAL notification until it is",
                waited.as_secs()
            ),
            Self::LostCleanly { host } => write!(
                f,
                "host {host} stopped cleanly without fencing (Pacemaker expects none); nothing sent"
            ),
            Self::QuorumLost { pending } => write!(
                f,
                "local node has no quorum: holding all notifications ({pending} pending)"
            ),
            Self::QuorumRegained { pending } => {
                write!(f, "local node has quorum ({pending} notifications pending)")
            }
            Self::MassFailureHold { lost, watched } => write!(
                f,
                "MASS FAILURE: {lost} of {watched} watched hosts failed at once (lost, or a watched service Pacemaker gave up on); holding all notifications until the share drops or an operator releases them"
            ),
            Self::MassFailureReleased { lost, watched } => write!(
                f,
                "mass failure over ({lost} of {watched} hosts failed): releasing held notifications"
            ),
            Self::HoldReleasedByOperator { lost, watched } => write!(
                f,
                "operator released the mass-failure hold ({lost} of {watched} hosts failed)"
            ),
            Self::NothingHeld => write!(f, "no mass-failure hold to release"),
            Self::Delivered { id } => write!(f, "notification {id} delivered"),
            Self::AlreadyRecorded { id, message } => write!(
                f,
                "notification {id} already recorded or host on maintenance (409): {message}"
            ),
            Self::Rejected {
                id,
                status,
                message,
            } => write!(f, "NOTIFICATION {id} REJECTED ({status}): {message}"),
            Self::RetryScheduled {
                id,
                retry,
                delay,
                overdue: false,
                reason,
            } => write!(
                f,
                "notification {id} failed ({reason}); retry {retry} in {}s",
                delay.as_secs()
            ),
            Self::RetryScheduled {
                id,
                retry,
                delay,
                overdue: true,
                reason,
            } => write!(
                f,
                "NOTIFICATION {id} OVERDUE: {retry} attempts failed ({reason}); still retrying, next in {}s",
                delay.as_secs()
            ),
            Self::Dropped {
                id,
                attempts,
                reason,
                dismissed: false,
            } => write!(
                f,
                "notification {id} dropped after {attempts} attempts: the host's episode is over (last error: {reason})"
            ),
            Self::Dropped {
                id,
                attempts,
                reason,
                dismissed: true,
            } => write!(
                f,
                "notification {id} dropped after {attempts} attempts: an operator dismissed it (last error: {reason})"
            ),
            Self::Dismissed {
                host,
                process,
                episode,
                dropped,
                in_flight,
            } => {
                let what = super::dismissal::Dismissed {
                    host,
                    process: process.as_deref(),
                    episode: *episode,
                };
                super::dismissal::describe(f, &what, dropped, in_flight.as_ref())
            }
            Self::NotDismissed { host, why } => {
                write!(f, "dismissal of host {host} refused: {why}")
            }
            Self::NodeRemoved { host } => {
                write!(f, "node {host} is no longer in the cluster; forgotten")
            }
            Self::Ignored(Ignored::UnwatchedNode(node)) => {
                write!(f, "ignored event for unwatched or unknown node {node}")
            }
            Self::Ignored(Ignored::StaleDelivery(id)) => write!(
                f,
                "ignored delivery result for {id}, which is not in flight"
            ),
            Self::Ignored(Ignored::PowerOffNotTrusted(node)) => write!(
                f,
                "ignored power-off of {node}: power-off confirmation is not enabled"
            ),
        }
    }
}
