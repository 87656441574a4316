//! The control socket: `status` (for operators and the OCF agent's monitor) and `release` (lets out
//! notifications held by the mass-failure guard; root only). One request line, one JSON line back.

use std::path::Path;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::control_client::TIMEOUT;
use crate::daemon::engine_task::Request;
use crate::daemon::net::unix_socket::accept_loop;
use crate::engine::{Command, Event};

/// Serves control requests until shutdown.
pub async fn run(
    listener: UnixListener,
    engine: mpsc::UnboundedSender<Request>,
    shutdown: watch::Receiver<bool>,
) {
    accept_loop(listener, "control", shutdown, |stream| {
        let engine = engine.clone();
        async move {
            if tokio::time::timeout(TIMEOUT, serve(stream, engine))
                .await
                .is_err()
            {
                tracing::debug!("control client timed out");
            }
        }
    })
    .await;
}

async fn serve(stream: UnixStream, engine: mpsc::UnboundedSender<Request>) {
    let uid = stream.peer_cred().map(|c| c.uid()).ok();
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(256));
    if reader.read_line(&mut line).await.is_err() {
        return;
    }
    let answer = match line.trim() {
        "status" => status(&engine).await,
        "release" if uid == Some(0) => {
            let _ = engine.send(Request::Event(Event::Command(Command::ReleaseHold)));
            tracing::warn!("operator released the mass-failure hold");
            serde_json::json!({"released": true})
        }
        "release" => serde_json::json!({"error": "only root may release held notifications"}),
        other => serde_json::json!({"error": format!("unknown request {other:?}")}),
    };
    let mut text = answer.to_string();
    text.push('\n');
    let _ = write.write_all(text.as_bytes()).await;
}

async fn status(engine: &mpsc::UnboundedSender<Request>) -> serde_json::Value {
    let (tx, rx) = oneshot::channel();
    if engine.send(Request::Status(tx)).is_err() {
        return serde_json::json!({"error": "the engine has stopped"});
    }
    rx.await
        .unwrap_or_else(|_| serde_json::json!({"error": "the engine has stopped"}))
}

/// Binds the control socket (mode 0660, group haclient).
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    crate::daemon::net::unix_socket::bind(path, 0o660, Some("haclient"))
}
