//! IPMI over LAN wire format: RMCP framing, session headers, LAN messages, commands and the
//! cipher-suite crypto. Pure functions on bytes; no I/O and no state.

pub mod codec;
pub mod commands;
pub mod crypto;
pub mod message;
pub mod packet;
pub mod wire;

pub use crypto::CipherSuite;
pub use wire::{AuthType, CompletionCode, Privilege, RmcpStatus};
