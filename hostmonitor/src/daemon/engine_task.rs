//! The task that owns the engine: feeds it requests in arrival order and carries out its actions.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use super::error::DaemonError;
use super::health::Health;
use super::now;
use crate::control::StatusAnswer;
use crate::daemon::outputs::attrd::AttrdUpdater;
use crate::daemon::outputs::delivery::Delivery;
use crate::daemon::outputs::power::PowerCheck;
use crate::daemon::outputs::store::{Store, StoreError};
use crate::engine::{Action, Command, DeliveryOutcome, Engine, Event, Level, Report, Timestamp};
use masakari_client::{Notification, Payload};

/// What the other tasks ask of the engine.
#[derive(Debug)]
pub enum Request {
    /// A fact for the engine.
    Event(Event),
    /// The engine's and the daemon's status, for `masakari-hostmonitor status` and the metrics.
    Status(oneshot::Sender<StatusAnswer>),
    /// An operator's command, answered once what it changed is carried out (stored first).
    Command {
        /// The command.
        command: Command,
        /// Where the answer goes.
        reply: oneshot::Sender<Answered>,
    },
}

/// The engine's answer to an operator's command.
#[derive(Debug)]
pub struct Answered {
    /// The engine's report on the command (`None`: it made none, which it always does).
    pub report: Option<Report>,
    /// Whether the cluster's copy of the record took what the command changed.
    pub durable: bool,
}

/// Replies waiting for the batch that carries their command out.
type Replies = Vec<(oneshot::Sender<Answered>, Option<Report>)>;

/// The engine and what carries out its actions.
pub struct EngineTask {
    /// The decision state machine.
    pub engine: Engine,
    /// Where its record goes.
    pub store: Store<AttrdUpdater>,
    /// The Masakari API client.
    pub delivery: Arc<Delivery>,
    /// IPMI power checks.
    pub power: Arc<PowerCheck>,
    /// The daemon's health.
    pub health: Arc<Health>,
    /// A sender to this task's own queue (for results of spawned work).
    pub own: mpsc::UnboundedSender<Request>,
}

impl EngineTask {
    /// Runs until shutdown or until every sender is gone; fails when the cluster's record turns
    /// out newer than the one the engine resumed from (a restart resumes from it).
    pub async fn run(
        mut self,
        mut requests: mpsc::UnboundedReceiver<Request>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(), DaemonError> {
        loop {
            let deadline = self.engine.poll_timeout();
            let mut replies = Replies::new();
            let actions = tokio::select! {
                request = requests.recv() => match request {
                    Some(Request::Status(reply)) => {
                        let _ = reply.send(self.status());
                        continue;
                    }
                    Some(request) => self.handle(request, &mut replies),
                    None => return Ok(()),
                },
                () = sleep_until(deadline) => self.engine.on_timeout(now()),
                () = retry_at(self.store.retry_at()) => {
                    let result = self.store.retry().await;
                    self.check_durable(result)?;
                    continue;
                }
                _ = shutdown.changed() => return Ok(()),
            };
            let actions = self.take_queued(actions, &mut requests, &mut replies);
            let durable = self.carry_out(actions).await?;
            for (reply, report) in replies {
                let _ = reply.send(Answered { report, durable });
            }
        }
    }

    /// Feeds the engine an event or a command (whose reply waits in `replies`); a status request
    /// is answered at once.
    fn handle(&mut self, request: Request, replies: &mut Replies) -> Vec<Action> {
        match request {
            Request::Event(event) => self.engine.on_event(now(), event),
            Request::Status(reply) => {
                let _ = reply.send(self.status());
                Vec::new()
            }
            Request::Command { command, reply } => {
                let actions = self.engine.on_event(now(), Event::Command(command));
                let report = actions.iter().find_map(|a| match a {
                    Action::Report(r) if r.answers_command() => Some(r.clone()),
                    _ => None,
                });
                replies.push((reply, report));
                actions
            }
        }
    }

    /// Whether a write is durable; logs why not, and stops on a newer cluster record.
    fn check_durable(&self, result: Result<(), StoreError>) -> Result<bool, DaemonError> {
        match result {
            Ok(()) => Ok(true),
            Err(StoreError::Superseded { cluster, local }) => {
                Err(DaemonError::Superseded { cluster, local })
            }
            Err(error) => {
                tracing::error!(%error, "state not durable: holding notifications, retrying the cluster write");
                Ok(false)
            }
        }
    }

    /// Feeds the engine every request already queued, so that a burst of events (a rack failing)
    /// costs one durable write instead of one per event.
    fn take_queued(
        &mut self,
        mut actions: Vec<Action>,
        requests: &mut mpsc::UnboundedReceiver<Request>,
        replies: &mut Replies,
    ) -> Vec<Action> {
        while let Ok(request) = requests.try_recv() {
            actions.extend(self.handle(request, replies));
        }
        actions
    }

    /// Carries out a batch of actions: every record update first, stored in one durable write, then
    /// the rest in order; a notification goes out only once the write covering it is durable.
    /// Returns whether it was.
    async fn carry_out(&mut self, actions: Vec<Action>) -> Result<bool, DaemonError> {
        let mut updates = Vec::new();
        let mut others = Vec::new();
        for action in actions {
            match action {
                Action::Persist(update) => updates.push(update),
                other => others.push(other),
            }
        }
        let mut durable = true;
        if !updates.is_empty() {
            let result = self.store.apply(&updates).await;
            durable = self.check_durable(result)?;
        }
        for action in others {
            match action {
                Action::Persist(_) => {} // stored above
                Action::Notify(n) => self.deliver(n, durable),
                Action::NotifyProcess(n) => self.deliver(n, durable),
                Action::CheckPower { node } => {
                    let power = Arc::clone(&self.power);
                    let own = self.own.clone();
                    tokio::spawn(async move {
                        if power.is_off(&node).await {
                            let _ = own.send(Request::Event(Event::PowerOff { node }));
                        }
                    });
                }
                Action::Report(report) => {
                    self.health.observe(&report);
                    match report.level() {
                        Level::Debug => tracing::debug!("{report}"),
                        Level::Info => tracing::info!("{report}"),
                        Level::Warn => tracing::warn!("{report}"),
                        Level::Error => tracing::error!("{report}"),
                    }
                }
            }
        }
        Ok(durable)
    }

    /// Sends a notification, or (when the record write covering it was not durable) answers
    /// for it with a transient failure, so it is retried.
    fn deliver<P>(&self, n: Notification<P>, durable: bool)
    where
        P: Payload + Send + Sync + 'static,
    {
        let own = self.own.clone();
        if !durable {
            let reason = "the cluster record did not take the write".to_owned();
            let outcome = DeliveryOutcome::Transient { reason };
            let _ = own.send(Request::Event(Event::Delivery { id: n.id, outcome }));
            return;
        }
        let delivery = Arc::clone(&self.delivery);
        tokio::spawn(async move {
            let outcome = delivery.send(&n).await;
            let _ = own.send(Request::Event(Event::Delivery { id: n.id, outcome }));
        });
    }

    fn status(&self) -> StatusAnswer {
        StatusAnswer {
            engine: self.engine.status(),
            health: self.health.view(),
            record: Some(self.store.view()),
        }
    }
}

async fn retry_at(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Timestamp>) {
    match deadline {
        Some(at) => tokio::time::sleep(at.saturating_duration_since(now())).await,
        None => std::future::pending().await,
    }
}
