//! Get Chassis Status (Chassis 0x01).

use super::NETFN_CHASSIS;
use crate::ipmi::codec::{Decode, DecodeError, Reader};
use crate::ipmi::message::Request;

/// Builds the request.
pub fn request() -> Request {
    Request {
        netfn: NETFN_CHASSIS,
        cmd: 0x01,
        data: vec![],
    }
}

/// The chassis status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChassisStatus {
    /// Current power state byte (bit 0: power is on).
    pub power_state: u8,
    /// Last power event byte.
    pub last_event: u8,
    /// Misc chassis state byte.
    pub misc: u8,
}

impl ChassisStatus {
    /// Whether system power is on.
    pub fn power_on(&self) -> bool {
        self.power_state & 0x01 != 0
    }
}

impl Decode for ChassisStatus {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let status = Self {
            power_state: r.u8("power state")?,
            last_event: r.u8("last power event")?,
            misc: r.u8("misc chassis state")?,
        };
        // Front panel button capabilities are optional.
        if r.remaining() == 1 {
            r.u8("front panel")?;
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_front_panel_byte() {
        assert!(ChassisStatus::decode(&[0x01, 0, 0]).unwrap().power_on());
        assert!(!ChassisStatus::decode(&[0x60, 0, 0, 0]).unwrap().power_on());
        assert!(ChassisStatus::decode(&[0x01, 0]).is_err());
        assert!(ChassisStatus::decode(&[0x01, 0, 0, 0, 0]).is_err());
    }
}
