//! One connection to libvirtd as a sans-I/O state machine.
//!
//! ```text
//!  socket bytes ─> handle_bytes(now, ..) ─┐        ┌─> poll_transmit()  bytes for the socket
//!  deadline ─────> handle_timeout(now) ───┼─ State ┼─> poll_event()     Ready / Domain / Closed
//!                                         │        └─> poll_timeout()   when to call handle_timeout
//! ```
//!
//! The states are named for the reply each awaits, in the order libvirt's own remote
//! driver goes: authentication list (and polkit when that is all the socket offers), the
//! keepalive feature, the read-only open, one event registration per event id, the
//! persistent then the transient domain list, one state per domain, then `Ready`
//! where only events and keepalive flow. One call is outstanding at a time.

mod error;
mod setup;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Instant;

pub use error::ConnectionError;
pub use setup::DomainStatus;

use crate::rpc::calls::{CONNECT_RO, FEATURE_PROGRAM_KEEPALIVE, Int, OpenArgs};
use crate::rpc::events::DomainEvent;
use crate::rpc::keepalive::{self, Due, Keepalive, KeepaliveConfig};
use crate::rpc::message::{Framer, Header, Message, MessageType, Program, Status};
use crate::rpc::procedure::Procedure;
use crate::rpc::remote_error::RemoteError;
use crate::rpc::xdr::Xdr;
use setup::State;

/// What the connection tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// Set up: events are registered, and this is every domain with its state, taken
    /// after the registration (so nothing falls between the list and the events).
    Ready {
        /// Every domain, persistent and transient.
        domains: Vec<DomainStatus>,
    },
    /// A domain event.
    Domain(DomainEvent),
    /// `CONNECT_CLOSE` was answered: the socket may be closed.
    Closed,
}

/// One connection's protocol state; the socket is the caller's.
#[derive(Debug)]
pub struct Connection {
    state: State,
    uri: String,
    serial: u32,
    awaiting: Option<(u32, Procedure)>,
    framer: Framer,
    keepalive: Option<Keepalive>,
    pings_allowed: bool,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<ConnectionEvent>,
}

impl Connection {
    /// A connection that opens `uri` (`qemu:///system`) read-only, starting at `now`
    /// with its first call queued.
    pub fn new(uri: &str, keepalive: KeepaliveConfig, now: Instant) -> Self {
        let mut connection = Self {
            state: State::AwaitAuthList,
            uri: uri.to_owned(),
            serial: 0,
            awaiting: None,
            framer: Framer::default(),
            keepalive: Some(Keepalive::new(keepalive, now)),
            pings_allowed: false,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        };
        connection.call(Procedure::AUTH_LIST, &());
        connection
    }

    /// Whether the connection is set up and streaming events.
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Ready)
    }

    /// Feeds bytes read from the socket.
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) -> Result<(), ConnectionError> {
        if matches!(self.state, State::Closed) {
            return Err(ConnectionError::Closed);
        }
        if let Some(timer) = &mut self.keepalive {
            timer.on_receive(now);
        }
        self.framer.push(bytes);
        self.drain_messages()
            .inspect_err(|_| self.state = State::Closed)
    }

    /// Runs the keepalive timer; an error means the daemon is gone.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), ConnectionError> {
        let Some(timer) = &mut self.keepalive else {
            return Ok(());
        };
        match timer.on_timeout(now) {
            None => Ok(()),
            Some(Due::Ping) if self.pings_allowed => {
                self.send(keepalive::message(keepalive::PING));
                Ok(())
            }
            Some(Due::Ping) => Ok(()),
            Some(Due::Dead { unanswered }) => {
                self.state = State::Closed;
                let silent = timer.silence(now);
                Err(ConnectionError::KeepaliveTimeout { unanswered, silent })
            }
        }
    }

    /// When to call [`Connection::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.keepalive.as_ref().map(Keepalive::poll_timeout)
    }

    /// The next bytes to write to the socket.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next thing that happened.
    pub fn poll_event(&mut self) -> Option<ConnectionEvent> {
        self.events.pop_front()
    }

    /// Asks the daemon to close the connection (`CONNECT_CLOSE`) once set up.
    pub fn close(&mut self) {
        if self.is_ready() {
            self.call(Procedure::CONNECT_CLOSE, &());
            self.state = State::AwaitClose;
        }
    }

    fn drain_messages(&mut self) -> Result<(), ConnectionError> {
        while let Some(message) = self.framer.next_message()? {
            self.handle_message(message)?;
        }
        Ok(())
    }

    fn handle_message(&mut self, message: Message) -> Result<(), ConnectionError> {
        let header = message.header;
        match (header.program, header.version, header.kind) {
            (Program::KEEPALIVE, 1, MessageType::MESSAGE) => {
                self.on_keepalive(header);
                Ok(())
            }
            (Program::REMOTE, 1, MessageType::REPLY) => self.on_reply(header, &message.payload),
            (Program::REMOTE, 1, MessageType::MESSAGE) => self.on_event(header, &message.payload),
            _ => Err(ConnectionError::Incompatible {
                program: header.program.0,
                version: header.version,
                kind: header.kind.0,
            }),
        }
    }

    fn on_keepalive(&mut self, header: Header) {
        if header.procedure == keepalive::PING {
            self.send(keepalive::message(keepalive::PONG));
        }
    }

    fn on_event(&mut self, header: Header, payload: &[u8]) -> Result<(), ConnectionError> {
        let decoded =
            DomainEvent::decode(Procedure(header.procedure), payload).map_err(|source| {
                ConnectionError::Malformed {
                    what: "domain event",
                    source,
                }
            })?;
        if let Some(event) = decoded {
            self.events.push_back(ConnectionEvent::Domain(event));
        }
        Ok(())
    }

    fn on_reply(&mut self, header: Header, payload: &[u8]) -> Result<(), ConnectionError> {
        let procedure = match self.awaiting.take() {
            Some((serial, procedure)) if serial == header.serial => procedure,
            expected => {
                return Err(ConnectionError::UnexpectedReply {
                    got: header.serial,
                    procedure: header.procedure,
                    expected: expected.map(|(serial, _)| serial),
                });
            }
        };
        if header.status == Status::ERROR {
            let error =
                RemoteError::read(payload).map_err(|source| ConnectionError::Malformed {
                    what: "error reply",
                    source,
                })?;
            let state = std::mem::replace(&mut self.state, State::Closed);
            self.state = self.on_error(state, procedure, error)?;
            return Ok(());
        }
        let state = std::mem::replace(&mut self.state, State::Closed);
        self.state = self.advance(state, payload)?;
        Ok(())
    }

    /// Queues a call and remembers that its reply is awaited.
    fn call(&mut self, procedure: Procedure, args: &impl Xdr) {
        self.serial = self.serial.wrapping_add(1);
        self.awaiting = Some((self.serial, procedure));
        self.send(Message {
            header: Header {
                program: Program::REMOTE,
                version: 1,
                procedure: procedure.0,
                kind: MessageType::CALL,
                serial: self.serial,
                status: Status::OK,
            },
            payload: args.to_bytes(),
        });
    }

    fn send(&mut self, message: Message) {
        self.transmit.push_back(message.to_wire());
    }

    fn call_keepalive_feature(&mut self) -> State {
        self.call(
            Procedure::CONNECT_SUPPORTS_FEATURE,
            &Int(FEATURE_PROGRAM_KEEPALIVE),
        );
        State::AwaitKeepaliveFeature
    }

    fn call_open(&mut self) -> State {
        let args = OpenArgs {
            name: Some(self.uri.clone()),
            flags: CONNECT_RO,
        };
        self.call(Procedure::CONNECT_OPEN, &args);
        State::AwaitOpen
    }
}
