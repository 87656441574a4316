//! The `configuration` section's cluster options and `nodes` entries.

use crate::value::NvPairs;
use crate::xml::Element;

/// Cluster-wide options from `crm_config` (`cluster_property_set`s without rules).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterOptions {
    /// Every property in document order.
    pub properties: NvPairs,
}

impl ClusterOptions {
    /// `stonith-enabled` (Pacemaker's default: true).
    pub fn stonith_enabled(&self) -> bool {
        self.properties
            .get("stonith-enabled")
            .is_none_or(crate::value::is_true)
    }

    /// `startup-fencing` (default: true) in force: nodes never seen are unclean.
    /// It only applies while fencing is enabled.
    pub fn startup_fencing(&self) -> bool {
        self.stonith_enabled()
            && self
                .properties
                .get("startup-fencing")
                .is_none_or(crate::value::is_true)
    }

    /// `maintenance-mode` (default: false).
    pub fn maintenance_mode(&self) -> bool {
        self.properties.is_true("maintenance-mode")
    }

    /// `no-quorum-policy` (default: `stop`).
    pub fn no_quorum_policy(&self) -> &str {
        self.properties.get("no-quorum-policy").unwrap_or("stop")
    }

    /// `shutdown-lock` (default: false).
    pub fn shutdown_lock(&self) -> bool {
        self.properties.is_true("shutdown-lock")
    }

    pub(crate) fn parse(crm_config: Option<Element<'_>>, skipped: &mut Vec<String>) -> Self {
        let properties = match crm_config {
            Some(e) => NvPairs::from_sets(e, "cluster_property_set", skipped),
            None => NvPairs::default(),
        };
        Self { properties }
    }
}

/// The `type` of a `<node>` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    /// A cluster member (the default).
    Member,
    /// A Pacemaker Remote node.
    Remote,
    /// The deprecated `ping` type (also any unrecognized type, as Pacemaker assumes).
    Ping,
}

/// One `<node>` entry of the `nodes` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// The node id (corosync node id for members, the name for remotes).
    pub id: String,
    /// The node name, if given.
    pub uname: Option<String>,
    /// The node's type.
    pub node_type: NodeType,
    /// Permanent node attributes (`instance_attributes`), such as `standby` or a `node_role`.
    pub attributes: NvPairs,
}

impl NodeConfig {
    /// Reads the `<node>` children of `nodes`; entries without an id are skipped with a
    /// warning, as Pacemaker does.
    pub(crate) fn parse_all(nodes: Option<Element<'_>>, warnings: &mut Vec<String>) -> Vec<Self> {
        let Some(nodes) = nodes else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for node in nodes.children_named("node") {
            let Some(id) = node.attr("id") else {
                warnings.push(format!(
                    "ignoring <node> at byte {} without id",
                    node.position()
                ));
                continue;
            };
            let node_type = match node.attr("type") {
                None => NodeType::Member,
                Some(t) if t.eq_ignore_ascii_case("member") => NodeType::Member,
                Some(t) if t.eq_ignore_ascii_case("remote") => NodeType::Remote,
                Some(_) => NodeType::Ping,
            };
            out.push(Self {
                id: id.to_owned(),
                uname: node.attr("uname").map(str::to_owned),
                node_type,
                attributes: NvPairs::from_sets(node, "instance_attributes", warnings),
            });
        }
        out
    }
}
