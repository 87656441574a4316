//! Close Session (App 0x3C).

use super::NETFN_APP;
use crate::ipmi::message::Request;

/// Builds the request closing the BMC's session `session_id`.
pub fn request(session_id: u32) -> Request {
    Request {
        netfn: NETFN_APP,
        cmd: 0x3c,
        data: session_id.to_le_bytes().to_vec(),
    }
}
