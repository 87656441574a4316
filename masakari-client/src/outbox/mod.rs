//! One sender's notifications waiting for delivery (for the host monitor: one host's), oldest
//! first; only the oldest is ever in flight, so Masakari sees a host's `STOPPED` before its
//! `STARTED`.
//!
//! Pure and serializable: the host monitor keeps each host's outbox (and one per compute service
//! it watches there) in its durable record, the
//! instance monitor in a local file. An entry stays until the API answers for it (stored, already
//! there, refused) or until the fact it reports is over ([`Outbox::drop_ended`]): a transient
//! failure never makes it expire, it is retried after [`Retry::delay`], and marked overdue after
//! [`Retry::alert_after`] retries.

mod host;
mod process;
mod vm;

use std::collections::VecDeque;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::notification::{Notification, NotificationId, Payload};
use crate::retry::Retry;
use crate::time::Timestamp;
pub use host::HostKind;
pub use process::ProcessKind;
pub use vm::VmKind;

/// Which notification of an episode an entry is (for the host monitor: `STOPPED`, `STARTED`;
/// for the instance monitor: a VM event).
pub trait Kind: Copy + Eq + std::fmt::Debug + Serialize + DeserializeOwned {
    /// The payload it is sent with.
    type Payload: Payload + Clone + Eq + std::fmt::Debug + DeserializeOwned;
    /// Its part of the notification id, e.g. `stopped-normal`.
    fn slug(self) -> &'static str;
}

/// A kind whose payload is fixed by the kind (the host monitor's), which [`Outbox::sync`] makes
/// entries of. A kind whose payload varies (a VM event's instance) is [`Outbox::push`]ed.
pub trait FixedPayload: Kind {
    /// Its payload.
    fn payload(self) -> Self::Payload;
}

/// A notification waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "K: Kind")]
pub struct Entry<K: Kind> {
    /// Which notification of its episode it is.
    pub kind: K,
    /// The episode it belongs to.
    pub episode: u64,
    /// The notification.
    pub notification: Notification<K::Payload>,
    /// How many times it has been handed out for delivery.
    pub attempts: u32,
    /// Not to be sent again before this (after a transient failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Timestamp>,
    /// Why the last attempt failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Handed out and no outcome reported yet; after a restart nothing is in flight.
    #[serde(skip)]
    pub in_flight: bool,
}

/// A retry scheduled after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    /// Which retry comes next (1 for the first).
    pub retry: u32,
    /// How long until then.
    pub delay: Duration,
    /// Whether the notification is overdue (more than [`Retry::alert_after`] retries failed).
    pub overdue: bool,
}

/// A queue of notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent, bound = "K: Kind")]
pub struct Outbox<K: Kind>(VecDeque<Entry<K>>);

impl<K: Kind> Default for Outbox<K> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

impl<K: FixedPayload> Outbox<K> {
    /// Makes the queue hold `wanted` (if it is not already there) and drops every entry
    /// never handed out that is not `wanted`: a fact that stopped being true before it
    /// was sent is not sent. Entries already handed out stay until they are resolved.
    /// `host` is the name the id is made of (the host monitor's node name), `hostname` the name
    /// Masakari knows the host by.
    pub fn sync(
        &mut self,
        host: &str,
        hostname: &str,
        episode: u64,
        wanted: Option<K>,
        now: Timestamp,
    ) {
        let is_wanted = |e: &Entry<K>| wanted == Some(e.kind) && e.episode == episode;
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
            last_error: None,
            in_flight: false,
        });
    }
}

impl<K: Kind> Outbox<K> {
    /// Queues a notification of a fact that happened (it never stops being true), unless one with
    /// its id is queued already. `episode` is the sender's sequence number it was made with.
    pub fn push(&mut self, kind: K, episode: u64, notification: Notification<K::Payload>) {
        if self.0.iter().any(|e| e.notification.id == notification.id) {
            return;
        }
        self.0.push_back(Entry {
            kind,
            episode,
            notification,
            attempts: 0,
            due: None,
            last_error: None,
            in_flight: false,
        });
    }

    /// Drops the entries handed out before, not in flight, whose fact is over (`still_true`
    /// says no for their kind and episode), and returns them: a host back online no longer
    /// needs its `STOPPED`. An entry in flight is judged when its outcome comes back.
    pub fn drop_ended(&mut self, still_true: impl Fn(K, u64) -> bool) -> Vec<Entry<K>> {
        self.remove_where(|e| e.attempts > 0 && !still_true(e.kind, e.episode))
    }

    /// Removes the entries not in flight that `which` picks, and returns them (for the host
    /// monitor: the ones of an episode an operator dismissed). An entry in flight stays until its
    /// outcome comes back.
    pub fn remove_where(&mut self, which: impl Fn(&Entry<K>) -> bool) -> Vec<Entry<K>> {
        let (removed, kept) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|e| !e.in_flight && which(e));
        self.0 = kept;
        removed.into()
    }

    /// Hands out the oldest entry if it is not in flight and due by `now`.
    pub fn take_ready(&mut self, now: Timestamp) -> Option<&Entry<K>> {
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
    pub fn is_in_flight(&self, id: &NotificationId) -> bool {
        self.0
            .front()
            .is_some_and(|e| e.in_flight && &e.notification.id == id)
    }

    /// Schedules the retry of the entry in flight with this id after a transient failure.
    pub fn failed(
        &mut self,
        id: &NotificationId,
        reason: String,
        policy: &Retry,
        now: Timestamp,
    ) -> Option<Scheduled> {
        let entry = self
            .0
            .front_mut()
            .filter(|e| e.in_flight && &e.notification.id == id)?;
        let delay = policy.delay(entry.attempts);
        entry.in_flight = false;
        entry.due = Some(now.saturating_add(delay));
        entry.last_error = Some(reason);
        Some(Scheduled {
            retry: entry.attempts,
            delay,
            overdue: policy.overdue(entry.attempts),
        })
    }

    /// Removes the oldest entry (once its outcome is final).
    pub fn pop(&mut self) -> Option<Entry<K>> {
        self.0.pop_front()
    }

    /// When the oldest entry is due for a retry, if it waits for one.
    pub fn retry_due(&self) -> Option<Timestamp> {
        self.0.front().filter(|e| !e.in_flight).and_then(|e| e.due)
    }

    /// The entries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry<K>> {
        self.0.iter()
    }

    /// How many entries wait.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The queue as it is persisted: nothing in flight.
    pub fn for_record(&self) -> Self {
        let mut copy = self.clone();
        copy.0.iter_mut().for_each(|e| e.in_flight = false);
        copy
    }
}

#[cfg(test)]
mod tests;
