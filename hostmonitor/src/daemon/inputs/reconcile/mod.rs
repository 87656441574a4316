//! The safety net under alerts: read Pacemaker's view of every node (and the fencer's history) at start,
//! after every alert and every `reconcile_interval`, and hand it to the engine as a snapshot.
//!
//! A periodic reconcile first reads the CIB's version alone ([`version`]: one small query over a kept
//! connection to the CIB manager, the same size for 10 nodes or 1,000) and reads the rest only when
//! it moved ([`changes`]): an idle cluster
//! costs the same whatever its size, and a lost alert is still caught within one period, because
//! whatever the alert would have said changes the CIB.

mod changes;
mod version;

use std::sync::Arc;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::{Notify, mpsc, watch};

use super::known_nodes::KnownNodes;
use super::services::{self, Reading};
use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;
use crate::daemon::net::cluster_users::Allowed;
use crate::daemon::net::process::{ProcessError, output, output_unless};
use crate::daemon::now;
use crate::engine::{Event, Snapshot, Timestamp};
use crate::settings::Processes;
use crate::snapshot::{self, SnapshotError};
use changes::Changes;
use version::VersionSource;

/// The `node_state` of every Pacemaker Remote node in the CIB.
const REMOTE_NODE_STATES: &str = "/cib/status/node_state[@remote_node='true']";
/// `cibadmin`'s exit code when a query matches nothing (ENXIO).
pub(crate) const CIBADMIN_NO_MATCH: i32 = 105;

/// Why a reconcile, or the look-up of this node's name, failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// A cluster tool failed.
    #[error(transparent)]
    Tool(#[from] ProcessError),
    /// crm_mon's output (or the remote nodes' states) could not be used.
    #[error("crm_mon's view is unusable: {0}")]
    Snapshot(#[from] SnapshotError),
    /// The CIB (read for the watched services) could not be used.
    #[error("the CIB is unusable: {0}")]
    Cib(#[from] cib::Error),
    /// `crm_node -n` printed nothing.
    #[error("crm_node -n printed no name")]
    NoNodeName,
}

/// What a reconcile reads and how often.
pub struct Scope {
    /// This node's name in the cluster.
    pub local_node: String,
    /// Time between reconciles.
    pub interval: Duration,
    /// The watched compute services (read from the CIB after the snapshot, if any).
    pub processes: Processes,
    /// Who may serve the CIB manager's IPC.
    pub cluster: Allowed,
}

/// Runs reconciles until shutdown: every `interval`, and at once when `wake` is notified; each
/// one that works leaves the nodes it listed (and the watched resources) in `known`.
pub async fn run(
    scope: Scope,
    wake: Arc<Notify>,
    engine: mpsc::UnboundedSender<Request>,
    health: Arc<Health>,
    known: Arc<KnownNodes>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut changes = Changes::default();
    let mut version = VersionSource::new(scope.cluster, Arc::clone(&health));
    let mut woken = true;
    loop {
        let reads = Reads {
            changes: &mut changes,
            version: &mut version,
        };
        reconcile_once(&scope, woken, reads, &engine, &health, &known).await;
        woken = tokio::select! {
            _ = tokio::time::sleep(scope.interval) => false,
            _ = wake.notified() => true,
            _ = shutdown.changed() => return,
        };
    }
}

/// What one reconcile carries over from the last: the version last read in full, and where the
/// version is asked.
struct Reads<'a> {
    changes: &'a mut Changes,
    version: &'a mut VersionSource,
}

async fn reconcile_once(
    scope: &Scope,
    woken: bool,
    reads: Reads<'_>,
    engine: &mpsc::UnboundedSender<Request>,
    health: &Health,
    known: &KnownNodes,
) {
    let taken_at = now();
    let result = read_if_changed(scope, taken_at, woken, reads).await;
    match &result {
        Ok(None) => health.unchanged(),
        Ok(Some(_)) => health.reconciled(true),
        Err(_) => health.reconciled(false),
    }
    match result {
        Ok(None) => {}
        Ok(Some((snapshot, services))) => {
            health.update(|h| {
                h.cib_ok = Some(true);
                h.cib_error = None;
            });
            let resources = services.iter().flat_map(|s| s.resources.iter().cloned());
            known.set(
                snapshot
                    .nodes
                    .iter()
                    .map(|n| n.name.clone())
                    .chain(resources),
            );
            let _ = engine.send(Request::Event(Event::Snapshot(snapshot)));
            if let Some(reading) = services {
                let _ = engine.send(Request::Event(Event::Services(reading.views)));
            }
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
                h.cib_error = Some(error.to_string());
            });
        }
    }
}

/// The watched services, when something is watched; a failure is logged (the hosts' snapshot
/// still counts) and the services are judged again at the next reconcile.
async fn read_services(processes: &Processes, taken_at: Timestamp) -> Option<Reading> {
    if processes.is_empty() {
        return None;
    }
    match services::read(processes, taken_at).await {
        Ok(reading) => Some(reading),
        Err(error) => {
            tracing::warn!(%error, "reading the watched services failed; retrying at the next reconcile");
            None
        }
    }
}

/// The snapshot and the watched services, unless the reconcile is periodic and the CIB's version
/// has not moved since the last full read.
async fn read_if_changed(
    scope: &Scope,
    taken_at: Timestamp,
    woken: bool,
    reads: Reads<'_>,
) -> Result<Option<(Snapshot, Option<Reading>)>, ReconcileError> {
    let Reads { changes, version } = reads;
    let version = version.read().await?;
    if !changes.must_read(&version.tag, woken || version.new_connection) {
        return Ok(None);
    }
    let snapshot = read_snapshot(&scope.local_node, taken_at).await?;
    let services = read_services(&scope.processes, taken_at).await;
    changes.read(
        version.tag,
        scope.processes.is_empty() || services.is_some(),
    );
    Ok(Some((snapshot, services)))
}

/// Pacemaker's verdict (crm_mon), corrected by the controller's own record of which remote
/// connections are up (read first: a connection that comes up in between is seen next time).
async fn read_snapshot(local_node: &str, taken_at: Timestamp) -> Result<Snapshot, ReconcileError> {
    let remotes = remote_node_states().await?;
    let crm_mon = crm_mon().await?;
    Ok(snapshot::from_crm_mon(
        &crm_mon, &remotes, local_node, taken_at,
    )?)
}

/// `crm_mon`'s XML: every node's state and the fencer's history.
pub async fn crm_mon() -> Result<String, ProcessError> {
    output(Command::new("crm_mon").args(["-1", "--output-as=xml", "--fence-history=2"])).await
}

/// Every remote node's `node_state`, without its history; nothing when there is none.
pub async fn remote_node_states() -> Result<String, ProcessError> {
    let mut query = Command::new("cibadmin");
    query.args(["--query", "--no-children", "--xpath", REMOTE_NODE_STATES]);
    output_unless(&mut query, Some(CIBADMIN_NO_MATCH)).await
}

/// This node's name in the cluster, as `crm_node -n` says.
pub async fn local_node_name() -> Result<String, ReconcileError> {
    let name = output(Command::new("crm_node").arg("-n")).await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ReconcileError::NoNodeName);
    }
    Ok(name.to_owned())
}
