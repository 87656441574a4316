//! The task that owns the engine: feeds it requests in arrival order and carries out its actions.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use super::delivery::Delivery;
use super::health::Health;
use super::now;
use super::power::PowerCheck;
use super::store::Store;
use crate::engine::{Action, DeliveryOutcome, Engine, Event, Level, Timestamp};

/// What the other tasks ask of the engine.
#[derive(Debug)]
pub enum Request {
    /// A fact for the engine.
    Event(Event),
    /// The engine's and the daemon's status, as JSON, for `masakari-hostmonitor status`.
    Status(oneshot::Sender<serde_json::Value>),
}

/// The engine and what carries out its actions.
pub struct EngineTask {
    /// The decision state machine.
    pub engine: Engine,
    /// Where its record goes.
    pub store: Store,
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
    /// Runs until shutdown or until every sender is gone.
    pub async fn run(
        mut self,
        mut requests: mpsc::UnboundedReceiver<Request>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let deadline = self.engine.poll_timeout();
            let actions = tokio::select! {
                request = requests.recv() => match request {
                    Some(Request::Event(event)) => self.engine.on_event(now(), event),
                    Some(Request::Status(reply)) => {
                        let _ = reply.send(self.status());
                        continue;
                    }
                    None => return,
                },
                () = sleep_until(deadline) => self.engine.on_timeout(now()),
                _ = shutdown.changed() => return,
            };
            self.carry_out(actions).await;
        }
    }

    async fn carry_out(&mut self, actions: Vec<Action>) {
        let mut durable = true;
        for action in actions {
            match action {
                Action::Persist(update) => {
                    if let Err(error) = self.store.apply(&update).await {
                        tracing::error!(%error, "cannot persist state: holding notifications until it works");
                        durable = false;
                    }
                }
                Action::Notify(n) if !durable => {
                    let reason = "the state file could not be written".to_owned();
                    let _ = self.own.send(Request::Event(Event::Delivery {
                        id: n.id,
                        outcome: DeliveryOutcome::Transient { reason },
                    }));
                }
                Action::Notify(n) => {
                    let delivery = Arc::clone(&self.delivery);
                    let own = self.own.clone();
                    tokio::spawn(async move {
                        let outcome = delivery.send(&n).await;
                        let _ = own.send(Request::Event(Event::Delivery { id: n.id, outcome }));
                    });
                }
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
    }

    fn status(&self) -> serde_json::Value {
        let health = self.health.view();
        serde_json::json!({
            "engine": self.engine.status(),
            "cib_ok": health.cib_ok,
            "cib_error": health.cib_error,
            "api_ok": health.api_ok,
            "api_error": health.api_error,
            "quorate": self.engine.status().quorate,
            "corosync_quorate": health.corosync_quorate,
            "alerts_accepted": health.alerts_accepted,
            "alerts_refused": health.alerts_refused,
        })
    }
}

async fn sleep_until(deadline: Option<Timestamp>) {
    match deadline {
        Some(at) => tokio::time::sleep(at.saturating_duration_since(now())).await,
        None => std::future::pending().await,
    }
}
