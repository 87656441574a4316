//! The libvirt side on its own thread: the blocking [driver](crate::driver) (one socket, read
//! with a timeout set to the nearest keepalive or reconnect deadline) forwards what it finds to
//! the daemon's runtime through a channel, and never waits for it.

use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::driver::{self, Note, Sink};
use crate::engine::VmNotification;
use crate::uri::Target;

/// What the libvirt thread tells the daemon.
#[derive(Debug)]
pub enum News {
    /// Connected, registered for events and reconciled.
    Connected {
        /// The socket.
        socket: PathBuf,
    },
    /// The connection failed or ended; a reconnect follows.
    Lost {
        /// Why, for the operator.
        error: String,
    },
    /// The domains known.
    Domains {
        /// Known (defined or running).
        seen: usize,
        /// Of which active.
        active: usize,
    },
    /// A domain active before a reconnect is gone after it (logged only).
    Gone {
        /// Its name.
        name: String,
        /// Its UUID.
        uuid: String,
    },
    /// A notification the engine decided on.
    Notify(VmNotification),
}

/// Starts the thread; it ends when the daemon stops listening.
pub fn spawn(target: Target, news: mpsc::UnboundedSender<News>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("libvirt".to_owned())
        .spawn(move || {
            let mut sink = Forward(news);
            if let Err(error) = driver::watch(&target, &mut sink) {
                tracing::debug!(%error, "libvirt thread ends");
            }
        })
        .map(drop)
}

struct Forward(mpsc::UnboundedSender<News>);

impl Forward {
    fn send(&self, news: News) -> std::io::Result<()> {
        self.0
            .send(news)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Sink for Forward {
    fn notification(&mut self, notification: &VmNotification) -> std::io::Result<()> {
        self.send(News::Notify(notification.clone()))
    }

    fn note(&mut self, note: Note<'_>) -> std::io::Result<()> {
        self.send(match note {
            Note::Connected { socket, .. } => News::Connected {
                socket: socket.clone(),
            },
            Note::Lost(error) => News::Lost {
                error: error.to_string(),
            },
            Note::Domains { seen, active } => News::Domains { seen, active },
            Note::Gone { uuid, name } => News::Gone {
                name: name.to_owned(),
                uuid: uuid.to_string(),
            },
        })
    }
}
