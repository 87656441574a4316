//! The engine: applies one event, then settles (reports, guard, outbox, persistence,
//! delivery) the same way after every event and timeout.

use std::collections::btree_map::Entry as MapEntry;
use std::collections::{BTreeMap, BTreeSet};

use super::action::{Action, Ignored, NotDismissed, Report};
use super::config::Config;
use super::event::{Command, Event, NodeKind, Snapshot};
use super::guard::{Counts, Guard};
use super::host::{Host, Phase, Stranger};
use super::process::{ServiceView, Target};
use super::record::{GuardRecord, HostRecord, Record, RecordError, RecordUpdate};
use super::status::{HostView, Status};
use masakari_client::{DeliveryOutcome, Kind, NotificationId, Outbox, Retry, Timestamp};

/// The host monitor's decision state machine. See the [module docs](super).
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    hosts: BTreeMap<String, Host>,
    guard: Guard,
    quorum: Quorum,
    /// The local node as the latest reconcile named it.
    local_node: Option<String>,
    /// Real-time membership facts about nodes no reconcile has shown yet: a sighting
    /// online must not be lost before the node is known.
    strangers: BTreeMap<String, Stranger>,
    /// The record as persisted so far.
    persisted: Record,
}

/// The local node's quorum, from corosync (real-time) and reconciles.
#[derive(Debug, Clone, Copy, Default)]
struct Quorum {
    quorate: Option<bool>,
    /// When the latest quorum fact applied was true.
    at: Option<Timestamp>,
    /// What was last reported.
    announced: Option<bool>,
}

impl Engine {
    /// An engine that knows nothing yet: no hosts, no quorum.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            hosts: BTreeMap::new(),
            guard: Guard::default(),
            quorum: Quorum::default(),
            local_node: None,
            strangers: BTreeMap::new(),
            persisted: Record::default(),
        }
    }

    /// An engine resuming from a persisted record. Notifications that were pending (or in
    /// flight) when it was written are sent again, with their original `generated_time`,
    /// once quorum is known; Masakari answers 409 to any it already stored.
    pub fn restore(config: Config, record: Record) -> Result<Self, RecordError> {
        record.check()?;
        let mut engine = Self::new(config);
        engine.hosts = record
            .hosts
            .iter()
            .map(|(name, part)| (name.clone(), part.host.resumed()))
            .collect();
        engine.guard = record.guard.guard;
        engine.persisted = record;
        Ok(engine)
    }

    /// Applies one event at `now` and returns what to do, in order.
    pub fn on_event(&mut self, now: Timestamp, event: Event) -> Vec<Action> {
        let mut out = Vec::new();
        match event {
            Event::NodeLost { node } => self.membership(&node, false, now, &mut out),
            Event::NodeMember { node } => self.membership(&node, true, now, &mut out),
            Event::Fencing {
                target,
                outcome,
                at,
            } => match self.active_mut(&target) {
                Some(host) => host.record_fence(outcome, at),
                None => ignore(&mut out, Ignored::UnwatchedNode(target)),
            },
            Event::PowerOff { node } => self.power_off(node, now, &mut out),
            Event::Snapshot(snapshot) => self.reconcile(snapshot, now, &mut out),
            Event::Services(views) => self.services(views, now, &mut out),
            Event::Quorum { quorate } => {
                self.quorum.quorate = Some(quorate);
                self.quorum.at = Some(now);
            }
            Event::Delivery { id, outcome } => self.delivered(id, outcome, now, &mut out),
            Event::Command(Command::ReleaseHold) => {
                let report = self.guard.release(self.counts(now));
                out.push(Action::Report(report));
            }
            Event::Command(Command::DismissProcess {
                host,
                process,
                episode,
            }) => {
                let report = match self.active_mut(&host) {
                    Some(watched) => watched.processes.dismiss(&host, &process, episode),
                    None => Report::NotDismissed {
                        host,
                        why: NotDismissed::NotWatched,
                    },
                };
                out.push(Action::Report(report));
            }
            Event::Command(Command::Dismiss { host, episode }) => {
                let report = match self.active_mut(&host) {
                    Some(watched) => watched.dismiss(&host, episode),
                    None => Report::NotDismissed {
                        host,
                        why: NotDismissed::NotWatched,
                    },
                };
                out.push(Action::Report(report));
            }
        }
        self.settle(now, &mut out);
        out
    }

    /// When [`Engine::on_timeout`] should next be called, if at all.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let active = || {
            self.hosts
                .iter()
                .filter(|(name, host)| self.active(name, host))
                .map(|(_, host)| host)
        };
        let fences = active().filter_map(Host::fence_deadline);
        let retries = active()
            .filter(|_| self.sending())
            .flat_map(|h| [h.outbox.retry_due(), h.processes.retry_due()])
            .flatten();
        fences.chain(retries).min()
    }

    /// Handles whatever is due at `now` (fence deadlines, delivery retries). Calling it
    /// early or more than once is harmless.
    pub fn on_timeout(&mut self, now: Timestamp) -> Vec<Action> {
        let mut out = Vec::new();
        let local = self.local_node.as_deref();
        for (name, host) in &mut self.hosts {
            if active(&self.config, local, name, host) {
                host.timeout(name, now, &self.config, &mut out);
            }
        }
        self.settle(now, &mut out);
        out
    }

    /// The whole durable record of the current state.
    pub fn record(&self) -> Record {
        let hosts = self
            .hosts
            .iter()
            .map(|(name, host)| (name.clone(), HostRecord::new(host.for_record())))
            .collect();
        Record {
            hosts,
            guard: GuardRecord::new(self.guard),
        }
    }

    /// What the engine sees, for `status`.
    pub fn status(&self) -> Status {
        Status {
            quorate: self.quorum.quorate,
            mass_failure_hold: self.guard.holding(),
            hosts: self
                .hosts
                .iter()
                .map(|(name, host)| HostView::new(name, host, &self.config.retry))
                .collect(),
        }
    }

    fn membership(&mut self, node: &str, online: bool, now: Timestamp, out: &mut Vec<Action>) {
        let (config, local) = (&self.config, self.local_node.as_deref());
        match self.hosts.get_mut(node) {
            Some(host) if active(config, local, node, host) => {
                host.realtime(node, online, now, config, out);
            }
            None if local != Some(node) && self.strangers.len() < MAX_STRANGERS => {
                let stranger = self.strangers.entry(node.to_owned()).or_default();
                let slot = if online {
                    &mut stranger.online_at
                } else {
                    &mut stranger.lost_at
                };
                *slot = Some(now);
                ignore(out, Ignored::UnwatchedNode(node.to_owned()));
            }
            _ => ignore(out, Ignored::UnwatchedNode(node.to_owned())),
        }
    }

    fn power_off(&mut self, node: String, now: Timestamp, out: &mut Vec<Action>) {
        if !self.config.power_off_confirms {
            return ignore(out, Ignored::PowerOffNotTrusted(node));
        }
        match self.active_mut(&node) {
            Some(host) => host.record_power_off(now),
            None => ignore(out, Ignored::UnwatchedNode(node)),
        }
    }

    fn reconcile(&mut self, snapshot: Snapshot, now: Timestamp, out: &mut Vec<Action>) {
        let Snapshot {
            taken_at,
            local_node,
            quorate,
            nodes,
        } = snapshot;
        if self.quorum.at.is_none_or(|at| taken_at > at) {
            self.quorum.quorate = Some(quorate);
            self.quorum.at = Some(taken_at);
        }
        self.local_node = Some(local_node);
        let mut listed = BTreeSet::new();
        for view in nodes {
            if !self.watches(&view.name, view.kind) {
                continue;
            }
            match self.hosts.entry(view.name.clone()) {
                MapEntry::Vacant(slot) => {
                    let earlier = self.strangers.remove(&view.name);
                    let config = &self.config;
                    let host =
                        Host::first_seen(&view.name, &view, taken_at, now, earlier, config, out);
                    slot.insert(host);
                }
                MapEntry::Occupied(mut slot) => {
                    slot.get_mut()
                        .apply_view(&view.name, &view, taken_at, now, &self.config, out);
                }
            }
            listed.insert(view.name);
        }
        self.mark_unlisted(&listed, out);
        self.strangers
            .retain(|_, s| s.online_at.max(s.lost_at) >= Some(taken_at));
    }

    /// A reconcile's watched services, judged only with quorum (see `process`).
    fn services(&mut self, views: Vec<ServiceView>, now: Timestamp, out: &mut Vec<Action>) {
        if self.quorum.quorate != Some(true) {
            return;
        }
        let (config, local) = (&self.config, self.local_node.as_deref());
        for view in views {
            let Some(host) = self
                .hosts
                .get_mut(&view.host)
                .filter(|h| active(config, local, &view.host, h))
            else {
                continue;
            };
            let to = Target {
                host: &view.host,
                hostname: config.masakari_name(&view.host),
            };
            let online = host.phase == Phase::Online;
            host.processes
                .observe(&to, online, &view.process_name, view.state, now, out);
        }
    }

    fn watches(&self, name: &str, kind: NodeKind) -> bool {
        self.local_node.as_deref() != Some(name) && self.config.watches(name, kind)
    }

    /// A stored host the engine acts for, by name.
    fn active_mut(&mut self, name: &str) -> Option<&mut Host> {
        let local = self.local_node.as_deref();
        self.hosts
            .get_mut(name)
            .filter(|host| active(&self.config, local, name, host))
    }

    fn active(&self, name: &str, host: &Host) -> bool {
        active(&self.config, self.local_node.as_deref(), name, host)
    }

    /// Hosts missing from a reconcile were removed from the cluster. They are kept (with
    /// their episode numbers, so ids never repeat) but no longer count as watched.
    fn mark_unlisted(&mut self, listed: &BTreeSet<String>, out: &mut Vec<Action>) {
        for (name, host) in &mut self.hosts {
            if host.present && !listed.contains(name) {
                host.present = false;
                out.push(Action::Report(Report::NodeRemoved { host: name.clone() }));
            }
        }
    }

    fn delivered(
        &mut self,
        id: NotificationId,
        outcome: DeliveryOutcome,
        now: Timestamp,
        out: &mut Vec<Action>,
    ) {
        let retry = &self.config.retry;
        for host in self.hosts.values_mut() {
            if host.outbox.is_in_flight(&id) {
                if let Some(dropped) = outcome_is_transient(&outcome)
                    .and_then(|reason| host.drop_dismissed(&id, reason))
                {
                    return out.push(Action::Report(dropped));
                }
                return resolve(&mut host.outbox, id, outcome, retry, now, out);
            }
            if let Some(dropped) = outcome_is_transient(&outcome)
                .and_then(|reason| host.processes.drop_dismissed(&id, reason))
            {
                return out.push(Action::Report(dropped));
            }
            if let Some(outbox) = host.processes.outbox_in_flight(&id) {
                return resolve(outbox, id, outcome, retry, now, out);
            }
        }
        ignore(out, Ignored::StaleDelivery(id));
    }

    /// After every event: per-host reports and outboxes, guard, quorum, then the record
    /// (if it changed) ahead of the notifications now ready.
    fn settle(&mut self, now: Timestamp, out: &mut Vec<Action>) {
        let local = self.local_node.as_deref();
        for (name, host) in &mut self.hosts {
            if active(&self.config, local, name, host) {
                host.review(name, now, &self.config, out);
            } else {
                host.silence();
            }
        }
        if let Some(report) = self
            .guard
            .evaluate(&self.config.mass_failure, self.counts(now))
        {
            out.push(Action::Report(report));
        }
        self.announce_quorum(out);
        let mut notifications = Vec::new();
        if self.sending() {
            for host in self.hosts.values_mut() {
                notifications.extend(host.take_ready(now).map(Action::Notify));
                let processes = host.processes.take_ready(now);
                notifications.extend(processes.into_iter().map(Action::NotifyProcess));
            }
        }
        if let Some(update) = self.changes() {
            self.persisted.apply(&update);
            out.push(Action::Persist(update));
        }
        out.append(&mut notifications);
    }

    /// The parts of the record that differ from what was persisted.
    fn changes(&self) -> Option<RecordUpdate> {
        let hosts: Vec<_> = self
            .hosts
            .iter()
            .map(|(name, host)| (name, HostRecord::new(host.for_record())))
            .filter(|(name, part)| self.persisted.hosts.get(*name) != Some(part))
            .map(|(name, part)| (name.clone(), part))
            .collect();
        let guard = Some(GuardRecord::new(self.guard)).filter(|g| *g != self.persisted.guard);
        (!hosts.is_empty() || guard.is_some()).then_some(RecordUpdate { hosts, guard })
    }

    fn announce_quorum(&mut self, out: &mut Vec<Action>) {
        let quorate = self.quorum.quorate.unwrap_or(false);
        if self.quorum.announced == Some(quorate) {
            return;
        }
        self.quorum.announced = Some(quorate);
        let pending = self
            .hosts
            .values()
            .map(|h| h.outbox.len() + h.processes.pending())
            .sum();
        let report = if quorate {
            Report::QuorumRegained { pending }
        } else {
            Report::QuorumLost { pending }
        };
        out.push(Action::Report(report));
    }

    /// Whether notifications may go out: the local node has quorum and nothing is held.
    fn sending(&self) -> bool {
        self.quorum.quorate == Some(true) && !self.guard.holding()
    }

    fn counts(&self, now: Timestamp) -> Counts {
        let window_start = now.saturating_sub(self.config.mass_failure.window);
        // A host fails when it is lost, or when Pacemaker gave up on one of its services.
        let failed_since = |h: &Host| {
            let process = h.processes.failed_since();
            h.failed_since(&self.config)
                .map_or(process, |t| Some(process.map_or(t, |p| p.min(t))))
        };
        let present = || {
            self.hosts
                .iter()
                .filter(|(name, host)| host.present && self.active(name, host))
                .map(|(_, host)| host)
        };
        Counts {
            watched: present().count(),
            lost: present().filter(|h| failed_since(h).is_some()).count(),
            recent: present()
                .filter(|h| failed_since(h).is_some_and(|t| t >= window_start))
                .count(),
        }
    }
}

/// At most this many unknown nodes' facts are remembered until a reconcile.
const MAX_STRANGERS: usize = 4096;

/// Whether the engine acts for a stored host: not the local node, and of a watched kind
/// (the configuration may have changed since the record was written). Others are kept
/// silent.
fn active(config: &Config, local: Option<&str>, name: &str, host: &Host) -> bool {
    local != Some(name) && config.watches(name, host.kind)
}

/// The reason of a transient delivery failure.
fn outcome_is_transient(outcome: &DeliveryOutcome) -> Option<&str> {
    match outcome {
        DeliveryOutcome::Transient { reason } => Some(reason),
        _ => None,
    }
}

/// Applies a delivery outcome to the outbox whose entry in flight it is about.
fn resolve<K: Kind>(
    outbox: &mut Outbox<K>,
    id: NotificationId,
    outcome: DeliveryOutcome,
    retry: &Retry,
    now: Timestamp,
    out: &mut Vec<Action>,
) {
    let report = match outcome {
        DeliveryOutcome::Accepted => Report::Delivered { id },
        DeliveryOutcome::Duplicate { message } => Report::AlreadyRecorded { id, message },
        DeliveryOutcome::Rejected { status, message } => Report::Rejected {
            id,
            status,
            message,
        },
        DeliveryOutcome::Transient { reason } => {
            if let Some(s) = outbox.failed(&id, reason.clone(), retry, now) {
                out.push(Action::Report(Report::RetryScheduled {
                    id,
                    retry: s.retry,
                    delay: s.delay,
                    overdue: s.overdue,
                    reason,
                }));
            }
            return;
        }
    };
    outbox.pop();
    out.push(Action::Report(report));
}

fn ignore(out: &mut Vec<Action>, why: Ignored) {
    out.push(Action::Report(Report::Ignored(why)));
}
