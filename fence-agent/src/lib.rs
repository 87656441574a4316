//! A fence_ipmilan-compatible STONITH agent with a native IPMI-over-LAN client.

pub mod agent;
pub mod bmc;
pub mod exit;
pub mod ipmi;
pub mod log;
pub mod options;
pub mod personality;
pub mod run;
pub mod secret;
pub mod session;
pub mod transport;
