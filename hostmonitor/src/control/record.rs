//! Where the daemon's durable record stands: the `record` part of a status answer, which the
//! daemon's store keeps current (`daemon::outputs::store`).

use serde::{Deserialize, Serialize};

/// Where the record came from and how the cluster copy is doing, for `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreView {
    /// The copy resumed from at start.
    pub source: Source,
    /// Why that copy.
    pub reason: String,
    /// The generation of the record in memory.
    pub generation: u64,
    /// Whether the cluster copy holds everything written.
    pub cluster_current: bool,
    /// Why the last cluster read or write failed, while it does.
    pub cluster_error: Option<String>,
    /// Why the last local file write failed, while it does.
    pub local_error: Option<String>,
}

/// The copy resumed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Neither copy exists: a fresh start.
    #[default]
    None,
    /// The cluster's.
    Cluster,
    /// The local file.
    LocalFile,
}
