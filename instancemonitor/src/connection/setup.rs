//! The set-up sequence: each state awaits one reply and, consumed, queues the next call.

use std::collections::VecDeque;

use super::{Connection, ConnectionError, ConnectionEvent};
use crate::rpc::calls::{
    AuthListRet, AuthType, GetStateArgs, GetStateRet, Int, LIST_PERSISTENT, LIST_TRANSIENT,
    ListAllDomainsArgs, ListAllDomainsRet, RegisterAnyArgs,
};
use crate::rpc::domain::Domain;
use crate::rpc::events::EventId;
use crate::rpc::procedure::Procedure;
use crate::rpc::remote_error::RemoteError;
use crate::rpc::xdr::{Xdr, XdrError};

/// `VIR_DOMAIN_SHUTOFF`.
pub const STATE_SHUTOFF: i32 = 5;
/// `VIR_DOMAIN_CRASHED`.
pub const STATE_CRASHED: i32 = 6;
/// `VIR_DOMAIN_SHUTOFF_CRASHED`.
pub const SHUTOFF_CRASHED: i32 = 3;

/// A domain and its state as the daemon reported it at (re)connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainStatus {
    /// The domain.
    pub domain: Domain,
    /// Defined (survives shut-off) rather than transient.
    pub persistent: bool,
    /// `virDomainState` (1 running, 3 paused, 5 shut off, 6 crashed).
    pub state: i32,
    /// The state's reason (shut off: 3 = crashed).
    pub reason: i32,
}

impl DomainStatus {
    /// The guest's qemu process exists (running, paused, shutting down, suspended).
    pub fn is_active(&self) -> bool {
        !matches!(self.state, STATE_SHUTOFF | STATE_CRASHED)
    }

    /// Shut off because it crashed, or left crashed (`on_crash = preserve`).
    pub fn crashed(&self) -> bool {
        self.state == STATE_CRASHED
            || (self.state == STATE_SHUTOFF && self.reason == SHUTOFF_CRASHED)
    }
}

/// What the connection awaits.
#[derive(Debug)]
pub(super) enum State {
    AwaitAuthList,
    AwaitPolkit,
    AwaitKeepaliveFeature,
    AwaitOpen,
    /// Registrations still to make after the one awaited.
    AwaitRegistration {
        rest: VecDeque<EventId>,
    },
    AwaitDomainList {
        persistent: bool,
        found: Vec<(Domain, bool)>,
    },
    AwaitStateOfDomain {
        asked: (Domain, bool),
        rest: VecDeque<(Domain, bool)>,
        done: Vec<DomainStatus>,
    },
    Ready,
    AwaitClose,
    Closed,
}

fn decode<T: Xdr>(what: &'static str, payload: &[u8]) -> Result<T, ConnectionError> {
    T::read(payload).map_err(|source: XdrError| ConnectionError::Malformed { what, source })
}

impl Connection {
    /// Consumes the state that awaited this reply and returns the next one.
    pub(super) fn advance(
        &mut self,
        state: State,
        payload: &[u8],
    ) -> Result<State, ConnectionError> {
        match state {
            State::AwaitAuthList => self.on_auth_list(decode("authentication list", payload)?),
            State::AwaitPolkit => match decode::<Int>("polkit reply", payload)? {
                Int(0) => Err(ConnectionError::PolkitIncomplete),
                _ => Ok(self.call_keepalive_feature()),
            },
            State::AwaitKeepaliveFeature => {
                let Int(supported) = decode("keepalive feature reply", payload)?;
                self.pings_allowed = supported != 0;
                Ok(self.call_open())
            }
            State::AwaitOpen => {
                decode::<()>("open reply", payload)?;
                Ok(self.register(EventId::REGISTERED.into_iter().collect()))
            }
            State::AwaitRegistration { rest } => {
                decode::<Int>("registration reply", payload)?;
                Ok(self.register(rest))
            }
            State::AwaitDomainList { persistent, found } => {
                let list: ListAllDomainsRet = decode("domain list", payload)?;
                Ok(self.on_domain_list(persistent, found, list))
            }
            State::AwaitStateOfDomain { asked, rest, done } => {
                let ret: GetStateRet = decode("domain state", payload)?;
                Ok(self.on_domain_state(asked, ret, rest, done))
            }
            State::AwaitClose => {
                decode::<()>("close reply", payload)?;
                self.keepalive = None;
                self.events.push_back(ConnectionEvent::Closed);
                Ok(State::Closed)
            }
            State::Ready | State::Closed => Err(ConnectionError::Closed),
        }
    }

    /// A failed call ends the connection, except a domain that vanished between the list
    /// and its state: it is left out, as if listed a moment later.
    pub(super) fn on_error(
        &mut self,
        state: State,
        procedure: Procedure,
        error: RemoteError,
    ) -> Result<State, ConnectionError> {
        match state {
            State::AwaitStateOfDomain { rest, done, .. }
                if error.code == RemoteError::NO_DOMAIN =>
            {
                Ok(self.ask_state(rest, done))
            }
            _ => Err(ConnectionError::Remote { procedure, error }),
        }
    }

    fn on_auth_list(&mut self, ret: AuthListRet) -> Result<State, ConnectionError> {
        if ret.types.is_empty() || ret.types.contains(&AuthType::NONE) {
            return Ok(self.call_keepalive_feature());
        }
        if ret.types.contains(&AuthType::POLKIT) {
            self.call(Procedure::AUTH_POLKIT, &());
            return Ok(State::AwaitPolkit);
        }
        Err(ConnectionError::AuthUnsupported {
            offered: ret.types.iter().map(|t| t.0).collect(),
        })
    }

    fn register(&mut self, mut rest: VecDeque<EventId>) -> State {
        match rest.pop_front() {
            Some(event) => {
                self.call(
                    Procedure::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                    &RegisterAnyArgs { event },
                );
                State::AwaitRegistration { rest }
            }
            None => self.list_domains(true, Vec::new()),
        }
    }

    fn list_domains(&mut self, persistent: bool, found: Vec<(Domain, bool)>) -> State {
        let flags = if persistent {
            LIST_PERSISTENT
        } else {
            LIST_TRANSIENT
        };
        self.call(
            Procedure::CONNECT_LIST_ALL_DOMAINS,
            &ListAllDomainsArgs { flags },
        );
        State::AwaitDomainList { persistent, found }
    }

    fn on_domain_list(
        &mut self,
        persistent: bool,
        mut found: Vec<(Domain, bool)>,
        list: ListAllDomainsRet,
    ) -> State {
        found.extend(list.domains.into_iter().map(|domain| (domain, persistent)));
        if persistent {
            return self.list_domains(false, found);
        }
        self.ask_state(found.into(), Vec::new())
    }

    fn on_domain_state(
        &mut self,
        (domain, persistent): (Domain, bool),
        ret: GetStateRet,
        rest: VecDeque<(Domain, bool)>,
        mut done: Vec<DomainStatus>,
    ) -> State {
        done.push(DomainStatus {
            domain,
            persistent,
            state: ret.state,
            reason: ret.reason,
        });
        self.ask_state(rest, done)
    }

    fn ask_state(&mut self, mut rest: VecDeque<(Domain, bool)>, done: Vec<DomainStatus>) -> State {
        match rest.pop_front() {
            Some(asked) => {
                self.call(
                    Procedure::DOMAIN_GET_STATE,
                    &GetStateArgs {
                        domain: asked.0.clone(),
                    },
                );
                State::AwaitStateOfDomain { asked, rest, done }
            }
            None => {
                if !self.pings_allowed {
                    self.keepalive = None;
                }
                self.events
                    .push_back(ConnectionEvent::Ready { domains: done });
                State::Ready
            }
        }
    }
}
