//! Login steps common to both flavours (capabilities) and the IPMI 1.5 login:
//! Get Channel Authentication Capabilities, Get Session Challenge, Activate Session,
//! Set Session Privilege Level.

use std::time::Instant;

use super::{Event, Flavour, Link, Session, SessionError, State};
use crate::ipmi::codec::Decode;
use crate::ipmi::commands::activate_session::{self, Activated};
use crate::ipmi::commands::auth_caps::AuthCaps;
use crate::ipmi::commands::session_challenge::{self, Challenge};
use crate::ipmi::commands::set_privilege::{self, PrivilegeSet};
use crate::ipmi::message::Response;
use crate::ipmi::{AuthType, CompletionCode, Privilege};

/// Waiting for the challenge, having chosen `auth`.
pub(super) struct Challenging {
    auth: AuthType,
}

/// Waiting for Activate Session's answer.
pub(super) struct Activating {
    auth: AuthType,
}

impl Session {
    pub(super) fn on_auth_caps(&mut self, now: Instant, resp: &Response) -> State {
        const STAGE: &str = "answering Get Channel Authentication Capabilities";
        let caps = match checked::<AuthCaps>(resp, STAGE) {
            Ok(c) => c,
            Err(e) => return self.fail(e),
        };
        match self.config.flavour.clone() {
            Flavour::V20 { suites, .. } if caps.supports_v2() => self.start_open(now, suites),
            Flavour::V20 { .. } => self.fail(SessionError::Incompatible {
                what: "the BMC does not offer IPMI 2.0 (lanplus); try lanplus=0".to_owned(),
            }),
            Flavour::V15 { auth } => match choose_auth(&caps, auth) {
                Ok(auth) => self.request_challenge(now, auth),
                Err(e) => self.fail(e),
            },
        }
    }

    fn request_challenge(&mut self, now: Instant, auth: AuthType) -> State {
        let req = session_challenge::request(auth, &self.config.username);
        self.start_message(now, "Get Session Challenge", req, self.login_deadline);
        State::ExpectChallenge(Challenging { auth })
    }

    pub(super) fn on_challenge(&mut self, now: Instant, resp: &Response, s: Challenging) -> State {
        let challenge = match checked::<Challenge>(resp, "answering Get Session Challenge") {
            Ok(c) => c,
            Err(e) => return self.fail(e),
        };
        let Some(temp_id) = challenge.temp_session_id.verify(|id| *id != 0) else {
            return self.fail(malformed(
                "answering Get Session Challenge",
                "temporary session id 0",
            ));
        };
        self.link = Link::V15 {
            auth: s.auth,
            session_id: temp_id,
            next_seq: 0,
            password: self.config.password.clone(),
        };
        let outbound = self.random_nonzero_u32();
        let req = activate_session::request(
            s.auth,
            self.config.privilege,
            &challenge.challenge,
            outbound,
        );
        let stage = "Activate Session (BMCs stay silent on a wrong password)";
        self.start_message(now, stage, req, self.login_deadline);
        State::ExpectActivate(Activating { auth: s.auth })
    }

    pub(super) fn on_activate(&mut self, now: Instant, resp: &Response, s: Activating) -> State {
        const STAGE: &str = "answering Activate Session";
        let activated = match checked::<Activated>(resp, STAGE) {
            Ok(a) => a,
            Err(e) => return self.fail(e),
        };
        let Some(session_id) = activated.session_id.verify(|id| *id != 0) else {
            return self.fail(malformed(STAGE, "session id 0"));
        };
        if activated.auth != s.auth {
            return self.fail(malformed(
                STAGE,
                &format!("switched auth type to {}", activated.auth),
            ));
        }
        let next_seq = activated.inbound_seq.verify(|seq| *seq != 0).unwrap_or(1);
        self.link = Link::V15 {
            auth: s.auth,
            session_id,
            next_seq,
            password: self.config.password.clone(),
        };
        self.request_privilege(now)
    }

    /// Raises the session to the configured privilege, or reports it established.
    pub(super) fn request_privilege(&mut self, now: Instant) -> State {
        if self.config.privilege.0 <= Privilege::USER.0 {
            return self.established();
        }
        let req = set_privilege::request(self.config.privilege);
        self.start_message(now, "Set Session Privilege Level", req, self.login_deadline);
        State::ExpectSetPrivilege
    }

    pub(super) fn on_set_privilege(&mut self, resp: &Response) -> State {
        match checked::<PrivilegeSet>(resp, "answering Set Session Privilege Level") {
            Ok(_) => self.established(),
            Err(e) => {
                // The BMC holds an active session: stay Ready so the caller closes it.
                self.events.push_back(Event::Failed(e));
                State::Ready
            }
        }
    }
}

/// The decoded response data, or why it is unusable.
pub(super) fn checked<T: Decode>(resp: &Response, stage: &'static str) -> Result<T, SessionError> {
    if resp.completion != CompletionCode::OK {
        return Err(SessionError::Completion {
            stage,
            code: resp.completion,
        });
    }
    T::decode(&resp.data).map_err(|e| malformed(stage, &e.to_string()))
}

pub(super) fn malformed(stage: &'static str, what: &str) -> SessionError {
    SessionError::Malformed {
        stage,
        what: what.to_owned(),
    }
}

fn choose_auth(caps: &AuthCaps, wanted: Option<AuthType>) -> Result<AuthType, SessionError> {
    if let Some(auth) = wanted {
        return if caps.supports(auth) {
            Ok(auth)
        } else {
            Err(SessionError::Incompatible {
                what: format!("the BMC does not offer auth type {auth}"),
            })
        };
    }
    // Unauthenticated capabilities can be forged: choosing by ourselves, never pick a type
    // that sends the password in clear (or nothing at all).
    [AuthType::MD5, AuthType::MD2]
        .into_iter()
        .find(|a| caps.supports(*a))
        .ok_or_else(|| SessionError::Incompatible {
            what:
                "the BMC offers neither MD5 nor MD2; auth=password or auth=none must be asked for"
                    .to_owned(),
        })
}
