//! The host monitor: learns of lost compute nodes from Pacemaker and notifies Masakari.

pub mod alert;
#[cfg(feature = "daemon")]
pub mod cli;
pub mod control;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod engine;
pub mod settings;
#[cfg(feature = "daemon")]
pub mod snapshot;
