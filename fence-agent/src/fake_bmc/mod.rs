//! An in-process BMC speaking just enough IPMI 1.5 and RMCP+ (suites 0-3 and 17) for tests
//! and benchmarks: the session pair harness drives it directly, integration tests serve it on
//! loopback UDP to ipmitool and to our binary. The agent itself never uses it.
//!
//! Knobs make it misbehave the ways real BMCs do: lose datagrams, go silent, tamper with
//! replies, prove a wrong SIK in RAKP 4, refuse Chassis Control. [`Served`] answers on a
//! loopback UDP port from a thread.
//!
//! Test support, not part of the agent: built only with the `fake-bmc` feature (the crate's
//! own tests, the fuzz targets and the host monitor's tests turn it on).

mod served;

pub use served::Served;

use crate::ipmi::codec::Reader;
use crate::ipmi::crypto::{CipherSuite, SessionKeys, aes_decrypt, codes_equal, v15_auth_code};
use crate::ipmi::message::{Response, decode_request, encode_response};
use crate::ipmi::packet::{self, Packet, Protection, V15Packet, V20Packet, encode_v15, encode_v20};
use crate::ipmi::wire::PayloadType;
use crate::ipmi::{AuthType, CompletionCode, RmcpStatus};

const MANAGED_ID: u32 = 0x0bad_cafe;
const TEMP_ID: u32 = 0x1234;
const V15_ID: u32 = 0x5555;
const GUID: [u8; 16] = [0x42; 16];
const BMC_RANDOM: [u8; 16] = [0x17; 16];

/// The RMCP+ session in progress.
#[derive(Default)]
struct V2 {
    suite: Option<CipherSuite>,
    console_id: u32,
    console_random: [u8; 16],
    role: u8,
    keys: Option<SessionKeys>,
}

/// The simulated BMC.
pub struct FakeBmc {
    /// The one user name.
    pub user: Vec<u8>,
    /// Its password.
    pub password: Vec<u8>,
    /// BMC key Kg (`None`: the password).
    pub kg: Option<Vec<u8>>,
    /// Cipher suites accepted.
    pub suites: Vec<u8>,
    /// IPMI 1.5 auth type support bits.
    pub auth_support: u8,
    /// Chassis power.
    pub power_on: bool,
    /// Drop this many incoming datagrams first.
    pub drop_first: u32,
    /// Answer nothing.
    pub silent: bool,
    /// Answer only this many more datagrams, then process but never reply (a BMC that stops
    /// answering mid-session).
    pub answer_limit: Option<u32>,
    /// Flip a bit in every reply.
    pub tamper: bool,
    /// Send a wrong RAKP 4 integrity check value.
    pub bad_rakp4: bool,
    /// Refuse Chassis Control with this completion code.
    pub control_refusal: Option<CompletionCode>,
    /// Chassis Control commands accepted.
    pub controls: Vec<u8>,
    /// Sessions activated (RAKP 3 accepted or Activate Session answered).
    pub opened: u32,
    /// Close Session commands received.
    pub closed: u32,
    /// The IPMI 1.5 auth type last asked for.
    pub v15_auth: Option<AuthType>,
    v2: V2,
}

impl Default for FakeBmc {
    fn default() -> Self {
        Self {
            user: b"admin".to_vec(),
            password: b"password".to_vec(),
            kg: None,
            suites: vec![0, 1, 2, 3, 17],
            auth_support: 0x17,
            power_on: true,
            drop_first: 0,
            silent: false,
            answer_limit: None,
            tamper: false,
            bad_rakp4: false,
            control_refusal: None,
            controls: Vec::new(),
            opened: 0,
            closed: 0,
            v15_auth: None,
            v2: V2::default(),
        }
    }
}

impl FakeBmc {
    /// The cipher suite of the RMCP+ session, once opened.
    pub fn suite(&self) -> Option<CipherSuite> {
        self.v2.suite
    }

    /// Handles one datagram; the reply, if any.
    pub fn handle(&mut self, datagram: &[u8]) -> Option<Vec<u8>> {
        if self.drop_first > 0 {
            self.drop_first -= 1;
            return None;
        }
        if self.silent {
            return None;
        }
        let integrity_len = self.v2.suite.map_or(0, CipherSuite::integrity_len);
        let mut reply = match packet::decode(datagram, integrity_len).ok()? {
            Packet::V15(p) => self.v15(&p)?,
            Packet::V20(p) if *p.session_id.as_check_input() == 0 => {
                self.handshake(p.payload_type, p.payload)?
            }
            Packet::V20(p) => self.v20(&p)?,
        };
        if self.tamper
            && let Some(last) = reply.last_mut()
        {
            *last ^= 0x01;
        }
        match self.answer_limit.as_mut() {
            Some(0) => None,
            Some(left) => {
                *left -= 1;
                Some(reply)
            }
            None => Some(reply),
        }
    }

    fn v15(&mut self, p: &V15Packet<'_>) -> Option<Vec<u8>> {
        let sid = *p.session_id.as_check_input();
        let seq = *p.seq.as_check_input();
        if p.auth != AuthType::NONE {
            let expect = v15_auth_code(p.auth, &self.password, sid, seq, p.message);
            p.auth_code.as_ref()?.verify(|c| codes_equal(c, &expect))?;
        }
        let msg = self.command(p.message)?;
        let code =
            (p.auth != AuthType::NONE).then(|| v15_auth_code(p.auth, &self.password, sid, 9, &msg));
        Some(encode_v15(
            p.auth,
            if sid == 0 { 0 } else { 9 },
            sid,
            code.as_ref(),
            &msg,
        ))
    }

    fn v20(&mut self, p: &V20Packet<'_>) -> Option<Vec<u8>> {
        let suite = self.v2.suite?;
        let keys = self.v2.keys.as_ref()?;
        if let Some((covered, code)) = &p.integrity {
            let expect = suite.integrity_code_of(&keys.k1, covered);
            code.verify(|c| codes_equal(c, &expect))?;
        }
        let plain = if p.encrypted {
            let (iv, body) = p.payload.split_at_checked(16)?;
            aes_decrypt(&keys.aes_key, iv.try_into().ok()?, body)?
        } else {
            p.payload.to_vec()
        };
        let msg = self.command(&plain)?;
        let keys = self.v2.keys.as_ref()?;
        let aes = (suite.conf_code() != 0).then_some((&*keys.aes_key, [3u8; 16]));
        let prot = Protection {
            suite,
            k1: &keys.k1,
            aes,
        };
        Some(encode_v20(
            PayloadType::IPMI,
            self.v2.console_id,
            5,
            &msg,
            Some(&prot),
        ))
    }

    fn command(&mut self, msg: &[u8]) -> Option<Vec<u8>> {
        let (req, rq_seq) = decode_request(msg).ok()?;
        let first = req.data.first().copied().unwrap_or(0);
        let (completion, data) = match (req.netfn, req.cmd) {
            (0x06, 0x38) => ok(vec![1, self.auth_support | 0x80, 0x04, 0x02, 0, 0, 0, 0]),
            (0x06, 0x39) => self.challenge(&req.data),
            (0x06, 0x3a) => {
                self.opened += 1;
                let mut d = vec![first];
                d.extend(V15_ID.to_le_bytes());
                d.extend(0x100u32.to_le_bytes());
                d.push(4);
                ok(d)
            }
            (0x06, 0x3b) => ok(vec![first]),
            (0x06, 0x3c) => {
                self.closed += 1;
                ok(vec![])
            }
            (0x00, 0x01) => ok(vec![u8::from(self.power_on), 0, 0]),
            (0x00, 0x02) => self.control(first),
            _ => (CompletionCode::INVALID_COMMAND, vec![]),
        };
        Some(encode_response(&Response {
            netfn: req.netfn | 1,
            cmd: req.cmd,
            rq_seq,
            completion,
            data,
        }))
    }

    fn challenge(&mut self, data: &[u8]) -> (CompletionCode, Vec<u8>) {
        let name = data.get(1..).unwrap_or_default();
        let trimmed = name
            .iter()
            .position(|b| *b == 0)
            .map_or(name, |end| name.get(..end).unwrap_or_default());
        if trimmed != self.user.as_slice() {
            return (CompletionCode::INVALID_USER, vec![]);
        }
        self.v15_auth = data.first().map(|a| AuthType(*a));
        let mut d = TEMP_ID.to_le_bytes().to_vec();
        d.extend([0x5a; 16]);
        ok(d)
    }

    fn control(&mut self, code: u8) -> (CompletionCode, Vec<u8>) {
        if let Some(refusal) = self.control_refusal {
            return (refusal, vec![]);
        }
        self.controls.push(code);
        match code {
            0 => self.power_on = false,
            1 | 2 => self.power_on = true,
            _ => {}
        }
        ok(vec![])
    }

    fn handshake(&mut self, kind: PayloadType, p: &[u8]) -> Option<Vec<u8>> {
        let (kind, payload) = match kind {
            PayloadType::OPEN_SESSION_REQUEST => self.open_session(p)?,
            PayloadType::RAKP1 => self.rakp1(p)?,
            PayloadType::RAKP3 => self.rakp3(p)?,
            _ => return None,
        };
        Some(encode_v20(kind, 0, 0, &payload, None))
    }

    fn open_session(&mut self, p: &[u8]) -> Option<(PayloadType, Vec<u8>)> {
        let mut r = Reader::new(p);
        let tag = r.u8("tag").ok()?;
        r.take(3, "privilege").ok()?;
        let console_id = r.u32_le("console id").ok()?;
        let proposals = r.take(24, "algorithms").ok()?;
        let codes = [proposals.get(4)?, proposals.get(12)?, proposals.get(20)?].map(|c| c & 0x3f);
        let suite = self
            .suites
            .iter()
            .filter_map(|id| CipherSuite::from_id(*id))
            .find(|s| [s.auth_code(), s.integrity_code(), s.conf_code()] == codes);
        let Some(suite) = suite else {
            return Some((
                PayloadType::OPEN_SESSION_RESPONSE,
                vec![tag, RmcpStatus::INVALID_AUTH_ALG.0],
            ));
        };
        self.v2 = V2 {
            suite: Some(suite),
            console_id,
            ..V2::default()
        };
        let mut out = vec![tag, 0, 4, 0];
        out.extend(console_id.to_le_bytes());
        out.extend(MANAGED_ID.to_le_bytes());
        out.extend(proposals);
        Some((PayloadType::OPEN_SESSION_RESPONSE, out))
    }

    fn rakp1(&mut self, p: &[u8]) -> Option<(PayloadType, Vec<u8>)> {
        let suite = self.v2.suite?;
        let mut r = Reader::new(p);
        let tag = r.u8("tag").ok()?;
        r.take(7, "reserved and session id").ok()?;
        self.v2.console_random = r.array("random").ok()?;
        self.v2.role = r.u8("role").ok()?;
        r.take(2, "reserved").ok()?;
        let len = usize::from(r.u8("name length").ok()?);
        let name = r.take(len, "name").ok()?;
        let known = name == self.user.as_slice();
        let status = if known {
            RmcpStatus::OK
        } else {
            RmcpStatus::UNAUTHORIZED_NAME
        };
        let mut out = vec![tag, status.0, 0, 0];
        out.extend(self.v2.console_id.to_le_bytes());
        if !known {
            return Some((PayloadType::RAKP2, out));
        }
        out.extend(BMC_RANDOM);
        out.extend(GUID);
        let ids = [self.v2.console_id.to_le_bytes(), MANAGED_ID.to_le_bytes()];
        let tail = self.user_tail();
        let code = suite.rakp_hmac(
            &self.password,
            &[
                &ids[0],
                &ids[1],
                &self.v2.console_random,
                &BMC_RANDOM,
                &GUID,
                &tail,
            ],
        );
        out.extend(code.iter());
        Some((PayloadType::RAKP2, out))
    }

    fn rakp3(&mut self, p: &[u8]) -> Option<(PayloadType, Vec<u8>)> {
        let suite = self.v2.suite?;
        let tail = self.user_tail();
        let expect = suite.rakp_hmac(
            &self.password,
            &[&BMC_RANDOM, &self.v2.console_id.to_le_bytes(), &tail],
        );
        let valid = codes_equal(p.get(8..).unwrap_or_default(), &expect);
        let status = if valid {
            RmcpStatus::OK
        } else {
            RmcpStatus::INVALID_INTEGRITY_VALUE
        };
        let mut out = vec![p.first().copied().unwrap_or(0), status.0, 0, 0];
        out.extend(self.v2.console_id.to_le_bytes());
        if !valid {
            return Some((PayloadType::RAKP4, out));
        }
        let kg = self.kg.clone().unwrap_or_else(|| self.password.clone());
        let sik = suite.rakp_hmac(&kg, &[&self.v2.console_random, &BMC_RANDOM, &tail]);
        let icv = suite.rakp_hmac(
            &sik,
            &[&self.v2.console_random, &MANAGED_ID.to_le_bytes(), &GUID],
        );
        let mut icv = icv.get(..suite.rakp4_len()).unwrap_or_default().to_vec();
        if self.bad_rakp4 {
            icv.iter_mut().for_each(|b| *b ^= 0xff);
        }
        out.extend(icv);
        self.v2.keys = Some(SessionKeys::derive(suite, &sik));
        self.opened += 1;
        Some((PayloadType::RAKP4, out))
    }

    fn user_tail(&self) -> Vec<u8> {
        let mut t = vec![self.v2.role, u8::try_from(self.user.len()).unwrap_or(0)];
        t.extend(&self.user);
        t
    }
}

fn ok(data: Vec<u8>) -> (CompletionCode, Vec<u8>) {
    (CompletionCode::OK, data)
}
