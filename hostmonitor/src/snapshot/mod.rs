//! `crm_mon` output (Pacemaker's own verdict on every node, plus the fencer's history) as the engine's
//! [`Snapshot`]. Pure: the reconcile task runs crm_mon and hands the text here.

pub mod services;

use std::collections::{HashMap, HashSet};

use cib::{CrmMon, FenceStatus, MonResource};

use crate::engine::{FenceHistory, NodeKind, NodeView, Snapshot, Timestamp};

/// Why a crm_mon reading cannot become a snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The XML could not be read.
    #[error("crm_mon output: {0}")]
    Xml(#[from] cib::Error),
    /// crm_mon reports no DC, so its node states are not Pacemaker's decision yet.
    #[error("crm_mon reports no DC: the cluster has not elected one (yet)")]
    NoDc,
}

/// The snapshot `crm_mon -1 --output-as=xml --fence-history=2` describes, read at `taken_at`, with
/// the remote nodes' `node_state` entries (`cibadmin --query --xpath` output; empty when there are
/// none) saying which remote connections the controller has really up.
pub fn from_crm_mon(
    xml: &str,
    remote_node_states: &str,
    local_node: &str,
    taken_at: Timestamp,
) -> Result<Snapshot, SnapshotError> {
    let mon = CrmMon::parse(xml)?;
    if mon.dc.is_none() {
        return Err(SnapshotError::NoDc);
    }
    let connections = Connections::read(&mon, remote_node_states)?;
    let histories = histories(&mon);
    let nodes = mon
        .nodes
        .iter()
        .filter_map(|n| {
            let kind = match n.node_type.as_str() {
                "member" => NodeKind::Member,
                "remote" if n.id_as_resource.is_some() => NodeKind::Guest,
                "remote" => NodeKind::Remote,
                _ => return None,
            };
            Some(NodeView {
                name: n.name.clone(),
                kind,
                online: n.online && (kind != NodeKind::Remote || connections.up(&n.name)),
                unclean: n.unclean,
                fencing: histories.get(n.name.as_str()).copied().unwrap_or_default(),
            })
        })
        .collect();
    Ok(Snapshot {
        taken_at,
        local_node: local_node.to_owned(),
        quorate: mon.with_quorum.unwrap_or(false),
        nodes,
    })
}

/// What says whether a remote node's connection is really up.
struct Connections<'a> {
    /// The `ocf:pacemaker:remote` connection resources crm_mon lists, by id (= node name).
    resources: HashMap<&'a str, &'a MonResource>,
    /// Remotes whose `node_state` says the controller has no connection (`in_ccm` false).
    down: HashSet<String>,
}

impl<'a> Connections<'a> {
    fn read(mon: &'a CrmMon, remote_node_states: &str) -> Result<Self, SnapshotError> {
        let mut resources = HashMap::new();
        for r in mon
            .resources
            .iter()
            .filter(|r| r.agent == "ocf:pacemaker:remote")
        {
            resources.entry(r.id.as_str()).or_insert(r);
        }
        let down = if remote_node_states.trim().is_empty() {
            HashSet::new()
        } else {
            cib::NodeState::parse_query(remote_node_states)?
                .into_iter()
                .filter(|s| s.remote_node && s.in_ccm.is_some_and(|m| !m.is_member()))
                .map(|s| s.uname)
                .collect()
        };
        Ok(Self { resources, down })
    }

    /// Whether the connection to `node` is up. While Pacemaker retries the connection of a fenced
    /// remote (`reconnect_interval`), crm_mon reports the node online though nothing answers: with
    /// the connection resource `Starting`, or `Started` while the new start is still pending, or
    /// `Started` and failed. The controller's `in_ccm`, written when the connection really comes
    /// up or goes, settles it; a `Started` connection that has not failed is needed as well.
    fn up(&self, node: &str) -> bool {
        !self.down.contains(node)
            && self
                .resources
                .get(node)
                .is_none_or(|r| r.role == "Started" && !r.failed)
    }
}

/// Each node's fence history, in one pass over the fencer's. Only actions that leave a node off or
/// reset count (`off`, `reboot`): an `on` (unfencing) proves nothing about a lost host.
fn histories(mon: &CrmMon) -> HashMap<&str, FenceHistory> {
    let mut out: HashMap<&str, FenceHistory> = HashMap::new();
    let events = mon
        .fence_history
        .iter()
        .filter(|e| matches!(e.action.as_str(), "off" | "reboot"));
    for e in events {
        let h = out.entry(e.target.as_str()).or_default();
        let at = e.completed.as_deref().and_then(parse_completed);
        match (&e.status, at) {
            (FenceStatus::Success, Some(at)) => h.last_success = h.last_success.max(Some(at)),
            (FenceStatus::Failed, Some(at)) => h.last_failure = h.last_failure.max(Some(at)),
            (FenceStatus::Pending, _) => h.pending = true,
            _ => {}
        }
    }
    out
}

/// Pacemaker's `completed` time, `2026-11-26 07:21:10Z` (UTC; fractions of a second optional).
/// An unreadable time (malformed, or a year outside 1970..=9999) is `None`: that fence
/// confirms nothing.
pub fn parse_completed(text: &str) -> Option<Timestamp> {
    Timestamp::parse_utc(text).ok()
}

#[cfg(test)]
mod tests;
