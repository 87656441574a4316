//! The alert socket: where the alert agent hands over Pacemaker's alerts. Only root and the cluster
//! user (hacluster) may write to it (checked with SO_PEERCRED); malformed lines are logged and dropped.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Notify, mpsc, watch};

use super::known_nodes::KnownNodes;
use crate::alert::{Alert, AlertError, MAX_LINE};
use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;
use crate::daemon::net::cluster_users::Allowed;
use monitor_control::server::accept_loop;

/// How long an agent may take to write its line.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// Why an alert line was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The kernel would not say who connected.
    #[error("no peer credentials: {0}")]
    NoCredentials(std::io::Error),
    /// The sender is neither root nor hacluster.
    #[error("sender uid {0} is neither root nor hacluster")]
    Sender(u32),
    /// The sender did not finish its line within the read timeout.
    #[error("sender took longer than {READ_TIMEOUT:?}")]
    Slow,
    /// Reading the line failed.
    #[error("read failed: {0}")]
    Read(std::io::Error),
    /// The line is not an alert.
    #[error(transparent)]
    Malformed(#[from] AlertError),
}

/// Accepts alert connections until shutdown.
pub async fn run(
    listener: UnixListener,
    allowed: Allowed,
    engine: mpsc::UnboundedSender<Request>,
    reconcile: Arc<Notify>,
    known: Arc<KnownNodes>,
    health: Arc<Health>,
    shutdown: watch::Receiver<bool>,
) {
    accept_loop(listener, "alert", shutdown, |stream| {
        let engine = engine.clone();
        let reconcile = Arc::clone(&reconcile);
        let known = Arc::clone(&known);
        let health = Arc::clone(&health);
        async move {
            match receive(stream, allowed).await {
                Ok(alert) => accept(alert, &engine, &reconcile, &known, &health),
                Err(reason) => {
                    tracing::warn!(%reason, "alert refused");
                    health.update(|h| h.alerts_refused += 1);
                }
            }
        }
    })
    .await;
}

async fn receive(mut stream: UnixStream, allowed: Allowed) -> Result<Alert, Refusal> {
    let uid = stream.peer_cred().map_err(Refusal::NoCredentials)?.uid();
    if !allowed.permits(uid) {
        return Err(Refusal::Sender(uid));
    }
    let mut line = Vec::with_capacity(512);
    let limit = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
    let mut limited = (&mut stream).take(limit);
    tokio::time::timeout(READ_TIMEOUT, limited.read_to_end(&mut line))
        .await
        .map_err(|_| Refusal::Slow)?
        .map_err(Refusal::Read)?;
    Ok(Alert::decode(&line)?)
}

fn accept(
    alert: Alert,
    engine: &mpsc::UnboundedSender<Request>,
    reconcile: &Notify,
    known: &KnownNodes,
    health: &Health,
) {
    match alert.event() {
        Ok(Some(event)) => {
            tracing::info!(kind = alert.kind(), ?event, "alert");
            let _ = engine.send(Request::Event(event));
            health.update(|h| h.alerts_accepted += 1);
        }
        Ok(None) => {
            tracing::debug!(kind = alert.kind(), "alert with nothing for the engine");
            health.update(|h| h.alerts_accepted += 1);
        }
        Err(error) => {
            tracing::warn!(%error, "malformed alert");
            health.update(|h| h.alerts_refused += 1);
        }
    }
    // An alert that may change what the monitor sees is worth a look at all of Pacemaker's state;
    // one about anything else (another resource, an attribute) costs nothing more.
    if alert.concerns(|node| known.contains(node)) {
        reconcile.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(vars: &[(&str, &str)]) -> Alert {
        Alert::from_env(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    /// Whether accepting the alert asked for a reconcile.
    async fn reconciles(alert: Alert) -> bool {
        let (engine, _events) = mpsc::unbounded_channel();
        let reconcile = Notify::new();
        let known = KnownNodes::default();
        known.set(["compute1".to_owned()]);
        accept(alert, &engine, &reconcile, &known, &Health::default());
        tokio::time::timeout(Duration::ZERO, reconcile.notified())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn an_alert_about_nothing_the_monitor_watches_costs_no_reconcile() {
        let resource = |rsc| {
            alert(&[
                ("CRM_alert_kind", "resource"),
                ("CRM_alert_node", "ctl1"),
                ("CRM_alert_rsc", rsc),
                ("CRM_alert_task", "monitor"),
            ])
        };
        assert!(!reconciles(resource("haproxy")).await);
        let attribute = alert(&[("CRM_alert_kind", "attribute"), ("CRM_alert_node", "ctl1")]);
        assert!(!reconciles(attribute).await);
        assert!(reconciles(resource("compute1")).await);
        let lost = alert(&[
            ("CRM_alert_kind", "node"),
            ("CRM_alert_node", "compute1"),
            ("CRM_alert_desc", "lost"),
        ]);
        assert!(reconciles(lost).await);
    }
}
