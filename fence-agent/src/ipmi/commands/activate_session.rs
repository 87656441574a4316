//! Activate Session (App 0x3A): IPMI 1.5 login, step 2.

use super::NETFN_APP;
use crate::ipmi::codec::{Decode, DecodeError, Reader, Unverified};
use crate::ipmi::message::Request;
use crate::ipmi::wire::{AuthType, Privilege};

/// Builds the request echoing `challenge`, proposing our `initial_outbound_seq`.
pub fn request(
    auth: AuthType,
    max_privilege: Privilege,
    challenge: &[u8; 16],
    initial_outbound_seq: u32,
) -> Request {
    let mut data = vec![auth.0, max_privilege.0];
    data.extend(challenge);
    data.extend(initial_outbound_seq.to_le_bytes());
    Request {
        netfn: NETFN_APP,
        cmd: 0x3a,
        data,
    }
}

/// The activated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated {
    /// Auth type for the rest of the session.
    pub auth: AuthType,
    /// Session id.
    pub session_id: Unverified<u32>,
    /// Sequence number the BMC expects from us next.
    pub inbound_seq: Unverified<u32>,
    /// Maximum privilege allowed.
    pub max_privilege: Privilege,
}

impl Decode for Activated {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            auth: AuthType(r.u8("auth type")?),
            session_id: Unverified::new(r.u32_le("session id")?),
            inbound_seq: Unverified::new(r.u32_le("initial inbound sequence")?),
            max_privilege: Privilege(r.u8("maximum privilege")? & 0x0f),
        })
    }
}
