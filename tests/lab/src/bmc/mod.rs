//! One BMC per cluster node, whose power is the node's power, of the kind the spec says
//! ([`crate::spec::Bmc`]):
//!
//! ```text
//!  ipmi:    ipmi_sim (IPMI lanplus, :623) ──chassis_control──▶ masakari-lab chassis ──┐
//!  redfish: sushy-emulator --fake (HTTPS, :443) ──PUT──▶ masakari-lab power-link ─────┴─▶ Lab::set_power
//! ```
//!
//! Both kinds log the lab's stonith devices in as [`ADMIN_USER`] with the lab's one BMC password
//! ([`password_file`]). Each BMC lives in its own network namespace at its node's BMC address.

mod ipmi;
pub mod redfish;

use std::path::{Path, PathBuf};

use nix::sys::signal::Signal;

use crate::error::Result;
use crate::layout::{Host, Layout, Machine};
use crate::procs;
use crate::spec::Bmc;

/// The BMC administrator the lab's stonith devices log in as.
pub const ADMIN_USER: &str = "admin";
/// A user with operator privilege only (it may read power state, not change it; IPMI BMCs only).
pub const OPERATOR_USER: &str = "operator";

/// Writes the BMC's configuration and connects its power to the node's (IPMI: the chassis control
/// program in its configuration; Redfish: the node's power link, started here).
pub fn configure(
    layout: &Layout,
    machine: Machine,
    password: &str,
    lab_binary: &Path,
) -> Result<()> {
    match layout.spec().bmc {
        Bmc::Ipmi => ipmi::configure(layout, machine, password, lab_binary),
        Bmc::Redfish => redfish::configure(layout, machine, lab_binary),
    }
}

/// Starts the BMC (does nothing when it runs already) and waits until it answers.
pub fn start(layout: &Layout, machine: Machine) -> Result<()> {
    match layout.spec().bmc {
        Bmc::Ipmi => ipmi::start(layout, machine),
        Bmc::Redfish => redfish::start(layout, machine),
    }
}

/// Kills the BMC: it no longer answers at all, as when it loses its own power. The node keeps
/// its power.
pub fn kill(layout: &Layout, machine: Machine) {
    procs::kill_named(&layout.netns(Host::Bmc(machine)), comm(layout));
}

/// Freezes (SIGSTOP) or thaws (SIGCONT) the BMC: frozen, it takes packets and never answers.
pub fn freeze(layout: &Layout, machine: Machine, frozen: bool) -> Result<()> {
    let sig = if frozen {
        Signal::SIGSTOP
    } else {
        Signal::SIGCONT
    };
    procs::signal_named(&layout.netns(Host::Bmc(machine)), comm(layout), sig)
}

/// The BMC program's command name, as /proc shows it.
fn comm(layout: &Layout) -> &'static str {
    match layout.spec().bmc {
        Bmc::Ipmi => ipmi::COMM,
        Bmc::Redfish => redfish::COMM,
    }
}

/// Asks the BMC, in its own protocol, whether the node's power is on.
pub fn power_status(layout: &Layout, machine: Machine) -> Result<bool> {
    match layout.spec().bmc {
        Bmc::Ipmi => ipmi::power_status(layout, machine),
        Bmc::Redfish => redfish::power_status(layout, machine),
    }
}

/// The file holding the lab's BMC password (mode 0600), for tools that read it from a file.
pub fn password_file(layout: &Layout) -> PathBuf {
    layout.dir().join("ipmi-password")
}
