//! Alias personalities: the names fence-agents installs for fence_ipmilan, with their
//! different defaults, chosen by `argv[0]` (as fence_ipmilan does with `sys.argv[0]`).

/// Suffix of our installed names (`fence_ipmilan_rs`), so both agents can be installed.
pub const SUFFIX: &str = "_rs";

/// One installed name of the agent and the defaults it changes.
#[derive(Debug, PartialEq, Eq)]
pub struct Personality {
    /// fence-agents' name (without our suffix).
    pub name: &'static str,
    /// Metadata `symlink` short description (empty for the main name).
    pub shortdesc: &'static str,
    /// `(key, default)` pairs overriding the option table.
    pub defaults: &'static [(&'static str, &'static str)],
}

/// fence_ipmilan and its aliases (fence-agents 4.12.1 `docs["symlink"]` order).
pub static PERSONALITIES: &[Personality] = &[
    Personality {
        name: "fence_ipmilan",
        shortdesc: "",
        defaults: &[],
    },
    Personality {
        name: "fence_ilo3",
        shortdesc: "Fence agent for HP iLO3",
        defaults: &[("power_wait", "4"), ("lanplus", "1")],
    },
    Personality {
        name: "fence_ilo4",
        shortdesc: "Fence agent for HP iLO4",
        defaults: &[("lanplus", "1")],
    },
    Personality {
        name: "fence_ilo5",
        shortdesc: "Fence agent for HP iLO5",
        defaults: &[("lanplus", "1")],
    },
    Personality {
        name: "fence_ipmilanplus",
        shortdesc: "Fence agent for IPMIv2 lanplus",
        defaults: &[("lanplus", "1")],
    },
    Personality {
        name: "fence_imm",
        shortdesc: "Fence agent for IBM Integrated Management Module",
        defaults: &[],
    },
    Personality {
        name: "fence_idrac",
        shortdesc: "Fence agent for Dell iDRAC",
        defaults: &[],
    },
];

/// The personality for `argv0` (a path or name; our `_rs` suffix optional).
///
/// Unknown names behave as fence_ipmilan, as fence_ipmilan itself does.
pub fn from_argv0(argv0: &str) -> &'static Personality {
    named(basename(argv0)).unwrap_or(&MAIN)
}

/// The personality called `name` (fence-agents' name, or ours with the `_rs` suffix), if
/// it is one of ours: how a stonith device's agent type is recognised.
pub fn named(name: &str) -> Option<&'static Personality> {
    let name = name.strip_suffix(SUFFIX).unwrap_or(name);
    PERSONALITIES.iter().find(|p| p.name == name)
}

static MAIN: Personality = Personality {
    name: "fence_ipmilan",
    shortdesc: "",
    defaults: &[],
};

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilo3_changes_power_wait_and_lanplus() {
        let p = from_argv0("/usr/sbin/fence_ilo3_rs");
        assert_eq!(p.default_for("power_wait", Some("2")), Some("4"));
        assert_eq!(p.default_for("lanplus", Some("0")), Some("1"));
        assert_eq!(p.default_for("ipport", Some("623")), Some("623"));
    }

    #[test]
    fn unknown_names_are_fence_ipmilan() {
        assert_eq!(from_argv0("whatever").name, "fence_ipmilan");
        assert_eq!(from_argv0("fence_idrac").name, "fence_idrac");
    }

    #[test]
    fn named_knows_only_our_names() {
        assert_eq!(named("fence_ilo4_rs").map(|p| p.name), Some("fence_ilo4"));
        assert_eq!(
            named("fence_ipmilan").map(|p| p.name),
            Some("fence_ipmilan")
        );
        assert_eq!(named("fence_redfish"), None);
        assert_eq!(named("external/ipmi"), None);
    }
}
