//! An IPMI BMC: OpenIPMI's `ipmi_sim` on the node's BMC address, port 623, whose chassis power is the
//! node's power (its `chassis_control` program is `masakari-lab chassis`).

use std::path::Path;
use std::time::Duration;

use crate::cmd::{command, output, spawn_detached};
use crate::error::{Result, file_error};
use crate::files::{self, Owner};
use crate::layout::{Host, Layout, Machine};
use crate::procs;
use crate::wait::poll_until;

use super::{ADMIN_USER, OPERATOR_USER, password_file};

/// ipmi_sim's command name, as /proc shows it.
pub(super) const COMM: &str = "ipmi_sim";

/// Writes the BMC's configuration files (lan.conf, emu.cmd, state directory).
pub fn configure(
    layout: &Layout,
    machine: Machine,
    password: &str,
    lab_binary: &Path,
) -> Result<()> {
    let dir = layout.host_dir(Host::Bmc(machine));
    std::fs::create_dir_all(dir.join("state")).map_err(file_error(&dir))?;
    let chassis = format!(
        "{} chassis --lab {} --node {}",
        lab_binary.display(),
        layout.spec().name,
        machine.name()
    );
    let lan = lan_conf(Host::Bmc(machine), &chassis, password);
    files::write(&dir.join("lan.conf"), lan.as_bytes(), Owner::Root, 0o600)?;
    files::write(&dir.join("emu.cmd"), EMU_CMD.as_bytes(), Owner::Root, 0o600)
}

/// Starts the BMC (does nothing when it runs already).
pub fn start(layout: &Layout, machine: Machine) -> Result<()> {
    let host = Host::Bmc(machine);
    let ns = layout.netns(host);
    if procs::in_netns(&ns).iter().any(|p| p.comm == COMM) {
        return Ok(());
    }
    let dir = layout.host_dir(host);
    let mut cmd = command("ip", ["netns", "exec", &ns, "ipmi_sim", "-n"]);
    cmd.arg("-c").arg(dir.join("lan.conf"));
    cmd.arg("-f").arg(dir.join("emu.cmd"));
    cmd.arg("-s").arg(dir.join("state"));
    spawn_detached(&mut cmd, &dir.join("ipmi_sim.log"))?;
    poll_until(
        &format!("the BMC of {} to answer", machine.name()),
        Duration::from_secs(10),
        || Ok(power_status(layout, machine).ok()),
    )
    .map(drop)
}

/// Asks the BMC over IPMI (ipmitool, lanplus, cipher 3) whether its chassis is on.
pub fn power_status(layout: &Layout, machine: Machine) -> Result<bool> {
    let host = Host::Bmc(machine);
    let ns = layout.netns(host);
    let addr = host.address().to_string();
    let mut cmd = command(
        "ip",
        [
            "netns", "exec", &ns, "ipmitool", "-I", "lanplus", "-C", "3", "-N", "1", "-R", "2",
            "-H", &addr, "-U", ADMIN_USER, "-f",
        ],
    );
    cmd.arg(password_file(layout))
        .args(["chassis", "power", "status"]);
    let text = output(&mut cmd)?;
    Ok(text.contains("is on"))
}

fn lan_conf(bmc: Host, chassis: &str, password: &str) -> String {
    format!(
        "# Written by masakari-lab.\n\
         name \"{name}\"\n\
         set_working_mc 0x20\n\
         \x20 startlan 1\n\
         \x20   addr {addr} 623\n\
         \x20   priv_limit admin\n\
         \x20   allowed_auths_callback none md2 md5 straight\n\
         \x20   allowed_auths_user none md2 md5 straight\n\
         \x20   allowed_auths_operator none md2 md5 straight\n\
         \x20   allowed_auths_admin none md2 md5 straight\n\
         \x20   guid a123456789abcdefa123456789abcdef\n\
         \x20 endlan\n\
         \x20 chassis_control \"{chassis}\"\n\
         \x20 user 2 true \"{ADMIN_USER}\" \"{password}\" admin 10 none md2 md5 straight\n\
         \x20 user 3 true \"{OPERATOR_USER}\" \"{password}\" operator 10 none md2 md5 straight\n",
        name = bmc.short(),
        addr = bmc.address(),
    )
}

const EMU_CMD: &str = "mc_setbmc 0x20\n\
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n\
sel_enable 0x20 1000 0x0a\n\
mc_enable 0x20\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lan_conf_listens_on_the_bmc_address_and_controls_the_chassis() {
        let conf = lan_conf(
            Host::Bmc(Machine::Compute(1)),
            "/x chassis --node compute1",
            "pw",
        );
        assert!(conf.contains("addr 10.250.0.141 623"), "{conf}");
        assert!(conf.contains("chassis_control \"/x chassis --node compute1\""));
        assert!(conf.contains("\"admin\" \"pw\" admin"));
    }
}
