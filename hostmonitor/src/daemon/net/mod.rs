//! Plumbing the inputs and outputs share: unix sockets (alerts, control) and child processes
//! (crm_mon, cibadmin, crm_node) with timeouts.

pub mod process;
pub mod unix_socket;
