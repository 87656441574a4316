//! The IPMI session as a sans-I/O state machine.
//!
//! ```text
//!  datagrams in ──► handle_datagram(now, bytes) ─┐          ┌─► poll_transmit() ──► datagrams out
//!  timers ────────► handle_timeout(now) ─────────┼─► State ─┼─► poll_timeout()  ──► next deadline
//!  commands ──────► send(now, request) / close() ┘          └─► poll_event()    ──► Established,
//!                                                                                  Response, Failed, Closed
//! ```
//!
//! Time and randomness come from the caller, so tests drive it with a virtual clock and a
//! seeded generator against an in-process BMC. States are named for what they await and are
//! consumed by each transition. Inbound datagrams that fail to decode or authenticate are
//! dropped and counted, never acted on; only the deadline ends a wait.

mod error;
mod link;
mod login15;
mod login20;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use error::SessionError;
pub use link::Link;

use secret::Secret;

use crate::ipmi::commands::{auth_caps, close_session};
use crate::ipmi::message::{self, Request, Response};
use crate::ipmi::wire::PayloadType;
use crate::ipmi::{AuthType, CipherSuite, Privilege, packet};

/// The first exchange of every session: a timeout here means the BMC never answered at all.
pub const FIRST_STAGE: &str = "Get Channel Authentication Capabilities";

/// A source of random bytes (session ids, RAKP random numbers, IVs).
pub trait Random {
    /// Fills `buf` with unpredictable bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// Which session flavour to establish.
#[derive(Debug, Clone)]
pub enum Flavour {
    /// IPMI 1.5; `None` picks MD5 or else MD2 (straight password and none only when named).
    V15 {
        /// Explicit auth type.
        auth: Option<AuthType>,
    },
    /// RMCP+; suites are tried in order, moving on when the BMC rejects the algorithms.
    V20 {
        /// Suites to try.
        suites: Vec<CipherSuite>,
        /// BMC key Kg (defaults to the password).
        kg: Option<Secret>,
    },
}

/// What the session needs to know.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// User name (at most 16 bytes).
    pub username: Vec<u8>,
    /// Password.
    pub password: Secret,
    /// Privilege to operate at.
    pub privilege: Privilege,
    /// Session flavour.
    pub flavour: Flavour,
    /// Time allowed for the whole login.
    pub login_timeout: Duration,
    /// Interval between retransmissions of an unanswered request.
    pub retransmit: Duration,
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Logged in; commands may be sent.
    Established,
    /// The answer to the last command (any completion code).
    Response(Response),
    /// Login or the last command failed (after a login failure the session may still need closing).
    Failed(SessionError),
    /// The session is over; `acknowledged` is whether the BMC confirmed Close Session.
    Closed {
        /// The BMC answered Close Session.
        acknowledged: bool,
    },
}

enum State {
    ExpectAuthCaps,
    ExpectChallenge(login15::Challenging),
    ExpectActivate(login15::Activating),
    ExpectSetPrivilege,
    ExpectOpenSession(login20::Opening),
    ExpectRakp2(login20::Rakp1Sent),
    ExpectRakp4(login20::Rakp3Sent),
    Ready,
    ExpectResponse,
    ExpectCloseReply,
    Done,
}

/// What is retransmitted while waiting.
enum Outgoing {
    /// An IPMI request, reframed (new session sequence number) on every send.
    Message(Request),
    /// An RMCP+ handshake payload, resent as is.
    Handshake(PayloadType, Vec<u8>),
}

struct Pending {
    stage: &'static str,
    outgoing: Outgoing,
    sent: u32,
    /// After this many sends without answer, give up early (cipher suite probing).
    max_sends: Option<u32>,
    retransmit_at: Instant,
    deadline: Instant,
}

/// One IPMI session with one BMC.
pub struct Session {
    config: SessionConfig,
    rng: Box<dyn Random>,
    state: State,
    link: Link,
    outbox: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    pending: Option<Pending>,
    rq_seq: u8,
    dropped: u32,
    login_deadline: Instant,
}

impl Session {
    /// Starts a login at `now`: the first datagram is ready in [`Session::poll_transmit`].
    pub fn new(config: SessionConfig, rng: Box<dyn Random>, now: Instant) -> Self {
        let login_deadline = now + config.login_timeout;
        let v2 = matches!(config.flavour, Flavour::V20 { .. });
        let mut s = Self {
            rng,
            state: State::ExpectAuthCaps,
            link: Link::PreSession,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            pending: None,
            rq_seq: 0,
            dropped: 0,
            login_deadline,
            config,
        };
        let req = auth_caps::request(v2, s.config.privilege);
        s.start_message(
            now,
            "Get Channel Authentication Capabilities",
            req,
            login_deadline,
        );
        s
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.outbox.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending
            .as_ref()
            .map(|p| p.retransmit_at.min(p.deadline))
    }

    /// Whether the session is over (closed or failed before establishment).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Whether the BMC holds a session for us that [`Session::close`] should end.
    pub fn is_open(&self) -> bool {
        !matches!(self.link, Link::PreSession) && !self.is_done()
    }

    /// What kind of session this is, for logs.
    pub fn describe(&self) -> String {
        self.link.describe()
    }

    /// Sends command `req` (`stage` names it in errors); the answer arrives as an event.
    pub fn send(
        &mut self,
        now: Instant,
        stage: &'static str,
        req: Request,
        timeout: Duration,
    ) -> Result<(), SessionError> {
        if !matches!(self.state, State::Ready) {
            return Err(SessionError::NotReady);
        }
        self.state = State::ExpectResponse;
        self.start_message(now, stage, req, now + timeout);
        Ok(())
    }

    /// Closes the session (Close Session if the BMC holds one); ends with [`Event::Closed`].
    pub fn close(&mut self, now: Instant) {
        let Some(id) = self.link.bmc_session_id().filter(|_| !self.is_done()) else {
            self.finish(Event::Closed {
                acknowledged: false,
            });
            return;
        };
        self.state = State::ExpectCloseReply;
        let deadline = now + self.config.retransmit * 3;
        self.start_message(now, "Close Session", close_session::request(id), deadline);
    }

    /// Handles a datagram received at `now`.
    pub fn handle_datagram(&mut self, now: Instant, bytes: &[u8]) {
        let state = std::mem::replace(&mut self.state, State::Done);
        self.state = match state {
            State::ExpectOpenSession(s) => self.on_handshake(
                bytes,
                PayloadType::OPEN_SESSION_RESPONSE,
                s,
                |me, p, s| me.on_open_session(now, p, s),
                State::ExpectOpenSession,
            ),
            State::ExpectRakp2(s) => self.on_handshake(
                bytes,
                PayloadType::RAKP2,
                s,
                |me, p, s| me.on_rakp2(now, p, s),
                State::ExpectRakp2,
            ),
            State::ExpectRakp4(s) => self.on_handshake(
                bytes,
                PayloadType::RAKP4,
                s,
                |me, p, s| me.on_rakp4(now, p, s),
                State::ExpectRakp4,
            ),
            State::Done => State::Done,
            other => self.on_message(now, bytes, other),
        };
    }

    /// Handles the passing of time: retransmissions and deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        let exhausted = p.max_sends.is_some_and(|m| p.sent >= m);
        if now >= p.deadline || (exhausted && now >= p.retransmit_at) {
            let err = SessionError::Timeout {
                stage: p.stage,
                sent: p.sent,
                dropped: self.dropped,
            };
            self.pending = None;
            self.on_timeout(now, err);
        } else if now >= p.retransmit_at {
            p.retransmit_at = now + self.config.retransmit;
            self.transmit();
        }
    }

    fn on_timeout(&mut self, now: Instant, err: SessionError) {
        match std::mem::replace(&mut self.state, State::Done) {
            State::ExpectOpenSession(s) if !s.fallback.is_empty() => {
                self.state = self.next_suite(now, s)
            }
            State::ExpectResponse => {
                self.state = State::Ready;
                self.events.push_back(Event::Failed(err));
            }
            State::ExpectCloseReply => self.finish(Event::Closed {
                acknowledged: false,
            }),
            State::ExpectSetPrivilege => {
                self.state = State::Ready;
                self.events.push_back(Event::Failed(err));
            }
            _ => {
                self.fail(err);
            }
        }
    }

    fn on_message(&mut self, now: Instant, bytes: &[u8], state: State) -> State {
        let Some(resp) = self.accept_response(bytes) else {
            return state;
        };
        self.pending = None;
        match state {
            State::ExpectAuthCaps => self.on_auth_caps(now, &resp),
            State::ExpectChallenge(s) => self.on_challenge(now, &resp, s),
            State::ExpectActivate(s) => self.on_activate(now, &resp, s),
            State::ExpectSetPrivilege => self.on_set_privilege(&resp),
            State::ExpectResponse => {
                self.events.push_back(Event::Response(resp));
                State::Ready
            }
            State::ExpectCloseReply => {
                self.finish(Event::Closed { acknowledged: true });
                State::Done
            }
            other => other,
        }
    }

    /// The response to the pending request, if `bytes` is one (else counted as dropped).
    fn accept_response(&mut self, bytes: &[u8]) -> Option<Response> {
        let Some(Pending {
            outgoing: Outgoing::Message(req),
            ..
        }) = self.pending.as_ref()
        else {
            self.dropped += 1;
            return None;
        };
        let resp = self
            .link
            .unwrap(bytes)
            .ok()
            .and_then(|m| message::decode_response(&m).ok());
        match resp {
            Some(r) if r.answers(req, self.rq_seq) => Some(r),
            _ => {
                self.dropped += 1;
                None
            }
        }
    }

    fn on_handshake<S>(
        &mut self,
        bytes: &[u8],
        expected: PayloadType,
        s: S,
        next: impl FnOnce(&mut Self, &[u8], S) -> State,
        keep: impl FnOnce(S) -> State,
    ) -> State {
        let payload = match packet::decode(bytes, 0) {
            Ok(packet::Packet::V20(p))
                if p.payload_type == expected && !p.encrypted && p.integrity.is_none() =>
            {
                p.payload.to_vec()
            }
            _ => {
                self.dropped += 1;
                return keep(s);
            }
        };
        next(self, &payload, s)
    }

    fn start_message(
        &mut self,
        now: Instant,
        stage: &'static str,
        req: Request,
        deadline: Instant,
    ) {
        self.rq_seq = (self.rq_seq + 1) & 0x3f;
        self.start(now, stage, Outgoing::Message(req), deadline, None);
    }

    fn start(
        &mut self,
        now: Instant,
        stage: &'static str,
        outgoing: Outgoing,
        deadline: Instant,
        max_sends: Option<u32>,
    ) {
        let retransmit_at = now + self.config.retransmit;
        self.pending = Some(Pending {
            stage,
            outgoing,
            sent: 0,
            max_sends,
            retransmit_at,
            deadline,
        });
        self.transmit();
    }

    fn transmit(&mut self) {
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        p.sent += 1;
        let datagram = match &p.outgoing {
            Outgoing::Message(req) => self.link.wrap(
                &message::encode_request(req, self.rq_seq),
                self.rng.as_mut(),
            ),
            Outgoing::Handshake(kind, payload) => packet::encode_v20(*kind, 0, 0, payload, None),
        };
        self.outbox.push_back(datagram);
    }

    fn fail(&mut self, err: SessionError) -> State {
        self.pending = None;
        self.state = State::Done;
        self.events.push_back(Event::Failed(err));
        State::Done
    }

    fn finish(&mut self, event: Event) {
        self.pending = None;
        self.state = State::Done;
        self.events.push_back(event);
    }

    fn established(&mut self) -> State {
        self.events.push_back(Event::Established);
        State::Ready
    }

    fn random<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.rng.fill(&mut out);
        out
    }

    fn random_nonzero_u32(&mut self) -> u32 {
        loop {
            let n = u32::from_le_bytes(self.random());
            if n != 0 {
                return n;
            }
        }
    }
}

#[cfg(test)]
mod tests;
