//! The RMCP+ (IPMI 2.0) login: Open Session, RAKP 1-4 (IPMI 2.0 sections 13.17-13.32).
//!
//! RAKP 2's HMAC proves the BMC knows the user's password before anything it sent (its
//! random number, GUID, session id) is used; RAKP 4's proves it derived the same SIK.

use std::time::Instant;

use zeroize::Zeroizing;

use super::login15::malformed;
use super::{Event, Flavour, Link, Outgoing, Session, SessionError, State};
use crate::ipmi::commands::open_session::{self, OpenSessionResponse};
use crate::ipmi::commands::rakp::{self, Rakp2, Rakp4};
use crate::ipmi::crypto::{CipherSuite, SessionKeys, codes_equal};
use crate::ipmi::wire::PayloadType;

/// Open Session Request sent with `suite`; `fallback` suites remain to try.
pub(super) struct Opening {
    suite: CipherSuite,
    console_id: u32,
    pub(super) fallback: Vec<CipherSuite>,
}

/// RAKP 1 sent.
pub(super) struct Rakp1Sent {
    suite: CipherSuite,
    console_id: u32,
    managed_id: u32,
    console_random: [u8; 16],
    role: u8,
}

/// RAKP 3 sent; keys derived, waiting for the BMC's proof.
pub(super) struct Rakp3Sent {
    suite: CipherSuite,
    console_id: u32,
    managed_id: u32,
    sik: Zeroizing<Vec<u8>>,
    console_random: [u8; 16],
    bmc_guid: [u8; 16],
}

impl Session {
    /// Sends Open Session Request with the first of `suites`.
    pub(super) fn start_open(&mut self, now: Instant, mut suites: Vec<CipherSuite>) -> State {
        if suites.is_empty() {
            return self.fail(SessionError::Incompatible {
                what: "no cipher suite to propose".to_owned(),
            });
        }
        let suite = suites.remove(0);
        let console_id = self.random_nonzero_u32();
        let payload = open_session::request(0, self.config.privilege, console_id, suite);
        let max_sends = (!suites.is_empty()).then_some(1);
        let out = Outgoing::Handshake(PayloadType::OPEN_SESSION_REQUEST, payload);
        self.start(
            now,
            "RMCP+ Open Session Request",
            out,
            self.login_deadline,
            max_sends,
        );
        State::ExpectOpenSession(Opening {
            suite,
            console_id,
            fallback: suites,
        })
    }

    pub(super) fn next_suite(&mut self, now: Instant, s: Opening) -> State {
        self.start_open(now, s.fallback)
    }

    pub(super) fn on_open_session(&mut self, now: Instant, payload: &[u8], s: Opening) -> State {
        const STAGE: &str = "answering RMCP+ Open Session Request";
        // A refusal without our session id cannot be matched to us; acting on it can only
        // make us try the next suite of the implicit list, or fail.
        let matches = |r: &OpenSessionResponse| match r.console_session_id {
            Some(echo) => is_ours(echo, s.console_id),
            None => r.accepted.is_none(),
        };
        let Some(resp) = OpenSessionResponse::decode(payload).ok().filter(matches) else {
            self.dropped += 1;
            return State::ExpectOpenSession(s);
        };
        self.pending = None;
        let Some((managed, algs)) = resp.accepted else {
            if resp.status.is_algorithm_mismatch() && !s.fallback.is_empty() {
                return self.next_suite(now, s);
            }
            if resp.status.is_algorithm_mismatch() {
                let what = format!(
                    "the BMC refused cipher suite {}: {}",
                    s.suite.id(),
                    resp.status
                );
                return self.fail(SessionError::Incompatible { what });
            }
            return self.fail(SessionError::Refused {
                stage: "RMCP+ Open Session Request",
                status: resp.status,
            });
        };
        if algs
            != [
                s.suite.auth_code(),
                s.suite.integrity_code(),
                s.suite.conf_code(),
            ]
        {
            return self.fail(malformed(
                STAGE,
                &format!(
                    "algorithms {algs:?} differ from cipher suite {}",
                    s.suite.id()
                ),
            ));
        }
        let Some(managed_id) = managed.verify(|id| *id != 0) else {
            return self.fail(malformed(STAGE, "managed session id 0"));
        };
        let console_random: [u8; 16] = self.random();
        let role = rakp::role_byte(self.config.privilege.0);
        let payload = rakp::rakp1(0, managed_id, &console_random, role, &self.config.username);
        let out = Outgoing::Handshake(PayloadType::RAKP1, payload);
        self.start(now, "RAKP Message 1", out, self.login_deadline, None);
        State::ExpectRakp2(Rakp1Sent {
            suite: s.suite,
            console_id: s.console_id,
            managed_id,
            console_random,
            role,
        })
    }

    pub(super) fn on_rakp2(&mut self, now: Instant, payload: &[u8], s: Rakp1Sent) -> State {
        let Some(msg) = Rakp2::decode(payload, s.suite.rakp2_len())
            .ok()
            .filter(|m| is_ours(m.console_session_id, s.console_id))
        else {
            self.dropped += 1;
            return State::ExpectRakp2(s);
        };
        self.pending = None;
        let Some(body) = msg.body else {
            return self.fail(SessionError::Refused {
                stage: "RAKP Message 1 (user name and role)",
                status: msg.status,
            });
        };
        let user = self.user_tail(s.role);
        let (rc, guid) = (
            *body.bmc_random.as_check_input(),
            *body.bmc_guid.as_check_input(),
        );
        let key = Zeroizing::new(self.config.password.expose().to_vec());
        let expect = s.suite.rakp_hmac(
            &key,
            &[
                &s.console_id.to_le_bytes(),
                &s.managed_id.to_le_bytes(),
                &s.console_random,
                &rc,
                &guid,
                &user,
            ],
        );
        if body.auth_code.verify(|c| codes_equal(c, &expect)).is_none() {
            return self.fail(SessionError::AuthFailed {
                stage: "checking RAKP Message 2",
            });
        }
        let kg = match &self.config.flavour {
            Flavour::V20 { kg: Some(kg), .. } => Zeroizing::new(kg.expose().to_vec()),
            _ => key.clone(),
        };
        let sik = s.suite.rakp_hmac(&kg, &[&s.console_random, &rc, &user]);
        let code = s
            .suite
            .rakp_hmac(&key, &[&rc, &s.console_id.to_le_bytes(), &user]);
        let out = Outgoing::Handshake(PayloadType::RAKP3, rakp::rakp3(0, s.managed_id, &code));
        self.start(now, "RAKP Message 3", out, self.login_deadline, None);
        let next = Rakp3Sent {
            suite: s.suite,
            console_id: s.console_id,
            managed_id: s.managed_id,
            sik,
            console_random: s.console_random,
            bmc_guid: guid,
        };
        State::ExpectRakp4(next)
    }

    pub(super) fn on_rakp4(&mut self, now: Instant, payload: &[u8], s: Rakp3Sent) -> State {
        let Some(msg) = Rakp4::decode(payload, s.suite.rakp4_len())
            .ok()
            .filter(|m| is_ours(m.console_session_id, s.console_id))
        else {
            self.dropped += 1;
            return State::ExpectRakp4(s);
        };
        self.pending = None;
        let Some(icv) = msg.icv else {
            return self.fail(SessionError::Refused {
                stage: "RAKP Message 3 (our proof of the password or Kg)",
                status: msg.status,
            });
        };
        let full = s.suite.rakp_hmac(
            &s.sik,
            &[&s.console_random, &s.managed_id.to_le_bytes(), &s.bmc_guid],
        );
        let expect = full.get(..s.suite.rakp4_len()).unwrap_or_default();
        self.link = Link::V20 {
            suite: s.suite,
            console_id: s.console_id,
            managed_id: s.managed_id,
            next_seq: 1,
            keys: SessionKeys::derive(s.suite, &s.sik),
        };
        if icv.verify(|c| codes_equal(c, expect)).is_none() {
            // The BMC considers the session active: stay Ready so the caller closes it.
            self.events
                .push_back(Event::Failed(SessionError::AuthFailed {
                    stage: "checking RAKP Message 4",
                }));
            return State::Ready;
        }
        self.request_privilege(now)
    }

    /// ROLEm || ULENGTHm || UNAMEm, the tail of several RAKP HMAC inputs.
    fn user_tail(&self, role: u8) -> Vec<u8> {
        let mut tail = vec![role, u8::try_from(self.config.username.len()).unwrap_or(0)];
        tail.extend(&self.config.username);
        tail
    }
}

fn is_ours(echo: crate::ipmi::codec::Unverified<u32>, console_id: u32) -> bool {
    echo.verify(|id| *id == console_id).is_some()
}
