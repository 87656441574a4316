//! The agent families this crate carries on one option framework: fence_ipmilan's and
//! fence_redfish's. A family is data (its option table, metadata texts, actions and what
//! fencing.py's `_validate_input` demands of it); argv and stdin parsing, `--help`,
//! `-o metadata`, checking and the fencing decisions are shared code that reads it.

use crate::options::table::{OPTIONS, OptSpec, REDFISH};

/// One agent family (an agent and its alias personalities).
#[derive(Debug, PartialEq, Eq)]
pub struct Family {
    /// fence-agents' name of the main agent (`fence_ipmilan`).
    pub name: &'static str,
    /// Its option table.
    pub options: &'static [OptSpec],
    /// Metadata `shortdesc`.
    pub shortdesc: &'static str,
    /// Metadata `longdesc`.
    pub longdesc: &'static str,
    /// Metadata `vendor-url`.
    pub vendor_url: &'static str,
    /// Metadata actions after `on` (which is always listed first, `automatic="0"`).
    pub actions: &'static [&'static str],
    /// fencing.py refuses a run without `login` (`device_opt` has `login`, no `no_login`).
    pub requires_login: bool,
    /// fencing.py refuses a run without `passwd` or `passwd_script` (no `no_password`).
    pub requires_password: bool,
}

/// fencing.py's metadata actions of both families (after `on`).
const ACTIONS: &[&str] = &[
    "off",
    "reboot",
    "status",
    "monitor",
    "metadata",
    "manpage",
    "validate-all",
    "diag",
];

/// The IPMI family: fence_ipmilan and its aliases.
pub static IPMILAN: Family = Family {
    name: "fence_ipmilan",
    options: OPTIONS,
    shortdesc: "Fence agent for IPMI",
    longdesc: "fence_ipmilan_rs is an I/O Fencing agent which can be used with machines \
controlled by IPMI. It speaks IPMI 1.5 and IPMI 2.0 (RMCP+) over LAN itself instead of calling \
ipmitool, and reports off and reboot as successful only once the BMC reports the chassis off. \
Options that only concern ipmitool or sudo (ipmitool_path, use_sudo, sudo_path) are accepted \
and ignored.",
    vendor_url: "",
    actions: ACTIONS,
    requires_login: false,
    requires_password: false,
};

/// The Redfish family: fence_redfish.
pub static REDFISH_FAMILY: Family = Family {
    name: "fence_redfish",
    options: REDFISH,
    shortdesc: "I/O Fencing agent for Redfish",
    longdesc: "fence_redfish_rs is an I/O Fencing agent which can be used with Out-of-Band \
controllers that support Redfish APIs. These controllers provide remote access to control power \
on a server. It checks the status of every request, reports off, on and reboot as successful only \
once the controller reports the wanted PowerState, verifies certificates unless ssl_insecure is \
set, and uses a Redfish session (X-Auth-Token, deleted at the end) where the service offers \
one. gnutlscli_path is accepted and ignored.",
    vendor_url: "http://www.dmtf.org",
    actions: ACTIONS,
    requires_login: true,
    requires_password: true,
};
