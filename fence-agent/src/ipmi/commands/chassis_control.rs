//! Chassis Control (Chassis 0x02).

use super::NETFN_CHASSIS;
use crate::ipmi::message::Request;

/// What to do with chassis power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Power down (hard off).
    PowerDown,
    /// Power up.
    PowerUp,
    /// Power cycle.
    PowerCycle,
    /// Pulse a diagnostic interrupt (NMI).
    DiagnosticInterrupt,
}

impl Control {
    fn code(self) -> u8 {
        match self {
            Control::PowerDown => 0x00,
            Control::PowerUp => 0x01,
            Control::PowerCycle => 0x02,
            Control::DiagnosticInterrupt => 0x04,
        }
    }
}

/// Builds the request.
pub fn request(control: Control) -> Request {
    Request {
        netfn: NETFN_CHASSIS,
        cmd: 0x02,
        data: vec![control.code()],
    }
}
