//! The host monitor's metrics endpoint: the shared one ([`masakari_metrics::server`]) serving
//! [`scrape`]: the metrics with the engine's gauges.

use std::sync::Arc;

use masakari_metrics::server::{self, TIMEOUT};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

use super::Gauges;
use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;

/// Opens the endpoint, unless `[metrics] listen` is empty (see [`server::bind`]).
pub async fn bind(settings: &crate::settings::Metrics) -> Option<TcpListener> {
    server::bind(settings.address()).await
}

/// Serves scrapes until shutdown (at once returns when there is no endpoint).
pub async fn run(
    listener: Option<TcpListener>,
    health: Arc<Health>,
    engine: mpsc::UnboundedSender<Request>,
    shutdown: watch::Receiver<bool>,
) {
    let scrape = move || {
        let (health, engine) = (Arc::clone(&health), engine.clone());
        async move { scrape(&health, &engine).await }
    };
    server::run(listener, scrape, shutdown).await;
}

/// The metrics text, with the engine's gauges when it answers in time.
pub async fn scrape(health: &Health, engine: &mpsc::UnboundedSender<Request>) -> String {
    let (tx, rx) = oneshot::channel();
    let status = if engine.send(Request::Status(tx)).is_ok() {
        tokio::time::timeout(TIMEOUT / 2, rx)
            .await
            .ok()
            .and_then(Result::ok)
    } else {
        None
    };
    let gauges = status.as_ref().map(Gauges::from_status);
    health.metrics().render(&health.view(), gauges.as_ref())
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    async fn scraped(addr: std::net::SocketAddr) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        stream.write_all(request).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn serves_metrics_with_the_engine_gauges() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = Arc::new(Health::default());
        health.update(|h| h.alerts_accepted = 7);
        let (engine, mut requests) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Request::Status(reply)) = requests.recv().await {
                let _ = reply.send(crate::control::tests::sample());
            }
        });
        let (_stop, stopped) = watch::channel(false);
        tokio::spawn(run(Some(listener), health, engine, stopped));
        let answer = scraped(addr).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("text/plain; version=0.0.4"), "{answer}");
        for line in [
            "masakari_hostmonitor_alerts_received_total 7\n",
            "masakari_hostmonitor_notifications_pending 2\n",
            "masakari_hostmonitor_processes_gave_up 1\n",
            "masakari_hostmonitor_lost_hosts 1\n",
            "masakari_hostmonitor_watched_hosts 2\n",
            "masakari_hostmonitor_quorate 1\n",
        ] {
            assert!(answer.contains(line), "{line}: {answer}");
        }
    }
}
