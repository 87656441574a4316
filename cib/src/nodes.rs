//! Each node's kind and state, decided as Pacemaker's scheduler decides it when it unpacks
//! the CIB (`lib/pengine/unpack.c`: `unpack_nodes`, `unpack_remote_nodes`, `unpack_status`,
//! `determine_online_status*`, `determine_remote_online_status`, `process_rsc_state`).
//!
//! ```text
//!  <nodes> + remote/guest resources ──► node list (startup fencing: unclean until seen)
//!  <node_state> of members          ──► online / pending / unclean / standby / maintenance
//!  resource history (lrm)           ──► connection roles ──► remote & guest online, unclean
//! ```

use crate::Cib;
use crate::config::NodeType;
use crate::hash::{FastMap, fast_map as map};
use crate::history::{Context, Expiry, OnFail, Role, replay};
use crate::resources::Resource;
use crate::status::{JoinState, LrmOp, NodeState};
use crate::value::{NvPairs, is_true};

/// What sort of node this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A full cluster member running corosync and the Pacemaker daemons.
    Member,
    /// A Pacemaker Remote node (an `ocf:pacemaker:remote` connection resource).
    Remote,
    /// A guest node (a resource with the `remote-node` meta attribute).
    Guest,
    /// The deprecated `ping` node type.
    Ping,
}

impl NodeKind {
    /// `member`, `remote`, `guest` or `ping`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Remote => "remote",
            Self::Guest => "guest",
            Self::Ping => "ping",
        }
    }
}

/// One node's state as Pacemaker (and `crm_mon`) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    /// The node name.
    pub name: String,
    /// The node id.
    pub id: String,
    /// Member, remote, guest or ping.
    pub kind: NodeKind,
    /// Able to run resources.
    pub online: bool,
    /// Unclean: must be fenced before its resources are safe elsewhere.
    pub unclean: bool,
    /// In standby (by attribute, by failure, or while pending).
    pub standby: bool,
    /// In standby because a resource failed with `on-fail=standby`.
    pub standby_onfail: bool,
    /// In maintenance.
    pub maintenance: bool,
    /// Joining but not yet a full member.
    pub pending: bool,
    /// Shutting down.
    pub shutdown: bool,
    /// The cluster expects it to be up.
    pub expected_up: bool,
    /// It is the Designated Controller.
    pub is_dc: bool,
}

impl Cib {
    /// Every node's state, in the order nodes are configured (members, then remote and
    /// guest nodes created from resources), with every recorded failure counted: no
    /// `failure-timeout` or `reconnect_interval` expiry is applied. This is the cautious
    /// reading; [`Cib::node_statuses_at`] gives Pacemaker's view at a given time.
    pub fn node_statuses(&self) -> Vec<NodeStatus> {
        self.statuses(None)
    }

    /// Every node's state as Pacemaker sees it at `now` (seconds since the epoch): failures
    /// older than their resource's failure timeout (a remote connection's
    /// `reconnect_interval`) no longer count, as `crm_mon` run at that time reports.
    pub fn node_statuses_at(&self, now: u64) -> Vec<NodeStatus> {
        self.statuses(Some(now))
    }

    fn statuses(&self, now: Option<u64>) -> Vec<NodeStatus> {
        let mut work = Work::new(self, now);
        work.unpack_status();
        work.nodes
            .into_iter()
            .map(|n| NodeStatus {
                is_dc: self.dc_uuid.as_deref() == Some(n.id.as_str()),
                name: n.name,
                id: n.id,
                kind: n.kind,
                online: n.online,
                unclean: n.unclean,
                standby: n.standby,
                standby_onfail: n.standby_onfail,
                maintenance: n.maintenance,
                pending: n.pending,
                shutdown: n.shutdown,
                expected_up: n.expected_up,
            })
            .collect()
    }

    /// The state of the node called `name` (case-insensitive, as Pacemaker compares names).
    pub fn node_status(&self, name: &str) -> Option<NodeStatus> {
        self.node_statuses()
            .into_iter()
            .find(|n| n.name.eq_ignore_ascii_case(name))
    }
}

/// A remote or guest node's connection resource.
struct Conn {
    id: String,
    /// `reconnect_interval` in seconds (0 when unset).
    reconnect_secs: u64,
    /// The guest's container resource.
    container: Option<String>,
    managed: bool,
    /// `target-role=Stopped`: a started connection is being shut down.
    disabled: bool,
}

/// Facts about a configured resource that its history replay needs.
struct RscInfo<'a> {
    managed: bool,
    /// `failure-timeout` in seconds (0 when unset).
    failure_timeout: u64,
    has_container: bool,
    ops: &'a [crate::resources::OpConfig],
}

#[derive(Default)]
struct Agg {
    role: Option<Role>,
    failed: bool,
    running_on: Vec<usize>,
}

struct WorkNode<'a> {
    id: String,
    name: String,
    kind: NodeKind,
    config_attrs: Option<&'a NvPairs>,
    state: Option<&'a NodeState>,
    conn: Option<usize>,
    online: bool,
    unclean: bool,
    standby: bool,
    standby_onfail: bool,
    maintenance: bool,
    pending: bool,
    shutdown: bool,
    expected_up: bool,
    requires_reset: bool,
    was_fenced: bool,
    unpacked: bool,
}

impl<'a> WorkNode<'a> {
    fn new(id: &str, name: &str, kind: NodeKind, config_attrs: Option<&'a NvPairs>) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            kind,
            config_attrs,
            state: None,
            conn: None,
            online: false,
            unclean: false,
            standby: false,
            standby_onfail: false,
            maintenance: false,
            pending: false,
            shutdown: false,
            expected_up: false,
            requires_reset: false,
            was_fenced: false,
            unpacked: false,
        }
    }

    fn is_remote(&self) -> bool {
        matches!(self.kind, NodeKind::Remote | NodeKind::Guest)
    }

    /// A node attribute: transient attributes override permanent ones.
    fn attr(&self, name: &str) -> Option<&'a str> {
        self.state
            .and_then(|s| s.transient.get(name))
            .or_else(|| self.config_attrs.and_then(|a| a.get(name)))
    }

    /// `pe__shutdown_requested`: a `shutdown` attribute other than `0`.
    fn shutdown_requested(&self) -> bool {
        self.attr("shutdown")
            .is_some_and(|v| !v.is_empty() && v != "0")
    }
}

struct Work<'a> {
    cib: &'a Cib,
    nodes: Vec<WorkNode<'a>>,
    conns: Vec<Conn>,
    resources: FastMap<String, RscInfo<'a>>,
    agg: FastMap<String, Agg>,
    /// Configured resources by id.
    config: FastMap<&'a str, &'a Resource>,
    /// Node index by lower-case name and by id.
    by_name: FastMap<String, usize>,
    by_id: FastMap<String, usize>,
    conn_by_id: FastMap<String, usize>,
    stonith: bool,
    now: Option<u64>,
}

impl<'a> Work<'a> {
    fn new(cib: &'a Cib, now: Option<u64>) -> Self {
        // Sized up front: growing tables rehash every key, a tenth of the query.
        let config: FastMap<&str, &Resource> =
            cib.all_resources().map(|r| (r.id.as_str(), r)).collect();
        let (resources, nodes) = (config.len(), cib.nodes.len() + config.len());
        let mut work = Self {
            cib,
            nodes: Vec::with_capacity(nodes),
            conns: Vec::new(),
            resources: map(resources),
            agg: map(resources),
            config,
            by_name: map(nodes),
            by_id: map(nodes),
            conn_by_id: map(resources),
            stonith: cib.options.stonith_enabled(),
            now,
        };
        work.index_resources();
        work.unpack_nodes();
        work.unpack_remote_nodes();
        work.orphaned_connections();
        work
    }

    fn index_resources(&mut self) {
        let default = self.cib.rsc_defaults.get("is-managed").is_none_or(is_true);
        let timeout = self
            .cib
            .rsc_defaults
            .get("failure-timeout")
            .and_then(interval_ms)
            .unwrap_or(0)
            / 1000;
        for top in &self.cib.resources {
            self.index_resource(top, default, timeout);
        }
    }

    /// A resource's own `is-managed` wins over its parent's, which wins over `rsc_defaults`;
    /// `maintenance-mode` unmanages everything.
    fn index_resource(&mut self, rsc: &'a Resource, inherited: bool, inherited_timeout: u64) {
        let own = rsc.meta.get("is-managed").map_or(inherited, is_true);
        let failure_timeout = rsc
            .meta
            .get("failure-timeout")
            .map_or(Some(inherited_timeout * 1000), interval_ms)
            .unwrap_or(0)
            / 1000;
        let managed = own && !self.cib.options.maintenance_mode();
        self.resources.insert(
            rsc.id.clone(),
            RscInfo {
                managed,
                failure_timeout,
                has_container: rsc.meta.get("container").is_some(),
                ops: &rsc.ops,
            },
        );
        if let crate::ResourceKind::Bundle(spec) = &rsc.kind {
            for i in 0..spec.replicas {
                let container = format!("{}-{}-{i}", rsc.id, spec.runtime);
                let info = RscInfo {
                    managed,
                    failure_timeout,
                    has_container: false,
                    ops: &[],
                };
                self.resources.insert(container, info);
            }
        }
        for child in &rsc.children {
            self.index_resource(child, own, failure_timeout);
        }
    }

    /// The node called `name` (case-insensitive; the first of duplicates, as Pacemaker).
    fn find_node(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    fn push_node(&mut self, node: WorkNode<'a>) -> usize {
        let index = self.nodes.len();
        self.by_name
            .entry(node.name.to_ascii_lowercase())
            .or_insert(index);
        self.by_id.entry(node.id.clone()).or_insert(index);
        self.nodes.push(node);
        index
    }

    fn unpack_nodes(&mut self) {
        let startup_fencing = self.cib.options.startup_fencing();
        for node in &self.cib.nodes {
            let kind = match node.node_type {
                NodeType::Member => NodeKind::Member,
                NodeType::Remote => NodeKind::Remote,
                NodeType::Ping => NodeKind::Ping,
            };
            let name = node.uname.as_deref().unwrap_or(&node.id);
            let mut work_node = WorkNode::new(&node.id, name, kind, Some(&node.attributes));
            // Remote entries get startup fencing only once linked to a connection.
            work_node.unclean = kind != NodeKind::Remote && startup_fencing;
            self.push_node(work_node);
        }
    }

    fn unpack_remote_nodes(&mut self) {
        let cluster_managed = !self.cib.options.maintenance_mode();
        for top in &self.cib.resources {
            if top.is_remote_connection() {
                self.add_conn(&top.id, &top.meta, None, cluster_managed);
                continue;
            }
            if let crate::ResourceKind::Bundle(spec) = &top.kind {
                self.add_bundle_conns(top, spec, cluster_managed);
                continue;
            }
            let candidates: Vec<&Resource> = match top.kind {
                crate::ResourceKind::Primitive(_) => vec![top],
                crate::ResourceKind::Group => top.children.iter().collect(),
                _ => Vec::new(),
            };
            for rsc in candidates {
                if let Some(guest) = rsc.guest_node()
                    && !self.config.contains_key(guest)
                {
                    self.add_conn(guest, &rsc.meta, Some(rsc.id.clone()), cluster_managed);
                }
            }
        }
    }

    /// A connection resource still in the history but gone from the configuration keeps
    /// its node, which is shutting down (`create_fake_resource`).
    fn orphaned_connections(&mut self) {
        let stop_orphans = self
            .cib
            .options
            .properties
            .get("stop-orphan-resources")
            .is_none_or(is_true);
        let orphans = self
            .cib
            .node_states
            .iter()
            .flat_map(|s| &s.resources)
            .filter(|r| r.remote_connection && !r.ops.is_empty());
        for lrm in orphans {
            if self.conn_by_id.contains_key(&lrm.id) || self.config.contains_key(lrm.id.as_str()) {
                continue;
            }
            let meta = NvPairs::default();
            self.add_conn(&lrm.id, &meta, lrm.container.clone(), stop_orphans);
            if let Some(c) = self.conns.last_mut() {
                c.disabled = true;
            }
            if let Some(node) = self.find_node(&lrm.id).and_then(|i| self.nodes.get_mut(i)) {
                node.shutdown = true;
            }
        }
    }

    /// A bundle with a primitive inside and a reachable network makes each replica a
    /// guest node `<bundle>-<i>` in container `<bundle>-<runtime>-<i>` (`bundle.c`).
    fn add_bundle_conns(
        &mut self,
        bundle: &Resource,
        spec: &crate::BundleSpec,
        cluster_managed: bool,
    ) {
        if bundle.children.is_empty() || !spec.remote_capable {
            return;
        }
        for i in 0..spec.replicas {
            let conn = format!("{}-{i}", bundle.id);
            let container = format!("{}-{}-{i}", bundle.id, spec.runtime);
            self.add_conn(&conn, &bundle.meta, Some(container), cluster_managed);
        }
    }

    /// Links a connection resource to its node, creating the node if needed
    /// (`unpack_remote_nodes` and `link_rsc2remotenode`).
    fn add_conn(
        &mut self,
        id: &str,
        meta: &NvPairs,
        container: Option<String>,
        cluster_managed: bool,
    ) {
        let guest = container.is_some();
        let index = match self.find_node(id) {
            Some(i) => i,
            None => self.push_node(WorkNode::new(id, id, NodeKind::Remote, None)),
        };
        let params = self.config.get(id).map(|r| &r.params);
        self.conn_by_id.insert(id.to_owned(), self.conns.len());
        self.conns.push(Conn {
            id: id.to_owned(),
            reconnect_secs: params
                .and_then(|p| p.get("reconnect_interval"))
                .and_then(interval_ms)
                .unwrap_or(0)
                / 1000,
            container,
            managed: cluster_managed
                && meta.get("is-managed").map_or(
                    self.cib.rsc_defaults.get("is-managed").is_none_or(is_true),
                    is_true,
                ),
            // A guest's generated connection does not inherit its container's target-role.
            disabled: !guest
                && meta
                    .get("target-role")
                    .or_else(|| self.cib.rsc_defaults.get("target-role"))
                    .is_some_and(|r| r.eq_ignore_ascii_case("stopped")),
        });
        let startup_fencing = self.cib.options.startup_fencing();
        if let Some(node) = self.nodes.get_mut(index) {
            node.conn = Some(self.conns.len() - 1);
            if guest {
                node.kind = NodeKind::Guest;
            } else if node.kind == NodeKind::Remote {
                node.unclean = startup_fencing;
            }
        }
    }

    fn find_state_node(&self, state: &NodeState) -> Option<usize> {
        self.by_id
            .get(&state.id)
            .copied()
            .or_else(|| self.find_node(&state.uname))
    }

    fn unpack_status(&mut self) {
        let states = &self.cib.node_states;
        for state in states {
            if let Some(index) = self.find_state_node(state) {
                self.unpack_node_state(index, state);
            }
        }
        while self.unpack_histories(states, false) {}
        self.unpack_histories(states, self.stonith);
        for index in 0..self.nodes.len() {
            let unpacked = self
                .nodes
                .get(index)
                .is_none_or(|n| n.unpacked || !n.is_remote());
            if !unpacked {
                self.remote_online_status(index);
            }
        }
    }

    /// First pass over one `node_state` (`unpack_node_state`).
    fn unpack_node_state(&mut self, index: usize, state: &'a NodeState) {
        // Pacemaker only keeps `suicide` when fencing is on and quorum was once held.
        let no_quorum_suicide = self.stonith
            && !self.cib.have_quorum
            && self.cib.no_quorum_panic
            && self
                .cib
                .options
                .no_quorum_policy()
                .eq_ignore_ascii_case("suicide");
        let stonith = self.stonith;
        let Some(node) = self.nodes.get_mut(index) else {
            return;
        };
        node.state = Some(state);
        if node.is_remote() {
            node.was_fenced = state.node_fenced > 0;
            return;
        }
        node.standby = node.attr("standby").is_some_and(is_true);
        node.maintenance = node.attr("maintenance").is_some_and(is_true);
        node.unclean = false;
        determine_online_status(node, state, stonith);
        if no_quorum_suicide && node.online {
            node.unclean = true;
        }
    }

    /// One pass of `unpack_node_history`; returns whether any node was unpacked.
    fn unpack_histories(&mut self, states: &'a [NodeState], fence: bool) -> bool {
        let mut progress = false;
        for state in states {
            let Some(index) = self.find_state_node(state) else {
                continue;
            };
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
            for lrm in &state.resources {
                self.unpack_lrm_resource(index, &lrm.id, &lrm.ops);
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
        match node.kind {
            NodeKind::Guest => conn.is_some_and(|c| {
                self.role(&c.id) == Role::Started
                    && c.container
                        .as_deref()
                        .is_some_and(|k| self.role(k) == Role::Started)
            }),
            NodeKind::Remote => conn.is_some_and(|c| {
                self.cib.options.shutdown_lock() || self.role(&c.id) == Role::Started
            }),
            NodeKind::Member | NodeKind::Ping => {
                self.stonith || self.cib.options.shutdown_lock() || node.online
            }
        }
    }

    fn role(&self, rsc: &str) -> Role {
        self.agg
            .get(rsc)
            .and_then(|a| a.role)
            .unwrap_or(Role::Unknown)
    }

    fn failed(&self, rsc: &str) -> bool {
        self.agg.get(rsc).is_some_and(|a| a.failed)
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
        let role = self.role(&conn.id);
        let container = conn.container.as_deref();
        let host = container
            .and_then(|_| self.agg.get(&conn.id))
            .filter(|a| a.running_on.len() == 1)
            .and_then(|a| a.running_on.first().copied())
            .and_then(|h| self.nodes.get(h))
            .map(|h| (h.online, h.unclean));
        let container_failed = container.is_some_and(|k| self.failed(k));
        let container_stopped = container.is_some_and(|k| self.role(k) == Role::Stopped);
        let conn_failed = self.failed(&conn.id);
        let stopping = conn.disabled;
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
        if node.shutdown_requested() {
            node.shutdown = true;
        }
        if node.attr("standby").is_some_and(is_true) {
            node.standby = true;
        }
        if node.attr("maintenance").is_some_and(is_true) || !conn_managed {
            node.maintenance = true;
        }
    }

    /// Replays one resource's history on a node and applies `process_rsc_state`.
    fn unpack_lrm_resource(&mut self, index: usize, lrm_id: &str, ops: &[LrmOp]) {
        if ops.is_empty() {
            return;
        }
        let conn = self.conn_by_id.get(lrm_id).copied();
        let base = clone_base(lrm_id);
        let info = self.resources.get(base);
        let managed = match conn.and_then(|c| self.conns.get(c)) {
            Some(c) => c.managed,
            None => info.is_none_or(|i| i.managed),
        };
        let has_container = conn
            .and_then(|c| self.conns.get(c))
            .is_some_and(|c| c.container.is_some())
            || info.is_some_and(|i| i.has_container);
        let configured = info.map(|i| i.ops).unwrap_or_default();
        let stonith = self.stonith;
        let is_conn = conn.is_some();
        let reconnect_secs = conn
            .and_then(|c| self.conns.get(c))
            .map_or(0, |c| c.reconnect_secs);
        let policy =
            |op: &LrmOp| on_fail_policy(op, configured, managed, has_container, is_conn, stonith);
        let key = if conn.is_some() { lrm_id } else { base };
        let failure_timeout = match reconnect_secs {
            0 => info.map_or(0, |i| i.failure_timeout),
            secs => secs,
        };
        let context = Context {
            managed,
            reconnect: reconnect_secs > 0,
            expiry: self.expiry(index, key, failure_timeout, reconnect_secs > 0),
            policy: &policy,
        };
        let result = replay(ops, &context);
        if let Some(agg) = self.agg_mut(key) {
            agg.role = Some(agg.role.map_or(result.role, |r| r.max(result.role)));
        }
        self.process_rsc_state(index, key, conn, managed, result);
    }

    /// Expiry inputs for resource `key` on node `index`, when the time is known.
    fn expiry(
        &self,
        index: usize,
        key: &str,
        failure_timeout: u64,
        reconnect: bool,
    ) -> Option<Expiry> {
        let now = self.now?;
        let node = self.nodes.get(index)?;
        let remote_fenced = self
            .find_node(key)
            .and_then(|r| self.nodes.get(r))
            .is_none_or(|r| r.was_fenced);
        let (mut fail_count, mut last_failure) = (0_i64, 0_u64);
        for (name, value) in node.state.map(|s| s.transient.iter()).into_iter().flatten() {
            if fail_attribute(name, "fail-count-", key) {
                fail_count = fail_count.saturating_add(score(value));
            } else if fail_attribute(name, "last-failure-", key) {
                last_failure = last_failure.max(value.trim().parse().unwrap_or(0));
            }
        }
        Some(Expiry {
            now,
            failure_timeout,
            keep_monitor_failures: reconnect && self.stonith && !remote_fenced,
            fail_count,
            last_failure,
            node_clean_online: node.online && !node.unclean,
        })
    }

    /// `process_rsc_state`: what a resource's state on a node means for that node.
    fn process_rsc_state(
        &mut self,
        index: usize,
        key: &str,
        conn: Option<usize>,
        managed: bool,
        result: crate::history::Replay,
    ) {
        let active = result.role > Role::Stopped;
        let Some(node) = self.nodes.get(index) else {
            return;
        };
        if active && !node.online && !node.maintenance && managed {
            match node.kind {
                NodeKind::Guest => {
                    self.mark_failed(key);
                    self.fence(index);
                }
                _ if self.stonith => self.fence(index),
                _ => {}
            }
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
                self.mark_failed(key);
                if self.stonith
                    && let Some(remote) = conn
                        .and_then(|c| self.conns.get(c))
                        .and_then(|c| self.find_node(&c.id))
                    && self
                        .nodes
                        .get(remote)
                        .is_some_and(|n| n.kind == NodeKind::Remote && !n.was_fenced)
                {
                    self.fence(remote);
                }
            }
            OnFail::RestartContainer => self.mark_failed(key),
            _ => {}
        }
        if active {
            if on_fail != OnFail::Ignore {
                self.mark_failed(key);
            }
            if let Some(agg) = self.agg_mut(key) {
                agg.running_on.push(index);
            }
            // `native_add_running`: a resource active on a node in maintenance is unmanaged.
            if self.nodes.get(index).is_some_and(|n| n.maintenance) {
                if let Some(c) = conn.and_then(|c| self.conns.get_mut(c)) {
                    c.managed = false;
                }
                if let Some(info) = self.resources.get_mut(key) {
                    info.managed = false;
                }
            }
        }
    }

    fn mark_failed(&mut self, key: &str) {
        if let Some(agg) = self.agg_mut(key) {
            agg.failed = true;
        }
    }

    /// The aggregate for resource `key`, created empty on first use (without allocating
    /// a key when it exists).
    fn agg_mut(&mut self, key: &str) -> Option<&mut Agg> {
        if !self.agg.contains_key(key) {
            self.agg.insert(key.to_owned(), Agg::default());
        }
        self.agg.get_mut(key)
    }

    /// `pe_fence_node`.
    fn fence(&mut self, index: usize) {
        let Some(node) = self.nodes.get(index) else {
            return;
        };
        let conn = node.conn.and_then(|c| self.conns.get(c));
        match node.kind {
            NodeKind::Guest => {
                let Some(container) = conn.and_then(|c| c.container.clone()) else {
                    return;
                };
                let container_managed = self.resources.get(&container).is_none_or(|i| i.managed);
                if !self.failed(&container) && container_managed {
                    self.mark_failed(&container);
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

/// `determine_online_status` for a cluster member.
fn determine_online_status(node: &mut WorkNode<'_>, state: &NodeState, stonith: bool) {
    node.shutdown = false;
    node.expected_up = false;
    if node.shutdown_requested() {
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
        _ => online_with_fencing(node, state),
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

fn online_with_fencing(node: &mut WorkNode<'_>, state: &NodeState) -> bool {
    let terminate = node.attr("terminate").is_some_and(|t| {
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
fn on_fail_policy(
    op: &LrmOp,
    configured: &[crate::resources::OpConfig],
    managed: bool,
    has_container: bool,
    is_conn: bool,
    stonith: bool,
) -> OnFail {
    let value = configured
        .iter()
        .find(|c| c.name == op.operation && interval_ms(&c.interval) == Some(op.interval_ms))
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

/// Reads an interval (`10`, `10s`, `500ms`, `2min`, `1h`) as milliseconds.
fn interval_ms(spec: &str) -> Option<u64> {
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(spec.len());
    let number: u64 = spec.get(..end)?.parse().ok()?;
    let factor = match spec.get(end..)?.trim() {
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Whether `name` is a fail-count style attribute (`prefix` + resource, optionally with
/// `#op_interval`) for `rsc`.
fn fail_attribute(name: &str, prefix: &str, rsc: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(rsc))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
}

/// A Pacemaker score: an integer, or `INFINITY`/`+INFINITY`/`-INFINITY`.
fn score(value: &str) -> i64 {
    const INFINITY: i64 = 1_000_000;
    match value.trim() {
        "INFINITY" | "+INFINITY" => INFINITY,
        "-INFINITY" => -INFINITY,
        other => other.parse::<i64>().unwrap_or(0).clamp(-INFINITY, INFINITY),
    }
}

/// A clone instance's base id: `rsc:2` is an instance of `rsc`.
fn clone_base(id: &str) -> &str {
    match id.rsplit_once(':') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(interval_ms("10s"), Some(10_000));
        assert_eq!(interval_ms("10"), Some(10_000));
        assert_eq!(interval_ms("0"), Some(0));
        assert_eq!(interval_ms("2min"), Some(120_000));
        assert_eq!(interval_ms("500ms"), Some(500));
        assert_eq!(interval_ms("PT5S"), None);
    }

    #[test]
    fn clone_ids() {
        assert_eq!(clone_base("ping:1"), "ping");
        assert_eq!(clone_base("ping"), "ping");
        assert_eq!(clone_base("a:b"), "a:b");
    }
}
