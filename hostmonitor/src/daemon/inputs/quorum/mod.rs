//! Corosync's quorum service through the official bindings (rust-corosync), kept connected: a
//! dedicated thread connects, dispatches callbacks until the link ends (corosync stopped or
//! restarted, the dispatch failed), then tries again with backoff ([`reconnect`]), for the
//! daemon's whole life. Corosync that is not there at start is the same case as one that went
//! away. Meanwhile alerts and reconciles keep working, and `status`, `check` and the metrics say
//! the link is down.
//!
//! ```text
//!  corosync-quorum thread: connect ─> dispatch (blocking) ─> finalize ─> wait (backoff) ─┐
//!        ▲                  │ callbacks: owned Heard into SINK, return                    │
//!        └──────────────────┼─────────────────────────────────────────────────────────────┘
//!                           ▼
//!  forward task: Heard ─> health (corosync_quorate, corosync link), engine (quorum), reconcile
//! ```
//!
//! The callbacks are plain `fn`s (no closure state) and the library holds a lock while they run:
//! they only send an owned [`Heard`] into the channel in [`SINK`] and return. The sink is set once
//! per process and outlives every handle, so each reconnection's new handle reports through it.

mod reconnect;

use std::sync::{Arc, OnceLock};

use rust_corosync::quorum::{self, Model1Data, Model1Flags, ModelData, RingId};
use rust_corosync::{CsError, DispatchFlags, NodeId, TrackFlags};
use tokio::sync::{Notify, mpsc, watch};

use crate::control::CorosyncLink;
use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;
use crate::daemon::now;
use crate::engine::Event;
use reconnect::Reconnect;

/// Where the callbacks and the link thread send what they hear.
static SINK: OnceLock<mpsc::UnboundedSender<Heard>> = OnceLock::new();

/// What the link hears or goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Heard {
    /// Corosync says whether this node's partition is quorate.
    Quorum(bool),
    /// The membership changed; these nodes left.
    Membership { left: Vec<NodeId> },
    /// The link came up or went down.
    Link(CorosyncLink),
}

/// Why the link is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum LinkError {
    /// Corosync's quorum service did not accept the connection (not running, no permission).
    #[error("cannot connect to corosync's quorum service: {0}")]
    Connect(CsError),
    /// Connected, but tracking changes was refused.
    #[error("corosync refused to track quorum changes: {0}")]
    Track(CsError),
    /// Connected, but corosync would not say whether we are quorate.
    #[error("corosync did not say whether we are quorate: {0}")]
    Quorate(CsError),
    /// The dispatch of callbacks failed (corosync stopped or restarted).
    #[error("the corosync quorum dispatch failed: {0}")]
    Dispatch(CsError),
    /// The dispatch returned without an error: the link is over all the same.
    #[error("the corosync quorum dispatch ended")]
    Ended,
}

/// Keeps the link to corosync's quorum service up until `shutdown`, feeding quorum changes to
/// the engine and waking a reconcile on every membership change.
pub async fn run(
    engine: mpsc::UnboundedSender<Request>,
    reconcile: Arc<Notify>,
    health: Arc<Health>,
    shutdown: watch::Receiver<bool>,
) {
    let (sink, heard) = mpsc::unbounded_channel();
    if SINK.set(sink.clone()).is_err() {
        tracing::warn!("corosync quorum tracking started twice in one process; not tracking");
        return;
    }
    health.update(|h| h.corosync = Some(CorosyncLink::Starting));
    let spawned = std::thread::Builder::new()
        .name("corosync-quorum".to_owned())
        .spawn(move || supervise(&sink));
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the corosync quorum thread");
        return;
    }
    forward(heard, &engine, &reconcile, &health, shutdown).await;
}

/// Connects, dispatches until the link ends, and tries again, until the daemon is gone.
fn supervise(sink: &mpsc::UnboundedSender<Heard>) {
    let mut policy = Reconnect::default();
    loop {
        let error = match connect() {
            Ok(handle) => {
                policy.connected(now());
                tracing::info!("connected to corosync's quorum service");
                let error = serve(&handle, sink, policy.link().clone());
                let _ = quorum::finalize(&handle);
                error
            }
            Err(error) => error,
        };
        let down_already = matches!(policy.link(), CorosyncLink::Reconnecting { .. });
        let next = policy.failed(now(), error.to_string());
        if down_already {
            tracing::debug!(%error, "corosync quorum service still not reachable");
        } else {
            tracing::warn!(%error, "corosync quorum link down; relying on Pacemaker alone until it is back");
        }
        if sink.send(Heard::Link(policy.link().clone())).is_err() {
            return;
        }
        std::thread::sleep(next.saturating_duration_since(now()));
    }
}

fn connect() -> Result<quorum::Handle, LinkError> {
    let model = ModelData::ModelV1(Model1Data {
        flags: Model1Flags::None,
        quorum_notification_fn: Some(on_quorum),
        nodelist_notification_fn: Some(on_nodelist),
    });
    let (handle, _) = quorum::initialize(&model, 0).map_err(LinkError::Connect)?;
    if let Err(error) = quorum::trackstart(&handle, TrackFlags::Changes) {
        let _ = quorum::finalize(&handle);
        return Err(LinkError::Track(error));
    }
    Ok(handle)
}

/// Reports the link up and the current quorum, then dispatches callbacks until the link ends.
fn serve(
    handle: &quorum::Handle,
    sink: &mpsc::UnboundedSender<Heard>,
    link: CorosyncLink,
) -> LinkError {
    let quorate = match quorum::getquorate(handle) {
        Ok(quorate) => quorate,
        Err(error) => return LinkError::Quorate(error),
    };
    let _ = sink.send(Heard::Link(link));
    let _ = sink.send(Heard::Quorum(quorate));
    match quorum::dispatch(handle, DispatchFlags::Blocking) {
        Ok(()) => LinkError::Ended,
        Err(error) => LinkError::Dispatch(error),
    }
}

/// Hands what the link heard to the daemon's tasks until shutdown.
async fn forward(
    mut heard: mpsc::UnboundedReceiver<Heard>,
    engine: &mpsc::UnboundedSender<Request>,
    reconcile: &Notify,
    health: &Health,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let next = tokio::select! {
            next = heard.recv() => next,
            _ = shutdown.changed() => return,
        };
        match next {
            Some(one) => hand_on(one, engine, reconcile, health),
            None => return,
        }
    }
}

fn hand_on(
    heard: Heard,
    engine: &mpsc::UnboundedSender<Request>,
    reconcile: &Notify,
    health: &Health,
) {
    match heard {
        Heard::Quorum(quorate) => {
            health.update(|h| h.corosync_quorate = Some(quorate));
            let _ = engine.send(Request::Event(Event::Quorum { quorate }));
        }
        Heard::Membership { left } if !left.is_empty() => {
            tracing::info!(?left, "corosync members left");
        }
        Heard::Membership { .. } => {}
        Heard::Link(link) => {
            let up = matches!(link, CorosyncLink::Connected { .. });
            health.update(|h| {
                if !up {
                    h.corosync_quorate = None;
                }
                h.corosync = Some(link);
            });
        }
    }
    // Whatever corosync said, Pacemaker's view may have changed with it: look at all of it now.
    reconcile.notify_one();
}

fn on_quorum(_handle: &quorum::Handle, quorate: bool, _ring: RingId, _members: Vec<NodeId>) {
    if let Some(sink) = SINK.get() {
        let _ = sink.send(Heard::Quorum(quorate));
    }
}

fn on_nodelist(
    _handle: &quorum::Handle,
    _ring: RingId,
    _members: Vec<NodeId>,
    _joined: Vec<NodeId>,
    left: Vec<NodeId>,
) {
    if let Some(sink) = SINK.get() {
        let _ = sink.send(Heard::Membership { left });
    }
}

#[cfg(test)]
mod tests;
