//! The metrics endpoint: plain HTTP/1.1 on a TCP socket (localhost by default), `GET /metrics`
//! only, one response per connection, at most [`MAX_CLIENTS`] at once, each within [`TIMEOUT`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// How long one client may take to send its request and read the answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest request head read.
const MAX_HEAD: usize = 8192;
/// Clients served at once; more are dropped (the endpoint may listen beyond localhost).
pub const MAX_CLIENTS: usize = 16;

/// Opens the endpoint at `address` (`None`: disabled, `[metrics] listen` empty). A port that
/// cannot be had is logged and the daemon runs without metrics: monitoring matters more than
/// its statistics.
pub async fn bind(address: Option<SocketAddr>) -> Option<TcpListener> {
    let Some(address) = address else {
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

/// Serves scrapes with the text `scrape` renders, until shutdown (at once returns when there is
/// no endpoint).
pub async fn run<F, Fut>(
    listener: Option<TcpListener>,
    scrape: F,
    mut shutdown: watch::Receiver<bool>,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = String> + Send + 'static,
{
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
        let text = scrape();
        tokio::spawn(async move {
            if tokio::time::timeout(TIMEOUT, serve(stream, text))
                .await
                .is_err()
            {
                tracing::debug!("metrics client timed out");
            }
            drop(permit);
        });
    }
}

async fn serve(mut stream: TcpStream, text: impl Future<Output = String>) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    let response = match request_line(&head) {
        Some(("GET" | "HEAD", "/metrics")) => response(
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            &text.await,
            head.starts_with("HEAD"),
        ),
        Some(("GET" | "HEAD", _)) => {
            response("404 Not Found", "text/plain", "try /metrics\n", false)
        }
        Some(_) => response("405 Method Not Allowed", "text/plain", "GET only\n", false),
        None => response("400 Bad Request", "text/plain", "bad request\n", false),
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
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

    /// What a client sending `request` to the endpoint at `addr` reads back.
    async fn fetch(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn serves_the_scrape_and_refuses_the_rest() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_stop, stopped) = watch::channel(false);
        let scrape = || async { "p_up 1\n".to_owned() };
        tokio::spawn(run(Some(listener), scrape, stopped));
        let answer = fetch(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("text/plain; version=0.0.4"), "{answer}");
        assert!(answer.ends_with("\r\n\r\np_up 1\n"), "{answer}");
        let head = fetch(addr, b"HEAD /metrics HTTP/1.1\r\n\r\n").await;
        assert!(
            head.ends_with("content-length: 0\r\nconnection: close\r\n\r\n"),
            "{head}"
        );
        let other = fetch(addr, b"GET / HTTP/1.1\r\n\r\n").await;
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        let post = fetch(addr, b"POST /metrics HTTP/1.1\r\n\r\n").await;
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
        let junk = fetch(addr, b"\x00\x01\r\n\r\n").await;
        assert!(junk.starts_with("HTTP/1.1 400"), "{junk}");
    }
}
