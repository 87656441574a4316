//! The host monitor: learns of lost compute nodes from Pacemaker and notifies Masakari.

pub mod cli;
pub mod engine;
pub mod settings;
