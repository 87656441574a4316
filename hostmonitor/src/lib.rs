//! The host monitor: learns of lost compute nodes from Pacemaker and notifies Masakari.
//!
//! The pure part (always built; what the OCF agent links): the decision engine (`engine`), the
//! settings, the alert line, and the control protocol (`control`: the typed
//! `status`/`release`/`dismiss` requests and answers and their blocking client). Behind the `daemon` feature: the daemon, its
//! command line, the crm_mon reading (`snapshot`) and Pacemaker's IPC messages (`pacemaker_ipc`).

pub mod alert;
#[cfg(feature = "daemon")]
pub mod cli;
pub mod control;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod engine;
#[cfg(feature = "daemon")]
pub mod pacemaker_ipc;
pub mod settings;
#[cfg(feature = "daemon")]
pub mod snapshot;
