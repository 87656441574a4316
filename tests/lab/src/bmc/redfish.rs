//! A Redfish BMC: sushy-emulator's fake driver ([`crate::sushy`]) on the node's BMC address, port
//! 443, HTTPS with a certificate of the lab's CA for that address, basic auth as [`ADMIN_USER`]. Its
//! one system is named after the node and notifies each state change to the node's power link
//! ([`crate::power_link`]), which makes the emulated power the node's power.
//!
//! The power link is the node's power supply, not part of the BMC: it is started once, when the BMC
//! is configured, and keeps running while the BMC itself is killed, frozen or started again.

use std::net::IpAddr;
use std::path::Path;

use crate::cmd::{command, spawn_detached};
use crate::error::Result;
use crate::files::{self, Owner};
use crate::layout::{Host, Layout, Machine};
use crate::power_link;
use crate::procs;
use crate::sushy::{FakeSystem, Sushy, SushySpec};
use crate::tls::{self, Ca};
use crate::tools::Tools;
use crate::wait::poll_until;

use super::{ADMIN_USER, password_file};

/// The port the emulator serves HTTPS on (fence_redfish's default `ipport`).
pub const PORT: u16 = 443;
/// sushy-emulator's command name, as /proc shows it (the venv's script, by its shebang).
pub(super) const COMM: &str = "sushy-emulator";
/// The power link's command name.
const LINK_COMM: &str = "masakari-lab";

/// The node's system at its BMC (its `systems_uri` is [`FakeSystem::uri`]).
pub fn system(machine: Machine) -> FakeSystem {
    FakeSystem {
        external_notifier: true,
        ..FakeSystem::new(&machine.name(), true)
    }
}

/// Issues the BMC's certificate and starts the node's power link (once per lab).
pub fn configure(layout: &Layout, machine: Machine, lab_binary: &Path) -> Result<()> {
    let host = Host::Bmc(machine);
    files::dir(&layout.host_dir(host), Owner::Root, 0o700)?;
    Ca::at(&tls::dir(layout)).issue(&host.short(), IpAddr::V4(host.address()))?;
    let ns = layout.netns(host);
    if procs::in_netns(&ns).iter().any(|p| p.comm == LINK_COMM) {
        return Ok(());
    }
    let mut cmd = command("ip", ["netns", "exec", &ns]);
    cmd.arg(lab_binary)
        .args(["power-link", "--lab", &layout.spec().name]);
    cmd.args(["--node", &machine.name()]);
    let log = layout.host_dir(host).join("power-link.log");
    spawn_detached(&mut cmd, &log)?;
    poll_until(
        &format!("the power link of {} to listen", machine.name()),
        std::time::Duration::from_secs(10),
        || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            Ok(text.contains(power_link::LISTENING).then_some(()))
        },
    )
}

/// Starts the emulator (does nothing when it runs already) and waits until it answers. It outlives
/// this call: the lab kills it by PID, with its namespace.
pub fn start(layout: &Layout, machine: Machine) -> Result<()> {
    if running(layout, machine) {
        return Ok(());
    }
    Sushy::start(&Tools::installed()?, spec(layout, machine)?).map(Sushy::detach)
}

/// Asks the emulator over Redfish whether the system's `PowerState` is `On` (a read that also
/// lands a change whose time has come, as the fake driver applies them on reading).
pub fn power_status(layout: &Layout, machine: Machine) -> Result<bool> {
    let state = Sushy::client(spec(layout, machine)?).power_state(&system(machine))?;
    Ok(state == "On")
}

/// The emulator of the node's BMC, as [`Sushy`] starts and asks it.
pub fn spec(layout: &Layout, machine: Machine) -> Result<SushySpec> {
    let host = Host::Bmc(machine);
    let path = password_file(layout);
    let password = std::fs::read_to_string(&path).map_err(crate::error::file_error(&path))?;
    Ok(SushySpec {
        dir: layout.host_dir(host),
        netns: Some(layout.netns(host)),
        address: IpAddr::V4(host.address()),
        port: PORT,
        tls: Ca::at(&tls::dir(layout)).issued(&host.short()),
        ca: tls::ca_file(layout),
        username: ADMIN_USER.to_owned(),
        password,
        systems: vec![system(machine)],
        notification_url: Some(power_link::url(&machine.name())),
    })
}

fn running(layout: &Layout, machine: Machine) -> bool {
    let ns = layout.netns(Host::Bmc(machine));
    procs::in_netns(&ns).iter().any(|p| p.comm == COMM)
}
