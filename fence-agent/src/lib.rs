//! A fence_ipmilan-compatible STONITH agent with a native IPMI-over-LAN client.

pub mod exit;
pub mod ipmi;
pub mod log;
pub mod options;
pub mod personality;
pub mod secret;
