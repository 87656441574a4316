//! Which fence devices can fence a host, in the order Pacemaker's fencer tries them.
//! A device keeps its raw parameters ([`Resource::params`]): what they mean is the fence
//! agent's business (the `fence-agent` crate reads them as Pacemaker hands them to an agent).
//!
//! Follows `daemons/fenced/fenced_commands.c` (`target_list_type`,
//! `can_fence_host_with_device`, `build_port_aliases`) and `fenced_remote.c` (topology).
//! Devices whose eligibility Pacemaker settles by asking the agent (`dynamic-list`,
//! `status`) are included and marked [`Eligibility::AskDevice`]: offline we cannot ask.

use crate::topology::{FencingLevel, LevelTarget};
use crate::value::NvPairs;
use crate::{Cib, Resource};

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
    /// priority is not used by Pacemaker 2.1's fencer).
    pub fn fence_devices_for(&self, host: &str) -> Vec<FenceDevice<'_>> {
        match self.topology_for(host) {
            Some(levels) => self.topology_devices(host, &levels),
            None => self
                .stonith_devices()
                .filter(|d| !d.is_disabled())
                .filter_map(|d| eligible(d, host))
                .collect(),
        }
    }

    /// The topology levels that apply to `host`: a level naming it exactly wins; else the
    /// first pattern or attribute target (in configuration order) that matches.
    fn topology_for(&self, host: &str) -> Option<Vec<&FencingLevel>> {
        let exact = |l: &&FencingLevel| matches!(&l.target, LevelTarget::Name(n) if n.eq_ignore_ascii_case(host));
        let chosen = self.fencing_levels.iter().find(exact).or_else(|| {
            self.fencing_levels
                .iter()
                .find(|l| self.level_matches(l, host))
        })?;
        let mut levels: Vec<&FencingLevel> = self
            .fencing_levels
            .iter()
            .filter(|l| l.target == chosen.target)
            .collect();
        levels.sort_by_key(|l| l.index);
        Some(levels)
    }

    fn level_matches(&self, level: &FencingLevel, host: &str) -> bool {
        match &level.target {
            LevelTarget::Name(n) => n.eq_ignore_ascii_case(host),
            LevelTarget::Pattern(p) => crate::pattern::is_match(p, host).unwrap_or(false),
            LevelTarget::Attribute { name, value } => {
                self.node_attribute(host, name) == Some(value.as_str())
            }
        }
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

    fn topology_devices(&self, host: &str, levels: &[&FencingLevel]) -> Vec<FenceDevice<'_>> {
        let mut out: Vec<FenceDevice<'_>> = Vec::new();
        for level in levels {
            for id in &level.devices {
                let Some(resource) = self.stonith_devices().find(|d| &d.id == id) else {
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
}

/// `can_fence_host_with_device`, without asking the agent.
fn eligible<'a>(device: &'a Resource, host: &str) -> Option<FenceDevice<'a>> {
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
        Some(_) => return None,
        None if list.is_some() || map.is_some() => HostCheck::StaticList,
        None => HostCheck::DynamicList,
    };
    let eligibility = match check {
        HostCheck::None => Eligibility::Any,
        HostCheck::DynamicList | HostCheck::Status => Eligibility::AskDevice,
        HostCheck::StaticList => {
            let aliases = host_map(map.unwrap_or_default());
            let in_list = list.is_some_and(|l| host_list(l).any(|h| h.eq_ignore_ascii_case(host)));
            // The fencer also adds the map's ports to its target list (a quirk we keep).
            let in_map = aliases.iter().any(|(name, port)| {
                name.eq_ignore_ascii_case(host) || port.eq_ignore_ascii_case(host)
            });
            if !(in_list || in_map) {
                return None;
            }
            Eligibility::Listed
        }
    };
    Some(FenceDevice {
        resource: device,
        level: None,
        eligibility,
        port: port_for(device, host),
    })
}

/// The port the fencer passes: a configured `port`/`plug` wins, then the host map's alias,
/// then the host name; none when `pcmk_host_argument=none`.
fn port_for(device: &Resource, host: &str) -> Option<String> {
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
mod tests {
    use super::*;

    #[test]
    fn host_map_forms() {
        assert_eq!(
            host_map("a:1;b=2 c:3\td:x\\:y"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "2".into()),
                ("c".into(), "3".into()),
                ("d".into(), "x:y".into())
            ]
        );
        assert!(host_map("").is_empty());
        assert!(host_map("junk").is_empty());
    }

    #[test]
    fn host_list_separators() {
        let hosts: Vec<&str> = host_list("a, b;c  d").collect();
        assert_eq!(hosts, ["a", "b", "c", "d"]);
    }
}
