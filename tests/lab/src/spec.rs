//! What a lab is made of: the operator's choices, validated.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{LabError, Result};

/// The fence agent the lab's stonith devices use when none is chosen.
pub const DEFAULT_FENCE_AGENT: &str = "fence_ipmilan";
/// The fence agent of a Redfish lab's stonith devices when none is chosen (the reference).
pub const DEFAULT_REDFISH_AGENT: &str = "fence_redfish";

/// A lab to bring up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSpec {
    /// Short name, part of every namespace and directory of the lab: `[a-z0-9]{1,8}`.
    pub name: String,
    /// Cluster members running corosync and pacemaker: 1 or 3.
    pub controllers: u8,
    /// pacemaker-remote nodes, each with its own BMC: 1 to 40.
    pub computes: u8,
    /// The kind of every node's BMC, which the stonith devices speak to.
    #[serde(default)]
    pub bmc: Bmc,
    /// The stonith agent of every device: for IPMI BMCs `fence_ipmilan` or a compatible one (e.g.
    /// `fence_ipmilan_rs`), for Redfish ones `fence_redfish` or `fence_redfish_rs`.
    pub fence_agent: String,
    /// What a fence "reboot" does: the seed deployment sets `pcmk_reboot_action=off`.
    pub reboot_action: RebootAction,
    /// A `make install DESTDIR=` tree laid over the nodes' /usr, so they run our agents.
    pub stage: Option<PathBuf>,
    /// Run a real Keystone beside the Masakari API, which then uses `auth_strategy = keystone`;
    /// both over HTTPS with the lab's own CA (see [`crate::keystone`]).
    #[serde(default)]
    pub keystone: bool,
    /// Give every compute its own libvirt daemon (in the compute's mount namespace) and one diskless
    /// TCG guest, for the instance monitors (see [`crate::libvirt`]).
    #[serde(default)]
    pub libvirt: bool,
    /// How Pacemaker watches each compute's connection: what decides how soon a hung or cut-off
    /// compute is found.
    #[serde(default)]
    pub remote_monitor: RemoteMonitor,
    /// Run compute services on the remotes as Pacemaker resources: a nova-compute clone kept on
    /// the computes (see [`crate::services`]).
    #[serde(default)]
    pub services: bool,
}

/// What every node's BMC is (see [`crate::bmc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Bmc {
    /// OpenIPMI's `ipmi_sim`: IPMI 2.0 over LAN (lanplus) on port 623.
    #[default]
    Ipmi,
    /// sushy-tools' `sushy-emulator`: Redfish over HTTPS (the lab's CA) with basic auth, on port 443.
    Redfish,
}

impl Bmc {
    /// The fence agent a lab of these BMCs uses when none is chosen.
    pub fn default_agent(self) -> &'static str {
        match self {
            Self::Ipmi => DEFAULT_FENCE_AGENT,
            Self::Redfish => DEFAULT_REDFISH_AGENT,
        }
    }

    /// Whether `agent` speaks to these BMCs (the Redfish agents by name, any other to IPMI ones).
    fn speaks(self, agent: &str) -> bool {
        agent.starts_with("fence_redfish") == (self == Self::Redfish)
    }
}

/// The settings of the computes' `ocf:pacemaker:remote` connection resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum RemoteMonitor {
    /// What README ships: `op monitor interval=3s timeout=5s`, `reconnect_interval=10s`. A hung
    /// compute is found within 8 s; a 2 s cut (TCP retransmits within ~3 s) is ridden out.
    #[default]
    Shipped,
    /// What `pcs resource create ... ocf:pacemaker:remote` gives without options: a monitor every
    /// 60 s with the agent's 30 s timeout, no `reconnect_interval`.
    PacemakerDefaults,
}

impl RemoteMonitor {
    /// The monitor op's interval and timeout, and the `reconnect_interval` if any.
    pub fn values(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Self::Shipped => ("3s", "5s", Some("10s")),
            Self::PacemakerDefaults => ("60s", "30s", None),
        }
    }
}

/// The `pcmk_reboot_action` of the lab's stonith devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum RebootAction {
    /// Pacemaker's default: power off, then on again (the compute comes back by itself).
    Reboot,
    /// The seed deployment's choice: power off and leave the host off.
    Off,
}

impl LabSpec {
    /// A lab of one controller and two computes fenced by fence_ipmilan.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            controllers: 1,
            computes: 2,
            bmc: Bmc::Ipmi,
            fence_agent: DEFAULT_FENCE_AGENT.to_owned(),
            reboot_action: RebootAction::Reboot,
            stage: None,
            keystone: false,
            libvirt: false,
            remote_monitor: RemoteMonitor::Shipped,
            services: false,
        }
    }

    /// Checks the choices against what the lab can build.
    pub fn validate(&self) -> Result<()> {
        let name_ok = (1..=8).contains(&self.name.len())
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !name_ok {
            return Err(LabError::Usage(format!(
                "lab name {:?} must be 1 to 8 characters of a-z and 0-9",
                self.name
            )));
        }
        if self.controllers != 1 && self.controllers != 3 {
            return Err(LabError::Usage(format!(
                "a lab has 1 or 3 controllers, not {}",
                self.controllers
            )));
        }
        if !(1..=40).contains(&self.computes) {
            return Err(LabError::Usage(format!(
                "a lab has 1 to 40 computes, not {}",
                self.computes
            )));
        }
        let agent_ok = self.fence_agent.starts_with("fence_")
            && self
                .fence_agent
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !agent_ok {
            return Err(LabError::Usage(format!(
                "fence agent {:?} is not a fence_* agent name",
                self.fence_agent
            )));
        }
        if !self.bmc.speaks(&self.fence_agent) {
            return Err(LabError::Usage(format!(
                "fence agent {} does not speak to {:?} BMCs",
                self.fence_agent, self.bmc
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_is_valid() {
        LabSpec::new("t1").validate().unwrap();
    }

    #[test]
    fn a_redfish_lab_takes_either_redfish_agent() {
        for agent in ["fence_redfish", "fence_redfish_rs"] {
            let spec = LabSpec {
                bmc: Bmc::Redfish,
                fence_agent: agent.into(),
                ..LabSpec::new("t1")
            };
            spec.validate().unwrap();
        }
        assert_eq!(Bmc::Redfish.default_agent(), "fence_redfish");
    }

    #[test]
    fn a_spec_written_before_redfish_has_ipmi_bmcs() {
        let mut json = serde_json::to_value(LabSpec::new("t1")).unwrap();
        json.as_object_mut().unwrap().remove("bmc");
        let spec: LabSpec = serde_json::from_value(json).unwrap();
        assert_eq!(spec.bmc, Bmc::Ipmi);
    }

    #[test]
    fn rejects_what_the_lab_cannot_build() {
        let bad = [
            LabSpec {
                name: "Has-Dash".into(),
                ..LabSpec::new("x")
            },
            LabSpec {
                name: "toolongname".into(),
                ..LabSpec::new("x")
            },
            LabSpec {
                controllers: 2,
                ..LabSpec::new("x")
            },
            LabSpec {
                computes: 0,
                ..LabSpec::new("x")
            },
            LabSpec {
                fence_agent: "/bin/sh".into(),
                ..LabSpec::new("x")
            },
            LabSpec {
                bmc: Bmc::Redfish,
                ..LabSpec::new("x")
            },
            LabSpec {
                fence_agent: "fence_redfish_rs".into(),
                ..LabSpec::new("x")
            },
        ];
        for spec in bad {
            assert!(spec.validate().is_err(), "{spec:?}");
        }
    }
}
