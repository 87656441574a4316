//! Framing of IPMI messages for an established session (and before one exists): sequence
//! numbers, auth codes, integrity and encryption. Inbound datagrams are only handed on once
//! their session id and auth code (or integrity code) check out.

use secret::Secret;

use super::Random;
use crate::ipmi::crypto::{CipherSuite, SessionKeys, aes_decrypt, codes_equal, v15_auth_code};
use crate::ipmi::packet::{self, Packet, Protection, V15Packet, V20Packet};
use crate::ipmi::{AuthType, wire::PayloadType};

/// How messages are framed on the wire.
pub enum Link {
    /// No session yet: IPMI 1.5 header, auth none, session 0.
    PreSession,
    /// IPMI 1.5 session (also used for Activate Session with the temporary id).
    V15 {
        /// Auth type of every packet.
        auth: AuthType,
        /// The BMC's session id.
        session_id: u32,
        /// Our next outbound sequence number.
        next_seq: u32,
        /// Password for auth codes.
        password: Secret,
    },
    /// RMCP+ session.
    V20 {
        /// Cipher suite.
        suite: CipherSuite,
        /// Our session id (the BMC addresses us with it).
        console_id: u32,
        /// The BMC's session id (we address it with it).
        managed_id: u32,
        /// Our next outbound sequence number.
        next_seq: u32,
        /// K1 and the AES key.
        keys: SessionKeys,
    },
}

/// Why an inbound datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Not decodable.
    Malformed,
    /// Wrong session, bad auth or integrity code, or undecryptable.
    Unauthenticated,
}

impl Link {
    /// The session id the BMC knows this session by (for Close Session).
    pub fn bmc_session_id(&self) -> Option<u32> {
        match self {
            Link::PreSession => None,
            Link::V15 { session_id, .. } => Some(*session_id),
            Link::V20 { managed_id, .. } => Some(*managed_id),
        }
    }

    /// What kind of session this is, for logs (no secrets).
    pub fn describe(&self) -> String {
        match self {
            Link::PreSession => "no session".to_owned(),
            Link::V15 { auth, .. } => format!("IPMI 1.5 session, auth type {auth}"),
            Link::V20 { suite, .. } => format!("RMCP+ session, cipher suite {}", suite.id()),
        }
    }

    /// Frames IPMI message `msg` as the next datagram.
    pub fn wrap(&mut self, msg: &[u8], rng: &mut dyn Random) -> Vec<u8> {
        match self {
            Link::PreSession => packet::encode_v15(AuthType::NONE, 0, 0, None, msg),
            Link::V15 {
                auth,
                session_id,
                next_seq,
                password,
            } => {
                let seq = *next_seq;
                *next_seq = next_nonzero(seq);
                let code = (*auth != AuthType::NONE)
                    .then(|| v15_auth_code(*auth, password.expose(), *session_id, seq, msg));
                packet::encode_v15(*auth, seq, *session_id, code.as_ref(), msg)
            }
            Link::V20 {
                suite,
                managed_id,
                next_seq,
                keys,
                ..
            } => {
                let seq = *next_seq;
                *next_seq = next_nonzero(seq);
                let mut iv = [0u8; 16];
                rng.fill(&mut iv);
                let aes = (suite.conf_code() != 0).then_some((&*keys.aes_key, iv));
                let prot = Protection {
                    suite: *suite,
                    k1: &keys.k1,
                    aes,
                };
                packet::encode_v20(PayloadType::IPMI, *managed_id, seq, msg, Some(&prot))
            }
        }
    }

    /// The IPMI message inside `datagram`, if it belongs to this session and checks out.
    pub fn unwrap(&self, datagram: &[u8]) -> Result<Vec<u8>, Dropped> {
        let integrity_len = match self {
            Link::V20 { suite, .. } => suite.integrity_len(),
            _ => 0,
        };
        let packet = packet::decode(datagram, integrity_len).map_err(|_| Dropped::Malformed)?;
        match (self, packet) {
            (Link::PreSession, Packet::V15(p)) if p.auth == AuthType::NONE => {
                Ok(p.message.to_vec())
            }
            (
                Link::V15 {
                    auth,
                    session_id,
                    password,
                    ..
                },
                Packet::V15(p),
            ) => unwrap_v15(*auth, *session_id, password, &p),
            (
                Link::V20 {
                    suite,
                    console_id,
                    keys,
                    ..
                },
                Packet::V20(p),
            ) => unwrap_v20(*suite, *console_id, keys, &p),
            _ => Err(Dropped::Unauthenticated),
        }
    }
}

fn unwrap_v15(
    auth: AuthType,
    session_id: u32,
    password: &Secret,
    p: &V15Packet<'_>,
) -> Result<Vec<u8>, Dropped> {
    let sid = *p.session_id.as_check_input();
    let seq = *p.seq.as_check_input();
    let ours = p
        .session_id
        .verify(|s| *s == session_id || *s == 0)
        .is_some();
    let authentic = match (&p.auth_code, auth) {
        (None, AuthType::NONE) => true,
        (Some(code), wanted) if p.auth == wanted => {
            let expect = v15_auth_code(wanted, password.expose(), sid, seq, p.message);
            code.verify(|c| codes_equal(c, &expect)).is_some()
        }
        // Unauthenticated replies in an authenticated session are dropped, even from BMCs
        // with per-message authentication disabled: a forged "power is off" must not count.
        _ => false,
    };
    if ours && authentic {
        Ok(p.message.to_vec())
    } else {
        Err(Dropped::Unauthenticated)
    }
}

fn unwrap_v20(
    suite: CipherSuite,
    console_id: u32,
    keys: &SessionKeys,
    p: &V20Packet<'_>,
) -> Result<Vec<u8>, Dropped> {
    if p.payload_type != PayloadType::IPMI || p.session_id.verify(|s| *s == console_id).is_none() {
        return Err(Dropped::Unauthenticated);
    }
    match (&p.integrity, suite.integrity_len()) {
        (None, 0) => {}
        (Some((covered, code)), _) => {
            let expect = suite.integrity_code_of(&keys.k1, covered);
            code.verify(|c| codes_equal(c, &expect))
                .ok_or(Dropped::Unauthenticated)?;
        }
        (None, _) => return Err(Dropped::Unauthenticated),
    }
    if suite.conf_code() == 0 {
        return if p.encrypted {
            Err(Dropped::Unauthenticated)
        } else {
            Ok(p.payload.to_vec())
        };
    }
    if !p.encrypted {
        return Err(Dropped::Unauthenticated);
    }
    let (iv, body) = p.payload.split_at_checked(16).ok_or(Dropped::Malformed)?;
    let mut iv16 = [0u8; 16];
    iv16.copy_from_slice(iv);
    aes_decrypt(&keys.aes_key, &iv16, body).ok_or(Dropped::Unauthenticated)
}

fn next_nonzero(seq: u32) -> u32 {
    match seq.wrapping_add(1) {
        0 => 1,
        n => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipmi::packet::encode_v15;

    fn md5_link() -> Link {
        let password = Secret::from_string("pw".to_owned());
        Link::V15 {
            auth: AuthType::MD5,
            session_id: 7,
            next_seq: 1,
            password,
        }
    }

    #[test]
    fn ipmi15_session_drops_unauthenticated_and_forged_replies() {
        let link = md5_link();
        let msg = [1u8, 2, 3];
        assert_eq!(
            link.unwrap(&encode_v15(AuthType::NONE, 5, 7, None, &msg)),
            Err(Dropped::Unauthenticated)
        );
        let forged = encode_v15(AuthType::MD5, 5, 7, Some(&[0; 16]), &msg);
        assert_eq!(link.unwrap(&forged), Err(Dropped::Unauthenticated));
        let code = v15_auth_code(AuthType::MD5, b"pw", 7, 5, &msg);
        assert_eq!(
            link.unwrap(&encode_v15(AuthType::MD5, 5, 7, Some(&code), &msg)),
            Ok(msg.to_vec())
        );
        let code = v15_auth_code(AuthType::MD5, b"pw", 8, 5, &msg);
        assert_eq!(
            link.unwrap(&encode_v15(AuthType::MD5, 5, 8, Some(&code), &msg)),
            Err(Dropped::Unauthenticated)
        );
    }
}
