//! What the engine hears: Pacemaker's alerts, corosync's quorum, crm_mon reconciles (with the
//! watched compute services, `services`) and operators' control requests. Each is a task that turns its source into engine [`Request`](super::engine_task::Request)s.

pub mod alert_socket;
pub mod control;
pub mod known_nodes;
pub mod quorum;
pub mod reconcile;
pub mod services;
