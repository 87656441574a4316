//! The host monitor: learns of lost compute nodes from Pacemaker and notifies Masakari.

pub mod alert;
pub mod cli;
pub mod daemon;
pub mod engine;
pub mod settings;
