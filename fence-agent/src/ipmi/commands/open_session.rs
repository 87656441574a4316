//! RMCP+ Open Session Request/Response (payload types 0x10/0x11).

use crate::ipmi::codec::{DecodeError, Reader, Unverified};
use crate::ipmi::crypto::CipherSuite;
use crate::ipmi::wire::{Privilege, RmcpStatus};

/// Encodes the request proposing exactly `suite`'s algorithms.
pub fn request(
    tag: u8,
    privilege: Privilege,
    console_session_id: u32,
    suite: CipherSuite,
) -> Vec<u8> {
    let mut out = vec![tag, privilege.0, 0, 0];
    out.extend(console_session_id.to_le_bytes());
    for (kind, alg) in [
        (0u8, suite.auth_code()),
        (1, suite.integrity_code()),
        (2, suite.conf_code()),
    ] {
        out.extend([kind, 0, 0, 8, alg, 0, 0, 0]);
    }
    out
}

/// The BMC's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSessionResponse {
    /// Echoed message tag.
    pub tag: u8,
    /// Status (non-zero: refused).
    pub status: RmcpStatus,
    /// Echo of our session id (absent in the two-byte refusals some BMCs send).
    pub console_session_id: Option<Unverified<u32>>,
    /// The BMC's session id and the algorithms it chose (only with status OK).
    pub accepted: Option<(Unverified<u32>, [u8; 3])>,
}

impl OpenSessionResponse {
    /// Decodes the payload; a refusal may stop after the status (OpenIPMI's ipmi_sim) or
    /// after the console session id.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let tag = r.u8("message tag")?;
        let status = RmcpStatus(r.u8("status")?);
        if status != RmcpStatus::OK && r.remaining() == 0 {
            return Ok(Self {
                tag,
                status,
                console_session_id: None,
                accepted: None,
            });
        }
        r.take(2, "privilege and reserved")?;
        let console_session_id = Some(Unverified::new(r.u32_le("console session id")?));
        if status != RmcpStatus::OK && r.remaining() == 0 {
            return Ok(Self {
                tag,
                status,
                console_session_id,
                accepted: None,
            });
        }
        let managed = Unverified::new(r.u32_le("managed session id")?);
        let mut algs = [0u8; 3];
        for alg in &mut algs {
            let payload = r.array::<8>("algorithm payload")?;
            *alg = payload[4] & 0x3f;
        }
        r.finish("Open Session Response")?;
        let accepted = (status == RmcpStatus::OK).then_some((managed, algs));
        Ok(Self {
            tag,
            status,
            console_session_id,
            accepted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout_for_suite_17() {
        let req = request(
            1,
            Privilege::ADMINISTRATOR,
            0xa0a1a2a3,
            CipherSuite::SEVENTEEN,
        );
        assert_eq!(req.len(), 32);
        assert_eq!(&req[8..16], &[0, 0, 0, 8, 3, 0, 0, 0]);
        assert_eq!(&req[16..24], &[1, 0, 0, 8, 4, 0, 0, 0]);
        assert_eq!(&req[24..32], &[2, 0, 0, 8, 1, 0, 0, 0]);
    }

    #[test]
    fn short_refusal_and_strict_length() {
        let r = OpenSessionResponse::decode(&[1, 0x11, 0, 0, 1, 2, 3, 4]).unwrap();
        assert_eq!(r.status, RmcpStatus::NO_CIPHER_MATCH);
        let r = OpenSessionResponse::decode(&[0, 0x04]).unwrap();
        assert_eq!(
            (r.status, r.console_session_id),
            (RmcpStatus::INVALID_AUTH_ALG, None)
        );
        assert!(OpenSessionResponse::decode(&[0, 0x00]).is_err());
        assert!(OpenSessionResponse::decode(&[1, 0, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(OpenSessionResponse::decode(&[0; 37]).is_err());
    }
}
