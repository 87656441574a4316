//! One watched host: what is known about it, its failure episode, and its outbox.
//!
//! A lost host is confirmed off by a successful fence (or, where trusted, a power-off
//! check) that happened after the host was last seen online. That comparison, not the
//! order in which alerts arrive, decides: a fence older than the last sighting belongs to
//! an earlier failure, and one reported twice (alert and fence history) is one fact.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Notification;
use super::action::{Action, Confirmation, Report};
use super::config::{Config, FailurePolicy};
use super::event::{FenceOutcome, NodeKind, NodeView};
use super::process::Processes;
use masakari_client::{HostKind as Kind, Outbox, Timestamp};

/// Where a host is in its life as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub(crate) enum Phase {
    /// Offline when first seen; waiting to see it online before anything is reported.
    Unobserved,
    /// Online; waiting for a loss.
    Online,
    /// Lost; waiting for fencing to confirm it is off, or for it to come back.
    Lost(Lost),
}

/// A failure episode in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Lost {
    /// When the engine learned of the loss.
    pub(crate) since: Timestamp,
    /// When fencing is overdue.
    pub(crate) deadline: Timestamp,
    /// Whether the deadline has passed.
    pub(crate) timed_out: bool,
    /// Whether Pacemaker, at the last reconcile, meant to fence it (unclean or a fence
    /// pending); unknown until a reconcile after the loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fence_expected: Option<bool>,
    /// Whether the engine has reported the host confirmed off.
    pub(crate) confirmed: bool,
    /// Whether the engine has reported a failed fence in this episode.
    pub(crate) failure_reported: bool,
}

/// Everything the engine keeps about one watched host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Host {
    pub(crate) kind: NodeKind,
    /// Whether the last reconcile listed it.
    pub(crate) present: bool,
    pub(crate) phase: Phase,
    /// The failure episode in progress or last ended; 0 before the first.
    pub(crate) episode: u64,
    /// The notifications of `episode` handed out for delivery.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(crate) sent: BTreeSet<Kind>,
    /// When it was last seen online, as persisted: written on every transition and whenever the
    /// host is seen online after a known fence or power-off, so that each of those compares with
    /// it as with the exact time; not refreshed while nothing a decision reads changes.
    #[serde(
        rename = "last_online",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) recorded_online: Option<Timestamp>,
    /// Latest successful fence, by Pacemaker's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fence_ok: Option<Timestamp>,
    /// Latest failed fence, by Pacemaker's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fence_failed: Option<Timestamp>,
    /// Latest power-off confirmation from the daemon's IPMI check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) power_off: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Outbox::is_empty")]
    pub(crate) outbox: Outbox<Kind>,
    /// The episode an operator dismissed, if it is still the current one: nothing more is sent
    /// for it (see `dismissal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dismissed: Option<u64>,
    /// Its watched compute services' episodes and outboxes (see `process`).
    #[serde(default, skip_serializing_if = "Processes::is_empty")]
    pub(crate) processes: Processes,
    /// When it was last seen online (exact).
    #[serde(skip)]
    pub(crate) last_online: Option<Timestamp>,
    /// When the latest membership fact applied was true: when a real-time one arrived,
    /// or when the reconcile that gave it was taken. Older reconciles are stale.
    #[serde(skip)]
    pub(crate) membership_at: Option<Timestamp>,
}

impl Host {
    /// A host first seen in a reconcile taken at `taken_at`, after the real-time facts
    /// that arrived while it was unknown.
    pub(crate) fn first_seen(
        name: &str,
        view: &NodeView,
        taken_at: Timestamp,
        now: Timestamp,
        earlier: Option<Stranger>,
        config: &Config,
        out: &mut Vec<Action>,
    ) -> Self {
        let mut host = Self {
            kind: view.kind,
            present: true,
            phase: Phase::Unobserved,
            episode: 0,
            sent: BTreeSet::new(),
            recorded_online: None,
            fence_ok: None,
            fence_failed: None,
            power_off: None,
            outbox: Outbox::default(),
            dismissed: None,
            processes: Processes::default(),
            last_online: None,
            membership_at: None,
        };
        let earlier = earlier.unwrap_or_default();
        if let Some(at) = earlier.online_at {
            host.realtime(name, true, at, config, out);
        }
        if let Some(at) = earlier.lost_at.filter(|at| Some(*at) > earlier.online_at) {
            host.realtime(name, false, at, config, out);
        }
        host.apply_view(name, view, taken_at, now, config, out);
        if host.phase == Phase::Unobserved {
            let host = name.to_owned();
            out.push(Action::Report(Report::FirstSeenOffline { host }));
        }
        host
    }

    /// The host as it was persisted, picked up after a restart.
    pub(crate) fn resumed(&self) -> Self {
        Self {
            last_online: self.recorded_online,
            ..self.clone()
        }
    }

    /// The host as it is persisted.
    pub(crate) fn for_record(&self) -> Self {
        Self {
            outbox: self.outbox.for_record(),
            processes: self.processes.for_record(),
            last_online: None,
            membership_at: None,
            ..self.clone()
        }
    }

    /// Applies a reconcile's view of the host, taken at `taken_at`. Its membership is
    /// used only if no newer membership fact was applied; its fence history always is,
    /// and a sighting online always counts as one.
    pub(crate) fn apply_view(
        &mut self,
        name: &str,
        view: &NodeView,
        taken_at: Timestamp,
        now: Timestamp,
        config: &Config,
        out: &mut Vec<Action>,
    ) {
        self.present = true;
        self.kind = view.kind;
        self.merge_fence_history(view);
        let fresh = self.membership_at.is_none_or(|at| taken_at > at);
        if fresh {
            self.membership_at = Some(taken_at);
        }
        if view.online {
            self.observe_online(name, taken_at, fresh, config, out);
        } else if fresh {
            self.observe_lost(name, now, config, out);
        }
        if let (true, Phase::Lost(lost)) = (fresh, &mut self.phase) {
            lost.fence_expected = Some(view.unclean || view.fencing.pending);
        }
    }

    /// A real-time membership fact arrived at `now`.
    pub(crate) fn realtime(
        &mut self,
        name: &str,
        online: bool,
        now: Timestamp,
        config: &Config,
        out: &mut Vec<Action>,
    ) {
        self.membership_at = Some(now);
        if online {
            self.observe_online(name, now, true, config, out);
        } else {
            self.observe_lost(name, now, config, out);
        }
    }

    /// Pacemaker reported a fence of the host finishing at `at`.
    pub(crate) fn record_fence(&mut self, outcome: FenceOutcome, at: Timestamp) {
        let slot = match outcome {
            FenceOutcome::Succeeded => &mut self.fence_ok,
            FenceOutcome::Failed => &mut self.fence_failed,
        };
        *slot = (*slot).max(Some(at));
        self.keep_order();
    }

    /// The daemon's IPMI check found the chassis off at `now`.
    pub(crate) fn record_power_off(&mut self, now: Timestamp) {
        self.power_off = self.power_off.max(Some(now));
        self.keep_order();
    }

    fn merge_fence_history(&mut self, view: &NodeView) {
        if let Some(at) = view.fencing.last_success {
            self.record_fence(FenceOutcome::Succeeded, at);
        }
        if let Some(at) = view.fencing.last_failure {
            self.record_fence(FenceOutcome::Failed, at);
        }
    }

    /// Seen online at `at`; `transition` says whether that may change the phase.
    fn observe_online(
        &mut self,
        name: &str,
        at: Timestamp,
        transition: bool,
        config: &Config,
        out: &mut Vec<Action>,
    ) {
        self.last_online = self.last_online.max(Some(at));
        let mut changed = false;
        if transition && self.phase != Phase::Online {
            if matches!(self.phase, Phase::Lost(_)) {
                let stop_sent = self.sent.contains(&Kind::StoppedNormal)
                    || self.sent.contains(&Kind::StoppedUnknown);
                out.push(Action::Report(Report::HostBack {
                    host: name.to_owned(),
                    stop_sent,
                }));
            }
            self.phase = Phase::Online;
            changed = true;
        }
        if changed || self.phase != Phase::Online || config.persist_every_sighting {
            self.recorded_online = self.last_online;
        }
        self.keep_order();
    }

    /// Persists the last sighting when the record would otherwise order it wrongly against a known
    /// fence or power-off ([`Host::after_online`] is the only decision that reads it): the one
    /// write a host that stays online needs after a fence that did not keep it down.
    fn keep_order(&mut self) {
        let misordered = [self.fence_ok, self.fence_failed, self.power_off]
            .into_iter()
            .flatten()
            .any(|at| self.recorded_online < Some(at) && Some(at) <= self.last_online);
        if misordered {
            self.recorded_online = self.last_online;
        }
    }

    /// Lost at `now`: a new episode begins if the host was online.
    fn observe_lost(&mut self, name: &str, now: Timestamp, config: &Config, out: &mut Vec<Action>) {
        if self.phase != Phase::Online {
            return;
        }
        self.episode = self.episode.saturating_add(1);
        self.sent.clear();
        self.dismissed = None;
        self.recorded_online = self.last_online;
        self.phase = Phase::Lost(Lost {
            since: now,
            deadline: now.saturating_add(config.fence_timeout),
            timed_out: false,
            fence_expected: None,
            confirmed: false,
            failure_reported: false,
        });
        out.push(Action::Report(Report::HostLost {
            host: name.to_owned(),
            episode: self.episode,
        }));
        if config.power_off_confirms {
            out.push(Action::CheckPower {
                node: name.to_owned(),
            });
        }
    }

    /// Whether `at` is after the host was last seen online.
    fn after_online(&self, at: Option<Timestamp>) -> bool {
        matches!((at, self.last_online), (Some(at), Some(online)) if at > online)
    }

    /// What confirms the host is off since it was last seen online, if anything.
    pub(crate) fn confirmation(&self, config: &Config) -> Option<Confirmation> {
        if self.after_online(self.fence_ok) {
            return self.fence_ok.map(Confirmation::Fence);
        }
        if config.power_off_confirms && self.after_online(self.power_off) {
            return self.power_off.map(Confirmation::PowerOff);
        }
        None
    }

    /// Reports what changed about the episode and brings the outbox in line with it.
    pub(crate) fn review(
        &mut self,
        name: &str,
        now: Timestamp,
        config: &Config,
        out: &mut Vec<Action>,
    ) {
        let confirmation = self.confirmation(config);
        let failed = self.after_online(self.fence_failed);
        if let Phase::Lost(lost) = &mut self.phase {
            let host = || name.to_owned();
            match confirmation {
                Some(by) if !lost.confirmed => {
                    lost.confirmed = true;
                    out.push(Action::Report(Report::FenceConfirmed { host: host(), by }));
                }
                None if lost.confirmed => {
                    lost.confirmed = false;
                    out.push(Action::Report(Report::ConfirmationWithdrawn {
                        host: host(),
                    }));
                }
                None if failed && !lost.failure_reported => {
                    lost.failure_reported = true;
                    let at = self.fence_failed.unwrap_or(now);
                    out.push(Action::Report(Report::FenceFailed { host: host(), at }));
                    if config.power_off_confirms {
                        out.push(Action::CheckPower {
                            node: name.to_owned(),
                        });
                    }
                }
                _ => {}
            }
        }
        self.drop_ended(out);
        if self.phase != Phase::Online {
            self.processes.host_down(name, out);
        }
        let wanted = self.wanted(config);
        let hostname = config.masakari_name(name);
        self.outbox.sync(name, hostname, self.episode, wanted, now);
    }

    /// Drops the notifications waiting for a retry whose episode is over: a `STOPPED` once the
    /// host is back (or lost anew), a `STARTED` once the host is lost again.
    fn drop_ended(&mut self, out: &mut Vec<Action>) {
        let episode = self.episode;
        let (lost, online) = (
            matches!(self.phase, Phase::Lost(_)),
            matches!(self.phase, Phase::Online),
        );
        let dismissed = self.dismissed;
        let still_true = |kind: Kind, of: u64| {
            of == episode && dismissed != Some(of) && if kind.is_stop() { lost } else { online }
        };
        for entry in self.outbox.drop_ended(still_true) {
            out.push(Action::Report(Report::Dropped {
                id: entry.notification.id,
                attempts: entry.attempts,
                reason: entry.last_error.unwrap_or_default(),
                dismissed: dismissed == Some(entry.episode),
            }));
        }
    }

    /// Handles the fence deadline, if it has passed.
    pub(crate) fn timeout(
        &mut self,
        name: &str,
        now: Timestamp,
        config: &Config,
        out: &mut Vec<Action>,
    ) {
        let confirmed = self.confirmation(config).is_some();
        let Phase::Lost(lost) = &mut self.phase else {
            return;
        };
        if lost.timed_out || lost.deadline > now {
            return;
        }
        lost.timed_out = true;
        if confirmed {
            return;
        }
        let host = name.to_owned();
        if lost.fence_expected == Some(false) {
            out.push(Action::Report(Report::LostCleanly { host }));
            return;
        }
        let waited = now.saturating_duration_since(lost.since);
        out.push(Action::Report(Report::FenceTimedOut { host, waited }));
        if config.power_off_confirms {
            out.push(Action::CheckPower {
                node: name.to_owned(),
            });
        }
    }

    /// The notification the host's state calls for now, if any.
    fn wanted(&self, config: &Config) -> Option<Kind> {
        let sent = |kind| self.sent.contains(&kind);
        if self.is_dismissed(self.episode) {
            return None;
        }
        match &self.phase {
            Phase::Unobserved => None,
            Phase::Online => ((sent(Kind::StoppedNormal) || sent(Kind::StoppedUnknown))
                && !sent(Kind::Started))
            .then_some(Kind::Started),
            Phase::Lost(_) if sent(Kind::StoppedNormal) => None,
            Phase::Lost(_) if self.confirmation(config).is_some() => Some(Kind::StoppedNormal),
            Phase::Lost(lost) => {
                let failed = self.after_online(self.fence_failed)
                    || (lost.timed_out && lost.fence_expected != Some(false));
                (failed
                    && config.on_fence_failure == FailurePolicy::SendUnknown
                    && !sent(Kind::StoppedUnknown))
                .then_some(Kind::StoppedUnknown)
            }
        }
    }

    /// Hands out the next notification if one is ready.
    pub(crate) fn take_ready(&mut self, now: Timestamp) -> Option<Notification> {
        let entry = self.outbox.take_ready(now)?;
        let (kind, episode, notification) = (entry.kind, entry.episode, entry.notification.clone());
        if episode == self.episode {
            self.sent.insert(kind);
        }
        Some(notification)
    }

    /// When fencing is overdue, if the engine still waits for it.
    pub(crate) fn fence_deadline(&self) -> Option<Timestamp> {
        match &self.phase {
            Phase::Lost(lost) if !lost.timed_out && !lost.confirmed => Some(lost.deadline),
            _ => None,
        }
    }

    /// When the host failed, if it is lost as a failure: Pacemaker means to fence it (or has
    /// not said yet), has fenced it, or failed to. A host Pacemaker sees offline but clean and
    /// never fenced (its connection moving with a dead controller, a clean stop) is no failure:
    /// it is never reported and does not count toward the mass-failure guard.
    pub(crate) fn failed_since(&self, config: &Config) -> Option<Timestamp> {
        let Phase::Lost(lost) = &self.phase else {
            return None;
        };
        let fenced = self.confirmation(config).is_some() || self.after_online(self.fence_failed);
        (lost.fence_expected != Some(false) || fenced).then_some(lost.since)
    }

    /// Drops every notification: the host is the local node or no longer watched.
    pub(crate) fn silence(&mut self) {
        self.outbox = Outbox::default();
        self.processes.silence();
    }
}

/// The latest real-time sighting online and loss of a node not known yet.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stranger {
    pub(crate) online_at: Option<Timestamp>,
    pub(crate) lost_at: Option<Timestamp>,
}
