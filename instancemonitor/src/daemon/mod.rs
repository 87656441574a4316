//! The daemon (`masakari-instancemonitor run`): libvirt's events to Masakari, through the
//! durable outbox.
//!
//! ```text
//!  thread "libvirt" (blocking, std)            │  main thread: a current-thread tokio runtime
//!                                              │
//!  driver ─ Connection ─ Engine ─ News ─ mpsc ─┼─> Daemon loop ─ Delivery step ─┬─ Persist ─> state file (fsync)
//!  (socket read with a timeout =               │   (task.rs)                    ├─ Send ────> Client::send (task) ─┐
//!   the nearest keepalive/reconnect deadline)  │        ▲  ▲  ▲                 └─ Report ──> logs, metrics        │
//!                                              │        │  │  └── retry timer (the outbox's next due time)         │
//!                                              │        │  └───── outcome ────────────────────────────────────────┘
//!                                              │        └──────── status: control socket, metrics endpoint
//! ```
//!
//! # Threads, and why
//!
//! Two threads. The libvirt side is the blocking [driver](crate::driver): one socket, one
//! thread, no runtime; it reads with a timeout set to its state machines' nearest deadline
//! (keepalive, reconnect backoff), so an idle monitor wakes only for libvirt's own keepalive
//! pings. The Masakari client is async (reqwest on tokio), so everything else runs on one
//! current-thread runtime on the main thread: the daemon loop, the sends, the control socket and
//! the metrics endpoint. The libvirt thread hands over owned values through an unbounded channel
//! and never waits for the other side, so a slow or unreachable API cannot delay reading libvirt
//! (and libvirt's keepalive), and a libvirt outage cannot delay delivery. A multi-threaded
//! runtime would add a thread per core for nothing; running the driver on the runtime would mean
//! an async copy of it. Timers come only from deadlines: the outbox's next retry, the
//! connection's keepalive and the engine's reconnect; nothing polls.
//!
//! # Delivery
//!
//! The [delivery step](crate::delivery) decides; this module carries out its steps in order,
//! but for one overlap: each notification is written to `[paths] state_file` (temporary file,
//! fsync, rename, fsync of the directory, on the blocking pool) while its POST goes out, and no
//! further input (the API's answer among them) is taken until the write is on disk. The fsyncs
//! were two thirds of the monitor's own event -> POST time (BENCHMARKS.md); a kill during them
//! loses the notification either way. A monitor killed with one pending sends it once after
//! its restart (a second POST of one the API stored is answered 409: it keeps its
//! `generated_time`). If the file cannot be written the notification is sent anyway (an error is
//! logged and counted): a disk failure must not also cost the evacuation. The API being down
//! never stops the daemon; nor does libvirt being down: it reconnects with backoff and
//! reconciles.

mod control;
mod libvirt;
mod metrics;
pub mod state_file;
mod task;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use masakari_client::Client;
use masakari_client::http::HttpError;
use tokio::sync::{mpsc, watch};

use crate::control::{DomainsView, LibvirtView};
use crate::delivery::Delivery;
use crate::settings::Settings;
use crate::uri::UriError;
pub use state_file::StateError;
pub use task::now;
use task::{Daemon, Inputs};

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// `[libvirt] uri` is not one this monitor can use.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// The state file could not be read.
    #[error(transparent)]
    State(#[from] StateError),
    /// The HTTP client could not be made (e.g. the CA file).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The control socket could not be bound.
    #[error("cannot listen on the control socket {}: {source}", path.display())]
    ControlSocket {
        /// The socket.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or the libvirt thread could not be started.
    #[error("cannot start the daemon's {what}: {source}")]
    Start {
        /// Which part.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs the daemon until `shutdown` completes.
pub fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), DaemonError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| DaemonError::Start {
            what: "runtime",
            source,
        })?;
    runtime.block_on(serve(settings, shutdown))
}

async fn serve(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), DaemonError> {
    let hostname = settings.hostname();
    let target = settings.target()?;
    let paths = &settings.paths;
    let record = state_file::read(&paths.state_file)?;
    tracing::info!(
        hostname,
        state_file = %paths.state_file.display(),
        pending = record.outbox.len(),
        "starting"
    );
    let client = Arc::new(Client::new(&settings.masakari, "masakari-instancemonitor")?);
    let login = Arc::clone(&client);
    let retry = settings.retry();
    tokio::spawn(async move { login.keep_logged_in(retry).await });
    let listener =
        control::bind(&paths.control_socket).map_err(|source| DaemonError::ControlSocket {
            path: paths.control_socket.clone(),
            source,
        })?;
    let metrics_listener = masakari_metrics::server::bind(settings.metrics.address()).await;
    let (news_tx, news) = mpsc::unbounded_channel();
    let (outcomes_tx, outcomes) = mpsc::unbounded_channel();
    let (status_tx, status) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let metrics = Arc::new(metrics::Metrics::default());
    tokio::spawn(control::run(listener, status_tx.clone(), stopped.clone()));
    let scrape = {
        let metrics = Arc::clone(&metrics);
        move || {
            let (metrics, status) = (Arc::clone(&metrics), status_tx.clone());
            async move {
                let answer = control::ask(&status).await;
                answer.map(|s| metrics.render(&s)).unwrap_or_default()
            }
        }
    };
    tokio::spawn(masakari_metrics::server::run(
        metrics_listener,
        scrape,
        stopped,
    ));
    let daemon = Daemon {
        delivery: Delivery::new(&hostname, settings.retry(), record),
        hostname,
        state_file: paths.state_file.clone(),
        client,
        outcomes: outcomes_tx,
        metrics,
        libvirt: LibvirtView {
            connected: false,
            uri: settings.libvirt.uri.clone(),
            socket: None,
            last_error: None,
            connects: 0,
        },
        domains: DomainsView::default(),
    };
    libvirt::spawn(target, news_tx).map_err(|source| DaemonError::Start {
        what: "libvirt thread",
        source,
    })?;
    daemon
        .run(
            Inputs {
                news,
                outcomes,
                status,
            },
            shutdown,
        )
        .await;
    tracing::info!("stopping");
    let _ = stop.send(true);
    let _ = std::fs::remove_file(&paths.control_socket);
    Ok(())
}
