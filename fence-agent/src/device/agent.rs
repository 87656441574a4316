//! The agents whose devices this library can query, recognised by the agent type a stonith
//! primitive names, and how each one's parameter names map onto the option table.

use crate::family::REDFISH_FAMILY;
use crate::personality::{self, Personality};

/// An agent this library speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Agent {
    /// fence_ipmilan or one of its aliases (`fence_ilo3`, `fence_idrac`, ...), fence-agents'
    /// or ours (`_rs`), with that personality's defaults.
    Ipmilan(&'static Personality),
    /// cluster-glue's `external/ipmi`: its parameter names are mapped to fence_ipmilan's.
    ClusterGlueIpmi,
    /// fence_redfish, fence-agents' or ours (`fence_redfish_rs`).
    Redfish(&'static Personality),
}

/// cluster-glue `external/ipmi` names that have a fence_ipmilan counterpart. Its `hostname`
/// (the node it fences), `passwd_method` and `ipmitool` have none.
const CLUSTER_GLUE_NAMES: [(&str, &str); 6] = [
    ("ipaddr", "ipaddr"),
    ("port", "ipport"),
    ("userid", "login"),
    ("passwd", "passwd"),
    ("priv", "privlvl"),
    ("interface", "lanplus"),
];

impl Agent {
    /// The agent of a stonith primitive's `type` (`fence_ipmilan`, `fence_ilo4_rs`,
    /// `external/ipmi`, `fence_redfish`), if this library speaks it.
    pub fn from_type(agent_type: &str) -> Option<Self> {
        if agent_type == "external/ipmi" {
            return Some(Agent::ClusterGlueIpmi);
        }
        let personality = personality::named(agent_type)?;
        Some(if personality.family == &REDFISH_FAMILY {
            Agent::Redfish(personality)
        } else {
            Agent::Ipmilan(personality)
        })
    }

    /// The personality whose option table and defaults apply.
    pub(super) fn personality(self) -> &'static Personality {
        match self {
            Agent::Ipmilan(personality) | Agent::Redfish(personality) => personality,
            Agent::ClusterGlueIpmi => &personality::FENCE_IPMILAN,
        }
    }

    /// Whether the agent takes the host's port (plug) from the fencer.
    pub(super) fn takes_plug(self) -> bool {
        matches!(self, Agent::Ipmilan(_) | Agent::Redfish(_))
    }

    /// Parameter `name` = `value` under the agent's own option names (`None`: the agent has no
    /// such parameter to pass on).
    pub(super) fn ipmilan_pair<'a>(
        self,
        name: &'a str,
        value: &'a str,
    ) -> Option<(&'a str, &'a str)> {
        match self {
            Agent::Ipmilan(_) | Agent::Redfish(_) => Some((name, value)),
            Agent::ClusterGlueIpmi => cluster_glue_pair(name, value),
        }
    }
}

fn cluster_glue_pair<'a>(name: &str, value: &'a str) -> Option<(&'static str, &'a str)> {
    let (_, ipmilan) = CLUSTER_GLUE_NAMES.iter().find(|(glue, _)| *glue == name)?;
    if *ipmilan == "lanplus" {
        let lanplus = value.trim().eq_ignore_ascii_case("lanplus");
        return Some((ipmilan, if lanplus { "1" } else { "0" }));
    }
    Some((ipmilan, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_spoken_are_the_ipmi_ones_and_fence_redfish() {
        for name in [
            "fence_ipmilan",
            "fence_ipmilanplus",
            "fence_idrac",
            "fence_ilo3",
            "fence_ilo4",
            "fence_ilo5",
            "fence_imm",
            "fence_ipmilan_rs",
            "fence_ilo3_rs",
        ] {
            assert!(
                matches!(Agent::from_type(name), Some(Agent::Ipmilan(p)) if name.starts_with(p.name)),
                "{name}"
            );
        }
        assert_eq!(
            Agent::from_type("external/ipmi"),
            Some(Agent::ClusterGlueIpmi)
        );
        for redfish in ["fence_redfish", "fence_redfish_rs"] {
            assert!(
                matches!(Agent::from_type(redfish), Some(Agent::Redfish(p)) if p.name == "fence_redfish"),
                "{redfish}"
            );
        }
        for other in ["fence_xvm", "external/ssh", ""] {
            assert_eq!(Agent::from_type(other), None, "{other}");
        }
    }

    #[test]
    fn cluster_glue_names_become_fence_ipmilans() {
        let glue = Agent::ClusterGlueIpmi;
        assert_eq!(
            glue.ipmilan_pair("userid", "admin"),
            Some(("login", "admin"))
        );
        assert_eq!(glue.ipmilan_pair("port", "6230"), Some(("ipport", "6230")));
        assert_eq!(
            glue.ipmilan_pair("interface", "LANPLUS"),
            Some(("lanplus", "1"))
        );
        assert_eq!(
            glue.ipmilan_pair("interface", "lan"),
            Some(("lanplus", "0"))
        );
        assert_eq!(glue.ipmilan_pair("hostname", "node1"), None);
        assert!(!glue.takes_plug());
        let ilo = Agent::from_type("fence_ilo4").unwrap();
        assert_eq!(ilo.ipmilan_pair("port", "x"), Some(("port", "x")));
        assert!(ilo.takes_plug());
    }
}
