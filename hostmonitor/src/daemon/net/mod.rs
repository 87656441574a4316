//! Plumbing the inputs and outputs share: child processes (crm_mon, cibadmin, crm_node) with
//! timeouts. The unix sockets (alerts, control) are bound and served by `monitor_control::server`.

pub mod process;
