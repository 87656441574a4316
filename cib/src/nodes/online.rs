//! The per-node and per-operation rules: a member's online state from its `node_state`,
//! and the failure response, interval and attribute readings the replay needs.

use super::{NodeAttrs, NodeKind, WorkNode};
use crate::history::OnFail;
use crate::status::{JoinState, LrmOp, NodeState};
use crate::value::{duration_ms, is_true};

/// `determine_online_status` for a cluster member.
pub(super) fn determine_online_status(
    node: &mut WorkNode<'_>,
    state: &NodeState,
    attrs: &NodeAttrs<'_>,
    stonith: bool,
) {
    node.shutdown = false;
    node.expected_up = false;
    if attrs.shutdown_requested() {
        node.shutdown = true;
    } else if state.expected == Some(JoinState::Member) {
        node.expected_up = true;
    }
    let online = match node.kind {
        NodeKind::Ping => {
            node.unclean = false;
            false
        }
        _ if !stonith => online_without_fencing(node, state),
        _ => online_with_fencing(node, state, attrs),
    };
    if online {
        node.online = true;
    }
}

fn online_without_fencing(node: &mut WorkNode<'_>, state: &NodeState) -> bool {
    let in_cluster = state.in_ccm.is_some_and(|m| m.is_member());
    let peer = state.crmd.is_some_and(|m| m.is_member());
    if !in_cluster {
        false
    } else if peer {
        state.join == Some(JoinState::Member)
    } else {
        if node.expected_up {
            node.unclean = true;
        }
        false
    }
}

fn online_with_fencing(node: &mut WorkNode<'_>, state: &NodeState, attrs: &NodeAttrs<'_>) -> bool {
    let terminate = attrs.terminate.is_some_and(|t| {
        is_true(t)
            || t.chars()
                .next()
                .is_some_and(|c| c != '0' && c.is_ascii_digit())
    });
    let in_cluster = state.in_ccm.is_some_and(|m| m.is_member());
    let peer = state.crmd.is_some_and(|m| m.is_member());
    let expected_down = matches!(&state.expected, None | Some(JoinState::Down));
    let join = state.join.as_ref();
    let mut online = in_cluster;
    if node.shutdown {
        online = peer;
    } else if state.in_ccm.is_none() || join == Some(&JoinState::Banned) {
        // Never seen by the cluster, or refused membership.
        node.unclean = true;
    } else if !terminate && expected_down {
        if in_cluster || peer {
            node.standby = true;
            node.pending = true;
        }
    } else if terminate && join == Some(&JoinState::Down) && !in_cluster && !peer {
        online = false;
    } else if !in_cluster || !peer || terminate {
        node.unclean = true;
    } else if join == Some(&JoinState::Member) {
        // Active.
    } else if matches!(join, Some(JoinState::Pending | JoinState::Down)) {
        node.standby = true;
        node.pending = true;
    } else {
        node.unclean = true;
    }
    online
}

/// The failure response for an operation: configured `on-fail`, else Pacemaker's default
/// (`unpack_operation_on_fail` in `lib/pengine/pe_actions.c`).
pub(super) fn on_fail_policy(
    op: &LrmOp,
    configured: &[crate::resources::OpConfig],
    managed: bool,
    has_container: bool,
    is_conn: bool,
    stonith: bool,
) -> OnFail {
    let value = configured
        .iter()
        .find(|c| c.name == op.operation && duration_ms(&c.interval) == Some(op.interval_ms))
        .and_then(|c| c.on_fail.as_deref())
        .and_then(OnFail::parse)
        .map(|v| match v {
            OnFail::Fence if !stonith => OnFail::Stop,
            OnFail::RestartContainer if !has_container => OnFail::Recover,
            other => other,
        });
    let remote_default = is_conn && !op.is_probe() && op.operation != "start";
    match value {
        None if has_container => OnFail::RestartContainer,
        _ if remote_default && !managed => OnFail::Stop,
        None if remote_default => OnFail::ResetRemote,
        None if op.operation == "stop" && stonith => OnFail::Fence,
        None if op.operation == "stop" => OnFail::Block,
        None => OnFail::Recover,
        Some(v) => v,
    }
}

/// A Pacemaker score: an integer, or `INFINITY`/`+INFINITY`/`-INFINITY`.
pub(super) fn score(value: &str) -> i64 {
    const INFINITY: i64 = 1_000_000;
    match value.trim() {
        "INFINITY" | "+INFINITY" => INFINITY,
        "-INFINITY" => -INFINITY,
        other => other.parse::<i64>().unwrap_or(0).clamp(-INFINITY, INFINITY),
    }
}

/// A clone instance's base id: `rsc:2` is an instance of `rsc`.
pub(super) fn clone_base(id: &str) -> &str {
    // By hand rather than `rsplit_once`: most ids end in digits that no colon precedes.
    let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
    let rest = id.len() - digits;
    match id.get(..rest).and_then(|r| r.strip_suffix(':')) {
        Some(base) if digits > 0 => base,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_ids() {
        assert_eq!(clone_base("ping:1"), "ping");
        assert_eq!(clone_base("ping"), "ping");
        assert_eq!(clone_base("a:b"), "a:b");
        assert_eq!(clone_base("a:"), "a:");
        assert_eq!(clone_base(":7"), "");
        assert_eq!(clone_base("a:1:2"), "a:1");
        assert_eq!(clone_base("cmp12"), "cmp12");
    }
}
