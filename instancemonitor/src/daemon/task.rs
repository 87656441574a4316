//! The daemon's loop: libvirt's news, the API's answers, the retry timer and status requests
//! in; the delivery step's steps carried out in order (persist, then send; report).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use masakari_client::{
    Client, DeliveryOutcome, Notification, NotificationId, Timestamp, VmPayload,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::control::StatusRequest;
use super::libvirt::News;
use super::metrics::Metrics;
use super::state_file::{self, StateError};
use crate::control::{DomainsView, LibvirtView, StatusAnswer};
use crate::delivery::{Delivery, Report, Step};

/// What the API said to one notification.
pub type Outcome = (NotificationId, DeliveryOutcome);

/// The daemon's state and what it carries out steps with.
pub struct Daemon {
    /// The name notifications are sent under.
    pub hostname: String,
    /// The delivery step.
    pub delivery: Delivery,
    /// Where the record is written.
    pub state_file: PathBuf,
    /// The Masakari API client.
    pub client: Arc<Client>,
    /// Where the sends report their outcome.
    pub outcomes: mpsc::UnboundedSender<Outcome>,
    /// The counters.
    pub metrics: Arc<Metrics>,
    /// The link to libvirt as last heard.
    pub libvirt: LibvirtView,
    /// The domains as last heard.
    pub domains: DomainsView,
}

/// The channels the loop listens on.
pub struct Inputs {
    /// From the libvirt thread.
    pub news: mpsc::UnboundedReceiver<News>,
    /// From the sends.
    pub outcomes: mpsc::UnboundedReceiver<Outcome>,
    /// From the control socket and the metrics endpoint.
    pub status: mpsc::UnboundedReceiver<StatusRequest>,
}

/// The wall clock, as the outbox keeps time.
pub fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

impl Daemon {
    /// Runs until `shutdown` completes (or every input is gone).
    pub async fn run(
        mut self,
        mut inputs: Inputs,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let steps = self.delivery.start(now());
        self.carry_out(steps).await;
        tokio::pin!(shutdown);
        loop {
            let retry = retry_timer(self.delivery.poll_timeout());
            tokio::select! {
                Some(news) = inputs.news.recv() => self.on_news(news).await,
                Some((id, outcome)) = inputs.outcomes.recv() => {
                    let steps = self.delivery.outcome(now(), &id, outcome);
                    self.carry_out(steps).await;
                }
                Some(reply) = inputs.status.recv() => {
                    let _ = reply.send(self.status());
                }
                () = retry => {
                    let steps = self.delivery.on_timeout(now());
                    self.carry_out(steps).await;
                }
                () = &mut shutdown => return,
                else => return,
            }
        }
    }

    /// The answer to `status`.
    pub fn status(&self) -> StatusAnswer {
        StatusAnswer {
            hostname: self.hostname.clone(),
            libvirt: self.libvirt.clone(),
            domains: self.domains,
            pending: self.delivery.pending(),
            api: self.delivery.api().clone(),
        }
    }

    async fn on_news(&mut self, news: News) {
        match news {
            News::Connected { socket } => {
                tracing::info!(socket = %socket.display(), "connected to libvirt");
                self.libvirt.connected = true;
                self.libvirt.socket = Some(socket);
                self.libvirt.connects = self.libvirt.connects.saturating_add(1);
            }
            News::Lost { error } => {
                tracing::warn!(%error, "libvirt connection lost; reconnecting");
                self.libvirt.connected = false;
                self.libvirt.last_error = Some(error);
            }
            News::Domains { seen, active } => self.domains = DomainsView { seen, active },
            News::Gone { name, uuid } => tracing::warn!(
                domain = name,
                instance_uuid = uuid,
                "domain was running and is gone after the reconnect (migrated or deleted while \
                 disconnected): not reported"
            ),
            News::Notify(n) => {
                let steps = self.delivery.notify(now(), &n);
                self.carry_out(steps).await;
            }
        }
    }

    /// Carries out the steps in order, except that a record's write (fsync and all, on the
    /// blocking pool) overlaps the steps after it: the POST of the notification it holds goes out
    /// while it is written. The next write, and the next input (an answer of the API among them),
    /// waits until it is on disk, so records land in order and no answer is recorded before the
    /// notification it answers. A kill loses nothing this way that it did not before: until the
    /// write is done the notification was only in memory either way.
    async fn carry_out(&mut self, steps: Vec<Step>) {
        let mut writing = None;
        for step in steps {
            match step {
                Step::Persist(record) => {
                    self.written(writing.take()).await;
                    let path = self.state_file.clone();
                    let write = move || state_file::write(&path, &record);
                    writing = Some(tokio::task::spawn_blocking(write));
                }
                Step::Send(n) => self.send(n),
                Step::Report(report) => {
                    self.metrics.observe(&report);
                    log(&report);
                }
            }
        }
        self.written(writing).await;
    }

    /// Waits for a record's write; a failure is logged and counted (the notification is sent
    /// anyway: a disk failure must not also cost the evacuation).
    async fn written(&self, writing: Option<JoinHandle<Result<(), StateError>>>) {
        let Some(writing) = writing else {
            return;
        };
        let error = match writing.await {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(join) => format!(
                "the write of {} did not finish: {join}",
                self.state_file.display()
            ),
        };
        self.metrics.state_write_failed();
        tracing::error!(%error, "cannot write the outbox; sending anyway (a restart now would lose it)");
    }

    fn send(&self, n: Notification<VmPayload>) {
        let (client, outcomes) = (Arc::clone(&self.client), self.outcomes.clone());
        tokio::spawn(async move {
            let outcome = client.send(&n).await;
            let _ = outcomes.send((n.id, outcome));
        });
    }
}

async fn retry_timer(due: Option<Timestamp>) {
    match due {
        Some(due) => tokio::time::sleep(due.saturating_duration_since(now())).await,
        None => std::future::pending().await,
    }
}

fn log(report: &Report) {
    match report {
        Report::Queued { id, payload } => tracing::info!(
            id = id.as_str(),
            event = payload.event,
            vir_domain_event = payload.vir_domain_event,
            instance_uuid = payload.instance_uuid,
            "VM notification queued"
        ),
        Report::Delivered {
            id,
            latency,
            duplicate,
        } => tracing::info!(
            id = id.as_str(),
            latency_ms = latency.as_millis() as u64,
            already_there = duplicate,
            "notification taken by Masakari"
        ),
        Report::Rejected {
            id,
            status,
            message,
        } => tracing::warn!(
            id = id.as_str(),
            status,
            message,
            "notification refused by Masakari; dropped"
        ),
        Report::Retrying {
            id,
            reason,
            scheduled,
        } if scheduled.overdue => tracing::error!(
            id = id.as_str(),
            reason,
            retry = scheduled.retry,
            in_secs = scheduled.delay.as_secs(),
            "notification OVERDUE: still not delivered; retrying"
        ),
        Report::Retrying {
            id,
            reason,
            scheduled,
        } => tracing::warn!(
            id = id.as_str(),
            reason,
            retry = scheduled.retry,
            in_secs = scheduled.delay.as_secs(),
            "notification not delivered; retrying"
        ),
    }
}
