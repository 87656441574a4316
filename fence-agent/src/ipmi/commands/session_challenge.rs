//! Get Session Challenge (App 0x39): IPMI 1.5 login, step 1.

use super::NETFN_APP;
use crate::ipmi::codec::{Decode, DecodeError, Reader, Unverified};
use crate::ipmi::message::Request;
use crate::ipmi::wire::AuthType;

/// Builds the request for `username` (at most 16 bytes; longer names are cut by the caller's
/// validation).
pub fn request(auth: AuthType, username: &[u8]) -> Request {
    let mut name = [0u8; 16];
    let n = username.len().min(16);
    if let (Some(dst), Some(src)) = (name.get_mut(..n), username.get(..n)) {
        dst.copy_from_slice(src);
    }
    let mut data = vec![auth.0];
    data.extend(name);
    Request {
        netfn: NETFN_APP,
        cmd: 0x39,
        data,
    }
}

/// The challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Temporary session id for Activate Session.
    pub temp_session_id: Unverified<u32>,
    /// Challenge string to echo.
    pub challenge: [u8; 16],
}

impl Decode for Challenge {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            temp_session_id: Unverified::new(r.u32_le("temporary session id")?),
            challenge: r.array("challenge")?,
        })
    }
}
