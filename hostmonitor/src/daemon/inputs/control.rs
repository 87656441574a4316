//! The control socket: `status` (for operators and the OCF agent's monitor) and `release` (lets out
//! notifications held by the mass-failure guard; root only). One request line, one JSON line back.

use std::path::Path;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::control::client::TIMEOUT;
use crate::control::{self, Answer, Released};
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
    let answer = match line.parse() {
        Ok(control::Request::Status) => status(&engine).await,
        Ok(control::Request::Release) if uid == Some(0) => {
            let _ = engine.send(Request::Event(Event::Command(Command::ReleaseHold)));
            tracing::warn!("operator released the mass-failure hold");
            Answer::Released(Released { released: true })
        }
        Ok(control::Request::Release) => Answer::error("only root may release held notifications"),
        Err(unknown) => Answer::error(unknown.to_string()),
    };
    let _ = write.write_all(answer.to_line().as_bytes()).await;
}

async fn status(engine: &mpsc::UnboundedSender<Request>) -> Answer {
    let stopped = || Answer::error("the engine has stopped");
    let (tx, rx) = oneshot::channel();
    if engine.send(Request::Status(tx)).is_err() {
        return stopped();
    }
    rx.await
        .map_or_else(|_| stopped(), |status| Answer::Status(Box::new(status)))
}

/// Binds the control socket (mode 0660, group haclient).
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    crate::daemon::net::unix_socket::bind(path, 0o660, Some("haclient"))
}
