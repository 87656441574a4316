//! Prometheus metrics, fed by the engine's [`Report`]s, the delivery task and the health counters,
//! and served as text on `GET /metrics` ([`server`]).
//!
//! The engine stays pure: it only reports; latencies are measured here from the reports' arrival
//! (loss detected, fence confirmed) to the API's `202` for the episode's `STOPPED` notification.
//! Gauges (pending notifications, hold, quorum) are read from the engine's status at each scrape.
//! Per-host state is kept only while a host is lost, so memory stays bounded by the watched hosts.

pub mod server;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use masakari_metrics::{Histogram, text};

use crate::control::{CorosyncLink, HealthView, StatusAnswer};
use crate::engine::{Confirmation, DeliveryOutcome, HostState, Report, Timestamp};

/// Every metric's name starts so.
const PREFIX: &str = "masakari_hostmonitor";

/// The daemon's metrics.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<State>);

#[derive(Debug, Default)]
struct State {
    /// Per lost host: its episode, when the loss was reported, when its fence completed.
    lost: HashMap<String, Episode>,
    detection_latency: Histogram,
    fence_latency: Histogram,
    requests: Requests,
    outcomes: Outcomes,
    hosts_lost: u64,
    /// Process episodes begun (Pacemaker gave up on a watched service of an online host).
    processes_gave_up: u64,
    fence_failures: u64,
    holds: u64,
    reconciles: u64,
    reconcile_failures: u64,
    reconciles_unchanged: u64,
}

#[derive(Debug, Clone, Copy)]
struct Episode {
    number: u64,
    detected: Timestamp,
    fenced: Option<Timestamp>,
    notified: bool,
}

/// POSTs to the API by result.
#[derive(Debug, Default)]
struct Requests {
    accepted: u64,
    duplicate: u64,
    rejected: u64,
    failed: u64,
}

/// Notifications by final outcome.
#[derive(Debug, Default)]
struct Outcomes {
    delivered: u64,
    already_recorded: u64,
    rejected: u64,
    dropped: u64,
    dismissed: u64,
}

/// What the engine's status says at scrape time.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Notifications waiting for delivery.
    pub pending: usize,
    /// Of those, the ones past the retry alert threshold (still retried).
    pub overdue: usize,
    /// Watched hosts.
    pub watched: usize,
    /// Hosts lost now.
    pub lost: usize,
    /// Watched services Pacemaker has given up on now (open process episodes).
    pub processes_gave_up: usize,
    /// Whether the mass-failure guard holds notifications.
    pub hold: bool,
    /// Quorum as the engine knows it.
    pub quorate: Option<bool>,
}

impl Metrics {
    /// Takes note of one engine report, at `now`.
    pub fn observe(&self, now: Timestamp, report: &Report) {
        let Ok(mut s) = self.0.lock() else { return };
        match report {
            Report::HostLost { host, episode } => {
                s.hosts_lost += 1;
                let e = Episode {
                    number: *episode,
                    detected: now,
                    fenced: None,
                    notified: false,
                };
                s.lost.insert(host.clone(), e);
            }
            Report::FenceConfirmed { host, by } => {
                if let Some(e) = s.lost.get_mut(host) {
                    e.fenced = Some(match by {
                        Confirmation::Fence(at) | Confirmation::PowerOff(at) => *at,
                    });
                }
            }
            Report::Delivered { id } => {
                s.outcomes.delivered += 1;
                s.delivered(id.as_str(), now);
            }
            Report::AlreadyRecorded { .. } => s.outcomes.already_recorded += 1,
            Report::Rejected { .. } => s.outcomes.rejected += 1,
            Report::Dropped {
                dismissed: false, ..
            } => s.outcomes.dropped += 1,
            Report::Dropped {
                dismissed: true, ..
            } => s.outcomes.dismissed += 1,
            Report::Dismissed { dropped, .. } => s.outcomes.dismissed += dropped.len() as u64,
            Report::ProcessGaveUp { .. } => s.processes_gave_up += 1,
            Report::FenceFailed { .. } | Report::FenceTimedOut { .. } => s.fence_failures += 1,
            Report::MassFailureHold { .. } => s.holds += 1,
            Report::HostBack { host, .. } | Report::NodeRemoved { host } => {
                s.lost.remove(host);
            }
            _ => {}
        }
    }

    /// Counts one POST to the API by its result.
    pub fn request(&self, outcome: &DeliveryOutcome) {
        let Ok(mut s) = self.0.lock() else { return };
        let r = &mut s.requests;
        match outcome {
            DeliveryOutcome::Accepted => r.accepted += 1,
            DeliveryOutcome::Duplicate { .. } => r.duplicate += 1,
            DeliveryOutcome::Rejected { .. } => r.rejected += 1,
            DeliveryOutcome::Transient { .. } => r.failed += 1,
        }
    }

    /// Counts one periodic reconcile that found the CIB's version unchanged.
    pub fn unchanged(&self) {
        let Ok(mut s) = self.0.lock() else { return };
        s.reconciles_unchanged += 1;
    }

    /// Counts one CIB reconcile.
    pub fn reconciled(&self, ok: bool) {
        let Ok(mut s) = self.0.lock() else { return };
        s.reconciles += 1;
        if !ok {
            s.reconcile_failures += 1;
        }
    }

    /// The metrics in Prometheus' text format (version 0.0.4).
    pub fn render(&self, health: &HealthView, gauges: Option<&Gauges>) -> String {
        let mut out = String::new();
        if let Ok(s) = self.0.lock() {
            s.write(&mut out);
        }
        write_health(health, &mut out);
        if let Some(g) = gauges {
            write_gauges(g, &mut out);
        }
        out
    }
}

impl State {
    /// A `STOPPED` notification of a host's current episode was stored: the detection latency
    /// ends at the first; the fence latency at `STOPPED`/`NORMAL`, which ends the episode here.
    fn delivered(&mut self, id: &str, now: Timestamp) {
        let mut parts = id.rsplitn(3, '/');
        let (Some(kind), Some(episode), Some(host)) = (parts.next(), parts.next(), parts.next())
        else {
            return;
        };
        let Some(e) = self.lost.get_mut(host) else {
            return;
        };
        if episode.parse() != Ok(e.number) || !kind.starts_with("stopped") {
            return;
        }
        if !e.notified {
            e.notified = true;
            self.detection_latency
                .observe(now.saturating_duration_since(e.detected));
        }
        if kind == "stopped-normal" {
            if let Some(fenced) = e.fenced {
                self.fence_latency
                    .observe(now.saturating_duration_since(fenced));
            }
            self.lost.remove(host);
        }
    }

    fn write(&self, out: &mut String) {
        histogram(
            out,
            "detection_to_notification_seconds",
            "From the loss of a host being detected to the API storing its STOPPED notification.",
            &self.detection_latency,
        );
        histogram(
            out,
            "fence_to_notification_seconds",
            "From Pacemaker completing the fence of a lost host to the API storing its STOPPED/NORMAL notification.",
            &self.fence_latency,
        );
        let r = &self.requests;
        family(
            out,
            "notification_requests_total",
            "counter",
            "POSTs to the Masakari API by result.",
        );
        for (result, n) in [
            ("accepted", r.accepted),
            ("duplicate", r.duplicate),
            ("rejected", r.rejected),
            ("failed", r.failed),
        ] {
            let _ = writeln!(
                out,
                "{PREFIX}_notification_requests_total{{result=\"{result}\"}} {n}"
            );
        }
        let o = &self.outcomes;
        family(
            out,
            "notifications_total",
            "counter",
            "Notifications by final outcome.",
        );
        for (outcome, n) in [
            ("delivered", o.delivered),
            ("already_recorded", o.already_recorded),
            ("rejected", o.rejected),
            ("dropped", o.dropped),
            ("dismissed", o.dismissed),
        ] {
            let _ = writeln!(
                out,
                "{PREFIX}_notifications_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        let counters = [
            (
                "hosts_lost_total",
                "Losses of watched hosts (failure episodes begun).",
                self.hosts_lost,
            ),
            (
                "process_episodes_total",
                "Times Pacemaker gave up on a watched compute service of an online host (PROCESS STOPPED).",
                self.processes_gave_up,
            ),
            (
                "fence_failures_total",
                "Lost hosts whose fencing failed or timed out.",
                self.fence_failures,
            ),
            (
                "mass_failure_holds_total",
                "Times the mass-failure guard started holding notifications.",
                self.holds,
            ),
            (
                "reconciles_total",
                "Reads of Pacemaker's state (crm_mon).",
                self.reconciles,
            ),
            (
                "reconcile_failures_total",
                "Reads of Pacemaker's state that failed.",
                self.reconcile_failures,
            ),
            (
                "reconciles_unchanged_total",
                "Periodic reconciles that found the CIB's version unchanged and read nothing more.",
                self.reconciles_unchanged,
            ),
        ];
        for (name, help, n) in counters {
            single(out, name, "counter", help, n);
        }
    }
}

fn write_health(h: &HealthView, out: &mut String) {
    single(
        out,
        "alerts_received_total",
        "counter",
        "Pacemaker alerts accepted from the alert agent.",
        h.alerts_accepted,
    );
    single(
        out,
        "alerts_refused_total",
        "counter",
        "Alert lines refused (bad peer or malformed).",
        h.alerts_refused,
    );
    let flags = [
        (
            "cib_ok",
            "Whether the last read of Pacemaker's state worked.",
            h.cib_ok,
        ),
        (
            "cib_ipc",
            "Whether the last read of the CIB's version went over the CIB manager's IPC (0: by cibadmin).",
            h.cib_ipc,
        ),
        (
            "api_ok",
            "Whether the last contact with the Masakari API worked.",
            h.api_ok,
        ),
        (
            "corosync_quorate",
            "Quorum as corosync reports it.",
            h.corosync_quorate,
        ),
    ];
    for (name, help, flag) in flags {
        if let Some(flag) = flag {
            single(out, name, "gauge", help, u64::from(flag));
        }
    }
    if let Some(link) = &h.corosync {
        let connected = matches!(link, CorosyncLink::Connected { .. });
        single(
            out,
            "corosync_connected",
            "gauge",
            "1 while the link to corosync's quorum service is up (0: reconnecting or starting).",
            u64::from(connected),
        );
    }
}

fn write_gauges(g: &Gauges, out: &mut String) {
    single(
        out,
        "notifications_pending",
        "gauge",
        "Notifications waiting for delivery (held ones included).",
        g.pending as u64,
    );
    single(
        out,
        "notifications_overdue",
        "gauge",
        "Notifications still undelivered after more retries than monitor.retry_alert_after (still retried).",
        g.overdue as u64,
    );
    single(
        out,
        "watched_hosts",
        "gauge",
        "Hosts watched.",
        g.watched as u64,
    );
    single(
        out,
        "lost_hosts",
        "gauge",
        "Watched hosts lost now.",
        g.lost as u64,
    );
    single(
        out,
        "processes_gave_up",
        "gauge",
        "Watched compute services Pacemaker has given up on now, on online hosts (open process episodes).",
        g.processes_gave_up as u64,
    );
    single(
        out,
        "mass_failure_hold",
        "gauge",
        "1 while the mass-failure guard holds notifications.",
        u64::from(g.hold),
    );
    if let Some(q) = g.quorate {
        single(
            out,
            "quorate",
            "gauge",
            "Whether the local node has quorum, as the engine knows it.",
            u64::from(q),
        );
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    text::family(out, PREFIX, name, kind, help);
}

fn single(out: &mut String, name: &str, kind: &str, help: &str, value: u64) {
    text::single(out, PREFIX, name, kind, help, value);
}

fn histogram(out: &mut String, name: &str, help: &str, h: &Histogram) {
    text::histogram(out, PREFIX, name, help, h);
}

impl Gauges {
    /// The gauges in an engine status answer (as `masakari-hostmonitor status --json` prints it).
    pub fn from_status(status: &StatusAnswer) -> Self {
        let hosts = &status.engine.hosts;
        let entries = || hosts.iter().flat_map(|h| &h.pending).map(|e| e.overdue);
        let services = || hosts.iter().flat_map(|h| &h.processes);
        let process_entries = || services().flat_map(|s| &s.pending).map(|e| e.overdue);
        let flags = || entries().chain(process_entries());
        Self {
            pending: flags().count(),
            overdue: flags().filter(|o| *o).count(),
            processes_gave_up: services().filter(|s| s.gave_up_since.is_some()).count(),
            watched: hosts.len(),
            lost: hosts
                .iter()
                .filter(|h| matches!(h.state, HostState::Lost { .. }))
                .count(),
            hold: status.engine.mass_failure_hold,
            quorate: status.engine.quorate,
        }
    }
}

#[cfg(test)]
mod tests;
