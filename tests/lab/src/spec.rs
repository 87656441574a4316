//! What a lab is made of: the operator's choices, validated.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{LabError, Result};

/// The fence agent the lab's stonith devices use when none is chosen.
pub const DEFAULT_FENCE_AGENT: &str = "fence_ipmilan";

/// A lab to bring up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSpec {
    /// Short name, part of every namespace and directory of the lab: `[a-z0-9]{1,8}`.
    pub name: String,
    /// Cluster members running corosync and pacemaker: 1 or 3.
    pub controllers: u8,
    /// pacemaker-remote nodes, each with its own BMC: 1 to 40.
    pub computes: u8,
    /// The stonith agent of every device, `fence_ipmilan` or a compatible one (e.g. `fence_ipmilan_rs`).
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
        ];
        for spec in bad {
            assert!(spec.validate().is_err(), "{spec:?}");
        }
    }
}
