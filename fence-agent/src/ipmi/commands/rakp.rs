//! RAKP messages 1-4 (payload types 0x12-0x15) and the HMAC inputs they carry
//! (IPMI 2.0 sections 13.20-13.23 and 13.31).

use crate::ipmi::codec::{DecodeError, Reader, Unverified};
use crate::ipmi::wire::RmcpStatus;

/// Requested role byte: privilege plus "name-only lookup" (bit 4).
pub fn role_byte(privilege: u8) -> u8 {
    0x10 | (privilege & 0x0f)
}

/// Encodes RAKP Message 1.
pub fn rakp1(
    tag: u8,
    managed_session_id: u32,
    console_random: &[u8; 16],
    role: u8,
    username: &[u8],
) -> Vec<u8> {
    let mut out = vec![tag, 0, 0, 0];
    out.extend(managed_session_id.to_le_bytes());
    out.extend(console_random);
    out.extend([role, 0, 0, u8::try_from(username.len()).unwrap_or(0)]);
    out.extend(username);
    out
}

/// RAKP Message 2 from the BMC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rakp2 {
    /// Echoed message tag.
    pub tag: u8,
    /// Status (non-zero: refused, e.g. unauthorized name).
    pub status: RmcpStatus,
    /// Echo of our session id.
    pub console_session_id: Unverified<u32>,
    /// BMC random number, GUID and key exchange auth code (only with status OK).
    pub body: Option<Rakp2Body>,
}

/// The authenticated part of RAKP 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rakp2Body {
    /// BMC random number Rc.
    pub bmc_random: Unverified<[u8; 16]>,
    /// BMC GUID.
    pub bmc_guid: Unverified<[u8; 16]>,
    /// HMAC the BMC computed with the user's key.
    pub auth_code: Unverified<Vec<u8>>,
}

impl Rakp2 {
    /// Decodes RAKP 2 with an auth code of `code_len` bytes.
    pub fn decode(bytes: &[u8], code_len: usize) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let (tag, status, console_session_id) = head(&mut r)?;
        if status != RmcpStatus::OK {
            return Ok(Self {
                tag,
                status,
                console_session_id,
                body: None,
            });
        }
        let body = Rakp2Body {
            bmc_random: Unverified::new(r.array("BMC random number")?),
            bmc_guid: Unverified::new(r.array("BMC GUID")?),
            auth_code: Unverified::new(r.take(code_len, "key exchange auth code")?.to_vec()),
        };
        r.finish("RAKP Message 2")?;
        Ok(Self {
            tag,
            status,
            console_session_id,
            body: Some(body),
        })
    }
}

/// Encodes RAKP Message 3.
pub fn rakp3(tag: u8, managed_session_id: u32, auth_code: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, 0, 0, 0];
    out.extend(managed_session_id.to_le_bytes());
    out.extend(auth_code);
    out
}

/// RAKP Message 4 from the BMC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rakp4 {
    /// Echoed message tag.
    pub tag: u8,
    /// Status.
    pub status: RmcpStatus,
    /// Echo of our session id.
    pub console_session_id: Unverified<u32>,
    /// Integrity check value (only with status OK).
    pub icv: Option<Unverified<Vec<u8>>>,
}

impl Rakp4 {
    /// Decodes RAKP 4 with an integrity check value of `icv_len` bytes.
    pub fn decode(bytes: &[u8], icv_len: usize) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let (tag, status, console_session_id) = head(&mut r)?;
        if status != RmcpStatus::OK {
            return Ok(Self {
                tag,
                status,
                console_session_id,
                icv: None,
            });
        }
        let icv = Unverified::new(r.take(icv_len, "integrity check value")?.to_vec());
        r.finish("RAKP Message 4")?;
        Ok(Self {
            tag,
            status,
            console_session_id,
            icv: Some(icv),
        })
    }
}

fn head(r: &mut Reader<'_>) -> Result<(u8, RmcpStatus, Unverified<u32>), DecodeError> {
    let tag = r.u8("message tag")?;
    let status = RmcpStatus(r.u8("status")?);
    r.take(2, "reserved")?;
    Ok((
        tag,
        status,
        Unverified::new(r.u32_le("console session id")?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rakp1_layout() {
        let m = rakp1(7, 0x01020304, &[0xaa; 16], role_byte(4), b"admin");
        assert_eq!(m.len(), 28 + 5);
        assert_eq!(&m[24..28], &[0x14, 0, 0, 5]);
    }

    #[test]
    fn rakp2_refusal_and_exact_length() {
        let refused = Rakp2::decode(&[0, 0x0d, 0, 0, 1, 0, 0, 0], 20).unwrap();
        assert_eq!(refused.status, RmcpStatus::UNAUTHORIZED_NAME);
        assert!(Rakp2::decode(&[0; 8 + 32 + 19], 20).is_err());
        assert!(Rakp2::decode(&[0; 8 + 32 + 20], 20).unwrap().body.is_some());
        assert!(Rakp2::decode(&[0; 8 + 32 + 21], 20).is_err());
    }
}
