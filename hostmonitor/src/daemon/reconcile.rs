//! The safety net under alerts: read Pacemaker's view of every node (and the fencer's history) at start,
//! after every alert and every `reconcile_interval`, and hand it to the engine as a snapshot.

use std::sync::Arc;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::{Notify, mpsc, watch};

use super::engine_task::Request;
use super::health::Health;
use super::now;
use super::process::output;
use super::snapshot;
use crate::engine::Event;

/// Runs reconciles until shutdown: every `interval`, and at once when `wake` is notified.
pub async fn run(
    local_node: String,
    interval: Duration,
    wake: Arc<Notify>,
    engine: mpsc::UnboundedSender<Request>,
    health: Arc<Health>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        reconcile_once(&local_node, &engine, &health).await;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn reconcile_once(
    local_node: &str,
    engine: &mpsc::UnboundedSender<Request>,
    health: &Health,
) {
    let taken_at = now();
    let result = match crm_mon().await {
        Ok(xml) => snapshot::from_crm_mon(&xml, local_node, taken_at).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    health.reconciled(result.is_ok());
    match result {
        Ok(snapshot) => {
            health.update(|h| {
                h.cib_ok = Some(true);
                h.cib_error = None;
            });
            let _ = engine.send(Request::Event(Event::Snapshot(snapshot)));
        }
        Err(error) => {
            let first = health.view().cib_ok != Some(false);
            if first {
                tracing::warn!(%error, "reconcile failed; alerts still count, retrying");
            } else {
                tracing::debug!(%error, "reconcile failed again");
            }
            health.update(|h| {
                h.cib_ok = Some(false);
                h.cib_error = Some(error);
            });
        }
    }
}

async fn crm_mon() -> Result<String, String> {
    output(Command::new("crm_mon").args(["-1", "--output-as=xml", "--fence-history=2"])).await
}

/// This node's name in the cluster, as `crm_node -n` says.
pub async fn local_node_name() -> Result<String, String> {
    let name = output(Command::new("crm_node").arg("-n")).await?;
    let name = name.trim();
    if name.is_empty() {
        return Err("crm_node -n printed no name".to_owned());
    }
    Ok(name.to_owned())
}
