//! The decision state machine: connection news in, VM notifications out, time injected.
//!
//! ```text
//!  Connected(domains) ─┐                                  ┌─> Notify(VmNotification)
//!  Event(domain event) ┼─> Engine::on_event(now, ..) ─────┤
//!  Disconnected ───────┘   Engine::on_timeout(now)  ──────┴─> Connect
//! ```
//!
//! It remembers every domain's last known state. Events pass through masakari-monitors'
//! [filter](crate::filter). On every (re)connect it reconciles: a domain that was active
//! before the link went down and is now shut off with reason *crashed* is reported once as
//! `LIFECYCLE`/`STOPPED_FAILED` (masakari-monitors loses these). The `STOPPED` event that
//! libvirt may still deliver for that same stop is then not reported again. Reconnects back
//! off from `backoff_initial`, doubling to `backoff_max`.
//!
//! # A domain gone after a reconnect is not reported
//!
//! A domain that was active before the link went down and is no longer defined at the
//! reconnect is [`Action::Gone`] (logged), not a `STOPPED_FAILED`. Nova defines its guests
//! persistently, so a guest that crashes stays defined, shut off with reason *crashed*, and is
//! reported above; a Nova guest that is gone was deleted, or live-migrated (or evacuated) away,
//! and the source host undefines it. masakari-engine acts on `LIFECYCLE`/`STOPPED_FAILED`
//! with its instance-failure flow: it stops the instance through Nova and starts it again
//! (`StopInstanceTask`, `StartInstanceTask`, `ConfirmInstanceActiveTask` in masakari 22.0.0's
//! `engine/drivers/taskflow/instance_failure.py`; the stop is skipped only for an instance
//! already `stopped`), wherever the instance now runs; for one Nova no longer has, `get_server`
//! fails the flow. For a migrated guest that is an outage of a healthy instance on its new
//! host; for a deleted one a notification in error. Neither helps, so ours
//! stays quiet, as masakari-monitors (which sees nothing while disconnected) does. A transient
//! domain that crashes while we are connected is still reported from libvirt's own event.

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::connection::DomainStatus;
use crate::filter::{VmPayload, filter};
use crate::rpc::domain::Uuid;
use crate::rpc::events::{DomainEvent, EventKind};

// virDomainEventType values that change what we remember.
const DEFINED: i32 = 0;
const UNDEFINED: i32 = 1;
const STARTED: i32 = 2;
const SUSPENDED: i32 = 3;
const RESUMED: i32 = 4;
const STOPPED: i32 = 5;

/// Reconnect timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// Wait after the first failure.
    pub backoff_initial: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// What the engine is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The connection is set up; every domain and its state.
    Connected(Vec<DomainStatus>),
    /// A domain event.
    Event(DomainEvent),
    /// The connection ended, or could not be made.
    Disconnected,
}

/// Why a notification is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// libvirt sent the event.
    Event,
    /// Found at a reconnect: the stop happened while we were not connected.
    Reconcile,
}

/// A `VM` notification to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmNotification {
    /// The domain's name, for logs.
    pub domain_name: String,
    /// The payload masakari-monitors would send.
    pub payload: VmPayload,
    /// Why.
    pub cause: Cause,
}

/// What the caller does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a new connection, then report `Connected` or `Disconnected`.
    Connect,
    /// Send this notification.
    Notify(VmNotification),
    /// A domain active before the link went down is gone at the reconnect: not reported (see
    /// the module docs), only logged.
    Gone {
        /// Its UUID.
        uuid: Uuid,
        /// Its name.
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    name: String,
    persistent: bool,
    active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    AwaitConnectTime(Instant),
    AwaitConnected,
    Up,
}

/// The decision state machine.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    link: Link,
    backoff: Duration,
    known: BTreeMap<Uuid, Known>,
    reported_stop: BTreeSet<Uuid>,
}

impl Engine {
    /// An engine that wants to connect at `now`.
    pub fn new(config: EngineConfig, now: Instant) -> Self {
        Self {
            config,
            link: Link::AwaitConnectTime(now),
            backoff: config.backoff_initial,
            known: BTreeMap::new(),
            reported_stop: BTreeSet::new(),
        }
    }

    /// The domains known (defined or running), and of those the active ones.
    pub fn domains(&self) -> (usize, usize) {
        let active = self.known.values().filter(|k| k.active).count();
        (self.known.len(), active)
    }

    /// When [`Engine::on_timeout`] wants to run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.link {
            Link::AwaitConnectTime(at) => Some(at),
            Link::AwaitConnected | Link::Up => None,
        }
    }

    /// Runs the reconnect timer.
    pub fn on_timeout(&mut self, now: Instant) -> Vec<Action> {
        match self.link {
            Link::AwaitConnectTime(at) if now >= at => {
                self.link = Link::AwaitConnected;
                vec![Action::Connect]
            }
            _ => Vec::new(),
        }
    }

    /// Handles one input.
    pub fn on_event(&mut self, now: Instant, input: Input) -> Vec<Action> {
        match input {
            Input::Connected(domains) => self.reconcile(domains),
            Input::Event(event) => self.on_domain_event(event),
            Input::Disconnected => {
                self.on_disconnected(now);
                Vec::new()
            }
        }
    }

    fn on_disconnected(&mut self, now: Instant) {
        if matches!(self.link, Link::AwaitConnectTime(_)) {
            return;
        }
        self.link = Link::AwaitConnectTime(now + self.backoff);
        self.backoff = (self.backoff * 2).min(self.config.backoff_max);
    }

    fn reconcile(&mut self, domains: Vec<DomainStatus>) -> Vec<Action> {
        self.link = Link::Up;
        self.backoff = self.config.backoff_initial;
        let now_known: BTreeMap<Uuid, DomainStatus> =
            domains.into_iter().map(|d| (d.domain.uuid, d)).collect();
        let mut actions = Vec::new();
        for (uuid, before) in self.known.iter().filter(|(_, k)| k.active) {
            match now_known.get(uuid) {
                None => actions.push(Action::Gone {
                    uuid: *uuid,
                    name: before.name.clone(),
                }),
                Some(now) if now.crashed() && self.reported_stop.insert(*uuid) => {
                    actions.push(Action::Notify(stopped_failed(*uuid, &before.name)));
                }
                Some(_) => {}
            }
        }
        self.reported_stop
            .retain(|uuid| !now_known.get(uuid).is_some_and(DomainStatus::is_active));
        self.known = now_known
            .into_iter()
            .map(|(uuid, d)| {
                let active = d.is_active();
                (
                    uuid,
                    Known {
                        name: d.domain.name,
                        persistent: d.persistent,
                        active,
                    },
                )
            })
            .collect();
        actions
    }

    fn on_domain_event(&mut self, event: DomainEvent) -> Vec<Action> {
        let uuid = event.domain.uuid;
        let repeat = matches!(event.kind, EventKind::Lifecycle { event: STOPPED, .. })
            && self.reported_stop.remove(&uuid);
        if let EventKind::Lifecycle { event: what, .. } = event.kind {
            self.remember(uuid, &event.domain.name, what);
        }
        if repeat {
            return Vec::new();
        }
        filter(uuid, &event.kind)
            .map(|payload| {
                let domain_name = event.domain.name;
                Action::Notify(VmNotification {
                    domain_name,
                    payload,
                    cause: Cause::Event,
                })
            })
            .into_iter()
            .collect()
    }

    fn remember(&mut self, uuid: Uuid, name: &str, event: i32) {
        let entry = self.known.entry(uuid).or_insert_with(|| Known {
            name: name.to_owned(),
            persistent: false,
            active: false,
        });
        match event {
            DEFINED => entry.persistent = true,
            UNDEFINED => entry.persistent = false,
            STARTED | SUSPENDED | RESUMED => entry.active = true,
            STOPPED => entry.active = false,
            _ => {}
        }
        if event == STARTED {
            self.reported_stop.remove(&uuid);
        }
        if !entry.persistent && !entry.active {
            self.known.remove(&uuid);
        }
    }
}

fn stopped_failed(uuid: Uuid, name: &str) -> VmNotification {
    VmNotification {
        domain_name: name.to_owned(),
        payload: VmPayload {
            event: "LIFECYCLE",
            instance_uuid: uuid.to_string(),
            vir_domain_event: "STOPPED_FAILED",
        },
        cause: Cause::Reconcile,
    }
}
