//! The whole CIB document: header, configuration and status.
//!
//! [`Cib::parse`] and [`Cib::parse_on_one_thread`] have `read` read the text, on one thread
//! or two, and hand it [`Cib::from_root`], the model of the header and the configuration
//! made from the tree; the status section's model comes back beside it and is added.

use crate::alerts::Alert;
use crate::config::{ClusterOptions, NodeConfig};
use crate::read::{self, StatusReader};
use crate::resources::Resource;
use crate::status::NodeState;
use crate::tickets::{Ticket, TicketConstraint};
use crate::topology::FencingLevel;
use crate::xml::Element;
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
    /// `op_defaults` meta attributes (apply to every operation that does not set them).
    pub op_defaults: crate::NvPairs,
    /// `<node>` entries.
    pub nodes: Vec<NodeConfig>,
    /// Top-level resources (children nested inside).
    pub resources: Vec<Resource>,
    /// `fencing-topology` levels.
    pub fencing_levels: Vec<FencingLevel>,
    /// Configured alerts.
    pub alerts: Vec<Alert>,
    /// `rsc_ticket` constraints, one per resource they name.
    pub ticket_constraints: Vec<TicketConstraint>,
    /// `node_state` entries.
    pub node_states: Vec<NodeState>,
    /// `ticket_state` entries (tickets granted, revoked or in standby).
    pub tickets: Vec<Ticket>,
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
    /// processors (see `read`); the result is the same, errors included.
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Self, Error> {
        read::document(text, limits, Self::from_root).map(Self::with_status)
    }

    /// Parses CIB XML on the calling thread only, as [`Cib::parse_with`] does with one
    /// processor or a small CIB.
    pub fn parse_on_one_thread(text: &str, limits: &Limits) -> Result<Self, Error> {
        read::on_one_thread(text, limits, Self::from_root).map(Self::with_status)
    }

    /// A model made by [`Cib::from_root`], with the status section `status` read added.
    pub(crate) fn with_status((mut cib, status): (Self, StatusReader)) -> Self {
        cib.node_states = status.node_states;
        cib.tickets = status.tickets;
        cib.warnings.extend(status.warnings);
        cib
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
            op_defaults: match configuration.child("op_defaults") {
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
            ticket_constraints: TicketConstraint::parse_all(
                configuration.child("constraints"),
                configuration.child("tags"),
                &mut warnings,
            ),
            node_states: Vec::new(),
            tickets: Vec::new(),
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

    /// The state of ticket `id`: as the status has it (the first of duplicates), else not
    /// granted, as Pacemaker creates a ticket a constraint names.
    pub fn ticket(&self, id: &str) -> Ticket {
        let found = self.tickets.iter().find(|t| t.id == id).cloned();
        found.unwrap_or_else(|| Ticket {
            id: id.to_owned(),
            granted: false,
            standby: false,
        })
    }

    /// The fence devices (class `stonith` primitives), in configuration order.
    pub fn stonith_devices(&self) -> impl Iterator<Item = &Resource> {
        self.all_resources().filter(|r| r.is_stonith())
    }
}

/// `text` parsed on two threads split at byte `at` (in the `node_state` context, or the
/// `lrm_resource` one when `deep`), then on one thread, for the fuzzer to hold the two to
/// the same result.
#[cfg(fuzzing)]
pub fn split_and_whole(
    text: &str,
    at: usize,
    deep: bool,
    limits: &Limits,
) -> [Result<Cib, Error>; 2] {
    [
        read::split_at(text, at, deep, limits, Cib::from_root).map(Cib::with_status),
        Cib::parse_on_one_thread(text, limits),
    ]
}

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
