//! An operator dismissing a host's failure episode ([`Command::Dismiss`]): its pending
//! notifications are dropped and nothing more is sent for it, however long it lasts. The
//! dismissal is kept in the host's record (so neither the next review nor a monitor resuming
//! elsewhere adds the notification back) and forgotten when the host's next episode begins.
//!
//! A watched service's process episode is dismissed the same way ([`Command::DismissProcess`]),
//! kept in its part of the host's record.
//!
//! [`Command::Dismiss`]: super::Command::Dismiss
//! [`Command::DismissProcess`]: super::Command::DismissProcess

use std::fmt;

use super::action::Report;
use super::host::Host;
use masakari_client::{Kind, NotificationId, Outbox};

/// Why a dismissal was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDismissed {
    /// The host runs no watched service of that process name.
    NoSuchProcess,
    /// The name is not a host the monitor watches.
    NotWatched,
    /// The host is in another episode than the one named (it came back or was lost anew
    /// since the operator looked).
    OtherEpisode {
        /// The episode named.
        asked: u64,
        /// The host's current one.
        current: u64,
    },
    /// Nothing of the host's current episode waits for delivery.
    NothingPending {
        /// The host's current episode.
        episode: u64,
    },
}

impl fmt::Display for NotDismissed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotWatched => write!(f, "it is not a host this monitor watches"),
            Self::NoSuchProcess => {
                write!(f, "no watched service of that process name is known there")
            }
            Self::OtherEpisode { asked, current } => write!(
                f,
                "it is in episode {current}, not {asked} (see `masakari-hostmonitor status`)"
            ),
            Self::NothingPending { episode } => {
                write!(f, "nothing of its episode {episode} is pending")
            }
        }
    }
}

impl Host {
    /// Dismisses the current episode, if it is the one `asked` for and something of it is
    /// pending; says what was dropped, or why nothing was.
    pub(crate) fn dismiss(&mut self, name: &str, asked: Option<u64>) -> Report {
        let what = Dismissed {
            host: name,
            process: None,
            episode: self.episode,
        };
        dismiss(&mut self.outbox, &mut self.dismissed, &what, asked)
    }

    /// Whether an operator dismissed episode `episode` of the host.
    pub(crate) fn is_dismissed(&self, episode: u64) -> bool {
        self.dismissed == Some(episode)
    }

    /// Drops the entry in flight with this id after its attempt failed for `reason`, if its
    /// episode was dismissed meanwhile.
    pub(crate) fn drop_dismissed(&mut self, id: &NotificationId, reason: &str) -> Option<Report> {
        drop_dismissed(&mut self.outbox, self.dismissed, id, reason)
    }
}

/// Dismisses episode `what.episode` of an outbox's sender (a host, or one service on it), if it
/// is the one `asked` for and something of it is pending: marks it `dismissed` and drops what of
/// it waits; says what was dropped, or why nothing was.
pub(crate) fn dismiss<K: Kind>(
    outbox: &mut Outbox<K>,
    dismissed: &mut Option<u64>,
    what: &Dismissed<'_>,
    asked: Option<u64>,
) -> Report {
    let episode = what.episode;
    let refuse = |why| Report::NotDismissed {
        host: what.host.to_owned(),
        why,
    };
    if let Some(asked) = asked.filter(|asked| *asked != episode) {
        return refuse(NotDismissed::OtherEpisode {
            asked,
            current: episode,
        });
    }
    if !outbox.iter().any(|e| e.episode == episode) {
        return refuse(NotDismissed::NothingPending { episode });
    }
    *dismissed = Some(episode);
    let dropped = outbox.remove_where(|e| e.episode == episode);
    let in_flight = outbox.iter().find(|e| e.in_flight && e.episode == episode);
    Report::Dismissed {
        host: what.host.to_owned(),
        process: what.process.map(str::to_owned),
        episode,
        dropped: dropped.into_iter().map(|e| e.notification.id).collect(),
        in_flight: in_flight.map(|e| e.notification.id.clone()),
    }
}

/// Drops an outbox's entry in flight with this id after its attempt failed for `reason`, if its
/// episode is the `dismissed` one.
pub(crate) fn drop_dismissed<K: Kind>(
    outbox: &mut Outbox<K>,
    dismissed: Option<u64>,
    id: &NotificationId,
    reason: &str,
) -> Option<Report> {
    let front = outbox.iter().next()?;
    if !(outbox.is_in_flight(id) && dismissed == Some(front.episode)) {
        return None;
    }
    let entry = outbox.pop()?;
    Some(Report::Dropped {
        id: entry.notification.id,
        attempts: entry.attempts,
        reason: reason.to_owned(),
        dismissed: true,
    })
}

/// What an operator dismissed: a host's episode, or one of its services' process episodes.
pub(crate) struct Dismissed<'a> {
    pub(crate) host: &'a str,
    pub(crate) process: Option<&'a str>,
    pub(crate) episode: u64,
}

/// The words of a [`Report::Dismissed`].
pub(crate) fn describe(
    f: &mut fmt::Formatter<'_>,
    what: &Dismissed<'_>,
    dropped: &[NotificationId],
    in_flight: Option<&NotificationId>,
) -> fmt::Result {
    let ids: Vec<&str> = dropped.iter().map(NotificationId::as_str).collect();
    let (episode, host) = (what.episode, what.host);
    match what.process {
        None => write!(
            f,
            "OPERATOR DISMISSED episode {episode} of host {host}: dropped [{}]; nothing more is sent \
             for this failure, so Masakari will not act on it; the host's next loss is notified as \
             usual",
            ids.join(", ")
        )?,
        Some(process) => write!(
            f,
            "OPERATOR DISMISSED process episode {episode} of {process} on host {host}: dropped [{}]; \
             nothing more is sent for it; the next time Pacemaker gives up on it there is notified as \
             usual",
            ids.join(", ")
        )?,
    }
    match in_flight {
        Some(id) => write!(
            f,
            " ({id} was being sent: it is dropped if that attempt fails)"
        ),
        None => Ok(()),
    }
}
