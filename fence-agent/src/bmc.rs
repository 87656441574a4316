//! The BMC as the fencing logic sees it: power status and chassis control over one IPMI
//! session that is opened lazily, reopened after a failure, and always closed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::ipmi::codec::Decode;
use crate::ipmi::commands::chassis_control::{self, Control};
use crate::ipmi::commands::chassis_status::{self, ChassisStatus};
use crate::ipmi::message::Request;
use crate::ipmi::{CipherSuite, CompletionCode};
use crate::options::settings::{Protocol, Settings};
use crate::redfish::error::RedfishError;
use crate::session::{Event, FIRST_STAGE, Flavour, Session, SessionConfig, SessionError};
use crate::transport::{OsRandom, TransportError, UdpTransport};

/// Why a BMC operation failed, with the BMC's address.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BmcError {
    /// The IPMI session failed.
    #[error("BMC {addr}: {source}")]
    Session {
        /// The BMC.
        addr: String,
        /// What went wrong.
        source: SessionError,
    },
    /// The network failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Randomness could not be had.
    #[error("cannot open /dev/urandom: {0}")]
    Random(std::io::Error),
    /// A Redfish exchange failed.
    #[error("Redfish service {url}: {source}")]
    Redfish {
        /// The service's base URL.
        url: String,
        /// What went wrong.
        source: RedfishError,
    },
}

impl BmcError {
    /// Whether nothing answered at all (no BMC at that address and port).
    pub fn is_unreachable(&self) -> bool {
        match self {
            BmcError::Transport(_) => true,
            BmcError::Redfish { source, .. } => source.is_unreachable(),
            BmcError::Session {
                source: SessionError::Timeout { stage, .. },
                ..
            } => *stage == FIRST_STAGE,
            _ => false,
        }
    }

    /// Whether the BMC definitively refused (retrying the same request cannot help).
    pub fn is_refusal(&self) -> bool {
        match self {
            BmcError::Redfish { source, .. } => source.is_refusal(),
            _ => matches!(
                self,
                BmcError::Session {
                    source: SessionError::Completion { .. }
                        | SessionError::AuthFailed { .. }
                        | SessionError::Refused { .. },
                    ..
                }
            ),
        }
    }
}

/// What the fencing logic needs from a BMC.
pub trait Bmc {
    /// Whether chassis power is on.
    fn power_is_on(&mut self) -> Result<bool, BmcError>;
    /// Issues a chassis control command.
    fn control(&mut self, control: Control) -> Result<(), BmcError>;
    /// Closes any open session (best effort; never fails).
    fn close(&mut self);
    /// The fencing logic is about to sleep (power_wait, between polls): by default the session
    /// is closed, see [`crate::agent`].
    fn pause(&mut self) {
        self.close();
    }
    /// The current session, for debug logs.
    fn describe(&self) -> Option<String> {
        None
    }
}

/// A BMC reached over IPMI-over-LAN.
pub struct LanBmc {
    config: SessionConfig,
    host: String,
    port: u16,
    command_timeout: Duration,
    transport: Option<UdpTransport>,
    session: Option<Session>,
}

impl LanBmc {
    /// A client for the BMC in `settings` (nothing is sent yet).
    pub fn new(settings: &Settings) -> Self {
        let flavour = match &settings.protocol {
            Protocol::V15 { auth } => Flavour::V15 { auth: *auth },
            Protocol::V20 { cipher, kg } => Flavour::V20 {
                suites: cipher.map_or_else(
                    || vec![CipherSuite::SEVENTEEN, CipherSuite::THREE],
                    |c| vec![c],
                ),
                kg: kg.clone(),
            },
        };
        let config = SessionConfig {
            username: settings.username.as_bytes().to_vec(),
            password: settings.password.clone(),
            privilege: settings.privilege,
            flavour,
            login_timeout: settings.timeouts.login,
            retransmit: settings.timeouts.retransmit,
        };
        Self {
            config,
            host: settings.host.clone(),
            port: settings.port,
            command_timeout: settings.timeouts.command,
            transport: None,
            session: None,
        }
    }

    fn addr(&self) -> String {
        self.transport.as_ref().map_or_else(
            || format!("{}:{}", self.host, self.port),
            |t| SocketAddr::to_string(&t.peer()),
        )
    }

    fn session_error(&self, source: SessionError) -> BmcError {
        BmcError::Session {
            addr: self.addr(),
            source,
        }
    }

    /// Sends `req` and returns the successful response's data.
    fn command(&mut self, stage: &'static str, req: Request) -> Result<Vec<u8>, BmcError> {
        self.ensure_session()?;
        let (Some(transport), Some(session)) = (self.transport.as_mut(), self.session.as_mut())
        else {
            return Err(self.session_error(SessionError::NotReady));
        };
        session
            .send(Instant::now(), stage, req, self.command_timeout)
            .map_err(|e| BmcError::Session {
                addr: transport.peer().to_string(),
                source: e,
            })?;
        let event = transport.drive(session);
        match self.settle(event)? {
            Event::Response(resp) if resp.completion == CompletionCode::OK => Ok(resp.data),
            Event::Response(resp) => Err(self.session_error(SessionError::Completion {
                stage,
                code: resp.completion,
            })),
            _ => Err(self.session_error(SessionError::NotReady)),
        }
    }

    /// Turns a failure event or a network error into an error, closing or forgetting the
    /// session as each requires.
    fn settle(&mut self, event: Result<Event, TransportError>) -> Result<Event, BmcError> {
        match event {
            Ok(Event::Failed(e)) => {
                self.close();
                Err(self.session_error(e))
            }
            Ok(other) => Ok(other),
            Err(e) => {
                self.session = None;
                Err(e.into())
            }
        }
    }

    fn ensure_session(&mut self) -> Result<(), BmcError> {
        if self.session.as_ref().is_some_and(|s| s.is_open()) {
            return Ok(());
        }
        if self.transport.is_none() {
            self.transport = Some(UdpTransport::connect(&self.host, self.port)?);
        }
        let rng = OsRandom::open().map_err(BmcError::Random)?;
        let mut session = Session::new(self.config.clone(), Box::new(rng), Instant::now());
        let Some(transport) = self.transport.as_mut() else {
            return Err(self.session_error(SessionError::NotReady));
        };
        let event = transport.drive(&mut session);
        self.session = Some(session);
        match self.settle(event)? {
            Event::Established => Ok(()),
            _ => Err(self.session_error(SessionError::NotReady)),
        }
    }
}

impl Bmc for LanBmc {
    fn power_is_on(&mut self) -> Result<bool, BmcError> {
        let data = self.command("Get Chassis Status", chassis_status::request())?;
        let status = ChassisStatus::decode(&data).map_err(|e| {
            self.session_error(SessionError::Malformed {
                stage: "answering Get Chassis Status",
                what: e.to_string(),
            })
        })?;
        Ok(status.power_on())
    }

    fn control(&mut self, control: Control) -> Result<(), BmcError> {
        self.command("Chassis Control", chassis_control::request(control))
            .map(|_| ())
    }

    fn describe(&self) -> Option<String> {
        self.session
            .as_ref()
            .map(|s| format!("{} with {}", s.describe(), self.addr()))
    }

    fn close(&mut self) {
        let (Some(transport), Some(session)) = (self.transport.as_mut(), self.session.as_mut())
        else {
            return;
        };
        if session.is_open() {
            session.close(Instant::now());
            while let Ok(event) = transport.drive(session) {
                if matches!(event, Event::Closed { .. }) {
                    break;
                }
            }
        }
        self.session = None;
    }
}

impl Drop for LanBmc {
    fn drop(&mut self) {
        self.close();
    }
}
