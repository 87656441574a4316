//! The status pass: each member's `node_state`, then the resource histories node by node
//! (remote and guest nodes once their connection is known to be up), and what each
//! resource's state means for its node (`unpack_status`, `process_rsc_state`).

use super::online::{clone_base, determine_online_status, on_fail_policy};
use super::{LrmSlots, NodeKind, Work, WorkNode};
use crate::history::{Context, Expiry, OnFail, Replay, Role, replay};
use crate::status::{LrmOp, LrmResource, NodeState};

/// A `node_state` with its node, and where its history entries start in `lrm_slots`.
struct Located<'a> {
    state: &'a NodeState,
    index: usize,
    first: usize,
}

impl<'a> Work<'a> {
    fn find_state_node(&self, state: &NodeState) -> Option<usize> {
        self.by_id
            .get(state.id.as_str())
            .copied()
            .or_else(|| self.find_node(&state.uname))
    }

    pub(super) fn unpack_status(&mut self) {
        let cib = self.cib;
        // The node tables do not change from here on: each entry's node is found once.
        let mut located = Vec::with_capacity(cib.node_states.len());
        let mut first = 0;
        for state in &cib.node_states {
            if let Some(index) = self.find_state_node(state) {
                located.push(Located {
                    state,
                    index,
                    first,
                });
            }
            first += state.resources.len();
        }
        for at in &located {
            self.unpack_node_state(at.index, at.state);
        }
        let lrm_slots = std::mem::take(&mut self.lrm_slots);
        while self.unpack_histories(&located, &lrm_slots, false) {}
        self.unpack_histories(&located, &lrm_slots, self.options.stonith);
        for index in 0..self.nodes.len() {
            let unpacked = self
                .nodes
                .get(index)
                .is_none_or(|n| n.unpacked || !n.is_remote());
            if !unpacked {
                self.remote_online_status(index);
            }
        }
        self.fence_for_lost_tickets();
    }

    /// First pass over one `node_state` (`unpack_node_state`).
    fn unpack_node_state(&mut self, index: usize, state: &'a NodeState) {
        let (stonith, no_quorum_suicide) = (self.options.stonith, self.options.no_quorum_suicide);
        let Some(node) = self.nodes.get_mut(index) else {
            return;
        };
        node.state = Some(state);
        if node.is_remote() {
            node.was_fenced = state.node_fenced > 0;
            return;
        }
        let attrs = node.attrs();
        node.standby = attrs.standby();
        node.maintenance = attrs.maintenance();
        node.unclean = false;
        determine_online_status(node, state, &attrs, stonith);
        if no_quorum_suicide && node.online {
            node.unclean = true;
        }
    }

    /// One pass of `unpack_node_history`; returns whether any node was unpacked.
    fn unpack_histories(
        &mut self,
        located: &[Located<'a>],
        lrm_slots: &[LrmSlots],
        fence: bool,
    ) -> bool {
        let mut progress = false;
        for &Located {
            state,
            index,
            first,
        } in located
        {
            if !self.ready_for_history(index, fence) {
                continue;
            }
            if self.nodes.get(index).is_some_and(WorkNode::is_remote) {
                self.remote_online_status(index);
                self.remote_attrs(index);
            }
            if let Some(node) = self.nodes.get_mut(index) {
                node.unpacked = true;
            }
            let slots = lrm_slots.get(first..).unwrap_or_default();
            for (lrm, &slot) in state.resources.iter().zip(slots) {
                self.unpack_lrm_resource(index, lrm, slot);
            }
            progress = true;
        }
        progress
    }

    fn ready_for_history(&self, index: usize, fence: bool) -> bool {
        let Some(node) = self.nodes.get(index) else {
            return false;
        };
        if node.unpacked {
            return false;
        }
        if fence {
            return true;
        }
        let conn = node.conn.and_then(|c| self.conns.get(c));
        let started = |slot: usize| self.table.role(slot) == Role::Started;
        match node.kind {
            NodeKind::Guest => {
                conn.is_some_and(|c| started(c.slot) && c.container.is_some_and(started))
            }
            NodeKind::Remote => conn.is_some_and(|c| self.options.shutdown_lock || started(c.slot)),
            NodeKind::Member | NodeKind::Ping => {
                self.options.stonith || self.options.shutdown_lock || node.online
            }
        }
    }

    /// `determine_remote_online_status`.
    fn remote_online_status(&mut self, index: usize) {
        let Some(conn) = self
            .nodes
            .get(index)
            .and_then(|n| n.conn)
            .and_then(|c| self.conns.get(c))
        else {
            if let Some(node) = self.nodes.get_mut(index) {
                node.online = false;
            }
            return;
        };
        let role = self.table.role(conn.slot);
        let host = conn
            .container
            .and_then(|_| self.table.get(conn.slot))
            .filter(|s| s.hosts == 1)
            .and_then(|s| s.first_host)
            .and_then(|h| self.nodes.get(h))
            .map(|h| (h.online, h.unclean));
        let container_failed = conn.container.is_some_and(|k| self.table.failed(k));
        let container_stopped = conn
            .container
            .is_some_and(|k| self.table.role(k) == Role::Stopped);
        let conn_failed = self.table.failed(conn.slot);
        let stopping = conn.disabled || conn.failure_stops;
        let Some(node) = self.nodes.get_mut(index) else {
            return;
        };
        if role == Role::Started {
            node.online = true;
            node.shutdown |= stopping;
        }
        if container_failed {
            node.online = false;
            node.requires_reset = true;
        } else if conn_failed {
            node.online = false;
        } else if role == Role::Stopped || container_stopped {
            node.online = false;
            node.requires_reset = false;
        } else if host == Some((false, true)) {
            node.online = false;
            node.requires_reset = true;
        }
    }

    /// `unpack_handle_remote_attrs`.
    fn remote_attrs(&mut self, index: usize) {
        let conn_managed = self
            .nodes
            .get(index)
            .and_then(|n| n.conn)
            .and_then(|c| self.conns.get(c))
            .is_none_or(|c| c.managed);
        let Some(node) = self.nodes.get_mut(index) else {
            return;
        };
        if !node.requires_reset {
            node.unclean = false;
        }
        let attrs = node.attrs();
        if attrs.shutdown_requested() {
            node.shutdown = true;
        }
        if attrs.standby() {
            node.standby = true;
        }
        if attrs.maintenance() || !conn_managed {
            node.maintenance = true;
        }
    }

    /// Replays one resource's history on a node and applies `process_rsc_state`.
    fn unpack_lrm_resource(&mut self, index: usize, lrm: &'a LrmResource, slots: LrmSlots) {
        if lrm.ops.is_empty() {
            return;
        }
        let conn_index = self.table.get(slots.own).and_then(|s| s.conn);
        let info = self.table.get(slots.base).and_then(|s| s.info.as_ref());
        let conn = conn_index.and_then(|c| self.conns.get(c));
        let managed = match conn {
            Some(c) => c.managed,
            None => info.is_none_or(|i| i.managed),
        };
        let has_container =
            conn.is_some_and(|c| c.container.is_some()) || info.is_some_and(|i| i.has_container);
        let configured = info.map(|i| i.ops).unwrap_or_default();
        let stonith = self.options.stonith;
        let is_conn = conn.is_some();
        let reconnect_secs = conn.map_or(0, |c| c.reconnect_secs);
        let policy =
            |op: &LrmOp| on_fail_policy(op, configured, managed, has_container, is_conn, stonith);
        let key_slot = if is_conn { slots.own } else { slots.base };
        let failure_timeout = match reconnect_secs {
            0 => info.map_or(0, |i| i.failure_timeout),
            secs => secs,
        };
        let context = Context {
            managed,
            reconnect: reconnect_secs > 0,
            expiry: self.expiry(index, lrm, is_conn, failure_timeout, reconnect_secs > 0),
            policy: &policy,
        };
        let result = replay(&lrm.ops, &context);
        if let Some(slot) = self.table.get_mut(key_slot) {
            slot.role = Some(slot.role.map_or(result.role, |r| r.max(result.role)));
        }
        self.process_rsc_state(index, key_slot, conn_index, managed, result);
    }

    /// Expiry inputs for history `lrm` (a connection's, or a resource's counted under its
    /// clone base id) on node `index`, when the time is known.
    fn expiry(
        &self,
        index: usize,
        lrm: &LrmResource,
        is_conn: bool,
        failure_timeout: u64,
        reconnect: bool,
    ) -> Option<Expiry> {
        let now = self.now?;
        let key = if is_conn {
            lrm.id.as_str()
        } else {
            clone_base(&lrm.id)
        };
        let node = self.nodes.get(index)?;
        let remote_fenced = self
            .find_node(key)
            .and_then(|r| self.nodes.get(r))
            .is_none_or(|r| r.was_fenced);
        let (fail_count, last_failure) = node.failures().of_resource(key);
        Some(Expiry {
            now,
            failure_timeout,
            keep_monitor_failures: reconnect && self.options.stonith && !remote_fenced,
            fail_count,
            last_failure,
            node_clean_online: node.online && !node.unclean,
        })
    }

    /// `process_rsc_state`: what a resource's state on a node means for that node.
    fn process_rsc_state(
        &mut self,
        index: usize,
        key: usize,
        conn: Option<usize>,
        managed: bool,
        result: Replay,
    ) {
        let active = result.role > Role::Stopped;
        let Some(node) = self.nodes.get(index) else {
            return;
        };
        if active && !node.online && !node.maintenance && managed {
            match node.kind {
                NodeKind::Guest => {
                    self.table.mark_failed(key);
                    self.fence(index);
                }
                _ if self.options.stonith => self.fence(index),
                _ => {}
            }
        }
        if result.next_role_cleared {
            self.stop_next(conn, |_| false);
        }
        let unclean = self.nodes.get(index).is_some_and(|n| n.unclean);
        let on_fail = if unclean {
            OnFail::Ignore
        } else {
            result.on_fail
        };
        match on_fail {
            OnFail::Fence => self.fence(index),
            OnFail::Standby => {
                if let Some(node) = self.nodes.get_mut(index) {
                    node.standby = true;
                    node.standby_onfail = true;
                }
            }
            OnFail::ResetRemote => {
                self.table.mark_failed(key);
                // `pe__set_next_role(.., "remote reset")`: kept stopped until the failure clears.
                self.stop_next(conn, |c| c.reconnect_secs > 0);
                if self.options.stonith
                    && let Some(remote) = conn.and_then(|c| self.conns.get(c)).map(|c| c.node)
                    && self
                        .nodes
                        .get(remote)
                        .is_some_and(|n| n.kind == NodeKind::Remote && !n.was_fenced)
                {
                    self.fence(remote);
                }
            }
            OnFail::RestartContainer => self.table.mark_failed(key),
            OnFail::Stop => self.stop_next(conn, |_| true),
            _ => {}
        }
        if active {
            self.add_running(index, key, conn, on_fail);
            self.note_active(key, index, result.role);
        }
    }

    /// Sets (when `applies` to it) or clears connection `conn`'s next role Stopped from a
    /// failure.
    fn stop_next(&mut self, conn: Option<usize>, applies: impl Fn(&super::Conn) -> bool) {
        if let Some(c) = conn.and_then(|c| self.conns.get_mut(c)) {
            c.failure_stops = applies(c);
        }
    }

    /// Records resource `key` as active on node `index` (`native_add_running`).
    fn add_running(&mut self, index: usize, key: usize, conn: Option<usize>, on_fail: OnFail) {
        let maintenance = self.nodes.get(index).is_some_and(|n| n.maintenance);
        if let Some(slot) = self.table.get_mut(key) {
            if on_fail != OnFail::Ignore {
                slot.failed = true;
            }
            slot.first_host.get_or_insert(index);
            slot.hosts += 1;
            // A resource active on a node in maintenance is unmanaged.
            if maintenance && let Some(info) = slot.info.as_mut() {
                info.managed = false;
            }
        }
        if maintenance && let Some(c) = conn.and_then(|c| self.conns.get_mut(c)) {
            c.managed = false;
        }
    }

    /// `pe_fence_node`.
    pub(super) fn fence(&mut self, index: usize) {
        let Some(node) = self.nodes.get(index) else {
            return;
        };
        let conn = node.conn.and_then(|c| self.conns.get(c));
        match node.kind {
            NodeKind::Guest => {
                let Some(container) = conn.and_then(|c| c.container) else {
                    return;
                };
                let container_managed = self
                    .table
                    .get(container)
                    .and_then(|s| s.info.as_ref())
                    .is_none_or(|i| i.managed);
                if !self.table.failed(container) && container_managed {
                    self.table.mark_failed(container);
                    if let Some(node) = self.nodes.get_mut(index) {
                        node.requires_reset = true;
                    }
                }
            }
            NodeKind::Remote => {
                let managed = conn.is_none_or(|c| c.managed);
                if let Some(node) = self.nodes.get_mut(index) {
                    if managed {
                        node.requires_reset = true;
                    }
                    node.unclean = true;
                }
            }
            NodeKind::Member | NodeKind::Ping => {
                if let Some(node) = self.nodes.get_mut(index) {
                    node.unclean = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Cib;

    /// Two controllers and remote `r1` (`reconnect_interval` 60 s), whose connection's monitor
    /// failed on `c1`; `c2` probed it, not running, before or after `c1`'s history.
    fn lost_remote(c2_probe_last: bool) -> Cib {
        let state = |id: &str, lrm: &str| {
            format!(
                "<node_state id=\"{id}\" uname=\"{id}\" in_ccm=\"true\" crmd=\"online\" \
                 join=\"member\" expected=\"member\"><lrm id=\"{id}\"><lrm_resources>\
                 <lrm_resource id=\"r1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\
                 {lrm}</lrm_resource></lrm_resources></lrm></node_state>"
            )
        };
        let op = |call: u32, task: &str, interval: u32, target: u32, rc: u32, status: u32| {
            format!(
                "<lrm_rsc_op id=\"r1-{call}\" operation=\"{task}\" call-id=\"{call}\" \
                 rc-code=\"{rc}\" op-status=\"{status}\" interval=\"{interval}\" \
                 transition-key=\"1:1:{target}:x\" last-rc-change=\"4000000000\"/>"
            )
        };
        let failed = state(
            "c1",
            &(op(2, "start", 0, 0, 0, 0) + &op(3, "monitor", 10_000, 0, 1, 4)),
        );
        let probed = state("c2", &op(1, "monitor", 0, 7, 7, 0));
        let states = match c2_probe_last {
            true => failed + &probed,
            false => probed + &failed,
        };
        Cib::parse(&format!(
            "<cib have-quorum=\"1\" dc-uuid=\"c1\"><configuration><crm_config>\
             <cluster_property_set id=\"o\">\
             <nvpair id=\"s\" name=\"stonith-enabled\" value=\"true\"/></cluster_property_set>\
             </crm_config><nodes><node id=\"c1\" uname=\"c1\"/><node id=\"c2\" uname=\"c2\"/>\
             </nodes><resources>\
             <primitive id=\"r1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\
             <instance_attributes id=\"r1-ia\">\
             <nvpair id=\"r1-ri\" name=\"reconnect_interval\" value=\"60s\"/>\
             </instance_attributes><operations>\
             <op id=\"r1-m\" name=\"monitor\" interval=\"10s\"/></operations></primitive>\
             </resources><constraints/></configuration><status>{states}</status></cib>"
        ))
        .unwrap()
    }

    #[test]
    fn a_reset_connection_with_a_reconnect_interval_shuts_its_node_down_unless_a_later_probe_found_it_stopped()
     {
        let last_failed = lost_remote(false).node_status("r1").unwrap();
        assert!(
            last_failed.unclean && last_failed.shutdown,
            "{last_failed:?}"
        );
        let last_probed = lost_remote(true).node_status("r1").unwrap();
        assert!(
            last_probed.unclean && !last_probed.shutdown,
            "{last_probed:?}"
        );
    }
}
