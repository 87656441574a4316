//! A cluster node's life: boot (a private mount namespace, then its daemons) and power loss.
//!
//! Booting a node starts a *holder* (`ip netns exec NS unshare -m -u`, then `sleep infinity`) that owns the
//! node's mount and UTS namespaces: tmpfs on /dev/shm and /run, the node's own state directories bound
//! over /etc/corosync, /etc/pacemaker, /var/lib/pacemaker, /var/lib/corosync and /var/log/pacemaker, and
//! the staged install laid over /usr. Daemons are started inside it with `nsenter`. Power loss kills every
//! process in the node's network namespace, holder included, so the next boot starts from empty tmpfs as a
//! real reboot would.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::cmd::{command, run, spawn_detached};
use crate::error::{LabError, Result, file_error};
use crate::layout::{Host, Layout, Machine};
use crate::procs;
use crate::tools::Tools;
use crate::wait::poll_until;

/// A node state directory and the system path it is bound over inside the node.
const CONTROLLER_BINDS: [(&str, &str); 5] = [
    ("etc-corosync", "/etc/corosync"),
    ("etc-pacemaker", "/etc/pacemaker"),
    ("var-lib-pacemaker", "/var/lib/pacemaker"),
    ("var-lib-corosync", "/var/lib/corosync"),
    ("log", "/var/log/pacemaker"),
];
const COMPUTE_BINDS: [(&str, &str); 3] = [
    ("etc-pacemaker", "/etc/pacemaker"),
    ("var-lib-pacemaker", "/var/lib/pacemaker"),
    ("log", "/var/log/pacemaker"),
];
/// System directories a staged install may add files to.
const STAGED_DIRS: [&str; 4] = [
    "usr/sbin",
    "usr/bin",
    "usr/libexec",
    "usr/lib/ocf/resource.d",
];

/// The system trust store as Debian ships it: what python3-requests (so fence_redfish) and the
/// system's TLS clients verify servers with.
const TRUST_STORE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The node's own copy of it, with the lab's CA added, bound over [`TRUST_STORE`] inside the node.
const NODE_TRUST_STORE: &str = "ca-certificates.crt";

/// The state directories of a node, relative to its host directory, and where they appear inside it.
pub fn binds(machine: Machine) -> &'static [(&'static str, &'static str)] {
    match machine {
        Machine::Controller(_) => &CONTROLLER_BINDS,
        Machine::Compute(_) => &COMPUTE_BINDS,
    }
}

/// Adds the lab's CA to the trust store the node sees, as an operator adds a BMC's CA to a cluster
/// node's (`update-ca-certificates`): fence_redfish has no CA option and verifies with it.
pub fn trust_lab_ca(layout: &Layout, machine: Machine) -> Result<()> {
    let read = |path: &Path| std::fs::read(path).map_err(file_error(path));
    let mut bundle = read(Path::new(TRUST_STORE))?;
    bundle.extend(read(&crate::tls::ca_file(layout))?);
    let path = layout.host_dir(Host::Node(machine)).join(NODE_TRUST_STORE);
    std::fs::write(&path, bundle).map_err(file_error(&path))
}

/// Whether the node has power: any process left in its namespace counts as power on.
pub fn is_powered(layout: &Layout, machine: Machine) -> bool {
    !procs::in_netns(&layout.netns(Host::Node(machine))).is_empty()
}

/// Cuts the node's power: every process in its network namespace dies at once.
pub fn power_off(layout: &Layout, machine: Machine) -> Result<()> {
    procs::kill_netns(&layout.netns(Host::Node(machine)))
}

/// Boots the node: its holder, then its daemons. Booting a powered node does nothing.
pub fn power_on(layout: &Layout, tools: &Tools, machine: Machine) -> Result<()> {
    if is_powered(layout, machine) {
        return Ok(());
    }
    let holder = start_holder(layout, machine)?;
    match machine {
        Machine::Controller(_) => start_controller_daemons(layout, machine, holder),
        Machine::Compute(_) => start_remote_daemon(layout, tools, machine, holder),
    }
}

/// A command that runs inside the booted node (its network, mount and UTS namespaces).
pub fn enter(layout: &Layout, machine: Machine, program: &str) -> Result<Command> {
    let holder = holder_pid(layout, machine)?;
    let mut cmd = command(
        "nsenter",
        ["-t", &holder.to_string(), "-n", "-m", "-u", "--", program],
    );
    cmd.env("PCMK_logfacility", "none");
    Ok(cmd)
}

fn start_holder(layout: &Layout, machine: Machine) -> Result<i32> {
    let dir = layout.host_dir(Host::Node(machine));
    let pid_file = dir.join("holder.pid");
    let _ = std::fs::remove_file(&pid_file);
    let script = dir.join("boot.sh");
    std::fs::write(&script, boot_script(layout, machine, &dir)).map_err(file_error(&script))?;
    let ns = layout.netns(Host::Node(machine));
    let mut cmd = command("ip", ["netns", "exec", &ns, "unshare", "-m", "-u"]);
    cmd.args(["--propagation", "private", "sh"]).arg(&script);
    spawn_detached(&mut cmd, &dir.join("boot.log"))?;
    poll_until(
        &format!("{} to boot", machine.name()),
        Duration::from_secs(10),
        || Ok(read_pid(&pid_file)),
    )
}

fn holder_pid(layout: &Layout, machine: Machine) -> Result<i32> {
    let pid_file = layout.host_dir(Host::Node(machine)).join("holder.pid");
    let ns = layout.netns(Host::Node(machine));
    read_pid(&pid_file)
        .filter(|&pid| procs::in_netns(&ns).iter().any(|p| p.pid == pid))
        .ok_or_else(|| LabError::Usage(format!("{} is powered off", machine.name())))
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn boot_script(layout: &Layout, machine: Machine, dir: &Path) -> String {
    let mut s =
        String::from("#!/bin/sh\n# Written by masakari-lab: the mounts of one lab node.\nset -e\n");
    s.push_str("mount -t tmpfs -o mode=1777 tmpfs /dev/shm\n");
    s.push_str("mount -t tmpfs -o mode=0755 tmpfs /run\n");
    s.push_str("mkdir -p /run/lock /run/crm /run/pacemaker\n");
    s.push_str("chown hacluster:haclient /run/crm /run/pacemaker\n");
    for (src, dst) in binds(machine) {
        let _ = writeln!(s, "mount --bind '{}' '{dst}'", dir.join(src).display());
    }
    if let Some(stage) = &layout.spec().stage {
        for sub in STAGED_DIRS {
            let upper = stage.join(sub);
            if upper.is_dir() {
                let _ = writeln!(
                    s,
                    "mount -t overlay overlay -o 'lowerdir={}:/{sub}' '/{sub}'",
                    upper.display()
                );
            }
        }
    }
    let own_store = dir.join(NODE_TRUST_STORE);
    if own_store.exists() {
        let _ = writeln!(s, "mount --bind '{}' '{TRUST_STORE}'", own_store.display());
    }
    if layout.spec().libvirt && matches!(machine, Machine::Compute(_)) {
        s.push_str(&crate::libvirt::boot_lines(layout, machine));
    }
    let _ = writeln!(s, "hostname '{}'", machine.name());
    let _ = writeln!(s, "echo $$ > '{}'", dir.join("holder.pid").display());
    s.push_str("exec sleep infinity\n");
    s
}

fn start_controller_daemons(layout: &Layout, machine: Machine, holder: i32) -> Result<()> {
    let log = layout.host_dir(Host::Node(machine)).join("daemons.log");
    spawn_detached(&mut daemon(holder, "corosync", &["-f"]), &log)?;
    poll_until(
        &format!("corosync on {}", machine.name()),
        Duration::from_secs(15),
        || {
            Ok(run(&mut daemon(
                holder,
                "corosync-cmapctl",
                &["-g", "totem.cluster_name"],
            ))
            .ok())
        },
    )?;
    spawn_detached(&mut daemon(holder, "pacemakerd", &[]), &log).map(drop)
}

fn start_remote_daemon(
    layout: &Layout,
    tools: &Tools,
    machine: Machine,
    holder: i32,
) -> Result<()> {
    let log = layout.host_dir(Host::Node(machine)).join("daemons.log");
    let remoted = tools.pacemaker_remoted();
    let program = remoted.to_string_lossy();
    spawn_detached(&mut daemon(holder, &program, &[]), &log)?;
    if layout.spec().libvirt {
        crate::libvirt::start(layout, machine)?;
    }
    Ok(())
}

fn daemon(holder: i32, program: &str, args: &[&str]) -> Command {
    let mut cmd = command(
        "nsenter",
        ["-t", &holder.to_string(), "-n", "-m", "-u", "--", program],
    );
    cmd.args(args)
        .env("PCMK_logfile", "/var/log/pacemaker/pacemaker.log")
        .env("PCMK_logfacility", "none");
    cmd
}

/// The directory of a node's state, as seen from the host.
pub fn state_dir(layout: &Layout, machine: Machine, name: &str) -> PathBuf {
    layout.host_dir(Host::Node(machine)).join(name)
}
