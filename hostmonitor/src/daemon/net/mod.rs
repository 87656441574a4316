//! Plumbing the inputs and outputs share: child processes (crm_mon, cibadmin, crm_node) with
//! timeouts, a kept libqb connection to the CIB manager, and who counts as the cluster. The unix
//! sockets (alerts, control) are bound and served by `monitor_control::server`.

pub mod cib_client;
pub mod cluster_users;
pub mod libqb;
pub mod process;
