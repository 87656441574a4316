//! The host monitor: learns of lost compute nodes from Pacemaker and notifies Masakari.

pub mod engine;
