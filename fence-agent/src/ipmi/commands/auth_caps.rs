//! Get Channel Authentication Capabilities (App 0x38): the first exchange of every session.

use super::NETFN_APP;
use crate::ipmi::codec::{Decode, DecodeError, Reader};
use crate::ipmi::message::Request;
use crate::ipmi::wire::{AuthType, Privilege};

/// Builds the request for the current channel; `v2` asks for IPMI 2.0 extended data.
pub fn request(v2: bool, privilege: Privilege) -> Request {
    let channel = if v2 { 0x8e } else { 0x0e };
    Request {
        netfn: NETFN_APP,
        cmd: 0x38,
        data: vec![channel, privilege.0],
    }
}

/// The BMC's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCaps {
    /// Channel number.
    pub channel: u8,
    /// Bit per supported IPMI 1.5 auth type (bit 7: IPMI 2.0 extended data present).
    pub auth_support: u8,
    /// Status flags (per-message auth, user-level auth, anonymous login).
    pub status: u8,
    /// Extended capabilities (bit 1: IPMI 2.0 connections supported).
    pub extended: u8,
}

impl AuthCaps {
    /// Whether the BMC accepts IPMI 1.5 auth type `auth`.
    pub fn supports(&self, auth: AuthType) -> bool {
        self.auth_support & auth.support_bit() != 0
    }

    /// Whether the BMC says it speaks RMCP+ (only meaningful with extended data).
    pub fn supports_v2(&self) -> bool {
        self.auth_support & 0x80 == 0 || self.extended & 0x02 != 0
    }
}

impl Decode for AuthCaps {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let caps = Self {
            channel: r.u8("channel")?,
            auth_support: r.u8("auth type support")?,
            status: r.u8("auth status")?,
            extended: r.u8("extended capabilities")?,
        };
        r.take(4, "OEM id and data")?;
        Ok(caps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ipmi_sim_answer() {
        let caps = AuthCaps::decode(&[0x01, 0x97, 0x04, 0x02, 0, 0, 0, 0]).unwrap();
        assert!(caps.supports(AuthType::MD5) && caps.supports(AuthType::PASSWORD));
        assert!(caps.supports_v2());
        assert!(AuthCaps::decode(&[0x01, 0x97, 0x04]).is_err());
        assert!(AuthCaps::decode(&[0; 9]).is_err());
    }
}
