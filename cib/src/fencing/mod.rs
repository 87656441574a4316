//! Which fence devices can fence a host, in the order Pacemaker's fencer tries them.
//! A device keeps its raw parameters ([`Resource::params`]): what they mean is the fence
//! agent's business (the `fence-agent` crate reads them as Pacemaker hands them to an agent).
//!
//! Follows `daemons/fenced/fenced_commands.c` (`target_list_type`,
//! `can_fence_host_with_device`, `build_port_aliases`) and `fenced_remote.c` (topology).
//! Devices whose eligibility Pacemaker settles by asking the agent (`dynamic-list`,
//! `status`) are included and marked [`Eligibility::AskDevice`]: offline we cannot ask.

mod index;

use crate::value::NvPairs;
use crate::{Cib, Resource};
pub use index::FenceIndex;

/// How Pacemaker decides whether a device can fence a host (`pcmk_host_check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostCheck {
    /// `static-list`: `pcmk_host_list` and `pcmk_host_map` name the hosts.
    StaticList,
    /// `dynamic-list`: the agent's `list` action names the hosts.
    DynamicList,
    /// `status`: the agent's `status` action for the host must succeed.
    Status,
    /// `none`: the device can fence every host.
    None,
}

/// Why a device is in a host's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    /// The host is named in the device's static list or map.
    Listed,
    /// Pacemaker would ask the agent (`list` or `status`); assumed able.
    AskDevice,
    /// `pcmk_host_check=none`: every host.
    Any,
    /// Named by a fencing-topology level.
    Topology,
}

/// A device able to fence a given host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceDevice<'a> {
    /// The device (a `stonith` primitive).
    pub resource: &'a Resource,
    /// The fencing-topology level it belongs to, if the host has a topology.
    pub level: Option<u8>,
    /// Why it qualifies.
    pub eligibility: Eligibility,
    /// The port (plug) the fencer passes for this host, if any.
    pub port: Option<String>,
}

impl FenceDevice<'_> {
    /// The device id.
    pub fn id(&self) -> &str {
        &self.resource.id
    }

    /// The agent (`fence_ipmilan`, `external/ipmi`, ...).
    pub fn agent(&self) -> &str {
        self.resource.agent().map_or("", |a| a.agent_type.as_str())
    }

    /// The device's parameters as configured (its instance attributes), for the fence agent
    /// to read: the CIB model gives them no meaning.
    pub fn params(&self) -> &NvPairs {
        &self.resource.params
    }
}

impl Cib {
    /// The devices that can fence `host`, in the order Pacemaker's fencer tries them:
    /// the host's fencing-topology levels by index (each level's devices in order) when it
    /// has a topology, else every eligible enabled device in configuration order (device
    /// priority is not used by Pacemaker 2.1's fencer). For many hosts, build
    /// [`Cib::fence_index`] once instead: this builds one per call.
    pub fn fence_devices_for(&self, host: &str) -> Vec<FenceDevice<'_>> {
        self.fence_index().devices_for(host)
    }

    /// Every host's fence devices, indexed in one pass over the devices, the topology and the
    /// nodes: a look-up then costs what the host's own devices cost, not all devices.
    pub fn fence_index(&self) -> FenceIndex<'_> {
        FenceIndex::new(self)
    }

    /// A node attribute (transient first, then permanent) of the node called `host`.
    pub fn node_attribute(&self, host: &str, name: &str) -> Option<&str> {
        let transient = self
            .node_states
            .iter()
            .find(|s| s.uname.eq_ignore_ascii_case(host))
            .and_then(|s| s.transient.get(name));
        transient.or_else(|| {
            self.nodes
                .iter()
                .find(|n| {
                    n.uname
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case(host))
                })
                .and_then(|n| n.attributes.get(name))
        })
    }
}

/// Which hosts a device can fence, as `can_fence_host_with_device` decides without the agent.
#[derive(Debug)]
enum Reach {
    /// An unknown `pcmk_host_check`: none.
    Never,
    /// Every host, for this reason.
    Any(Eligibility),
    /// The hosts named in the static list or map (either side of the map: the fencer also adds
    /// the map's ports to its target list, a quirk we keep).
    Listed(Vec<String>),
}

impl Reach {
    fn of(device: &Resource) -> Self {
        let params = &device.params;
        let list = params.get("pcmk_host_list");
        let map = params.get("pcmk_host_map");
        let check = match params
            .get("pcmk_host_check")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("static-list") => HostCheck::StaticList,
            Some("dynamic-list") => HostCheck::DynamicList,
            Some("status") => HostCheck::Status,
            Some("none") => HostCheck::None,
            Some(_) => return Self::Never,
            None if list.is_some() || map.is_some() => HostCheck::StaticList,
            None => HostCheck::DynamicList,
        };
        match check {
            HostCheck::None => Self::Any(Eligibility::Any),
            HostCheck::DynamicList | HostCheck::Status => Self::Any(Eligibility::AskDevice),
            HostCheck::StaticList => {
                let listed = list.into_iter().flat_map(host_list).map(str::to_owned);
                let mapped = host_map(map.unwrap_or_default())
                    .into_iter()
                    .flat_map(|(name, port)| [name, port]);
                Self::Listed(listed.chain(mapped).collect())
            }
        }
    }
}

/// The port the fencer passes: a configured `port`/`plug` wins, then the host map's alias,
/// then the host name; none when `pcmk_host_argument=none`.
pub(crate) fn port_for(device: &Resource, host: &str) -> Option<String> {
    let params = &device.params;
    let argument = params.get("pcmk_host_argument").unwrap_or("port");
    if argument.eq_ignore_ascii_case("none") {
        return None;
    }
    if let Some(fixed) = params.get(argument).or_else(|| params.get("plug")) {
        return Some(fixed.to_owned());
    }
    let alias = host_map(params.get("pcmk_host_map").unwrap_or_default())
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(host))
        .map(|(_, port)| port);
    Some(alias.unwrap_or_else(|| host.to_owned()))
}

/// `pcmk_host_list` entries: separated by whitespace, commas or semicolons.
fn host_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|h| !h.is_empty())
}

/// `pcmk_host_map` (`node1:port1;node2=port2 node3:port3`), with `\` escapes, as
/// `build_port_aliases` reads it.
fn host_map(map: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    let mut token = String::new();
    let mut chars = map.chars();
    loop {
        let c = chars.next();
        match c {
            Some('\\') => {
                if let Some(escaped) = chars.next() {
                    token.push(escaped);
                }
            }
            Some('=' | ':') => {
                if !token.is_empty() {
                    name = Some(std::mem::take(&mut token));
                }
                token.clear();
            }
            None | Some(';' | ' ' | '\t') => {
                if let Some(n) = name.take() {
                    out.push((n, std::mem::take(&mut token)));
                }
                token.clear();
                if c.is_none() {
                    return out;
                }
            }
            Some(other) => token.push(other),
        }
    }
}

#[cfg(test)]
mod tests;
