//! What carries out the engine's actions: the durable record (cluster copy in attrd, local file), delivery
//! to the Masakari API, and our own IPMI power check of a lost host.

pub mod attrd;
pub mod cluster_store;
pub mod delivery;
pub mod power;
pub mod store;
