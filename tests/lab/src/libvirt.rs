//! A compute's own libvirt daemon and its diskless TCG guests (a lab built with `libvirt`).
//!
//! libvirt keeps its sockets in /run/libvirt and its state in /etc/libvirt, /var/lib/libvirt,
//! /var/cache/libvirt and /var/log/libvirt; a network namespace separates none of them. Each compute
//! already has a private mount namespace with its own tmpfs on /run ([`crate::node`]), so its boot
//! script binds per-compute directories over the others and its libvirtd, started inside the node,
//! serves `qemu:///system` there and nowhere else. Its guests (`type='qemu'`, no disk, 32 MiB) run in
//! the node's namespaces too, so a power loss of the compute kills them with it.
//!
//! ```text
//!  compute1 (netns + mount ns)   /run/libvirt/libvirt-sock{,-ro}  ◀── monitors: qemu:///system
//!    libvirtd ── qemu-system-x86_64 (guest1, guest2, ...)
//!    /etc/libvirt  /var/lib/libvirt ...  = /var/tmp/masakari-lab/NAME/compute1/libvirt/...
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::error::{LabError, Result, file_error};
use crate::files::{self, Owner};
use crate::lab::Lab;
use crate::layout::{Host, Layout, Machine};
use crate::procs;
use crate::wait::poll_until;

/// The URI monitors on a compute use (libvirt's default).
pub const URI: &str = "qemu:///system";
/// libvirtd's command name as /proc shows it.
const COMM: &str = "libvirtd";
/// The read-write socket inside the node (what virsh uses), to see the daemon is up.
const SOCKET: &str = "run/libvirt/libvirt-sock";
/// How long libvirtd may take to start and a guest to change state.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A per-compute directory (below the compute's `libvirt/`) and the path it is bound over.
const BINDS: [(&str, &str); 6] = [
    ("etc", "/etc/libvirt"),
    ("var-lib", "/var/lib/libvirt"),
    ("var-cache", "/var/cache/libvirt"),
    ("log", "/var/log/libvirt"),
    ("passwd", "/etc/passwd"),
    ("group", "/etc/group"),
];

const LIBVIRTD_CONF: &str = "# Written by masakari-lab: one compute's libvirtd.\n\
    unix_sock_ro_perms = \"0777\"\n\
    auth_unix_ro = \"none\"\n\
    auth_unix_rw = \"none\"\n\
    log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n";

/// qemu runs as root with no cgroups, namespaces or security driver: the lab node is the sandbox.
const QEMU_CONF: &str = "# Written by masakari-lab.\n\
    user = \"root\"\n\
    group = \"root\"\n\
    dynamic_ownership = 0\n\
    remember_owner = 0\n\
    security_driver = \"none\"\n\
    cgroup_controllers = [ ]\n\
    namespaces = [ ]\n\
    stdio_handler = \"file\"\n";

/// The directory of a compute's libvirt state, as seen from the host.
fn dir(layout: &Layout, machine: Machine) -> PathBuf {
    layout.host_dir(Host::Node(machine)).join("libvirt")
}

/// Writes the compute's libvirt configuration and state directories (before its first boot).
pub fn prepare(layout: &Layout, machine: Machine) -> Result<()> {
    let dir = dir(layout, machine);
    for (sub, _) in BINDS
        .iter()
        .filter(|(s, _)| !matches!(*s, "passwd" | "group"))
    {
        files::dir(&dir.join(sub), Owner::Root, 0o755)?;
    }
    files::dir(&dir.join("etc/qemu"), Owner::Root, 0o755)?;
    let conf = [
        ("etc/libvirtd.conf", LIBVIRTD_CONF),
        ("etc/qemu.conf", QEMU_CONF),
    ];
    for (file, text) in conf {
        files::write(&dir.join(file), text.as_bytes(), Owner::Root, 0o644)?;
    }
    for (file, line) in [
        (
            "passwd",
            "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin",
        ),
        ("group", "libvirt-qemu:x:64055:"),
    ] {
        write_with_qemu_user(&dir.join(file), &Path::new("/etc").join(file), line)?;
    }
    Ok(())
}

/// Debian's libvirt resolves its default qemu user before it reads qemu.conf; that user comes with
/// libvirt-daemon-system, which the lab does not need: the node gets copies of /etc/passwd and
/// /etc/group that have it.
fn write_with_qemu_user(target: &Path, source: &Path, line: &str) -> Result<()> {
    let mut text = std::fs::read_to_string(source).map_err(file_error(source))?;
    let user = line.split(':').next().unwrap_or_default();
    if !text.lines().any(|l| l.split(':').next() == Some(user)) {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let _ = writeln!(text, "{line}");
    }
    files::write(target, text.as_bytes(), Owner::Root, 0o644)
}

/// The boot script's lines for a compute with libvirt: its directories bound over the system's.
pub fn boot_lines(layout: &Layout, machine: Machine) -> String {
    let dir = dir(layout, machine);
    let mut s = String::new();
    for (sub, target) in BINDS {
        if !matches!(sub, "passwd" | "group") {
            // What libvirt-daemon-system would create; empty on the host, bound over in the node.
            let _ = writeln!(s, "mkdir -p '{target}'");
        }
        let _ = writeln!(s, "mount --bind '{}' '{target}'", dir.join(sub).display());
    }
    s
}

/// Starts libvirtd inside a booted compute and waits until its socket answers.
pub fn start(layout: &Layout, machine: Machine) -> Result<()> {
    let mut cmd = crate::node::enter(layout, machine, "/usr/sbin/libvirtd")?;
    cmd.args(["-f", "/etc/libvirt/libvirtd.conf"]);
    let log = layout.host_dir(Host::Node(machine)).join("libvirtd.out");
    let pid = crate::cmd::spawn_detached(&mut cmd, &log)?;
    // nsenter execs libvirtd (it forks only to enter a PID namespace): the PID is libvirtd's, and
    // its root is the node's mount namespace.
    let socket = PathBuf::from(format!("/proc/{pid}/root")).join(SOCKET);
    poll_until(
        &format!("libvirtd on {} to listen", machine.name()),
        TIMEOUT,
        || {
            if std::os::unix::net::UnixStream::connect(&socket).is_ok() {
                return Ok(Some(()));
            }
            match waitpid(Pid::from_raw(pid_i32(pid)?), Some(WaitPidFlag::WNOHANG)) {
                Ok(nix::sys::wait::WaitStatus::StillAlive) => Ok(None),
                _ => Err(LabError::Usage(format!(
                    "libvirtd on {} exited; see {}",
                    machine.name(),
                    log.display()
                ))),
            }
        },
    )
}

fn pid_i32(pid: u32) -> Result<i32> {
    i32::try_from(pid).map_err(|_| LabError::Usage(format!("PID {pid} out of range")))
}

/// A guest of a compute: its name and UUID, both derived from the compute and a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    /// The libvirt domain name (`guest1`).
    pub name: String,
    /// The domain's UUID, as notifications carry it.
    pub uuid: String,
}

impl Guest {
    /// Guest number `n` of a compute; the lab defines guest 1 of every compute when it comes up.
    pub fn of(machine: Machine, n: u16) -> Self {
        let compute = match machine {
            Machine::Compute(i) | Machine::Controller(i) => u16::from(i),
        };
        Self {
            name: format!("guest{n}"),
            uuid: format!("6c616267-7565-4000-8000-{compute:04x}0000{n:04x}"),
        }
    }

    fn xml(&self) -> String {
        format!(
            "<domain type='qemu'><name>{}</name><uuid>{}</uuid>\
             <memory unit='MiB'>32</memory><vcpu>1</vcpu>\
             <os><type arch='x86_64' machine='pc'>hvm</type></os><on_crash>destroy</on_crash>\
             <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\
             <memballoon model='none'/></devices></domain>",
            self.name, self.uuid
        )
    }
}

/// The libvirt daemon of one compute of a running lab.
#[derive(Debug, Clone, Copy)]
pub struct Libvirt<'a> {
    lab: &'a Lab,
    machine: Machine,
}

impl<'a> Libvirt<'a> {
    /// The libvirt of `machine` (a compute of a lab built with `libvirt`).
    pub fn of(lab: &'a Lab, machine: Machine) -> Self {
        Self { lab, machine }
    }

    /// `virsh -c qemu:///system ARGS` inside the compute; its stdout.
    pub fn virsh(&self, args: &[&str]) -> Result<String> {
        let mut argv = vec!["-c", URI];
        argv.extend(args);
        self.lab.on_node(self.machine, "virsh", &argv)
    }

    /// Defines a guest (persistently: it survives libvirtd restarts and compute reboots).
    pub fn define(&self, guest: &Guest) -> Result<()> {
        let file = dir(self.lab.layout(), self.machine).join(format!("{}.xml", guest.name));
        std::fs::write(&file, guest.xml()).map_err(file_error(&file))?;
        self.virsh(&["define", &file.to_string_lossy()]).map(drop)
    }

    /// Starts a defined guest and waits until its qemu runs.
    pub fn start(&self, guest: &Guest) -> Result<u32> {
        self.virsh(&["start", &guest.name])?;
        poll_until(
            &format!("{} on {} to run", guest.name, self.machine.name()),
            TIMEOUT,
            || Ok(self.qemu_pid(guest)),
        )
    }

    /// `virsh destroy`: libvirt kills the guest itself (`STOPPED_DESTROYED`).
    pub fn destroy(&self, guest: &Guest) -> Result<()> {
        self.virsh(&["destroy", &guest.name]).map(drop)
    }

    /// The state and reason of a guest (`shut off (crashed)`).
    pub fn state(&self, guest: &Guest) -> Result<String> {
        self.virsh(&["domstate", "--reason", &guest.name])
            .map(|s| s.trim().to_owned())
    }

    /// The PID of a running guest's qemu, from libvirt's pid file in the node's /run.
    pub fn qemu_pid(&self, guest: &Guest) -> Option<u32> {
        let file = format!("/run/libvirt/qemu/{}.pid", guest.name);
        let text = self.lab.on_node(self.machine, "cat", &[&file]).ok()?;
        let pid: u32 = text.trim().parse().ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        String::from_utf8_lossy(&cmdline)
            .contains("qemu")
            .then_some(pid)
    }

    /// `kill -9` of the guest's qemu (by PID), as a crash: waits until it is gone.
    pub fn kill_guest(&self, guest: &Guest) -> Result<()> {
        let pid = self.qemu_pid(guest).ok_or_else(|| {
            LabError::Usage(format!(
                "{} on {} does not run",
                guest.name,
                self.machine.name()
            ))
        })?;
        signal_and_wait(pid_i32(pid)?, Signal::SIGKILL, "the guest's qemu")
    }

    /// The PID of the compute's libvirtd, when it runs.
    pub fn daemon_pid(&self) -> Option<i32> {
        procs::in_netns(&self.lab.layout().netns(Host::Node(self.machine)))
            .into_iter()
            .find(|p| p.comm == COMM)
            .map(|p| p.pid)
    }

    /// Stops libvirtd with SIGTERM, as systemd does; its guests keep running.
    pub fn stop_daemon(&self) -> Result<()> {
        let pid = self.daemon_pid().ok_or_else(|| {
            LabError::Usage(format!("no libvirtd runs on {}", self.machine.name()))
        })?;
        signal_and_wait(pid, Signal::SIGTERM, "libvirtd")
    }

    /// Starts libvirtd again (after [`Libvirt::stop_daemon`]).
    pub fn start_daemon(&self) -> Result<()> {
        start(self.lab.layout(), self.machine)
    }

    /// What libvirtd logged.
    pub fn log(&self) -> String {
        let path = dir(self.lab.layout(), self.machine).join("log/libvirtd.log");
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

/// Signals a process and waits until it has exited (gone, or a zombie), reaping it if it is ours.
fn signal_and_wait(pid: i32, sig: Signal, what: &str) -> Result<()> {
    let _ = kill(Pid::from_raw(pid), sig);
    poll_until(&format!("{what} ({pid}) to exit"), TIMEOUT, || {
        let _ = waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG));
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        Ok((status.is_empty() || status.contains("zombie")).then_some(()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_have_distinct_uuids_per_compute_and_number() {
        let a = Guest::of(Machine::Compute(1), 1);
        let b = Guest::of(Machine::Compute(1), 2);
        let c = Guest::of(Machine::Compute(2), 1);
        assert_eq!(a.uuid, "6c616267-7565-4000-8000-000100000001");
        assert!(a.uuid != b.uuid && a.uuid != c.uuid && b.uuid != c.uuid);
        assert_eq!(a.name, c.name);
    }

    #[test]
    fn the_boot_lines_bind_every_libvirt_directory() {
        let layout = Layout::new(crate::LabSpec::new("t")).unwrap();
        let lines = boot_lines(&layout, Machine::Compute(1));
        for (_, target) in BINDS {
            assert!(lines.contains(&format!("' '{target}'")), "{lines}");
        }
    }
}
