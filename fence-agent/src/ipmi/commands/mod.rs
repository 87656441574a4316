//! IPMI commands and RMCP+ session messages, one file each: request builders and
//! strict response decoders.

pub mod activate_session;
pub mod auth_caps;
pub mod chassis_control;
pub mod chassis_status;
pub mod close_session;
pub mod open_session;
pub mod rakp;
pub mod session_challenge;
pub mod set_privilege;

/// NetFn Chassis (requests).
pub const NETFN_CHASSIS: u8 = 0x00;
/// NetFn Application (requests).
pub const NETFN_APP: u8 = 0x06;
