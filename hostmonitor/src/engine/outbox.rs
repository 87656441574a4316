//! One host's notifications waiting for delivery, oldest first; only the oldest is ever
//! in flight, so Masakari sees a host's `STOPPED` before its `STARTED`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::notification::{HostPayload, Notification, NotificationId};
use super::time::Timestamp;

/// Which notification of an episode an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    /// `STOPPED`/`OFFLINE`/`NORMAL`.
    StoppedNormal,
    /// `STOPPED`/`OFFLINE`/`UNKNOWN`.
    StoppedUnknown,
    /// `STARTED`/`ONLINE`/`NORMAL`.
    Started,
}

impl Kind {
    fn payload(self) -> HostPayload {
        match self {
            Self::StoppedNormal => HostPayload::STOPPED_FENCED,
            Self::StoppedUnknown => HostPayload::STOPPED_UNCONFIRMED,
            Self::Started => HostPayload::STARTED,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::StoppedNormal => "stopped-normal",
            Self::StoppedUnknown => "stopped-unknown",
            Self::Started => "started",
        }
    }
}

/// A notification waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    pub(crate) episode: u64,
    pub(crate) notification: Notification,
    /// How many times it has been handed out for delivery.
    pub(crate) attempts: u32,
    /// Not to be sent again before this (after a transient failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) due: Option<Timestamp>,
    /// Handed out and no outcome reported yet; after a restart nothing is in flight.
    #[serde(skip)]
    pub(crate) in_flight: bool,
}

/// A host's queue of notifications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Outbox(VecDeque<Entry>);

impl Outbox {
    /// Makes the queue hold `wanted` (if it is not already there) and drops every entry
    /// never handed out that is not `wanted`: a fact that stopped being true before it
    /// was sent is not sent. Entries already handed out stay until they are resolved.
    /// `host` is the node name (the id's), `hostname` the name Masakari knows it by.
    pub(crate) fn sync(
        &mut self,
        host: &str,
        hostname: &str,
        episode: u64,
        wanted: Option<Kind>,
        now: Timestamp,
    ) {
        let is_wanted = |e: &Entry| wanted == Some(e.kind) && e.episode == episode;
        self.0.retain(|e| e.attempts > 0 || is_wanted(e));
        let Some(kind) = wanted else { return };
        if self.0.iter().any(is_wanted) {
            return;
        }
        self.0.push_back(Entry {
            kind,
            episode,
            notification: Notification {
                id: NotificationId::new(host, episode, kind.slug()),
                hostname: hostname.to_owned(),
                generated_time: now,
                payload: kind.payload(),
            },
            attempts: 0,
            due: None,
            in_flight: false,
        });
    }

    /// Hands out the oldest entry if it is not in flight and due by `now`.
    pub(crate) fn take_ready(&mut self, now: Timestamp) -> Option<&Entry> {
        let entry = self.0.front_mut()?;
        if entry.in_flight || entry.due.is_some_and(|due| due > now) {
            return None;
        }
        entry.in_flight = true;
        entry.attempts = entry.attempts.saturating_add(1);
        entry.due = None;
        Some(entry)
    }

    /// Whether the entry with this id is in flight.
    pub(crate) fn is_in_flight(&self, id: &NotificationId) -> bool {
        self.0
            .front()
            .is_some_and(|e| e.in_flight && &e.notification.id == id)
    }

    /// The entry in flight with this id, if any.
    pub(crate) fn in_flight_mut(&mut self, id: &NotificationId) -> Option<&mut Entry> {
        self.0
            .front_mut()
            .filter(|e| e.in_flight && &e.notification.id == id)
    }

    /// Removes the oldest entry (once its outcome is final).
    pub(crate) fn pop(&mut self) -> Option<Entry> {
        self.0.pop_front()
    }

    /// When the oldest entry is due for a retry, if it waits for one.
    pub(crate) fn retry_due(&self) -> Option<Timestamp> {
        self.0.front().filter(|e| !e.in_flight).and_then(|e| e.due)
    }

    /// The entries, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.0.iter()
    }

    /// How many entries wait.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The queue as it is persisted: nothing in flight.
    pub(crate) fn for_record(&self) -> Self {
        let mut copy = self.clone();
        copy.0.iter_mut().for_each(|e| e.in_flight = false);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_unix(1_000, 0);

    fn ids(outbox: &Outbox) -> Vec<String> {
        outbox
            .iter()
            .map(|e| e.notification.id.to_string())
            .collect()
    }

    #[test]
    fn sync_adds_the_wanted_entry_once() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        assert_eq!(ids(&outbox), ["c1/1/stopped-normal"]);
        assert_eq!(
            outbox.iter().next().unwrap().notification.payload,
            HostPayload::STOPPED_FENCED
        );
    }

    #[test]
    fn sync_drops_unsent_entries_that_are_no_longer_wanted() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedUnknown), T0);
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        assert_eq!(ids(&outbox), ["c1/1/stopped-normal"]);
        outbox.sync("c1", "c1", 1, None, T0);
        assert_eq!(outbox.len(), 0);
    }

    #[test]
    fn sync_keeps_entries_already_handed_out() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        assert!(outbox.take_ready(T0).is_some());
        outbox.sync("c1", "c1", 1, Some(Kind::Started), T0);
        assert_eq!(ids(&outbox), ["c1/1/stopped-normal", "c1/1/started"]);
    }

    #[test]
    fn only_the_oldest_is_in_flight_and_only_once() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        assert!(outbox.take_ready(T0).is_some());
        outbox.sync("c1", "c1", 1, Some(Kind::Started), T0);
        assert!(outbox.take_ready(T0).is_none());
        let id = NotificationId::new("c1", 1, "stopped-normal");
        assert!(outbox.in_flight_mut(&id).is_some());
        assert!(
            outbox
                .in_flight_mut(&NotificationId::new("c1", 1, "started"))
                .is_none()
        );
        outbox.pop();
        assert_eq!(
            outbox.take_ready(T0).unwrap().notification.id.as_str(),
            "c1/1/started"
        );
    }

    #[test]
    fn a_retry_waits_until_due() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        outbox.take_ready(T0);
        let id = NotificationId::new("c1", 1, "stopped-normal");
        let later = Timestamp::from_unix(1_010, 0);
        let entry = outbox.in_flight_mut(&id).unwrap();
        entry.in_flight = false;
        entry.due = Some(later);
        assert_eq!(outbox.retry_due(), Some(later));
        assert!(outbox.take_ready(T0).is_none());
        assert_eq!(outbox.take_ready(later).unwrap().attempts, 2);
        assert_eq!(outbox.retry_due(), None);
    }

    #[test]
    fn the_record_has_nothing_in_flight() {
        let mut outbox = Outbox::default();
        outbox.sync("c1", "c1", 1, Some(Kind::StoppedNormal), T0);
        outbox.take_ready(T0);
        assert!(
            outbox
                .for_record()
                .iter()
                .all(|e| !e.in_flight && e.attempts == 1)
        );
        assert_eq!(outbox.len(), 1);
    }
}
