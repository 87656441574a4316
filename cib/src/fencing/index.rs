//! Every host's fence devices from one pass over the CIB: the static lists and maps by host
//! name, the devices that reach any host, the topology's targets and the nodes' attributes, so
//! that listing 1,000 nodes' devices is linear in nodes and devices, not their product.

use std::collections::HashMap;

use super::{Eligibility, FenceDevice, Reach, port_for};
use crate::config::NodeConfig;
use crate::status::NodeState;
use crate::topology::{FencingLevel, LevelTarget};
use crate::{Cib, Resource};

/// The fencer's device choice for every host of one CIB (see [`Cib::fence_devices_for`]).
#[derive(Debug, Default)]
pub struct FenceIndex<'a> {
    /// Enabled stonith devices that reach some host, in configuration order, with why.
    enabled: Vec<(&'a Resource, Eligibility)>,
    /// Positions in `enabled` of the devices that reach any host.
    any: Vec<usize>,
    /// Positions in `enabled` of the devices whose static list or map names a host, by the
    /// host's lower-case name.
    listed: HashMap<String, Vec<usize>>,
    /// Every stonith device (enabled or not) by id, the first of an id.
    by_id: HashMap<&'a str, &'a Resource>,
    /// The topology's targets, in the order of their first level, each with its levels by index.
    targets: Vec<Vec<&'a FencingLevel>>,
    /// Position in `targets` of the first name target spelled like a host (lower-case).
    named: HashMap<String, usize>,
    /// Positions in `targets` of the pattern and attribute targets, in order.
    matched: Vec<usize>,
    /// The first `node_state` and the first `<node>` of each lower-case name, when a level
    /// targets nodes by attribute (empty otherwise).
    states: HashMap<String, &'a NodeState>,
    nodes: HashMap<String, &'a NodeConfig>,
}

impl<'a> FenceIndex<'a> {
    /// Indexes `cib`.
    pub fn new(cib: &'a Cib) -> Self {
        let mut index = Self::default();
        for device in cib.stonith_devices() {
            index.by_id.entry(device.id.as_str()).or_insert(device);
            if !device.is_disabled() {
                index.add_device(device);
            }
        }
        index.add_levels(&cib.fencing_levels);
        let by_attribute = |l: &FencingLevel| matches!(l.target, LevelTarget::Attribute { .. });
        if cib.fencing_levels.iter().any(by_attribute) {
            index.add_attributes(cib);
        }
        index
    }

    /// The devices that can fence `host`, as [`Cib::fence_devices_for`] lists them.
    pub fn devices_for(&self, host: &str) -> Vec<FenceDevice<'a>> {
        let lower = host.to_ascii_lowercase();
        match self.topology_for(host, &lower) {
            Some(levels) => self.topology_devices(host, levels),
            None => self.eligible(host, &lower),
        }
    }

    fn add_device(&mut self, device: &'a Resource) {
        let at = self.enabled.len();
        match Reach::of(device) {
            Reach::Never => {}
            Reach::Any(eligibility) => {
                self.any.push(at);
                self.enabled.push((device, eligibility));
            }
            Reach::Listed(hosts) => {
                for host in hosts {
                    let positions = self.listed.entry(host.to_ascii_lowercase()).or_default();
                    if positions.last() != Some(&at) {
                        positions.push(at);
                    }
                }
                self.enabled.push((device, Eligibility::Listed));
            }
        }
    }

    fn add_levels(&mut self, levels: &'a [FencingLevel]) {
        let mut position: HashMap<&LevelTarget, usize> = HashMap::new();
        for level in levels {
            let at = *position.entry(&level.target).or_insert_with(|| {
                self.targets.push(Vec::new());
                self.targets.len() - 1
            });
            if let Some(target) = self.targets.get_mut(at) {
                target.push(level);
            }
        }
        for (target, at) in &position {
            match target {
                LevelTarget::Name(n) => {
                    let first = self.named.entry(n.to_ascii_lowercase()).or_insert(*at);
                    *first = (*first).min(*at);
                }
                LevelTarget::Pattern(_) | LevelTarget::Attribute { .. } => self.matched.push(*at),
            }
        }
        self.matched.sort_unstable();
        for target in &mut self.targets {
            target.sort_by_key(|l| l.index);
        }
    }

    /// The nodes by name, for the attribute targets' look-ups (nothing else reads them).
    fn add_attributes(&mut self, cib: &'a Cib) {
        for state in &cib.node_states {
            let name = state.uname.to_ascii_lowercase();
            self.states.entry(name).or_insert(state);
        }
        for node in &cib.nodes {
            if let Some(uname) = &node.uname {
                self.nodes.entry(uname.to_ascii_lowercase()).or_insert(node);
            }
        }
    }

    /// The levels of the target that applies to `host`: a target naming it exactly wins; else
    /// the first pattern or attribute target (in configuration order) that matches.
    fn topology_for(&self, host: &str, lower: &str) -> Option<&[&'a FencingLevel]> {
        let at = self.named.get(lower).copied().or_else(|| {
            self.matched
                .iter()
                .copied()
                .find(|&at| self.target_matches(at, host, lower))
        })?;
        self.targets.get(at).map(Vec::as_slice)
    }

    fn target_matches(&self, at: usize, host: &str, lower: &str) -> bool {
        let Some(level) = self.targets.get(at).and_then(|t| t.first()) else {
            return false;
        };
        match &level.target {
            LevelTarget::Name(n) => n.eq_ignore_ascii_case(host),
            LevelTarget::Pattern(p) => crate::pattern::is_match(p, host).unwrap_or(false),
            LevelTarget::Attribute { name, value } => {
                self.attribute(lower, name) == Some(value.as_str())
            }
        }
    }

    /// A node attribute (transient first, then permanent) of the node called `lower`.
    fn attribute(&self, lower: &str, name: &str) -> Option<&'a str> {
        let transient = self.states.get(lower).and_then(|s| s.transient.get(name));
        transient.or_else(|| self.nodes.get(lower).and_then(|n| n.attributes.get(name)))
    }

    fn topology_devices(&self, host: &str, levels: &[&FencingLevel]) -> Vec<FenceDevice<'a>> {
        let mut out: Vec<FenceDevice<'a>> = Vec::new();
        for level in levels {
            for id in &level.devices {
                let Some(&resource) = self.by_id.get(id.as_str()) else {
                    continue;
                };
                if out.iter().any(|d| d.resource.id == *id) {
                    continue;
                }
                out.push(FenceDevice {
                    resource,
                    level: Some(level.index),
                    eligibility: Eligibility::Topology,
                    port: port_for(resource, host),
                });
            }
        }
        out
    }

    /// The enabled devices that reach `host`, in configuration order.
    fn eligible(&self, host: &str, lower: &str) -> Vec<FenceDevice<'a>> {
        let listed = self.listed.get(lower).map_or(&[][..], Vec::as_slice);
        let mut positions: Vec<usize> = self.any.iter().chain(listed).copied().collect();
        positions.sort_unstable();
        positions
            .into_iter()
            .filter_map(|at| self.enabled.get(at))
            .map(|&(resource, eligibility)| FenceDevice {
                resource,
                level: None,
                eligibility,
                port: port_for(resource, host),
            })
            .collect()
    }
}
