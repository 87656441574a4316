//! The control socket, daemon side: one request line in, one JSON line out
//! ([`crate::control`]); each client on its own task, within [`TIMEOUT`].

use std::path::Path;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};

use monitor_control::server::{self, accept_loop};

use crate::control::client::TIMEOUT;
use crate::control::{Answer, Request, StatusAnswer};

/// A request for the status, answered by the daemon's loop.
pub type StatusRequest = oneshot::Sender<StatusAnswer>;

/// Binds the control socket (replacing a stale one), mode 0660, root's group: only root (the
/// operator, the OCF agent) asks.
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    server::bind(path, 0o660, None)
}

/// Serves control requests until shutdown, each client within [`TIMEOUT`].
pub async fn run(
    listener: UnixListener,
    status: mpsc::UnboundedSender<StatusRequest>,
    shutdown: watch::Receiver<bool>,
) {
    accept_loop(listener, "control", shutdown, |stream| {
        let status = status.clone();
        async move {
            if tokio::time::timeout(TIMEOUT, serve(stream, status))
                .await
                .is_err()
            {
                tracing::debug!("control client timed out");
            }
        }
    })
    .await;
}

async fn serve(stream: UnixStream, status: mpsc::UnboundedSender<StatusRequest>) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    if BufReader::new(read.take(256))
        .read_line(&mut line)
        .await
        .is_err()
    {
        return;
    }
    let answer = match line.parse() {
        Ok(Request::Status) => ask(&status).await.map_or_else(
            || Answer::error("the daemon is stopping"),
            |s| Answer::Status(Box::new(s)),
        ),
        Err(unknown) => Answer::error(unknown.to_string()),
    };
    let _ = write.write_all(answer.to_line().as_bytes()).await;
}

/// The daemon loop's status, unless it has stopped.
pub async fn ask(status: &mpsc::UnboundedSender<StatusRequest>) -> Option<StatusAnswer> {
    let (tx, rx) = oneshot::channel();
    status.send(tx).ok()?;
    rx.await.ok()
}
