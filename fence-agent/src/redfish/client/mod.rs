//! The Redfish conversation of one run: service root, session or basic auth, the system,
//! PowerState and ComputerSystem.Reset. It builds [`Request`]s and reads [`Response`]s; the
//! bytes travel through a [`Transport`] it is given (HTTPS in [`super::http`], a script in the
//! tests), and time is the fencing logic's ([`crate::agent`]), so nothing here does I/O.
//!
//! ```text
//!  a query with systems_uri ─► basic auth, nothing else first (one request for `status`)
//!  otherwise, first use ─► GET redfish_uri ─┬─ Links.Sessions (power changes only) ─► POST login ─► X-Auth-Token
//!                                │    (404/405/501: basic auth instead; 401/403: refused)
//!                                └─ no systems_uri ─► GET Systems ─► exactly one member, or an error
//!  power_is_on ─► GET system ─► PowerState On | Off (anything else: not yet, an error)
//!  control     ─► ResetType (On, ForceOff, ForceRestart, Nmi; allowed?) ─► POST target ─► 2xx
//!  close       ─► DELETE the session (when there is one)
//! ```

use secret::Secret;

use super::error::RedfishError;
use super::wire::{self, Auth, Method, PowerState, Request, Response, System};
use crate::ipmi::commands::chassis_control::Control;

/// Carries requests to the service and brings back its answers.
pub trait Transport {
    /// Sends `request`; the answer, whatever its status.
    fn send(&mut self, request: &Request<'_>) -> Result<Response, RedfishError>;
}

/// What the conversation needs to know.
#[derive(Debug, Clone)]
pub struct Target {
    /// The user.
    pub username: String,
    /// The password.
    pub password: Secret,
    /// The service root's path (`redfish_uri`).
    pub redfish_uri: String,
    /// The system's path (`systems_uri`), or `None` to discover it.
    pub systems_uri: Option<String>,
    /// Whether to use a session where the service offers one: for power changes, whose polls
    /// make many requests (a basic-auth login per request is slow on real controllers); a
    /// query with `systems_uri` is one basic-auth request (Redfish services take both).
    pub sessions: bool,
}

/// How requests authenticate once the root is read.
#[derive(Debug)]
enum Login {
    /// HTTP basic auth on every request.
    Basic,
    /// A session: its token, and where to delete it.
    Session {
        token: Secret,
        location: Option<String>,
    },
}

/// Where the conversation is.
#[derive(Debug)]
struct Ready {
    login: Login,
    system: String,
    reset_target: Option<String>,
    reset_types: Option<Vec<String>>,
}

/// A debug line for the run's log (no secret in it).
pub type Note = String;

/// One run's conversation with the service.
#[derive(Debug)]
pub struct Client<T> {
    transport: T,
    target: Target,
    ready: Option<Ready>,
    notes: Vec<Note>,
}

/// fence_redfish's reset types for the fencing logic's commands.
pub fn reset_type(control: Control) -> &'static str {
    match control {
        Control::PowerUp => "On",
        Control::PowerDown => "ForceOff",
        Control::PowerCycle => "ForceRestart",
        Control::DiagnosticInterrupt => "Nmi",
    }
}

impl<T: Transport> Client<T> {
    /// A conversation that starts with the first question.
    pub fn new(transport: T, target: Target) -> Self {
        Self {
            transport,
            target,
            ready: None,
            notes: Vec::new(),
        }
    }

    /// The debug lines gathered since the last call.
    pub fn take_notes(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.notes)
    }

    /// The system's path, once known.
    pub fn system(&self) -> Option<&str> {
        self.ready.as_ref().map(|r| r.system.as_str())
    }

    /// Whether the system's power is on: `On` is, `Off` is not, anything else is an error.
    pub fn power_is_on(&mut self) -> Result<bool, RedfishError> {
        self.start()?;
        let path = self.system_path();
        let system = self.read_system(&path)?;
        match system.power_state {
            PowerState::On => Ok(true),
            PowerState::Off => Ok(false),
            PowerState::Other(state) => Err(RedfishError::PowerState { path, state }),
        }
    }

    /// Asks for the ComputerSystem.Reset that carries out `control`; success is a 2xx answer.
    pub fn control(&mut self, control: Control) -> Result<(), RedfishError> {
        self.start()?;
        let path = self.system_path();
        if self.ready.as_ref().is_none_or(|r| r.reset_target.is_none()) {
            self.read_system(&path)?;
        }
        let (target, allowed) = match &self.ready {
            Some(Ready {
                reset_target: Some(target),
                reset_types,
                ..
            }) => (target.clone(), reset_types.clone()),
            _ => return Err(RedfishError::NoReset { path }),
        };
        let reset_type = reset_type(control);
        if let Some(allowed) = allowed.filter(|list| !list.iter().any(|t| t == reset_type)) {
            return Err(RedfishError::ResetTypeNotAllowed {
                path,
                reset_type,
                allowed,
            });
        }
        self.notes
            .push(format!("POST {target} ResetType {reset_type}"));
        let body = wire::reset_body(reset_type);
        self.exchange(Method::Post, &target, Some(body)).map(drop)
    }

    /// Ends the session, if there is one (best effort), and forgets what was learnt.
    pub fn close(&mut self) {
        let Some(ready) = self.ready.take() else {
            return;
        };
        let Login::Session {
            token,
            location: Some(location),
        } = ready.login
        else {
            return;
        };
        let request = Request {
            method: Method::Delete,
            path: location.clone(),
            body: None,
            auth: Auth::Token(&token),
        };
        let note = match self.transport.send(&request) {
            Ok(r) if r.is_success() => format!("session {location} deleted"),
            Ok(r) => format!("deleting session {location} answered {}", r.status),
            Err(e) => format!("deleting session {location}: {e}"),
        };
        self.notes.push(note);
    }

    /// Reads the root, logs in and finds the system, once.
    fn start(&mut self) -> Result<(), RedfishError> {
        if self.ready.is_some() {
            return Ok(());
        }
        if let (false, Some(system)) = (self.target.sessions, &self.target.systems_uri) {
            self.ready = Some(Ready {
                login: Login::Basic,
                system: system.clone(),
                reset_target: None,
                reset_types: None,
            });
            return Ok(());
        }
        let root_path = self.target.redfish_uri.clone();
        let root = self.get_basic(&root_path)?;
        let root = wire::service_root(&root.body).map_err(|problem| RedfishError::Document {
            path: root_path.clone(),
            problem,
        })?;
        let login = match &root.sessions {
            Some(sessions) if self.target.sessions => self.log_in(sessions)?,
            _ => Login::Basic,
        };
        self.ready = Some(Ready {
            login,
            system: String::new(),
            reset_target: None,
            reset_types: None,
        });
        let system = match self.target.systems_uri.clone() {
            Some(uri) => uri,
            None => self.discover(&root_path, root.systems)?,
        };
        if let Some(ready) = &mut self.ready {
            ready.system = system;
        }
        Ok(())
    }

    fn log_in(&mut self, sessions: &str) -> Result<Login, RedfishError> {
        let body = wire::login_body(&self.target.username, &self.target.password);
        let request = Request {
            method: Method::Post,
            path: sessions.to_owned(),
            body: Some(body),
            auth: Auth::None,
        };
        let response = self.transport.send(&request)?;
        match response.status {
            200..=299 => {
                let token = response.token.ok_or(RedfishError::NoToken {
                    path: sessions.to_owned(),
                    status: response.status,
                })?;
                let location = response
                    .location
                    .as_deref()
                    .and_then(|l| session_path(l).ok());
                self.notes.push(format!(
                    "logged in at {sessions}; session {}",
                    location.as_deref().unwrap_or("without a Location")
                ));
                Ok(Login::Session { token, location })
            }
            404 | 405 | 501 => {
                self.notes.push(format!(
                    "session login at {sessions} answered {}: using basic auth",
                    response.status
                ));
                Ok(Login::Basic)
            }
            status => Err(RedfishError::Status {
                method: Method::Post,
                path: sessions.to_owned(),
                status,
                message: wire::error_message(&response.body),
            }),
        }
    }

    /// The one member of the Systems collection.
    fn discover(&mut self, root: &str, systems: Option<String>) -> Result<String, RedfishError> {
        let path = systems.ok_or_else(|| RedfishError::NoSystems {
            path: root.to_owned(),
        })?;
        let response = self.exchange(Method::Get, &path, None)?;
        let mut members =
            wire::members(&response.body).map_err(|problem| RedfishError::Document {
                path: path.clone(),
                problem,
            })?;
        match members.len() {
            0 => Err(RedfishError::NoSystem { path }),
            1 => {
                let system = members.remove(0);
                self.notes
                    .push(format!("{path} lists one system: {system}"));
                Ok(system)
            }
            _ => Err(RedfishError::SeveralSystems { path, members }),
        }
    }

    fn read_system(&mut self, path: &str) -> Result<System, RedfishError> {
        let response = self.exchange(Method::Get, path, None)?;
        let system = wire::system(&response.body).map_err(|problem| RedfishError::Document {
            path: path.to_owned(),
            problem,
        })?;
        if let Some(ready) = &mut self.ready {
            ready.reset_target = system.reset_target.clone();
            ready.reset_types = system.reset_types.clone();
        }
        Ok(system)
    }

    /// The system's path ([`Client::start`] sets it).
    fn system_path(&self) -> String {
        self.system().unwrap_or_default().to_owned()
    }

    /// The root is read with basic auth, as fence_redfish reads it (before any session).
    fn get_basic(&mut self, path: &str) -> Result<Response, RedfishError> {
        let request = Request {
            method: Method::Get,
            path: path.to_owned(),
            body: None,
            auth: Auth::Basic {
                username: &self.target.username,
                password: &self.target.password,
            },
        };
        checked(Method::Get, path, self.transport.send(&request)?)
    }

    /// One authenticated request whose status must be success.
    fn exchange(
        &mut self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Response, RedfishError> {
        let auth = match self.ready.as_ref().map(|r| &r.login) {
            Some(Login::Session { token, .. }) => Auth::Token(token),
            _ => Auth::Basic {
                username: &self.target.username,
                password: &self.target.password,
            },
        };
        let request = Request {
            method,
            path: path.to_owned(),
            body,
            auth,
        };
        let response = self.transport.send(&request)?;
        checked(method, path, response)
    }
}

/// A `Location` header as a path: absolute URLs keep only their path on the same service.
fn session_path(location: &str) -> Result<String, wire::DocError> {
    let path = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"),
        None => location,
    };
    wire::path(path, "the session's Location")
}

fn checked(method: Method, path: &str, response: Response) -> Result<Response, RedfishError> {
    if response.is_success() {
        return Ok(response);
    }
    Err(RedfishError::Status {
        method,
        path: path.to_owned(),
        status: response.status,
        message: wire::error_message(&response.body),
    })
}

#[cfg(test)]
mod tests;
