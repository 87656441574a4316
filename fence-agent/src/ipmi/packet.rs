//! RMCP framing with the IPMI 1.5 and IPMI 2.0 (RMCP+) session headers.
//!
//! Decoding only checks structure; session ids, sequence numbers and auth codes come back
//! [`Unverified`] for the session to check against its keys and state.

use super::codec::{DecodeError, Reader, Unverified};
use super::crypto::CipherSuite;
use super::wire::{AuthType, PayloadType};

/// RMCP header for IPMI messages: version 6, reserved, no RMCP ack (seq 0xff), class IPMI.
pub const RMCP_HEADER: [u8; 4] = [0x06, 0x00, 0xff, 0x07];

const ENCRYPTED: u8 = 0x80;
const AUTHENTICATED: u8 = 0x40;

/// A decoded IPMI 1.5 session packet.
#[derive(Debug, PartialEq, Eq)]
pub struct V15Packet<'a> {
    /// Auth type of this packet.
    pub auth: AuthType,
    /// Session sequence number.
    pub seq: Unverified<u32>,
    /// Session id.
    pub session_id: Unverified<u32>,
    /// Auth code (absent for auth type none).
    pub auth_code: Option<Unverified<[u8; 16]>>,
    /// The IPMI message.
    pub message: &'a [u8],
}

/// A decoded IPMI 2.0 (RMCP+) session packet.
#[derive(Debug, PartialEq, Eq)]
pub struct V20Packet<'a> {
    /// Payload type.
    pub payload_type: PayloadType,
    /// Whether the payload is encrypted.
    pub encrypted: bool,
    /// Session id (ours, the console's, when the BMC sends).
    pub session_id: Unverified<u32>,
    /// Session sequence number.
    pub seq: Unverified<u32>,
    /// Payload (still encrypted if `encrypted`).
    pub payload: &'a [u8],
    /// Bytes covered by the integrity code, and the code (if authenticated).
    pub integrity: Option<(&'a [u8], Unverified<&'a [u8]>)>,
}

/// A datagram from the BMC, by session format.
#[derive(Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// IPMI 1.5 session format.
    V15(V15Packet<'a>),
    /// IPMI 2.0 RMCP+ format.
    V20(V20Packet<'a>),
}

/// Decodes a datagram; `integrity_len` is the auth code length of the current suite.
pub fn decode(bytes: &[u8], integrity_len: usize) -> Result<Packet<'_>, DecodeError> {
    let mut r = Reader::new(bytes);
    let rmcp = r.array::<4>("RMCP header")?;
    if rmcp[0] != RMCP_HEADER[0] || rmcp[3] & 0x1f != RMCP_HEADER[3] {
        return Err(DecodeError::Invalid {
            what: "RMCP class",
            value: u32::from(rmcp[3]),
        });
    }
    let auth = AuthType(r.u8("auth type")?);
    if auth == AuthType::RMCP_PLUS {
        decode_v20(bytes, r, integrity_len).map(Packet::V20)
    } else {
        decode_v15(auth, r).map(Packet::V15)
    }
}

fn decode_v15(auth: AuthType, mut r: Reader<'_>) -> Result<V15Packet<'_>, DecodeError> {
    let seq = Unverified::new(r.u32_le("session sequence")?);
    let session_id = Unverified::new(r.u32_le("session id")?);
    let auth_code = match auth {
        AuthType::NONE => None,
        _ => Some(Unverified::new(r.array::<16>("auth code")?)),
    };
    let len = usize::from(r.u8("message length")?);
    let message = r.take(len, "IPMI message")?;
    // Some BMCs add one legacy pad byte; anything more is malformed.
    if r.remaining() > 1 {
        return Err(DecodeError::Trailing {
            what: "IPMI 1.5 packet",
            extra: r.remaining(),
        });
    }
    Ok(V15Packet {
        auth,
        seq,
        session_id,
        auth_code,
        message,
    })
}

fn decode_v20<'a>(
    all: &'a [u8],
    mut r: Reader<'a>,
    integrity_len: usize,
) -> Result<V20Packet<'a>, DecodeError> {
    let type_byte = r.u8("payload type")?;
    let session_id = Unverified::new(r.u32_le("session id")?);
    let seq = Unverified::new(r.u32_le("session sequence")?);
    let len = usize::from(r.u16_le("payload length")?);
    let payload = r.take(len, "payload")?;
    let payload_type = PayloadType(type_byte & 0x3f);
    if type_byte & AUTHENTICATED == 0 {
        r.finish("RMCP+ packet")?;
        return Ok(V20Packet {
            payload_type,
            encrypted: type_byte & ENCRYPTED != 0,
            session_id,
            seq,
            payload,
            integrity: None,
        });
    }
    let trailer = r.rest();
    let code_at = trailer
        .len()
        .checked_sub(integrity_len + 2)
        .ok_or(DecodeError::Truncated {
            what: "integrity trailer",
        })?;
    let pad_len = usize::from(trailer.get(code_at).copied().unwrap_or(0));
    let next_header = trailer.get(code_at + 1).copied().unwrap_or(0);
    if pad_len != code_at || next_header != 0x07 {
        return Err(DecodeError::Invalid {
            what: "integrity pad",
            value: u32::from(next_header),
        });
    }
    let covered_end = all.len() - integrity_len;
    let covered = all.get(4..covered_end).unwrap_or_default();
    let code = all.get(covered_end..).unwrap_or_default();
    Ok(V20Packet {
        payload_type,
        encrypted: type_byte & ENCRYPTED != 0,
        session_id,
        seq,
        payload,
        integrity: Some((covered, Unverified::new(code))),
    })
}

/// Encodes an IPMI 1.5 session packet.
pub fn encode_v15(
    auth: AuthType,
    seq: u32,
    session_id: u32,
    auth_code: Option<&[u8; 16]>,
    message: &[u8],
) -> Vec<u8> {
    let mut out = RMCP_HEADER.to_vec();
    out.push(auth.0);
    out.extend(seq.to_le_bytes());
    out.extend(session_id.to_le_bytes());
    if let Some(code) = auth_code {
        out.extend(code);
    }
    out.push(u8::try_from(message.len()).unwrap_or(u8::MAX));
    out.extend(message);
    out
}

/// The security applied to an outgoing RMCP+ packet.
pub struct Protection<'a> {
    /// Cipher suite.
    pub suite: CipherSuite,
    /// Integrity key K1.
    pub k1: &'a [u8],
    /// AES key and a fresh IV, when confidentiality is on.
    pub aes: Option<(&'a [u8; 16], [u8; 16])>,
}

/// Encodes an RMCP+ packet; `protection` is `None` before the session is established.
pub fn encode_v20(
    payload_type: PayloadType,
    session_id: u32,
    seq: u32,
    payload: &[u8],
    protection: Option<&Protection<'_>>,
) -> Vec<u8> {
    let mut type_byte = payload_type.0;
    let body = match protection.and_then(|p| p.aes) {
        Some((key, iv)) => {
            type_byte |= ENCRYPTED;
            let mut b = iv.to_vec();
            b.extend(super::crypto::aes_encrypt(key, &iv, payload));
            b
        }
        None => payload.to_vec(),
    };
    let authenticated = protection.filter(|p| p.suite.integrity_len() > 0);
    if authenticated.is_some() {
        type_byte |= AUTHENTICATED;
    }
    let mut out = RMCP_HEADER.to_vec();
    out.extend([AuthType::RMCP_PLUS.0, type_byte]);
    out.extend(session_id.to_le_bytes());
    out.extend(seq.to_le_bytes());
    out.extend(u16::try_from(body.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend(&body);
    if let Some(p) = authenticated {
        let covered = out.len() - 4;
        let pad = (4 - (covered + 2) % 4) % 4;
        out.extend(std::iter::repeat_n(0xff, pad));
        out.extend([u8::try_from(pad).unwrap_or(0), 0x07]);
        let code = p
            .suite
            .integrity_code_of(p.k1, out.get(4..).unwrap_or_default());
        out.extend(code);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipmi::codec::hex;

    #[test]
    fn v15_round_trip() {
        let bytes = encode_v15(AuthType::MD5, 7, 0x01020304, Some(&[9; 16]), &[1, 2, 3]);
        let Packet::V15(p) = decode(&bytes, 0).unwrap() else {
            panic!()
        };
        assert_eq!(p.auth, AuthType::MD5);
        assert_eq!(p.seq.verify(|s| *s == 7), Some(7));
        assert_eq!(p.message, &[1, 2, 3]);
    }

    #[test]
    fn v20_authenticated_round_trip_and_tamper() {
        let k1 = [5u8; 20];
        let prot = Protection {
            suite: CipherSuite::TWO,
            k1: &k1,
            aes: None,
        };
        let bytes = encode_v20(
            PayloadType::IPMI,
            0xaabbccdd,
            3,
            &[1, 2, 3, 4, 5],
            Some(&prot),
        );
        assert_eq!((bytes.len() - 4 - 12) % 4, 0);
        let Packet::V20(p) = decode(&bytes, 12).unwrap() else {
            panic!()
        };
        let (covered, code) = p.integrity.unwrap();
        let expect = CipherSuite::TWO.integrity_code_of(&k1, covered);
        assert!(code.verify(|c| *c == expect.as_slice()).is_some());
        assert!(decode(&bytes[..bytes.len() - 1], 12).is_err());
    }

    /// Datagrams captured from OpenIPMI's ipmi_sim (2.0.33).
    #[test]
    fn decodes_datagrams_captured_from_ipmi_sim() {
        use crate::ipmi::codec::Decode;
        use crate::ipmi::commands::auth_caps::AuthCaps;
        use crate::ipmi::commands::open_session::OpenSessionResponse;
        use crate::ipmi::message::decode_response;
        use crate::ipmi::wire::RmcpStatus;

        let caps = hex("0600ff0700000000000000000010811c6320043800019706030000000003");
        let Packet::V15(p) = decode(&caps, 0).unwrap() else {
            panic!()
        };
        let resp = decode_response(p.message).unwrap();
        let caps = AuthCaps::decode(&resp.data).unwrap();
        assert!(caps.supports(AuthType::MD5) && caps.supports(AuthType::MD2) && caps.supports_v2());

        let refusal = hex("0600ff070611000000000000000002000004");
        let Packet::V20(p) = decode(&refusal, 0).unwrap() else {
            panic!()
        };
        assert_eq!(p.payload_type, PayloadType::OPEN_SESSION_RESPONSE);
        let open = OpenSessionResponse::decode(p.payload).unwrap();
        assert_eq!(open.status, RmcpStatus::INVALID_AUTH_ALG);

        let accepted = hex(
            "0600ff070611000000000000000024000000040044332211820f0000000000080100000001000008010000000200000801000000",
        );
        let Packet::V20(p) = decode(&accepted, 0).unwrap() else {
            panic!()
        };
        let open = OpenSessionResponse::decode(p.payload).unwrap();
        assert_eq!(open.accepted.map(|(_, algs)| algs), Some([1, 1, 1]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for len in 0..40 {
            let _ = decode(&vec![0x06; len], 12);
            let _ = decode(&vec![0xff; len], 16);
        }
    }
}
