//! An operator dismissing a host's failure episode ([`Command::Dismiss`]): its pending
//! notifications are dropped and nothing more is sent for it, however long it lasts. The
//! dismissal is kept in the host's record (so neither the next review nor a monitor resuming
//! elsewhere adds the notification back) and forgotten when the host's next episode begins.
//!
//! [`Command::Dismiss`]: super::Command::Dismiss

use std::fmt;

use super::action::Report;
use super::host::Host;
use masakari_client::NotificationId;

/// Why a dismissal was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDismissed {
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
        let episode = self.episode;
        let refuse = |why| Report::NotDismissed {
            host: name.to_owned(),
            why,
        };
        if let Some(asked) = asked.filter(|asked| *asked != episode) {
            return refuse(NotDismissed::OtherEpisode {
                asked,
                current: episode,
            });
        }
        if !self.outbox.iter().any(|e| e.episode == episode) {
            return refuse(NotDismissed::NothingPending { episode });
        }
        self.dismissed = Some(episode);
        let dropped = self.outbox.remove_where(|e| e.episode == episode);
        let in_flight = self
            .outbox
            .iter()
            .find(|e| e.in_flight && e.episode == episode);
        Report::Dismissed {
            host: name.to_owned(),
            episode,
            dropped: dropped.into_iter().map(|e| e.notification.id).collect(),
            in_flight: in_flight.map(|e| e.notification.id.clone()),
        }
    }

    /// Whether an operator dismissed episode `episode` of the host.
    pub(crate) fn is_dismissed(&self, episode: u64) -> bool {
        self.dismissed == Some(episode)
    }

    /// Drops the entry in flight with this id after its attempt failed for `reason`, if its
    /// episode was dismissed meanwhile.
    pub(crate) fn drop_dismissed(&mut self, id: &NotificationId, reason: &str) -> Option<Report> {
        let front = self.outbox.iter().next()?;
        if !(self.outbox.is_in_flight(id) && self.is_dismissed(front.episode)) {
            return None;
        }
        let entry = self.outbox.pop()?;
        Some(Report::Dropped {
            id: entry.notification.id,
            attempts: entry.attempts,
            reason: reason.to_owned(),
            dismissed: true,
        })
    }
}

/// The words of a [`Report::Dismissed`].
pub(crate) fn describe(
    f: &mut fmt::Formatter<'_>,
    host: &str,
    episode: u64,
    dropped: &[NotificationId],
    in_flight: Option<&NotificationId>,
) -> fmt::Result {
    let ids: Vec<&str> = dropped.iter().map(NotificationId::as_str).collect();
    write!(
        f,
        "OPERATOR DISMISSED episode {episode} of host {host}: dropped [{}]; nothing more is sent for \
         this failure, so Masakari will not act on it; the host's next loss is notified as usual",
        ids.join(", ")
    )?;
    match in_flight {
        Some(id) => write!(
            f,
            " ({id} was being sent: it is dropped if that attempt fails)"
        ),
        None => Ok(()),
    }
}
