//! Test support (feature `fake`, never in a shipped build): a tiny in-process HTTP/1.1 server
//! on loopback for tests of the Keystone and Masakari clients and of the monitors that use them.
//! No real Keystone runs on this machine (the lab's Masakari API runs with noauth2), so
//! Keystone's side of a login is played by a handler written after Keystone's API reference.
//! Like test code, it panics when the loopback socket cannot be had.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpListener;

use crate::notification::{HostPayload, Notification, NotificationId};
use crate::time::Timestamp;

/// A `STOPPED`/`OFFLINE`/`NORMAL` notification about `host` (episode 1, a fixed time).
pub fn notification(host: &str) -> Notification {
    Notification {
        id: NotificationId::new(host, 1, "stopped-normal"),
        hostname: host.into(),
        generated_time: Timestamp::from_unix(1_700_000_000, 0),
        payload: HostPayload::STOPPED_FENCED,
    }
}

/// A request as the fake saw it (header names lower-cased).
#[derive(Debug, Clone)]
pub struct Seen {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path, e.g. `/v1/notifications`.
    pub path: String,
    /// The headers, by lower-cased name.
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: String,
}

/// An answer: status, extra headers, body.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Headers besides `content-length` and `content-type` (JSON).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: String,
}

impl Reply {
    /// An answer with this status and body.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The answer with one more header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A running fake: its base URL and what it was sent.
pub struct Fake {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// The requests so far.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    /// Serves `handler` on a fresh loopback port until the test's runtime ends.
    pub async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_at("127.0.0.1:0", handler).await
    }

    /// Serves `handler` at `address` (e.g. a port nothing listened on until now: an API that
    /// comes back) until the test's runtime ends.
    pub async fn start_at(
        address: &str,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(address).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, handler) = (Arc::clone(&log), Arc::clone(&handler));
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    while let Some(request) = read_request(&mut reader).await {
                        let reply = handler(&request);
                        log.lock().unwrap().push(request);
                        let mut head = format!(
                            "HTTP/1.1 {} X\r\ncontent-length: {}\r\ncontent-type: application/json\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        for (name, value) in &reply.headers {
                            head.push_str(&format!("{name}: {value}\r\n"));
                        }
                        head.push_str("\r\n");
                        head.push_str(&reply.body);
                        if write.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { url, seen }
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Seen> {
    let mut line = String::new();
    reader.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Seen {
        method,
        path,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}
