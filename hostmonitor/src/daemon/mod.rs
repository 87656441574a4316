//! The daemon: sources feed the engine, the engine's actions are carried out.
//!
//! ```text
//!  inputs/                                                       outputs/
//!  alert agent ──unix socket──> alert_socket ─┐
//!  corosync quorum (reconnects) ─> quorum ────┼─> engine_task (Engine) ─┬─> store (cluster record)
//!  crm_mon every few s / on wake ─> reconcile ┘        ▲               ├─> delivery ─> Masakari API
//!  masakari-hostmonitor status ──> control ────────────┘               └─> power (IPMI check)
//!  Prometheus GET /metrics ──> metrics (reads health, counters, engine status)
//! ```
//!
//! Before it starts, the monitor takes the cluster's lease (`owner`): a second active monitor in
//! the cluster refuses to start, or stops if two started at once.
//!
//! `inputs/` turn a source into engine requests, `outputs/` carry out the engine's actions, `net/`
//! is the socket and child-process plumbing both use; `health` and `metrics` are what the daemon
//! says of itself, `check` the one-shot `masakari-hostmonitor check`. The pure parts live outside
//! the daemon: the engine (`crate::engine`) and the crm_mon reading (`crate::snapshot`).
//!
//! Every task ends when the caller's shutdown future completes (SIGTERM or SIGINT from the command
//! line, as mini-redis takes its shutdown); the record is written before anything it covers goes
//! out, so stopping at any point loses nothing. The engine task and the lease alone may end the daemon early:
//! when the cluster's record turns out newer than the one it resumed from, or another monitor holds
//! the lease.

mod check;
mod engine_task;
mod error;
mod health;
mod inputs;
mod metrics;
mod net;
mod outputs;
mod owner;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Notify, mpsc, watch};

pub use check::{Finding, Verdict, check, process_list};
pub use error::DaemonError;

use crate::engine::{Engine, Timestamp};
use crate::settings::Settings;
use engine_task::EngineTask;
use error::io_error;
use health::Health;
use inputs::known_nodes::KnownNodes;
use inputs::{alert_socket, control, quorum, reconcile};
use monitor_control::server as unix_socket;
use outputs::{attrd::AttrdUpdater, delivery, power, store::Store};
use owner::{Claim, Lease, Timing};

/// The current time, as the engine counts it.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// Runs the daemon until `shutdown` completes (the command line passes SIGTERM or SIGINT; tests may
/// pass any future). The record is written before what it covers goes out, so the daemon may stop
/// at any time.
pub fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), DaemonError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DaemonError::Runtime)?;
    runtime.block_on(serve(settings, shutdown))
}

async fn serve(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), DaemonError> {
    let mut store = Store::open(&settings.paths.state_file, AttrdUpdater)?;
    let mut config = settings.engine_config();
    let local_node = match config.local_node.clone() {
        Some(name) => name,
        None => local_node_or_hostname().await,
    };
    config.local_node = Some(local_node.clone());
    let retry = config.retry;
    let mut lease = Lease::new(AttrdUpdater, Claim::own(&local_node), Timing::DEFAULT);
    lease.claim().await?;
    let engine = match store.load().await? {
        Some(record) => Engine::restore(config, record).map_err(|e| DaemonError::State {
            path: settings.paths.state_file.clone(),
            source: e.into(),
        })?,
        None => Engine::new(config),
    };
    let health = Arc::new(Health::default());
    let delivery = Arc::new(delivery::Delivery::new(
        &settings.masakari,
        Arc::clone(&health),
    )?);
    let login = Arc::clone(&delivery);
    tokio::spawn(async move { login.keep_logged_in(retry).await });
    let alerts = unix_socket::bind(&settings.paths.alert_socket, 0o660, Some("haclient"))
        .map_err(io_error(&settings.paths.alert_socket))?;
    let control = control::bind(&settings.paths.control_socket)
        .map_err(io_error(&settings.paths.control_socket))?;
    let metrics = metrics::server::bind(&settings.metrics).await;

    let (tx, rx) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let known = Arc::new(KnownNodes::default());
    let task = EngineTask {
        engine,
        store,
        delivery,
        power: Arc::new(power::PowerCheck),
        health: Arc::clone(&health),
        own: tx.clone(),
    };
    let interval = Duration::from_secs(settings.monitor.reconcile_interval);
    let cluster = net::cluster_users::Allowed::from_system();
    tracing::info!(
        local_node,
        endpoint = settings.masakari.endpoint,
        "host monitor running"
    );
    let (engine_stop, lease_stop) = (stopped.clone(), stopped.clone());
    let mut core = tokio::spawn(async move {
        let lease = async { lease.run(lease_stop).await.map_err(DaemonError::from) };
        tokio::try_join!(task.run(rx, engine_stop), lease).map(drop)
    });
    let tasks = [
        tokio::spawn(alert_socket::run(
            alerts,
            cluster,
            tx.clone(),
            Arc::clone(&wake),
            Arc::clone(&known),
            Arc::clone(&health),
            stopped.clone(),
        )),
        tokio::spawn(control::run(control, tx.clone(), stopped.clone())),
        tokio::spawn(quorum::run(
            tx.clone(),
            Arc::clone(&wake),
            Arc::clone(&health),
            stopped.clone(),
        )),
        tokio::spawn(metrics::server::run(
            metrics,
            Arc::clone(&health),
            tx.clone(),
            stopped.clone(),
        )),
        tokio::spawn(reconcile::run(
            reconcile::Scope {
                local_node,
                interval,
                processes: settings.processes.clone(),
                cluster,
            },
            wake,
            tx,
            health,
            known,
            stopped,
        )),
    ];
    let ended = tokio::select! {
        () = shutdown => None,
        ended = &mut core => Some(ended),
    };
    tracing::info!("stopping");
    let _ = stop.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let ended = match ended {
        Some(ended) => ended,
        None => core.await,
    };
    for path in [&settings.paths.alert_socket, &settings.paths.control_socket] {
        let _ = std::fs::remove_file(path);
    }
    ended.unwrap_or(Ok(()))
}

async fn local_node_or_hostname() -> String {
    match reconcile::local_node_name().await {
        Ok(name) => name,
        Err(error) => {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_default();
            tracing::warn!(%error, host, "crm_node -n failed; taking the hostname as this node's name");
            host
        }
    }
}
