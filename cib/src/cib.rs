//! The whole CIB document: header, configuration and status.

use crate::alerts::Alert;
use crate::config::{ClusterOptions, NodeConfig};
use crate::name_set::NameSet;
use crate::resources::Resource;
use crate::status::{LrmResource, NodeState};
use crate::topology::FencingLevel;
use crate::xml::{Element, Keep, Parser, Stream};
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

    /// Parses CIB XML with explicit limits. A CIB of 256 KiB or more whose status section
    /// reaches past two fifths of it is read on two threads when the process may use two
    /// processors (see `parallel`); the result is the same, errors included.
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Self, Error> {
        let split = (text.len() <= limits.max_input_bytes)
            .then(|| crate::parallel::split_point(text))
            .flatten();
        match split {
            Some(split) => crate::parallel::parse(text, limits, split),
            None => Self::parse_on_one_thread(text, limits),
        }
    }

    /// Parses CIB XML on the calling thread only, as [`Cib::parse_with`] does with one
    /// processor or a small CIB.
    pub fn parse_on_one_thread(text: &str, limits: &Limits) -> Result<Self, Error> {
        let parser = Parser::new(text, limits, wanted, &STATUS_PATHS, StatusReader::default())?;
        let (doc, status) = parser.finish()?;
        Self::from_parts(doc.root(), status)
    }

    /// The model of a parsed document whose status section `status` has read.
    pub(crate) fn from_parts(root: Element<'_>, status: StatusReader) -> Result<Self, Error> {
        Ok(Self::from_root(root)?.with_status(status))
    }

    /// Adds the status section `status` read to a model made by [`Cib::from_root`].
    pub(crate) fn with_status(mut self, status: StatusReader) -> Self {
        self.node_states = status.node_states;
        self.warnings.extend(status.warnings);
        self
    }

    /// The model of everything but the status section: the root's attributes and the first
    /// `configuration`, all of which precede the status section in a CIB.
    pub(crate) fn from_root(root: Element<'_>) -> Result<Self, Error> {
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
            node_states: Vec::new(),
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

/// Where the parser finds each resource history, then each `node_state`: the status
/// section is most of a CIB, so each becomes its model as soon as it is read and the tree
/// never holds more than one.
pub(crate) const STATUS_PATHS: [&[&str]; 2] = [
    &[
        "cib",
        "status",
        "node_state",
        "lrm",
        "lrm_resources",
        "lrm_resource",
    ],
    &["cib", "status", "node_state"],
];

/// The status section's model, as the parser streams it.
#[derive(Debug, Default)]
pub(crate) struct StatusReader {
    /// Resource histories read since the last `node_state`, which holds them.
    resources: Vec<LrmResource>,
    pub(crate) node_states: Vec<NodeState>,
    pub(crate) warnings: Vec<String>,
}

impl StatusReader {
    /// Adds what `later` read after what this one read.
    pub(crate) fn append(&mut self, mut later: Self) {
        self.resources.append(&mut later.resources);
        self.node_states.append(&mut later.node_states);
        self.warnings.append(&mut later.warnings);
    }
}

impl Stream for StatusReader {
    fn element(&mut self, path: usize, element: Element<'_>) {
        match path {
            0 => self.resources.extend(LrmResource::parse(element)),
            _ => self.node_states.extend(NodeState::parse(
                element,
                std::mem::take(&mut self.resources),
                &mut self.warnings,
            )),
        }
    }
}

/// The attributes this crate reads of each element; everything else is skipped while
/// parsing. Operation history is most of a CIB, so its entries keep only what the replay
/// needs.
pub(crate) fn wanted(element: &str) -> Keep {
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
