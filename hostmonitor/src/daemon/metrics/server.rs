//! The metrics endpoint: plain HTTP/1.1 on a TCP socket (localhost by default), `GET /metrics`
//! only, one response per connection. Small enough to need no HTTP server library.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::Gauges;
use crate::daemon::engine_task::Request;
use crate::daemon::health::Health;

/// How long one client may take to send its request and read the answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest request head read.
const MAX_HEAD: usize = 8192;
/// Clients served at once; more are dropped (the endpoint may listen beyond localhost).
const MAX_CLIENTS: usize = 16;

/// Opens the endpoint, unless `[metrics] listen` is empty. A port that cannot be had is logged and
/// the daemon runs without metrics: monitoring matters more than its statistics.
pub async fn bind(settings: &crate::settings::Metrics) -> Option<TcpListener> {
    let Some(address) = settings.address() else {
        tracing::info!("metrics endpoint disabled ([metrics] listen is empty)");
        return None;
    };
    match TcpListener::bind(address).await {
        Ok(listener) => {
            tracing::info!("metrics on http://{address}/metrics");
            Some(listener)
        }
        Err(error) => {
            tracing::warn!(%error, %address, "cannot open the metrics endpoint; running without it");
            None
        }
    }
}

/// Serves scrapes until shutdown (at once returns when there is no endpoint).
pub async fn run(
    listener: Option<TcpListener>,
    health: Arc<Health>,
    engine: mpsc::UnboundedSender<Request>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(listener) = listener else {
        return;
    };
    let clients = Arc::new(Semaphore::new(MAX_CLIENTS));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::debug!(%error, "metrics accept failed");
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let Ok(permit) = Arc::clone(&clients).try_acquire_owned() else {
            tracing::debug!("too many metrics clients at once; dropping one");
            continue;
        };
        let (health, engine) = (Arc::clone(&health), engine.clone());
        tokio::spawn(async move {
            if tokio::time::timeout(TIMEOUT, serve(stream, &health, &engine))
                .await
                .is_err()
            {
                tracing::debug!("metrics client timed out");
            }
            drop(permit);
        });
    }
}

async fn serve(mut stream: TcpStream, health: &Health, engine: &mpsc::UnboundedSender<Request>) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    let response = match request_line(&head) {
        Some(("GET" | "HEAD", "/metrics")) => {
            let text = scrape(health, engine).await;
            response(
                "200 OK",
                "text/plain; version=0.0.4; charset=utf-8",
                &text,
                head.starts_with("HEAD"),
            )
        }
        Some(("GET" | "HEAD", _)) => {
            response("404 Not Found", "text/plain", "try /metrics\n", false)
        }
        Some(_) => response("405 Method Not Allowed", "text/plain", "GET only\n", false),
        None => response("400 Bad Request", "text/plain", "bad request\n", false),
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
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

/// Reads up to the blank line ending the request head (bounded).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    String::from_utf8(head).ok()
}

/// Method and path (without a query) of the request line.
fn request_line(head: &str) -> Option<(&str, &str)> {
    let mut words = head.lines().next()?.split_whitespace();
    let method = words.next()?;
    let target = words.next()?;
    words.next()?.starts_with("HTTP/").then_some(())?;
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    Some((method, path))
}

fn response(status: &str, content_type: &str, body: &str, head_only: bool) -> String {
    let body = if head_only { "" } else { body };
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            request_line("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(("GET", "/metrics"))
        );
        assert_eq!(
            request_line("GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
            Some(("GET", "/metrics"))
        );
        assert_eq!(request_line("GET /metrics\r\n\r\n"), None);
        assert_eq!(request_line("\r\n\r\n"), None);
    }

    async fn fetch(addr: std::net::SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
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
        let answer = fetch(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("text/plain; version=0.0.4"), "{answer}");
        for line in [
            "masakari_hostmonitor_alerts_received_total 7\n",
            "masakari_hostmonitor_notifications_pending 1\n",
            "masakari_hostmonitor_lost_hosts 1\n",
            "masakari_hostmonitor_watched_hosts 2\n",
            "masakari_hostmonitor_quorate 1\n",
        ] {
            assert!(answer.contains(line), "{line}: {answer}");
        }
        let other = fetch(addr, b"GET / HTTP/1.1\r\n\r\n").await;
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        let post = fetch(addr, b"POST /metrics HTTP/1.1\r\n\r\n").await;
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
        let junk = fetch(addr, b"\x00\x01\r\n\r\n").await;
        assert!(junk.starts_with("HTTP/1.1 400"), "{junk}");
    }
}
