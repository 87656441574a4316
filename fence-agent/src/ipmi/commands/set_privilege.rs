//! Set Session Privilege Level (App 0x3B).

use super::NETFN_APP;
use crate::ipmi::codec::{Decode, DecodeError, Reader};
use crate::ipmi::message::Request;
use crate::ipmi::wire::Privilege;

/// Builds the request.
pub fn request(privilege: Privilege) -> Request {
    Request {
        netfn: NETFN_APP,
        cmd: 0x3b,
        data: vec![privilege.0],
    }
}

/// The privilege now in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivilegeSet(pub Privilege);

impl Decode for PrivilegeSet {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(Privilege(r.u8("privilege")? & 0x0f)))
    }
}
