//! The socket at the edge: a blocking unix socket driving [`Connection`] and [`Engine`].
//!
//! One thread, no runtime: read with a timeout set to the nearest deadline, feed the bytes
//! or the timeout to the connection, hand its events to the engine, carry out the
//! engine's actions. Everything it decides is decided in those two state machines.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::connection::{Connection, ConnectionError, ConnectionEvent};
use crate::engine::{Action, Engine, EngineConfig, Input, VmNotification};
use crate::rpc::domain::Uuid;
use crate::rpc::keepalive::KeepaliveConfig;
use crate::uri::Target;

/// Why talking to libvirt failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The socket could not be connected.
    #[error("cannot connect to libvirt at {socket}: {source}")]
    Connect {
        /// The socket.
        socket: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Reading or writing the socket failed.
    #[error("libvirt socket {socket}: {source}")]
    Io {
        /// The socket.
        socket: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The daemon closed the connection.
    #[error("libvirt at {socket} closed the connection")]
    Eof {
        /// The socket.
        socket: PathBuf,
    },
    /// The protocol failed.
    #[error("libvirt at {socket}: {source}")]
    Protocol {
        /// The socket.
        socket: PathBuf,
        /// Why.
        source: ConnectionError,
    },
    /// Set-up took longer than allowed.
    #[error("libvirt at {socket} did not finish setting up within {after:?}")]
    Timeout {
        /// The socket.
        socket: PathBuf,
        /// The limit.
        after: Duration,
    },
    /// Writing our own output failed.
    #[error("writing output: {0}")]
    Output(io::Error),
}

/// One open connection and its socket.
#[derive(Debug)]
pub struct Session {
    socket: PathBuf,
    stream: UnixStream,
    connection: Connection,
}

impl Session {
    /// Connects to `target` and starts the set-up.
    pub fn open(target: &Target, keepalive: KeepaliveConfig) -> Result<Self, DriverError> {
        let socket = target.socket.clone();
        let stream = UnixStream::connect(&socket).map_err(|source| DriverError::Connect {
            socket: socket.clone(),
            source,
        })?;
        let connection = Connection::new(&target.open_name, keepalive, Instant::now());
        Ok(Self {
            socket,
            stream,
            connection,
        })
    }

    /// Asks the daemon to close the connection.
    pub fn close(&mut self) {
        self.connection.close();
    }

    /// Runs I/O until the connection has news or `deadline` passes.
    pub fn turn(&mut self, deadline: Option<Instant>) -> Result<Vec<ConnectionEvent>, DriverError> {
        self.flush()?;
        let mut events: Vec<_> = std::iter::from_fn(|| self.connection.poll_event()).collect();
        if !events.is_empty() {
            return Ok(events);
        }
        self.read_once(deadline)?;
        self.flush()?;
        events.extend(std::iter::from_fn(|| self.connection.poll_event()));
        Ok(events)
    }

    fn read_once(&mut self, deadline: Option<Instant>) -> Result<(), DriverError> {
        let wake = [deadline, self.connection.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let wait = wake.map(|at| {
            at.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        self.stream.set_read_timeout(wait).map_err(|e| self.io(e))?;
        let mut buffer = [0u8; 64 * 1024];
        match self.stream.read(&mut buffer) {
            Ok(0) => Err(DriverError::Eof {
                socket: self.socket.clone(),
            }),
            Ok(n) => {
                let bytes = buffer.get(..n).unwrap_or_default();
                let result = self.connection.handle_bytes(Instant::now(), bytes);
                result.map_err(|e| self.protocol(e))
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let result = self.connection.handle_timeout(Instant::now());
                result.map_err(|e| self.protocol(e))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.io(e)),
        }
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        while let Some(bytes) = self.connection.poll_transmit() {
            self.stream.write_all(&bytes).map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    fn io(&self, source: io::Error) -> DriverError {
        DriverError::Io {
            socket: self.socket.clone(),
            source,
        }
    }

    fn protocol(&self, source: ConnectionError) -> DriverError {
        DriverError::Protocol {
            socket: self.socket.clone(),
            source,
        }
    }
}

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The socket reached.
    pub socket: PathBuf,
    /// Domains defined or running.
    pub domains: usize,
    /// Of which active.
    pub active: usize,
}

/// Connects, sets up exactly as the monitor does, counts the domains, closes.
pub fn check(target: &Target, limit: Duration) -> Result<CheckReport, DriverError> {
    let deadline = Instant::now() + limit;
    let mut session = Session::open(target, KeepaliveConfig::default())?;
    let timeout = || DriverError::Timeout {
        socket: target.socket.clone(),
        after: limit,
    };
    loop {
        if Instant::now() >= deadline {
            return Err(timeout());
        }
        for event in session.turn(Some(deadline))? {
            if let ConnectionEvent::Ready { domains } = event {
                session.close();
                let active = domains.iter().filter(|d| d.is_active()).count();
                let report = CheckReport {
                    socket: target.socket.clone(),
                    domains: domains.len(),
                    active,
                };
                return finish_close(session, deadline).map(|()| report);
            }
        }
    }
}

fn finish_close(mut session: Session, deadline: Instant) -> Result<(), DriverError> {
    while Instant::now() < deadline {
        match session.turn(Some(deadline)) {
            Ok(events) if events.contains(&ConnectionEvent::Closed) => return Ok(()),
            Ok(_) => {}
            Err(DriverError::Eof { .. }) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// News for the operator while watching.
#[derive(Debug)]
pub enum Note<'a> {
    /// Connected and reconciled.
    Connected {
        /// The socket.
        socket: &'a PathBuf,
        /// How many domains it has.
        domains: usize,
    },
    /// The connection failed or ended; a reconnect follows.
    Lost(&'a DriverError),
    /// The domains known changed (after a reconnect or an event).
    Domains {
        /// Known (defined or running).
        seen: usize,
        /// Of which active.
        active: usize,
    },
    /// A domain active before the link went down is gone at the reconnect (not reported).
    Gone {
        /// Its UUID.
        uuid: &'a Uuid,
        /// Its name.
        name: &'a str,
    },
}

/// Where [`watch`] puts what it finds.
pub trait Sink {
    /// A notification the monitor would send.
    fn notification(&mut self, notification: &VmNotification) -> io::Result<()>;
    /// Connection news.
    fn note(&mut self, note: Note<'_>) -> io::Result<()>;
}

/// Watches libvirt until the sink fails, reconnecting with backoff.
pub fn watch(target: &Target, sink: &mut impl Sink) -> Result<(), DriverError> {
    let mut engine = Engine::new(EngineConfig::default(), Instant::now());
    let mut session: Option<Session> = None;
    loop {
        if engine.on_timeout(Instant::now()).contains(&Action::Connect) {
            session = connect(target, &mut engine, sink)?;
        }
        let Some(open) = session.as_mut() else {
            sleep_until(engine.poll_timeout());
            continue;
        };
        match open.turn(engine.poll_timeout()) {
            Ok(events) => deliver(&mut engine, target, events, sink)?,
            Err(error) => {
                sink.note(Note::Lost(&error)).map_err(DriverError::Output)?;
                session = None;
                engine.on_event(Instant::now(), Input::Disconnected);
            }
        }
    }
}

fn connect(
    target: &Target,
    engine: &mut Engine,
    sink: &mut impl Sink,
) -> Result<Option<Session>, DriverError> {
    match Session::open(target, KeepaliveConfig::default()) {
        Ok(session) => Ok(Some(session)),
        Err(error) => {
            sink.note(Note::Lost(&error)).map_err(DriverError::Output)?;
            engine.on_event(Instant::now(), Input::Disconnected);
            Ok(None)
        }
    }
}

fn deliver(
    engine: &mut Engine,
    target: &Target,
    events: Vec<ConnectionEvent>,
    sink: &mut impl Sink,
) -> Result<(), DriverError> {
    if events.is_empty() {
        return Ok(());
    }
    for event in events {
        let input = match event {
            ConnectionEvent::Ready { domains } => {
                let note = Note::Connected {
                    socket: &target.socket,
                    domains: domains.len(),
                };
                sink.note(note).map_err(DriverError::Output)?;
                Input::Connected(domains)
            }
            ConnectionEvent::Domain(event) => Input::Event(event),
            ConnectionEvent::Closed => Input::Disconnected,
        };
        for action in engine.on_event(Instant::now(), input) {
            match action {
                Action::Notify(notification) => sink.notification(&notification),
                Action::Gone { uuid, name } => sink.note(Note::Gone {
                    uuid: &uuid,
                    name: &name,
                }),
                Action::Connect => Ok(()),
            }
            .map_err(DriverError::Output)?;
        }
    }
    let (seen, active) = engine.domains();
    sink.note(Note::Domains { seen, active })
        .map_err(DriverError::Output)
}

fn sleep_until(at: Option<Instant>) {
    let wait = at.map_or(Duration::from_secs(1), |at| {
        at.saturating_duration_since(Instant::now())
    });
    std::thread::sleep(wait);
}
