//! The whole CIB document: header, configuration and status.

use crate::alerts::Alert;
use crate::config::{ClusterOptions, NodeConfig};
use crate::name_set::NameSet;
use crate::resources::Resource;
use crate::status::{LrmResource, NodeState};
use crate::topology::FencingLevel;
use crate::xml::{Element, Keep};
use crate::{Error, Limits};

/// A parsed CIB (`cibadmin --query` output, or a saved `cib.xml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cib {
    /// `epoch` (configuration version), 0 when absent.
    pub epoch: u64,
    /// `num_updates` (status version), 0 when absent.
    pub num_updates: u64,
    /// `admin_epoch`, 0 when absent.
    pub admin_epoch: u64,
    /// `have-quorum`: whether the partition that wrote this CIB had quorum.
    pub have_quorum: bool,
    /// `no-quorum-panic`: set when the partition lost quorum under `no-quorum-policy=suicide`.
    pub no_quorum_panic: bool,
    /// `dc-uuid`: the node id of the Designated Controller, if one is elected.
    pub dc_uuid: Option<String>,
    /// `validate-with` (schema name).
    pub validate_with: Option<String>,
    /// `crm_feature_set`.
    pub feature_set: Option<String>,
    /// `crm_config` properties.
    pub options: ClusterOptions,
    /// `rsc_defaults` meta attributes (apply to every resource that does not set them).
    pub rsc_defaults: crate::NvPairs,
    /// `<node>` entries.
    pub nodes: Vec<NodeConfig>,
    /// Top-level resources (children nested inside).
    pub resources: Vec<Resource>,
    /// `fencing-topology` levels.
    pub fencing_levels: Vec<FencingLevel>,
    /// Configured alerts.
    pub alerts: Vec<Alert>,
    /// `node_state` entries.
    pub node_states: Vec<NodeState>,
    /// Oddities tolerated while reading (skipped entries, rule-guarded sets).
    pub warnings: Vec<String>,
}

impl Cib {
    /// Parses CIB XML with the default [`Limits`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        Self::parse_with(text, &Limits::default())
    }

    /// Parses CIB XML with explicit limits.
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Self, Error> {
        // The status section is most of a CIB: each resource history, then each node_state,
        // becomes its model as soon as it is read, so the tree never holds more than one.
        let mut node_states = Vec::new();
        let mut resources = Vec::new();
        let mut status_warnings = Vec::new();
        let doc = crate::xml::parse_streaming(
            text,
            limits,
            wanted,
            &[RESOURCE_HISTORY, NODE_STATE],
            &mut |path, element| match path {
                0 => resources.extend(LrmResource::parse(element)),
                _ => node_states.extend(NodeState::parse(
                    element,
                    std::mem::take(&mut resources),
                    &mut status_warnings,
                )),
            },
        )?;
        let mut cib = Self::from_root(doc.root(), node_states)?;
        cib.warnings.append(&mut status_warnings);
        Ok(cib)
    }

    fn from_root(root: Element<'_>, node_states: Vec<NodeState>) -> Result<Self, Error> {
        if root.name() != "cib" {
            return Err(Error::UnexpectedRoot {
                found: root.name().to_string(),
                expected: "cib",
                position: root.position(),
            });
        }
        let configuration = root.child("configuration").ok_or(Error::MissingElement {
            parent: "cib".to_owned(),
            child: "configuration",
            position: root.position(),
        })?;
        let mut warnings = Vec::new();
        let options = ClusterOptions::parse(configuration.child("crm_config"), &mut warnings);
        let resources = match configuration.child("resources") {
            Some(r) => Resource::parse_all(r, &mut warnings),
            None => Vec::new(),
        };
        Ok(Self {
            epoch: number(root, "epoch", &mut warnings),
            num_updates: number(root, "num_updates", &mut warnings),
            admin_epoch: number(root, "admin_epoch", &mut warnings),
            have_quorum: root.attr("have-quorum").is_some_and(crate::value::is_true),
            no_quorum_panic: root
                .attr("no-quorum-panic")
                .and_then(|v| v.trim().parse::<i64>().ok())
                .is_some_and(|v| v != 0),
            dc_uuid: root
                .attr("dc-uuid")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            validate_with: root.attr("validate-with").map(str::to_owned),
            feature_set: root.attr("crm_feature_set").map(str::to_owned),
            options,
            rsc_defaults: match configuration.child("rsc_defaults") {
                Some(d) => crate::NvPairs::from_sets(d, "meta_attributes", &mut warnings),
                None => crate::NvPairs::default(),
            },
            nodes: NodeConfig::parse_all(configuration.child("nodes"), &mut warnings),
            resources,
            fencing_levels: FencingLevel::parse_all(
                configuration.child("fencing-topology"),
                &mut warnings,
            ),
            alerts: Alert::parse_all(configuration.child("alerts"), &mut warnings),
            node_states,
            warnings,
        })
    }

    /// Every resource, depth first, top-level order.
    pub fn all_resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.iter().flat_map(Resource::walk)
    }

    /// The resource with this id, anywhere in the tree.
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.all_resources().find(|r| r.id == id)
    }

    /// The fence devices (class `stonith` primitives), in configuration order.
    pub fn stonith_devices(&self) -> impl Iterator<Item = &Resource> {
        self.all_resources().filter(|r| r.is_stonith())
    }
}

/// Where the parser finds each `node_state`.
const NODE_STATE: &[&str] = &["cib", "status", "node_state"];
/// Where the parser finds each resource history inside a `node_state`.
const RESOURCE_HISTORY: &[&str] = &[
    "cib",
    "status",
    "node_state",
    "lrm",
    "lrm_resources",
    "lrm_resource",
];

/// The attributes this crate reads of each element; everything else is skipped while
/// parsing. Operation history is most of a CIB, so its entries keep only what the replay
/// needs.
fn wanted(element: &str) -> Keep {
    match element {
        "lrm_rsc_op" => Keep::Only(&OPERATION_ATTRIBUTES),
        _ => Keep::Only(&ATTRIBUTES),
    }
}

static OPERATION_ATTRIBUTES: NameSet = NameSet::new(&[
    "operation",
    "call-id",
    "rc-code",
    "op-status",
    "interval",
    "transition-key",
    "last-rc-change",
]);

static ATTRIBUTES: NameSet = NameSet::new(&[
    "id",
    "uname",
    "type",
    "class",
    "provider",
    "name",
    "value",
    "in_ccm",
    "crmd",
    "join",
    "expected",
    "remote_node",
    "node_fenced",
    "node_in_maintenance",
    "container",
    "index",
    "target",
    "target-pattern",
    "target-attribute",
    "target-value",
    "devices",
    "path",
    "epoch",
    "num_updates",
    "admin_epoch",
    "have-quorum",
    "dc-uuid",
    "validate-with",
    "crm_feature_set",
    "no-quorum-panic",
    "template",
    "replicas",
    "promoted-max",
    "masters",
    "ip-range-start",
    "control-port",
    "interval",
    "on-fail",
]);

fn number(root: Element<'_>, name: &str, warnings: &mut Vec<String>) -> u64 {
    match root.attr(name).map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            warnings.push(format!("<cib> attribute {name} is not a number; read as 0"));
            0
        }
    }
}
