//! The delivery step: VM notifications in, steps out (persist the outbox, send, report), time
//! injected. Pure, like the [engine](crate::engine): the daemon carries out its steps in order.
//!
//! ```text
//!  Engine ─ VmNotification ─> Delivery::notify(now, ..) ──┬─> Persist(Record)   write it durably (the POST overlaps)
//!  API answer ──────────────> Delivery::outcome(now, ..) ─┼─> Send(Notification) then POST it
//!  retry timer ─────────────> Delivery::on_timeout(now) ──┴─> Report(..)         logs and metrics
//! ```
//!
//! Every notification is numbered from the [`Record`]'s counter (its id `host/number/vm`) and
//! queued in masakari-client's [`Outbox`]; a `Persist` of the record always comes before the
//! `Send` of anything it added (the daemon starts the write first, lets the POST overlap it and
//! takes no answer before it is on disk), so a monitor killed with a notification pending finds it in its
//! state file and sends it after the restart. The API stores it once: a notification keeps its
//! `generated_time`, so the API answers a re-send of one it stored 409, which counts as delivered.
//! Only the oldest entry is in flight. 202 and 409 deliver it, 400 (or another 4xx: the host or
//! the instance unknown to Masakari) drops it, anything else retries it after [`Retry::delay`]
//! for ever; past [`Retry::alert_after`] retries it is overdue. A VM's failure does not stop
//! being true, so nothing is dropped for having ended.

#[cfg(test)]
mod tests;

use std::time::Duration;

use masakari_client::Kind as _;
use masakari_client::{
    DeliveryOutcome, Notification, NotificationId, Outbox, Retry, Scheduled, Timestamp, VmKind,
    VmPayload,
};
use serde::{Deserialize, Serialize};

use crate::control::{ApiView, PendingView};
use crate::engine::VmNotification;

/// The version of the state file's format this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// What survives a restart: the outbox and the counter notifications are numbered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The format's version ([`RECORD_VERSION`]).
    pub version: u32,
    /// The number the next notification gets.
    pub next: u64,
    /// Notifications not yet answered by the API, oldest first.
    pub outbox: Outbox<VmKind>,
}

impl Default for Record {
    fn default() -> Self {
        Self {
            version: RECORD_VERSION,
            next: 1,
            outbox: Outbox::default(),
        }
    }
}

/// What the caller does, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Write the record durably; the steps after it may rely on it being written.
    Persist(Record),
    /// POST this notification, then tell [`Delivery::outcome`] what came of it.
    Send(Notification<VmPayload>),
    /// Tell the operator (logs, metrics).
    Report(Report),
}

/// What happened to a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Queued for delivery.
    Queued {
        /// The notification.
        id: NotificationId,
        /// What it says.
        payload: VmPayload,
    },
    /// The API took it: stored (202), or it had it already (409).
    Delivered {
        /// The notification.
        id: NotificationId,
        /// From the decision to send it (its `generated_time`) to the API's answer.
        latency: Duration,
        /// Whether the API had it already (409).
        duplicate: bool,
    },
    /// The API refused it for good (400, or another 4xx); dropped.
    Rejected {
        /// The notification.
        id: NotificationId,
        /// The HTTP status.
        status: u16,
        /// The API's message.
        message: String,
    },
    /// It failed this time and is retried.
    Retrying {
        /// The notification.
        id: NotificationId,
        /// Why it failed.
        reason: String,
        /// When and how often.
        scheduled: Scheduled,
    },
}

/// The delivery state machine.
#[derive(Debug)]
pub struct Delivery {
    hostname: String,
    retry: Retry,
    record: Record,
    api: ApiView,
}

impl Delivery {
    /// Delivery as `hostname` with `retry`, from the record a previous run left.
    pub fn new(hostname: &str, retry: Retry, record: Record) -> Self {
        Self {
            hostname: hostname.to_owned(),
            retry,
            record,
            api: ApiView::default(),
        }
    }

    /// Sends what the record holds (after a restart).
    pub fn start(&mut self, now: Timestamp) -> Vec<Step> {
        self.send_ready(now).into_iter().collect()
    }

    /// Queues a notification the engine decided on.
    pub fn notify(&mut self, now: Timestamp, n: &VmNotification) -> Vec<Step> {
        let number = self.record.next;
        self.record.next = number.saturating_add(1);
        let payload = VmPayload {
            event: n.payload.event.to_owned(),
            instance_uuid: n.payload.instance_uuid.clone(),
            vir_domain_event: n.payload.vir_domain_event.to_owned(),
        };
        let id = NotificationId::new(&self.hostname, number, VmKind::Vm.slug());
        let notification = Notification {
            id: id.clone(),
            hostname: self.hostname.clone(),
            generated_time: now,
            payload: payload.clone(),
        };
        self.record.outbox.push(VmKind::Vm, number, notification);
        let send = self.send_ready(now);
        let mut steps = vec![Step::Report(Report::Queued { id, payload }), self.persist()];
        steps.extend(send);
        steps
    }

    /// Takes what the API said to the notification in flight with this id.
    pub fn outcome(
        &mut self,
        now: Timestamp,
        id: &NotificationId,
        outcome: DeliveryOutcome,
    ) -> Vec<Step> {
        if !self.record.outbox.is_in_flight(id) {
            return Vec::new();
        }
        let report = match outcome {
            DeliveryOutcome::Transient { reason } => return self.failed(now, id, reason),
            DeliveryOutcome::Accepted => self.delivered(now, id, false),
            DeliveryOutcome::Duplicate { .. } => self.delivered(now, id, true),
            DeliveryOutcome::Rejected { status, message } => {
                self.record.outbox.pop();
                self.answered(Some(format!("{status} for {id}: {message}")));
                Report::Rejected {
                    id: id.clone(),
                    status,
                    message,
                }
            }
        };
        let mut steps = vec![self.persist(), Step::Report(report)];
        steps.extend(self.send_ready(now));
        steps
    }

    /// When [`Delivery::on_timeout`] wants to run (the next retry).
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.record.outbox.retry_due()
    }

    /// Sends the oldest notification if its retry is due.
    pub fn on_timeout(&mut self, now: Timestamp) -> Vec<Step> {
        self.send_ready(now).into_iter().collect()
    }

    /// The notifications waiting, for `status`.
    pub fn pending(&self) -> Vec<PendingView> {
        let view = |e: &masakari_client::Entry<VmKind>| PendingView {
            id: e.notification.id.clone(),
            event: e.notification.payload.event.clone(),
            vir_domain_event: e.notification.payload.vir_domain_event.clone(),
            instance_uuid: e.notification.payload.instance_uuid.clone(),
            attempts: e.attempts,
            last_error: e.last_error.clone(),
            next_try: e.due,
            overdue: e.last_error.is_some() && self.retry.overdue(e.attempts),
        };
        self.record.outbox.iter().map(view).collect()
    }

    /// The API as last seen, for `status`.
    pub fn api(&self) -> &ApiView {
        &self.api
    }

    fn delivered(&mut self, now: Timestamp, id: &NotificationId, duplicate: bool) -> Report {
        let latency = self
            .record
            .outbox
            .pop()
            .map(|e| now.saturating_duration_since(e.notification.generated_time))
            .unwrap_or_default();
        self.api.delivered = self.api.delivered.saturating_add(1);
        self.answered(None);
        Report::Delivered {
            id: id.clone(),
            latency,
            duplicate,
        }
    }

    fn failed(&mut self, now: Timestamp, id: &NotificationId, reason: String) -> Vec<Step> {
        self.api.last_ok = Some(false);
        self.api.last_error = Some(reason.clone());
        let Some(scheduled) = self
            .record
            .outbox
            .failed(id, reason.clone(), &self.retry, now)
        else {
            return Vec::new();
        };
        let id = id.clone();
        let report = Report::Retrying {
            id,
            reason,
            scheduled,
        };
        vec![self.persist(), Step::Report(report)]
    }

    fn answered(&mut self, error: Option<String>) {
        self.api.last_ok = Some(true);
        self.api.last_error = error;
    }

    fn send_ready(&mut self, now: Timestamp) -> Option<Step> {
        let entry = self.record.outbox.take_ready(now)?;
        Some(Step::Send(entry.notification.clone()))
    }

    fn persist(&self) -> Step {
        Step::Persist(Record {
            version: self.record.version,
            next: self.record.next,
            outbox: self.record.outbox.for_record(),
        })
    }
}
