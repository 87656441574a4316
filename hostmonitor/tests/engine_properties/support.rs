//! The set-up both property tests share: the clock's start, node views, and a monitor restart
//! from the stored record.

use hostmonitor::engine::{Config, Engine, FenceHistory, NodeKind, NodeView, Record, Timestamp};

/// When every simulated history starts.
pub const START: Timestamp = Timestamp::from_unix(1_700_000_000, 0);

/// A reconcile's view of one node.
pub fn view(
    name: &str,
    kind: NodeKind,
    online: bool,
    unclean: bool,
    fencing: FenceHistory,
) -> NodeView {
    NodeView {
        name: name.to_owned(),
        kind,
        online,
        unclean,
        fencing,
    }
}

/// A new monitor resuming from `record`, read back from its JSON as the daemon reads its state
/// file.
pub fn restart(config: &Config, record: &Record) -> Result<Engine, String> {
    let json = serde_json::to_string(record).map_err(|e| e.to_string())?;
    let record: Record = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    Engine::restore(config.clone(), record).map_err(|e| e.to_string())
}
