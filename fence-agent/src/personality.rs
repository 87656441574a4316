//! Alias personalities: the names fence-agents installs for an agent, with their different
//! defaults, chosen by `argv[0]` (as fence_ipmilan does with `sys.argv[0]`). Each belongs to a
//! [`Family`], whose option table it reads.

use crate::family::{Family, IPMILAN, REDFISH_FAMILY};

/// Suffix of our installed names (`fence_ipmilan_rs`), so both agents can be installed.
pub const SUFFIX: &str = "_rs";

/// One installed name of an agent and the defaults it changes.
#[derive(Debug, PartialEq, Eq)]
pub struct Personality {
    /// fence-agents' name (without our suffix).
    pub name: &'static str,
    /// Metadata `symlink` short description (empty for the main name).
    pub shortdesc: &'static str,
    /// `(key, default)` pairs overriding the option table.
    pub defaults: &'static [(&'static str, &'static str)],
    /// The agent family it is a name of.
    pub family: &'static Family,
}

/// fence_ipmilan itself.
pub static FENCE_IPMILAN: Personality = Personality {
    name: "fence_ipmilan",
    shortdesc: "",
    defaults: &[],
    family: &IPMILAN,
};

/// fence_redfish itself.
pub static FENCE_REDFISH: Personality = Personality {
    name: "fence_redfish",
    shortdesc: "",
    defaults: &[],
    family: &REDFISH_FAMILY,
};

const fn ipmi_alias(
    name: &'static str,
    shortdesc: &'static str,
    defaults: &'static [(&'static str, &'static str)],
) -> Personality {
    Personality {
        name,
        shortdesc,
        defaults,
        family: &IPMILAN,
    }
}

/// Every name we answer to: fence_ipmilan and its aliases (fence-agents 4.12.1
/// `docs["symlink"]` order), then fence_redfish.
pub static PERSONALITIES: &[&Personality] = &[
    &FENCE_IPMILAN,
    &ipmi_alias(
        "fence_ilo3",
        "Fence agent for HP iLO3",
        &[("power_wait", "4"), ("lanplus", "1")],
    ),
    &ipmi_alias("fence_ilo4", "Fence agent for HP iLO4", &[("lanplus", "1")]),
    &ipmi_alias("fence_ilo5", "Fence agent for HP iLO5", &[("lanplus", "1")]),
    &ipmi_alias(
        "fence_ipmilanplus",
        "Fence agent for IPMIv2 lanplus",
        &[("lanplus", "1")],
    ),
    &ipmi_alias(
        "fence_imm",
        "Fence agent for IBM Integrated Management Module",
        &[],
    ),
    &ipmi_alias("fence_idrac", "Fence agent for Dell iDRAC", &[]),
    &FENCE_REDFISH,
];

/// The personality for `argv0` (a path or name; our `_rs` suffix optional).
///
/// Unknown names behave as `main`, the binary's own agent (fence_ipmilan itself does so).
pub fn from_argv0(argv0: &str, main: &'static Personality) -> &'static Personality {
    named(basename(argv0)).unwrap_or(main)
}

/// The personality called `name` (fence-agents' name, or ours with the `_rs` suffix), if
/// it is one of ours: how a stonith device's agent type is recognised.
pub fn named(name: &str) -> Option<&'static Personality> {
    let name = name.strip_suffix(SUFFIX).unwrap_or(name);
    PERSONALITIES.iter().copied().find(|p| p.name == name)
}

/// The file name part of `argv0`.
pub fn basename(argv0: &str) -> &str {
    argv0.rsplit('/').next().unwrap_or(argv0)
}

impl Personality {
    /// The default of option `key` under this personality.
    pub fn default_for(
        &self,
        key: &str,
        table_default: Option<&'static str>,
    ) -> Option<&'static str> {
        self.defaults
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .or(table_default)
    }

    /// The other names of its family, for metadata `symlink` elements.
    pub fn aliases(&self) -> impl Iterator<Item = &'static Personality> + '_ {
        PERSONALITIES
            .iter()
            .copied()
            .filter(|p| p.family == self.family && !p.shortdesc.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipmi(argv0: &str) -> &'static Personality {
        from_argv0(argv0, &FENCE_IPMILAN)
    }

    #[test]
    fn ilo3_changes_power_wait_and_lanplus() {
        let p = ipmi("/usr/sbin/fence_ilo3_rs");
        assert_eq!(p.default_for("power_wait", Some("2")), Some("4"));
        assert_eq!(p.default_for("lanplus", Some("0")), Some("1"));
        assert_eq!(p.default_for("ipport", Some("623")), Some("623"));
    }

    #[test]
    fn unknown_names_are_the_binarys_own_agent() {
        assert_eq!(ipmi("whatever").name, "fence_ipmilan");
        assert_eq!(ipmi("fence_idrac").name, "fence_idrac");
        assert_eq!(from_argv0("renamed", &FENCE_REDFISH).name, "fence_redfish");
        assert_eq!(ipmi("/usr/sbin/fence_redfish_rs").family, &REDFISH_FAMILY);
    }

    #[test]
    fn named_knows_only_our_names() {
        assert_eq!(named("fence_ilo4_rs").map(|p| p.name), Some("fence_ilo4"));
        assert_eq!(
            named("fence_ipmilan").map(|p| p.name),
            Some("fence_ipmilan")
        );
        assert_eq!(
            named("fence_redfish_rs").map(|p| p.name),
            Some("fence_redfish")
        );
        assert_eq!(named("fence_xvm"), None);
        assert_eq!(named("external/ipmi"), None);
    }

    #[test]
    fn aliases_stay_in_their_family() {
        assert_eq!(FENCE_IPMILAN.aliases().count(), 6);
        assert_eq!(FENCE_REDFISH.aliases().count(), 0);
    }
}
