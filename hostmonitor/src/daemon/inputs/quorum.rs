//! Corosync's quorum service through the official bindings (rust-corosync): quorum changes arrive as
//! callbacks, which only forward an owned event and return (the library holds a lock meanwhile).
//! Membership changes wake a reconcile, which reads the node states Pacemaker derived from them.

use std::sync::{Arc, OnceLock};

use rust_corosync::quorum::{self, Model1Data, Model1Flags, ModelData, RingId};
use rust_corosync::{DispatchFlags, NodeId, TrackFlags};
use tokio::sync::{Notify, mpsc};

use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;
use crate::engine::Event;

/// Where the callbacks send what they hear (the callbacks are plain `fn`s: no closure state).
static SINK: OnceLock<Sink> = OnceLock::new();

struct Sink {
    engine: mpsc::UnboundedSender<Request>,
    reconcile: Arc<Notify>,
    health: Arc<Health>,
}

/// Starts tracking quorum on a dedicated thread. Returns `false` (and logs) when corosync cannot be
/// reached here, e.g. on a node that does not run it: alerts and reconciles still work.
pub fn start(
    engine: mpsc::UnboundedSender<Request>,
    reconcile: Arc<Notify>,
    health: Arc<Health>,
) -> bool {
    let model = ModelData::ModelV1(Model1Data {
        flags: Model1Flags::None,
        quorum_notification_fn: Some(on_quorum),
        nodelist_notification_fn: Some(on_nodelist),
    });
    let handle = match quorum::initialize(&model, 0) {
        Ok((handle, _)) => handle,
        Err(error) => {
            tracing::warn!(
                ?error,
                "corosync quorum service not reachable; relying on Pacemaker alone"
            );
            return false;
        }
    };
    if SINK
        .set(Sink {
            engine,
            reconcile,
            health,
        })
        .is_err()
    {
        tracing::warn!("corosync quorum tracking started twice; keeping the first");
        return false;
    }
    if let Err(error) = quorum::trackstart(&handle, TrackFlags::Changes) {
        tracing::warn!(?error, "cannot track corosync quorum");
        return false;
    }
    let spawned = std::thread::Builder::new()
        .name("corosync-quorum".to_owned())
        .spawn(move || {
            if let Err(error) = quorum::dispatch(&handle, DispatchFlags::Blocking) {
                tracing::warn!(?error, "corosync quorum dispatch ended");
            }
            if let Some(sink) = SINK.get() {
                sink.health.update(|h| h.corosync_quorate = None);
            }
        });
    spawned.is_ok()
}

fn on_quorum(_handle: &quorum::Handle, quorate: bool, _ring: RingId, _members: Vec<NodeId>) {
    if let Some(sink) = SINK.get() {
        sink.health.update(|h| h.corosync_quorate = Some(quorate));
        let _ = sink.engine.send(Request::Event(Event::Quorum { quorate }));
        sink.reconcile.notify_one();
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
        if !left.is_empty() {
            tracing::info!(?left, "corosync members left");
        }
        sink.reconcile.notify_one();
    }
}
