//! Where everything of a lab lives: namespace names, addresses and directories, derived from its spec.
//!
//! Every lab has its own bridge namespace, so all labs use the same addresses without meeting:
//!
//! ```text
//!   mlab-NAME-net (bridge br0, no address)
//!     ├─ veth ── mlab-NAME-ctl1       10.250.0.11   corosync + pacemaker
//!     ├─ veth ── mlab-NAME-compute1   10.250.0.101  pacemaker-remoted
//!     ├─ veth ── mlab-NAME-bmc-ctl1   10.250.0.51   ipmi_sim (power of ctl1)
//!     ├─ veth ── mlab-NAME-bmc-compute1 10.250.0.151 ipmi_sim (power of compute1)
//!     └─ veth ── mlab-NAME-api        10.250.0.5    masakari-api
//! ```

use std::net::Ipv4Addr;
use std::path::PathBuf;

use crate::error::{LabError, Result};
use crate::spec::LabSpec;

/// Where labs keep their files; one directory per lab below it.
pub const LABS_DIR: &str = "/var/tmp/masakari-lab";
/// The port the Masakari API listens on (its default).
pub const API_PORT: u16 = 15868;
/// The prefix of every network namespace a lab creates.
pub const NETNS_PREFIX: &str = "mlab-";

/// A server of the cluster: something with a BMC that can be powered off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Machine {
    /// A cluster member running corosync and pacemaker (1-based).
    Controller(u8),
    /// A pacemaker-remote node (1-based).
    Compute(u8),
}

/// Anything with its own network namespace in a lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    /// A cluster node.
    Node(Machine),
    /// The BMC of a cluster node.
    Bmc(Machine),
    /// The Masakari API server.
    Api,
}

impl Machine {
    /// The node's name in the cluster (its hostname and, for computes, its remote resource's id).
    pub fn name(self) -> String {
        match self {
            Machine::Controller(i) => format!("ctl{i}"),
            Machine::Compute(i) => format!("compute{i}"),
        }
    }

    fn host_octet(self) -> u8 {
        match self {
            Machine::Controller(i) => 10 + i,
            Machine::Compute(i) => 100 + i,
        }
    }
}

impl Host {
    /// The host's short name: its veth's name on the bridge and the end of its namespace's name.
    pub fn short(self) -> String {
        match self {
            Host::Node(m) => m.name(),
            Host::Bmc(m) => format!("bmc-{}", m.name()),
            Host::Api => "api".to_owned(),
        }
    }

    /// The host's address on the lab network.
    pub fn address(self) -> Ipv4Addr {
        let last = match self {
            Host::Node(m) => m.host_octet(),
            Host::Bmc(m) => m.host_octet() + 40,
            Host::Api => 5,
        };
        Ipv4Addr::new(10, 250, 0, last)
    }
}

/// The names, addresses and directories of one lab.
#[derive(Debug, Clone)]
pub struct Layout {
    spec: LabSpec,
}

impl Layout {
    /// The layout of a validated spec.
    pub fn new(spec: LabSpec) -> Result<Self> {
        spec.validate()?;
        Ok(Self { spec })
    }

    /// The spec this layout was made from.
    pub fn spec(&self) -> &LabSpec {
        &self.spec
    }

    /// The lab's directory.
    pub fn dir(&self) -> PathBuf {
        lab_dir(&self.spec.name)
    }

    /// The directory of one host's files.
    pub fn host_dir(&self, host: Host) -> PathBuf {
        self.dir().join(host.short())
    }

    /// The network namespace holding the lab's bridge.
    pub fn bridge_netns(&self) -> String {
        format!("{NETNS_PREFIX}{}-net", self.spec.name)
    }

    /// The network namespace of a host.
    pub fn netns(&self, host: Host) -> String {
        format!("{NETNS_PREFIX}{}-{}", self.spec.name, host.short())
    }

    /// The controllers, in order.
    pub fn controllers(&self) -> Vec<Machine> {
        (1..=self.spec.controllers)
            .map(Machine::Controller)
            .collect()
    }

    /// The computes, in order.
    pub fn computes(&self) -> Vec<Machine> {
        (1..=self.spec.computes).map(Machine::Compute).collect()
    }

    /// Every cluster node: controllers, then computes.
    pub fn machines(&self) -> Vec<Machine> {
        let mut all = self.controllers();
        all.extend(self.computes());
        all
    }

    /// Every host with a namespace: nodes, their BMCs and the API.
    pub fn hosts(&self) -> Vec<Host> {
        let machines = self.machines();
        let mut hosts: Vec<Host> = machines.iter().map(|&m| Host::Node(m)).collect();
        hosts.extend(machines.iter().map(|&m| Host::Bmc(m)));
        hosts.push(Host::Api);
        hosts
    }

    /// Finds a cluster node by its name (`ctl1`, `compute2`).
    pub fn machine(&self, name: &str) -> Result<Machine> {
        self.machines()
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| LabError::Usage(format!("lab {} has no node {name:?}", self.spec.name)))
    }

    /// The Masakari API's endpoint, as clients inside the lab reach it.
    pub fn api_url(&self) -> String {
        let scheme = if self.spec.keystone { "https" } else { "http" };
        format!("{scheme}://{}:{API_PORT}/v1", Host::Api.address())
    }
}

/// The directory of the lab called `name`.
pub fn lab_dir(name: &str) -> PathBuf {
    PathBuf::from(LABS_DIR).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(controllers: u8, computes: u8) -> Layout {
        Layout::new(LabSpec {
            controllers,
            computes,
            ..LabSpec::new("t")
        })
        .unwrap()
    }

    #[test]
    fn every_host_has_its_own_address_and_namespace() {
        let l = layout(3, 40);
        let hosts = l.hosts();
        let mut addrs: Vec<_> = hosts.iter().map(|h| h.address()).collect();
        let mut names: Vec<_> = hosts.iter().map(|&h| l.netns(h)).collect();
        addrs.sort();
        addrs.dedup();
        names.sort();
        names.dedup();
        assert_eq!(addrs.len(), hosts.len());
        assert_eq!(names.len(), hosts.len());
    }

    #[test]
    fn veth_names_fit_the_kernel_limit() {
        for h in layout(3, 40).hosts() {
            assert!(h.short().len() <= 15, "{}", h.short());
        }
    }

    #[test]
    fn finds_nodes_by_name() {
        let l = layout(1, 2);
        assert_eq!(l.machine("compute2").unwrap(), Machine::Compute(2));
        assert!(l.machine("compute3").is_err());
    }
}
