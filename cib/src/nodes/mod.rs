//! Each node's kind and state, decided as Pacemaker's scheduler decides it when it unpacks
//! the CIB (`lib/pengine/unpack.c`: `unpack_nodes`, `unpack_remote_nodes`, `unpack_status`,
//! `determine_online_status*`, `determine_remote_online_status`, `process_rsc_state`).
//!
//! ```text
//!  <nodes> + remote/guest resources ──► node list (startup fencing: unclean until seen)
//!  <node_state> of members          ──► online / pending / unclean / standby / maintenance
//!  resource history (lrm)           ──► connection roles ──► remote & guest online, unclean
//! ```

mod failures;
mod online;
mod replay;
mod service;
mod table;
mod tickets;

pub use service::{GaveUp, ServiceState};

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::Cib;
use crate::config::NodeType;
use crate::hash::{FastMap, fast_map as map};
use crate::resources::Resource;
use crate::status::NodeState;
use crate::value::{NvPairs, duration_ms, is_true};
use failures::Failures;
use table::{RscInfo, Table};

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
                is_dc: self.dc_uuid.as_deref() == Some(n.id.as_ref()),
                name: n.name.into_owned(),
                id: n.id.into_owned(),
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

/// Where a history entry's resource sits in the table: under its own id, and under its
/// clone base id (the same slot when it is no clone instance).
#[derive(Debug, Clone, Copy)]
struct LrmSlots {
    own: usize,
    base: usize,
}

/// A remote or guest node's connection resource.
struct Conn {
    /// The connection resource's slot.
    slot: usize,
    /// Its node.
    node: usize,
    /// `reconnect_interval` in seconds (0 when unset).
    reconnect_secs: u64,
    /// The guest's container resource's slot.
    container: Option<usize>,
    managed: bool,
    /// `target-role=Stopped`: a started connection is being shut down.
    disabled: bool,
    /// A failure answered by `on-fail=stop`, or by a reset with `reconnect_interval` set, made
    /// its next role Stopped; a later history whose result is "not running" makes it unknown
    /// again (`pe__set_next_role`), so the node-state order decides.
    failure_stops: bool,
}

/// A node while its state is being decided.
struct WorkNode<'a> {
    id: Cow<'a, str>,
    name: Cow<'a, str>,
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
    /// Its fail counts and last failures, read from `state` the first time they are asked.
    failures: OnceCell<Failures<'a>>,
}

impl<'a> WorkNode<'a> {
    fn new(
        id: Cow<'a, str>,
        name: Cow<'a, str>,
        kind: NodeKind,
        config_attrs: Option<&'a NvPairs>,
    ) -> Self {
        Self {
            id,
            name,
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
            failures: OnceCell::new(),
        }
    }

    /// Its fail counts and last failures per resource (none without a `node_state`).
    fn failures(&self) -> &Failures<'a> {
        self.failures.get_or_init(|| match self.state {
            Some(state) => Failures::of(&state.transient),
            None => Failures::default(),
        })
    }

    fn is_remote(&self) -> bool {
        matches!(self.kind, NodeKind::Remote | NodeKind::Guest)
    }

    /// The node attributes its state depends on, read in one pass over each set:
    /// transient attributes override permanent ones, and the first of duplicates counts.
    fn attrs(&self) -> NodeAttrs<'a> {
        let mut found = NodeAttrs::default();
        let sets = self.state.map(|s| &s.transient).into_iter();
        for (name, value) in sets.chain(self.config_attrs).flat_map(NvPairs::iter) {
            let slot = match name {
                "shutdown" => &mut found.shutdown,
                "standby" => &mut found.standby,
                "maintenance" => &mut found.maintenance,
                "terminate" => &mut found.terminate,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// The node attributes node state reads.
#[derive(Debug, Default, Clone, Copy)]
struct NodeAttrs<'a> {
    shutdown: Option<&'a str>,
    standby: Option<&'a str>,
    maintenance: Option<&'a str>,
    terminate: Option<&'a str>,
}

impl NodeAttrs<'_> {
    /// `pe__shutdown_requested`: a `shutdown` attribute other than `0`.
    fn shutdown_requested(&self) -> bool {
        self.shutdown.is_some_and(|v| !v.is_empty() && v != "0")
    }

    fn standby(&self) -> bool {
        self.standby.is_some_and(is_true)
    }

    fn maintenance(&self) -> bool {
        self.maintenance.is_some_and(is_true)
    }
}

/// Cluster options and defaults, read once per query.
struct Options {
    stonith: bool,
    startup_fencing: bool,
    shutdown_lock: bool,
    maintenance_mode: bool,
    /// `rsc_defaults` `is-managed`.
    default_managed: bool,
    /// Pacemaker only keeps `suicide` when fencing is on and quorum was once held.
    no_quorum_suicide: bool,
}

impl Options {
    fn of(cib: &Cib) -> Self {
        let stonith = cib.options.stonith_enabled();
        Self {
            stonith,
            startup_fencing: cib.options.startup_fencing(),
            shutdown_lock: cib.options.shutdown_lock(),
            maintenance_mode: cib.options.maintenance_mode(),
            default_managed: cib.rsc_defaults.get("is-managed").is_none_or(is_true),
            no_quorum_suicide: stonith
                && !cib.have_quorum
                && cib.no_quorum_panic
                && cib
                    .options
                    .no_quorum_policy()
                    .eq_ignore_ascii_case("suicide"),
        }
    }
}

/// One query's working state: the nodes being decided and what is known of each resource.
struct Work<'a> {
    cib: &'a Cib,
    nodes: Vec<WorkNode<'a>>,
    conns: Vec<Conn>,
    /// Resources (configured, connections, and any id in the history) by id.
    table: Table<'a>,
    /// The slots of every history entry's resource, in `node_states` order.
    lrm_slots: Vec<LrmSlots>,
    /// Node index by lower-case name and by id.
    by_name: FastMap<Cow<'a, str>, usize>,
    by_id: FastMap<Cow<'a, str>, usize>,
    options: Options,
    now: Option<u64>,
    /// Where each resource is active, recorded only when a lost ticket may fence.
    active: Option<Vec<tickets::Active>>,
}

impl<'a> Work<'a> {
    fn new(cib: &'a Cib, now: Option<u64>) -> Self {
        // Sized up front: growing tables rehash every key, a tenth of the query.
        let resources: usize = cib.resources.iter().map(count).sum();
        let nodes = cib.nodes.len() + resources;
        let options = Options::of(cib);
        let mut work = Self {
            cib,
            nodes: Vec::with_capacity(nodes),
            conns: Vec::new(),
            table: Table::with_capacity(resources),
            lrm_slots: Vec::new(),
            by_name: map(nodes),
            by_id: map(nodes),
            options,
            now,
            active: None,
        };
        if work.tickets_may_fence() {
            work.active = Some(Vec::new());
        }
        let top_slots = work.index_resources();
        work.unpack_nodes();
        work.unpack_remote_nodes(&top_slots);
        work.resolve_histories();
        work.orphaned_connections();
        work
    }

    /// Indexes every resource; returns the slots of the top-level ones.
    fn index_resources(&mut self) -> Vec<usize> {
        let cib = self.cib;
        let default = self.options.default_managed;
        let timeout = cib
            .rsc_defaults
            .get("failure-timeout")
            .and_then(duration_ms)
            .unwrap_or(0)
            / 1000;
        cib.resources
            .iter()
            .map(|top| self.index_resource(top, default, timeout))
            .collect()
    }

    /// A resource's own `is-managed` wins over its parent's, which wins over `rsc_defaults`;
    /// `maintenance-mode` unmanages everything.
    fn index_resource(
        &mut self,
        rsc: &'a Resource,
        inherited: bool,
        inherited_timeout: u64,
    ) -> usize {
        let (mut own, mut timeout, mut has_container) = (None, None, false);
        // One pass over the meta attributes; the first of duplicates counts, as `get`.
        for (name, value) in rsc.meta.iter() {
            match name {
                "is-managed" => _ = own.get_or_insert(value),
                "failure-timeout" => _ = timeout.get_or_insert(value),
                "container" => has_container = true,
                _ => {}
            }
        }
        let own = own.map_or(inherited, is_true);
        let failure_timeout = timeout
            .map_or(Some(inherited_timeout * 1000), duration_ms)
            .unwrap_or(0)
            / 1000;
        let managed = own && !self.options.maintenance_mode;
        let slot = self.table.slot(Cow::Borrowed(&rsc.id));
        if let Some(entry) = self.table.get_mut(slot) {
            entry.config = Some(rsc);
            entry.info = Some(RscInfo {
                managed,
                failure_timeout,
                has_container,
                ops: &rsc.ops,
            });
        }
        if let crate::ResourceKind::Bundle(spec) = &rsc.kind {
            for i in 0..spec.replicas {
                let container = format!("{}-{}-{i}", rsc.id, spec.runtime);
                let slot = self.table.slot(Cow::Owned(container));
                if let Some(slot) = self.table.get_mut(slot) {
                    slot.info = Some(RscInfo {
                        managed,
                        failure_timeout,
                        has_container: false,
                        ops: &[],
                    });
                }
            }
        }
        for child in &rsc.children {
            self.index_resource(child, own, failure_timeout);
        }
        slot
    }

    /// The node called `name` (case-insensitive; the first of duplicates, as Pacemaker).
    fn find_node(&self, name: &str) -> Option<usize> {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_name
                .get(name.to_ascii_lowercase().as_str())
                .copied()
        } else {
            self.by_name.get(name).copied()
        }
    }

    fn push_node(&mut self, node: WorkNode<'a>) -> usize {
        let index = self.nodes.len();
        let name = match &node.name {
            name if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                Cow::Owned(name.to_ascii_lowercase())
            }
            name => name.clone(),
        };
        self.by_name.entry(name).or_insert(index);
        self.by_id.entry(node.id.clone()).or_insert(index);
        self.nodes.push(node);
        index
    }

    fn unpack_nodes(&mut self) {
        let cib = self.cib;
        let startup_fencing = self.options.startup_fencing;
        for node in &cib.nodes {
            let kind = match node.node_type {
                NodeType::Member => NodeKind::Member,
                NodeType::Remote => NodeKind::Remote,
                NodeType::Ping => NodeKind::Ping,
            };
            let name = node.uname.as_deref().unwrap_or(&node.id);
            let mut work_node = WorkNode::new(
                Cow::Borrowed(&node.id),
                Cow::Borrowed(name),
                kind,
                Some(&node.attributes),
            );
            // Remote entries get startup fencing only once linked to a connection.
            work_node.unclean = kind != NodeKind::Remote && startup_fencing;
            self.push_node(work_node);
        }
    }

    fn unpack_remote_nodes(&mut self, top_slots: &[usize]) {
        let cib = self.cib;
        let cluster_managed = !self.options.maintenance_mode;
        for (top, &slot) in cib.resources.iter().zip(top_slots) {
            if top.is_remote_connection() {
                let id = Cow::Borrowed(top.id.as_str());
                self.add_conn(id, slot, &top.meta, None, cluster_managed);
                continue;
            }
            if let crate::ResourceKind::Bundle(spec) = &top.kind {
                self.add_bundle_conns(top, spec, cluster_managed);
                continue;
            }
            let candidates: &[Resource] = match top.kind {
                crate::ResourceKind::Primitive(_) => std::slice::from_ref(top),
                crate::ResourceKind::Group => &top.children,
                _ => &[],
            };
            for rsc in candidates {
                let Some(guest) = rsc.guest_node() else {
                    continue;
                };
                let slot = self.table.slot(Cow::Borrowed(guest));
                if self.table.get(slot).is_none_or(|s| s.config.is_none()) {
                    let container = Some(Cow::Borrowed(rsc.id.as_str()));
                    let id = Cow::Borrowed(guest);
                    self.add_conn(id, slot, &rsc.meta, container, cluster_managed);
                }
            }
        }
    }

    /// Finds every history entry's resource slot, once.
    fn resolve_histories(&mut self) {
        let cib = self.cib;
        let entries = cib.node_states.iter().map(|s| s.resources.len()).sum();
        let mut slots: Vec<LrmSlots> = Vec::with_capacity(entries);
        for lrm in cib.node_states.iter().flat_map(|s| &s.resources) {
            slots.push(self.lrm_slots_of(&lrm.id));
        }
        self.lrm_slots = slots;
    }

    /// The slots of a history entry's id and of its clone base id.
    fn lrm_slots_of(&mut self, id: &'a str) -> LrmSlots {
        let own = self.table.slot(Cow::Borrowed(id));
        let base = match online::clone_base(id) {
            base if base.len() == id.len() => own,
            base => self.table.slot(Cow::Borrowed(base)),
        };
        LrmSlots { own, base }
    }

    /// A connection resource still in the history but gone from the configuration keeps
    /// its node, which is shutting down (`create_fake_resource`).
    fn orphaned_connections(&mut self) {
        let cib = self.cib;
        let stop_orphans = cib
            .options
            .properties
            .get("stop-orphan-resources")
            .is_none_or(is_true);
        let lrm_slots = std::mem::take(&mut self.lrm_slots);
        let entries = cib.node_states.iter().flat_map(|s| &s.resources);
        for (lrm, &LrmSlots { own: slot, .. }) in entries.zip(&lrm_slots) {
            if !lrm.remote_connection || lrm.ops.is_empty() {
                continue;
            }
            let known = self.table.get(slot);
            if known.is_some_and(|s| s.conn.is_some() || s.config.is_some()) {
                continue;
            }
            let meta = NvPairs::default();
            let container = lrm.container.as_deref().map(Cow::Borrowed);
            let id = Cow::Borrowed(lrm.id.as_str());
            self.add_conn(id, slot, &meta, container, stop_orphans);
            let Some(conn) = self.conns.last_mut() else {
                continue;
            };
            conn.disabled = true;
            if let Some(node) = self.nodes.get_mut(conn.node) {
                node.shutdown = true;
            }
        }
        self.lrm_slots = lrm_slots;
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
            let conn: Cow<'a, str> = Cow::Owned(format!("{}-{i}", bundle.id));
            let slot = self.table.slot(conn.clone());
            let container = Cow::Owned(format!("{}-{}-{i}", bundle.id, spec.runtime));
            self.add_conn(conn, slot, &bundle.meta, Some(container), cluster_managed);
        }
    }

    /// Links connection resource `id` (table entry `slot`) to its node, creating the node
    /// if needed (`unpack_remote_nodes` and `link_rsc2remotenode`).
    fn add_conn(
        &mut self,
        id: Cow<'a, str>,
        slot: usize,
        meta: &NvPairs,
        container: Option<Cow<'a, str>>,
        cluster_managed: bool,
    ) {
        let guest = container.is_some();
        let node = match self.find_node(&id) {
            Some(i) => i,
            None => {
                let node = WorkNode::new(id.clone(), id.clone(), NodeKind::Remote, None);
                self.push_node(node)
            }
        };
        let container = container.map(|k| self.table.slot(k));
        let params = self
            .table
            .get(slot)
            .and_then(|s| s.config)
            .map(|r| &r.params);
        let conn = Conn {
            slot,
            node,
            reconnect_secs: params
                .and_then(|p| p.get("reconnect_interval"))
                .and_then(duration_ms)
                .unwrap_or(0)
                / 1000,
            container,
            managed: cluster_managed
                && meta
                    .get("is-managed")
                    .map_or(self.options.default_managed, is_true),
            // A guest's generated connection does not inherit its container's target-role.
            failure_stops: false,
            disabled: !guest
                && meta
                    .get("target-role")
                    .or_else(|| self.cib.rsc_defaults.get("target-role"))
                    .is_some_and(|r| r.eq_ignore_ascii_case("stopped")),
        };
        let index = self.conns.len();
        self.conns.push(conn);
        if let Some(slot) = self.table.get_mut(slot) {
            slot.conn = Some(index);
        }
        let startup_fencing = self.options.startup_fencing;
        if let Some(node) = self.nodes.get_mut(node) {
            node.conn = Some(index);
            if guest {
                node.kind = NodeKind::Guest;
            } else if node.kind == NodeKind::Remote {
                node.unclean = startup_fencing;
            }
        }
    }
}

/// How many table entries a resource makes: itself, its children and bundle containers.
fn count(rsc: &Resource) -> usize {
    let containers = match &rsc.kind {
        crate::ResourceKind::Bundle(spec) => spec.replicas as usize,
        _ => 0,
    };
    1 + containers + rsc.children.iter().map(count).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_id(cib: &Cib, id: &str) -> NodeStatus {
        let found = cib.node_statuses().into_iter().find(|n| n.id == id);
        found.unwrap_or_else(|| panic!("no node {id}"))
    }

    #[test]
    fn a_state_goes_to_the_first_node_with_its_id() {
        // Two nodes have id 1: a state goes to the first of them, as Pacemaker's lookup does.
        let xml = r#"<cib have-quorum="1"><configuration><crm_config/>
          <nodes><node id="1" uname="a"/><node id="2" uname="b"/><node id="1" uname="c"/></nodes>
          <resources/></configuration><status>
            <node_state id="2" uname="b" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="1" uname="c" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status></cib>"#;
        let cib = Cib::parse(xml).unwrap();
        let statuses = cib.node_statuses();
        let names: Vec<(&str, bool)> = statuses
            .iter()
            .map(|n| (n.name.as_str(), n.online))
            .collect();
        assert_eq!(names, [("a", true), ("b", true), ("c", false)]);
    }

    #[test]
    fn a_connection_goes_to_the_first_node_with_its_name() {
        // `dup` and `DUP` are one name to Pacemaker: the connection goes to the first.
        let xml = r#"<cib have-quorum="1"><configuration><crm_config/>
          <nodes><node id="dup" uname="dup"/><node id="r1" uname="r1" type="remote"/>
            <node id="dup2" uname="DUP" type="remote"/></nodes>
          <resources>
            <primitive id="r1" class="ocf" provider="pacemaker" type="remote"/>
            <primitive id="DUP" class="ocf" provider="pacemaker" type="remote"/>
          </resources></configuration><status/></cib>"#;
        let cib = Cib::parse(xml).unwrap();
        assert!(
            by_id(&cib, "r1").unclean,
            "a linked remote node is fenced at startup"
        );
        assert!(!by_id(&cib, "dup2").unclean, "never linked to a connection");
    }
}
