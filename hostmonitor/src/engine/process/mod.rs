//! Process episodes: a compute service Pacemaker gave up on, on a compute that is itself up.
//!
//! Each watched host keeps, beside its own failure episode, one [`Service`] per process name
//! (`nova-compute`, `libvirtd`), in the host's durable record (so a monitor taking over keeps
//! them, exactly once) with its own outbox. One process episode is one time Pacemaker gave up
//! on the service on that host ([`ProcessState::GaveUp`], decided from the CIB by
//! `cib::Cib::service_states`):
//!
//! - it opens with one `PROCESS` `STOPPED` (payload `event`, `process_name`, exactly as
//!   masakari-monitors' processmonitor sends it), on which masakari-engine puts the host in
//!   maintenance and disables its nova-compute service;
//! - it closes with one `PROCESS` `STARTED` once the service runs there again (after an
//!   operator's cleanup), if its `STOPPED` went out. The API stores it; masakari-engine 22's
//!   process flow acts only on `STOPPED`, so it records the `STARTED` and does nothing more:
//!   taking the host out of maintenance stays the operator's.
//! - A service that fails and is restarted by Pacemaker never gave up: nothing is sent.
//! - A host that is not online (lost, or not yet seen) is a host failure, notified as
//!   `COMPUTE_HOST`: its open process episodes are closed, what of them was not sent yet is
//!   dropped, and none opens until it is back. (Fencing a remote node clears its fail counts;
//!   if Pacemaker gives up again once it is back, that is a new episode.)
//! - The reconcile's services are judged only while the local partition is quorate (the engine
//!   drops them otherwise); sending waits for quorum and the mass-failure guard as a host's
//!   notifications do, and the guard counts a host with an open process episode as failed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::action::{Action, NotDismissed, Report};
use super::dismissal::{self, Dismissed};
use masakari_client::{
    Kind as _, Notification, NotificationId, Outbox, ProcessKind as Kind, ProcessPayload, Timestamp,
};

/// A `PROCESS` notification, as the engine hands it out.
pub type ProcessNotification = Notification<ProcessPayload>;

/// How Pacemaker stands with a watched service on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessState {
    /// Running there.
    Running,
    /// Not running there, and Pacemaker has not given up (restarting, or not yet started).
    NotRunning,
    /// Pacemaker gave up on it there (migration threshold, blocked, stopped on failure).
    GaveUp,
}

/// One watched service on one host, as a reconcile read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceView {
    /// The host's node name.
    pub host: String,
    /// The process name the watched resource stands for (`nova-compute`, `libvirtd`).
    pub process_name: String,
    /// How Pacemaker stands with it there.
    pub state: ProcessState,
}

/// One service on one host: its latest episode and outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Service {
    /// The latest episode's number (0: none yet).
    pub(crate) episode: u64,
    /// While the latest episode is open: when the engine found Pacemaker had given up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) since: Option<Timestamp>,
    /// Whether the latest episode's `STOPPED` was handed out for delivery.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) stop_sent: bool,
    #[serde(default, skip_serializing_if = "Outbox::is_empty")]
    pub(crate) outbox: Outbox<Kind>,
    /// The episode an operator dismissed, if it is still the latest: nothing more is sent for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dismissed: Option<u64>,
}

/// One host's watched services, by process name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Processes(pub(crate) BTreeMap<String, Service>);

/// Where a service's notifications go: the host's node name and the name Masakari knows it by.
pub(crate) struct Target<'a> {
    pub(crate) host: &'a str,
    pub(crate) hostname: &'a str,
}

impl Processes {
    /// Applies one reconcile's state of service `process` on the host, which is `online`.
    pub(crate) fn observe(
        &mut self,
        to: &Target<'_>,
        online: bool,
        process: &str,
        state: ProcessState,
        now: Timestamp,
        out: &mut Vec<Action>,
    ) {
        let service = self.0.entry(process.to_owned()).or_default();
        let open = service.since.is_some();
        match state {
            _ if !online => service.close(to.host, process, false, out),
            ProcessState::GaveUp if !open => service.open(to, process, now, out),
            ProcessState::Running if open => {
                service.close(to.host, process, true, out);
                if service.stop_sent && service.dismissed != Some(service.episode) {
                    service.push(to, process, Kind::Started, now);
                }
            }
            _ => {}
        }
    }

    /// The host is not online: every open episode is closed unsent (see the module docs).
    pub(crate) fn host_down(&mut self, host: &str, out: &mut Vec<Action>) {
        for (process, service) in &mut self.0 {
            if service.since.is_some() {
                service.close(host, process, false, out);
            }
        }
    }

    /// An operator dismisses service `process`'s episode (`asked`, else the latest) on host `host`.
    pub(crate) fn dismiss(&mut self, host: &str, process: &str, asked: Option<u64>) -> Report {
        let Some(service) = self.0.get_mut(process) else {
            return Report::NotDismissed {
                host: host.to_owned(),
                why: NotDismissed::NoSuchProcess,
            };
        };
        let what = Dismissed {
            host,
            process: Some(process),
            episode: service.episode,
        };
        dismissal::dismiss(&mut service.outbox, &mut service.dismissed, &what, asked)
    }

    /// A transient failure of the delivery of `id`, in flight when its episode was dismissed:
    /// dropped instead of retried.
    pub(crate) fn drop_dismissed(&mut self, id: &NotificationId, reason: &str) -> Option<Report> {
        let service = self.0.values_mut().find(|s| s.outbox.is_in_flight(id))?;
        dismissal::drop_dismissed(&mut service.outbox, service.dismissed, id, reason)
    }

    /// Hands out every service's next notification that is ready.
    pub(crate) fn take_ready(&mut self, now: Timestamp) -> Vec<ProcessNotification> {
        let mut ready = Vec::new();
        for service in self.0.values_mut() {
            let Some(entry) = service.outbox.take_ready(now) else {
                continue;
            };
            if entry.kind == Kind::Stopped && entry.episode == service.episode {
                service.stop_sent = true;
            }
            ready.push(entry.notification.clone());
        }
        ready
    }

    /// The outbox whose entry in flight has this id.
    pub(crate) fn outbox_in_flight(&mut self, id: &NotificationId) -> Option<&mut Outbox<Kind>> {
        self.0
            .values_mut()
            .map(|s| &mut s.outbox)
            .find(|o| o.is_in_flight(id))
    }

    /// When the earliest open episode opened, if one is open.
    pub(crate) fn failed_since(&self) -> Option<Timestamp> {
        self.0.values().filter_map(|s| s.since).min()
    }

    /// When the next retry is due.
    pub(crate) fn retry_due(&self) -> Option<Timestamp> {
        self.0.values().filter_map(|s| s.outbox.retry_due()).min()
    }

    /// How many notifications wait.
    pub(crate) fn pending(&self) -> usize {
        self.0.values().map(|s| s.outbox.len()).sum()
    }

    /// As persisted: nothing in flight.
    pub(crate) fn for_record(&self) -> Self {
        let services = self.0.iter().map(|(name, s)| {
            let outbox = s.outbox.for_record();
            (
                name.clone(),
                Service {
                    outbox,
                    ..s.clone()
                },
            )
        });
        Self(services.collect())
    }

    /// Drops every notification: the host is the local node or no longer watched.
    pub(crate) fn silence(&mut self) {
        self.0
            .values_mut()
            .for_each(|s| s.outbox = Outbox::default());
    }

    /// Whether nothing is known (nothing to persist).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Service {
    fn open(&mut self, to: &Target<'_>, process: &str, now: Timestamp, out: &mut Vec<Action>) {
        self.episode += 1;
        self.since = Some(now);
        self.stop_sent = false;
        out.push(Action::Report(Report::ProcessGaveUp {
            host: to.host.to_owned(),
            process: process.to_owned(),
            episode: self.episode,
        }));
        self.push(to, process, Kind::Stopped, now);
    }

    /// Closes the open episode: its `STOPPED`, unless in flight, is dropped (what it says is
    /// over; a `STARTED` follows only a `STOPPED` that went out).
    fn close(&mut self, host: &str, process: &str, back: bool, out: &mut Vec<Action>) {
        if self.since.take().is_none() {
            return;
        }
        let episode = self.episode;
        for entry in self
            .outbox
            .remove_where(|e| e.episode == episode && e.kind == Kind::Stopped)
        {
            out.push(Action::Report(Report::Dropped {
                id: entry.notification.id,
                attempts: entry.attempts,
                reason: entry.last_error.unwrap_or_default(),
                dismissed: false,
            }));
        }
        out.push(Action::Report(Report::ProcessClosed {
            host: host.to_owned(),
            process: process.to_owned(),
            episode,
            running_again: back,
            stop_sent: self.stop_sent,
        }));
    }

    fn push(&mut self, to: &Target<'_>, process: &str, kind: Kind, now: Timestamp) {
        let pair = format!("{}/{process}", to.host);
        let notification = Notification {
            id: NotificationId::new(&pair, self.episode, kind.slug()),
            hostname: to.hostname.to_owned(),
            generated_time: now,
            payload: ProcessPayload {
                event: kind.event(),
                process_name: process.to_owned(),
            },
        };
        self.outbox.push(kind, self.episode, notification);
    }
}
