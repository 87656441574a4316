//! The control socket: `status` (for operators and the OCF agent's monitor), `release` (lets out
//! notifications held by the mass-failure guard) and `dismiss` (drops a host's pending
//! notifications); the last two root only. One request line, one JSON line back.

use std::path::Path;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::control::client::TIMEOUT;
use crate::control::{self, Answer, Dismissed, Released};
use crate::daemon::engine_task::{Answered, Request};
use crate::engine::{Command, Event, Report};
use monitor_control::server::accept_loop;

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
        Ok(control::Request::Dismiss(asked)) if uid == Some(0) => {
            tracing::warn!(host = asked.host(), process = asked.process(), episode = ?asked.episode(), "operator asks to dismiss notifications");
            dismiss(&engine, asked).await
        }
        Ok(control::Request::Dismiss(_)) => Answer::error("only root may dismiss notifications"),
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

async fn dismiss(engine: &mpsc::UnboundedSender<Request>, asked: control::Dismiss) -> Answer {
    let (host, episode) = (asked.host().to_owned(), asked.episode());
    let command = match asked.process() {
        Some(process) => Command::DismissProcess {
            host,
            process: process.to_owned(),
            episode,
        },
        None => Command::Dismiss { host, episode },
    };
    let (reply, answered) = oneshot::channel();
    if engine.send(Request::Command { command, reply }).is_err() {
        return Answer::error("the engine has stopped");
    }
    match answered.await {
        Ok(Answered {
            report:
                Some(Report::Dismissed {
                    host,
                    process,
                    episode,
                    dropped,
                    in_flight,
                }),
            durable,
        }) => Answer::Dismissed(Dismissed {
            host,
            process,
            episode,
            dropped,
            in_flight,
            durable,
        }),
        Ok(Answered {
            report: Some(refused),
            ..
        }) => Answer::error(refused.to_string()),
        Ok(Answered { report: None, .. }) | Err(_) => Answer::error("the engine did not answer"),
    }
}

/// Binds the control socket (mode 0660, group haclient).
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    monitor_control::server::bind(path, 0o660, Some("haclient"))
}
